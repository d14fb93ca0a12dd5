/*
 * Untyped retype through the system-call entry point sys_CALL, on the host:
 * every error of UNTYPED_RETYPE with its exact detail words (and that a
 * failed call changed nothing: slots, tree, memory, watermark), then the
 * successful placements -- at the watermark, at explicit offsets into
 * holes, several objects at once, child untyped -- and that objects come
 * out zero because they are zeroed when they die (never device memory),
 * large ones in preemptible chunks.  The CNode invocations are in
 * test_cnode.c.
 *
 * The CSpace is one root CNode of 2^8 slots with a 56-bit guard, so 64-bit
 * pointers below 256 name its slots; "physical" addresses are host pointers.
 */
#include <stdlib.h>
#include <string.h>
#include "cap/cap_delete.h"
#include "cap/cdt.h"
#include "host_arch.h"
#include "object/invoke.h"
#include "tap.h"
#include "cap_fixture.h"
#include "thread/ipc.h"
#include "object/vspace.h"

#define ROOT_BITS 8
#define ROOT_SLOTS (1u << ROOT_BITS)
#define D 64         /* root slots resolve with 64 bits */
#define ROOT 1       /* a copy of the root CNode capability */
#define UT 2         /* 1 MiB RAM untyped */
#define DEV 3        /* 64 KiB device untyped */
#define UT_BITS 20
#define DEV_BITS 16
#define W COFFER_RETYPE_AT_WATERMARK
#define KIB 1024ull

static struct thread *thr;
static struct slot *root_slots;
static uint8_t *ut_mem, *dev_mem;

/* A fresh CSpace: the root CNode, its copy in slot ROOT, the two untyped. */
static void setup(void)
{
    fixture_cspace(thr, root_slots, ROOT_BITS, ROOT);
    fixture_untyped(&root_slots[UT], ut_mem, UT_BITS, false);
    fixture_untyped(&root_slots[DEV], dev_mem, DEV_BITS, true);
}

static struct coffer_result call(uint64_t cptr, uint64_t label, uint64_t a0, uint64_t a1,
                                 uint64_t a2, uint64_t a3, uint64_t a4)
{
    return fixture_call(thr, cptr, label, a0, a1, a2, a3, a4);
}

/* Retype into the root CNode (destination depth 0). */
static struct coffer_result retype(uint64_t ut, unsigned type, unsigned bits, uint64_t count,
                                   uint64_t index, uint64_t offset)
{
    return call(ut, COFFER_INV_UNTYPED_RETYPE, COFFER_RETYPE_ARG0(type, bits, 0, count), 0,
                index, offset, 0);
}

static struct coffer_result identify(uint64_t index)
{
    return call(ROOT, COFFER_INV_CNODE_IDENTIFY, index, D, 0, 0, 0);
}

static uint64_t free_bytes(uint64_t ut)
{
    return identify(ut).detail1;
}

static bool is_ok(struct coffer_result r, uint64_t d0)
{
    return r.error == COFFER_ERR_OK && r.detail0 == d0 && r.detail1 == 0;
}

#define expect fixture_expect
#define check_tree fixture_check_tree

/* ---- A snapshot of everything a failed call must leave alone ------------- */

static struct slot root_before[ROOT_SLOTS], thread_root_before;
static uint8_t *ut_before, *dev_before;
static size_t count_before;

static void snapshot(void)
{
    memcpy(root_before, root_slots, sizeof(root_before));
    thread_root_before = thr->cspace_root;
    memcpy(ut_before, ut_mem, 1u << UT_BITS);
    memcpy(dev_before, dev_mem, 1u << DEV_BITS);
    count_before = cdt_count();
}

static bool unchanged(void)
{
    return memcmp(root_before, root_slots, sizeof(root_before)) == 0 &&
           memcmp(&thread_root_before, &thr->cspace_root, sizeof(struct slot)) == 0 &&
           memcmp(ut_before, ut_mem, 1u << UT_BITS) == 0 &&
           memcmp(dev_before, dev_mem, 1u << DEV_BITS) == 0 && cdt_count() == count_before;
}

/* ---- Errors ---------------------------------------------------------------- */

#define RT(type, bits, depth, count) COFFER_RETYPE_ARG0(COFFER_OBJ_##type, bits, depth, count)
#define LOOKUP(level, kind) ((uint64_t)(level) | (uint64_t)COFFER_LOOKUP_##kind << 32)
#define E 20    /* first empty destination */
#define F 16    /* a 4 KiB frame at offset 0 */
#define CU 17   /* a 64 KiB child untyped at offset 64 KiB */
#define CE 18   /* an endpoint retyped from CU at its offset 0x80 */
#define EP 22   /* an endpoint at offset 0x2000 */
#define SMALL 23 /* a CNode of 2 slots at 0x20000 */
#define FREE_AT_W ((1ull << UT_BITS) - 0x20080) /* free above the watermark */

