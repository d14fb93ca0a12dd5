/*
 * Faults to user level: a thread that faults sends the fault as a call
 * on the endpoint in its TCB (fault handler, or timeout handler for a
 * spent budget) and waits; the handler's reply resumes it.  Handlers
 * are active threads: a fault never lends the faulting thread's
 * scheduling context (for a timeout there is nothing left to lend).
 *
 * The policy is here; the arch layer only decodes its traps into a
 * struct user_fault and calls fault_user().
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

/* The context t borrowed along a call died under it: t has none now and
 * would never run again.  With a timeout handler, the wait it was in (if
 * any) is cut short -- ABORTED, or a fault taken again -- and the handler
 * gets COFFER_FAULT_CONTEXT_GONE; it may give t a context of its own to
 * finish on (a server's worker holding a lock for a client that vanished).
 * Without one, t stays as it is. */
void fault_context_gone(struct thread *t);

/* An exception the running thread took in user mode, as the arch decoded
 * it.  Its pc is the thread's (arch_pc). */
struct user_fault {
    uint64_t type;         /* COFFER_FAULT_MEMORY or COFFER_FAULT_EXCEPTION */
    uint64_t addr;         /* the address involved (0 if none) */
    uint64_t cause;        /* the arch's cause code: reported and sent on */
    uint64_t entry_cycles; /* arch_cycles() when the trap handler started */
};

/* Send f to t's fault handler; without one, stop t and report the fault
 * on the console ("coffer: user fault in 'name': ..."). */
void fault_user(struct thread *t, const struct user_fault *f);

/* Whether that report adds what it cost, in cycles since entry_cycles
 * ("coffer: fault to report took N cycles"; make bench turns it on with
 * the kernel command line, docs/benchmarks.md). */
void fault_report_cost(bool on);

#endif
