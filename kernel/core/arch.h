/*
 * What the portable core needs from the architecture layer.  Each
 * architecture (kernel/arch/<arch>/) implements these; the host unit tests
 * provide fakes where they exercise core code that calls them.
 */
#ifndef COFFER_KERNEL_ARCH_H
#define COFFER_KERNEL_ARCH_H

#include "types.h"
#include <arch_types.h>

/*
 * A thread's saved registers, struct arch_user_regs, are the arch's: the
 * core reaches them only through these accessors, static inline in the
 * arch's <arch_regs.h> (they are on the IPC fast path), never by a
 * register's name or number.
 *
 *   system calls   arch_syscall_number, arch_syscall_arg(i), arch_syscall_args
 *                  (all COFFER_SYSCALL_ARGS as an array), arch_set_syscall
 *                  (what an ecall passes: host tests), arch_syscall_set_result
 *                  (error, detail0, detail1), arch_syscall_result,
 *                  arch_set_syscall_error, arch_syscall_advance (past the
 *                  trapping instruction), arch_syscall_restart (back onto it)
 *   IPC            arch_msg_info / arch_set_msg_info, arch_msg_reg(i) /
 *                  arch_set_msg_reg(i) for i < COFFER_MSG_REG_WORDS,
 *                  arch_badge / arch_set_badge, arch_ipc_cptr (the endpoint
 *                  named), arch_reply_cptr (the reply object a receive names)
 *   threads        arch_pc / arch_set_pc, arch_set_entry_arg (what a thread
 *                  finds at its entry), arch_user_reg(i) / arch_set_user_reg(i)
 *                  in TCB_READ/WRITE_REGISTERS order (COFFER_REG_PC first)
 */

/* Console and power. */
void arch_console_putc(char c);
__attribute__((noreturn)) void arch_shutdown(int status);

/* Panic support: print the trap/CPU state, and the bounds of the kernel
 * stack a backtrace may walk. */
void arch_dump_state(void);
void arch_kernel_stack_bounds(uint64_t *lo, uint64_t *hi);

/* Faults: the name of an arch cause code (for the console report; the
 * labels of the report's cause and address fields are ARCH_FAULT_CAUSE_NAME
 * and ARCH_FAULT_ADDR_NAME in <arch_types.h>), and a cycle counter
 * (what a fault report cost, for make bench). */
const char *arch_fault_cause_name(uint64_t cause);
uint64_t arch_cycles(void);

/* Is an interrupt waiting?  Long kernel operations check this between
 * bounded steps and, if so, stop so the system call restarts later. */
bool arch_preemption_pending(void);

/* Physical memory as the kernel sees it: arch_phys_to_virt() is inline, in
 * <arch_types.h> (on the hot paths of every capability operation). */
/* The physical address of a kernel variable (its image or static data). */
paddr_t arch_kernel_phys(const void *p);

/*
 * Address spaces, as needed to build the root task at boot.  A table
 * allocator callback returns the physical address of a zeroed page or 0.
 */
typedef paddr_t (*arch_table_alloc_fn)(void *ctx);

#define ARCH_PERM_R 1u
#define ARCH_PERM_W 2u
#define ARCH_PERM_X 4u

void arch_vspace_init(paddr_t root);
void arch_tlb_flush_all(void);
int arch_vspace_map_page(paddr_t root, vaddr_t va, paddr_t pa, unsigned perms,
                         arch_table_alloc_fn alloc, void *ctx);

/* Time: ticks of a constant clock, its frequency, and the one timer
 * interrupt the scheduler wants next (absolute; it may be in the past). */
uint64_t arch_time_now(void);
uint64_t arch_time_hz(void);
void arch_set_deadline(uint64_t when);

/* The interrupt controller: lines 1 .. arch_irq_lines() - 1 (0: none).
 * A claimed line fires again only after arch_irq_complete(). */
unsigned arch_irq_lines(void);
void arch_irq_enable(unsigned line);
void arch_irq_disable(unsigned line);
void arch_irq_complete(unsigned line);

/* Kernel footprint and timer state for DEBUG_KERNEL_INFO. */
struct coffer_kernel_info;
void arch_kernel_info(struct coffer_kernel_info *info);

/* Threads and user memory. */
struct thread;
/* Switch to t's address space and enter U-mode with its registers. */
__attribute__((noreturn)) void arch_run_thread(struct thread *t);
/* Enter t, which runs in the address space the hart is in, from a trap
 * taken in user mode (the fast path: nothing else to set up). */
__attribute__((noreturn)) void arch_return_same_vspace(struct thread *t);
/* Wait for an interrupt with interrupts enabled, then return. */
void arch_idle(void);
/*
 * Copy between kernel and the current thread's user memory.  The whole user
 * range is checked first (below the user limit, mapped, user-accessible,
 * readable or writable as needed); on failure nothing is copied and false
 * is returned.
 */
bool arch_copy_from_user(void *dst, vaddr_t src, size_t len);
/* Whether the whole range is readable user memory (copying nothing). */
bool arch_user_readable(vaddr_t va, size_t len);
bool arch_copy_to_user(vaddr_t dst, const void *src, size_t len);

#endif
