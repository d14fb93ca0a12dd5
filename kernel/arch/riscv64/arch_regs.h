/*
 * A thread's saved user registers and the named accessors through which
 * the portable core reads and writes them (kernel/core/arch.h states the
 * contract).  The core never names a machine register: which register
 * carries a system call's number, an IPC message word or a badge is the
 * calling convention's business, and it is all here.
 *
 * RISC-V: number in a7, arguments a0..a6, results a0..a2; an IPC message
 * has its info in a1, words 0..3 in a2..a5 and the badge (or, on a
 * receive, the reply object) in a6 (include/coffer/syscalls.def).
 *
 * Every accessor is static inline: they are on the IPC fast path, where a
 * call would cost more than the move it wraps.  trap.S depends on the
 * layout (x[i] at 8*i, pc at 8*32).
 */
#ifndef COFFER_ARCH_REGS_H
#define COFFER_ARCH_REGS_H

#include <coffer/abi.h>
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

/* ---------------------------------------------------------------- system calls */

static inline uint64_t arch_syscall_number(const struct arch_user_regs *r)
{
    return r->x[REG_A7];
}
static inline uint64_t arch_syscall_arg(const struct arch_user_regs *r, unsigned i)
{
    return r->x[REG_A0 + i];
}
/* All COFFER_SYSCALL_ARGS of them, as an array: a0..a6 are consecutive in
 * the saved registers. */
static inline const uint64_t *arch_syscall_args(const struct arch_user_regs *r)
{
    return &r->x[REG_A0];
}
/* What a thread's ecall passes (the host tests make system calls so). */
static inline void arch_set_syscall(struct arch_user_regs *r, uint64_t number,
                                    const uint64_t args[COFFER_SYSCALL_ARGS])
{
    for (unsigned i = 0; i < COFFER_SYSCALL_ARGS; i++)
        r->x[REG_A0 + i] = args[i];
    r->x[REG_A7] = number;
}

/* The three result registers: error, detail0, detail1. */
static inline void arch_syscall_set_result(struct arch_user_regs *r, uint64_t error, uint64_t d0,
                                           uint64_t d1)
{
    r->x[REG_A0] = error;
    r->x[REG_A1] = d0;
    r->x[REG_A2] = d1;
}
static inline struct coffer_result arch_syscall_result(const struct arch_user_regs *r)
{
    return (struct coffer_result){ r->x[REG_A0], r->x[REG_A1], r->x[REG_A2] };
}
/* The error register alone (an IPC receive sets it with the message). */
static inline void arch_set_syscall_error(struct arch_user_regs *r, uint64_t error)
{
    r->x[REG_A0] = error;
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

/* ---------------------------------------------------------------- IPC */

/* The message info word, sent and received (abi.h: COFFER_MSGINFO). */
static inline uint64_t arch_msg_info(const struct arch_user_regs *r)
{
    return r->x[REG_A1];
}
static inline void arch_set_msg_info(struct arch_user_regs *r, uint64_t info)
{
    r->x[REG_A1] = info;
}

/* Message word i, 0 <= i < COFFER_MSG_REG_WORDS. */
static inline uint64_t arch_msg_reg(const struct arch_user_regs *r, unsigned i)
{
    return r->x[REG_A2 + i];
}
static inline void arch_set_msg_reg(struct arch_user_regs *r, unsigned i, uint64_t v)
{
    r->x[REG_A2 + i] = v;
}

/* The badge a receiver gets with a message. */
static inline uint64_t arch_badge(const struct arch_user_regs *r)
{
    return r->x[REG_A6];
}
static inline void arch_set_badge(struct arch_user_regs *r, uint64_t badge)
{
    r->x[REG_A6] = badge;
}

/* The endpoint (or notification) an IPC call names, and the reply object
 * a receive names. */
static inline uint64_t arch_ipc_cptr(const struct arch_user_regs *r)
{
    return r->x[REG_A0];
}
static inline uint64_t arch_reply_cptr(const struct arch_user_regs *r)
{
    return r->x[REG_A6];
}

/* ---------------------------------------------------------------- threads */

static inline uint64_t arch_pc(const struct arch_user_regs *r)
{
    return r->pc;
}
static inline void arch_set_pc(struct arch_user_regs *r, uint64_t pc)
{
    r->pc = pc;
}

/* The argument a thread finds at its entry point (the root task: the
 * boot-info address). */
static inline void arch_set_entry_arg(struct arch_user_regs *r, uint64_t v)
{
    r->x[REG_A0] = v;
}

/* Register i in TCB_READ/WRITE_REGISTERS order, i < COFFER_REG_COUNT:
 * COFFER_REG_PC (0) is the pc, i >= 1 is x[i] (abi.h). */
static inline uint64_t arch_user_reg(const struct arch_user_regs *r, unsigned i)
{
    return i == COFFER_REG_PC ? r->pc : r->x[i];
}
static inline void arch_set_user_reg(struct arch_user_regs *r, unsigned i, uint64_t v)
{
    if (i == COFFER_REG_PC)
        r->pc = v;
    else
        r->x[i] = v;
}

#endif
