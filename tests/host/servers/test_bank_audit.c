/*
 * The walk of the bank tree (servers/bank/bank_audit.c): TREE through the
 * generated dispatcher against the host-built kernel core
 * (bank_fixture.h), on a tree of four levels with siblings: the order,
 * depths and cursors of a walk from the prime bank and from banks below
 * it, each bank's figures as INFO and TYPE_INFO give them and as the
 * audit lists them; every cursor that names no bank of the subtree
 * refused with the server exactly as it was.
 */
#include <string.h>

#include "bank_fixture.h"

/* One TREE reply, decoded as proto/bank.def lays it out. */
struct tree {
    uint64_t error, length, detail0, detail1; /* the details: an error's */
    uint64_t limit, held, objects, overhead, children, free, count, banks, depth, next;
    uint64_t types[BANK_TREE_TYPE_WORDS];
};

static struct tree tree(uint64_t badge, uint64_t cursor)
{
    struct coffer_reply rp = call(badge, BANK_OP_TREE, (uint64_t[]){ cursor }, 1);
    struct tree t = { .error = rp.error, .length = rp.length };
    if (rp.error == COFFER_ERR_OK) {
        t.limit = rp.mr[0], t.held = rp.mr[1], t.objects = rp.mr[2], t.overhead = rp.mr[3];
        t.children = rp.mr[4], t.free = rp.mr[5], t.count = rp.mr[6] & 0xffffffff, t.banks = rp.mr[6] >> 32;
        t.depth = rp.mr[7], t.next = rp.mr[8];
        memcpy(t.types, &rp.mr[9], sizeof t.types);
    } else {
        t.detail0 = rp.mr[0], t.detail1 = rp.mr[1];
    }
    return t;
}

/* A bank's cursor as the server makes it: its badge without the rights. */
static uint64_t cursor_of(uint64_t badge)
{
    return badge & ~((uint64_t)0xff << 56);
}

/* The test tree.  CREATE puts a new sub-bank first among its siblings, so
 * preorder meets the later of two siblings first:
 *   prime
 *     b            (created after a)
 *       b1
 *     a
 *       a2         (after a1)
 *       a1
 *         a1x
 */
enum { PRIME, B, B1, A, A2, A1, A1X, NTREE };
static const unsigned depth_in_order[NTREE] = { 0, 1, 2, 1, 2, 2, 3 };
static uint64_t bank[NTREE];

static bool build_tree(void)
{
    uint64_t h, slot;
    bank[PRIME] = prime_badge;
    return create(prime_badge, 2u << 20, &bank[A]) == COFFER_ERR_OK &&
           create(prime_badge, 1u << 20, &bank[B]) == COFFER_ERR_OK &&
           create(bank[A], 1u << 20, &bank[A1]) == COFFER_ERR_OK &&
           create(bank[A], 1u << 19, &bank[A2]) == COFFER_ERR_OK &&
           create(bank[A1], 1u << 19, &bank[A1X]) == COFFER_ERR_OK &&
           create(bank[B], 1u << 19, &bank[B1]) == COFFER_ERR_OK &&
           buy(bank[A], COFFER_OBJ_TCB, 0, &h, &slot) == COFFER_ERR_OK &&
           buy(bank[A1X], COFFER_OBJ_FRAME, 12, &h, &slot) == COFFER_ERR_OK &&
           buy(bank[A1X], COFFER_OBJ_ENDPOINT, 0, &h, &slot) == COFFER_ERR_OK &&
           buy(bank[A1X], COFFER_OBJ_ENDPOINT, 0, &h, &slot) == COFFER_ERR_OK &&
           buy(bank[B1], COFFER_OBJ_NOTIFICATION, 0, &h, &slot) == COFFER_ERR_OK &&
           buy(bank[PRIME], COFFER_OBJ_CNODE, 4, &h, &slot) == COFFER_ERR_OK;
}

