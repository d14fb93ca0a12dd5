#include <untyped_alloc/buddy.h>

#include <coffer/abi.h>
#include <stdbool.h>
#include <string.h>

/*
 * Tree layout: node 1 covers the whole region (order size_bits); node i
 * at order k has children 2i and 2i+1 at order k-1; the nodes of order
 * k are 2^(size_bits-k) .. 2^(size_bits-k+1)-1, left to right.
 *
 * Invariant: a node's value is TAKEN, or the largest free order in its
 * subtree (k when all of it is free, 0 when none of it is).  Below a
 * TAKEN node the values are left as they were when it was handed out
 * (all free), so freeing it needs no walk down; nothing ever descends
 * into a TAKEN node.
 */

size_t buddy_tree_bytes(unsigned size_bits, unsigned min_bits)
{
    if (min_bits == 0 || min_bits > size_bits || size_bits > 63 ||
        size_bits - min_bits > BUDDY_MAX_SPAN_BITS)
        return 0;
    return (size_t)2 << (size_bits - min_bits);
}

uint64_t buddy_init(struct buddy *b, unsigned min_bits, struct buddy_region *regions,
                    unsigned capacity)
{
    if (min_bits == 0 || min_bits > 63 || capacity == 0 || regions == NULL)
        return COFFER_ERR_INVALID_ARGUMENT;
    *b = (struct buddy){ .regions = regions, .capacity = capacity, .min_bits = min_bits };
    return COFFER_ERR_OK;
}

/* A node's largest free order, TAKEN counting as none. */
static unsigned node_free(const uint8_t *tree, uint64_t i)
{
    return tree[i] == BUDDY_NODE_TAKEN ? 0 : tree[i];
}

/* Every node free: each level's nodes hold their own order. */
static void fill_free(uint8_t *tree, unsigned size_bits, unsigned min_bits)
{
    for (unsigned k = size_bits, depth = 0; k >= min_bits && k > 0; k--, depth++)
        memset(tree + ((size_t)1 << depth), (int)k, (size_t)1 << depth);
}

uint64_t buddy_add(struct buddy *b, unsigned size_bits, uint64_t cookie, uint64_t base,
                   void *tree, size_t tree_bytes, unsigned *index)
{
    size_t need = buddy_tree_bytes(size_bits, b->min_bits);
    if (need == 0)
        return COFFER_ERR_INVALID_ARGUMENT;
    if (tree == NULL || tree_bytes < need)
        return COFFER_ERR_INVALID_ARGUMENT;
    if (b->count == b->capacity)
        return COFFER_ERR_NOT_ENOUGH_MEMORY;
    fill_free(tree, size_bits, b->min_bits);
    b->regions[b->count] = (struct buddy_region){ tree, cookie, base, size_bits };
    *index = b->count++;
    b->total_bytes += 1ull << size_bits;
    b->free_bytes += 1ull << size_bits;
    return COFFER_ERR_OK;
}

/* Recompute the ancestors of node i (at order k) after it changed: a
 * parent is whole when both halves are, else its better half. */
static void update_up(uint8_t *tree, uint64_t i, unsigned k)
{
    for (; i > 1; i >>= 1, k++) {
        unsigned left = node_free(tree, i & ~1ull), right = node_free(tree, i | 1);
        unsigned value = left == k && right == k ? k + 1 : (left > right ? left : right);
        if (tree[i >> 1] == value)
            return; /* nothing above changes either */
        tree[i >> 1] = (uint8_t)value;
    }
}

/* The region whose largest free block is the smallest that fits. */
static int best_region(const struct buddy *b, unsigned bits)
{
    int best = -1;
    unsigned best_free = 0;
    for (unsigned r = 0; r < b->count; r++) {
        unsigned f = node_free(b->regions[r].tree, 1);
        if (f >= bits && (best < 0 || f < best_free)) {
            best = (int)r;
            best_free = f;
        }
    }
    return best;
}

