/*
 * The buddy allocator (lib/untyped_alloc/buddy.c, buddy_set.c) against a
 * model of every minimum block's owner.  Buddy allocation with full
 * coalescing can hand out a block of 2^k exactly when some aligned 2^k
 * range of the pool is all free, so the model knows when an allocation
 * must succeed, which pool best fit picks, and every byte's state — also
 * for pools delegated out of another pool's blocks and given back whole.
 *
 *   test_buddy [seed steps]   the random parts (default: three seeds, 10^5 steps)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <coffer/abi.h>
#include <untyped_alloc/buddy.h>

#include "tap.h"
#include "test_util.h"

#define MIN_BITS 12
#define UNITS_MAX 256 /* minimum blocks of the largest tree (2^20 bytes) */

static unsigned units(unsigned bits)
{
    return 1u << (bits - MIN_BITS);
}

static void *tree_mem(unsigned size_bits)
{
    return aligned_alloc(8, (buddy_tree_bytes(size_bits, MIN_BITS) + 7) & ~(size_t)7);
}

/* ---- a pool and its model: owner[u] of each minimum block it covers ---- */

struct model_pool {
    struct buddy_pool *pool;
    uint32_t *owner;  /* over the whole tree; 0 = free in this pool */
    unsigned first;   /* the pool's first unit and its size */
    unsigned bits;
};

static bool range_free(const struct model_pool *m, unsigned u, unsigned bits)
{
    for (unsigned i = u; i < u + units(bits); i++)
        if (m->owner[i] != 0)
            return false;
    return true;
}

static unsigned model_largest(const struct model_pool *m)
{
    for (unsigned k = m->bits; k >= MIN_BITS; k--)
        for (unsigned u = m->first; u < m->first + units(m->bits); u += units(k))
            if (range_free(m, u, k))
                return k;
    return 0;
}

static uint64_t model_free_bytes(const struct model_pool *m)
{
    uint64_t bytes = 0;
    for (unsigned u = m->first; u < m->first + units(m->bits); u++)
        bytes += m->owner[u] == 0 ? 1u << MIN_BITS : 0;
    return bytes;
}

static bool model_agrees(const struct model_pool *m)
{
    return m->pool->free_bytes == model_free_bytes(m) && buddy_pool_largest(m->pool) == model_largest(m);
}

/* Allocate 2^bits and check it against the model (must succeed exactly
 * when an aligned free range exists; must lie in one). */
static bool model_alloc(struct model_pool *m, unsigned bits, uint32_t id, struct buddy_block *out)
{
    bool possible = bits <= m->bits && model_largest(m) >= bits;
    uint64_t err = buddy_pool_alloc(m->pool, bits, out);
    if (err != COFFER_ERR_OK)
        return !possible && err == (bits > m->bits ? COFFER_ERR_RANGE_ERROR : COFFER_ERR_NOT_ENOUGH_MEMORY);
    unsigned u = (unsigned)(out->offset >> MIN_BITS);
    bool ok = possible && out->bits == bits && (out->offset & ((1ull << bits) - 1)) == 0 &&
              u >= m->first && u + units(bits) <= m->first + units(m->bits) && range_free(m, u, bits);
    for (unsigned i = u; ok && i < u + units(bits); i++)
        m->owner[i] = id;
    return ok;
}

static bool model_free(struct model_pool *m, struct buddy_block blk)
{
    if (buddy_pool_free(m->pool, blk) != COFFER_ERR_OK)
        return false;
    unsigned u = (unsigned)(blk.offset >> MIN_BITS);
    for (unsigned i = u; i < u + units(blk.bits); i++)
        m->owner[i] = 0;
    return true;
}

/* A tree of 2^bits bytes as one pool, all free, with its model. */
struct whole_pool {
    struct buddy_tree tree;
    struct buddy_pool pool;
    void *mem;
    struct model_pool model;
};

static void whole_pool_open(struct whole_pool *w, unsigned bits, uint32_t *owner)
{
    memset(owner, 0, UNITS_MAX * sizeof *owner);
    w->mem = tree_mem(bits);
    buddy_tree_init(&w->tree, &w->pool, bits, MIN_BITS, 0, 0, w->mem, buddy_tree_bytes(bits, MIN_BITS));
    w->model = (struct model_pool){ &w->pool, owner, 0, bits };
}

