/*
 * The bank service at run time (bank_service.h; serve_start.c builds it):
 * the workers, passive on the one endpoint, which serve requests on their
 * callers' time; the lock on the books they share; and the rescuer, which
 * lets a worker whose client's context died finish its request.
 */
#include "serve_internal.h"

void *service_map_record_frame(void *ctx, coffer_cptr_t frame, uint64_t paddr)
{
    struct service_state *st = ctx;
    uint64_t va = st->window_va + (paddr - st->window_base);
    struct coffer_result r = coffer_frame_map(frame, SELF_VSPACE, va, COFFER_MAP_R | COFFER_MAP_W);
    return r.error == COFFER_ERR_OK ? (void *)(uintptr_t)va : NULL;
}

static void dispatch(void *server, const struct coffer_request *rq, struct coffer_reply *rp)
{
    bank_handle(server, rq, rp);
}

/*
 * The books' lock: a word taken and given back with atomic instructions
 * when no one else wants it (two instructions' worth, no system call),
 * and a notification the threads that find it taken sleep on (a futex in
 * all but name).  The word: 0 free, 1 taken, 2 taken and someone waits.
 * A signal that finds no one waiting stays pending, so a wake-up cannot be
 * lost between a waiter's last look and its wait.
 *
 * A worker runs on its client's scheduling context.  Were the client's
 * budget to run out while the worker holds the books, every other client
 * would wait for that client's next period (a tenth of a second for one
 * of 1 ms every 100 ms).  So each worker has a loan minimum of
 * BOOKS_BUDGET_US (TCB_SET_LOAN_MINIMUM): the kernel lends it only a
 * context with that much left, and turns a call with less back to the
 * client's next period, before the server sees it.  Sleeping on the
 * notification spends no budget.  The one locked stretch that does not
 * start a request -- a destroy's, after its revokes ran unlocked for as
 * long as they took -- asks for the budget again first (ENSURE_BUDGET,
 * books_budget).  BOOKS_BUDGET_US is half the least budget a context
 * takes (SC_MIN_BUDGET_US), so every client gets through; the longest
 * locked stretch of a request is far shorter (docs/banks.md).
 */
void service_lock(void *ctx)
{
    uint32_t *word = ctx, free_word = 0;
    if (__atomic_compare_exchange_n(word, &free_word, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
        return;
    while (__atomic_exchange_n(word, 2, __ATOMIC_ACQUIRE) != 0)
        coffer_wait(SELF_LOCK);
}

void service_budget(void *ctx)
{
    (void)ctx;
    coffer_ensure_budget(BOOKS_BUDGET_US);
}

void service_unlock(void *ctx)
{
    uint32_t *word = ctx;
    if (__atomic_fetch_sub(word, 1, __ATOMIC_RELEASE) != 1) {
        __atomic_store_n(word, 0, __ATOMIC_RELEASE);
        coffer_signal(SELF_LOCK);
    }
}

/* A worker: its own IPC buffer, receive slot and reply object, the one
 * endpoint.  Several wait on it, so while one runs a destroy's revokes
 * (the lock let go) another serves the next client. */
void service_worker(uint64_t arg)
{
    struct worker *w = (struct worker *)(uintptr_t)arg;
    struct service_state *st = w->st;
    if (w->index == 0) {
        st->init = bank_server_init(&st->server, &st->env, &st->cfg);
        st->ready = true;
        if (st->init.error != COFFER_ERR_OK)
            for (;;)
                coffer_yield(); /* the starter sees the error and stops the thread */
    }
    /* A capability a request carries lands in the worker's receive slot
     * (VERIFY's, when it is no bank of this server's: one is unwrapped). */
    w->loop = (struct coffer_server_loop){
        .endpoint = SELF_ENDPOINT, .reply = SELF_REPLY(w->index),
        .buf = (struct coffer_ipc_buffer *)((uintptr_t)st->env.ipc + (uintptr_t)w->index * PAGE),
        .recv_slot = SELF_RECEIVE(w->index), .recv_cnode = 0, .recv_depth = 64 - LEAF,
        .recv_index = SELF_RECEIVE(w->index), .self_cnode = SELF_CNODE, .dispatch = dispatch,
        .server = &st->server };
    w->waiting = true;
    coffer_serve(&w->loop);
}

/*
 * The rescuer: every worker's timeout endpoint.  A client whose context
 * dies while a worker runs its request on it (the client deleted it, or
 * its bank was destroyed) would leave that worker with none, never to run
 * again -- holding the books, perhaps, so that no one else would either.
 * The kernel tells the rescuer (COFFER_FAULT_CONTEXT_GONE), which lends
 * the worker a context of the server's own until its next receive
 * (TCB_LEND_SCHED_CONTEXT): the worker finishes that one request on the
 * server's time and is passive again.  One context per worker, so
 * rescues never wait on each other.  A spent budget (COFFER_FAULT_TIMEOUT)
 * needs nothing: the reply lets the worker wait for its client's refill.
 */
void service_rescuer(uint64_t arg)
{
    struct service_state *st = (struct service_state *)(uintptr_t)arg;
    struct coffer_msg m = coffer_ipc_recv(SELF_RESCUE, SELF_RESCUE_REPLY);
    for (;;) {
        uint64_t i = m.badge - 1;
        if (m.error == COFFER_ERR_OK && COFFER_MSG_LABEL(m.info) == COFFER_FAULT_CONTEXT_GONE && i < st->nworkers &&
            coffer_tcb_lend_sched_context(SELF_WORKER(i), SELF_RESCUE_SC(i)).error == COFFER_ERR_OK)
            st->rescues++;
        m = coffer_ipc_reply_recv(SELF_RESCUE, SELF_RESCUE_REPLY, COFFER_MSGINFO(0, 0, 0), NULL);
    }
}

