/*
 * Between rbtree.c and rbtree_cut.c: not part of the tree's interface.
 */
#ifndef COFFER_KERNEL_RBTREE_INTERNAL_H
#define COFFER_KERNEL_RBTREE_INTERNAL_H

#include "cap/rbtree.h"

/*
 * Recompute aug on every node from `from` up to and including `through`
 * (all changed structurally), then further up only while values change:
 * aug depends only on a node's own data and its children's aug, so above
 * the first node whose aug comes out unchanged nothing can change either.
 * Here, in line, for both files: insertion, erasure, rb_update_path and
 * rbtree_cut.c's joins use it.
 */
static inline void update_path_through(const struct rb_tree *t, struct rb_node *from,
                                       const struct rb_node *through)
{
    if (t->update == NULL || from == NULL)
        return;
    struct rb_node *n = from;
    for (;;) {
        t->update(n);
        if (n == through || rb_parent(n) == NULL)
            break;
        n = rb_parent(n);
    }
    for (n = rb_parent(n); n != NULL; n = rb_parent(n)) {
        uint64_t before = n->aug;
        t->update(n);
        if (n->aug == before)
            return;
    }
}

/* n is red and may have a red parent: restore the rules (insertion's
 * fix-up), rotating and recolouring up to t->root, which ends black.
 * True when that made the tree one black taller (a red root blackened). */
bool rb_fix_red(struct rb_tree *t, struct rb_node *n);

#endif
