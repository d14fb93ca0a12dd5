/*
 * Shared by the red-black tree tests: a user object with its node
 * embedded (as the CDT embeds nodes in slots) and three augmentation
 * callbacks -- subtree maximum of a value, subtree size, and both packed.
 */
#ifndef COFFER_TESTS_RBTREE_FIXTURE_H
#define COFFER_TESTS_RBTREE_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "cap/rbtree.h"

/* A user object with its tree node embedded, as the CDT embeds it in a slot. */
struct tnode {
    uint64_t key; /* keyed-insert test */
    uint32_t v;   /* the value the augmentation aggregates */
    unsigned id;  /* identity for sequence checks */
    struct rb_node rb;
};

static inline struct tnode *tn(struct rb_node *n)
{
    return (struct tnode *)(void *)((char *)n - offsetof(struct tnode, rb));
}

static inline const struct tnode *ctn(const struct rb_node *n)
{
    return (const struct tnode *)(const void *)((const char *)n - offsetof(struct tnode, rb));
}

/* ---- Augmentation callbacks ---------------------------------------------- */

/* Subtree maximum of v. */
static inline uint64_t max_expected(const struct rb_node *n)
{
    uint64_t m = ctn(n)->v;
    if (n->left != NULL && n->left->aug > m)
        m = n->left->aug;
    if (n->right != NULL && n->right->aug > m)
        m = n->right->aug;
    return m;
}

static inline void max_update(struct rb_node *n)
{
    n->aug = max_expected(n);
}

static inline bool max_ok(const struct rb_node *n)
{
    return n->aug == max_expected(n);
}

/* Subtree size. */
static inline uint64_t size_expected(const struct rb_node *n)
{
    return 1 + (n->left != NULL ? n->left->aug : 0) + (n->right != NULL ? n->right->aug : 0);
}

static inline void size_update(struct rb_node *n)
{
    n->aug = size_expected(n);
}

static inline bool size_ok(const struct rb_node *n)
{
    return n->aug == size_expected(n);
}

static inline uint64_t size_of_size(const struct rb_node *n)
{
    return n != NULL ? n->aug : 0;
}

/* Both: subtree size in the high 32 bits, subtree maximum of v in the low. */
static inline uint64_t both_expected(const struct rb_node *n)
{
    uint64_t size = 1, m = ctn(n)->v;
    const struct rb_node *kids[2] = { n->left, n->right };
    for (size_t i = 0; i < 2; i++) {
        if (kids[i] == NULL)
            continue;
        size += kids[i]->aug >> 32;
        if ((kids[i]->aug & 0xffffffffu) > m)
            m = kids[i]->aug & 0xffffffffu;
    }
    return size << 32 | m;
}

static inline void both_update(struct rb_node *n)
{
    n->aug = both_expected(n);
}

static inline bool both_ok(const struct rb_node *n)
{
    return n->aug == both_expected(n);
}

static inline uint64_t size_of_both(const struct rb_node *n)
{
    return n != NULL ? n->aug >> 32 : 0;
}

#endif
