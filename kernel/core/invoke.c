#include "invoke.h"
#include "asid.h"
#include "ipc.h"
#include "irq.h"
#include "sched_context.h"
#include "vspace.h"

struct coffer_result lookup_error(struct lookup_result r)
{
    return syscall_error(COFFER_ERR_FAILED_LOOKUP, r.level | ((uint64_t)r.failure << 32),
                         r.bits_left);
}

struct coffer_result sys_CALL(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS])
{
    struct invocation inv = { .thread = t, .label = args[1] };
    for (unsigned i = 0; i < 5; i++)
        inv.arg[i] = args[2 + i];
    struct lookup_result r = cspace_lookup(&t->cspace_root.cap, args[0], CPTR_MAX_DEPTH);
    if (r.slot == NULL)
        return lookup_error(r);
    inv.slot = r.slot;
    switch (r.slot->cap.type) {
    case CAP_NULL:
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
    case CAP_UNTYPED:
        return untyped_invoke(&inv);
    case CAP_CNODE:
        return cnode_invoke(&inv);
    case CAP_FRAME:
        return frame_invoke(&inv);
    case CAP_PAGE_TABLE:
        return page_table_invoke(&inv);
    case CAP_ASID_CONTROL:
        return asid_control_invoke(&inv);
    case CAP_ASID_POOL:
        return asid_pool_invoke(&inv);
    case CAP_ENDPOINT:
        return ipc_call(t, r.slot);
    case CAP_TCB:
        return tcb_invoke(&inv);
    case CAP_SCHED_CONTROL:
        return sched_control_invoke(&inv);
    case CAP_SCHED_CONTEXT:
        return sched_context_invoke(&inv);
    case CAP_IRQ_CONTROL:
        return irq_control_invoke(&inv);
    case CAP_IRQ_HANDLER:
        return irq_handler_invoke(&inv);
    default:
        /* Other objects gain invocations with their layers. */
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    }
}
