/*
 * A small printf for the kernel: integers, strings, characters, pointers.
 * No floating point and no allocation; output goes one byte at a time to a
 * callback so the same code serves the console and string buffers.
 */
#include "kprintf.h"
#include "arch.h"

struct spec {
    int width;
    bool zero_pad;
    bool left;
    int length; /* 0: int, 1: long, 2: long long, 3: size_t */
};

static void emit_padding(kputc_fn put, void *ctx, int count, char c)
{
    for (int i = 0; i < count; i++)
        put(c, ctx);
}

static void emit_string(kputc_fn put, void *ctx, const char *s, const struct spec *sp)
{
    int len = 0;
    if (s == NULL)
        s = "(null)";
    while (s[len] != '\0')
        len++;
    if (!sp->left)
        emit_padding(put, ctx, sp->width - len, ' ');
    for (int i = 0; i < len; i++)
        put(s[i], ctx);
    if (sp->left)
        emit_padding(put, ctx, sp->width - len, ' ');
}

static void emit_number(kputc_fn put, void *ctx, uint64_t value, bool negative, unsigned base,
                        bool upper, const struct spec *sp)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    int n = 0;
    do {
        buf[n++] = digits[value % base];
        value /= base;
    } while (value != 0);
    int len = n + (negative ? 1 : 0);
    if (!sp->left && !sp->zero_pad)
        emit_padding(put, ctx, sp->width - len, ' ');
    if (negative)
        put('-', ctx);
    if (!sp->left && sp->zero_pad)
        emit_padding(put, ctx, sp->width - len, '0');
    while (n > 0)
        put(buf[--n], ctx);
    if (sp->left)
        emit_padding(put, ctx, sp->width - len, ' ');
}

/* Parse flags, width and length modifiers; returns the conversion char. */
static const char *parse_spec(const char *fmt, struct spec *sp)
{
    *sp = (struct spec){ 0 };
    while (*fmt == '0' || *fmt == '-') {
        if (*fmt == '0')
            sp->zero_pad = true;
        else
            sp->left = true;
        fmt++;
    }
    while (*fmt >= '0' && *fmt <= '9' && sp->width < 1000)
        sp->width = sp->width * 10 + (*fmt++ - '0');
    if (*fmt == 'z') {
        sp->length = 3;
        fmt++;
    } else {
        while (*fmt == 'l' && sp->length < 2) {
            sp->length++;
            fmt++;
        }
    }
    return fmt;
}

static uint64_t fetch_unsigned(va_list *ap, int length)
{
    switch (length) {
    case 0:
        return va_arg(*ap, unsigned int);
    case 1:
        return va_arg(*ap, unsigned long);
    case 2:
        return va_arg(*ap, unsigned long long);
    default:
        return va_arg(*ap, size_t);
    }
}

static int64_t fetch_signed(va_list *ap, int length)
{
    switch (length) {
    case 0:
        return va_arg(*ap, int);
    case 1:
        return va_arg(*ap, long);
    case 2:
        return va_arg(*ap, long long);
    default:
        return (int64_t)va_arg(*ap, size_t);
    }
}

static void format_one(kputc_fn put, void *ctx, char conv, const struct spec *sp, va_list *ap)
{
    switch (conv) {
    case 'c': {
        char c = (char)va_arg(*ap, int);
        put(c, ctx);
        break;
    }
    case 's':
        emit_string(put, ctx, va_arg(*ap, const char *), sp);
        break;
    case 'd':
    case 'i': {
        int64_t v = fetch_signed(ap, sp->length);
        uint64_t magnitude = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        emit_number(put, ctx, magnitude, v < 0, 10, false, sp);
        break;
    }
    case 'u':
        emit_number(put, ctx, fetch_unsigned(ap, sp->length), false, 10, false, sp);
        break;
    case 'x':
    case 'X':
        emit_number(put, ctx, fetch_unsigned(ap, sp->length), false, 16, conv == 'X', sp);
        break;
    case 'p': {
        struct spec ptr = { .width = 16, .zero_pad = true };
        put('0', ctx);
        put('x', ctx);
        emit_number(put, ctx, (uint64_t)(uintptr_t)va_arg(*ap, void *), false, 16, false, &ptr);
        break;
    }
    default:
        put('%', ctx);
        if (conv != '%' && conv != '\0')
            put(conv, ctx);
        break;
    }
}

void kvformat(kputc_fn put, void *ctx, const char *fmt, va_list ap)
{
    va_list args;
    va_copy(args, ap);
    while (*fmt != '\0') {
        if (*fmt != '%') {
            put(*fmt++, ctx);
            continue;
        }
        struct spec sp;
        fmt = parse_spec(fmt + 1, &sp);
        format_one(put, ctx, *fmt, &sp, &args);
        if (*fmt != '\0')
            fmt++;
    }
    va_end(args);
}

static void console_put(char c, void *ctx)
{
    (void)ctx;
    arch_console_putc(c);
}

void kvprintf(const char *fmt, va_list ap)
{
    kvformat(console_put, NULL, fmt, ap);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

struct buffer {
    char *buf;
    size_t size;
    size_t len;
};

static void buffer_put(char c, void *ctx)
{
    struct buffer *b = ctx;
    if (b->len + 1 < b->size)
        b->buf[b->len] = c;
    b->len++;
}

size_t ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    struct buffer b = { buf, size, 0 };
    va_list ap;
    va_start(ap, fmt);
    kvformat(buffer_put, &b, fmt, ap);
    va_end(ap);
    if (size > 0)
        buf[b.len < size ? b.len : size - 1] = '\0';
    return b.len;
}
