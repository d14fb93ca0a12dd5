/*
 * The invariants of thread.h, sched.h, sched_context.h and ipc.h, checked
 * over everything a threads-layer host scenario made (the objects the
 * fixture, threads_fixture.c, keeps lists of), with the ready queues
 * walked through the public scheduler API, and the derivation tree's.
 * fx_invariants() says whether they hold (fx_why says which does not);
 * fx_check() makes it a TAP line (declared in threads_fixture.h).
 */
#include "threads_fixture.h"
#include "thread/timeout.h"

#include <stdio.h>

#include "tap.h"

/* ---- invariants ------------------------------------------------------------ */

char fx_why[256];

static bool fx_fail(const char *fmt, const char *a, const char *b)
{
    snprintf(fx_why, sizeof(fx_why), fmt, a, b);
    return false;
}

/* Is r on sc's chain of loans (ipc.h)?  Bounded: a loop is not. */
static bool fx_on_chain(const struct sched_context *sc, const struct reply *r)
{
    unsigned links = 0;
    for (const struct reply *x = sc->lent_via; x != NULL && links <= FX_MAX_OBJECTS;
         x = x->lent_prev, links++)
        if (x == r)
            return true;
    return false;
}

/* The invariants of thread.h, sched.h, sched_context.h and ipc.h over
 * everything in the scenario, and the derivation tree's.  On failure
 * fx_why says which. */
