/*
 * The client side of sessions (proto/session.def, docs/servers.md): a
 * session is a bank made for it, handed to the server's door.
 *
 * session_client_open() creates a child of the caller's bank with the limit the
 * caller means to spend on the session, hands the door a capability to
 * it that can only buy and free (BANK_RIGHT_BUY | BANK_RIGHT_FREE), and
 * receives the session capability.  session_client_close() asks the server to
 * let go, then destroys the bank: every byte the session cost is back in
 * the caller's bank.  Destroying the bank without closing ends the
 * session too (the server notices): that is how a client's death ends
 * all its sessions.
 *
 * Slots are cptrs of the caller's CSpace.  leaf_bits says how it receives
 * capabilities into them: 0 into its root CNode itself (a root task),
 * else into leaves of 2^leaf_bits slots under its root (a process:
 * PROCESS_CNODE_BITS, as PROCESS_RECV does).
 */
#ifndef SESSION_CLIENT_H
#define SESSION_CLIENT_H

#include <bank/bank.h>
#include <proto/bank_client.h>
#include <proto/session_client.h>

struct session_client {
    coffer_cptr_t door;     /* the server's opener */
    coffer_cptr_t bank;     /* the session's bank, every right (the caller's) */
    coffer_cptr_t handed;   /* the restricted copy the server got (a slot of the caller's) */
    coffer_cptr_t session;  /* the session capability */
    uint64_t index;         /* the session's number at the server */
    unsigned leaf_bits;
};

/* The session's bank destroyed -- everything the session cost back in
 * the parent -- and the client's slots emptied (the session ends at the
 * server if it had not). */
static inline struct coffer_result session_client_drop(struct session_client *c)
{
    struct coffer_result r = bank_destroy(c->bank);
    coffer_cnode_delete(COFFER_SLOT_CNODE, c->session, 64);
    coffer_cnode_delete(COFFER_SLOT_CNODE, c->handed, 64);
    coffer_cnode_delete(COFFER_SLOT_CNODE, c->bank, 64);
    return r;
}

/* Open a session on `door` funded by a new child of `parent` holding at
 * most `limit` bytes; bank, handed and session are free slots the client
 * keeps them in.  Errors: the bank's (CREATE, RESTRICT), the door's
 * (SESSION_*): nothing is left of a failed open. */
static inline struct coffer_result session_client_open(struct coffer_ipc_buffer *buf, struct session_client *c,
                                                       coffer_cptr_t parent, uint64_t limit, uint64_t arg)
{
    uint64_t id;
    struct coffer_result r = bank_create_into(buf, parent, limit, COFFER_RECV_AT(c->bank, c->leaf_bits), &id);
    if (r.error != COFFER_ERR_OK)
        return r;
    if ((r = bank_restrict_into(buf, c->bank, BANK_RIGHT_BUY | BANK_RIGHT_FREE,
                                COFFER_RECV_AT(c->handed, c->leaf_bits))).error != COFFER_ERR_OK ||
        (r = session_open_into(buf, c->door, arg, c->handed, COFFER_RECV_AT(c->session, c->leaf_bits), &c->index))
            .error != COFFER_ERR_OK)
        session_client_drop(c);
    return r;
}

/* Close it: the server lets go, then the bank goes. */
static inline struct coffer_result session_client_close(struct coffer_ipc_buffer *buf, struct session_client *c)
{
    struct coffer_result r = session_close(buf, c->door, c->bank);
    struct coffer_result d = session_client_drop(c);
    return r.error != COFFER_ERR_OK ? r : d;
}

#endif
