/*
 * What the image parsers need from their surroundings: the freestanding C
 * headers and three string functions.  Hosted builds (user programs on
 * picolibc, host tests and tools) take them from the C library; the
 * freestanding kernel defines them under their standard names
 * (kernel/core/support/kstring.c).
 */
#ifndef COFFER_IMAGE_SUPPORT_H
#define COFFER_IMAGE_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if __STDC_HOSTED__
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
#endif

#define IMAGE_ALIGNED(x, a) ((((uint64_t)(x)) & ((uint64_t)(a) - 1)) == 0)
#define IMAGE_ALIGN_UP(x, a) ((((uint64_t)(x)) + ((uint64_t)(a) - 1)) & ~((uint64_t)(a) - 1))
#define IMAGE_ALIGN_DOWN(x, a) (((uint64_t)(x)) & ~((uint64_t)(a) - 1))

#endif