/* ---- fixed cases ---- */

static void test_sizes(void)
{
    tap_ok(buddy_tree_bytes(20, 12) == 512 + 64 && buddy_tree_bytes(12, 12) == 8 + 8 &&
               buddy_tree_bytes(44, 12) == ((size_t)2 << 32) + ((size_t)2 << 29),
           "tree: a byte and a bit per node, two nodes per minimum block");
    tap_ok(buddy_tree_bytes(11, 12) == 0 && buddy_tree_bytes(45, 12) == 0 && buddy_tree_bytes(64, 63) == 0 &&
               buddy_tree_bytes(12, 0) == 0,
           "tree: smaller than a block, a span above 2^32 blocks, 64 bits, min 0: refused");
    struct buddy_tree t;
    struct buddy_pool all;
    uint64_t mem[80];
    tap_ok(buddy_tree_init(&t, &all, 11, 12, 0, 0, mem, sizeof mem) == COFFER_ERR_INVALID_ARGUMENT &&
               buddy_tree_init(&t, &all, 20, 12, 0, 0, mem, 575) == COFFER_ERR_INVALID_ARGUMENT &&
               buddy_tree_init(&t, &all, 20, 12, 0, 0, (uint8_t *)mem + 4, 576) == COFFER_ERR_INVALID_ARGUMENT &&
               buddy_tree_init(&t, &all, 20, 12, 0, 0, NULL, 576) == COFFER_ERR_INVALID_ARGUMENT,
           "tree: a size refused, memory too small, misaligned or missing: INVALID_ARGUMENT");
    tap_ok(buddy_tree_init(&t, &all, 20, 12, 7, 0x80000000, mem, sizeof mem) == COFFER_ERR_OK &&
               t.cookie == 7 && t.base == 0x80000000 && all.free_bytes == 1u << 20 && buddy_pool_largest(&all) == 20,
           "tree: the pool of all of it is free, cookie and base kept");
    struct buddy b;
    struct buddy_tree trees[1];
    struct buddy_pool pools[1];
    unsigned index;
    tap_ok(buddy_init(&b, 0, trees, pools, 1) == COFFER_ERR_INVALID_ARGUMENT &&
               buddy_init(&b, 64, trees, pools, 1) == COFFER_ERR_INVALID_ARGUMENT &&
               buddy_init(&b, 12, trees, pools, 0) == COFFER_ERR_INVALID_ARGUMENT &&
               buddy_init(&b, 12, NULL, pools, 1) == COFFER_ERR_INVALID_ARGUMENT,
           "set: min_bits 0 or 64, no arrays: INVALID_ARGUMENT");
    buddy_init(&b, 12, trees, pools, 1);
    tap_ok(buddy_add(&b, 20, 0, 0, mem, sizeof mem, &index) == COFFER_ERR_OK && index == 0 &&
               buddy_add(&b, 12, 0, 0, mem, sizeof mem, &index) == COFFER_ERR_NOT_ENOUGH_MEMORY && b.count == 1,
           "set: an untyped added; the arrays full: NOT_ENOUGH_MEMORY");
    tap_ok(buddy_metadata_bytes(&b) == sizeof trees + sizeof pools + 576, "set: metadata is the arrays and the trees");
}

