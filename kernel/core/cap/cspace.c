/*
 * The CSpace walk (cspace.h): the general loop, for every lookup the
 * inline one- and two-level cases do not take.
 */
#include "cap/cspace.h"

struct lookup_result cspace_walk(const struct cap *root, uint64_t cptr, unsigned depth)
{
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
