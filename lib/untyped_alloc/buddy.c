#include <untyped_alloc/buddy.h>

#include <coffer/abi.h>
#include <string.h>

/*
 * Trees and pools.  Node 1 covers the whole untyped; node i of order k
 * has halves 2i and 2i+1 of order k-1; the nodes of order k are
 * 2^(size_bits-k) .. 2^(size_bits-k+1)-1, left to right.
 *
 * Invariant, within a pool: a node the pool's owner can reach from the
 * pool's root without passing a taken node or a wholly free one holds
 * current values.  Below a wholly free node anything may be stale (left
 * by an object freed whole, or by a delegated pool given back), so a
 * walk down into one first writes its halves as wholly free ("push
 * down"); that is what makes giving back a block, or a whole delegated
 * pool, O(1) below it.
 */

static size_t round8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

size_t buddy_tree_bytes(unsigned size_bits, unsigned min_bits)
{
    if (min_bits == 0 || min_bits > size_bits || size_bits > 63 ||
        size_bits - min_bits > BUDDY_MAX_SPAN_BITS)
        return 0;
    size_t nodes = (size_t)2 << (size_bits - min_bits); /* node 0 unused */
    return round8(nodes) + round8((nodes + 7) / 8);
}

static bool is_taken(const struct buddy_tree *t, uint64_t i)
{
    return (t->taken[i / 64] >> (i % 64)) & 1;
}

static void set_taken(struct buddy_tree *t, uint64_t i, bool on)
{
    if (on)
        t->taken[i / 64] |= 1ull << (i % 64);
    else
        t->taken[i / 64] &= ~(1ull << (i % 64));
}

/* The largest free order below each half of node i, as i sees them (a
 * taken half has none).  The halves' bits share a word (2i is even), so
 * one load serves both: this is the inner step of every walk. */
static void halves_free(const struct buddy_tree *t, uint64_t i, unsigned *left, unsigned *right)
{
    uint64_t l = 2 * i;
    unsigned taken = (unsigned)(t->taken[l / 64] >> (l % 64)) & 3;
    *left = taken & 1 ? 0 : t->order[l];
    *right = taken & 2 ? 0 : t->order[l + 1];
}

uint64_t buddy_tree_init(struct buddy_tree *t, struct buddy_pool *all, unsigned size_bits,
                         unsigned min_bits, uint64_t cookie, uint64_t base, void *mem,
                         size_t bytes)
{
    size_t need = buddy_tree_bytes(size_bits, min_bits);
    if (need == 0)
        return COFFER_ERR_INVALID_ARGUMENT;
    if (mem == NULL || bytes < need || ((uintptr_t)mem & 7) != 0)
        return COFFER_ERR_INVALID_ARGUMENT;
    size_t nodes = (size_t)2 << (size_bits - min_bits);
    *t = (struct buddy_tree){ .order = mem, .taken = (uint64_t *)((uint8_t *)mem + round8(nodes)),
                              .cookie = cookie, .base = base, .size_bits = size_bits,
                              .min_bits = min_bits };
    t->order[1] = (uint8_t)size_bits; /* everything below is pushed down when first used */
    set_taken(t, 1, false);
    *all = (struct buddy_pool){ .tree = t, .node = 1, .bits = (uint8_t)size_bits,
                                .free_bytes = 1ull << size_bits };
    return COFFER_ERR_OK;
}

/* Is node i (of order k) wholly free in pool p? */
static bool wholly_free(const struct buddy_pool *p, uint64_t i, unsigned k)
{
    return (i == p->node ? !p->whole : !is_taken(p->tree, i)) && p->tree->order[i] == k;
}

/* Before walking below the wholly free node i (order k): its halves are
 * wholly free, whatever they held. */
static void push_down(struct buddy_tree *t, uint64_t i, unsigned k)
{
    uint64_t l = 2 * i;
    t->order[l] = t->order[l + 1] = (uint8_t)(k - 1);
    t->taken[l / 64] &= ~(3ull << (l % 64));
}

/* Recompute the ancestors of node i (order k) up to the pool's root: a
 * node is wholly free when both halves are, else it has its better half's. */
static void update_up(struct buddy_pool *p, uint64_t i, unsigned k)
{
    struct buddy_tree *t = p->tree;
    for (; i != p->node; i >>= 1, k++) {
        unsigned left, right;
        halves_free(t, i >> 1, &left, &right);
        unsigned value = left == k && right == k ? k + 1 : (left > right ? left : right);
        if (t->order[i >> 1] == value)
            return; /* nothing above changes either */
        t->order[i >> 1] = (uint8_t)value;
    }
}

