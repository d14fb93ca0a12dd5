/*
 * The ready queues and the running thread on the host (sched.h): queue
 * operations, priorities, yield, the fast path's question, and the
 * running thread outside its queue -- sched_pick() putting it back at the
 * head when it stops, sched_current_stays() for the return path.  The
 * fixture is threads_fixture.c; schedule() itself is never called.
 */
#include <stdio.h>

#include "tap.h"
#include "threads_fixture.h"

static void test_ready_queues(void)
{
    fx_setup();
    struct thread *a = fx_active("A", 10, 1000, 1000, NULL);
    struct thread *b = fx_active("B", 10, 1000, 1000, NULL);
    struct thread *c = fx_active("C", 10, 1000, 1000, NULL);
    struct thread *d = fx_active("D", 20, 1000, 1000, NULL);
    tap_ok(FX_QUEUE(10, a, b, c) && FX_QUEUE(20, d) && FX_EMPTY(0) && FX_EMPTY(255),
           "ready queues: resumed threads are queued in order, one queue per priority");
    tap_ok(sched_is_queued(a) && sched_is_queued(b) && sched_is_queued(c) && sched_is_queued(d) &&
               sched_can_run(a),
           "sched_is_queued and sched_can_run: true for runnable threads with budget");
    fx_check("four threads were resumed");

    sched_dequeue(b);
    tap_ok(!sched_is_queued(b) && FX_QUEUE(10, a, c), "sched_dequeue takes a thread out of the middle");
    sched_dequeue(b);
    tap_ok(!sched_is_queued(b) && FX_QUEUE(10, a, c),
           "sched_dequeue of a thread not queued changes nothing");
    sched_enqueue_front(b);
    tap_ok(sched_is_queued(b) && FX_QUEUE(10, b, a, c), "sched_enqueue_front puts it at the head");
    sched_enqueue(b);
    sched_enqueue_front(c);
    tap_ok(FX_QUEUE(10, b, a, c), "enqueueing a queued thread again (either end) changes nothing");
    sched_dequeue(b);
    sched_enqueue(b);
    tap_ok(FX_QUEUE(10, a, c, b), "the head dequeued, then sched_enqueue: at the tail");
    sched_dequeue(b);
    sched_dequeue(a);
    sched_dequeue(c);
    tap_ok(FX_EMPTY(10) && FX_QUEUE(20, d), "the last dequeue empties the queue; others untouched");
    sched_enqueue(c);
    sched_enqueue_front(b);
    sched_enqueue(a);
    tap_ok(FX_QUEUE(10, b, c, a), "an emptied queue fills again from either end");
    fx_check("direct ready-queue operations");

    /* Priorities, through TCB_SET_PRIORITY. */
    tap_ok(fx_is_ok(fx_set_priority(c, 20)) && c->priority == 20 && FX_QUEUE(10, b, a) &&
               FX_QUEUE(20, d, c),
           "TCB_SET_PRIORITY: a queued thread moves to the tail of its new priority's queue");
    struct thread *e = fx_thread("E", 5);
    tap_ok(fx_is_ok(fx_set_priority(e, 30)) && e->priority == 30 && !sched_is_queued(e) &&
               FX_EMPTY(30) && FX_EMPTY(5),
           "TCB_SET_PRIORITY: an inactive thread's priority changes, it is not queued");
    uint64_t te = fx_tcb_cptr(e);
    tap_ok(fx_is_ok(fx_invoke(te, COFFER_INV_TCB_SET_MCP, te, 15, 0)) &&
               fx_is(fx_set_priority(e, 16), COFFER_ERR_RANGE_ERROR, 0, 15) && e->priority == 30,
           "TCB_SET_PRIORITY above the authority's MCP: RANGE_ERROR(0, mcp), nothing changes");
    tap_ok(fx_is_ok(fx_resume(e)) && !sched_is_queued(e) && e->state == THREAD_RUNNABLE,
           "a resumed thread without a scheduling context is runnable but not queued");

    /* Yield. */
    current_thread = b;
    sched_yield();
    tap_ok(FX_QUEUE(10, a, b), "sched_yield moves the running thread behind the others of its priority");
    current_thread = e;
    sched_yield();
    tap_ok(FX_QUEUE(10, a, b) && FX_QUEUE(20, d, c) && !sched_is_queued(e),
           "sched_yield by a thread that is not queued changes nothing");
    struct coffer_result r = fx_syscall(d, COFFER_SYS_YIELD, 0, 0, 0, 0, 0, 0, 0);
    tap_ok(fx_is_ok(r) && FX_QUEUE(20, c, d) && FX_QUEUE(10, a, b),
           "the YIELD system call: OK, rotates its caller's priority only");
    struct thread *f = fx_active("F", 40, 1000, 1000, NULL);
    current_thread = f;
    sched_yield();
    tap_ok(FX_QUEUE(40, f), "sched_yield alone at its priority: still queued");

    /* sched_would_run (the fast path's question: nothing queued above). */
    tap_ok(sched_would_run(f), "sched_would_run: true at the highest queued priority (ties run)");
    tap_ok(!sched_would_run(a) && !sched_would_run(c),
           "sched_would_run: false while a thread is queued above");
    sched_dequeue(f);
    tap_ok(sched_would_run(c) && !sched_would_run(a),
           "sched_would_run: the top queue emptied, the next one down is the top");
    sched_dequeue(c);
    sched_dequeue(d);
    tap_ok(sched_would_run(a), "sched_would_run: priorities emptied in between do not count");
    sched_enqueue(c);
    sched_enqueue(d);
    sched_enqueue(f);

    /* sched_would_run across the bitmap's words (priorities 100, 150, 200
     * sit in words 1, 2 and 3). */
    struct thread *g = fx_active("G", 200, 1000, 1000, NULL);
    struct thread *h = fx_active("H", 100, 1000, 1000, NULL);
    tap_ok(sched_would_run(g) && !sched_would_run(h) && !sched_would_run(a),
           "sched_would_run across words: only the top one");
    sched_dequeue(g);
    tap_ok(sched_would_run(h) && !sched_would_run(f),
           "sched_would_run across words: the top found again two words down");
    struct thread *k = fx_active("K", 150, 1000, 1000, NULL);
    tap_ok(!sched_would_run(h) && sched_would_run(k),
           "sched_would_run across words: a thread in a word between counts");
    sched_enqueue(g);
    fx_check("priority changes and yields");
    fx_reset();
}