/* The bank's figures in a TREE reply are INFO's and TYPE_INFO's. */
static bool same_as_info(const struct tree *t, uint64_t badge)
{
    struct info i = info(badge);
    bool same = t->limit == i.limit && t->held == i.held && t->objects == i.objects && t->overhead == i.overhead &&
                t->children == i.children && t->free == i.free && t->count == i.count && t->banks == i.banks;
    for (unsigned type = 0; type < 2 * BANK_TREE_TYPE_WORDS; type++) {
        struct coffer_reply rp = call(badge, BANK_OP_TYPE_INFO, (uint64_t[]){ type }, 1);
        uint64_t count = rp.error == COFFER_ERR_OK ? rp.mr[0] : 0; /* a type retype never makes: none */
        same = same && BANK_TREE_TYPE_COUNT(t->types, type) == count;
    }
    return same;
}

/* Walk from badge's bank with the cursors the server hands back: the
 * cursors met (0 for the first) and the replies, at most max; how many. */
static unsigned walk(uint64_t badge, struct tree *out, uint64_t *cursors, unsigned max)
{
    unsigned n = 0;
    uint64_t cursor = 0;
    do {
        out[n] = tree(badge, cursor);
        cursors[n] = cursor;
        cursor = out[n].next;
    } while (out[n++].error == COFFER_ERR_OK && cursor != 0 && n < max);
    return n;
}

static void test_walk_from_prime(void)
{
    setup();
    tap_ok(build_tree() && all_balance(), "tree: seven banks on four levels, objects in four of them");
    struct tree t[NTREE + 1];
    uint64_t cursors[NTREE + 1];
    unsigned n = walk(prime_badge, t, cursors, NTREE + 1);
    bool ok = n == NTREE;
    for (unsigned i = 0; i < n && ok; i++)
        ok = t[i].error == COFFER_ERR_OK && t[i].length == 17 && t[i].depth == depth_in_order[i] &&
             (i == 0 || cursors[i] == cursor_of(bank[i]));
    tap_ok(ok, "walk: from the prime bank, every bank once in preorder (the later sibling first), at its depth");
    tap_ok(ok && t[NTREE - 1].next == 0, "walk: the last bank's next is 0");
    bool all_same = ok;
    for (unsigned i = 0; i < n && all_same; i++)
        all_same = same_as_info(&t[i], bank[i]);
    tap_ok(all_same, "walk: each bank's bytes, counts and objects per type are what INFO and TYPE_INFO say");
    tap_ok(ok && BANK_TREE_TYPE_COUNT(t[A].types, COFFER_OBJ_ENDPOINT) == 2 &&
               BANK_TREE_TYPE_COUNT(t[A].types, COFFER_OBJ_TCB) == 1 && t[A].count == 1 &&
               BANK_TREE_TYPE_COUNT(t[PRIME].types, COFFER_OBJ_NOTIFICATION) == 1,
           "walk: the objects per type count the sub-banks', the count only the bank's own");
}

/* The walk and the audit see the same tree, bank for bank. */
struct audited { unsigned n; struct bank_audit_entry e[NBANKS]; };

static void audit_collect(void *ctx, const struct bank_audit_entry *e)
{
    struct audited *a = ctx;
    if (a->n < NBANKS)
        a->e[a->n++] = *e;
}

static bool same_as_audit(const struct tree *t, const struct bank_audit_entry *e, uint64_t cursor)
{
    bool same = t->depth == e->depth && (cursor == 0 || cursor == e->badge) && t->limit == e->limit &&
                t->held == e->held && t->objects == e->objects && t->overhead == e->overhead &&
                t->children == e->children && t->free == e->free && t->count == e->count && t->banks == e->banks;
    for (unsigned type = 0; type < COFFER_OBJ_COUNT_; type++)
        same = same && BANK_TREE_TYPE_COUNT(t->types, type) == e->type_count[type];
    return same;
}

