/*
 * Host tests for kernel/core/boot/fdt_machine.c: fdt_read_machine, the boot-time
 * machine description, and the compatible lookups.  (The header checks, the
 * walker, the property helpers and the memory-reservation block of
 * kernel/core/boot/fdt.c are tested by test_fdt.c.)
 *
 * usage: test_fdt_machine VIRT_DTB [OPENSBI_DTB]
 *
 * VIRT_DTB is QEMU's own tree, produced by
 *   qemu-system-riscv64 -machine virt,dumpdtb=build/virt.dtb -m 128M -smp 1 \
 *       -nographic -bios default
 * OPENSBI_DTB (default tests/host/data/qemu-virt-opensbi.dtb) is the tree
 * as the kernel really receives it in a1, after OpenSBI has patched it: it
 * was saved from guest memory with the QEMU monitor (`pmemsave <a1> ...`)
 * while a two-instruction payload spun at 0x80200000, and cut to totalsize.
 * It differs from VIRT_DTB by OpenSBI's /reserved-memory node.
 *
 * Hand-made trees come from the FDT writer in fdt_fixture.h; the fuzzing
 * at the end corrupts copies of the real blobs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/fdt.h"
#include "fdt_fixture.h"
#include "tap.h"
#include "test_util.h"

#define DEFAULT_OPENSBI_DTB "tests/host/data/qemu-virt-opensbi.dtb"

/* ---- Helpers ------------------------------------------------------------- */

/* fdt_read_machine on a private exact-size copy; returns its result. */
static int read_copy(const uint8_t *blob, size_t len)
{
    uint8_t *copy = dup_blob(blob, len);
    int r = fdt_read_machine(copy, len, &mach);

    free(copy);
    return r;
}

static const struct fdt_device *dev_at(const struct fdt_machine *m,
                                       uint64_t base)
{
    for (uint32_t i = 0; i < m->ndevices; i++)
        if (m->devices[i].nreg > 0 && m->devices[i].reg[0].base == base)
            return &m->devices[i];
    return NULL;
}

/* ---- The real QEMU virt tree -------------------------------------------- */

