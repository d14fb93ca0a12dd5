#include "bank.h"

/*
 * Buying and freeing one object.  A big object (4 KiB and up) takes a
 * block of its own; a small one a place in a 4 KiB slab of its size, so
 * 64 endpoints share one block.  The bank keeps the original capability
 * in the record's slot and the buyer gets a child of it, so FREE and
 * DESTROY can revoke every copy the buyer made or handed on.
 */

static struct rec_object *object_rec(const struct bank_server *s, rec_id r)
{
    return rec_ptr(s, r);
}

static struct rec_slab *slab(const struct bank_server *s, rec_id r)
{
    return rec_ptr(s, r);
}

/* Would one more object of the type take b or an ancestor over its limit? */
static struct coffer_result type_room(struct bank_server *s, struct bank *b, uint64_t type)
{
    for (unsigned level = 0; b != NULL; level++, b = bank_of(s, b->parent))
        if (b->type_count[type] >= b->type_limit[type])
            return (struct coffer_result){ COFFER_ERR_BANK_TYPE_LIMIT, level, type };
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}

static void count_type(struct bank_server *s, struct bank *b, uint64_t type, int delta)
{
    for (; b != NULL; b = bank_of(s, b->parent))
        b->type_count[type] += (uint32_t)delta;
}

/* A slab of 2^bits with room: the first partial one, or a new one. */
static struct coffer_result slab_with_room(struct bank_server *s, struct bank *b, unsigned bits, rec_id *out)
{
    unsigned cls = bits - COFFER_OBJECT_MIN_BITS;
    if (b->slabs[cls] != 0) {
        *out = b->slabs[cls];
        return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
    }
    rec_id r;
    struct coffer_result res = rec_alloc(s, b, 1, 0, &r);
    if (res.error != COFFER_ERR_OK)
        return res;
    struct rec_slab *sl = slab(s, r);
    sl->kind = REC_SLAB;
    sl->bits = (uint8_t)bits;
    res = space_block(s, b, BANK_SMALL_BITS, false, 0, &sl->extent, &sl->block);
    if (res.error != COFFER_ERR_OK) {
        rec_free(s, r, 1);
        return res;
    }
    b->slab_bytes += 1u << BANK_SMALL_BITS;
    b->slabs[cls] = r;
    *out = r;
    return res;
}

static unsigned slab_capacity(const struct rec_slab *sl)
{
    return 1u << (BANK_SMALL_BITS - sl->bits);
}

static void slab_unlink(struct bank_server *s, struct bank *b, rec_id r)
{
    struct rec_slab *sl = slab(s, r);
    if (sl->prev != 0)
        slab(s, sl->prev)->next = sl->next;
    else
        b->slabs[sl->bits - COFFER_OBJECT_MIN_BITS] = sl->next;
    if (sl->next != 0)
        slab(s, sl->next)->prev = sl->prev;
}

static void slab_link(struct bank_server *s, struct bank *b, rec_id r)
{
    struct rec_slab *sl = slab(s, r);
    rec_id *head = &b->slabs[sl->bits - COFFER_OBJECT_MIN_BITS];
    sl->prev = 0;
    sl->next = *head;
    if (*head != 0)
        slab(s, *head)->prev = r;
    *head = r;
}

/* Give a slab place back; an empty slab returns its block. */
static void slab_put(struct bank_server *s, struct bank *b, rec_id r, unsigned index)
{
    struct rec_slab *sl = slab(s, r);
    bool was_full = sl->count == slab_capacity(sl);
    sl->used &= ~(1ull << index);
    sl->count--;
    if (was_full)
        slab_link(s, b, r);
    if (sl->count == 0) {
        slab_unlink(s, b, r);
        rec_id e = sl->extent;
        struct buddy_block blk = sl->block;
        b->slab_bytes -= 1u << BANK_SMALL_BITS;
        rec_free(s, r, 1);
        space_unblock(s, e, blk);
    }
}

/* Place a small object: a free place in a slab, retyped there. */
static struct coffer_result buy_small(struct bank_server *s, struct bank *b, rec_id r, uint64_t type,
                                      uint64_t size_bits, unsigned bits)
{
    rec_id sr;
    struct coffer_result res = slab_with_room(s, b, bits, &sr);
    if (res.error != COFFER_ERR_OK)
        return res;
    struct rec_slab *sl = slab(s, sr);
    unsigned index = coffer_lowest_bit(~sl->used);
    sl->used |= 1ull << index;
    sl->count++;
    if (sl->count == slab_capacity(sl))
        slab_unlink(s, b, sr);
    res = space_retype(s, sl->extent, sl->block, (uint64_t)index << bits, type, size_bits, rec_dest(s, r));
    if (res.error != COFFER_ERR_OK) {
        slab_put(s, b, sr, index);
        return res;
    }
    struct rec_object *o = object_rec(s, r);
    o->small = 1;
    o->where = sr;
    o->index = index;
    return res;
}

/* A page table has one capability (the kernel copies none: it records
 * where the table is mapped), so the buyer cannot get a child of the
 * bank's.  The bank keeps a 4 KiB untyped around it instead (its record's
 * first slot; the same 4 KiB) and moves the table itself, from the
 * record's second slot, to the buyer: revoking the untyped takes the table
 * back from wherever it went. */
static bool object_wrapped(uint64_t type)
{
    return type == COFFER_OBJ_PAGE_TABLE;
}

