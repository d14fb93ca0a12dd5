/*
 * The CSpace slot allocator (lib/cspace/slots.c) on the host: every error
 * with nothing changed after it (the allocator and its metadata compared
 * byte for byte), growth lowest root index first, reserve, single-level
 * mode, and seeded random alloc/free/reserve sequences against a model (a
 * boolean per slot and per leaf), the counts checked after every step.
 *
 *   usage: test_slots [seed [steps]]   (one random run of each shape)
 */
#include "tap.h"
#include "test_util.h"
#include <coffer.h>
#include <cspace/slots.h>
#include <stdlib.h>
#include <string.h>

/* ---- The owner's side: a grow callback that records and may refuse ------ */

#define MAX_CALLS 64

struct grower {
    uint64_t refuse;           /* returned by grow; COFFER_ERR_OK grants the leaf */
    uint64_t calls;            /* grow calls so far */
    uint64_t roots[MAX_CALLS]; /* the root index of each (the first MAX_CALLS) */
    uint64_t last_root;        /* the root index of the last */
    bool bad_bits;             /* a call passed leaf_bits other than expected */
    unsigned leaf_bits;        /* what every call should pass */
};

static uint64_t grow(void *ctx, uint64_t root_index, unsigned leaf_bits)
{
    struct grower *g = ctx;
    if (g->calls < MAX_CALLS)
        g->roots[g->calls] = root_index;
    g->last_root = root_index;
    g->calls++;
    g->bad_bits |= leaf_bits != g->leaf_bits;
    return g->refuse;
}

/* An allocator with exactly the metadata it asks for, so ASan catches a
 * byte written past it. */
struct rig {
    struct cspace_slots s;
    struct cspace_slots_config cfg;
    unsigned char *meta;
    size_t meta_bytes;
    struct grower g;
};

static struct cspace_slots_config two_level(unsigned root_bits, unsigned leaf_bits, uint64_t first,
                                            uint64_t max)
{
    return (struct cspace_slots_config){ root_bits, leaf_bits, first, max, grow, NULL };
}

static bool rig_init(struct rig *r, struct cspace_slots_config cfg)
{
    memset(r, 0, sizeof *r);
    r->cfg = cfg;
    r->cfg.grow_ctx = &r->g;
    r->g.leaf_bits = cfg.leaf_bits;
    r->meta_bytes = cspace_slots_meta_bytes(&r->cfg);
    r->meta = malloc(r->meta_bytes);
    return r->meta != NULL && cspace_slots_init(&r->s, &r->cfg, r->meta, r->meta_bytes) == COFFER_ERR_OK;
}

static void rig_done(struct rig *r)
{
    free(r->meta);
    r->meta = NULL;
}

/* A copy of the allocator and its metadata, to show a call changed nothing. */
#define SNAP_META 1024

struct snap {
    struct cspace_slots s;
    size_t meta_bytes; /* 0: the metadata was too large to copy */
    unsigned char meta[SNAP_META];
};

static struct snap snap_take(const struct rig *r)
{
    struct snap p;
    memcpy(&p.s, &r->s, sizeof p.s);
    p.meta_bytes = r->meta_bytes <= SNAP_META ? r->meta_bytes : 0;
    memcpy(p.meta, r->meta, p.meta_bytes);
    return p;
}

/* True if r is as it was at p. */
static bool snap_same(const struct rig *r, struct snap p)
{
    return p.meta_bytes == r->meta_bytes && memcmp(&p.s, &r->s, sizeof p.s) == 0 &&
           memcmp(p.meta, r->meta, r->meta_bytes) == 0;
}

static bool allocated(const struct rig *r, uint64_t cptr)
{
    bool a = false;
    return cspace_slots_is_allocated(&r->s, cptr, &a) == COFFER_ERR_OK && a;
}

/* ---- Configurations and metadata ---------------------------------------- */

