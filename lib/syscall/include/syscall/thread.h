/*
 * Starting a thread running a C function (the TCB, scheduling and IRQ
 * invocations themselves are generated: <coffer/syscall_stubs.h>).
 */
#ifndef COFFER_THREAD_H
#define COFFER_THREAD_H

#include <coffer/syscall_stubs.h>
#include <syscall/ipc.h>

/*
 * Start tcb (configured already) at entry(arg) on the given stack, with
 * the caller's gp and tp (same address space), using the caller's IPC
 * buffer `buf` for the registers.  Resumes it.
 */
struct coffer_result coffer_thread_start(coffer_cptr_t tcb, struct coffer_ipc_buffer *buf,
                                         void (*entry)(uint64_t), void *stack_top, uint64_t arg);

#endif
