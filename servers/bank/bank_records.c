#include "bank.h"

#include <string.h>

/*
 * Records: 64-byte units in chunks (bank.h).  A bank's chunks are a list
 * through the chunk table, and those with a free unit another, so taking
 * a unit looks at one chunk.  A bank with sub-banks keeps a few units
 * spare (BANK_SPARE_UNITS) for their extent records, so a chain of banks
 * grows without making a chunk anywhere on the way (rec_take).  A chunk
 * that empties is given back when the request ends, if the bank's other
 * chunks still hold its spare units.
 */

#define CHUNK_FULL (~0ull)
#define CHUNK_EMPTY 1ull /* only unit 0, the header */
#define CHUNK_RECORDS (BANK_CHUNK_UNITS - 1)

bool rec_owned(const struct bank_server *s, const struct bank *b, rec_id r)
{
    if (REC_CHUNK(r) >= s->nchunks || REC_UNIT(r) == 0)
        return false;
    const struct chunk_entry *c = &s->chunks[REC_CHUNK(r)];
    return c->page != NULL && c->owner == b->index && (c->used >> REC_UNIT(r) & 1);
}

static void room_push(struct bank_server *s, struct bank *b, uint32_t c)
{
    s->chunks[c].prev_room = 0;
    s->chunks[c].next_room = b->room;
    if (b->room != 0)
        s->chunks[b->room].prev_room = c;
    b->room = c;
}

static void room_remove(struct bank_server *s, struct bank *b, uint32_t c)
{
    struct chunk_entry *e = &s->chunks[c];
    if (e->prev_room != 0)
        s->chunks[e->prev_room].next_room = e->next_room;
    else
        b->room = e->next_room;
    if (e->next_room != 0)
        s->chunks[e->next_room].prev_room = e->prev_room;
}

static void list_push(struct bank_server *s, struct bank *b, uint32_t c)
{
    s->chunks[c].prev = 0;
    s->chunks[c].next = b->first_chunk;
    if (b->first_chunk != 0)
        s->chunks[b->first_chunk].prev = c;
    b->first_chunk = c;
}

static void list_remove(struct bank_server *s, struct bank *b, uint32_t c)
{
    struct chunk_entry *e = &s->chunks[c];
    if (e->prev != 0)
        s->chunks[e->prev].next = e->next;
    else
        b->first_chunk = e->next;
    if (e->next != 0)
        s->chunks[e->next].prev = e->prev;
}

/* The first free run of `units` (1, or 4 aligned) in a used mask; -1 if none. */
static int free_run(uint64_t used, unsigned units)
{
    if (units == 1)
        return used == CHUNK_FULL ? -1 : (int)coffer_lowest_bit(~used);
    for (unsigned u = 0; u < BANK_CHUNK_UNITS; u += units)
        if (((used >> u) & ((1ull << units) - 1)) == 0)
            return (int)u;
    return -1;
}

/* Units [u, u + n) of chunk c are b's record now, zeroed. */
static void take(struct bank_server *s, struct bank *b, uint32_t c, unsigned u, unsigned n)
{
    struct chunk_entry *e = &s->chunks[c];
    e->used |= ((1ull << n) - 1) << u;
    if (e->used == CHUNK_FULL)
        room_remove(s, b, c);
    b->free_units -= n;
    /* A unit at a time, in word stores: the C library's memset goes a
     * byte at a time (300 instructions for one record). */
    struct unit { uint64_t word[BANK_UNIT_BYTES / 8]; } *unit = rec_ptr(s, REC_ID(c, u));
    for (unsigned i = 0; i < n; i++)
        unit[i] = (struct unit){ { 0 } };
}

/* A new chunk for b: a CNode and a frame from b's own space, the frame
 * mapped for the server.  Undone entirely if any step fails. */
