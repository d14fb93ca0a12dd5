/*
 * CSpace addressing: finding a slot from a capability pointer.
 *
 * A CSpace is a tree of CNodes.  A capability pointer (cptr) is a 64-bit
 * number read from the most significant end of its `depth` low bits: each
 * CNode on the way consumes first its guard (guard_bits bits that must
 * equal the CNode capability's guard value) and then radix bits (log2 of
 * its slot count) that index a slot.  If bits remain and the slot holds a
 * CNode capability, resolution continues in that CNode.  This is seL4's
 * scheme: it lets a process grow its CSpace by adding CNodes it retyped
 * from its own untyped, and lets a small CSpace use short pointers.
 */
#ifndef COFFER_KERNEL_CSPACE_H
#define COFFER_KERNEL_CSPACE_H

#include "cap.h"

enum lookup_failure {
    LOOKUP_INVALID_ROOT = 1,   /* the capability to resolve in is not a CNode */
    LOOKUP_GUARD_MISMATCH = 2, /* the pointer's bits do not match the guard */
    LOOKUP_DEPTH_MISMATCH = 3, /* guard + radix exceed the bits left, or
                                  bits are left at a non-CNode capability */
};

struct lookup_result {
    struct slot *slot;          /* NULL on failure */
    unsigned level;             /* CNodes traversed before the failure */
    unsigned bits_left;         /* bits still unresolved at the failure */
    enum lookup_failure failure;
};

#define CPTR_MAX_DEPTH 64

/*
 * Resolve exactly `depth` bits of cptr starting at the CNode capability
 * root.  Succeeds only if the bits run out exactly at a slot (which may
 * be empty).  depth must be in [1, 64] (the caller checks: RANGE_ERROR).
 */
struct lookup_result cspace_lookup(const struct cap *root, uint64_t cptr, unsigned depth);

/* The slots of the CNode a capability names. */
struct slot *cnode_slots(const struct cap *cnode);

#endif
