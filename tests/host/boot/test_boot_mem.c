/*
 * Host tests for kernel/core/boot/boot_mem.c: region sets and the untyped split.
 *
 * The fixed cases check each operation's documented behaviour; the
 * randomized test (fixed seed, bounded) replays add/remove/alloc on a region
 * set and on a page bitmap side by side and compares them after every step.
 * The split's block count is checked against an independent computation
 * (the canonical dyadic decomposition of the range).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "boot/boot_mem.h"
#include "tap.h"
#include "test_util.h"

#define PG 4096ull

/* ---- Helpers ----------------------------------------------------------- */

/* The set's documented invariant: sorted, non-empty, disjoint, not adjacent. */
static int set_well_formed(const struct region_set *s)
{
    if (s->count > REGION_SET_MAX)
        return 0;
    for (unsigned i = 0; i < s->count; i++) {
        if (s->r[i].base >= s->r[i].end)
            return 0;
        if (i > 0 && s->r[i - 1].end >= s->r[i].base)
            return 0;
    }
    return 1;
}

/* Does the set hold exactly the n ranges in want (flat base,end pairs)? */
static int set_equals(const struct region_set *s, const uint64_t *want, unsigned n)
{
    if (s->count != n)
        return 0;
    for (unsigned i = 0; i < n; i++)
        if (s->r[i].base != want[2 * i] || s->r[i].end != want[2 * i + 1])
            return 0;
    return 1;
}

static void dump_set(const struct region_set *s)
{
    tap_diag("set has %u ranges", s->count);
    for (unsigned i = 0; i < s->count && i < 16; i++)
        tap_diag("  [%#llx, %#llx)", (unsigned long long)s->r[i].base,
                 (unsigned long long)s->r[i].end);
}

static void check_set(const struct region_set *s, const uint64_t *want, unsigned n,
                      const char *name)
{
    if (!tap_ok(set_well_formed(s) && set_equals(s, want, n), name))
        dump_set(s);
}


/* ---- region_set_add ---------------------------------------------------- */

