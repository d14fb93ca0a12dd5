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
    unsigned level;             /* CNodes traversed before the failure */
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
 * root.  Succeeds only if the bits run out exactly at a slot (which may
 * be empty).  depth must be in [1, 64] (the caller checks: RANGE_ERROR).
 * Inline: every invocation makes two to four lookups, and the result then
 * stays in registers.
 */
static HOT_INLINE struct lookup_result cspace_lookup(const struct cap *root, uint64_t cptr,
                                                     unsigned depth)
{
    /* The common case first: a full-depth pointer into a CSpace whose
     * root CNode's guard and radix take all 64 bits (one level).  The
     * same steps as the loop's first round, with the shifts by what is
     * left folded away. */
    if (depth == 64 && root->type == CAP_CNODE && root->guard_bits + root->size_bits == 64) {
        unsigned radix = root->size_bits;
        if (cptr >> radix != root->data)
            return cspace_lookup_fail(0, 64, LOOKUP_GUARD_MISMATCH);
        return (struct lookup_result){ &cnode_slots(root)[cptr & ((1ull << radix) - 1)], 1, 0, 0 };
    }
    /* The next most common: two levels, a guarded root and leaves whose
     * guard and radix take exactly the bits the root leaves (a server's
     * CSpace that grows by leaves, lib/cspace).  Anything else — other
     * depths, a leaf of another width, a failure — takes the loop. */
    if (depth == 64 && root->type == CAP_CNODE && root->guard_bits + root->size_bits < 64) {
        unsigned radix = root->size_bits, low = 64 - (root->guard_bits + radix);
        uint64_t field = cptr >> low;
        if (field >> radix == root->data) {
            const struct cap *leaf = &cnode_slots(root)[field & ((1ull << radix) - 1)].cap;
            uint64_t rest = cptr & ((1ull << low) - 1);
            if (leaf->type == CAP_CNODE && leaf->guard_bits + leaf->size_bits == low &&
                rest >> leaf->size_bits == leaf->data)
                return (struct lookup_result){ &cnode_slots(leaf)[rest & ((1ull << leaf->size_bits) - 1)], 2,
                                               0, 0 };
        }
    }
    const struct cap *node = root;
    unsigned bits_left = depth;
    for (unsigned level = 0;; level++) {
        if (node->type != CAP_CNODE)
            return cspace_lookup_fail(level, bits_left, LOOKUP_INVALID_ROOT);
        /* This level consumes guard and radix bits together: one field
         * of 1..64 bits (radix >= 1), so the shift stays below 64. */
        unsigned radix = node->size_bits, width = node->guard_bits + radix;
        if (width > bits_left)
            return cspace_lookup_fail(level, bits_left, LOOKUP_DEPTH_MISMATCH);
        bits_left -= width;
        uint64_t field = cptr >> bits_left;
        if (width < 64)
            field &= (1ull << width) - 1;
        if (field >> radix != node->data)
            return cspace_lookup_fail(level, bits_left + width, LOOKUP_GUARD_MISMATCH);
        struct slot *slot = &cnode_slots(node)[field & ((1ull << radix) - 1)];
        if (bits_left == 0)
            return (struct lookup_result){ slot, level + 1, 0, 0 };
        if (slot->cap.type != CAP_CNODE)
            return cspace_lookup_fail(level + 1, bits_left, LOOKUP_DEPTH_MISMATCH);
        node = &slot->cap;
    }
}

#endif
