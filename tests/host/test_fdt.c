/*
 * Host tests for kernel/core/fdt.c.
 *
 * usage: test_fdt VIRT_DTB [OPENSBI_DTB]
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
 * Malformed inputs are made by patching copies of the real blob or with the
 * small FDT writer below.  Blobs under test always live in malloc'd buffers
 * of exactly the size passed as max_size so that ASan flags any overrun.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdt.h"
#include "tap.h"

#define MIB (1024u * 1024u)
#define DEFAULT_OPENSBI_DTB "tests/host/data/qemu-virt-opensbi.dtb"

/* Header field offsets (see the DTSpec). */
#define H_TOTALSIZE 4
#define H_OFF_STRUCT 8
#define H_OFF_STRINGS 12
#define H_OFF_RSVMAP 16
#define H_VERSION 20
#define H_LAST_COMP 24
#define H_SIZE_STRINGS 32
#define H_SIZE_STRUCT 36

/* ---- Small utilities ---------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL) {
        perror("malloc");
        exit(2);
    }
    return p;
}

static uint8_t *dup_blob(const uint8_t *src, size_t n)
{
    uint8_t *p = xmalloc(n);

    memcpy(p, src, n);
    return p;
}

static uint8_t *load_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = xmalloc((size_t)n);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static int valid_rc(int r)
{
    return r == 0 || (r < 0 && r >= FDT_ERR_MIN);
}

static void expect_rc(int got, int want, const char *name)
{
    if (!tap_ok(got == want, name))
        tap_diag("got %d (%s), want %d (%s)", got, fdt_strerror(got), want,
                 fdt_strerror(want));
}

/* fdt_read_machine on a private exact-size copy; returns its result. */
static struct fdt_machine mach; /* big: keep it off the stack */

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

/* ---- A tiny FDT writer --------------------------------------------------- */

struct fb {
    uint8_t st[32768]; /* struct block */
    size_t st_len;
    char strs[4096];   /* strings block */
    size_t str_len;
    uint8_t rsv[1024]; /* reservation entries, terminator added at finish */
    size_t rsv_len;
    int no_end;        /* leave out FDT_END */
};

static void fb_need(size_t have, size_t want, size_t cap)
{
    if (have + want > cap) {
        fprintf(stderr, "fdt writer overflow\n");
        exit(2);
    }
}

static void fb_init(struct fb *b)
{
    memset(b, 0, sizeof(*b));
}

static void fb_word(struct fb *b, uint32_t v)
{
    fb_need(b->st_len, 4, sizeof(b->st));
    put32(b->st + b->st_len, v);
    b->st_len += 4;
}

static void fb_bytes(struct fb *b, const void *p, size_t n)
{
    fb_need(b->st_len, n + 3, sizeof(b->st));
    if (n > 0)
        memcpy(b->st + b->st_len, p, n);
    b->st_len += n;
    while (b->st_len % 4)
        b->st[b->st_len++] = 0;
}

static uint32_t fb_string(struct fb *b, const char *s)
{
    size_t n = strlen(s) + 1;

    for (size_t off = 0; off < b->str_len; off += strlen(b->strs + off) + 1)
        if (strcmp(b->strs + off, s) == 0)
            return (uint32_t)off;
    fb_need(b->str_len, n, sizeof(b->strs));
    memcpy(b->strs + b->str_len, s, n);
    b->str_len += n;
    return (uint32_t)(b->str_len - n);
}

static void fb_begin(struct fb *b, const char *name)
{
    fb_word(b, 1);
    fb_bytes(b, name, strlen(name) + 1);
}

static void fb_end(struct fb *b)
{
    fb_word(b, 2);
}

static void fb_prop(struct fb *b, const char *name, const void *v, size_t n)
{
    fb_word(b, 3);
    fb_word(b, (uint32_t)n);
    fb_word(b, fb_string(b, name));
    fb_bytes(b, v, n);
}

static void fb_str(struct fb *b, const char *name, const char *s)
{
    fb_prop(b, name, s, strlen(s) + 1);
}

