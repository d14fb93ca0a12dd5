/*
 * The architecture interface (kernel/core/arch.h) for host unit tests:
 * the console goes to a buffer the tests can read, shutdown exits the
 * process, and physical addresses are host pointers.
 */
#include "arch.h"
#include "host_arch.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "thread/thread.h"
#include "object/vspace.h"

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

/* Faults: a cause's name, and a counter that moves by one per read. */
const char *arch_fault_cause_name(uint64_t cause)
{
    return cause == 13 ? "load page fault" : "host exception";
}

uint64_t host_cycles;

uint64_t arch_cycles(void)
{
    return ++host_cycles;
}

bool host_preempt_every; /* when set, every preemption check says yes */

bool arch_preemption_pending(void)
{
    return host_preempt_every;
}

paddr_t arch_kernel_phys(const void *p)
{
    return (paddr_t)(uintptr_t)p;
}

/* Host address spaces have no kernel half and no TLB. */
void arch_vspace_init(paddr_t root)
{
    memset((void *)(uintptr_t)root, 0, 1u << ARCH_VSPACE_BITS);
}

void arch_vspace_leave(paddr_t root)
{
    (void)root;
}

void arch_tlb_flush_range(uint64_t asid, vaddr_t va, uint64_t size)
{
    (void)asid;
    (void)va;
    (void)size;
}

void arch_tlb_flush_asid(uint64_t asid)
{
    (void)asid;
}

void arch_tlb_flush_all(void)
{
}

/* Host time: a counter tests can advance; the deadline is recorded. */
uint64_t host_time;
uint64_t host_deadline;

uint64_t arch_time_now(void)
{
    return host_time;
}

uint64_t arch_time_hz(void)
{
    return 10000000;
}

void arch_set_deadline(uint64_t when)
{
    host_deadline = when;
}

/* No interrupt controller on the host. */
unsigned arch_irq_lines(void)
{
    return 0;
}

void arch_irq_enable(unsigned line)
{
    (void)line;
}

void arch_irq_disable(unsigned line)
{
    (void)line;
}

void arch_irq_complete(unsigned line)
{
    (void)line;
}

/* The host never enters user mode: the scheduler's run loop is not for it. */
void arch_run_thread(struct thread *t)
{
    (void)t;
    abort();
}

void arch_return_same_vspace(struct thread *t)
{
    (void)t;
    abort();
}

void arch_idle(void)
{
    abort();
}