static void test_add(void)
{
    static struct region_set s;

    region_set_init(&s);
    tap_ok(s.count == 0 && region_set_bytes(&s) == 0, "init: empty set, 0 bytes");

    tap_ok(region_set_add(&s, 0x5000, 0x5000) == BOOT_MEM_OK && s.count == 0,
           "add: empty range is OK and adds nothing");
    tap_ok(region_set_add(&s, 0x5000, 0x4000) == BOOT_MEM_ERR_RANGE && s.count == 0,
           "add: end < base is BOOT_MEM_ERR_RANGE and leaves the set unchanged");

    region_set_init(&s);
    region_set_add(&s, 0x8000, 0x9000);
    region_set_add(&s, 0x2000, 0x3000);
    region_set_add(&s, 0x5000, 0x6000);
    {
        const uint64_t want[] = { 0x2000, 0x3000, 0x5000, 0x6000, 0x8000, 0x9000 };
        check_set(&s, want, 3, "add: disjoint ranges inserted out of order end up sorted");
    }

    region_set_add(&s, 0x2800, 0x5800);
    {
        const uint64_t want[] = { 0x2000, 0x6000, 0x8000, 0x9000 };
        check_set(&s, want, 2, "add: a range overlapping two ranges merges all three");
    }

    region_set_add(&s, 0x6000, 0x7000);
    {
        const uint64_t want[] = { 0x2000, 0x7000, 0x8000, 0x9000 };
        check_set(&s, want, 2, "add: a range adjacent above merges (no adjacent ranges)");
    }

    region_set_add(&s, 0x7000, 0x8000);
    {
        const uint64_t want[] = { 0x2000, 0x9000 };
        check_set(&s, want, 1, "add: a range filling the gap exactly merges both neighbours");
    }

    region_set_add(&s, 0x1000, 0x2000);
    {
        const uint64_t want[] = { 0x1000, 0x9000 };
        check_set(&s, want, 1, "add: a range adjacent below merges");
    }

    region_set_add(&s, 0x3000, 0x4000);
    {
        const uint64_t want[] = { 0x1000, 0x9000 };
        check_set(&s, want, 1, "add: a contained range changes nothing");
    }

    region_set_add(&s, 0x0, 0x20000);
    {
        const uint64_t want[] = { 0x0, 0x20000 };
        check_set(&s, want, 1, "add: a containing range swallows the existing one");
    }

    /* Unaligned byte ranges are fine: the set is byte-granular. */
    region_set_init(&s);
    region_set_add(&s, 0x10, 0x20);
    region_set_add(&s, 0x21, 0x30);
    region_set_add(&s, 0x20, 0x21);
    {
        const uint64_t want[] = { 0x10, 0x30 };
        check_set(&s, want, 1, "add: byte-granular ranges merge when they touch");
    }

    /* Ranges up to the top of the address space. */
    region_set_init(&s);
    tap_ok(region_set_add(&s, UINT64_MAX - 0xfff, UINT64_MAX) == BOOT_MEM_OK &&
               region_set_add(&s, 0, 0x1000) == BOOT_MEM_OK && s.count == 2 &&
               s.r[1].end == UINT64_MAX,
           "add: ranges at both ends of the address space are kept apart");

    /* Capacity. */
    region_set_init(&s);
    int err = BOOT_MEM_OK;
    for (unsigned i = 0; i < REGION_SET_MAX && err == BOOT_MEM_OK; i++)
        err = region_set_add(&s, (uint64_t)i * 0x2000, (uint64_t)i * 0x2000 + 0x1000);
    tap_ok(err == BOOT_MEM_OK && s.count == REGION_SET_MAX,
           "add: REGION_SET_MAX disjoint ranges fit");
    static struct region_set before;
    before = s;
    err = region_set_add(&s, 0x1000000, 0x1001000);
    tap_ok(err == BOOT_MEM_ERR_FULL, "add: one more disjoint range is BOOT_MEM_ERR_FULL");
    tap_ok(memcmp(&before, &s, sizeof s) == 0, "add: a FULL add leaves the set unchanged");
    err = region_set_add(&s, 0x1000, 0x2000);
    tap_ok(err == BOOT_MEM_OK && s.count == REGION_SET_MAX - 1 && s.r[0].base == 0 &&
               s.r[0].end == 0x3000 && set_well_formed(&s),
           "add: a merging add still works on a full set");
    err = region_set_add(&s, (uint64_t)(REGION_SET_MAX - 1) * 0x2000 + 0x1000, 0x900000);
    tap_ok(err == BOOT_MEM_OK && s.count == REGION_SET_MAX - 1 &&
               s.r[s.count - 1].end == 0x900000 && set_well_formed(&s),
           "add: extending the last range of a nearly full set merges");
}

/* ---- region_set_remove ------------------------------------------------- */