/* The running thread is out of its queue and counts as its head. */
static void test_running_thread(void)
{
    fx_setup();
    struct thread *a = fx_active("A", 10, 1000, 1000, NULL);
    struct thread *b = fx_active("B", 10, 1000, 1000, NULL);
    struct thread *c = fx_active("C", 20, 1000, 1000, NULL);
    current_thread = NULL;
    tap_ok(sched_pick() == c && current_thread == c && !sched_is_queued(c) && FX_EMPTY(20) &&
               FX_QUEUE(10, a, b),
           "sched_pick: the head of the highest queue leaves it and becomes current");
    tap_ok(sched_current_stays(), "sched_current_stays: the running thread, alone on top, stays");
    fx_check("sched_pick took the running thread out of its queue");

    tap_ok(sched_pick() == c && FX_EMPTY(20) && FX_QUEUE(10, a, b),
           "sched_pick again with nothing above: the running thread runs on, no queue changes");
    struct thread *d = fx_active("D", 30, 1000, 1000, NULL);
    tap_ok(!sched_current_stays() && sched_pick() == d && FX_QUEUE(20, c) && FX_EMPTY(30),
           "a thread above ready: the running one does not stay, goes back to the head");
    struct thread *e = fx_active("E", 30, 1000, 1000, NULL);
    tap_ok(sched_current_stays() && FX_QUEUE(30, e),
           "a thread of the running one's priority ready: it runs on (round robin is the tick's)");

    current_thread = NULL;
    sched_dequeue(e);
    current_thread = e;
    sched_yield();
    tap_ok(!sched_is_queued(e), "sched_yield alone at its priority: stays the running thread");
    sched_enqueue(d);
    current_thread = e;
    sched_yield();
    tap_ok(FX_QUEUE(30, d, e) && !sched_current_stays() && sched_pick() == d && FX_QUEUE(30, e),
           "sched_yield with another of its priority: to the tail, the other is picked");

    fx_is_ok(fx_set_priority(d, 25));
    tap_ok(d->priority == 25 && FX_QUEUE(25, d) && !sched_current_stays() && sched_pick() == e &&
               FX_QUEUE(25, d) && FX_EMPTY(30),
           "TCB_SET_PRIORITY of the running thread: it moves to the tail of its new priority");

    fx_is_ok(fx_invoke(fx_tcb_cptr(e), COFFER_INV_TCB_SUSPEND, 0, 0, 0));
    tap_ok(!sched_current_stays() && !sched_is_queued(e) && sched_pick() == d && FX_EMPTY(30),
           "the running thread stops: no queue change, and sched_pick does not put it back");
    fx_check("the running thread stopped");
    fx_reset();
}

/* The top queue found again, from the bitmap, each time the top empties:
 * priorities at both ends of each of the bitmap's words. */
static void test_ready_top(void)
{
    fx_setup();
    static const unsigned prio[] = { 0, 1, 62, 63, 64, 65, 127, 128, 191, 192, 200, 254, 255 };
    enum { N = sizeof(prio) / sizeof(prio[0]) };
    struct thread *t[N];
    for (unsigned i = 0; i < N; i++) {
        char name[8];
        snprintf(name, sizeof name, "P%u", prio[i]);
        t[i] = fx_active(name, prio[i], 1000, 1000, NULL);
    }
    bool good = true;
    for (unsigned i = N; i-- > 0;) {
        good = good && sched_would_run(t[i]) && (i == 0 || !sched_would_run(t[i - 1]));
        sched_dequeue(t[i]);
        good = good && (i == 0 || sched_would_run(t[i - 1]));
    }
    tap_ok(good, "ready_top: found again at each priority as the queues above empty");
    for (unsigned i = 0; i < N; i++)
        sched_enqueue(t[i]);
    fx_check("every queue emptied from the top down and filled again");
    fx_reset();
}

int main(void)
{
    test_ready_queues();
    test_running_thread();
    test_ready_top();
    return tap_done();
}
