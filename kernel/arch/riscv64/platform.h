/*
 * Interfaces between the files of the riscv64 architecture layer.
 */
#ifndef COFFER_ARCH_PLATFORM_H
#define COFFER_ARCH_PLATFORM_H

#include <stdint.h>
#include <stdbool.h>
#include "riscv.h"

struct fdt_machine;

/* uart.c */
void uart_init(uint64_t base_pa);

/* timer.c */
void timer_init(uint64_t timebase_hz);
void timer_interrupt(void);
uint64_t timer_ticks(void);
uint64_t timer_timebase_hz(void);

/* plic.c */
void plic_init(uint64_t base_pa);
void plic_handle(void);

/* power.c */
void power_init(const struct fdt_machine *machine);

/* vm_boot.c */
uint64_t boot_page_tables_build(void); /* runs before paging: see vm_boot.c */
extern pte_t kernel_root_pt[];
void vm_boot_finish(const uint64_t keep_gib[], unsigned count);

/* trap.c */
struct arch_user_regs;
struct kernel_frame;
void trap_init(void);
__attribute__((noreturn)) void user_trap(const struct arch_user_regs *regs);
/* An ecall from U-mode (trap.S tells them apart). */
__attribute__((noreturn)) void user_syscall(struct arch_user_regs *regs);
void kernel_trap(struct kernel_frame *frame);

/* trap.S */
extern char trap_vector[];
__attribute__((noreturn)) void arch_return_to_user(void *regs);

/* The kernel stack (one per hart; .bss.stack). */
extern uint8_t kernel_stack[];

#endif
