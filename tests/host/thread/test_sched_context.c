/*
 * The threads layer on the host: scheduling contexts -- configuration,
 * binding, charging, throttling and refills -- and timeout faults.  (The
 * ready queues: test_sched.c; IPC: test_ipc.c; deaths:
 * test_thread_deaths.c.)
 *
 * Threads, objects and capabilities are built in host memory
 * (threads_fixture.h); system calls go to their handlers as
 * syscall_dispatch() sends them, with current_thread set to the caller;
 * invocations go through sys_CALL, deletions through cap_delete().  Time
 * is host_time, advanced by hand; schedule() is never called.
 * After each scenario the invariants of thread.h, sched.h,
 * sched_context.h and ipc.h are checked over everything it made, with
 * the ready queues walked through the public scheduler API.
 */
#define _POSIX_C_SOURCE 200809L
#include "threads_checks.h"

/* ---- 2. scheduling contexts ---------------------------------------------- */

static void test_sched_context(void)
{
    fx_setup();
    struct sched_context *sc;
    uint64_t t0 = host_time;
    struct thread *a = fx_active("A", 10, 1000, 10000, &sc);
    struct thread *b = fx_active("B", 10, 1000, 1000, NULL);
    uint64_t budget = 1000 * TICKS_PER_US, period = 10000 * TICKS_PER_US;
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
    struct handler_fx hf = new_handler();
    struct reply *hr = hf.reply;
    uint64_t h = hf.cptr, hrc = hf.reply_cptr;
    struct thread *handler = hf.thread;
    struct sched_context *sc;
    struct thread *t = fx_active("T", 10, 1000, 10000, &sc);
    tap_ok(fx_is_ok(fx_invoke(fx_tcb_cptr(t), COFFER_INV_TCB_SET_TIMEOUT_HANDLER, h, 0, 0)) &&
               t->timeout_handler.cap.type == CAP_ENDPOINT,
           "TCB_SET_TIMEOUT_HANDLER installs the endpoint");
    fx_recv(handler, h, hrc);
    arch_set_pc(&t->regs, 0x1234);
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
    tap_ok(fx_is_ok(fx_send(handler, hrc, MI(0, 1), 0x5678, 0)) && arch_pc(&t->regs) == 0x5678 &&
               t->state == THREAD_RUNNABLE && !sched_is_queued(t) && hr->caller == NULL,
           "the handler's reply sets the pc; the thread waits for its period (still throttled)");
    host_time = sc->release;
    sched_context_release_due(host_time);
    tap_ok(runnable_queued(t) && !sc->throttled, "then runs again at its next period");
    fx_check("a timeout fault was handled");
    fx_reset();
}

/* ENSURE_BUDGET (sys_ENSURE_BUDGET): enough left returns at once; less
 * gives up the period, with no timeout fault; the context a passive server
 * borrowed is the one checked and given up; more than a budget is refused. */
static struct coffer_result ensure(struct thread *t, uint64_t us)
{
    return fx_syscall(t, COFFER_SYS_ENSURE_BUDGET, us, 0, 0, 0, 0, 0, 0);
}

