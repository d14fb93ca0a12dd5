/*
 * Trap entry and exit.
 *
 * sscratch holds the address of the current thread's saved registers
 * (struct arch_user_regs) while the hart runs in U-mode, and 0 while it runs
 * in the kernel.  A trap from U-mode saves every user register there and
 * switches to the single kernel stack; the kernel never returns through the
 * C stack to user mode (it is event based, as seL4), so there is one kernel
 * stack per hart, not one per thread.  A trap from S-mode (an interrupt
 * while idle, or a kernel bug) saves the caller-saved registers on the
 * kernel stack and returns with sret.
 */
#include "memlayout.h"
#include "riscv.h"

#define REGS_PC (8 * 32)
#define KFRAME_SIZE (8 * 20)

    .section .text
    .globl trap_vector
    .balign 4
trap_vector:
    csrrw   sp, sscratch, sp
    beqz    sp, from_kernel

    /* From U-mode: sp = &regs, sscratch = user sp. */
    sd      x1, 1*8(sp)
    sd      x3, 3*8(sp)
    sd      x4, 4*8(sp)
    sd      x5, 5*8(sp)
    sd      x6, 6*8(sp)
    sd      x7, 7*8(sp)
    sd      x8, 8*8(sp)
    sd      x9, 9*8(sp)
    sd      x10, 10*8(sp)
    sd      x11, 11*8(sp)
    sd      x12, 12*8(sp)
    sd      x13, 13*8(sp)
    sd      x14, 14*8(sp)
    sd      x15, 15*8(sp)
    sd      x16, 16*8(sp)
    sd      x17, 17*8(sp)
    sd      x18, 18*8(sp)
    sd      x19, 19*8(sp)
    sd      x20, 20*8(sp)
    sd      x21, 21*8(sp)
    sd      x22, 22*8(sp)
    sd      x23, 23*8(sp)
    sd      x24, 24*8(sp)
    sd      x25, 25*8(sp)
    sd      x26, 26*8(sp)
    sd      x27, 27*8(sp)
    sd      x28, 28*8(sp)
    sd      x29, 29*8(sp)
    sd      x30, 30*8(sp)
    sd      x31, 31*8(sp)
    csrrw   t0, sscratch, zero
    sd      t0, 2*8(sp)
    csrr    t0, sepc
    sd      t0, REGS_PC(sp)

    mv      a0, sp
    lla     sp, kernel_stack
    li      t0, KERNEL_STACK_SIZE
    add     sp, sp, t0
    mv      fp, zero
    mv      ra, zero
    /* System calls, the common trap, go straight to their own entry. */
    csrr    t0, scause
    li      t1, EXC_ECALL_U
    bne     t0, t1, 1f
    call    user_syscall        /* does not return */
1:  call    user_trap           /* does not return */
2:  j       2b

from_kernel:
    csrrw   sp, sscratch, sp    /* sp = kernel sp, sscratch = 0 again */
    addi    sp, sp, -KFRAME_SIZE
    sd      ra, 0*8(sp)
    sd      t0, 1*8(sp)
    sd      t1, 2*8(sp)
    sd      t2, 3*8(sp)
    sd      a0, 4*8(sp)
    sd      a1, 5*8(sp)
    sd      a2, 6*8(sp)
    sd      a3, 7*8(sp)
    sd      a4, 8*8(sp)
    sd      a5, 9*8(sp)
    sd      a6, 10*8(sp)
    sd      a7, 11*8(sp)
    sd      t3, 12*8(sp)
    sd      t4, 13*8(sp)
    sd      t5, 14*8(sp)
    sd      t6, 15*8(sp)
    sd      fp, 16*8(sp)
    csrr    t0, sepc
    sd      t0, 17*8(sp)
    /* A frame record (caller fp, return address) so backtraces continue
     * into the interrupted kernel code. */
    sd      fp, 18*8(sp)
    sd      t0, 19*8(sp)
    addi    fp, sp, KFRAME_SIZE
    mv      a0, sp
    call    kernel_trap
    ld      t0, 17*8(sp)
    csrw    sepc, t0
    ld      ra, 0*8(sp)
    ld      t0, 1*8(sp)
    ld      t1, 2*8(sp)
    ld      t2, 3*8(sp)
    ld      a0, 4*8(sp)
    ld      a1, 5*8(sp)
    ld      a2, 6*8(sp)
    ld      a3, 7*8(sp)
    ld      a4, 8*8(sp)
    ld      a5, 9*8(sp)
    ld      a6, 10*8(sp)
    ld      a7, 11*8(sp)
    ld      t3, 12*8(sp)
    ld      t4, 13*8(sp)
    ld      t5, 14*8(sp)
    ld      t6, 15*8(sp)
    ld      fp, 16*8(sp)
    addi    sp, sp, KFRAME_SIZE
    sret

/*
 * arch_return_to_user(regs): restore a thread's registers and enter U-mode.
 * sstatus.SPP must already be 0 (U) and SPIE 1; interrupts stay off until
 * sret.
 */
    .globl arch_return_to_user
arch_return_to_user:
    csrw    sscratch, a0
    ld      t0, REGS_PC(a0)
    csrw    sepc, t0
    ld      x1, 1*8(a0)
    ld      x2, 2*8(a0)
    ld      x3, 3*8(a0)
    ld      x4, 4*8(a0)
    ld      x5, 5*8(a0)
    ld      x6, 6*8(a0)
    ld      x7, 7*8(a0)
    ld      x8, 8*8(a0)
    ld      x9, 9*8(a0)
    ld      x11, 11*8(a0)
    ld      x12, 12*8(a0)
    ld      x13, 13*8(a0)
    ld      x14, 14*8(a0)
    ld      x15, 15*8(a0)
    ld      x16, 16*8(a0)
    ld      x17, 17*8(a0)
    ld      x18, 18*8(a0)
    ld      x19, 19*8(a0)
    ld      x20, 20*8(a0)
    ld      x21, 21*8(a0)
    ld      x22, 22*8(a0)
    ld      x23, 23*8(a0)
    ld      x24, 24*8(a0)
    ld      x25, 25*8(a0)
    ld      x26, 26*8(a0)
    ld      x27, 27*8(a0)
    ld      x28, 28*8(a0)
    ld      x29, 29*8(a0)
    ld      x30, 30*8(a0)
    ld      x31, 31*8(a0)
    ld      x10, 10*8(a0)
    sret
