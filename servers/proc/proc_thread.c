/*
 * THREAD (proto/proc.def): a thread of a running process besides its
 * first, made of a TCB, a scheduling context and an IPC buffer frame the
 * process bought (from its bank: the manager buys nothing).  The manager
 * does what the process has no authority for -- the fault endpoint that
 * makes the thread's faults the process's, the priority, the context's
 * budget from the scheduling control -- within what the process itself
 * may give, and keeps copies of the TCB and the context in the process's
 * keeper (slots bought with it at SPAWN) so that it can stop every
 * thread when the process ends and count their CPU time.  A thread the
 * process frees (bank FREE revokes every copy) leaves its keeper slots
 * empty for the next.
 */
#include <process/layout.h>
#include <proto/proc_server.h>

#include "proc.h"

static struct coffer_result fail(uint64_t error, uint64_t d0, uint64_t d1)
{
    return (struct coffer_result){ error, d0, d1 };
}

/* A thread's priority and CPU share. */
struct thread_cpu {
    uint64_t priority, budget_us, period_us;
};

static bool is(coffer_cptr_t cap, unsigned type, unsigned size_bits)
{
    struct coffer_result r = coffer_cnode_identify(PROC_SELF(PROC_S_CNODE), cap, 64);
    return r.error == COFFER_ERR_OK && COFFER_ID_TYPE(r.detail0) == type &&
           (size_bits == 0 || COFFER_ID_SIZE_BITS(r.detail0) == size_bits);
}

static bool slot_empty(coffer_cptr_t slot)
{
    return is(slot, COFFER_ID_TYPE_NULL, 0);
}

/* The first thread number whose keeper slots are free, or -1. */
static int free_thread(unsigned i)
{
    for (unsigned t = 0; t < PROC_THREADS_MAX; t++)
        if (slot_empty(PROC_KEEP(i, PROC_K_THREAD_TCB(t))) && slot_empty(PROC_KEEP(i, PROC_K_THREAD_SC(t))))
            return (int)t;
    return -1;
}

/* Everything checked, nothing changed: the arguments, the authority, the
 * capabilities' types, a free thread number. */
static struct coffer_result decode(const struct proc_server *s, const struct coffer_request *rq, uint64_t flags,
                                   struct thread_cpu *cpu, uint64_t ipc_vaddr, coffer_cptr_t tcb, coffer_cptr_t sc,
                                   coffer_cptr_t ipc, int *t)
{
    uint32_t parent;
    unsigned kind = PROC_BADGE_KIND(rq->badge), i = PROC_BADGE_INDEX(rq->badge);
    if (kind != PROC_KIND_SELF)
        return fail(COFFER_ERR_PROC_WRONG_KIND, kind, 0);
    if ((flags & ~(uint64_t)PROC_THREAD_FLAGS) != 0)
        return fail(COFFER_ERR_PROC_BAD_ARGUMENT, 0, 0);
    if ((flags & PROC_THREAD_AS_PROCESS) && i < PROC_MAX) { /* proc_authority checks the entry */
        const struct proc_entry *p = &s->procs[i];
        *cpu = (struct thread_cpu){ p->priority, p->budget_us, p->period_us };
    }
    uint64_t priority = cpu->priority, budget_us = cpu->budget_us, period_us = cpu->period_us;
    struct coffer_result r = proc_check_cpu(budget_us, period_us);
    if (r.error == COFFER_ERR_OK)
        r = proc_authority(s, rq->badge, priority, 0, budget_us, period_us, &parent);
    if (r.error != COFFER_ERR_OK)
        return r;
    if ((ipc_vaddr & (COFFER_PAGE_SIZE - 1)) != 0 || ipc_vaddr == 0 || ipc_vaddr >= COFFER_USER_TOP)
        return fail(COFFER_ERR_PROC_BAD_ARGUMENT, 3, 0);
    if (!is(tcb, COFFER_OBJ_TCB, 0))
        return fail(COFFER_ERR_PROC_BAD_ARGUMENT, 4, 0);
    if (!is(sc, COFFER_OBJ_SCHED_CONTEXT, 0))
        return fail(COFFER_ERR_PROC_BAD_ARGUMENT, 5, 0);
    if (!is(ipc, COFFER_OBJ_FRAME, COFFER_PAGE_BITS))
        return fail(COFFER_ERR_PROC_BAD_ARGUMENT, 6, 0);
    if ((*t = free_thread(PROC_BADGE_INDEX(rq->badge))) < 0)
        return fail(COFFER_ERR_PROC_THREADS_FULL, 0, 0);
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}

