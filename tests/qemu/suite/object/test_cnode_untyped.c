/*
 * The capability core through the real system-call path: identify, retype
 * (at the watermark and at offsets, into holes), a two-level CSpace,
 * copy/mint/move/mutate/delete/revoke, and every error code of the untyped
 * and CNode invocations.  Ends by revoking everything and checking the
 * untyped's free bytes are back to their starting value.
 */
#include "ktest.h"

#define ROOT COFFER_SLOT_CNODE /* the root CNode, as a capability pointer */
#define D 64                   /* root CNode slots resolve with 64 bits */

static uint64_t ut;      /* the RAM untyped used here */
static unsigned ut_bits; /* its size */
static uint64_t free_slot; /* next unused root slot */

static uint64_t new_slot(void)
{
    return free_slot++;
}

static uint64_t id0(uint64_t slot)
{
    return coffer_cnode_identify(ROOT, slot, D).detail0;
}

static uint64_t ut_free(void)
{
    return coffer_cnode_identify(ROOT, ut, D).detail1;
}

static bool is_null(uint64_t slot)
{
    return id0(slot) == COFFER_ID_TYPE_NULL;
}

static void pick_untyped(const struct coffer_bootinfo *bi)
{
    ut = coffer_largest_ram_untyped(bi, 24);
    ut_bits = bi->untyped_list[ut - bi->untyped.start].size_bits;
    free_slot = bi->empty.start;
}

static void identify(void)
{
    uint64_t d = id0(ROOT);
    ktest_check(COFFER_ID_TYPE(d) == COFFER_OBJ_CNODE && COFFER_ID_SIZE_BITS(d) == COFFER_ROOT_CNODE_BITS,
                "caps: identify the root CNode (type, 2^12 slots)");
    d = id0(ut);
    ktest_check(COFFER_ID_TYPE(d) == COFFER_OBJ_UNTYPED && COFFER_ID_SIZE_BITS(d) == ut_bits &&
                    ut_free() == (1ull << ut_bits),
                "caps: identify a boot untyped (2^%u bytes, all free)", ut_bits);
    ktest_check(is_null(free_slot), "caps: identify an empty slot");
    ktest_expect_error(coffer_cnode_identify(ROOT, 1u << 12, D), COFFER_ERR_FAILED_LOOKUP,
                       (uint64_t)COFFER_LOOKUP_GUARD_MISMATCH << 32, 64,
                       "caps: a slot beyond the root CNode fails its guard (level 0, 64 bits left)");
    ktest_expect_error(coffer_call(free_slot, COFFER_INV_CNODE_IDENTIFY, 0, 0, 0, 0, 0),
                       COFFER_ERR_INVALID_CAPABILITY, 0, 0, "caps: invoking an empty slot");
    ktest_expect_error(coffer_cnode_identify(ROOT, 0, 65), COFFER_ERR_RANGE_ERROR, 1, 64,
                       "caps: lookup depth above 64 is RANGE_ERROR(1, 64)");
    ktest_expect_error(coffer_debug_dump_cnode(ROOT, 65, 0), COFFER_ERR_RANGE_ERROR, 0, 64,
                       "caps: a CNode argument's depth above 64 is RANGE_ERROR(0, 64) (0 names the root)");
}