static COFFER_COLD struct coffer_result chunk_new(struct bank_server *s, struct bank *b, unsigned level, uint32_t *out)
{
    uint32_t c = s->free_chunk;
    if (c == 0)
        return (struct coffer_result){ COFFER_ERR_BANK_TABLE_FULL, 1, 0 };
    struct chunk_header h;
    struct coffer_result r = space_block(s, b, BANK_CHUNK_BITS, false, level, &h.cnode_extent, &h.cnode_block);
    if (r.error != COFFER_ERR_OK)
        return r;
    r = space_block(s, b, BANK_CHUNK_BITS, false, level, &h.frame_extent, &h.frame_block);
    if (r.error != COFFER_ERR_OK)
        goto no_frame_block;
    struct space_dest cnode_slot = { 0, 0, s->env.first_chunk_slot + c };
    r = space_retype(s, h.cnode_extent, h.cnode_block, 0, COFFER_OBJ_CNODE, BANK_CHUNK_SLOT_BITS, cnode_slot);
    if (r.error != COFFER_ERR_OK)
        goto no_cnode;
    r = space_retype(s, h.frame_extent, h.frame_block, 0, COFFER_OBJ_FRAME, BANK_CHUNK_BITS, rec_dest(s, REC_ID(c, 0)));
    if (r.error != COFFER_ERR_OK)
        goto no_frame;
    void *page = s->env.map(s->env.map_ctx, rec_slot(s, REC_ID(c, 0)),
                            space_paddr(s, h.frame_extent, h.frame_block.offset));
    if (page == NULL) {
        r = (struct coffer_result){ COFFER_ERR_ILLEGAL_OPERATION, 0, 0 };
        coffer_cnode_delete(s->env.cnode, rec_slot(s, REC_ID(c, 0)), 64);
        goto no_frame;
    }
    s->free_chunk = s->chunks[c].next;
    s->chunks[c] = (struct chunk_entry){ .page = page, .used = CHUNK_EMPTY, .owner = b->index };
    memcpy(page, &h, sizeof h);
    list_push(s, b, c);
    room_push(s, b, c);
    b->free_units += CHUNK_RECORDS;
    b->meta_bytes += 2u << BANK_CHUNK_BITS;
    journal_note(s, false, c);
    *out = c;
    return r;
no_frame:
    coffer_cnode_delete(s->env.cnode, s->env.first_chunk_slot + c, REC_CHUNK_DEPTH);
no_cnode:
    space_unblock(s, h.frame_extent, h.frame_block);
no_frame_block:
    space_unblock(s, h.cnode_extent, h.cnode_block);
    return r;
}

struct coffer_result rec_alloc(struct bank_server *s, struct bank *b, unsigned units, unsigned level, rec_id *out)
{
    uint32_t c = b->room;
    int u = -1;
    while (c != 0 && (u = free_run(s->chunks[c].used, units)) < 0)
        c = s->chunks[c].next_room;
    if (c == 0) {
        struct coffer_result r = chunk_new(s, b, level, &c);
        if (r.error != COFFER_ERR_OK)
            return r;
        u = free_run(s->chunks[c].used, units);
    }
    if (u < 0)
        return (struct coffer_result){ COFFER_ERR_ILLEGAL_OPERATION, 0, 0 }; /* a new chunk has room */
    take(s, b, c, (unsigned)u, units);
    if (b->banks > 0 && b->free_units < BANK_SPARE_UNITS)
        journal_spare(s, b);
    *out = REC_ID(c, (unsigned)u);
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}

rec_id rec_take(struct bank_server *s, struct bank *b)
{
    uint32_t c = b->room;
    int u = c != 0 ? free_run(s->chunks[c].used, 1) : -1;
    if (u < 0)
        return 0; /* none: space_block checks free_units before it asks */
    take(s, b, c, (unsigned)u, 1);
    journal_spare(s, b);
    return REC_ID(c, (unsigned)u);
}

/* After a request that stood: b's spare units made good, if its limit
 * lets it (if not, its sub-banks find they cannot grow: BANK_LIMIT). */
void rec_keep_spare(struct bank_server *s, struct bank *b)
{
    uint32_t c;
    while (b->free_units < BANK_SPARE_UNITS && chunk_new(s, b, 0, &c).error == COFFER_ERR_OK)
        ;
}

