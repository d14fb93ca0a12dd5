/*
 * Threads and scheduling through the real system-call path: every error
 * of the TCB, scheduling-control and scheduling-context invocations;
 * threads that run, stop, have their registers read and rewritten;
 * priority order; round robin and preemption of spinning threads; budgets
 * that run out, with and without a timeout handler.
 */
#include "threads_fixture.h"

#define ROOT TF_ROOT
#define D TF_D
#define SELF COFFER_SLOT_TCB

static volatile uint64_t shared[8];
static uint64_t done; /* a notification workers signal */

static bool is_error(struct coffer_result r, coffer_error_t e)
{
    if (r.error != (uint64_t)e)
        printf("# got %s, expected %s\n", coffer_error_name(r.error), coffer_error_name(e));
    return r.error == (uint64_t)e;
}

static void tcb_errors(void)
{
    uint64_t tcb = tf_retype(COFFER_OBJ_TCB, 0), ntfn = tf_retype(COFFER_OBJ_NOTIFICATION, 0);
    uint64_t frame, vs_no_asid = tf_retype(COFFER_OBJ_VSPACE, 0);
    void *page = tf_page(&frame);
    uint64_t va = (uint64_t)(uintptr_t)page;
    struct {
        const char *name;
        struct coffer_result r;
        coffer_error_t e;
        uint64_t d0, d1;
    } cases[] = {
        { "configure: the fault endpoint is a notification", coffer_tcb_configure(tcb, ntfn, ROOT, COFFER_SLOT_VSPACE, va, frame), COFFER_ERR_INVALID_CAPABILITY, 0, 0 },
        { "configure: the CSpace root is a VSpace", coffer_tcb_configure(tcb, TF_NONE, COFFER_SLOT_VSPACE, COFFER_SLOT_VSPACE, va, frame), COFFER_ERR_INVALID_CAPABILITY, 1, 0 },
        { "configure: the VSpace is a CNode", coffer_tcb_configure(tcb, TF_NONE, ROOT, ROOT, va, frame), COFFER_ERR_INVALID_CAPABILITY, 2, 0 },
        { "configure: a VSpace without an ASID", coffer_tcb_configure(tcb, TF_NONE, ROOT, vs_no_asid, va, frame), COFFER_ERR_INVALID_CAPABILITY, 2, 0 },
        { "configure: the buffer frame is a notification", coffer_tcb_configure(tcb, TF_NONE, ROOT, COFFER_SLOT_VSPACE, va, ntfn), COFFER_ERR_INVALID_CAPABILITY, 4, 0 },
        { "configure: a read-only buffer frame", coffer_tcb_configure(tcb, TF_NONE, ROOT, COFFER_SLOT_VSPACE, va, COFFER_SLOT_BOOTINFO_FRAME), COFFER_ERR_INVALID_CAPABILITY, 4, 0 },
        { "configure: a buffer address not 1 KiB aligned", coffer_tcb_configure(tcb, TF_NONE, ROOT, COFFER_SLOT_VSPACE, va + 8, frame), COFFER_ERR_ALIGNMENT_ERROR, 3, 1024 },
        { "configure: a buffer address outside user space", coffer_tcb_configure(tcb, TF_NONE, ROOT, COFFER_SLOT_VSPACE, COFFER_USER_TOP, frame), COFFER_ERR_INVALID_ARGUMENT, 3, 0 },
        { "priority: above the authority's MCP (a new TCB has 0)", coffer_tcb_set_priority(tcb, tcb, 1), COFFER_ERR_RANGE_ERROR, 0, 0 },
        { "priority: 256", coffer_tcb_set_priority(tcb, SELF, 256), COFFER_ERR_RANGE_ERROR, 0, 255 },
        { "priority: the authority is not a TCB", coffer_tcb_set_priority(tcb, ntfn, 1), COFFER_ERR_INVALID_CAPABILITY, 0, 0 },
        { "mcp: above the authority's", coffer_tcb_set_mcp(tcb, tcb, 1), COFFER_ERR_RANGE_ERROR, 0, 0 },
        { "registers: count 0", coffer_tcb_read_registers(tcb, 0), COFFER_ERR_RANGE_ERROR, 1, 32 },
        { "registers: count 33", coffer_tcb_write_registers(tcb, 33, 0), COFFER_ERR_RANGE_ERROR, 1, 32 },
        { "registers: a thread's own", coffer_tcb_read_registers(SELF, 4), COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
        { "registers: unknown flags", coffer_call(tcb, COFFER_INV_TCB_WRITE_REGISTERS, 4, 2, 0, 0, 0), COFFER_ERR_INVALID_ARGUMENT, 1, 0 },
        { "sched context: not one", coffer_tcb_set_sched_context(tcb, ntfn), COFFER_ERR_INVALID_CAPABILITY, 0, 0 },
        { "sched context: the root task's, bound already", coffer_tcb_set_sched_context(tcb, COFFER_SLOT_SCHED_CONTEXT), COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
        { "timeout handler: not an endpoint", coffer_tcb_set_timeout_handler(tcb, ntfn), COFFER_ERR_INVALID_CAPABILITY, 0, 0 },
        { "bind: not a notification", coffer_tcb_bind_notification(tcb, tcb), COFFER_ERR_INVALID_CAPABILITY, 0, 0 },
        { "tcb: an unknown label", coffer_call(tcb, COFFER_INV_CNODE_COPY, 0, 0, 0, 0, 0), COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
        { "sched control: configure a notification", coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, ntfn, 1000, 1000), COFFER_ERR_INVALID_CAPABILITY, 0, 0 },
        { "sched control: an unknown label", coffer_call(COFFER_SLOT_SCHED_CONTROL, COFFER_INV_TCB_RESUME, 0, 0, 0, 0, 0), COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
        { "sched context: an unknown label", coffer_call(COFFER_SLOT_SCHED_CONTEXT, COFFER_INV_TCB_RESUME, 0, 0, 0, 0, 0), COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        ktest_expect_error(cases[i].r, cases[i].e, cases[i].d0, cases[i].d1, cases[i].name);

    uint64_t sc = tf_retype(COFFER_OBJ_SCHED_CONTEXT, 0);
    ktest_expect_error(coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, sc, 2000, 1000),
                       COFFER_ERR_RANGE_ERROR, 100, 1000, "sched control: a budget above the period");
    ktest_expect_error(coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, sc, 50, 50),
                       COFFER_ERR_RANGE_ERROR, 100, 3600000000ull, "sched control: a period below 100 us");
    ktest_expect_error(coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, sc, 1000, 3600000001ull),
                       COFFER_ERR_RANGE_ERROR, 100, 3600000000ull, "sched control: a period above an hour");
    ktest_check(coffer_tcb_set_sched_context(tcb, sc).error == COFFER_ERR_OK &&
                    is_error(coffer_tcb_set_sched_context(tcb, sc), COFFER_ERR_ILLEGAL_OPERATION) &&
                    coffer_tcb_set_sched_context(tcb, TF_NONE).error == COFFER_ERR_OK &&
                    coffer_tcb_set_sched_context(tcb, TF_NONE).error == COFFER_ERR_OK,
                "sched context: bound once, not twice; unbinding (twice) is fine");
    uint64_t sc_ro = tf_mint(sc, COFFER_RIGHT_READ, 0), sc_wo = tf_mint(sc, COFFER_RIGHT_WRITE, 0);
    ktest_check(is_error(coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, sc_ro, 1000, 1000),
                         COFFER_ERR_INVALID_CAPABILITY) &&
                    is_error(coffer_tcb_set_sched_context(tcb, sc_ro), COFFER_ERR_INVALID_CAPABILITY) &&
                    is_error(coffer_sched_context_consumed(sc_wo), COFFER_ERR_ILLEGAL_OPERATION) &&
                    coffer_sched_context_consumed(sc_ro).error == COFFER_ERR_OK,
                "sched context rights: configuring and binding need WRITE, reading the time READ");
    uint64_t reader = tf_mint(tcb, COFFER_RIGHT_READ, 0);
    ktest_check(is_error(coffer_tcb_configure(reader, TF_NONE, ROOT, COFFER_SLOT_VSPACE, va, frame),
                         COFFER_ERR_ILLEGAL_OPERATION) &&
                    is_error(coffer_tcb_resume(reader), COFFER_ERR_ILLEGAL_OPERATION) &&
                    coffer_tcb_read_registers(reader, 32).error == COFFER_ERR_OK,
                "tcb rights: READ reads registers; changing the thread needs WRITE");
    ktest_check(coffer_tcb_bind_notification(tcb, ntfn).error == COFFER_ERR_OK &&
                    is_error(coffer_tcb_bind_notification(SELF, ntfn), COFFER_ERR_ILLEGAL_OPERATION) &&
                    is_error(coffer_tcb_bind_notification(tcb, ntfn), COFFER_ERR_ILLEGAL_OPERATION) &&
                    coffer_tcb_bind_notification(tcb, TF_NONE).error == COFFER_ERR_OK,
                "bind: a notification binds to one thread, a thread to one notification");
    ktest_check(coffer_tcb_configure(tcb, TF_NONE, ROOT, COFFER_SLOT_VSPACE, va, frame).error ==
                        COFFER_ERR_OK &&
                    coffer_tcb_configure(tcb, TF_NONE, ROOT, COFFER_SLOT_VSPACE, va, frame).error ==
                        COFFER_ERR_OK,
                "configure: valid, and again (the old capabilities are replaced)");
    uint64_t cn = tf_retype(COFFER_OBJ_CNODE, 4);
    ktest_check(coffer_tcb_configure(tcb, TF_NONE, cn, COFFER_SLOT_VSPACE, va, frame).error == COFFER_ERR_OK &&
                    coffer_cnode_delete(ROOT, cn, D).error == COFFER_ERR_OK,
                "configure: a TCB may hold the last capability to its CSpace root");
    ktest_expect_error(coffer_tcb_configure(tcb, TF_NONE, ROOT, COFFER_SLOT_VSPACE, va, frame),
                       COFFER_ERR_DELETE_FIRST, COFFER_DELETE_FIRST_SLOT, 0,
                       "configure: replacing the last capability to a CNode is DELETE_FIRST (TCB slot 0)");
    ktest_check(coffer_tcb_configure(SELF, TF_NONE, ROOT, COFFER_SLOT_VSPACE, COFFER_IPC_BUFFER_VADDR,
                                     COFFER_SLOT_IPC_BUFFER).error == COFFER_ERR_OK &&
                    coffer_cnode_identify(ROOT, COFFER_SLOT_CNODE, D).error == COFFER_ERR_OK,
                "configure: a thread configures itself and runs on");
    uint64_t ro_ep = tf_mint(tf_retype(COFFER_OBJ_ENDPOINT, 0), COFFER_RIGHT_READ, 0);
    ktest_expect_error(coffer_tcb_set_timeout_handler(tcb, ro_ep), COFFER_ERR_INVALID_CAPABILITY, 0, 0,
                       "timeout handler: an endpoint capability without WRITE");
}

static void worker_store(uint64_t arg)
{
    shared[0] = arg;
    coffer_signal(done);
    tf_park();
}

static void worker_second(uint64_t arg)
{
    shared[1] = arg;
    coffer_signal(done);
    tf_park();
}

static void run_and_registers(void)
{
    struct tf_thread t = tf_spawn(worker_store, 0x5eed, 100, 10000, 10000, TF_NONE);
    coffer_wait(done);
    ktest_check(shared[0] == 0x5eed, "thread: a new thread runs its function with its argument");

    struct coffer_ipc_buffer *b = coffer_root_ipc_buffer();
    struct coffer_result r = coffer_tcb_read_registers(t.tcb, COFFER_REG_COUNT);
    uint64_t sp = b->mr[2];
    uint64_t near = (uint64_t)(uintptr_t)&shared; /* the stacks are in .bss too */
    ktest_check(r.error == COFFER_ERR_OK && sp + (1u << 20) > near && sp < near + (1u << 20) &&
                    b->mr[0] != 0,
                "registers: a blocked thread's pc and sp can be read");
    ktest_check(coffer_tcb_suspend(t.tcb).error == COFFER_ERR_OK, "suspend: a blocked thread");
    ktest_check(coffer_thread_start(t.tcb, b, worker_second, (void *)(uintptr_t)sp, 77).error ==
                        COFFER_ERR_OK,
                "registers: written, and the thread resumed");
    coffer_wait(done);
    ktest_check(shared[1] == 77, "registers: the thread runs from its new pc");
}

static volatile uint64_t order[4];
static volatile unsigned order_n;

static void worker_order(uint64_t prio)
{
    order[order_n++] = prio;
    if (prio == 10)
        coffer_signal(done);
    tf_park();
}

static void priorities(void)
{
    order_n = 0;
    /* The root task runs at 255: nothing starts until it waits. */
    tf_spawn(worker_order, 10, 10, 10000, 10000, TF_NONE);
    tf_spawn(worker_order, 30, 30, 10000, 10000, TF_NONE);
    tf_spawn(worker_order, 20, 20, 10000, 10000, TF_NONE);
    ktest_check(order_n == 0, "priority: threads below the root task's do not run while it does");
    coffer_wait(done);
    ktest_check(order_n == 3 && order[0] == 30 && order[1] == 20 && order[2] == 10,
                "priority: ready threads run highest first");
}

static void worker_spin(uint64_t i)
{
    for (;;)
        shared[i]++;
}

static void round_robin(void)
{
    shared[2] = shared[3] = 0;
    struct tf_thread a = tf_spawn(worker_spin, 2, 100, 10000, 10000, TF_NONE);
    struct tf_thread b = tf_spawn(worker_spin, 3, 100, 10000, 10000, TF_NONE);
    /* At 100 the root task shares the CPU with two spinning threads: it
     * sees both make progress only if the timer takes turns among all three. */
    tf_root_priority(100);
    uint64_t spins = 0;
    while ((shared[2] == 0 || shared[3] == 0) && spins < 2000000000ull)
        spins++;
    uint64_t a1 = shared[2], b1 = shared[3];
    tf_spin_us(30000);
    bool both = shared[2] > a1 && shared[3] > b1;
    tf_root_priority(255);
    ktest_check(a1 != 0 && b1 != 0 && both,
                "round robin: spinning threads of one priority are preempted and take turns");
    coffer_tcb_suspend(a.tcb);
    coffer_tcb_suspend(b.tcb);
    uint64_t a2 = shared[2];
    tf_root_priority(1);
    tf_spin_us(20000);
    tf_root_priority(255);
    ktest_check(shared[2] == a2, "suspend: a suspended thread does not run");
    struct coffer_kernel_info info;
    coffer_debug_kernel_info((uint64_t)(uintptr_t)&info, sizeof(info));
    ktest_check(info.context_switches > 0, "kernel info: context switches are counted");
}

static void budgets(void)
{
    /* A thread with 1 ms every 20 ms above the root task: the root task
     * runs at all only because the budget runs out. */
    shared[4] = 0;
    struct tf_thread t = tf_spawn(worker_spin, 4, 200, 1000, 20000, TF_NONE);
    tf_root_priority(100);
    uint64_t c0 = coffer_sched_context_consumed(t.sc).detail0, s0 = shared[4];
    tf_spin_us(100000);
    uint64_t c1 = coffer_sched_context_consumed(t.sc).detail0, s1 = shared[4];
    tf_root_priority(255);
    coffer_tcb_suspend(t.tcb);
    ktest_check(c0 >= 1000 && s1 > s0, "budget: a higher-priority spinner runs out and lets lower ones run");
    printf("# consumed %llu us in 100 ms of 1 ms / 20 ms\n", (unsigned long long)(c1 - c0));
    ktest_check(c1 - c0 >= 2000 && c1 - c0 <= 12000,
                "budget: it keeps running, about its budget in each period");

    /* Out of budget with a timeout handler: the root task hears of it. */
    uint64_t ep = tf_retype(COFFER_OBJ_ENDPOINT, 0), reply = tf_retype(COFFER_OBJ_REPLY, 0);
    struct tf_thread u = tf_spawn(worker_spin, 5, 200, 1000, 1000000, TF_NONE);
    struct coffer_msg m = { 0 };
    if (coffer_tcb_set_timeout_handler(u.tcb, tf_mint(ep, COFFER_RIGHTS_ALL, 0x70)).error == COFFER_ERR_OK)
        m = coffer_ipc_recv(ep, reply);
    ktest_check(m.error == COFFER_ERR_OK && COFFER_MSG_LABEL(m.info) == COFFER_FAULT_TIMEOUT &&
                    m.badge == 0x70 && m.mr[COFFER_FAULT_ADDR] >= 1000,
                "timeout fault: a spent budget is reported to the timeout handler");
    coffer_tcb_suspend(u.tcb);
}

/* ENSURE_BUDGET from a thread of 1 ms every 20 ms: refused above its
 * budget; with enough left it returns at once; once it has spent all but
 * 300 us, asking for 500 waits for the next period and goes on with a
 * fresh budget -- and its timeout handler hears nothing.  (The suite runs
 * in real time: a budget is spent by the host's time too, so the checks
 * compare budgets rather than expect exact ones.) */
static volatile uint64_t ensured[8];

static void worker_ensure(uint64_t arg)
{
    (void)arg;
    struct coffer_result r = coffer_ensure_budget(1001);
    ensured[0] = r.error;
    ensured[1] = r.detail1;
    coffer_ensure_budget(1000); /* a whole budget: now, or at the next period */
    r = coffer_ensure_budget(100);
    ensured[2] = r.error == COFFER_ERR_OK && r.detail0 == 0;
    do
        r = coffer_ensure_budget(0);
    while (r.detail1 >= 300);
    r = coffer_ensure_budget(500);
    ensured[3] = r.error == COFFER_ERR_OK && r.detail0 == 1 && r.detail1 < 300;
    ensured[6] = r.detail1;
    ensured[4] = coffer_ensure_budget(0).detail1; /* just after the refill */
    ensured[5] = 1;
    for (;;)
        coffer_yield();
}

static void ensure_budget(void)
{
    struct coffer_result r = coffer_ensure_budget(1000001);
    ktest_expect_error(r, COFFER_ERR_RANGE_ERROR, 0, 1000000,
                       "ENSURE_BUDGET: above the root task's budget (1 s) is RANGE_ERROR");
    r = coffer_ensure_budget(1000000);
    ktest_check(r.error == COFFER_ERR_OK && r.detail0 == 0,
                "ENSURE_BUDGET: the root task's budget is its period: even all of it is there at once");
    for (unsigned i = 0; i < 8; i++)
        ensured[i] = 0;
    uint64_t ep = tf_retype(COFFER_OBJ_ENDPOINT, 0), reply = tf_retype(COFFER_OBJ_REPLY, 0);
    struct tf_thread t = tf_create(200, 1000, 20000, TF_NONE);
    bool ok = coffer_tcb_set_timeout_handler(t.tcb, ep).error == COFFER_ERR_OK;
    ktest_expect_error(coffer_tcb_set_loan_minimum(t.tcb, 101), COFFER_ERR_RANGE_ERROR, 0, 100,
                       "TCB_SET_LOAN_MINIMUM: above the least budget a context takes (100 us) is RANGE_ERROR");
    tf_start(&t, worker_ensure, 0);
    tf_root_priority(100);
    for (unsigned i = 0; i < 20 && !ensured[5]; i++)
        tf_spin_us(20000); /* one of its periods */
    tf_root_priority(255);
    coffer_tcb_suspend(t.tcb);
    ktest_check(ok && ensured[0] == COFFER_ERR_RANGE_ERROR && ensured[1] == 1000,
                "ENSURE_BUDGET: above a thread's budget is RANGE_ERROR (0, 1000 us)");
    ktest_check(ensured[2], "ENSURE_BUDGET: with enough left it returns at once (waited 0)");
    ktest_check(ensured[3] && ensured[5] && ensured[4] > ensured[6],
                "ENSURE_BUDGET: with less left it waits for the next period, then has a fresh budget (%llu us)",
                (unsigned long long)ensured[4]);
    ktest_check(coffer_sys_nb_recv(ep, reply).error == COFFER_ERR_WOULD_BLOCK,
                "ENSURE_BUDGET: the budget it gave up sends no timeout fault");
}

/* Receive deadlines: a wait on a notification nobody signals ends with
 * TIMED_OUT at its deadline (the kernel idles until then), one already
 * past at once; a signal or a call before the deadline ends it as usual. */
static volatile uint64_t signal_after_us;

static void worker_signal_later(uint64_t ntfn)
{
    tf_spin_us(signal_after_us);
    coffer_signal(ntfn);
    for (;;)
        coffer_yield();
}

static void deadlines(void)
{
    uint64_t ntfn = tf_retype(COFFER_OBJ_NOTIFICATION, 0), ep = tf_retype(COFFER_OBJ_ENDPOINT, 0),
             reply = tf_retype(COFFER_OBJ_REPLY, 0);
    uint64_t t0 = coffer_time_now();
    struct coffer_msg m = coffer_wait_until(ntfn, t0 + tf_us_to_ticks(5000));
    uint64_t waited = coffer_time_now() - t0;
    ktest_check(m.error == COFFER_ERR_TIMED_OUT && waited >= tf_us_to_ticks(5000),
                "deadline: a wait on a notification nobody signals ends with TIMED_OUT at its deadline (%llu us)",
                (unsigned long long)tf_ticks_to_us(waited));
    m = coffer_wait_until(ntfn, 1);
    ktest_check(m.error == COFFER_ERR_TIMED_OUT, "deadline: one already past is TIMED_OUT at once");
    coffer_signal(ntfn);
    m = coffer_wait_until(ntfn, 1);
    ktest_check(m.error == COFFER_ERR_OK, "deadline: already past, with a signal pending: the signal is taken");
    m = coffer_ipc_recv_until(ep, reply, coffer_time_now() + tf_us_to_ticks(2000));
    ktest_check(m.error == COFFER_ERR_TIMED_OUT, "deadline: a receive on an endpoint nobody calls ends with TIMED_OUT");
    signal_after_us = 2000;
    struct tf_thread t = tf_spawn(worker_signal_later, ntfn, 200, 1000, 1000, TF_NONE);
    t0 = coffer_time_now();
    m = coffer_wait_until(ntfn, t0 + tf_us_to_ticks(500000));
    waited = coffer_time_now() - t0;
    coffer_tcb_suspend(t.tcb);
    ktest_check(m.error == COFFER_ERR_OK && waited < tf_us_to_ticks(400000),
                "deadline: a signal before the deadline ends the wait as usual");
}

/*
 * Every thread blocked or waiting for a refill, again and again: a spinner
 * whose budget runs out answers to the root task, which replies and waits
 * for the next timeout.  Between two faults nothing can run, so the kernel
 * idles until the refill; a timer interrupt taken just before the idle
 * loop's wfi once left the hart asleep for good (the guest hung after one
 * to three faults).  A hang here is caught by the runner's timeout.
 */
#define IDLE_ROUNDS 200

static void idle_between_refills(void)
{
    uint64_t ep = tf_retype(COFFER_OBJ_ENDPOINT, 0), reply = tf_retype(COFFER_OBJ_REPLY, 0);
    uint64_t periods[] = { 10000, 110, 150 };
    for (unsigned p = 0; p < sizeof(periods) / sizeof(periods[0]); p++) {
        struct tf_thread u = tf_create(200, 100, periods[p], TF_NONE);
        struct coffer_result r = coffer_tcb_set_timeout_handler(u.tcb, ep);
        if (!ktest_expect_error(r, COFFER_ERR_OK, 0, 0, "idle: the spinner's timeout handler is set"))
            return;
        tf_start(&u, worker_spin, 6);
        unsigned faults = 0;
        struct coffer_msg m = coffer_ipc_recv(ep, reply);
        while (m.error == COFFER_ERR_OK && COFFER_MSG_LABEL(m.info) == COFFER_FAULT_TIMEOUT &&
               ++faults < IDLE_ROUNDS)
            m = coffer_ipc_reply_recv(ep, reply, COFFER_MSGINFO(0, 0, 0), NULL);
        coffer_tcb_suspend(u.tcb);
        if (faults != IDLE_ROUNDS)
            printf("# fault %u: %s, label %llu\n", faults, coffer_error_name(m.error),
                   (unsigned long long)COFFER_MSG_LABEL(m.info));
        ktest_check(faults == IDLE_ROUNDS,
                    "idle: %u timeout faults of 100 us per %llu us answered, the kernel idling between them",
                    IDLE_ROUNDS, (unsigned long long)periods[p]);
    }
}

void test_threads(void)
{
    tf_begin();
    done = tf_retype(COFFER_OBJ_NOTIFICATION, 0);
    ktest_check(COFFER_ID_TYPE(coffer_cnode_identify(ROOT, COFFER_SLOT_SCHED_CONTROL, D).detail0) ==
                        COFFER_OBJ_SCHED_CONTROL &&
                    COFFER_ID_TYPE(coffer_cnode_identify(ROOT, COFFER_SLOT_SCHED_CONTEXT, D).detail0) ==
                        COFFER_OBJ_SCHED_CONTEXT &&
                    COFFER_ID_TYPE(coffer_cnode_identify(ROOT, COFFER_SLOT_IPC_BUFFER, D).detail0) ==
                        COFFER_OBJ_FRAME,
                "boot: the root task holds scheduling control, its scheduling context and its IPC buffer");
    tcb_errors();
    run_and_registers();
    priorities();
    round_robin();
    budgets();
    ensure_budget();
    deadlines();
    idle_between_refills();
    ktest_check(tf_end(), "threads: revoking the untyped deletes every thread and object, every byte back");
}