static void test_virt_machine(const uint8_t *blob, uint32_t total)
{
    const struct fdt_machine *m = &mach;
    const struct fdt_device *d;
    int r = read_copy(blob, total);
    int ok;

    expect_rc(r, 0, "virt: fdt_read_machine succeeds");
    tap_ok(m->dtb_size == total, "virt: dtb_size is the header totalsize");

    tap_ok(m->nmemory == 1 && m->memory[0].base == 0x80000000 &&
               m->memory[0].size == 128 * MIB,
           "virt: one memory region 0x80000000 + 128 MiB");
    /* QEMU's own tree reserves nothing; OpenSBI adds that at boot. */
    tap_ok(m->nreserved == 0,
           "virt: dumpdtb tree has no memreserve and no /reserved-memory");
    tap_ok(m->timebase_freq == 10000000, "virt: timebase-frequency 10 MHz");
    tap_ok(strncmp(m->isa, "rv64", 4) == 0, "virt: riscv,isa starts rv64");
    tap_diag("riscv,isa = \"%s\"", m->isa);
    tap_ok(strcmp(m->stdout_path, "/soc/serial@10000000") == 0,
           "virt: stdout-path is /soc/serial@10000000");
    tap_ok(!m->has_initrd, "virt: no initrd without -initrd");

    d = fdt_find_compatible(m, "ns16550a");
    tap_ok(d && d->nreg == 1 && d->reg[0].base == 0x10000000 &&
               d->reg[0].size == 0x100 && d->has_irq && d->irq == 10,
           "virt: ns16550a at 0x10000000 size 0x100 irq 10");

    d = fdt_find_compatible(m, "riscv,plic0");
    tap_ok(d && d->reg[0].base == 0x0c000000 && d->reg[0].size == 0x600000 &&
               !d->has_irq && d == fdt_find_compatible(m, "sifive,plic-1.0.0"),
           "virt: PLIC at 0x0c000000 by either compatible, no interrupts");

    d = fdt_find_compatible(m, "riscv,clint0");
    tap_ok(d && d->reg[0].base == 0x02000000 && d->reg[0].size == 0x10000 &&
               d == fdt_find_compatible(m, "sifive,clint0"),
           "virt: CLINT at 0x02000000 by either compatible");

    d = fdt_find_compatible(m, "sifive,test0");
    tap_ok(d && d->reg[0].base == 0x100000 && d->reg[0].size == 0x1000 &&
               d == fdt_find_compatible(m, "syscon") &&
               strcmp(d->compat, "sifive,test1") == 0,
           "virt: test device at 0x100000 (first compatible sifive,test1)");

    ok = 1;
    d = NULL;
    for (int i = 0; i < 8; i++) {
        d = fdt_next_compatible(m, "virtio,mmio", d);
        /* QEMU emits them from 0x10008000 down to 0x10001000. */
        if (d == NULL || d->reg[0].base != 0x10008000u - 0x1000u * (unsigned)i ||
            d->reg[0].size != 0x1000 || !d->has_irq || d->irq != 8u - (unsigned)i)
            ok = 0;
    }
    tap_ok(ok && fdt_next_compatible(m, "virtio,mmio", d) == NULL,
           "virt: 8 virtio,mmio at 0x10001000..0x10008000, irq 1..8");

    d = fdt_find_compatible(m, "google,goldfish-rtc");
    tap_ok(d && d->reg[0].base == 0x101000 && d->has_irq && d->irq == 11,
           "virt: goldfish rtc at 0x101000 irq 11");
    d = fdt_find_compatible(m, "pci-host-ecam-generic");
    tap_ok(d && d->reg[0].base == 0x30000000 && d->reg[0].size == 0x10000000,
           "virt: PCI ECAM at 0x30000000 size 256 MiB");
    d = fdt_find_compatible(m, "cfi-flash");
    tap_ok(d && d->nreg == 2 && d->reg[0].base == 0x20000000 &&
               d->reg[1].base == 0x22000000 && d->reg[1].size == 0x2000000,
           "virt: cfi-flash has two reg entries");
    d = fdt_find_compatible(m, "qemu,fw-cfg-mmio");
    tap_ok(d && d->reg[0].base == 0x10100000 && d->reg[0].size == 0x18,
           "virt: fw-cfg at 0x10100000 (a child of the root)");
    tap_ok(fdt_find_compatible(m, "riscv") == NULL &&
               fdt_find_compatible(m, "riscv,cpu-intc") == NULL &&
               fdt_find_compatible(m, "simple-bus") == NULL &&
               fdt_find_compatible(m, "qemu,platform") == NULL,
           "virt: cpus and reg-less nodes are not devices");
    tap_ok(m->ndevices == 16 && m->nunmapped == 0,
           "virt: 16 devices, none dropped for translation");
    if (m->ndevices != 16)
        for (uint32_t i = 0; i < m->ndevices; i++)
            tap_diag("device %u: %s @ %#llx", i, m->devices[i].compat,
                     (unsigned long long)m->devices[i].reg[0].base);
}

/* The blob at an odd address must parse the same (byte loads only). */
static void test_unaligned(const uint8_t *blob, uint32_t total)
{
    static struct fdt_machine aligned;
    uint8_t *buf = xmalloc(total + 1);
    int r1, r2;

    r1 = read_copy(blob, total);
    aligned = mach;
    memcpy(buf + 1, blob, total);
    r2 = fdt_read_machine(buf + 1, total, &mach);
    tap_ok(r1 == 0 && r2 == 0 && memcmp(&aligned, &mach, sizeof(mach)) == 0,
           "unaligned: blob at an odd address gives the same result");
    free(buf);
}

