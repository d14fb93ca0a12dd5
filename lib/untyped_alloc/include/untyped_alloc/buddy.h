/*
 * Buddy allocation of power-of-two blocks inside untyped memory: a block
 * of 2^k bytes starts at a multiple of 2^k from the untyped's start,
 * which is what retype at an explicit offset needs.  Pure bookkeeping:
 * no system call, no allocation (untyped_alloc.h retypes into the blocks).
 *
 * A tree describes one untyped (2^size_bits bytes) as a complete binary
 * tree of blocks down to 2^min_bits, in memory its owner provides
 * (buddy_tree_bytes: a byte and a bit per node, about 2.3 bytes per
 * minimum block).  A pool is a subtree one owner allocates from: the
 * whole tree, or a block handed out of another pool and delegated
 * (buddy_pool_delegate) — so nested allocators (a space bank inside its
 * parent's block) share one tree and need no metadata of their own.
 *
 * Node values: order[i] is the log2 size of the largest block free below
 * node i as its pool sees it (its own order when all of it is free, 0
 * when none is); the taken bit says node i was handed out whole (an
 * object, or a delegated pool whose own view then lives below it).
 * Allocation walks down and free walks up: O(log(pool / minimum block)).
 *
 * The block given back last is the pool's pending block: free marks it
 * free but leaves the nodes above it as they were, so they still see it
 * taken, and the next allocation of its size takes it again without a
 * walk (a purchase after a free, an allocator's common case, is O(1)).
 * Any other operation first brings those nodes up to date ("settle"),
 * and the queries count the pending block as free: what a pool reports
 * is exactly what it would be without it (only which block the next
 * allocation of that size gets may differ).
 */
#ifndef UNTYPED_ALLOC_BUDDY_H
#define UNTYPED_ALLOC_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUDDY_MAX_SPAN_BITS 32 /* size_bits - min_bits: 2^33 nodes at most */

struct buddy_tree {
    uint8_t *order;     /* per node (node 1 is the root; 2i, 2i+1 its halves) */
    uint64_t *taken;    /* a bit per node */
    uint64_t cookie;    /* the owner's name for the untyped (its cptr) */
    uint64_t base;      /* the owner's address of byte 0 (its physical address) */
    unsigned size_bits; /* the untyped is 2^size_bits bytes */
    unsigned min_bits;  /* the smallest block */
};

/* A block: its node in the tree, log2 size, byte offset from the tree's start. */
struct buddy_block {
    uint64_t node;
    unsigned bits;
    uint64_t offset;
};

struct buddy_pool {
    struct buddy_tree *tree;
    uint64_t node;       /* the pool's root */
    uint64_t pending;    /* the block given back last, the nodes above it not updated (0: none) */
    uint64_t free_bytes; /* not handed out (the pending block included) */
    uint64_t blocks;     /* handed out and not given back */
    uint8_t bits;        /* the pool is 2^bits bytes */
    uint8_t pending_bits; /* the pending block's log2 size */
    bool whole;          /* handed out as one block */
};

/* Bytes of tree memory for 2^size_bits with 2^min_bits blocks; 0 when
 * refused (min_bits 0 or above size_bits, size_bits above 63, a span
 * above BUDDY_MAX_SPAN_BITS). */
size_t buddy_tree_bytes(unsigned size_bits, unsigned min_bits);

/* A tree over the owner's mem (at least buddy_tree_bytes, 8-byte
 * aligned) and the pool of all of it, free.  Errors: INVALID_ARGUMENT
 * (0) for sizes refused, (1) for memory too small or misaligned. */
uint64_t buddy_tree_init(struct buddy_tree *t, struct buddy_pool *all, unsigned size_bits,
                         unsigned min_bits, uint64_t cookie, uint64_t base, void *mem,
                         size_t bytes);

/* Hand out a free block of 2^bits: the pending block if it has that
 * size, else the one found choosing at each step down the smaller half
 * that fits (large blocks stay whole).  Errors: RANGE_ERROR
 * for bits outside min_bits..pool bits; NOT_ENOUGH_MEMORY when none is free. */
