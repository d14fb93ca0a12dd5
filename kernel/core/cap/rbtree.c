/*
 * Red-black tree (see rbtree.h).  Written from the red-black rules:
 *   1. every node is red or black; empty leaves (NULL) count as black;
 *   2. the root is black;
 *   3. a red node has no red child;
 *   4. every root-to-leaf path crosses the same number of black nodes.
 * These keep the height below 2 log2(n + 1).
 *
 * Left and right cases are mirror images, so each fix-up is written once
 * with a direction (0 = left, 1 = right) and its opposite (!dir).
 *
 * Augmentation is kept exact at every step: a change refreshes the path
 * from the changed spot to the root before rebalancing, and each rotation
 * then recomputes its two nodes, which is enough because a rotation does
 * not change which nodes, in which order, lie below the rotated subtree's
 * top (the contract on aug in rbtree.h).
 */
#include "cap/rbtree.h"
#include "cap/rbtree_internal.h"

enum { LEFT = 0, RIGHT = 1 };

/* ---- Small helpers ------------------------------------------------------ */

static struct rb_node *child(const struct rb_node *n, int dir)
{
    return dir ? n->right : n->left;
}

static struct rb_node **child_slot(struct rb_node *n, int dir)
{
    return dir ? &n->right : &n->left;
}

/* Which side of parent p holds c (c may be NULL if that side is empty). */
static int side_of(const struct rb_node *p, const struct rb_node *c)
{
    return p->left == c ? LEFT : RIGHT;
}

static void set_parent(struct rb_node *n, struct rb_node *p)
{
    n->parent_color = (uintptr_t)p | (n->parent_color & RB_RED_BIT);
}

static void set_red(struct rb_node *n)
{
    n->parent_color |= RB_RED_BIT;
}

static void set_black(struct rb_node *n)
{
    n->parent_color &= ~RB_RED_BIT;
}

static void copy_color(struct rb_node *dst, const struct rb_node *src)
{
    dst->parent_color = (dst->parent_color & ~RB_RED_BIT) | (src->parent_color & RB_RED_BIT);
}

/* The last node reached by always going towards dir from n. */
static struct rb_node *extreme(struct rb_node *n, int dir)
{
    while (child(n, dir) != NULL)
        n = child(n, dir);
    return n;
}

/* Only n itself changed. */
static void update_changed_path(const struct rb_tree *t, struct rb_node *n)
{
    update_path_through(t, n, n);
}

/* Make whatever pointed to old (parent's child slot or the root) point to
 * new_node.  new_node's own parent pointer is the caller's business. */
static void replace_child(struct rb_tree *t, struct rb_node *parent, const struct rb_node *old,
                          struct rb_node *new_node)
{
    if (parent == NULL)
        t->root = new_node;
    else
        *child_slot(parent, side_of(parent, old)) = new_node;
}

/*
 * Rotate x down towards dir: its child y on the other side takes x's place
 * and x becomes y's dir child.  Colors are left to the caller.
 */
static void rotate(struct rb_tree *t, struct rb_node *x, int dir)
{
    struct rb_node *y = child(x, !dir);
    struct rb_node *inner = child(y, dir);
    struct rb_node *p = rb_parent(x);

    *child_slot(x, !dir) = inner;
    if (inner != NULL)
        set_parent(inner, x);
    replace_child(t, p, x, y);
    set_parent(y, p);
    *child_slot(y, dir) = x;
    set_parent(x, y);
    /* y's subtree holds the nodes x's held, in the same order: it takes
     * x's value (rbtree.h: a fold over the subtree), and x, now below,
     * is computed from its new children. */
    if (t->update != NULL) {
        y->aug = x->aug;
        t->update(x);
    }
}

/* ---- Insertion ------------------------------------------------------------ */

