#include "support/backtrace.h"
#include <arch_types.h>

/* The frame record's size: a frame pointer at least this far above the
 * stack's bottom has its record inside the stack. */
#define RECORD_BYTES \
    (sizeof(uint64_t) * (ARCH_FRAME_RA_WORD > ARCH_FRAME_FP_WORD ? ARCH_FRAME_RA_WORD : ARCH_FRAME_FP_WORD))

unsigned backtrace_collect(uint64_t fp, uint64_t stack_lo, uint64_t stack_hi, uint64_t *pcs,
                           unsigned max)
{
    unsigned n = 0;
    while (n < max) {
        if ((fp & 7) != 0 || fp < stack_lo + RECORD_BYTES || fp > stack_hi)
            break;
        const uint64_t *frame = (const uint64_t *)(uintptr_t)fp;
        uint64_t ra = *(frame - ARCH_FRAME_RA_WORD);
        uint64_t caller_fp = *(frame - ARCH_FRAME_FP_WORD);
        if (ra == 0)
            break;
        pcs[n++] = ra;
        if (caller_fp <= fp) /* frames grow towards higher addresses */
            break;
        fp = caller_fp;
    }
    return n;
}
