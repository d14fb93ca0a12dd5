/*
 * Host tests for kernel/core/cap/rbtree.c: the intrusive augmented red-black tree.
 *
 * Unit tests pin each operation's documented behaviour (empty tree, every
 * insertion position, every erase shape, navigation, keyed descent through
 * rb_link, rb_replace, rb_update_path).  Augmentation is checked with three
 * callbacks: subtree maximum of a value, subtree size, and both packed in
 * one word; rb_check() verifies each node's aug against its children.
 *
 * The model-based test replays a long random mix of operations on the tree
 * and on a plain array holding the expected in-order sequence, comparing the
 * two after every operation.  Its seed is argv[1] (decimal) if given, else a
 * fixed default; it is printed so a failure can be replayed.
 *
 * The invariant checker's own tests are in test_rbtree_check.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "cap/rbtree.h"
#include "rbtree_fixture.h"
#include "tap.h"
#include "test_util.h"

#define DEFAULT_SEED 20240601ull
#define MODEL_MAX 512           /* nodes in the model-based test's pool */
#define RANDOM_OPS 1000000ul    /* operations in the model-based test */
#define CHECK_ALL_UNTIL 20000ul /* rb_check after every op until here... */
#define CHECK_EVERY 1000ul      /* ...then every CHECK_EVERY ops */

/* ---- A tree with its expected in-order sequence --------------------------- */

struct model {
    struct rb_tree t;
    struct tnode *seq[MODEL_MAX]; /* the expected in-order sequence */
    size_t n;
    struct tnode *free_list[MODEL_MAX];
    size_t n_free;
    struct tnode pool[MODEL_MAX];
};

static void model_reset(struct model *m, void (*update)(struct rb_node *))
{
    rb_init(&m->t, update);
    m->n = 0;
    m->n_free = MODEL_MAX;
    for (size_t i = 0; i < MODEL_MAX; i++) {
        m->pool[i] = (struct tnode){ .id = (unsigned)i };
        m->free_list[i] = &m->pool[MODEL_MAX - 1 - i];
    }
}

static struct tnode *model_take(struct model *m)
{
    return m->free_list[--m->n_free];
}

static void model_give(struct model *m, struct tnode *x)
{
    m->free_list[m->n_free++] = x;
}

static void model_insert_at(struct model *m, size_t k, struct tnode *x)
{
    for (size_t i = m->n; i > k; i--)
        m->seq[i] = m->seq[i - 1];
    m->seq[k] = x;
    m->n++;
}

static void model_remove_at(struct model *m, size_t k)
{
    for (size_t i = k; i + 1 < m->n; i++)
        m->seq[i] = m->seq[i + 1];
    m->n--;
}

/* Does the forward walk (and rb_first/rb_last) give exactly the model? */
static bool walk_matches(const struct model *m)
{
    size_t i = 0;
    const struct rb_node *n;

    for (n = rb_first(&m->t); n != NULL && i < m->n; n = rb_next(n), i++)
        if (n != &m->seq[i]->rb)
            return false;
    if (n != NULL || i != m->n)
        return false;
    return rb_last(&m->t) == (m->n > 0 ? &m->seq[m->n - 1]->rb : NULL);
}

static bool walk_back_matches(const struct model *m)
{
    size_t i = m->n;
    const struct rb_node *n;

    for (n = rb_last(&m->t); n != NULL && i > 0; n = rb_prev(n))
        if (n != &m->seq[--i]->rb)
            return false;
    return n == NULL && i == 0;
}

/* Insert x as the k-th node (0-based) by descending on subtree sizes: a
 * keyed descent whose key is the rank, finished with rb_link. */
static void rank_insert(struct rb_tree *t, struct rb_node *x, size_t k,
                        uint64_t (*size_of)(const struct rb_node *))
{
    struct rb_node *parent = NULL, *cur = t->root;
    bool left = true;

    while (cur != NULL) {
        uint64_t ls = size_of(cur->left);
        parent = cur;
        left = k <= ls;
        if (left) {
            cur = cur->left;
        } else {
            k -= (size_t)ls + 1;
            cur = cur->right;
        }
    }
    rb_link(t, x, parent, left);
}