static void test_opensbi(const char *path)
{
    const struct fdt_machine *m = &mach;
    size_t len = 0;
    uint8_t *blob = test_load_file(path, &len);
    int r;

    if (blob == NULL) {
        tap_ok(1, "opensbi: # SKIP fixture not found");
        tap_diag("cannot read %s", path);
        return;
    }
    r = fdt_read_machine(blob, len, &mach);
    expect_rc(r, 0, "opensbi: patched tree parses");
    tap_ok(m->nreserved == 1 && m->reserved[0].base == 0x80000000 &&
               m->reserved[0].size == 0x80000,
           "opensbi: /reserved-memory/mmode_resv0@80000000 is 512 KiB");
    tap_ok(m->nmemory == 1 && m->memory[0].base == 0x80000000 &&
               m->memory[0].size == 128 * MIB,
           "opensbi: memory unchanged");
    tap_ok(fdt_find_compatible(m, "ns16550a") && m->ndevices == 16,
           "opensbi: devices unchanged");
    free(blob);
}

/* ---- Capacity and the values only the machine reader checks ----------- */

static void test_capacity(void)
{
    struct fb *b;

    b = fb_root();
    for (int i = 0; i < FDT_MAX_MEMORY; i++)
        fb_memory(b, 0x80000000u + (uint64_t)i * MIB, MIB);
    expect_rc(fb_read(b, 1), 0, "capacity: FDT_MAX_MEMORY memory regions fit");
    b = fb_root();
    for (int i = 0; i <= FDT_MAX_MEMORY; i++)
        fb_memory(b, 0x80000000u + (uint64_t)i * MIB, MIB);
    expect_rc(fb_read(b, 1), FDT_ERR_NOSPACE, "capacity: too many memory regions");

    b = fb_root();
    fb_soc_begin(b);
    for (int i = 0; i <= FDT_MAX_DEVICES; i++)
        fb_device(b, "dev", "x,dev", 0x10000000u + (uint64_t)i * 0x1000, 0x1000);
    expect_rc(fb_read(b, 2), FDT_ERR_NOSPACE, "capacity: too many devices");

    b = fb_root();
    fb_soc_begin(b);
    fb_begin(b, "dev");
    fb_str(b, "compatible", "x,dev");
    fb_regs(b, FDT_MAX_DEVICE_REGS);
    fb_end(b);
    expect_rc(fb_read(b, 2), 0, "capacity: FDT_MAX_DEVICE_REGS reg entries fit");
    b = fb_root();
    fb_soc_begin(b);
    fb_begin(b, "dev");
    fb_str(b, "compatible", "x,dev");
    fb_regs(b, FDT_MAX_DEVICE_REGS + 1);
    fb_end(b);
    expect_rc(fb_read(b, 2), FDT_ERR_NOSPACE, "capacity: too many reg entries in a device");

    b = fb_root();
    for (int i = 0; i <= FDT_MAX_RESERVED; i++)
        fb_rsv(b, 0x80000000u + (uint64_t)i * 0x1000, 0x1000);
    expect_rc(fb_read(b, 1), FDT_ERR_NOSPACE, "capacity: too many memreserve entries");

    b = fb_root();
    fb_begin(b, "reserved-memory");
    fb_u32(b, "#address-cells", 2);
    fb_u32(b, "#size-cells", 2);
    fb_prop(b, "ranges", NULL, 0);
    for (int i = 0; i <= FDT_MAX_RESERVED; i++) {
        fb_begin(b, "r");
        fb_reg64(b, 0x80000000u + (uint64_t)i * 0x1000, 0x1000);
        fb_end(b);
    }
    expect_rc(fb_read(b, 2), FDT_ERR_NOSPACE, "capacity: too many /reserved-memory children");
}

/*
 * Shapes fdt_machine.c checks itself.  (Values the fdt.c helpers reject,
 * such as reg with bad cells or an unterminated string, are in test_fdt.)
 */