/* The pending block's nodes above it learn it is free. */
static void settle(struct buddy_pool *p)
{
    if (p->pending != 0) {
        update_up(p, p->pending, p->pending_bits);
        p->pending = 0;
    }
}

/* Node i's block of 2^bits, its offset from the tree's start. */
static struct buddy_block block_at(const struct buddy_tree *t, uint64_t i, unsigned bits)
{
    return (struct buddy_block){ i, bits, (i - (1ull << (t->size_bits - bits))) << bits };
}

static void count_out(struct buddy_pool *p, unsigned bits)
{
    p->free_bytes -= 1ull << bits;
    p->blocks++;
}

/* The pool handed out as one block: its root is its own mark. */
static uint64_t take_whole(struct buddy_pool *p, struct buddy_block *out)
{
    p->whole = true;
    count_out(p, p->bits);
    *out = block_at(p->tree, p->node, p->bits);
    return COFFER_ERR_OK;
}

/* The pending block handed out again: the nodes above it still see it taken. */
static uint64_t take_pending(struct buddy_pool *p, struct buddy_block *out)
{
    uint64_t i = p->pending;
    p->pending = 0;
    set_taken(p->tree, i, true);
    count_out(p, p->pending_bits);
    *out = block_at(p->tree, i, p->pending_bits);
    return COFFER_ERR_OK;
}

uint64_t buddy_pool_alloc(struct buddy_pool *p, unsigned bits, struct buddy_block *out)
{
    struct buddy_tree *t = p->tree;
    if (bits < t->min_bits || bits > p->bits || bits > 63)
        return COFFER_ERR_RANGE_ERROR;
    if (p->pending != 0 && p->pending_bits == bits)
        return take_pending(p, out);
    settle(p);
    if (buddy_pool_largest(p) < bits)
        return COFFER_ERR_NOT_ENOUGH_MEMORY;
    if (bits == p->bits)
        return take_whole(p, out);
    /* Every node on the way is free at least in part (the root: the
     * pool is not handed out whole, as largest says; below it, the half
     * chosen had room), so it is wholly free exactly when its order is
     * its own. */
    uint64_t i = p->node;
    for (unsigned k = p->bits; k > bits; k--) {
        if (t->order[i] == k)
            push_down(t, i, k);
        unsigned left, right;
        halves_free(t, i, &left, &right);
        i = 2 * i + (left >= bits && (right < bits || left <= right) ? 0 : 1);
    }
    set_taken(t, i, true);
    update_up(p, i, bits);
    count_out(p, bits);
    *out = block_at(t, i, bits);
    return COFFER_ERR_OK;
}

uint64_t buddy_pool_block(const struct buddy_pool *p, unsigned bits, uint64_t offset,
                          struct buddy_block *out)
{
    const struct buddy_tree *t = p->tree;
    if (bits < t->min_bits || bits > p->bits || bits > 63 || (offset & ((1ull << bits) - 1)) != 0 ||
        !buddy_pool_contains(p, offset))
        return COFFER_ERR_INVALID_ARGUMENT;
    *out = block_at(t, (1ull << (t->size_bits - bits)) + (offset >> bits), bits);
    return COFFER_ERR_OK;
}

/* A block of this pool whose node, size and offset agree? */
static bool block_valid(const struct buddy_pool *p, struct buddy_block blk)
{
    struct buddy_block expect;
    return buddy_pool_block(p, blk.bits, blk.offset, &expect) == COFFER_ERR_OK && expect.node == blk.node;
}

/* Is every node above i, up to and with the pool's root, split (neither
 * taken nor wholly free)?  Then i's own values are current. */
static bool path_split(const struct buddy_pool *p, uint64_t i, unsigned k)
{
    /* i lies in the pool (block_valid): its ancestors below the root
     * have larger numbers than the root. */
    const struct buddy_tree *t = p->tree;
    for (i >>= 1, k++; i > p->node; i >>= 1, k++)
        if (is_taken(t, i) || t->order[i] == k)
            return false;
    return i == p->node && !p->whole && t->order[i] != k;
}

/* Was blk handed out whole by this pool (and not given back)? */
static bool handed_out(const struct buddy_pool *p, struct buddy_block blk)
{
    if (blk.node == p->node)
        return p->whole;
    return path_split(p, blk.node, blk.bits) && is_taken(p->tree, blk.node);
}