uint64_t buddy_pool_alloc(struct buddy_pool *p, unsigned bits, struct buddy_block *out);

/* Give a block of this pool back, coalescing free halves.  Errors:
 * INVALID_ARGUMENT for a block outside the pool or inconsistent (node,
 * bits and offset disagree); ILLEGAL_OPERATION when it is not a block
 * handed out whole (a double free, part of a block, a block around one). */
uint64_t buddy_pool_free(struct buddy_pool *p, struct buddy_block blk);

/* Take this particular block (memory in use before the pool knew).
 * Errors: as buddy_pool_free; ILLEGAL_OPERATION when any of it is taken. */
uint64_t buddy_pool_reserve(struct buddy_pool *p, struct buddy_block blk);

/* The block of 2^bits at offset (from the tree's start), for free and
 * reserve; INVALID_ARGUMENT when it lies outside the pool or is misaligned. */
uint64_t buddy_pool_block(const struct buddy_pool *p, unsigned bits, uint64_t offset,
                          struct buddy_block *out);

/* A block of p, handed out, becomes a pool of its own, all free: its
 * owner allocates below it while p sees it taken.  The block must be
 * one p handed out (INVALID_ARGUMENT or ILLEGAL_OPERATION as for free). */
uint64_t buddy_pool_delegate(const struct buddy_pool *p, struct buddy_block blk,
                             struct buddy_pool *sub);

/* The log2 size of the largest free block; 0 when none. */
unsigned buddy_pool_largest(const struct buddy_pool *p);

/* Is a block of 2^bits free (largest >= bits, quicker when the pending
 * block has that size)? */
bool buddy_pool_fits(const struct buddy_pool *p, unsigned bits);

/* The pool's first byte's offset in the tree. */
uint64_t buddy_pool_start(const struct buddy_pool *p);

/* Is byte offset (from the tree's start) inside the pool? */
bool buddy_pool_contains(const struct buddy_pool *p, uint64_t offset);

/*
 * Several untyped as one allocator: a pool each (whole trees), best fit
 * across them (the pool whose largest free block is the smallest that
 * fits).  The arrays are the owner's.
 */
struct buddy {
    struct buddy_pool *pools;
    struct buddy_tree *trees;
    unsigned count, capacity;
    unsigned min_bits;
    uint64_t total_bytes, free_bytes, blocks;
};

/* A block of a struct buddy: which pool, and the block in it. */
struct buddy_ref {
    unsigned pool;
    struct buddy_block block;
};

/* Errors: INVALID_ARGUMENT for min_bits outside 1-63, no arrays, capacity 0. */
uint64_t buddy_init(struct buddy *b, unsigned min_bits, struct buddy_tree *trees,
                    struct buddy_pool *pools, unsigned capacity);

/* Add an untyped of 2^size_bits as a pool, all free, its tree in mem.
 * Errors: buddy_tree_init's; NOT_ENOUGH_MEMORY when the arrays are full. */
uint64_t buddy_add(struct buddy *b, unsigned size_bits, uint64_t cookie, uint64_t base, void *mem,
                   size_t bytes, unsigned *index);

/* Errors: RANGE_ERROR for bits below min_bits or above 63;
 * NOT_ENOUGH_MEMORY when no pool has a free block of 2^bits. */
uint64_t buddy_alloc(struct buddy *b, unsigned bits, struct buddy_ref *out);

/* Errors: INVALID_ARGUMENT for a pool not added; then as buddy_pool_free. */
uint64_t buddy_free(struct buddy *b, struct buddy_ref ref);
uint64_t buddy_reserve(struct buddy *b, struct buddy_ref ref);

/* The log2 size of the largest free block of any pool; 0 when none. */
unsigned buddy_largest_free(const struct buddy *b);

/* The metadata the owner provides: the arrays and every tree. */
uint64_t buddy_metadata_bytes(const struct buddy *b);

#endif
