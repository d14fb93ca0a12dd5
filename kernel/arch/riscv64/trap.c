/*
 * Trap handling: system calls, interrupts and faults from U-mode, and the
 * rare trap taken in S-mode (an interrupt while idle, or a kernel bug).
 */
#include "arch.h"
#include "support/kprintf.h"
#include "support/ksyms.h"
#include "memlayout.h"
#include "support/panic.h"
#include "platform.h"
#include "thread/fault.h"
#include "thread/sched.h"
#include "thread/syscall.h"
#include "thread/thread.h"

uint8_t kernel_stack[KERNEL_STACK_SIZE] __attribute__((aligned(16), section(".bss.stack")));

/* Saved by trap.S for a trap taken in S-mode: ra, t0-t2, a0-a7, t3-t6, fp,
 * sepc, then a frame record.  Only ra and sepc are read in C. */
enum { KFRAME_RA = 0, KFRAME_SEPC = 17, KFRAME_WORDS = 20 };
struct kernel_frame {
    uint64_t word[KFRAME_WORDS];
};

/* The last S-mode trap, for arch_dump_state() when it ends in a panic. */
static const struct kernel_frame *kernel_fault_frame;

void trap_init(void)
{
    csr_write(stvec, (uint64_t)trap_vector); /* direct mode */
    csr_write(sscratch, 0);
    /* U-mode may read cycle, time and instret (benchmarks use them). */
    csr_write(scounteren, SCOUNTEREN_CY | SCOUNTEREN_TM | SCOUNTEREN_IR);
}

const char *arch_fault_cause_name(uint64_t cause)
{
    switch (cause) {
    case EXC_INST_MISALIGNED: return "instruction address misaligned";
    case EXC_INST_ACCESS: return "instruction access fault";
    case EXC_ILLEGAL_INST: return "illegal instruction";
    case EXC_BREAKPOINT: return "breakpoint";
    case EXC_LOAD_MISALIGNED: return "load address misaligned";
    case EXC_LOAD_ACCESS: return "load access fault";
    case EXC_STORE_MISALIGNED: return "store address misaligned";
    case EXC_STORE_ACCESS: return "store access fault";
    case EXC_INST_PAGE_FAULT: return "instruction page fault";
    case EXC_LOAD_PAGE_FAULT: return "load page fault";
    case EXC_STORE_PAGE_FAULT: return "store page fault";
    default: return "unknown exception";
    }
}

COLD static void handle_interrupt(uint64_t cause)
{
    if (cause == IRQ_S_TIMER) {
        timer_interrupt();
        sched_timer_interrupt();
    } else if (cause == IRQ_S_EXT) {
        plic_handle();
    } else
        kprintf("coffer: unexpected interrupt %lu\n", (unsigned long)cause);
}

uint64_t arch_cycles(void)
{
    return csr_read(cycle);
}

/* The fault type a handler sees for an exception. */
static uint64_t fault_type(uint64_t cause)
{
    switch (cause) {
    case EXC_INST_ACCESS:
    case EXC_LOAD_ACCESS:
    case EXC_STORE_ACCESS:
    case EXC_INST_PAGE_FAULT:
    case EXC_LOAD_PAGE_FAULT:
    case EXC_STORE_PAGE_FAULT:
        return COFFER_FAULT_MEMORY;
    default:
        return COFFER_FAULT_EXCEPTION;
    }
}

/* An exception in user mode: decoded here, handled by the core (fault.c:
 * to the thread's fault handler, or stop and report). */
COLD static void user_fault(struct thread *t, uint64_t cause, uint64_t tval, uint64_t entry)
{
    struct user_fault f = { fault_type(cause), tval, cause, entry };
    fault_user(t, &f);
}

void user_syscall(struct arch_user_regs *regs)
{
    /* regs is current_thread's (user_trap checks that on every other
     * trap; the system-call path, the hottest, does not spend on it). */
    (void)regs;
    /* It charges time itself: the fast path need not. */
    syscall_entry(current_thread);
}

void user_trap(const struct arch_user_regs *regs)
{
    struct thread *t = current_thread;
    uint64_t scause = csr_read(scause);
    ASSERT(t != NULL && regs == &t->regs);
    uint64_t entry = csr_read(cycle);
    uint64_t stval = csr_read(stval);
    /* A thread whose budget is spent does nothing more this period: its
     * fault is taken again when it next runs. */
    bool has_budget = sched_charge();
    if (scause & SCAUSE_INTERRUPT)
        handle_interrupt(scause & ~SCAUSE_INTERRUPT);
    else if (has_budget)
        user_fault(t, scause, stval, entry);
    sched_return();
}

void kernel_trap(struct kernel_frame *frame)
{
    uint64_t scause = csr_read(scause);
    if (scause & SCAUSE_INTERRUPT) {
        handle_interrupt(scause & ~SCAUSE_INTERRUPT);
        return;
    }
    kernel_fault_frame = frame;
    panic("kernel trap: %s", arch_fault_cause_name(scause));
}

bool arch_preemption_pending(void)
{
    return (csr_read(sip) & (SIE_STIE | SIE_SEIE)) != 0; /* same bits in sip */
}

/*
 * Wait for an interrupt, then take it.  wfi runs with interrupts masked:
 * it wakes on any interrupt pending and enabled in sie whatever
 * sstatus.SIE says, and one already pending makes it return at once.
 * Only then are interrupts let in, for the pending one to be handled.
 * (Enabling them first left a window: an interrupt taken between the
 * enable and the wfi was handled -- the timer disarmed, a context
 * released -- and the hart then slept in wfi with nothing left to wake it.)
 */
void arch_idle(void)
{
    __asm__ volatile("wfi");
    csr_set(sstatus, SSTATUS_SIE);
    csr_clear(sstatus, SSTATUS_SIE);
}

void arch_dump_state(void)
{
    kprintf("sepc    %p\nscause  %p\nstval   %p\nsstatus %p\n", (void *)csr_read(sepc),
            (void *)csr_read(scause), (void *)csr_read(stval), (void *)csr_read(sstatus));
    if (kernel_fault_frame != NULL) {
        uint64_t offset = 0;
        const char *name = ksym_lookup(ksyms_kernel(), kernel_fault_frame->word[KFRAME_SEPC], &offset);
        kprintf("faulting pc %p %s+0x%lx, ra %p\n", (void *)kernel_fault_frame->word[KFRAME_SEPC],
                name ? name : "??", (unsigned long)offset, (void *)kernel_fault_frame->word[KFRAME_RA]);
    }
    if (current_thread != NULL)
        kprintf("current thread '%s' user pc %p\n", current_thread->name,
                (void *)current_thread->regs.pc);
}

void arch_kernel_stack_bounds(uint64_t *lo, uint64_t *hi)
{
    *lo = (uint64_t)kernel_stack;
    *hi = (uint64_t)kernel_stack + KERNEL_STACK_SIZE;
}
