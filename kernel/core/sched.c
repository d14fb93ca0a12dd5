/*
 * Ready queues, time charging and the run loop (sched.h).
 */
#include "sched.h"
#include "thread_queue.h"
#include "arch.h"
#include "fault.h"
#include "kprintf.h"
#include "sched_context.h"
#include "vspace.h"

struct thread *current_thread;

static struct wait_queue ready[SCHED_PRIORITIES];
/* Bit p set <=> ready[p] is not empty. */
static uint64_t ready_map[SCHED_PRIORITIES / 64];

static uint64_t next_deadline(const struct thread *t);

static uint64_t last_charge;   /* when time was last charged */
static uint64_t slice_end;     /* the next round-robin tick */
static struct thread *last_run; /* the thread the kernel last returned to */
static uint64_t switches;
/* Something the next timer deadline depends on changed (sched.h). */
static bool deadline_dirty;
/* The scheduling context the timer deadline was last computed for. */
static const struct sched_context *last_sc;

bool sched_can_run(const struct thread *t)
{
    return t->state == THREAD_RUNNABLE && t->sc != NULL && t->sc->budget != 0 &&
           !t->sc->throttled;
}

bool sched_is_queued(const struct thread *t)
{
    return t->in_ready != 0;
}

void sched_enqueue(struct thread *t)
{
    if (sched_is_queued(t))
        return;
    wq_append(&ready[t->priority], t);
    t->in_ready = 1;
    ready_map[t->priority / 64] |= 1ull << (t->priority % 64);
}

void sched_enqueue_front(struct thread *t)
{
    if (sched_is_queued(t))
        return;
    wq_prepend(&ready[t->priority], t);
    t->in_ready = 1;
    ready_map[t->priority / 64] |= 1ull << (t->priority % 64);
}

void sched_dequeue(struct thread *t)
{
    if (!sched_is_queued(t))
        return;
    struct wait_queue *q = &ready[t->priority];
    wq_remove(q, t);
    t->in_ready = 0;
    if (q->head == NULL)
        ready_map[t->priority / 64] &= ~(1ull << (t->priority % 64));
}

/* The highest set bit of x != 0 (RV64IMAC has no count-leading-zeros). */
static unsigned top_bit(uint64_t x)
{
    unsigned n = 0;
    for (unsigned shift = 32; shift != 0; shift /= 2) {
        if (x >> shift) {
            x >>= shift;
            n += shift;
        }
    }
    return n;
}

static struct thread *highest_ready(void)
{
    for (int w = SCHED_PRIORITIES / 64 - 1; w >= 0; w--)
        if (ready_map[w] != 0)
            return ready[w * 64 + top_bit(ready_map[w])].head;
    return NULL;
}

void sched_yield(void)
{
    struct thread *t = current_thread;
    if (t != NULL && sched_is_queued(t)) {
        sched_dequeue(t);
        sched_enqueue(t);
    }
}

/* t's budget is gone: it waits for its next period (rare: out of line). */
COLD static void budget_spent(struct thread *t)
{
    sched_dequeue(t);
    fault_timeout(t);
}

HOT_INLINE bool sched_charge(void)
{
    uint64_t now = arch_time_now();
    uint64_t used = now - last_charge;
    last_charge = now;
    struct thread *t = current_thread;
    if (t == NULL || t->sc == NULL)
        return true;
    struct sched_context *sc = t->sc;
    if (sc->budget == sc->period) { /* never runs out: just count */
        sc->consumed += used;
        return true;
    }
    if (!sched_context_charge(sc, used))
        return true;
    budget_spent(t);
    return false;
}

void sched_timer_interrupt(void)
{
    deadline_dirty = true;
    uint64_t now = arch_time_now();
    sched_context_release_due(now);
    if (now >= slice_end) {
        sched_yield();
        slice_end = now + sched_us_to_ticks(SCHED_SLICE_US);
    }
}

/* No thread is ready above priority p. */
static inline bool nothing_above(unsigned p)
{
    unsigned w = p / 64;
    if (((ready_map[w] >> (p % 64)) >> 1) != 0)
        return false;
    for (unsigned v = w + 1; v < SCHED_PRIORITIES / 64; v++)
        if (ready_map[v] != 0)
            return false;
    return true;
}

void sched_deadline_changed(void)
{
    deadline_dirty = true;
}

