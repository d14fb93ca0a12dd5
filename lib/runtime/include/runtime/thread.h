/*
 * A process's threads (docs/processes.md, "Threads"): runtime_thread_create
 * buys a thread from the process's own bank -- its TCB, scheduling
 * context, 64 KiB stack, IPC buffer and thread-local storage -- has the
 * process manager make it a thread of the process (THREAD, proto/proc.def),
 * and starts it at fn(arg); runtime_thread_join waits for fn to return
 * and gives every byte back to the bank.  A thread's fault is the
 * process's: the manager ends the process, all its threads with it.
 * picolibc's malloc and stdio are safe from any thread (each thread
 * writes whole lines of its own).
 */
#ifndef RUNTIME_THREAD_H
#define RUNTIME_THREAD_H

#include <coffer.h>
#include <stdbool.h>
#include <stdint.h>

#define RUNTIME_THREADS_MAX 8 /* at once besides the first: the manager's PROC_THREADS_MAX */

/* How a thread runs: zero for the process's own priority and CPU share. */
struct runtime_thread_attr {
    uint8_t priority;   /* at most the process's MCP */
    uint64_t budget_us; /* of every period_us; a share at most the process's (0: the process's own) */
    uint64_t period_us;
};

/* One thread; its fields are the runtime's. */
struct runtime_thread {
    unsigned area;                  /* which of the RUNTIME_THREADS_MAX areas and slot sets it has */
    uint64_t handles[4];            /* what was bought: TCB, context, stack, IPC buffer (bank handles) */
    void *(*fn)(void *);
    void *arg, *result, *tls;
    struct coffer_ipc_buffer *ipc_buffer;
    volatile bool done;
};

/* 0, or an errno: EAGAIN (no area free, or the manager's THREADS_FULL),
 * ENOMEM (the bank refused), EPERM (a priority or share above the
 * process's), EINVAL (a budget or period the kernel does not take). */
int runtime_thread_create(struct runtime_thread *t, void *(*fn)(void *), void *arg,
                          const struct runtime_thread_attr *attr);

/* Waits for the thread's fn to return; its result in *result (if not
 * NULL); everything bought for it back in the bank.  0, or EINVAL for a
 * thread not created (or joined already). */
int runtime_thread_join(struct runtime_thread *t, void **result);

/* The calling thread's IPC buffer, to pass to the generated protocol stubs
 * that take one (bank_buy(buf, ...)): each thread has its own, and the
 * first thread's is PROCESS_IPC_BUFFER_VADDR (coffer_root_ipc_buffer()). */
struct coffer_ipc_buffer *runtime_ipc_buffer(void);

#endif
