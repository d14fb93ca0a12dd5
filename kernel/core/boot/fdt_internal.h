/*
 * Helpers shared by the files of the device-tree reader (fdt.c: header,
 * walker, properties; fdt_machine.c: the boot-time machine description).
 * Not part of the fdt.h interface.
 */
#ifndef COFFER_KERNEL_FDT_INTERNAL_H
#define COFFER_KERNEL_FDT_INTERNAL_H

#include "boot/fdt.h"

static inline uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline uint64_t be64(const uint8_t *p)
{
    return ((uint64_t)be32(p) << 32) | be32(p + 4);
}

/* Would [base, base + size) run past 2^64?  (Checked without wrapping.) */
static inline bool region_wraps(uint64_t base, uint64_t size)
{
    return size != 0 && size - 1 > UINT64_MAX - base;
}

/* Big-endian number of 1 or 2 cells. */
static inline uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
    return cells == 2 ? be64(p) : be32(p);
}

/*
 * Length of the string at s, looking at no more than max bytes; returns max
 * if there is no NUL in them.  (strnlen is POSIX, not C11, and the hosted
 * test build runs in strict C11 mode.)
 */
static inline uint64_t bounded_strlen(const char *s, uint64_t max)
{
    uint64_t n = 0;

    while (n < max && s[n] != '\0')
        n++;
    return n;
}

#endif