/* Is a thread ready strictly between priorities lo < hi? */
static bool ready_between(unsigned lo, unsigned hi)
{
    unsigned w = lo / 64, hw = hi / 64;
    uint64_t above_lo = ~((2ull << (lo % 64)) - 1); /* lo % 64 == 63: none */
    uint64_t below_hi = (1ull << (hi % 64)) - 1;
    if (w == hw)
        return (ready_map[w] & above_lo & below_hi) != 0;
    if ((ready_map[w] & above_lo) != 0)
        return true;
    for (unsigned v = w + 1; v < hw; v++)
        if (ready_map[v] != 0)
            return true;
    return (ready_map[hw] & below_hi) != 0;
}

bool sched_would_run(const struct thread *next, const struct thread *leaving)
{
    unsigned p = next->priority, l = leaving->priority;
    /* Nothing is ready above the running thread (sched.h), and next goes
     * in front of its queue. */
    if (p >= l)
        return true;
    /* Below it: leaving must be alone at its priority, and nothing ready
     * between the two. */
    return ready[l].tail == leaving && !ready_between(p, l);
}

void sched_hand_over(struct thread *from, struct thread *to)
{
    struct wait_queue *q = &ready[from->priority];
    struct thread *rest = from->next;
    q->head = rest;
    if (rest != NULL)
        rest->prev = NULL;
    else {
        q->tail = NULL;
        ready_map[from->priority / 64] &= ~(1ull << (from->priority % 64));
    }
    from->next = NULL;
    from->in_ready = 0;
    wq_prepend(&ready[to->priority], to);
    to->in_ready = 1;
    ready_map[to->priority / 64] |= 1ull << (to->priority % 64);
}

void sched_switching_to(struct thread *t, const struct sched_context *was)
{
    if (t != last_run) {
        switches++;
        last_run = t;
    }
    /* A lent context keeps its deadline: the timer stays as it is. */
    if (t->sc != was || deadline_dirty) {
        deadline_dirty = false;
        arch_set_deadline(next_deadline(t));
    }
    last_sc = t->sc;
}

uint64_t sched_context_switches(void)
{
    return switches;
}

/* The next timer interrupt: the end of the slice, of the budget, or the
 * next release, whichever comes first. */
static uint64_t next_deadline(const struct thread *t)
{
    uint64_t deadline = slice_end, release = sched_context_next_release();
    if (release < deadline)
        deadline = release;
    if (t != NULL && t->sc->budget != t->sc->period && last_charge + t->sc->remaining < deadline)
        deadline = last_charge + t->sc->remaining;
    return deadline;
}

/* vspace_epoch when the kernel last entered last_run through the full
 * path (which checks its address space). */
static uint64_t run_epoch;

HOT_INLINE void sched_return(void)
{
    /* Back into the thread that trapped, if it still runs next and no
     * address space changed: no queue scan, no address-space check.  (A
     * function of its own: schedule()'s frame is larger.) */
    struct thread *cur = current_thread;
    if (cur != NULL && cur == last_run && cur->in_ready && ready[cur->priority].head == cur &&
        run_epoch == vspace_epoch && nothing_above(cur->priority)) {
        if (deadline_dirty || cur->sc != last_sc) {
            deadline_dirty = false;
            last_sc = cur->sc;
            arch_set_deadline(next_deadline(cur));
        }
        arch_return_same_vspace(cur);
    }
    schedule();
}

/* Nothing can run: wait for an interrupt.  (Out of line, so that
 * schedule() does not keep registers for this loop on every switch.) */
COLD static void idle(void)
{
    /* Nothing can run, nor will until an interrupt: say so once. */
    if (last_run != NULL && sched_context_next_release() == ~0ull)
        kprintf("coffer: no runnable thread; idle\n");
    current_thread = NULL;
    last_run = NULL;
    deadline_dirty = true; /* the one set here ignores every budget */
    arch_set_deadline(next_deadline(NULL));
    arch_idle();
    last_charge = arch_time_now(); /* idle time is nobody's */
}

void schedule(void)
{
    for (;;) {
        struct thread *t = highest_ready();
        if (t != NULL) {
            if (t != last_run) {
                switches++;
                last_run = t;
            }
            /* The deadline moves only with another context or a change
             * (sched_switching_to() explains why). */
            if (t->sc != last_sc || deadline_dirty) {
                deadline_dirty = false;
                last_sc = t->sc;
                arch_set_deadline(next_deadline(t));
            }
            run_epoch = vspace_epoch;
            arch_run_thread(t);
        }
        idle();
    }
}
