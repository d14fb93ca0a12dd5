/* The TAP producer of the host tests (tap.h). */
#include "tap.h"

#include <stdarg.h>
#include <stdio.h>

int tap_count;
int tap_failed;

/* Record one test result; extra printf-style detail is printed on failure. */
int tap_ok(int cond, const char *name)
{
    tap_count++;
    if (!cond)
        tap_failed++;
    printf("%sok %d - %s\n", cond ? "" : "not ", tap_count, name);
    fflush(stdout);
    return cond;
}

/* Print a TAP diagnostic line ("# ..."). */
void tap_diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("# ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

/* Print the plan and return the exit status for main(). */
int tap_done(void)
{
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}
