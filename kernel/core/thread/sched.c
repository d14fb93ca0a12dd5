/*
 * Ready queues, time charging and the run loop (sched.h).
 */
#include "thread/sched.h"
#include "thread/thread_queue.h"
#include "arch.h"
#include "thread/fault.h"
#include "support/kprintf.h"
#include "thread/sched_context.h"
#include "thread/timeout.h"
#include "object/vspace.h"

struct thread *current_thread;

static struct wait_queue ready[SCHED_PRIORITIES];
/* Bit p set <=> ready[p] is not empty. */
static uint64_t ready_map[SCHED_PRIORITIES / 64];
/* The highest p with ready[p] not empty, -1 if all are: the fast path's
 * and the return path's question "is anything ready above?" in one
 * comparison.  Raised by enqueue, found again from the bitmap only when a
 * dequeue empties the top queue. */
static int ready_top = -1;

static uint64_t next_deadline(const struct thread *t);

static uint64_t last_charge;   /* when time was last charged */
static uint64_t slice_end;     /* the next round-robin tick */
static struct thread *last_run; /* the thread the kernel last returned to */
static uint64_t switches;
/* Something the next timer deadline depends on changed (sched.h). */
static bool deadline_dirty;
/* The scheduling context the timer deadline was last computed for. */
static const struct sched_context *last_sc;

HOT_INLINE bool sched_can_run(const struct thread *t)
{
    return t->state == THREAD_RUNNABLE && t->sc != NULL && t->sc->budget != 0 &&
           !t->sc->throttled;
}

bool sched_is_queued(const struct thread *t)
{
    return t->in_ready != 0;
}

/* t goes into a queue that may have been empty. */
static inline void mark_ready(const struct thread *t)
{
    ready_map[t->priority / 64] |= 1ull << (t->priority % 64);
    if (t->priority > ready_top)
        ready_top = t->priority;
}

void sched_enqueue(struct thread *t)
{
    if (sched_is_queued(t))
        return;
    wq_append(&ready[t->priority], t);
    t->in_ready = 1;
    mark_ready(t);
}

void sched_enqueue_front(struct thread *t)
{
    if (sched_is_queued(t))
        return;
    wq_prepend(&ready[t->priority], t);
    t->in_ready = 1;
    mark_ready(t);
}

/*
 * The highest set bit of x != 0, without branches (RV64IMAC has no
 * count-leading-zeros): smear it into every bit below, keep only it, and
 * find its position by a de Bruijn multiplication -- the top six bits of
 * (1 << i) * DE_BRUIJN_64 differ for every i, and the table inverts them.
 */
#define DE_BRUIJN_64 0x022fdd63cc95386dull
static unsigned top_bit(uint64_t x)
{
    static const uint8_t position[64] = {
        0,  1,  2,  53, 3,  7,  54, 27, 4,  38, 41, 8,  34, 55, 48, 28,
        62, 5,  39, 46, 44, 42, 22, 9,  24, 35, 59, 56, 49, 18, 29, 11,
        63, 52, 6,  26, 37, 40, 33, 47, 61, 45, 43, 21, 23, 58, 17, 10,
        51, 25, 36, 32, 60, 20, 57, 16, 50, 31, 19, 15, 30, 14, 13, 12,
    };
    x |= x >> 1;
    x |= x >> 2;
    x |= x >> 4;
    x |= x >> 8;
    x |= x >> 16;
    x |= x >> 32;
    x ^= x >> 1;
    return position[(x * DE_BRUIJN_64) >> 58];
}

/* ready_top from the bitmap, after the top queue emptied. */
static int find_ready_top(void)
{
    for (int w = SCHED_PRIORITIES / 64 - 1; w >= 0; w--)
        if (ready_map[w] != 0)
            return w * 64 + (int)top_bit(ready_map[w]);
    return -1;
}

void sched_dequeue(struct thread *t)
{
    if (!sched_is_queued(t))
        return;
    struct wait_queue *q = &ready[t->priority];
    wq_remove(q, t);
    t->in_ready = 0;
    if (q->head == NULL) {
        ready_map[t->priority / 64] &= ~(1ull << (t->priority % 64));
        if (t->priority == ready_top)
            ready_top = find_ready_top();
    }
}

