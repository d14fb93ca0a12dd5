/*
 * Buddy allocation of power-of-two blocks inside regions (untyped memory:
 * the region is 2^size_bits bytes, naturally aligned, and a block of 2^k
 * bytes starts at a multiple of 2^k, which is what retype at an explicit
 * offset needs).  Pure bookkeeping: no system call, no allocation.  The
 * untyped glue (untyped_alloc.h) retypes into the blocks it hands out.
 *
 * Each region keeps a complete binary tree, one byte per node, in memory
 * the owner provides (buddy_tree_bytes: 2 bytes per minimum block).  A
 * node covering 2^k bytes holds the log2 size of the largest block free
 * in its subtree (k itself when all of it is free, 0 when none is), or
 * BUDDY_NODE_TAKEN when it was handed out whole.  Allocation walks down
 * from the root and free walks up: O(log(region / minimum block)).
 */
#ifndef UNTYPED_ALLOC_BUDDY_H
#define UNTYPED_ALLOC_BUDDY_H

#include <stddef.h>
#include <stdint.h>

#define BUDDY_NODE_TAKEN 0xff
#define BUDDY_MAX_SPAN_BITS 32 /* size_bits - min_bits: 8 GiB of tree at most */

struct buddy_region {
    uint8_t *tree;      /* 2^(size_bits - min_bits + 1) bytes; node 1 is the root */
    uint64_t cookie;    /* the owner's name for it (the untyped's cptr) */
    uint64_t base;      /* the owner's address of byte 0 (its physical address) */
    unsigned size_bits; /* the region is 2^size_bits bytes */
};

struct buddy {
    struct buddy_region *regions; /* the owner's array of capacity entries */
    unsigned count, capacity;
    unsigned min_bits;     /* the smallest block: 2^min_bits bytes */
    uint64_t total_bytes;  /* of every region */
    uint64_t free_bytes;   /* not handed out (reserved blocks count as handed out) */
    uint64_t blocks;       /* handed out and not yet freed */
};

/* A block: region index, byte offset in it, log2 size. */
struct buddy_block {
    unsigned region;
    unsigned bits;
    uint64_t offset;
};

/* Bytes of tree a region of 2^size_bits needs with 2^min_bits blocks;
 * 0 when the pair is refused (min_bits > size_bits, a span above
 * BUDDY_MAX_SPAN_BITS, size_bits > 63). */
size_t buddy_tree_bytes(unsigned size_bits, unsigned min_bits);

/* An allocator with no region yet over the owner's array of capacity
 * region records.  Errors: INVALID_ARGUMENT for min_bits outside 1-63 or
 * capacity 0. */
uint64_t buddy_init(struct buddy *b, unsigned min_bits, struct buddy_region *regions,
                    unsigned capacity);

/* Add a region, all free; its index goes to *index.  The tree is the
 * owner's (tree_bytes at least buddy_tree_bytes()).  Errors:
 * INVALID_ARGUMENT (0) for a size the tree cannot describe, (1) for a
 * tree too small; NOT_ENOUGH_MEMORY when the array is full. */
uint64_t buddy_add(struct buddy *b, unsigned size_bits, uint64_t cookie, uint64_t base,
                   void *tree, size_t tree_bytes, unsigned *index);

/* Hand out a free block of 2^bits bytes: the region with the smallest
 * sufficient free block, and in it the smaller sufficient buddy at each
 * step down (which keeps large blocks whole).  Errors: RANGE_ERROR for
 * bits outside min_bits-63; NOT_ENOUGH_MEMORY when no region has one. */
uint64_t buddy_alloc(struct buddy *b, unsigned bits, struct buddy_block *out);

/* Take this particular block (memory already in use when the region was
 * added, say).  Errors: INVALID_ARGUMENT for a block outside the regions
 * or misaligned; ILLEGAL_OPERATION when any of it is not free. */
uint64_t buddy_reserve(struct buddy *b, struct buddy_block blk);

/* Give a block back, coalescing it with free buddies.  Errors:
 * INVALID_ARGUMENT for a block outside the regions or misaligned;
 * ILLEGAL_OPERATION when it is not a block handed out whole (a double
 * free, or a part of a larger block). */
uint64_t buddy_free(struct buddy *b, struct buddy_block blk);

/* The log2 size of the largest free block of any region; 0 when none. */
unsigned buddy_largest_free(const struct buddy *b);

/* The metadata the owner provides for the allocator: its region array
 * and every region's tree. */
uint64_t buddy_metadata_bytes(const struct buddy *b);

#endif
