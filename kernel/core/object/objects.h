/*
 * Kernel object types: their sizes and the hooks the capability core calls
 * when an object is created (after its memory is zeroed) and when the last
 * capability to it goes.
 */
#ifndef COFFER_KERNEL_OBJECTS_H
#define COFFER_KERNEL_OBJECTS_H

#include "types.h"
#include <arch_types.h>
#include <coffer/abi.h>

#define OBJECT_MIN_BITS 6    /* the smallest object is 64 bytes */
#define UNTYPED_MIN_BITS 6
#define UNTYPED_MAX_BITS 47  /* 128 TiB */
#define CNODE_MIN_SLOT_BITS 1
#define CNODE_MAX_SLOT_BITS 24 /* 2^24 slots of 64 bytes: 1 GiB */
#define PHYS_ADDR_BITS ARCH_PHYS_ADDR_BITS /* what a capability's object address may use */

struct object_size {
    unsigned size_bits; /* log2 bytes of the object */
    unsigned min, max;  /* valid user size_bits, for RANGE_ERROR */
};

/*
 * The size of an object of type t given the user's size_bits argument
 * (log2 bytes for untyped and frames, log2 slots for CNodes, 0 for
 * fixed-size types).  Returns false when user_bits is out of range; out
 * then holds the valid range.
 */
bool object_size(enum coffer_object_type t, unsigned user_bits, struct object_size *out);

/*
 * Log2 size in bytes of an existing object of type t whose capability
 * records size_bits: on the hot paths of the derivation tree, so a table
 * lookup rather than object_size()'s checks.
 */
extern const uint8_t object_fixed_bits[COFFER_OBJ_COUNT_]; /* 0: variable-sized */
extern const uint8_t object_extra_bits[COFFER_OBJ_COUNT_];

static inline unsigned object_bits(enum coffer_object_type t, unsigned size_bits)
{
    unsigned fixed = object_fixed_bits[t];
    return fixed != 0 ? fixed : size_bits + object_extra_bits[t];
}

/* ASID pools: 512 entries of 8 bytes; the kernel's table of pools (which
 * the ASID control capability names) has ASID_POOLS entries. */
#define ASID_POOL_BITS 12
#define ASID_POOL_ENTRIES 512
#define ASID_POOLS ((1 << ARCH_ASID_BITS) / ASID_POOL_ENTRIES) /* every ASID the hardware names */
#define ASID_TABLE_BITS 10

/* Whether retype can make this type (the control capabilities exist once,
 * from boot; IRQ handlers come from IRQ control). */
bool object_retypable(enum coffer_object_type t);

/* Whether device untyped may become this type (only frames: device memory
 * is never zeroed and must not hold kernel data). */
bool object_allowed_from_device(enum coffer_object_type t);

#endif
