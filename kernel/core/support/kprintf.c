/*
 * A small printf for the kernel: integers, strings, characters, pointers.
 * No floating point and no allocation; output goes one byte at a time to a
 * callback so the same code serves the console and string buffers.
 */
#include "support/kprintf.h"
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

/*
 * The argument of one conversion.  kvformat() fetches it itself: va_arg is
 * applied only in the function that owns the va_list.
 */
struct value {
    uint64_t u;      /* integers: the magnitude */
    bool negative;   /* %d/%i */
    const char *str; /* %s */
};

static void format_one(kputc_fn put, void *ctx, char conv, const struct spec *sp,
                       const struct value *v)
{
    switch (conv) {
    case 'c':
        put((char)v->u, ctx);
        break;
    case 's':
        emit_string(put, ctx, v->str, sp);
        break;
    case 'd':
    case 'i':
        emit_number(put, ctx, v->u, v->negative, 10, false, sp);
        break;
    case 'u':
        emit_number(put, ctx, v->u, false, 10, false, sp);
        break;
    case 'x':
    case 'X':
        emit_number(put, ctx, v->u, false, 16, conv == 'X', sp);
        break;
    case 'p': {
        struct spec ptr = { .width = 16, .zero_pad = true };
        put('0', ctx);
        put('x', ctx);
        emit_number(put, ctx, v->u, false, 16, false, &ptr);
        break;
    }
    default:
        put('%', ctx);
        if (conv != '%' && conv != '\0')
            put(conv, ctx);
        break;
    }
}

static void set_signed(struct value *v, int64_t i)
{
    v->negative = i < 0;
    v->u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
}

/* Consumes ap, as vprintf does: the caller must not use it afterwards. */
void kvformat(kputc_fn put, void *ctx, const char *fmt, va_list args)
{
    while (*fmt != '\0') {
        if (*fmt != '%') {
            put(*fmt++, ctx);
            continue;
        }
        struct spec sp;
        struct value v = { 0, false, NULL };
        fmt = parse_spec(fmt + 1, &sp);
        char conv = *fmt;
        bool is_signed = conv == 'd' || conv == 'i';
        bool is_unsigned = conv == 'u' || conv == 'x' || conv == 'X';
        if (conv == 'c') {
            v.u = (unsigned char)va_arg(args, int);
        } else if (conv == 's') {
            v.str = va_arg(args, const char *);
        } else if (conv == 'p') {
            v.u = (uint64_t)(uintptr_t)va_arg(args, void *);
        } else if (is_signed || is_unsigned) {
            switch (sp.length) {
            case 0:
                if (is_signed)
                    set_signed(&v, va_arg(args, int));
                else
                    v.u = va_arg(args, unsigned int);
                break;
            case 1:
                if (is_signed)
                    set_signed(&v, va_arg(args, long));
                else
                    v.u = va_arg(args, unsigned long);
                break;
            case 2:
                if (is_signed)
                    set_signed(&v, va_arg(args, long long));
                else
                    v.u = va_arg(args, unsigned long long);
                break;
            default: /* z: size_t, and its signed counterpart as size_t */
                v.u = va_arg(args, size_t);
                if (is_signed)
                    set_signed(&v, (int64_t)v.u);
                break;
            }
        }
        format_one(put, ctx, conv, &sp, &v);
        if (*fmt != '\0')
            fmt++;
    }
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
