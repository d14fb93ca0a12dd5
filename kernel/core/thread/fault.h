/*
 * Faults to user level: a thread that faults sends the fault as a call
 * on the endpoint in its TCB (fault handler, or timeout handler for a
 * spent budget) and waits; the handler's reply resumes it.  Handlers
 * are active threads: a fault never lends the faulting thread's
 * scheduling context (for a timeout there is nothing left to lend).
 */
#ifndef COFFER_KERNEL_FAULT_H
#define COFFER_KERNEL_FAULT_H

#include "thread/thread.h"

/* Deliver a fault (COFFER_FAULT_*) of t's.  False if t has no fault
 * handler: the caller reports it and stops the thread, or, for an unknown
 * system call, returns ILLEGAL_OPERATION. */
bool fault_deliver(struct thread *t, uint64_t type, uint64_t addr, uint64_t cause);

/* t's budget is gone: tell its timeout handler, if it has one. */
void fault_timeout(struct thread *t);

#endif
