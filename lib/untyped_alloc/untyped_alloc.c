#include <untyped_alloc/untyped_alloc.h>

#include <string.h>

static struct coffer_result result(uint64_t error, uint64_t d0)
{
    return (struct coffer_result){ error, d0, 0 };
}

/* Reserve [0, end) as the fewest aligned blocks: from offset 0 each block
 * is the largest that is aligned there and ends by `end`. */
static uint64_t reserve_prefix(struct buddy *b, unsigned pool, uint64_t end)
{
    unsigned size_bits = b->pools[pool].bits;
    for (uint64_t off = 0; off < end;) {
        unsigned k = size_bits;
        while (k > b->min_bits && ((off & ((1ull << k) - 1)) != 0 || off + (1ull << k) > end))
            k--;
        struct buddy_ref ref = { pool, { 0, 0, 0 } };
        uint64_t err = buddy_pool_block(&b->pools[pool], k, off, &ref.block);
        if (err == COFFER_ERR_OK)
            err = buddy_reserve(b, ref);
        if (err != COFFER_ERR_OK)
            return err;
        off += 1ull << k;
    }
    return COFFER_ERR_OK;
}

struct coffer_result untyped_alloc_add(struct buddy *b, coffer_cptr_t untyped,
                                       const struct coffer_ipc_buffer *ipc, void *tree,
                                       size_t tree_bytes, unsigned *index)
{
    struct coffer_result r = coffer_untyped_describe(untyped);
    if (r.error != COFFER_ERR_OK)
        return r;
    struct coffer_untyped_info info;
    memcpy(&info, ipc->mr, sizeof info);
    unsigned pool;
    uint64_t err = buddy_add(b, (unsigned)info.size_bits, untyped, info.paddr, tree, tree_bytes, &pool);
    if (err != COFFER_ERR_OK)
        return result(err, 0);
    uint64_t block = 1ull << b->min_bits;
    err = reserve_prefix(b, pool, (info.watermark + block - 1) & ~(block - 1));
    if (err != COFFER_ERR_OK)
        return result(err, 0); /* cannot happen: the pool was all free */
    *index = pool;
    return result(COFFER_ERR_OK, 0);
}

struct coffer_result untyped_alloc_retype(struct buddy *b, uint64_t type, uint64_t size_bits,
                                          coffer_cptr_t dest_cnode, uint64_t dest_depth,
                                          uint64_t dest_index, struct buddy_ref *block)
{
    if (!coffer_object_retypable(type))
        return result(COFFER_ERR_INVALID_ARGUMENT, 0);
    unsigned bits = coffer_object_bits(type, size_bits);
    if (bits == 0)
        return result(COFFER_ERR_INVALID_ARGUMENT, 1);
    struct buddy_ref blk;
    uint64_t err = buddy_alloc(b, bits > b->min_bits ? bits : b->min_bits, &blk);
    if (err != COFFER_ERR_OK)
        return result(err, 0);
    struct coffer_result r = coffer_untyped_retype(untyped_alloc_untyped(b, blk), type, size_bits,
                                                   dest_cnode, dest_depth, dest_index, 1, blk.block.offset);
    if (r.error != COFFER_ERR_OK) {
        buddy_free(b, blk);
        return r;
    }
    *block = blk;
    return r;
}

coffer_cptr_t untyped_alloc_untyped(const struct buddy *b, struct buddy_ref block)
{
    return b->trees[block.pool].cookie;
}

uint64_t untyped_alloc_paddr(const struct buddy *b, struct buddy_ref block)
{
    return b->trees[block.pool].base + block.block.offset;
}

uint64_t untyped_alloc_free(struct buddy *b, struct buddy_ref block)
{
    return buddy_free(b, block);
}