static void test_errors(void)
{
    static uint32_t owner[UNITS_MAX];
    struct whole_pool w;
    whole_pool_open(&w, 16, owner);
    struct buddy_pool *all = &w.pool;
    struct model_pool *m = &w.model;
    struct buddy_block blk, a;
    tap_ok(buddy_pool_alloc(all, 11, &blk) == COFFER_ERR_RANGE_ERROR && buddy_pool_alloc(all, 17, &blk) == COFFER_ERR_RANGE_ERROR,
           "alloc: below the minimum block or above the pool: RANGE_ERROR");
    tap_ok(model_alloc(m, 14, 1, &a) && model_agrees(m), "alloc: a 16 KiB block");
    struct buddy_block bad = a;
    bad.node ^= 1;
    tap_ok(buddy_pool_free(all, bad) == COFFER_ERR_INVALID_ARGUMENT, "free: node and offset disagree: INVALID_ARGUMENT");
    bad = a;
    bad.offset = 1u << 16;
    tap_ok(buddy_pool_free(all, bad) == COFFER_ERR_INVALID_ARGUMENT, "free: an offset past the pool: INVALID_ARGUMENT");
    tap_ok(buddy_pool_block(all, 13, 4096, &bad) == COFFER_ERR_INVALID_ARGUMENT &&
               buddy_pool_block(all, 17, 0, &bad) == COFFER_ERR_INVALID_ARGUMENT,
           "block: misaligned, larger than the pool: INVALID_ARGUMENT");
    buddy_pool_block(all, 13, a.offset, &bad);
    tap_ok(buddy_pool_free(all, bad) == COFFER_ERR_ILLEGAL_OPERATION, "free: part of a block: ILLEGAL_OPERATION");
    buddy_pool_block(all, 15, a.offset & ~((1ull << 15) - 1), &bad);
    tap_ok(buddy_pool_free(all, bad) == COFFER_ERR_ILLEGAL_OPERATION, "free: the block around one: ILLEGAL_OPERATION");
    buddy_pool_block(all, 12, a.offset ^ (1u << 14), &bad);
    tap_ok(buddy_pool_free(all, bad) == COFFER_ERR_ILLEGAL_OPERATION, "free: a block never handed out: ILLEGAL_OPERATION");
    tap_ok(model_agrees(m) && all->blocks == 1, "free: refused frees changed nothing");
    tap_ok(model_free(m, a) && buddy_pool_free(all, a) == COFFER_ERR_ILLEGAL_OPERATION && model_agrees(m),
           "free: a double free: ILLEGAL_OPERATION");
    /* Reserve: a free block, then the same, a part of it, one around it. */
    struct buddy_block r, inside, around;
    buddy_pool_block(all, 13, 1u << 14, &r);
    buddy_pool_block(all, 12, (1u << 14) + 4096, &inside);
    buddy_pool_block(all, 15, 0, &around);
    tap_ok(buddy_pool_reserve(all, r) == COFFER_ERR_OK && all->free_bytes == (1u << 16) - (1u << 13),
           "reserve: a free block is taken");
    owner[4] = owner[5] = 2;
    tap_ok(buddy_pool_reserve(all, r) == COFFER_ERR_ILLEGAL_OPERATION &&
               buddy_pool_reserve(all, inside) == COFFER_ERR_ILLEGAL_OPERATION &&
               buddy_pool_reserve(all, around) == COFFER_ERR_ILLEGAL_OPERATION && model_agrees(m),
           "reserve: the block again, a part of it, a block around it: ILLEGAL_OPERATION, nothing changed");
    tap_ok(model_free(m, r) && model_agrees(m) && all->blocks == 0, "reserve: a reserved block is freed like any other");
    struct buddy_block whole;
    buddy_pool_block(all, 16, 0, &whole);
    tap_ok(buddy_pool_reserve(all, whole) == COFFER_ERR_OK && buddy_pool_largest(all) == 0 &&
               buddy_pool_alloc(all, 12, &blk) == COFFER_ERR_NOT_ENOUGH_MEMORY && buddy_pool_free(all, whole) == COFFER_ERR_OK &&
               buddy_pool_largest(all) == 16,
           "reserve: the whole pool, and back");
    free(w.mem);
}

/* Every minimum block taken, every other one given back: half free, no
 * block of two; then all back, whole again. */
