#include "threads_fixture.h"

#define STACKS 16
#define STACK_BYTES 8192
#define PAGES_BASE 0x2000000000ull /* 128 GiB: a GiB of the root task's space for tests */

static uint8_t stacks[STACKS][STACK_BYTES] __attribute__((aligned(16)));
static unsigned next_stack;
static uint64_t ut, start_free, next_slot, next_page, park_ntfn;

void tf_begin(void)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    ut = coffer_largest_ram_untyped(bi, 24);
    next_slot = bi->empty.start + 2600; /* clear of the other groups */
    start_free = coffer_cnode_identify(TF_ROOT, ut, TF_D).detail1;
    next_stack = 0;
    next_page = PAGES_BASE;
    /* Tables for the test GiB: a level-1 and a level-0 table. */
    ktest_step(coffer_page_table_map(tf_retype(COFFER_OBJ_PAGE_TABLE, 0), COFFER_SLOT_VSPACE,
                                     PAGES_BASE),
               "map the test GiB's level-1 table");
    ktest_step(coffer_page_table_map(tf_retype(COFFER_OBJ_PAGE_TABLE, 0), COFFER_SLOT_VSPACE,
                                     PAGES_BASE),
               "map the test GiB's level-0 table");
    park_ntfn = tf_retype(COFFER_OBJ_NOTIFICATION, 0);
}

bool tf_end(void)
{
    bool revoked = ktest_step(coffer_cnode_revoke(TF_ROOT, ut, TF_D), "revoke the group's untyped");
    uint64_t free = coffer_cnode_identify(TF_ROOT, ut, TF_D).detail1;
    if (free != start_free)
        printf("# free bytes %llu, expected %llu\n", (unsigned long long)free,
               (unsigned long long)start_free);
    return revoked && free == start_free && coffer_debug_check().detail0 == 0;
}

uint64_t tf_slot(void)
{
    return next_slot++;
}

uint64_t tf_retype(unsigned type, unsigned bits)
{
    uint64_t s = tf_slot();
    ktest_step(coffer_untyped_retype(ut, type, bits, TF_ROOT, 0, s, 1, COFFER_RETYPE_AT_WATERMARK),
               "retype of type %u (2^%u)", type, bits);
    return s;
}

void *tf_page(uint64_t *frame)
{
    *frame = tf_retype(COFFER_OBJ_FRAME, 12);
    uint64_t va = next_page;
    next_page += COFFER_PAGE_SIZE;
    ktest_step(coffer_frame_map(*frame, COFFER_SLOT_VSPACE, va, COFFER_MAP_R | COFFER_MAP_W),
               "map a frame at %llx", (unsigned long long)va);
    return (void *)(uintptr_t)va;
}

uint64_t tf_mint(uint64_t src, unsigned rights, uint64_t badge)
{
    uint64_t s = tf_slot();
    ktest_step(coffer_cnode_mint(TF_ROOT, s, TF_D, TF_ROOT, src, TF_D, rights, badge),
               "mint root slot %llu (rights %u, badge %llu)", (unsigned long long)src, rights,
               (unsigned long long)badge);
    return s;
}

struct tf_thread tf_create(unsigned prio, uint64_t budget_us, uint64_t period_us, uint64_t fault_ep)
{
    struct tf_thread t = { .tcb = tf_retype(COFFER_OBJ_TCB, 0) };
    uint64_t frame;
    t.buf = tf_page(&frame);
    ktest_step(coffer_tcb_configure(t.tcb, fault_ep, TF_ROOT, COFFER_SLOT_VSPACE,
                                    (uint64_t)(uintptr_t)t.buf, frame),
               "configure a thread");
    ktest_step(coffer_tcb_set_priority(t.tcb, COFFER_SLOT_TCB, prio),
               "set a thread's priority to %u", prio);
    if (budget_us != 0) {
        t.sc = tf_retype(COFFER_OBJ_SCHED_CONTEXT, 0);
        ktest_step(coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, t.sc, budget_us,
                                                  period_us),
                   "configure a scheduling context of %llu/%llu us",
                   (unsigned long long)budget_us, (unsigned long long)period_us);
        ktest_step(coffer_tcb_set_sched_context(t.tcb, t.sc), "bind a thread's scheduling context");
    }
    return t;
}

void tf_start(const struct tf_thread *t, void (*fn)(uint64_t), uint64_t arg)
{
    uint8_t *stack = stacks[next_stack++ % STACKS];
    ktest_step(coffer_thread_start(t->tcb, coffer_root_ipc_buffer(), fn, stack + STACK_BYTES, arg),
               "start a thread");
}

struct tf_thread tf_spawn(void (*fn)(uint64_t), uint64_t arg, unsigned prio, uint64_t budget_us,
                          uint64_t period_us, uint64_t fault_ep)
{
    struct tf_thread t = tf_create(prio, budget_us, period_us, fault_ep);
    tf_start(&t, fn, arg);
    return t;
}

void tf_root_priority(unsigned prio)
{
    ktest_step(coffer_tcb_set_priority(COFFER_SLOT_TCB, COFFER_SLOT_TCB, prio),
               "set the root task's priority to %u", prio);
}

static uint64_t timebase_hz(void)
{
    static struct coffer_kernel_info info;
    if (info.timebase_hz == 0)
        coffer_debug_kernel_info((uint64_t)(uintptr_t)&info, sizeof(info));
    return info.timebase_hz;
}

uint64_t tf_us_to_ticks(uint64_t us)
{
    return us * timebase_hz() / 1000000;
}

uint64_t tf_ticks_to_us(uint64_t ticks)
{
    return timebase_hz() != 0 ? ticks * 1000000 / timebase_hz() : ~0ull;
}

void tf_spin_us(uint64_t us)
{
    uint64_t t0 = coffer_time_now(), ticks = tf_us_to_ticks(us);
    while (coffer_time_now() - t0 < ticks)
        ;
}

void tf_park(void)
{
    for (;;)
        coffer_wait(park_ntfn);
}
