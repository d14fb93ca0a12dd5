/*
 * Cutting an in-order range out of a red-black tree in O(log^2 n), however
 * long the range: two positional splits and one concatenation, each a
 * series of joins (the classic join-based algorithms, written from the
 * red-black rules; see rbtree.c for the rules).  Revoke uses it to take a
 * whole batch of descendants out of the derivation tree at once instead
 * of erasing them one by one.
 *
 * A *piece* is a valid red-black subtree given by its root (parent
 * pointer NULL) and its black height: the number of black nodes on any
 * path from the root down to an empty leaf, the root included.
 */
#include "cap/rbtree.h"
#include "cap/rbtree_internal.h"

struct piece {
    struct rb_node *root;
    unsigned bh;
};

static unsigned black_height(const struct rb_node *n)
{
    unsigned h = 0;
    for (; n != NULL; n = n->left)
        h += !rb_is_red(n);
    return h;
}

static void set_parent(struct rb_node *n, struct rb_node *p)
{
    if (n != NULL)
        n->parent_color = (uintptr_t)p | (n->parent_color & RB_RED_BIT);
}

static struct rb_node **slot_of(struct rb_node *n, int right)
{
    return right ? &n->right : &n->left;
}

/* A piece's root may be red; joins want it black (which adds one to bh). */
static struct piece blacken(struct piece p)
{
    if (rb_is_red(p.root)) {
        p.root->parent_color &= ~RB_RED_BIT;
        p.bh++;
    }
    return p;
}

/*
 * One tree of l, then k, then r (all of l before k, all of r after it).
 * k's old links are ignored.  O(|l.bh - r.bh| + 1) steps down the taller
 * piece's spine, rotations and colour changes, plus refreshing the
 * augmentation from k up while it changes.  The result's black height
 * follows from the fix-up, without a walk: a split's joins then cost
 * O(log n) between them.
 */
static struct piece join(void (*update)(struct rb_node *), struct piece l, struct rb_node *k,
                         struct piece r)
{
    l = blacken(l);
    r = blacken(r);
    k->parent_color = 0; /* black, no parent */
    if (l.bh == r.bh) {
        k->left = l.root;
        k->right = r.root;
        set_parent(l.root, k);
        set_parent(r.root, k);
        if (update != NULL)
            update(k);
        return (struct piece){ k, l.bh + 1 };
    }
    /* Walk down the taller piece's spine facing the other piece to the
     * first black node (or empty leaf) of the shorter piece's height. */
    int right = l.bh > r.bh;
    struct piece tall = right ? l : r, low = right ? r : l;
    struct rb_node *c = tall.root, *parent = NULL;
    unsigned h = tall.bh;
    while (h != low.bh || rb_is_red(c)) {
        h -= !rb_is_red(c);
        parent = c;
        c = *slot_of(c, right);
    }
    /* k, red, takes c's place with c on the tall side and the short
     * piece on the other: black heights match, only red-red may break. */
    *slot_of(k, !right) = c;
    *slot_of(k, right) = low.root;
    set_parent(c, k);
    set_parent(low.root, k);
    *slot_of(parent, right) = k;
    k->parent_color = (uintptr_t)parent | RB_RED_BIT;
    /* k is new below parent: it, and its ancestors while their values
     * change. */
    struct rb_tree t = { tall.root, update };
    update_path_through(&t, k, k);
    bool grew = rb_fix_red(&t, k); /* rotations keep aug right (rbtree.c) */
    return (struct piece){ t.root, tall.bh + grew };
}

/*
 * Split the tree whose root is `root` at node x: *lo gets the nodes before
 * x and *hi the rest, or, with x_low, x goes to *lo.  Walks from x up to
 * the root, joining each ancestor and its other subtree onto the side it
 * belongs to.
 */
static void split_at(void (*update)(struct rb_node *), struct rb_node *x, bool x_low,
                     struct piece *lo, struct piece *hi)
{
    unsigned h = black_height(x); /* of x's subtree, as it is now */
    struct rb_node *p = rb_parent(x), *xl = x->left, *xr = x->right;
    bool from_left = p != NULL && p->left == x;
    unsigned hk = h - !rb_is_red(x);
    set_parent(xl, NULL);
    set_parent(xr, NULL);
    struct piece empty = { NULL, 0 };
    struct piece a = { xl, hk }, b = { xr, hk };
    struct piece left = x_low ? join(update, a, x, empty) : a;
    struct piece right = x_low ? b : join(update, empty, x, b);
    while (p != NULL) {
        struct rb_node *next = rb_parent(p);
        bool next_from_left = next != NULL && next->left == p;
        bool p_black = !rb_is_red(p);
        if (from_left) {
            struct rb_node *other = p->right;
            set_parent(other, NULL);
            right = join(update, right, p, (struct piece){ other, h });
        } else {
            struct rb_node *other = p->left;
            set_parent(other, NULL);
            left = join(update, (struct piece){ other, h }, p, left);
        }
        h += p_black;
        from_left = next_from_left;
        p = next;
    }
    *lo = left;
    *hi = right;
}

/* Everything of a, then everything of c. */
static struct piece concat(void (*update)(struct rb_node *), struct piece a, struct piece c)
{
    if (a.root == NULL)
        return c;
    if (c.root == NULL)
        return a;
    struct rb_tree t = { c.root, update };
    struct rb_node *m = rb_first(&t);
    rb_erase(&t, m);
    return join(update, a, m, (struct piece){ t.root, black_height(t.root) });
}

void rb_cut(struct rb_tree *t, struct rb_node *first, struct rb_node *last, struct rb_tree *out)
{
    struct piece before, rest, range, after;
    split_at(t->update, first, false, &before, &rest);
    split_at(t->update, last, true, &range, &after);
    (void)rest; /* last lies in it: splitting at last split it */
    struct piece kept = concat(t->update, before, after);
    t->root = kept.root;
    out->root = range.root;
    out->update = t->update;
    if (t->root != NULL)
        t->root->parent_color &= ~RB_RED_BIT;
    if (out->root != NULL)
        out->root->parent_color &= ~RB_RED_BIT;
}
