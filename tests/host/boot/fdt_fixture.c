/*
 * The device-tree tests' helpers (fdt_fixture.h): big-endian patching,
 * a tiny FDT writer for hand-made trees and re-laid-out copies of blobs.
 */
#include "fdt_fixture.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

/* ---- Small utilities ---------------------------------------------------- */

void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

uint32_t get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL) {
        perror("malloc");
        exit(2);
    }
    return p;
}

uint8_t *dup_blob(const uint8_t *src, size_t n)
{
    uint8_t *p = xmalloc(n);

    memcpy(p, src, n);
    return p;
}


void expect_rc(int got, int want, const char *name)
{
    if (!tap_ok(got == want, name))
        tap_diag("got %d (%s), want %d (%s)", got, fdt_strerror(got), want,
                 fdt_strerror(want));
}

struct fdt_machine mach;

/* ---- A tiny FDT writer --------------------------------------------------- */

static void fb_need(size_t have, size_t want, size_t cap)
{
    if (have + want > cap) {
        fprintf(stderr, "fdt writer overflow\n");
        exit(2);
    }
}

void fb_init(struct fb *b)
{
    memset(b, 0, sizeof(*b));
}

void fb_word(struct fb *b, uint32_t v)
{
    fb_need(b->st_len, 4, sizeof(b->st));
    put32(b->st + b->st_len, v);
    b->st_len += 4;
}

void fb_bytes(struct fb *b, const void *p, size_t n)
{
    fb_need(b->st_len, n + 3, sizeof(b->st));
    if (n > 0)
        memcpy(b->st + b->st_len, p, n);
    b->st_len += n;
    while (b->st_len % 4)
        b->st[b->st_len++] = 0;
}

uint32_t fb_string(struct fb *b, const char *s)
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

void fb_begin(struct fb *b, const char *name)
{
    fb_word(b, 1);
    fb_bytes(b, name, strlen(name) + 1);
}

void fb_end(struct fb *b)
{
    fb_word(b, 2);
}

void fb_prop(struct fb *b, const char *name, const void *v, size_t n)
{
    fb_word(b, 3);
    fb_word(b, (uint32_t)n);
    fb_word(b, fb_string(b, name));
    fb_bytes(b, v, n);
}

void fb_str(struct fb *b, const char *name, const char *s)
{
    fb_prop(b, name, s, strlen(s) + 1);
}

/* A property of n 32-bit cells. */
void fb_cells(struct fb *b, const char *name, int n, ...)
{
    uint8_t buf[64];
    va_list ap;

    va_start(ap, n);
    for (int i = 0; i < n; i++)
        put32(buf + 4 * i, va_arg(ap, uint32_t));
    va_end(ap);
    fb_prop(b, name, buf, 4u * (unsigned)n);
}

void fb_u32(struct fb *b, const char *name, uint32_t v)
{
    fb_cells(b, name, 1, v);
}

/* A 2/2-cell reg entry. */
void fb_reg64(struct fb *b, uint64_t base, uint64_t size)
{
    fb_cells(b, "reg", 4, (uint32_t)(base >> 32), (uint32_t)base,
             (uint32_t)(size >> 32), (uint32_t)size);
}

/* A 2/2-cell reg with n entries of 0x10 bytes at 0x1000, 0x2000, ... */
void fb_regs(struct fb *b, int n)
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

void fb_rsv(struct fb *b, uint64_t addr, uint64_t size)
{
    fb_need(b->rsv_len, 16, sizeof(b->rsv));
    put32(b->rsv + b->rsv_len, (uint32_t)(addr >> 32));
    put32(b->rsv + b->rsv_len + 4, (uint32_t)addr);
    put32(b->rsv + b->rsv_len + 8, (uint32_t)(size >> 32));
    put32(b->rsv + b->rsv_len + 12, (uint32_t)size);
    b->rsv_len += 16;
}

/* Where the blocks are: the header's size and offset fields. */
static void put_layout(uint8_t *p, uint32_t total, uint32_t off_rsv, uint32_t off_st,
                       uint32_t off_str)
{
    put32(p + H_TOTALSIZE, total);
    put32(p + H_OFF_RSVMAP, off_rsv);
    put32(p + H_OFF_STRUCT, off_st);
    put32(p + H_OFF_STRINGS, off_str);
}

/* Lay out header | rsvmap | struct | strings in a fresh exact-size buffer. */
uint8_t *fb_finish(struct fb *b, size_t *len)
{
    size_t off_rsv = 40, rsv_len = b->rsv_len + 16;
    size_t off_st = off_rsv + rsv_len;
    size_t st_len = b->st_len + (b->no_end ? 0 : 4);
    size_t off_str = off_st + st_len;
    size_t total = off_str + b->str_len;
    uint8_t *p = xmalloc(total);

    memset(p, 0, total);
    put32(p, FDT_MAGIC);
    put_layout(p, (uint32_t)total, (uint32_t)off_rsv, (uint32_t)off_st, (uint32_t)off_str);
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

struct fb fbuf;

/* Root with 2/2 cells, as on QEMU virt; caller adds nodes and closes it. */
struct fb *fb_root(void)
{
    fb_init(&fbuf);
    fb_begin(&fbuf, "");
    fb_u32(&fbuf, "#address-cells", 2);
    fb_u32(&fbuf, "#size-cells", 2);
    return &fbuf;
}

void fb_memory(struct fb *b, uint64_t base, uint64_t size)
{
    char name[40];

    snprintf(name, sizeof(name), "memory@%llx", (unsigned long long)base);
    fb_begin(b, name);
    fb_str(b, "device_type", "memory");
    fb_reg64(b, base, size);
    fb_end(b);
}

/* A /soc-like bus at depth 1 with 2/2 cells and identity ranges. */
void fb_soc_begin(struct fb *b)
{
    fb_begin(b, "soc");
    fb_u32(b, "#address-cells", 2);
    fb_u32(b, "#size-cells", 2);
    fb_str(b, "compatible", "simple-bus");
    fb_prop(b, "ranges", NULL, 0);
}

void fb_device(struct fb *b, const char *name, const char *compat,
                             uint64_t base, uint64_t size)
{
    fb_begin(b, name);
    fb_str(b, "compatible", compat);
    fb_reg64(b, base, size);
    fb_end(b);
}

/* Finish the tree (closing `open` nodes) and run fdt_read_machine on it. */
int fb_read(struct fb *b, int open)
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
uint8_t *struct_last(const uint8_t *blob, uint32_t *len)
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
    put_layout(p, *len, 40, off_st, off_str);
    return p;
}
