/*
 * Host tests for kernel/core/boot/boot_memmap.c: which memory becomes untyped.
 *
 * usage: test_boot_memmap VIRT_DTB [OPENSBI_DTB]
 *
 * VIRT_DTB is QEMU's tree as dumped by `make build/virt.dtb`; OPENSBI_DTB
 * (default tests/host/data/qemu-virt-opensbi.dtb) is the tree as OpenSBI
 * hands it to the kernel, with /reserved-memory covering its own image at
 * 0x80000000 + 0x80000.  Each scenario on them replays the kernel's boot
 * (see kernel/arch/riscv64/boot.c): free RAM from the device tree minus
 * what is in use, pages carved out for the root task, then the untyped
 * list, and checks every invariant of include/coffer/bootinfo.h on the
 * result with page-level bookkeeping of its own (run_scenario() in
 * boot_check.c).  Hand-made machines then cover overflow of the untyped
 * list, device edge cases and errors.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot_check.h"
#include "boot/boot_memmap.h"
#include "boot/fdt.h"
#include "tap.h"
#include "test_util.h"

#define DEFAULT_OPENSBI_DTB "tests/host/data/qemu-virt-opensbi.dtb"

static struct fdt_machine mach; /* large: keep it off the stack */


/* ---- QEMU's device trees --------------------------------------------- */

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
        need += test_min_aligned_blocks(free_ram.r[i].base, free_ram.r[i].end);
    /* The UART and virtio pages are adjacent: one 8 KiB device range. */
    need += test_min_aligned_blocks(0x10000000, 0x10002000);
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
    uint8_t *virt = test_load_file(argv[1], &len);
    if (tap_ok(virt != NULL, "load QEMU's virt DTB"))
        test_real_dtb("virt", virt, len, 0);
    else
        tap_diag("cannot read %s", argv[1]);
    free(virt);

    uint8_t *opensbi = test_load_file(sbi, &len);
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