static void test_remove(void)
{
    static struct region_set s;

    region_set_init(&s);
    region_set_add(&s, 0x1000, 0x9000);
    tap_ok(region_set_remove(&s, 0x4000, 0x3000) == BOOT_MEM_ERR_RANGE && s.count == 1 &&
               s.r[0].base == 0x1000 && s.r[0].end == 0x9000,
           "remove: end < base is BOOT_MEM_ERR_RANGE and leaves the set unchanged");

    region_set_remove(&s, 0x4000, 0x5000);
    {
        const uint64_t want[] = { 0x1000, 0x4000, 0x5000, 0x9000 };
        check_set(&s, want, 2, "remove: a hole in the middle splits the range");
    }
    region_set_remove(&s, 0x0, 0x2000);
    {
        const uint64_t want[] = { 0x2000, 0x4000, 0x5000, 0x9000 };
        check_set(&s, want, 2, "remove: overlapping the start trims it");
    }
    region_set_remove(&s, 0x8000, 0x10000);
    {
        const uint64_t want[] = { 0x2000, 0x4000, 0x5000, 0x8000 };
        check_set(&s, want, 2, "remove: overlapping the end trims it");
    }
    region_set_remove(&s, 0x2000, 0x3000);
    region_set_remove(&s, 0x7000, 0x8000);
    {
        const uint64_t want[] = { 0x3000, 0x4000, 0x5000, 0x7000 };
        check_set(&s, want, 2, "remove: exactly at a range's start and end trims both ends");
    }
    region_set_remove(&s, 0x4000, 0x5000);
    region_set_remove(&s, 0x9000, 0xa000);
    region_set_remove(&s, 0x0, 0x3000);
    region_set_remove(&s, 0x6000, 0x6000);
    {
        const uint64_t want[] = { 0x3000, 0x4000, 0x5000, 0x7000 };
        check_set(&s, want, 2, "remove: ranges in gaps, outside or empty are no-ops");
    }
    region_set_remove(&s, 0x3000, 0x4000);
    {
        const uint64_t want[] = { 0x5000, 0x7000 };
        check_set(&s, want, 1, "remove: exactly one whole range deletes it");
    }

    region_set_init(&s);
    for (uint64_t i = 0; i < 6; i++)
        region_set_add(&s, 0x10000 * i, 0x10000 * i + 0x8000);
    region_set_remove(&s, 0x14000, 0x44000);
    {
        const uint64_t want[] = { 0x0,     0x8000,  0x10000, 0x14000,
                                  0x44000, 0x48000, 0x50000, 0x58000 };
        check_set(&s, want, 4, "remove: across several ranges trims the outer ones, drops the inner");
    }
    region_set_remove(&s, 0, UINT64_MAX);
    tap_ok(s.count == 0 && region_set_bytes(&s) == 0, "remove: everything empties the set");

    /* A split needs one more range: on a full set it fails, but must never
     * leave any part of the removed range in the set. */
    region_set_init(&s);
    region_set_add(&s, 0x0, 0x3000);
    for (uint64_t i = 1; i < REGION_SET_MAX; i++)
        region_set_add(&s, 0x10000 * i, 0x10000 * i + 0x1000);
    int err = region_set_remove(&s, 0x1000, 0x2000);
    tap_ok(err == BOOT_MEM_ERR_FULL, "remove: a split in a full set reports BOOT_MEM_ERR_FULL");
    tap_ok(!region_set_overlaps(&s, 0x1000, 0x2000) && set_well_formed(&s),
           "remove: a failed split keeps nothing of the removed range");
}

/* ---- bytes and overlaps ------------------------------------------------ */

static void test_bytes_overlaps(void)
{
    static struct region_set s;

    region_set_init(&s);
    region_set_add(&s, 0x1000, 0x3000);
    region_set_add(&s, 0x10000, 0x10010);
    region_set_add(&s, 0x80000000, 0x88000000);
    tap_ok(region_set_bytes(&s) == 0x2000 + 0x10 + 0x8000000, "bytes: sum of range sizes");

    region_set_init(&s);
    region_set_add(&s, 0, 1ull << 63);
    region_set_add(&s, (1ull << 63) + 0x1000, UINT64_MAX);
    tap_ok(region_set_bytes(&s) == (1ull << 63) + ((1ull << 63) - 0x1001),
           "bytes: huge ranges are summed without loss");

    region_set_init(&s);
    region_set_add(&s, 0x1000, 0x3000);
    region_set_add(&s, 0x5000, 0x6000);
    tap_ok(region_set_overlaps(&s, 0x2fff, 0x3001), "overlaps: straddling the end");
    tap_ok(region_set_overlaps(&s, 0x0, 0x1001), "overlaps: straddling the start");
    tap_ok(region_set_overlaps(&s, 0x0, 0x10000), "overlaps: containing the ranges");
    tap_ok(region_set_overlaps(&s, 0x5800, 0x5801), "overlaps: contained in a range");
    tap_ok(!region_set_overlaps(&s, 0x3000, 0x5000), "overlaps: a gap whose ends touch both ranges does not");
    tap_ok(!region_set_overlaps(&s, 0x0, 0x1000), "overlaps: ending at a range's base does not");
    tap_ok(!region_set_overlaps(&s, 0x6000, 0x7000), "overlaps: starting at a range's end does not");
    tap_ok(!region_set_overlaps(&s, 0x2000, 0x2000), "overlaps: an empty range never overlaps");
}

/* ---- region_set_alloc -------------------------------------------------- */

