#include "objects.h"

/*
 * Size rules per type.  Variable-sized types take a user size_bits in
 * [min, max] and are 2^(size_bits + extra) bytes; fixed-size types take 0
 * and are 2^fixed_bits bytes.
 */
struct size_rule {
    unsigned min, max, extra;
    unsigned fixed_bits; /* 0 for variable-sized types */
};

static const struct size_rule size_rules[COFFER_OBJ_COUNT_] = {
    [COFFER_OBJ_UNTYPED] = { UNTYPED_MIN_BITS, UNTYPED_MAX_BITS, 0, 0 },
    [COFFER_OBJ_CNODE] = { CNODE_MIN_SLOT_BITS, CNODE_MAX_SLOT_BITS, 6, 0 }, /* 64-byte slots */
    [COFFER_OBJ_FRAME] = { ARCH_FRAME_MIN_BITS, ARCH_FRAME_MAX_BITS, 0, 0 },
    [COFFER_OBJ_ENDPOINT] = { 0, 0, 0, OBJECT_MIN_BITS },
    [COFFER_OBJ_NOTIFICATION] = { 0, 0, 0, OBJECT_MIN_BITS },
    [COFFER_OBJ_REPLY] = { 0, 0, 0, OBJECT_MIN_BITS },
    [COFFER_OBJ_TCB] = { 0, 0, 0, ARCH_TCB_BITS },
    [COFFER_OBJ_SCHED_CONTEXT] = { 0, 0, 0, 8 },
    [COFFER_OBJ_PAGE_TABLE] = { 0, 0, 0, ARCH_PAGE_TABLE_BITS },
    [COFFER_OBJ_VSPACE] = { 0, 0, 0, ARCH_VSPACE_BITS },
};

bool object_size(enum coffer_object_type t, unsigned user_bits, struct object_size *out)
{
    if ((unsigned)t >= COFFER_OBJ_COUNT_) {
        *out = (struct object_size){ 0, 0, 0 };
        return false;
    }
    const struct size_rule *r = &size_rules[t];
    if (r->fixed_bits != 0) {
        *out = (struct object_size){ r->fixed_bits, 0, 0 };
        return user_bits == 0;
    }
    *out = (struct object_size){ user_bits + r->extra, r->min, r->max };
    return user_bits >= r->min && user_bits <= r->max;
}

bool object_allowed_from_device(enum coffer_object_type t)
{
    return t == COFFER_OBJ_FRAME || t == COFFER_OBJ_UNTYPED;
}
