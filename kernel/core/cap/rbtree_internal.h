/*
 * Between rbtree.c and rbtree_cut.c: not part of the tree's interface.
 */
#ifndef COFFER_KERNEL_RBTREE_INTERNAL_H
#define COFFER_KERNEL_RBTREE_INTERNAL_H

#include "cap/rbtree.h"

/* n is red and may have a red parent: restore the rules (insertion's
 * fix-up), rotating and recolouring up to t->root, which ends black.
 * True when that made the tree one black taller (a red root blackened). */
bool rb_fix_red(struct rb_tree *t, struct rb_node *n);

#endif
