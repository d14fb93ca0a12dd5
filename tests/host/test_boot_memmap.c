/*
 * Host tests for kernel/core/boot_memmap.c: which memory becomes untyped.
 *
 * usage: test_boot_memmap VIRT_DTB [OPENSBI_DTB]
 *
 * VIRT_DTB is QEMU's tree as dumped by `make build/virt.dtb`; OPENSBI_DTB
 * (default tests/host/data/qemu-virt-opensbi.dtb) is the tree as OpenSBI
 * hands it to the kernel, with /reserved-memory covering its own image at
 * 0x80000000 + 0x80000.  Each scenario replays the kernel's boot (see
 * kernel/arch/riscv64/boot.c): free RAM from the device tree minus what is
 * in use, pages carved out for the root task, then the untyped list, and
 * checks every invariant of include/coffer/bootinfo.h on the result with
 * page-level bookkeeping of its own.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot_memmap.h"
#include "fdt.h"
#include "tap.h"

#define PG BOOT_PAGE_SIZE
#define DEFAULT_OPENSBI_DTB "tests/host/data/qemu-virt-opensbi.dtb"
#define MAX_USED 8
#define MAX_ALLOC 64

static struct fdt_machine mach; /* large: keep it off the stack */

static void *xcalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (p == NULL) {
        perror("calloc");
        exit(2);
    }
    return p;
}

static uint8_t *load_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    long n;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    uint8_t *buf = xcalloc((size_t)n);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static uint64_t page_down(uint64_t a)
{
    return a & ~(PG - 1);
}

static uint64_t page_up(uint64_t a)
{
    return (a + PG - 1) & ~(PG - 1);
}

static int ranges_overlap(uint64_t b1, uint64_t e1, uint64_t b2, uint64_t e2)
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
static int in_device_untyped(const struct coffer_bootinfo *bi, uint64_t a)
{
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        const struct coffer_untyped_desc *d = &bi->untyped_list[i];
        if (d->is_device && a >= ut_base(d) && a + PG <= ut_end(d))
            return 1;
    }
    return 0;
}

static int in_any_untyped(const struct coffer_bootinfo *bi, uint64_t b, uint64_t e)
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

struct scenario {
    const char *name;
    struct region used[MAX_USED];
    unsigned nused;
    unsigned nalloc;     /* single pages, as the root task takes them */
    uint64_t big_alloc;  /* plus one aligned block of this size (0: none) */
    uint64_t big_align;
};

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

static void run_scenario(const struct fdt_machine *m, const struct scenario *sc)
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

static void test_real_dtb(const char *label, const uint8_t *blob, size_t len, int expect_opensbi)
{
    char name[160];
    int err = fdt_read_machine(blob, len, &mach);
    snprintf(name, sizeof name, "%s: fdt_read_machine succeeds", label);
    if (!tap_ok(err == FDT_OK, name))
        return;
    snprintf(name, sizeof name, "%s: one memory region at 0x80000000", label);
    tap_ok(mach.nmemory == 1 && mach.memory[0].base == 0x80000000, name);
    int has_sbi = 0;
    for (uint32_t i = 0; i < mach.nreserved; i++)
        if (mach.reserved[i].base == 0x80000000 && mach.reserved[i].size == 0x80000)
            has_sbi = 1;
    snprintf(name, sizeof name, "%s: OpenSBI's reserved region %s", label,
             expect_opensbi ? "is listed" : "is absent (QEMU's own tree)");
    tap_ok(has_sbi == expect_opensbi, name);

    /* The sanity of boot_device_is_kernel_owned on real nodes. */
    const struct fdt_device *uart = fdt_find_compatible(&mach, "ns16550a");
    const struct fdt_device *plic = fdt_find_compatible(&mach, "riscv,plic0");
    const struct fdt_device *clint = fdt_find_compatible(&mach, "riscv,clint0");
    const struct fdt_device *test = fdt_find_compatible(&mach, "sifive,test0");
    const struct fdt_device *virtio = fdt_find_compatible(&mach, "virtio,mmio");
    snprintf(name, sizeof name, "%s: PLIC, CLINT and test device are kernel-owned", label);
    tap_ok(plic && clint && test && boot_device_is_kernel_owned(plic) &&
               boot_device_is_kernel_owned(clint) && boot_device_is_kernel_owned(test),
           name);
    snprintf(name, sizeof name, "%s: UART and virtio are not kernel-owned", label);
    tap_ok(uart && virtio && !boot_device_is_kernel_owned(uart) &&
               !boot_device_is_kernel_owned(virtio),
           name);

    uint64_t dtb = 0x87e00000, dtb_end = dtb + mach.dtb_size;
    char n1[96], n2[96], n3[96], n4[96], n5[96];
    snprintf(n1, sizeof n1, "%s/aligned", label);
    snprintf(n2, sizeof n2, "%s/unaligned initrd", label);
    snprintf(n3, sizeof n3, "%s/initrd shares the kernel's last page", label);
    snprintf(n4, sizeof n4, "%s/initrd at the end of RAM, unaligned DTB", label);
    snprintf(n5, sizeof n5, "%s/many allocations", label);
    const struct scenario sc[] = {
        { n1, { { 0x80200000, 0x80215000 }, { dtb, dtb_end }, { 0x84200000, 0x84220000 } },
          3, 3, 0, 0 },
        { n2, { { 0x80200000, 0x80215000 }, { dtb, dtb_end }, { 0x84200123, 0x8421fabc } },
          3, 40, 0, 0 },
        { n3, { { 0x80200000, 0x80214c00 }, { dtb, dtb_end }, { 0x80214c00, 0x80231001 } },
          3, 40, 0x10000, 0x10000 },
        { n4, { { 0x80200000, 0x80215000 }, { 0x87e00010, 0x87e00010 + mach.dtb_size },
                { 0x87f00800, 0x88000000 } },
          3, 20, 0, 0 },
        { n5, { { 0x80200000, 0x80215000 }, { dtb, dtb_end }, { 0x84200000, 0x84220000 },
                { 0x81000fff, 0x81001001 } },
          4, MAX_ALLOC, 0x200000, 0x200000 },
    };
    for (size_t i = 0; i < sizeof sc / sizeof sc[0]; i++)
        run_scenario(&mach, &sc[i]);
}

