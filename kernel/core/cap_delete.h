/*
 * Deleting capabilities and revoking their descendants.
 *
 * cap_delete() removes one capability.  When it was the last one to its
 * object, the object is finalised and its memory is free in its untyped at
 * once; for a CNode that means deleting everything in it first, which
 * zombie.h does in bounded, preemptible steps.  Deleting an untyped
 * capability leaves its descendants alive: they belong to the next untyped
 * up, whose revoke reclaims them (as in seL4).
 *
 * cap_revoke() deletes the descendants of a capability one at a time,
 * checking for a pending interrupt every REVOKE_BATCH deletions.  When
 * preempted it returns DELETE_PREEMPTED and the system call is restarted
 * after the interrupt: revoke keeps no state of its own, the remaining
 * descendants are simply found again.
 */
#ifndef COFFER_KERNEL_CAP_DELETE_H
#define COFFER_KERNEL_CAP_DELETE_H

#include "cap.h"
#include "zombie.h"

/* Deletions between two preemption checks; a compile-time constant. */
#define REVOKE_BATCH 64

/* Delete the capability in s; tears down a CNode whose last capability it
 * was (and may then be preempted: call again to go on). */
enum delete_status cap_delete(struct slot *s);

/* Remove the capability in s, which needs no teardown: it is not the last
 * capability to a CNode. */
void cap_remove(struct slot *s);

/* Delete every descendant of s.  If a teardown this starts frees the CNode
 * s itself is in, s is gone when this returns DELETE_DONE. */
enum delete_status cap_revoke(struct slot *s);

#endif