/* n is red and may have a red parent (rule 3); restore the rules. */
/* Restore rule 3 above the red n; the root may be left red (insert_fixup). */
static inline __attribute__((always_inline)) void insert_fixup_loop(struct rb_tree *t, struct rb_node *n)
{
    struct rb_node *p;

    while ((p = rb_parent(n)) != NULL && rb_is_red(p)) {
        struct rb_node *g = rb_parent(p); /* exists: a red p is not the root */
        int dir = side_of(g, p);
        struct rb_node *uncle = child(g, !dir);

        if (rb_is_red(uncle)) {
            /* Push g's blackness down to both children; g may now clash. */
            set_black(p);
            set_black(uncle);
            set_red(g);
            n = g;
            continue;
        }
        if (n == child(p, !dir)) {
            /* n is an inner grandchild: turn it into the outer one. */
            rotate(t, p, dir);
            n = p;
            p = rb_parent(n);
        }
        set_black(p);
        set_red(g);
        rotate(t, g, !dir);
        break;
    }
}

static inline __attribute__((always_inline)) void insert_fixup(struct rb_tree *t, struct rb_node *n)
{
    insert_fixup_loop(t, n);
    set_black(t->root);
}

static void link_dir(struct rb_tree *t, struct rb_node *node, struct rb_node *parent, int dir)
{
    node->left = NULL;
    node->right = NULL;
    node->parent_color = (uintptr_t)parent | RB_RED_BIT; /* red keeps rule 4 */
    if (parent == NULL)
        t->root = node;
    else
        *child_slot(parent, dir) = node;
    update_changed_path(t, node);
    insert_fixup(t, node);
}

bool rb_fix_red(struct rb_tree *t, struct rb_node *n)
{
    insert_fixup_loop(t, n);
    /* The loop's last recolouring may leave the root red (the red pushed
     * all the way up): made black, every path gains a black node. */
    bool grew = rb_is_red(t->root);
    set_black(t->root);
    return grew;
}

void rb_init(struct rb_tree *t, void (*update)(struct rb_node *))
{
    t->root = NULL;
    t->update = update;
}

void rb_link(struct rb_tree *t, struct rb_node *node, struct rb_node *parent, bool as_left)
{
    link_dir(t, node, parent, as_left ? LEFT : RIGHT);
}

/* node becomes pos's neighbour towards dir (pos NULL: the far end of !dir). */
static void insert_beside(struct rb_tree *t, struct rb_node *pos, struct rb_node *node, int dir)
{
    struct rb_node *sub = pos != NULL ? child(pos, dir) : t->root;

    if (sub == NULL)
        link_dir(t, node, pos, dir); /* also the empty tree: pos is NULL */
    else
        link_dir(t, node, extreme(sub, !dir), !dir);
}

void rb_insert_after(struct rb_tree *t, struct rb_node *pos, struct rb_node *node)
{
    insert_beside(t, pos, node, RIGHT);
}

void rb_insert_before(struct rb_tree *t, struct rb_node *pos, struct rb_node *node)
{
    insert_beside(t, pos, node, LEFT);
}

/* ---- Erasure -------------------------------------------------------------- */

/*
 * x (possibly NULL), child of xp, is one black short of its sibling's side
 * (rule 4).  Restore the rules.
 */
static void erase_fixup(struct rb_tree *t, struct rb_node *x, struct rb_node *xp)
{
    while (x != t->root && !rb_is_red(x)) {
        /* The sibling is not NULL: its side has at least one black node. */
        int dir = side_of(xp, x);
        struct rb_node *w = child(xp, !dir);

        if (rb_is_red(w)) {
            /* Make the sibling black (and xp red) so a case below applies. */
            set_black(w);
            set_red(xp);
            rotate(t, xp, dir);
            w = child(xp, !dir);
        }
        if (!rb_is_red(w->left) && !rb_is_red(w->right)) {
            /* Take one black off w's side too; the shortage moves up to xp. */
            set_red(w);
            x = xp;
            xp = rb_parent(x);
            continue;
        }
        if (!rb_is_red(child(w, !dir))) {
            /* Only w's inner child is red: make it w's outer child. */
            set_black(child(w, dir));
            set_red(w);
            rotate(t, w, !dir);
            w = child(xp, !dir);
        }
        /* w's outer child is red: one rotation gives x's side its black. */
        copy_color(w, xp);
        set_black(xp);
        set_black(child(w, !dir));
        rotate(t, xp, dir);
        return;
    }
    if (x != NULL)
        set_black(x); /* a red x absorbs the shortage */
}

