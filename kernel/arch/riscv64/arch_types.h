/*
 * Architecture types the portable core stores: the saved user registers of
 * a thread.  trap.S depends on this layout (x[i] at 8*i, pc at 8*32).
 */
#ifndef COFFER_ARCH_TYPES_H
#define COFFER_ARCH_TYPES_H

#include <stdint.h>

enum {
    REG_RA = 1, REG_SP = 2, REG_GP = 3, REG_TP = 4,
    REG_A0 = 10, REG_A1 = 11, REG_A2 = 12, REG_A3 = 13, REG_A4 = 14, REG_A5 = 15,
    REG_A6 = 16, REG_A7 = 17,
};

struct arch_user_regs {
    uint64_t x[32]; /* x[0] is unused (always zero) */
    uint64_t pc;
};

#define ARCH_REGS_PC_OFFSET (8 * 32)

/* Sizes (log2 bytes) of the architecture's kernel objects. */
#define ARCH_PAGE_TABLE_BITS 12 /* an Sv39 table of 512 entries */
#define ARCH_VSPACE_BITS 12     /* the Sv39 root table */
#define ARCH_FRAME_MIN_BITS 12  /* 4 KiB page */
#define ARCH_FRAME_MAX_BITS 30  /* 1 GiB gigapage */
#define ARCH_TCB_BITS 10        /* saved registers and thread state */

/* Physical memory as the kernel sees it: the physmap (memlayout.h), or,
 * in the host tests, host pointers. */
#ifdef COFFER_HOST
static inline void *arch_phys_to_virt(uint64_t pa)
{
    return (void *)(uintptr_t)pa;
}
#else
#define ARCH_PHYSMAP_BASE 0xffffffc000000000ul /* PHYSMAP_BASE in memlayout.h */
static inline void *arch_phys_to_virt(uint64_t pa)
{
    return (void *)(ARCH_PHYSMAP_BASE + pa);
}
#endif

/* System-call convention: number in a7, arguments a0..a6, results a0..a2. */
static inline uint64_t arch_syscall_number(const struct arch_user_regs *r)
{
    return r->x[REG_A7];
}
static inline uint64_t arch_syscall_arg(const struct arch_user_regs *r, unsigned i)
{
    return r->x[REG_A0 + i];
}
/* All of them, as an array: a0..a6 are consecutive in the saved registers. */
static inline const uint64_t *arch_syscall_args(const struct arch_user_regs *r)
{
    return &r->x[REG_A0];
}
static inline void arch_syscall_set_result(struct arch_user_regs *r, uint64_t error, uint64_t d0,
                                           uint64_t d1)
{
    r->x[REG_A0] = error;
    r->x[REG_A1] = d0;
    r->x[REG_A2] = d1;
}

/* The call returns to the instruction after its ecall. */
static inline void arch_syscall_advance(struct arch_user_regs *r)
{
    r->pc += 4;
}

/* Re-execute the ecall: the trap handler already stepped past it. */
static inline void arch_syscall_restart(struct arch_user_regs *r)
{
    r->pc -= 4;
}

#endif
