#include "bank.h"

/*
 * A bank's memory: its extents, each a pool of the buddy tree of the RAM
 * untyped it lies in.  A block the bank's extents cannot give makes it
 * grow: a new extent, carved from a block of its parent's (which may
 * grow in turn), as large as what it holds already (it doubles; at
 * least 64 KiB, at most 4 MiB more, never past its limit).  A purchase
 * that fails anywhere on the way up undoes every step below it, so a
 * refusal leaves every bank as it was.  An extent that empties goes back
 * to the parent, unless it is the bank's last.
 */

#define EXTENT_MAX_GROWTH_BITS 22

static struct rec_extent *extent(const struct bank_server *s, rec_id e)
{
    return rec_ptr(s, e);
}

/* Byte offset of the extent's first byte in its tree. */
static uint64_t extent_start(const struct rec_extent *x)
{
    return buddy_pool_start(&x->pool);
}

uint64_t space_free_bytes(const struct bank_server *s, const struct bank *b)
{
    uint64_t bytes = 0;
    for (rec_id e = b->extents; e != 0; e = extent(s, e)->next)
        bytes += extent(s, e)->pool.free_bytes;
    return bytes;
}

uint64_t space_paddr(const struct bank_server *s, rec_id e, uint64_t offset)
{
    return extent(s, e)->pool.tree->base + offset;
}

uint64_t space_offset(const struct bank_server *s, rec_id e, uint64_t offset)
{
    return offset - extent_start(extent(s, e));
}

struct coffer_result space_retype(struct bank_server *s, rec_id e, struct buddy_block blk,
                                  uint64_t block_offset, uint64_t type, uint64_t size_bits,
                                  struct space_dest dest)
{
    uint64_t offset = space_offset(s, e, blk.offset) + block_offset;
    return coffer_untyped_retype(rec_slot(s, e), type, size_bits, dest.cnode, dest.depth, dest.index, 1, offset);
}

/* Can extent e give a block of 2^bits (for an untyped, from an extent
 * larger than it: the kernel carves no untyped as large as its parent)? */
static bool extent_fits(const struct bank_server *s, rec_id e, unsigned bits, bool untyped)
{
    const struct rec_extent *x = extent(s, e);
    return buddy_pool_fits(&x->pool, bits) && (!untyped || x->pool.bits > bits);
}

/* The extent of b to take a block of 2^bits from: the one the last block
 * came from if it can (so a bank of many extents does not search them
 * all each time), else the one whose largest free block is the smallest
 * that holds it. */
static rec_id best_extent(const struct bank_server *s, struct bank *b, unsigned bits, bool untyped)
{
    if (b->last_extent != 0 && extent_fits(s, b->last_extent, bits, untyped))
        return b->last_extent;
    rec_id best = 0;
    unsigned best_free = 0;
    for (rec_id e = b->extents; e != 0; e = extent(s, e)->next) {
        unsigned f = buddy_pool_largest(&extent(s, e)->pool);
        if (untyped && extent(s, e)->pool.bits <= bits)
            continue;
        if (f >= bits && (best == 0 || f < best_free)) {
            best = e;
            best_free = f;
        }
    }
    if (best != 0)
        b->last_extent = best;
    return best;
}

static unsigned log2_floor(uint64_t v)
{
    return 63u - (unsigned)__builtin_clzll(v);
}

/* The size of b's next extent for a block of 2^bits, at most 2^cap (0:
 * no cap), or 0 past its limit. */
static unsigned growth_bits(const struct bank *b, unsigned bits, unsigned cap)
{
    if (cap != 0 && bits > cap)
        return 0;
    unsigned most = cap != 0 && cap < EXTENT_MAX_GROWTH_BITS ? cap : EXTENT_MAX_GROWTH_BITS;
    unsigned want = b->held != 0 ? log2_floor(b->held) : BANK_EXTENT_MIN_BITS;
    want = want < BANK_EXTENT_MIN_BITS ? BANK_EXTENT_MIN_BITS : want;
    want = want > most ? most : want;
    want = want < bits ? bits : want; /* at most cap still: bits is */
    uint64_t room = b->limit > b->held ? b->limit - b->held : 0;
    while (want > bits && (1ull << want) > room)
        want--;
    return (1ull << want) <= room ? want : 0;
}