/* The k-th node (0-based) found through subtree sizes, or NULL. */
static const struct rb_node *rank_select(const struct rb_tree *t, size_t k,
                                         uint64_t (*size_of)(const struct rb_node *))
{
    const struct rb_node *cur = t->root;

    while (cur != NULL) {
        uint64_t ls = size_of(cur->left);
        if (k == ls)
            return cur;
        if (k < ls) {
            cur = cur->left;
        } else {
            k -= (size_t)ls + 1;
            cur = cur->right;
        }
    }
    return NULL;
}

/* Put a fresh node at position k using insert_after/before, as the rng says. */
static struct tnode *model_insert_random_way(struct model *m, size_t k)
{
    struct tnode *x = model_take(m);

    x->v = (uint32_t)test_rng();
    if (test_rng_below(2) == 0)
        rb_insert_after(&m->t, k > 0 ? &m->seq[k - 1]->rb : NULL, &x->rb);
    else
        rb_insert_before(&m->t, k < m->n ? &m->seq[k]->rb : NULL, &x->rb);
    model_insert_at(m, k, x);
    return x;
}

/* ---- Unit tests ------------------------------------------------------------ */

static void test_empty(void)
{
    struct rb_tree t;
    unsigned bh = 99;

    rb_init(&t, NULL);
    tap_ok(t.root == NULL && t.update == NULL, "empty: rb_init leaves no root and no callback");
    tap_ok(rb_first(&t) == NULL && rb_last(&t) == NULL, "empty: rb_first and rb_last are NULL");
    tap_ok(rb_count(&t) == 0, "empty: rb_count is 0");
    tap_ok(rb_check(&t, max_ok, &bh) == RB_CHECK_OK && bh == 0,
           "empty: rb_check is OK with black height 0");
    rb_update_path(&t, NULL);
    tap_ok(t.root == NULL, "empty: rb_update_path(NULL) does nothing");
}

static void test_single(void)
{
    struct rb_tree t;
    struct tnode a = { .v = 7 };
    unsigned bh = 0;

    rb_init(&t, max_update);
    rb_insert_after(&t, NULL, &a.rb);
    tap_ok(t.root == &a.rb && rb_parent(&a.rb) == NULL && !rb_is_red(&a.rb) &&
               a.rb.left == NULL && a.rb.right == NULL,
           "single: insert into the empty tree makes a black parentless root");
    tap_ok(rb_first(&t) == &a.rb && rb_last(&t) == &a.rb && rb_next(&a.rb) == NULL &&
               rb_prev(&a.rb) == NULL && rb_count(&t) == 1,
           "single: first == last == the node, no next or prev, count 1");
    tap_ok(rb_check(&t, max_ok, &bh) == RB_CHECK_OK && bh == 1 && a.rb.aug == 7,
           "single: rb_check OK, black height 1, aug computed");
    rb_erase(&t, &a.rb);
    tap_ok(t.root == NULL && rb_count(&t) == 0 && rb_check(&t, max_ok, NULL) == RB_CHECK_OK,
           "single: erasing the only node empties the tree");
    tap_ok(a.rb.parent_color == 0 && a.rb.left == NULL && a.rb.right == NULL,
           "single: the erased node comes back unlinked");
    rb_insert_before(&t, NULL, &a.rb);
    tap_ok(t.root == &a.rb && rb_check(&t, max_ok, NULL) == RB_CHECK_OK,
           "single: insert_before(NULL) into the empty tree makes the root");
}

/* Insert a new node after/before every position of trees of 0..12 nodes. */
static void test_insert_positions(bool after)
{
    static struct model m;
    unsigned cases = 0, bad = 0;

    for (size_t n = 0; n <= 12; n++) {
        for (size_t pos = 0; pos <= n; pos++) { /* pos == n: pos NULL */
            model_reset(&m, both_update);
            for (size_t i = 0; i < n; i++)
                model_insert_random_way(&m, i);
            struct tnode *x = model_take(&m);
            struct rb_node *p = pos < n ? &m.seq[pos]->rb : NULL;
            size_t k = after ? (pos < n ? pos + 1 : 0) : (pos < n ? pos : n);
            if (after)
                rb_insert_after(&m.t, p, &x->rb);
            else
                rb_insert_before(&m.t, p, &x->rb);
            model_insert_at(&m, k, x);
            cases++;
            if (!walk_matches(&m) || rb_check(&m.t, both_ok, NULL) != RB_CHECK_OK) {
                bad++;
                tap_diag("n=%zu pos=%zu gave the wrong sequence or tree", n, pos);
            }
        }
    }
    tap_ok(bad == 0 && cases == 91,
           after ? "insert_after at every position (and NULL = first) of trees of 0..12 nodes"
                 : "insert_before at every position (and NULL = last) of trees of 0..12 nodes");
}