static void test_machine_values(void)
{
    struct fb *b;

    b = fb_root();
    fb_soc_begin(b);
    fb_begin(b, "dev");
    fb_str(b, "compatible", "x,dev");
    fb_reg64(b, 0x1000, 0x1000);
    fb_prop(b, "interrupts", "\0\1", 2);
    fb_end(b);
    expect_rc(fb_read(b, 2), FDT_ERR_BADVALUE, "value: 2-byte interrupts");

    b = fb_root();
    fb_begin(b, "chosen");
    fb_u32(b, "linux,initrd-start", 0x84000000);
    fb_u32(b, "linux,initrd-end", 0x83000000);
    fb_end(b);
    expect_rc(fb_read(b, 1), FDT_ERR_BADVALUE, "value: initrd end before start");
}

/* ---- Semantics on built trees ---------------------------------------------- */

static void test_reserved_memory(void)
{
    struct fb *b = fb_root();
    const struct fdt_machine *m = &mach;

    fb_rsv(b, 0x87000000, 0x10000);
    fb_rsv(b, 0x88000000, 0); /* empty: ignored */
    fb_memory(b, 0x80000000, 128 * MIB);
    /* What OpenSBI adds (see the opensbi fixture), plus odd cases. */
    fb_begin(b, "reserved-memory");
    fb_u32(b, "#address-cells", 2);
    fb_u32(b, "#size-cells", 2);
    fb_prop(b, "ranges", NULL, 0);
    fb_begin(b, "mmode_resv0@80000000");
    fb_reg64(b, 0x80000000, 0x80000);
    fb_end(b);
    fb_begin(b, "mmode_resv1@80080000");
    fb_reg64(b, 0x80080000, 0x20000);
    fb_prop(b, "no-map", NULL, 0);
    fb_end(b);
    fb_begin(b, "off@90000000");
    fb_reg64(b, 0x90000000, 0x1000);
    fb_str(b, "status", "disabled");
    fb_end(b);
    fb_begin(b, "pool"); /* dynamic: size only, no fixed address */
    fb_cells(b, "size", 2, 0, 0x100000);
    fb_str(b, "compatible", "shared-dma-pool");
    fb_end(b);
    fb_end(b);
    expect_rc(fb_read(b, 1), 0, "reserved: tree parses");
    tap_ok(m->nreserved == 3 && m->reserved[0].base == 0x87000000 &&
               m->reserved[0].size == 0x10000 &&
               m->reserved[1].base == 0x80000000 &&
               m->reserved[1].size == 0x80000 &&
               m->reserved[2].base == 0x80080000,
           "reserved: memreserve entry then /reserved-memory children");
    tap_ok(m->ndevices == 0, "reserved: /reserved-memory children are not devices");
}