static void test_fragmentation(void)
{
    static uint32_t owner[UNITS_MAX];
    struct whole_pool w;
    whole_pool_open(&w, 20, owner);
    struct buddy_pool *all = &w.pool;
    struct model_pool *m = &w.model;
    struct buddy_block blocks[UNITS_MAX + 1];
    unsigned n = 0;
    bool ok = true;
    while (ok && n <= UNITS_MAX && buddy_pool_largest(all) >= 12)
        ok = model_alloc(m, 12, n + 1, &blocks[n]), n++;
    struct buddy_block extra;
    tap_ok(ok && n == 256 && all->free_bytes == 0 && buddy_pool_alloc(all, 12, &extra) == COFFER_ERR_NOT_ENOUGH_MEMORY,
           "exhaustion: 256 blocks of 4 KiB fill 1 MiB, then NOT_ENOUGH_MEMORY");
    for (unsigned i = 0; i < n; i++)
        if ((blocks[i].offset >> 12) % 2 == 0)
            ok = ok && model_free(m, blocks[i]);
    tap_ok(ok && all->free_bytes == 1u << 19 && buddy_pool_largest(all) == 12 &&
               buddy_pool_alloc(all, 13, &extra) == COFFER_ERR_NOT_ENOUGH_MEMORY,
           "fragmentation: half free in single blocks, no block of 8 KiB");
    for (unsigned i = 0; i < n; i++)
        if ((blocks[i].offset >> 12) % 2 == 1)
            ok = ok && model_free(m, blocks[i]);
    tap_ok(ok && buddy_pool_largest(all) == 20 && all->free_bytes == 1u << 20 && all->blocks == 0,
           "coalescing: every block back makes the tree whole");
    tap_ok(model_alloc(m, 20, 1, &extra) && model_free(m, extra), "coalescing: the whole tree is handed out again");
    free(w.mem);
}

/* The block given back last is taken again first, without a walk; every
 * other operation and query sees it free as if the nodes above knew. */
static void test_pending(void)
{
    static uint32_t owner[UNITS_MAX];
    struct whole_pool w;
    whole_pool_open(&w, 20, owner);
    struct buddy_pool *all = &w.pool;
    struct model_pool *m = &w.model;
    struct buddy_block a, b, c, again, part;
    bool ok = model_alloc(m, 12, 1, &a) && model_alloc(m, 12, 2, &b) && model_alloc(m, 12, 3, &c);
    ok = ok && model_free(m, b) && all->pending == b.node && model_agrees(m);
    tap_ok(ok && model_alloc(m, 12, 4, &again) && again.node == b.node && all->pending == 0 && model_agrees(m),
           "pending: a block freed is the next one of its size handed out");
    ok = model_free(m, again) && buddy_pool_free(all, again) == COFFER_ERR_ILLEGAL_OPERATION;
    buddy_pool_block(all, 12, again.offset, &part);
    tap_ok(ok && buddy_pool_reserve(all, part) == COFFER_ERR_OK && buddy_pool_free(all, part) == COFFER_ERR_OK &&
               model_agrees(m),
           "pending: freed twice: ILLEGAL_OPERATION; reserved again after the nodes above settle");
    /* b's place and its neighbours a and c: all three back make 16 KiB
     * whole, which the largest free block must see while c is pending. */
    ok = model_free(m, a) && model_free(m, c) && all->pending == c.node;
    tap_ok(ok && buddy_pool_largest(all) == 20 && buddy_pool_fits(all, 20) && model_agrees(m),
           "pending: the largest free block counts the pending one joined with its free buddies");
    ok = model_alloc(m, 12, 5, &a) && model_free(m, a) && model_alloc(m, 14, 6, &b) && all->pending == 0;
    tap_ok(ok && model_agrees(m) && model_free(m, b) && buddy_pool_fits(all, 12) && !buddy_pool_fits(all, 21),
           "pending: another size settles it first; fits agrees with largest");
    tap_ok(model_alloc(m, 20, 7, &a) && all->free_bytes == 0 && model_free(m, a) && all->pending == 0 &&
               buddy_pool_largest(all) == 20,
           "pending: the whole pool handed out and back (its root is never pending)");
    free(w.mem);
}

