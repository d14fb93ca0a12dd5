/*
 * The CNode invocations (copy, mint, move, mutate, delete, revoke,
 * identify) through the system-call entry point sys_CALL, on the host:
 * every error with its exact detail words (and that a failed call changed
 * nothing), the derivation semantics and revoke under forced preemption.
 * Random sequences of invocations: test_cnode_untyped_random.c; retype's
 * own tests: test_untyped.c.  The set-up is cnode_fixture.h.
 */
#include "cnode_fixture.h"

/* ---- Errors ---------------------------------------------------------------- */

#define LOOKUP(level, kind) ((uint64_t)(level) | (uint64_t)COFFER_LOOKUP_##kind << 32)
#define EP 16     /* endpoint, offset 0 */
#define FR 17     /* 16 KiB frame */
#define CN 18     /* 16-slot CNode; its slot 0 holds a copy of EP */
#define TCB 19
#define BADGED 20 /* minted from EP with badge 0x42 */
#define WIN 21    /* minted from FR with window (0x1000, 0x2000) */
#define E 40      /* empty */
#define NONE 99   /* empty */

struct error_case {
    const char *name;
    uint64_t cptr, label, arg[5];
    uint64_t err, d0, d1;
};

#define A1(dd, sd) COFFER_CNODE_ARG1(dd, sd, COFFER_RIGHTS_ALL)
static const struct error_case cnode_errors[] = {
    { "copy: destination depth 0", ROOT, COPY, { E, A1(0, D), ROOT, EP, 0 }, COFFER_ERR_RANGE_ERROR, 1, 64 },
    { "copy: destination depth 65", ROOT, COPY, { E, A1(65, D), ROOT, EP, 0 }, COFFER_ERR_RANGE_ERROR, 1, 64 },
    { "copy: destination fails the root guard", ROOT, COPY, { 0x100, A1(D, D), ROOT, EP, 0 }, COFFER_ERR_FAILED_LOOKUP, LOOKUP(0, GUARD_MISMATCH), 64 },
    { "copy: destination depth 8 too short for the root", ROOT, COPY, { E, A1(8, D), ROOT, EP, 0 }, COFFER_ERR_FAILED_LOOKUP, LOOKUP(0, DEPTH_MISMATCH), 8 },
    { "copy: destination in a sub-CNode at depth 64", CN, COPY, { 1, A1(D, D), ROOT, EP, 0 }, COFFER_ERR_FAILED_LOOKUP, LOOKUP(1, DEPTH_MISMATCH), 60 },
    { "copy: source root is a frame", ROOT, COPY, { E, A1(D, D), FR, EP, 0 }, COFFER_ERR_INVALID_CAPABILITY, 2, 0 },
    { "copy: source root is empty", ROOT, COPY, { E, A1(D, D), NONE, EP, 0 }, COFFER_ERR_INVALID_CAPABILITY, 2, 0 },
    { "copy: source root fails the root guard", ROOT, COPY, { E, A1(D, D), 0x1000, EP, 0 }, COFFER_ERR_FAILED_LOOKUP, LOOKUP(0, GUARD_MISMATCH), 64 },
    { "copy: source depth 0", ROOT, COPY, { E, A1(D, 0), ROOT, EP, 0 }, COFFER_ERR_RANGE_ERROR, 1, 64 },
    { "copy: source depth 65", ROOT, COPY, { E, A1(D, 65), ROOT, EP, 0 }, COFFER_ERR_RANGE_ERROR, 1, 64 },
    { "copy: source bits left at an endpoint in the sub-CNode", ROOT, COPY, { E, A1(D, 6), CN, 3, 0 }, COFFER_ERR_FAILED_LOOKUP, LOOKUP(1, DEPTH_MISMATCH), 2 },
    { "copy: source depth shorter than the sub-CNode's radix", ROOT, COPY, { E, A1(D, 2), CN, 0, 0 }, COFFER_ERR_FAILED_LOOKUP, LOOKUP(0, DEPTH_MISMATCH), 2 },
    { "copy: an empty source", ROOT, COPY, { E, A1(D, D), ROOT, NONE, 0 }, COFFER_ERR_INVALID_CAPABILITY, 3, 0 },
    { "copy: an occupied destination", ROOT, COPY, { FR, A1(D, D), ROOT, EP, 0 }, COFFER_ERR_DELETE_FIRST, 0, 0 },
    { "copy: empty source is reported before occupied destination", ROOT, COPY, { FR, A1(D, D), ROOT, NONE, 0 }, COFFER_ERR_INVALID_CAPABILITY, 3, 0 },
    { "copy: onto itself", ROOT, COPY, { EP, A1(D, D), ROOT, EP, 0 }, COFFER_ERR_DELETE_FIRST, 0, 0 },
    { "copy: an untyped", ROOT, COPY, { E, A1(D, D), ROOT, UT, 0 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "mint: an untyped", ROOT, MINT, { E, A1(D, D), ROOT, DEV, 0 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "mint: an untyped with data", ROOT, MINT, { E, A1(D, D), ROOT, UT, 5 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "mutate: an untyped with children", ROOT, MUTATE, { E, A1(D, D), ROOT, UT, 0 }, COFFER_ERR_REVOKE_FIRST, 0, 0 },
    { "mutate: an untyped without children", ROOT, MUTATE, { E, A1(D, D), ROOT, DEV, 0 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "mutate: an endpoint with a child", ROOT, MUTATE, { E, A1(D, D), ROOT, EP, 0 }, COFFER_ERR_REVOKE_FIRST, 0, 0 },
    { "mutate: a frame with a child", ROOT, MUTATE, { E, A1(D, D), ROOT, FR, 0 }, COFFER_ERR_REVOKE_FIRST, 0, 0 },
    { "mint: a second badge", ROOT, MINT, { E, A1(D, D), ROOT, BADGED, 7 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "mutate: a second badge", ROOT, MUTATE, { E, A1(D, D), ROOT, BADGED, 7 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "mint: data for a TCB", ROOT, MINT, { E, A1(D, D), ROOT, TCB, 1 }, COFFER_ERR_INVALID_ARGUMENT, 4, 0 },
    { "mutate: data for a TCB", ROOT, MUTATE, { E, A1(D, D), ROOT, TCB, 1ull << 63 }, COFFER_ERR_INVALID_ARGUMENT, 4, 0 },
    { "mint: window past the frame", ROOT, MINT, { E, A1(D, D), ROOT, FR, COFFER_WINDOW(0x3000, 0x2000) }, COFFER_ERR_INVALID_ARGUMENT, 4, 0 },
    { "mint: window at the frame's end", ROOT, MINT, { E, A1(D, D), ROOT, FR, COFFER_WINDOW(0x4000, 0x1000) }, COFFER_ERR_INVALID_ARGUMENT, 4, 0 },
    { "mint: window before the source's window", ROOT, MINT, { E, A1(D, D), ROOT, WIN, COFFER_WINDOW(0, 0x1000) }, COFFER_ERR_INVALID_ARGUMENT, 4, 0 },
    { "mint: window past the source's window", ROOT, MINT, { E, A1(D, D), ROOT, WIN, COFFER_WINDOW(0x2000, 0x2000) }, COFFER_ERR_INVALID_ARGUMENT, 4, 0 },
    { "mutate: window past the source's window", ROOT, MUTATE, { E, A1(D, D), ROOT, WIN, COFFER_WINDOW(0x1000, 0x3000) }, COFFER_ERR_INVALID_ARGUMENT, 4, 0 },
    { "mint: window offset not in pages", ROOT, MINT, { E, A1(D, D), ROOT, FR, COFFER_WINDOW(0x800, 0x1000) }, COFFER_ERR_ALIGNMENT_ERROR, 4, 4096 },
    { "mint: window size not in pages", ROOT, MINT, { E, A1(D, D), ROOT, FR, COFFER_WINDOW(0, 0x1800) }, COFFER_ERR_ALIGNMENT_ERROR, 4, 4096 },
    { "mint: window of size 0", ROOT, MINT, { E, A1(D, D), ROOT, FR, COFFER_WINDOW(0x1000, 0) }, COFFER_ERR_ALIGNMENT_ERROR, 4, 4096 },
    { "mutate: window not in pages", ROOT, MUTATE, { E, A1(D, D), ROOT, WIN, COFFER_WINDOW(0x1000, 0x10) }, COFFER_ERR_ALIGNMENT_ERROR, 4, 4096 },
    { "mint: guard longer than 64 bits with the radix", ROOT, MINT, { E, A1(D, D), ROOT, ROOT, COFFER_GUARD(57, 0) }, COFFER_ERR_INVALID_ARGUMENT, 4, 0 },
    { "mint: guard value wider than its bits", ROOT, MINT, { E, A1(D, D), ROOT, ROOT, COFFER_GUARD(2, 4) }, COFFER_ERR_INVALID_ARGUMENT, 4, 0 },
    { "mint: a guard value with 0 guard bits", ROOT, MINT, { E, A1(D, D), ROOT, ROOT, COFFER_GUARD(0, 1) }, COFFER_ERR_INVALID_ARGUMENT, 4, 0 },
    { "mutate: a sub-CNode guard too long", ROOT, MUTATE, { E, A1(D, D), ROOT, CN, COFFER_GUARD(61, 0) }, COFFER_ERR_INVALID_ARGUMENT, 4, 0 },
    { "move: an occupied destination", ROOT, MOVE, { FR, A1(D, D), ROOT, TCB, 0 }, COFFER_ERR_DELETE_FIRST, 0, 0 },
    { "move: an empty source", ROOT, MOVE, { E, A1(D, D), ROOT, NONE, 0 }, COFFER_ERR_INVALID_CAPABILITY, 3, 0 },
    { "cnode: unknown label 0x27", ROOT, 0x27, { E, D, 0, 0, 0 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "cnode: unknown label 0x2f", ROOT, 0x2f, { E, D, 0, 0, 0 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "cnode: the RETYPE label on a CNode", ROOT, COFFER_INV_UNTYPED_RETYPE, { COFFER_RETYPE_ARG0(COFFER_OBJ_ENDPOINT, 0, 0, 1), 0, E, W, 0 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "delete: an empty slot", ROOT, COFFER_INV_CNODE_DELETE, { NONE, D, 0, 0, 0 }, COFFER_ERR_INVALID_CAPABILITY, 0, 0 },
    { "delete: depth 0", ROOT, COFFER_INV_CNODE_DELETE, { EP, 0, 0, 0, 0 }, COFFER_ERR_RANGE_ERROR, 1, 64 },
    { "delete: depth 65", ROOT, COFFER_INV_CNODE_DELETE, { EP, 65, 0, 0, 0 }, COFFER_ERR_RANGE_ERROR, 1, 64 },
    { "delete: depth 2^32 + 64", ROOT, COFFER_INV_CNODE_DELETE, { EP, (1ull << 32) + 64, 0, 0, 0 }, COFFER_ERR_RANGE_ERROR, 1, 64 },
    { "delete: index failing the root guard", ROOT, COFFER_INV_CNODE_DELETE, { 0x100 | EP, D, 0, 0, 0 }, COFFER_ERR_FAILED_LOOKUP, LOOKUP(0, GUARD_MISMATCH), 64 },
    { "revoke: an empty slot", ROOT, COFFER_INV_CNODE_REVOKE, { NONE, D, 0, 0, 0 }, COFFER_ERR_INVALID_CAPABILITY, 0, 0 },
    { "revoke: depth 0", ROOT, COFFER_INV_CNODE_REVOKE, { EP, 0, 0, 0, 0 }, COFFER_ERR_RANGE_ERROR, 1, 64 },
    { "revoke: depth 65", ROOT, COFFER_INV_CNODE_REVOKE, { EP, 65, 0, 0, 0 }, COFFER_ERR_RANGE_ERROR, 1, 64 },
    { "revoke: an empty slot of the sub-CNode", CN, COFFER_INV_CNODE_REVOKE, { 5, 4, 0, 0, 0 }, COFFER_ERR_INVALID_CAPABILITY, 0, 0 },
    { "identify: depth 0", ROOT, COFFER_INV_CNODE_IDENTIFY, { EP, 0, 0, 0, 0 }, COFFER_ERR_RANGE_ERROR, 1, 64 },
    { "identify: depth 65", ROOT, COFFER_INV_CNODE_IDENTIFY, { EP, 65, 0, 0, 0 }, COFFER_ERR_RANGE_ERROR, 1, 64 },
    { "identify: index failing the root guard", ROOT, COFFER_INV_CNODE_IDENTIFY, { 1ull << 63, D, 0, 0, 0 }, COFFER_ERR_FAILED_LOOKUP, LOOKUP(0, GUARD_MISMATCH), 64 },
    { "identify: depth too short for the root", ROOT, COFFER_INV_CNODE_IDENTIFY, { EP, 63, 0, 0, 0 }, COFFER_ERR_FAILED_LOOKUP, LOOKUP(0, DEPTH_MISMATCH), 63 },
    { "invoke: an empty slot", NONE, COFFER_INV_CNODE_IDENTIFY, { EP, D, 0, 0, 0 }, COFFER_ERR_INVALID_CAPABILITY, 0, 0 },
    { "invoke: a CNode label on a TCB", TCB, COFFER_INV_CNODE_IDENTIFY, { EP, D, 0, 0, 0 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "invoke: a pointer failing the root guard", 0x100 | ROOT, COFFER_INV_CNODE_IDENTIFY, { EP, D, 0, 0, 0 }, COFFER_ERR_FAILED_LOOKUP, LOOKUP(0, GUARD_MISMATCH), 64 },
};

/* EP, FR, CN, TCB from UT; BADGED and WIN minted; a copy of EP in CN slot 0. */
static bool build_objects(void)
{
    return ok(retype(UT, COFFER_OBJ_ENDPOINT, 0, 1, EP, W)) &&
           ok(retype(UT, COFFER_OBJ_FRAME, 14, 1, FR, W)) &&
           ok(retype(UT, COFFER_OBJ_CNODE, 4, 1, CN, W)) && ok(retype(UT, COFFER_OBJ_TCB, 0, 1, TCB, W)) &&
           ok(mint(BADGED, EP, COFFER_RIGHTS_ALL, 0x42)) &&
           ok(mint(WIN, FR, COFFER_RIGHTS_ALL, COFFER_WINDOW(0x1000, 0x2000))) &&
           ok(call(CN, COPY, 0, COFFER_CNODE_ARG1(4, D, 0), ROOT, EP, 0));
}

static void test_errors(void)
{
    setup(UT_MAX_BITS);
    tap_ok(build_objects(), "cnode errors: set up objects, a badged endpoint, a frame window, a sub-CNode");
    const char *changed_by = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(cnode_errors); i++) {
        const struct error_case *c = &cnode_errors[i];
        snapshot();
        expect(call(c->cptr, c->label, c->arg[0], c->arg[1], c->arg[2], c->arg[3], c->arg[4]),
               c->err, c->d0, c->d1, c->name);
        if (!unchanged() && changed_by == NULL)
            changed_by = c->name;
    }
    if (changed_by != NULL)
        tap_diag("first call that changed state: %s", changed_by);
    tap_ok(changed_by == NULL, "cnode errors: no failed call changed a slot, the tree or memory");
    /* Mint is refused only at depth 127 (the CDT stores 7 bits of depth). */
    bool chain = ok(retype(UT, COFFER_OBJ_NOTIFICATION, 0, 1, 100, W));
    for (unsigned d = 1; d <= CAP_DEPTH_MAX && chain; d++)
        chain = ok(mint(100 + d, 100 + d - 1, COFFER_RIGHTS_ALL, 0)) &&
                COFFER_ID_DEPTH(id0(100 + d)) == d;
    tap_ok(chain, "mint: a chain of 127 mints reaches depth 127");
    expect(mint(E, 100 + CAP_DEPTH_MAX, COFFER_RIGHTS_ALL, 0), COFFER_ERR_ILLEGAL_OPERATION, 0, 0,
           "mint: a capability at depth 127 cannot be minted");
    tap_ok(ok(copy(E, 100 + CAP_DEPTH_MAX)) && COFFER_ID_DEPTH(id0(E)) == CAP_DEPTH_MAX &&
               ok(revoke(100)) && is_null(E) && is_null(101) && !is_null(100),
           "mint: the depth-127 capability can be copied; revoking the chain's root deletes all");
    check_tree("the CNode errors");
}

/* ---- Semantics ----------------------------------------------------------- */

static void test_identify(void)
{
    setup(UT_MAX_BITS);
    build_objects();
    const unsigned all = COFFER_RIGHTS_ALL, rw = COFFER_RIGHT_READ | COFFER_RIGHT_WRITE;
    tap_ok(id0(ROOT) == id_of(COFFER_OBJ_CNODE, all, ROOT_BITS, 0, 0) &&
               id1(ROOT) == COFFER_GUARD(64 - ROOT_BITS, 0),
           "identify: the root CNode (2^8 slots, guard value 0)");
    tap_ok(id0(UT) == id_of(COFFER_OBJ_UNTYPED, all, UT_MAX_BITS, 0, 0) &&
               id1(UT) == (1u << UT_MAX_BITS) - 0x8800 &&
               id0(DEV) == id_of(COFFER_OBJ_UNTYPED, all, DEV_BITS, 0, CAP_FLAG_DEVICE) &&
               id1(DEV) == 1u << DEV_BITS,
           "identify: untyped (size, free bytes above the watermark, DEVICE flag)");
    tap_ok(id0(EP) == id_of(COFFER_OBJ_ENDPOINT, all, 0, 0, 0) && id1(EP) == 0 &&
               id0(BADGED) == id_of(COFFER_OBJ_ENDPOINT, all, 0, 1, CAP_FLAG_BADGED) && id1(BADGED) == 0x42,
           "identify: an endpoint and its badged child (depth 1, BADGED, badge)");
    tap_ok(id0(FR) == id_of(COFFER_OBJ_FRAME, all, 14, 0, 0) && id1(FR) == COFFER_WINDOW(0, 0x4000) &&
               id1(WIN) == COFFER_WINDOW(0x1000, 0x2000) && id0(TCB) == id_of(COFFER_OBJ_TCB, all, 0, 0, 0),
           "identify: a frame (whole window), its window child, a TCB");
    tap_ok(identify(NONE).error == COFFER_ERR_OK && id0(NONE) == COFFER_ID_TYPE_NULL && id1(NONE) == 0,
           "identify: an empty slot is type NULL");
    struct coffer_result r = mint(50, ROOT, rw, COFFER_GUARD(48, 0xab));
    tap_ok(ok(r) && id0(50) == id_of(COFFER_OBJ_CNODE, rw, ROOT_BITS, 1, 0) &&
               id1(50) == COFFER_GUARD(48, 0xab),
           "identify: a root CNode minted with fewer rights and a 48-bit guard 0xab");
    r = call(50, COFFER_INV_CNODE_IDENTIFY, 0xab00 | EP, 56, 0, 0, 0);
    tap_ok(ok(r) && r.detail0 == id0(EP), "cspace: the guarded CNode resolves 56-bit pointers");
    tap_ok(ok(copy(51, 50)) && id0(51) == id0(50) && id1(51) == COFFER_GUARD(48, 0xab) &&
               ok(call(51, COFFER_INV_CNODE_IDENTIFY, 0xab00 | EP, 56, 0, 0, 0)),
           "copy: a guarded CNode's copy keeps its rights and guard, and resolves the same pointers");
    expect(call(50, COFFER_INV_CNODE_IDENTIFY, 0xac00 | EP, 56, 0, 0, 0), COFFER_ERR_FAILED_LOOKUP,
           LOOKUP(0, GUARD_MISMATCH), 56, "cspace: a pointer with the wrong guard value fails");
    expect(call(50, COFFER_INV_CNODE_IDENTIFY, 0xab00 | EP, 55, 0, 0, 0), COFFER_ERR_FAILED_LOOKUP,
           LOOKUP(0, DEPTH_MISMATCH), 55, "cspace: 55 bits are too few for the guarded CNode");
    r = call(CN, COFFER_INV_CNODE_IDENTIFY, 0, 4, 0, 0, 0);
    tap_ok(ok(r) && r.detail0 == id0(EP), "identify: a slot of a sub-CNode (4-bit pointer)");
    check_tree("identify");
}

static void test_derivation(void)
{
    setup(UT_MAX_BITS);
    build_objects();
    const unsigned rw = COFFER_RIGHT_READ | COFFER_RIGHT_WRITE;
    bool good = ok(mint(50, EP, rw, 0)) && ok(mint(51, 50, COFFER_RIGHTS_ALL, 0)) &&
                ok(mint(52, 50, COFFER_RIGHT_READ | COFFER_RIGHT_GRANT, 0));
    tap_ok(good && COFFER_ID_RIGHTS(id0(50)) == rw && COFFER_ID_DEPTH(id0(50)) == 1 &&
               COFFER_ID_RIGHTS(id0(51)) == rw && COFFER_ID_DEPTH(id0(51)) == 2 &&
               COFFER_ID_RIGHTS(id0(52)) == COFFER_RIGHT_READ,
           "mint: rights narrow (never widen) and depth grows by one");
    good = ok(call(ROOT, COPY, 53, COFFER_CNODE_ARG1(D, D, 0), ROOT, 50, 0));
    tap_ok(good && id0(53) == id0(50) && cdt_parent(&root_slots[53]) == &root_slots[EP] &&
               cdt_first_descendant(&root_slots[53]) == NULL,
           "copy: keeps depth and rights (its rights argument is ignored); a sibling, not a child");
    tap_ok(ok(copy(54, BADGED)) && id0(54) == id0(BADGED) && id1(54) == 0x42,
           "copy: keeps the badge");
    size_t n = cdt_count();
    uint64_t d = id0(50);
    good = ok(move(60, 50)) && is_null(50) && id0(60) == d && cdt_count() == n && cdt_check() == 0;
    tap_ok(good && cdt_parent(&root_slots[51]) == &root_slots[60] &&
               cdt_parent(&root_slots[60]) == &root_slots[EP],
           "move: the capability and its place in the tree change slot");
    tap_ok(ok(mint(55, 53, COFFER_RIGHTS_ALL, 0)) && ok(revoke(60)) && is_null(51) && is_null(52) &&
               !is_null(60) && !is_null(53) && !is_null(55) && cdt_count() == n - 1,
           "revoke: deletes exactly the descendants (not the copy's children)");
    const struct slot *cn_slots = (const struct slot *)(void *)(ut_mem + 0x8000);
    tap_ok(ok(revoke(EP)) && is_null(60) && is_null(53) && is_null(55) && is_null(BADGED) &&
               is_null(54) && !is_null(EP) && cn_slots[0].cap.type == CAP_ENDPOINT,
           "revoke: the endpoint's minted line goes; its depth-0 copy in the sub-CNode stays");
    tap_ok(ok(copy(61, FR)) && ok(mutate(62, 61, COFFER_RIGHT_READ, COFFER_WINDOW(0x1000, 0x1000))) &&
               is_null(61) && id0(62) == id_of(COFFER_OBJ_FRAME, COFFER_RIGHT_READ, 14, 0, 0) &&
               id1(62) == COFFER_WINDOW(0x1000, 0x1000) && cdt_parent(&root_slots[62]) == &root_slots[UT],
           "mutate: moves and narrows a frame copy in place (rights, window; depth 0 stays)");
    tap_ok(ok(retype(UT, COFFER_OBJ_NOTIFICATION, 0, 1, 63, W)) && ok(copy(64, 63)) &&
               ok(mutate(65, 64, COFFER_RIGHTS_ALL, 9)) && id1(65) == 9 &&
               COFFER_ID_FLAGS(id0(65)) == CAP_FLAG_BADGED && COFFER_ID_FLAGS(id0(63)) == 0,
           "mutate: badges an unbadged notification copy");
    tap_ok(ok(copy(66, CN)) && ok(mutate(67, 66, COFFER_RIGHTS_ALL, COFFER_GUARD(4, 5))) &&
               id1(67) == COFFER_GUARD(4, 5) &&
               ok(call(67, COFFER_INV_CNODE_IDENTIFY, 0x50, 8, 0, 0, 0)),
           "mutate: gives a CNode copy a 4-bit guard that lookups then use");
    tap_ok(ok(mutate(68, 67, COFFER_RIGHTS_ALL, COFFER_GUARD(0, 0))) && id1(68) == 0 &&
               ok(call(68, COFFER_INV_CNODE_IDENTIFY, 0, 4, 0, 0, 0)) &&
               ok(mutate(67, 68, COFFER_RIGHTS_ALL, COFFER_GUARD(4, 5))), /* as it was */
           "mutate: data 0 on a CNode sets the empty guard (it is not 'keep')");
    tap_ok(ok(move(70, DEV)) && is_null(DEV) && ok(retype(70, COFFER_OBJ_FRAME, 12, 1, 71, W)) &&
               cdt_parent(&root_slots[71]) == &root_slots[70],
           "move: an untyped moves, and its children follow");
    check_tree("mint, copy, move, mutate, revoke");
    /* Delete. */
    uint64_t fr_off = root_slots[FR].cap.object - (uintptr_t)ut_mem;
    tap_ok(ok(del(67)) && is_null(67) && !is_null(CN), "delete: a non-last capability to a non-empty CNode");
    tap_ok(ok(call(CN, COFFER_INV_CNODE_DELETE, 0, 4, 0, 0, 0)) && ok(del(CN)) && is_null(CN) &&
               ok(retype(UT, COFFER_OBJ_CNODE, 4, 1, CN, 0x8000)),
           "delete: an emptied CNode's last capability, and its memory is free at once");
    tap_ok(ok(del(WIN)) && ok(del(62)) && retype(UT, COFFER_OBJ_FRAME, 12, 1, 72, fr_off).error ==
                                             COFFER_ERR_REVOKE_FIRST,
           "delete: while one capability is left, the object's memory stays in use");
    tap_ok(ok(del(FR)) && ok(retype(UT, COFFER_OBJ_FRAME, 12, 1, 72, fr_off + 0x1000)) &&
               ok(retype(UT, COFFER_OBJ_ENDPOINT, 0, 2, 73, fr_off + 0x40)),
           "delete: the last capability frees the range for new objects at once");
    tap_ok(ok(retype(UT, COFFER_OBJ_UNTYPED, 12, 1, 75, W)) && ok(del(75)) && is_null(75),
           "delete: an untyped without children");
    tap_ok(ok(revoke(UT)) && id1(UT) == 1u << UT_MAX_BITS && cdt_count() == 5 && is_null(EP),
           "revoke: the untyped deletes everything retyped from it and resets its watermark");
    check_tree("deletes");
}

/*
 * Revoking an untyped deletes from the highest address down, one
 * capability at a time; the last capability to a CNode that still holds
 * capabilities tears the CNode down with everything in it (test_zombie
 * has the hard cases).
 */
static void test_revoke_cnode(void)
{
    setup(UT_MAX_BITS);
    bool good = ok(retype(UT, COFFER_OBJ_ENDPOINT, 0, 1, 20, W)) &&
                ok(retype(UT, COFFER_OBJ_CNODE, 4, 1, 21, W)) &&
                ok(call(21, COPY, 0, COFFER_CNODE_ARG1(4, D, 0), ROOT, 20, 0)) &&
                ok(retype(UT, COFFER_OBJ_FRAME, 12, 1, 22, W));
    tap_ok(good && ok(revoke(UT)) && is_null(20) && is_null(21) && is_null(22) &&
               id1(UT) == 1u << UT_MAX_BITS && cdt_count() == 4,
           "revoke: a CNode holding a capability is torn down with it");
    good = ok(retype(UT, COFFER_OBJ_CNODE, 4, 1, 21, W)) && ok(retype(UT, COFFER_OBJ_ENDPOINT, 0, 1, 20, W)) &&
           ok(call(21, MOVE, 0, COFFER_CNODE_ARG1(4, D, 0), ROOT, 20, 0));
    tap_ok(good && ok(revoke(UT)) && is_null(21) && cdt_count() == 4,
           "revoke: a CNode holding capabilities to objects above it");
    check_tree("revoking CNodes");
}

/*
 * CNode rights: READ to identify and to copy or mint from, WRITE to change
 * slots.  A missing right on the invoked CNode is ILLEGAL_OPERATION, on
 * the source root or a retype destination INVALID_CAPABILITY(index).
 */
static void test_cnode_rights(void)
{
    setup(UT_MAX_BITS);
    const uint64_t ro = 30, wo = 31, ep = 32, G = COFFER_GUARD(64 - ROOT_BITS, 0);
    bool good = ok(mint(ro, ROOT, COFFER_RIGHT_READ, G)) && ok(mint(wo, ROOT, COFFER_RIGHT_WRITE, G)) &&
                ok(retype(UT, COFFER_OBJ_ENDPOINT, 0, 1, ep, W));
    tap_ok(good, "rights: a read-only and a write-only copy of the root CNode");
    snapshot();
    expect(call(ro, COFFER_INV_CNODE_COPY, 40, ARG1, ROOT, ep, 0), COFFER_ERR_ILLEGAL_OPERATION, 0, 0,
           "rights: copy into a read-only CNode");
    expect(call(ro, COFFER_INV_CNODE_MOVE, 40, ARG1, ROOT, ep, 0), COFFER_ERR_ILLEGAL_OPERATION, 0, 0,
           "rights: move into a read-only CNode");
    expect(call(ro, COFFER_INV_CNODE_DELETE, ep, D, 0, 0, 0), COFFER_ERR_ILLEGAL_OPERATION, 0, 0,
           "rights: delete in a read-only CNode");
    expect(call(ro, COFFER_INV_CNODE_REVOKE, UT, D, 0, 0, 0), COFFER_ERR_ILLEGAL_OPERATION, 0, 0,
           "rights: revoke in a read-only CNode");
    expect(call(wo, COFFER_INV_CNODE_IDENTIFY, ep, D, 0, 0, 0), COFFER_ERR_ILLEGAL_OPERATION, 0, 0,
           "rights: identify in a write-only CNode");
    expect(call(ROOT, COFFER_INV_CNODE_COPY, 40, ARG1, wo, ep, 0), COFFER_ERR_INVALID_CAPABILITY, 2, 0,
           "rights: copy from a write-only CNode");
    expect(call(ROOT, COFFER_INV_CNODE_MOVE, 40, ARG1, ro, ep, 0), COFFER_ERR_INVALID_CAPABILITY, 2, 0,
           "rights: move out of a read-only CNode");
    expect(call(UT, COFFER_INV_UNTYPED_RETYPE, COFFER_RETYPE_ARG0(COFFER_OBJ_ENDPOINT, 0, D, 1), ro, 40, W, 0),
           COFFER_ERR_INVALID_CAPABILITY, 1, 0, "rights: retype into a read-only CNode");
    tap_ok(unchanged(), "rights: the refused calls changed nothing");
    tap_ok(ok(call(ro, COFFER_INV_CNODE_IDENTIFY, ep, D, 0, 0, 0)) &&
               ok(call(ROOT, COFFER_INV_CNODE_COPY, 40, ARG1, ro, ep, 0)) &&
               ok(call(wo, COFFER_INV_CNODE_COPY, 41, ARG1, ROOT, ep, 0)) &&
               ok(call(wo, COFFER_INV_CNODE_DELETE, 41, D, 0, 0, 0)),
           "rights: identify and copy-from need READ; copy-into and delete need WRITE");
    check_tree("CNode rights");
}

/* Revoke a root slot with preemption forced at every check, restarting the
 * call as the kernel would; each restarted call deletes 1..REVOKE_BATCH. */
static bool revoke_preempted(uint64_t slot, size_t expect_deleted, const char *what)
{
    size_t start = cdt_count();
    unsigned calls = 0, restarts = 0, bad_batches = 0;
    struct coffer_result r;
    host_preempt_every = true;
    do {
        size_t before = cdt_count();
        r = revoke(slot);
        calls++;
        size_t done = before - cdt_count();
        if (r.error == SYSCALL_RESTART) {
            restarts++;
            bad_batches += done == 0 || done > REVOKE_BATCH;
        }
    } while (r.error == SYSCALL_RESTART && calls < 100);
    host_preempt_every = false;
    unsigned bound = (unsigned)(expect_deleted / REVOKE_BATCH) + 1;
    tap_diag("%s: %u calls, %u restarts", what, calls, restarts);
    return ok(r) && restarts >= 1 && calls <= bound && bad_batches == 0 &&
           start - cdt_count() == expect_deleted && cdt_check() == 0;
}

static void test_revoke_preemption(void)
{
    setup(UT_MAX_BITS);
    const uint64_t cn = 20, child = 21, first = 300;
    struct slot *cslots = (struct slot *)(void *)ut_mem;
    bool good = ok(retype(UT, COFFER_OBJ_CNODE, 9, 1, cn, W)) &&
                ok(retype(UT, COFFER_OBJ_UNTYPED, 16, 1, child, W)) &&
                ok(call(child, COFFER_INV_UNTYPED_RETYPE, COFFER_RETYPE_ARG0(COFFER_OBJ_ENDPOINT, 0, D, 256),
                        cn, 0, W, 0)) &&
                ok(call(child, COFFER_INV_UNTYPED_RETYPE, COFFER_RETYPE_ARG0(COFFER_OBJ_ENDPOINT, 0, D, first - 256),
                        cn, 256, W, 0)) &&
                id1(child) == 0x10000 - first * 64;
    tap_ok(good, "preemption: 300 endpoints from a child untyped in a 512-slot CNode");
    good = revoke_preempted(child, first, "revoke of 300 objects");
    for (unsigned i = 0; i < 512; i++)
        good = good && cap_is_null(&cslots[i].cap);
    tap_ok(good && id1(child) == 0x10000,
           "preemption: revoke restarts in batches of at most 64, then every object is gone and the watermark reset");
    /* 1 + 299 capabilities to one endpoint: a child and its copies. */
    good = ok(retype(UT, COFFER_OBJ_ENDPOINT, 0, 1, 22, W)) &&
           ok(call(cn, MINT, 0, COFFER_CNODE_ARG1(9, D, COFFER_RIGHTS_ALL), ROOT, 22, 7));
    for (unsigned i = 1; i < first && good; i++)
        good = ok(call(cn, COPY, i, COFFER_CNODE_ARG1(9, 9, 0), cn, 0, 0));
    tap_ok(good && revoke_preempted(22, first, "revoke of 300 capabilities to one endpoint") &&
               !is_null(22) && cap_is_null(&cslots[0].cap) && cap_is_null(&cslots[first - 1].cap),
           "preemption: revoking 300 badged copies of an endpoint restarts and finishes");
    check_tree("preempted revokes");
}

int main(void)
{
    if (!cap_ops_alloc())
        return 1;
    test_errors();
    test_identify();
    test_derivation();
    test_revoke_cnode();
    test_cnode_rights();
    test_revoke_preemption();
    cap_ops_free();
    return tap_done();
}
