/*
 * Benchmarks of the capability core through the system-call path, as seL4
 * measured them on this QEMU: retype of one 4 KiB frame, copy, delete of a
 * non-final copy, and revoke of an untyped with 1, 64 and 1024 endpoint
 * children.  Setup and cleanup happen outside the measured window.
 */
#include "bench.h"
#include <stdio.h>

#define ROOT COFFER_SLOT_CNODE
#define D 64

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

static void bench_retype(uint64_t calibration)
{
    uint64_t slot = first_free;
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        uint64_t t0 = coffer_rdcycle();
        coffer_untyped_retype(big_ut, COFFER_OBJ_FRAME, 12, ROOT, 0, slot, 1, COFFER_RETYPE_AT_WATERMARK);
        uint64_t t1 = coffer_rdcycle();
        samples_caps[i] = t1 - t0;
        coffer_cnode_delete(ROOT, slot, D);
    }
    bench_report("untyped retype, one 4 KiB frame", samples_caps, BENCH_RUNS,
                 calibration);
    coffer_cnode_revoke(ROOT, big_ut, D); /* reset the watermark */
    coffer_untyped_retype(big_ut, COFFER_OBJ_UNTYPED, 20, ROOT, 0, scratch_ut, 1,
                          COFFER_RETYPE_AT_WATERMARK);
}

static void bench_copy_delete(uint64_t calibration)
{
    uint64_t ep = first_free, copy = first_free + 1;
    coffer_untyped_retype(big_ut, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, ep, 1, COFFER_RETYPE_AT_WATERMARK);
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        uint64_t t0 = coffer_rdcycle();
        coffer_cnode_copy(ROOT, copy, D, ROOT, ep, D);
        uint64_t t1 = coffer_rdcycle();
        samples_caps[i] = t1 - t0;
        coffer_cnode_delete(ROOT, copy, D);
    }
    bench_report("cnode copy (endpoint)", samples_caps, BENCH_RUNS, calibration);
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        coffer_cnode_copy(ROOT, copy, D, ROOT, ep, D);
        uint64_t t0 = coffer_rdcycle();
        coffer_cnode_delete(ROOT, copy, D);
        uint64_t t1 = coffer_rdcycle();
        samples_caps[i] = t1 - t0;
    }
    bench_report("cnode delete, non-final copy", samples_caps, BENCH_RUNS, calibration);
    coffer_cnode_delete(ROOT, ep, D);
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
    char name[64];
    snprintf(name, sizeof name, "revoke untyped with %u endpoint %s", children,
             children == 1 ? "child" : "children");
    bench_report(name, samples_caps, runs, calibration);
}

void bench_caps(uint64_t calibration)
{
    pick(coffer_bootinfo());
    bench_retype(calibration);
    bench_copy_delete(calibration);
    bench_revoke(1, BENCH_RUNS, calibration);
    bench_revoke(64, 201, calibration);
    bench_revoke(1024, 21, calibration);
}
