/*
 * The buddy allocator (lib/untyped_alloc/buddy.c) against a model: each
 * region's minimum blocks marked free or owned.  Buddy allocation with
 * full coalescing can hand out a block of 2^k exactly when some aligned
 * 2^k range is all free, so the model knows when an allocation must
 * succeed, which region best fit picks, and every byte's state.
 *
 *   test_buddy [seed steps]   the random part (default: three seeds, 10^5 steps)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <coffer/abi.h>
#include <untyped_alloc/buddy.h>

#include "tap.h"

#define MIN_BITS 12
#define MAX_REGIONS 4
#define MAX_UNITS 256 /* minimum blocks in the largest region (2^20 bytes) */

static const unsigned region_bits[MAX_REGIONS] = { 20, 16, 18, 12 };

struct model {
    struct buddy b;
    struct buddy_region regions[MAX_REGIONS];
    uint8_t *trees[MAX_REGIONS];
    uint32_t owner[MAX_REGIONS][MAX_UNITS]; /* 0 free, else the block's id */
    struct buddy_block live[MAX_REGIONS * MAX_UNITS];
    unsigned nlive;
    uint32_t next_id;
};

static unsigned units(unsigned bits)
{
    return 1u << (bits - MIN_BITS);
}

static void model_init(struct model *m, unsigned nregions)
{
    memset(m, 0, sizeof *m);
    m->next_id = 1;
    buddy_init(&m->b, MIN_BITS, m->regions, MAX_REGIONS);
    for (unsigned r = 0; r < nregions; r++) {
        size_t bytes = buddy_tree_bytes(region_bits[r], MIN_BITS);
        m->trees[r] = malloc(bytes);
        unsigned index;
        buddy_add(&m->b, region_bits[r], 100 + r, (uint64_t)r << 32, m->trees[r], bytes, &index);
    }
}

static void model_fini(struct model *m)
{
    for (unsigned r = 0; r < MAX_REGIONS; r++)
        free(m->trees[r]);
}

/* Is the aligned range of 2^bits at unit u of region r all free? */
static bool range_free(const struct model *m, unsigned r, unsigned u, unsigned bits)
{
    for (unsigned i = u; i < u + units(bits); i++)
        if (m->owner[r][i] != 0)
            return false;
    return true;
}

/* The largest order with an aligned all-free range in region r; 0 if none. */
static unsigned model_largest(const struct model *m, unsigned r)
{
    for (unsigned k = region_bits[r]; k >= MIN_BITS; k--)
        for (unsigned u = 0; u < units(region_bits[r]); u += units(k))
            if (range_free(m, r, u, k))
                return k;
    return 0;
}

static uint64_t model_free_bytes(const struct model *m)
{
    uint64_t bytes = 0;
    for (unsigned r = 0; r < m->b.count; r++)
        for (unsigned u = 0; u < units(region_bits[r]); u++)
            bytes += m->owner[r][u] == 0 ? 1u << MIN_BITS : 0;
    return bytes;
}

/* Allocate and check the block against the model; returns the error. */
static uint64_t model_alloc(struct model *m, unsigned bits, bool *ok)
{
    unsigned best = 0, fits = 0;
    for (unsigned r = 0; r < m->b.count; r++) {
        unsigned l = model_largest(m, r);
        if (l >= bits && (fits == 0 || l < best)) {
            best = l;
            fits++;
        }
    }
    struct buddy_block blk;
    uint64_t err = buddy_alloc(&m->b, bits, &blk);
    if (err != COFFER_ERR_OK) {
        *ok = err == COFFER_ERR_NOT_ENOUGH_MEMORY && fits == 0;
        return err;
    }
    unsigned u = (unsigned)(blk.offset >> MIN_BITS);
    *ok = fits > 0 && blk.bits == bits && blk.region < m->b.count &&
          (blk.offset & ((1ull << bits) - 1)) == 0 && blk.offset < (1ull << region_bits[blk.region]) &&
          range_free(m, blk.region, u, bits) && model_largest(m, blk.region) == best;
    if (*ok) {
        for (unsigned i = u; i < u + units(bits); i++)
            m->owner[blk.region][i] = m->next_id;
        m->next_id++;
        m->live[m->nlive++] = blk;
    }
    return err;
}

