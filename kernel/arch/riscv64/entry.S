/*
 * Kernel entry from OpenSBI: a0 = hart id, a1 = physical address of the DTB.
 *
 * We run at the physical load address with paging off.  All code before the
 * jump to the kernel window is position independent (-mcmodel=medany makes
 * symbol references PC-relative), so symbols evaluate to physical addresses
 * here.  Steps: stack, clear .bss, build the boot page tables in C, enable
 * Sv39, jump to the virtual address of the rest of the kernel.
 */
#include "memlayout.h"

    .section .text.entry
    .globl _start
_start:
    /* Only the boot hart enters the kernel; -smp 1 is the supported setup. */
    csrw    sie, zero
    csrw    sscratch, zero
    mv      s0, a0
    mv      s1, a1

    /* The stack must exist before any C: the top of the boot stack. */
    lla      sp, kernel_stack
    li      t0, KERNEL_STACK_SIZE
    add     sp, sp, t0

    /* Clear .bss (the stack is in it, but nothing is on it yet). */
    lla      t0, _bss_start
    lla      t1, _bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:
    call    boot_page_tables_build   /* returns the satp value */
    sfence.vma
    csrw    satp, a0
    sfence.vma

    /* Continue at the kernel-window address of high_entry. */
    ld      t0, high_entry_address
    jr      t0

high_entry:
    li      t0, KERNEL_VIRT_OFFSET
    add     sp, sp, t0
    mv      fp, zero            /* ends frame-pointer backtraces */
    mv      ra, zero
    mv      a0, s0
    mv      a1, s1
    call    kernel_main
    /* kernel_main does not return */
3:  wfi
    j       3b

    .balign 8
high_entry_address:
    .dword  high_entry
