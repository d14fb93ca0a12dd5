/*
 * Shared by the device-tree host tests (test_fdt.c: header, walker,
 * property helpers, memory-reservation block; test_fdt_machine.c:
 * fdt_read_machine and the lookups), in fdt_fixture.c: big-endian
 * patching of blobs, a tiny FDT writer for hand-made trees, and copies of
 * a blob laid out again.
 *
 * Blobs under test always live in malloc'd buffers of exactly the size
 * passed as max_size, so that ASan flags any read past the end.
 */
#ifndef COFFER_TESTS_FDT_FIXTURE_H
#define COFFER_TESTS_FDT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "boot/fdt.h"

#define MIB (1024u * 1024u)

/* The header as the DTSpec lays it out (big-endian words); the tests name
 * its fields by offset, H_<field>. */
struct fdt_header_words {
    uint32_t magic, totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap, version,
        last_comp_version, boot_cpuid_phys, size_dt_strings, size_dt_struct;
};
#define H_TOTALSIZE offsetof(struct fdt_header_words, totalsize)
#define H_OFF_STRUCT offsetof(struct fdt_header_words, off_dt_struct)
#define H_OFF_STRINGS offsetof(struct fdt_header_words, off_dt_strings)
#define H_OFF_RSVMAP offsetof(struct fdt_header_words, off_mem_rsvmap)
#define H_VERSION offsetof(struct fdt_header_words, version)
#define H_LAST_COMP offsetof(struct fdt_header_words, last_comp_version)
#define H_SIZE_STRINGS offsetof(struct fdt_header_words, size_dt_strings)
#define H_SIZE_STRUCT offsetof(struct fdt_header_words, size_dt_struct)

void put32(uint8_t *p, uint32_t v);
uint32_t get32(const uint8_t *p);
void *xmalloc(size_t n); /* exits on failure */
uint8_t *dup_blob(const uint8_t *src, size_t n);

/* TAP: fdt_* returned want, with both codes' texts when it did not. */
void expect_rc(int got, int want, const char *name);

/* The machine fdt_read_machine fills (fb_read and the tests): big, so
 * kept off the stack. */
extern struct fdt_machine mach;

/* ---- A tiny FDT writer: nodes, properties and reservation entries into
 * blocks, laid out as a blob by fb_finish. */
struct fb {
    uint8_t st[32768]; /* struct block */
    size_t st_len;
    char strs[4096];   /* strings block */
    size_t str_len;
    uint8_t rsv[1024]; /* reservation entries, terminator added at finish */
    size_t rsv_len;
    int no_end;        /* leave out FDT_END */
};
extern struct fb fbuf; /* 38 KiB: static, reinitialised by each test (fb_root) */

void fb_init(struct fb *b);
void fb_word(struct fb *b, uint32_t v);
void fb_bytes(struct fb *b, const void *p, size_t n);
uint32_t fb_string(struct fb *b, const char *s); /* offset in the strings block */
void fb_begin(struct fb *b, const char *name);
void fb_end(struct fb *b);
void fb_prop(struct fb *b, const char *name, const void *v, size_t n);
void fb_str(struct fb *b, const char *name, const char *s);
/* A property of n 32-bit cells. */
void fb_cells(struct fb *b, const char *name, int n, ...);
void fb_u32(struct fb *b, const char *name, uint32_t v);
/* A 2/2-cell reg entry. */
void fb_reg64(struct fb *b, uint64_t base, uint64_t size);
/* A 2/2-cell reg with n entries of 0x10 bytes at 0x1000, 0x2000, ... */
void fb_regs(struct fb *b, int n);
void fb_rsv(struct fb *b, uint64_t addr, uint64_t size);
/* Lay out header | rsvmap | struct | strings in a fresh exact-size buffer. */
uint8_t *fb_finish(struct fb *b, size_t *len);

/* Root with 2/2 cells, as on QEMU virt; caller adds nodes and closes it. */
struct fb *fb_root(void);
void fb_memory(struct fb *b, uint64_t base, uint64_t size);
/* A /soc-like bus at depth 1 with 2/2 cells and identity ranges. */
void fb_soc_begin(struct fb *b);
void fb_device(struct fb *b, const char *name, const char *compat, uint64_t base,
               uint64_t size);
/* Finish the tree (closing `open` nodes) and run fdt_read_machine on it. */
int fb_read(struct fb *b, int open);

/* A copy of a blob laid out as header | rsvmap | strings | struct, so that
 * the struct block ends the buffer: cut inside it, any read past its end
 * is an ASan error rather than a quiet read of the strings block. */
uint8_t *struct_last(const uint8_t *blob, uint32_t *len);

#endif
