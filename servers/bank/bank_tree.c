#include "bank.h"

/*
 * The tree of banks: creating a child, destroying a bank with everything
 * below it, removing one (its goods pass to its parent).
 */

static struct bank_entry *entry_of(struct bank_server *s, const struct bank *b)
{
    return &s->banks[b->index];
}

/* How many banks lie between b and the prime bank (the prime: 0). */
static unsigned depth_of(struct bank_server *s, const struct bank *b)
{
    unsigned depth = 0;
    for (; b->parent != BANK_NONE; b = bank_of(s, b->parent))
        depth++;
    return depth;
}

struct coffer_result tree_create(struct bank_server *s, struct bank *parent, uint64_t limit, struct bank **out)
{
    uint16_t index = s->free_bank;
    if (index == BANK_NONE)
        return (struct coffer_result){ COFFER_ERR_BANK_TABLE_FULL, 0, 0 };
    if (depth_of(s, parent) >= BANK_DEPTH_MAX)
        return (struct coffer_result){ COFFER_ERR_BANK_TOO_DEEP, BANK_DEPTH_MAX, 0 };
    rec_id r;
    struct coffer_result res = rec_alloc(s, parent, BANK_BANK_UNITS, 0, &r);
    if (res.error != COFFER_ERR_OK)
        return res;
    struct bank_entry *e = &s->banks[index];
    uint64_t gen = e->gen + 1;
    res = coffer_cnode_mint(s->env.cnode, rec_slot(s, r), 64, s->env.cnode, s->env.endpoint, 64,
                            COFFER_PROTO_CLIENT_RIGHTS, BANK_BADGE(index, gen, BANK_RIGHTS_ALL));
    if (res.error != COFFER_ERR_OK) {
        rec_free(s, r, BANK_BANK_UNITS);
        return res;
    }
    struct bank *b = rec_ptr(s, r);
    *b = (struct bank){ .kind = REC_BANK, .index = index, .record = r, .parent = parent->index, .first_child = BANK_NONE,
                        .next_sibling = parent->first_child, .limit = limit };
    for (unsigned t = 0; t < BANK_TYPES; t++)
        b->type_limit[t] = UINT32_MAX;
    parent->first_child = index;
    parent->banks++;
    journal_spare(s, parent); /* it has a sub-bank: it keeps spare record units */
    s->free_bank = e->next_free;
    *e = (struct bank_entry){ .gen = gen, .bank = b, .next_free = BANK_NONE };
    *out = b;
    return res;
}

static void unlink_child(struct bank_server *s, struct bank *parent, const struct bank *b)
{
    uint16_t *link = &parent->first_child;
    while (*link != b->index)
        link = &bank_of(s, *link)->next_sibling;
    *link = b->next_sibling;
    parent->banks--;
}

/* Revoke every capability to bank b its holders have: the originals are
 * its record's slot and its restricted capabilities' records. */
static void revoke_badges(struct bank_server *s, const struct bank *b)
{
    coffer_cnode_revoke(s->env.cnode, rec_slot(s, b->record), 64);
    for (rec_id r = b->badges; r != 0; r = ((struct rec_badge *)rec_ptr(s, r))->next)
        coffer_cnode_revoke(s->env.cnode, rec_slot(s, r), 64);
}

/* The table forgets b: its badge answers no more. */
static void forget(struct bank_server *s, struct bank *b)
{
    struct bank_entry *e = entry_of(s, b);
    e->bank = NULL;
    e->next_free = s->free_bank;
    s->free_bank = b->index;
}

/* Visit every bank below b (not b), each after its sub-banks: a walk
 * through the child, sibling and parent links, no stack.  The links are
 * read before the visit, which may forget the bank. */
static void each_below(struct bank_server *s, struct bank *b, void (*visit)(struct bank_server *, struct bank *, struct bank *))
{
    struct bank *at = bank_of(s, b->first_child);
    while (at != NULL && at->first_child != BANK_NONE)
        at = bank_of(s, at->first_child);
    while (at != NULL && at != b) {
        struct bank *parent = bank_of(s, at->parent), *next = bank_of(s, at->next_sibling);
        visit(s, at, b);
        if (next != NULL) {
            at = next;
            while (at->first_child != BANK_NONE)
                at = bank_of(s, at->first_child);
        } else {
            at = parent;
        }
    }
}

/* A bank being destroyed answers no more: its badges' generation is
 * stale, so every request with one is BANK_DESTROYED, while its table
 * entry still leads to it for the walks of the steps after.  A TREE
 * cursor is no badge -- its client writes it and could guess the new
 * generation -- so the bank says it is dying too. */
static void doom(struct bank_server *s, struct bank *b, struct bank *top)
{
    (void)top;
    entry_of(s, b)->gen++;
    b->dying = 1;
}

static void revoke_each(struct bank_server *s, struct bank *b, struct bank *top)
{
    (void)top;
    revoke_badges(s, b);
}

/* The table forgets a sub-bank of the destroyed bank top, whose list
 * takes its chunks. */
static void forget_below(struct bank_server *s, struct bank *b, struct bank *top)
{
    chunks_doom(s, b, top);
    forget(s, b);
}

/*
 * Destroy, in five steps, none of whose locked parts grows with what the
 * bank's holders did.
 *  1. Locked: b is cut off.  It and its sub-banks answer no more (doom:
 *     their badges are stale), it is unlinked from its parent and its
 *     counts leave its ancestors' -- nothing can reach it, and a client
 *     using it meanwhile gets BANK_DESTROYED.
 *  2. Unlocked: the kernel revokes every capability to those banks, as
 *     many as their holders made.
 *  3. Locked: the table forgets them (as many as the table holds at most)
 *     and their chunks join b's list.
 *  4. Unlocked: the kernel revokes b's extents, the long part: every
 *     object inside dies.
 *  5. Locked: the blocks and records go back to the parent (one per
 *     extent).
 * The unlocked steps touch none of the books, so other requests are
 * served meanwhile.  The parent cannot go in the meantime: its count of
 * destroys in flight makes its own destroy or remove BANK_BUSY
 * (quiet_bank).
 */
