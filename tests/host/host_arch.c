/*
 * The architecture interface (kernel/core/arch.h) for host unit tests:
 * the console goes to a buffer the tests can read, shutdown exits the
 * process, and physical addresses are host pointers.
 */
#include "arch.h"
#include "host_arch.h"
#include <stdio.h>
#include <stdlib.h>

char host_console[HOST_CONSOLE_SIZE];
size_t host_console_len;

void arch_console_putc(char c)
{
    if (host_console_len + 1 < HOST_CONSOLE_SIZE) {
        host_console[host_console_len++] = c;
        host_console[host_console_len] = '\0';
    }
}

void host_console_reset(void)
{
    host_console_len = 0;
    host_console[0] = '\0';
}

void arch_shutdown(int status)
{
    fflush(stdout);
    exit(status);
}

void arch_dump_state(void)
{
}

void arch_kernel_stack_bounds(uint64_t *lo, uint64_t *hi)
{
    *lo = 0;
    *hi = 0;
}

void *arch_phys_to_virt(paddr_t pa)
{
    return (void *)(uintptr_t)pa;
}

bool host_preempt_every; /* when set, every preemption check says yes */

bool arch_preemption_pending(void)
{
    return host_preempt_every;
}
