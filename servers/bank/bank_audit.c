#include "bank.h"
#include "bank_service.h"

/*
 * The audit: every bank, each after its parent, with what it holds and
 * what of it is what (bank_service.h).  A walk through the child, sibling
 * and parent links, no stack.  Plain reading: the starter, which shares
 * the server's address space, calls it between requests.
 */

static void describe(const struct bank_server *s, const struct bank *b, unsigned depth, struct bank_audit_entry *out)
{
    *out = (struct bank_audit_entry){ .depth = depth, .badge = BANK_BADGE(b->index, s->banks[b->index].gen, 0),
                                      .limit = b->limit, .held = b->held, .objects = b->objects_bytes,
                                      .overhead = bank_overhead(b),
                                      .children = b->children_bytes, .free = space_free_bytes(s, b),
                                      .count = b->objects, .banks = b->banks };
    for (unsigned t = 0; t < BANK_TYPES; t++)
        out->type_count[t] = b->type_count[t];
}

unsigned bank_audit(struct bank_server *s, bank_audit_fn visit, void *ctx)
{
    struct bank *b = bank_of(s, s->prime);
    unsigned depth = 0, n = 0;
    while (b != NULL) {
        struct bank_audit_entry e;
        describe(s, b, depth, &e);
        visit(ctx, &e);
        n++;
        if (b->first_child != BANK_NONE) { /* down */
            b = bank_of(s, b->first_child);
            depth++;
            continue;
        }
        while (b != NULL && b->next_sibling == BANK_NONE) { /* up to the first with a sibling */
            b = bank_of(s, b->parent);
            depth--;
        }
        if (b != NULL)
            b = bank_of(s, b->next_sibling);
    }
    return n;
}