static void test_bad_configs(void)
{
    static const struct {
        const char *why;
        struct cspace_slots_config cfg;
    } bad[] = {
        { "root_bits 0", { 0, 3, 0, 1, grow, NULL } },
        { "root_bits above the largest CNode", { CSPACE_SLOTS_MAX_BITS + 1, 0, 0, 1, grow, NULL } },
        { "leaf_bits above the largest CNode", { 4, CSPACE_SLOTS_MAX_BITS + 1, 0, 1, grow, NULL } },
        { "no leaves", { 4, 3, 1, 0, grow, NULL } },
        { "first_leaf past the root", { 4, 3, 16, 1, grow, NULL } },
        { "leaves past the root", { 4, 3, 10, 7, grow, NULL } },
        { "leaves past the root (single level)", { 12, 0, 4000, 97, NULL, NULL } },
        { "max_leaves that wraps with first_leaf", { 4, 3, 2, UINT64_MAX, grow, NULL } },
        { "no grow with leaves", { 4, 3, 1, 2, NULL, NULL } },
    };
    uint64_t meta[64];
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct cspace_slots s, before;
        memset(&s, 0xa5, sizeof s);
        memset(meta, 0xa5, sizeof meta);
        memcpy(&before, &s, sizeof s);
        uint64_t err = cspace_slots_init(&s, &bad[i].cfg, meta, sizeof meta);
        tap_okf(err == COFFER_ERR_INVALID_ARGUMENT && cspace_slots_meta_bytes(&bad[i].cfg) == 0 &&
                    cspace_slots_root_guard(&bad[i].cfg) == 0 && memcmp(&s, &before, sizeof s) == 0 &&
                    meta[0] == 0xa5a5a5a5a5a5a5a5ull,
                "config: %s is INVALID_ARGUMENT (no metadata size, no guard, nothing written)", bad[i].why);
    }
    struct cspace_slots s;
    struct cspace_slots_config ok = two_level(4, 3, 1, 2);
    tap_ok(cspace_slots_init(NULL, &ok, meta, sizeof meta) == COFFER_ERR_INVALID_ARGUMENT &&
               cspace_slots_init(&s, NULL, meta, sizeof meta) == COFFER_ERR_INVALID_ARGUMENT &&
               cspace_slots_meta_bytes(NULL) == 0 && cspace_slots_root_guard(NULL) == 0,
           "config: a NULL allocator or configuration is INVALID_ARGUMENT");
    struct cspace_slots_config single = { 12, 0, 11, 4085, NULL, NULL };
    uint64_t big[128];
    tap_ok(cspace_slots_init(&s, &single, big, sizeof big) == COFFER_ERR_OK,
           "config: single level needs no grow (the root task's free slots 11..4095)");
}

