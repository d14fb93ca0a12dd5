#include "support/panic.h"
#include "arch.h"
#include "support/backtrace.h"
#include "support/kprintf.h"
#include "support/ksyms.h"

#define BACKTRACE_MAX 32

void backtrace_print(void)
{
    uint64_t pcs[BACKTRACE_MAX], lo, hi;
    arch_kernel_stack_bounds(&lo, &hi);
    unsigned n = backtrace_collect((uint64_t)(uintptr_t)__builtin_frame_address(0), lo, hi, pcs,
                                  BACKTRACE_MAX);
    kprintf("backtrace:\n");
    for (unsigned i = 0; i < n; i++) {
        uint64_t offset = 0;
        /* ra points after the call; pc - 1 names the calling function even
         * when the call is the last instruction of it. */
        const char *name = ksym_lookup(ksyms_kernel(), pcs[i] - 1, &offset);
        kprintf("  #%u %p %s+0x%lx\n", i, (void *)pcs[i], name ? name : "??",
                (unsigned long)(offset + 1));
    }
}

void panic(const char *fmt, ...)
{
    va_list ap;
    kprintf("\n*** coffer kernel panic: ");
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    arch_dump_state();
    backtrace_print();
    arch_shutdown(PANIC_EXIT_STATUS);
}
