/*
 * Benchmarks of the capability core through the system-call path, as seL4
 * measured them on this QEMU: retype of one 4 KiB frame, copy, delete of a
 * non-final copy, and revoke of an untyped with 1, 64 and 1024 endpoint
 * children, and with 1024 and 100,032 endpoints whose capabilities lie
 * in CNodes of the same untyped.  Setup and cleanup happen outside the measured window.
 *
 * The single-capability operations are spread over SPREAD places in the
 * derivation tree: what they cost depends on the path to their place and
 * on the rebalancing it needs, so one place measured again and again is
 * one tree shape's figure (it moved by a third when a kernel change moved
 * the boot untyped by a page).  The median over many places is the
 * typical cost.  About 10^2 capabilities are live.
 */
#include "bench.h"
#include <stdbool.h>
#include <stdio.h>

#define ROOT COFFER_SLOT_CNODE
#define D 64
#define SPREAD 64 /* places in the tree each single-capability figure covers */

static uint64_t samples_caps[BENCH_RUNS];
static uint64_t big_ut, scratch_ut, first_free;

static void pick(const struct coffer_bootinfo *bi)
{
    big_ut = coffer_largest_ram_untyped(bi, 25);
    first_free = bi->empty.start;
    scratch_ut = first_free++; /* a 1 MiB child untyped for the revoke runs */
    coffer_untyped_retype(big_ut, COFFER_OBJ_UNTYPED, 20, ROOT, 0, scratch_ut, 1,
                          COFFER_RETYPE_AT_WATERMARK);
}

/* Retype at big_ut's watermark, which moves on each time: the frames live
 * in SPREAD slots, the oldest deleted (not measured) to make room. */
static void bench_retype(uint64_t calibration)
{
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        uint64_t slot = first_free + i % SPREAD;
        if (i >= SPREAD)
            coffer_cnode_delete(ROOT, slot, D);
        uint64_t t0 = coffer_rdcycle();
        coffer_untyped_retype(big_ut, COFFER_OBJ_FRAME, 12, ROOT, 0, slot, 1, COFFER_RETYPE_AT_WATERMARK);
        uint64_t t1 = coffer_rdcycle();
        samples_caps[i] = t1 - t0;
    }
    bench_report("untyped retype, one 4 KiB frame", samples_caps, BENCH_RUNS,
                 calibration);
    coffer_cnode_revoke(ROOT, big_ut, D); /* the frames go, the watermark resets */
    coffer_untyped_retype(big_ut, COFFER_OBJ_UNTYPED, 20, ROOT, 0, scratch_ut, 1,
                          COFFER_RETYPE_AT_WATERMARK);
}

/* UNTYPED_DESCRIBE of the big untyped (which has live children): O(1). */
static void bench_describe(uint64_t calibration)
{
    BENCH_MEASURE(samples_caps, coffer_untyped_describe(big_ut));
    bench_report("untyped describe (address, size, watermark, free bytes)", samples_caps, BENCH_RUNS,
                 calibration);
}

/* Copies of SPREAD endpoints in turn, each into a slot of its own. */
static void bench_copy_delete(uint64_t calibration)
{
    uint64_t ep = first_free, copy = first_free + SPREAD;
    coffer_untyped_retype(big_ut, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, ep, SPREAD,
                          COFFER_RETYPE_AT_WATERMARK);
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        unsigned k = i % SPREAD;
        uint64_t t0 = coffer_rdcycle();
        coffer_cnode_copy(ROOT, copy + k, D, ROOT, ep + k, D);
        uint64_t t1 = coffer_rdcycle();
        samples_caps[i] = t1 - t0;
        coffer_cnode_delete(ROOT, copy + k, D);
    }
    bench_report("cnode copy (endpoint)", samples_caps, BENCH_RUNS, calibration);
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        unsigned k = i % SPREAD;
        coffer_cnode_copy(ROOT, copy + k, D, ROOT, ep + k, D);
        uint64_t t0 = coffer_rdcycle();
        coffer_cnode_delete(ROOT, copy + k, D);
        uint64_t t1 = coffer_rdcycle();
        samples_caps[i] = t1 - t0;
    }
    bench_report("cnode delete, non-final copy", samples_caps, BENCH_RUNS, calibration);
    for (unsigned k = 0; k < SPREAD; k++)
        coffer_cnode_delete(ROOT, ep + k, D);
}

static void report_revoke(unsigned children, unsigned runs, uint64_t calibration)
{
    char name[64];
    snprintf(name, sizeof name, "revoke untyped with %u endpoint %s", children,
             children == 1 ? "child" : "children");
    bench_report(name, samples_caps, runs, calibration);
}

