/*
 * The simulated-boot invariant checker of test_boot_memmap.c
 * (boot_check.h): the boot replayed, then every invariant of
 * include/coffer/bootinfo.h checked with page-level bookkeeping of its own.
 */
#include "boot_check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#define PG COFFER_PAGE_SIZE

/* ---- Helpers --------------------------------------------------------- */

void *xcalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (p == NULL) {
        perror("calloc");
        exit(2);
    }
    return p;
}

static uint64_t page_down(uint64_t a)
{
    return a & ~(PG - 1);
}

static uint64_t page_up(uint64_t a)
{
    return (a + PG - 1) & ~(PG - 1);
}

int ranges_overlap(uint64_t b1, uint64_t e1, uint64_t b2, uint64_t e2)
{
    return b1 < e2 && b2 < e1;
}

static uint64_t ut_base(const struct coffer_untyped_desc *d)
{
    return d->paddr;
}

static uint64_t ut_end(const struct coffer_untyped_desc *d)
{
    return d->paddr + (1ull << d->size_bits);
}

/* Is [b, e) inside one of the machine's memory regions / overlapping any? */
static int in_ram(const struct fdt_machine *m, uint64_t b, uint64_t e)
{
    for (uint32_t i = 0; i < m->nmemory; i++)
        if (b >= m->memory[i].base && e <= m->memory[i].base + m->memory[i].size)
            return 1;
    return 0;
}

static int touches_ram(const struct fdt_machine *m, uint64_t b, uint64_t e)
{
    for (uint32_t i = 0; i < m->nmemory; i++)
        if (ranges_overlap(b, e, page_down(m->memory[i].base),
                           page_up(m->memory[i].base + m->memory[i].size)))
            return 1;
    return 0;
}

/* Is the page at a covered by a device untyped? */
int in_device_untyped(const struct coffer_bootinfo *bi, uint64_t a)
{
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        const struct coffer_untyped_desc *d = &bi->untyped_list[i];
        if (d->is_device && a >= ut_base(d) && a + PG <= ut_end(d))
            return 1;
    }
    return 0;
}

int in_any_untyped(const struct coffer_bootinfo *bi, uint64_t b, uint64_t e)
{
    for (uint64_t i = 0; i < bi->untyped_count; i++)
        if (ranges_overlap(b, e, ut_base(&bi->untyped_list[i]), ut_end(&bi->untyped_list[i])))
            return 1;
    return 0;
}

/* Does the page at a belong to the register pages of a device that is
 * (owned = 1) or is not (owned = 0) kept by the kernel? */
static int in_device_pages(const struct fdt_machine *m, uint64_t a, int owned)
{
    for (uint32_t d = 0; d < m->ndevices; d++) {
        const struct fdt_device *dev = &m->devices[d];
        if ((boot_device_is_kernel_owned(dev) ? 1 : 0) != owned)
            continue;
        for (uint32_t i = 0; i < dev->nreg; i++) {
            if (dev->reg[i].size == 0)
                continue;
            if (a >= page_down(dev->reg[i].base) && a < page_up(dev->reg[i].base + dev->reg[i].size))
                return 1;
        }
    }
    return 0;
}

/* ---- One simulated boot ------------------------------------------------ */

struct boot_result {
    struct region_set free_ram;
    paddr_t alloc[MAX_ALLOC + 1];
    uint64_t alloc_size[MAX_ALLOC + 1];
    unsigned nalloc;
    struct coffer_bootinfo *bi;
    unsigned dropped;
};

static struct boot_result res;

static void check(int cond, const struct scenario *sc, const char *what)
{
    char name[200];
    snprintf(name, sizeof name, "%s: %s", sc->name, what);
    tap_ok(cond, name);
}