static void test_status_and_ranges(void)
{
    struct fb *b = fb_root();
    const struct fdt_machine *m = &mach;

    fb_soc_begin(b);
    fb_begin(b, "a@1000");
    fb_str(b, "compatible", "x,a");
    fb_reg64(b, 0x1000, 0x100);
    fb_str(b, "status", "disabled");
    fb_end(b);
    fb_begin(b, "b@2000");
    fb_str(b, "status", "okay");
    fb_str(b, "compatible", "x,b");
    fb_reg64(b, 0x2000, 0x100);
    fb_end(b);
    fb_begin(b, "bus@3000"); /* disabled bus: its children go too */
    fb_str(b, "status", "disabled");
    fb_u32(b, "#address-cells", 2);
    fb_u32(b, "#size-cells", 2);
    fb_prop(b, "ranges", NULL, 0);
    fb_device(b, "c@3000", "x,c", 0x3000, 0x100);
    fb_end(b);
    fb_begin(b, "f@6000");
    fb_str(b, "compatible", "x,f");
    fb_reg64(b, 0x6000, 0x100);
    fb_str(b, "status", "fail");
    fb_end(b);
    fb_end(b); /* soc */
    fb_begin(b, "platform-bus@4000000"); /* non-identity ranges */
    fb_u32(b, "#address-cells", 1);
    fb_u32(b, "#size-cells", 1);
    fb_cells(b, "ranges", 4, 0, 0, 0x4000000, 0x2000000);
    fb_begin(b, "d@0");
    fb_str(b, "compatible", "x,d");
    fb_cells(b, "reg", 2, 0, 0x100);
    fb_end(b);
    fb_end(b);
    fb_begin(b, "nobus"); /* no ranges at all: not memory-mapped */
    fb_u32(b, "#address-cells", 2);
    fb_u32(b, "#size-cells", 2);
    fb_device(b, "e@5000", "x,e", 0x5000, 0x100);
    fb_end(b);
    fb_begin(b, "memory@90000000");
    fb_str(b, "device_type", "memory");
    fb_reg64(b, 0x90000000, MIB);
    fb_str(b, "status", "disabled");
    fb_end(b);
    fb_memory(b, 0x80000000, MIB);

    expect_rc(fb_read(b, 1), 0, "status: tree parses");
    tap_ok(fdt_find_compatible(m, "x,b") != NULL, "status: okay device kept");
    tap_ok(fdt_find_compatible(m, "x,a") == NULL, "status: disabled device skipped");
    tap_ok(fdt_find_compatible(m, "x,f") == NULL, "status: failed device skipped");
    tap_ok(fdt_find_compatible(m, "x,c") == NULL,
           "status: child of a disabled bus skipped");
    tap_ok(fdt_find_compatible(m, "x,d") == NULL &&
               fdt_find_compatible(m, "x,e") == NULL && m->nunmapped == 2,
           "ranges: devices behind non-identity or missing ranges dropped");
    tap_ok(m->nmemory == 1 && m->memory[0].base == 0x80000000,
           "status: disabled memory node skipped");
    tap_ok(m->ndevices == 1, "status: exactly one device left");
}

