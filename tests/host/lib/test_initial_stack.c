/*
 * The initial stack (lib/loader/initial_stack.c): the exact layout word by
 * word, the strings read back through the virtual pointers written, empty
 * vectors, the size at its exact edge, every error with the buffer left
 * as it was, and random argument vectors checked against a size computed
 * here independently.
 *
 * Buffers are malloc'd at their exact size, so ASan sees a write past
 * either end; a buffer is filled with a pattern first, so a byte written
 * where it should not be shows.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <loader/initial_stack.h>

#include "tap.h"
#include "test_util.h"

#define TOP 0x0000003ffffff000ull /* the stack's end, as the process sees it */
#define PATTERN 0xeeu

static const struct load_plan plan = { .entry = 0x10100, .phdr_vaddr = 0x10040, .phnum = 4 };

/* A buffer of exactly size bytes (at least 1), filled with the pattern. */
static uint8_t *pattern_buf(size_t size)
{
    uint8_t *b = malloc(size ? size : 1);

    if (b == NULL)
        exit(2);
    memset(b, PATTERN, size ? size : 1);
    return b;
}

static bool all_pattern(const uint8_t *b, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        if (b[i] != PATTERN)
            return false;
    }
    return true;
}

/* The process's view of a buffer that ends at top. */
struct view {
    const uint8_t *buf;
    size_t size;
    uint64_t top;
};

static bool in_view(const struct view *v, uint64_t va, size_t n)
{
    return va <= v->top && v->top - va <= v->size && n <= v->top - va;
}

static const uint8_t *byte_at(const struct view *v, uint64_t va)
{
    return v->buf + (v->size - (size_t)(v->top - va));
}

/* The little-endian word at va (which must be in the view). */
static uint64_t word_at(const struct view *v, uint64_t va)
{
    const uint8_t *p = byte_at(v, va);
    uint64_t w = 0;

    for (int i = 7; i >= 0; i--)
        w = w << 8 | p[i];
    return w;
}

/* Is the NUL-terminated string at va inside the view and equal to want? */
static bool string_at(const struct view *v, uint64_t va, const char *want)
{
    size_t n = strlen(want) + 1;

    return in_view(v, va, n) && memcmp(byte_at(v, va), want, n) == 0;
}

static struct initial_stack_args example_args(void)
{
    static const char *const argv[] = { "prog", "arg1" };
    static const char *const envp[] = { "K=V" };
    struct initial_stack_args a = { .argc = 2, .argv = argv, .envc = 1, .envp = envp, .plan = &plan,
                                    .timebase_hz = 10000000 };

    for (unsigned i = 0; i < LOADER_RANDOM_BYTES; i++)
        a.random[i] = (uint8_t)(0x10 + i);
    return a;
}

/* ---- the layout ---------------------------------------------------------- */

/*
 * argc 2, envc 1: 22 words (176 bytes), 16 random bytes and 14 of strings
 * make 206, so 208 with the padding:
 *   TOP-208  argc, argv[0], argv[1], NULL, envp[0], NULL, 8 auxv pairs
 *   TOP-32   2 bytes of padding
 *   TOP-30   the random bytes
 *   TOP-14   "prog\0arg1\0K=V\0"
 */