/* A property of n 32-bit cells. */
static void fb_cells(struct fb *b, const char *name, int n, ...)
{
    uint8_t buf[64];
    va_list ap;

    va_start(ap, n);
    for (int i = 0; i < n; i++)
        put32(buf + 4 * i, va_arg(ap, uint32_t));
    va_end(ap);
    fb_prop(b, name, buf, 4u * (unsigned)n);
}

static void fb_u32(struct fb *b, const char *name, uint32_t v)
{
    fb_cells(b, name, 1, v);
}

/* A 2/2-cell reg entry. */
static void fb_reg64(struct fb *b, uint64_t base, uint64_t size)
{
    fb_cells(b, "reg", 4, (uint32_t)(base >> 32), (uint32_t)base,
             (uint32_t)(size >> 32), (uint32_t)size);
}

/* A 2/2-cell reg with n entries of 0x10 bytes at 0x1000, 0x2000, ... */
static void fb_regs(struct fb *b, int n)
{
    uint8_t buf[16 * 32];

    if (n > 32)
        exit(2);
    for (int i = 0; i < n; i++) {
        put32(buf + 16 * i, 0);
        put32(buf + 16 * i + 4, 0x1000u * (uint32_t)(i + 1));
        put32(buf + 16 * i + 8, 0);
        put32(buf + 16 * i + 12, 0x10);
    }
    fb_prop(b, "reg", buf, 16u * (unsigned)n);
}

static void fb_rsv(struct fb *b, uint64_t addr, uint64_t size)
{
    fb_need(b->rsv_len, 16, sizeof(b->rsv));
    put32(b->rsv + b->rsv_len, (uint32_t)(addr >> 32));
    put32(b->rsv + b->rsv_len + 4, (uint32_t)addr);
    put32(b->rsv + b->rsv_len + 8, (uint32_t)(size >> 32));
    put32(b->rsv + b->rsv_len + 12, (uint32_t)size);
    b->rsv_len += 16;
}

/* Lay out header | rsvmap | struct | strings in a fresh exact-size buffer. */
static uint8_t *fb_finish(struct fb *b, size_t *len)
{
    size_t off_rsv = 40, rsv_len = b->rsv_len + 16;
    size_t off_st = off_rsv + rsv_len;
    size_t st_len = b->st_len + (b->no_end ? 0 : 4);
    size_t off_str = off_st + st_len;
    size_t total = off_str + b->str_len;
    uint8_t *p = xmalloc(total);

    memset(p, 0, total);
    put32(p, FDT_MAGIC);
    put32(p + H_TOTALSIZE, (uint32_t)total);
    put32(p + H_OFF_STRUCT, (uint32_t)off_st);
    put32(p + H_OFF_STRINGS, (uint32_t)off_str);
    put32(p + H_OFF_RSVMAP, (uint32_t)off_rsv);
    put32(p + H_VERSION, 17);
    put32(p + H_LAST_COMP, 16);
    put32(p + H_SIZE_STRINGS, (uint32_t)b->str_len);
    put32(p + H_SIZE_STRUCT, (uint32_t)st_len);
    memcpy(p + off_rsv, b->rsv, b->rsv_len);
    memcpy(p + off_st, b->st, b->st_len);
    if (!b->no_end)
        put32(p + off_st + b->st_len, 9);
    memcpy(p + off_str, b->strs, b->str_len);
    *len = total;
    return p;
}

static struct fb fbuf; /* 38 KiB: static, reinitialised by each test */

/* Root with 2/2 cells, as on QEMU virt; caller adds nodes and closes it. */
static struct fb *fb_root(void)
{
    fb_init(&fbuf);
    fb_begin(&fbuf, "");
    fb_u32(&fbuf, "#address-cells", 2);
    fb_u32(&fbuf, "#size-cells", 2);
    return &fbuf;
}

static void fb_memory(struct fb *b, uint64_t base, uint64_t size)
{
    char name[40];

    snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)base);
    fb_begin(b, name);
    fb_str(b, "device_type", "memory");
    fb_reg64(b, base, size);
    fb_end(b);
}