/* ---- Hand-made machines ------------------------------------------------ */

static uint64_t dyadic_count(uint64_t b, uint64_t e, uint64_t node, unsigned bits)
{
    uint64_t node_last = node + ((1ull << bits) - 1);
    if (node_last < b || node >= e)
        return 0;
    if (node >= b && node_last <= e - 1)
        return 1;
    uint64_t half = 1ull << (bits - 1);
    return dyadic_count(b, e, node, bits - 1) + dyadic_count(b, e, node + half, bits - 1);
}

/* The fewest naturally aligned blocks for [b, e), computed independently. */
static uint64_t min_blocks(uint64_t b, uint64_t e)
{
    if (e <= b)
        return 0;
    return dyadic_count(b, e, 0, 63) + dyadic_count(b, e, 1ull << 63, 63);
}

static void add_device(struct fdt_machine *m, const char *compat, uint64_t base, uint64_t size)
{
    struct fdt_device *d = &m->devices[m->ndevices++];
    size_t n = strlen(compat) + 1;
    memcpy(d->compat, compat, n);
    d->compat_len = (uint32_t)n;
    d->reg[0] = (struct fdt_region){ base, size };
    d->nreg = 1;
}

static void test_overflow(void)
{
    static struct fdt_machine m;
    static struct region_set free_ram;
    struct region used[50];

    memset(&m, 0, sizeof m);
    m.memory[0] = (struct fdt_region){ 0x80000000, 0x4000000 };
    m.nmemory = 1;
    add_device(&m, "ns16550a", 0x10000000, 0x100);
    add_device(&m, "virtio,mmio", 0x10001000, 0x1000);
    /* A page in use every 128 KiB: 50 free ranges of 31 pages, 5 blocks each. */
    for (unsigned k = 0; k < 50; k++)
        used[k] = (struct region){ 0x80000000 + k * 0x20000ull, 0x80001000 + k * 0x20000ull };
    int err = boot_free_ram(&m, used, 50, &free_ram);
    tap_ok(err == BOOT_MEM_OK && free_ram.count == 50, "overflow: 50 scattered free ranges");

    uint64_t need = 0;
    for (unsigned i = 0; i < free_ram.count; i++)
        need += min_blocks(free_ram.r[i].base, free_ram.r[i].end);
    /* The UART and virtio pages are adjacent: one 8 KiB device range. */
    need += min_blocks(0x10000000, 0x10002000);
    struct coffer_bootinfo *bi = xcalloc(sizeof *bi);
    unsigned dropped = boot_fill_untyped(&free_ram, &m, bi);
    tap_ok(need > COFFER_BOOTINFO_MAX_UNTYPED, "overflow: the machine needs more blocks than fit");
    tap_ok(bi->untyped_count == COFFER_BOOTINFO_MAX_UNTYPED,
           "overflow: the list is filled to COFFER_BOOTINFO_MAX_UNTYPED");
    if (!tap_ok(dropped != 0 && dropped == need - COFFER_BOOTINFO_MAX_UNTYPED,
                "overflow: the dropped count is exactly what did not fit"))
        tap_diag("dropped %u, need %llu", dropped, (unsigned long long)need);
    int ok = 1;
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        const struct coffer_untyped_desc *d = &bi->untyped_list[i];
        ok &= d->is_device == 0 && (d->paddr & ((1ull << d->size_bits) - 1)) == 0 &&
              region_set_overlaps(&free_ram, d->paddr, d->paddr + (1ull << d->size_bits));
        for (unsigned k = 0; k < 50; k++)
            ok &= !ranges_overlap(d->paddr, d->paddr + (1ull << d->size_bits), used[k].base,
                                  used[k].end);
    }
    tap_ok(ok, "overflow: the stored blocks are valid RAM blocks (RAM fills the list first)");
    free(bi);

    /* An already full list: everything is dropped, nothing written. */
    bi = xcalloc(sizeof *bi);
    bi->untyped_count = COFFER_BOOTINFO_MAX_UNTYPED;
    dropped = boot_fill_untyped(&free_ram, &m, bi);
    tap_ok(dropped == need && bi->untyped_count == COFFER_BOOTINFO_MAX_UNTYPED &&
               bi->untyped_list[0].paddr == 0,
           "overflow: a full list takes nothing and reports every block dropped");
    free(bi);
}

