/*
 * lib/cspace's slot allocator on a real CSpace.  Two levels: a 16-slot
 * root CNode minted with the 57-bit guard depth-64 pointers need, leaves
 * of 8 slots that the grow callback retypes when the allocator asks;
 * capabilities copied into the slots it hands out are found there through
 * the guarded root and through the bare one, freed slots come back, the
 * maximum leaf count is NOT_ENOUGH_MEMORY, and a grow that fails because
 * its untyped is used up changes nothing.  Then single-level mode over a
 * range of this task's own root CNode.  Everything is carved from one
 * 4 KiB untyped, revoked at the end.
 */
#include "ktest.h"
#include <cspace/slots.h>
#include <string.h>

#define ROOT COFFER_SLOT_CNODE
#define D 64
#define ROOT_BITS 4 /* the two-level CSpace: 16 root slots ... */
#define LEAF_BITS 3 /* ... holding leaves of 8 slots */
#define LEAF_SLOTS (1ull << LEAF_BITS)
#define GUARD_BITS (64 - ROOT_BITS - LEAF_BITS)
#define SMALL_BITS 12    /* the untyped everything here comes from */
#define SINGLE_SLOTS 70  /* single level: a bookkeeping run of 64 and one of 6 */
#define FIRST_OFFSET 1000 /* this group's root slots, from bi->empty.start: clear of the other groups */
#define META_WORDS 32     /* the books of each allocator here, in 64-bit words */

/* Root slots of this task. */
static uint64_t parent;      /* the boot untyped small comes from */
static uint64_t small;       /* 2^SMALL_BITS bytes: the root CNode, the endpoint, the leaves */
static uint64_t cn, croot;   /* the root CNode as retyped (no guard), and minted with the guard */
static uint64_t ep;          /* an endpoint, copied into the slots handed out */
static uint64_t single_base; /* the single-level range: SINGLE_SLOTS slots */

/* The owner's side of grow: a leaf CNode retyped from small into cn. */
struct grower {
    unsigned calls;
    uint64_t roots[8]; /* the root index of each call (the first eight) */
};

static uint64_t grow_leaf(void *ctx, uint64_t root_index, unsigned leaf_bits)
{
    struct grower *g = ctx;
    if (g->calls < 8)
        g->roots[g->calls] = root_index;
    g->calls++;
    return coffer_untyped_retype(small, COFFER_OBJ_CNODE, leaf_bits, cn, D, root_index, 1,
                                 COFFER_RETYPE_AT_WATERMARK)
        .error;
}

static uint64_t id0(uint64_t cnode, uint64_t index, uint64_t depth)
{
    return coffer_cnode_identify(cnode, index, depth).detail0;
}

/* The type in slot cptr of the two-level CSpace, through the guarded root
 * with depth 64 and through the bare root with the 7 index bits; NULL's
 * type if the two disagree. */
static uint64_t two_level_type(uint64_t cptr)
{
    uint64_t a = id0(croot, cptr, D), b = id0(cn, cptr, ROOT_BITS + LEAF_BITS);
    return a == b ? COFFER_ID_TYPE(a) : COFFER_ID_TYPE_NULL;
}

static uint64_t free_bytes(uint64_t untyped)
{
    if (!ktest_step(coffer_untyped_describe(untyped), "describe untyped %llu", (unsigned long long)untyped))
        return 0;
    return ((const struct coffer_untyped_info *)coffer_root_ipc_buffer()->mr)->free_bytes;
}

/* -1 if the slots are not free (nothing made), 0 if a step failed, 1 if
 * ready. */
