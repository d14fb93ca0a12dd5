/*
 * What the process manager's two halves share (serve.c, its three threads at
 * run time; serve_start.c, building them): its state at the start of its
 * own memory and the threads' entry points.
 */
#ifndef PROC_SERVER_SERVE_INTERNAL_H
#define PROC_SERVER_SERVE_INTERNAL_H

#include <server/rescue.h>
#include <server/serve.h>

#include "proc.h"
#include "proc_service.h"

#define PROC_STACK_BYTES ((uint64_t)16 << 10)

struct proc_service_state {
    struct proc_server server;
    struct coffer_server_loop loop;
    struct coffer_ipc_buffer *worker_buf;
    bool waiting;       /* the worker reached its receive */
    uint64_t faults;    /* processes' faults relayed */
    struct coffer_rescuer rescuer; /* the worker's rescues and timeouts (proc_rescuer) */
};

void proc_worker(uint64_t arg); /* arg: the struct proc_service_state */
void proc_fault_thread(uint64_t arg);
void proc_rescuer(uint64_t arg);

#endif
