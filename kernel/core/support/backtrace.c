#include "support/backtrace.h"

unsigned backtrace_collect(uint64_t fp, uint64_t stack_lo, uint64_t stack_hi, uint64_t *pcs,
                           unsigned max)
{
    unsigned n = 0;
    while (n < max) {
        if ((fp & 7) != 0 || fp < stack_lo + 16 || fp > stack_hi)
            break;
        const uint64_t *frame = (const uint64_t *)(uintptr_t)fp;
        uint64_t ra = frame[-1];
        uint64_t caller_fp = frame[-2];
        if (ra == 0)
            break;
        pcs[n++] = ra;
        if (caller_fp <= fp) /* frames grow towards higher addresses */
            break;
        fp = caller_fp;
    }
    return n;
}