static void test_walk_is_the_audit(void)
{
    static struct audited a;
    a.n = 0;
    unsigned n = bank_audit(&server, audit_collect, &a);
    struct tree t[NTREE];
    uint64_t cursors[NTREE];
    bool same = n == NTREE && walk(prime_badge, t, cursors, NTREE) == NTREE;
    for (unsigned i = 0; i < NTREE && same; i++)
        same = same_as_audit(&t[i], &a.e[i], cursors[i]);
    tap_ok(same, "walk: the same banks in the same order as bank_audit, with the same figures");
}

static void test_walk_from_below(void)
{
    struct tree t[NTREE];
    uint64_t cursors[NTREE];
    unsigned n = walk(bank[A], t, cursors, NTREE);
    tap_ok(n == 4 && t[0].depth == 0 && t[1].depth == 1 && t[2].depth == 1 && t[3].depth == 2 &&
               cursors[1] == cursor_of(bank[A2]) && cursors[2] == cursor_of(bank[A1]) &&
               cursors[3] == cursor_of(bank[A1X]) && t[3].next == 0 && same_as_info(&t[0], bank[A]),
           "walk: from a sub-bank, only its subtree, depths counted from it");
    n = walk(bank[A1X], t, cursors, NTREE);
    tap_ok(n == 1 && t[0].depth == 0 && t[0].next == 0 && t[0].count == 3, "walk: from a leaf, the leaf alone");
    n = walk(bank[B], t, cursors, NTREE);
    tap_ok(n == 2 && t[1].depth == 1 && cursors[1] == cursor_of(bank[B1]) && t[1].next == 0,
           "walk: from a bank whose sibling comes next in the whole tree, its subtree and then 0, not the sibling");
    uint64_t buy_only = BANK_BADGE(BANK_BADGE_INDEX(bank[A]), BANK_BADGE_GEN(bank[A]), BANK_RIGHT_BUY);
    struct tree one = tree(buy_only, cursor_of(bank[A1]));
    tap_ok(one.error == COFFER_ERR_OK && one.depth == 1 && one.next == cursor_of(bank[A1X]),
           "walk: a capability with no right but to buy walks too, from any cursor of the walk");
    one = tree(bank[A], cursor_of(bank[A]));
    tap_ok(one.error == COFFER_ERR_OK && one.depth == 0 && one.next == cursor_of(bank[A2]),
           "walk: the called bank's own cursor names it, as 0 does");
}

/* Everything the server keeps, to see that a refusal changed nothing. */
struct state {
    struct bank_entry entries[NBANKS];
    struct chunk_entry chunks[NCHUNKS];
    struct bank records[NBANKS];
};

static void snapshot(struct state *st)
{
    memset(st, 0, sizeof *st);
    memcpy(st->entries, banks, sizeof banks);
    memcpy(st->chunks, chunks, sizeof chunks);
    for (unsigned i = 0; i < NBANKS; i++)
        if (banks[i].bank != NULL)
            st->records[i] = *banks[i].bank;
}

/* TREE on badge with cursor is BANK_BAD_CURSOR(cursor), nothing changed. */
static bool refused(uint64_t badge, uint64_t cursor)
{
    static struct state before, after;
    snapshot(&before);
    struct tree t = tree(badge, cursor);
    snapshot(&after);
    return t.error == COFFER_ERR_BANK_BAD_CURSOR && t.length == 2 && t.detail0 == cursor && t.detail1 == 0 &&
           memcmp(&before, &after, sizeof before) == 0;
}

