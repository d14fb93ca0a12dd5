/*
 * lib/cspace: which slots of a CSpace are free.
 *
 * The CSpace: a root CNode of 2^root_bits slots whose slots hold leaf
 * CNodes of 2^leaf_bits slots each.  Slot i of the leaf in root slot r is
 * the capability pointer (r << leaf_bits) | i, resolved with depth 64: the
 * root CNode's capability carries a zero guard of 64 - root_bits -
 * leaf_bits bits (cspace_slots_root_guard), each leaf's none.
 *
 * Root slots below first_leaf are the owner's.  The allocator manages the
 * leaves of root slots [first_leaf, first_leaf + max_leaves) and creates
 * them when it needs one, lowest root index first, through the owner's
 * grow callback, which puts the leaf in place and pays for it.
 *
 * Single-level mode (leaf_bits 0): the allocator hands out the root slots
 * [first_leaf, first_leaf + max_leaves) themselves (the cptr is the root
 * index), e.g. a range of the root task's 4096-slot CNode with its 52-bit
 * guard.  It never calls grow.
 *
 * The allocator makes no system call: it keeps books, in memory its owner
 * gives it (cspace_slots_meta_bytes says how much), of what the owner does
 * with the slots.  A slot it hands out is empty only if the owner emptied
 * it before freeing it.  Every function checks everything before it
 * changes anything: one that returns an error has had no effect.  Errors
 * are coffer error codes (COFFER_ERR_*).  Not thread-safe: the owner
 * serialises its calls.
 */
#ifndef CSPACE_SLOTS_H
#define CSPACE_SLOTS_H

#include <coffer/abi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest root or leaf CNode the allocator accepts, in log2 slots:
 * the kernel's largest CNode (2^24 slots, 1 GiB). */
#define CSPACE_SLOTS_MAX_BITS COFFER_CNODE_MAX_SLOT_BITS

/*
 * Put a CNode of 2^leaf_bits slots with an empty guard into root slot
 * root_index, paid from the owner's memory; return COFFER_ERR_OK or the
 * error that stopped it, which the allocator passes back unchanged.  It
 * must not call the allocator it grows.
 */
typedef uint64_t (*cspace_slots_grow_fn)(void *ctx, uint64_t root_index, unsigned leaf_bits);

struct cspace_slots_config {
    unsigned root_bits;        /* the root CNode has 2^root_bits slots: 1..CSPACE_SLOTS_MAX_BITS */
    unsigned leaf_bits;        /* a leaf has 2^leaf_bits slots: 0 (single level)..CSPACE_SLOTS_MAX_BITS */
    uint64_t first_leaf;       /* the first managed root slot */
    uint64_t max_leaves;       /* managed root slots, >= 1: first_leaf + max_leaves <= 2^root_bits */
    cspace_slots_grow_fn grow; /* required with leaf_bits > 0; ignored with 0 */
    void *grow_ctx;            /* grow's first argument */
};

/*
 * The allocator.  Its owner gives it room (say a static or a local), init
 * fills it; the fields are the allocator's.  A "leaf" below is a leaf
 * CNode; in single-level mode it is a run of 64 root slots, there from
 * the start (the last may be shorter).
 */
struct cspace_slots {
    /* The geometry, fixed at init. */
    uint64_t base;          /* cptr of the first managed slot: first_leaf << leaf_bits */
    uint64_t limit;         /* managed cptrs: [base, base + limit) */
    uint64_t first_leaf;    /* with two levels, leaf k is in root slot first_leaf + k */
    uint64_t nleaves;       /* leaves the books have room for */
    uint64_t leaf_words;    /* bitmap words per leaf */
    uint64_t summary_words; /* words of each summary bitmap */
    unsigned span_bits;     /* leaf k's cptrs are base + (k << span_bits) + [0, 2^span_bits) */
    unsigned leaf_bits;     /* as configured (0: single level) */
    cspace_slots_grow_fn grow;
    void *grow_ctx;
    /* The books, in the owner's metadata memory. */
    uint64_t *populated; /* bit k: leaf k is in place */
    uint64_t *has_free;  /* bit k: leaf k is in place and free[k] > 0 */
    uint64_t *bits;      /* leaf k's slots from bits[k * leaf_words], a set bit allocated;
                            all clear while it is not in place; bits past its slots always clear */
    uint32_t *free;      /* free[k]: leaf k's slots less its set bits; 0 while not in place */
    uint64_t used;       /* set bits in all leaves */
    uint64_t grown;      /* leaves grow has put in place */
};