void tree_destroy(struct bank_server *s, struct bank *b)
{
    struct bank *parent = bank_of(s, b->parent);
    /* Extents a removed sub-bank passed to b lie inside b's own (their
     * records too): they die with those, so only the outer ones, whose
     * records are the parent's, are handled.  First drop the inner ones
     * from the list, while every record can still be read. */
    rec_id *link = &b->extents;
    while (*link != 0) {
        struct rec_extent *x = rec_ptr(s, *link);
        if (((struct rec_extent *)rec_ptr(s, x->source))->owner == b->index)
            *link = x->next;
        else
            link = &x->next;
    }
    each_below(s, b, doom);
    doom(s, b, b);
    for (unsigned t = 0; t < BANK_TYPES; t++)
        for (struct bank *a = parent; a != NULL; a = bank_of(s, a->parent))
            a->type_count[t] -= b->type_count[t];
    unlink_child(s, parent, b);
    for (struct bank *a = parent; a != NULL; a = bank_of(s, a->parent))
        a->pending++;
    /* No request reaches these banks now, so their records and links
     * hold still without the lock.  Nothing of this request is in the
     * journal yet, and must not be: the requests served while the lock
     * is let go each reset and use it (bank_handle). */
    bank_unlock(s);
    each_below(s, b, revoke_each);
    revoke_badges(s, b);
    /* The table forgets them while their records (in b's extents) can
     * still be read: a walk as long as the table is large at most. */
    bank_relock(s);
    each_below(s, b, forget_below);
    for (uint32_t c = b->first_chunk; c != 0; c = s->chunks[c].next)
        s->chunks[c].owner = BANK_NONE; /* its table index may be given out before they go */
    forget(s, b);
    bank_unlock(s);
    /* Revoking each outer extent kills everything bought inside it,
     * sub-banks' extents and objects included. */
    for (rec_id e = b->extents; e != 0; e = ((struct rec_extent *)rec_ptr(s, e))->next)
        coffer_cnode_revoke(s->env.cnode, rec_slot(s, e), 64);
    bank_relock(s);
    while (b->extents != 0) {
        rec_id e = b->extents;
        struct rec_extent *x = rec_ptr(s, e);
        uint64_t bytes = 1ull << x->pool.bits;
        rec_id source = x->source;
        struct buddy_block blk = space_extent_block(s, e);
        b->extents = x->next;
        b->held -= bytes;
        parent->children_bytes -= bytes;
        coffer_cnode_delete(s->env.cnode, rec_slot(s, e), 64);
        rec_free(s, e, 1);
        space_unblock(s, source, blk);
    }
    chunks_forget(s, b); /* its and its sub-banks' chunks died with the extents */
    for (struct bank *a = parent; a != NULL; a = bank_of(s, a->parent))
        a->pending--;
    rec_id record = b->record;
    coffer_cnode_delete(s->env.cnode, rec_slot(s, record), 64);
    rec_free(s, record, BANK_BANK_UNITS);
}

/* Remove: b goes, what it had becomes its parent's. */
void tree_remove(struct bank_server *s, struct bank *b)
{
    struct bank *parent = bank_of(s, b->parent);
    revoke_badges(s, b);
    unlink_child(s, parent, b);
    forget(s, b);
    for (uint32_t c = b->first_chunk; c != 0; c = s->chunks[c].next)
        journal_emptied(s, false, c); /* its empty chunk is not the parent's last */
    chunks_adopt(s, b, parent);
    while (b->extents != 0) {
        rec_id e = b->extents;
        struct rec_extent *x = rec_ptr(s, e);
        b->extents = x->next;
        x->owner = parent->index;
        x->next = parent->extents;
        parent->extents = e;
        journal_emptied(s, true, e);
    }
    for (uint16_t c = b->first_child, next; c != BANK_NONE; c = next) {
        struct bank *child = bank_of(s, c);
        next = child->next_sibling;
        child->parent = parent->index;
        child->next_sibling = parent->first_child;
        parent->first_child = c;
        parent->banks++;
    }
    for (unsigned cls = 0; cls < BANK_SLAB_CLASSES; cls++)
        while (b->slabs[cls] != 0) {
            rec_id r = b->slabs[cls];
            struct rec_slab *sl = rec_ptr(s, r);
            b->slabs[cls] = sl->next;
            sl->prev = 0;
            sl->next = parent->slabs[cls];
            if (sl->next != 0)
                ((struct rec_slab *)rec_ptr(s, sl->next))->prev = r;
            parent->slabs[cls] = r;
        }
    parent->children_bytes = parent->children_bytes - b->held + b->children_bytes;
    parent->objects += b->objects;
    parent->objects_bytes += b->objects_bytes;
    parent->meta_bytes += b->meta_bytes;
    parent->slab_bytes += b->slab_bytes;
    parent->small_bytes += b->small_bytes;
    for (rec_id r = b->badges, next; r != 0; r = next) {
        next = ((struct rec_badge *)rec_ptr(s, r))->next;
        coffer_cnode_delete(s->env.cnode, rec_slot(s, r), 64);
        rec_free(s, r, 1);
    }
    rec_id record = b->record;
    coffer_cnode_delete(s->env.cnode, rec_slot(s, record), 64);
    rec_free(s, record, BANK_BANK_UNITS);
}