/* A delegated block is a pool of its own; given back, its inside is forgotten. */
static void test_delegation(void)
{
    static uint32_t owner[UNITS_MAX], inner[UNITS_MAX];
    memset(owner, 0, sizeof owner);
    memset(inner, 0, sizeof inner);
    struct buddy_tree t;
    struct buddy_pool all, sub;
    void *mem = tree_mem(20);
    buddy_tree_init(&t, &all, 20, MIN_BITS, 0, 0, mem, buddy_tree_bytes(20, MIN_BITS));
    struct model_pool mp = { &all, owner, 0, 20 };
    struct buddy_block blk, x, y;
    bool ok = model_alloc(&mp, 18, 1, &blk) && buddy_pool_delegate(&all, blk, &sub) == COFFER_ERR_OK;
    struct model_pool ms = { &sub, inner, (unsigned)(blk.offset >> 12), 18 };
    tap_ok(ok && sub.free_bytes == 1u << 18 && buddy_pool_largest(&sub) == 18 && buddy_pool_largest(&all) == 19,
           "delegate: a 256 KiB block becomes a pool, all free; the parent sees it taken");
    ok = model_alloc(&ms, 12, 5, &x) && model_alloc(&ms, 16, 6, &y) && model_agrees(&ms) && model_agrees(&mp);
    tap_ok(ok && buddy_pool_free(&all, x) == COFFER_ERR_ILLEGAL_OPERATION && model_agrees(&ms),
           "delegate: the sub-pool allocates; the parent cannot free a block inside it");
    struct buddy_pool subsub;
    struct buddy_block z;
    tap_ok(model_alloc(&ms, 14, 7, &z) && buddy_pool_delegate(&sub, z, &subsub) == COFFER_ERR_OK &&
               buddy_pool_alloc(&subsub, 12, &x) == COFFER_ERR_OK && model_agrees(&ms),
           "delegate: pools nest (a block of the sub-pool delegated again)");
    tap_ok(buddy_pool_delegate(&all, x, &subsub) != COFFER_ERR_OK, "delegate: only a block the pool itself handed out");
    memset(inner, 0, sizeof inner);
    tap_ok(model_free(&mp, blk) && buddy_pool_largest(&all) == 20 && all.free_bytes == 1u << 20,
           "release: the sub-pool's block back to the parent at once, whatever was inside");
    struct buddy_block again[64];
    ok = true;
    for (unsigned i = 0; i < 64 && ok; i++)
        ok = model_alloc(&mp, 14, 10 + i, &again[i]);
    tap_ok(ok && all.free_bytes == 0 && model_agrees(&mp),
           "release: the memory the sub-pool used is allocated again (stale inside pushed down)");
    free(mem);
}

/* ---- random: a parent pool and up to four delegated pools ---- */

static uint64_t rng_state;
static unsigned rng(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)((rng_state >> 33) % n);
}

#define SUBS 4
#define LIVE_MAX 512
struct live { struct buddy_block blk; int pool; }; /* pool -1: the parent */

static void test_random_nested(uint64_t seed, unsigned steps)
{
    static uint32_t owner[UNITS_MAX], inner[SUBS][UNITS_MAX];
    static struct live live[LIVE_MAX];
    memset(owner, 0, sizeof owner);
    memset(inner, 0, sizeof inner);
    struct buddy_tree t;
    struct buddy_pool all, subs[SUBS];
    struct buddy_block sub_blk[SUBS];
    bool sub_on[SUBS] = { false };
    void *mem = tree_mem(20);
    buddy_tree_init(&t, &all, 20, MIN_BITS, 0, 0, mem, buddy_tree_bytes(20, MIN_BITS));
    struct model_pool mp = { &all, owner, 0, 20 }, ms[SUBS];
    unsigned nlive = 0, bad = 0, allocs = 0, delegations = 0;
    rng_state = seed;
    for (unsigned step = 1; step <= steps && bad == 0; step++) {
        unsigned what = rng(100);
        int p = (int)rng(SUBS + 1) - 1;
        if (p >= 0 && !sub_on[p])
            p = -1;
        struct model_pool *m = p < 0 ? &mp : &ms[p];
        bool ok = true;
        if (what < 45 && nlive < LIVE_MAX) {
            unsigned bits = MIN_BITS + (rng(100) < 70 ? rng(3) : rng(8));
            struct buddy_block blk;
            uint64_t free_before = m->pool->free_bytes;
            ok = model_alloc(m, bits, step, &blk);
            if (ok && m->pool->free_bytes != free_before)
                live[nlive++] = (struct live){ blk, p }, allocs++;
        } else if (what < 90 && nlive > 0) {
            unsigned i = rng(nlive);
            ok = model_free(live[i].pool < 0 ? &mp : &ms[live[i].pool], live[i].blk);
            live[i] = live[--nlive];
        } else if (what < 95) {
            unsigned s = rng(SUBS);
            if (!sub_on[s]) { /* delegate a fresh block of the parent */
                unsigned bits = 14 + rng(4);
                uint64_t free_before = all.free_bytes;
                ok = model_alloc(&mp, bits, 100000 + s, &sub_blk[s]);
                if (ok && all.free_bytes != free_before) {
                    ok = buddy_pool_delegate(&all, sub_blk[s], &subs[s]) == COFFER_ERR_OK;
                    memset(inner[s], 0, sizeof inner[s]);
                    ms[s] = (struct model_pool){ &subs[s], inner[s], (unsigned)(sub_blk[s].offset >> 12), bits };
                    sub_on[s] = true;
                    delegations++;
                }
            } else { /* give it back whole, its blocks forgotten */
                ok = model_free(&mp, sub_blk[s]);
                sub_on[s] = false;
                for (unsigned i = 0; i < nlive;)
                    live[i].pool == (int)s ? (void)(live[i] = live[--nlive]) : (void)i++;
            }
        }
        ok = ok && model_agrees(&mp);
        for (unsigned s = 0; s < SUBS; s++)
            ok = ok && (!sub_on[s] || model_agrees(&ms[s]));
        if (!ok)
            bad = step;
    }
    if (bad)
        tap_diag("seed %llu: the allocator and the model differ at step %u", (unsigned long long)seed, bad);
    for (unsigned s = 0; s < SUBS; s++)
        if (sub_on[s] && bad == 0 && !model_free(&mp, sub_blk[s]))
            bad = steps + 1;
    for (unsigned i = 0; i < nlive && bad == 0; i++)
        if (live[i].pool < 0 && !model_free(&mp, live[i].blk))
            bad = steps + 2;
    tap_okf(bad == 0 && all.free_bytes == 1u << 20 && buddy_pool_largest(&all) == 20,
            "random (seed %llu, %u steps: %u blocks, %u pools delegated): the model agrees every step, all free at the end",
            (unsigned long long)seed, steps, allocs, delegations);
    free(mem);
}

