/*
 * Minimal TAP producer for the host unit tests (tap.c).
 *
 * Each test program prints "ok N - name" / "not ok N - name" lines, a plan
 * line "1..N" at the end and returns non-zero if anything failed.  The
 * top-level runner (tools/tap-summary.sh) adds up the lines of every program
 * and prints the final "N passed, N failed".  The count is one per program,
 * shared by the test and the fixtures it links.
 */
#ifndef COFFER_TESTS_TAP_H
#define COFFER_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h> /* tests print their diagnostics with it too */

extern int tap_count;  /* results so far */
extern int tap_failed; /* failed results so far */

/* Record one test result; returns cond. */
int tap_ok(int cond, const char *name);

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
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print the plan and return the exit status for main(). */
int tap_done(void);

#endif