static void test_meta(void)
{
    struct cspace_slots_config a = two_level(5, 3, 3, 12), single = { 12, 0, 100, 300, NULL, NULL };
    struct cspace_slots_config whole = { 12, 0, 0, 4096, NULL, NULL }, huge = two_level(24, 24, 0, 1ull << 24);
    /* summaries 2 words, bitmaps a word a leaf, free counts 4 bytes a leaf */
    tap_ok(cspace_slots_meta_bytes(&a) == (2 + 12) * 8 + 12 * 4,
           "meta: 12 leaves of 8 slots take 2 + 12 words and 12 counts (160 bytes)");
    tap_ok(cspace_slots_meta_bytes(&single) == (2 + 5) * 8 + 5 * 4,
           "meta: 300 single-level slots are 5 runs of 64 (76 bytes)");
    tap_ok(cspace_slots_meta_bytes(&whole) == (2 + 64) * 8 + 64 * 4,
           "meta: a whole 4096-slot CNode takes 784 bytes");
    tap_ok(cspace_slots_meta_bytes(&huge) == (2 * (1ull << 18) + (1ull << 42)) * 8 + (1ull << 24) * 4,
           "meta: the largest shape (2^24 leaves of 2^24 slots) is sized without overflow");

    size_t need = cspace_slots_meta_bytes(&a);
    uint64_t buf[32];
    struct cspace_slots s, before;
    memset(&s, 0xa5, sizeof s);
    memset(buf, 0xa5, sizeof buf);
    memcpy(&before, &s, sizeof s);
    uint64_t small = cspace_slots_init(&s, &a, buf, need - 1);
    uint64_t null = cspace_slots_init(&s, &a, NULL, need);
    uint64_t odd = cspace_slots_init(&s, &a, (unsigned char *)buf + 4, need);
    tap_ok(small == COFFER_ERR_NOT_ENOUGH_MEMORY && null == COFFER_ERR_INVALID_ARGUMENT &&
               odd == COFFER_ERR_ALIGNMENT_ERROR && memcmp(&s, &before, sizeof s) == 0 &&
               buf[0] == 0xa5a5a5a5a5a5a5a5ull,
           "meta: a byte too few is NOT_ENOUGH_MEMORY, NULL INVALID_ARGUMENT, misaligned "
           "ALIGNMENT_ERROR, nothing written");
    tap_ok(cspace_slots_init(&s, &a, buf, need) == COFFER_ERR_OK && cspace_slots_used(&s) == 0 &&
               cspace_slots_leaves(&s) == 0 && buf[need / 8] == 0xa5a5a5a5a5a5a5a5ull,
           "meta: exactly enough is accepted and nothing past it is written");

    tap_ok(cspace_slots_root_guard(&a) == COFFER_GUARD(56, 0) &&
               cspace_slots_root_guard(&whole) == COFFER_GUARD(52, 0),
           "guard: 64 - 5 - 3 = 56 zero bits; the root task's CNode 52");
}

/* ---- Errors on a running allocator -------------------------------------- */

static void test_range_errors(void)
{
    struct rig r;
    bool ok = rig_init(&r, two_level(5, 3, 3, 12)); /* cptrs 24..119 */
    uint64_t c = 0, outside[] = { 0, 3, 23, 120, 255, UINT64_MAX };
    ok &= cspace_slots_alloc(&r.s, &c) == COFFER_ERR_OK && c == 24;
    struct snap p = snap_take(&r);
    for (unsigned i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        bool a = true;
        ok &= cspace_slots_free(&r.s, outside[i]) == COFFER_ERR_INVALID_ARGUMENT;
        ok &= cspace_slots_reserve(&r.s, outside[i]) == COFFER_ERR_INVALID_ARGUMENT;
        ok &= cspace_slots_is_allocated(&r.s, outside[i], &a) == COFFER_ERR_INVALID_ARGUMENT && a;
    }
    tap_ok(ok && snap_same(&r, p) && r.g.calls == 1,
           "range: free, reserve and is_allocated outside [24, 120) (root slots below first_leaf "
           "included) are INVALID_ARGUMENT, nothing changed");
    p = snap_take(&r);
    tap_ok(cspace_slots_alloc(&r.s, NULL) == COFFER_ERR_INVALID_ARGUMENT &&
               cspace_slots_is_allocated(&r.s, 24, NULL) == COFFER_ERR_INVALID_ARGUMENT && snap_same(&r, p),
           "range: a NULL result pointer is INVALID_ARGUMENT, nothing changed");
    p = snap_take(&r);
    uint64_t never = cspace_slots_free(&r.s, 25), unplaced = cspace_slots_free(&r.s, 40);
    tap_ok(never == COFFER_ERR_ILLEGAL_OPERATION && unplaced == COFFER_ERR_ILLEGAL_OPERATION && snap_same(&r, p),
           "free: a free slot, in a leaf in place or not, is ILLEGAL_OPERATION, nothing changed");
    ok = cspace_slots_free(&r.s, 24) == COFFER_ERR_OK;
    p = snap_take(&r);
    tap_ok(ok && cspace_slots_free(&r.s, 24) == COFFER_ERR_ILLEGAL_OPERATION && snap_same(&r, p) &&
               cspace_slots_used(&r.s) == 0,
           "free: a double free is ILLEGAL_OPERATION, nothing changed");
    ok = cspace_slots_reserve(&r.s, 30) == COFFER_ERR_OK;
    p = snap_take(&r);
    tap_ok(ok && cspace_slots_reserve(&r.s, 30) == COFFER_ERR_ILLEGAL_OPERATION && snap_same(&r, p),
           "reserve: an allocated slot is ILLEGAL_OPERATION, nothing changed");
    rig_done(&r);
}