static int setup(const struct coffer_bootinfo *bi)
{
    uint64_t first = bi->empty.start + FIRST_OFFSET;
    small = first;
    cn = first + 1;
    croot = first + 2;
    ep = first + 3;
    single_base = first + 8;
    bool empty = single_base + SINGLE_SLOTS <= bi->empty.end;
    for (uint64_t s = first; empty && s < single_base + SINGLE_SLOTS; s++)
        empty = COFFER_ID_TYPE(id0(ROOT, s, D)) == COFFER_ID_TYPE_NULL;
    if (!ktest_check(empty, "cspace slots: root slots %llu..%llu are free", (unsigned long long)first,
                     (unsigned long long)(single_base + SINGLE_SLOTS - 1)))
        return -1;
    bool ok = ktest_step(coffer_untyped_retype(parent, COFFER_OBJ_UNTYPED, SMALL_BITS, ROOT, 0, small, 1,
                                               COFFER_RETYPE_AT_WATERMARK),
                         "retype a 4 KiB untyped");
    /* 1 KiB at offset 0, the endpoint at 1 KiB: the leaves (512 bytes
     * each, aligned) fit from 1.5 KiB, five of them. */
    ok = ok && ktest_step(coffer_untyped_retype(small, COFFER_OBJ_CNODE, ROOT_BITS, ROOT, 0, cn, 1,
                                                COFFER_RETYPE_AT_WATERMARK),
                          "retype the 16-slot root CNode");
    ok = ok && ktest_step(coffer_cnode_mint(ROOT, croot, D, ROOT, cn, D, COFFER_RIGHTS_ALL,
                                            COFFER_GUARD(GUARD_BITS, 0)),
                          "mint the root CNode with a %u-bit guard", GUARD_BITS);
    ok = ok && ktest_step(coffer_untyped_retype(small, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, ep, 1,
                                                COFFER_RETYPE_AT_WATERMARK),
                          "retype an endpoint");
    return ktest_check(ok, "cspace slots: a 4 KiB untyped, a 16-slot root CNode with its guard, an endpoint") ? 1 : 0;
}

/* Start s's books in meta (META_WORDS words); if that fails, a failed
 * check saying why (the caller then stops: s is not usable). */
static bool init_books(struct cspace_slots *s, const struct cspace_slots_config *cfg, uint64_t *meta)
{
    uint64_t err = cspace_slots_init(s, cfg, meta, META_WORDS * sizeof(uint64_t));
    if (err != COFFER_ERR_OK)
        ktest_check(false, "cspace slots: init over root slots %llu.. failed: %s (the books need %llu bytes)",
                    (unsigned long long)cfg->first_leaf, coffer_error_name(err),
                    (unsigned long long)cspace_slots_meta_bytes(cfg));
    return err == COFFER_ERR_OK;
}

/* Allocate n slots and copy the endpoint into each, in the CNode dest
 * with depth 64; true if every one was the next of want[] (or any, with want NULL) and
 * holds the endpoint. */
static bool alloc_and_fill(struct cspace_slots *s, uint64_t dest, uint64_t n, const uint64_t *want)
{
    bool ok = true;
    for (uint64_t i = 0; ok && i < n; i++) {
        uint64_t c = 0;
        ok = cspace_slots_alloc(s, &c) == COFFER_ERR_OK && (want == NULL || c == want[i]) &&
             ktest_step(coffer_cnode_copy(dest, c, D, ROOT, ep, D), "copy the endpoint to cptr %llu",
                        (unsigned long long)c);
    }
    return ok;
}

/* Slots 0-7 of the leaves in root slots first.. in order. */
static void leaf_cptrs(uint64_t first, unsigned leaves, uint64_t *out)
{
    for (uint64_t i = 0; i < leaves * LEAF_SLOTS; i++)
        out[i] = (first + i / LEAF_SLOTS) << LEAF_BITS | (i % LEAF_SLOTS);
}