static void test_ensure_budget(void)
{
    fx_setup();
    struct handler_fx hf = new_handler();
    struct endpoint *hep = hf.ep;
    uint64_t h = hf.cptr, hrc = hf.reply_cptr;
    struct thread *handler = hf.thread;
    struct sched_context *sc;
    struct thread *t = fx_active("T", 10, 1000, 10000, &sc);
    struct thread *other = fx_active("O", 10, 1000, 1000, NULL);
    fx_invoke(fx_tcb_cptr(t), COFFER_INV_TCB_SET_TIMEOUT_HANDLER, h, 0, 0);
    fx_recv(handler, h, hrc);
    start_running(t);
    host_time += 400 * TICKS_PER_US;
    sched_charge(); /* as the general path does at entry */
    struct coffer_result r = ensure(t, 600);
    tap_ok(fx_is(r, COFFER_ERR_OK, 0, 600) && !sc->throttled && sc->remaining == 600 * TICKS_PER_US,
           "ENSURE_BUDGET with exactly enough left: returns at once (waited 0, 600 us left), nothing changes");
    r = ensure(t, 1001);
    tap_ok(fx_is(r, COFFER_ERR_RANGE_ERROR, 0, 1000) && !sc->throttled,
           "ENSURE_BUDGET above the context's budget: RANGE_ERROR (0, the budget in us), nothing changes");
    uint64_t release = sc->release, consumed = sc->consumed;
    r = ensure(t, 601);
    tap_ok(fx_is(r, COFFER_ERR_OK, 1, 600) && sc->throttled && sc->remaining == 0 && !sched_is_queued(t) &&
               !sched_can_run(t) && t->state == THREAD_RUNNABLE && sched_context_next_release() == release &&
               sc->consumed == consumed && FX_QUEUE(10, other),
           "ENSURE_BUDGET with less left: the context throttles until its next period, charged nothing more");
    tap_ok(hep->state != EP_SENDING && handler->state == THREAD_BLOCKED_RECV,
           "ENSURE_BUDGET sends no timeout fault: the thread asked");
    fx_check("a budget given up");
    host_time = release;
    sched_context_release_due(host_time);
    tap_ok(!sc->throttled && sc->remaining == sc->budget && runnable_queued(t),
           "at the next period it runs again with a full budget");

    /* A passive server asks of the context its caller lent it. */
    struct endpoint *ep;
    uint64_t e = fx_endpoint(&ep);
    struct reply *rr;
    uint64_t rc = fx_reply(&rr);
    struct sched_context *csc;
    struct thread *cl = fx_active("C", 10, 200, 10000, &csc);
    struct thread *srv = passive_server("P", 20, e, rc);
    fx_call(cl, e, MI(1, 0), 0, 0);
    start_running(srv);
    host_time += 150 * TICKS_PER_US;
    sched_charge();
    r = ensure(srv, 100);
    tap_ok(fx_is(r, COFFER_ERR_OK, 1, 50) && csc->throttled && srv->sc == csc && csc->lent_via == rr &&
               !sched_is_queued(srv) && cl->state == THREAD_BLOCKED_REPLY,
           "a passive server's ENSURE_BUDGET checks the lent context: it throttles, still lent");
    tap_ok(fx_is(ensure(srv, 201), COFFER_ERR_RANGE_ERROR, 0, 200),
           "and is refused above the lent context's budget, not its own");
    host_time = csc->release;
    sched_context_release_due(host_time);
    tap_ok(runnable_queued(srv) && srv->sc == csc && !csc->throttled,
           "at the lent context's period the server runs on, on it");
    r = fx_reply_recv(srv, e, rc, MI(2, 0), 0);
    tap_ok(runnable_queued(cl) && cl->sc == csc && csc->lent_via == NULL, "the reply gives it back");
    fx_check("a lent budget given up and refilled");

    /* A context whose budget is its period never runs out. */
    struct sched_context *usc;
    struct thread *u = fx_active("U", 10, 1000, 1000, &usc);
    start_running(u);
    r = ensure(u, 1000);
    tap_ok(fx_is(r, COFFER_ERR_OK, 0, 1000) && !usc->throttled,
           "an unlimited context: ENSURE_BUDGET of its whole budget returns at once");
    tap_ok(fx_is(ensure(u, 0), COFFER_ERR_OK, 0, 1000), "ENSURE_BUDGET of 0 us: nothing to do");
    fx_check("ENSURE_BUDGET on an unlimited context");
    fx_reset();
}

/* Loan minimums (TCB_SET_LOAN_MINIMUM, ipc.c): a call that would lend a
 * passive server less budget than it asks for is turned back -- the
 * caller's context gives up its period, the ecall is taken again at the
 * next -- both when the server waits and when the caller waits in the
 * endpoint's queue; a caller with enough behind it is served. */
