#include <untyped_alloc/buddy.h>

#include <coffer/abi.h>

/* Several untyped as one allocator: a whole-tree pool each, best fit. */

uint64_t buddy_init(struct buddy *b, unsigned min_bits, struct buddy_tree *trees,
                    struct buddy_pool *pools, unsigned capacity)
{
    if (min_bits == 0 || min_bits > 63 || capacity == 0 || trees == NULL || pools == NULL)
        return COFFER_ERR_INVALID_ARGUMENT;
    *b = (struct buddy){ .pools = pools, .trees = trees, .capacity = capacity, .min_bits = min_bits };
    return COFFER_ERR_OK;
}

uint64_t buddy_add(struct buddy *b, unsigned size_bits, uint64_t cookie, uint64_t base, void *mem,
                   size_t bytes, unsigned *index)
{
    if (b->count == b->capacity)
        return COFFER_ERR_NOT_ENOUGH_MEMORY;
    uint64_t err = buddy_tree_init(&b->trees[b->count], &b->pools[b->count], size_bits, b->min_bits,
                                   cookie, base, mem, bytes);
    if (err != COFFER_ERR_OK)
        return err;
    *index = b->count++;
    b->total_bytes += 1ull << size_bits;
    b->free_bytes += 1ull << size_bits;
    return COFFER_ERR_OK;
}

/* The pool whose largest free block is the smallest that holds 2^bits. */
static int best_pool(const struct buddy *b, unsigned bits)
{
    int best = -1;
    unsigned best_free = 0;
    for (unsigned i = 0; i < b->count; i++) {
        unsigned f = buddy_pool_largest(&b->pools[i]);
        if (f >= bits && (best < 0 || f < best_free)) {
            best = (int)i;
            best_free = f;
        }
    }
    return best;
}

uint64_t buddy_alloc(struct buddy *b, unsigned bits, struct buddy_ref *out)
{
    if (bits < b->min_bits || bits > 63)
        return COFFER_ERR_RANGE_ERROR;
    int i = best_pool(b, bits);
    if (i < 0)
        return COFFER_ERR_NOT_ENOUGH_MEMORY;
    out->pool = (unsigned)i;
    uint64_t err = buddy_pool_alloc(&b->pools[i], bits, &out->block);
    if (err == COFFER_ERR_OK) {
        b->free_bytes -= 1ull << bits;
        b->blocks++;
    }
    return err;
}

uint64_t buddy_free(struct buddy *b, struct buddy_ref ref)
{
    if (ref.pool >= b->count)
        return COFFER_ERR_INVALID_ARGUMENT;
    uint64_t err = buddy_pool_free(&b->pools[ref.pool], ref.block);
    if (err == COFFER_ERR_OK) {
        b->free_bytes += 1ull << ref.block.bits;
        b->blocks--;
    }
    return err;
}

uint64_t buddy_reserve(struct buddy *b, struct buddy_ref ref)
{
    if (ref.pool >= b->count)
        return COFFER_ERR_INVALID_ARGUMENT;
    uint64_t err = buddy_pool_reserve(&b->pools[ref.pool], ref.block);
    if (err == COFFER_ERR_OK) {
        b->free_bytes -= 1ull << ref.block.bits;
        b->blocks++;
    }
    return err;
}

unsigned buddy_largest_free(const struct buddy *b)
{
    unsigned best = 0;
    for (unsigned i = 0; i < b->count; i++) {
        unsigned f = buddy_pool_largest(&b->pools[i]);
        best = f > best ? f : best;
    }
    return best;
}

uint64_t buddy_metadata_bytes(const struct buddy *b)
{
    uint64_t bytes = (uint64_t)b->capacity * (sizeof(struct buddy_tree) + sizeof(struct buddy_pool));
    for (unsigned i = 0; i < b->count; i++)
        bytes += buddy_tree_bytes(b->trees[i].size_bits, b->min_bits);
    return bytes;
}
