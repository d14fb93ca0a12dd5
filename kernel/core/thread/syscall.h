/*
 * System-call dispatch.  The table is generated from the ABI list
 * (include/coffer/syscalls.def): every listed call needs a handler named
 * sys_<NAME>, so a call added to the list without a kernel implementation
 * fails to link.  Handlers decode and check all their arguments before they
 * change any state.
 */
#ifndef COFFER_KERNEL_SYSCALL_H
#define COFFER_KERNEL_SYSCALL_H

#include "thread/thread.h"
#include <coffer/abi.h>

#ifndef CONFIG_DEBUG
#define CONFIG_DEBUG 1
#endif

typedef struct coffer_result (*syscall_handler_fn)(struct thread *t,
                                                  const uint64_t args[COFFER_SYSCALL_ARGS]);

#define SYSCALL(name, num, kind, dbg, desc, ...) \
    struct coffer_result sys_##name(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS]);
#include <coffer/syscalls.def>
#undef SYSCALL

/*
 * The system call t, the running thread, just trapped with: the IPC fast
 * path when it applies, else charge the time used, step past the ecall,
 * run the handler (its results land in t's registers) and return to user
 * mode through the scheduler.
 */
__attribute__((noreturn)) void syscall_entry(struct thread *t);

/* Look up a handler; NULL for unknown numbers and, in release kernels,
 * for debug-only calls. */
syscall_handler_fn syscall_lookup(uint64_t number);

static inline struct coffer_result syscall_ok(uint64_t d0, uint64_t d1)
{
    return (struct coffer_result){ COFFER_ERR_OK, d0, d1 };
}
/*
 * Not an ABI error: the call stopped at a preemption point.  The kernel
 * rewinds the thread to its ecall, so after the interrupt the call runs
 * again and continues (the operation keeps its progress in the objects).
 */
#define SYSCALL_RESTART (~0ull)

/* How many calls have been restarted since boot (kernel info). */
uint64_t syscall_restart_count(void);

static inline struct coffer_result syscall_restart(void)
{
    return (struct coffer_result){ SYSCALL_RESTART, 0, 0 };
}

static inline struct coffer_result syscall_error(coffer_error_t e, uint64_t d0, uint64_t d1)
{
    return (struct coffer_result){ (uint64_t)e, d0, d1 };
}

#endif