uint64_t buddy_pool_free(struct buddy_pool *p, struct buddy_block blk)
{
    if (!block_valid(p, blk))
        return COFFER_ERR_INVALID_ARGUMENT;
    if (!handed_out(p, blk))
        return COFFER_ERR_ILLEGAL_OPERATION;
    /* The nodes above a pending block see it taken, so the checks hold
     * as if it were; it is settled before another takes its place. */
    struct buddy_tree *t = p->tree;
    if (blk.node == p->node) {
        p->whole = false;
        t->order[p->node] = p->bits;
    } else {
        settle(p);
        set_taken(t, blk.node, false);
        t->order[blk.node] = (uint8_t)blk.bits; /* below it: stale, pushed down when used */
        p->pending = blk.node;
        p->pending_bits = (uint8_t)blk.bits;
    }
    p->free_bytes += 1ull << blk.bits;
    p->blocks--;
    return COFFER_ERR_OK;
}

uint64_t buddy_pool_reserve(struct buddy_pool *p, struct buddy_block blk)
{
    if (!block_valid(p, blk))
        return COFFER_ERR_INVALID_ARGUMENT;
    settle(p);
    struct buddy_tree *t = p->tree;
    if (blk.node == p->node) {
        if (!wholly_free(p, p->node, p->bits))
            return COFFER_ERR_ILLEGAL_OPERATION;
        struct buddy_block out;
        return take_whole(p, &out);
    }
    /* Walk down to it: every node on the way must be free in part. */
    unsigned depth = p->bits - blk.bits;
    for (unsigned d = 0; d < depth; d++) {
        uint64_t i = blk.node >> (depth - d);
        unsigned k = p->bits - d;
        bool taken = i == p->node ? p->whole : is_taken(t, i);
        if (taken || t->order[i] < blk.bits)
            return COFFER_ERR_ILLEGAL_OPERATION;
        if (wholly_free(p, i, k))
            push_down(t, i, k);
    }
    if (is_taken(t, blk.node) || t->order[blk.node] != blk.bits)
        return COFFER_ERR_ILLEGAL_OPERATION;
    set_taken(t, blk.node, true);
    update_up(p, blk.node, blk.bits);
    count_out(p, blk.bits);
    return COFFER_ERR_OK;
}

uint64_t buddy_pool_delegate(const struct buddy_pool *p, struct buddy_block blk,
                             struct buddy_pool *sub)
{
    if (!block_valid(p, blk))
        return COFFER_ERR_INVALID_ARGUMENT;
    if (!handed_out(p, blk) || blk.node == p->node)
        return COFFER_ERR_ILLEGAL_OPERATION; /* a whole pool is delegated by handing over the pool */
    p->tree->order[blk.node] = (uint8_t)blk.bits; /* the sub-pool's view: all free */
    *sub = (struct buddy_pool){ .tree = p->tree, .node = blk.node, .bits = (uint8_t)blk.bits,
                                .free_bytes = 1ull << blk.bits };
    return COFFER_ERR_OK;
}

/* The largest block the pending one is part of once settled: it joins
 * each wholly free half on its way up (their values are current: their
 * parents are split). */
static unsigned pending_joined(const struct buddy_pool *p)
{
    const struct buddy_tree *t = p->tree;
    uint64_t i = p->pending;
    unsigned k = p->pending_bits;
    for (; i != p->node && !is_taken(t, i ^ 1) && t->order[i ^ 1] == k; i >>= 1)
        k++;
    return k;
}

unsigned buddy_pool_largest(const struct buddy_pool *p)
{
    if (p->whole)
        return 0;
    unsigned above = p->tree->order[p->node]; /* what the others give: it sees the pending block taken */
    if (p->pending == 0)
        return above;
    unsigned joined = pending_joined(p);
    return joined > above ? joined : above;
}

bool buddy_pool_fits(const struct buddy_pool *p, unsigned bits)
{
    return (p->pending != 0 && p->pending_bits == bits) || buddy_pool_largest(p) >= bits;
}

uint64_t buddy_pool_start(const struct buddy_pool *p)
{
    return block_at(p->tree, p->node, p->bits).offset;
}

bool buddy_pool_contains(const struct buddy_pool *p, uint64_t offset)
{
    uint64_t start = buddy_pool_start(p);
    return offset >= start && offset - start < (1ull << p->bits);
}