void sched_yield(void)
{
    struct thread *t = current_thread;
    if (t == NULL || !sched_can_run(t))
        return;
    if (sched_is_queued(t))
        sched_dequeue(t);
    else if (ready[t->priority].head == NULL)
        return; /* alone at its priority: it stays at the head */
    sched_enqueue(t);
}

/* t's budget is gone: it waits for its next period (rare: out of line). */
COLD static void budget_spent(struct thread *t)
{
    sched_dequeue(t);
    fault_timeout(t);
}

/* The time since the last charge, which is now. */
static inline uint64_t time_to_charge(void)
{
    uint64_t now = arch_time_now();
    uint64_t used = now - last_charge;
    last_charge = now;
    return used;
}

HOT_INLINE bool sched_charge(void)
{
    uint64_t used = time_to_charge();
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

HOT_INLINE bool sched_running_covers(const struct sched_context *sc, uint64_t ticks)
{
    if (sc->budget == sc->period)
        return true;
    uint64_t used = arch_time_now() - last_charge;
    return sc->remaining > used && sc->remaining - used >= ticks;
}

void sched_timer_interrupt(void)
{
    deadline_dirty = true;
    uint64_t now = arch_time_now();
    sched_context_release_due(now);
    timeout_expire_due(now);
    if (now >= slice_end) {
        sched_yield();
        slice_end = now + sched_us_to_ticks(SCHED_SLICE_US);
    }
}

void sched_deadline_changed(void)
{
    deadline_dirty = true;
}

HOT_INLINE bool sched_would_run(const struct thread *next)
{
    /* It would go in front of its queue: nothing may be ready above. */
    return (int)next->priority >= ready_top;
}

HOT_INLINE bool sched_current_stays(void)
{
    const struct thread *t = current_thread;
    return t != NULL && !sched_is_queued(t) && sched_can_run(t) && (int)t->priority >= ready_top;
}

struct thread *sched_pick(void)
{
    struct thread *cur = current_thread;
    /* Still able to run, but not chosen (or not yet known to be): back
     * to the head of its queue, where it was while it ran. */
    if (cur != NULL && !sched_is_queued(cur) && sched_can_run(cur))
        sched_enqueue_front(cur);
    if (ready_top < 0)
        return NULL;
    struct thread *t = ready[ready_top].head;
    sched_dequeue(t);
    current_thread = t;
    return t;
}

/* The time since the last charge goes to sc, which the thread that
 * trapped ran on; that thread is blocked now, so a budget this spends
 * only throttles the context (no timeout fault: nothing is running). */
static void charge_context(struct sched_context *sc)
{
    sched_context_charge(sc, time_to_charge());
}

HOT_INLINE void sched_switching_to(struct thread *t, struct sched_context *was)
{
    if (t != last_run) {
        switches++;
        last_run = t;
    }
    /* A lent context keeps its deadline and its time keeps running: no
     * charge, and the timer stays as it is. */
    if (t->sc != was || deadline_dirty) {
        if (t->sc != was)
            charge_context(was);
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
    uint64_t deadline = slice_end, release = sched_context_next_release(), wake = timeout_next();
    if (release < deadline)
        deadline = release;
    if (wake < deadline)
        deadline = wake;
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
     * address space changed: no queue change, no address-space check.
     * (Apart from schedule(): its frame is larger.) */
    struct thread *cur = current_thread;
    if (sched_current_stays() && cur == last_run && run_epoch == vspace_epoch) {
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
    /* Nothing can run, nor will until an interrupt: say so, once a boot
     * (a system waiting for its keyboard is here at every keystroke). */
    static bool said;
    if (!said && last_run != NULL && sched_context_next_release() == ~0ull && timeout_next() == ~0ull) {
        kprintf("coffer: no runnable thread; idle\n");
        said = true;
    }
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
        struct thread *t = sched_pick();
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