/* Take every slot of the leaves in place; true if each came in order. */
static bool fill(struct rig *r, uint64_t from, uint64_t n)
{
    bool ok = true;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t c = 0;
        ok &= cspace_slots_alloc(&r->s, &c) == COFFER_ERR_OK && c == from + i;
    }
    return ok;
}

static void test_growth_refused(void)
{
    struct rig r;
    bool ok = rig_init(&r, two_level(5, 3, 3, 12)) && fill(&r, 24, 8);
    static const uint64_t refusals[] = { 0x77, COFFER_ERR_NOT_ENOUGH_MEMORY, COFFER_ERR_FAILED_LOOKUP };
    for (unsigned i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        uint64_t c = 12345;
        r.g.refuse = refusals[i];
        struct snap p = snap_take(&r);
        uint64_t err = cspace_slots_alloc(&r.s, &c);
        tap_okf(ok && err == refusals[i] && c == 12345 && snap_same(&r, p) && r.g.calls == 2 + i &&
                    r.g.roots[1 + i] == 4 && cspace_slots_used(&r.s) == 8 && cspace_slots_leaves(&r.s) == 1,
                "grow refused with %#llx: alloc passes it back, the allocator unchanged, root 4 asked",
                (unsigned long long)refusals[i]);
    }
    r.g.refuse = COFFER_ERR_OK;
    uint64_t c = 0;
    tap_ok(cspace_slots_alloc(&r.s, &c) == COFFER_ERR_OK && c == (4u << 3) && cspace_slots_leaves(&r.s) == 2 &&
               !r.g.bad_bits,
           "grow granted: the new leaf's first slot, cptr (4 << 3) | 0");
    r.g.refuse = 0x99;
    struct snap p = snap_take(&r);
    tap_ok(cspace_slots_reserve(&r.s, (9u << 3) | 2) == 0x99 && r.g.last_root == 9 &&
               snap_same(&r, p) && !allocated(&r, (9u << 3) | 2),
           "reserve in a leaf not in place: grow's refusal passed back, nothing changed");
    rig_done(&r);
}

static void test_full(void)
{
    struct rig r;
    bool ok = rig_init(&r, two_level(5, 3, 3, 2)) && fill(&r, 24, 16);
    uint64_t c = 12345;
    struct snap p = snap_take(&r);
    tap_ok(ok && cspace_slots_alloc(&r.s, &c) == COFFER_ERR_NOT_ENOUGH_MEMORY && c == 12345 && r.g.calls == 2 &&
               snap_same(&r, p) && cspace_slots_used(&r.s) == 16 && cspace_slots_leaves(&r.s) == 2,
           "full at the maximum leaf count: NOT_ENOUGH_MEMORY, grow not called, nothing changed");
    ok = cspace_slots_free(&r.s, 33) == COFFER_ERR_OK && cspace_slots_free(&r.s, 26) == COFFER_ERR_OK;
    uint64_t a = 0, b = 0;
    ok &= cspace_slots_alloc(&r.s, &a) == COFFER_ERR_OK && cspace_slots_alloc(&r.s, &b) == COFFER_ERR_OK;
    tap_ok(ok && a == 26 && b == 33 && cspace_slots_alloc(&r.s, &c) == COFFER_ERR_NOT_ENOUGH_MEMORY,
           "full: freed slots come back lowest first, then it is full again");
    rig_done(&r);
}