/* One child: SPREAD 16 KiB untyped (scratch_ut split up) in turn. */
static void bench_revoke_one(uint64_t calibration)
{
    uint64_t ut = first_free + 1024;
    coffer_untyped_retype(scratch_ut, COFFER_OBJ_UNTYPED, 14, ROOT, 0, ut, SPREAD,
                          COFFER_RETYPE_AT_WATERMARK);
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        uint64_t from = ut + i % SPREAD;
        coffer_untyped_retype(from, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, first_free, 1,
                              COFFER_RETYPE_AT_WATERMARK);
        uint64_t t0 = coffer_rdcycle();
        coffer_cnode_revoke(ROOT, from, D);
        uint64_t t1 = coffer_rdcycle();
        samples_caps[i] = t1 - t0;
    }
    report_revoke(1, BENCH_RUNS, calibration);
    coffer_cnode_revoke(ROOT, scratch_ut, D); /* the 16 KiB untyped go */
}

static void bench_revoke(unsigned children, unsigned runs, uint64_t calibration)
{
    for (unsigned i = 0; i < runs; i++) {
        for (unsigned done = 0; done < children; done += 256) {
            unsigned n = children - done < 256 ? children - done : 256;
            coffer_untyped_retype(scratch_ut, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, first_free + done, n,
                                  COFFER_RETYPE_AT_WATERMARK);
        }
        uint64_t t0 = coffer_rdcycle();
        coffer_cnode_revoke(ROOT, scratch_ut, D);
        uint64_t t1 = coffer_rdcycle();
        samples_caps[i] = t1 - t0;
    }
    report_revoke(children, runs, calibration);
}

/*
 * Endpoints whose capabilities sit in CNodes of 64 slots retyped from the
 * same untyped, as a space bank keeps what it sells: revoking the untyped
 * kills both.  With the CNodes at the top of the untyped the revoke meets
 * them first (it deletes from the last descendant), so each dies holding
 * its 64 capabilities and deletes them as it goes; with the CNodes at the
 * bottom they are empty by the time their turn comes.  The untyped ut is
 * 2^ut_bits bytes: the CNodes in one half, the endpoints in the other.
 */
static void bench_revoke_in_cnodes(uint64_t ut, unsigned ut_bits, unsigned ncnodes, bool cnodes_last,
                                   unsigned runs, uint64_t calibration)
{
    unsigned per = 64, ep_bits = coffer_object_bits(COFFER_OBJ_ENDPOINT, 0);
    uint64_t cn_bytes = 1ull << coffer_object_bits(COFFER_OBJ_CNODE, 6), half = 1ull << (ut_bits - 1);
    uint64_t cn_base = cnodes_last ? half : 0, ep_base = cnodes_last ? 0 : half, cnodes = first_free;
    if (ncnodes * cn_bytes > half || ((uint64_t)ncnodes * per << ep_bits) > half) {
        printf("bench: %u CNodes of endpoints do not fit 2^%u bytes\n", ncnodes, ut_bits);
        return;
    }
    for (unsigned i = 0; i < runs; i++) {
        for (unsigned j = 0; j < ncnodes; j++) {
            coffer_untyped_retype(ut, COFFER_OBJ_CNODE, 6, ROOT, 0, cnodes + j, 1, cn_base + j * cn_bytes);
            coffer_untyped_retype(ut, COFFER_OBJ_ENDPOINT, 0, cnodes + j, D, 0, per,
                                  ep_base + ((uint64_t)j * per << ep_bits));
        }
        uint64_t t0 = coffer_rdcycle();
        coffer_cnode_revoke(ROOT, ut, D);
        uint64_t t1 = coffer_rdcycle();
        samples_caps[i] = (t1 - t0) / (ncnodes * per);
    }
    char name[112];
    snprintf(name, sizeof name, "revoke untyped with %u endpoints in %u CNodes %s them, per endpoint",
             ncnodes * per, ncnodes, cnodes_last ? "above" : "below");
    bench_report(name, samples_caps, runs, calibration);
}

/* The same with 10^5 endpoints, in a 16 MiB untyped of its own (the top
 * half of big_ut), as many as the largest bank destroyed holds. */
static void bench_revoke_in_cnodes_large(uint64_t calibration)
{
    uint64_t ut = first_free + 1600;
    if (coffer_untyped_retype(big_ut, COFFER_OBJ_UNTYPED, 24, ROOT, 0, ut, 1, 1ull << 24).error !=
        COFFER_ERR_OK) {
        printf("bench: no 16 MiB untyped for the revoke of 10^5 endpoints\n");
        return;
    }
    bench_revoke_in_cnodes(ut, 24, 1563, false, 1, calibration);
    coffer_cnode_delete(ROOT, ut, D);
}

void bench_caps(uint64_t calibration)
{
    pick(coffer_bootinfo());
    bench_retype(calibration);
    bench_describe(calibration);
    bench_copy_delete(calibration);
    bench_revoke_one(calibration);
    bench_revoke(64, 201, calibration);
    bench_revoke(1024, 21, calibration);
    bench_revoke_in_cnodes(scratch_ut, 20, 16, false, 21, calibration);
    bench_revoke_in_cnodes(scratch_ut, 20, 16, true, 21, calibration);
    bench_revoke_in_cnodes_large(calibration);
}
