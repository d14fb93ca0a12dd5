/*
 * What a client of the process manager (proto/proc.def, docs/processes.md)
 * needs besides the generated <proto/proc_client.h>: SPAWN's flags, what
 * INFO and WAIT report, and the kinds of capability PROC_WRONG_KIND
 * names.  The manager's own header (servers/proc/proc.h) includes it.
 */
#ifndef PROCESS_MANAGER_H
#define PROCESS_MANAGER_H

#define PROC_NAME_BYTES 32 /* argv[0] as INFO reports it */

/* Spawn flags. */
#define PROC_SPAWN_START 1u        /* start it at once (else: GRANT, then START) */
#define PROC_SPAWN_REAP_AT_EXIT 2u /* destroy its bank as soon as it ends (else at WAIT or KILL) */
#define PROC_SPAWN_FLAGS (PROC_SPAWN_START | PROC_SPAWN_REAP_AT_EXIT)

/* THREAD's flags. */
#define PROC_THREAD_AS_PROCESS 1u /* the process's own priority, budget and period */
#define PROC_THREAD_FLAGS PROC_THREAD_AS_PROCESS

/* Who calls: the kind in a capability's badge. */
enum proc_badge_kind {
    PROC_KIND_INIT = 1,   /* init: all authority (priority and MCP 255, the whole CPU) */
    PROC_KIND_SELF = 2,   /* a process about itself: EXIT, INFO, SPAWN with its authority */
    PROC_KIND_HANDLE = 3, /* a spawner about its process */
    PROC_KIND_FAULT = 4,  /* a process's faults, on the fault endpoint */
    PROC_KIND_RELAY = 5,  /* the manager's fault thread */
    PROC_KIND_RESCUE = 6, /* the worker's own faults (a budget spent, a lent context gone), on the rescue endpoint */
};

/* INFO's state. */
enum proc_state {
    PROC_STATE_FREE = 0,  /* (no process: never reported) */
    PROC_STATE_BUILT = 1, /* spawned, not started */
    PROC_STATE_RUNNING = 2,
    PROC_STATE_ENDED = 3, /* exited, faulted or killed; not reaped */
};

/* WAIT's how. */
enum proc_ended { PROC_ENDED_EXIT = 1, PROC_ENDED_FAULT = 2, PROC_ENDED_KILLED = 3 };

#endif
