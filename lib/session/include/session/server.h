/*
 * The server side of sessions (proto/session.def, docs/servers.md): what
 * a client-funded server links to open, run and close the sessions its
 * clients pay for.
 *
 * A session *is* a bank the client handed over.  At OPEN the door (the
 * server's one passive thread on the session protocol, running on the
 * opening client's time) buys from that bank, into the server's CSpace:
 *
 *   - a CNode of SESSION_CNODE_SLOTS slots, placed in root slot i of the
 *     server's CSpace (the session's number), which holds every
 *     capability of the session (SESSION_S_*), the server's own included;
 *   - the session's worker: a TCB, an endpoint (the client's session
 *     capability is a badged copy of it), a reply object, and a frame of
 *     2^frame_bits bytes holding its IPC buffer, its receive loop and its
 *     stack, mapped at area i of the server's session window (with the
 *     page tables that needs, if the session pays for its area's).
 *
 * The worker is passive: it runs only on its client's scheduling context,
 * serving the server's own protocol for that one client, so a slow or
 * hostile client occupies nothing but its own worker.  No shared lock is
 * held by the library across a client's work.
 *
 * What the server must keep to go on -- the session table, each
 * session's state and generation -- is here, in memory the server owns;
 * what the client pays for can vanish at any moment (its bank destroyed):
 * the door notices (the session's CNode or TCB is gone) and forgets the
 * session; the worker's faults go to the server's rescuer, which stops a
 * worker whose client's context died (session_abandon) and turns a
 * guarded copy's fault into an error (server/guarded.h).
 *
 * The server's CSpace: a root CNode of 2^root_bits slots, guarded to 64
 * bits, whose slot 0 is the server's own leaf of 2^leaf_bits slots (a cptr
 * j < 2^leaf_bits names leaf slot j) and whose slots 1..sessions are the
 * sessions' CNodes (SESSION_SLOT(i, j) names slot j of session i's).
 */
#ifndef SESSION_SERVER_H
#define SESSION_SERVER_H

#include <coffer.h>
#include <coffer/protocol.h>
#include <server/serve.h>
#include <stdbool.h>
#include <stdint.h>

#define SESSION_MAX 127          /* sessions at once, at most (root slots 1-127) */
#define SESSION_CNODE_BITS 5     /* a session's CNode: 32 slots */
#define SESSION_CNODE_SLOTS (1u << SESSION_CNODE_BITS)

/* The badge of a capability to a session server: who calls, or faults. */
enum session_kind { SESSION_KIND_DOOR = 1, SESSION_KIND_SESSION = 2, SESSION_KIND_RESCUE = 3 };
#define SESSION_BADGE(kind, gen, index) ((uint64_t)(kind) << 28 | (uint64_t)((gen) & 0xfffffu) << 8 | (index))
#define SESSION_BADGE_KIND(b) ((unsigned)((b) >> 28) & 0xfu)
#define SESSION_BADGE_GEN(b) ((uint32_t)((b) >> 8) & 0xfffffu)
#define SESSION_BADGE_INDEX(b) ((unsigned)(b) & 0xffu)

/* A session's slots (its CNode). */
enum session_slot {
    SESSION_S_TCB = 0,      /* its worker */
    SESSION_S_ENDPOINT = 1, /* where its requests arrive (unbadged: the server's) */
    SESSION_S_REPLY = 2,    /* the worker's reply object */
    SESSION_S_FRAME = 3,    /* IPC buffer, loop, stack */
    SESSION_S_BANK = 4,     /* a copy of the bank capability the client handed over */
    SESSION_S_RECV = 5,     /* a request's capabilities: 5, 6 and 7 */
    SESSION_S_TEMP = 8,     /* the library's, during OPEN */
    SESSION_S_TABLE = 9,    /* 9, 10: the page tables over the worker's frame, when sessions pay for theirs */
    SESSION_S_FREE = 11,    /* 11-31: the server's own, for what it buys for the session */
};

/* What was bought for a session (handles in its bank), in buying order. */
enum session_handle { SESSION_H_CNODE, SESSION_H_TCB, SESSION_H_ENDPOINT, SESSION_H_REPLY, SESSION_H_TABLE,
                      SESSION_H_TABLE2, SESSION_H_FRAME, SESSION_HANDLES };

