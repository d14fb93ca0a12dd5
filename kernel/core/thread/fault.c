#include "thread/fault.h"
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
