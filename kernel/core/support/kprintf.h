/*
 * Kernel formatted output.  kvformat() is the portable formatter (tested on
 * the host); kprintf() sends its output to the architecture's console.
 *
 * Conversions: %c %s %d %i %u %x %X %p %%, with the length modifiers l, ll
 * and z, a field width, and the flags '0' and '-'.  Anything else is printed
 * literally so a bad format string can never read past its arguments.
 */
#ifndef COFFER_KERNEL_KPRINTF_H
#define COFFER_KERNEL_KPRINTF_H

#include <stdarg.h>
#include "types.h"

typedef void (*kputc_fn)(char c, void *ctx);

void kvformat(kputc_fn put, void *ctx, const char *fmt, va_list ap);
void kvprintf(const char *fmt, va_list ap);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Format into buf (always NUL-terminated); returns the untruncated length. */
size_t ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
