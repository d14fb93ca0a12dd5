#include "cspace.h"
#include "arch.h"

struct slot *cnode_slots(const struct cap *cnode)
{
    return arch_phys_to_virt(cnode->object);
}

/* The n bits of x ending `end` bits above bit 0: (x >> end) & (2^n - 1). */
static uint64_t bits_at(uint64_t x, unsigned end, unsigned n)
{
    if (n == 0)
        return 0;
    uint64_t field = end >= 64 ? 0 : x >> end;
    return n >= 64 ? field : field & ((1ull << n) - 1);
}

static struct lookup_result fail(unsigned level, unsigned bits_left, enum lookup_failure why)
{
    return (struct lookup_result){ NULL, level, bits_left, why };
}

struct lookup_result cspace_lookup(const struct cap *root, uint64_t cptr, unsigned depth)
{
    const struct cap *node = root;
    unsigned bits_left = depth;
    for (unsigned level = 0;; level++) {
        if (node->type != CAP_CNODE)
            return fail(level, bits_left, LOOKUP_INVALID_ROOT);
        unsigned guard_bits = node->guard_bits, radix = node->size_bits;
        if (guard_bits + radix > bits_left)
            return fail(level, bits_left, LOOKUP_DEPTH_MISMATCH);
        if (bits_at(cptr, bits_left - guard_bits, guard_bits) != node->data)
            return fail(level, bits_left, LOOKUP_GUARD_MISMATCH);
        bits_left -= guard_bits + radix;
        struct slot *slot = &cnode_slots(node)[bits_at(cptr, bits_left, radix)];
        if (bits_left == 0)
            return (struct lookup_result){ slot, level + 1, 0, 0 };
        if (slot->cap.type != CAP_CNODE)
            return fail(level + 1, bits_left, LOOKUP_DEPTH_MISMATCH);
        node = &slot->cap;
    }
}