enum erase_shape { SH_ROOT, SH_RED_LEAF, SH_BLACK_LEAF, SH_ONE_CHILD, SH_TWO_NEAR, SH_TWO_FAR, SH_N };

static enum erase_shape shape_of(const struct rb_tree *t, const struct rb_node *x)
{
    if (x == t->root)
        return SH_ROOT;
    if (x->left == NULL && x->right == NULL)
        return rb_is_red(x) ? SH_RED_LEAF : SH_BLACK_LEAF;
    if (x->left == NULL || x->right == NULL)
        return SH_ONE_CHILD;
    return x->right->left == NULL ? SH_TWO_NEAR : SH_TWO_FAR;
}

/* Erase every node of many trees of 1..64 nodes, built in three ways. */
static void test_erase_shapes(void)
{
    static struct model m;
    static const char *const names[SH_N] = {
        "erase: the root",
        "erase: a red leaf",
        "erase: a black leaf (rebalancing)",
        "erase: a node with one child",
        "erase: two children, successor is the right child",
        "erase: two children, successor deeper in the right subtree",
    };
    unsigned seen[SH_N] = { 0 }, bad[SH_N] = { 0 };

    for (size_t n = 1; n <= 64; n++) {
        for (unsigned how = 0; how < 3; how++) {
            for (size_t i = 0; i < n; i++) {
                model_reset(&m, both_update);
                for (size_t j = 0; j < n; j++) /* append, prepend, random */
                    model_insert_random_way(&m, how == 0 ? j : how == 1 ? 0 : test_rng_below(j + 1));
                enum erase_shape sh = shape_of(&m.t, &m.seq[i]->rb);
                rb_erase(&m.t, &m.seq[i]->rb);
                model_remove_at(&m, i);
                seen[sh]++;
                if (!walk_matches(&m) || rb_check(&m.t, both_ok, NULL) != RB_CHECK_OK)
                    bad[sh]++;
            }
        }
    }
    for (size_t s = 0; s < SH_N; s++) {
        if (!tap_ok(seen[s] > 0 && bad[s] == 0, names[s]))
            tap_diag("%u cases, %u wrong", seen[s], bad[s]);
    }
}

static void test_navigation(void)
{
    static struct model m;
    bool ok = true;

    model_reset(&m, NULL);
    for (size_t j = 0; j < 100; j++)
        model_insert_random_way(&m, test_rng_below(j + 1));
    tap_ok(rb_first(&m.t) == &m.seq[0]->rb && rb_last(&m.t) == &m.seq[99]->rb,
           "navigation: rb_first and rb_last are the ends of the sequence");
    tap_ok(walk_matches(&m), "navigation: rb_next walks the whole sequence in order");
    tap_ok(walk_back_matches(&m), "navigation: rb_prev walks it backwards");
    for (size_t i = 0; i < 100; i++) {
        const struct rb_node *x = &m.seq[i]->rb;
        ok = ok && rb_next(x) == (i < 99 ? &m.seq[i + 1]->rb : NULL);
        ok = ok && rb_prev(x) == (i > 0 ? &m.seq[i - 1]->rb : NULL);
    }
    tap_ok(ok, "navigation: next and prev of every node, NULL past the ends");
    tap_ok(rb_count(&m.t) == 100 && rb_check(&m.t, NULL, NULL) == RB_CHECK_OK,
           "navigation: count 100 and a valid tree without augmentation");
}

/* Descend on keys (equal keys go right, so equal keys keep insertion order). */
static void keyed_insert(struct rb_tree *t, struct tnode *x)
{
    struct rb_node *parent = NULL, *cur = t->root;
    bool left = true;

    while (cur != NULL) {
        parent = cur;
        left = x->key < tn(cur)->key;
        cur = left ? cur->left : cur->right;
    }
    rb_link(t, &x->rb, parent, left);
}