bool fx_invariants(void)
{
    unsigned queued_total = 0;
    int top = -1;
    /* Ready queues: every member is a live thread of that priority that
     * can run; none twice. */
    for (unsigned p = 0; p < SCHED_PRIORITIES; p++) {
        struct thread *q[FX_MAX_THREADS];
        int n = fx_ready_queue(p, q, FX_MAX_THREADS);
        if (n < 0)
            return fx_fail("ready queue links broken%s%s", "", "");
        for (int i = 0; i < n; i++) {
            if (!fx_registered_thread(q[i]))
                return fx_fail("a dead or unknown thread in a ready queue%s%s", "", "");
            if (q[i]->priority != p || !sched_can_run(q[i]) || !sched_is_queued(q[i]))
                return fx_fail("%s queued but cannot run (or wrong priority)%s", q[i]->name, "");
            for (int j = 0; j < i; j++)
                if (q[j] == q[i])
                    return fx_fail("%s twice in a ready queue%s", q[i]->name, "");
        }
        queued_total += (unsigned)n;
        if (n > 0)
            top = (int)p;
    }
    /* The scheduler's record of the top queue (ready_top) agrees. */
    for (unsigned p = 0; p < SCHED_PRIORITIES; p++) {
        struct thread *q[FX_MAX_THREADS];
        if (fx_ready_queue(p, q, FX_MAX_THREADS) > 0 && sched_would_run(q[0]) != ((int)p >= top))
            return fx_fail("%s: sched_would_run disagrees with the queues%s", q[0]->name, "");
    }
    unsigned can_run = 0; /* and queued */
    for (unsigned i = 0; i < fx_nthreads; i++) {
        struct thread *t = fx_threads[i];
        if (fx_dead[i])
            continue;
        /* The running thread can run outside its queue (sched.h). */
        if (sched_can_run(t) != sched_is_queued(t) && !(t == current_thread && sched_can_run(t)))
            return fx_fail("%s: can run %s queued", t->name,
                           sched_can_run(t) ? "but is not" : "but is");
        can_run += sched_can_run(t) && sched_is_queued(t);
        bool waits = t->state == THREAD_BLOCKED_SEND || t->state == THREAD_BLOCKED_RECV ||
                     t->state == THREAD_BLOCKED_NOTIFICATION;
        if (waits != (t->blocked_on != NULL))
            return fx_fail("%s: blocked_on does not match its state%s", t->name, "");
        if ((t->state == THREAD_BLOCKED_REPLY) != (t->reply != NULL && t->reply->caller == t) &&
            t->state != THREAD_BLOCKED_RECV)
            return fx_fail("%s: BLOCKED_REPLY without its reply object (or the reverse)%s",
                           t->name, "");
        if (t->loan_died && t->state != THREAD_BLOCKED_REPLY)
            return fx_fail("%s: a dead loan flagged outside a reply wait%s", t->name, "");
        if (t->state == THREAD_BLOCKED_RECV && (t->reply == NULL || t->reply->receiver != t))
            return fx_fail("%s: receives without its reply object%s", t->name, "");
        if (t->sc != NULL && t->sc->thread != t)
            return fx_fail("%s runs on a context that does not run it%s", t->name, "");
        if (t->home_sc != NULL && t->home_sc->home != t)
            return fx_fail("%s: home context not bound to it%s", t->name, "");
        if (waits) {
            /* In the wait queue of what it waits on. */
            const struct wait_queue *wq = t->state == THREAD_BLOCKED_NOTIFICATION
                                              ? &((struct notification *)t->blocked_on)->queue
                                              : &((struct endpoint *)t->blocked_on)->queue;
            bool found = false;
            for (const struct thread *x = wq->head; x != NULL && !found; x = x->next)
                found = x == t;
            if (!found)
                return fx_fail("%s is not in the queue it waits in%s", t->name, "");
        }
    }
    if (can_run != queued_total) /* queued ones that can run, counted both ways */
        return fx_fail("the ready queues hold threads that are not in the scenario%s%s", "", "");
    for (unsigned i = 0; i < fx_neps; i++) {
        const struct endpoint *ep = fx_eps[i];
        if ((ep->queue.head == NULL) != (ep->state == EP_IDLE))
            return fx_fail("endpoint queue empty <=> idle broken%s%s", "", "");
        const struct thread *prev = NULL;
        for (const struct thread *x = ep->queue.head; x != NULL; prev = x, x = x->next) {
            if (!fx_registered_thread(x))
                return fx_fail("a dead thread in an endpoint queue%s%s", "", "");
            unsigned want = ep->state == EP_SENDING ? THREAD_BLOCKED_SEND : THREAD_BLOCKED_RECV;
            if (x->state != want || x->blocked_on != ep || x->prev != prev || x->in_ready)
                return fx_fail("%s: wrong state or links in an endpoint queue%s", x->name, "");
        }
        if (ep->queue.tail != prev)
            return fx_fail("endpoint queue tail wrong%s%s", "", "");
    }
    for (unsigned i = 0; i < fx_nntfns; i++) {
        const struct notification *n = fx_ntfns[i];
        if (n->queue.head != NULL && n->pending)
            return fx_fail("a notification with waiters is pending%s%s", "", "");
        const struct thread *prev = NULL;
        for (const struct thread *x = n->queue.head; x != NULL; prev = x, x = x->next)
            if (!fx_registered_thread(x) || x->state != THREAD_BLOCKED_NOTIFICATION ||
                x->blocked_on != n || x->prev != prev || x->in_ready)
                return fx_fail("wrong thread in a notification queue%s%s", "", "");
        if (n->queue.tail != prev)
            return fx_fail("notification queue tail wrong%s%s", "", "");
        if (n->bound != NULL && (!fx_registered_thread(n->bound) ||
                                 n->bound->bound_notification != n))
            return fx_fail("notification bound to a thread not bound to it%s%s", "", "");
    }
    for (unsigned i = 0; i < fx_nreplies; i++) {
        const struct reply *r = fx_replies[i];
        if (r->caller != NULL && (!fx_registered_thread(r->caller) ||
                                  r->caller->state != THREAD_BLOCKED_REPLY || r->caller->reply != r))
            return fx_fail("reply object's caller is not waiting on it%s%s", "", "");
        if (r->receiver != NULL &&
            (!fx_registered_thread(r->receiver) || r->receiver->state != THREAD_BLOCKED_RECV ||
             r->receiver->reply != r))
            return fx_fail("reply object's receiver is not receiving with it%s%s", "", "");
        /* ipc.h: r->lent == sc <=> r is on sc's chain of loans (the
         * latest, or below it when the borrower lent it on). */
        if (r->lent != NULL && !fx_on_chain(r->lent, r))
            return fx_fail("a reply object records a loan its context's chain does not hold%s%s",
                           "", "");
    }
    uint64_t earliest = ~0ull;
    for (unsigned i = 0; i < fx_nscs; i++) {
        const struct sched_context *sc = fx_scs[i];
        if (sc->thread != NULL && (!fx_registered_thread(sc->thread) || sc->thread->sc != sc))
            return fx_fail("a context runs a thread that does not run on it (dead or moved)%s%s",
                           "", "");
        if (sc->home != NULL && (!fx_registered_thread(sc->home) || sc->home->home_sc != sc))
            return fx_fail("a context's home is not bound to it%s%s", "", "");
        unsigned links = 0;
        for (const struct reply *x = sc->lent_via; x != NULL; x = x->lent_prev)
            if (x->lent != sc || ++links > FX_MAX_OBJECTS)
                return fx_fail("a context's chain of loans holds a reply object that does not "
                               "record the loan (or loops)%s%s", "", "");
        if (sc->throttled && sc->remaining != 0)
            return fx_fail("throttled with budget left%s%s", "", "");
        if (sc->throttled && sc->release < earliest)
            earliest = sc->release;
    }
    if (sched_context_next_release() != earliest)
        return fx_fail("the release queue does not start at the earliest throttled context%s%s",
                       "", "");
    /* The list of receive deadlines (timeout.h): sorted, every member
     * waiting in a receive, every thread with a deadline on it. */
    unsigned on_list = 0, with_deadline = 0;
    uint64_t last = 0;
    for (const struct thread *t = timeout_first(); t != NULL; t = t->deadline_next) {
        if (!fx_registered_thread(t) || ++on_list > FX_MAX_THREADS)
            return fx_fail("the deadline list holds a dead or unknown thread (or loops)%s%s", "", "");
        if (t->deadline == 0 || t->deadline < last)
            return fx_fail("%s on the deadline list out of order or without one%s", t->name, "");
        if (t->state != THREAD_BLOCKED_RECV && t->state != THREAD_BLOCKED_NOTIFICATION)
            return fx_fail("%s has a deadline but is not receiving%s", t->name, "");
        last = t->deadline;
    }
    for (unsigned i = 0; i < fx_nthreads; i++)
        with_deadline += !fx_is_dead(fx_threads[i]) && fx_threads[i]->deadline != 0;
    if (with_deadline != on_list)
        return fx_fail("a thread with a deadline is not on the list%s%s", "", "");
    if (cdt_check() != 0)
        return fx_fail("cdt_check() fails%s%s", "", "");
    return true;
}

/* TAP: the invariants hold after `what`. */
bool fx_check(const char *what)
{
    bool good = fx_invariants();
    if (!good)
        tap_diag("invariant: %s", fx_why);
    char name[200];
    snprintf(name, sizeof(name), "invariants hold after %s", what);
    return tap_ok(good, name);
}