uint64_t buddy_alloc(struct buddy *b, unsigned bits, struct buddy_block *out)
{
    if (bits < b->min_bits || bits > 63)
        return COFFER_ERR_RANGE_ERROR;
    int r = best_region(b, bits);
    if (r < 0)
        return COFFER_ERR_NOT_ENOUGH_MEMORY;
    const struct buddy_region *reg = &b->regions[r];
    uint8_t *tree = reg->tree;
    uint64_t i = 1;
    for (unsigned k = reg->size_bits; k > bits; k--) {
        unsigned left = node_free(tree, 2 * i), right = node_free(tree, 2 * i + 1);
        bool go_left = left >= bits && (right < bits || left <= right);
        i = 2 * i + (go_left ? 0 : 1);
    }
    tree[i] = BUDDY_NODE_TAKEN;
    update_up(tree, i, bits);
    uint64_t first_at_level = 1ull << (reg->size_bits - bits);
    *out = (struct buddy_block){ (unsigned)r, bits, (i - first_at_level) << bits };
    b->free_bytes -= 1ull << bits;
    b->blocks++;
    return COFFER_ERR_OK;
}

/* The node of a block, or 0 when the block lies outside every region or
 * is misaligned. */
static uint64_t block_node(const struct buddy *b, struct buddy_block blk)
{
    if (blk.region >= b->count)
        return 0;
    unsigned size_bits = b->regions[blk.region].size_bits;
    if (blk.bits < b->min_bits || blk.bits > size_bits)
        return 0;
    if (blk.offset >> size_bits || blk.offset & ((1ull << blk.bits) - 1))
        return 0;
    return (1ull << (size_bits - blk.bits)) + (blk.offset >> blk.bits);
}

uint64_t buddy_free(struct buddy *b, struct buddy_block blk)
{
    uint64_t i = block_node(b, blk);
    if (i == 0)
        return COFFER_ERR_INVALID_ARGUMENT;
    uint8_t *tree = b->regions[blk.region].tree;
    if (tree[i] != BUDDY_NODE_TAKEN)
        return COFFER_ERR_ILLEGAL_OPERATION;
    tree[i] = (uint8_t)blk.bits;
    update_up(tree, i, blk.bits);
    b->free_bytes += 1ull << blk.bits;
    b->blocks--;
    return COFFER_ERR_OK;
}

/* Is no ancestor of node i taken (so the values below them are current)? */
static bool ancestors_open(const uint8_t *tree, uint64_t i)
{
    for (i >>= 1; i >= 1; i >>= 1)
        if (tree[i] == BUDDY_NODE_TAKEN)
            return false;
    return true;
}

uint64_t buddy_reserve(struct buddy *b, struct buddy_block blk)
{
    uint64_t i = block_node(b, blk);
    if (i == 0)
        return COFFER_ERR_INVALID_ARGUMENT;
    uint8_t *tree = b->regions[blk.region].tree;
    if (!ancestors_open(tree, i) || tree[i] != blk.bits)
        return COFFER_ERR_ILLEGAL_OPERATION;
    tree[i] = BUDDY_NODE_TAKEN;
    update_up(tree, i, blk.bits);
    b->free_bytes -= 1ull << blk.bits;
    b->blocks++;
    return COFFER_ERR_OK;
}

unsigned buddy_largest_free(const struct buddy *b)
{
    unsigned best = 0;
    for (unsigned r = 0; r < b->count; r++) {
        unsigned f = node_free(b->regions[r].tree, 1);
        best = f > best ? f : best;
    }
    return best;
}

uint64_t buddy_metadata_bytes(const struct buddy *b)
{
    uint64_t bytes = (uint64_t)b->capacity * sizeof(struct buddy_region);
    for (unsigned r = 0; r < b->count; r++)
        bytes += buddy_tree_bytes(b->regions[r].size_bits, b->min_bits);
    return bytes;
}
