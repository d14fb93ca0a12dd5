/*
 * Host tests for kernel/core/support/kprintf.c: ksnprintf's conversions, flags and
 * truncation, a differential comparison with the C library's snprintf for
 * the conversions both share, and kprintf reaching the console.
 *
 * Formats the compiler would reject (unknown conversions, a lone '%') are
 * built at run time in exactly-sized heap buffers, so AddressSanitizer
 * catches any read past their terminating NUL.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_arch.h"
#include "support/kprintf.h"
#include "tap.h"

static char out[256];
/* NULL hidden from the compiler's format checking. */
static const char *volatile null_str;

static void expect(const char *got, size_t len, const char *want, const char *name)
{
    int ok = strcmp(got, want) == 0 && len == strlen(want);
    if (!tap_ok(ok, name))
        tap_diag("got \"%s\" (length %zu), want \"%s\"", got, len, want);
}

/* A heap copy of s with no slack, so over-reads hit ASan's redzone. */
static char *exact_copy(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p == NULL) {
        perror("malloc");
        exit(2);
    }
    memcpy(p, s, n);
    return p;
}

static void test_integers(void)
{
    size_t n;
    n = ksnprintf(out, sizeof out, "%d", 0);
    expect(out, n, "0", "%d zero");
    n = ksnprintf(out, sizeof out, "%d %d", 42, -42);
    expect(out, n, "42 -42", "%d positive and negative");
    n = ksnprintf(out, sizeof out, "%i|%i", INT_MAX, INT_MIN);
    expect(out, n, "2147483647|-2147483648", "%i INT_MAX and INT_MIN");
    n = ksnprintf(out, sizeof out, "%ld", -1234567890123L);
    expect(out, n, "-1234567890123", "%ld negative long");
    n = ksnprintf(out, sizeof out, "%lld", (long long)INT64_MIN);
    expect(out, n, "-9223372036854775808", "%lld INT64_MIN");
    n = ksnprintf(out, sizeof out, "%lld", (long long)INT64_MAX);
    expect(out, n, "9223372036854775807", "%lld INT64_MAX");
    n = ksnprintf(out, sizeof out, "%u", UINT_MAX);
    expect(out, n, "4294967295", "%u UINT_MAX");
    n = ksnprintf(out, sizeof out, "%u", (unsigned)-1 + 0u);
    expect(out, n, "4294967295", "%u of -1 as unsigned");
    n = ksnprintf(out, sizeof out, "%lu", ULONG_MAX);
    expect(out, n, "18446744073709551615", "%lu ULONG_MAX");
    n = ksnprintf(out, sizeof out, "%x", 0xdeadbeefu);
    expect(out, n, "deadbeef", "%x lower-case hex");
    n = ksnprintf(out, sizeof out, "%X", 0xdeadbeefu);
    expect(out, n, "DEADBEEF", "%X upper-case hex");
    n = ksnprintf(out, sizeof out, "%x", 0u);
    expect(out, n, "0", "%x zero");
    n = ksnprintf(out, sizeof out, "%lx", 0x123456789abcdefUL);
    expect(out, n, "123456789abcdef", "%lx 64-bit");
    n = ksnprintf(out, sizeof out, "%llx", (unsigned long long)UINT64_MAX);
    expect(out, n, "ffffffffffffffff", "%llx UINT64_MAX");
    n = ksnprintf(out, sizeof out, "%zu", (size_t)SIZE_MAX);
    expect(out, n, "18446744073709551615", "%zu SIZE_MAX");
    n = ksnprintf(out, sizeof out, "%zx", (size_t)0xabc);
    expect(out, n, "abc", "%zx");
    n = ksnprintf(out, sizeof out, "%d%u%x", -1, 2u, 3u);
    expect(out, n, "-123", "conversions back to back");
}

static void test_pointers_chars_strings(void)
{
    size_t n;
    n = ksnprintf(out, sizeof out, "%p", (void *)(uintptr_t)0x1234);
    expect(out, n, "0x0000000000001234", "%p: 0x and 16 hex digits");
    n = ksnprintf(out, sizeof out, "%p", (void *)0);
    expect(out, n, "0x0000000000000000", "%p NULL");
    n = ksnprintf(out, sizeof out, "%p", (void *)(uintptr_t)0xffffffff80200000ull);
    expect(out, n, "0xffffffff80200000", "%p kernel address");
    n = ksnprintf(out, sizeof out, "[%c%c%c]", 'a', 'Z', '0');
    expect(out, n, "[aZ0]", "%c");
    n = ksnprintf(out, sizeof out, "%s, %s!", "hello", "world");
    expect(out, n, "hello, world!", "%s");
    n = ksnprintf(out, sizeof out, "<%s>", "");
    expect(out, n, "<>", "%s empty string");
    n = ksnprintf(out, sizeof out, "%s", null_str);
    expect(out, n, "(null)", "%s NULL prints (null)");
    n = ksnprintf(out, sizeof out, "100%%");
    expect(out, n, "100%", "%% prints one percent sign");
    n = ksnprintf(out, sizeof out, "%%d %d", 5);
    expect(out, n, "%d 5", "%% does not consume an argument");
}

