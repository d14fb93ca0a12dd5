/*
 * The rescuer's loop (server/rescue.h).  A fault reply's word 0, when it
 * has one, becomes the thread's pc (docs/threads-ipc.md, Faults): that is
 * how a worker leaves a guarded copy that faulted.
 */
#include <server/guarded.h>
#include <server/rescue.h>

/* What to reply: false to leave the faulting thread stopped. */
static bool answer(struct coffer_rescuer *r, const struct coffer_msg *m, uint64_t *info, uint64_t pc[COFFER_MSG_REG_WORDS])
{
    coffer_cptr_t tcb = COFFER_CPTR_NONE, sc = COFFER_CPTR_NONE;
    if (!r->worker(r->ctx, m->badge, &tcb, &sc))
        return false;
    *info = COFFER_MSGINFO(0, 0, 0);
    switch (COFFER_MSG_LABEL(m->info)) {
    case COFFER_FAULT_TIMEOUT:
        r->timeouts++;
        return true;
    case COFFER_FAULT_CONTEXT_GONE:
        if (sc == COFFER_CPTR_NONE)
            break;
        if (coffer_tcb_lend_sched_context(tcb, sc).error == COFFER_ERR_OK)
            r->rescues++;
        return true;
    case COFFER_FAULT_MEMORY:
        if (!coffer_guarded_fault_pc(m->mr[COFFER_FAULT_PC]))
            break;
        r->recoveries++;
        pc[0] = coffer_guarded_recover_pc();
        *info = COFFER_MSGINFO(0, 0, 1);
        return true;
    default:
        break;
    }
    r->stopped++;
    if (r->abandon != NULL)
        r->abandon(r->ctx, m->badge);
    return false;
}

void coffer_rescue(struct coffer_rescuer *r)
{
    for (;;) {
        struct coffer_msg m = coffer_ipc_recv(r->endpoint, r->reply);
        uint64_t info, pc[COFFER_MSG_REG_WORDS] = { 0 };
        if (m.error == COFFER_ERR_OK && !(m.info & COFFER_MSG_NOTIFICATION) && answer(r, &m, &info, pc))
            coffer_ipc_send(r->reply, info, pc);
    }
}
