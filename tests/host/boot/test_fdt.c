/*
 * Host tests for kernel/core/boot/fdt.c: the header checks, the generic walker
 * fdt_walk, the property helpers (fdt_read_reg, fdt_prop_*), the
 * memory-reservation block (fdt_memreserve_each) and fdt_strerror.  The
 * machine description built on them (kernel/core/boot/fdt_machine.c) is tested
 * by test_fdt_machine.c.
 *
 * usage: test_fdt VIRT_DTB
 *
 * VIRT_DTB is QEMU's own tree, produced by
 *   qemu-system-riscv64 -machine virt,dumpdtb=build/virt.dtb -m 128M -smp 1 \
 *       -nographic -bios default
 *
 * Malformed inputs are made by patching copies of the real blob or with the
 * FDT writer of fdt_fixture.c.  Many of them go in through fdt_read_machine,
 * the kernel's entry point, which checks the header and walks the whole
 * tree with the helpers tested here: what rejects them is fdt.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/fdt.h"
#include "fdt_fixture.h"
#include "tap.h"
#include "test_util.h"

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

/* ---- The walker on the real QEMU virt tree ------------------------------ */

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

/* ---- Property values --------------------------------------------------- */

/*
 * Values rejected by fdt.c: #address-cells of the wrong length (fdt_walk),
 * reg with bad cells, a partial entry or a wrapping region (fdt_read_reg),
 * a number or string of the wrong shape (fdt_prop_uint, fdt_prop_string).
 */
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
    fb_begin(b, "chosen");
    fb_prop(b, "stdout-path", "/soc", 4); /* no NUL */
    fb_end(b);
    expect_rc(fb_read(b, 1), FDT_ERR_BADVALUE, "value: unterminated stdout-path");
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

/* ---- Memory-reservation block ------------------------------------------ */

#define RSV_LOG_MAX 8

/* What a log_rsv callback saw; it returns stop_value on call stop_at. */
struct rsv_log {
    int n;
    int stop_at; /* 1-based; 0: never stop */
    int stop_value;
    struct fdt_region e[RSV_LOG_MAX];
};

static int log_rsv(uint64_t base, uint64_t size, void *ctx)
{
    struct rsv_log *l = ctx;

    if (l->n < RSV_LOG_MAX) {
        l->e[l->n].base = base;
        l->e[l->n].size = size;
    }
    l->n++;
    return l->n == l->stop_at ? l->stop_value : 0;
}

static struct rsv_log *rsv_log_reset(struct rsv_log *l, int stop_at, int stop_value)
{
    memset(l, 0, sizeof(*l));
    l->stop_at = stop_at;
    l->stop_value = stop_value;
    return l;
}

/*
 * A copy of a blob from fb_finish with its reservation entries, but not
 * their terminator, moved to the very end and followed by `tail` zero
 * bytes: the block runs into the end of the (exact-size) buffer.
 */
static uint8_t *rsv_unterminated(const uint8_t *blob, size_t len, size_t tail,
                                 size_t *out_len)
{
    uint32_t off_rsv = get32(blob + H_OFF_RSVMAP);
    uint32_t entries = get32(blob + H_OFF_STRUCT) - off_rsv - 16;
    size_t at = (len + 7) & ~(size_t)7;
    uint8_t *p;

    *out_len = at + entries + tail;
    p = xmalloc(*out_len);
    memset(p, 0, *out_len);
    memcpy(p, blob, len);
    memcpy(p + at, blob + off_rsv, entries);
    put32(p + H_TOTALSIZE, (uint32_t)*out_len);
    put32(p + H_OFF_RSVMAP, (uint32_t)at);
    return p;
}