/*
 * z has two children: its successor y (leftmost below z->right, so no left
 * child) takes z's place and color.  Returns y's old right child x, which
 * took y's old place, and stores x's new parent in *xp and whether y's old
 * color was black (a black node left y's old place) in *black_removed.
 */
static struct rb_node *put_successor(struct rb_tree *t, struct rb_node *z, struct rb_node **xp,
                                     bool *black_removed)
{
    struct rb_node *y = extreme(z->right, LEFT);
    struct rb_node *x = y->right;

    *black_removed = !rb_is_red(y);
    if (y == z->right) {
        *xp = y;
    } else {
        *xp = rb_parent(y);
        (*xp)->left = x;
        if (x != NULL)
            set_parent(x, *xp);
        y->right = z->right;
        set_parent(y->right, y);
    }
    y->left = z->left;
    set_parent(y->left, y);
    replace_child(t, rb_parent(z), z, y);
    y->parent_color = z->parent_color;
    return x;
}

void rb_erase(struct rb_tree *t, struct rb_node *node)
{
    struct rb_node *x, *xp, *moved;
    bool black_removed;

    if (node->left == NULL || node->right == NULL) {
        moved = NULL;
        x = node->left != NULL ? node->left : node->right;
        xp = rb_parent(node);
        black_removed = !rb_is_red(node);
        replace_child(t, xp, node, x);
        if (x != NULL)
            set_parent(x, xp);
    } else {
        moved = extreme(node->right, LEFT); /* the successor takes node's place */
        x = put_successor(t, node, &xp, &black_removed);
    }
    /*
     * Everything whose subtree changed lies on the path from xp up: in the
     * two-children case every node from the successor's old parent up to
     * the successor (now in node's place) changed; above it, and above xp
     * in the simple case, only while values change.
     */
    update_path_through(t, xp, moved != NULL ? moved : xp);
    if (black_removed)
        erase_fixup(t, x, xp);
    node->parent_color = 0;
    node->left = NULL;
    node->right = NULL;
}

/* ---- Other changes ------------------------------------------------------- */

void rb_replace(struct rb_tree *t, struct rb_node *old_node, struct rb_node *new_node)
{
    if (old_node == new_node)
        return;
    *new_node = *old_node;
    replace_child(t, rb_parent(old_node), old_node, new_node);
    if (new_node->left != NULL)
        set_parent(new_node->left, new_node);
    if (new_node->right != NULL)
        set_parent(new_node->right, new_node);
}

void rb_update_path(struct rb_tree *t, struct rb_node *n)
{
    update_changed_path(t, n);
}

/* ---- Navigation ----------------------------------------------------------- */

struct rb_node *rb_first(const struct rb_tree *t)
{
    return t->root != NULL ? extreme(t->root, LEFT) : NULL;
}

struct rb_node *rb_last(const struct rb_tree *t)
{
    return t->root != NULL ? extreme(t->root, RIGHT) : NULL;
}

/* n's in-order neighbour towards dir. */
static struct rb_node *neighbour(const struct rb_node *n, int dir)
{
    struct rb_node *p;

    if (child(n, dir) != NULL)
        return extreme(child(n, dir), !dir);
    /* Climb while coming from the dir side: those ancestors are behind n. */
    while ((p = rb_parent(n)) != NULL && child(p, dir) == n)
        n = p;
    return p;
}

struct rb_node *rb_next(const struct rb_node *n)
{
    return neighbour(n, RIGHT);
}

