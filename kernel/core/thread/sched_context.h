/*
 * Scheduling contexts: CPU time as an object.
 *
 * A scheduling context (256 bytes, retyped from untyped) holds a budget
 * and a period, given by the scheduling-control capability.  The policy is
 * a periodic server with one refill: at the start of each period the
 * budget is full again; once it is spent, whoever runs on the context
 * waits for the next period.  (seL4 MCS keeps a list of sporadic refills
 * instead; one refill is enough to bound a client, and simple to reason
 * about.)  Times are kept in ticks of the time CSR; the ABI speaks
 * microseconds.
 *
 * A context is bound to at most one thread (its *home*), and runs at most
 * one thread: its home, or a passive server it was lent to along a call.
 * Loans nest: a passive server running on a lent context may call another
 * passive server and lend it on.  `lent_via` is the latest loan's reply
 * object; each reply object on the chain links to the one below it
 * (`lent_prev`), so a reply gives the context back one level, and the
 * death of a reply object in the middle ends the loans above it too.
 *
 * Invariants:
 *  - sc->thread == t  <=>  t->sc == sc;
 *  - sc->home == t    <=>  t->home_sc == sc;
 *  - throttled  <=>  sc is on the release queue (remaining == 0).
 */
#ifndef COFFER_KERNEL_SCHED_CONTEXT_H
#define COFFER_KERNEL_SCHED_CONTEXT_H

#include "object/invoke.h"
#include "thread/ipc.h"
#include "thread/thread.h"

struct sched_context {
    uint64_t budget;      /* ticks per period; 0: not configured (cannot run) */
    uint64_t period;      /* ticks */
    uint64_t remaining;   /* ticks of budget left in this period */
    uint64_t release;     /* when the next period starts */
    uint64_t consumed;    /* ticks charged since it was made */
    struct thread *thread; /* the thread running on it, or NULL */
    struct thread *home;   /* the thread it is bound to, or NULL */
    struct reply *lent_via; /* the latest loan's reply object, or NULL */
    struct sched_context *release_next; /* the release queue, by time */
    uint8_t throttled;
};

STATIC_ASSERT(sizeof(struct sched_context) <= 256, "a scheduling context fits its object");

static inline struct sched_context *sched_context_of_cap(const struct cap *c)
{
    return (struct sched_context *)arch_phys_to_virt(c->object);
}

/* sc stops running `from` and runs `to` (which has none).  No queue
 * changes: the callers know both threads' queue state. */
static inline void sched_context_move(struct sched_context *sc, struct thread *from,
                                      struct thread *to)
{
    from->sc = NULL;
    to->sc = sc;
    sc->thread = to;
}

/* The chain of loans (struct reply): r becomes the latest, or r, the
 * latest, ends. */
static inline void sched_context_loan_push(struct sched_context *sc, struct reply *r)
{
    r->lent_prev = sc->lent_via;
    sc->lent_via = r;
    r->lent = sc;
}

static inline void sched_context_loan_pop(struct sched_context *sc, struct reply *r)
{
    sc->lent_via = r->lent_prev;
    r->lent = NULL;
    r->lent_prev = NULL;
}

/* Bounds of SCHED_CONTROL_CONFIGURE (microseconds). */
#define SC_MIN_BUDGET_US 100
#define SC_MAX_PERIOD_US 3600000000ull /* one hour */

/* Give t its home context sc (both free), or take it back (sc NULL). */
void sched_context_bind(struct thread *t, struct sched_context *sc);
/* Lend caller's context to the passive thread server along reply r, and
 * give it back. */
void sched_context_lend(struct thread *caller, struct thread *server, struct reply *r);
/* Give back what was lent along r (and end the loans above it): to
 * `caller`, or, if the caller is gone, one level further down, or home. */
void sched_context_return(struct reply *r, struct thread *caller);
/* The last capability to sc is going. */
void sched_context_dies(struct sched_context *sc);

/* Charge `ticks` to sc; true if its budget is gone. */
bool sched_context_charge(struct sched_context *sc, uint64_t ticks);
/* sc gives up what is left of its period: throttled until the next, as if
 * spent, but no timeout fault (ENSURE_BUDGET, a call turned back). */
void sched_context_give_up(struct sched_context *sc);
/* Has sc `ticks` of budget left in its period?  Its remaining budget as
 * last charged (so: a context not running, or charged at this entry), or a
 * full budget if its next period has begun. */
bool sched_context_covers(const struct sched_context *sc, uint64_t ticks);
/* Refill the contexts whose period has come; they run again. */
void sched_context_release_due(uint64_t now);
/* The earliest pending release, or ~0. */
uint64_t sched_context_next_release(void);

/* What the scheduling-control capability names (a kernel object of 64
 * bytes that holds nothing). */
paddr_t sched_control_object(void);

/* The root task's context, made at boot from boot memory. */
void sched_context_boot(struct sched_context *sc, struct thread *t);

struct coffer_result sched_control_invoke(struct invocation *inv);
struct coffer_result sched_context_invoke(struct invocation *inv);

/* Conversions between microseconds and time ticks. */
uint64_t sched_us_to_ticks(uint64_t us);
uint64_t sched_ticks_to_us(uint64_t ticks);

#endif