/* A /soc-like bus at depth 1 with 2/2 cells and identity ranges. */
static void fb_soc_begin(struct fb *b)
{
    fb_begin(b, "soc");
    fb_u32(b, "#address-cells", 2);
    fb_u32(b, "#size-cells", 2);
    fb_str(b, "compatible", "simple-bus");
    fb_prop(b, "ranges", NULL, 0);
}

static void fb_device(struct fb *b, const char *name, const char *compat,
                      uint64_t base, uint64_t size)
{
    fb_begin(b, name);
    fb_str(b, "compatible", compat);
    fb_reg64(b, base, size);
    fb_end(b);
}

/* Finish the tree (closing `open` nodes) and run fdt_read_machine on it. */
static int fb_read(struct fb *b, int open)
{
    size_t len;
    uint8_t *blob;
    int r;

    while (open-- > 0)
        fb_end(b);
    blob = fb_finish(b, &len);
    r = fdt_read_machine(blob, len, &mach);
    free(blob);
    return r;
}

/* ---- Generic walker visitors ---------------------------------------------- */

struct census {
    int nodes, props, ends, max_depth;
    int cpu0_cells_ok, serial_reg_ok, order_ok;
    int last_done_depth;
};

static int c_begin(const struct fdt_node *n, void *ctx)
{
    struct census *c = ctx;

    c->nodes++;
    if (n->depth > c->max_depth)
        c->max_depth = n->depth;
    /* A parent's props_done must have come before this child began. */
    if (n->depth > 0 && c->last_done_depth < n->depth - 1)
        c->order_ok = 0;
    return 0;
}

static int c_prop(const struct fdt_node *n, const struct fdt_prop *p,
                  void *ctx)
{
    struct census *c = ctx;

    c->props++;
    if (strcmp(n->name, "cpu@0") == 0 && strcmp(p->name, "reg") == 0)
        c->cpu0_cells_ok = n->addr_cells == 1 && n->size_cells == 0 &&
                           n->parent && strcmp(n->parent->name, "cpus") == 0;
    if (strcmp(n->name, "serial@10000000") == 0 &&
        strcmp(p->name, "reg") == 0) {
        struct fdt_region r[2];

        c->serial_reg_ok =
            fdt_read_reg(p, n->addr_cells, n->size_cells, r, 2) == 1 &&
            r[0].base == 0x10000000 && r[0].size == 0x100;
    }
    return 0;
}

static int c_done(const struct fdt_node *n, void *ctx)
{
    struct census *c = ctx;

    c->last_done_depth = n->depth;
    return 0;
}

static int c_end(const struct fdt_node *n, void *ctx)
{
    struct census *c = ctx;

    (void)n;
    c->ends++;
    return 0;
}

static int stop_at_plic(const struct fdt_node *n, void *ctx)
{
    (void)ctx;
    return strcmp(n->name, "plic@c000000") == 0 ? 42 : 0;
}

static int fail_on_prop(const struct fdt_node *n, const struct fdt_prop *p,
                        void *ctx)
{
    (void)n;
    (void)p;
    (void)ctx;
    return FDT_ERR_BADVALUE;
}

