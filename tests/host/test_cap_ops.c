/*
 * The CNode invocations (copy, mint, move, mutate, delete, revoke,
 * identify) through the system-call entry point sys_CALL, on the host:
 * every error with its exact detail words (and that a failed call changed
 * nothing), the derivation semantics, revoke under forced preemption, and
 * a randomized sequence of valid and invalid invocations checking the
 * invariants after every call.  Retype's own tests are in test_retype.c.
 *
 * The CSpace is one root CNode of 2^8 slots with a 56-bit guard, so 64-bit
 * pointers below 256 name its slots; "physical" addresses are host pointers.
 *
 *   usage: test_cap_ops [seed [operations]]
 */
#include <stdlib.h>
#include <string.h>
#include "cap_delete.h"
#include "cdt.h"
#include "host_arch.h"
#include "invoke.h"
#include "tap.h"
#include "cap_fixture.h"
#include "ipc.h"
#include "test_util.h"

#define ROOT_BITS 8
#define ROOT_SLOTS (1u << ROOT_BITS)
#define D 64   /* root slots resolve with 64 bits */
#define ROOT 1 /* a copy of the root CNode capability */
#define UT 2   /* RAM untyped, 2^ut_bits bytes (1 MiB at most) */
#define DEV 3  /* 64 KiB device untyped */
#define UT_MAX_BITS 20
#define DEV_BITS 16
#define W COFFER_RETYPE_AT_WATERMARK

static struct thread *thr;
static struct slot *root_slots;
static uint8_t *ut_mem, *dev_mem;
static unsigned ut_bits;

/* A fresh CSpace: the root CNode, its copy in slot ROOT, the two untyped. */
static void setup(unsigned bits)
{
    ut_bits = bits;
    fixture_cspace(thr, root_slots, ROOT_BITS, ROOT);
    fixture_untyped(&root_slots[UT], ut_mem, bits, false);
    fixture_untyped(&root_slots[DEV], dev_mem, DEV_BITS, true);
}

static struct coffer_result call(uint64_t cptr, uint64_t label, uint64_t a0, uint64_t a1,
                                 uint64_t a2, uint64_t a3, uint64_t a4)
{
    return fixture_call(thr, cptr, label, a0, a1, a2, a3, a4);
}

static struct coffer_result retype(uint64_t ut, unsigned type, unsigned bits, uint64_t count,
                                   uint64_t index, uint64_t offset)
{
    return call(ut, COFFER_INV_UNTYPED_RETYPE, COFFER_RETYPE_ARG0(type, bits, 0, count), 0,
                index, offset, 0);
}

/* The CNode operations on root slots (invoked on ROOT, source root ROOT). */
#define ARG1 COFFER_CNODE_ARG1(D, D, 0)
#define ARG1R(rights) COFFER_CNODE_ARG1(D, D, rights)
static struct coffer_result copy(uint64_t dst, uint64_t src)
{
    return call(ROOT, COFFER_INV_CNODE_COPY, dst, ARG1, ROOT, src, 0);
}
static struct coffer_result mint(uint64_t dst, uint64_t src, unsigned rights, uint64_t data)
{
    return call(ROOT, COFFER_INV_CNODE_MINT, dst, ARG1R(rights), ROOT, src, data);
}
static struct coffer_result move(uint64_t dst, uint64_t src)
{
    return call(ROOT, COFFER_INV_CNODE_MOVE, dst, ARG1, ROOT, src, 0);
}
static struct coffer_result mutate(uint64_t dst, uint64_t src, unsigned rights, uint64_t data)
{
    return call(ROOT, COFFER_INV_CNODE_MUTATE, dst, ARG1R(rights), ROOT, src, data);
}
static struct coffer_result del(uint64_t i)
{
    return call(ROOT, COFFER_INV_CNODE_DELETE, i, D, 0, 0, 0);
}
static struct coffer_result revoke(uint64_t i)
{
    return call(ROOT, COFFER_INV_CNODE_REVOKE, i, D, 0, 0, 0);
}
static struct coffer_result identify(uint64_t i)
{
    return call(ROOT, COFFER_INV_CNODE_IDENTIFY, i, D, 0, 0, 0);
}
static uint64_t id0(uint64_t i)
{
    return identify(i).detail0;
}
static uint64_t id1(uint64_t i)
{
    return identify(i).detail1;
}
static bool is_null(uint64_t i)
{
    return id0(i) == COFFER_ID_TYPE_NULL;
}
static bool ok(struct coffer_result r)
{
    return r.error == COFFER_ERR_OK;
}
/* detail0 of IDENTIFY for the given fields. */
static uint64_t id_of(unsigned type, unsigned rights, unsigned size_bits, unsigned depth, unsigned flags)
{
    return type | rights << 8 | size_bits << 16 | depth << 24 | (uint64_t)flags << 32;
}

