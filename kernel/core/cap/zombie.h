/*
 * Object deaths that take unbounded work: CNodes that still hold
 * capabilities, and frames too large to zero at once (cap_delete.h).
 *
 * A dying frame is simple: its zombie's cursor counts the bytes not yet
 * zeroed, and each step zeroes ZERO_CHUNK of them.  So is a dying endpoint
 * or notification that threads wait on: each step wakes one of them with
 * ABORTED, and the last zeroes the object.  The rest of this
 * comment is about CNodes; a dying TCB is torn down the same way, as a
 * CNode of its TCB_SLOTS capability slots (thread.h), once thread_dies()
 * has zeroed the rest of it.
 *
 * Deleting the last capability to a CNode must delete everything in it,
 * and what is in it may be the last capability to another CNode (a chain
 * as long as memory allows), to the CNode itself, or to a CNode that holds
 * the last capability back (a cycle).  The kernel has no memory to keep a
 * work list in and a bounded stack, so the state of a teardown lives in
 * the dying objects themselves:
 *
 *   - the last capability turns, in its slot, into a *zombie* capability
 *     (CAP_ZOMBIE) that still owns the CNode's memory: it stays in the
 *     derivation tree, so nothing can be retyped over it;
 *   - the zombie's data is a cursor: slots at and above it are empty, so
 *     a teardown clears the CNode from its last slot down;
 *   - a slot whose capability is the last one to another CNode becomes a
 *     zombie in its turn, and the teardown descends into it; the path back
 *     up is kept, for one kernel entry, in the slots' mapping words.
 *
 * Every step is bounded; between steps the teardown checks for a pending
 * interrupt every ZOMBIE_BATCH slots and, if there is one, stops.  Nothing
 * needs to be remembered across the stop: re-invoking the deletion finds
 * the zombie again and descends the same way (the next slot of a zombie
 * holding a zombie means "that one first").  Descending again into
 * zombies that were already there does not count towards the batch, so
 * every kernel entry makes progress; the price is that a restart inside
 * k nested CNodes first walks k levels.
 *
 * Cycles.  A CNode can hold the last capability to itself, or CNodes can
 * hold each other's.  A teardown meets the zombie it started from (the
 * *top*) inside a CNode it is clearing; it skips that slot and records
 * its index in the zombie ("held").  When that CNode is otherwise empty,
 * the two zombies swap slots: the finished one moves into its own memory
 * and is freed with it, the unfinished one takes the freed one's old
 * place, where its parent finds it next.  The model test (test_teardown_model)
 * checks every byte against a reference that computes what dies as a
 * fixpoint.
 */
#ifndef COFFER_KERNEL_ZOMBIE_H
#define COFFER_KERNEL_ZOMBIE_H

#include "cap/cap.h"

/* Slots examined (or one chunk zeroed) between two preemption checks; a
 * compile-time constant. */
#define ZOMBIE_BATCH 64
/* Waking a waiter of a dying endpoint or notification counts as this many
 * slots (a wake-up costs a few times a slot's clearing). */
#define ZOMBIE_WAITER_WORK 4

enum delete_status {
    DELETE_DONE,
    DELETE_PREEMPTED, /* an interrupt is pending: restart the call */
};

/* Turn s -- the last capability to a CNode or frame -- into a zombie for it. */
void zombie_make(struct slot *s);

/* Continue tearing down the zombie in top until it and everything it
 * owns is gone, or until preempted.  revoking: the untyped a revoke is
 * emptying, whose objects need no accounting (cap_delete_begin_in), or
 * NULL. */
enum delete_status zombie_reduce(struct slot *top, const struct cap *revoking);

/* The zombie's cursor: slots left to clear, or bytes left to zero. */
uint64_t zombie_slots_left(const struct cap *z);

#endif