/* Remember where riscv,isa's value sits, to cut the blob inside it. */
static int find_isa(const struct fdt_node *n, const struct fdt_prop *p,
                    void *ctx)
{
    (void)n;
    if (strcmp(p->name, "riscv,isa") == 0) {
        *(const void **)ctx = p->value;
        return 1;
    }
    return 0;
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

/*
 * Copy a blob re-laid out as header | rsvmap | strings | struct, so that
 * the struct block ends the buffer: cut inside it, any read past its end
 * is an ASan error rather than a quiet read of the strings block.
 */
static uint8_t *struct_last(const uint8_t *blob, uint32_t *len)
{
    uint32_t off_rsv = get32(blob + H_OFF_RSVMAP), rsv_len = 16;
    uint32_t sz_str = get32(blob + H_SIZE_STRINGS);
    uint32_t sz_st = get32(blob + H_SIZE_STRUCT);
    uint32_t off_str, off_st;
    uint8_t *p;

    while (get32(blob + off_rsv + rsv_len - 16) != 0 ||
           get32(blob + off_rsv + rsv_len - 12) != 0 ||
           get32(blob + off_rsv + rsv_len - 8) != 0 ||
           get32(blob + off_rsv + rsv_len - 4) != 0)
        rsv_len += 16;
    off_str = 40 + rsv_len;
    off_st = (off_str + sz_str + 3) & ~3u;
    *len = off_st + sz_st;
    p = xmalloc(*len);
    memset(p, 0, *len);
    memcpy(p, blob, 40);
    memcpy(p + 40, blob + off_rsv, rsv_len);
    memcpy(p + off_str, blob + get32(blob + H_OFF_STRINGS), sz_str);
    memcpy(p + off_st, blob + get32(blob + H_OFF_STRUCT), sz_st);
    put32(p + H_TOTALSIZE, *len);
    put32(p + H_OFF_RSVMAP, 40);
    put32(p + H_OFF_STRINGS, off_str);
    put32(p + H_OFF_STRUCT, off_st);
    return p;
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

static void test_virt_walk(const uint8_t *blob, uint32_t total)
{
    struct census c;
    struct fdt_visitor v = {c_begin, c_prop, c_done, c_end};
    struct fdt_visitor stop = {.node_begin = stop_at_plic};
    struct fdt_visitor fail = {.prop = fail_on_prop};
    struct fdt_visitor none = {0};
    uint8_t *copy = dup_blob(blob, total);
    uint32_t size = 0;
    int r;

    expect_rc(fdt_check_header(copy, total, &size), 0,
              "walk: fdt_check_header accepts the real blob");
    tap_ok(size == total, "walk: fdt_check_header reports totalsize");

    memset(&c, 0, sizeof(c));
    c.order_ok = 1;
    c.last_done_depth = -1;
    r = fdt_walk(copy, total, &v, &c);
    expect_rc(r, 0, "walk: full walk succeeds");
    tap_ok(c.nodes == c.ends && c.nodes > 25 && c.props > 100,
           "walk: every node begun is ended");
    tap_ok(c.max_depth == 4, "walk: deepest node is /cpus/cpu-map/cluster0/core0");
    tap_ok(c.order_ok, "walk: props_done precedes the node's children");
    tap_ok(c.cpu0_cells_ok, "walk: cpu@0 reg uses /cpus cells 1/0");
    tap_ok(c.serial_reg_ok, "walk: fdt_read_reg decodes the serial reg");
    tap_diag("%d nodes, %d properties", c.nodes, c.props);

    expect_rc(fdt_walk(copy, total, &stop, NULL), 42,
              "walk: positive callback result stops the walk");
    expect_rc(fdt_walk(copy, total, &fail, NULL), FDT_ERR_BADVALUE,
              "walk: negative callback result is returned");
    expect_rc(fdt_walk(copy, total, &none, NULL), 0,
              "walk: all-NULL visitor is fine");
    expect_rc(fdt_walk(copy, total, NULL, NULL), FDT_ERR_BADARG,
              "walk: NULL visitor is FDT_ERR_BADARG");
    free(copy);
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
    uint8_t *blob = load_file(path, &len);
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

/* ---- Header and layout errors ------------------------------------------- */

static void test_header_errors(const uint8_t *blob, uint32_t total)
{
    uint8_t *p = dup_blob(blob, total);
    struct fdt_machine *m = &mach;

    p[0] ^= 0xff;
    expect_rc(fdt_read_machine(p, total, m), FDT_ERR_BADMAGIC, "header: bad magic");
    memcpy(p, blob, total);

    expect_rc(fdt_read_machine(p, total - 1, m), FDT_ERR_TRUNCATED,
              "header: totalsize larger than max_size");
    put32(p + H_TOTALSIZE, total + 1);
    expect_rc(fdt_read_machine(p, total, m), FDT_ERR_TRUNCATED,
              "header: totalsize field beyond the buffer");
    memcpy(p, blob, total);

    expect_rc(fdt_read_machine(p, 35, m), FDT_ERR_TRUNCATED,
              "header: max_size smaller than a header");
    expect_rc(fdt_read_machine(NULL, total, m), FDT_ERR_BADARG,
              "header: NULL blob");
    expect_rc(fdt_read_machine(p, total, NULL), FDT_ERR_BADARG,
              "header: NULL output");

    put32(p + H_VERSION, 15);
    expect_rc(fdt_read_machine(p, total, m), FDT_ERR_BADVERSION,
              "header: version 15 rejected");
    memcpy(p, blob, total);
    put32(p + H_LAST_COMP, 18);
    expect_rc(fdt_read_machine(p, total, m), FDT_ERR_BADVERSION,
              "header: last_comp_version 18 rejected");
    memcpy(p, blob, total);
    put32(p + H_VERSION, 16); /* no size_dt_struct: FDT_END ends the walk */
    expect_rc(fdt_read_machine(p, total, m), 0, "header: version 16 accepted");
    memcpy(p, blob, total);

    put32(p + H_OFF_STRUCT, total + 4);
    expect_rc(fdt_read_machine(p, total, m), FDT_ERR_BADLAYOUT,
              "header: struct block offset beyond totalsize");
    memcpy(p, blob, total);
    put32(p + H_SIZE_STRUCT, 0xfffffff0u);
    expect_rc(fdt_read_machine(p, total, m), FDT_ERR_BADLAYOUT,
              "header: struct block size beyond totalsize (no overflow)");
    memcpy(p, blob, total);
    put32(p + H_OFF_STRUCT, get32(blob + H_OFF_STRUCT) + 2);
    expect_rc(fdt_read_machine(p, total, m), FDT_ERR_BADLAYOUT,
              "header: misaligned struct block");
    memcpy(p, blob, total);
    put32(p + H_OFF_STRUCT, 16);
    expect_rc(fdt_read_machine(p, total, m), FDT_ERR_BADLAYOUT,
              "header: struct block overlapping the header");
    memcpy(p, blob, total);
    put32(p + H_SIZE_STRINGS, total);
    expect_rc(fdt_read_machine(p, total, m), FDT_ERR_BADLAYOUT,
              "header: strings block beyond totalsize");
    memcpy(p, blob, total);
    put32(p + H_OFF_RSVMAP, 44);
    expect_rc(fdt_read_machine(p, total, m), FDT_ERR_BADLAYOUT,
              "header: misaligned memreserve block");
    memcpy(p, blob, total);
    put32(p + H_OFF_RSVMAP, (total - 8) & ~7u);
    memset(p + ((total - 8) & ~7u), 0xaa, total - ((total - 8) & ~7u));
    expect_rc(fdt_read_machine(p, total, m), FDT_ERR_TRUNCATED,
              "header: memreserve block without terminator");
    free(p);
}

/* Cut the struct block in the middle of the riscv,isa value. */
static void test_truncated_prop(const uint8_t *blob, uint32_t total)
{
    uint8_t *p = dup_blob(blob, total);
    struct fdt_visitor v = {.prop = find_isa};
    const void *isa = NULL;
    uint32_t off_struct = get32(blob + H_OFF_STRUCT);
    size_t cut;

    fdt_walk(p, total, &v, &isa);
    if (!tap_ok(isa != NULL, "truncated: found riscv,isa to cut into")) {
        free(p);
        return;
    }
    cut = (size_t)((const uint8_t *)isa - p) + 5 - off_struct;
    put32(p + H_SIZE_STRUCT, (uint32_t)cut);
    expect_rc(fdt_read_machine(p, total, &mach), FDT_ERR_TRUNCATED,
              "truncated: struct block ends inside a property value");
    put32(p + H_SIZE_STRUCT, (uint32_t)(cut - 9)); /* inside len/nameoff */
    expect_rc(fdt_read_machine(p, total, &mach), FDT_ERR_TRUNCATED,
              "truncated: struct block ends inside a property header");
    tap_ok(mach.nmemory == 0 && mach.ndevices == 0 && mach.timebase_freq == 0,
           "truncated: output is zeroed on error");
    free(p);
}

/* ---- Struct block errors (built blobs) ------------------------------------ */

static void test_structure_errors(void)
{
    struct fb *b;
    size_t len;
    uint8_t *blob;

    b = fb_root();
    fb_word(b, 3);
    fb_word(b, 4);
    fb_word(b, 0x7fff); /* name offset far outside the strings block */
    fb_word(b, 0);
    expect_rc(fb_read(b, 1), FDT_ERR_BADSTRING, "struct: string offset out of range");

    b = fb_root();
    fb_memory(b, 0x80000000, MIB);
    fb_end(b);
    blob = fb_finish(b, &len);
    /* Cut the strings block inside "reg\0", the last string added. */
    put32(blob + H_SIZE_STRINGS, get32(blob + H_SIZE_STRINGS) - 3);
    expect_rc(fdt_read_machine(blob, len, &mach), FDT_ERR_BADSTRING,
              "struct: property name runs off the strings block");
    free(blob);

    fb_init(&fbuf);
    b = &fbuf;
    fb_word(b, 1);
    fb_word(b, 0x61626364); /* "abcd" with no NUL before the block ends */
    b->no_end = 1;
    expect_rc(fb_read(b, 0), FDT_ERR_TRUNCATED, "struct: unterminated node name");

    b = fb_root();
    fb_word(b, 0x7);
    expect_rc(fb_read(b, 1), FDT_ERR_BADSTRUCTURE, "struct: unknown token");

    fb_init(&fbuf);
    fb_u32(&fbuf, "stray", 1);
    expect_rc(fb_read(&fbuf, 0), FDT_ERR_BADSTRUCTURE, "struct: property before root");

    b = fb_root();
    fb_end(b);
    fb_end(b);
    expect_rc(fb_read(b, 0), FDT_ERR_BADSTRUCTURE, "struct: unbalanced END_NODE");

    b = fb_root();
    fb_begin(b, "open");
    expect_rc(fb_read(b, 0), FDT_ERR_BADSTRUCTURE, "struct: FDT_END with nodes open");

    b = fb_root();
    b->no_end = 1;
    expect_rc(fb_read(b, 1), FDT_ERR_TRUNCATED, "struct: missing FDT_END");

    b = fb_root();
    fb_end(b);
    fb_begin(b, "");
    expect_rc(fb_read(b, 1), FDT_ERR_BADSTRUCTURE, "struct: second root node");

    b = fb_root();
    fb_begin(b, "child");
    fb_end(b);
    fb_u32(b, "late", 1);
    expect_rc(fb_read(b, 1), FDT_ERR_BADSTRUCTURE, "struct: property after a subnode");

    b = fb_root();
    fb_word(b, 4); /* NOPs are allowed anywhere */
    fb_memory(b, 0x80000000, MIB);
    fb_word(b, 4);
    expect_rc(fb_read(b, 1), 0, "struct: FDT_NOP tokens are skipped");
}

static void test_depth(void)
{
    struct fb *b;

    fb_init(&fbuf);
    b = &fbuf;
    for (int i = 0; i < FDT_MAX_DEPTH; i++)
        fb_begin(b, i == 0 ? "" : "n");
    expect_rc(fb_read(b, FDT_MAX_DEPTH), 0, "depth: FDT_MAX_DEPTH levels accepted");

    fb_init(&fbuf);
    for (int i = 0; i <= FDT_MAX_DEPTH; i++)
        fb_begin(b, i == 0 ? "" : "n");
    expect_rc(fb_read(b, FDT_MAX_DEPTH + 1), FDT_ERR_TOODEEP,
              "depth: one level more is FDT_ERR_TOODEEP");
}

/* ---- Capacity and value errors --------------------------------------------- */

static void test_capacity(void)
{
    struct fb *b;
    size_t len;
    uint8_t *blob;

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

    b = fb_root();
    fb_rsv(b, 0xfffffffffffff000ull, 0x2000);
    blob = fb_finish(b, &len); /* root left open: the memreserve check is first */
    expect_rc(fdt_read_machine(blob, len, &mach), FDT_ERR_BADVALUE,
              "value: memreserve entry wrapping past 2^64");
    free(blob);
}

static void test_value_errors(void)
{
    struct fb *b;

    /* Root with 3 address cells: its memory node's reg can't be decoded. */
    fb_init(&fbuf);
    b = &fbuf;
    fb_begin(b, "");
    fb_u32(b, "#address-cells", 3);
    fb_u32(b, "#size-cells", 2);
    fb_begin(b, "memory@0");
    fb_str(b, "device_type", "memory");
    fb_cells(b, "reg", 5, 0, 0, 0x80000000, 0, 0x1000);
    fb_end(b);
    expect_rc(fb_read(b, 1), FDT_ERR_BADCELLS, "value: reg with #address-cells 3");

    b = fb_root();
    fb_begin(b, "soc");
    fb_u32(b, "#address-cells", 2);
    fb_u32(b, "#size-cells", 0);
    fb_prop(b, "ranges", NULL, 0);
    fb_begin(b, "dev");
    fb_str(b, "compatible", "x,dev");
    fb_cells(b, "reg", 2, 0, 0x1000);
    fb_end(b);
    expect_rc(fb_read(b, 2), FDT_ERR_BADCELLS, "value: device reg with #size-cells 0");

    b = fb_root();
    fb_cells(b, "#address-cells", 2, 0, 2);
    expect_rc(fb_read(b, 1), FDT_ERR_BADVALUE, "value: 8-byte #address-cells");

    b = fb_root();
    fb_begin(b, "memory@0");
    fb_str(b, "device_type", "memory");
    fb_cells(b, "reg", 3, 0, 0x80000000, 0);
    fb_end(b);
    expect_rc(fb_read(b, 1), FDT_ERR_BADVALUE, "value: reg length not a whole entry");

    b = fb_root();
    fb_memory(b, 0xfffffffffffff000ull, 0x2000);
    expect_rc(fb_read(b, 1), FDT_ERR_BADVALUE, "value: reg region wrapping past 2^64");

    b = fb_root();
    fb_begin(b, "cpus");
    fb_prop(b, "timebase-frequency", "abc", 3);
    fb_end(b);
    expect_rc(fb_read(b, 1), FDT_ERR_BADVALUE, "value: 3-byte timebase-frequency");

    b = fb_root();
    fb_soc_begin(b);
    fb_begin(b, "dev");
    fb_prop(b, "compatible", "x,dev", 5); /* no NUL */
    fb_reg64(b, 0x1000, 0x1000);
    fb_end(b);
    expect_rc(fb_read(b, 2), FDT_ERR_BADVALUE, "value: unterminated compatible");

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
    fb_prop(b, "stdout-path", "/soc", 4); /* no NUL */
    fb_end(b);
    expect_rc(fb_read(b, 1), FDT_ERR_BADVALUE, "value: unterminated stdout-path");

    b = fb_root();
    fb_begin(b, "chosen");
    fb_u32(b, "linux,initrd-start", 0x84000000);
    fb_u32(b, "linux,initrd-end", 0x83000000);
    fb_end(b);
    expect_rc(fb_read(b, 1), FDT_ERR_BADVALUE, "value: initrd end before start");
}

static void test_read_reg(void)
{
    static const uint8_t v[16] = {1, 2, 3, 4, 5, 6, 7, 8,
                                  9, 10, 11, 12, 13, 14, 15, 16};
    struct fdt_prop p = {"reg", v, 16};
    struct fdt_region r[4];

    tap_ok(fdt_read_reg(&p, 1, 1, r, 4) == 2 && r[0].base == 0x01020304 &&
               r[0].size == 0x05060708 && r[1].base == 0x090a0b0c,
           "reg: 1/1 cells, two entries");
    tap_ok(fdt_read_reg(&p, 2, 2, r, 4) == 1 &&
               r[0].base == 0x0102030405060708ull &&
               r[0].size == 0x090a0b0c0d0e0f10ull,
           "reg: 2/2 cells, one entry");
    p.len = 12;
    tap_ok(fdt_read_reg(&p, 2, 1, r, 4) == 1 && r[0].size == 0x090a0b0c,
           "reg: 2/1 cells");
    expect_rc(fdt_read_reg(&p, 3, 1, r, 4), FDT_ERR_BADCELLS, "reg: 3 address cells");
    expect_rc(fdt_read_reg(&p, 1, 0, r, 4), FDT_ERR_BADCELLS, "reg: 0 size cells");
    expect_rc(fdt_read_reg(&p, 0, 1, r, 4), FDT_ERR_BADCELLS, "reg: 0 address cells");
    expect_rc(fdt_read_reg(&p, 2, 2, r, 4), FDT_ERR_BADVALUE, "reg: partial entry");
    p.len = 16;
    expect_rc(fdt_read_reg(&p, 1, 1, r, 1), FDT_ERR_NOSPACE, "reg: more entries than cap");
    p.len = 0;
    expect_rc(fdt_read_reg(&p, 2, 2, r, 0), 0, "reg: empty property is zero entries");
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

static void test_strerror(void)
{
    int ok = strcmp(fdt_strerror(12345), "unknown error") == 0;

    for (int e = FDT_ERR_MIN; e <= 0; e++)
        for (int f = e + 1; f <= 0; f++)
            if (strcmp(fdt_strerror(e), fdt_strerror(f)) == 0)
                ok = 0;
    for (int e = FDT_ERR_MIN; e <= 0; e++)
        if (strcmp(fdt_strerror(e), "unknown error") == 0)
            ok = 0;
    tap_ok(ok, "strerror: distinct text for every code");
}

/* ---- Fuzz-ish robustness ---------------------------------------------------- */

static uint32_t rng_state = 0x12345678u;

static uint32_t rng(void)
{
    /* xorshift32: fixed seed, so failures reproduce. */
    rng_state ^= (uint32_t)((uint64_t)rng_state << 13);
    rng_state ^= rng_state >> 17;
    rng_state ^= (uint32_t)((uint64_t)rng_state << 5);
    return rng_state;
}

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
    size_t file_len = 0;
    uint8_t *file;
    uint32_t total;

    if (argc < 2) {
        fprintf(stderr, "usage: %s VIRT_DTB [OPENSBI_DTB]\n", argv[0]);
        return 2;
    }
    file = load_file(argv[1], &file_len);
    tap_ok(file != NULL && file_len >= 40, "load the QEMU virt DTB");
    if (file == NULL || file_len < 40) {
        tap_diag("cannot read %s", argv[1]);
        return tap_done();
    }
    /* dumpdtb writes QEMU's whole 1 MiB FDT buffer; the tree is shorter. */
    total = get32(file + H_TOTALSIZE);
    tap_ok(total <= file_len && fdt_read_machine(file, file_len, &mach) == 0,
           "whole dumped file parses with max_size = file size");
    tap_diag("file %zu bytes, totalsize %u", file_len, total);

    test_virt_machine(file, total);
    test_virt_walk(file, total);
    test_unaligned(file, total);
    test_opensbi(sbi);
    test_header_errors(file, total);
    test_truncated_prop(file, total);
    test_structure_errors();
    test_depth();
    test_capacity();
    test_value_errors();
    test_read_reg();
    test_reserved_memory();
    test_status_and_ranges();
    test_cells_and_chosen();
    test_compat_lists();
    test_strerror();

    fuzz_truncate(file, total, "virt");
    fuzz_flip(file, total, "virt", 20000);
    {
        uint32_t len;
        uint8_t *last = struct_last(file, &len);

        tap_ok(read_copy(last, len) == 0 && mach.ndevices == 16,
               "fuzz: virt re-laid out with the struct block last parses");
        fuzz_truncate(last, len, "virt-struct-last");
        fuzz_flip(last, len, "virt-struct-last", 20000);
        free(last);
    }
    {
        size_t len = 0;
        uint8_t *b = load_file(sbi, &len);

        if (b != NULL && len >= 40 && get32(b + H_TOTALSIZE) <= len) {
            fuzz_flip(b, get32(b + H_TOTALSIZE), "opensbi", 5000);
            free(b);
        } else {
            free(b);
        }
    }
    free(file);
    return tap_done();
}