static void test_memreserve(const uint8_t *virt, uint32_t total)
{
    static const struct fdt_region want[] = {
        {0x87000000, 0x10000},
        {0, 0x1000}, /* base 0 with a size is an entry, not the end */
        {0x80000000, 0x80000},
        {0xfffffffffffff000ull, 0x1000}, /* ends exactly at 2^64 */
    };
    struct rsv_log log;
    struct fb *b;
    size_t len, cut_len;
    uint8_t *blob, *cut;
    int ok;

    blob = dup_blob(virt, total);
    tap_ok(fdt_memreserve_each(blob, total, log_rsv, rsv_log_reset(&log, 0, 0)) == 0 &&
               log.n == 0,
           "memreserve: QEMU's virt tree has only the terminator");
    free(blob);

    b = fb_root();
    fb_rsv(b, want[0].base, want[0].size);
    fb_rsv(b, 0x88000000, 0); /* size 0: skipped, not the end */
    fb_rsv(b, want[1].base, want[1].size);
    fb_rsv(b, want[2].base, want[2].size);
    fb_rsv(b, 0x90000000, 0);
    fb_rsv(b, want[3].base, want[3].size);
    fb_end(b);
    blob = fb_finish(b, &len);
    ok = fdt_memreserve_each(blob, len, log_rsv, rsv_log_reset(&log, 0, 0)) == 0 &&
         log.n == 4;
    for (int i = 0; ok && i < 4; i++)
        ok = log.e[i].base == want[i].base && log.e[i].size == want[i].size;
    tap_ok(ok, "memreserve: entries delivered in order, size-0 entries skipped");
    tap_ok(fdt_memreserve_each(blob, len, log_rsv, rsv_log_reset(&log, 2, 7)) == 7 &&
               log.n == 2,
           "memreserve: a positive callback result stops the walk and is returned");
    tap_ok(fdt_memreserve_each(blob, len, log_rsv,
                               rsv_log_reset(&log, 1, FDT_ERR_NOSPACE)) == FDT_ERR_NOSPACE &&
               log.n == 1,
           "memreserve: a negative callback result stops the walk and is returned");
    expect_rc(fdt_memreserve_each(blob, len, NULL, NULL), FDT_ERR_BADARG,
              "memreserve: NULL callback is FDT_ERR_BADARG");
    rsv_log_reset(&log, 0, 0);
    ok = fdt_memreserve_each(NULL, len, log_rsv, &log) == FDT_ERR_BADARG &&
         fdt_memreserve_each(blob, len - 1, log_rsv, &log) == FDT_ERR_TRUNCATED;
    blob[0] ^= 0xff;
    tap_ok(ok && fdt_memreserve_each(blob, len, log_rsv, &log) == FDT_ERR_BADMAGIC &&
               log.n == 0,
           "memreserve: the header is checked first (NULL blob, short buffer, bad magic)");
    free(blob);

    b = fb_root();
    fb_rsv(b, 0x1000, 0x1000);
    fb_rsv(b, 0x3000, 0x1000);
    fb_end(b);
    blob = fb_finish(b, &len);
    cut = rsv_unterminated(blob, len, 0, &cut_len);
    expect_rc(fdt_memreserve_each(cut, cut_len, log_rsv, rsv_log_reset(&log, 0, 0)),
              FDT_ERR_TRUNCATED, "memreserve: block ends with the blob, no terminator");
    free(cut);
    cut = rsv_unterminated(blob, len, 8, &cut_len);
    expect_rc(fdt_memreserve_each(cut, cut_len, log_rsv, rsv_log_reset(&log, 0, 0)),
              FDT_ERR_TRUNCATED, "memreserve: half an entry at the end of the blob");
    free(cut);
    free(blob);

    b = fb_root();
    fb_rsv(b, 0x1000, 0x1000);
    fb_rsv(b, 0xfffffffffffff000ull, 0x2000);
    fb_end(b);
    blob = fb_finish(b, &len);
    expect_rc(fdt_memreserve_each(blob, len, log_rsv, rsv_log_reset(&log, 0, 0)),
              FDT_ERR_BADVALUE, "memreserve: an entry wrapping past 2^64 is FDT_ERR_BADVALUE");
    free(blob);

    /* The same through fdt_read_machine, which reads the block first. */
    b = fb_root();
    fb_rsv(b, 0xfffffffffffff000ull, 0x2000);
    blob = fb_finish(b, &len); /* root left open: the memreserve check is first */
    expect_rc(fdt_read_machine(blob, len, &mach), FDT_ERR_BADVALUE,
              "value: memreserve entry wrapping past 2^64");
    free(blob);
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

int main(int argc, char **argv)
{
    size_t file_len = 0;
    uint8_t *file;
    uint32_t total;

    if (argc < 2) {
        fprintf(stderr, "usage: %s VIRT_DTB\n", argv[0]);
        return 2;
    }
    file = test_load_file(argv[1], &file_len);
    tap_ok(file != NULL && file_len >= 40, "load the QEMU virt DTB");
    if (file == NULL || file_len < 40) {
        tap_diag("cannot read %s", argv[1]);
        free(file);
        return tap_done();
    }
    /* dumpdtb writes QEMU's whole 1 MiB FDT buffer; the tree is shorter. */
    total = get32(file + H_TOTALSIZE);
    if (total > file_len) {
        tap_ok(0, "totalsize within the dumped file");
        free(file);
        return tap_done();
    }

    test_virt_walk(file, total);
    test_header_errors(file, total);
    test_truncated_prop(file, total);
    test_structure_errors();
    test_depth();
    test_value_errors();
    test_read_reg();
    test_memreserve(file, total);
    test_strerror();
    free(file);
    return tap_done();
}
