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
 * Zero 64 bytes at p (8-byte aligned) with stores in line: a revoke
 * clears slots and kills small objects (endpoints, notifications) by the
 * thousand, and a call to memset costs more than the eight stores (GCC
 * makes even a 64-byte struct assignment a call here).  Written out, not
 * as a loop, which the compiler would turn back into that call.
 */
static inline __attribute__((always_inline)) void zero_64(void *p)
{
    uint64_t *w = p;
    w[0] = 0, w[1] = 0, w[2] = 0, w[3] = 0;
    w[4] = 0, w[5] = 0, w[6] = 0, w[7] = 0;
}

#endif