/* Give an empty chunk back: its frame and CNode die, their blocks return. */
static void chunk_release(struct bank_server *s, struct bank *b, uint32_t c)
{
    struct chunk_header h;
    memcpy(&h, s->chunks[c].page, sizeof h);
    room_remove(s, b, c);
    list_remove(s, b, c);
    coffer_cnode_delete(s->env.cnode, rec_slot(s, REC_ID(c, 0)), 64);
    coffer_cnode_delete(s->env.cnode, s->env.first_chunk_slot + c, REC_CHUNK_DEPTH);
    s->chunks[c] = (struct chunk_entry){ .next = s->free_chunk };
    s->free_chunk = c;
    b->free_units -= CHUNK_RECORDS;
    b->meta_bytes -= 2u << BANK_CHUNK_BITS;
    space_unblock(s, h.frame_extent, h.frame_block);
    space_unblock(s, h.cnode_extent, h.cnode_block);
}

void rec_free(struct bank_server *s, rec_id r, unsigned units)
{
    uint32_t c = REC_CHUNK(r);
    struct chunk_entry *e = &s->chunks[c];
    struct bank *b = bank_of(s, e->owner);
    if (e->used == CHUNK_FULL && c != 0)
        room_push(s, b, c);
    e->used &= ~(((1ull << units) - 1) << REC_UNIT(r));
    if (c == 0)
        return; /* the prime bank's own: the server's memory */
    b->free_units += units;
    if (e->used == CHUNK_EMPTY)
        journal_emptied(s, false, c);
}

/* Undoing a refused request: a chunk it made goes again if empty. */
bool chunk_release_if_empty(struct bank_server *s, uint32_t c)
{
    struct chunk_entry *e = &s->chunks[c];
    if (e->page == NULL || e->used != CHUNK_EMPTY)
        return false;
    chunk_release(s, bank_of(s, e->owner), c);
    return true;
}

/* At the end of a request: an empty chunk goes, if the bank's other
 * chunks keep its spare units (so a bank that buys and frees in a loop
 * keeps one). */
bool chunk_release_if_spare(struct bank_server *s, uint32_t c)
{
    struct chunk_entry *e = &s->chunks[c];
    if (e->page == NULL || e->used != CHUNK_EMPTY)
        return false;
    struct bank *b = bank_of(s, e->owner);
    if (b->free_units < CHUNK_RECORDS + BANK_SPARE_UNITS)
        return false;
    chunk_release(s, b, c);
    return true;
}

/* A bank being destroyed: its chunks' entries go back to the table (the
 * frames and CNodes die with its extents). */
void chunks_forget(struct bank_server *s, struct bank *b)
{
    for (uint32_t c = b->first_chunk, next; c != 0; c = next) {
        next = s->chunks[c].next;
        s->chunks[c] = (struct chunk_entry){ .next = s->free_chunk };
        s->free_chunk = c;
    }
    b->first_chunk = b->room = 0;
    b->free_units = 0;
}

/* A bank being destroyed takes its sub-banks' chunks on its own list (as
 * no one's), so that their entries — and the root slots of their CNodes —
 * are given out again only once the kernel has revoked them
 * (tree_destroy). */
void chunks_doom(struct bank_server *s, struct bank *from, struct bank *to)
{
    for (uint32_t c = from->first_chunk, next; c != 0; c = next) {
        next = s->chunks[c].next;
        s->chunks[c].owner = BANK_NONE;
        list_push(s, to, c);
    }
    from->first_chunk = from->room = 0;
    from->free_units = 0;
}

/* A bank being removed: its chunks become its parent's. */
void chunks_adopt(struct bank_server *s, struct bank *from, struct bank *to)
{
    for (uint32_t c = from->first_chunk, next; c != 0; c = next) {
        next = s->chunks[c].next;
        s->chunks[c].owner = to->index;
        list_push(s, to, c);
        if (s->chunks[c].used != CHUNK_FULL)
            room_push(s, to, c);
    }
    to->free_units += from->free_units;
    from->first_chunk = from->room = 0;
    from->free_units = 0;
}