static void test_loan_minimum(void)
{
    fx_setup();
    struct endpoint *ep;
    uint64_t e = fx_endpoint(&ep);
    struct reply *rr;
    uint64_t rc = fx_reply(&rr);
    struct thread *srv = passive_server("P", 20, e, rc);
    uint64_t stcb = fx_tcb_cptr(srv);
    tap_ok(fx_is(fx_invoke(stcb, COFFER_INV_TCB_SET_LOAN_MINIMUM, 101, 0, 0), COFFER_ERR_RANGE_ERROR, 0, 100) &&
               srv->loan_min == 0,
           "TCB_SET_LOAN_MINIMUM above SC_MIN_BUDGET_US: RANGE_ERROR (0, 100), nothing set");
    tap_ok(fx_is_ok(fx_invoke(stcb, COFFER_INV_TCB_SET_LOAN_MINIMUM, 50, 0, 0)) && srv->loan_min == 50 * TICKS_PER_US,
           "TCB_SET_LOAN_MINIMUM: 50 us, kept in ticks");
    struct sched_context *csc;
    struct thread *cl = fx_active("C", 10, 200, 10000, &csc);
    start_running(cl);
    host_time += 150 * TICKS_PER_US;
    sched_charge();
    fx_call(cl, e, MI(1, 0), 0, 0);
    tap_ok(srv->sc == csc && csc->lent_via == rr && GOT0(srv, MI(1, 0), 0),
           "a call with 50 us left (the minimum) is lent and delivered");
    fx_reply_recv(srv, e, rc, MI(2, 0), 0);
    fx_check("a call with enough budget");

    start_running(cl);
    host_time += 1;
    sched_charge();
    uint64_t pc0 = arch_pc(&cl->regs), release = csc->release;
    fx_call(cl, e, MI(3, 0), 0, 0);
    tap_ok(csc->throttled && csc->remaining == 0 && cl->sc == csc && csc->lent_via == NULL &&
               cl->state == THREAD_RUNNABLE && !sched_is_queued(cl) && arch_pc(&cl->regs) == pc0 - 4 &&
               srv->state == THREAD_BLOCKED_RECV && rr->receiver == srv && ep->state == EP_RECEIVING,
           "one tick less: the call is turned back (the context gives up its period, the ecall is taken again), "
           "the server still waits");
    fx_check("a call turned back");
    host_time = release;
    sched_context_release_due(host_time);
    tap_ok(runnable_queued(cl) && !csc->throttled, "at the next period the caller runs again");
    fx_call(cl, e, MI(4, 0), 0, 0);
    tap_ok(srv->sc == csc && GOT0(srv, MI(4, 0), 0), "and its call, taken again, is delivered on the full budget");
    fx_reply_recv(srv, e, rc, MI(2, 0), 0);

    /* Callers queued while the server is busy: the short one is turned
     * back when the server comes to it, the next one served. */
    struct sched_context *bsc, *tsc;
    struct thread *busy = fx_active("B", 10, 1000, 1000, &bsc);
    struct thread *third = fx_active("T", 10, 1000, 10000, &tsc);
    fx_call(busy, e, MI(5, 0), 0, 0);
    bool busy_lent = srv->sc == bsc;
    start_running(cl);
    host_time += 160 * TICKS_PER_US;
    sched_charge();
    pc0 = arch_pc(&cl->regs);
    fx_call(cl, e, MI(6, 0), 0, 0);
    fx_call(third, e, MI(7, 0), 0, 0);
    tap_ok(busy_lent && cl->state == THREAD_BLOCKED_SEND && third->state == THREAD_BLOCKED_SEND &&
               ep->state == EP_SENDING && !csc->throttled,
           "while the server serves another, a short caller and a full one queue (no check yet)");
    fx_reply_recv(srv, e, rc, MI(2, 0), 0);
    tap_ok(csc->throttled && cl->state == THREAD_RUNNABLE && cl->blocked_on == NULL && !sched_is_queued(cl) &&
               arch_pc(&cl->regs) == pc0 - 4 && srv->sc == tsc && GOT0(srv, MI(7, 0), 0) &&
               ep->state == EP_IDLE,
           "the server's receive turns the short caller back and takes the next one");
    fx_check("a queued call turned back");
    fx_reset();
}

/* A context lent to a passive server dies under it (the client deleted
 * it): the server's timeout handler gets COFFER_FAULT_CONTEXT_GONE, the
 * wait the server was in cut short; the handler can give it a context of
 * its own to finish on.  Without a handler the server stays as it was. */