unsigned object_units(uint64_t type)
{
    return object_wrapped(type) ? 2 : 1;
}

static struct coffer_result retype_wrapped(struct bank_server *s, rec_id e, struct buddy_block blk, rec_id r,
                                           uint64_t type, uint64_t size_bits, unsigned bits)
{
    struct coffer_result res = space_retype(s, e, blk, 0, COFFER_OBJ_UNTYPED, bits, rec_dest(s, r));
    if (res.error != COFFER_ERR_OK)
        return res;
    struct space_dest inner = rec_dest(s, r + 1);
    res = coffer_untyped_retype(rec_slot(s, r), type, size_bits, inner.cnode, inner.depth, inner.index, 1,
                                COFFER_RETYPE_AT_WATERMARK);
    if (res.error != COFFER_ERR_OK)
        coffer_cnode_delete(s->env.cnode, rec_slot(s, r), 64);
    return res;
}

static struct coffer_result buy_big(struct bank_server *s, struct bank *b, rec_id r, uint64_t type,
                                    uint64_t size_bits, unsigned bits)
{
    rec_id e;
    struct buddy_block blk;
    bool wrapped = object_wrapped(type);
    struct coffer_result res = space_block(s, b, bits, type == COFFER_OBJ_UNTYPED || wrapped, 0, &e, &blk);
    if (res.error != COFFER_ERR_OK)
        return res;
    res = wrapped ? retype_wrapped(s, e, blk, r, type, size_bits, bits)
                  : space_retype(s, e, blk, 0, type, size_bits, rec_dest(s, r));
    if (res.error != COFFER_ERR_OK) {
        space_unblock(s, e, blk);
        return res;
    }
    struct rec_object *o = object_rec(s, r);
    o->where = e;
    o->block = blk;
    return res;
}

/* A VSpace is only usable with an ASID, and only its one capability can
 * be given one (ASID_POOL_ASSIGN): so the bank gives it, to the original
 * it keeps, before the buyer's child exists; the ASID goes back to the
 * pool when the original, the last capability, dies. */
static struct coffer_result give_asid(const struct bank_server *s, rec_id r)
{
    if (s->env.asid_pool == COFFER_CPTR_NONE)
        return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
    struct coffer_result res = coffer_asid_pool_assign(s->env.asid_pool, rec_slot(s, r));
    if (res.error == COFFER_ERR_NOT_ENOUGH_MEMORY)
        return (struct coffer_result){ COFFER_ERR_BANK_TABLE_FULL, 2, 0 };
    return res;
}

struct coffer_result object_buy(struct bank_server *s, struct bank *b, uint64_t type, uint64_t size_bits,
                                rec_id *out)
{
    if (!coffer_object_retypable(type))
        return (struct coffer_result){ COFFER_ERR_INVALID_ARGUMENT, 0, 0 };
    unsigned bits = coffer_object_bits(type, size_bits);
    if (bits == 0)
        return (struct coffer_result){ COFFER_ERR_INVALID_ARGUMENT, 1, 0 };
    struct coffer_result res = type_room(s, b, type);
    if (res.error != COFFER_ERR_OK)
        return res;
    rec_id r;
    res = rec_alloc(s, b, object_units(type), 0, &r);
    if (res.error != COFFER_ERR_OK)
        return res;
    res = bits < BANK_SMALL_BITS ? buy_small(s, b, r, type, size_bits, bits) : buy_big(s, b, r, type, size_bits, bits);
    if (res.error != COFFER_ERR_OK) {
        rec_free(s, r, object_units(type));
        return res;
    }
    struct rec_object *o = object_rec(s, r);
    o->kind = REC_OBJECT;
    o->type = (uint8_t)type;
    o->size_bits = (uint8_t)size_bits;
    o->gen = ++s->next_gen; /* in the handle: a unit used again refuses old handles */
    b->objects++;
    b->objects_bytes += 1ull << bits;
    b->small_bytes += bits < BANK_SMALL_BITS ? 1ull << bits : 0;
    count_type(s, b, type, 1);
    if (type == COFFER_OBJ_VSPACE && (res = give_asid(s, r)).error != COFFER_ERR_OK) {
        object_free(s, b, r);
        return res;
    }
    *out = r;
    return res;
}

void object_free(struct bank_server *s, struct bank *b, rec_id r)
{
    struct rec_object o = *object_rec(s, r);
    coffer_cnode_revoke(s->env.cnode, rec_slot(s, r), 64);
    coffer_cnode_delete(s->env.cnode, rec_slot(s, r), 64);
    object_rec(s, r)->kind = 0;
    uint64_t bytes = 1ull << coffer_object_bits(o.type, o.size_bits);
    b->objects--;
    b->objects_bytes -= bytes;
    b->small_bytes -= o.small ? bytes : 0;
    count_type(s, b, o.type, -1);
    if (o.small)
        slab_put(s, b, o.where, o.index);
    else
        space_unblock(s, o.where, o.block);
    rec_free(s, r, object_units(o.type));
}

coffer_cptr_t object_given(const struct bank_server *s, rec_id r, unsigned *mode)
{
    const struct rec_object *o = object_rec(s, r);
    *mode = object_wrapped(o->type) ? COFFER_XFER_MOVE : COFFER_XFER_CHILD;
    return rec_slot(s, object_wrapped(o->type) ? r + 1 : r);
}