/*
 * The bytes of metadata memory cspace_slots_init needs for cfg: two bits
 * per leaf for the summaries, one per slot, four bytes per leaf for its
 * free count, each bitmap rounded up to whole 64-bit words.  0 if cfg is
 * not valid (see cspace_slots_init).
 */
size_t cspace_slots_meta_bytes(const struct cspace_slots_config *cfg);

/*
 * The guard the root CNode's capability must carry for depth-64 cptrs
 * (COFFER_GUARD(64 - root_bits - leaf_bits, 0)); 0 (the empty guard) if
 * cfg is not valid.
 */
uint64_t cspace_slots_root_guard(const struct cspace_slots_config *cfg);

/*
 * Start the books of s for cfg, every managed slot free, no leaf in place
 * (in single-level mode every slot is there from the start).  meta, of
 * meta_bytes bytes and 8-byte aligned, holds them from now on; s keeps
 * what it needs of cfg, and cfg itself may go.
 *
 * Errors (s and meta untouched):
 *   INVALID_ARGUMENT   s or cfg NULL; cfg not valid: root_bits not in
 *                      1..CSPACE_SLOTS_MAX_BITS, leaf_bits above
 *                      CSPACE_SLOTS_MAX_BITS, max_leaves 0, first_leaf +
 *                      max_leaves above 2^root_bits, no grow with
 *                      leaf_bits > 0; meta NULL
 *   ALIGNMENT_ERROR    meta not 8-byte aligned
 *   NOT_ENOUGH_MEMORY  meta_bytes below cspace_slots_meta_bytes(cfg)
 */
uint64_t cspace_slots_init(struct cspace_slots *s, const struct cspace_slots_config *cfg, void *meta,
                           size_t meta_bytes);

/*
 * Allocate one slot: *cptr = the lowest free cptr among the leaves in
 * place.  If none is free, grow the lowest managed root slot without a
 * leaf and take the new leaf's first slot.
 *
 * Errors (*cptr untouched):
 *   INVALID_ARGUMENT   cptr NULL
 *   NOT_ENOUGH_MEMORY  every slot is allocated and every leaf is in place
 *                      (grow is not called), or single-level mode and full
 *   whatever grow returned, when the leaf it was asked for failed
 */
uint64_t cspace_slots_alloc(struct cspace_slots *s, uint64_t *cptr);

/*
 * Free the slot cptr: it may be handed out again.  The owner empties the
 * slot first (delete what it holds).
 *
 * Errors:
 *   INVALID_ARGUMENT   cptr outside the managed range
 *   ILLEGAL_OPERATION  cptr is not allocated (never allocated, or a double
 *                      free)
 */
uint64_t cspace_slots_free(struct cspace_slots *s, uint64_t cptr);

/*
 * Mark the slot cptr allocated without handing it out: one the owner put
 * a capability in by itself, e.g. a well-known slot.  If its leaf is not
 * in place yet, grow puts it there first (out of order: alloc still grows
 * the lowest root slot without a leaf).
 *
 * Errors:
 *   INVALID_ARGUMENT   cptr outside the managed range
 *   ILLEGAL_OPERATION  cptr is already allocated
 *   whatever grow returned, when the leaf it was asked for failed
 */
uint64_t cspace_slots_reserve(struct cspace_slots *s, uint64_t cptr);

/*
 * *allocated = whether the slot cptr is allocated (handed out or reserved).
 *
 * Errors (*allocated untouched):
 *   INVALID_ARGUMENT   allocated NULL, or cptr outside the managed range
 */
uint64_t cspace_slots_is_allocated(const struct cspace_slots *s, uint64_t cptr, bool *allocated);

/* Slots allocated (handed out or reserved, not freed since). */
uint64_t cspace_slots_used(const struct cspace_slots *s);

/* Leaves grow has put in place (0 in single-level mode). */
uint64_t cspace_slots_leaves(const struct cspace_slots *s);

#endif