static void retype_errors(uint64_t frame)
{
    uint64_t e = free_slot;
    struct { const char *name; struct coffer_result r; coffer_error_t err; uint64_t d0, d1; } cases[] = {
        { "retype: an unknown type", coffer_untyped_retype(ut, 99, 0, ROOT, 0, e, 1, 0),
          COFFER_ERR_INVALID_ARGUMENT, 0, 0 },
        { "retype: frame smaller than 4 KiB", coffer_untyped_retype(ut, COFFER_OBJ_FRAME, 11, ROOT, 0, e, 1, COFFER_RETYPE_AT_WATERMARK),
          COFFER_ERR_RANGE_ERROR, 12, 30 },
        { "retype: size bits for a fixed-size object", coffer_untyped_retype(ut, COFFER_OBJ_ENDPOINT, 3, ROOT, 0, e, 1, COFFER_RETYPE_AT_WATERMARK),
          COFFER_ERR_RANGE_ERROR, 0, 0 },
        { "retype: count 0", coffer_untyped_retype(ut, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, e, 0, COFFER_RETYPE_AT_WATERMARK),
          COFFER_ERR_RANGE_ERROR, 1, COFFER_RETYPE_MAX_COUNT },
        { "retype: count above the limit", coffer_untyped_retype(ut, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, e, COFFER_RETYPE_MAX_COUNT + 1, COFFER_RETYPE_AT_WATERMARK),
          COFFER_ERR_RANGE_ERROR, 1, COFFER_RETYPE_MAX_COUNT },
        { "retype: untyped as large as its parent", coffer_untyped_retype(ut, COFFER_OBJ_UNTYPED, ut_bits, ROOT, 0, e, 1, COFFER_RETYPE_AT_WATERMARK),
          COFFER_ERR_RANGE_ERROR, 6, ut_bits - 1 },
        { "retype: destination slot occupied", coffer_untyped_retype(ut, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, frame, 1, COFFER_RETYPE_AT_WATERMARK),
          COFFER_ERR_DELETE_FIRST, 2, frame },
        { "retype: destination range past the CNode", coffer_untyped_retype(ut, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, 4095, 2, COFFER_RETYPE_AT_WATERMARK),
          COFFER_ERR_RANGE_ERROR, 0, 4094 },
        { "retype: destination CNode pointer names a frame", coffer_untyped_retype(ut, COFFER_OBJ_ENDPOINT, 0, frame, 64, e, 1, COFFER_RETYPE_AT_WATERMARK),
          COFFER_ERR_INVALID_CAPABILITY, 1, 0 },
        { "retype: destination depth above 64", coffer_untyped_retype(ut, COFFER_OBJ_ENDPOINT, 0, ROOT, 65, e, 1, COFFER_RETYPE_AT_WATERMARK),
          COFFER_ERR_RANGE_ERROR, 0, 64 },
        { "retype: offset not aligned to the object", coffer_untyped_retype(ut, COFFER_OBJ_FRAME, 12, ROOT, 0, e, 1, 0x800),
          COFFER_ERR_ALIGNMENT_ERROR, 3, 4096 },
        { "retype: offset past the end", coffer_untyped_retype(ut, COFFER_OBJ_FRAME, 12, ROOT, 0, e, 1, 1ull << ut_bits),
          COFFER_ERR_NOT_ENOUGH_MEMORY, 0, 0 },
        { "retype: range overlapping a live object", coffer_untyped_retype(ut, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, e, 1, 0x40),
          COFFER_ERR_REVOKE_FIRST, 0, 0 },
        { "retype: more than is left above the watermark", coffer_untyped_retype(ut, COFFER_OBJ_FRAME, ut_bits, ROOT, 0, e, 1, COFFER_RETYPE_AT_WATERMARK),
          COFFER_ERR_NOT_ENOUGH_MEMORY, (1ull << ut_bits) - 4096, 0 },
        { "retype: wrong label for an untyped", coffer_call(ut, COFFER_INV_CNODE_COPY, 0, 0, 0, 0, 0),
          COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        ktest_expect_error(cases[i].r, cases[i].err, cases[i].d0, cases[i].d1, cases[i].name);
    ktest_check(is_null(e), "retype: failed retypes left the destination empty");
}

static void device_untyped(const struct coffer_bootinfo *bi)
{
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        if (!bi->untyped_list[i].is_device)
            continue;
        ktest_expect_error(coffer_untyped_retype(bi->untyped.start + i, COFFER_OBJ_ENDPOINT, 0, ROOT, 0,
                                                 free_slot, 1, COFFER_RETYPE_AT_WATERMARK),
                           COFFER_ERR_ILLEGAL_OPERATION, 0, 0,
                           "retype: device untyped cannot become an endpoint");
        return;
    }
    ktest_check(false, "retype: no device untyped to test with");
}

static void two_level(void)
{
    uint64_t l1 = new_slot(), l1g = new_slot(), copy = new_slot();
    bool ok = ktest_step(coffer_untyped_retype(ut, COFFER_OBJ_CNODE, 4, ROOT, 0, l1, 1, COFFER_RETYPE_AT_WATERMARK),
                         "retype L1, a 16-slot CNode");
    /* L1 as it is (guard 0) already resolves 4 bits per level. */
    ok &= ktest_step(coffer_cnode_mint(ROOT, l1g, D, ROOT, l1, D, COFFER_RIGHTS_ALL, COFFER_GUARD(0, 0)),
                     "mint L1 with guard 0");
    /* A second-level CNode in L1 slot 3, and an endpoint in its slot 5. */
    ok &= ktest_step(coffer_untyped_retype(ut, COFFER_OBJ_CNODE, 4, l1, D, 3, 1, COFFER_RETYPE_AT_WATERMARK),
                     "retype L2 into L1 slot 3");
    ok &= ktest_step(coffer_cnode_copy(ROOT, copy, D, l1g, 3, 4), /* L2, reachable from the root */
                     "copy L2 into a root slot");
    ok &= ktest_step(coffer_untyped_retype(ut, COFFER_OBJ_ENDPOINT, 0, copy, D, 5, 1, COFFER_RETYPE_AT_WATERMARK),
                     "retype an endpoint into L2 slot 5");
    ktest_check(ok, "cspace: built a two-level CSpace from retyped CNodes");
    uint64_t ep = new_slot();
    struct coffer_result r = coffer_cnode_copy(ROOT, ep, D, l1g, (3u << 4) | 5, 8);
    ktest_check(r.error == COFFER_ERR_OK && COFFER_ID_TYPE(id0(ep)) == COFFER_OBJ_ENDPOINT,
                "cspace: an 8-bit pointer resolves through both levels to the endpoint");
    ktest_expect_error(coffer_cnode_copy(ROOT, new_slot(), D, l1g, (3u << 8) | (5u << 4), 12),
                       COFFER_ERR_FAILED_LOOKUP, 2 | (uint64_t)COFFER_LOOKUP_DEPTH_MISMATCH << 32, 4,
                       "cspace: bits left at a non-CNode fail at level 2 with 4 bits left");
    ktest_expect_error(coffer_cnode_copy(ROOT, new_slot(), D, l1g, 3, 6),
                       COFFER_ERR_FAILED_LOOKUP, 1 | (uint64_t)COFFER_LOOKUP_DEPTH_MISMATCH << 32, 2,
                       "cspace: too few bits for the second level fail at level 1");
    ktest_expect_error(coffer_cnode_copy(ROOT, new_slot(), D, ut, 0, 4), COFFER_ERR_INVALID_CAPABILITY, 2, 0,
                       "cspace: a source root that is not a CNode");

    /* A copy keeps the guard: 60 guard bits and 4 index bits take a
     * whole 64-bit pointer, through the minted capability and its copy. */
    uint64_t g60 = new_slot(), g60_copy = new_slot(), ptr = 0xabcull << 4 | 3;
    ktest_expect_error(coffer_cnode_mint(ROOT, g60, D, ROOT, l1, D, COFFER_RIGHTS_ALL, COFFER_GUARD(60, 0xabc)),
                       COFFER_ERR_OK, 0, 0, "cspace: mint L1 with a 60-bit guard");
    ktest_expect_error(coffer_cnode_copy(ROOT, g60_copy, D, ROOT, g60, D), COFFER_ERR_OK, 0, 0,
                       "cspace: copy the guarded CNode capability");
    ktest_check(coffer_cnode_identify(ROOT, g60_copy, D).detail1 == COFFER_GUARD(60, 0xabc),
                "cspace: the copy has the source's guard (60 bits, value 0xabc)");
    ktest_check(id0(g60) == id0(g60_copy), "cspace: the copy has the source's type, rights and size");
    r = coffer_cnode_identify(g60, ptr, D);
    ktest_check(r.error == COFFER_ERR_OK && COFFER_ID_TYPE(r.detail0) == COFFER_OBJ_CNODE,
                "cspace: a 64-bit pointer resolves through the guarded CNode to L2");
    ktest_expect_error(coffer_cnode_identify(g60_copy, ptr, D), COFFER_ERR_OK, r.detail0, r.detail1,
                       "cspace: the same pointer resolves through the copy to the same capability");
}

static void derive(void)
{
    uint64_t ep = new_slot(), badged = new_slot(), copy = new_slot(), frame = new_slot();
    coffer_untyped_retype(ut, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, ep, 1, COFFER_RETYPE_AT_WATERMARK);
    struct coffer_result r = coffer_cnode_mint(ROOT, badged, D, ROOT, ep, D,
                                               COFFER_RIGHT_READ | COFFER_RIGHT_WRITE, 0x42);
    uint64_t d = id0(badged);
    ktest_check(r.error == COFFER_ERR_OK && COFFER_ID_DEPTH(d) == 1 &&
                    COFFER_ID_RIGHTS(d) == (COFFER_RIGHT_READ | COFFER_RIGHT_WRITE) &&
                    coffer_cnode_identify(ROOT, badged, D).detail1 == 0x42,
                "mint: badge and fewer rights give a child (depth 1)");
    r = coffer_cnode_copy(ROOT, copy, D, ROOT, badged, D);
    ktest_check(r.error == COFFER_ERR_OK && COFFER_ID_DEPTH(id0(copy)) == 1 &&
                    coffer_cnode_identify(ROOT, copy, D).detail1 == 0x42,
                "copy: a copy keeps depth, rights and badge");
    ktest_expect_error(coffer_cnode_mint(ROOT, new_slot(), D, ROOT, badged, D, COFFER_RIGHTS_ALL, 7),
                       COFFER_ERR_ILLEGAL_OPERATION, 0, 0, "mint: a badge can be set only once");
    r = coffer_cnode_mint(ROOT, new_slot(), D, ROOT, badged, D, COFFER_RIGHTS_ALL, 0);
    ktest_check(r.error == COFFER_ERR_OK && COFFER_ID_RIGHTS(id0(free_slot - 1)) ==
                                                (COFFER_RIGHT_READ | COFFER_RIGHT_WRITE),
                "mint: rights never widen");
    ktest_expect_error(coffer_cnode_mint(ROOT, new_slot(), D, ROOT, ut, D, COFFER_RIGHTS_ALL, 0),
                       COFFER_ERR_ILLEGAL_OPERATION, 0, 0, "mint: untyped cannot be minted");
    ktest_expect_error(coffer_cnode_copy(ROOT, new_slot(), D, ROOT, ut, D),
                       COFFER_ERR_ILLEGAL_OPERATION, 0, 0, "copy: untyped cannot be copied");
    ktest_expect_error(coffer_cnode_copy(ROOT, copy, D, ROOT, ep, D), COFFER_ERR_DELETE_FIRST, 0, 0,
                       "copy: an occupied destination is DELETE_FIRST");
    ktest_expect_error(coffer_cnode_copy(ROOT, new_slot(), D, ROOT, free_slot + 10, D),
                       COFFER_ERR_INVALID_CAPABILITY, 3, 0, "copy: an empty source");
    ktest_expect_error(coffer_cnode_mint(ROOT, new_slot(), D, ROOT, COFFER_SLOT_VSPACE, D,
                                         COFFER_RIGHTS_ALL, 1),
                       COFFER_ERR_INVALID_ARGUMENT, 4, 0, "mint: data for a type that takes none");
    ktest_expect_error(coffer_cnode_mint(ROOT, new_slot(), D, ROOT, ROOT, D, COFFER_RIGHTS_ALL,
                                         COFFER_GUARD(53, 0)),
                       COFFER_ERR_INVALID_ARGUMENT, 4, 0, "mint: a guard that makes a CNode longer than 64 bits");
    ktest_expect_error(coffer_cnode_mint(ROOT, new_slot(), D, ROOT, ROOT, D, COFFER_RIGHTS_ALL,
                                         COFFER_GUARD(2, 4)),
                       COFFER_ERR_INVALID_ARGUMENT, 4, 0, "mint: a guard value wider than its bits");
    coffer_untyped_retype(ut, COFFER_OBJ_FRAME, 14, ROOT, 0, frame, 1, COFFER_RETYPE_AT_WATERMARK);
    ktest_expect_error(coffer_cnode_mint(ROOT, new_slot(), D, ROOT, frame, D, COFFER_RIGHTS_ALL,
                                         COFFER_WINDOW(0x800, 4096)),
                       COFFER_ERR_ALIGNMENT_ERROR, 4, 4096, "mint: a window not in whole pages");
    ktest_expect_error(coffer_cnode_mint(ROOT, new_slot(), D, ROOT, frame, D, COFFER_RIGHTS_ALL,
                                         COFFER_WINDOW(0x3000, 0x2000)),
                       COFFER_ERR_INVALID_ARGUMENT, 4, 0, "mint: a window outside the frame");
    uint64_t alias = new_slot();
    r = coffer_cnode_mint(ROOT, alias, D, ROOT, frame, D, COFFER_RIGHT_READ, COFFER_WINDOW(0x1000, 0x2000));
    ktest_check(r.error == COFFER_ERR_OK &&
                    coffer_cnode_identify(ROOT, alias, D).detail1 == COFFER_WINDOW(0x1000, 0x2000),
                "mint: a read-only sub-range alias of a frame");
    ktest_expect_error(coffer_cnode_mutate(ROOT, new_slot(), D, ROOT, frame, D, COFFER_RIGHTS_ALL, 0),
                       COFFER_ERR_REVOKE_FIRST, 0, 0, "mutate: a capability with children cannot change");
    /* Revoke the endpoint: the badged child, its copy and its child go. */
    r = coffer_cnode_revoke(ROOT, ep, D);
    ktest_check(r.error == COFFER_ERR_OK && is_null(badged) && is_null(copy) && !is_null(ep),
                "revoke: removes every descendant and keeps the capability itself");
    uint64_t moved = new_slot();
    r = coffer_cnode_move(ROOT, moved, D, ROOT, ep, D);
    ktest_check(r.error == COFFER_ERR_OK && is_null(ep) && COFFER_ID_TYPE(id0(moved)) == COFFER_OBJ_ENDPOINT,
                "move: the capability changes slot");
    ktest_expect_error(coffer_cnode_delete(ROOT, ep, D), COFFER_ERR_INVALID_CAPABILITY, 0, 0,
                       "delete: an empty slot");
    ktest_expect_error(coffer_call(ROOT, 0x2f, 0, 0, 0, 0, 0), COFFER_ERR_ILLEGAL_OPERATION, 0, 0,
                       "cnode: an unknown label");
}

static void holes_and_accounting(uint64_t start_free)
{
    uint64_t s[3] = { new_slot(), new_slot(), new_slot() };
    uint64_t base = 1ull << (ut_bits - 1); /* well above the watermark */
    bool ok = true;
    for (int i = 0; i < 3; i++)
        ok &= ktest_step(coffer_untyped_retype(ut, COFFER_OBJ_FRAME, 12, ROOT, 0, s[i], 1, base + 0x1000u * (unsigned)i),
                         "retype frame %d at offset %#llx", i, (unsigned long long)(base + 0x1000u * (unsigned)i));
    ktest_check(ok, "retype: three frames at explicit offsets");
    ktest_expect_error(coffer_untyped_retype(ut, COFFER_OBJ_FRAME, 12, ROOT, 0, new_slot(), 1, base + 0x1000),
                       COFFER_ERR_REVOKE_FIRST, 0, 0, "retype: the middle frame's range is in use");
    struct coffer_result r = coffer_cnode_delete(ROOT, s[1], D);
    struct coffer_result hole = coffer_untyped_retype(ut, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, s[1], 1, base + 0x1040);
    ktest_check(r.error == COFFER_ERR_OK && hole.error == COFFER_ERR_OK && hole.detail0 == base + 0x1040,
                "retype: an object in the hole left by a deleted frame, without revoking the untyped");
    r = coffer_cnode_revoke(ROOT, ut, D);
    ktest_check(r.error == COFFER_ERR_OK && is_null(s[0]) && is_null(s[1]) && is_null(s[2]),
                "revoke: revoking the untyped deletes every object retyped from it");
    ktest_check(ut_free() == start_free, "accounting: free bytes back to the start value (%llu)",
                (unsigned long long)start_free);
    r = coffer_untyped_retype(ut, COFFER_OBJ_FRAME, 12, ROOT, 0, new_slot(), 1, COFFER_RETYPE_AT_WATERMARK);
    ktest_check(r.error == COFFER_ERR_OK && r.detail0 == 0, "retype: after revoke the watermark starts at 0 again");
    coffer_cnode_revoke(ROOT, ut, D);
}

/* UNTYPED_DESCRIBE of ut into the root task's IPC buffer. */
static struct coffer_untyped_info describe(uint64_t of)
{
    struct coffer_untyped_info info = { 0 };
    struct coffer_result r = coffer_untyped_describe(of);
    if (ktest_step(r, "describe"))
        info = *(const struct coffer_untyped_info *)coffer_root_ipc_buffer()->mr;
    return info;
}

/* Free bytes count the holes below the watermark; a child untyped counts
 * whole, and its children pass to ut when it is deleted before them. */
static void describe_accounting(const struct coffer_bootinfo *bi)
{
    const struct coffer_untyped_desc *u = &bi->untyped_list[ut - bi->untyped.start];
    struct coffer_untyped_info a = describe(ut);
    ktest_check(a.paddr == u->paddr && a.size_bits == ut_bits && a.watermark == 0 &&
                    a.free_bytes == 1ull << ut_bits,
                "describe: the boot untyped's address and size, watermark 0, all of it free");
    uint64_t f[3] = { new_slot(), new_slot(), new_slot() };
    for (int i = 0; i < 3; i++)
        coffer_untyped_retype(ut, COFFER_OBJ_FRAME, 12, ROOT, 0, f[i], 1, COFFER_RETYPE_AT_WATERMARK);
    coffer_cnode_delete(ROOT, f[1], D);
    struct coffer_untyped_info b = describe(ut);
    ktest_check(b.watermark == 3 * 4096 && b.free_bytes == (1ull << ut_bits) - 2 * 4096,
                "describe: a deleted frame's hole below the watermark counts as free");
    uint64_t child = new_slot(), ep = new_slot();
    coffer_untyped_retype(ut, COFFER_OBJ_UNTYPED, 16, ROOT, 0, child, 1, 1ull << 16);
    coffer_untyped_retype(child, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, ep, 1, COFFER_RETYPE_AT_WATERMARK);
    struct coffer_untyped_info c = describe(ut), cc = describe(child);
    ktest_check(c.free_bytes == b.free_bytes - (1ull << 16) && cc.free_bytes == (1ull << 16) - 64 &&
                    cc.paddr == u->paddr + (1ull << 16),
                "describe: a child untyped counts whole in its parent, its endpoint in itself");
    coffer_cnode_delete(ROOT, child, D); /* the endpoint lives on, now ut's */
    struct coffer_untyped_info d = describe(ut);
    coffer_cnode_delete(ROOT, ep, D);
    struct coffer_untyped_info e = describe(ut);
    ktest_check(d.free_bytes == b.free_bytes - 64 && e.free_bytes == b.free_bytes,
                "describe: deleting a child untyped before its endpoint hands the endpoint to the parent");
    coffer_cnode_revoke(ROOT, ut, D);
    struct coffer_untyped_info g = describe(ut);
    ktest_check(g.watermark == 0 && g.free_bytes == 1ull << ut_bits, "describe: after revoke all of it is free");
    ktest_expect_error(coffer_untyped_describe(ROOT), COFFER_ERR_ILLEGAL_OPERATION, 0, 0,
                       "describe: invoked on a CNode is ILLEGAL_OPERATION");
}

static void invariants(const char *after)
{
    struct coffer_result r = coffer_debug_check();
    ktest_check(r.error == COFFER_ERR_OK && r.detail0 == 0,
                "invariants hold after %s (%llu capabilities)", after, (unsigned long long)r.detail1);
}

static void dump_errors(void)
{
    ktest_expect_error(coffer_debug_dump_cnode(ut, D, 0), COFFER_ERR_INVALID_CAPABILITY, 0, 0,
                       "dump_cnode: a capability that is not a CNode");
    ktest_expect_error(coffer_debug_dump_cnode(0, 0, 2), COFFER_ERR_RANGE_ERROR, 0, 1,
                       "dump_cnode: an unknown format");
    ktest_expect_error(coffer_debug_dump_cnode(1u << 12, D, 0), COFFER_ERR_FAILED_LOOKUP,
                       (uint64_t)COFFER_LOOKUP_GUARD_MISMATCH << 32, 64, "dump_cnode: a failed lookup");
    ktest_expect_error(coffer_debug_dump_cdt(free_slot, D, 0), COFFER_ERR_INVALID_CAPABILITY, 0, 0,
                       "dump_cdt: an empty slot");
    ktest_expect_error(coffer_debug_dump_cdt(ut, D, 2), COFFER_ERR_RANGE_ERROR, 0, 1,
                       "dump_cdt: an unknown format");
    ktest_expect_error(coffer_debug_dump_cdt(ut, 0, 0), COFFER_ERR_RANGE_ERROR, 1, 64,
                       "dump_cdt: depth 0");
    printf("# (the dumps themselves are checked by the demo test)\n");
}

void test_cnode_untyped(void)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    pick_untyped(bi);
    identify();
    uint64_t start_free = ut_free();
    uint64_t frame = new_slot();
    struct coffer_result r = coffer_untyped_retype(ut, COFFER_OBJ_FRAME, 12, ROOT, 0, frame, 1,
                                                   COFFER_RETYPE_AT_WATERMARK);
    ktest_check(r.error == COFFER_ERR_OK && r.detail0 == 0 && COFFER_ID_TYPE(id0(frame)) == COFFER_OBJ_FRAME &&
                    ut_free() == start_free - 4096,
                "retype: a 4 KiB frame at the watermark (free bytes drop by 4096)");
    invariants("boot and a first retype");
    retype_errors(frame);
    device_untyped(bi);
    two_level();
    invariants("building a two-level CSpace");
    derive();
    invariants("mint, copy, move and revoke");
    holes_and_accounting(start_free);
    invariants("revoking the untyped");
    describe_accounting(bi);
    invariants("describing untyped");
    dump_errors();
}