struct rb_node *rb_prev(const struct rb_node *n)
{
    return neighbour(n, LEFT);
}

size_t rb_count(const struct rb_tree *t)
{
    size_t count = 0;

    for (const struct rb_node *n = rb_first(t); n != NULL; n = rb_next(n))
        count++;
    return count;
}

/* ---- Invariant checker ---------------------------------------------------- */

struct check_walk {
    bool (*aug_ok)(const struct rb_node *n);
    unsigned depth;       /* black nodes from the root to the current node */
    unsigned leaf_height; /* black nodes on the first root-to-leaf path */
    bool seen_leaf;
};

static unsigned black_count(const struct rb_node *n)
{
    return rb_is_red(n) ? 0 : 1;
}

/* Rules 3 and 4 and the parent pointer, seen from n towards child c. */
static int check_child(struct check_walk *w, const struct rb_node *n, const struct rb_node *c)
{
    if (c == NULL) {
        if (!w->seen_leaf) {
            w->seen_leaf = true;
            w->leaf_height = w->depth;
        }
        return w->depth == w->leaf_height ? RB_CHECK_OK : RB_CHECK_BLACK_HEIGHT;
    }
    if (rb_parent(c) != n)
        return RB_CHECK_BAD_PARENT;
    if (rb_is_red(n) && rb_is_red(c))
        return RB_CHECK_RED_RED;
    return RB_CHECK_OK;
}

static int check_node(struct check_walk *w, const struct rb_node *n)
{
    int rc;

    if (n->left != NULL && n->left == n->right)
        return RB_CHECK_NOT_TREE;
    rc = check_child(w, n, n->left);
    if (rc == RB_CHECK_OK)
        rc = check_child(w, n, n->right);
    if (rc == RB_CHECK_OK && w->aug_ok != NULL && !w->aug_ok(n))
        rc = RB_CHECK_AUG;
    return rc;
}

/*
 * Pre-order walk down child pointers and back up parent pointers.  A child
 * is entered only after its parent pointer was seen to name the node we
 * come from, and a node's two children differ, so no node is entered twice
 * (re-entering one would need a second parent; the root has none): the walk
 * ends even if child pointers loop, and going up follows checked pointers.
 */
static int check_walk_tree(struct check_walk *w, const struct rb_node *root)
{
    enum { FROM_ABOVE, FROM_LEFT, FROM_RIGHT } came = FROM_ABOVE;
    const struct rb_node *n = root;

    w->depth = black_count(root);
    while (n != NULL) {
        const struct rb_node *down = NULL;
        const struct rb_node *up;

        if (came == FROM_ABOVE) {
            int rc = check_node(w, n);
            if (rc != RB_CHECK_OK)
                return rc;
            down = n->left != NULL ? n->left : n->right;
        } else if (came == FROM_LEFT) {
            down = n->right;
        }
        if (down != NULL) {
            n = down;
            w->depth += black_count(n);
            came = FROM_ABOVE;
            continue;
        }
        w->depth -= black_count(n);
        up = rb_parent(n);
        came = up != NULL && up->left == n ? FROM_LEFT : FROM_RIGHT;
        n = up;
    }
    return RB_CHECK_OK;
}

int rb_check(const struct rb_tree *t, bool (*aug_ok)(const struct rb_node *n),
             unsigned *black_height_out)
{
    struct check_walk w = { aug_ok, 0, 0, false };

    if (t->root != NULL) {
        int rc;
        if (rb_parent(t->root) != NULL)
            return RB_CHECK_ROOT_PARENT;
        if (rb_is_red(t->root))
            return RB_CHECK_RED_ROOT;
        rc = check_walk_tree(&w, t->root);
        if (rc != RB_CHECK_OK)
            return rc;
    }
    if (black_height_out != NULL)
        *black_height_out = w.leaf_height;
    return RB_CHECK_OK;
}
