/*
 * Intrusive, augmented red-black tree with parent pointers.
 *
 * The capability derivation tree keeps its nodes inside capability slots:
 * the kernel has no heap, so the tree never allocates.  The user embeds a
 * struct rb_node in its own object and finds the object again from the node
 * (container-of).  The tree knows nothing of keys: callers that keep a keyed
 * order descend themselves (reading left/right) and attach with rb_link();
 * callers that keep a positional order use rb_insert_after/before().
 *
 * Augmentation: each node carries a 64-bit value the user's update callback
 * recomputes from the node's own data and its children's values.  The value
 * must be a fold over the subtree's nodes in in-order sequence (a maximum,
 * a sum, a count, "any flag set"...): a rotation leaves the set and order of
 * a subtree's nodes unchanged, so the node that moves up takes the value
 * of the one it replaces and only the one that moves down is recomputed.
 * A value that depends on the shape (a height, say) is not supported.
 *
 * Everything is iterative (the kernel stack is small) and O(log n) unless
 * said otherwise.  Not thread-safe: the caller serializes changes.
 */
#ifndef COFFER_KERNEL_RBTREE_H
#define COFFER_KERNEL_RBTREE_H

#include "types.h"

struct rb_node {
    uintptr_t parent_color;  /* parent pointer | color in bit 0 (RB_RED_BIT) */
    struct rb_node *left, *right;
    uint64_t aug;            /* augmented value, owned by the update callback */
};

/* Bit 0 of parent_color set means red.  A zeroed node is black, parentless. */
#define RB_RED_BIT ((uintptr_t)1)

/* The color shares a word with the parent pointer. */
STATIC_ASSERT(_Alignof(struct rb_node) >= 2, "rb_node needs a free low pointer bit");

struct rb_tree {
    struct rb_node *root;
    /* Recompute n->aug from n's own data and n->left->aug / n->right->aug
     * (either child may be NULL).  May be NULL (no augmentation).  Must be
     * cheap: called O(log n) times per change. */
    void (*update)(struct rb_node *n);
};

/* Result of rb_check(): 0 or the first violation found (pre-order walk). */
enum rb_check_result {
    RB_CHECK_OK = 0,
    RB_CHECK_ROOT_PARENT = -1,  /* the root has a parent pointer */
    RB_CHECK_RED_ROOT = -2,     /* the root is red */
    RB_CHECK_BAD_PARENT = -3,   /* a child's parent pointer is not its parent */
    RB_CHECK_NOT_TREE = -4,     /* a node's two children are the same node */
    RB_CHECK_RED_RED = -5,      /* a red node has a red child */
    RB_CHECK_BLACK_HEIGHT = -6, /* two root-to-leaf paths differ in black nodes */
    RB_CHECK_AUG = -7,          /* aug_ok() rejected a node */
};

static inline struct rb_node *rb_parent(const struct rb_node *n)
{
    return (struct rb_node *)(n->parent_color & ~RB_RED_BIT);
}

/* NULL counts as black: the empty leaves of a red-black tree are black. */
static inline bool rb_is_red(const struct rb_node *n)
{
    return n != NULL && (n->parent_color & RB_RED_BIT) != 0;
}

void rb_init(struct rb_tree *t, void (*update)(struct rb_node *));

/*
 * Attach node (its own data already set) as the left (as_left) or right
 * child of parent, then rebalance and refresh augmentation up to the root.
 * Precondition, not checked: that child slot of parent is empty; parent NULL
 * means the tree is empty and node becomes the root.  node's own link fields
 * are overwritten.
 */
void rb_link(struct rb_tree *t, struct rb_node *node, struct rb_node *parent, bool as_left);

/* node becomes the in-order successor of pos (pos NULL: the first node). */
void rb_insert_after(struct rb_tree *t, struct rb_node *pos, struct rb_node *node);
/* node becomes the in-order predecessor of pos (pos NULL: the last node). */
void rb_insert_before(struct rb_tree *t, struct rb_node *pos, struct rb_node *node);

/* Remove node (which must be in t); it comes back zeroed except for aug. */
void rb_erase(struct rb_tree *t, struct rb_node *node);

/*
 * Put new_node in old_node's place (same position, color and aug): for an
 * object that moves in memory, such as a capability moved to another slot.
 * O(1).  old_node is left untouched and no longer belongs to the tree.
 */
void rb_replace(struct rb_tree *t, struct rb_node *old_node, struct rb_node *new_node);

/*
 * Move the in-order range first..last (first not after last) out of t into
 * out, as a tree of its own (out's old contents are ignored; its update is
 * t's).  O(log^2 n) whatever the range's length (rbtree_cut.c).
 */
void rb_cut(struct rb_tree *t, struct rb_node *first, struct rb_node *last, struct rb_tree *out);

/* n's own data changed in a way that affects aug: recompute n to the root. */
void rb_update_path(struct rb_tree *t, struct rb_node *n);

/* In-order navigation; NULL past either end.  O(1) amortized over a walk. */
struct rb_node *rb_first(const struct rb_tree *t);
struct rb_node *rb_last(const struct rb_tree *t);
struct rb_node *rb_next(const struct rb_node *n);
struct rb_node *rb_prev(const struct rb_node *n);

/*
 * Check every invariant (see enum rb_check_result), and aug_ok(n) for every
 * node if aug_ok is not NULL.  For debug builds and tests: O(n), iterative.
 * Terminates and reads only nodes reachable through child pointers, even on
 * a corrupt tree, as long as those pointers point to readable nodes.  On
 * success stores the number of black nodes on every root-to-leaf path in
 * *black_height_out (if not NULL).
 */
int rb_check(const struct rb_tree *t, bool (*aug_ok)(const struct rb_node *n),
             unsigned *black_height_out);

/* Number of nodes.  O(n): for tests and debugging only. */
size_t rb_count(const struct rb_tree *t);

#endif