/* Device pages on a hand-made machine: the exact device untyped list. */
static void test_device_edges(void)
{
    static struct fdt_machine m;
    static struct region_set free_ram;

    memset(&m, 0, sizeof m);
    m.memory[0] = (struct fdt_region){ 0x80000000, 0x1000000 };
    m.nmemory = 1;
    add_device(&m, "ns16550a", 0x10000000, 0x100);
    add_device(&m, "sifive,test0", 0x10000800, 0x10);   /* shares the UART's page */
    add_device(&m, "virtio,mmio", 0x7ffff000, 0x2000);  /* straddles the start of RAM */
    add_device(&m, "virtio,mmio", 0x20000000, 0);       /* no registers */
    add_device(&m, "acme,two-regs", 0x30000000, 0x2800);
    m.devices[m.ndevices - 1].reg[1] = (struct fdt_region){ 0x30010000, 0x1000 };
    m.devices[m.ndevices - 1].nreg = 2;
    add_device(&m, "riscv,clint0", 0x30001000, 0);      /* kernel-owned, empty reg */
    add_device(&m, "riscv,plic0", 0x40000000, 0x2000);
    add_device(&m, "acme,inside-plic", 0x40001000, 0x1000);

    tap_ok(boot_device_is_kernel_owned(&m.devices[1]) && boot_device_is_kernel_owned(&m.devices[5]) &&
               boot_device_is_kernel_owned(&m.devices[6]) && !boot_device_is_kernel_owned(&m.devices[0]) &&
               !boot_device_is_kernel_owned(&m.devices[4]),
           "devices: kernel ownership by compatible string");

    struct coffer_bootinfo *bi = xcalloc(sizeof *bi);
    int err = boot_free_ram(&m, NULL, 0, &free_ram);
    unsigned dropped = boot_fill_untyped(&free_ram, &m, bi);
    tap_ok(err == BOOT_MEM_OK && dropped == 0 && bi->untyped_count == 5 &&
               bi->untyped_list[0].paddr == 0x80000000 && bi->untyped_list[0].size_bits == 24 &&
               !bi->untyped_list[0].is_device,
           "devices: 16 MiB of RAM is one RAM untyped, listed first");
    static const struct {
        uint64_t paddr;
        uint8_t bits;
    } want[] = { { 0x30000000, 13 }, { 0x30002000, 12 }, { 0x30010000, 12 }, { 0x7ffff000, 12 } };
    int ok = bi->untyped_count == 5;
    for (unsigned i = 0; ok && i < 4; i++)
        ok = bi->untyped_list[1 + i].paddr == want[i].paddr &&
             bi->untyped_list[1 + i].size_bits == want[i].bits && bi->untyped_list[1 + i].is_device == 1;
    if (!tap_ok(ok, "devices: exactly the free device pages, in the fewest blocks"))
        for (uint64_t i = 0; i < bi->untyped_count; i++)
            tap_diag("untyped %llu: %#llx 2^%u dev %u", (unsigned long long)i,
                     (unsigned long long)bi->untyped_list[i].paddr, bi->untyped_list[i].size_bits,
                     bi->untyped_list[i].is_device);
    tap_ok(!in_any_untyped(bi, 0x10000000, 0x10001000),
           "devices: a page shared with a kernel-owned device is not handed out");
    tap_ok(!in_any_untyped(bi, 0x40000000, 0x40002000),
           "devices: a device inside a kernel-owned device's range is not handed out");
    tap_ok(in_device_untyped(bi, 0x7ffff000) && !in_device_untyped(bi, 0x80000000),
           "devices: a device range overlapping RAM keeps only its pages outside RAM");
    free(bi);
}