/* Carve an extent of 2^ebits for b from its parent, which has a block
 * that large in an extent larger still, and a spare record unit (the
 * decode in space_block saw to both). */
static struct coffer_result carve(struct bank_server *s, struct bank *b, unsigned ebits)
{
    struct bank *parent = bank_of(s, b->parent);
    rec_id source = best_extent(s, parent, ebits, true);
    rec_id e = source != 0 ? rec_take(s, parent) : 0;
    struct buddy_block blk;
    if (e == 0) /* cannot be: the decode saw to both */
        return (struct coffer_result){ COFFER_ERR_ILLEGAL_OPERATION, 0, 0 };
    buddy_pool_alloc(&extent(s, source)->pool, ebits, &blk);
    struct coffer_result r = space_retype(s, source, blk, 0, COFFER_OBJ_UNTYPED, ebits, rec_dest(s, e));
    if (r.error != COFFER_ERR_OK) {
        buddy_pool_free(&extent(s, source)->pool, blk);
        rec_free(s, e, 1);
        return r;
    }
    struct rec_extent *x = extent(s, e);
    *x = (struct rec_extent){ .kind = REC_EXTENT, .owner = b->index, .next = b->extents, .source = source };
    buddy_pool_delegate(&extent(s, source)->pool, blk, &x->pool);
    /* An extent of b left empty and kept as its last is not the last any
     * more: it goes when the request ends, if the request stands. */
    for (rec_id old = b->extents; old != 0; old = extent(s, old)->next)
        if (extent(s, old)->pool.blocks == 0 && extent(s, old)->source != 0)
            journal_emptied(s, true, old);
    b->extents = e;
    b->held += 1ull << ebits;
    parent->children_bytes += 1ull << ebits;
    journal_note(s, true, e);
    return r;
}

/* A block for b from any extent, b and its ancestors growing if they must. */
static COFFER_COLD struct coffer_result grow_block(struct bank_server *s, struct bank *b, unsigned bits, bool untyped,
                                                   unsigned level, rec_id *e, struct buddy_block *blk)
{
    /* Decode: up from b, each bank that cannot give what the one below
     * needs must grow, within its limit, by an extent its parent gives
     * (larger than that one's: nested untyped).  Each doubles what it
     * holds if it can; when an ancestor cannot give as much, the bank
     * below asks for less (grow_cap), down to what it needs. */
    for (struct bank *a = b; a != NULL; a = bank_of(s, a->parent))
        a->grow_cap = 0;
    struct bank *x;
    unsigned l;
    rec_id found;
retry:
    x = b;
    l = level;
    unsigned need = bits;
    bool nested = untyped;
    while ((found = best_extent(s, x, need, nested)) == 0) {
        unsigned want = need + (nested ? 1 : 0);
        unsigned ebits = x->parent == BANK_NONE ? 0 : growth_bits(x, want, x->grow_cap);
        if (ebits == 0) {
            struct bank *below = x == b ? NULL : bank_of(s, x->path_child);
            if (below != NULL && below->grow_bits > below->grow_min) { /* ask for less below */
                below->grow_cap = (uint8_t)(below->grow_bits - 1);
                goto retry;
            }
            return (struct coffer_result){ COFFER_ERR_BANK_LIMIT, l, 1ull << want };
        }
        struct bank *parent = bank_of(s, x->parent);
        if (parent->free_units == 0) /* its spare records: see rec_take */
            return (struct coffer_result){ COFFER_ERR_BANK_LIMIT, l + 1, BANK_UNIT_BYTES };
        x->grow_bits = (uint8_t)ebits;
        x->grow_min = (uint8_t)want;
        parent->path_child = x->index;
        x = parent;
        need = ebits;
        nested = true;
        l++;
    }
    /* Act: down from the bank that can give, each carves its child's
     * extent; b takes the block from the one it just carved, or from
     * the one found without growing. */
    for (; x != b; x = bank_of(s, x->path_child)) {
        struct bank *child = bank_of(s, x->path_child);
        struct coffer_result r = carve(s, child, child->grow_bits);
        if (r.error != COFFER_ERR_OK)
            return r; /* the request's journal undoes the extents above */
        found = child->last_extent = child->extents;
    }
    *e = found;
    buddy_pool_alloc(&extent(s, *e)->pool, bits, blk);
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}

