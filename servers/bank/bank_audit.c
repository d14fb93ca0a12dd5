#include "bank.h"
#include "bank_service.h"

/*
 * The audit: every bank, each after its parent, with what it holds and
 * what of it is what (bank_service.h).  A walk through the child, sibling
 * and parent links, no stack.  Plain reading: the starter, which shares
 * the server's address space, calls it between requests.
 *
 * TREE (proto/bank.def) is the same walk over IPC, one bank a request,
 * for a client that holds only a bank capability: the subtree under it,
 * the place reached kept by the client as a cursor, which the server
 * checks in full each time (a client can write any word there).
 */

_Static_assert(BANK_TYPES <= 2 * BANK_TREE_TYPE_WORDS, "TREE's words hold a count for every object type");

/* What names a bank to the walk: its badge without rights.  Never 0 for
 * a bank below another: index 0 is the prime bank's, which is below none. */
static uint64_t cursor_of(const struct bank_server *s, const struct bank *b)
{
    return BANK_BADGE(b->index, s->banks[b->index].gen, 0);
}

static void describe(const struct bank_server *s, const struct bank *b, unsigned depth, struct bank_audit_entry *out)
{
    *out = (struct bank_audit_entry){ .depth = depth, .badge = cursor_of(s, b),
                                      .limit = b->limit, .held = b->held, .objects = b->objects_bytes,
                                      .overhead = bank_overhead(b),
                                      .children = b->children_bytes, .free = space_free_bytes(s, b),
                                      .count = b->objects, .banks = b->banks };
    for (unsigned t = 0; t < BANK_TYPES; t++)
        out->type_count[t] = b->type_count[t];
}

/* The bank after b in preorder inside top's subtree (NULL: b was the
 * last), *depth following it: down to the first sub-bank, or up to the
 * first bank with a next sibling -- but never past top, whose siblings
 * lie outside. */
static struct bank *preorder_next(struct bank_server *s, const struct bank *top, struct bank *b, unsigned *depth)
{
    if (b->first_child != BANK_NONE) {
        ++*depth;
        return bank_of(s, b->first_child);
    }
    while (b != top && b->next_sibling == BANK_NONE) {
        b = bank_of(s, b->parent);
        --*depth;
    }
    return b == top ? NULL : bank_of(s, b->next_sibling);
}

unsigned bank_audit(struct bank_server *s, bank_audit_fn visit, void *ctx)
{
    const struct bank *prime = bank_of(s, s->prime);
    unsigned depth = 0, n = 0;
    for (struct bank *b = bank_of(s, s->prime); b != NULL; b = preorder_next(s, prime, b, &depth)) {
        struct bank_audit_entry e;
        describe(s, b, depth, &e);
        visit(ctx, &e);
        n++;
    }
    return n;
}

/* The bank a TREE cursor names inside top's subtree, and how far below
 * top it lies; NULL if it names none: an index outside the table or
 * free, a bank being destroyed, a generation or rights byte other than
 * the bank's cursor has, or a bank whose way up never meets top (top's
 * ancestors and their other descendants).  The way up is at most
 * BANK_DEPTH_MAX long. */
static struct bank *cursor_bank(struct bank_server *s, struct bank *top, uint64_t cursor, unsigned *depth)
{
    *depth = 0;
    if (cursor == 0)
        return top;
    unsigned index = BANK_BADGE_INDEX(cursor);
    struct bank *b = index < s->nbanks ? s->banks[index].bank : NULL;
    if (b == NULL || b->dying || cursor != cursor_of(s, b))
        return NULL;
    for (const struct bank *a = b; a != top; a = bank_of(s, a->parent)) {
        if (a->parent == BANK_NONE)
            return NULL; /* up to the prime bank without meeting top */
        ++*depth;
    }
    return b;
}

/* TREE's objects per type: two counts a word, the even type's low. */
static void put_type_counts(const struct bank_audit_entry *e, uint64_t *const words[BANK_TREE_TYPE_WORDS])
{
    for (unsigned w = 0; w < BANK_TREE_TYPE_WORDS; w++) {
        unsigned t = 2 * w;
        uint64_t low = t < BANK_TYPES ? e->type_count[t] : 0, high = t + 1 < BANK_TYPES ? e->type_count[t + 1] : 0;
        *words[w] = low | high << 32;
    }
}

struct coffer_result bank_serve_tree(struct bank_server *s, const struct coffer_request *rq, uint64_t cursor,
                                     uint64_t *limit, uint64_t *held, uint64_t *objects, uint64_t *overhead,
                                     uint64_t *children, uint64_t *free, uint64_t *count, uint64_t *banks,
                                     uint64_t *depth, uint64_t *next, uint64_t *types0, uint64_t *types1,
                                     uint64_t *types2, uint64_t *types3, uint64_t *types4, uint64_t *types5,
                                     uint64_t *types6, uint64_t *types7)
{
    struct coffer_result r;
    struct bank *top = bank_from_badge(s, rq->badge, 0, &r);
    if (top == NULL)
        return r;
    unsigned below;
    struct bank *b = cursor_bank(s, top, cursor, &below);
    if (b == NULL)
        return (struct coffer_result){ COFFER_ERR_BANK_BAD_CURSOR, cursor, 0 };
    struct bank_audit_entry e;
    describe(s, b, below, &e);
    *limit = e.limit;
    *held = e.held;
    *objects = e.objects;
    *overhead = e.overhead;
    *children = e.children;
    *free = e.free;
    *count = e.count;
    *banks = e.banks;
    *depth = e.depth;
    put_type_counts(&e, (uint64_t *const[BANK_TREE_TYPE_WORDS]){ types0, types1, types2, types3, types4, types5,
                                                                 types6, types7 });
    const struct bank *after = preorder_next(s, top, b, &below);
    *next = after == NULL ? 0 : cursor_of(s, after);
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}