static void test_keyed(void)
{
    static struct tnode nodes[500];
    struct rb_tree t;
    bool sorted = true, valid = true;
    size_t count = 0;

    rb_init(&t, size_update);
    for (unsigned i = 0; i < 500; i++) {
        nodes[i] = (struct tnode){ .key = test_rng_below(50), .id = i };
        keyed_insert(&t, &nodes[i]);
        valid = valid && rb_check(&t, size_ok, NULL) == RB_CHECK_OK;
    }
    for (const struct rb_node *n = rb_first(&t), *prev = NULL; n != NULL; prev = n, n = rb_next(n)) {
        count++;
        if (prev != NULL && (ctn(prev)->key > ctn(n)->key ||
                             (ctn(prev)->key == ctn(n)->key && ctn(prev)->id > ctn(n)->id)))
            sorted = false;
    }
    tap_ok(valid, "keyed: rb_link after keyed descent keeps a valid tree (500 inserts)");
    tap_ok(sorted && count == 500 && t.root->aug == 500,
           "keyed: in-order walk is sorted by key, equal keys in insertion order");
}

static void test_update_path(void)
{
    static struct model m;
    struct tnode *leaf = NULL;

    model_reset(&m, max_update);
    for (size_t j = 0; j < 50; j++) {
        struct tnode *x = model_insert_random_way(&m, j);
        x->v = (uint32_t)j;
        rb_update_path(&m.t, &x->rb);
    }
    for (size_t i = 0; i < m.n && leaf == NULL; i++)
        if (m.seq[i]->rb.left == NULL && m.seq[i]->rb.right == NULL && i < 49)
            leaf = m.seq[i];
    tap_ok(leaf != NULL && m.t.root->aug == 49, "update_path: setup, maximum 49 at the root");
    if (leaf == NULL)
        return;
    leaf->v = 1000;
    tap_ok(rb_check(&m.t, max_ok, NULL) == RB_CHECK_AUG,
           "update_path: rb_check notices a changed value not yet propagated");
    rb_update_path(&m.t, &leaf->rb);
    tap_ok(rb_check(&m.t, max_ok, NULL) == RB_CHECK_OK && m.t.root->aug == 1000,
           "update_path: raising a leaf's value reaches the root");
    leaf->v = 0;
    rb_update_path(&m.t, &leaf->rb);
    tap_ok(rb_check(&m.t, max_ok, NULL) == RB_CHECK_OK && m.t.root->aug == 49,
           "update_path: lowering it again restores the old maximum");
}

static void test_replace(void)
{
    static struct model m;
    bool ok = true;

    model_reset(&m, both_update);
    for (size_t j = 0; j < 40; j++)
        model_insert_random_way(&m, test_rng_below(j + 1));
    for (unsigned r = 0; r < 200; r++) {
        size_t k = test_rng_below(m.n);
        if (r % 8 == 0) /* every so often the root itself */
            for (k = 0; &m.seq[k]->rb != m.t.root; k++)
                ;
        struct tnode *old = m.seq[k], *x = model_take(&m);
        x->v = old->v;
        rb_replace(&m.t, &old->rb, &x->rb);
        m.seq[k] = x;
        model_give(&m, old);
        ok = ok && walk_matches(&m) && rb_check(&m.t, both_ok, NULL) == RB_CHECK_OK;
    }
    rb_replace(&m.t, &m.seq[3]->rb, &m.seq[3]->rb);
    ok = ok && walk_matches(&m) && rb_check(&m.t, both_ok, NULL) == RB_CHECK_OK;
    tap_ok(ok, "replace: a moved node keeps its place, color and aug (root included)");
}

/* Appending is the worst case of a plain search tree; here height stays log. */
static void test_height_bound(void)
{
    enum { N = 1 << 16 };
    struct tnode *nodes = calloc(N, sizeof(*nodes));
    struct rb_tree t;
    unsigned bh = 0, max_depth = 0;

    if (nodes == NULL) {
        tap_ok(0, "height: allocation");
        return;
    }
    rb_init(&t, size_update);
    for (size_t i = 0; i < N; i++)
        rb_insert_before(&t, NULL, &nodes[i].rb);
    for (size_t i = 0; i < N; i++) {
        unsigned d = 0;
        for (const struct rb_node *n = &nodes[i].rb; n != NULL; n = rb_parent(n))
            d++;
        if (d > max_depth)
            max_depth = d;
    }
    tap_ok(rb_check(&t, size_ok, &bh) == RB_CHECK_OK && t.root->aug == N,
           "height: 65536 appended nodes form a valid tree");
    /* 2 log2(N + 1) < 34 for N = 2^16. */
    if (!tap_ok(max_depth <= 33 && bh >= 8, "height: depth within 2 log2(n + 1)"))
        tap_diag("max depth %u, black height %u", max_depth, bh);
    free(nodes);
}

