/* The service benchmarks' set-up and tear-down (services.h). */
#include <stdio.h>

#include "fixture.h"
#include "services.h"

#define ROOT COFFER_SLOT_CNODE
#define W COFFER_RETYPE_AT_WATERMARK

uint64_t bench_services_begin(uint64_t *free)
{
    uint64_t parent = coffer_largest_ram_untyped(coffer_bootinfo(), 24);
    bench_step(coffer_cnode_revoke(ROOT, parent, BF_D), "clear the untyped");
    *free = coffer_untyped_describe(parent).detail0;
    return parent;
}

bool bench_bank_service(uint64_t parent, unsigned ram_bits, uint64_t ram, uint64_t work, uint64_t first_slot,
                        struct bank_service *out)
{
    static coffer_cptr_t rams[1];
    rams[0] = ram;
    struct bank_service_config cfg = { .work_untyped = work, .ram = rams, .nram = 1, .first_slot = first_slot,
                                       .asid_pool = COFFER_SLOT_ASID_POOL, .root_bits = 10, .nbanks = 128,
                                       .own_va = 0x3000000000ull, .window_va = 0x3400000000ull, .priority = 200 };
    return bench_step(coffer_untyped_retype(parent, COFFER_OBJ_UNTYPED, ram_bits, ROOT, 0, ram, 1, W), "the RAM") &&
           bench_step(coffer_untyped_retype(parent, COFFER_OBJ_UNTYPED, 21, ROOT, 0, work, 1, W),
                      "the bank server's memory") &&
           bench_step(bank_service_start(&cfg, out), "start the bank service");
}

void bench_services_end(uint64_t parent, uint64_t free, const coffer_cptr_t *threads, unsigned n, const char *name)
{
    for (unsigned i = 0; i < n; i++)
        coffer_tcb_suspend(threads[i]);
    bench_step(coffer_cnode_revoke(ROOT, parent, BF_D), "revoke the services' memory");
    if (coffer_untyped_describe(parent).detail0 != free)
        printf("bench: %s: not every byte came back\n", name);
}