static bool model_free(struct model *m, unsigned which)
{
    struct buddy_block blk = m->live[which];
    if (buddy_free(&m->b, blk) != COFFER_ERR_OK)
        return false;
    unsigned u = (unsigned)(blk.offset >> MIN_BITS);
    for (unsigned i = u; i < u + units(blk.bits); i++)
        m->owner[blk.region][i] = 0;
    m->live[which] = m->live[--m->nlive];
    return true;
}

/* The allocator's counters and its largest free block agree with the model. */
static bool model_agrees(const struct model *m)
{
    unsigned largest = 0;
    for (unsigned r = 0; r < m->b.count; r++) {
        unsigned l = model_largest(m, r);
        largest = l > largest ? l : largest;
    }
    return m->b.free_bytes == model_free_bytes(m) && m->b.blocks == m->nlive &&
           buddy_largest_free(&m->b) == largest;
}

static void test_sizes(void)
{
    tap_ok(buddy_tree_bytes(20, 12) == 512 && buddy_tree_bytes(12, 12) == 2 &&
               buddy_tree_bytes(44, 12) == (size_t)2 << 32,
           "tree: 2 bytes per minimum block");
    tap_ok(buddy_tree_bytes(11, 12) == 0 && buddy_tree_bytes(45, 12) == 0 && buddy_tree_bytes(64, 63) == 0 &&
               buddy_tree_bytes(12, 0) == 0,
           "tree: a region smaller than a block, a span above 2^32 blocks, 64 bits, min 0: refused");
    struct buddy b;
    struct buddy_region regions[1];
    tap_ok(buddy_init(&b, 0, regions, 1) == COFFER_ERR_INVALID_ARGUMENT &&
               buddy_init(&b, 64, regions, 1) == COFFER_ERR_INVALID_ARGUMENT &&
               buddy_init(&b, 12, regions, 0) == COFFER_ERR_INVALID_ARGUMENT &&
               buddy_init(&b, 12, NULL, 1) == COFFER_ERR_INVALID_ARGUMENT,
           "init: min_bits 0 or 64, no region array: INVALID_ARGUMENT");
    uint8_t tree[512];
    unsigned index = 99;
    buddy_init(&b, 12, regions, 1);
    tap_ok(buddy_add(&b, 11, 0, 0, tree, sizeof tree, &index) == COFFER_ERR_INVALID_ARGUMENT &&
               buddy_add(&b, 20, 0, 0, tree, 511, &index) == COFFER_ERR_INVALID_ARGUMENT &&
               buddy_add(&b, 20, 0, 0, NULL, 512, &index) == COFFER_ERR_INVALID_ARGUMENT &&
               b.count == 0 && index == 99,
           "add: a size the tree cannot describe, a tree too small: INVALID_ARGUMENT, nothing added");
    tap_ok(buddy_add(&b, 20, 7, 0x80000000, tree, sizeof tree, &index) == COFFER_ERR_OK && index == 0 &&
               b.regions[0].cookie == 7 && b.regions[0].base == 0x80000000 &&
               b.free_bytes == 1u << 20 && b.total_bytes == 1u << 20 && buddy_largest_free(&b) == 20,
           "add: the region is all free, its cookie and base kept");
    tap_ok(buddy_add(&b, 12, 0, 0, tree, sizeof tree, &index) == COFFER_ERR_NOT_ENOUGH_MEMORY && b.count == 1,
           "add: the region array full: NOT_ENOUGH_MEMORY");
    tap_ok(buddy_metadata_bytes(&b) == sizeof regions + 512, "metadata: the region array and the trees");
}