static void test_cells_and_chosen(void)
{
    struct fb *b;
    const struct fdt_machine *m = &mach;
    char longpath[100];
    uint8_t tb64[8] = {0, 0, 0, 1, 0, 0, 0, 2};

    /* No cells at the root: defaults 2/1. */
    fb_init(&fbuf);
    b = &fbuf;
    fb_begin(b, "");
    fb_begin(b, "memory@80000000");
    fb_str(b, "device_type", "memory");
    fb_cells(b, "reg", 3, 0, 0x80000000, 0x1000);
    fb_end(b);
    expect_rc(fb_read(b, 1), 0, "cells: default 2/1 tree parses");
    tap_ok(m->nmemory == 1 && m->memory[0].base == 0x80000000 &&
               m->memory[0].size == 0x1000,
           "cells: root without #address-cells uses 2/1");

    b = fb_root();
    fb_begin(b, "soc");
    fb_u32(b, "#address-cells", 1);
    fb_u32(b, "#size-cells", 1);
    fb_prop(b, "ranges", NULL, 0);
    fb_begin(b, "uart@10000000");
    fb_cells(b, "reg", 2, 0x10000000, 0x100);
    fb_cells(b, "interrupts", 2, 10, 4);
    fb_str(b, "compatible", "ns16550a");
    fb_end(b);
    expect_rc(fb_read(b, 2), 0, "cells: 1/1 bus parses");
    tap_ok(m->ndevices == 1 && m->devices[0].reg[0].base == 0x10000000 &&
               m->devices[0].reg[0].size == 0x100 && m->devices[0].irq == 10,
           "cells: 1/1 bus reg, first interrupts cell");

    /* 64-bit timebase on a cpu, ISA of the first available cpu. */
    b = fb_root();
    fb_begin(b, "cpus");
    fb_u32(b, "#address-cells", 1);
    fb_u32(b, "#size-cells", 0);
    fb_begin(b, "cpu@0");
    fb_str(b, "riscv,isa", "rv64imac");
    fb_str(b, "device_type", "cpu");
    fb_str(b, "status", "disabled");
    fb_end(b);
    fb_begin(b, "cpu@1");
    fb_str(b, "riscv,isa", "rv64gc");
    fb_prop(b, "timebase-frequency", tb64, 8);
    fb_str(b, "device_type", "cpu");
    fb_end(b);
    fb_end(b);
    expect_rc(fb_read(b, 1), 0, "cpus: tree parses");
    tap_ok(strcmp(m->isa, "rv64gc") == 0, "cpus: ISA of the first available cpu");
    tap_ok(m->timebase_freq == 0x100000002ull, "cpus: 64-bit per-cpu timebase");

    /* 64-bit initrd, long stdout-path. */
    memset(longpath, 'p', sizeof(longpath) - 1);
    longpath[sizeof(longpath) - 1] = '\0';
    b = fb_root();
    fb_begin(b, "chosen");
    fb_cells(b, "linux,initrd-start", 2, 1, 0x00001000);
    fb_cells(b, "linux,initrd-end", 2, 1, 0x00002000);
    fb_str(b, "stdout-path", longpath);
    fb_end(b);
    expect_rc(fb_read(b, 1), 0, "chosen: tree parses");
    tap_ok(m->has_initrd && m->initrd_start == 0x100001000ull &&
               m->initrd_end == 0x100002000ull,
           "chosen: 64-bit initrd bounds");
    tap_ok(strlen(m->stdout_path) == FDT_PATH_LEN - 1 &&
               m->stdout_path[0] == 'p',
           "chosen: long stdout-path truncated and terminated");

    /* QEMU -initrd writes 32-bit cells. */
    b = fb_root();
    fb_begin(b, "chosen");
    fb_u32(b, "linux,initrd-end", 0x8420000a);
    fb_u32(b, "linux,initrd-start", 0x84200000);
    fb_end(b);
    expect_rc(fb_read(b, 1), 0, "chosen: 32-bit initrd parses");
    tap_ok(m->has_initrd && m->initrd_start == 0x84200000 &&
               m->initrd_end == 0x8420000a,
           "chosen: 32-bit initrd bounds (any order)");

    b = fb_root();
    fb_begin(b, "chosen");
    fb_u32(b, "linux,initrd-start", 0x84200000);
    fb_end(b);
    expect_rc(fb_read(b, 1), 0, "chosen: lone initrd-start parses");
    tap_ok(!m->has_initrd && m->initrd_start == 0, "chosen: lone initrd-start ignored");
}

static void test_compat_lists(void)
{
    struct fb *b = fb_root();
    const struct fdt_machine *m = &mach;
    char big[100], list[120];
    const struct fdt_device *d;

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    memset(list, 0, sizeof(list));
    strcpy(list, "a,one");
    memset(list + 6, 'y', 70); /* second string does not fit */
    strcpy(list + 77, "c,three");

    fb_soc_begin(b);
    fb_device(b, "big@1000", big, 0x1000, 0x100);
    fb_begin(b, "list@2000");
    fb_prop(b, "compatible", list, 85);
    fb_reg64(b, 0x2000, 0x100);
    fb_end(b);
    expect_rc(fb_read(b, 2), 0, "compat: tree parses");

    d = dev_at(m, 0x1000);
    tap_ok(d && d->compat_truncated && strlen(d->compat) == FDT_COMPAT_LEN - 1,
           "compat: overlong first string kept truncated");
    tap_ok(!fdt_find_compatible(m, d ? d->compat : "") &&
               !fdt_find_compatible(m, big),
           "compat: a truncated string never matches");
    d = dev_at(m, 0x2000);
    tap_ok(d && !d->compat_truncated && strcmp(d->compat, "a,one") == 0 &&
               fdt_find_compatible(m, "a,one") == d &&
               fdt_find_compatible(m, "c,three") == NULL,
           "compat: whole strings kept until one does not fit");
    tap_ok(fdt_find_compatible(m, "a,on") == NULL && fdt_find_compatible(m, "") == NULL,
           "compat: lookups match whole strings only");
}

