/*
 * The simulated-boot invariant checker of test_boot_memmap.c, in
 * boot_check.c.
 *
 * run_scenario() replays the kernel's boot (see kernel/arch/riscv64/boot.c)
 * on a machine description: free RAM from the device tree minus what is in
 * use, pages carved out for the root task, then the untyped list.  It then
 * checks every invariant of include/coffer/bootinfo.h on the result with
 * page-level bookkeeping of its own, one TAP line per invariant, each named
 * "<scenario>: <invariant>".
 */
#ifndef COFFER_TESTS_BOOT_CHECK_H
#define COFFER_TESTS_BOOT_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "boot/boot_memmap.h"
#include "boot/fdt.h"

#define MAX_USED 8
#define MAX_ALLOC 64

/* One simulated boot: what is in use, what the root task takes. */
struct scenario {
    const char *name;
    struct region used[MAX_USED];
    unsigned nused;
    unsigned nalloc;     /* single pages, as the root task takes them */
    uint64_t big_alloc;  /* plus one aligned block of this size (0: none) */
    uint64_t big_align;
};

/* Boot on machine m as sc says, then check every invariant (TAP). */
void run_scenario(const struct fdt_machine *m, const struct scenario *sc);

/* Zeroed memory of exactly n bytes (so ASan sees overruns); exits on failure. */
void *xcalloc(size_t n);
/* Do [b1, e1) and [b2, e2) overlap? */
int ranges_overlap(uint64_t b1, uint64_t e1, uint64_t b2, uint64_t e2);
/* Is the page at a covered by a device untyped of bi? */
int in_device_untyped(const struct coffer_bootinfo *bi, uint64_t a);
/* Does [b, e) overlap any untyped of bi? */
int in_any_untyped(const struct coffer_bootinfo *bi, uint64_t b, uint64_t e);

#endif