enum session_state { SESSION_FREE = 0, SESSION_OPEN = 1 };

struct session {
    uint32_t gen;                     /* in its badges: bumped when it is forgotten */
    uint8_t state;                    /* enum session_state */
    unsigned index;                   /* its root slot, 1..sessions */
    uint64_t bank_id;                 /* BANK_ID of the bank that funds it */
    uint64_t handles[SESSION_HANDLES];
    uint64_t area_va;                 /* its part of the session window */
    struct session_server *server;
};

/* What the server adds (all optional but dispatch). */
struct session_hooks {
    void *server;                     /* its state: the dispatcher's first argument */
    coffer_dispatch_fn dispatch;      /* its protocol, which every worker serves */
    /* A session opens (the door, on the client's time): take arg, buy what
     * it needs from the session's bank (SESSION_SLOT(i, SESSION_S_BANK)).
     * An error is OPEN's: the library gives back what it bought. */
    struct coffer_result (*open)(void *server, struct session *s, uint64_t arg);
    /* It closes, or was found gone: forget it, give back what was bought
     * for it (its bank may be gone: errors are fine). */
    void (*close)(void *server, struct session *s);
};

struct session_config {
    unsigned root_bits, leaf_bits;    /* the server's CSpace (above); leaf_bits >= 5 */
    coffer_cptr_t root;               /* a capability to its guarded root CNode (a leaf slot) */
    coffer_cptr_t vspace;             /* its address space */
    coffer_cptr_t any_bank;           /* a bank capability of the bank server's, for VERIFY */
    coffer_cptr_t rescue;             /* the rescuer's endpoint, unbadged (workers' faults go there) */
    coffer_cptr_t door_tcb;           /* the door's TCB: the authority for the workers' priority */
    coffer_cptr_t door_rescue_sc;     /* what the rescuer lends the door when its caller's context dies */
    coffer_cptr_t start_sc;           /* a context of the server's a new worker runs on to its first
                                         receive (lent: it comes back there) */
    coffer_cptr_t temp;               /* a free leaf slot, the door's */
    struct coffer_ipc_buffer *buf;    /* the door's IPC buffer */
    uint64_t window_va;               /* sessions areas of 2^area_bits bytes, page tables in place */
    unsigned area_bits;               /* a session's area: its frame first, the server's mappings after */
    unsigned frame_bits;              /* the worker's frame: 2^frame_bits bytes, 14 or more */
    bool own_tables;                  /* each session's bank pays for the page tables of its area
                                         (areas too big for the server to map them all); else the
                                         window's tables are in place */
    unsigned sessions;                /* the table's size: 1..SESSION_MAX, < 2^root_bits */
    uint8_t priority;                 /* the workers': above the door's, so that a new worker
                                         reaches its first receive before the door goes on */
};

struct session_server {
    struct session_config cfg;
    struct session_hooks hooks;
    struct session table[SESSION_MAX + 1]; /* [1..sessions] */
    uint64_t opened, closed, vanished, abandoned; /* counters, for tests */
};

/* Slot j of session i's CNode, as a cptr of the server's CSpace. */
static inline coffer_cptr_t session_slot(const struct session_server *s, unsigned i, unsigned j)
{
    return (coffer_cptr_t)i << s->cfg.leaf_bits | j;
}

void session_server_init(struct session_server *s, const struct session_config *cfg,
                         const struct session_hooks *hooks);

/* The open session a SESSION_KIND_SESSION badge names, or NULL (stale,
 * closed, or not a session's). */
struct session *session_of(struct session_server *s, uint64_t badge);

/* The rescuer's view (server/rescue.h): the TCB and context a fault's
 * badge names -- the door's rescue context for the door, none for a
 * session's worker -- and the abandon hook: a worker whose client's
 * context died, or that faulted outside a guarded copy, is left stopped
 * and its session's capabilities revoked, so the client's next call
 * fails at once; CLOSE or the bank's destroy ends it. */
bool session_rescue_worker(void *server, uint64_t badge, coffer_cptr_t *tcb, coffer_cptr_t *sc);
void session_abandon(void *server, uint64_t badge);

/* The worker's first instructions (the library starts it): arg is its
 * struct session. */
void session_worker_main(uint64_t arg);

#endif
