/*
 * Minimal TAP producer for the host unit tests.
 *
 * Each test program prints "ok N - name" / "not ok N - name" lines, a plan
 * line "1..N" at the end and returns non-zero if anything failed.  The
 * top-level runner (tools/tap-summary.sh) adds up the lines of every program
 * and prints the final "N passed, N failed".
 */
#ifndef COFFER_TESTS_TAP_H
#define COFFER_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count;
static int tap_failed;

/* Record one test result; extra printf-style detail is printed on failure. */
static inline int tap_ok(int cond, const char *name)
{
    tap_count++;
    if (!cond)
        tap_failed++;
    printf("%sok %d - %s\n", cond ? "" : "not ", tap_count, name);
    fflush(stdout);
    return cond;
}

/* The same with a printf-style name. */
__attribute__((format(printf, 2, 3))) static inline int tap_okf(int cond, const char *fmt, ...)
{
    char name[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    return tap_ok(cond, name);
}

/* Print a TAP diagnostic line ("# ..."). */
static inline void tap_diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("# ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

/* Print the plan and return the exit status for main(). */
static inline int tap_done(void)
{
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}

#endif