/* Best fit across the untyped of a struct buddy. */
static void test_set(void)
{
    struct buddy b;
    struct buddy_tree trees[2];
    struct buddy_pool pools[2];
    void *m0 = tree_mem(20), *m1 = tree_mem(16);
    unsigned i0, i1;
    buddy_init(&b, MIN_BITS, trees, pools, 2);
    buddy_add(&b, 20, 100, 0, m0, buddy_tree_bytes(20, MIN_BITS), &i0);
    buddy_add(&b, 16, 101, 0, m1, buddy_tree_bytes(16, MIN_BITS), &i1);
    struct buddy_ref a, c, d;
    tap_ok(buddy_alloc(&b, 12, &a) == COFFER_ERR_OK && a.pool == 1 && buddy_alloc(&b, 17, &c) == COFFER_ERR_OK &&
               c.pool == 0 && buddy_alloc(&b, 21, &d) == COFFER_ERR_NOT_ENOUGH_MEMORY &&
               buddy_alloc(&b, 11, &d) == COFFER_ERR_RANGE_ERROR,
           "set: best fit takes the smaller untyped that holds the block; too large, too small refused");
    tap_ok(b.free_bytes == (1u << 20) + (1u << 16) - 4096 - (1u << 17) && b.blocks == 2 &&
               buddy_largest_free(&b) == 19,
           "set: its counts and largest free block");
    struct buddy_ref bad = a;
    bad.pool = 2;
    tap_ok(buddy_free(&b, bad) == COFFER_ERR_INVALID_ARGUMENT && buddy_reserve(&b, bad) == COFFER_ERR_INVALID_ARGUMENT,
           "set: a pool not added: INVALID_ARGUMENT");
    tap_ok(buddy_free(&b, a) == COFFER_ERR_OK && buddy_free(&b, c) == COFFER_ERR_OK && b.blocks == 0 &&
               b.free_bytes == b.total_bytes && buddy_reserve(&b, a) == COFFER_ERR_OK && b.blocks == 1,
           "set: free and reserve keep the counts");
    free(m0);
    free(m1);
}

int main(int argc, char **argv)
{
    test_sizes();
    test_errors();
    test_fragmentation();
    test_pending();
    test_delegation();
    test_set();
    test_seeded_runs(argc, argv, test_random_nested, 100000);
    return tap_done();
}