static void test_layout(void)
{
    struct initial_stack_args a = example_args();
    static const uint64_t want_words[22] = {
        2, TOP - 14, TOP - 9, 0, TOP - 4, 0,
        LOADER_AT_PHDR, 0x10040, LOADER_AT_PHENT, 56, LOADER_AT_PHNUM, 4, LOADER_AT_PAGESZ, 4096,
        LOADER_AT_ENTRY, 0x10100, LOADER_AT_RANDOM, TOP - 30, LOADER_AT_COFFER_TIMEBASE, 10000000,
        LOADER_AT_NULL, 0,
    };
    size_t size = 4096;
    uint8_t *buf = pattern_buf(size);
    struct view v = { buf, size, TOP };
    uint64_t sp = 0;
    bool words_ok = true;

    tap_ok(initial_stack_bytes(&a) == 208, "bytes: 22 words, 16 random bytes and 14 of strings take 208");
    tap_ok(initial_stack_build(buf, size, TOP, &a, &sp) == STACK_OK && sp == TOP - 208 && sp % 16 == 0,
           "layout: sp is TOP - 208, 16-byte aligned");
    for (unsigned i = 0; i < 22; i++) {
        if (word_at(&v, sp + 8 * i) != want_words[i]) {
            tap_diag("word %u is %#llx, want %#llx", i, (unsigned long long)word_at(&v, sp + 8 * i),
                     (unsigned long long)want_words[i]);
            words_ok = false;
        }
    }
    tap_ok(words_ok, "layout: argc, argv, NULL, envp, NULL and the auxv pairs, word by word");
    tap_ok(byte_at(&v, TOP - 32)[0] == 0 && byte_at(&v, TOP - 31)[0] == 0,
           "layout: the two bytes of padding are zero");
    tap_ok(memcmp(byte_at(&v, TOP - 30), a.random, 16) == 0 && word_at(&v, sp + 8 * 17) == TOP - 30,
           "layout: AT_RANDOM points at the caller's 16 bytes");
    tap_ok(memcmp(byte_at(&v, TOP - 14), "prog\0arg1\0K=V\0", 14) == 0, "layout: the strings end at TOP");
    tap_ok(string_at(&v, word_at(&v, sp + 8), "prog") && string_at(&v, word_at(&v, sp + 16), "arg1") &&
               string_at(&v, word_at(&v, sp + 32), "K=V"),
           "layout: argv and envp read back through their virtual pointers");
    tap_ok(all_pattern(buf, size - 208), "layout: nothing below sp is written");
    free(buf);
}

static void test_empty(void)
{
    struct initial_stack_args a = { .plan = &plan };
    size_t size = 176;
    uint8_t *buf = pattern_buf(size);
    struct view v = { buf, size, TOP };
    uint64_t sp = 0;

    tap_ok(initial_stack_bytes(&a) == 176, "empty: argc 0 and envc 0 take 19 words and 16 bytes, 176 in all");
    tap_ok(initial_stack_build(buf, size, TOP, &a, &sp) == STACK_OK && sp == TOP - 176 && word_at(&v, sp) == 0 &&
               word_at(&v, sp + 8) == 0 && word_at(&v, sp + 16) == 0 &&
               word_at(&v, sp + 24) == LOADER_AT_PHDR && word_at(&v, sp + 8 * 13) == LOADER_AT_RANDOM &&
               word_at(&v, sp + 8 * 14) == TOP - 16 && word_at(&v, sp + 8 * 15) == LOADER_AT_COFFER_TIMEBASE &&
               word_at(&v, sp + 8 * 17) == LOADER_AT_NULL && word_at(&v, sp + 8 * 18) == 0,
           "empty: argc 0, the two NULLs, auxv with AT_RANDOM at TOP - 16 (NULL vectors allowed)");
    tap_ok(byte_at(&v, TOP - 24)[0] == 0 && byte_at(&v, TOP - 17)[0] == 0,
           "empty: the 8 bytes of padding are zero");
    free(buf);

    static const char *const one[] = { "" };
    struct initial_stack_args b = { .argc = 1, .argv = one, .plan = &plan };
    size = initial_stack_bytes(&b);
    buf = pattern_buf(size);
    v = (struct view){ buf, size, TOP };
    tap_ok(size == 192 && initial_stack_build(buf, size, TOP, &b, &sp) == STACK_OK &&
               word_at(&v, sp) == 1 && word_at(&v, sp + 8) == TOP - 1 && string_at(&v, TOP - 1, "") &&
               word_at(&v, sp + 16) == 0 && word_at(&v, sp + 24) == 0,
           "empty: an empty argv[0] is one NUL byte at TOP - 1 (20 words, 17 bytes: 192)");
    free(buf);
}

/* Headers not mapped: AT_PHDR 0, and AT_PHNUM 0 so nothing walks them. */
static void test_no_phdrs(void)
{
    struct load_plan p = plan;
    struct initial_stack_args a = example_args();
    size_t size = 208;
    uint8_t *buf = pattern_buf(size);
    struct view v = { buf, size, TOP };
    uint64_t sp = 0;

    p.phdr_vaddr = 0;
    a.plan = &p;
    tap_ok(initial_stack_build(buf, size, TOP, &a, &sp) == STACK_OK && word_at(&v, sp + 8 * 6) == LOADER_AT_PHDR &&
               word_at(&v, sp + 8 * 7) == 0 && word_at(&v, sp + 8 * 10) == LOADER_AT_PHNUM &&
               word_at(&v, sp + 8 * 11) == 0,
           "no phdrs: a plan with phdr_vaddr 0 gives AT_PHDR 0 and AT_PHNUM 0");
    free(buf);
}

