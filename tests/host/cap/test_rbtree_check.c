/*
 * Host tests for rb_check(), the red-black tree's invariant checker: trees
 * built by hand, valid ones accepted, and each broken one -- red root, red
 * child of a red node, unequal black heights, bad parent pointers, child
 * loops, wrong augmentation -- named by its RB_CHECK_* code.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cap/rbtree.h"
#include "rbtree_fixture.h"
#include "tap.h"

/* ---- rb_check on broken trees ---------------------------------------------- */

static void mk(struct rb_node *n, struct rb_node *parent, bool red, struct rb_node *l,
               struct rb_node *r)
{
    n->parent_color = (uintptr_t)parent | (red ? RB_RED_BIT : 0);
    n->left = l;
    n->right = r;
    n->aug = 0;
}

/* A valid tree: black root b[0] with red children b[1] (left), b[2]. */
static void mk3(struct rb_tree *t, struct rb_node *b)
{
    rb_init(t, NULL);
    mk(&b[0], NULL, false, &b[1], &b[2]);
    mk(&b[1], &b[0], true, NULL, NULL);
    mk(&b[2], &b[0], true, NULL, NULL);
    t->root = &b[0];
}

static void expect_check(const struct rb_tree *t, bool (*aug_ok)(const struct rb_node *),
                         int want, const char *name)
{
    int got = rb_check(t, aug_ok, NULL);
    if (!tap_ok(got == want, name))
        tap_diag("rb_check returned %d, want %d", got, want);
}

static void test_check_valid_by_hand(void)
{
    struct rb_node b[7];
    struct rb_tree t;
    unsigned bh = 0;

    mk3(&t, b);
    tap_ok(rb_check(&t, NULL, &bh) == RB_CHECK_OK && bh == 1,
           "check: hand-built black root with two red children is valid, black height 1");
    /* Perfect all-black tree of 7: b[0] root, b[1..2] middle, b[3..6] leaves. */
    mk(&b[0], NULL, false, &b[1], &b[2]);
    for (size_t i = 1; i <= 2; i++)
        mk(&b[i], &b[0], false, &b[2 * i + 1], &b[2 * i + 2]);
    for (size_t i = 3; i <= 6; i++)
        mk(&b[i], &b[(i - 1) / 2], false, NULL, NULL);
    tap_ok(rb_check(&t, NULL, &bh) == RB_CHECK_OK && bh == 3,
           "check: perfect all-black tree of 7 is valid, black height 3");
    mk(&b[1], &b[0], false, &b[3], NULL); /* drop b[4]: one path is short */
    expect_check(&t, NULL, RB_CHECK_BLACK_HEIGHT, "check: a missing black leaf deep down");
}

static void test_check_broken(void)
{
    struct rb_node b[4];
    struct rb_tree t;

    rb_init(&t, NULL);
    mk(&b[0], NULL, true, NULL, NULL);
    t.root = &b[0];
    expect_check(&t, NULL, RB_CHECK_RED_ROOT, "check: red root");

    mk(&b[0], &b[1], false, NULL, NULL);
    expect_check(&t, NULL, RB_CHECK_ROOT_PARENT, "check: root with a parent pointer");

    mk3(&t, b);
    mk(&b[1], &b[0], true, &b[3], NULL);
    mk(&b[3], &b[1], true, NULL, NULL);
    expect_check(&t, NULL, RB_CHECK_RED_RED, "check: red node with a red child");

    mk(&b[0], NULL, false, &b[1], NULL);
    mk(&b[1], &b[0], false, NULL, NULL);
    expect_check(&t, NULL, RB_CHECK_BLACK_HEIGHT, "check: black child on one side only");

    mk3(&t, b);
    mk(&b[1], &b[2], true, NULL, NULL);
    expect_check(&t, NULL, RB_CHECK_BAD_PARENT, "check: child pointing to the wrong parent");

    mk3(&t, b);
    mk(&b[2], NULL, true, NULL, NULL);
    expect_check(&t, NULL, RB_CHECK_BAD_PARENT, "check: child with no parent pointer");

    mk3(&t, b);
    mk(&b[0], NULL, false, &b[1], &b[1]);
    expect_check(&t, NULL, RB_CHECK_NOT_TREE, "check: both children the same node");
}

static void test_check_loops(void)
{
    struct rb_node b[4];
    struct rb_tree t;

    mk3(&t, b);
    b[1].left = &b[0]; /* child pointer back to the root */
    expect_check(&t, NULL, RB_CHECK_BAD_PARENT, "check: loop back to the root terminates");

    mk3(&t, b);
    b[2].right = &b[2]; /* self loop */
    expect_check(&t, NULL, RB_CHECK_BAD_PARENT, "check: self loop terminates");

    /* A loop whose parent pointers agree inside it: b1 -> b3 -> b1. */
    mk3(&t, b);
    mk(&b[1], &b[3], true, &b[3], NULL);
    mk(&b[3], &b[1], false, &b[1], NULL);
    expect_check(&t, NULL, RB_CHECK_BAD_PARENT, "check: two-node loop below the root terminates");
}

static void set_augs(struct rb_node *b, uint64_t a0, uint64_t a1, uint64_t a2)
{
    b[0].aug = a0;
    b[1].aug = a1;
    b[2].aug = a2;
}

static void test_check_aug(void)
{
    struct rb_node b[3];
    struct rb_tree t;

    mk3(&t, b);
    set_augs(b, 3, 1, 1);
    expect_check(&t, size_ok, RB_CHECK_OK, "check: correct subtree sizes pass aug_ok");
    set_augs(b, 3, 1, 2);
    expect_check(&t, size_ok, RB_CHECK_AUG, "check: wrong aug in a leaf");
    set_augs(b, 4, 1, 1);
    expect_check(&t, size_ok, RB_CHECK_AUG, "check: wrong aug at the root");
    expect_check(&t, NULL, RB_CHECK_OK, "check: aug_ok NULL skips augmentation");
    mk(&b[0], NULL, true, &b[1], &b[2]);
    expect_check(&t, size_ok, RB_CHECK_RED_ROOT, "check: the first violation is reported");
}

int main(void)
{
    test_check_valid_by_hand();
    test_check_broken();
    test_check_loops();
    test_check_aug();
    return tap_done();
}