static void test_growth_order(void)
{
    struct rig r;
    bool ok = rig_init(&r, two_level(5, 3, 3, 12));
    ok &= cspace_slots_reserve(&r.s, (7u << 3) | 5) == COFFER_ERR_OK && r.g.calls == 1 && r.g.roots[0] == 7;
    tap_ok(ok && cspace_slots_leaves(&r.s) == 1 && cspace_slots_used(&r.s) == 1,
           "order: reserving a slot of root 7 grows that leaf first");
    /* Leaf 7's other slots first (it is in place), then roots 3..6 and
     * 8..14 as they grow. */
    uint64_t c = 0, n = 0, expect[95];
    for (uint64_t x = 7u << 3; x < 8u << 3; x++)
        if (x != ((7u << 3) | 5))
            expect[n++] = x;
    for (uint64_t x = 3u << 3; x < 15u << 3; x++)
        if (x >> 3 != 7)
            expect[n++] = x;
    for (n = 0; n < 95; n++)
        ok &= cspace_slots_alloc(&r.s, &c) == COFFER_ERR_OK && c == expect[n];
    static const uint64_t roots[] = { 7, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14 };
    ok &= r.g.calls == 12 && !r.g.bad_bits;
    for (unsigned i = 0; ok && i < 12; i++)
        ok &= r.g.roots[i] == roots[i];
    tap_ok(ok && cspace_slots_used(&r.s) == 96 && cspace_slots_leaves(&r.s) == 12,
           "order: leaf 7's free slots first, then leaves grow lowest root index first (3..6, 8..14)");
    tap_ok(cspace_slots_alloc(&r.s, &c) == COFFER_ERR_NOT_ENOUGH_MEMORY && r.g.calls == 12,
           "order: all 12 leaves full is NOT_ENOUGH_MEMORY");
    rig_done(&r);
}

static void test_single_level(void)
{
    struct rig r;
    struct cspace_slots_config cfg = { 12, 0, 100, 70, grow, NULL };
    bool ok = rig_init(&r, cfg);
    ok &= cspace_slots_reserve(&r.s, 105) == COFFER_ERR_OK && allocated(&r, 105);
    uint64_t expect = 100, c = 0;
    for (uint64_t n = 0; n < 69; n++, expect++) {
        expect += expect == 105;
        ok &= cspace_slots_alloc(&r.s, &c) == COFFER_ERR_OK && c == expect;
    }
    tap_ok(ok && c == 169 && cspace_slots_used(&r.s) == 70,
           "single level: cptrs are root indices 100..169, the reserved 105 skipped");
    uint64_t before = c;
    tap_ok(cspace_slots_alloc(&r.s, &c) == COFFER_ERR_NOT_ENOUGH_MEMORY && c == before,
           "single level: full is NOT_ENOUGH_MEMORY");
    ok = cspace_slots_free(&r.s, 130) == COFFER_ERR_OK && cspace_slots_alloc(&r.s, &c) == COFFER_ERR_OK;
    tap_ok(ok && c == 130 && cspace_slots_free(&r.s, 170) == COFFER_ERR_INVALID_ARGUMENT &&
               cspace_slots_free(&r.s, 99) == COFFER_ERR_INVALID_ARGUMENT,
           "single level: a freed slot comes back; 99 and 170 are outside");
    tap_ok(r.g.calls == 0 && cspace_slots_leaves(&r.s) == 0, "single level: grow never called, no leaves");
    rig_done(&r);

    struct cspace_slots_config whole = { 12, 0, 0, 4096, NULL, NULL };
    ok = rig_init(&r, whole) && fill(&r, 0, 4096);
    tap_ok(ok && cspace_slots_alloc(&r.s, &c) == COFFER_ERR_NOT_ENOUGH_MEMORY && cspace_slots_used(&r.s) == 4096,
           "single level: all 4096 slots of a CNode, in order, then full");
    rig_done(&r);
}

/* A leaf of 2^24 slots (2 MiB of bitmap): the lowest free slot is found
 * past full words, the last one is in range and the next is not. */