struct coffer_result space_block(struct bank_server *s, struct bank *b, unsigned bits, bool untyped,
                                 unsigned level, rec_id *e, struct buddy_block *blk)
{
    if (b == NULL)
        return (struct coffer_result){ COFFER_ERR_INVALID_ARGUMENT, 0, 0 };
    /* Most purchases: the extent the last block came from has another. */
    if (b->last_extent != 0 && extent_fits(s, b->last_extent, bits, untyped)) {
        *e = b->last_extent;
        buddy_pool_alloc(&extent(s, *e)->pool, bits, blk);
        return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
    }
    return grow_block(s, b, bits, untyped, level, e, blk);
}

/* The extent's block in its source, as the source handed it out. */
static struct buddy_block extent_block(const struct rec_extent *x)
{
    return (struct buddy_block){ x->pool.node, x->pool.bits, extent_start(x) };
}

struct buddy_block space_extent_block(const struct bank_server *s, rec_id e)
{
    return extent_block(extent(s, e));
}

/* An empty extent goes back: its untyped is deleted, its block and
 * record return to the bank it came from (the parent; or the bank itself
 * for an extent a removed sub-bank passed to it). */
void space_release_extent(struct bank_server *s, rec_id e)
{
    struct rec_extent *x = extent(s, e);
    struct bank *b = bank_of(s, x->owner), *from = bank_of(s, extent(s, x->source)->owner);
    rec_id *link = &b->extents;
    while (*link != e)
        link = &extent(s, *link)->next;
    *link = x->next;
    if (b->last_extent == e)
        b->last_extent = 0;
    if (from != b) { /* not one a removed sub-bank left it, inside its own */
        uint64_t bytes = 1ull << x->pool.bits;
        b->held -= bytes;
        from->children_bytes -= bytes;
    }
    rec_id source = x->source;
    struct buddy_block blk = extent_block(x);
    coffer_cnode_delete(s->env.cnode, rec_slot(s, e), 64);
    rec_free(s, e, 1);
    space_unblock(s, source, blk);
}

/* Undoing a refused request: an extent it made goes again if empty. */
bool space_release_if_empty(struct bank_server *s, rec_id e)
{
    const struct chunk_entry *c = &s->chunks[REC_CHUNK(e)];
    if (c->page == NULL || !(c->used >> REC_UNIT(e) & 1))
        return false; /* its record went with a chunk undone before it */
    const struct rec_extent *x = extent(s, e);
    if (x->kind != REC_EXTENT || x->pool.blocks != 0 || x->source == 0)
        return false;
    space_release_extent(s, e);
    return true;
}

/* At the end of a request: an empty extent goes, unless it is its bank's
 * last or a RAM untyped of the prime bank. */
bool space_release_if_spare(struct bank_server *s, rec_id e)
{
    const struct chunk_entry *c = &s->chunks[REC_CHUNK(e)];
    if (c->page == NULL || !(c->used >> REC_UNIT(e) & 1))
        return false;
    const struct rec_extent *x = extent(s, e);
    if (x->kind != REC_EXTENT || x->pool.blocks != 0 || x->source == 0)
        return false;
    const struct bank *b = bank_of(s, x->owner);
    if (b->extents == e && x->next == 0)
        return false;
    space_release_extent(s, e);
    return true;
}

void space_unblock(struct bank_server *s, rec_id e, struct buddy_block blk)
{
    struct rec_extent *x = extent(s, e);
    buddy_pool_free(&x->pool, blk);
    if (x->pool.blocks == 0 && x->source != 0)
        journal_emptied(s, true, e);
}
