/*
 * The key-value store's logic (proto/kv.def, docs/tutorial-client-funded-
 * server.md): the handlers a session's worker runs, and the session hooks
 * (lib/session) that set a session up and let it go.
 *
 * Who pays: a session's entries live in pages bought from its bank (at
 * most KV_PAGES, bought as they fill), mapped in the session's area after
 * its worker's frame, read and written only with coffer_guarded_copy()
 * (server/guarded.h) -- the bank may be destroyed between two
 * instructions.  The store's own memory is this state: a fixed record per
 * session, where it keeps what it needs to go on (how many pages, their
 * handles, how many entries).
 */
#ifndef KV_SERVER_KV_H
#define KV_SERVER_KV_H

#include <coffer.h>
#include <session/server.h>
#include <stdint.h>

#define KV_VALUE_BYTES 32
#define KV_PAGES 6                          /* a session's most pages (in its CNode's free slots) */
#define KV_ENTRY_BYTES 64
#define KV_PER_PAGE ((unsigned)(COFFER_PAGE_SIZE / KV_ENTRY_BYTES))

/* One entry, in a client's page. */
struct kv_entry {
    uint64_t key;                           /* 0: free */
    uint64_t length;
    uint8_t value[KV_VALUE_BYTES];
    uint8_t unused[KV_ENTRY_BYTES - 48];
};
_Static_assert(sizeof(struct kv_entry) == KV_ENTRY_BYTES, "an entry is 64 bytes");

/* What the store keeps of a session, in its own memory. */
struct kv_session {
    unsigned pages;
    uint64_t handles[KV_PAGES];             /* the pages' handles in the session's bank */
    uint64_t entries;
};

struct kv_server {
    struct session_server *sessions;        /* the table its sessions are looked up in */
    struct kv_session table[SESSION_MAX + 1];
    uint64_t pages_bought;                  /* counters, for tests */
};

/* The session service's init hook (session/service.h): arg unused. */
void kv_init(void *state, struct session_server *sessions, struct session_hooks *hooks, void *arg);

#endif