/* Root slots 1-3: three leaves, every slot used, then the maximum. */
static void two_level_max(void)
{
    static uint64_t meta[META_WORDS];
    struct grower g = { 0 };
    struct cspace_slots s;
    struct cspace_slots_config cfg = { ROOT_BITS, LEAF_BITS, 1, 3, grow_leaf, &g };
    if (!init_books(&s, &cfg, meta))
        return;
    ktest_check(cspace_slots_root_guard(&cfg) == COFFER_GUARD(GUARD_BITS, 0) &&
                    coffer_cnode_identify(ROOT, croot, D).detail1 == COFFER_GUARD(GUARD_BITS, 0),
                "cspace slots: init over root slots 1-3 (%llu bytes of books); the guard it names is the minted one",
                (unsigned long long)cspace_slots_meta_bytes(&cfg));
    uint64_t want[3 * LEAF_SLOTS];
    leaf_cptrs(1, 3, want);
    bool ok = alloc_and_fill(&s, croot, 3 * LEAF_SLOTS, want);
    for (uint64_t i = 0; ok && i < 3 * LEAF_SLOTS; i++)
        ok = two_level_type(want[i]) == COFFER_OBJ_ENDPOINT;
    ktest_check(ok && g.calls == 3 && g.roots[0] == 1 && g.roots[1] == 2 && g.roots[2] == 3,
                "cspace slots: 24 slots through three leaves grown in root slots 1, 2, 3; each holds the "
                "endpoint, found with depth 64 through the guard and with 7 bits without");
    uint64_t d = id0(cn, 2, ROOT_BITS);
    ktest_check(COFFER_ID_TYPE(d) == COFFER_OBJ_CNODE && COFFER_ID_SIZE_BITS(d) == LEAF_BITS &&
                    cspace_slots_leaves(&s) == 3 && cspace_slots_used(&s) == 3 * LEAF_SLOTS,
                "cspace slots: root slot 2 holds an 8-slot CNode; the counts say 3 leaves, 24 slots");
    uint64_t c = 0;
    ktest_check(cspace_slots_alloc(&s, &c) == COFFER_ERR_NOT_ENOUGH_MEMORY && g.calls == 3,
                "cspace slots: full at the maximum of 3 leaves is NOT_ENOUGH_MEMORY, no grow asked");
    uint64_t victim = (2u << LEAF_BITS) | 5;
    ok = ktest_step(coffer_cnode_delete(croot, victim, D), "delete the endpoint at cptr %llu",
                    (unsigned long long)victim) &&
         cspace_slots_free(&s, victim) == COFFER_ERR_OK;
    ok = ok && cspace_slots_free(&s, victim) == COFFER_ERR_ILLEGAL_OPERATION;
    ok = ok && cspace_slots_alloc(&s, &c) == COFFER_ERR_OK && c == victim &&
         coffer_cnode_copy(croot, c, D, ROOT, ep, D).error == COFFER_ERR_OK &&
         two_level_type(c) == COFFER_OBJ_ENDPOINT;
    ktest_check(ok && g.calls == 3, "cspace slots: a slot emptied and freed (twice is ILLEGAL_OPERATION) is "
                                    "handed out again and takes a capability");
}

/* Root slots 4-15: grow works until small is used up, then fails and
 * changes nothing. */
static void two_level_grow_fails(void)
{
    static uint64_t meta[META_WORDS];
    struct grower g = { 0 };
    struct cspace_slots s;
    struct cspace_slots_config cfg = { ROOT_BITS, LEAF_BITS, 4, 12, grow_leaf, &g };
    if (!init_books(&s, &cfg, meta))
        return;
    uint64_t want[2 * LEAF_SLOTS];
    leaf_cptrs(4, 2, want);
    bool ok = alloc_and_fill(&s, croot, 2 * LEAF_SLOTS, want);
    ktest_check(ok && g.calls == 2 && cspace_slots_leaves(&s) == 2,
                "cspace slots: two more leaves (root slots 4, 5) fill the untyped");
    struct cspace_slots before;
    uint64_t books[META_WORDS], c = 12345;
    memcpy(&before, &s, sizeof s);
    memcpy(books, meta, sizeof books);
    uint64_t err = cspace_slots_alloc(&s, &c);
    ktest_check(err == COFFER_ERR_NOT_ENOUGH_MEMORY && c == 12345 && g.calls == 3 && g.roots[2] == 6 &&
                    memcmp(&before, &s, sizeof s) == 0 && memcmp(books, meta, sizeof books) == 0 &&
                    COFFER_ID_TYPE(id0(cn, 6, ROOT_BITS)) == COFFER_ID_TYPE_NULL,
                "cspace slots: the grow of root slot 6 fails (untyped used up): its error comes back, "
                "the books and root slot 6 unchanged");
    uint64_t victim = want[9];
    ok = coffer_cnode_delete(croot, victim, D).error == COFFER_ERR_OK &&
         cspace_slots_free(&s, victim) == COFFER_ERR_OK && cspace_slots_alloc(&s, &c) == COFFER_ERR_OK &&
         c == victim && coffer_cnode_copy(croot, c, D, ROOT, ep, D).error == COFFER_ERR_OK;
    ktest_check(ok && g.calls == 3 && cspace_slots_used(&s) == 2 * LEAF_SLOTS,
                "cspace slots: after the failed grow a freed slot is still handed out, without growing");
}