static void test_alloc(void)
{
    static struct region_set s;
    paddr_t pa = 0;

    region_set_init(&s);
    region_set_add(&s, 0x80001000, 0x80100000);
    region_set_add(&s, 0x90001000, 0x90004000);
    tap_ok(region_set_alloc(&s, PG, PG, &pa) == BOOT_MEM_OK && pa == 0x90003000,
           "alloc: a page comes from the top of the highest range");
    tap_ok(s.count == 2 && s.r[1].base == 0x90001000 && s.r[1].end == 0x90003000,
           "alloc: the page is removed from the set");
    tap_ok(region_set_alloc(&s, 0x4000, PG, &pa) == BOOT_MEM_OK && pa == 0x800fc000,
           "alloc: too big for the highest range, taken from the top of the next");
    tap_ok(region_set_alloc(&s, 0x1000, 0x10000, &pa) == BOOT_MEM_OK && pa == 0x800f0000,
           "alloc: 64 KiB alignment respected (the highest range has no aligned fit)");
    {
        const uint64_t want[] = { 0x80001000, 0x800f0000, 0x800f1000, 0x800fc000,
                                  0x90001000, 0x90003000 };
        check_set(&s, want, 3, "alloc: an aligned allocation leaves the memory above it");
    }
    tap_ok(region_set_bytes(&s) == 0xff000 + 0x3000 - 0x1000 - 0x4000 - 0x1000,
           "alloc: bytes drop by exactly what was allocated");

    paddr_t keep = 0x1234;
    pa = keep;
    tap_ok(region_set_alloc(&s, 0x200000, PG, &pa) == BOOT_MEM_ERR_NOMEM && pa == keep,
           "alloc: larger than every range is BOOT_MEM_ERR_NOMEM, *out untouched");
    tap_ok(region_set_alloc(&s, 0x2000, 0x100000, &pa) == BOOT_MEM_ERR_NOMEM,
           "alloc: no range has an aligned fit -> BOOT_MEM_ERR_NOMEM");
    tap_ok(region_set_alloc(&s, PG, 3 * PG, &pa) == BOOT_MEM_ERR_RANGE,
           "alloc: align not a power of two is BOOT_MEM_ERR_RANGE");
    tap_ok(region_set_alloc(&s, PG, 0, &pa) == BOOT_MEM_ERR_RANGE,
           "alloc: align 0 is BOOT_MEM_ERR_RANGE");
    tap_ok(region_set_alloc(&s, 0, PG, &pa) == BOOT_MEM_ERR_RANGE,
           "alloc: size 0 is BOOT_MEM_ERR_RANGE");
    tap_ok(region_set_bytes(&s) == 0xff000 + 0x3000 - 0x6000 && s.count == 3,
           "alloc: failed allocations take nothing");

    region_set_init(&s);
    tap_ok(region_set_alloc(&s, PG, PG, &pa) == BOOT_MEM_ERR_NOMEM,
           "alloc: from an empty set is BOOT_MEM_ERR_NOMEM");

    region_set_init(&s);
    region_set_add(&s, 0x80000000, 0x80004000);
    int ok = 1;
    for (uint64_t i = 0; i < 4; i++)
        ok &= region_set_alloc(&s, PG, PG, &pa) == BOOT_MEM_OK && pa == 0x80003000 - i * PG;
    tap_ok(ok && s.count == 0 && region_set_alloc(&s, PG, PG, &pa) == BOOT_MEM_ERR_NOMEM,
           "alloc: page by page downwards until the set is empty, then NOMEM");
}

/* ---- untyped_split ----------------------------------------------------- */

/* The independent count of blocks is test_min_aligned_blocks (test_util.h);
 * blocks smaller than 2^min_bits never occur for 2^min_bits-aligned ranges. */
#define SPLIT_MAX 160
static struct coffer_untyped_desc split_out[SPLIT_MAX + 8];