/* ---- Randomized augmentation and model-based tests ------------------------ */

struct aug_kind {
    void (*update)(struct rb_node *n);
    bool (*ok)(const struct rb_node *n);
    uint64_t (*size_of)(const struct rb_node *n); /* NULL: aug holds no size */
    bool has_max;                                 /* low 32 bits hold the max */
};

static const struct aug_kind AUG_MAX = { max_update, max_ok, NULL, true };
static const struct aug_kind AUG_SIZE = { size_update, size_ok, size_of_size, false };
static const struct aug_kind AUG_BOTH = { both_update, both_ok, size_of_both, true };

enum op { OP_AFTER, OP_BEFORE, OP_RANK, OP_ERASE, OP_VALUE, OP_REPLACE, OP_N };

struct run {
    const struct aug_kind *aug;
    unsigned long ops;
    unsigned long check_all_until, check_every;
    unsigned long done[OP_N];   /* operations of each kind */
    unsigned long checks;       /* rb_check calls */
    unsigned long failed_at;    /* op number of the first failure, or 0 */
    const char *failure;        /* what failed there */
    size_t max_size;
};

static enum op pick_insert(const struct run *r)
{
    enum op o = (enum op)test_rng_below(3);
    return o == OP_RANK && r->aug->size_of == NULL ? OP_BEFORE : o;
}

/* About 15% value changes, 5% replacements, and insertions or erasures,
 * weighted towards the current target size. */
static enum op pick_op(const struct run *r, const struct model *m, size_t target)
{
    uint64_t x = test_rng_below(100);
    bool full = m->n == MODEL_MAX;

    if (m->n == 0)
        return pick_insert(r);
    if (x < 15)
        return OP_VALUE;
    if (x < 20)
        return full ? OP_VALUE : OP_REPLACE;
    if (x < (m->n < target ? 70u : 50u) && !full)
        return pick_insert(r);
    return OP_ERASE;
}

static void do_op(const struct run *r, struct model *m, enum op o)
{
    size_t k = test_rng_below(m->n + (o <= OP_RANK ? 1 : 0));
    struct tnode *x;

    switch (o) {
    case OP_AFTER: /* k == 0: after NULL, the new first node */
        x = model_take(m);
        x->v = (uint32_t)test_rng();
        rb_insert_after(&m->t, k > 0 ? &m->seq[k - 1]->rb : NULL, &x->rb);
        model_insert_at(m, k, x);
        break;
    case OP_BEFORE: /* k == n: before NULL, the new last node */
        x = model_take(m);
        x->v = (uint32_t)test_rng();
        rb_insert_before(&m->t, k < m->n ? &m->seq[k]->rb : NULL, &x->rb);
        model_insert_at(m, k, x);
        break;
    case OP_RANK:
        x = model_take(m);
        x->v = (uint32_t)test_rng();
        rank_insert(&m->t, &x->rb, k, r->aug->size_of);
        model_insert_at(m, k, x);
        break;
    case OP_ERASE:
        x = m->seq[k];
        rb_erase(&m->t, &x->rb);
        model_remove_at(m, k);
        model_give(m, x);
        break;
    case OP_VALUE:
        m->seq[k]->v = (uint32_t)test_rng();
        rb_update_path(&m->t, &m->seq[k]->rb);
        break;
    default: /* OP_REPLACE */
        x = model_take(m);
        x->v = m->seq[k]->v;
        rb_replace(&m->t, &m->seq[k]->rb, &x->rb);
        model_give(m, m->seq[k]);
        m->seq[k] = x;
        break;
    }
}

/* Does the root's aug hold the size and maximum the model says? */
static bool root_aug_matches(const struct run *r, const struct model *m)
{
    uint64_t want_max = 0;

    if (m->n == 0)
        return m->t.root == NULL;
    for (size_t i = 0; i < m->n; i++)
        if (m->seq[i]->v > want_max)
            want_max = m->seq[i]->v;
    if (r->aug->size_of != NULL && r->aug->size_of(m->t.root) != m->n)
        return false;
    if (r->aug->has_max && (m->t.root->aug & 0xffffffffu) != want_max)
        return false;
    if (r->aug->size_of != NULL) {
        size_t k = test_rng_below(m->n);
        if (rank_select(&m->t, k, r->aug->size_of) != &m->seq[k]->rb)
            return false;
    }
    return true;
}

