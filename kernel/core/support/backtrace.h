/*
 * Frame-pointer backtraces.  The kernel is built with
 * -fno-omit-frame-pointer; each frame keeps the return address and the
 * caller's frame pointer just below its frame pointer, in the words the
 * arch names (ARCH_FRAME_RA_WORD, ARCH_FRAME_FP_WORD in <arch_types.h>;
 * on RISC-V fp - 8 and fp - 16).
 */
#ifndef COFFER_KERNEL_BACKTRACE_H
#define COFFER_KERNEL_BACKTRACE_H

#include "types.h"

/*
 * Collect up to max return addresses starting from frame pointer fp.  Every
 * frame must lie inside [stack_lo, stack_hi), be 8-byte aligned and sit
 * above the previous one, so a corrupt stack ends the walk instead of
 * faulting or looping.  Returns the number of addresses stored.
 */
unsigned backtrace_collect(uint64_t fp, uint64_t stack_lo, uint64_t stack_hi, uint64_t *pcs,
                           unsigned max);

#endif
