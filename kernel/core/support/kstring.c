/*
 * memcpy and friends for the freestanding kernel (the host build uses libc).
 * Simple byte loops: the kernel copies little, and the compiler turns the
 * aligned cases into word moves where it can.
 */
#include "support/kstring.h"

#ifndef COFFER_HOST
void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (IS_ALIGNED(d, 8) && IS_ALIGNED(s, 8)) {
        for (; n >= 8; n -= 8, d += 8, s += 8)
            *(uint64_t *)(void *)d = *(const uint64_t *)(const void *)s;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    if (IS_ALIGNED(d, 8) && c == 0) {
        /* Zeroing new objects is the common case: 64 bytes per iteration. */
        for (; n >= 64; n -= 64, d += 64) {
            uint64_t *w = (uint64_t *)(void *)d;
            w[0] = 0, w[1] = 0, w[2] = 0, w[3] = 0, w[4] = 0, w[5] = 0, w[6] = 0, w[7] = 0;
        }
        for (; n >= 8; n -= 8, d += 8)
            *(uint64_t *)(void *)d = 0;
    }
    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n] != '\0')
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++;
        b++;
    }
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n > 0; n--, a++, b++) {
        if (*a != *b || *a == '\0')
            return (unsigned char)*a - (unsigned char)*b;
    }
    return 0;
}
#endif