static void test_alloc_free_errors(void)
{
    struct model m;
    model_init(&m, 2);
    struct buddy_block blk;
    tap_ok(buddy_alloc(&m.b, 11, &blk) == COFFER_ERR_RANGE_ERROR && buddy_alloc(&m.b, 64, &blk) == COFFER_ERR_RANGE_ERROR,
           "alloc: below the minimum block or above 63 bits: RANGE_ERROR");
    tap_ok(buddy_alloc(&m.b, 21, &blk) == COFFER_ERR_NOT_ENOUGH_MEMORY && m.b.blocks == 0,
           "alloc: larger than any region: NOT_ENOUGH_MEMORY");
    bool ok;
    model_alloc(&m, 14, &ok);
    struct buddy_block a = m.live[0];
    tap_ok(ok && a.region == 1, "alloc: best fit takes the smaller region that holds the block");
    struct buddy_block bad = a;
    bad.region = 2;
    tap_ok(buddy_free(&m.b, bad) == COFFER_ERR_INVALID_ARGUMENT, "free: a region not added: INVALID_ARGUMENT");
    bad = a;
    bad.offset += 1u << 12;
    tap_ok(buddy_free(&m.b, bad) == COFFER_ERR_INVALID_ARGUMENT, "free: a misaligned offset: INVALID_ARGUMENT");
    bad = a;
    bad.offset = 1u << 16;
    tap_ok(buddy_free(&m.b, bad) == COFFER_ERR_INVALID_ARGUMENT, "free: an offset past the region: INVALID_ARGUMENT");
    bad = a;
    bad.bits = 17;
    tap_ok(buddy_free(&m.b, bad) == COFFER_ERR_INVALID_ARGUMENT, "free: a size above the region's: INVALID_ARGUMENT");
    bad = a;
    bad.bits = 13;
    tap_ok(buddy_free(&m.b, bad) == COFFER_ERR_ILLEGAL_OPERATION, "free: part of a block: ILLEGAL_OPERATION");
    bad = a;
    bad.bits = 15;
    bad.offset &= ~((1ull << 15) - 1);
    tap_ok(buddy_free(&m.b, bad) == COFFER_ERR_ILLEGAL_OPERATION,
           "free: the larger block around one: ILLEGAL_OPERATION");
    tap_ok(model_agrees(&m) && m.b.blocks == 1, "free: refused frees changed nothing");
    tap_ok(model_free(&m, 0) && buddy_free(&m.b, a) == COFFER_ERR_ILLEGAL_OPERATION && model_agrees(&m),
           "free: a double free: ILLEGAL_OPERATION");
    model_fini(&m);
}

static void test_reserve(void)
{
    struct model m;
    model_init(&m, 1);
    struct buddy_block r = { 0, 13, 1u << 14 };
    tap_ok(buddy_reserve(&m.b, r) == COFFER_ERR_OK && m.b.free_bytes == (1u << 20) - (1u << 13),
           "reserve: a free block is taken");
    m.owner[0][4] = m.owner[0][5] = m.next_id++;
    m.live[m.nlive++] = r;
    struct buddy_block inside = { 0, 12, 5u << 12 }, around = { 0, 15, 0 }, misaligned = { 0, 13, 1u << 12 };
    tap_ok(buddy_reserve(&m.b, r) == COFFER_ERR_ILLEGAL_OPERATION &&
               buddy_reserve(&m.b, inside) == COFFER_ERR_ILLEGAL_OPERATION &&
               buddy_reserve(&m.b, around) == COFFER_ERR_ILLEGAL_OPERATION,
           "reserve: the block again, a part of it, a block around it: ILLEGAL_OPERATION");
    tap_ok(buddy_reserve(&m.b, misaligned) == COFFER_ERR_INVALID_ARGUMENT && model_agrees(&m),
           "reserve: misaligned: INVALID_ARGUMENT; nothing changed");
    bool ok = true;
    for (int i = 0; i < 100 && ok; i++)
        model_alloc(&m, 12, &ok);
    tap_ok(ok && model_agrees(&m), "reserve: allocation works around a reserved block");
    tap_ok(model_free(&m, 0) && model_agrees(&m), "reserve: a reserved block is freed like any other");
    model_fini(&m);
}

