#include "object/invoke.h"
#include "object/asid.h"
#include "thread/ipc.h"
#include "object/irq.h"
#include "thread/sched_context.h"
#include "object/vspace.h"

struct coffer_result sys_CALL(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS])
{
    return invoke_cap(t, args, cspace_lookup(&t->cspace_root.cap, SYS_ARG(args, CALL, cptr), CPTR_MAX_DEPTH));
}

struct coffer_result invoke_cap(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS],
                                struct lookup_result r)
{
    if (r.slot == NULL)
        return lookup_error(r);
    struct invocation inv = { .thread = t, .slot = r.slot, .label = SYS_ARG(args, CALL, label),
                              .arg = &args[SYS_REG(CALL, arg0)] };
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