struct coffer_result proc_fault_endpoint(const struct proc_server *s, unsigned i)
{
    coffer_cptr_t self = PROC_SELF(PROC_S_CNODE);
    if (s->procs[i].spawner_faults)
        return coffer_cnode_copy(self, PROC_SELF(PROC_S_TEMP), 64, self, PROC_KEEP(i, PROC_K_FAULTS), 64);
    return coffer_cnode_mint(self, PROC_SELF(PROC_S_TEMP), 64, self, PROC_SELF(PROC_S_FAULT_EP), 64,
                             COFFER_PROTO_CLIENT_RIGHTS, PROC_BADGE(PROC_KIND_FAULT, s->procs[i].gen, i));
}

/* Thread t of process i from the copies in its keeper. */
static struct coffer_result make(const struct proc_server *s, unsigned i, unsigned t, const struct thread_cpu *cpu,
                                 uint64_t ipc_vaddr, coffer_cptr_t ipc)
{
    const struct proc_entry *p = &s->procs[i];
    coffer_cptr_t self = PROC_SELF(PROC_S_CNODE), tcb = PROC_KEEP(i, PROC_K_THREAD_TCB(t)),
                  sc = PROC_KEEP(i, PROC_K_THREAD_SC(t));
    struct coffer_result r = proc_fault_endpoint(s, i);
    if (r.error != COFFER_ERR_OK)
        return r;
    r = coffer_tcb_configure(tcb, PROC_SELF(PROC_S_TEMP), PROC_KEEP(i, PROC_K_CSPACE), PROC_KEEP(i, PROC_K_VSPACE),
                             ipc_vaddr, ipc);
    coffer_cnode_delete(self, PROC_SELF(PROC_S_TEMP), 64);
    if (r.error != COFFER_ERR_OK ||
        (r = coffer_tcb_set_priority(tcb, PROC_SELF(PROC_S_TCB), cpu->priority)).error != COFFER_ERR_OK ||
        (r = coffer_tcb_set_mcp(tcb, PROC_SELF(PROC_S_TCB), p->mcp)).error != COFFER_ERR_OK ||
        (r = coffer_sched_control_configure(PROC_SELF(PROC_S_SCHED_CONTROL), sc, cpu->budget_us, cpu->period_us)).error !=
            COFFER_ERR_OK)
        return r;
    return coffer_tcb_set_sched_context(tcb, sc);
}

struct coffer_result proc_serve_thread(struct proc_server *s, const struct coffer_request *rq, uint64_t priority,
                                       uint64_t flags, uint64_t budget_us, uint64_t period_us, uint64_t ipc_vaddr,
                                       coffer_cptr_t tcb, coffer_cptr_t sc, coffer_cptr_t ipc, uint64_t *thread)
{
    int t;
    struct thread_cpu cpu = { priority, budget_us, period_us };
    struct coffer_result r = decode(s, rq, flags, &cpu, ipc_vaddr, tcb, sc, ipc, &t);
    if (r.error != COFFER_ERR_OK)
        return r;
    unsigned i = PROC_BADGE_INDEX(rq->badge);
    coffer_cptr_t self = PROC_SELF(PROC_S_CNODE), kept_tcb = PROC_KEEP(i, PROC_K_THREAD_TCB(t)),
                  kept_sc = PROC_KEEP(i, PROC_K_THREAD_SC(t));
    if ((r = coffer_cnode_copy(self, kept_tcb, 64, self, tcb, 64)).error != COFFER_ERR_OK ||
        (r = coffer_cnode_copy(self, kept_sc, 64, self, sc, 64)).error != COFFER_ERR_OK ||
        (r = make(s, i, (unsigned)t, &cpu, ipc_vaddr, ipc)).error != COFFER_ERR_OK) {
        coffer_cnode_delete(self, kept_tcb, 64); /* the objects stay the process's, to free */
        coffer_cnode_delete(self, kept_sc, 64);
        return r;
    }
    *thread = (unsigned)t + 1;
    return r;
}

void proc_threads_stop(const struct proc_server *s, unsigned i)
{
    (void)s;
    for (unsigned t = 0; t < PROC_THREADS_MAX; t++)
        if (!slot_empty(PROC_KEEP(i, PROC_K_THREAD_TCB(t))))
            coffer_tcb_suspend(PROC_KEEP(i, PROC_K_THREAD_TCB(t)));
}

uint64_t proc_threads_cpu_us(const struct proc_server *s, unsigned i)
{
    (void)s;
    uint64_t us = 0;
    for (unsigned t = 0; t < PROC_THREADS_MAX; t++) {
        struct coffer_result r = coffer_sched_context_consumed(PROC_KEEP(i, PROC_K_THREAD_SC(t)));
        us += r.error == COFFER_ERR_OK ? r.detail0 : 0;
    }
    return us;
}
