/*
 * Starting the process manager (serve.c runs it): threads of the
 * starter's address space with a CSpace of their own -- the worker,
 * passive, serving proto/proc.def on its callers' time; the fault
 * thread, active on a small context of the manager's, which relays
 * processes' faults to the worker and asks it to REAP; and the rescuer,
 * the worker's timeout handler (serve.c).  The starter gives it an untyped for its own
 * memory (fixed from then on: own_bytes), a bank capability (for VERIFY),
 * and gets back init's capability: all authority (priority and MCP 255,
 * the whole CPU).
 */
#ifndef PROC_SERVER_PROC_SERVICE_H
#define PROC_SERVER_PROC_SERVICE_H

#include <coffer.h>

struct proc_server;

#define PROC_SERVICE_SLOTS 12 /* starter slots the service keeps, from first_slot */

struct proc_service_config {
    coffer_cptr_t work_untyped; /* the manager's own memory: at least 2^18 bytes */
    coffer_cptr_t bank;         /* any capability to a bank of the bank server (copied) */
    uint64_t first_slot;        /* PROC_SERVICE_SLOTS free slots of the starter's root CNode */
    uint64_t own_va;            /* its memory, scratch window and image windows in the shared
                                   address space: 1 GiB aligned, 3 GiB free (serve_start.c) */
    uint8_t priority;
};

struct proc_service {
    coffer_cptr_t init;          /* init's capability to the manager (the starter's slot) */
    coffer_cptr_t worker, fault_thread, rescuer; /* the threads (the starter's slots) */
    struct proc_server *server;  /* its state, for tests (same address space) */
    const volatile uint64_t *rescues; /* requests the fault thread let the worker finish */
    const volatile uint64_t *faults;  /* processes' faults it relayed */
    const volatile uint64_t *timeouts; /* callers' budgets spent inside the worker */
    const volatile uint64_t *recoveries; /* guarded copies that faulted: a SPAWN_FRAME image gone */
    uint64_t own_bytes;          /* what it took of work_untyped */
};

struct coffer_result proc_service_start(const struct proc_service_config *cfg, struct proc_service *out);

#endif
