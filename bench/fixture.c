#include "fixture.h"
#include <stdio.h>

#define STACKS 16
#define STACK_BYTES 8192
#define PAGES_BASE 0x2000000000ull /* 128 GiB: clear of the other benchmarks */

static uint8_t stacks[STACKS][STACK_BYTES] __attribute__((aligned(16)));
static unsigned next_stack;
static uint64_t ut, start_free, next_slot, next_page, park_ntfn;

bool bench_step(struct coffer_result r, const char *step)
{
    if (r.error != COFFER_ERR_OK)
        printf("bench: set-up failed: %s: %s (%llu, %llu)\n", step, coffer_error_name(r.error),
               (unsigned long long)r.detail0, (unsigned long long)r.detail1);
    return r.error == COFFER_ERR_OK;
}

void bf_begin(void)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    ut = coffer_largest_ram_untyped(bi, 24);
    next_slot = bi->empty.start + 2600; /* clear of bench_caps and bench_vspace */
    start_free = coffer_cnode_identify(BF_ROOT, ut, BF_D).detail1;
    next_stack = 0;
    next_page = PAGES_BASE;
    /* Tables for the workers' IPC buffers: a level-1 and a level-0 table. */
    bench_step(coffer_page_table_map(bf_retype(COFFER_OBJ_PAGE_TABLE, 0), COFFER_SLOT_VSPACE,
                                     PAGES_BASE),
               "map the level-1 table");
    bench_step(coffer_page_table_map(bf_retype(COFFER_OBJ_PAGE_TABLE, 0), COFFER_SLOT_VSPACE,
                                     PAGES_BASE),
               "map the level-0 table");
    park_ntfn = bf_retype(COFFER_OBJ_NOTIFICATION, 0);
}

bool bf_end(void)
{
    bool revoked = bench_step(coffer_cnode_revoke(BF_ROOT, ut, BF_D), "revoke the untyped");
    uint64_t free = coffer_cnode_identify(BF_ROOT, ut, BF_D).detail1;
    if (free != start_free)
        printf("bench: free bytes %llu after the revoke, expected %llu\n",
               (unsigned long long)free, (unsigned long long)start_free);
    return revoked && free == start_free && coffer_debug_check().detail0 == 0;
}

uint64_t bf_slot(void)
{
    return next_slot++;
}

uint64_t bf_retype(unsigned type, unsigned bits)
{
    uint64_t s = bf_slot();
    char step[48];
    snprintf(step, sizeof(step), "retype an object of type %u", type);
    bench_step(coffer_untyped_retype(ut, type, bits, BF_ROOT, 0, s, 1, COFFER_RETYPE_AT_WATERMARK),
               step);
    return s;
}

struct bf_thread bf_spawn(void (*fn)(uint64_t), uint64_t arg, unsigned prio, uint64_t budget_us,
                          uint64_t period_us, uint64_t fault_ep)
{
    struct bf_thread t = { .tcb = bf_retype(COFFER_OBJ_TCB, 0) };
    uint64_t frame = bf_retype(COFFER_OBJ_FRAME, 12), va = next_page;
    next_page += COFFER_PAGE_SIZE;
    t.buf = (struct coffer_ipc_buffer *)(uintptr_t)va;
    bool ok = bench_step(coffer_frame_map(frame, COFFER_SLOT_VSPACE, va,
                                          COFFER_MAP_R | COFFER_MAP_W),
                         "map a thread's IPC buffer") &&
              bench_step(coffer_tcb_configure(t.tcb, fault_ep, BF_ROOT, COFFER_SLOT_VSPACE, va,
                                              frame),
                         "configure a thread") &&
              bench_step(coffer_tcb_set_priority(t.tcb, COFFER_SLOT_TCB, prio),
                         "set a thread's priority");
    t.sc = bf_retype(COFFER_OBJ_SCHED_CONTEXT, 0);
    ok = ok &&
         bench_step(coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, t.sc, budget_us,
                                                   period_us),
                    "configure a thread's scheduling context") &&
         bench_step(coffer_tcb_set_sched_context(t.tcb, t.sc),
                    "bind a thread's scheduling context");
    uint8_t *stack = stacks[next_stack++ % STACKS];
    if (ok)
        bench_step(coffer_thread_start(t.tcb, coffer_root_ipc_buffer(), fn, stack + STACK_BYTES,
                                       arg),
                   "start a thread");
    return t;
}

void bf_root_priority(unsigned prio)
{
    bench_step(coffer_tcb_set_priority(COFFER_SLOT_TCB, COFFER_SLOT_TCB, prio),
               "set the root task's priority");
}

void bf_park(void)
{
    for (;;)
        coffer_wait(park_ntfn);
}
