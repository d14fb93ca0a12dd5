/*
 * Dataspaces over banks and frame windows (dataspace/dataspace.h).
 */
#include <dataspace/dataspace.h>
#include <proto/bank_client.h>

static struct coffer_result fail(uint64_t error, uint64_t d0)
{
    return (struct coffer_result){ error, d0, 0 };
}

static unsigned bits_for(uint64_t bytes)
{
    unsigned bits = COFFER_PAGE_BITS;
    while ((1ull << bits) < bytes)
        bits++;
    return bits;
}

struct coffer_result dataspace_alloc(const struct dataspace_env *env, uint64_t bytes, struct dataspace *out)
{
    uint64_t slot = 0, handle = 0;
    if (bytes == 0 || bytes > (1ull << 30))
        return fail(COFFER_ERR_INVALID_ARGUMENT, bytes);
    if (!env->slot(env->ctx, &slot))
        return fail(COFFER_ERR_NOT_ENOUGH_MEMORY, 0);
    unsigned bits = bits_for(bytes);
    struct coffer_result r = bank_buy_into(env->buf, env->bank, COFFER_OBJ_FRAME, bits,
                                           COFFER_RECV_AT(slot, env->leaf_bits), &handle);
    if (r.error != COFFER_ERR_OK)
        return r;
    *out = (struct dataspace){ .frame = slot, .bytes = 1ull << bits, .handle = handle };
    return r;
}

struct coffer_result dataspace_alias(const struct dataspace_env *env, const struct dataspace *ds, uint64_t offset,
                                     uint64_t bytes, bool writable, struct dataspace *out)
{
    uint64_t slot = 0;
    if (!env->slot(env->ctx, &slot))
        return fail(COFFER_ERR_NOT_ENOUGH_MEMORY, 0);
    uint64_t rights = COFFER_RIGHT_READ | (writable ? COFFER_RIGHT_WRITE : 0);
    struct coffer_result r = coffer_cnode_mint(env->cnode, slot, 64, env->cnode, ds->frame, 64, rights,
                                               COFFER_WINDOW(offset, bytes));
    if (r.error == COFFER_ERR_OK)
        *out = (struct dataspace){ .frame = slot, .bytes = bytes, .handle = 0 };
    return r;
}

struct coffer_result dataspace_attach(const struct dataspace_env *env, const struct dataspace *ds,
                                      coffer_cptr_t vspace, uint64_t va, bool writable)
{
    uint64_t rights = COFFER_MAP_R | (writable ? COFFER_MAP_W : 0);
    for (unsigned tables = 0;; tables++) {
        struct coffer_result r = coffer_frame_map(ds->frame, vspace, va, rights);
        if (r.error != COFFER_ERR_FAILED_LOOKUP || r.detail0 >> 32 != COFFER_LOOKUP_NO_PAGE_TABLE || tables == 3)
            return r;
        uint64_t slot = 0, handle = 0;
        if (!env->slot(env->ctx, &slot))
            return fail(COFFER_ERR_NOT_ENOUGH_MEMORY, 0);
        if ((r = bank_buy_into(env->buf, env->bank, COFFER_OBJ_PAGE_TABLE, 0, COFFER_RECV_AT(slot, env->leaf_bits),
                               &handle)).error != COFFER_ERR_OK)
            return r;
        if ((r = coffer_page_table_map(slot, vspace, va)).error != COFFER_ERR_OK) {
            bank_free(env->bank, handle); /* nothing of a failed attach stays */
            return r;
        }
    }
}

struct coffer_result dataspace_detach(const struct dataspace *ds)
{
    return coffer_frame_unmap(ds->frame);
}

struct coffer_result dataspace_free(const struct dataspace_env *env, struct dataspace *ds)
{
    if (ds->handle == 0)
        return fail(COFFER_ERR_BANK_NOT_BOUGHT, 0);
    struct coffer_result r = bank_free(env->bank, ds->handle);
    if (r.error == COFFER_ERR_OK)
        ds->handle = 0;
    return r;
}

struct coffer_result dataspace_drop(const struct dataspace_env *env, struct dataspace *ds)
{
    struct coffer_result r = coffer_cnode_delete(env->cnode, ds->frame, 64);
    ds->handle = 0;
    return r;
}
