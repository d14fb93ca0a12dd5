/*
 * Benchmarks of the address-space layer through the system-call path:
 * map and unmap of a 4 KiB frame, and revoke of a frame whose aliases have
 * 1, 64 and 512 mappings (each alias a read-only child, mapped at its own
 * page).  Setup and cleanup happen outside the measured window.
 */
#include "bench.h"
#include <stdio.h>

#define ROOT COFFER_SLOT_CNODE
#define VSPACE COFFER_SLOT_VSPACE
#define D 64
#define W COFFER_RETYPE_AT_WATERMARK
#define RW (COFFER_MAP_R | COFFER_MAP_W)
#define BASE 0x2000000000ull /* 128 GiB: a free GiB of the benchmark's space */

static uint64_t samples_vs[BENCH_RUNS];
static uint64_t ut, next_slot;

static uint64_t retype(unsigned type, unsigned bits)
{
    uint64_t s = next_slot++;
    coffer_untyped_retype(ut, type, bits, ROOT, 0, s, 1, W);
    return s;
}

static void bench_map_unmap(uint64_t calibration)
{
    uint64_t f = retype(COFFER_OBJ_FRAME, 12);
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        uint64_t t0 = coffer_rdcycle();
        coffer_frame_map(f, VSPACE, BASE, RW);
        uint64_t t1 = coffer_rdcycle();
        samples_vs[i] = t1 - t0;
        coffer_frame_unmap(f);
    }
    bench_report("frame map, 4 KiB", samples_vs, BENCH_RUNS, calibration);
    for (unsigned i = 0; i < BENCH_RUNS; i++) {
        coffer_frame_map(f, VSPACE, BASE, RW);
        uint64_t t0 = coffer_rdcycle();
        coffer_frame_unmap(f);
        uint64_t t1 = coffer_rdcycle();
        samples_vs[i] = t1 - t0;
    }
    bench_report("frame unmap, 4 KiB", samples_vs, BENCH_RUNS, calibration);
}

static void bench_revoke_aliases(unsigned aliases, unsigned runs, uint64_t calibration)
{
    uint64_t f = retype(COFFER_OBJ_FRAME, 12), first = next_slot;
    for (unsigned r = 0; r < runs; r++) {
        for (unsigned i = 0; i < aliases; i++) {
            coffer_cnode_mint(ROOT, first + i, D, ROOT, f, D, COFFER_RIGHT_READ, 0);
            coffer_frame_map(first + i, VSPACE, BASE + COFFER_PAGE_SIZE * i, COFFER_MAP_R);
        }
        uint64_t t0 = coffer_rdcycle();
        coffer_cnode_revoke(ROOT, f, D);
        uint64_t t1 = coffer_rdcycle();
        samples_vs[r] = t1 - t0;
    }
    char name[64];
    snprintf(name, sizeof name, "revoke frame with %u mapped %s", aliases,
             aliases == 1 ? "alias" : "aliases");
    bench_report(name, samples_vs, runs, calibration);
    coffer_cnode_delete(ROOT, f, D);
}

void bench_vspace(uint64_t calibration)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    ut = coffer_largest_ram_untyped(bi, 24);
    next_slot = bi->empty.start + 1024; /* clear of bench_caps */
    coffer_page_table_map(retype(COFFER_OBJ_PAGE_TABLE, 0), VSPACE, BASE);
    coffer_page_table_map(retype(COFFER_OBJ_PAGE_TABLE, 0), VSPACE, BASE);
    bench_map_unmap(calibration);
    bench_revoke_aliases(1, BENCH_RUNS, calibration);
    bench_revoke_aliases(64, 201, calibration);
    bench_revoke_aliases(512, 21, calibration);
    coffer_cnode_revoke(ROOT, ut, D);
}
