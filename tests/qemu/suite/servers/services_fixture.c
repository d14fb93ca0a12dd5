/* The suite's server groups' bank service (services_fixture.h). */
#include "ktest.h"

#include "services_fixture.h"

#define ROOT COFFER_SLOT_CNODE
#define W COFFER_RETYPE_AT_WATERMARK

bool start_bank_service(uint64_t container, unsigned ram_bits, uint64_t ram, uint64_t work, uint64_t first_slot,
                        unsigned nbanks, struct bank_service *out)
{
    static coffer_cptr_t rams[1];
    rams[0] = ram;
    struct bank_service_config cfg = { .work_untyped = work, .ram = rams, .nram = 1, .first_slot = first_slot,
                                       .asid_pool = COFFER_SLOT_ASID_POOL, .root_bits = 10, .nbanks = nbanks,
                                       .own_va = 0x3000000000ull, .window_va = 0x3400000000ull, .priority = 200 };
    return ktest_step(coffer_untyped_retype(container, COFFER_OBJ_UNTYPED, ram_bits, ROOT, 0, ram, 1, W),
                      "2^%u bytes of RAM for the prime bank", ram_bits) &&
           ktest_step(coffer_untyped_retype(container, COFFER_OBJ_UNTYPED, 21, ROOT, 0, work, 1, W),
                      "2 MiB for the bank server") &&
           ktest_step(bank_service_start(&cfg, out), "start the bank service");
}
