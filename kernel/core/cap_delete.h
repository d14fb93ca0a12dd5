/*
 * Deleting capabilities and revoking their descendants.
 *
 * cap_delete() removes one capability; when it was the last one to its
 * object, the object is finalised (its type's hook runs) and its memory
 * becomes free in its untyped at once.  cap_revoke() deletes the
 * descendants of a capability one at a time, checking for a pending
 * interrupt every REVOKE_BATCH deletions: when preempted it returns
 * false and the system call is restarted after the interrupt, continuing
 * where it stopped (revoke keeps no state of its own: the remaining
 * descendants are simply the first ones again).
 */
#ifndef COFFER_KERNEL_CAP_DELETE_H
#define COFFER_KERNEL_CAP_DELETE_H

#include "cap.h"
#include <coffer/abi.h>

/* Work done between two preemption checks; a compile-time constant. */
#define REVOKE_BATCH 64

/* Can s be deleted now?  OK, or REVOKE_FIRST for an untyped that still has
 * descendants (its memory is in use), or for the last capability to a CNode
 * that still holds capabilities. */
coffer_error_t cap_delete_check(const struct slot *s);
/* Delete the capability in s (which must pass cap_delete_check). */
void cap_delete(struct slot *s);

enum revoke_status {
    REVOKE_DONE,
    REVOKE_PREEMPTED, /* an interrupt is pending: restart the call */
    REVOKE_BLOCKED,   /* a descendant is the last capability to a CNode that
                         still holds capabilities: empty it first */
};

/* Delete every descendant of s. */
enum revoke_status cap_revoke(struct slot *s);

#endif
