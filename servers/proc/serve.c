/*
 * The process manager at run time (proc_service.h; serve_start.c builds
 * it).  The worker serves requests on its callers' time.  The fault
 * thread waits on the fault endpoint: a process's fault (badged
 * PROC_KIND_FAULT) it relays to the worker as FAULTED, on its own small
 * context -- faults never lend, and the worker is passive -- and the
 * worker stops the process and records the fault as its exit status.  A
 * fault of the worker's own (PROC_KIND_RESCUE: the context of the caller
 * it served died, with the caller's bank) it answers by lending the worker
 * a context of the manager's until its next receive, so the request ends
 * and the manager serves on (as the bank's rescuer, docs/banks.md); a
 * budget the worker's caller spent (a timeout fault) by the reply alone.
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

void proc_helper(uint64_t arg)
{
    struct proc_service_state *st = (struct proc_service_state *)(uintptr_t)arg;
    for (;;) {
        struct coffer_msg m = coffer_ipc_recv(PROC_SELF(PROC_S_FAULT_EP), PROC_SELF(PROC_S_FAULT_REPLY));
        if (m.error != COFFER_ERR_OK)
            continue;
        uint64_t type = COFFER_MSG_LABEL(m.info);
        if (PROC_BADGE_KIND(m.badge) == PROC_KIND_FAULT) {
            /* The worker stops the process (its fault wait ends), so the
             * next receive abandons no one. */
            st->faults++;
            /* The worker runs FAULTED on this thread's context, and its
             * timeout faults come here: it must not run out while this
             * thread waits for it (ENSURE_BUDGET waits for a full one). */
            coffer_ensure_budget(500);
            proc_faulted(PROC_SELF(PROC_S_RELAY), m.badge, type, m.mr[COFFER_FAULT_PC], m.mr[COFFER_FAULT_ADDR]);
        } else if (PROC_BADGE_KIND(m.badge) == PROC_KIND_RESCUE) {
            /* A spent budget needs only the reply: the worker goes on at
             * its caller's next period.  A context gone needs one lent. */
            st->timeouts += type == COFFER_FAULT_TIMEOUT;
            if (type == COFFER_FAULT_CONTEXT_GONE &&
                coffer_tcb_lend_sched_context(PROC_SELF(PROC_S_TCB), PROC_SELF(PROC_S_RESCUE_SC)).error ==
                    COFFER_ERR_OK)
                st->rescues++;
            coffer_ipc_send(PROC_SELF(PROC_S_FAULT_REPLY), COFFER_MSGINFO(0, 0, 0), NULL);
        }
    }
}
