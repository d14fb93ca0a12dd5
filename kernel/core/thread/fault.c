#include "thread/fault.h"
#include "arch.h"
#include "support/kprintf.h"
#include "thread/ipc.h"
#include "thread/sched_context.h"

static bool deliver_to(struct thread *t, struct slot *handler, uint64_t type, uint64_t addr,
                       uint64_t cause)
{
    if (handler->cap.type != CAP_ENDPOINT)
        return false;
    t->fault = (struct fault_info){ type, addr, cause };
    return ipc_send_fault(t, handler);
}

bool fault_deliver(struct thread *t, uint64_t type, uint64_t addr, uint64_t cause)
{
    return deliver_to(t, &t->fault_handler, type, addr, cause);
}

void fault_timeout(struct thread *t)
{
    deliver_to(t, &t->timeout_handler, COFFER_FAULT_TIMEOUT, sched_ticks_to_us(t->sc->consumed), 0);
}

void fault_context_gone(struct thread *t)
{
    if (t->timeout_handler.cap.type != CAP_ENDPOINT || t->state == THREAD_INACTIVE)
        return;
    if (t->state != THREAD_RUNNABLE) {
        thread_abort_wait(t);
        t->state = THREAD_RUNNABLE; /* not queued: it has no context */
    }
    deliver_to(t, &t->timeout_handler, COFFER_FAULT_CONTEXT_GONE, 0, 0);
}

/* Off unless the kernel command line asks (boot.c): the cost line is for
 * make bench, not for the console of every run. */
static bool report_cost;

void fault_report_cost(bool on)
{
    report_cost = on;
}

void fault_user(struct thread *t, const struct user_fault *f)
{
    if (fault_deliver(t, f->type, f->addr, f->cause))
        return;
    /* The report's format is fixed: the QEMU fault tests match it. */
    char buf[24];
    kprintf("coffer: user fault in '%s': %s (" ARCH_FAULT_CAUSE_NAME " %lu) pc=%p " ARCH_FAULT_ADDR_NAME
            "=%p\n",
            thread_name(t, buf), arch_fault_cause_name(f->cause), (unsigned long)f->cause,
            (void *)arch_pc(&t->regs), (void *)f->addr);
    /* The path's cost from the trap handler on: instructions under -icount
     * (read before the flag is tested, which is the measurement's own). */
    uint64_t done = arch_cycles();
    if (report_cost)
        kprintf("coffer: fault to report took %lu cycles\n",
                (unsigned long)(done - f->entry_cycles));
    thread_stop(t);
}
