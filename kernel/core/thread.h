/*
 * Threads, as far as the foundation needs them: one saved register set, an
 * address space and a run state.  The full TCB object (priorities,
 * scheduling contexts, IPC state) grows from this with the threads layer.
 */
#ifndef COFFER_KERNEL_THREAD_H
#define COFFER_KERNEL_THREAD_H

#include "cap.h"
#include "types.h"
#include <arch_types.h>

enum thread_state {
    THREAD_INACTIVE = 0, /* never started */
    THREAD_RUNNABLE,
    THREAD_STOPPED,      /* faulted; waits for a fault handler */
};

struct thread {
    struct arch_user_regs regs; /* first: trap.S saves here */
    paddr_t vspace_root;        /* physical address of the Sv39 root table */
    uint64_t asid;
    enum thread_state state;
    char name[32];
    struct slot cspace_root; /* the root CNode capability of its CSpace */
};

/* The thread the hart runs (or last ran); NULL before the root task starts. */
extern struct thread *current_thread;

/* Stop a thread after a fault it cannot survive; the reason is printed. */
void thread_stop(struct thread *t);

/* Run the current thread if it is runnable, else idle until one is. */
__attribute__((noreturn)) void schedule(void);

#endif
