/*
 * The threads layer on the host: what the death of each object does to
 * the threads waiting in or on it, nested loans cut short, and a death in
 * bounded steps.  (IPC: test_ipc.c.)
 *
 * Threads, objects and capabilities are built in host memory
 * (threads_fixture.h); system calls go to their handlers as
 * syscall_dispatch() sends them, with current_thread set to the caller;
 * invocations go through sys_CALL, deletions through cap_delete().  Time
 * is host_time, advanced by hand; schedule() is never called.
 * After each scenario the invariants of thread.h, sched.h,
 * sched_context.h and ipc.h are checked over everything it made, with
 * the ready queues walked through the public scheduler API.
 *
 * The nested-lending and rebinding scenarios found kernel bugs when they
 * were written (fixed since); steps that could crash the kernel code run
 * in a forked child, so a regression fails a test instead of the run.
 */
#define _POSIX_C_SOURCE 200809L
#include "threads_checks.h"
#include "cap/cap_delete.h"
#include "cap/zombie.h"

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
    test_object_deaths();
    test_reply_and_context_deaths();
    test_thread_deaths();
    test_nested_loans();
    test_unbind_while_lent();
    test_bind_while_borrowing();
    test_death_in_steps();
    return tap_done();
}