/* Everything checked after operation number i; NULL if all is well. */
static const char *verify(struct run *r, const struct model *m, unsigned long i)
{
    if (!walk_matches(m))
        return "in-order walk differs from the model";
    if (i % CHECK_EVERY == 0 && !walk_back_matches(m))
        return "backward walk differs from the model";
    if (!root_aug_matches(r, m))
        return "root aug or rank selection differs from the model";
    if (i < r->check_all_until || i % r->check_every == 0) {
        r->checks++;
        int rc = rb_check(&m->t, r->aug->ok, NULL);
        if (rc != RB_CHECK_OK) {
            tap_diag("rb_check returned %d", rc);
            return "rb_check found a violation";
        }
    }
    return NULL;
}

/* The tree's size drifts towards a target redrawn every 4096 operations, so
 * runs sweep from empty to full pool and back. */
static void run_random(struct run *r, struct model *m)
{
    size_t target = 0;

    model_reset(m, r->aug->update);
    for (unsigned long i = 1; i <= r->ops; i++) {
        if (i % 4096 == 1)
            target = test_rng_below(MODEL_MAX + 1);
        enum op o = pick_op(r, m, target);
        do_op(r, m, o);
        r->done[o]++;
        if (m->n > r->max_size)
            r->max_size = m->n;
        r->failure = verify(r, m, i);
        if (r->failure != NULL) {
            r->failed_at = i;
            tap_diag("op %lu (kind %d): %s", i, (int)o, r->failure);
            return;
        }
    }
}

static void test_aug_random(const struct aug_kind *aug, const char *name)
{
    static struct model m;
    struct run r = { .aug = aug, .ops = 20000, .check_all_until = 20001, .check_every = 1 };

    run_random(&r, &m);
    tap_ok(r.failure == NULL && r.checks == r.ops, name);
}

static void test_model(void)
{
    static struct model m;
    struct run r = { .aug = &AUG_BOTH, .ops = RANDOM_OPS, .check_all_until = CHECK_ALL_UNTIL,
                     .check_every = CHECK_EVERY };
    bool all_kinds = true;

    run_random(&r, &m);
    for (size_t o = 0; o < OP_N; o++)
        all_kinds = all_kinds && r.done[o] > 1000;
    tap_diag("model: %lu ops (after %lu, before %lu, rank %lu, erase %lu, value %lu, "
             "replace %lu), %lu rb_check calls, up to %zu nodes",
             r.ops, r.done[OP_AFTER], r.done[OP_BEFORE], r.done[OP_RANK], r.done[OP_ERASE],
             r.done[OP_VALUE], r.done[OP_REPLACE], r.checks, r.max_size);
    if (!tap_ok(r.failure == NULL, "model: 10^6 random operations match the array model"))
        tap_diag("first failure at op %lu: %s", r.failed_at, r.failure);
    tap_ok(all_kinds && r.max_size == MODEL_MAX,
           "model: every operation kind ran, and the tree filled the whole pool");
}

int main(int argc, char **argv)
{
    uint64_t seed = DEFAULT_SEED;

    if (argc > 1) {
        char *end = NULL;
        errno = 0;
        seed = strtoull(argv[1], &end, 10);
        if (errno != 0 || end == argv[1] || *end != '\0') {
            tap_ok(0, "seed argument is a decimal number");
            return tap_done();
        }
    }
    tap_diag("seed %llu (replay with: test_rbtree %llu)", (unsigned long long)seed,
             (unsigned long long)seed);
    test_rng_seed(seed);

    test_empty();
    test_single();
    test_insert_positions(true);
    test_insert_positions(false);
    test_erase_shapes();
    test_navigation();
    test_keyed();
    test_update_path();
    test_replace();
    test_height_bound();
    test_aug_random(&AUG_MAX, "augmented: subtree maximum stays exact over 20000 random ops");
    test_aug_random(&AUG_SIZE, "augmented: subtree size stays exact over 20000 random ops");
    test_aug_random(&AUG_BOTH, "augmented: size and maximum together over 20000 random ops");
    test_model();
    return tap_done();
}
