/*
 * Host tests for kernel/core/support/backtrace.c: frame-pointer walking over a
 * synthetic stack.
 *
 * The stack is a heap array of uint64_t words, so AddressSanitizer reports
 * any read outside it.  A frame at fp keeps its return address at fp - 8 and
 * the caller's frame pointer at fp - 16 (the RISC-V convention with
 * -fno-omit-frame-pointer), so a frame record occupies [fp - 16, fp) and must
 * lie inside [stack_lo, stack_hi).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/backtrace.h"
#include "tap.h"

#define WORDS 64
#define SENTINEL 0x5a5a5a5a5a5a5a5aull

static uint64_t *stack;
static uint64_t lo, hi;
static uint64_t pcs[16];

/* The address of word i of the stack (may be one past the end). */
static uint64_t at(unsigned i)
{
    return lo + 8ull * i;
}

/* Make a frame whose fp is at(i): ra at word i-1, caller fp at word i-2. */
static void frame(unsigned i, uint64_t ra, uint64_t caller_fp)
{
    stack[i - 1] = ra;
    stack[i - 2] = caller_fp;
}

static void reset(void)
{
    memset(stack, 0, WORDS * sizeof *stack);
    for (unsigned i = 0; i < 16; i++)
        pcs[i] = SENTINEL;
}

static int pcs_are(unsigned n, const uint64_t *want, unsigned got)
{
    if (got != n)
        return 0;
    for (unsigned i = 0; i < n; i++)
        if (pcs[i] != want[i])
            return 0;
    for (unsigned i = n; i < 16; i++)
        if (pcs[i] != SENTINEL)
            return 0;
    return 1;
}

static void expect(unsigned got, unsigned n, const uint64_t *want, const char *name)
{
    if (!tap_ok(pcs_are(n, want, got), name)) {
        tap_diag("returned %u, want %u", got, n);
        for (unsigned i = 0; i < got && i < 16; i++)
            tap_diag("  pcs[%u] = %#llx", i, (unsigned long long)pcs[i]);
    }
}

/* Three frames at words 8, 20 and 40, innermost first. */
static void three_frames(uint64_t outer_caller_fp)
{
    frame(8, 0x1111, at(20));
    frame(20, 0x2222, at(40));
    frame(40, 0x3333, outer_caller_fp);
}

static void test_walks(void)
{
    static const uint64_t want3[] = { 0x1111, 0x2222, 0x3333 };
    unsigned n;

    reset();
    three_frames(0);
    n = backtrace_collect(at(8), lo, hi, pcs, 16);
    expect(n, 3, want3, "a chain of 3 frames gives 3 return addresses, innermost first");

    reset();
    three_frames(at(50));
    frame(50, 0, 0);
    n = backtrace_collect(at(8), lo, hi, pcs, 16);
    expect(n, 3, want3, "the walk stops at a frame whose return address is 0");

    reset();
    frame(8, 0, at(20));
    frame(20, 0x2222, 0);
    n = backtrace_collect(at(8), lo, hi, pcs, 16);
    expect(n, 0, NULL, "a first frame with return address 0 gives nothing");

    reset();
    frame(8, 0x1111, at(8));
    n = backtrace_collect(at(8), lo, hi, pcs, 16);
    expect(n, 1, want3, "a frame pointing to itself is reported once, no loop");

    reset();
    frame(8, 0x1111, at(20));
    frame(20, 0x2222, at(8));
    n = backtrace_collect(at(8), lo, hi, pcs, 16);
    expect(n, 2, want3, "a caller frame pointing back down ends the walk (no cycle)");

    reset();
    frame(8, 0x1111, at(20));
    frame(20, 0x2222, at(20) - 8);
    n = backtrace_collect(at(8), lo, hi, pcs, 16);
    expect(n, 2, want3, "a caller frame just below the current one ends the walk");

    reset();
    frame(8, 0x1111, at(20) + 4);
    n = backtrace_collect(at(8), lo, hi, pcs, 16);
    expect(n, 1, want3, "a misaligned caller frame pointer ends the walk");

    reset();
    three_frames(0);
    tap_ok(backtrace_collect(at(8) + 1, lo, hi, pcs, 16) == 0 &&
               backtrace_collect(at(8) + 4, lo, hi, pcs, 16) == 0 && pcs[0] == SENTINEL,
           "a misaligned starting frame pointer gives nothing");
}