/* Check a split of [b, e) in detail; returns 1 if all holds. */
static int split_ok(uint64_t b, uint64_t e, unsigned min_bits, bool dev, char *why, size_t why_len)
{
    memset(split_out, 0xa5, sizeof split_out);
    unsigned n = untyped_split(b, e, min_bits, dev, split_out, SPLIT_MAX);
    uint64_t want = test_min_aligned_blocks(b, e);
    if (n != want) {
        snprintf(why, why_len, "count %u, fewest possible %llu", n, (unsigned long long)want);
        return 0;
    }
    if (n > SPLIT_MAX) {
        snprintf(why, why_len, "count %u too large for the test", n);
        return 0;
    }
    uint64_t at = b;
    for (unsigned i = 0; i < n; i++) {
        const struct coffer_untyped_desc *d = &split_out[i];
        if (d->size_bits < min_bits || d->size_bits > 63) {
            snprintf(why, why_len, "block %u: size_bits %u", i, d->size_bits);
            return 0;
        }
        uint64_t size = 1ull << d->size_bits;
        if (d->paddr & (size - 1)) {
            snprintf(why, why_len, "block %u at %#llx not aligned to 2^%u", i,
                     (unsigned long long)d->paddr, d->size_bits);
            return 0;
        }
        if (d->paddr != at || size > e - at) {
            snprintf(why, why_len, "block %u [%#llx +2^%u) does not continue at %#llx", i,
                     (unsigned long long)d->paddr, d->size_bits, (unsigned long long)at);
            return 0;
        }
        if (d->is_device != (dev ? 1 : 0)) {
            snprintf(why, why_len, "block %u: is_device %u", i, d->is_device);
            return 0;
        }
        for (unsigned k = 0; k < sizeof d->padding; k++)
            if (d->padding[k] != 0) {
                snprintf(why, why_len, "block %u: padding not zero", i);
                return 0;
            }
        at += size;
    }
    if (at != e && !(n == 0 && b == e)) {
        snprintf(why, why_len, "blocks end at %#llx, not %#llx", (unsigned long long)at,
                 (unsigned long long)e);
        return 0;
    }
    /* Nothing written past the blocks. */
    const unsigned char *p = (const unsigned char *)&split_out[n];
    for (size_t k = 0; k < sizeof split_out[0]; k++)
        if (p[k] != 0xa5) {
            snprintf(why, why_len, "wrote past the last block");
            return 0;
        }
    return 1;
}

static void check_split(uint64_t b, uint64_t e, unsigned min_bits, bool dev, const char *name)
{
    char why[160] = "";
    if (!tap_ok(split_ok(b, e, min_bits, dev, why, sizeof why), name))
        tap_diag("[%#llx, %#llx) min_bits %u: %s", (unsigned long long)b,
                 (unsigned long long)e, min_bits, why);
}

static void test_split(void)
{
    check_split(0x80000000, 0x88000000, 12, false, "split: 128 MiB aligned range is one block");
    check_split(0x80001000, 0x80002000, 12, false, "split: a single page");
    check_split(0x80001000, 0x80020000, 12, false, "split: 31 pages at an odd page, ascending sizes");
    check_split(0x80000000, 0x8001f000, 12, false, "split: 31 pages at an aligned base, descending sizes");
    check_split(0x80215000, 0x87e00000, 12, false, "split: the RAM between kernel and DTB");
    check_split(0x10000000, 0x10009000, 12, true, "split: device range, is_device set on every block");
    check_split(0x1000, 0xfffffffffffff000ull, 12, false,
                "split: almost the whole address space, no overflow");
    check_split(0x0, 1ull << 63, 12, false, "split: [0, 2^63) is one block");
    check_split(0x2000, 0x2000, 12, false, "split: an empty range yields nothing");
    check_split(0x10000, 0x30000, 16, false, "split: min_bits 16 (64 KiB blocks)");

    /* Exact expected blocks for one small case. */
    memset(split_out, 0, sizeof split_out);
    unsigned n = untyped_split(0x3000, 0x10000, 12, false, split_out, SPLIT_MAX);
    tap_ok(n == 3 && split_out[0].paddr == 0x3000 && split_out[0].size_bits == 12 &&
               split_out[1].paddr == 0x4000 && split_out[1].size_bits == 14 &&
               split_out[2].paddr == 0x8000 && split_out[2].size_bits == 15,
           "split: [0x3000, 0x10000) = 4K@0x3000 + 16K@0x4000 + 32K@0x8000");

    /* Truncation: a small max still returns the needed count. */
    static struct coffer_untyped_desc full[8];
    unsigned need = untyped_split(0x80001000, 0x80020000, 12, false, full, 8);
    memset(split_out, 0x5a, sizeof split_out);
    n = untyped_split(0x80001000, 0x80020000, 12, false, split_out, 2);
    int untouched = 1;
    const unsigned char *p = (const unsigned char *)&split_out[2];
    for (size_t k = 0; k < sizeof split_out[0] * 4; k++)
        untouched &= p[k] == 0x5a;
    tap_ok(need == 5 && n == 5, "split: max 2 still returns the 5 blocks needed");
    tap_ok(memcmp(split_out, full, 2 * sizeof full[0]) == 0 && untouched,
           "split: max 2 writes exactly the first 2 blocks");
    memset(split_out, 0x5a, sizeof split_out);
    n = untyped_split(0x80001000, 0x80020000, 12, false, split_out, 0);
    tap_ok(n == 5 && split_out[0].paddr == 0x5a5a5a5a5a5a5a5aull,
           "split: max 0 writes nothing and returns the count");

    /* Unaligned ends are rounded inwards: never a byte outside [base, end). */
    n = untyped_split(0x1800, 0x5800, 12, false, split_out, SPLIT_MAX);
    tap_ok(n == 2 && split_out[0].paddr == 0x2000 && split_out[0].size_bits == 13 &&
               split_out[1].paddr == 0x4000 && split_out[1].size_bits == 12,
           "split: unaligned ends rounded inwards to whole pages");
    tap_ok(untyped_split(0x1800, 0x1fff, 12, false, split_out, SPLIT_MAX) == 0,
           "split: less than one aligned page yields nothing");

    /* Randomized: exact cover, alignment and minimality for many ranges. */
    test_rng_seed(0x9e3779b97f4a7c15ull);
    char why[160] = "";
    int ok = 1;
    unsigned done = 0;
    for (; done < 3000 && ok; done++) {
        unsigned min_bits = 12 + (unsigned)test_rng_below(5);
        uint64_t unit = 1ull << min_bits;
        unsigned span_bits = 13 + (unsigned)test_rng_below(40);
        uint64_t b = (test_rng() >> (64 - span_bits)) & ~(unit - 1);
        uint64_t e = b + ((test_rng() >> (64 - span_bits)) & ~(unit - 1));
        if (e < b)
            e = b;
        bool dev = (test_rng() & 1) != 0;
        ok = split_ok(b, e, min_bits, dev, why, sizeof why);
        if (!ok)
            tap_diag("[%#llx, %#llx) min_bits %u: %s", (unsigned long long)b,
                     (unsigned long long)e, min_bits, why);
    }
    tap_ok(ok && done == 3000,
           "split: 3000 random aligned ranges: exact cover, natural alignment, fewest blocks");
}

