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

#include "arch.h"
#include "cap/cap.h"

enum lookup_failure {
    LOOKUP_INVALID_ROOT = 1,   /* the capability to resolve in is not a CNode */
    LOOKUP_GUARD_MISMATCH = 2, /* the pointer's bits do not match the guard */
    LOOKUP_DEPTH_MISMATCH = 3, /* guard + radix exceed the bits left, or
                                  bits are left at a non-CNode capability */
};

struct lookup_result {
    struct slot *slot;          /* NULL on failure */
    unsigned level;             /* CNodes traversed before the failure (failures only) */
    unsigned bits_left;         /* bits still unresolved at the failure */
    enum lookup_failure failure;
};

#define CPTR_MAX_DEPTH 64

/* The slots of the CNode a capability names. */
static inline struct slot *cnode_slots(const struct cap *cnode)
{
    return arch_phys_to_virt(cnode->object);
}

static inline struct lookup_result cspace_lookup_fail(unsigned level, unsigned bits_left,
                                                      enum lookup_failure why)
{
    return (struct lookup_result){ NULL, level, bits_left, why };
}

/*
 * Resolve exactly `depth` bits of cptr starting at the CNode capability
 * root, through any number of levels: the walk behind cspace_lookup, out
 * of line (cspace.c) so that the inlined common cases stay small.
 */
struct lookup_result cspace_walk(const struct cap *root, uint64_t cptr, unsigned depth);

/*
 * The two common shapes at full depth, in line: a CSpace whose root
 * CNode's guard and radix take all 64 bits (one level), or whose guarded
 * root leads to leaves that take the rest (two: a server's CSpace that
 * grows by leaves, lib/cspace).  The slot, or NULL for anything else --
 * another shape or a failure -- which cspace_walk then resolves or
 * explains.  The IPC fast path uses this alone and leaves the rest to
 * the general path: a call would cost it a stack frame every time.
 */
static HOT_INLINE struct slot *cspace_lookup_quick(const struct cap *root, uint64_t cptr)
{
    if (root->type != CAP_CNODE)
        return NULL;
    unsigned radix = root->size_bits, width = root->guard_bits + radix;
    if (width == 64)
        return cptr >> radix == root->data ? &cnode_slots(root)[cptr & ((1ull << radix) - 1)] : NULL;
    if (width > 64)
        return NULL;
    unsigned low = 64 - width;
    uint64_t field = cptr >> low, rest = cptr & ((1ull << low) - 1);
    if (field >> radix != root->data)
        return NULL;
    const struct cap *leaf = &cnode_slots(root)[field & ((1ull << radix) - 1)].cap;
    if (leaf->type != CAP_CNODE || leaf->guard_bits + leaf->size_bits != low || rest >> leaf->size_bits != leaf->data)
        return NULL;
    return &cnode_slots(leaf)[rest & ((1ull << leaf->size_bits) - 1)];
}

/*
 * Resolve exactly `depth` bits of cptr starting at the CNode capability
 * root.  Succeeds only if the bits run out exactly at a slot (which may
 * be empty).  depth must be in [1, 64] (the caller checks: RANGE_ERROR).
 * Inline: every invocation makes two to four lookups, and the result then
 * stays in registers.
 */
static HOT_INLINE struct lookup_result cspace_lookup(const struct cap *root, uint64_t cptr,
                                                     unsigned depth)
{
    struct slot *quick = depth == 64 ? cspace_lookup_quick(root, cptr) : NULL;
    if (quick != NULL)
        return (struct lookup_result){ quick, 0, 0, 0 }; /* level: for failures only */
    return cspace_walk(root, cptr, depth);
}

#endif