/* Every minimum block taken, every other one given back: half the memory
 * free, none of it in a block of two; then the rest back, whole again. */
static void test_fragmentation(void)
{
    struct model m;
    model_init(&m, 1);
    bool ok = true;
    while (ok && model_alloc(&m, 12, &ok) == COFFER_ERR_OK)
        ;
    tap_ok(ok && m.nlive == 256 && m.b.free_bytes == 0, "exhaustion: 256 blocks of 4 KiB fill 1 MiB, then NOT_ENOUGH_MEMORY");
    for (unsigned i = 0; i < m.nlive;) {
        if ((m.live[i].offset >> 12) % 2 == 0)
            ok = ok && model_free(&m, i);
        else
            i++;
    }
    struct buddy_block blk;
    tap_ok(ok && m.b.free_bytes == 1u << 19 && buddy_largest_free(&m.b) == 12 &&
               buddy_alloc(&m.b, 13, &blk) == COFFER_ERR_NOT_ENOUGH_MEMORY,
           "fragmentation: half free in single blocks, no block of 8 KiB");
    while (ok && m.nlive > 0)
        ok = model_free(&m, 0);
    tap_ok(ok && buddy_largest_free(&m.b) == 20 && m.b.free_bytes == 1u << 20 && m.regions[0].tree[1] == 20,
           "coalescing: every block back makes the region whole");
    tap_ok(model_alloc(&m, 20, &ok) == COFFER_ERR_OK && ok, "coalescing: the whole region is handed out again");
    model_fini(&m);
}

static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return rng_state >> 33;
}

/* Random allocations of every size and frees, model checked each step. */
static void test_random(uint64_t seed, unsigned steps)
{
    struct model m;
    model_init(&m, MAX_REGIONS);
    rng_state = seed;
    unsigned bad_step = 0, allocs = 0, refusals = 0;
    for (unsigned step = 1; step <= steps && bad_step == 0; step++) {
        bool ok = true;
        if (m.nlive > 0 && rng() % 100 < 48) {
            ok = model_free(&m, (unsigned)(rng() % m.nlive));
        } else {
            unsigned bits = MIN_BITS + (unsigned)(rng() % 100 < 70 ? rng() % 3 : rng() % 10);
            uint64_t err = model_alloc(&m, bits, &ok);
            allocs += err == COFFER_ERR_OK;
            refusals += err != COFFER_ERR_OK;
        }
        if (!ok || !model_agrees(&m))
            bad_step = step;
    }
    if (bad_step)
        tap_diag("seed %llu: the allocator and the model differ at step %u",
                 (unsigned long long)seed, bad_step);
    while (bad_step == 0 && m.nlive > 0)
        if (!model_free(&m, m.nlive - 1))
            bad_step = steps + 1;
    tap_okf(bad_step == 0 && m.b.free_bytes == m.b.total_bytes && buddy_largest_free(&m.b) == 20,
            "random (seed %llu, %u steps: %u allocations, %u refused): model agrees every step, all free at the end",
            (unsigned long long)seed, steps, allocs, refusals);
    model_fini(&m);
}

int main(int argc, char **argv)
{
    test_sizes();
    test_alloc_free_errors();
    test_reserve();
    test_fragmentation();
    if (argc > 2) {
        test_random(strtoull(argv[1], NULL, 0), (unsigned)strtoul(argv[2], NULL, 0));
    } else {
        for (uint64_t seed = 1; seed <= 3; seed++)
            test_random(seed, 100000);
    }
    return tap_done();
}