static uint64_t never_grow(void *ctx, uint64_t root_index, unsigned leaf_bits)
{
    (void)root_index;
    (void)leaf_bits;
    ++*(unsigned *)ctx;
    return COFFER_ERR_ILLEGAL_OPERATION;
}

/* A range of this task's root CNode, one capability in a reserved slot. */
static void single_level(const struct coffer_bootinfo *bi)
{
    static uint64_t meta[META_WORDS];
    unsigned calls = 0;
    struct cspace_slots s;
    struct cspace_slots_config cfg = { (unsigned)bi->root_cnode_bits, 0, single_base, SINGLE_SLOTS,
                                       never_grow, &calls };
    uint64_t known = single_base + 2;
    if (!init_books(&s, &cfg, meta))
        return;
    bool ok = ktest_step(coffer_cnode_copy(ROOT, known, D, ROOT, ep, D), "copy the endpoint to a well-known slot") &&
              cspace_slots_reserve(&s, known) == COFFER_ERR_OK;
    ktest_check(ok && cspace_slots_root_guard(&cfg) == coffer_cnode_identify(ROOT, ROOT, D).detail1,
                "cspace slots: single level over root slots %llu..%llu, the well-known %llu reserved; the "
                "guard it names is the root CNode's (52 bits)",
                (unsigned long long)single_base, (unsigned long long)(single_base + SINGLE_SLOTS - 1),
                (unsigned long long)known);
    /* A copy into an occupied slot fails: each slot is handed out once,
     * and never the reserved one. */
    ok = alloc_and_fill(&s, ROOT, SINGLE_SLOTS - 1, NULL);
    uint64_t c = 0;
    ktest_check(ok && cspace_slots_used(&s) == SINGLE_SLOTS &&
                    cspace_slots_alloc(&s, &c) == COFFER_ERR_NOT_ENOUGH_MEMORY && calls == 0 &&
                    cspace_slots_leaves(&s) == 0,
                "cspace slots: the other 69 slots each take the endpoint, then NOT_ENOUGH_MEMORY; grow never asked");
    uint64_t victim = single_base + 65;
    ok = coffer_cnode_delete(ROOT, victim, D).error == COFFER_ERR_OK &&
         cspace_slots_free(&s, victim) == COFFER_ERR_OK && cspace_slots_alloc(&s, &c) == COFFER_ERR_OK && c == victim &&
         coffer_cnode_copy(ROOT, c, D, ROOT, ep, D).error == COFFER_ERR_OK;
    ktest_check(ok && cspace_slots_free(&s, single_base + SINGLE_SLOTS) == COFFER_ERR_INVALID_ARGUMENT,
                "cspace slots: a slot of the short last run freed and handed out again; the next is outside");
}

/* Revoke small: every leaf, copy and CNode goes; every byte comes back. */
static void cleanup(uint64_t start_free)
{
    bool ok = ktest_step(coffer_cnode_revoke(ROOT, small, D), "revoke the 4 KiB untyped") &&
              ktest_step(coffer_cnode_delete(ROOT, small, D), "delete it");
    for (uint64_t s = small; ok && s < single_base + SINGLE_SLOTS; s++)
        ok = COFFER_ID_TYPE(id0(ROOT, s, D)) == COFFER_ID_TYPE_NULL;
    ktest_check(ok && free_bytes(parent) == start_free,
                "cspace slots: revoking the untyped empties every slot used; the boot untyped's free bytes "
                "are back (%llu)",
                (unsigned long long)start_free);
    struct coffer_result r = coffer_debug_check();
    ktest_check(r.error == COFFER_ERR_OK && r.detail0 == 0, "cspace slots: invariants hold (%llu capabilities)",
                (unsigned long long)r.detail1);
}

void test_cspace_slots(void)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    parent = coffer_largest_ram_untyped(bi, 24);
    uint64_t start_free = free_bytes(parent);
    int ready = setup(bi);
    if (ready < 0)
        return; /* nothing made, nothing to clean */
    if (ready > 0) {
        two_level_max();
        two_level_grow_fails();
        single_level(bi);
    }
    cleanup(start_free);
}