/* ---- Randomized comparison with a bitmap ------------------------------- */

/* 128 pages: at most 64 disjoint ranges, so no operation can hit FULL. */
#define MODEL_PAGES 128
#define MODEL_BASE 0x80000000ull
#define MODEL_OPS 20000

static bool model[MODEL_PAGES];

static uint64_t page_addr(unsigned p)
{
    return MODEL_BASE + (uint64_t)p * PG;
}

/* Compare set and model; on mismatch describe it in why. */
static int set_matches_model(const struct region_set *s, char *why, size_t why_len)
{
    bool seen[MODEL_PAGES];
    memset(seen, 0, sizeof seen);
    if (!set_well_formed(s)) {
        snprintf(why, why_len, "set not sorted/disjoint/non-adjacent");
        return 0;
    }
    uint64_t pages = 0;
    for (unsigned i = 0; i < s->count; i++) {
        const struct region *r = &s->r[i];
        if (r->base < MODEL_BASE || r->end > page_addr(MODEL_PAGES) || (r->base & (PG - 1)) ||
            (r->end & (PG - 1))) {
            snprintf(why, why_len, "range [%#llx, %#llx) outside the model or unaligned",
                     (unsigned long long)r->base, (unsigned long long)r->end);
            return 0;
        }
        for (uint64_t a = r->base; a < r->end; a += PG)
            seen[(a - MODEL_BASE) / PG] = true;
    }
    for (unsigned p = 0; p < MODEL_PAGES; p++) {
        if (seen[p] != model[p]) {
            snprintf(why, why_len, "page %u: set %d, model %d", p, seen[p], model[p]);
            return 0;
        }
        pages += model[p];
    }
    if (region_set_bytes(s) != pages * PG) {
        snprintf(why, why_len, "bytes %llu, model %llu", (unsigned long long)region_set_bytes(s),
                 (unsigned long long)(pages * PG));
        return 0;
    }
    return 1;
}

/* The model's allocation: the highest aligned run of free pages. */
static int model_alloc(unsigned npages, unsigned align_pages)
{
    for (int p = MODEL_PAGES - (int)npages; p >= 0; p--) {
        if (p % (int)align_pages)
            continue;
        int free_run = 1;
        for (unsigned k = 0; k < npages; k++)
            free_run &= model[p + (int)k];
        if (free_run)
            return p;
    }
    return -1;
}

