/*
 * The process manager at run time (proc_service.h; serve_start.c builds
 * it).  Three threads:
 *
 *  - the worker, passive, serves requests on its callers' time;
 *  - the fault thread, active on a small context of the manager's, waits
 *    on the fault endpoint: a process's fault (badged PROC_KIND_FAULT) it
 *    relays to the worker as FAULTED -- faults never lend, and the worker
 *    is passive -- and the worker stops the process and records the fault
 *    as its exit status; a signal on its bound notification (PROC_S_REAP)
 *    it turns into REAP, so that banks of processes that exited are
 *    destroyed on the manager's time (the worker cannot destroy them on
 *    the exiting process's context, which dies with them: proc.c);
 *  - the rescuer, active on a context of its own, is the worker's timeout
 *    handler: a budget the worker's caller spent in it (a timeout fault)
 *    it answers with the reply alone, the worker going on at the caller's
 *    next period; a context that died under the worker (CONTEXT_GONE: the
 *    caller's bank destroyed) by lending the worker a context of the
 *    manager's until its next receive, so the request ends and the manager
 *    serves on (as the bank's rescuer, docs/banks.md).
 *
 * The rescuer is apart from the fault thread because the worker runs
 * FAULTED and REAP on the fault thread's context: when that budget runs
 * out the fault thread is blocked in its call, and the worker's timeout
 * fault needs someone else to answer it.
 */
#include <proto/proc_client.h>

#include "serve_internal.h"

static void dispatch(void *server, const struct coffer_request *rq, struct coffer_reply *rp)
{
    proc_handle(server, rq, rp);
}

void proc_worker(uint64_t arg)
{
    struct proc_service_state *st = (struct proc_service_state *)(uintptr_t)arg;
    st->loop = (struct coffer_server_loop){
        .endpoint = PROC_SELF(PROC_S_ENDPOINT), .reply = PROC_SELF(PROC_S_REPLY), .buf = st->worker_buf,
        .recv_slot = PROC_SELF(PROC_S_RECEIVE), .recv_cnode = 0, .recv_depth = 64 - PROC_LEAF_BITS,
        .recv_index = PROC_S_RECEIVE, .self_cnode = PROC_SELF(PROC_S_CNODE), .dispatch = dispatch,
        .server = &st->server };
    st->waiting = true;
    coffer_serve(&st->loop);
}

void proc_fault_thread(uint64_t arg)
{
    struct proc_service_state *st = (struct proc_service_state *)(uintptr_t)arg;
    for (;;) {
        struct coffer_msg m = coffer_ipc_recv(PROC_SELF(PROC_S_FAULT_EP), PROC_SELF(PROC_S_FAULT_REPLY));
        if (m.error != COFFER_ERR_OK)
            continue;
        if (m.info & COFFER_MSG_NOTIFICATION) { /* PROC_S_REAP: banks of exited processes to destroy */
            proc_reap(PROC_SELF(PROC_S_RELAY));
        } else if (PROC_BADGE_KIND(m.badge) == PROC_KIND_FAULT) {
            /* The worker stops the process (its fault wait ends), so the
             * next receive abandons no one. */
            st->faults++;
            proc_faulted(PROC_SELF(PROC_S_RELAY), m.badge, COFFER_MSG_LABEL(m.info), m.mr[COFFER_FAULT_PC],
                         m.mr[COFFER_FAULT_ADDR]);
        }
    }
}

static bool worker_of(void *ctx, uint64_t badge, coffer_cptr_t *tcb, coffer_cptr_t *rescue_sc)
{
    (void)ctx;
    *tcb = PROC_SELF(PROC_S_TCB);
    *rescue_sc = PROC_SELF(PROC_S_RESCUE_SC);
    return PROC_BADGE_KIND(badge) == PROC_KIND_RESCUE;
}

void proc_rescuer(uint64_t arg)
{
    struct proc_service_state *st = (struct proc_service_state *)(uintptr_t)arg;
    st->rescuer.endpoint = PROC_SELF(PROC_S_RESCUE_EP);
    st->rescuer.reply = PROC_SELF(PROC_S_RESCUE_REPLY);
    st->rescuer.worker = worker_of;
    coffer_rescue(&st->rescuer);
}
