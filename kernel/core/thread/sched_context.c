/*
 * Scheduling contexts and the scheduling-control capability
 * (sched_context.h).
 */
#include "thread/sched_context.h"
#include "arch.h"
#include "support/kstring.h"
#include "thread/fault.h"
#include "thread/ipc.h"
#include "thread/sched.h"

/* Named by the scheduling-control capability; never read. */
static uint8_t sched_control_token[64] __attribute__((aligned(64)));

paddr_t sched_control_object(void)
{
    return arch_kernel_phys(sched_control_token);
}

/* Contexts waiting for their next period, earliest first. */
static struct sched_context *release_queue;

uint64_t sched_us_to_ticks(uint64_t us)
{
    return us * arch_time_hz() / 1000000;
}

uint64_t sched_ticks_to_us(uint64_t ticks)
{
    return ticks / (arch_time_hz() / 1000000 ? arch_time_hz() / 1000000 : 1);
}

static void release_remove(struct sched_context *sc)
{
    sched_deadline_changed();
    for (struct sched_context **p = &release_queue; *p != NULL; p = &(*p)->release_next) {
        if (*p == sc) {
            *p = sc->release_next;
            sc->release_next = NULL;
            return;
        }
    }
}

static void release_insert(struct sched_context *sc)
{
    sched_deadline_changed();
    struct sched_context **p = &release_queue;
    while (*p != NULL && (*p)->release <= sc->release)
        p = &(*p)->release_next;
    sc->release_next = *p;
    *p = sc;
}

/* A budget equal to its period never runs out (the root task's). */
static bool unlimited(const struct sched_context *sc)
{
    return sc->budget == sc->period;
}

/* Start the period that contains `now`, with a full budget. */
static void refill(struct sched_context *sc, uint64_t now)
{
    sched_deadline_changed();
    if (now >= sc->release)
        sc->release += ((now - sc->release) / sc->period + 1) * sc->period;
    sc->remaining = sc->budget;
}

bool sched_context_charge(struct sched_context *sc, uint64_t ticks)
{
    sc->consumed += ticks;
    if (sc->budget == 0 || unlimited(sc))
        return false;
    uint64_t now = arch_time_now();
    if (now >= sc->release && !sc->throttled)
        refill(sc, now); /* a new period began while it ran */
    if (ticks < sc->remaining) {
        sc->remaining -= ticks;
        return false;
    }
    sc->remaining = 0;
    sc->throttled = 1;
    release_insert(sc);
    return true;
}

void sched_context_release_due(uint64_t now)
{
    while (release_queue != NULL && release_queue->release <= now) {
        struct sched_context *sc = release_queue;
        release_queue = sc->release_next;
        sc->release_next = NULL;
        sc->throttled = 0;
        refill(sc, now);
        if (sc->thread != NULL && sched_can_run(sc->thread))
            sched_enqueue(sc->thread);
    }
}

uint64_t sched_context_next_release(void)
{
    return release_queue != NULL ? release_queue->release : ~0ull;
}

/* Attach sc to t as the context it runs on (t has none). */
static void attach(struct thread *t, struct sched_context *sc)
{
    t->sc = sc;
    sc->thread = t;
    if (sched_can_run(t))
        sched_enqueue(t);
}

static void detach(struct thread *t)
{
    sched_dequeue(t);
    t->sc->thread = NULL;
    t->sc = NULL;
}

void sched_context_bind(struct thread *t, struct sched_context *sc)
{
    if (sc != NULL) {
        t->home_sc = sc;
        sc->home = t;
        if (t->sc == NULL)
            attach(t, sc);
        return;
    }
    struct sched_context *home = t->home_sc;
    t->home_until_recv = 0;
    if (home == NULL)
        return;
    /* A context lent elsewhere stays with the borrower until the reply. */
    if (home->thread == t && home->lent_via == NULL)
        detach(t);
    home->home = NULL;
    t->home_sc = NULL;
}

void sched_context_lend(struct thread *caller, struct thread *server, struct reply *r)
{
    struct sched_context *sc = caller->sc;
    sched_dequeue(caller);
    sched_context_move(sc, caller, server);
    sched_context_loan_push(sc, r);
    if (sched_can_run(server))
        sched_enqueue(server);
}

/* Take sc off the thread running on it; that thread goes back to its own
 * context if it has one free. */
static void take_back(struct sched_context *sc)
{
    struct thread *t = sc->thread;
    if (t == NULL)
        return;
    detach(t);
    if (t->home_sc != NULL && t->home_sc->thread == NULL)
        attach(t, t->home_sc);
}

void sched_context_return(struct reply *r, struct thread *caller)
{
    struct sched_context *sc = r->lent;
    for (;;) {
        /* The loans above r end with it (r is on the chain: ipc.h). */
        for (struct reply *x = sc->lent_via, *below; x != r; x = below) {
            below = x->lent_prev;
            x->lent = NULL;
            x->lent_prev = NULL;
        }
        sched_context_loan_pop(sc, r);
        take_back(sc);
        if (caller != NULL || sc->lent_via == NULL)
            break;
        /* The borrower that called is gone: one level further down. */
        r = sc->lent_via;
        caller = r->caller;
    }
    /* The caller borrowed it in turn, or it is the caller's own. */
    struct thread *to = caller != NULL ? caller : sc->home;
    if (to != NULL && to->sc == NULL && (sc->lent_via != NULL || sc->home == to))
        attach(to, sc);
}

