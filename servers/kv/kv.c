/*
 * The key-value store's requests (kv.h, proto/kv.def).  Each finds its
 * session by the badge it was called with, checks its arguments, then
 * acts; a guarded copy that fails means the session's memory went, and
 * the request is KV_GONE.
 */
#include <bank/bank.h>
#include <proto/bank_client.h>
#include <proto/kv_server.h>
#include <server/guarded.h>
#include <string.h>

#include "kv.h"

static struct coffer_result ok(void)
{
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}

static struct coffer_result fail(uint64_t error, uint64_t d0, uint64_t d1)
{
    return (struct coffer_result){ error, d0, d1 };
}

static struct coffer_result gone(void)
{
    return fail(COFFER_ERR_KV_GONE, 0, 0);
}

/* The session called, or NULL. */
static struct session *called(struct kv_server *s, const struct coffer_request *rq)
{
    return session_of(s->sessions, rq->badge);
}

static struct kv_entry *entry_at(const struct kv_server *s, const struct session *c, unsigned n)
{
    uint64_t page = c->area_va + (1ull << s->sessions->cfg.frame_bits) + (uint64_t)(n / KV_PER_PAGE) * COFFER_PAGE_SIZE;
    return (struct kv_entry *)(uintptr_t)page + n % KV_PER_PAGE;
}

/* The entry with key (or, key 0, a free one): its number, -1 if none,
 * -2 if the memory went. */
static int find(const struct kv_server *s, const struct session *c, uint64_t key)
{
    const struct kv_session *k = &s->table[c->index];
    for (unsigned n = 0; n < k->pages * KV_PER_PAGE; n++) {
        uint64_t at;
        if (coffer_guarded_copy(&at, &entry_at(s, c, n)->key, sizeof at) != 0)
            return -2;
        if (at == key)
            return (int)n;
    }
    return -1;
}

/* One more page from the session's bank, mapped after the last. */
static struct coffer_result add_page(struct kv_server *s, struct session *c)
{
    struct kv_session *k = &s->table[c->index];
    const struct session_server *ss = s->sessions;
    unsigned slot = SESSION_S_FREE + k->pages;
    uint64_t handle = 0;
    struct coffer_ipc_buffer *buf = (struct coffer_ipc_buffer *)(uintptr_t)c->area_va; /* the worker's */
    struct coffer_result r = bank_buy_into(buf, session_slot(ss, c->index, SESSION_S_BANK), COFFER_OBJ_FRAME,
                                           COFFER_PAGE_BITS, c->index, 64 - ss->cfg.leaf_bits, slot, &handle);
    if (r.error >= COFFER_ERR_BANK_LIMIT && r.error <= COFFER_ERR_BANK_BAD_CURSOR)
        return fail(COFFER_ERR_KV_BANK, r.error, r.detail0);
    if (r.error != COFFER_ERR_OK)
        return r;
    uint64_t va = (uint64_t)(uintptr_t)entry_at(s, c, k->pages * KV_PER_PAGE);
    if ((r = coffer_frame_map(session_slot(ss, c->index, slot), ss->cfg.vspace, va, COFFER_MAP_R | COFFER_MAP_W))
            .error != COFFER_ERR_OK) {
        bank_free(session_slot(ss, c->index, SESSION_S_BANK), handle);
        return r;
    }
    k->handles[k->pages++] = handle; /* fresh frames are zero: every entry free */
    s->pages_bought++;
    return ok();
}

struct coffer_result kv_serve_put(struct kv_server *s, const struct coffer_request *rq, uint64_t key, uint64_t length,
                                  const uint8_t *value, uint64_t *entries)
{
    struct session *c = called(s, rq);
    if (c == NULL)
        return gone();
    if (key == 0)
        return fail(COFFER_ERR_KV_BAD_ARGUMENT, 0, 0);
    if (length > KV_VALUE_BYTES)
        return fail(COFFER_ERR_KV_BAD_ARGUMENT, 1, KV_VALUE_BYTES);
    struct kv_session *k = &s->table[c->index];
    int n = find(s, c, key);
    bool fresh = n == -1;
    if (fresh)
        n = find(s, c, 0);
    if (n == -1 && k->pages == KV_PAGES)
        return fail(COFFER_ERR_KV_FULL, k->entries, 0);
    if (n == -1) {
        struct coffer_result r = add_page(s, c);
        if (r.error != COFFER_ERR_OK)
            return r;
        n = (int)((k->pages - 1) * KV_PER_PAGE);
    }
    if (n < 0)
        return gone();
    struct kv_entry e = { .key = key, .length = length };
    memcpy(e.value, value, length);
    if (coffer_guarded_copy(entry_at(s, c, (unsigned)n), &e, sizeof e) != 0)
        return gone();
    k->entries += fresh;
    *entries = k->entries;
    return ok();
}

struct coffer_result kv_serve_get(struct kv_server *s, const struct coffer_request *rq, uint64_t key,
                                  uint64_t *length, uint8_t *value)
{
    struct session *c = called(s, rq);
    if (c == NULL)
        return gone();
    int n = key == 0 ? -1 : find(s, c, key);
    struct kv_entry e;
    if (n == -1)
        return fail(COFFER_ERR_KV_NO_KEY, 0, 0);
    if (n < 0 || coffer_guarded_copy(&e, entry_at(s, c, (unsigned)n), sizeof e) != 0 || e.length > KV_VALUE_BYTES)
        return gone();
    *length = e.length;
    memset(value, 0, KV_VALUE_BYTES);
    memcpy(value, e.value, e.length);
    return ok();
}

struct coffer_result kv_serve_delete(struct kv_server *s, const struct coffer_request *rq, uint64_t key,
                                     uint64_t *entries)
{
    struct session *c = called(s, rq);
    if (c == NULL)
        return gone();
    int n = key == 0 ? -1 : find(s, c, key);
    const struct kv_entry none = { 0 };
    if (n == -1)
        return fail(COFFER_ERR_KV_NO_KEY, 0, 0);
    if (n < 0 || coffer_guarded_copy(entry_at(s, c, (unsigned)n), &none, sizeof none) != 0)
        return gone();
    *entries = --s->table[c->index].entries;
    return ok();
}

struct coffer_result kv_serve_count(struct kv_server *s, const struct coffer_request *rq, uint64_t *entries,
                                    uint64_t *pages)
{
    struct session *c = called(s, rq);
    if (c == NULL)
        return gone();
    *entries = s->table[c->index].entries;
    *pages = s->table[c->index].pages;
    return ok();
}

/* ---- the session hooks: a session set up (on the door) and let go */

static struct coffer_result kv_open(void *server, struct session *c, uint64_t arg)
{
    struct kv_server *s = server;
    if (arg != 0)
        return fail(COFFER_ERR_SESSION_REFUSED, arg, 0);
    s->table[c->index] = (struct kv_session){ 0 };
    return ok();
}

static void kv_close(void *server, struct session *c)
{
    struct kv_server *s = server;
    struct kv_session *k = &s->table[c->index];
    for (unsigned p = 0; p < k->pages; p++)
        bank_free(session_slot(s->sessions, c->index, SESSION_S_BANK), k->handles[p]);
    *k = (struct kv_session){ 0 };
}

void kv_init(void *state, struct session_server *sessions, struct session_hooks *hooks, void *arg)
{
    (void)arg;
    struct kv_server *s = state;
    s->sessions = sessions;
    *hooks = (struct session_hooks){ .server = s, .dispatch = kv_dispatch_any, .open = kv_open, .close = kv_close };
}
