/*
 * Receive deadlines: a RECV may say when to stop waiting (syscalls.def).
 * The threads waiting with one are on a list through their TCBs, earliest
 * first, so a deadline costs no memory of its own -- the waiter pays with
 * the TCB it already has.  The timer fires at the earliest one
 * (sched.c), and a thread whose deadline passes leaves its wait with
 * TIMED_OUT.  Any other end of the wait (a message, a signal, a cancel,
 * the thread's death) takes it off the list first.
 *
 * Invariants:
 *  - t->deadline != 0  <=>  t is on the list;
 *  - a thread on the list is BLOCKED_RECV or BLOCKED_NOTIFICATION;
 *  - the list is sorted by deadline.
 */
#ifndef COFFER_KERNEL_TIMEOUT_H
#define COFFER_KERNEL_TIMEOUT_H

#include "thread/thread.h"

/* t, which has just blocked in a receive, stops waiting at `deadline`
 * (time-CSR ticks, not 0). */
void timeout_arm(struct thread *t, uint64_t deadline);

/* t, on the list, leaves it. */
void timeout_remove(struct thread *t);

/* t's wait ended otherwise: off the list (nothing if not on it). */
static inline void timeout_disarm(struct thread *t)
{
    if (t->deadline != 0)
        timeout_remove(t);
}

/* The timer: every thread whose deadline is at or before now leaves its
 * wait with TIMED_OUT. */
void timeout_expire_due(uint64_t now);

/* The list, earliest first (timeout.c keeps it). */
extern struct thread *timeout_list;

/* The earliest deadline, or ~0 (every timer setting asks: in line). */
static inline uint64_t timeout_next(void)
{
    return timeout_list != NULL ? timeout_list->deadline : ~0ull;
}

/* The list's first thread (the invariant checks walk it). */
static inline const struct thread *timeout_first(void)
{
    return timeout_list;
}

#endif
