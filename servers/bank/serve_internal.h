/*
 * What the bank service's two halves share (serve.c, the threads at run
 * time; serve_start.c, building them): the server's own slots, its state
 * at the start of its own memory, and the threads' entry points.
 */
#ifndef BANK_SERVER_SERVE_INTERNAL_H
#define BANK_SERVER_SERVE_INTERNAL_H

#include <server/serve.h>

#include "bank.h"
#include "bank_service.h"

#define ROOT COFFER_SLOT_CNODE
#define VSPACE COFFER_SLOT_VSPACE
#define LEAF BANK_CHUNK_SLOT_BITS
#define SELF(i) ((uint64_t)(i))        /* slot i of root slot 0's leaf, as the server names it */
#define SELF_CNODE SELF(1)
#define SELF_ENDPOINT SELF(2)
#define SELF_VSPACE SELF(3)
#define SELF_LOCK SELF(4)            /* where the books' lock's waiters sleep: a notification */
#define SELF_RESCUE SELF(5)          /* the workers' timeout endpoint: the rescuer waits on it */
#define SELF_RESCUE_REPLY SELF(6)    /* the rescuer's reply object */
#define SELF_ASID_POOL SELF(7)       /* the pool VSpaces sold get their ASIDs from (bank_env.asid_pool) */
#define SELF_RESCUE_SC(i) SELF(24 + (i)) /* the context the rescuer lends worker i */
#define SELF_WORKER(i) SELF(28 + (i))    /* worker i's TCB */
#define SELF_RECEIVE(i) SELF(8 + (i)) /* worker i's receive slot */
#define SELF_REPLY(i) SELF(16 + (i))  /* worker i's reply object */
#define MAX_WORKERS 4
#define STACK_BYTES 16384
#define PAGE COFFER_PAGE_SIZE

/* The server's own memory starts with this. */
struct service_state;
struct worker {
    struct coffer_server_loop loop;
    struct service_state *st;
    unsigned index;
    bool waiting; /* reached its receive */
};

struct service_state {
    struct bank_server server;
    struct worker workers[MAX_WORKERS];
    unsigned nworkers;
    uint64_t rescues;   /* workers the rescuer let finish (rescuer_thread) */
    uint32_t lock;      /* the books' lock word (lock_books) */
    struct bank_env env;
    struct bank_config cfg;
    uint64_t window_va, window_base;
    struct coffer_result init;
    bool ready;
};

/* The budget a request's locked stretch needs (serve.c, lock_books). */
#define BOOKS_BUDGET_US 50

/* serve.c: the threads and what the books need of the service. */
void service_worker(uint64_t arg);  /* arg: its struct worker */
void service_rescuer(uint64_t arg); /* arg: the struct service_state */
void *service_map_record_frame(void *ctx, coffer_cptr_t frame, uint64_t paddr);
void service_lock(void *ctx);
void service_unlock(void *ctx);
void service_budget(void *ctx);

#endif
