#include "object/objects.h"

/* The ABI publishes these sizes (coffer_object_bits, abi.h). */
_Static_assert(OBJECT_MIN_BITS == COFFER_OBJECT_MIN_BITS, "ABI object size");
_Static_assert(UNTYPED_MIN_BITS == COFFER_UNTYPED_MIN_BITS, "ABI object size");
_Static_assert(UNTYPED_MAX_BITS == COFFER_UNTYPED_MAX_BITS, "ABI object size");
_Static_assert(CNODE_MIN_SLOT_BITS == COFFER_CNODE_MIN_SLOT_BITS, "ABI object size");
_Static_assert(CNODE_MAX_SLOT_BITS == COFFER_CNODE_MAX_SLOT_BITS, "ABI object size");
_Static_assert(ARCH_FRAME_MIN_BITS == COFFER_FRAME_MIN_BITS, "ABI object size");
_Static_assert(ARCH_FRAME_MAX_BITS == COFFER_FRAME_MAX_BITS, "ABI object size");
_Static_assert(ARCH_TCB_BITS == COFFER_TCB_BITS, "ABI object size");
_Static_assert(ARCH_PAGE_TABLE_BITS == COFFER_PAGE_TABLE_BITS, "ABI object size");

/*
 * Sizes per type.  Variable-sized types take a user size_bits in
 * [min, max] and are 2^(size_bits + extra) bytes; fixed-size types take 0
 * and are 2^fixed_bits bytes.
 */
/* The valid user size_bits of the variable-sized types (fixed-size types
 * take 0; their sizes and the extra bits are in the tables below). */
static const struct { unsigned min, max; } size_ranges[COFFER_OBJ_COUNT_] = {
    [COFFER_OBJ_UNTYPED] = { UNTYPED_MIN_BITS, UNTYPED_MAX_BITS },
    [COFFER_OBJ_CNODE] = { CNODE_MIN_SLOT_BITS, CNODE_MAX_SLOT_BITS },
    [COFFER_OBJ_FRAME] = { ARCH_FRAME_MIN_BITS, ARCH_FRAME_MAX_BITS },
};

const uint8_t object_fixed_bits[COFFER_OBJ_COUNT_] = {
    [COFFER_OBJ_ENDPOINT] = OBJECT_MIN_BITS, [COFFER_OBJ_NOTIFICATION] = OBJECT_MIN_BITS,
    [COFFER_OBJ_REPLY] = OBJECT_MIN_BITS,    [COFFER_OBJ_TCB] = ARCH_TCB_BITS,
    [COFFER_OBJ_SCHED_CONTEXT] = COFFER_SCHED_CONTEXT_BITS, [COFFER_OBJ_PAGE_TABLE] = ARCH_PAGE_TABLE_BITS,
    [COFFER_OBJ_VSPACE] = ARCH_VSPACE_BITS,  [COFFER_OBJ_ASID_POOL] = ASID_POOL_BITS,
    [COFFER_OBJ_ASID_CONTROL] = ASID_TABLE_BITS, [COFFER_OBJ_SCHED_CONTROL] = OBJECT_MIN_BITS,
    [COFFER_OBJ_IRQ_CONTROL] = OBJECT_MIN_BITS,  [COFFER_OBJ_IRQ_HANDLER] = OBJECT_MIN_BITS,
};
const uint8_t object_extra_bits[COFFER_OBJ_COUNT_] = {
    [COFFER_OBJ_CNODE] = 6, /* 64-byte slots */
};

bool object_size(enum coffer_object_type t, unsigned user_bits, struct object_size *out)
{
    if ((unsigned)t >= COFFER_OBJ_COUNT_) {
        *out = (struct object_size){ 0, 0, 0 };
        return false;
    }
    if (object_fixed_bits[t] != 0) {
        *out = (struct object_size){ object_fixed_bits[t], 0, 0 };
        return user_bits == 0;
    }
    unsigned min = size_ranges[t].min, max = size_ranges[t].max;
    *out = (struct object_size){ user_bits + object_extra_bits[t], min, max };
    return user_bits >= min && user_bits <= max;
}

bool object_retypable(enum coffer_object_type t)
{
    return coffer_object_retypable(t);
}

bool object_allowed_from_device(enum coffer_object_type t)
{
    return t == COFFER_OBJ_FRAME || t == COFFER_OBJ_UNTYPED;
}