static void test_width_flags(void)
{
    size_t n;
    n = ksnprintf(out, sizeof out, "[%5d]", 42);
    expect(out, n, "[   42]", "width pads numbers on the left with spaces");
    n = ksnprintf(out, sizeof out, "[%-5d]", 42);
    expect(out, n, "[42   ]", "'-' pads on the right");
    n = ksnprintf(out, sizeof out, "[%05d]", 42);
    expect(out, n, "[00042]", "'0' pads with zeros");
    n = ksnprintf(out, sizeof out, "[%05d]", -42);
    expect(out, n, "[-0042]", "'0' padding goes after the minus sign");
    n = ksnprintf(out, sizeof out, "[%5d]", -42);
    expect(out, n, "[  -42]", "space padding goes before the minus sign");
    n = ksnprintf(out, sizeof out, "[%2d]", 12345);
    expect(out, n, "[12345]", "width smaller than the number does not truncate");
    n = ksnprintf(out, sizeof out, "[%08lx]", 0xbeefUL);
    expect(out, n, "[0000beef]", "%08lx");
    n = ksnprintf(out, sizeof out, "[%016llX]", 0xabcdefULL);
    expect(out, n, "[0000000000ABCDEF]", "%016llX");
    n = ksnprintf(out, sizeof out, "[%6s]", "ab");
    expect(out, n, "[    ab]", "width pads strings on the left");
    n = ksnprintf(out, sizeof out, "[%-6s]", "ab");
    expect(out, n, "[ab    ]", "'-' pads strings on the right");
    n = ksnprintf(out, sizeof out, "[%1s]", "abc");
    expect(out, n, "[abc]", "width smaller than the string does not truncate");
    n = ksnprintf(out, sizeof out, "[%-8s|%8s]", null_str, null_str);
    expect(out, n, "[(null)  |  (null)]", "width applies to (null)");
    n = ksnprintf(out, sizeof out, "[%-6u]", 7u);
    expect(out, n, "[7     ]", "'-' with unsigned");
}

/* Formats the compiler would reject, built at run time. */
static void test_bad_formats(void)
{
    size_t n;
    char *fmt;

    fmt = exact_copy("a%qb %d");
    n = ksnprintf(out, sizeof out, fmt, 7);
    expect(out, n, "a%qb 7", "unknown conversion printed literally, no argument consumed");
    free(fmt);

    fmt = exact_copy("%5q|%d");
    n = ksnprintf(out, sizeof out, fmt, 8);
    expect(out, n, "%q|8", "unknown conversion with width printed literally");
    free(fmt);

    fmt = exact_copy("abc%");
    n = ksnprintf(out, sizeof out, fmt, 0);
    expect(out, n, "abc%", "a lone '%' at the end is printed and nothing after it read");
    free(fmt);

    fmt = exact_copy("x%05");
    n = ksnprintf(out, sizeof out, fmt, 0);
    expect(out, n, "x%", "'%' with flags and width at the end stops at the NUL");
    free(fmt);

    fmt = exact_copy("y%ll");
    n = ksnprintf(out, sizeof out, fmt, 0);
    expect(out, n, "y%", "'%' with a length modifier at the end stops at the NUL");
    free(fmt);

    fmt = exact_copy("%");
    n = ksnprintf(out, sizeof out, fmt, 0);
    expect(out, n, "%", "a format that is only '%'");
    free(fmt);

    fmt = exact_copy("%lll");
    n = ksnprintf(out, sizeof out, fmt, 0);
    expect(out, n, "%l", "a third 'l' is an unknown conversion");
    free(fmt);

    /* A huge width is bounded: no int overflow, no endless padding. */
    fmt = exact_copy("%99999999999999999999d");
    n = ksnprintf(out, 8, fmt, 1);
    tap_ok(n < 1100 && strlen(out) == (n < 7 ? n : 7),
           "an absurd width is bounded and the output NUL-terminated");
    free(fmt);
    n = ksnprintf(out, sizeof out, "%1500d", 1);
    tap_ok(n == 1500 && strlen(out) == sizeof out - 1 && out[0] == ' ',
           "a width of 1500 pads to 1500 characters (truncated to the buffer)");
}