static void test_large_leaf(void)
{
    struct rig r;
    uint64_t slots = 1ull << 24, base = 1ull << 24, c = 0;
    bool ok = rig_init(&r, two_level(1, 24, 1, 1)) && fill(&r, base, 200);
    ok &= cspace_slots_reserve(&r.s, base + slots - 1) == COFFER_ERR_OK;
    ok &= cspace_slots_reserve(&r.s, base + slots) == COFFER_ERR_INVALID_ARGUMENT;
    ok &= cspace_slots_free(&r.s, base + 130) == COFFER_ERR_OK;
    ok &= cspace_slots_alloc(&r.s, &c) == COFFER_ERR_OK && c == base + 130;
    ok &= cspace_slots_alloc(&r.s, &c) == COFFER_ERR_OK && c == base + 200;
    tap_ok(ok && cspace_slots_used(&r.s) == 202 && r.g.calls == 1,
           "large leaf: 2^24 slots, lowest free first, the last slot reservable");
    rig_done(&r);
}

/* ---- Random sequences against a model ----------------------------------- */

/* The model: a boolean per managed slot and per leaf; in single-level
 * mode every slot is there from the start and nothing grows. */
struct model {
    uint64_t base, limit, span; /* slot n is cptr base + n, in leaf n / span */
    bool *slot, *leaf;
    uint64_t used, leaves;
};

static bool model_init(struct model *m, const struct cspace_slots_config *cfg)
{
    m->base = cfg->first_leaf << cfg->leaf_bits;
    m->limit = cfg->max_leaves << cfg->leaf_bits;
    m->span = cfg->leaf_bits != 0 ? 1ull << cfg->leaf_bits : m->limit;
    m->slot = calloc(m->limit, sizeof(bool));
    m->leaf = calloc(m->limit / m->span, sizeof(bool));
    m->used = m->leaves = 0;
    if (cfg->leaf_bits == 0 && m->leaf != NULL)
        m->leaf[0] = true;
    return m->slot != NULL && m->leaf != NULL;
}

/* What the allocator must answer, and the leaf grow is asked for (or -1). */
struct expect {
    uint64_t err, cptr;
    int64_t grow_leaf;
};

/* The allocator's policy: the lowest free slot of a leaf in place, else
 * the first slot of the lowest leaf not in place, if grow grants it. */
static struct expect model_alloc(struct model *m, uint64_t refuse, bool single)
{
    for (uint64_t n = 0; n < m->limit; n++)
        if (m->leaf[n / m->span] && !m->slot[n]) {
            m->slot[n] = true;
            m->used++;
            return (struct expect){ COFFER_ERR_OK, m->base + n, -1 };
        }
    for (uint64_t k = 0; !single && k < m->limit / m->span; k++)
        if (!m->leaf[k]) {
            if (refuse != COFFER_ERR_OK)
                return (struct expect){ refuse, 0, (int64_t)k };
            m->leaf[k] = m->slot[k * m->span] = true;
            m->leaves++;
            m->used++;
            return (struct expect){ COFFER_ERR_OK, m->base + k * m->span, (int64_t)k };
        }
    return (struct expect){ COFFER_ERR_NOT_ENOUGH_MEMORY, 0, -1 };
}

static bool in_range(const struct model *m, uint64_t cptr)
{
    return cptr >= m->base && cptr - m->base < m->limit;
}

static struct expect model_free(struct model *m, uint64_t cptr)
{
    if (!in_range(m, cptr))
        return (struct expect){ COFFER_ERR_INVALID_ARGUMENT, 0, -1 };
    if (!m->slot[cptr - m->base])
        return (struct expect){ COFFER_ERR_ILLEGAL_OPERATION, 0, -1 };
    m->slot[cptr - m->base] = false;
    m->used--;
    return (struct expect){ COFFER_ERR_OK, 0, -1 };
}