static void test_context_gone(void)
{
    fx_setup();
    struct handler_fx hf = new_handler();
    struct reply *hr = hf.reply;
    uint64_t h = hf.cptr, hrc = hf.reply_cptr;
    struct thread *handler = hf.thread;
    struct endpoint *ep;
    uint64_t e = fx_endpoint(&ep);
    struct reply *rr;
    uint64_t rc = fx_reply(&rr);
    struct thread *srv = passive_server("P", 20, e, rc);
    fx_invoke(fx_tcb_cptr(srv), COFFER_INV_TCB_SET_TIMEOUT_HANDLER, h, 0, 0);
    fx_recv(handler, h, hrc);
    struct sched_context *csc;
    struct thread *cl = fx_active("C", 10, 1000, 10000, &csc);
    uint64_t cscp = fx_sc_cptr(csc);
    fx_call(cl, e, MI(1, 0), 0, 0);
    arch_set_pc(&srv->regs, 0x4000);
    bool lent = srv->sc == csc;
    fx_delete(cscp);
    tap_ok(lent && srv->sc == NULL && srv->state == THREAD_BLOCKED_REPLY && srv->reply == hr &&
               GOT(handler, MI(COFFER_FAULT_CONTEXT_GONE, COFFER_FAULT_WORDS), 0, 0x4000, 0, 0),
           "the context lent to a running server dies: its timeout handler gets CONTEXT_GONE (pc, 0, 0)");
    fx_check("a lent context died under a running server");
    struct sched_context *rsc;
    uint64_t rscp = fx_sched_context(&rsc);
    fx_configure(rscp, 1000, 1000);
    uint64_t stcb = fx_tcb_cptr(srv);
    tap_ok(fx_is(fx_invoke(stcb, COFFER_INV_TCB_LEND_SCHED_CONTEXT, e, 0, 0), COFFER_ERR_INVALID_CAPABILITY, 0, 0) &&
               fx_is(fx_invoke(stcb, COFFER_INV_TCB_LEND_SCHED_CONTEXT, fx_mint(rscp, CAP_RIGHT_READ, 0), 0, 0),
                     COFFER_ERR_INVALID_CAPABILITY, 0, 0) &&
               fx_is(fx_invoke(stcb, COFFER_INV_TCB_LEND_SCHED_CONTEXT, fx_sc_cptr(handler->home_sc), 0, 0),
                     COFFER_ERR_ILLEGAL_OPERATION, 0, 0) &&
               fx_is(fx_invoke(fx_tcb_cptr(handler), COFFER_INV_TCB_LEND_SCHED_CONTEXT, rscp, 0, 0),
                     COFFER_ERR_ILLEGAL_OPERATION, 0, 0) && srv->sc == NULL,
           "TCB_LEND_SCHED_CONTEXT: not a context or without WRITE INVALID_CAPABILITY, a context with a home or to "
           "a thread with one ILLEGAL_OPERATION; nothing changes");
    tap_ok(fx_is_ok(fx_invoke(stcb, COFFER_INV_TCB_LEND_SCHED_CONTEXT, rscp, 0, 0)) &&
               fx_is_ok(fx_send(handler, hrc, MI(0, 0), 0, 0)) && runnable_queued(srv) && srv->sc == rsc &&
               srv->home_until_recv && arch_pc(&srv->regs) == 0x4000,
           "the handler lends it a context of the server's until its next receive and replies: it runs on where it was");
    fx_check("a server rescued");
    struct sched_context *c2;
    struct thread *cl2 = fx_active("C2", 10, 1000, 10000, &c2);
    fx_call(cl2, e, MI(7, 0), 0, 0); /* queued: the server is busy */
    fx_reply_recv(srv, e, rc, MI(0, 0), 0); /* it answers the first (gone) caller and receives */
    tap_ok(srv->home_sc == NULL && !srv->home_until_recv && rsc->thread == NULL && rsc->home == NULL &&
               srv->sc == c2 && GOT0(srv, MI(7, 0), 0),
           "at its next receive the lent context goes back, and the next call is served on its caller's context");
    fx_check("a lent context taken back at a receive");

    /* Now the server waits on a notification while on a lent context. */
    struct notification *n;
    uint64_t nc = fx_notification(&n);
    fx_recv(handler, h, hrc);
    fx_recv(srv, nc, 0); /* serving cl2's call, the server waits on its lock, on cl2's time */
    bool waiting = srv->state == THREAD_BLOCKED_NOTIFICATION && srv->sc == c2;
    fx_delete(fx_sc_cptr(c2));
    tap_ok(waiting && n->queue.head == NULL && srv->state == THREAD_BLOCKED_REPLY &&
               arch_syscall_result(&srv->regs).error == COFFER_ERR_ABORTED &&
               GOT(handler, MI(COFFER_FAULT_CONTEXT_GONE, COFFER_FAULT_WORDS), 0, arch_pc(&srv->regs), 0, 0),
           "dying while the server waits: the wait is cut short (ABORTED) and the handler told");
    fx_check("a lent context died under a waiting server");

    /* No handler: as before, the server is left without a context. */
    struct endpoint *e3p;
    uint64_t e3 = fx_endpoint(&e3p);
    struct reply *r3;
    uint64_t r3c = fx_reply(&r3);
    struct thread *bare = passive_server("B", 20, e3, r3c);
    struct sched_context *c3;
    struct thread *cl3 = fx_active("C3", 10, 1000, 10000, &c3);
    fx_call(cl3, e3, MI(1, 0), 0, 0);
    fx_delete(fx_sc_cptr(c3));
    tap_ok(bare->state == THREAD_RUNNABLE && bare->sc == NULL && !sched_is_queued(bare),
           "without a timeout handler the server is left runnable with no context");
    fx_check("a lent context died under a server without a handler");
    fx_reset();
}

int main(void)
{
    test_sched_context();
    test_timeout_fault();
    test_ensure_budget();
    test_loan_minimum();
    test_context_gone();
    return tap_done();
}
