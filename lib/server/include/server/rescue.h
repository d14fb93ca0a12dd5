/*
 * A rescuer: the thread a server makes the fault and timeout handler of
 * its passive workers, on a scheduling context of the server's own.  For
 * a worker's fault it
 *
 *  - COFFER_FAULT_TIMEOUT (the client's budget ran out inside the
 *    worker): replies at once; the worker goes on at the client's refill;
 *  - COFFER_FAULT_CONTEXT_GONE (the client's context died under the
 *    worker, its bank destroyed): lends the worker the server's rescue
 *    context until its next receive, so the request ends and the worker
 *    is passive again;
 *  - COFFER_FAULT_MEMORY inside coffer_guarded_copy() (a client's memory
 *    vanished under the server, server/guarded.h): resumes the worker on
 *    the copy's way out, which returns -1;
 *  - any other fault (a bug of the server's): leaves the worker stopped
 *    and counts it, so a test sees it.
 *
 * The badge of a fault says which worker: the server's `worker` callback
 * maps it to the worker's TCB and the context to lend (false: not a
 * worker's badge, ignored).  A worker given no context to lend
 * (COFFER_CPTR_NONE: a session's, whose client pays for its every
 * instruction, lib/session) is left stopped when its client's context
 * dies, as after any other fault it cannot answer; `abandon`, if set,
 * hears of each worker left stopped.
 */
#ifndef COFFER_SERVER_RESCUE_H
#define COFFER_SERVER_RESCUE_H

#include <coffer.h>
#include <stdbool.h>

struct coffer_rescuer {
    coffer_cptr_t endpoint, reply;  /* the rescue endpoint, the rescuer's reply object */
    bool (*worker)(void *ctx, uint64_t badge, coffer_cptr_t *tcb, coffer_cptr_t *rescue_sc);
    void *ctx;
    void (*abandon)(void *ctx, uint64_t badge); /* a worker left stopped (NULL: nothing to do) */
    /* Counters, for tests. */
    volatile uint64_t timeouts, rescues, recoveries, stopped;
};

/* Serve the faults forever. */
__attribute__((noreturn)) void coffer_rescue(struct coffer_rescuer *r);

#endif
