/*
 * Shared by the device-tree host tests (test_fdt.c: header, walker,
 * property helpers, memory-reservation block; test_fdt_machine.c:
 * fdt_read_machine and the lookups): file loading, big-endian patching of
 * blobs and a tiny FDT writer for hand-made trees.
 *
 * Everything here is static inline, so a test program that leaves some of
 * it unused still builds with -Wall -Werror.  The two file-scope objects
 * (mach, fbuf) are used by both programs through fb_read().
 *
 * Blobs under test always live in malloc'd buffers of exactly the size
 * passed as max_size, so that ASan flags any read past the end.
 */
#ifndef COFFER_TESTS_FDT_FIXTURE_H
#define COFFER_TESTS_FDT_FIXTURE_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/fdt.h"
#include "tap.h"
#include "test_util.h"

#define MIB (1024u * 1024u)

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

static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline uint32_t get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

static inline void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL) {
        perror("malloc");
        exit(2);
    }
    return p;
}

static inline uint8_t *dup_blob(const uint8_t *src, size_t n)
{
    uint8_t *p = xmalloc(n);

    memcpy(p, src, n);
    return p;
}


static inline void expect_rc(int got, int want, const char *name)
{
    if (!tap_ok(got == want, name))
        tap_diag("got %d (%s), want %d (%s)", got, fdt_strerror(got), want,
                 fdt_strerror(want));
}

/* The machine fdt_read_machine fills: big, so kept off the stack. */
static struct fdt_machine mach;

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

static inline void fb_need(size_t have, size_t want, size_t cap)
{
    if (have + want > cap) {
        fprintf(stderr, "fdt writer overflow\n");
        exit(2);
    }
}

static inline void fb_init(struct fb *b)
{
    memset(b, 0, sizeof(*b));
}

static inline void fb_word(struct fb *b, uint32_t v)
{
    fb_need(b->st_len, 4, sizeof(b->st));
    put32(b->st + b->st_len, v);
    b->st_len += 4;
}

static inline void fb_bytes(struct fb *b, const void *p, size_t n)
{
    fb_need(b->st_len, n + 3, sizeof(b->st));
    if (n > 0)
        memcpy(b->st + b->st_len, p, n);
    b->st_len += n;
    while (b->st_len % 4)
        b->st[b->st_len++] = 0;
}

static inline uint32_t fb_string(struct fb *b, const char *s)
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

static inline void fb_begin(struct fb *b, const char *name)
{
    fb_word(b, 1);
    fb_bytes(b, name, strlen(name) + 1);
}

static inline void fb_end(struct fb *b)
{
    fb_word(b, 2);
}

static inline void fb_prop(struct fb *b, const char *name, const void *v, size_t n)
{
    fb_word(b, 3);
    fb_word(b, (uint32_t)n);
    fb_word(b, fb_string(b, name));
    fb_bytes(b, v, n);
}

static inline void fb_str(struct fb *b, const char *name, const char *s)
{
    fb_prop(b, name, s, strlen(s) + 1);
}

/* A property of n 32-bit cells. */
static inline void fb_cells(struct fb *b, const char *name, int n, ...)
{
    uint8_t buf[64];
    va_list ap;

    va_start(ap, n);
    for (int i = 0; i < n; i++)
        put32(buf + 4 * i, va_arg(ap, uint32_t));
    va_end(ap);
    fb_prop(b, name, buf, 4u * (unsigned)n);
}

static inline void fb_u32(struct fb *b, const char *name, uint32_t v)
{
    fb_cells(b, name, 1, v);
}

/* A 2/2-cell reg entry. */
static inline void fb_reg64(struct fb *b, uint64_t base, uint64_t size)
{
    fb_cells(b, "reg", 4, (uint32_t)(base >> 32), (uint32_t)base,
             (uint32_t)(size >> 32), (uint32_t)size);
}

/* A 2/2-cell reg with n entries of 0x10 bytes at 0x1000, 0x2000, ... */
static inline void fb_regs(struct fb *b, int n)
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

static inline void fb_rsv(struct fb *b, uint64_t addr, uint64_t size)
{
    fb_need(b->rsv_len, 16, sizeof(b->rsv));
    put32(b->rsv + b->rsv_len, (uint32_t)(addr >> 32));
    put32(b->rsv + b->rsv_len + 4, (uint32_t)addr);
    put32(b->rsv + b->rsv_len + 8, (uint32_t)(size >> 32));
    put32(b->rsv + b->rsv_len + 12, (uint32_t)size);
    b->rsv_len += 16;
}

/* Lay out header | rsvmap | struct | strings in a fresh exact-size buffer. */
static inline uint8_t *fb_finish(struct fb *b, size_t *len)
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
static inline struct fb *fb_root(void)
{
    fb_init(&fbuf);
    fb_begin(&fbuf, "");
    fb_u32(&fbuf, "#address-cells", 2);
    fb_u32(&fbuf, "#size-cells", 2);
    return &fbuf;
}

static inline void fb_memory(struct fb *b, uint64_t base, uint64_t size)
{
    char name[40];

    snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)base);
    fb_begin(b, name);
    fb_str(b, "device_type", "memory");
    fb_reg64(b, base, size);
    fb_end(b);
}

/* A /soc-like bus at depth 1 with 2/2 cells and identity ranges. */
static inline void fb_soc_begin(struct fb *b)
{
    fb_begin(b, "soc");
    fb_u32(b, "#address-cells", 2);
    fb_u32(b, "#size-cells", 2);
    fb_str(b, "compatible", "simple-bus");
    fb_prop(b, "ranges", NULL, 0);
}

static inline void fb_device(struct fb *b, const char *name, const char *compat,
                             uint64_t base, uint64_t size)
{
    fb_begin(b, name);
    fb_str(b, "compatible", compat);
    fb_reg64(b, base, size);
    fb_end(b);
}

/* Finish the tree (closing `open` nodes) and run fdt_read_machine on it. */
static inline int fb_read(struct fb *b, int open)
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

/* ---- Re-laid-out copies of a blob ------------------------------------------ */

/*
 * Copy a blob re-laid out as header | rsvmap | strings | struct, so that
 * the struct block ends the buffer: cut inside it, any read past its end
 * is an ASan error rather than a quiet read of the strings block.
 */
static inline uint8_t *struct_last(const uint8_t *blob, uint32_t *len)
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

#endif