static void test_errors(void)
{
    static struct fdt_machine m;
    static struct region_set free_ram;

    memset(&m, 0, sizeof m);
    m.memory[0] = (struct fdt_region){ 0xfffffffffff00000ull, 0x200000 };
    m.nmemory = 1;
    tap_ok(boot_free_ram(&m, NULL, 0, &free_ram) == BOOT_MEM_ERR_RANGE,
           "errors: a memory region wrapping past 2^64 is BOOT_MEM_ERR_RANGE");

    m.memory[0] = (struct fdt_region){ 0x80000000, 0x8000000 };
    struct region bad = { 0x80300000, 0x80200000 };
    tap_ok(boot_free_ram(&m, &bad, 1, &free_ram) == BOOT_MEM_ERR_RANGE,
           "errors: a used range with end < base is BOOT_MEM_ERR_RANGE");

    m.reserved[0] = (struct fdt_region){ 0xfffffffffffff000ull, 0x2000 };
    m.nreserved = 1;
    tap_ok(boot_free_ram(&m, NULL, 0, &free_ram) == BOOT_MEM_ERR_RANGE,
           "errors: a reserved region wrapping past 2^64 is BOOT_MEM_ERR_RANGE");
    m.nreserved = 0;

    struct region empty = { 0x80400000, 0x80400000 };
    tap_ok(boot_free_ram(&m, &empty, 1, &free_ram) == BOOT_MEM_OK && free_ram.count == 1 &&
               region_set_bytes(&free_ram) == 0x8000000,
           "errors: an empty used range removes nothing");

    /* Unaligned RAM: only whole pages inside it are free. */
    m.memory[0] = (struct fdt_region){ 0x80000800, 0x100000 };
    tap_ok(boot_free_ram(&m, NULL, 0, &free_ram) == BOOT_MEM_OK && free_ram.count == 1 &&
               free_ram.r[0].base == 0x80001000 && free_ram.r[0].end == 0x80100000,
           "unaligned memory region: only the whole pages inside it are free");
    m.memory[0] = (struct fdt_region){ 0x80000800, 0x400 };
    tap_ok(boot_free_ram(&m, NULL, 0, &free_ram) == BOOT_MEM_OK && free_ram.count == 0,
           "a memory region smaller than a page adds nothing");

    /* A region in the last page of the address space: rounding its base up
     * must not wrap to 0 and turn everything below into RAM. */
    m.memory[0] = (struct fdt_region){ 0xfffffffffffff800ull, 0x100 };
    int err = boot_free_ram(&m, NULL, 0, &free_ram);
    tap_ok((err == BOOT_MEM_OK && free_ram.count == 0) || err == BOOT_MEM_ERR_RANGE,
           "a memory region inside the last page of the address space adds no RAM");
    if (free_ram.count)
        tap_diag("free RAM [%#llx, %#llx)", (unsigned long long)free_ram.r[0].base,
                 (unsigned long long)free_ram.r[0].end);

    /* Several memory regions, reserved memory inside one of them. */
    memset(&m, 0, sizeof m);
    m.memory[0] = (struct fdt_region){ 0x80000000, 0x1000000 };
    m.memory[1] = (struct fdt_region){ 0x100000000ull, 0x1000000 };
    m.nmemory = 2;
    m.reserved[0] = (struct fdt_region){ 0x100800000ull, 0x1234 };
    m.nreserved = 1;
    tap_ok(boot_free_ram(&m, NULL, 0, &free_ram) == BOOT_MEM_OK && free_ram.count == 3 &&
               region_set_bytes(&free_ram) == 0x2000000 - 0x2000 &&
               !region_set_overlaps(&free_ram, 0x100800000ull, 0x100802000ull),
           "two memory regions, a reserved range rounded out to two pages");
}

int main(int argc, char **argv)
{
    const char *sbi = argc > 2 ? argv[2] : DEFAULT_OPENSBI_DTB;
    if (argc < 2) {
        fprintf(stderr, "usage: %s VIRT_DTB [OPENSBI_DTB]\n", argv[0]);
        return 2;
    }
    size_t len = 0;
    uint8_t *virt = load_file(argv[1], &len);
    if (tap_ok(virt != NULL, "load QEMU's virt DTB"))
        test_real_dtb("virt", virt, len, 0);
    else
        tap_diag("cannot read %s", argv[1]);
    free(virt);

    uint8_t *opensbi = load_file(sbi, &len);
    if (tap_ok(opensbi != NULL, "load the DTB as OpenSBI passes it"))
        test_real_dtb("opensbi", opensbi, len, 1);
    else
        tap_diag("cannot read %s", sbi);
    free(opensbi);

    test_overflow();
    test_device_edges();
    test_errors();
    return tap_done();
}
