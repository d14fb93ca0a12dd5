/*
 * Deleting capabilities and revoking their descendants.
 *
 * cap_delete() removes one capability.  When it was the last one to its
 * object, the object dies: its memory is zeroed and is free in its untyped
 * at once.  Free memory in a RAM untyped is therefore always zero (boot
 * zeroes it first), so retype never has to clear anything.  Work that is
 * not bounded -- a CNode's contents, a frame larger than ZERO_CHUNK --
 * goes in preemptible steps through a zombie (zombie.h).
 *
 * Deleting an untyped capability leaves its descendants alive: they belong
 * to the next untyped up, whose revoke reclaims them (as in seL4).  Device
 * memory is never zeroed.
 *
 * cap_revoke() deletes the descendants of a capability one at a time,
 * checking for a pending interrupt every REVOKE_BATCH deletions.  When
 * preempted it returns DELETE_PREEMPTED and the system call is restarted
 * after the interrupt: revoke keeps no state of its own, the remaining
 * descendants are simply found again.
 */
#ifndef COFFER_KERNEL_CAP_DELETE_H
#define COFFER_KERNEL_CAP_DELETE_H

#include "cap/cap.h"
#include "cap/zombie.h"

/* Deletions between two preemption checks; a compile-time constant. */
#define REVOKE_BATCH 64

/* Descendants a revoke passes over to delete the batchable ones before
 * them first (cap_delete.c: revoke_next). */
#define REVOKE_PASS_OVER 16

/* Bytes of a dying object zeroed between two preemption checks; objects
 * up to this size are zeroed at once. */
#define ZERO_CHUNK (64ull * 1024)

/* Delete the capability in s; finishes the object's death if it was the
 * last capability (and may then be preempted: call again to go on). */
enum delete_status cap_delete(struct slot *s);

/* Begin deleting s: if the deletion is bounded work it is done and this
 * returns true; otherwise s is now (or already was) a zombie, for
 * zombie_reduce() to finish. */
bool cap_delete_begin(struct slot *s);

/* cap_delete_begin inside a revoke of the untyped revoking (NULL: none):
 * an object whose memory lies in it is not accounted, since the revoke
 * sets the untyped's count to 0 when it ends and every untyped in between
 * dies in it too. */
bool cap_delete_begin_in(struct slot *s, const struct cap *revoking);

/* Does c's object lie inside the untyped revoking (NULL: no)? */
bool cap_object_inside(const struct cap *revoking, const struct cap *c);

/* Would deleting s be one bounded step that changes no other slot (it is
 * not the last capability to a CNode, TCB or large frame, nor a zombie)? */
bool cap_delete_is_bounded(const struct slot *s);

/* s, the last capability to its object (or the zombie finishing it), is
 * about to go: the untyped the object was carved from counts its bytes as
 * free again (slot.used; an untyped's own count passes to its parent). */
void cap_memory_returns(struct slot *s);

/* Take the capability in s out of the tree and clear the slot, with no
 * finalisation: for capabilities that are not the last to their object. */
void cap_remove(struct slot *s);

/* Delete every descendant of s.  If a teardown this starts frees the CNode
 * s itself is in, s is gone when this returns DELETE_DONE. */
enum delete_status cap_revoke(struct slot *s);

#endif