struct error_case {
    const char *name;
    uint64_t cptr, label, arg[5];
    uint64_t err, d0, d1;
};

static const struct error_case retype_errors[] = {
#define INV COFFER_INV_UNTYPED_RETYPE
    { "unknown type (12)", UT, INV, { RT(UNTYPED, 0, 0, 1) + 12, 0, E, W, 0 }, COFFER_ERR_INVALID_ARGUMENT, 0, 0 },
    { "the ASID control is not retypable", UT, INV, { RT(ASID_CONTROL, 0, 0, 1), 0, E, W, 0 }, COFFER_ERR_INVALID_ARGUMENT, 0, 0 },
    { "unknown type (0xff)", UT, INV, { RT(UNTYPED, 0, 0, 1) + 0xff, 0, E, W, 0 }, COFFER_ERR_INVALID_ARGUMENT, 0, 0 },
    { "untyped below 64 bytes", UT, INV, { RT(UNTYPED, 5, 0, 1), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 6, 47 },
    { "untyped above 2^47", UT, INV, { RT(UNTYPED, 48, 0, 1), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 6, 47 },
    { "untyped as large as its parent", UT, INV, { RT(UNTYPED, UT_BITS, 0, 1), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 6, UT_BITS - 1 },
    { "untyped larger than its parent", UT, INV, { RT(UNTYPED, 40, 0, 1), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 6, UT_BITS - 1 },
    { "CNode of 2^0 slots", UT, INV, { RT(CNODE, 0, 0, 1), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 1, 24 },
    { "CNode of 2^25 slots", UT, INV, { RT(CNODE, 25, 0, 1), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 1, 24 },
    { "frame of 2^11 bytes", UT, INV, { RT(FRAME, 11, 0, 1), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 12, 30 },
    { "frame of 2^31 bytes", UT, INV, { RT(FRAME, 31, 0, 1), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 12, 30 },
    { "size bits for an endpoint", UT, INV, { RT(ENDPOINT, 1, 0, 1), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 0, 0 },
    { "size bits for a notification", UT, INV, { RT(NOTIFICATION, 6, 0, 1), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 0, 0 },
    { "size bits for a reply", UT, INV, { RT(REPLY, 1, 0, 1), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 0, 0 },
    { "size bits for a TCB", UT, INV, { RT(TCB, 10, 0, 1), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 0, 0 },
    { "size bits for a scheduling context", UT, INV, { RT(SCHED_CONTEXT, 8, 0, 1), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 0, 0 },
    { "size bits for a page table", UT, INV, { RT(PAGE_TABLE, 12, 0, 1), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 0, 0 },
    { "size bits for a VSpace", UT, INV, { RT(VSPACE, 255, 0, 1), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 0, 0 },
    { "count 0", UT, INV, { RT(ENDPOINT, 0, 0, 0), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 1, 256 },
    { "count 257", UT, INV, { RT(ENDPOINT, 0, 0, 257), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 1, 256 },
    { "count 2^32 - 1", UT, INV, { RT(ENDPOINT, 0, 0, 0xffffffffu), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 1, 256 },
    { "destination depth 65", UT, INV, { RT(ENDPOINT, 0, 65, 1), ROOT, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 0, 64 },
    { "destination depth 255", UT, INV, { RT(ENDPOINT, 0, 255, 1), ROOT, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 0, 64 },
    { "destination CNode pointer names a frame", UT, INV, { RT(ENDPOINT, 0, 64, 1), F, E, W, 0 }, COFFER_ERR_INVALID_CAPABILITY, 1, 0 },
    { "destination CNode pointer names an empty slot", UT, INV, { RT(ENDPOINT, 0, 64, 1), 99, E, W, 0 }, COFFER_ERR_INVALID_CAPABILITY, 1, 0 },
    { "destination CNode pointer fails the root guard", UT, INV, { RT(ENDPOINT, 0, 64, 1), 1u << ROOT_BITS, E, W, 0 }, COFFER_ERR_FAILED_LOOKUP, LOOKUP(0, GUARD_MISMATCH), 64 },
    { "destination CNode pointer too short for the root", UT, INV, { RT(ENDPOINT, 0, 32, 1), ROOT, E, W, 0 }, COFFER_ERR_FAILED_LOOKUP, LOOKUP(0, DEPTH_MISMATCH), 32 },
    { "destination index 256 of 256", UT, INV, { RT(ENDPOINT, 0, 0, 1), 0, 256, W, 0 }, COFFER_ERR_RANGE_ERROR, 0, 255 },
    { "destination index 2^63", UT, INV, { RT(ENDPOINT, 0, 0, 1), 0, 1ull << 63, W, 0 }, COFFER_ERR_RANGE_ERROR, 0, 255 },
    { "destination range 255..256 past the CNode", UT, INV, { RT(ENDPOINT, 0, 0, 2), 0, 255, W, 0 }, COFFER_ERR_RANGE_ERROR, 0, 254 },
    { "destination range past a 2-slot CNode", UT, INV, { RT(ENDPOINT, 0, 64, 2), SMALL, 1, W, 0 }, COFFER_ERR_RANGE_ERROR, 0, 0 },
    { "third destination slot occupied", UT, INV, { RT(ENDPOINT, 0, 0, 3), 0, E, W, 0 }, COFFER_ERR_DELETE_FIRST, 2, EP },
    { "destination is the untyped's own slot", UT, INV, { RT(ENDPOINT, 0, 0, 1), 0, UT, W, 0 }, COFFER_ERR_DELETE_FIRST, 2, UT },
    { "frame at an offset not 4 KiB aligned", UT, INV, { RT(FRAME, 12, 0, 1), 0, E, 0x800, 0 }, COFFER_ERR_ALIGNMENT_ERROR, 3, 4096 },
    { "16 KiB frame at a 4 KiB offset", UT, INV, { RT(FRAME, 14, 0, 1), 0, E, 0x1000, 0 }, COFFER_ERR_ALIGNMENT_ERROR, 3, 16384 },
    { "1 KiB CNode at a 512-byte offset", UT, INV, { RT(CNODE, 4, 0, 1), 0, E, 0x200, 0 }, COFFER_ERR_ALIGNMENT_ERROR, 3, 1024 },
    { "endpoint at a 32-byte offset", UT, INV, { RT(ENDPOINT, 0, 0, 1), 0, E, 0x20, 0 }, COFFER_ERR_ALIGNMENT_ERROR, 3, 64 },
    { "TCB at a 512-byte offset", UT, INV, { RT(TCB, 0, 0, 1), 0, E, 0x200, 0 }, COFFER_ERR_ALIGNMENT_ERROR, 3, 1024 },
    { "64 KiB untyped at a 32 KiB offset", UT, INV, { RT(UNTYPED, 16, 0, 1), 0, E, 0x8000, 0 }, COFFER_ERR_ALIGNMENT_ERROR, 3, 65536 },
    { "offset at the end of the untyped", UT, INV, { RT(FRAME, 12, 0, 1), 0, E, 1ull << UT_BITS, 0 }, COFFER_ERR_NOT_ENOUGH_MEMORY, 0, 0 },
    { "offset far past the end", UT, INV, { RT(FRAME, 12, 0, 1), 0, E, 1ull << 40, 0 }, COFFER_ERR_NOT_ENOUGH_MEMORY, 0, 0 },
    { "offset 2^63", UT, INV, { RT(ENDPOINT, 0, 0, 1), 0, E, 1ull << 63, 0 }, COFFER_ERR_NOT_ENOUGH_MEMORY, 0, 0 },
    { "two frames at the last page", UT, INV, { RT(FRAME, 12, 0, 2), 0, E, (1ull << UT_BITS) - 4096, 0 }, COFFER_ERR_NOT_ENOUGH_MEMORY, 4096, 0 },
    { "two 512 KiB frames at 512 KiB", UT, INV, { RT(FRAME, 19, 0, 2), 0, E, 512 * KIB, 0 }, COFFER_ERR_NOT_ENOUGH_MEMORY, 512 * KIB, 0 },
    { "1 MiB frame at the watermark", UT, INV, { RT(FRAME, 20, 0, 1), 0, E, W, 0 }, COFFER_ERR_NOT_ENOUGH_MEMORY, FREE_AT_W, 0 },
    { "120 8 KiB frames at the watermark", UT, INV, { RT(FRAME, 13, 0, 120), 0, 30, W, 0 }, COFFER_ERR_NOT_ENOUGH_MEMORY, FREE_AT_W, 0 },
    { "two 512 KiB untyped at the (aligned) watermark", UT, INV, { RT(UNTYPED, 19, 0, 2), 0, E, W, 0 }, COFFER_ERR_NOT_ENOUGH_MEMORY, FREE_AT_W, 0 },
    { "endpoint inside a live frame", UT, INV, { RT(ENDPOINT, 0, 0, 1), 0, E, 0x40, 0 }, COFFER_ERR_REVOKE_FIRST, 0, 0 },
    { "frame exactly over a live frame", UT, INV, { RT(FRAME, 12, 0, 1), 0, E, 0, 0 }, COFFER_ERR_REVOKE_FIRST, 0, 0 },
    { "8 KiB frame covering a live endpoint", UT, INV, { RT(FRAME, 13, 0, 1), 0, E, 0x2000, 0 }, COFFER_ERR_REVOKE_FIRST, 0, 0 },
    { "endpoints ending on a live endpoint", UT, INV, { RT(ENDPOINT, 0, 0, 2), 0, E, 0x1fc0, 0 }, COFFER_ERR_REVOKE_FIRST, 0, 0 },
    { "over an object inside a child untyped", UT, INV, { RT(ENDPOINT, 0, 0, 1), 0, E, 0x10080, 0 }, COFFER_ERR_REVOKE_FIRST, 0, 0 },
    { "inside a child untyped, covered from below", UT, INV, { RT(FRAME, 12, 0, 1), 0, E, 0x18000, 0 }, COFFER_ERR_REVOKE_FIRST, 0, 0 },
    { "the child untyped's last page", UT, INV, { RT(FRAME, 12, 0, 1), 0, E, 0x1f000, 0 }, COFFER_ERR_REVOKE_FIRST, 0, 0 },
    { "frames running into a child untyped", UT, INV, { RT(FRAME, 12, 0, 2), 0, E, 0xf000, 0 }, COFFER_ERR_REVOKE_FIRST, 0, 0 },
    { "128 KiB untyped containing a child untyped", UT, INV, { RT(UNTYPED, 17, 0, 1), 0, E, 0, 0 }, COFFER_ERR_REVOKE_FIRST, 0, 0 },
    { "child: over its own live endpoint", CU, INV, { RT(ENDPOINT, 0, 0, 1), 0, E, 0x80, 0 }, COFFER_ERR_REVOKE_FIRST, 0, 0 },
    { "child: untyped as large as the child", CU, INV, { RT(UNTYPED, 16, 0, 1), 0, E, W, 0 }, COFFER_ERR_RANGE_ERROR, 6, 15 },
    { "child: offset at its end", CU, INV, { RT(FRAME, 12, 0, 1), 0, E, 0x10000, 0 }, COFFER_ERR_NOT_ENOUGH_MEMORY, 0, 0 },
    { "device untyped to an endpoint", DEV, INV, { RT(ENDPOINT, 0, 0, 1), 0, E, W, 0 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "device untyped to a CNode", DEV, INV, { RT(CNODE, 4, 0, 1), 0, E, W, 0 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "device untyped to a TCB", DEV, INV, { RT(TCB, 0, 0, 1), 0, E, W, 0 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "device untyped to a page table", DEV, INV, { RT(PAGE_TABLE, 0, 0, 1), 0, E, W, 0 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "device untyped to a VSpace (bad size bits too)", DEV, INV, { RT(VSPACE, 3, 0, 1), 0, E, W, 0 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "device untyped: an unknown type is checked first", DEV, INV, { RT(UNTYPED, 0, 0, 1) + 12, 0, E, W, 0 }, COFFER_ERR_INVALID_ARGUMENT, 0, 0 },
#undef INV
    { "an untyped invoked with CNODE_COPY", UT, COFFER_INV_CNODE_COPY, { 0 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "an untyped invoked with label 0", UT, 0, { RT(ENDPOINT, 0, 0, 1), 0, E, W, 0 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "an untyped invoked with label 0x12", UT, 0x12, { RT(ENDPOINT, 0, 0, 1), 0, E, W, 0 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "DESCRIBE by a thread without an IPC buffer", UT, COFFER_INV_UNTYPED_DESCRIBE, { 0 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "RETYPE on a frame", F, COFFER_INV_UNTYPED_RETYPE, { RT(ENDPOINT, 0, 0, 1), 0, E, W, 0 }, COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    { "RETYPE on an empty slot", 99, COFFER_INV_UNTYPED_RETYPE, { RT(ENDPOINT, 0, 0, 1), 0, E, W, 0 }, COFFER_ERR_INVALID_CAPABILITY, 0, 0 },
    { "RETYPE on a pointer failing the root guard", 1ull << 63 | UT, COFFER_INV_UNTYPED_RETYPE, { RT(ENDPOINT, 0, 0, 1), 0, E, W, 0 }, COFFER_ERR_FAILED_LOOKUP, LOOKUP(0, GUARD_MISMATCH), 64 },
};

static void test_errors(void)
{
    setup();
    memset(ut_mem, 0x5a, 1u << UT_BITS); /* so that zeroing by a failed retype shows */
    memset(dev_mem, 0x5a, 1u << DEV_BITS);
    bool ok = is_ok(retype(UT, COFFER_OBJ_FRAME, 12, 1, F, W), 0) &&
              is_ok(retype(UT, COFFER_OBJ_UNTYPED, 16, 1, CU, 0x10000), 0x10000) &&
              is_ok(retype(CU, COFFER_OBJ_ENDPOINT, 0, 1, CE, 0x80), 0x80) &&
              is_ok(retype(UT, COFFER_OBJ_ENDPOINT, 0, 1, EP, 0x2000), 0x2000) &&
              is_ok(retype(UT, COFFER_OBJ_CNODE, 1, 1, SMALL, W), 0x20000);
    tap_ok(ok, "retype errors: set up a frame, a child untyped with an endpoint, a 2-slot CNode");
    uint64_t ut_free = free_bytes(UT), cu_free = free_bytes(CU);
    ok = ok && ut_free == FREE_AT_W && cu_free == 0x10000 - 0xc0;
    const char *changed_by = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(retype_errors); i++) {
        const struct error_case *c = &retype_errors[i];
        char name[160];
        snprintf(name, sizeof(name), "retype: %s", c->name);
        snapshot();
        expect(call(c->cptr, c->label, c->arg[0], c->arg[1], c->arg[2], c->arg[3], c->arg[4]),
               c->err, c->d0, c->d1, name);
        if (!unchanged() && changed_by == NULL)
            changed_by = c->name;
    }
    if (changed_by != NULL)
        tap_diag("first call that changed state: %s", changed_by);
    tap_ok(ok && changed_by == NULL && free_bytes(UT) == ut_free && free_bytes(CU) == cu_free &&
               cap_is_null(&root_slots[E].cap),
           "retype errors: no failed call changed a slot, the tree, memory or a watermark");
    /* Count larger than a small destination CNode: the range [0, slots - count]
     * is empty; its upper bound must not wrap around. */
    struct coffer_result r = call(UT, COFFER_INV_UNTYPED_RETYPE, RT(ENDPOINT, 0, 64, 3), SMALL, 0, W, 0);
    if (r.detail1 > 2)
        tap_diag("got RANGE_ERROR(%llu, %#llx)", (unsigned long long)r.detail0,
                 (unsigned long long)r.detail1);
    tap_ok(r.error == COFFER_ERR_RANGE_ERROR && r.detail0 == 1 && r.detail1 == 2,
           "retype: 3 objects into a 2-slot CNode is RANGE_ERROR(1, 2) for the count");
    check_tree("the retype errors");
}

/* ---- Successful retypes ------------------------------------------------------- */

static bool all_bytes(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

static bool ids(uint64_t slot, unsigned type, unsigned size_bits, unsigned flags)
{
    uint64_t d = identify(slot).detail0;
    return COFFER_ID_TYPE(d) == type && COFFER_ID_SIZE_BITS(d) == size_bits &&
           COFFER_ID_FLAGS(d) == flags && COFFER_ID_RIGHTS(d) == COFFER_RIGHTS_ALL &&
           COFFER_ID_DEPTH(d) == 0;
}

static uint64_t obj(uint64_t slot)
{
    return root_slots[slot].cap.object - (uintptr_t)ut_mem;
}

static void test_watermark_and_holes(void)
{
    setup();
    const uint64_t size = 1ull << UT_BITS;
    struct coffer_result r = retype(UT, COFFER_OBJ_ENDPOINT, 0, 1, 20, W);
    tap_ok(is_ok(r, 0) && ids(20, COFFER_OBJ_ENDPOINT, 0, 0) && free_bytes(UT) == size - 64 &&
               all_bytes(ut_mem, 64, 0),
           "retype: an endpoint at the watermark (offset 0), zero");
    r = retype(UT, COFFER_OBJ_FRAME, 12, 1, 21, W);
    tap_ok(is_ok(r, 4096) && ids(21, COFFER_OBJ_FRAME, 12, 0) && free_bytes(UT) == size - 8192 &&
               all_bytes(ut_mem + 4096, 4096, 0),
           "retype: a frame at the watermark is aligned up to 4096; the watermark moves to its end");
    r = retype(UT, COFFER_OBJ_ENDPOINT, 0, 1, 22, W);
    tap_ok(is_ok(r, 8192) && free_bytes(UT) == size - 8256,
           "retype: the next object at the watermark goes above it, not into the hole below");
    r = retype(UT, COFFER_OBJ_ENDPOINT, 0, 1, 23, 0x40);
    struct coffer_result r2 = retype(UT, COFFER_OBJ_CNODE, 4, 1, 24, 0x400);
    tap_ok(is_ok(r, 0x40) && is_ok(r2, 0x400) && ids(24, COFFER_OBJ_CNODE, 4, 0) &&
               obj(23) == 0x40 && obj(24) == 0x400 && free_bytes(UT) == size - 8256 &&
               all_bytes(ut_mem + 0x400, 1024, 0),
           "retype: explicit offsets into the hole below the watermark leave it unchanged");
    r = retype(UT, COFFER_OBJ_FRAME, 12, 5, 30, W);
    bool consecutive = is_ok(r, 12288);
    for (uint64_t i = 0; i < 5; i++)
        consecutive = consecutive && ids(30 + i, COFFER_OBJ_FRAME, 12, 0) &&
                      obj(30 + i) == 12288 + i * 4096;
    tap_ok(consecutive && cap_is_null(&root_slots[35].cap) && free_bytes(UT) == size - 12288 - 5 * 4096ull &&
               all_bytes(ut_mem + 12288, 5 * 4096ull, 0),
           "retype: five frames at once fill consecutive slots at consecutive addresses");
    r = retype(UT, COFFER_OBJ_TCB, 0, 3, 40, 0x800);
    tap_ok(r.error == COFFER_ERR_REVOKE_FIRST && cap_is_null(&root_slots[40].cap),
           "retype: three TCBs from 0x800 would overlap the frame at 4096");
    r = retype(UT, COFFER_OBJ_FRAME, 12, 1, 40, size - 4096);
    tap_ok(is_ok(r, size - 4096) && free_bytes(UT) == 0,
           "retype: the last page at an explicit offset moves the watermark to the end");
    expect(retype(UT, COFFER_OBJ_ENDPOINT, 0, 1, 41, W), COFFER_ERR_NOT_ENOUGH_MEMORY, 0, 0,
           "retype: at the watermark, a full untyped has no bytes left");
    tap_ok(is_ok(retype(UT, COFFER_OBJ_ENDPOINT, 0, 1, 41, 0x80), 0x80),
           "retype: with the watermark at the end, holes below it are still usable");
    check_tree("retypes at the watermark and into holes");
}

static void test_destinations_and_children(void)
{
    setup();
    struct coffer_result r = retype(UT, COFFER_OBJ_CNODE, 4, 1, 20, W);
    struct coffer_result r2 = call(UT, COFFER_INV_UNTYPED_RETYPE,
                                   COFFER_RETYPE_ARG0(COFFER_OBJ_ENDPOINT, 0, 64, 16), 20, 0, W, 0);
    const struct slot *sub = (const struct slot *)(ut_mem);
    bool ok = is_ok(r, 0) && is_ok(r2, 1024);
    for (unsigned i = 0; i < 16; i++)
        ok = ok && sub[i].cap.type == CAP_ENDPOINT && sub[i].cap.object == (uintptr_t)ut_mem + 1024 + 64ull * i;
    tap_ok(ok, "retype: sixteen endpoints into every slot of a retyped 16-slot CNode");
    r = call(UT, COFFER_INV_UNTYPED_RETYPE, COFFER_RETYPE_ARG0(COFFER_OBJ_ENDPOINT, 0, 64, 1), ROOT, 21, W, 0);
    tap_ok(is_ok(r, 2048) && root_slots[21].cap.type == CAP_ENDPOINT,
           "retype: a destination named by a 64-bit pointer to the root CNode's copy");
    r = retype(UT, COFFER_OBJ_UNTYPED, 16, 1, 22, W);
    const uint64_t child = 1ull << 16;
    r2 = retype(22, COFFER_OBJ_FRAME, 12, 1, 23, W);
    struct coffer_result r3 = retype(22, COFFER_OBJ_ENDPOINT, 0, 1, 24, 0x8000);
    tap_ok(is_ok(r, child) && ids(22, COFFER_OBJ_UNTYPED, 16, 0) && is_ok(r2, 0) && is_ok(r3, 0x8000) &&
               obj(23) == child && obj(24) == child + 0x8000 && free_bytes(22) == child - 0x8040 &&
               free_bytes(UT) == (1ull << UT_BITS) - 2 * child &&
               all_bytes(ut_mem + child, child, 0),
           "retype: a child untyped, then objects inside it (its own watermark, offsets relative to it)");
    expect(retype(22, COFFER_OBJ_FRAME, 12, 8, 30, 0x1000), COFFER_ERR_REVOKE_FIRST, 0, 0,
           "retype: eight frames from 0x1000 in the child run into its endpoint at 0x8000");
    expect(retype(22, COFFER_OBJ_FRAME, 15, 1, 30, 0x8000), COFFER_ERR_REVOKE_FIRST, 0, 0,
           "retype: a 32 KiB frame over the child's endpoint is refused");
    r = retype(22, COFFER_OBJ_FRAME, 12, 7, 30, 0x1000);
    tap_ok(is_ok(r, 0x1000) && obj(36) == child + 0x7000 && free_bytes(22) == child - 0x8040,
           "retype: seven frames fill the child exactly up to its endpoint");
    check_tree("retypes into a sub-CNode and a child untyped");
}

static void test_device(void)
{
    setup();
    memset(dev_mem, 0xaa, 1u << DEV_BITS);
    struct coffer_result r = retype(DEV, COFFER_OBJ_FRAME, 12, 2, 20, W);
    tap_ok(is_ok(r, 0) && ids(20, COFFER_OBJ_FRAME, 12, CAP_FLAG_DEVICE) &&
               ids(21, COFFER_OBJ_FRAME, 12, CAP_FLAG_DEVICE) && all_bytes(dev_mem, 1u << DEV_BITS, 0xaa),
           "retype: frames from a device untyped keep the DEVICE flag and memory is not zeroed");
    r = retype(DEV, COFFER_OBJ_UNTYPED, 12, 1, 22, W);
    struct coffer_result r2 = retype(22, COFFER_OBJ_ENDPOINT, 0, 1, 23, W);
    struct coffer_result r3 = retype(22, COFFER_OBJ_FRAME, 12, 1, 23, W);
    tap_ok(is_ok(r, 8192) && ids(22, COFFER_OBJ_UNTYPED, 12, CAP_FLAG_DEVICE) &&
               r2.error == COFFER_ERR_ILLEGAL_OPERATION && is_ok(r3, 0) &&
               ids(23, COFFER_OBJ_FRAME, 12, CAP_FLAG_DEVICE) && all_bytes(dev_mem, 1u << DEV_BITS, 0xaa),
           "retype: a device child untyped is a device untyped too (frames only, never zeroed)");
    check_tree("device retypes");
}

static struct coffer_result del(uint64_t i)
{
    return call(ROOT, COFFER_INV_CNODE_DELETE, i, D, 0, 0, 0);
}

/* Free untyped memory stays zero: each object is zeroed when it dies. */
static void test_zero_at_death(void)
{
    setup();
    bool good = is_ok(retype(UT, COFFER_OBJ_NOTIFICATION, 0, 1, 20, 0), 0) &&
                is_ok(retype(UT, COFFER_OBJ_FRAME, 12, 1, 21, 0x1000), 0x1000) &&
                is_ok(retype(UT, COFFER_OBJ_FRAME, 19, 1, 22, 0x80000), 0x80000) &&
                is_ok(call(ROOT, COFFER_INV_CNODE_COPY, 23, COFFER_CNODE_ARG1(D, D, 0), ROOT, 21, 0), 0);
    ((struct notification *)ut_mem)->word = ~0ull; /* the kernel's state */
    ((struct notification *)ut_mem)->pending = 1;
    memset(ut_mem + 0x1000, 0xaa, 4096); /* a user's data */
    memset(ut_mem + 0x80000, 0xaa, 0x80000);
    tap_ok(good && is_ok(del(23), 0) && all_bytes(ut_mem + 0x1000, 4096, 0xaa),
           "zero: deleting a copy leaves the frame's contents alone");
    tap_ok(is_ok(del(20), 0) && is_ok(del(21), 0) && all_bytes(ut_mem, 0x2000, 0),
           "zero: the last capability to a notification or a 4 KiB frame zeroes it");
    /* 512 KiB is 8 chunks: forced preemption stops after each one. */
    host_preempt_every = true;
    unsigned restarts = 0;
    struct coffer_result r;
    while ((r = del(22)).error == SYSCALL_RESTART && restarts < 100) {
        restarts++;
        if (restarts == 1)
            tap_ok(COFFER_ID_TYPE(identify(22).detail0) == COFFER_ID_TYPE_ZOMBIE &&
                       identify(22).detail1 == 0x80000 - ZERO_CHUNK &&
                       all_bytes(ut_mem + 0x80000, 0x80000 - ZERO_CHUNK, 0xaa) &&
                       all_bytes(ut_mem + 0x100000 - ZERO_CHUNK, ZERO_CHUNK, 0),
                   "zero: a dying 512 KiB frame is zeroed from its end, one chunk per step");
    }
    host_preempt_every = false;
    tap_ok(is_ok(r, 0) && restarts == 0x80000 / ZERO_CHUNK - 1 &&
               all_bytes(ut_mem + 0x80000, 0x80000, 0) && identify(22).detail0 == COFFER_ID_TYPE_NULL,
           "zero: it finishes after 7 restarts; all of it is zero and the slot empty");
    tap_ok(is_ok(retype(UT, COFFER_OBJ_FRAME, 19, 1, 22, 0x80000), 0x80000),
           "zero: its memory can be retyped again at once");
    memset(dev_mem, 0xaa, 1u << DEV_BITS);
    tap_ok(is_ok(retype(DEV, COFFER_OBJ_FRAME, 12, 1, 24, 0), 0) && is_ok(del(24), 0) &&
               all_bytes(dev_mem, 4096, 0xaa),
           "zero: device frames are never zeroed, not even when they die");
    check_tree("deaths that zero");
}

/* The scheduler re-checks the running thread's address space only when
 * one may have gone (vspace.h): a frame's death must not count. */
static void test_vspace_epoch(void)
{
    setup();
    uint64_t before = vspace_epoch;
    tap_ok(is_ok(retype(UT, COFFER_OBJ_FRAME, 12, 1, 20, 0x1000), 0x1000) && is_ok(del(20), 0) &&
               vspace_epoch == before,
           "vspace_epoch: a frame's death leaves it");
    tap_ok(is_ok(retype(UT, COFFER_OBJ_VSPACE, 0, 1, 21, 0x2000), 0x2000) && is_ok(del(21), 0) &&
               vspace_epoch != before,
           "vspace_epoch: a VSpace's death moves it");
    check_tree("frame and VSpace deaths");
}

/* What the untyped in `ut` should count as used: its live objects
 * carved directly from it (one per group of capabilities), walked. */
static uint64_t walked_used(uint64_t ut)
{
    struct slot *u = &root_slots[ut];
    uint64_t used = 0;
    for (struct slot *d = cdt_first_descendant(u); d != NULL; d = cdt_next_descendant(u, d)) {
        struct slot *prev = cdt_prev(d);
        if (cdt_untyped_of(d) == u && (prev == NULL || !cdt_same_object(prev, d)))
            used += 1ull << d->cap.obj_bits;
    }
    return used;
}

static bool used_is(uint64_t ut, uint64_t bytes)
{
    uint64_t kept = root_slots[ut].used, walked = walked_used(ut);
    if (kept != bytes || walked != bytes)
        tap_diag("untyped %llu: kept %llu, walked %llu, expected %llu", (unsigned long long)ut,
                 (unsigned long long)kept, (unsigned long long)walked, (unsigned long long)bytes);
    return kept == bytes && walked == bytes;
}

/* The used bytes an untyped's slot keeps (UNTYPED_DESCRIBE's free bytes):
 * retype adds; a last capability's deletion, a zombie's end and a child
 * untyped's hand-over subtract; revoke, in batches or one by one, clears. */
static void test_used_bytes(void)
{
    setup();
    tap_ok(used_is(UT, 0) && is_ok(retype(UT, COFFER_OBJ_FRAME, 12, 3, 20, W), 0) && used_is(UT, 3 * 4096),
           "used: retype adds what it carved");
    tap_ok(is_ok(call(ROOT, COFFER_INV_CNODE_COPY, 30, COFFER_CNODE_ARG1(D, D, 0), ROOT, 21, 0), 0) &&
               is_ok(del(21), 0) && used_is(UT, 3 * 4096) && is_ok(del(30), 0) && used_is(UT, 2 * 4096),
           "used: deleting a copy changes nothing, the last capability frees the bytes");
    tap_ok(is_ok(retype(UT, COFFER_OBJ_CNODE, 4, 1, 31, 0x10000), 0x10000) &&
               is_ok(retype(UT, COFFER_OBJ_FRAME, 18, 1, 32, 0x40000), 0x40000) &&
               used_is(UT, 2 * 4096 + 1024 + 0x40000),
           "used: a CNode and a 256 KiB frame");
    host_preempt_every = true;
    struct coffer_result r;
    unsigned restarts = 0;
    while ((r = del(32)).error == SYSCALL_RESTART && restarts < 100)
        restarts++;
    bool frame_gone = is_ok(r, 0) && restarts > 0 && used_is(UT, 2 * 4096 + 1024);
    while ((r = del(31)).error == SYSCALL_RESTART && restarts < 200)
        restarts++;
    host_preempt_every = false;
    tap_ok(frame_gone && is_ok(r, 0) && used_is(UT, 2 * 4096),
           "used: a frame and a CNode dying as zombies free their bytes when the teardown ends");
    tap_ok(is_ok(retype(UT, COFFER_OBJ_UNTYPED, 16, 1, 33, 0x20000), 0x20000) &&
               is_ok(retype(33, COFFER_OBJ_ENDPOINT, 0, 2, 34, W), 0) && used_is(UT, 2 * 4096 + 0x10000) &&
               used_is(33, 128) && is_ok(del(33), 0) && used_is(UT, 2 * 4096 + 128),
           "used: a child untyped counts whole; deleted first, its endpoints pass to the parent");
    tap_ok(retype(UT, COFFER_OBJ_ENDPOINT, 0, 40, 40, W).error == COFFER_ERR_OK &&
               is_ok(call(ROOT, COFFER_INV_CNODE_REVOKE, UT, D, 0, 0, 0), 0) && used_is(UT, 0),
           "used: revoking the untyped (in batches) leaves 0");
    tap_ok(retype(UT, COFFER_OBJ_ENDPOINT, 0, 1, 40, W).error == COFFER_ERR_OK &&
               is_ok(call(ROOT, COFFER_INV_CNODE_REVOKE, UT, D, 0, 0, 0), 0) && used_is(UT, 0),
           "used: revoking one child (one by one) leaves 0");
    check_tree("used bytes");
}

int main(void)
{
    thr = aligned_alloc(64, (sizeof(struct thread) + 63) & ~(size_t)63);
    root_slots = aligned_alloc(ROOT_SLOTS * sizeof(struct slot), ROOT_SLOTS * sizeof(struct slot));
    ut_mem = aligned_alloc(1u << UT_BITS, 1u << UT_BITS);
    dev_mem = aligned_alloc(1u << DEV_BITS, 1u << DEV_BITS);
    ut_before = malloc(1u << UT_BITS);
    dev_before = malloc(1u << DEV_BITS);
    if (thr == NULL || root_slots == NULL || ut_mem == NULL || dev_mem == NULL ||
        ut_before == NULL || dev_before == NULL)
        return 1;
    test_errors();
    test_watermark_and_holes();
    test_destinations_and_children();
    test_device();
    test_zero_at_death();
    test_vspace_epoch();
    test_used_bytes();
    free(thr);
    free(root_slots);
    free(ut_mem);
    free(dev_mem);
    free(ut_before);
    free(dev_before);
    return tap_done();
}
