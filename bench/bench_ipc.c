/*
 * Benchmarks of the threads layer (issue 5), each measured in the root
 * task around the operation, median/min/max of BENCH_RUNS:
 *  - call + reply-receive round trip to a passive server running on the
 *    caller's scheduling context (register message, the common case);
 *  - the same with a 64-word message, and with one capability transferred
 *    (copied, as a child, moved);
 *  - notification signal to a waiting higher-priority thread (from the
 *    signal to the waiter's return from wait);
 *  - yield to another thread of the same priority and back (two switches);
 *  - fault delivery round trip: an illegal instruction in a thread, its
 *    handler's reply-receive resuming it past the instruction.
 */
#include "bench.h"
#include <stdio.h>
#include "fixture.h"

static uint64_t samples_ipc[BENCH_RUNS];
static uint64_t ep, srv_reply, ntfn, fault_done;
static volatile uint64_t stamp, runs_left;

/* The echo server: replies to everything with word 0 + 1, same length. */
static void server(uint64_t unused)
{
    (void)unused;
    struct coffer_msg m = coffer_ipc_recv(ep, srv_reply);
    for (;;) {
        uint64_t w[4] = { m.mr[0] + 1, 0, 0, 0 };
        m = coffer_ipc_reply_recv(ep, srv_reply, COFFER_MSGINFO(0, 0, COFFER_MSG_LENGTH(m.info)), w);
    }
}

/* A server that waits in receive and has given its context back. */
static struct bf_thread passive_server(void)
{
    struct bf_thread s = bf_spawn(server, 0, 200, 10000, 10000, BF_NONE);
    bf_root_priority(100); /* it runs to its receive */
    bf_root_priority(255);
    bench_step(coffer_tcb_set_sched_context(s.tcb, BF_NONE), "make the server passive");
    return s;
}

static void bench_call(uint64_t calibration)
{
    uint64_t w[4] = { 1, 2, 3, 4 };
    BENCH_MEASURE(samples_ipc, coffer_ipc_call(ep, COFFER_MSGINFO(0, 0, 1), w));
    bench_report("ipc call + reply_recv round trip, 1 word, passive server (donation)", samples_ipc,
                 BENCH_RUNS, calibration);
    BENCH_MEASURE(samples_ipc, coffer_ipc_call(ep, COFFER_MSGINFO(0, 0, 64), w));
    bench_report("ipc call + reply_recv round trip, 64 words", samples_ipc, BENCH_RUNS, calibration);
}

/* One capability in `mode` (COFFER_XFER_*) to the server's slot; outside
 * the measurement it is deleted there (a move: moved back). */
static void bench_transfer(uint64_t calibration, struct coffer_ipc_buffer *srv_buf, unsigned mode,
                           const char *name)
{
    uint64_t cap = bf_retype(COFFER_OBJ_NOTIFICATION, 0), dest = bf_slot();
    coffer_root_ipc_buffer()->caps[0] = cap;
    coffer_root_ipc_buffer()->cap_modes = COFFER_XFER_MODES(mode, 0, 0);
    srv_buf->recv_cnode = 0;
    srv_buf->recv_depth = 0;
    srv_buf->recv_index = dest;
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        uint64_t t0 = coffer_rdcycle();
        coffer_ipc_call(ep, COFFER_MSGINFO(0, 1, 1), 0);
        uint64_t t1 = coffer_rdcycle();
        samples_ipc[i] = t1 - t0;
        if (mode == COFFER_XFER_MOVE)
            bench_step(coffer_cnode_move(BF_ROOT, cap, BF_D, BF_ROOT, dest, BF_D), "move it back");
        else
            bench_step(coffer_cnode_delete(BF_ROOT, dest, BF_D), "delete the transferred capability");
    }
    coffer_root_ipc_buffer()->cap_modes = 0;
    bench_report(name, samples_ipc, BENCH_RUNS, calibration);
}

static void waiter(uint64_t unused)
{
    (void)unused;
    for (;;) {
        coffer_wait(ntfn);
        stamp = coffer_rdcycle();
    }
}

static void bench_signal(uint64_t calibration)
{
    bf_spawn(waiter, 0, 200, 10000, 10000, BF_NONE);
    bf_root_priority(100); /* the waiter (200) preempts the root task */
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        uint64_t t0 = coffer_rdcycle();
        coffer_signal(ntfn);
        samples_ipc[i] = stamp - t0;
    }
    bf_root_priority(255);
    bench_report("notification signal -> higher-priority waiter returns from wait", samples_ipc,
                 BENCH_RUNS, calibration);
}

static void yielder(uint64_t unused)
{
    (void)unused;
    for (;;)
        coffer_yield();
}

static void bench_yield(uint64_t calibration)
{
    struct bf_thread y = bf_spawn(yielder, 0, 100, 10000, 10000, BF_NONE);
    bf_root_priority(100);
    BENCH_MEASURE(samples_ipc, coffer_yield());
    bf_root_priority(255);
    bench_step(coffer_tcb_suspend(y.tcb), "suspend the yielder");
    bench_report("yield to a thread of the same priority and back (two switches)", samples_ipc,
                 BENCH_RUNS, calibration);
}

static void faulter(uint64_t unused)
{
    (void)unused;
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        uint64_t t0 = coffer_rdcycle();
        __asm__ volatile(".word 0");
        samples_ipc[i] = coffer_rdcycle() - t0;
    }
    coffer_signal(fault_done);
    bf_park();
}

static void bench_fault(uint64_t calibration)
{
    uint64_t fault_ep = bf_retype(COFFER_OBJ_ENDPOINT, 0), reply = bf_retype(COFFER_OBJ_REPLY, 0);
    bf_spawn(faulter, 0, 200, 10000, 10000, fault_ep);
    struct coffer_msg m = coffer_ipc_recv(fault_ep, reply);
    for (unsigned i = 1; i < BENCH_RUNS; i++) {
        uint64_t pc[4] = { m.mr[COFFER_FAULT_PC] + 4, 0, 0, 0 };
        m = coffer_ipc_reply_recv(fault_ep, reply, COFFER_MSGINFO(0, 0, 1), pc);
    }
    uint64_t pc[4] = { m.mr[COFFER_FAULT_PC] + 4, 0, 0, 0 };
    coffer_ipc_reply(reply, COFFER_MSGINFO(0, 0, 1), pc);
    coffer_wait(fault_done);
    bench_report("fault round trip: illegal instruction -> handler -> reply_recv resumes it",
                 samples_ipc, BENCH_RUNS, calibration);
}

void bench_ipc(uint64_t calibration)
{
    bf_begin();
    ep = bf_retype(COFFER_OBJ_ENDPOINT, 0);
    srv_reply = bf_retype(COFFER_OBJ_REPLY, 0);
    ntfn = bf_retype(COFFER_OBJ_NOTIFICATION, 0);
    fault_done = bf_retype(COFFER_OBJ_NOTIFICATION, 0);
    struct bf_thread s = passive_server();
    bench_call(calibration);
    bench_transfer(calibration, s.buf, COFFER_XFER_COPY, "ipc call + reply_recv round trip, 1 capability transferred");
    bench_transfer(calibration, s.buf, COFFER_XFER_CHILD, "the same, the capability as a child (revocable by the sender)");
    bench_transfer(calibration, s.buf, COFFER_XFER_MOVE, "the same, the capability moved");
    bench_signal(calibration);
    bench_yield(calibration);
    bench_fault(calibration);
    if (!bf_end())
        printf("bench: ipc cleanup did not return every byte\n");
}