/* Every invariant of bootinfo.h for RAM, page by page and in bytes. */
static void check_ram_accounting(const struct fdt_machine *m, const struct scenario *sc)
{
    const struct coffer_bootinfo *bi = res.bi;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (uint32_t i = 0; i < m->nmemory; i++) {
        if (page_down(m->memory[i].base) < lo)
            lo = page_down(m->memory[i].base);
        if (page_up(m->memory[i].base + m->memory[i].size) > hi)
            hi = page_up(m->memory[i].base + m->memory[i].size);
    }
    if (!tap_ok(m->nmemory > 0 && hi > lo && hi - lo <= (1ull << 34), "machine has RAM to check"))
        return;
    uint64_t npages = (hi - lo) / PG;
    uint8_t *is_ram = xcalloc(npages), *ut = xcalloc(npages), *kept = xcalloc(npages),
            *alloc = xcalloc(npages);

    uint64_t ram_bytes = 0;
    for (uint32_t i = 0; i < m->nmemory; i++) {
        ram_bytes += m->memory[i].size;
        for (uint64_t a = m->memory[i].base; a < m->memory[i].base + m->memory[i].size; a += PG)
            is_ram[(a - lo) / PG] = 1;
    }
    /* In use: firmware's reserved regions and the used ranges, whole pages. */
    for (uint32_t i = 0; i < m->nreserved; i++)
        for (uint64_t a = page_down(m->reserved[i].base);
             a < page_up(m->reserved[i].base + m->reserved[i].size); a += PG)
            if (a >= lo && a < hi)
                kept[(a - lo) / PG] = 1;
    for (unsigned i = 0; i < sc->nused; i++)
        for (uint64_t a = page_down(sc->used[i].base); a < page_up(sc->used[i].end); a += PG)
            if (a >= lo && a < hi)
                kept[(a - lo) / PG] = 1;
    for (unsigned i = 0; i < res.nalloc; i++)
        for (uint64_t a = res.alloc[i]; a < res.alloc[i] + res.alloc_size[i]; a += PG)
            if (a >= lo && a < hi)
                alloc[(a - lo) / PG]++;

    int ram_untyped_in_ram = 1;
    uint64_t ut_bytes = 0;
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        const struct coffer_untyped_desc *d = &bi->untyped_list[i];
        if (d->is_device || d->size_bits > 40)
            continue;
        ut_bytes += 1ull << d->size_bits;
        if (!in_ram(m, ut_base(d), ut_end(d))) {
            ram_untyped_in_ram = 0;
            continue;
        }
        for (uint64_t a = ut_base(d); a < ut_end(d); a += PG)
            ut[(a - lo) / PG]++;
    }
    check(ram_untyped_in_ram, sc, "every RAM untyped lies inside a memory region");

    uint64_t kept_pages = 0, alloc_pages = 0, bad = 0, first_bad = 0;
    for (uint64_t p = 0; p < npages; p++) {
        if (!is_ram[p])
            continue;
        kept_pages += kept[p];
        alloc_pages += alloc[p];
        unsigned owners = (unsigned)ut[p] + kept[p] + alloc[p];
        if (owners != 1 && bad++ == 0)
            first_bad = p;
    }
    check(bad == 0, sc,
          "every RAM page is in exactly one of: an untyped, a used or reserved range, an allocated page");
    if (bad)
        tap_diag("%llu bad pages, first at %#llx: untyped %u, kept %u, allocated %u",
                 (unsigned long long)bad, (unsigned long long)(lo + first_bad * PG),
                 ut[first_bad], kept[first_bad], alloc[first_bad]);

    int ok = ram_bytes == ut_bytes + kept_pages * PG + alloc_pages * PG;
    check(ok, sc, "RAM bytes = RAM untyped + used/reserved + allocated bytes");
    if (!ok)
        tap_diag("ram %llu, untyped %llu, kept %llu, allocated %llu",
                 (unsigned long long)ram_bytes, (unsigned long long)ut_bytes,
                 (unsigned long long)(kept_pages * PG), (unsigned long long)(alloc_pages * PG));
    /* The identity the kernel prints: ram = kernel_reserved + RAM untyped. */
    uint64_t kernel_reserved = ram_bytes - region_set_bytes(&res.free_ram);
    check(ram_bytes == kernel_reserved + ut_bytes, sc,
          "ram_bytes == kernel_reserved_bytes + RAM untyped bytes (as boot.c computes them)");
    check(alloc_pages == sc->nalloc + sc->big_alloc / PG, sc,
          "every allocated page lies in RAM, none twice");
    free(is_ram);
    free(ut);
    free(kept);
    free(alloc);
}

