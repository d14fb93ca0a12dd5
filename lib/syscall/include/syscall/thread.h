/*
 * Threads and scheduling from user space: typed wrappers for the TCB,
 * scheduling-control and scheduling-context invocations
 * (docs/threads-ipc.md), and a helper that starts a thread running a C
 * function.
 */
#ifndef COFFER_THREAD_H
#define COFFER_THREAD_H

#include <syscall/caps.h>
#include <syscall/ipc.h>

/* Fault endpoint (0: none), CSpace root, VSpace, IPC buffer address and
 * frame (0: none). */
static inline struct coffer_result coffer_tcb_configure(coffer_cptr_t tcb, coffer_cptr_t fault_ep,
                                                        coffer_cptr_t cspace, coffer_cptr_t vspace,
                                                        uint64_t buffer, coffer_cptr_t buffer_frame)
{
    return coffer_invoke(tcb, COFFER_INV_TCB_CONFIGURE, fault_ep, cspace, vspace, buffer,
                         buffer_frame);
}

/* At most the maximum controlled priority of the TCB `authority`. */
static inline struct coffer_result coffer_tcb_set_priority(coffer_cptr_t tcb,
                                                           coffer_cptr_t authority, unsigned prio)
{
    return coffer_invoke(tcb, COFFER_INV_TCB_SET_PRIORITY, authority, prio, 0, 0, 0);
}

static inline struct coffer_result coffer_tcb_set_mcp(coffer_cptr_t tcb, coffer_cptr_t authority,
                                                      unsigned mcp)
{
    return coffer_invoke(tcb, COFFER_INV_TCB_SET_MCP, authority, mcp, 0, 0, 0);
}

/* Registers through the caller's IPC buffer: mr[0] pc, mr[i] x[i]. */
static inline struct coffer_result coffer_tcb_read_registers(coffer_cptr_t tcb, unsigned count)
{
    return coffer_invoke(tcb, COFFER_INV_TCB_READ_REGISTERS, count, 0, 0, 0, 0);
}

static inline struct coffer_result coffer_tcb_write_registers(coffer_cptr_t tcb, unsigned count,
                                                              int resume)
{
    return coffer_invoke(tcb, COFFER_INV_TCB_WRITE_REGISTERS, count, resume ? 1 : 0, 0, 0, 0);
}

static inline struct coffer_result coffer_tcb_resume(coffer_cptr_t tcb)
{
    return coffer_invoke(tcb, COFFER_INV_TCB_RESUME, 0, 0, 0, 0, 0);
}

static inline struct coffer_result coffer_tcb_suspend(coffer_cptr_t tcb)
{
    return coffer_invoke(tcb, COFFER_INV_TCB_SUSPEND, 0, 0, 0, 0, 0);
}

/* sc 0 unbinds (the thread becomes passive). */
static inline struct coffer_result coffer_tcb_set_sched_context(coffer_cptr_t tcb, coffer_cptr_t sc)
{
    return coffer_invoke(tcb, COFFER_INV_TCB_SET_SCHED_CONTEXT, sc, 0, 0, 0, 0);
}

static inline struct coffer_result coffer_tcb_set_timeout_handler(coffer_cptr_t tcb,
                                                                  coffer_cptr_t ep)
{
    return coffer_invoke(tcb, COFFER_INV_TCB_SET_TIMEOUT_HANDLER, ep, 0, 0, 0, 0);
}

static inline struct coffer_result coffer_tcb_bind_notification(coffer_cptr_t tcb,
                                                                coffer_cptr_t ntfn)
{
    return coffer_invoke(tcb, COFFER_INV_TCB_BIND_NOTIFICATION, ntfn, 0, 0, 0, 0);
}

/* Budget and period in microseconds. */
static inline struct coffer_result coffer_sched_control_configure(coffer_cptr_t control,
                                                                  coffer_cptr_t sc,
                                                                  uint64_t budget_us,
                                                                  uint64_t period_us)
{
    return coffer_invoke(control, COFFER_INV_SCHED_CONTROL_CONFIGURE, sc, budget_us, period_us,
                         0, 0);
}

/* detail0: microseconds charged so far; detail1: in time-CSR ticks. */
static inline struct coffer_result coffer_sched_context_consumed(coffer_cptr_t sc)
{
    return coffer_invoke(sc, COFFER_INV_SCHED_CONTEXT_CONSUMED, 0, 0, 0, 0, 0);
}

/* Interrupts: the handler capability for `line` into slot index of the
 * CNode cnode (depth; 0 = the root CNode). */
static inline struct coffer_result coffer_irq_control_get(coffer_cptr_t control, uint64_t line,
                                                          coffer_cptr_t cnode, unsigned depth,
                                                          uint64_t index)
{
    return coffer_invoke(control, COFFER_INV_IRQ_CONTROL_GET, line, cnode, index, depth, 0);
}

/* Signals go to the notification (with its capability's badge); 0: none. */
static inline struct coffer_result coffer_irq_handler_set_notification(coffer_cptr_t handler,
                                                                       coffer_cptr_t ntfn)
{
    return coffer_invoke(handler, COFFER_INV_IRQ_HANDLER_SET_NOTIFICATION, ntfn, 0, 0, 0, 0);
}

/* The interrupt is handled: the line may fire again. */
static inline struct coffer_result coffer_irq_handler_ack(coffer_cptr_t handler)
{
    return coffer_invoke(handler, COFFER_INV_IRQ_HANDLER_ACK, 0, 0, 0, 0, 0);
}

/*
 * Start tcb (configured already) at entry(arg) on the given stack, with
 * the caller's gp and tp (same address space), using the caller's IPC
 * buffer `buf` for the registers.  Resumes it.
 */
struct coffer_result coffer_thread_start(coffer_cptr_t tcb, struct coffer_ipc_buffer *buf,
                                         void (*entry)(uint64_t), void *stack_top, uint64_t arg);

#endif