/* ---- Fuzz-ish robustness ---------------------------------------------------- */

/* 32 random bits. */
static uint32_t rng(void)
{
    return (uint32_t)(test_rng() >> 32);
}

static int valid_rc(int r)
{
    return r == 0 || (r < 0 && r >= FDT_ERR_MIN);
}

/* Touch every byte the walker hands out, so ASan sees any bad pointer. */
static volatile unsigned sink;

static int touch_node(const struct fdt_node *n, void *ctx)
{
    (void)ctx;
    sink += (unsigned)strlen(n->name);
    return 0;
}

static int touch_prop(const struct fdt_node *n, const struct fdt_prop *p,
                      void *ctx)
{
    const uint8_t *v = p->value;

    (void)n;
    (void)ctx;
    sink += (unsigned)strlen(p->name);
    for (uint32_t i = 0; i < p->len; i++)
        sink += v[i];
    return 0;
}

static const struct fdt_visitor touch_visitor = {
    .node_begin = touch_node,
    .prop = touch_prop,
    .node_props_done = touch_node,
    .node_end = touch_node,
};

/* Parse a blob both ways; report whether every result was a valid code. */
static int survive(uint8_t *p, size_t len, int *succeeded)
{
    int r1 = fdt_read_machine(p, len, &mach);
    int r2 = fdt_walk(p, len, &touch_visitor, NULL);

    if (r1 == 0) {
        (*succeeded)++;
        /* Exercise the lookups on whatever was accepted. */
        for (uint32_t i = 0; i < mach.ndevices; i++)
            sink += fdt_device_is_compatible(&mach.devices[i], "ns16550a");
        if (mach.nmemory > FDT_MAX_MEMORY || mach.ndevices > FDT_MAX_DEVICES ||
            mach.nreserved > FDT_MAX_RESERVED ||
            mach.stdout_path[FDT_PATH_LEN - 1] != '\0' ||
            mach.isa[FDT_ISA_LEN - 1] != '\0')
            return 0;
    }
    return valid_rc(r1) && valid_rc(r2);
}

static void fuzz_truncate(const uint8_t *blob, uint32_t total, const char *tag)
{
    uint32_t off_st = get32(blob + H_OFF_STRUCT), sz_st = get32(blob + H_SIZE_STRUCT);
    uint32_t off_str = get32(blob + H_OFF_STRINGS), sz_str = get32(blob + H_SIZE_STRINGS);
    int ok = 1, succeeded = 0, patched_ok = 0;
    char name[96];

    for (uint32_t len = 0; len <= total; len++) {
        uint8_t *p = dup_blob(blob, len);

        /* As is: totalsize exceeds the buffer. */
        if (!survive(p, len, &succeeded))
            ok = 0;
        /* Header shrunk to match, so the walker meets the cut itself. */
        if (len >= 40) {
            put32(p + H_TOTALSIZE, len);
            if (off_st + sz_st > len)
                put32(p + H_SIZE_STRUCT, off_st < len ? len - off_st : 0);
            if (off_str + sz_str > len)
                put32(p + H_SIZE_STRINGS, off_str < len ? len - off_str : 0);
            if (!survive(p, len, &patched_ok))
                ok = 0;
        }
        if (!ok) {
            tap_diag("%s: bad result at length %u", tag, len);
            free(p);
            break;
        }
        free(p);
    }
    snprintf(name, sizeof(name), "fuzz: %s truncated at every length", tag);
    tap_ok(ok, name);
    tap_diag("%s: %d/%d cut blobs accepted as is, %d with patched header", tag,
             succeeded, total + 1, patched_ok);
}

