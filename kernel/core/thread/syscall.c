#include "thread/syscall.h"
#include "arch.h"
#include "thread/fastpath.h"
#include "thread/fault.h"
#include "object/invoke.h"
#include "thread/ipc.h"
#include "thread/sched.h"

/* A switch generated from the list: the compiler makes it a jump table. */
syscall_handler_fn syscall_lookup(uint64_t number)
{
    switch (number) {
#define SYSCALL(name, num, kind, dbg, desc, ...) \
    case (num):                              \
        return ((dbg) && !CONFIG_DEBUG) ? NULL : sys_##name;
#include <coffer/syscalls.def>
#undef SYSCALL
    default:
        return NULL;
    }
}

static uint64_t restarts;

uint64_t syscall_restart_count(void)
{
    return restarts;
}

/* Write r into t's registers (or rewind t to run the call again). */
static void finish(struct thread *t, struct coffer_result r)
{
    /* A thread that deleted its own TCB is gone: its memory is free (and
     * zero) now, and must stay so. */
    if (t != current_thread)
        return;
    if (r.error == SYSCALL_RESTART) {
        restarts++;
        arch_syscall_restart(&t->regs);
    } else if (r.error != SYSCALL_NO_RESULT) {
        arch_syscall_set_result(&t->regs, r.error, r.detail0, r.detail1);
    }
}

/*
 * The general path starts: charge the time used, then step past the
 * ecall.  A thread whose budget is spent does nothing more this period
 * (false): the ecall is taken again when it next runs.
 */
static inline bool begin_general_path(struct thread *t)
{
    if (!sched_charge())
        return false;
    arch_syscall_advance(&t->regs);
    return true;
}

/*
 * CALL, the most frequent call, resolves its capability once: an IPC call
 * with a register-only message tries the fast path with it, and everything
 * else (invocations, the general IPC path) uses the same lookup.
 */
static void call(struct thread *t, const uint64_t *args)
{
    struct lookup_result r = cspace_lookup(&t->cspace_root.cap, SYS_ARG(args, CALL, cptr), CPTR_MAX_DEPTH);
    if (CONFIG_FASTPATH && r.slot != NULL && r.slot->cap.type == CAP_ENDPOINT)
        fastpath_call(t, &r.slot->cap); /* does not return if it handles the call */
    if (begin_general_path(t))
        finish(t, invoke_cap(t, args, r));
}

/* Every other call: the handler the ABI list names. */
static void dispatch(struct thread *t, uint64_t number, const uint64_t *args)
{
    syscall_handler_fn handler = syscall_lookup(number);
    if (handler == NULL) {
        /* A fault for the thread's handler, if it has one. */
        if (!fault_deliver(t, COFFER_FAULT_SYSCALL, number, 0))
            arch_syscall_set_result(&t->regs, COFFER_ERR_ILLEGAL_OPERATION, number, 0);
        return;
    }
    finish(t, handler(t, args));
}

void syscall_entry(struct thread *t)
{
    uint64_t number = arch_syscall_number(&t->regs);
    /* The arguments stay in the saved registers: handlers read them
     * before they write any result into the caller. */
    const uint64_t *args = arch_syscall_args(&t->regs);
    if (number == COFFER_SYS_CALL) {
        call(t, args);
    } else {
        /* The fast path does not return if it handles the call. */
        if (CONFIG_FASTPATH && number == COFFER_SYS_REPLY_RECV)
            fastpath_reply_recv(t);
        if (begin_general_path(t))
            dispatch(t, number, args);
    }
    sched_return();
}

struct coffer_result sys_YIELD(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS])
{
    (void)t;
    (void)args;
    sched_yield();
    return syscall_ok(0, 0);
}