static void check_untyped_shapes(const struct scenario *sc)
{
    const struct coffer_bootinfo *bi = res.bi;
    int aligned = 1, order = 1, flags = 1, disjoint = 1, seen_device = 0;
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        const struct coffer_untyped_desc *d = &bi->untyped_list[i];
        if (d->size_bits < COFFER_MIN_UNTYPED_BITS || d->size_bits > 63 ||
            (d->paddr & ((1ull << d->size_bits) - 1)) != 0 || ut_end(d) < ut_base(d))
            aligned = 0;
        if (d->is_device > 1)
            flags = 0;
        for (unsigned k = 0; k < sizeof d->padding; k++)
            if (d->padding[k] != 0)
                flags = 0;
        if (d->is_device)
            seen_device = 1;
        else if (seen_device)
            order = 0;
        for (uint64_t j = 0; j < i && aligned; j++)
            if (ranges_overlap(ut_base(d), ut_end(d), ut_base(&bi->untyped_list[j]),
                               ut_end(&bi->untyped_list[j])))
                disjoint = 0;
    }
    check(bi->untyped_count > 0 && bi->untyped_count <= COFFER_BOOTINFO_MAX_UNTYPED, sc,
          "untyped_count within 1..COFFER_BOOTINFO_MAX_UNTYPED");
    check(aligned, sc, "every untyped is naturally aligned and at least 4 KiB");
    check(flags, sc, "is_device is 0 or 1 and padding is zero");
    check(order, sc, "RAM untyped come before device untyped");
    check(disjoint, sc, "no two untyped overlap");
    check(res.dropped == 0, sc, "nothing dropped");
}

/* No RAM untyped (indeed no untyped) overlaps anything in use. */
static void check_nothing_in_use_handed_out(const struct fdt_machine *m, const struct scenario *sc)
{
    const struct coffer_bootinfo *bi = res.bi;
    int ok = 1;
    for (unsigned i = 0; i < sc->nused; i++)
        if (in_any_untyped(bi, page_down(sc->used[i].base), page_up(sc->used[i].end))) {
            tap_diag("used range %u [%#llx, %#llx) is in an untyped", i,
                     (unsigned long long)sc->used[i].base, (unsigned long long)sc->used[i].end);
            ok = 0;
        }
    check(ok, sc, "no untyped overlaps the kernel image, the DTB or the boot image (whole pages)");
    ok = 1;
    for (uint32_t i = 0; i < m->nreserved; i++)
        if (in_any_untyped(bi, page_down(m->reserved[i].base),
                           page_up(m->reserved[i].base + m->reserved[i].size)))
            ok = 0;
    check(ok, sc, "no untyped overlaps a reserved (firmware) region");
    ok = 1;
    for (unsigned i = 0; i < res.nalloc; i++)
        if (in_any_untyped(bi, res.alloc[i], res.alloc[i] + res.alloc_size[i]))
            ok = 0;
    check(ok, sc, "no untyped overlaps a page allocated for the root task");
}