static void test_truncation(void)
{
    size_t n;
    char small[8];

    n = ksnprintf(small, sizeof small, "hello world");
    tap_ok(n == 11 && strcmp(small, "hello w") == 0,
           "truncation: returns the full length, keeps size-1 bytes and a NUL");
    n = ksnprintf(small, sizeof small, "%d", -1234567890);
    tap_ok(n == 11 && strcmp(small, "-123456") == 0, "truncation inside a number");
    n = ksnprintf(small, sizeof small, "1234567");
    tap_ok(n == 7 && strcmp(small, "1234567") == 0, "exact fit: size = length + 1");
    n = ksnprintf(small, sizeof small, "12345678");
    tap_ok(n == 8 && strcmp(small, "1234567") == 0, "size = length loses only the last byte");
    memset(small, 'x', sizeof small);
    n = ksnprintf(small, 1, "abc");
    tap_ok(n == 3 && small[0] == '\0' && small[1] == 'x', "size 1 writes only the NUL");
    memset(small, 'x', sizeof small);
    n = ksnprintf(small, 0, "abc%d", 12);
    tap_ok(n == 5 && small[0] == 'x', "size 0 writes nothing and returns the length");
    n = ksnprintf(small, sizeof small, "%s", "");
    tap_ok(n == 0 && small[0] == '\0', "empty output is an empty string");

    /* Into an exactly sized heap buffer: no write past it. */
    char *heap = malloc(4);
    if (heap == NULL)
        exit(2);
    n = ksnprintf(heap, 4, "%s and %p", "long text", (void *)heap);
    tap_ok(n == 9 + 5 + 18 && strcmp(heap, "lon") == 0,
           "truncation into an exact heap buffer stays inside it");
    free(heap);
}

/* ksnprintf against the C library for the conversions both implement. */
static void test_against_libc(void)
{
    static const char *const fmt_int[] = { "%d", "%5d", "%-7d|", "%012d", "%i", "%1d" };
    static const char *const fmt_uint[] = { "%u", "%x", "%X", "%08x", "%-9x|", "%10u" };
    static const char *const fmt_ll[] = { "%lld", "%020lld", "%llu", "%llx", "%018llX", "%-21lld|" };
    static const char *const fmt_str[] = { "%s", "%10s", "%-10s|", "%3s" };
    static const char *const strs[] = { "", "a", "coffer", "a longer string than ten" };
    char want[256];
    uint64_t x = 0x243f6a8885a308d3ull;
    int ok = 1;
    unsigned cases = 0;

    for (unsigned i = 0; i < 4000 && ok; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* Mix small, boundary and random values. */
        uint64_t v = i % 5 == 0 ? x % 1000 : i % 7 == 0 ? (i & 1 ? INT64_MIN : UINT64_MAX) : x;
        const char *f;
        size_t got;
        int w;
        switch (i % 4) {
        case 0:
            f = fmt_int[i / 4 % 6];
            got = ksnprintf(out, sizeof out, f, (int)v);
            w = snprintf(want, sizeof want, f, (int)v);
            break;
        case 1:
            f = fmt_uint[i / 4 % 6];
            got = ksnprintf(out, sizeof out, f, (unsigned)v);
            w = snprintf(want, sizeof want, f, (unsigned)v);
            break;
        case 2:
            f = fmt_ll[i / 4 % 6];
            got = ksnprintf(out, sizeof out, f, (long long)v);
            w = snprintf(want, sizeof want, f, (long long)v);
            break;
        default:
            f = fmt_str[i / 4 % 4];
            got = ksnprintf(out, sizeof out, f, strs[v % 4]);
            w = snprintf(want, sizeof want, f, strs[v % 4]);
            break;
        }
        cases++;
        if (w < 0 || got != (size_t)w || strcmp(out, want) != 0) {
            tap_diag("format \"%s\" value %#llx: got \"%s\", libc \"%s\"", f,
                     (unsigned long long)v, out, want);
            ok = 0;
        }
    }
    tap_ok(ok && cases == 4000, "4000 random values agree with the C library's snprintf");

    /* Truncated output agrees too (both return the untruncated length). */
    ok = 1;
    for (size_t size = 0; size <= 24 && ok; size++) {
        char a[32], b[32];
        memset(a, '#', sizeof a);
        memset(b, '#', sizeof b);
        size_t ka = ksnprintf(a, size, "%s=%lld", "value", (long long)-123456789012LL);
        int kb = snprintf(b, size, "%s=%lld", "value", (long long)-123456789012LL);
        ok = kb >= 0 && ka == (size_t)kb && memcmp(a, b, sizeof a) == 0;
        if (!ok)
            tap_diag("size %zu differs", size);
    }
    tap_ok(ok, "truncation at every size 0..24 matches snprintf byte for byte");
}

static void test_console(void)
{
    host_console_reset();
    kprintf("coffer: %s %d %p\n", "boot", -3, (void *)(uintptr_t)0xabc);
    const char *want = "coffer: boot -3 0x0000000000000abc\n";
    int ok = strcmp(host_console, want) == 0 && host_console_len == strlen(want);
    if (!tap_ok(ok, "kprintf writes the formatted text to the console"))
        tap_diag("console: \"%s\"", host_console);
    kprintf("%s", "more");
    tap_ok(host_console_len == strlen(want) + 4 &&
               strcmp(host_console + strlen(want), "more") == 0,
           "kprintf appends to the console");
    host_console_reset();
    kprintf("%s", "");
    tap_ok(host_console_len == 0, "kprintf of an empty string writes nothing");
}

int main(void)
{
    test_integers();
    test_pointers_chars_strings();
    test_width_flags();
    test_bad_formats();
    test_truncation();
    test_against_libc();
    test_console();
    return tap_done();
}
