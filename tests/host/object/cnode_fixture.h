/*
 * The set-up shared by the CNode-invocation host tests (test_cnode.c,
 * test_cnode_untyped_random.c): one root CNode of 2^8 slots with a 56-bit
 * guard, so 64-bit pointers below 256 name its slots, a RAM and a device
 * untyped in host memory ("physical" addresses are host pointers), helpers
 * that make each invocation through sys_CALL, and a snapshot of everything
 * a failed call must leave alone.
 */
#ifndef COFFER_TESTS_CNODE_FIXTURE_H
#define COFFER_TESTS_CNODE_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include "cap/cap_delete.h"
#include "cap/cdt.h"
#include "host_arch.h"
#include "object/invoke.h"
#include "tap.h"
#include "cap_fixture.h"
#include "thread/ipc.h"
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
static inline void setup(unsigned bits)
{
    ut_bits = bits;
    fixture_cspace(thr, root_slots, ROOT_BITS, ROOT);
    fixture_untyped(&root_slots[UT], ut_mem, bits, false);
    fixture_untyped(&root_slots[DEV], dev_mem, DEV_BITS, true);
}

static inline struct coffer_result call(uint64_t cptr, uint64_t label, uint64_t a0, uint64_t a1,
                                 uint64_t a2, uint64_t a3, uint64_t a4)
{
    return fixture_call(thr, cptr, label, a0, a1, a2, a3, a4);
}

static inline struct coffer_result retype(uint64_t ut, unsigned type, unsigned bits, uint64_t count,
                                   uint64_t index, uint64_t offset)
{
    return call(ut, COFFER_INV_UNTYPED_RETYPE, COFFER_RETYPE_ARG0(type, bits, 0, count), 0,
                index, offset, 0);
}

/* The CNode operations on root slots (invoked on ROOT, source root ROOT). */
#define ARG1 COFFER_CNODE_ARG1(D, D, 0)
#define ARG1R(rights) COFFER_CNODE_ARG1(D, D, rights)
static inline struct coffer_result copy(uint64_t dst, uint64_t src)
{
    return call(ROOT, COFFER_INV_CNODE_COPY, dst, ARG1, ROOT, src, 0);
}
static inline struct coffer_result mint(uint64_t dst, uint64_t src, unsigned rights, uint64_t data)
{
    return call(ROOT, COFFER_INV_CNODE_MINT, dst, ARG1R(rights), ROOT, src, data);
}
static inline struct coffer_result move(uint64_t dst, uint64_t src)
{
    return call(ROOT, COFFER_INV_CNODE_MOVE, dst, ARG1, ROOT, src, 0);
}
static inline struct coffer_result mutate(uint64_t dst, uint64_t src, unsigned rights, uint64_t data)
{
    return call(ROOT, COFFER_INV_CNODE_MUTATE, dst, ARG1R(rights), ROOT, src, data);
}
static inline struct coffer_result del(uint64_t i)
{
    return call(ROOT, COFFER_INV_CNODE_DELETE, i, D, 0, 0, 0);
}
static inline struct coffer_result revoke(uint64_t i)
{
    return call(ROOT, COFFER_INV_CNODE_REVOKE, i, D, 0, 0, 0);
}
static inline struct coffer_result identify(uint64_t i)
{
    return call(ROOT, COFFER_INV_CNODE_IDENTIFY, i, D, 0, 0, 0);
}
static inline uint64_t id0(uint64_t i)
{
    return identify(i).detail0;
}
static inline uint64_t id1(uint64_t i)
{
    return identify(i).detail1;
}
static inline bool is_null(uint64_t i)
{
    return id0(i) == COFFER_ID_TYPE_NULL;
}
static inline bool ok(struct coffer_result r)
{
    return r.error == COFFER_ERR_OK;
}
/* detail0 of IDENTIFY for the given fields. */
static inline uint64_t id_of(unsigned type, unsigned rights, unsigned size_bits, unsigned depth, unsigned flags)
{
    return type | rights << 8 | size_bits << 16 | depth << 24 | (uint64_t)flags << 32;
}

#define expect fixture_expect
#define check_tree fixture_check_tree

/* ---- A snapshot of everything a failed call must leave alone ------------- */

static struct slot root_before[ROOT_SLOTS], thread_root_before;
static uint8_t *ut_before;
static size_t count_before;

static inline void snapshot(void)
{
    memcpy(root_before, root_slots, sizeof(root_before));
    thread_root_before = thr->cspace_root;
    memcpy(ut_before, ut_mem, (size_t)1 << ut_bits);
    count_before = cdt_count();
}

static inline bool unchanged(void)
{
    return memcmp(root_before, root_slots, sizeof(root_before)) == 0 &&
           memcmp(&thread_root_before, &thr->cspace_root, sizeof(struct slot)) == 0 &&
           memcmp(ut_before, ut_mem, (size_t)1 << ut_bits) == 0 && cdt_count() == count_before;
}

#define COPY COFFER_INV_CNODE_COPY
#define MINT COFFER_INV_CNODE_MINT
#define MOVE COFFER_INV_CNODE_MOVE
#define MUTATE COFFER_INV_CNODE_MUTATE

/* The memory every scenario uses (fixed, reused by setup()). */
static inline bool cap_ops_alloc(void)
{
    thr = aligned_alloc(64, (sizeof(struct thread) + 63) & ~(size_t)63);
    root_slots = aligned_alloc(ROOT_SLOTS * sizeof(struct slot), ROOT_SLOTS * sizeof(struct slot));
    ut_mem = aligned_alloc(1u << UT_MAX_BITS, 1u << UT_MAX_BITS);
    dev_mem = aligned_alloc(1u << DEV_BITS, 1u << DEV_BITS);
    ut_before = malloc(1u << UT_MAX_BITS);
    return thr != NULL && root_slots != NULL && ut_mem != NULL && dev_mem != NULL &&
           ut_before != NULL;
}

static inline void cap_ops_free(void)
{
    free(thr);
    free(root_slots);
    free(ut_mem);
    free(dev_mem);
    free(ut_before);
}

#endif