#define expect fixture_expect
#define check_tree fixture_check_tree

/* ---- A snapshot of everything a failed call must leave alone ------------- */

static struct slot root_before[ROOT_SLOTS], thread_root_before;
static uint8_t *ut_before;
static size_t count_before;

static void snapshot(void)
{
    memcpy(root_before, root_slots, sizeof(root_before));
    thread_root_before = thr->cspace_root;
    memcpy(ut_before, ut_mem, (size_t)1 << ut_bits);
    count_before = cdt_count();
}

static bool unchanged(void)
{
    return memcmp(root_before, root_slots, sizeof(root_before)) == 0 &&
           memcmp(&thread_root_before, &thr->cspace_root, sizeof(struct slot)) == 0 &&
           memcmp(ut_before, ut_mem, (size_t)1 << ut_bits) == 0 && cdt_count() == count_before;
}

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

#define COPY COFFER_INV_CNODE_COPY
#define MINT COFFER_INV_CNODE_MINT
#define MOVE COFFER_INV_CNODE_MOVE
#define MUTATE COFFER_INV_CNODE_MUTATE
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
 * capabilities tears the CNode down with everything in it (test_teardown
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

/* ---- Randomized invocations ---------------------------------------------- */

#define DELETE COFFER_INV_CNODE_DELETE
#define REVOKE COFFER_INV_CNODE_REVOKE
#define IDENTIFY COFFER_INV_CNODE_IDENTIFY
#define RETYPE COFFER_INV_UNTYPED_RETYPE
static const uint64_t labels[] = { RETYPE, RETYPE, RETYPE, COPY, MINT, MOVE, MUTATE,
                                   DELETE, DELETE, DELETE, REVOKE, IDENTIFY, 0x28 };

struct where {
    uint64_t cptr; /* the CNode: ROOT, or the root slot of a sub-CNode */
    uint64_t index, depth;
};

/* A random slot: mostly in the root CNode, sometimes in a sub-CNode (guard
 * 0) found in a root slot, rarely garbage.  want > 0 prefers an occupied
 * slot, want < 0 an empty one. */
static struct where pick(int want)
{
    struct where w = { ROOT, test_rng_below(ROOT_SLOTS), D };
    uint64_t r = test_rng_below(100);
    const struct slot *slots = root_slots;
    unsigned bits = ROOT_BITS;
    if (r < 4)
        return (struct where){ r < 2 ? ROOT : test_rng(), test_rng() >> test_rng_below(64),
                               test_rng_below(70) };
    for (unsigned k = 0, s = (unsigned)w.index; r < 30 && k < ROOT_SLOTS; k++, s = (s + 1) % ROOT_SLOTS) {
        const struct cap *c = &root_slots[s].cap;
        if (c->type == CAP_CNODE && c->guard_bits == 0) {
            w = (struct where){ s, test_rng_below(1u << c->size_bits), c->size_bits };
            slots = cnode_slots(c);
            bits = c->size_bits;
            break;
        }
    }
    for (unsigned k = 0; want != 0 && k < (1u << bits); k++, w.index = (w.index + 1) % (1u << bits))
        if (cap_is_null(&slots[w.index].cap) == (want < 0))
            break;
    return w;
}

static uint64_t pick_untyped(void)
{
    uint64_t s = test_rng_below(ROOT_SLOTS);
    if (test_rng_below(8) == 0)
        return s;
    for (unsigned k = 0; k < ROOT_SLOTS && root_slots[s].cap.type != CAP_UNTYPED; k++)
        s = (s + 1) % ROOT_SLOTS;
    return s;
}

static uint64_t random_data(void)
{
    switch (test_rng_below(6)) {
    case 0:
    case 1: return 0;
    case 2: return test_rng_below(4) ? 1 + test_rng_below(1000) : test_rng();
    case 3: return COFFER_WINDOW(test_rng_below(8) << 12, test_rng_below(8) << 12);
    case 4: return COFFER_GUARD(test_rng_below(8), test_rng_below(8));
    default: return COFFER_WINDOW(test_rng_below(0x4000), 0x1000);
    }
}

/* The slot a CNode operation names, or NULL if the lookup fails. */
static struct slot *resolve(uint64_t cnode, uint64_t index, uint64_t depth)
{
    struct lookup_result r = cspace_lookup(&thr->cspace_root.cap, cnode, D);
    if (r.slot == NULL || r.slot->cap.type != CAP_CNODE || depth < 1 || depth > 64)
        return NULL;
    return cspace_lookup(&r.slot->cap, index, (unsigned)depth).slot;
}

/* Moving or deleting ROOT, UT or DEV would end the useful part of the run. */
static bool protected_slot(const struct where *w)
{
    const struct slot *s = resolve(w->cptr, w->index, w->depth);
    return s == &root_slots[ROOT] || s == &root_slots[UT] || s == &root_slots[DEV];
}

/* Arguments for a random invocation with this label; false: skip it. */
static bool random_args(uint64_t label, uint64_t args[COFFER_SYSCALL_ARGS])
{
    static const unsigned types[] = { COFFER_OBJ_ENDPOINT, COFFER_OBJ_FRAME, COFFER_OBJ_CNODE,
                                      COFFER_OBJ_UNTYPED, COFFER_OBJ_NOTIFICATION, COFFER_OBJ_TCB, 12 };
    args[1] = label;
    if (label == RETYPE) {
        struct where dst = pick(-1);
        unsigned type = types[test_rng_below(ARRAY_SIZE(types))], bits = 0;
        if (type == COFFER_OBJ_FRAME || type == COFFER_OBJ_UNTYPED)
            bits = 12 + (unsigned)test_rng_below(5);
        else if (type == COFFER_OBJ_CNODE)
            bits = 1 + (unsigned)test_rng_below(4);
        if (test_rng_below(20) == 0)
            bits = (unsigned)test_rng_below(32);
        uint64_t count = test_rng_below(10) ? 1 + test_rng_below(2) : test_rng_below(300);
        args[0] = pick_untyped();
        args[2] = COFFER_RETYPE_ARG0(type, bits, dst.cptr == ROOT ? 0 : D, count);
        args[3] = dst.cptr;
        args[4] = dst.index;
        unsigned align = type == COFFER_OBJ_CNODE ? bits + 6 : bits != 0 ? bits : type == COFFER_OBJ_TCB ? 10 : 6;
        args[5] = test_rng_below(3) == 0 ? W : test_rng_below(1ull << (ut_bits + (test_rng_below(5) == 0))) & ~((1ull << align % 64) - 1);
        return true;
    }
    struct where dst = pick(label == IDENTIFY ? 0 : label <= MUTATE ? -1 : 1);
    if (label == REVOKE && test_rng_below(8) == 0)
        dst = (struct where){ ROOT, UT, D }; /* make room again */
    args[0] = dst.cptr;
    args[2] = dst.index;
    if (label <= MUTATE) {
        struct where src = pick(1);
        args[3] = COFFER_CNODE_ARG1(dst.depth, src.depth, test_rng_below(16));
        args[4] = src.cptr;
        args[5] = src.index;
        args[6] = random_data();
        return !((label == MOVE || label == MUTATE) && protected_slot(&src));
    }
    args[3] = dst.depth;
    return !(label == DELETE && protected_slot(&dst));
}

/*
 * After a successful retype: the new objects' memory is zero (RAM only).
 * Then frames and notifications are "used": a frame filled with 0xaa as a
 * user fills it, a notification given a word of signalled badges, so that
 * an object that was not zeroed when it died shows up in a later retype.
 */
static bool retyped_zeroed(const uint64_t args[COFFER_SYSCALL_ARGS])
{
    unsigned depth = (unsigned)(args[2] >> 16 & 0xff);
    const struct slot *slots =
        depth == 0 ? root_slots : cnode_slots(&cspace_lookup(&thr->cspace_root.cap, args[3], depth).slot->cap);
    const struct slot *dst = &slots[args[4]];
    bool zero = true;
    for (uint64_t i = 0; i < args[2] >> 32; i++) {
        const struct cap *c = &dst[i].cap;
        uint8_t *p = (uint8_t *)(uintptr_t)c->object;
        uint64_t size = cap_object_end(c) - c->object;
        for (uint64_t b = 0; !(c->flags & CAP_FLAG_DEVICE) && b < size; b++)
            zero = zero && p[b] == 0;
        fixture_use_object(c);
    }
    return zero;
}

static const char *check_success(uint64_t label, const uint64_t args[COFFER_SYSCALL_ARGS], size_t n)
{
    size_t want = label == RETYPE              ? count_before + (args[2] >> 32)
                  : label == COPY || label == MINT ? count_before + 1
                  : label == DELETE            ? (n < count_before ? n : count_before - 1)
                  : label == REVOKE            ? (n <= count_before ? n : count_before + 1)
                                               : count_before;
    if (n != want)
        return "a successful call changed the number of capabilities wrongly";
    if (label == IDENTIFY && !unchanged())
        return "identify changed state";
    if (label == RETYPE && !retyped_zeroed(args))
        return "a retyped object's memory is not zero";
    return NULL;
}

static void test_random(uint64_t seed, long ops)
{
    setup(17);
    test_rng_seed(seed);
    tap_diag("random invocations: seed %llu, %ld operations", (unsigned long long)seed, ops);
    const char *failure = NULL;
    long step, calls = 0, errors = 0, successes[ARRAY_SIZE(labels)] = { 0 };
    uint64_t args[COFFER_SYSCALL_ARGS];
    for (step = 0; step < ops && failure == NULL; step++) {
        size_t li = test_rng_below(ARRAY_SIZE(labels));
        memset(args, 0, sizeof(args));
        if (!random_args(labels[li], args) || fixture_threads_layer(thr, args[0]))
            continue;
        snapshot();
        host_preempt_every = (labels[li] == REVOKE || labels[li] == DELETE) && test_rng_below(2) != 0;
        struct coffer_result r;
        unsigned restarts = 0;
        do
            r = sys_CALL(thr, args);
        while (r.error == SYSCALL_RESTART && host_preempt_every && ++restarts < 1000);
        host_preempt_every = false;
        calls++;
        if (cdt_check() != 0)
            failure = "cdt_check() failed";
        else if (r.error == SYSCALL_RESTART)
            failure = "a restart without preemption, or a revoke that never finished";
        else if (r.error == COFFER_ERR_OK)
            failure = check_success(labels[li], args, cdt_count());
        else if (!unchanged())
            failure = "a failed call changed state";
        errors += r.error != COFFER_ERR_OK;
        successes[li] += r.error == COFFER_ERR_OK;
    }
    if (failure != NULL)
        tap_diag("step %ld: %s; call %#llx label %#llx args %#llx %#llx %#llx %#llx %#llx", step - 1,
                 failure, (unsigned long long)args[0], (unsigned long long)args[1],
                 (unsigned long long)args[2], (unsigned long long)args[3], (unsigned long long)args[4],
                 (unsigned long long)args[5], (unsigned long long)args[6]);
    tap_diag("%ld calls, %ld errors; successes: retype %ld, copy %ld, mint %ld, move %ld, mutate %ld, "
             "delete %ld, revoke %ld, identify %ld; %zu capabilities at the end",
             calls, errors, successes[0] + successes[1] + successes[2], successes[3], successes[4],
             successes[5], successes[6], successes[7] + successes[8] + successes[9], successes[10],
             successes[11], cdt_count());
    tap_ok(failure == NULL, "random: invariants hold after every call, failed calls change nothing, "
                            "successful ones change the count as they should");
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 20261123;
    long ops = argc > 2 ? strtol(argv[2], NULL, 10) : 20000;
    thr = aligned_alloc(64, (sizeof(struct thread) + 63) & ~(size_t)63);
    root_slots = aligned_alloc(ROOT_SLOTS * sizeof(struct slot), ROOT_SLOTS * sizeof(struct slot));
    ut_mem = aligned_alloc(1u << UT_MAX_BITS, 1u << UT_MAX_BITS);
    dev_mem = aligned_alloc(1u << DEV_BITS, 1u << DEV_BITS);
    ut_before = malloc(1u << UT_MAX_BITS);
    if (thr == NULL || root_slots == NULL || ut_mem == NULL || dev_mem == NULL || ut_before == NULL)
        return 1;
    test_errors();
    test_identify();
    test_derivation();
    test_revoke_cnode();
    test_cnode_rights();
    test_revoke_preemption();
    test_random(seed, ops);
    free(thr);
    free(root_slots);
    free(ut_mem);
    free(dev_mem);
    free(ut_before);
    return tap_done();
}