static struct expect model_reserve(struct model *m, uint64_t cptr, uint64_t refuse)
{
    if (!in_range(m, cptr))
        return (struct expect){ COFFER_ERR_INVALID_ARGUMENT, 0, -1 };
    uint64_t n = cptr - m->base, k = n / m->span;
    if (m->slot[n])
        return (struct expect){ COFFER_ERR_ILLEGAL_OPERATION, 0, -1 };
    int64_t asked = m->leaf[k] ? -1 : (int64_t)k;
    if (asked >= 0 && refuse != COFFER_ERR_OK)
        return (struct expect){ refuse, 0, asked };
    m->leaves += asked >= 0;
    m->leaf[k] = m->slot[n] = true;
    m->used++;
    return (struct expect){ COFFER_ERR_OK, 0, asked };
}

/* A cptr near the managed range: sometimes just outside it. */
static uint64_t random_cptr(const struct model *m)
{
    return m->base - 3 + test_rng_below(m->limit + 6);
}

/* An allocated slot if there is one: from a random place onwards. */
static uint64_t random_allocated(const struct model *m)
{
    uint64_t n = test_rng_below(m->limit);
    for (uint64_t i = 0; i < m->limit && !m->slot[n]; i++)
        n = (n + 1) % m->limit;
    return m->base + n;
}

struct run {
    struct rig r;
    struct model m;
    uint64_t step;
    bool failed; /* the first disagreement is reported, the rest are not */
};

static void disagree(struct run *u, const char *what, uint64_t got, uint64_t want)
{
    if (!u->failed)
        tap_diag("step %llu: %s: got %#llx, model %#llx", (unsigned long long)u->step, what,
                 (unsigned long long)got, (unsigned long long)want);
    u->failed = true;
}

static void agree(struct run *u, const char *what, uint64_t got, uint64_t want)
{
    if (got != want)
        disagree(u, what, got, want);
}

/* A call's result, and the grow call it made (if any), as the model says. */
static void check_call(struct run *u, const char *what, uint64_t err, struct expect e, uint64_t calls_before)
{
    agree(u, what, err, e.err);
    agree(u, "grow calls", u->r.g.calls - calls_before, e.grow_leaf >= 0);
    if (e.grow_leaf >= 0)
        agree(u, "grown root", u->r.g.last_root, u->r.cfg.first_leaf + (uint64_t)e.grow_leaf);
}

static void random_step(struct run *u, bool filling)
{
    struct rig *r = &u->r;
    bool single = r->cfg.leaf_bits == 0;
    uint64_t op = test_rng_below(100), calls = r->g.calls, c = 0, cptr;
    if (op < (filling ? 70u : 30u)) {
        struct expect e = model_alloc(&u->m, r->g.refuse, single);
        check_call(u, "alloc", cspace_slots_alloc(&r->s, &c), e, calls);
        if (e.err == COFFER_ERR_OK)
            agree(u, "allocated cptr", c, e.cptr);
    } else if (op < 94) {
        cptr = op < 90 ? random_allocated(&u->m) : random_cptr(&u->m);
        check_call(u, "free", cspace_slots_free(&r->s, cptr), model_free(&u->m, cptr), calls);
    } else if (op < 97) {
        cptr = random_cptr(&u->m);
        check_call(u, "reserve", cspace_slots_reserve(&r->s, cptr), model_reserve(&u->m, cptr, r->g.refuse),
                   calls);
    } else {
        /* Grow refuses for a while, with one error or another. */
        static const uint64_t errs[] = { COFFER_ERR_OK, COFFER_ERR_OK, COFFER_ERR_NOT_ENOUGH_MEMORY, 0x1234 };
        r->g.refuse = errs[test_rng_below(4)];
    }
}