static void test_bad_cursors(void)
{
    uint64_t a2 = cursor_of(bank[A2]);
    tap_ok(refused(bank[A], cursor_of(bank[B])) && refused(bank[A], cursor_of(bank[B1])),
           "cursor: a sibling of the bank called, or a bank below one: BANK_BAD_CURSOR(cursor), nothing changed");
    tap_ok(refused(bank[A], cursor_of(prime_badge)) && refused(bank[A1], cursor_of(bank[A])) &&
               refused(bank[A1], a2),
           "cursor: the prime bank, the caller's parent, the parent's other sub-bank: BANK_BAD_CURSOR");
    tap_ok(refused(bank[A], a2 + (1ull << 16)) && refused(bank[A], a2 - (1ull << 16)),
           "cursor: a generation the bank does not have: BANK_BAD_CURSOR");
    tap_ok(refused(bank[A], a2 | (uint64_t)BANK_RIGHT_BUY << 56) && refused(bank[A], a2 | (uint64_t)0xff << 56),
           "cursor: the bank's badge with rights in it is no cursor: BANK_BAD_CURSOR");
    tap_ok(refused(prime_badge, BANK_BADGE(NBANKS, 1, 0)) && refused(prime_badge, BANK_BADGE(BANK_NONE, 1, 0)) &&
               refused(prime_badge, BANK_BADGE(NBANKS - 1, 0, 0)) && refused(prime_badge, BANK_BADGE(NBANKS - 1, 1, 0)),
           "cursor: an index past the table, BANK_NONE's, a free entry's: BANK_BAD_CURSOR");
    /* A destroy's first step cut a1x off (doom, bank_tree.c); its later
     * ones run with the books let go, the entry still leading to the
     * record under the generation the destroy moved it on to -- one a
     * client can guess. */
    unsigned x = BANK_BADGE_INDEX(bank[A1X]);
    struct bank *doomed = bank_of(&server, (uint16_t)x);
    banks[x].gen++;
    doomed->dying = 1;
    bool dying_refused = refused(bank[A], BANK_BADGE(x, banks[x].gen, 0));
    doomed->dying = 0;
    banks[x].gen--;
    tap_ok(dying_refused, "cursor: a bank being destroyed, under its new generation: BANK_BAD_CURSOR");
    tap_ok(simple(bank[A2], BANK_OP_DESTROY) == COFFER_ERR_OK && refused(bank[A], a2),
           "cursor: a bank destroyed since: BANK_BAD_CURSOR");
    uint64_t again;
    tap_ok(create(bank[B], 1u << 16, &again) == COFFER_ERR_OK &&
               BANK_BADGE_INDEX(again) == BANK_BADGE_INDEX(a2) && refused(bank[B], a2) &&
               tree(bank[B], cursor_of(again)).error == COFFER_ERR_OK,
           "cursor: its entry given to a new bank: the old cursor is refused, the new bank's answers");
    uint64_t a1 = cursor_of(bank[A1]);
    tap_ok(simple(bank[A1], BANK_OP_REMOVE) == COFFER_ERR_OK && refused(bank[A], a1) &&
               tree(bank[A], cursor_of(bank[A1X])).depth == 1,
           "cursor: a bank removed: refused; its sub-bank, passed to the parent, is a level higher");
}

static void test_refusals_first(void)
{
    uint64_t gone = bank[B1];
    simple(gone, BANK_OP_DESTROY);
    struct tree t = tree(gone, 0);
    tap_ok(t.error == COFFER_ERR_BANK_DESTROYED && t.length == 2,
           "tree: called on a destroyed bank: BANK_DESTROYED, whatever the cursor");
    tap_ok(tree(gone, cursor_of(bank[B])).error == COFFER_ERR_BANK_DESTROYED,
           "tree: a destroyed bank with another bank's cursor: BANK_DESTROYED first");
    struct coffer_reply rp = call(prime_badge, BANK_OP_TREE, NULL, 0);
    tap_ok(rp.error == COFFER_ERR_PROTO_BAD_MESSAGE && rp.mr[0] == 1 && rp.mr[1] == 0 && all_balance(),
           "tree: without a cursor word: PROTO_BAD_MESSAGE(1, 0)");
}

int main(void)
{
    if (!bank_fixture_alloc())
        return 1;
    test_walk_from_prime();
    test_walk_is_the_audit();
    test_walk_from_below();
    test_bad_cursors();
    test_refusals_first();
    return tap_done();
}
