/*
 * The threads layer on the host: scheduling contexts, IPC (endpoints,
 * calls and replies, lending), notifications, and what the death of each
 * object does to the threads waiting in or on it.  (The ready queues and
 * the running thread: test_sched_queues.c.)
 *
 * Threads, objects and capabilities are built in host memory
 * (threads_host_fixture.h); system calls go to their handlers as
 * syscall_dispatch() sends them, with current_thread set to the caller;
 * invocations go through sys_CALL, deletions through cap_delete().  Time
 * is host_time, advanced by hand; schedule() is never called.
 * After each scenario the invariants of thread.h, sched.h,
 * sched_context.h and ipc.h are checked over everything it made, with
 * the ready queues walked through the public scheduler API.
 *
 * The nested-lending and rebinding scenarios found kernel bugs when this
 * file was written (fixed since); steps that could crash the kernel code
 * run in a forked child, so a regression fails a test instead of the run.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "threads_host_fixture.h"
#include "zombie.h"

#define MI(label, len) COFFER_MSGINFO((label), 0, (len))

static const uint64_t ticks_per_us = 10; /* arch_time_hz() is 10 MHz on the host */

/* Did t receive a message: a0 OK, a1 info, a2.. the first n words, a6 badge? */
static bool got(const struct thread *t, uint64_t info, unsigned n, const uint64_t *words,
                uint64_t badge)
{
    bool good = t->regs.x[REG_A0] == COFFER_ERR_OK && t->regs.x[REG_A1] == info &&
                t->regs.x[REG_A6] == badge;
    for (unsigned i = 0; i < n; i++)
        good = good && t->regs.x[REG_A2 + i] == words[i];
    if (!good)
        tap_diag("%s: a0 %llu a1 %#llx a2 %llu a3 %llu a4 %llu a5 %llu a6 %#llx", t->name,
                 (unsigned long long)t->regs.x[REG_A0], (unsigned long long)t->regs.x[REG_A1],
                 (unsigned long long)t->regs.x[REG_A2], (unsigned long long)t->regs.x[REG_A3],
                 (unsigned long long)t->regs.x[REG_A4], (unsigned long long)t->regs.x[REG_A5],
                 (unsigned long long)t->regs.x[REG_A6]);
    return good;
}
#define GOT(t, info, badge, ...)                                                         \
    got((t), (info), (unsigned)(sizeof((uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t)), \
        (uint64_t[]){ __VA_ARGS__ }, (badge))
#define GOT0(t, info, badge) got((t), (info), 0, NULL, (badge))

static bool runnable_queued(const struct thread *t)
{
    return t->state == THREAD_RUNNABLE && sched_is_queued(t);
}

/* Woken from a wait that was cut short: ABORTED in a0, runnable. */
static bool aborted(const struct thread *t)
{
    if (t->regs.x[REG_A0] != COFFER_ERR_ABORTED || t->state != THREAD_RUNNABLE)
        tap_diag("%s: a0 %llu, state %u", t->name, (unsigned long long)t->regs.x[REG_A0],
                 (unsigned)t->state);
    return t->regs.x[REG_A0] == COFFER_ERR_ABORTED && t->state == THREAD_RUNNABLE;
}

static bool all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

/* Charging starts now: the time until the next sched_charge() is t's. */
static void start_running(struct thread *t)
{
    current_thread = NULL;
    sched_charge();
    current_thread = t;
}

/* A passive server: started with a context, waiting in RECV on ep with
 * reply object `reply`, then its context unbound (and deleted). */
static struct thread *passive_server(const char *name, unsigned prio, uint64_t ep, uint64_t reply)
{
    struct sched_context *sc;
    struct thread *t = fx_active(name, prio, 1000, 1000, &sc);
    fx_recv(t, ep, reply);
    if (t->state != THREAD_BLOCKED_RECV || !fx_is_ok(fx_bind(t, COFFER_CPTR_NONE)) || t->sc != NULL)
        fx_bail("cannot make a passive server");
    return t;
}

/* Run fn in a child process (the kernel code under test may crash);
 * true if it returned normally.  The child's output (an ASan report) is
 * thrown away unless FX_CHILD_OUTPUT is set in the environment. */
static bool survives(void (*fn)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        fx_bail("fork failed");
    if (pid == 0) {
        int fd = getenv("FX_CHILD_OUTPUT") != NULL ? -1 : open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        fn();
        _exit(0);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return false;
    bool good = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!good)
        tap_diag("the child %s %d", WIFEXITED(status) ? "exited with status" : "died of signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return good;
}

/* ---- 2. scheduling contexts ---------------------------------------------- */

static void test_sched_contexts(void)
{
    fx_setup();
    struct sched_context *sc;
    uint64_t t0 = host_time;
    struct thread *a = fx_active("A", 10, 1000, 10000, &sc);
    struct thread *b = fx_active("B", 10, 1000, 1000, NULL);
    uint64_t budget = 1000 * ticks_per_us, period = 10000 * ticks_per_us;
    tap_ok(sched_us_to_ticks(1000) == budget && sched_ticks_to_us(budget) == 1000,
           "microseconds to ticks and back at 10 MHz");
    tap_ok(sc->budget == budget && sc->period == period && sc->remaining == budget &&
               sc->release == t0 + period && !sc->throttled && sc->consumed == 0 &&
               sc->thread == a && sc->home == a && a->sc == sc && a->home_sc == sc &&
               runnable_queued(a),
           "configure and bind: budget and period in ticks, full budget, next period one period "
           "away, the thread queued");

    start_running(a);
    host_time += 4000;
    bool charged = sched_charge();
    tap_ok(charged && sc->remaining == budget - 4000 && sc->consumed == 4000 && runnable_queued(a),
           "sched_charge: the time since the last charge comes out of the running thread's budget");
    host_time += budget - 4000 - 1;
    charged = sched_charge();
    tap_ok(charged && sc->remaining == 1 && sched_is_queued(a), "one tick of budget left: still runs");
    host_time += 1;
    charged = sched_charge();
    tap_ok(!charged && sc->remaining == 0 && sc->throttled && a->state == THREAD_RUNNABLE &&
               !sched_is_queued(a) && !sched_can_run(a) && FX_QUEUE(10, b),
           "budget spent: sched_charge returns false, the context throttles, the thread leaves "
           "the ready queue (still RUNNABLE)");
    tap_ok(sc->consumed == budget && sched_context_next_release() == t0 + period,
           "consumed counts every tick; the context waits in the release queue for its period");
    fx_check("a context ran out of budget");

    sched_context_release_due(t0 + period - 1);
    tap_ok(sc->throttled && !sched_is_queued(a), "release_due before the period: nothing happens");
    host_time = t0 + period;
    sched_context_release_due(host_time);
    tap_ok(!sc->throttled && sc->remaining == budget && sc->release == t0 + 2 * period &&
               FX_QUEUE(10, b, a) && sched_context_next_release() == ~0ull,
           "release_due at the period: full budget, next period set, queued again at the tail");
    uint64_t scp = fx_sc_cptr(sc);
    tap_ok(fx_is(fx_invoke(scp, COFFER_INV_SCHED_CONTEXT_CONSUMED, 0, 0, 0), COFFER_ERR_OK, 1000, budget),
           "SCHED_CONTEXT_CONSUMED: microseconds and ticks charged so far");
    fx_check("a context was released");

    /* Again, released by the timer interrupt. */
    start_running(a);
    host_time += budget + 5;
    charged = sched_charge();
    tap_ok(!charged && sc->throttled && sc->consumed == 2 * budget + 5 && !sched_is_queued(a),
           "a charge larger than the budget throttles, and is counted in full");
    host_time = sc->release;
    sched_timer_interrupt();
    tap_ok(!sc->throttled && sched_is_queued(a) && sc->remaining == budget &&
               sched_context_next_release() == ~0ull,
           "the timer interrupt releases a context whose period has come");

    /* A charge made in a later period (the thread did not run in
     * between) refills first, then charges. */
    start_running(a);
    host_time += 3000;
    sched_charge();
    uint64_t rel = sc->release;
    start_running(b);
    host_time = rel + 2 * period;
    sched_charge();
    current_thread = a;
    host_time += 500;
    charged = sched_charge();
    tap_ok(charged && sc->release == rel + 3 * period && sc->remaining == budget - 500 &&
               sched_is_queued(a),
           "a charge in a later period: the budget is refilled first, the next release follows now");
    fx_check("charges across periods");

    /* budget == period: never throttles. */
    struct sched_context *usc;
    struct thread *u = fx_active("U", 12, 5000, 5000, &usc);
    start_running(u);
    host_time += 10 * usc->period + 7;
    charged = sched_charge();
    tap_ok(charged && !usc->throttled && usc->remaining == usc->budget &&
               usc->consumed == 10 * usc->period + 7 && runnable_queued(u),
           "budget == period: ten periods' time charged, never throttles");
    host_time += 3;
    sched_charge();
    tap_ok(usc->consumed == 10 * usc->period + 10, "budget == period: consumed still accumulates");

    /* sched_context_charge directly. */
    struct sched_context *raw;
    uint64_t rawp = fx_sched_context(&raw);
    tap_ok(!sched_context_charge(raw, 123) && raw->consumed == 123 && !raw->throttled,
           "charging a context never configured: counted, never throttled");
    tap_ok(fx_is_ok(fx_configure(rawp, 200, 1000)) && raw->budget == 2000 && raw->remaining == 2000 &&
               !raw->throttled,
           "configuring it: budget in ticks, all of it left");
    bool spent1 = sched_context_charge(raw, 1999);
    bool spent2 = sched_context_charge(raw, 1);
    tap_ok(!spent1 && spent2 && raw->remaining == 0 && raw->throttled &&
               sched_context_next_release() == raw->release,
           "sched_context_charge: budget - 1 leaves one tick, the last tick throttles");
    tap_ok(fx_is_ok(fx_configure(rawp, 300, 1000)) && !raw->throttled && raw->remaining == 3000 &&
               raw->release == host_time + 10000 && sched_context_next_release() == ~0ull,
           "configuring a throttled context: out of the release queue, full new budget now");

    /* Reconfiguring the context of a throttled thread queues it again. */
    start_running(a);
    host_time += budget;
    sched_charge();
    bool was_out = !sched_is_queued(a) && sc->throttled;
    tap_ok(was_out && fx_is_ok(fx_configure(scp, 2000, 10000)) && !sc->throttled &&
               sc->remaining == 2 * budget && runnable_queued(a) && sched_context_next_release() == ~0ull,
           "configuring a throttled thread's context makes it run again");

    /* Configuration errors change nothing. */
    tap_ok(fx_is(fx_configure(scp, 2000, 1000), COFFER_ERR_RANGE_ERROR, SC_MIN_BUDGET_US, 1000) &&
               fx_is(fx_configure(scp, 99, 1000), COFFER_ERR_RANGE_ERROR, SC_MIN_BUDGET_US, 1000) &&
               fx_is(fx_configure(scp, 100, 99), COFFER_ERR_RANGE_ERROR, SC_MIN_BUDGET_US,
                  SC_MAX_PERIOD_US) &&
               fx_is(fx_configure(fx_tcb_cptr(a), 100, 1000), COFFER_ERR_INVALID_CAPABILITY, 0, 0) &&
               sc->budget == 2 * budget && sc->period == period,
           "SCHED_CONTROL_CONFIGURE: budget > period, budget or period below the minimum, not a "
           "context: errors, nothing changes");

    /* Binding rules. */
    struct thread *v = fx_thread("V", 10);
    tap_ok(fx_is(fx_bind(v, scp), COFFER_ERR_ILLEGAL_OPERATION, 0, 0) &&
               fx_is(fx_bind(a, rawp), COFFER_ERR_ILLEGAL_OPERATION, 0, 0) && v->sc == NULL &&
               raw->home == NULL,
           "TCB_SET_SCHED_CONTEXT: a context bound elsewhere, or a thread that has one: "
           "ILLEGAL_OPERATION");
    tap_ok(fx_is_ok(fx_bind(a, COFFER_CPTR_NONE)) && a->sc == NULL && a->home_sc == NULL &&
               sc->thread == NULL && sc->home == NULL && !sched_is_queued(a) &&
               a->state == THREAD_RUNNABLE,
           "unbinding a thread's context: it leaves the ready queue");
    tap_ok(fx_is_ok(fx_bind(v, scp)) && v->sc == sc && !sched_is_queued(v) && fx_is_ok(fx_resume(v)) &&
               runnable_queued(v),
           "the context bound to another (inactive) thread: it runs once resumed");
    fx_check("configuring and binding contexts");
    fx_reset();
}

/* A timeout fault: the budget runs out, the timeout handler hears of it. */
static void test_timeout_fault(void)
{
    fx_setup();
    struct endpoint *hep;
    uint64_t h = fx_endpoint(&hep);
    struct reply *hr;
    uint64_t hrc = fx_reply(&hr);
    struct thread *handler = fx_active("H", 50, 1000, 1000, NULL);
    struct sched_context *sc;
    struct thread *t = fx_active("T", 10, 1000, 10000, &sc);
    tap_ok(fx_is_ok(fx_invoke(fx_tcb_cptr(t), COFFER_INV_TCB_SET_TIMEOUT_HANDLER, h, 0, 0)) &&
               t->timeout_handler.cap.type == CAP_ENDPOINT,
           "TCB_SET_TIMEOUT_HANDLER installs the endpoint");
    fx_recv(handler, h, hrc);
    t->regs.pc = 0x1234;
    start_running(t);
    host_time += sc->budget;
    bool charged = sched_charge();
    tap_ok(!charged && t->state == THREAD_BLOCKED_REPLY && t->reply == hr && hr->caller == t &&
               !sched_is_queued(t) && t->sc == sc && sc->thread == t && handler->sc != sc,
           "budget spent with a timeout handler: the thread calls it with the fault (its context "
           "is not lent)");
    tap_ok(GOT(handler, MI(COFFER_FAULT_TIMEOUT, COFFER_FAULT_WORDS), 0, 0x1234, 1000, 0) &&
               runnable_queued(handler),
           "the handler receives label TIMEOUT, words pc, consumed microseconds, 0");
    fx_check("a timeout fault");
    tap_ok(fx_is_ok(fx_send(handler, hrc, MI(0, 1), 0x5678, 0)) && t->regs.pc == 0x5678 &&
               t->state == THREAD_RUNNABLE && !sched_is_queued(t) && hr->caller == NULL,
           "the handler's reply sets the pc; the thread waits for its period (still throttled)");
    host_time = sc->release;
    sched_context_release_due(host_time);
    tap_ok(runnable_queued(t) && !sc->throttled, "then runs again at its next period");
    fx_check("a timeout fault was handled");
    fx_reset();
}

/* ---- 3. IPC: send and receive -------------------------------------------- */

static void test_send_recv(void)
{
    fx_setup();
    struct endpoint *ep;
    uint64_t e = fx_endpoint(&ep);
    uint64_t eb = fx_mint(e, CAP_RIGHTS_ALL, 0x77);
    struct reply *rr;
    uint64_t rc = fx_reply(&rr);
    struct thread *rx = fx_active("R", 10, 1000, 1000, NULL);
    struct thread *tx = fx_active("S", 10, 1000, 1000, NULL);

    fx_recv(rx, e, rc);
    rx->regs.x[REG_A5] = 0xdead; /* a register the message must not reach */
    tap_ok(rx->state == THREAD_BLOCKED_RECV && !sched_is_queued(rx) && ep->state == EP_RECEIVING &&
               ep->queue.head == rx && rr->receiver == rx && rx->reply == rr &&
               rx->blocked_on == ep && FX_QUEUE(10, tx),
           "recv, no sender: the receiver blocks in the endpoint's queue with its reply object");
    fx_check("a receiver waits");
    struct coffer_result r = fx_send4(tx, COFFER_SYS_SEND, eb, MI(9, 3), 11, 22, 33, 44);
    tap_ok(fx_is_ok(r) && runnable_queued(tx), "send to a waiting receiver: OK, the sender goes on");
    tap_ok(GOT(rx, MI(9, 3), 0x77, 11, 22, 33) && rx->regs.x[REG_A5] == 0xdead,
           "the receiver: a0 OK, a1 label and length, a2.. the words, a6 the badge; no register "
           "beyond the length written");
    tap_ok(runnable_queued(rx) && FX_QUEUE(10, tx, rx) && ep->state == EP_IDLE &&
               ep->queue.head == NULL && rr->receiver == NULL && rx->reply == NULL &&
               rx->blocked_on == NULL,
           "the receiver is runnable again, behind the sender; the endpoint is idle");
    fx_check("a send to a waiting receiver");

    fx_send(tx, e, MI(3, 2), 5, 6);
    tap_ok(tx->state == THREAD_BLOCKED_SEND && !sched_is_queued(tx) && ep->state == EP_SENDING &&
               ep->queue.head == tx && tx->blocked_on == ep && FX_QUEUE(10, rx),
           "send, no receiver: the sender blocks in the endpoint's queue");
    fx_check("a sender waits");
    fx_recv(rx, e, rc);
    tap_ok(GOT(rx, MI(3, 2), 0, 5, 6) && runnable_queued(rx),
           "recv takes the waiting sender's message at once (unbadged: a6 0)");
    tap_ok(runnable_queued(tx) && tx->regs.x[REG_A0] == COFFER_ERR_OK && ep->state == EP_IDLE &&
               rr->receiver == NULL && FX_QUEUE(10, rx, tx),
           "the blocked sender is woken with OK, behind the receiver");
    fx_check("a receive from a waiting sender");

    /* FIFO order both ways. */
    struct thread *tx2 = fx_active("S2", 10, 1000, 1000, NULL);
    fx_send(tx, eb, MI(1, 1), 111, 0);
    fx_send(tx2, e, MI(2, 1), 222, 0);
    fx_recv(rx, e, rc);
    bool first = GOT(rx, MI(1, 1), 0x77, 111);
    fx_recv(rx, e, rc);
    tap_ok(first && GOT(rx, MI(2, 1), 0, 222) && ep->state == EP_IDLE && runnable_queued(tx) &&
               runnable_queued(tx2),
           "two blocked senders are received in the order they came");
    struct reply *rr2;
    uint64_t rc2 = fx_reply(&rr2);
    fx_recv(rx, e, rc);
    fx_recv(tx2, e, rc2);
    fx_send(tx, e, MI(1, 1), 1, 0);
    bool one = GOT(rx, MI(1, 1), 0, 1) && tx2->state == THREAD_BLOCKED_RECV;
    fx_send(tx, e, MI(2, 1), 2, 0);
    tap_ok(one && GOT(tx2, MI(2, 1), 0, 2) && ep->state == EP_IDLE,
           "two blocked receivers get messages in the order they came");
    fx_check("FIFO endpoint queues");

    /* Non-blocking. */
    r = fx_send4(tx, COFFER_SYS_NB_SEND, e, MI(1, 1), 1, 0, 0, 0);
    tap_ok(fx_is(r, COFFER_ERR_WOULD_BLOCK, 0, 0) && runnable_queued(tx) && ep->state == EP_IDLE,
           "NB_SEND with no receiver: WOULD_BLOCK, the sender does not wait");
    r = fx_nb_recv(rx, e, rc);
    tap_ok(fx_is(r, COFFER_ERR_WOULD_BLOCK, 0, 0) && runnable_queued(rx) && ep->state == EP_IDLE &&
               rr->receiver == NULL && rx->reply == NULL,
           "NB_RECV with no sender: WOULD_BLOCK, the reply object is not held");
    fx_send(tx, e, MI(4, 1), 44, 0);
    r = fx_nb_recv(rx, e, rc);
    tap_ok(GOT(rx, MI(4, 1), 0, 44) && runnable_queued(tx) && tx->regs.x[REG_A0] == COFFER_ERR_OK,
           "NB_RECV with a sender waiting: receives");
    fx_recv(rx, e, rc);
    r = fx_send4(tx, COFFER_SYS_NB_SEND, e, MI(5, 1), 55, 0, 0, 0);
    tap_ok(fx_is_ok(r) && GOT(rx, MI(5, 1), 0, 55) && runnable_queued(rx),
           "NB_SEND with a receiver waiting: delivers");
    fx_check("non-blocking IPC");

    /* Message length. */
    fx_recv(rx, e, rc);
    r = fx_send4(tx, COFFER_SYS_SEND, e, MI(0, 5), 1, 2, 3, 4);
    tap_ok(fx_is(r, COFFER_ERR_RANGE_ERROR, 0, COFFER_MSG_REG_WORDS) && runnable_queued(tx) &&
               rx->state == THREAD_BLOCKED_RECV,
           "length 5 without an IPC buffer: RANGE_ERROR(0, 4), nothing delivered");
    r = fx_call(tx, e, MI(0, 5), 1, 2);
    tap_ok(fx_is(r, COFFER_ERR_RANGE_ERROR, 0, COFFER_MSG_REG_WORDS) && runnable_queued(tx) &&
               rx->state == THREAD_BLOCKED_RECV,
           "the same for a call");
    struct coffer_ipc_buffer *sb = fx_ipc_buffer(tx), *rb = fx_ipc_buffer(rx);
    for (unsigned i = 4; i < 8; i++)
        sb->mr[i] = 1000 + i;
    r = fx_send4(tx, COFFER_SYS_SEND, e, MI(7, 8), 1000, 1001, 1002, 1003);
    tap_ok(fx_is_ok(r) && GOT(rx, MI(7, 8), 0, 1000, 1001, 1002, 1003) && rb->mr[4] == 1004 &&
               rb->mr[7] == 1007 && rb->mr[8] == 0,
           "length 8 with IPC buffers: words 0-3 in registers, 4-7 copied buffer to buffer");
    r = fx_send4(tx, COFFER_SYS_SEND, e, MI(0, COFFER_MSG_MAX_WORDS + 1), 0, 0, 0, 0);
    tap_ok(fx_is(r, COFFER_ERR_RANGE_ERROR, 0, COFFER_MSG_MAX_WORDS) && runnable_queued(tx),
           "length 121 with an IPC buffer: RANGE_ERROR(0, 120)");

    /* Capabilities and rights. */
    uint64_t ro = fx_mint(e, CAP_RIGHT_READ, 0), wo = fx_mint(e, CAP_RIGHT_WRITE, 0);
    tap_ok(fx_is(fx_send(tx, ro, MI(0, 0), 0, 0), COFFER_ERR_INVALID_CAPABILITY, 0, 0) &&
               fx_is(fx_call(tx, ro, MI(0, 0), 0, 0), COFFER_ERR_INVALID_CAPABILITY, 0, 0) &&
               fx_is(fx_recv(rx, wo, rc), COFFER_ERR_INVALID_CAPABILITY, 0, 0) &&
               runnable_queued(tx) && runnable_queued(rx) && ep->state == EP_IDLE,
           "send or call without WRITE, receive without READ: INVALID_CAPABILITY");
    tap_ok(fx_is(fx_recv(rx, e, e), COFFER_ERR_INVALID_CAPABILITY, 6, 0) &&
               fx_is(fx_recv(rx, e, FX_SLOTS - 1), COFFER_ERR_INVALID_CAPABILITY, 6, 0) &&
               fx_is(fx_send(tx, FX_SLOTS - 1, MI(0, 0), 0, 0), COFFER_ERR_INVALID_CAPABILITY, 0, 0) &&
               runnable_queued(rx) && rr->receiver == NULL,
           "recv with a non-reply (or nothing) in a6: INVALID_CAPABILITY(6); send on an empty "
           "slot: INVALID_CAPABILITY");
    fx_recv(rx, e, rc);
    tap_ok(fx_is(fx_recv(tx2, e, rc), COFFER_ERR_ILLEGAL_OPERATION, 0, 0) &&
               runnable_queued(tx2) && rr->receiver == rx && ep->queue.head == rx &&
               ep->queue.tail == rx,
           "recv with a reply object another thread receives with: ILLEGAL_OPERATION");
    fx_check("IPC errors");
    fx_reset();
}

/* ---- 4. IPC: calls, replies, lending --------------------------------------- */

static void test_calls(void)
{
    fx_setup();
    struct endpoint *ep;
    uint64_t e = fx_endpoint(&ep);
    struct reply *rr;
    uint64_t rc = fx_reply(&rr);
    struct sched_context *csc;
    struct thread *cl = fx_active("C", 10, 1000, 1000, &csc);
    struct thread *srv = passive_server("P", 20, e, rc);
    struct thread *other = fx_active("X", 20, 1000, 1000, NULL);
    tap_ok(srv->state == THREAD_BLOCKED_RECV && srv->sc == NULL && srv->home_sc == NULL &&
               rr->receiver == srv && FX_QUEUE(20, other),
           "a server whose context is unbound while it waits is passive");
    fx_check("a passive server waits");

    struct coffer_result r = fx_call(cl, e, MI(4, 2), 100, 200);
    tap_ok(cl->state == THREAD_BLOCKED_REPLY && cl->reply == rr && rr->caller == cl &&
               !sched_is_queued(cl) && cl->regs.x[REG_A0] == e,
           "call: the caller waits for the reply, linked to the receiver's reply object");
    tap_ok(srv->sc == csc && csc->thread == srv && cl->sc == NULL && cl->home_sc == csc &&
               csc->home == cl && csc->lent_via == rr && rr->lent == csc,
           "call to a passive server lends it the caller's scheduling context");
    tap_ok(GOT(srv, MI(4, 2), 0, 100, 200) && runnable_queued(srv) && FX_QUEUE(20, srv, other) &&
               rr->receiver == NULL && srv->reply == NULL,
           "the server receives the call and is queued first at its priority");
    fx_check("a call to a passive server");

    r = fx_reply_recv(srv, e, rc, MI(6, 1), 7);
    tap_ok(GOT(cl, MI(6, 1), 0, 7) && runnable_queued(cl) && cl->sc == csc && csc->thread == cl &&
               csc->lent_via == NULL && rr->lent == NULL && rr->caller == NULL,
           "REPLY_RECV: the caller gets the reply and its context back");
    tap_ok(srv->state == THREAD_BLOCKED_RECV && srv->sc == NULL && rr->receiver == srv &&
               !sched_is_queued(srv) && ep->state == EP_RECEIVING,
           "REPLY_RECV: the server waits again with the same reply object, without a context");
    fx_check("REPLY_RECV");

    fx_syscall(cl, COFFER_SYS_CALL, e, MI(4, 2), 300, 400, 0, 0, 0xbad);
    bool again = GOT(srv, MI(4, 2), 0, 300, 400) && srv->sc == csc;
    r = fx_send(srv, rc, MI(5, 1), 99, 0);
    tap_ok(again && fx_is_ok(r) && GOT(cl, MI(5, 1), 0, 99),
           "reply by SEND on the reply object: OK; the caller gets the message, badge 0");
    tap_ok(runnable_queued(cl) && cl->sc == csc && csc->thread == cl && srv->sc == NULL &&
               !sched_is_queued(srv) && rr->caller == NULL && rr->lent == NULL &&
               csc->lent_via == NULL && cl->reply == NULL,
           "the reply gives the context back: the caller runs, the passive server cannot");
    r = fx_send(srv, rc, MI(5, 1), 98, 0);
    tap_ok(fx_is(r, COFFER_ERR_ILLEGAL_OPERATION, 0, 0) && cl->regs.x[REG_A2] == 99,
           "replying twice: ILLEGAL_OPERATION, the caller untouched");
    fx_check("a reply");

    /* A call to an active server lends nothing. */
    struct endpoint *ep2;
    uint64_t e2 = fx_endpoint(&ep2);
    uint64_t e2b = fx_mint(e2, CAP_RIGHTS_ALL, 0x55);
    struct reply *ra;
    uint64_t rac = fx_reply(&ra);
    struct sched_context *asc;
    struct thread *act = fx_active("A", 30, 1000, 1000, &asc);
    struct thread *peer = fx_active("Y", 30, 1000, 1000, NULL);
    fx_recv(act, e2, rac);
    fx_call(cl, e2b, MI(1, 1), 5, 0);
    tap_ok(GOT(act, MI(1, 1), 0x55, 5) && act->sc == asc && cl->sc == csc && csc->thread == cl &&
               ra->lent == NULL && ra->caller == cl && cl->state == THREAD_BLOCKED_REPLY &&
               !sched_is_queued(cl) && FX_QUEUE(30, act, peer),
           "call to an active server: no loan, the server queued in front, the badge delivered");
    r = fx_send(act, rac, MI(2, 0), 0, 0);
    tap_ok(fx_is_ok(r) && GOT0(cl, MI(2, 0), 0) && runnable_queued(cl) && runnable_queued(act),
           "its reply wakes the caller; both run on their own contexts");
    fx_check("a call to an active server");

    /* The caller first, the server later. */
    fx_call(cl, e2, MI(3, 1), 6, 0);
    tap_ok(cl->state == THREAD_BLOCKED_SEND && (cl->ipc_flags & IPC_CALL) && ep2->state == EP_SENDING,
           "call with no receiver: the caller waits to send");
    fx_recv(act, e2, rac);
    tap_ok(GOT(act, MI(3, 1), 0, 6) && cl->state == THREAD_BLOCKED_REPLY && ra->caller == cl &&
               cl->reply == ra && ep2->state == EP_IDLE && !sched_is_queued(cl),
           "the receiver takes the call: the caller now waits for the reply");
    fx_check("a call received later");
    fx_recv(act, e2, rac);
    tap_ok(aborted(cl) && sched_is_queued(cl) && ra->caller == NULL && ra->receiver == act &&
               act->state == THREAD_BLOCKED_RECV,
           "receiving again with a reply object that holds a call: the caller gets ABORTED");
    fx_check("a call abandoned");

    /* A caller suspended while its context is lent gets it back at the reply. */
    struct reply *r3;
    uint64_t e3 = fx_endpoint(NULL), r3c = fx_reply(&r3);
    struct thread *srv2 = passive_server("P2", 20, e3, r3c);
    fx_call(cl, e3, MI(0, 0), 0, 0);
    bool lent = srv2->sc == csc && csc->lent_via == r3;
    r = fx_invoke(fx_tcb_cptr(cl), COFFER_INV_TCB_SUSPEND, 0, 0, 0);
    tap_ok(lent && fx_is_ok(r) && cl->state == THREAD_INACTIVE && cl->regs.x[REG_A0] == COFFER_ERR_ABORTED &&
               r3->caller == NULL && srv2->sc == csc,
           "a caller suspended: INACTIVE, ABORTED, the server keeps the lent context");
    r = fx_send(srv2, r3c, MI(0, 0), 0, 0);
    tap_ok(fx_is(r, COFFER_ERR_ILLEGAL_OPERATION, 0, 0) && cl->sc == csc && csc->thread == cl &&
               csc->lent_via == NULL && r3->lent == NULL && srv2->sc == NULL &&
               !sched_is_queued(cl) && !sched_is_queued(srv2),
           "the server's reply finds nobody (ILLEGAL_OPERATION) but the context goes home");
    tap_ok(fx_is_ok(fx_resume(cl)) && runnable_queued(cl) && cl->regs.x[REG_A0] == COFFER_ERR_ABORTED,
           "resumed, the caller runs with ABORTED");
    fx_check("a suspended caller");
    fx_reset();
}

/* ---- 5. notifications ------------------------------------------------------ */

static void test_notifications(void)
{
    fx_setup();
    struct notification *n;
    uint64_t nc = fx_notification(&n);
    uint64_t n1 = fx_mint(nc, CAP_RIGHT_WRITE, 0x1), n4 = fx_mint(nc, CAP_RIGHT_WRITE, 0x4);
    uint64_t n2 = fx_mint(nc, CAP_RIGHT_WRITE, 0x2), nro = fx_mint(nc, CAP_RIGHT_READ, 0);
    struct thread *w = fx_active("W", 10, 1000, 1000, NULL);
    struct thread *s = fx_active("S", 10, 1000, 1000, NULL);

    struct coffer_result r1 = fx_send(s, n1, MI(0, 0), 0, 0), r4 = fx_send(s, n4, MI(0, 0), 0, 0);
    tap_ok(fx_is_ok(r1) && fx_is_ok(r4) && n->pending && n->word == 0x5 && runnable_queued(s),
           "signals with no waiter: the badges are OR-ed into the word");
    struct coffer_result r = fx_nb_recv(w, nc, 0);
    tap_ok(GOT0(w, 0, 0x5) && n->word == 0 && !n->pending && runnable_queued(w),
           "poll (NB_RECV): OK with the word in a6; the word is cleared");
    r = fx_nb_recv(w, nc, 0);
    tap_ok(fx_is(r, COFFER_ERR_WOULD_BLOCK, 0, 0) && runnable_queued(w), "poll again: WOULD_BLOCK");

    fx_recv(w, nc, 0);
    tap_ok(w->state == THREAD_BLOCKED_NOTIFICATION && w->blocked_on == n && n->queue.head == w &&
               !sched_is_queued(w),
           "wait with nothing signalled: the thread blocks on the notification");
    fx_check("a notification waiter");
    fx_send(s, n4, MI(0, 0), 0, 0);
    tap_ok(GOT0(w, 0, 0x4) && runnable_queued(w) && !n->pending && n->word == 0 &&
               n->queue.head == NULL && w->blocked_on == NULL,
           "a signal wakes the waiter with its badge; nothing stays pending");
    fx_send(s, nc, MI(0, 0), 0, 0);
    tap_ok(n->pending && n->word == 0, "an unbadged signal: pending, word 0");
    w->regs.x[REG_A6] = 0xbad;
    fx_recv(w, nc, 0);
    tap_ok(GOT0(w, 0, 0) && runnable_queued(w) && !n->pending,
           "a wait on an unbadged signal returns at once with word 0");

    struct thread *w2 = fx_active("W2", 10, 1000, 1000, NULL);
    fx_recv(w, nc, 0);
    fx_recv(w2, nc, 0);
    fx_send(s, n1, MI(0, 0), 0, 0);
    bool first = GOT0(w, 0, 0x1) && w2->state == THREAD_BLOCKED_NOTIFICATION;
    fx_send(s, n2, MI(0, 0), 0, 0);
    tap_ok(first && GOT0(w2, 0, 0x2) && !n->pending, "two waiters are woken one signal each, in order");
    tap_ok(fx_is(fx_send(s, nro, MI(0, 0), 0, 0), COFFER_ERR_INVALID_CAPABILITY, 0, 0) &&
               fx_is(fx_recv(w, n1, 0), COFFER_ERR_INVALID_CAPABILITY, 0, 0) && !n->pending &&
               runnable_queued(w),
           "signal without WRITE, wait without READ: INVALID_CAPABILITY");
    fx_check("notification signals and waits");

    /* A bound notification wakes a receive on an endpoint. */
    struct endpoint *ep;
    uint64_t e = fx_endpoint(&ep);
    struct reply *rr;
    uint64_t rc = fx_reply(&rr);
    uint64_t tw = fx_tcb_cptr(w);
    tap_ok(fx_is_ok(fx_invoke(tw, COFFER_INV_TCB_BIND_NOTIFICATION, nc, 0, 0)) && n->bound == w &&
               w->bound_notification == n &&
               fx_is(fx_invoke(fx_tcb_cptr(w2), COFFER_INV_TCB_BIND_NOTIFICATION, nc, 0, 0),
                  COFFER_ERR_ILLEGAL_OPERATION, 0, 0),
           "TCB_BIND_NOTIFICATION: bound; binding it to another thread: ILLEGAL_OPERATION");
    fx_recv(w, e, rc);
    fx_send(s, n4, MI(0, 0), 0, 0);
    tap_ok(GOT0(w, COFFER_MSG_NOTIFICATION, 0x4) && runnable_queued(w) && ep->state == EP_IDLE &&
               rr->receiver == NULL && w->reply == NULL && !n->pending,
           "a signal to the bound notification ends a receive on an endpoint (info NOTIFICATION)");
    fx_send(s, n1, MI(0, 0), 0, 0);
    fx_recv(w, e, rc);
    tap_ok(GOT0(w, COFFER_MSG_NOTIFICATION, 0x1) && runnable_queued(w) && ep->state == EP_IDLE &&
               rr->receiver == NULL && !n->pending,
           "a receive with the bound notification pending returns its word at once");
    tap_ok(fx_is_ok(fx_invoke(tw, COFFER_INV_TCB_BIND_NOTIFICATION, 0, 0, 0)) && n->bound == NULL &&
               w->bound_notification == NULL,
           "unbinding it");
    fx_check("bound notifications");
    fx_reset();
}

/* ---- 6. deaths ------------------------------------------------------------- */

/* Endpoints and notifications deleted under their waiters. */
static void test_object_deaths(void)
{
    fx_setup();
    struct endpoint *ep;
    uint64_t e = fx_endpoint(&ep);
    struct reply *r1, *r2;
    uint64_t r1c = fx_reply(&r1), r2c = fx_reply(&r2);
    struct thread *rx1 = fx_active("R1", 10, 1000, 1000, NULL);
    struct thread *rx2 = fx_active("R2", 10, 1000, 1000, NULL);
    struct thread *tx1 = fx_active("S1", 10, 1000, 1000, NULL);
    struct thread *tx2 = fx_active("S2", 10, 1000, 1000, NULL);
    fx_recv(rx1, e, r1c);
    fx_recv(rx2, e, r2c);
    tap_ok(fx_delete(e) && aborted(rx1) && aborted(rx2) && FX_QUEUE(10, tx1, tx2, rx1, rx2) &&
               r1->receiver == NULL && r2->receiver == NULL && rx1->reply == NULL &&
               rx1->blocked_on == NULL && all_zero(ep, 64),
           "endpoint deleted under two receivers: both ABORTED, runnable, queued in order; its "
           "memory zero");
    fx_check("an endpoint with receivers died");

    struct endpoint *ep2;
    uint64_t e2 = fx_endpoint(&ep2);
    uint64_t e2b = fx_mint(e2, CAP_RIGHTS_ALL, 9);
    fx_send(tx1, e2b, MI(0, 1), 1, 0);
    fx_call(tx2, e2, MI(0, 1), 2, 0);
    bool waiting = tx1->state == THREAD_BLOCKED_SEND && tx2->state == THREAD_BLOCKED_SEND;
    tap_ok(waiting && fx_delete(e2b) && tx1->state == THREAD_BLOCKED_SEND && ep2->state == EP_SENDING,
           "deleting one capability of several: the endpoint lives, its senders wait on");
    tap_ok(fx_delete(e2) && aborted(tx1) && aborted(tx2) && tx2->ipc_flags == 0 &&
               sched_is_queued(tx1) && sched_is_queued(tx2) && all_zero(ep2, 64),
           "endpoint deleted under a sender and a caller: both ABORTED and runnable");
    fx_check("an endpoint with senders died");

    struct notification *n;
    uint64_t nc = fx_notification(&n);
    struct thread *w = fx_active("W", 10, 1000, 1000, NULL);
    struct thread *bound = fx_active("B", 10, 1000, 1000, NULL);
    fx_recv(w, nc, 0);
    bool bound_ok = fx_is_ok(fx_invoke(fx_tcb_cptr(bound), COFFER_INV_TCB_BIND_NOTIFICATION, nc, 0, 0));
    tap_ok(bound_ok && w->state == THREAD_BLOCKED_NOTIFICATION && fx_delete(nc) && aborted(w) &&
               runnable_queued(w) && bound->bound_notification == NULL && all_zero(n, 64),
           "notification deleted: its waiter ABORTED and runnable, the bound thread unbound");
    fx_check("a notification died");
    fx_reset();
}

/* Reply objects and scheduling contexts deleted in use. */
static void test_reply_and_context_deaths(void)
{
    fx_setup();
    struct endpoint *ep;
    uint64_t e = fx_endpoint(&ep);
    struct reply *rr;
    uint64_t rc = fx_reply(&rr);
    struct sched_context *csc;
    struct thread *cl = fx_active("C", 10, 1000, 1000, &csc);
    struct thread *srv = passive_server("P", 20, e, rc);
    fx_call(cl, e, MI(0, 0), 0, 0);
    bool lent = srv->sc == csc && cl->state == THREAD_BLOCKED_REPLY;
    tap_ok(lent && fx_delete(rc) && aborted(cl) && runnable_queued(cl) && cl->sc == csc &&
               csc->thread == cl && csc->lent_via == NULL && cl->reply == NULL,
           "reply object deleted under a caller that lent its context: ABORTED, context back, runs");
    tap_ok(srv->sc == NULL && srv->state == THREAD_RUNNABLE && !sched_is_queued(srv) &&
               all_zero(rr, 64),
           "the passive server loses the context (not queued)");
    fx_check("a reply object died under a call");

    struct endpoint *ep2;
    uint64_t e2 = fx_endpoint(&ep2);
    struct reply *r2;
    uint64_t r2c = fx_reply(&r2);
    struct thread *rx = fx_active("R", 10, 1000, 1000, NULL);
    fx_recv(rx, e2, r2c);
    tap_ok(fx_delete(r2c) && aborted(rx) && runnable_queued(rx) && ep2->state == EP_IDLE &&
               rx->reply == NULL,
           "reply object deleted while a receiver waits with it: the receiver is ABORTED");
    fx_check("a reply object died under a receiver");

    /* A caller of an active server, its reply object deleted. */
    struct reply *r3;
    uint64_t r3c = fx_reply(&r3);
    struct sched_context *asc;
    struct thread *act = fx_active("A", 30, 1000, 1000, &asc);
    fx_recv(act, e2, r3c);
    fx_call(cl, e2, MI(0, 0), 0, 0);
    bool called = cl->state == THREAD_BLOCKED_REPLY && r3->caller == cl;
    tap_ok(called && fx_delete(r3c) && aborted(cl) && runnable_queued(cl) && cl->sc == csc &&
               runnable_queued(act) && act->sc == asc,
           "reply object of an active server deleted: its caller ABORTED, the server unaffected");
    fx_check("a reply object of an active server died");

    /* Scheduling contexts. */
    struct sched_context *tsc;
    struct thread *t = fx_active("T", 10, 1000, 1000, &tsc);
    tap_ok(fx_delete(fx_sc_cptr(tsc)) && t->sc == NULL && t->home_sc == NULL &&
               t->state == THREAD_RUNNABLE && !sched_is_queued(t) && all_zero(tsc, 256),
           "a bound context deleted: its thread leaves the ready queue, unbound");
    struct sched_context *ysc;
    struct thread *y = fx_active("Y", 10, 1000, 10000, &ysc);
    start_running(y);
    host_time += ysc->budget;
    sched_charge();
    bool throttled = ysc->throttled && sched_context_next_release() == ysc->release;
    tap_ok(throttled && fx_delete(fx_sc_cptr(ysc)) && sched_context_next_release() == ~0ull &&
               y->sc == NULL && !sched_is_queued(y),
           "a throttled context deleted: it leaves the release queue");
    fx_check("contexts died");

    /* A context deleted while it is lent. */
    struct reply *r4;
    uint64_t e4 = fx_endpoint(NULL), r4c = fx_reply(&r4);
    struct thread *srv4 = passive_server("P4", 20, e4, r4c);
    fx_call(cl, e4, MI(0, 0), 0, 0);
    lent = srv4->sc == csc;
    tap_ok(lent && fx_delete(fx_sc_cptr(csc)) && srv4->sc == NULL && !sched_is_queued(srv4) &&
               cl->home_sc == NULL && cl->sc == NULL && cl->state == THREAD_BLOCKED_REPLY &&
               r4->lent == NULL && r4->caller == cl,
           "a lent context deleted: the server stops, the caller still waits for the reply");
    fx_check("a lent context died");
    tap_ok(fx_is_ok(fx_send(srv4, r4c, MI(0, 1), 3, 0)) && GOT(cl, MI(0, 1), 0, 3) &&
               cl->state == THREAD_RUNNABLE && !sched_is_queued(cl) && cl->sc == NULL,
           "the reply still arrives; the caller, without a context, is not queued");
    fx_check("a reply after the lent context died");
    fx_reset();
}

/* Threads deleted (their TCB capabilities) wherever they are. */
static void test_thread_deaths(void)
{
    fx_setup();
    struct thread *a = fx_active("A", 10, 1000, 1000, NULL);
    struct thread *b = fx_active("B", 10, 1000, 1000, NULL);
    struct thread *c = fx_active("C", 10, 1000, 1000, NULL);
    tap_ok(fx_delete(fx_tcb_cptr(b)) && FX_QUEUE(10, a, c) && all_zero(b, 1u << ARCH_TCB_BITS),
           "a queued thread deleted: it leaves the ready queue, its TCB memory zero");
    fx_check("a queued thread died");

    current_thread = a;
    tap_ok(fx_delete(fx_tcb_cptr(a)) && current_thread == NULL && FX_QUEUE(10, c),
           "the current thread deleted: current_thread is NULL");

    struct endpoint *ep;
    uint64_t e = fx_endpoint(&ep);
    struct reply *r1, *r2;
    uint64_t r1c = fx_reply(&r1), r2c = fx_reply(&r2);
    struct thread *rx1 = fx_active("R1", 10, 1000, 1000, NULL);
    struct thread *rx2 = fx_active("R2", 10, 1000, 1000, NULL);
    fx_recv(rx1, e, r1c);
    fx_recv(rx2, e, r2c);
    tap_ok(fx_delete(fx_tcb_cptr(rx1)) && ep->queue.head == rx2 && ep->queue.tail == rx2 &&
               rx2->prev == NULL && ep->state == EP_RECEIVING && r1->receiver == NULL &&
               r2->receiver == rx2,
           "a receiver deleted: out of the endpoint queue, its reply object free");
    fx_check("a receiver died");
    struct thread *tx = fx_active("S", 10, 1000, 1000, NULL);
    fx_send(tx, e, MI(0, 1), 5, 0);
    bool delivered = GOT(rx2, MI(0, 1), 0, 5);
    fx_send(tx, e, MI(0, 1), 6, 0);
    tap_ok(delivered && tx->state == THREAD_BLOCKED_SEND && fx_delete(fx_tcb_cptr(tx)) &&
               ep->state == EP_IDLE && ep->queue.head == NULL,
           "a blocked sender deleted: the endpoint is idle");
    fx_check("a sender died");

    struct notification *n;
    uint64_t nc = fx_notification(&n);
    struct thread *w = fx_active("W", 10, 1000, 1000, NULL);
    struct thread *w2 = fx_active("W2", 10, 1000, 1000, NULL);
    fx_recv(w, nc, 0);
    fx_recv(w2, nc, 0);
    bool bound = fx_is_ok(fx_invoke(fx_tcb_cptr(w), COFFER_INV_TCB_BIND_NOTIFICATION, nc, 0, 0));
    tap_ok(bound && fx_delete(fx_tcb_cptr(w)) && n->queue.head == w2 && n->queue.tail == w2 &&
               n->bound == NULL,
           "a notification waiter (bound to it) deleted: out of its queue, unbound");
    fx_check("a notification waiter died");

    /* A caller deleted while an active server holds its call. */
    struct reply *ra;
    uint64_t ea = fx_endpoint(NULL), rac = fx_reply(&ra);
    struct thread *act = fx_active("A2", 30, 1000, 1000, NULL);
    struct thread *cl = fx_active("C1", 10, 1000, 1000, NULL);
    fx_recv(act, ea, rac);
    fx_call(cl, ea, MI(0, 0), 0, 0);
    bool called = ra->caller == cl;
    tap_ok(called && fx_delete(fx_tcb_cptr(cl)) && ra->caller == NULL &&
               fx_is(fx_send(act, rac, MI(0, 0), 0, 0), COFFER_ERR_ILLEGAL_OPERATION, 0, 0),
           "a caller deleted: its reply object is free, a reply finds nobody (ILLEGAL_OPERATION)");
    fx_check("a caller died");

    /* A caller deleted while a passive server runs on its context. */
    struct reply *rp;
    uint64_t ep1 = fx_endpoint(NULL), rpc = fx_reply(&rp);
    struct thread *srv = passive_server("P", 20, ep1, rpc);
    struct sched_context *c2sc;
    struct thread *cl2 = fx_active("C2", 10, 1000, 1000, &c2sc);
    fx_call(cl2, ep1, MI(0, 0), 0, 0);
    bool lent = srv->sc == c2sc;
    tap_ok(lent && fx_delete(fx_tcb_cptr(cl2)) && srv->sc == c2sc && c2sc->home == NULL &&
               runnable_queued(srv) && rp->caller == NULL && rp->lent == c2sc,
           "a caller deleted while its context is lent: the server finishes on it");
    fx_check("a lending caller died");
    tap_ok(fx_is(fx_send(srv, rpc, MI(0, 0), 0, 0), COFFER_ERR_ILLEGAL_OPERATION, 0, 0) &&
               srv->sc == NULL && c2sc->thread == NULL && c2sc->lent_via == NULL &&
               rp->lent == NULL && !sched_is_queued(srv),
           "its reply finds nobody; the context goes to no one");
    fx_check("a server replied to a dead caller");

    /* A passive server deleted while it runs on a caller's context. */
    struct reply *rq;
    uint64_t eq = fx_endpoint(NULL), rqc = fx_reply(&rq);
    struct thread *srv2 = passive_server("P2", 20, eq, rqc);
    struct sched_context *c3sc;
    struct thread *cl3 = fx_active("C3", 10, 1000, 1000, &c3sc);
    fx_call(cl3, eq, MI(0, 0), 0, 0);
    lent = srv2->sc == c3sc;
    tap_ok(lent && fx_delete(fx_tcb_cptr(srv2)) && cl3->sc == c3sc && c3sc->thread == cl3 &&
               c3sc->lent_via == NULL && rq->lent == NULL && cl3->state == THREAD_BLOCKED_REPLY &&
               rq->caller == cl3 && !sched_is_queued(cl3),
           "a passive server deleted mid-call: the caller has its context back, still waits");
    fx_check("a borrowing server died");
    tap_ok(fx_delete(rqc) && aborted(cl3) && runnable_queued(cl3),
           "deleting the reply object then ends the wait: ABORTED, runs");
    fx_check("the abandoned reply object died");
    fx_reset();
}

/* ---- 7. known bugs ----------------------------------------------------------- */

static uint64_t crash_cptr; /* what the forked child deletes */

static void delete_crash_cptr(void)
{
    fx_delete(crash_cptr);
}

/*
 * Nested loans: A calls passive B, B calls passive C.  A scheduling
 * context records one loan (sc->lent_via); the inner loan overwrites the
 * outer one and the inner reply clears it, so the outer reply object
 * still says it lent the context (r1->lent) while the context says it is
 * lent nowhere.  thread_dies() of B then does not give A its context back
 * (sc->thread is left pointing at the dead B), and deleting r1 afterwards
 * follows B's zeroed sc pointer: a NULL dereference in detach().
 */
static void test_nested_loans(void)
{
    fx_setup();
    struct reply *r1, *r2;
    uint64_t e1 = fx_endpoint(NULL), r1c = fx_reply(&r1);
    uint64_t e2 = fx_endpoint(NULL), r2c = fx_reply(&r2);
    struct sched_context *asc;
    struct thread *a = fx_active("A", 10, 1000, 1000, &asc);
    struct thread *b = passive_server("B", 20, e1, r1c);
    struct thread *c = passive_server("C", 30, e2, r2c);
    fx_call(a, e1, MI(1, 0), 0, 0);
    bool outer = b->sc == asc && asc->lent_via == r1 && r1->lent == asc;
    fx_call(b, e2, MI(2, 0), 0, 0);
    tap_ok(outer && c->sc == asc && asc->thread == c && b->state == THREAD_BLOCKED_REPLY &&
               r2->caller == b && runnable_queued(c),
           "nested calls: the context goes on from the first passive server to the second");
    fx_send(c, r2c, MI(3, 0), 0, 0);
    tap_ok(b->sc == asc && asc->thread == b && runnable_queued(b) && c->sc == NULL &&
               r2->lent == NULL,
           "nested calls: the inner reply gives the context back to the middle server");
    tap_ok(asc->lent_via == r1 && r1->lent == asc,
           "nested calls: after the inner reply the context still records the outer loan "
           "(sc->lent_via == outer reply object)");
    tap_ok(fx_delete(fx_tcb_cptr(b)) && a->sc == asc && asc->thread == a,
           "nested calls: the middle server deleted after the inner reply gives the first caller "
           "its context back");
    if (asc->thread != NULL && asc->thread != a)
        tap_diag("the context still names the deleted thread as the one it runs (dangling)");
    crash_cptr = r1c;
    tap_ok(survives(delete_crash_cptr),
           "nested calls: then deleting the outer reply object does not crash");
    fx_check("nested calls, the middle server deleted");
    fx_reset();

    /* The outer reply object deleted while the inner server runs: the
     * first caller gets its context back, then loses it to the middle
     * server at the inner reply. */
    fx_setup();
    e1 = fx_endpoint(NULL);
    r1c = fx_reply(&r1);
    e2 = fx_endpoint(NULL);
    r2c = fx_reply(&r2);
    a = fx_active("A", 10, 1000, 1000, &asc);
    b = passive_server("B", 20, e1, r1c);
    c = passive_server("C", 30, e2, r2c);
    fx_call(a, e1, MI(1, 0), 0, 0);
    fx_call(b, e2, MI(2, 0), 0, 0);
    bool back = fx_delete(r1c) && aborted(a) && a->sc == asc && runnable_queued(a);
    tap_ok(back, "nested calls: the outer reply object deleted: the first caller ABORTED, its "
                 "context back");
    fx_send(c, r2c, MI(3, 0), 0, 0);
    tap_ok(a->sc == asc && asc->thread == a && runnable_queued(a) && b->sc == NULL,
           "nested calls: the first caller keeps its context when the inner server replies "
           "afterwards");
    fx_check("nested calls, the outer reply object deleted");
    fx_reset();
}

/*
 * A caller whose context is unbound (TCB_SET_SCHED_CONTEXT 0) while it is
 * lent gets it back at the reply anyway -- not as its home (home_sc stays
 * NULL), so it can never be made passive, and when the thread dies
 * thread_dies() leaves sc->thread pointing at it; deleting the context
 * then dereferences the dead thread's NULL sc in detach().
 */
static void test_unbind_while_lent(void)
{
    fx_setup();
    struct reply *rr;
    uint64_t e = fx_endpoint(NULL), rc = fx_reply(&rr);
    struct sched_context *csc;
    struct thread *cl = fx_active("C", 10, 1000, 1000, &csc);
    struct thread *srv = passive_server("P", 20, e, rc);
    fx_call(cl, e, MI(0, 0), 0, 0);
    bool lent = srv->sc == csc;
    struct coffer_result r = fx_bind(cl, COFFER_CPTR_NONE);
    tap_ok(lent && fx_is_ok(r) && cl->home_sc == NULL && csc->home == NULL && srv->sc == csc,
           "unbinding a caller's context while it is lent: OK, the server keeps it for now");
    fx_send(srv, rc, MI(0, 0), 0, 0);
    tap_ok(cl->state == THREAD_RUNNABLE && (cl->sc == NULL || cl->home_sc == cl->sc),
           "the caller that unbound its lent context is passive after the reply (or has it bound "
           "again)");
    if (cl->sc != NULL)
        tap_diag("it runs on its old context again (sc %s), bound to nobody (home_sc %s)",
                 cl->sc == csc ? "= that context" : "set", cl->home_sc != NULL ? "set" : "NULL");
    tap_ok(fx_delete(fx_tcb_cptr(cl)) && csc->thread == NULL,
           "then the thread deleted: no context names it any more");
    crash_cptr = fx_sc_cptr(csc);
    tap_ok(survives(delete_crash_cptr),
           "then deleting the context does not crash");
    fx_check("a lent context unbound, its caller deleted");
    fx_reset();
}

/*
 * A passive server given a context of its own (TCB_SET_SCHED_CONTEXT)
 * while it runs on a lent one: the binding succeeds but nothing attaches
 * the new context when the lent one goes back at the reply, so the
 * server stays RUNNABLE with a bound, configured context and never runs.
 */
static void test_bind_while_borrowing(void)
{
    fx_setup();
    struct reply *rr;
    uint64_t e = fx_endpoint(NULL), rc = fx_reply(&rr);
    struct sched_context *csc, *own;
    struct thread *cl = fx_active("C", 10, 1000, 1000, &csc);
    struct thread *srv = passive_server("P", 20, e, rc);
    uint64_t ownc = fx_sched_context(&own);
    bool configured = fx_is_ok(fx_configure(ownc, 1000, 1000));
    fx_call(cl, e, MI(0, 0), 0, 0);
    bool lent = srv->sc == csc;
    struct coffer_result r = fx_bind(srv, ownc);
    fx_send(srv, rc, MI(0, 0), 0, 0);
    bool returned = cl->sc == csc && runnable_queued(cl);
    tap_ok(configured && lent && returned &&
               (r.error != COFFER_ERR_OK || (srv->sc == own && runnable_queued(srv))),
           "a server bound to a context while it ran on a lent one runs on its own after the "
           "reply, or the binding is refused");
    if (r.error == COFFER_ERR_OK && srv->sc != own)
        tap_diag("bound (home_sc %s), yet sc %s and %squeued", srv->home_sc == own ? "set" : "unset",
                 srv->sc == NULL ? "NULL" : "another", sched_is_queued(srv) ? "" : "not ");
    fx_check("a borrowing server was bound a context");
    fx_reset();
}

/* ---- 8. a death in steps: many waiters, preemption forced ------------------ */

extern bool host_preempt_every; /* host_arch.c */

static void test_death_in_steps(void)
{
    fx_setup();
    struct endpoint *ep;
    uint64_t e = fx_endpoint(&ep);
    enum { N = 24 };
    struct thread *w[N];
    for (unsigned i = 0; i < N; i++) {
        w[i] = fx_active("W", 10, 1000, 1000, NULL);
        current_thread = w[i];
        fx_recv(w[i], e, fx_reply(NULL));
    }
    bool all_wait = true;
    for (unsigned i = 0; i < N; i++)
        all_wait = all_wait && w[i]->state == THREAD_BLOCKED_RECV;
    host_preempt_every = true;
    unsigned restarts = 0;
    struct slot *s = fx_slot(e);
    while (cap_delete(s) == DELETE_PREEMPTED && restarts < 100)
        restarts++;
    host_preempt_every = false;
    bool woken = true;
    for (unsigned i = 0; i < N; i++)
        woken = woken && aborted(w[i]);
    tap_diag("%u restarts for %d waiters", restarts, N);
    tap_ok(all_wait && restarts == (N * ZOMBIE_WAITER_WORK - 1) / ZOMBIE_BATCH && woken && cap_is_null(&s->cap) && all_zero(ep, 64),
           "deleting an endpoint with 24 waiters wakes them in steps between preemption "
           "points; every one gets ABORTED, the endpoint ends zero");
    fx_check("an endpoint deleted in steps");
}

int main(void)
{
    test_sched_contexts();
    test_timeout_fault();
    test_send_recv();
    test_calls();
    test_notifications();
    test_object_deaths();
    test_reply_and_context_deaths();
    test_thread_deaths();
    test_nested_loans();
    test_unbind_while_lent();
    test_bind_while_borrowing();
    test_death_in_steps();
    return tap_done();
}