static void fuzz_flip(const uint8_t *blob, uint32_t total, const char *tag,
                      int iterations)
{
    uint32_t off_st = get32(blob + H_OFF_STRUCT);
    uint8_t *p = xmalloc(total);
    int ok = 1, succeeded = 0;
    char name[96];

    for (int it = 0; it < iterations && ok; it++) {
        int flips = 1 + (int)(rng() % 4);

        memcpy(p, blob, total);
        for (int k = 0; k < flips; k++) {
            uint32_t mode = rng() % 4, pos;

            if (mode == 0) { /* somewhere in the header */
                pos = rng() % 40;
                p[pos] ^= (uint8_t)(1u << (rng() % 8));
            } else if (mode == 1) { /* a token-sized word in the struct block */
                pos = off_st + 4 * (rng() % ((total - off_st) / 4));
                put32(p + pos, rng() % 3 == 0 ? rng() : rng() % 16);
            } else { /* any byte */
                pos = rng() % total;
                p[pos] = (uint8_t)rng();
            }
        }
        if (!survive(p, total, &succeeded)) {
            tap_diag("%s: bad result at iteration %d", tag, it);
            ok = 0;
        }
    }
    free(p);
    snprintf(name, sizeof(name), "fuzz: %s with %d random corruptions", tag,
             iterations);
    tap_ok(ok, name);
    tap_diag("%s: %d corrupted blobs still accepted", tag, succeeded);
}

int main(int argc, char **argv)
{
    const char *sbi = argc > 2 ? argv[2] : DEFAULT_OPENSBI_DTB;
    size_t file_len = 0, sbi_len = 0;
    uint8_t *file, *sbi_blob, *last;
    uint32_t total, last_len;

    if (argc < 2) {
        fprintf(stderr, "usage: %s VIRT_DTB [OPENSBI_DTB]\n", argv[0]);
        return 2;
    }
    /* test_fdt reports "load the QEMU virt DTB"; here only a failure counts. */
    file = test_load_file(argv[1], &file_len);
    if (file == NULL || file_len < 40) {
        tap_ok(0, "load the QEMU virt DTB");
        tap_diag("cannot read %s", argv[1]);
        free(file);
        return tap_done();
    }
    /* dumpdtb writes QEMU's whole 1 MiB FDT buffer; the tree is shorter. */
    total = get32(file + H_TOTALSIZE);
    tap_ok(total <= file_len && fdt_read_machine(file, file_len, &mach) == 0,
           "whole dumped file parses with max_size = file size");
    tap_diag("file %zu bytes, totalsize %u", file_len, total);
    if (total > file_len) { /* reported just above; copies would overrun */
        free(file);
        return tap_done();
    }

    test_virt_machine(file, total);
    test_unaligned(file, total);
    test_opensbi(sbi);
    test_capacity();
    test_machine_values();
    test_reserved_memory();
    test_status_and_ranges();
    test_cells_and_chosen();
    test_compat_lists();

    fuzz_truncate(file, total, "virt");
    fuzz_flip(file, total, "virt", 20000);
    last = struct_last(file, &last_len);
    tap_ok(read_copy(last, last_len) == 0 && mach.ndevices == 16,
           "fuzz: virt re-laid out with the struct block last parses");
    fuzz_truncate(last, last_len, "virt-struct-last");
    fuzz_flip(last, last_len, "virt-struct-last", 20000);
    free(last);
    sbi_blob = test_load_file(sbi, &sbi_len);
    if (sbi_blob != NULL && sbi_len >= 40 && get32(sbi_blob + H_TOTALSIZE) <= sbi_len)
        fuzz_flip(sbi_blob, get32(sbi_blob + H_TOTALSIZE), "opensbi", 5000);
    free(sbi_blob);
    free(file);
    return tap_done();
}