static void test_bounds(void)
{
    static const uint64_t want3[] = { 0x1111, 0x2222, 0x3333 };
    unsigned n;

    /* Outside the stack: no read at all (ASan would report one). */
    reset();
    n = backtrace_collect(hi + 16, lo, hi, pcs, 16);
    expect(n, 0, NULL, "a frame pointer above stack_hi gives nothing");
    n = backtrace_collect(hi + 8, lo, hi, pcs, 16);
    expect(n, 0, NULL, "a frame pointer one word above stack_hi gives nothing");
    n = backtrace_collect(lo - 64, lo, hi, pcs, 16);
    expect(n, 0, NULL, "a frame pointer below stack_lo gives nothing");
    n = backtrace_collect(lo + 8, lo, hi, pcs, 16);
    expect(n, 0, NULL, "a frame record that would start below stack_lo gives nothing");
    n = backtrace_collect(lo, lo, hi, pcs, 16);
    expect(n, 0, NULL, "a frame pointer equal to stack_lo gives nothing");
    n = backtrace_collect(0, lo, hi, pcs, 16);
    expect(n, 0, NULL, "a NULL frame pointer gives nothing");

    /* The edges: a record at the very bottom and at the very top. */
    reset();
    frame(2, 0x1111, 0);
    n = backtrace_collect(at(2), lo, hi, pcs, 16);
    expect(n, 1, want3, "a frame record in the lowest two words is read");
    reset();
    frame(WORDS, 0x1111, 0);
    n = backtrace_collect(at(WORDS), lo, hi, pcs, 16);
    expect(n, 1, want3, "the outermost frame with fp == stack_hi is read (record below fp)");

    reset();
    frame(8, 0x1111, at(20));
    frame(20, 0x2222, hi + 16);
    n = backtrace_collect(at(8), lo, hi, pcs, 16);
    expect(n, 2, want3, "a caller frame pointer beyond stack_hi ends the walk");

    reset();
    frame(8, 0x1111, UINT64_MAX & ~7ull);
    n = backtrace_collect(at(8), lo, hi, pcs, 16);
    expect(n, 1, want3, "a huge caller frame pointer ends the walk");

    /* A walk confined to part of the stack. */
    reset();
    three_frames(0);
    n = backtrace_collect(at(8), lo, at(30), pcs, 16);
    expect(n, 2, want3, "a narrower stack_hi cuts the chain");
    for (unsigned i = 0; i < 16; i++)
        pcs[i] = SENTINEL;
    n = backtrace_collect(at(8), at(10), hi, pcs, 16);
    expect(n, 0, NULL, "a start frame below a raised stack_lo gives nothing");
}

static void test_max(void)
{
    static const uint64_t want[] = { 0x1000, 0x1001, 0x1002, 0x1003, 0x1004, 0x1005 };
    unsigned n;

    reset();
    for (unsigned i = 0; i < 6; i++)
        frame(4 + 8 * i, 0x1000 + i, i < 5 ? at(4 + 8 * (i + 1)) : 0);
    n = backtrace_collect(at(4), lo, hi, pcs, 16);
    expect(n, 6, want, "a chain of 6 frames is walked to the end");
    for (unsigned i = 0; i < 16; i++)
        pcs[i] = SENTINEL;
    n = backtrace_collect(at(4), lo, hi, pcs, 3);
    expect(n, 3, want, "max 3 stores exactly 3 addresses");
    for (unsigned i = 0; i < 16; i++)
        pcs[i] = SENTINEL;
    n = backtrace_collect(at(4), lo, hi, pcs, 1);
    expect(n, 1, want, "max 1 stores only the innermost");
    for (unsigned i = 0; i < 16; i++)
        pcs[i] = SENTINEL;
    n = backtrace_collect(at(4), lo, hi, pcs, 0);
    expect(n, 0, want, "max 0 stores nothing");
}

/* Random words: every walk must end within the stack and within max, never
 * read outside it (ASan) and only report non-zero addresses. */
static void test_random_garbage(void)
{
    uint64_t x = 0x0123456789abcdefull;
    int ok = 1;
    for (unsigned round = 0; round < 2000 && ok; round++) {
        for (unsigned i = 0; i < WORDS; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            /* Mostly plausible in-stack pointers, sometimes garbage. */
            stack[i] = (x & 3) ? lo + (x >> 8) % (WORDS * 8 + 32) : x;
        }
        uint64_t start = lo + (x >> 20) % (WORDS * 8 + 32);
        for (unsigned i = 0; i < 16; i++)
            pcs[i] = SENTINEL;
        unsigned n = backtrace_collect(start, lo, hi, pcs, 16);
        ok = n <= 16;
        for (unsigned i = 0; i < n && ok; i++)
            ok = pcs[i] != 0 && pcs[i] != SENTINEL;
        for (unsigned i = n; i < 16 && ok; i++)
            ok = pcs[i] == SENTINEL;
        /* Frames strictly increase, so a walk is at most WORDS / 2 long. */
        ok = ok && n <= WORDS / 2;
    }
    tap_ok(ok, "2000 walks over random stack contents stay in bounds and terminate");
}

int main(void)
{
    stack = malloc(WORDS * sizeof *stack);
    if (stack == NULL) {
        perror("malloc");
        return 2;
    }
    lo = (uint64_t)(uintptr_t)stack;
    hi = at(WORDS);
    test_walks();
    test_bounds();
    test_max();
    test_random_garbage();
    free(stack);
    return tap_done();
}