/* ---- errors -------------------------------------------------------------- */

/* A refused call: the status, the buffer and *sp as they were. */
static void expect_error(uint8_t *buf, size_t size, uint64_t top, const struct initial_stack_args *a, bool use_sp,
                         int want, const char *what)
{
    uint64_t sp = 0x1234;
    int status = initial_stack_build(buf, size, top, a, use_sp ? &sp : NULL);

    tap_okf(status == want && sp == 0x1234 && (buf == NULL || all_pattern(buf, size)),
            "%s: %s, nothing written (got %d)", what, initial_stack_strerror(want), status);
}

static void test_size_edges(void)
{
    struct initial_stack_args a = example_args();
    size_t need = initial_stack_bytes(&a);
    uint8_t *buf = pattern_buf(need - 1);
    uint64_t sp = 0;

    expect_error(buf, need - 1, TOP, &a, true, STACK_ERR_TOO_BIG, "too big: a buffer one byte short");
    free(buf);
    buf = pattern_buf(need);
    tap_ok(initial_stack_build(buf, need, TOP, &a, &sp) == STACK_OK && sp == TOP - need,
           "too big: a buffer of exactly initial_stack_bytes() is enough");
    free(buf);

    buf = pattern_buf(4096);
    expect_error(buf, 4096, 0x80, &a, true, STACK_ERR_TOO_BIG, "too big: a stack_top of 0x80 (it would wrap)");
    expect_error(buf, 4096, 0, &a, true, STACK_ERR_TOO_BIG, "too big: a stack_top of 0");
    free(buf);
    buf = pattern_buf(need);
    tap_ok(initial_stack_build(buf, need, need, &a, &sp) == STACK_OK && sp == 0,
           "too big: a stack_top of exactly the size puts sp at 0");
    free(buf);
}

static void test_inval(void)
{
    static const char *const with_null[] = { "prog", NULL };
    struct initial_stack_args a = example_args(), b;
    size_t size = 4096;
    uint8_t *buf = pattern_buf(size);

    expect_error(NULL, size, TOP, &a, true, STACK_ERR_INVAL, "inval: a NULL buffer");
    expect_error(buf, size, TOP, NULL, true, STACK_ERR_INVAL, "inval: NULL args");
    expect_error(buf, size, TOP, &a, false, STACK_ERR_INVAL, "inval: a NULL sp");
    b = a;
    b.plan = NULL;
    expect_error(buf, size, TOP, &b, true, STACK_ERR_INVAL, "inval: a NULL plan");
    expect_error(buf, size, TOP + 8, &a, true, STACK_ERR_INVAL, "inval: a stack_top 8 bytes off 16");
    expect_error(buf, size, TOP + 1, &a, true, STACK_ERR_INVAL, "inval: an odd stack_top");
    b = a;
    b.argv = NULL;
    expect_error(buf, size, TOP, &b, true, STACK_ERR_INVAL, "inval: argc 2 with a NULL argv");
    tap_ok(initial_stack_bytes(&b) == SIZE_MAX, "inval: initial_stack_bytes of a NULL argv is SIZE_MAX");
    b = a;
    b.argv = with_null;
    expect_error(buf, size, TOP, &b, true, STACK_ERR_INVAL, "inval: argc 2 with argv[1] NULL");
    tap_ok(initial_stack_bytes(&b) == SIZE_MAX, "inval: initial_stack_bytes with argv[1] NULL is SIZE_MAX");
    b = a;
    b.envp = NULL;
    expect_error(buf, size, TOP, &b, true, STACK_ERR_INVAL, "inval: envc 1 with a NULL envp");
    b = a;
    b.envp = with_null + 1;
    expect_error(buf, size, TOP, &b, true, STACK_ERR_INVAL, "inval: envc 1 with envp[0] NULL");
    tap_ok(initial_stack_bytes(NULL) == SIZE_MAX, "inval: initial_stack_bytes(NULL) is SIZE_MAX");
    free(buf);

    tap_ok(strcmp(initial_stack_strerror(STACK_OK), "ok") == 0 &&
               strcmp(initial_stack_strerror(STACK_ERR_INVAL), "unknown error") != 0 &&
               strcmp(initial_stack_strerror(STACK_ERR_TOO_BIG), "unknown error") != 0 &&
               strcmp(initial_stack_strerror(STACK_ERR_INVAL), initial_stack_strerror(STACK_ERR_TOO_BIG)) != 0 &&
               strcmp(initial_stack_strerror(-1), "unknown error") == 0,
           "initial_stack_strerror: a text for each status");
}