/* Every slot and both counts agree with the model. */
static void compare_all(struct run *u)
{
    agree(u, "used", cspace_slots_used(&u->r.s), u->m.used);
    agree(u, "leaves", cspace_slots_leaves(&u->r.s), u->m.leaves);
    for (uint64_t n = 0; n < u->m.limit; n++)
        agree(u, "is_allocated", allocated(&u->r, u->m.base + n), u->m.slot[n]);
    bool a;
    agree(u, "is_allocated below", cspace_slots_is_allocated(&u->r.s, u->m.base - 1, &a),
          COFFER_ERR_INVALID_ARGUMENT);
}

static void random_run(const char *name, struct cspace_slots_config cfg, uint64_t seed, uint64_t steps)
{
    struct run u = { .step = 0, .failed = false };
    bool ok = rig_init(&u.r, cfg) && model_init(&u.m, &u.r.cfg);
    test_rng_seed(seed);
    bool filling = true;
    uint64_t fulls = 0, empties = 0;
    for (u.step = 0; ok && u.step < steps && !u.failed; u.step++) {
        /* Swing between filling and emptying, so full and empty both happen. */
        if (test_rng_below(500) == 0)
            filling = !filling;
        random_step(&u, filling);
        agree(&u, "used", cspace_slots_used(&u.r.s), u.m.used);
        agree(&u, "leaves", cspace_slots_leaves(&u.r.s), u.m.leaves);
        if (u.step % 64 == 0)
            compare_all(&u);
        fulls += u.m.used == u.m.limit;
        empties += u.m.used == 0;
    }
    compare_all(&u);
    tap_okf(ok && !u.failed && !u.r.g.bad_bits && fulls > 0 && empties > 0,
            "random: %s, seed %llu: %llu steps agree with the model (full %llu times, empty %llu)", name,
            (unsigned long long)seed, (unsigned long long)steps, (unsigned long long)fulls,
            (unsigned long long)empties);
    free(u.m.slot);
    free(u.m.leaf);
    rig_done(&u.r);
}

static void test_random(uint64_t seed, uint64_t steps, unsigned seeds)
{
    static const struct {
        const char *name;
        struct cspace_slots_config cfg;
    } shapes[] = {
        { "12 leaves of 8 slots", { 5, 3, 3, 12, grow, NULL } },
        { "4 leaves of 128 slots (two words each)", { 4, 7, 1, 4, grow, NULL } },
        { "8 leaves of 2 slots from root slot 0", { 3, 1, 0, 8, grow, NULL } },
        { "single level, 300 slots from 100", { 12, 0, 100, 300, grow, NULL } },
    };
    for (unsigned i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
        for (unsigned k = 0; k < seeds; k++)
            random_run(shapes[i].name, shapes[i].cfg, seed + k, steps);
}

/* The allocator finds a free slot with coffer_lowest_bit (coffer.h):
 * it agrees with the compiler's count of trailing zeros for every single
 * bit and for words with bits above the lowest. */
static void test_lowest_bit(void)
{
    bool agree = true;
    for (unsigned i = 0; i < 64; i++) {
        uint64_t one = 1ull << i, many = one | (~0ull << i);
        agree &= coffer_lowest_bit(one) == i && coffer_lowest_bit(many) == i &&
                 coffer_lowest_bit(one | (0x8000000000000000ull | 0x5a5a5a5a5a5a5a5aull) << i) == i;
    }
    test_rng_seed(7);
    for (unsigned n = 0; n < 10000; n++) {
        uint64_t v = test_rng() | 1ull << 63;
        agree &= coffer_lowest_bit(v) == (unsigned)__builtin_ctzll(v);
    }
    tap_ok(agree, "lowest bit: the de Bruijn lookup agrees with ctz for every bit and 10^4 random words");
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
    uint64_t steps = argc > 2 ? strtoull(argv[2], NULL, 0) : 100000;
    test_lowest_bit();
    test_bad_configs();
    test_meta();
    test_range_errors();
    test_growth_refused();
    test_full();
    test_growth_order();
    test_single_level();
    test_large_leaf();
    test_random(seed, steps, argc > 1 ? 1 : 3);
    tap_diag("%d passed, %d failed", tap_count - tap_failed, tap_failed);
    return tap_done();
}