void sched_context_dies(struct sched_context *sc)
{
    /* A thread running on it on loan is left with none: its timeout
     * handler hears of it once the context is gone (fault.h).  The
     * borrowers below it in a chain of loans wait for replies that will
     * bring no context back: each hears of it when its reply comes
     * (ipc.c), not before, so the chain unwinds in order. */
    struct thread *borrower = sc->thread != NULL && sc->thread != sc->home ? sc->thread : NULL;
    for (struct reply *x = sc->lent_via, *below; x != NULL; x = below) {
        below = x->lent_prev;
        if (x->caller != NULL && x->caller != sc->home)
            x->caller->loan_died = 1;
        x->lent = NULL;
        x->lent_prev = NULL;
    }
    if (sc->thread != NULL)
        detach(sc->thread);
    if (sc->home != NULL) {
        sc->home->home_sc = NULL;
        sc->home->home_until_recv = 0;
    }
    if (sc->throttled)
        release_remove(sc);
    memset(sc, 0, sizeof(*sc));
    if (borrower != NULL)
        fault_context_gone(borrower);
}

void sched_context_boot(struct sched_context *sc, struct thread *t)
{
    sc->period = sc->budget = sc->remaining = sched_us_to_ticks(1000000);
    sc->release = arch_time_now() + sc->period;
    sched_context_bind(t, sc);
}

/*
 * ENSURE_BUDGET: a thread about to enter a stretch it must not be stopped
 * in (a server's lock, held for a client on the client's time) asks for
 * the budget the stretch needs.  With less left, the context gives up the
 * rest of its period now -- throttled as if spent, but the thread asked,
 * so no timeout fault -- and the thread goes on, with a full budget, when
 * the period comes.  The general path charged the time so far at entry,
 * so `remaining` is what is left now.
 */
struct coffer_result sys_ENSURE_BUDGET(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS])
{
    struct sched_context *sc = t->sc;
    uint64_t us = SYS_ARG(args, ENSURE_BUDGET, us), budget_us = sched_ticks_to_us(sc->budget);
    if (us > budget_us)
        return syscall_error(COFFER_ERR_RANGE_ERROR, 0, budget_us);
    uint64_t left_us = sched_ticks_to_us(sc->remaining);
    if (unlimited(sc) || sc->remaining >= sched_us_to_ticks(us))
        return syscall_ok(0, left_us);
    sched_context_give_up(sc);
    sched_dequeue(t);
    return syscall_ok(1, left_us);
}

void sched_context_give_up(struct sched_context *sc)
{
    if (sc->throttled || unlimited(sc))
        return;
    sc->remaining = 0;
    sc->throttled = 1;
    release_insert(sc);
}

bool sched_context_covers(const struct sched_context *sc, uint64_t ticks)
{
    if (unlimited(sc) || ticks == 0)
        return true;
    if (sc->throttled)
        return false;
    if (arch_time_now() >= sc->release)
        return sc->budget >= ticks; /* a new period has begun: it is full */
    return sc->remaining >= ticks;
}

/* CONFIGURE: the context's cptr (WRITE), its budget and period (us).
 * The new budget starts now, full. */
struct coffer_result sched_control_invoke(struct invocation *inv)
{
    if (inv->label != COFFER_INV_SCHED_CONTROL_CONFIGURE)
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    struct slot *s;
    struct coffer_result r = lookup_slot(&inv->thread->cspace_root.cap,
                                         INV_ARG(inv, SCHED_CONTROL_CONFIGURE, sched_context), 64, &s);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (s->cap.type != CAP_SCHED_CONTEXT || !(s->cap.rights & CAP_RIGHT_WRITE))
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
    uint64_t budget = INV_ARG(inv, SCHED_CONTROL_CONFIGURE, budget_us);
    uint64_t period = INV_ARG(inv, SCHED_CONTROL_CONFIGURE, period_us);
    if (period < SC_MIN_BUDGET_US || period > SC_MAX_PERIOD_US)
        return syscall_error(COFFER_ERR_RANGE_ERROR, SC_MIN_BUDGET_US, SC_MAX_PERIOD_US);
    if (budget < SC_MIN_BUDGET_US || budget > period)
        return syscall_error(COFFER_ERR_RANGE_ERROR, SC_MIN_BUDGET_US, period);

    struct sched_context *sc = sched_context_of_cap(&s->cap);
    if (sc->throttled)
        release_remove(sc);
    sc->throttled = 0;
    sc->budget = sched_us_to_ticks(budget);
    sc->period = sched_us_to_ticks(period);
    sc->remaining = sc->budget;
    sc->release = arch_time_now() + sc->period;
    sched_deadline_changed();
    if (sc->thread != NULL && sched_can_run(sc->thread))
        sched_enqueue(sc->thread);
    return syscall_ok(0, 0);
}

/* CONSUMED (needs READ): detail0 = microseconds charged so far, detail1 =
 * in time ticks. */
struct coffer_result sched_context_invoke(struct invocation *inv)
{
    if (inv->label != COFFER_INV_SCHED_CONTEXT_CONSUMED || !(inv->slot->cap.rights & CAP_RIGHT_READ))
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    /* Charged up to this kernel entry, this call's included. */
    const struct sched_context *sc = sched_context_of_cap(&inv->slot->cap);
    return syscall_ok(sched_ticks_to_us(sc->consumed), sc->consumed);
}