static void test_random_model(void)
{
    static struct region_set s;
    char why[200] = "";
    int ok = 1;
    unsigned ops = 0, adds = 0, removes = 0, allocs = 0, nomem = 0, maxcount = 0;

    region_set_init(&s);
    memset(model, 0, sizeof model);
    test_rng_seed(0x123456789abcdefull);
    for (; ops < MODEL_OPS && ok; ops++) {
        unsigned kind = (unsigned)test_rng_below(10);
        unsigned a = (unsigned)test_rng_below(MODEL_PAGES + 1);
        unsigned pick = (unsigned)test_rng_below(16);
        unsigned len = (unsigned)test_rng_below(pick == 0 ? MODEL_PAGES : pick < 4 ? 8 : 3);
        unsigned b = a + len;
        if (b > MODEL_PAGES)
            b = MODEL_PAGES;
        int err;
        if (kind < 4) {
            adds++;
            err = region_set_add(&s, page_addr(a), page_addr(b));
            for (unsigned p = a; p < b; p++)
                model[p] = true;
            if (err != BOOT_MEM_OK)
                snprintf(why, sizeof why, "op %u: add [%u, %u) returned %d", ops, a, b, err);
        } else if (kind < 8) {
            removes++;
            err = region_set_remove(&s, page_addr(a), page_addr(b));
            for (unsigned p = a; p < b; p++)
                model[p] = false;
            if (err != BOOT_MEM_OK)
                snprintf(why, sizeof why, "op %u: remove [%u, %u) returned %d", ops, a, b, err);
        } else {
            allocs++;
            unsigned npages = 1 + (unsigned)test_rng_below(4);
            unsigned align_pages = 1u << test_rng_below(4);
            int want = model_alloc(npages, align_pages);
            paddr_t pa = 0;
            err = region_set_alloc(&s, npages * PG, align_pages * PG, &pa);
            if (want < 0) {
                nomem++;
                if (err != BOOT_MEM_ERR_NOMEM)
                    snprintf(why, sizeof why, "op %u: alloc %u/%u: %d, model has no room", ops,
                             npages, align_pages, err);
                else
                    err = BOOT_MEM_OK;
            } else {
                for (unsigned k = 0; k < npages; k++)
                    model[want + (int)k] = false;
                if (err != BOOT_MEM_OK || pa != page_addr((unsigned)want)) {
                    snprintf(why, sizeof why, "op %u: alloc %u/%u: %d at %#llx, model page %d",
                             ops, npages, align_pages, err, (unsigned long long)pa, want);
                    err = err ? err : -100;
                }
            }
        }
        if (err != BOOT_MEM_OK) {
            ok = 0;
            break;
        }
        ok = set_matches_model(&s, why, sizeof why);
        if (!ok)
            break;
        if (s.count > maxcount)
            maxcount = s.count;
        /* overlaps() against the model for a random query. */
        unsigned qa = (unsigned)test_rng_below(MODEL_PAGES), qb = qa + (unsigned)test_rng_below(8);
        if (qb > MODEL_PAGES)
            qb = MODEL_PAGES;
        bool any = false;
        for (unsigned p = qa; p < qb; p++)
            any |= model[p];
        if (region_set_overlaps(&s, page_addr(qa), page_addr(qb)) != any) {
            snprintf(why, sizeof why, "op %u: overlaps [%u, %u) disagrees with the model", ops,
                     qa, qb);
            ok = 0;
        }
    }
    if (!tap_ok(ok && ops == MODEL_OPS,
                "random: 20000 add/remove/alloc operations match a page bitmap"))
        tap_diag("%s", why);
    tap_diag("adds %u, removes %u, allocs %u (%u NOMEM), at most %u ranges", adds, removes, allocs,
             nomem, maxcount);
    tap_ok(adds > 1000 && removes > 1000 && allocs > 1000 && nomem > 10 && nomem < allocs &&
               maxcount >= 20,
           "random: the operation mix exercised successes, NOMEM and fragmented sets");
}

int main(void)
{
    test_add();
    test_remove();
    test_bytes_overlaps();
    test_alloc();
    test_split();
    test_random_model();
    return tap_done();
}
