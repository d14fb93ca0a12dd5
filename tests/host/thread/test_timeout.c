/*
 * The threads layer on the host: receive deadlines (timeout.h) -- a RECV
 * on a notification or an endpoint that gives up at its deadline with
 * TIMED_OUT, one whose wait ends otherwise first (a signal, a call, a
 * suspend, the thread's death) leaving the list, a deadline already past
 * as a poll, and several waiters expiring in the order of their deadlines.
 * Time is host_time, advanced by hand; the timer interrupt is called as
 * the trap path would.  The invariants (the list among them) are checked
 * after each scenario.
 */
#define _POSIX_C_SOURCE 200809L
#include "threads_checks.h"
#include "thread/timeout.h"

static struct coffer_result recv_until(struct thread *t, uint64_t cptr, uint64_t deadline, uint64_t reply)
{
    return fx_syscall(t, COFFER_SYS_RECV, cptr, deadline, 0, 0, 0, 0, reply);
}

/* The timer fires at `when` with nothing running. */
static void timer_at(uint64_t when)
{
    host_time = when;
    current_thread = NULL;
    sched_timer_interrupt();
}

static bool timed_out(const struct thread *t)
{
    return t->state == THREAD_RUNNABLE && arch_syscall_result(&t->regs).error == COFFER_ERR_TIMED_OUT &&
           t->deadline == 0 && t->blocked_on == NULL;
}

static void test_notification_deadline(void)
{
    fx_setup();
    struct notification *n;
    uint64_t nc = fx_notification(&n);
    struct thread *t = fx_active("T", 10, 1000, 1000, NULL);
    uint64_t deadline = host_time + 500 * TICKS_PER_US;
    recv_until(t, nc, deadline, 0);
    tap_ok(t->state == THREAD_BLOCKED_NOTIFICATION && t->deadline == deadline && timeout_first() == t &&
               timeout_next() == deadline,
           "RECV on a notification with a deadline: it waits, on the list of deadlines");
    fx_check("a wait with a deadline");
    timer_at(deadline - 1);
    tap_ok(t->state == THREAD_BLOCKED_NOTIFICATION, "the timer a tick before: still waiting");
    timer_at(deadline);
    tap_ok(timed_out(t) && runnable_queued(t) && n->queue.head == NULL && timeout_first() == NULL &&
               timeout_next() == ~0ull,
           "at the deadline: TIMED_OUT, runnable, off the notification's queue and the list");
    fx_check("a deadline passed");

    recv_until(t, nc, host_time + 100, 0);
    fx_send(fx_active("S", 10, 1000, 1000, NULL), nc, 0, 0, 0);
    tap_ok(t->state == THREAD_RUNNABLE && arch_syscall_result(&t->regs).error == COFFER_ERR_OK &&
               t->deadline == 0 && timeout_first() == NULL,
           "a signal before the deadline: the wait ends as usual, off the list");
    fx_check("a signal before the deadline");
    timer_at(host_time + 200);
    tap_ok(arch_syscall_result(&t->regs).error == COFFER_ERR_OK, "and the deadline passing later does nothing");

    struct coffer_result r = recv_until(t, nc, host_time, 0);
    tap_ok(fx_is(r, COFFER_ERR_TIMED_OUT, 0, 0) && t->state == THREAD_RUNNABLE && t->deadline == 0,
           "a deadline already past, nothing pending: TIMED_OUT at once (a poll)");
    fx_send(fx_active("S2", 10, 1000, 1000, NULL), nc, 0, 0, 0);
    r = recv_until(t, nc, 1, 0);
    tap_ok(r.error == COFFER_ERR_OK && arch_syscall_result(&t->regs).error == COFFER_ERR_OK,
           "a deadline already past with a signal pending: the signal is taken");
    fx_check("deadlines already past");
    fx_reset();
}

static void test_endpoint_deadline(void)
{
    fx_setup();
    struct endpoint *ep;
    uint64_t e = fx_endpoint(&ep);
    struct reply *rr;
    uint64_t rc = fx_reply(&rr);
    struct thread *srv = fx_active("R", 10, 1000, 1000, NULL);
    struct thread *cl = fx_active("C", 10, 1000, 1000, NULL);
    recv_until(srv, e, host_time + 1000, rc);
    tap_ok(srv->state == THREAD_BLOCKED_RECV && srv->deadline != 0 && rr->receiver == srv,
           "RECV on an endpoint with a deadline: it waits with its reply object");
    fx_call(cl, e, MI(3, 1), 42, 0);
    tap_ok(GOT(srv, MI(3, 1), 0, 42) && srv->deadline == 0 && timeout_first() == NULL && rr->caller == cl,
           "a call before the deadline is received; the deadline is gone");
    fx_reply_recv(srv, e, rc, MI(0, 0), 0);
    fx_check("a call before the deadline");

    /* srv waits again (no deadline: REPLY_RECV takes none) */
    fx_invoke(fx_tcb_cptr(srv), COFFER_INV_TCB_SUSPEND, 0, 0, 0);
    fx_resume(srv);
    recv_until(srv, e, host_time + 1000, rc);
    fx_invoke(fx_tcb_cptr(srv), COFFER_INV_TCB_SUSPEND, 0, 0, 0);
    tap_ok(srv->state == THREAD_INACTIVE && srv->deadline == 0 && timeout_first() == NULL && ep->queue.head == NULL,
           "suspended while it waits with a deadline: off the list and the endpoint");
    fx_check("a suspend during a wait with a deadline");

    fx_resume(srv);
    recv_until(srv, e, host_time + 1000, rc);
    fx_delete(fx_tcb_cptr(srv));
    tap_ok(timeout_first() == NULL && ep->queue.head == NULL, "its death during the wait takes it off the list");
    fx_check("a death during a wait with a deadline");
    fx_reset();
}

static void test_order(void)
{
    fx_setup();
    uint64_t n1 = fx_notification(NULL), n2 = fx_notification(NULL), n3 = fx_notification(NULL);
    struct thread *a = fx_active("A", 10, 1000, 1000, NULL);
    struct thread *b = fx_active("B", 10, 1000, 1000, NULL);
    struct thread *c = fx_active("C", 10, 1000, 1000, NULL);
    uint64_t t0 = host_time;
    recv_until(a, n1, t0 + 300, 0);
    recv_until(b, n2, t0 + 100, 0);
    recv_until(c, n3, t0 + 200, 0);
    tap_ok(timeout_first() == b && b->deadline_next == c && c->deadline_next == a && timeout_next() == t0 + 100,
           "three waiters: the list in the order of their deadlines");
    fx_check("three deadlines");
    timer_at(t0 + 250);
    tap_ok(timed_out(b) && timed_out(c) && a->state == THREAD_BLOCKED_NOTIFICATION && timeout_first() == a,
           "a timer between them: the two due time out, the third waits on");
    timer_at(t0 + 300);
    tap_ok(timed_out(a) && timeout_first() == NULL, "and then the third");
    fx_check("deadlines in order");
    fx_reset();
}

int main(void)
{
    test_notification_deadline();
    test_endpoint_deadline();
    test_order();
    return tap_done();
}
