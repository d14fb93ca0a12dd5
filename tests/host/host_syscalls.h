/*
 * User code on the host, against the host-built kernel core: code built
 * with -DCOFFER_HOST_SYSCALLS (a server's logic, a library) makes its
 * system calls through the generated stubs as ever, and they arrive here
 * instead of at an ecall (host_syscalls.c): CALL goes to the core's
 * sys_CALL as the thread named below would make it.  Only invocations:
 * the stand-in thread never runs, so IPC system calls fail with
 * ILLEGAL_OPERATION.
 */
#ifndef COFFER_TESTS_HOST_SYSCALLS_H
#define COFFER_TESTS_HOST_SYSCALLS_H

#include "thread/thread.h"

/* The thread whose system calls the stubs make (its CSpace root must be
 * set up, e.g. by fixture_cspace). */
void host_syscalls_use(struct thread *t);

/* Give t an IPC buffer in host memory (one page, page-aligned), for the
 * invocations that write one (UNTYPED_DESCRIBE); returns it. */
struct coffer_ipc_buffer *host_syscalls_ipc_buffer(struct thread *t, void *page);

/* System calls made through the stubs so far. */
extern uint64_t host_syscalls_made;

/* Failure injection: the n-th system call from now (1: the next) fails
 * with NOT_ENOUGH_MEMORY without reaching the kernel; 0 injects none. */
void host_syscalls_fail_at(uint64_t n);

/* The target's coffer_thread_start (lib/syscall/thread_start.c) reads gp
 * and tp; this one sets the entry, stack and argument through the same
 * TCB_WRITE_REGISTERS, for code under test that starts threads (which
 * never run on the host). */
struct coffer_result coffer_thread_start(coffer_cptr_t tcb, struct coffer_ipc_buffer *buf, void (*entry)(uint64_t),
                                         void *stack_top, uint64_t arg);

#endif