static void check_devices(const struct fdt_machine *m, const struct scenario *sc)
{
    const struct coffer_bootinfo *bi = res.bi;
    int ok = 1;
    uint64_t device_pages = 0;
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        const struct coffer_untyped_desc *d = &bi->untyped_list[i];
        if (!d->is_device)
            continue;
        if (touches_ram(m, ut_base(d), ut_end(d)))
            ok = 0;
    }
    check(ok, sc, "no device untyped overlaps RAM");

    /* Each device untyped page is a register page of a device the kernel
     * does not own, and not a page it shares with a kernel-owned one. */
    ok = 1;
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        const struct coffer_untyped_desc *d = &bi->untyped_list[i];
        if (!d->is_device || d->size_bits > 40)
            continue;
        for (uint64_t a = ut_base(d); a < ut_end(d); a += PG) {
            device_pages++;
            if (!in_device_pages(m, a, 0) || in_device_pages(m, a, 1)) {
                if (ok)
                    tap_diag("device untyped page %#llx is not a free device page",
                             (unsigned long long)a);
                ok = 0;
            }
        }
    }
    check(ok, sc, "device untyped hold only register pages of devices the kernel does not own");

    /* Conversely, every such page is handed out. */
    ok = 1;
    for (uint32_t dn = 0; dn < m->ndevices; dn++) {
        const struct fdt_device *dev = &m->devices[dn];
        if (boot_device_is_kernel_owned(dev))
            continue;
        for (uint32_t i = 0; i < dev->nreg; i++) {
            if (dev->reg[i].size == 0)
                continue;
            for (uint64_t a = page_down(dev->reg[i].base);
                 a < page_up(dev->reg[i].base + dev->reg[i].size); a += PG) {
                if (touches_ram(m, a, a + PG) || in_device_pages(m, a, 1))
                    continue;
                if (!in_device_untyped(bi, a)) {
                    if (ok)
                        tap_diag("device %s page %#llx missing", dev->compat,
                                 (unsigned long long)a);
                    ok = 0;
                }
            }
        }
    }
    check(ok, sc, "every register page of every other device is in a device untyped");
    tap_diag("%s: %llu untyped, %llu device pages", sc->name,
             (unsigned long long)bi->untyped_count, (unsigned long long)device_pages);

    /* Kernel-owned devices: never in any untyped. */
    ok = 1;
    unsigned owned = 0;
    for (uint32_t dn = 0; dn < m->ndevices; dn++) {
        const struct fdt_device *dev = &m->devices[dn];
        if (!boot_device_is_kernel_owned(dev))
            continue;
        owned++;
        for (uint32_t i = 0; i < dev->nreg; i++)
            if (dev->reg[i].size != 0 &&
                in_any_untyped(bi, page_down(dev->reg[i].base),
                               page_up(dev->reg[i].base + dev->reg[i].size)))
                ok = 0;
    }
    check(ok && owned >= 3, sc, "no kernel-owned device page is in any untyped");
    check(!in_any_untyped(bi, 0x0c000000, 0x0c600000), sc, "the PLIC (0x0c000000) is not in any untyped");
    check(!in_any_untyped(bi, 0x02000000, 0x02010000), sc, "the CLINT (0x02000000) is not in any untyped");
    check(!in_any_untyped(bi, 0x00100000, 0x00101000), sc,
          "the test/power device (0x100000) is not in any untyped");
    check(in_device_untyped(bi, 0x10000000), sc, "the UART page 0x10000000 is a device untyped");
    ok = 1;
    for (uint64_t a = 0x10001000; a < 0x10009000; a += PG)
        ok &= in_device_untyped(bi, a);
    check(ok, sc, "the virtio pages 0x10001000-0x10008fff are device untyped");
}

void run_scenario(const struct fdt_machine *m, const struct scenario *sc)
{
    memset(&res, 0, sizeof res);
    int err = boot_free_ram(m, sc->used, sc->nused, &res.free_ram);
    check(err == BOOT_MEM_OK, sc, "boot_free_ram succeeds");
    if (err != BOOT_MEM_OK) {
        tap_diag("boot_free_ram returned %d", err);
        return;
    }
    /* The root task's boot objects, as boot_root.c takes them. */
    int alloc_ok = 1;
    for (unsigned i = 0; i < sc->nalloc && i < MAX_ALLOC; i++) {
        if (region_set_alloc(&res.free_ram, PG, PG, &res.alloc[res.nalloc]) != BOOT_MEM_OK)
            alloc_ok = 0;
        res.alloc_size[res.nalloc++] = PG;
    }
    if (sc->big_alloc) {
        if (region_set_alloc(&res.free_ram, sc->big_alloc, sc->big_align,
                             &res.alloc[res.nalloc]) != BOOT_MEM_OK ||
            (res.alloc[res.nalloc] & (sc->big_align - 1)) != 0)
            alloc_ok = 0;
        res.alloc_size[res.nalloc++] = sc->big_alloc;
    }
    check(alloc_ok, sc, "root-task pages allocated from free RAM");

    /* The boot-info page is a whole page, zeroed; size it exactly so ASan
     * catches any write past the untyped list. */
    res.bi = xcalloc(sizeof *res.bi);
    res.dropped = boot_fill_untyped(&res.free_ram, m, res.bi);
    check_untyped_shapes(sc);
    check_ram_accounting(m, sc);
    check_nothing_in_use_handed_out(m, sc);
    check_devices(m, sc);
    free(res.bi);
    res.bi = NULL;
}
