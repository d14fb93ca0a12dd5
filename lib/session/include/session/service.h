/*
 * A session service (docs/servers.md): a client-funded server started as
 * threads of its starter's address space (lib/starter), built the same
 * way for every server that uses sessions, so that a server is its hooks
 * and its protocol and nothing else.
 *
 * From the untyped it is given -- its own memory, fixed from then on
 * (own_bytes) -- the service makes its CSpace (session/server.h: a
 * guarded root of 2^SESSION_SERVICE_ROOT_BITS slots whose slot 0 is its
 * leaf of 2^SESSION_SERVICE_LEAF_BITS), its state, the session window's
 * page tables, and two threads: the *door*, passive, which serves
 * proto/session.def on its callers' time, and the *rescuer*, active on a
 * small context of the server's, every worker's fault and timeout
 * handler (server/rescue.h).  The starter gets the opener: a capability
 * to the door that can call and pass capabilities, never receive.
 */
#ifndef SESSION_SERVICE_H
#define SESSION_SERVICE_H

#include <coffer.h>
#include <session/server.h>
#include <stddef.h>

#define SESSION_SERVICE_SLOTS 10     /* starter slots the service keeps, from first_slot */
#define SESSION_SERVICE_ROOT_BITS 6
#define SESSION_SERVICE_LEAF_BITS 8
#define SESSION_SERVICE_MAX ((1u << SESSION_SERVICE_ROOT_BITS) - 1) /* sessions at most */

/* The service's own slots (its leaf): a cptr j names leaf slot j. */
enum session_self_slot {
    SESSION_SELF_CNODE = 1,      /* its root CNode, guarded */
    SESSION_SELF_DOOR = 2,       /* the door's endpoint (unbadged) */
    SESSION_SELF_VSPACE = 3,     /* its address space (the starter's) */
    SESSION_SELF_BANK = 4,       /* a bank capability, for VERIFY */
    SESSION_SELF_DOOR_REPLY = 5,
    SESSION_SELF_DOOR_RECV = 6,  /* a door request's capability */
    SESSION_SELF_TEMP = 7,
    SESSION_SELF_DOOR_TCB = 8,
    SESSION_SELF_RESCUE_EP = 9,  /* the rescuer's endpoint (unbadged) */
    SESSION_SELF_RESCUE_REPLY = 10,
    SESSION_SELF_DOOR_RESCUE_SC = 11, /* lent to the door when its caller's context dies */
    SESSION_SELF_START_SC = 12,  /* a new worker runs on it to its first receive */
    SESSION_SELF_FREE = 16,      /* 16-255: the server's own */
};

struct session_service_config {
    coffer_cptr_t work_untyped; /* its own memory: 2^17 bytes and more, as state_bytes needs */
    coffer_cptr_t bank;         /* any capability to a bank of the bank server (copied) */
    uint64_t first_slot;        /* SESSION_SERVICE_SLOTS free slots of the starter's root CNode */
    uint64_t own_va;            /* 2 MiB aligned, 4 MiB free: its memory, then the window (with
                                   own_tables, the window's bytes too) */
    uint8_t priority;           /* the door's; the workers run one above */
    unsigned sessions;          /* 1..SESSION_SERVICE_MAX */
    unsigned area_bits;         /* a session's part of the window: 2^area_bits bytes */
    unsigned frame_bits;        /* its worker's frame (14: 16 KiB), at the area's start */
    bool own_tables;            /* sessions pay for their areas' page tables (then the window is
                                   at own_va + 2 MiB rounded up to an area, and may be large) */
    size_t state_bytes;         /* the server's own state, zeroed, before init runs */
    /* The server's part: its state set up and its hooks filled in (the
     * table, which its handlers look sessions up in, is `sessions`). */
    void (*init)(void *state, struct session_server *sessions, struct session_hooks *hooks, void *arg);
    void *init_arg;
    const char *name;           /* for messages */
};

struct session_service {
    coffer_cptr_t opener;       /* the door capability (the starter's slot) */
    coffer_cptr_t door, rescuer; /* the threads' TCBs (the starter's slots) */
    struct session_server *sessions; /* the table, for tests (same address space) */
    void *state;                /* the server's state */
    const volatile uint64_t *recoveries, *stopped; /* the rescuer's counters */
    uint64_t own_bytes;         /* what it took of work_untyped */
};

struct coffer_result session_service_start(const struct session_service_config *cfg, struct session_service *out);

#endif