/* ---- random vectors ------------------------------------------------------ */

#define RANDOM_MAX_STRINGS 24
#define RANDOM_MAX_LEN 40

/* n random strings of 0..RANDOM_MAX_LEN letters into text; their bytes
 * with NULs added to *bytes. */
static void random_strings(char text[][RANDOM_MAX_LEN + 1], const char **v, unsigned n, size_t *bytes)
{
    for (unsigned i = 0; i < n; i++) {
        size_t len = (size_t)test_rng_below(RANDOM_MAX_LEN + 1);

        for (size_t k = 0; k < len; k++)
            text[i][k] = (char)('a' + test_rng_below(26));
        text[i][len] = '\0';
        v[i] = text[i];
        *bytes += len + 1;
    }
}

/* Decode the stack at sp the way a C runtime would, and compare. */
static bool decodes_to(const struct view *v, uint64_t sp, const struct initial_stack_args *a)
{
    uint64_t w = sp + 8;

    if (word_at(v, sp) != a->argc)
        return false;
    for (unsigned i = 0; i < a->argc; i++, w += 8) {
        if (!string_at(v, word_at(v, w), a->argv[i]))
            return false;
    }
    if (word_at(v, w) != 0)
        return false;
    w += 8;
    for (unsigned i = 0; i < a->envc; i++, w += 8) {
        if (!string_at(v, word_at(v, w), a->envp[i]))
            return false;
    }
    if (word_at(v, w) != 0)
        return false;
    w += 8;
    /* AT_RANDOM is the sixth pair, the timebase the seventh, AT_NULL the eighth. */
    return word_at(v, w + 80) == LOADER_AT_RANDOM && in_view(v, word_at(v, w + 88), 16) &&
           memcmp(byte_at(v, word_at(v, w + 88)), a->random, 16) == 0 &&
           word_at(v, w + 96) == LOADER_AT_COFFER_TIMEBASE && word_at(v, w + 104) == a->timebase_hz &&
           word_at(v, w + 112) == LOADER_AT_NULL;
}

static void test_random(void)
{
    static char arg_text[RANDOM_MAX_STRINGS][RANDOM_MAX_LEN + 1], env_text[RANDOM_MAX_STRINGS][RANDOM_MAX_LEN + 1];
    const char *argv[RANDOM_MAX_STRINGS], *envp[RANDOM_MAX_STRINGS];
    unsigned bad = 0;

    test_rng_seed(7);
    for (unsigned i = 0; i < 2000 && bad == 0; i++) {
        struct initial_stack_args a = { .plan = &plan };
        size_t strings = 0, need, slack = (size_t)test_rng_below(64);
        uint64_t top = TOP - 16 * test_rng_below(1000), sp = 0;

        a.argc = (unsigned)test_rng_below(RANDOM_MAX_STRINGS + 1);
        a.envc = (unsigned)test_rng_below(RANDOM_MAX_STRINGS + 1);
        random_strings(arg_text, argv, a.argc, &strings);
        random_strings(env_text, envp, a.envc, &strings);
        a.argv = argv;
        a.envp = envp;
        for (unsigned k = 0; k < LOADER_RANDOM_BYTES; k++)
            a.random[k] = (uint8_t)test_rng();
        need = (8 * (a.argc + a.envc + 3 + 2 * LOADER_AUXV_PAIRS) + 16 + strings + 15) / 16 * 16;

        uint8_t *buf = pattern_buf(need + slack);
        struct view v = { buf, need + slack, top };
        if (initial_stack_bytes(&a) != need || initial_stack_build(buf, need + slack, top, &a, &sp) != STACK_OK ||
            sp != top - need || sp % 16 != 0 || !decodes_to(&v, sp, &a) || !all_pattern(buf, slack))
            bad = i + 1;
        free(buf);
    }
    tap_okf(bad == 0, "random: 2000 argument vectors: the size as computed here, sp aligned, all read back%s",
            bad ? " (failed)" : "");
}

int main(void)
{
    test_layout();
    test_empty();
    test_no_phdrs();
    test_size_edges();
    test_inval();
    test_random();
    return tap_done();
}
