/*
 * The scheduler: 256 fixed priorities, round robin within a priority,
 * and CPU time as a resource held in scheduling contexts.
 *
 * Every runnable thread that can run (it has a scheduling context with
 * budget left) is in the ready queue of its priority -- except the
 * running thread (current_thread), which leaves its queue when it is
 * entered and counts as being at the head of it (as seL4's "lazy"
 * scheduling: a thread that blocks, or hands the CPU to another in the
 * IPC fast path, changes no queue).  Whoever stops the running thread
 * while it can still run puts it back at the head (sched_pick); any other
 * queue operation on it is the ordinary one.  A bitmap of non-empty
 * queues and the highest non-empty priority (ready_top) answer "is
 * anything ready above?" in one comparison.  A round-robin tick every
 * SCHED_SLICE_US moves the running thread behind the others of its
 * priority; yield does the same at once.  The tick is global, not per
 * thread, so that switching threads (every IPC) does not move the next
 * timer interrupt: reprogramming the timer is an SBI call, hundreds of
 * instructions.
 *
 * Time is charged at every kernel entry to the scheduling context the
 * running thread runs on (sched_context.h): its own, or one lent to it by
 * a caller.  (The IPC fast path charges only when the context changes:
 * fastpath.c says why nothing is lost.)  When the budget is gone the
 * thread leaves the ready queue until the context's next period (a
 * timeout fault goes to its timeout handler first, if it has one).
 */
#ifndef COFFER_KERNEL_SCHED_H
#define COFFER_KERNEL_SCHED_H

#include "thread/thread.h"

#define SCHED_PRIORITIES 256
#define SCHED_SLICE_US 10000 /* round-robin time slice: 10 ms */

void sched_enqueue(struct thread *t);  /* at the tail of its priority */
void sched_enqueue_front(struct thread *t);
void sched_dequeue(struct thread *t);
/* Does t belong in the ready queue (runnable, with budget)? */
bool sched_can_run(const struct thread *t);
/* Whether t is in a ready queue now. */
bool sched_is_queued(const struct thread *t);

/* Move the running thread behind the others of its priority. */
void sched_yield(void);

/* Charge the time since the last charge to the running thread's
 * scheduling context.  Returns false if its budget is gone: the thread
 * must not do anything more in this period (its trap is retried later). */
bool sched_charge(void);

/* Has sc, the context the running thread runs on, `ticks` left now (its
 * budget as last charged, less the time since)?  The IPC fast path's
 * check of a loan minimum: false when unsure (a period may have begun),
 * and the general path decides. */
struct sched_context;
bool sched_running_covers(const struct sched_context *sc, uint64_t ticks);

/* A timer interrupt: release refilled contexts, rotate the slice. */
void sched_timer_interrupt(void);

/* How many times the kernel returned into another thread than before. */
uint64_t sched_context_switches(void);

/* The next timer deadline must be computed again: the release queue, a
 * budget or a period changed (sched_context.c calls this). */
void sched_deadline_changed(void);

/* Would `next` (not queued) run if it went in front of its queue and the
 * running thread blocked?  Yes unless a thread is ready above it. */
bool sched_would_run(const struct thread *next);

/* Does the running thread run on after its trap (it can run, and nothing
 * is ready above it)? */
bool sched_current_stays(void);

/* Choose the thread to run: the running thread, if it can still run,
 * goes back to the head of its queue; the head of the highest non-empty
 * queue leaves it and becomes current_thread.  NULL (and nothing
 * changed but the first step) if no thread can run. */
struct thread *sched_pick(void);

/* The fast path's switch (fastpath.c): count it and, if t runs on
 * another scheduling context than `was` (the one the thread that trapped
 * ran on), charge `was` the time so far and set the timer for t. */
struct sched_context;
void sched_switching_to(struct thread *t, struct sched_context *was);

/* After a trap from user mode: back into the thread that trapped if it
 * still runs next (the common case, kept short), else schedule(). */
__attribute__((noreturn)) void sched_return(void);

/* Return to the highest-priority thread that can run, or idle. */
__attribute__((noreturn)) void schedule(void);

#endif
