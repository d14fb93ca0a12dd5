/*
 * The few string routines the kernel needs.
 *
 * The target kernel links no libc, so kstring.c provides these under their
 * standard names (the compiler itself emits calls to memcpy and memset for
 * struct copies).  The host build of the core uses the host libc instead.
 */
#ifndef COFFER_KERNEL_KSTRING_H
#define COFFER_KERNEL_KSTRING_H

#include "types.h"

#if defined(COFFER_HOST) || defined(COFFER_USER)
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
#endif

/*
 * Zero bytes (a multiple of 8) at p (8-byte aligned) with stores in line:
 * for the small objects a revoke kills by the thousand -- 64-byte slots
 * and endpoints -- a call to memset costs more than the stores (GCC makes
 * even a 64-byte struct assignment a call here).  The kernel is built
 * with -fno-tree-loop-distribute-patterns, so these loops stay loops.
 */
static inline __attribute__((always_inline)) void zero_words(void *p, size_t bytes)
{
    uint64_t *w = p, *end = w + bytes / 8;
    for (; end - w >= 8; w += 8) {
        w[0] = 0, w[1] = 0, w[2] = 0, w[3] = 0;
        w[4] = 0, w[5] = 0, w[6] = 0, w[7] = 0;
    }
    for (; w < end; w++)
        *w = 0;
}

#endif
