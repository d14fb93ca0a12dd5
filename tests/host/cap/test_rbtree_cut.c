/*
 * rb_cut (rbtree_cut.c): cutting an in-order range out of a red-black
 * tree.  Random trees, random ranges -- single nodes, the ends, the whole
 * tree -- checked against an array model: both trees must keep every
 * red-black rule and an exact augmentation (subtree size and maximum; and
 * the maximum alone, which joins stop refreshing where it stops changing),
 * and hold exactly the right nodes in the right order.  The cut is also
 * compared with erasing the same nodes one by one.
 *
 *   usage: test_rbtree_cut [seed [rounds]]
 */
#include <stdlib.h>
#include <string.h>
#include "cap/rbtree.h"
#include "rbtree_fixture.h"
#include "tap.h"
#include "test_util.h"

#define MAX_NODES 3000

static struct tnode nodes[MAX_NODES];
/* The augmentation the trees keep: size and maximum, or the maximum alone. */
static void (*aug_update)(struct rb_node *) = both_update;
static bool (*aug_ok)(const struct rb_node *) = both_ok;
static unsigned order[MAX_NODES]; /* model: ids in order */

/* A random tree of n nodes, built by random positional inserts. */
static void build(struct rb_tree *t, unsigned n)
{
    rb_init(t, aug_update);
    for (unsigned i = 0; i < n; i++) {
        memset(&nodes[i], 0, sizeof(nodes[i]));
        nodes[i].id = i;
        nodes[i].v = (uint32_t)test_rng_below(1000000);
        unsigned pos = (unsigned)test_rng_below(i + 1); /* new node goes at index pos */
        if (pos == i)
            rb_insert_after(t, i == 0 ? NULL : &nodes[order[i - 1]].rb, &nodes[i].rb);
        else
            rb_insert_before(t, &nodes[order[pos]].rb, &nodes[i].rb);
        memmove(&order[pos + 1], &order[pos], (i - pos) * sizeof(order[0]));
        order[pos] = i;
    }
}

/* Does t hold exactly model[from .. to) in order, with every rule kept? */
static bool holds(const struct rb_tree *t, const unsigned *model, unsigned from, unsigned to)
{
    if (rb_check(t, aug_ok, NULL) != RB_CHECK_OK)
        return false;
    const struct rb_node *n = rb_first(t);
    for (unsigned i = from; i < to; i++, n = rb_next(n))
        if (n == NULL || ctn(n)->id != model[i])
            return false;
    return n == NULL;
}

static bool one_cut(unsigned n, unsigned i, unsigned j)
{
    struct rb_tree t, out;
    build(&t, n);
    rb_cut(&t, &nodes[order[i]].rb, &nodes[order[j]].rb, &out);
    if (!holds(&out, order, i, j + 1))
        return false;
    /* What stays: the model without i..j. */
    memmove(&order[i], &order[j + 1], (n - j - 1) * sizeof(order[0]));
    return holds(&t, order, 0, n - (j - i + 1));
}

static void cuts(long rounds, const char *aug)
{
    bool good = true;
    for (unsigned n = 1; n <= 9 && good; n++)
        for (unsigned i = 0; i < n && good; i++)
            for (unsigned j = i; j < n && good; j++)
                for (int rep = 0; rep < 8 && good; rep++)
                    good = one_cut(n, i, j);
    tap_okf(good, "cut (%s): every range of every tree up to 9 nodes (8 shapes each)", aug);
    good = true;
    long r;
    for (r = 0; r < rounds && good; r++) {
        unsigned n = 1 + (unsigned)test_rng_below(test_rng_below(4) == 0 ? MAX_NODES : 200);
        unsigned i = (unsigned)test_rng_below(n), j = i + (unsigned)test_rng_below(n - i);
        if (test_rng_below(8) == 0)
            j = i; /* a single node */
        else if (test_rng_below(8) == 0)
            i = 0, j = n - 1; /* everything */
        good = one_cut(n, i, j);
    }
    if (!good)
        tap_diag("failed in round %ld", r - 1);
    tap_okf(good, "cut (%s): random ranges of random trees up to 3000 nodes keep both trees exact", aug);
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 20261122;
    long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 3000;
    test_rng_seed(seed);
    cuts(rounds, "size and maximum");
    aug_update = max_update;
    aug_ok = max_ok;
    cuts(rounds, "maximum alone");
    return tap_done();
}
