/*
 * Boot-time physical memory bookkeeping.
 *
 * At boot the kernel describes RAM as a sorted set of disjoint [base, end)
 * ranges, removes what firmware, the kernel image, the device tree and the
 * boot image occupy, carves the root task's own objects from it, and hands
 * everything left to the root task as untyped blocks.  After boot these
 * structures are never used again: the kernel has no allocator.
 */
#ifndef COFFER_KERNEL_BOOT_MEM_H
#define COFFER_KERNEL_BOOT_MEM_H

#include "types.h"
#include <coffer/bootinfo.h>

#define REGION_SET_MAX 64

struct region {
    paddr_t base;
    paddr_t end; /* exclusive */
};

/* Invariant: regions sorted by base, non-empty, disjoint, not adjacent. */
struct region_set {
    struct region r[REGION_SET_MAX];
    unsigned count;
};

enum boot_mem_error {
    BOOT_MEM_OK = 0,
    BOOT_MEM_ERR_RANGE = -1,   /* end < base or wraps */
    BOOT_MEM_ERR_FULL = -2,    /* more than REGION_SET_MAX ranges */
    BOOT_MEM_ERR_NOMEM = -3,   /* no range can satisfy an allocation */
};

void region_set_init(struct region_set *set);
/* Add [base, end), merging with overlapping or adjacent ranges. */
int region_set_add(struct region_set *set, paddr_t base, paddr_t end);
/* Remove [base, end) from the set (parts outside it are ignored). */
int region_set_remove(struct region_set *set, paddr_t base, paddr_t end);
/* Total bytes in the set. */
uint64_t region_set_bytes(const struct region_set *set);
/* Whether [base, end) overlaps any range of the set. */
bool region_set_overlaps(const struct region_set *set, paddr_t base, paddr_t end);

/*
 * Take size bytes aligned to align (a power of two) from the highest part
 * of the set, so the low memory stays in large untyped blocks.  On success
 * stores the base in *out and removes it from the set.
 */
int region_set_alloc(struct region_set *set, uint64_t size, uint64_t align, paddr_t *out);

/*
 * Split [base, end) into the fewest naturally aligned power-of-two blocks of
 * at least 2^min_bits bytes; bytes outside the 2^min_bits-aligned interior
 * of the range are not described (callers pass aligned ranges).  Writes
 * at most max descriptors and returns how many the range needs (which may
 * exceed max: the caller decides what to do with the rest).
 */
unsigned untyped_split(paddr_t base, paddr_t end, unsigned min_bits, bool is_device,
                       struct coffer_untyped_desc *out, unsigned max);

#endif
