/*
 * The key-value store's logic (servers/kv/kv.c) through its generated
 * dispatcher on the host.  Its sessions are a host-made table (lib/session)
 * whose areas are host memory: a session "holds" pages that are arrays
 * here, so PUT, GET, DELETE and COUNT run without the bank; buying a page
 * is an IPC call, which fails on the host.  A page poisoned (the guarded
 * copy fails there, server/guarded.h) is memory that vanished.
 */
#include "tap.h"
#include "kv.h"
#include <proto/kv_server.h>
#include <server/guarded.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_BITS 14
#define AREA_BITS 16

static struct session_server sessions;
static struct kv_server store;
static uint8_t *window;

static void setup(void)
{
    window = aligned_alloc(1u << AREA_BITS, 2u << AREA_BITS);
    memset(window, 0, 2u << AREA_BITS);
    struct session_hooks hooks;
    kv_init(&store, &sessions, &hooks, NULL);
    struct session_config cfg = { .root_bits = 6, .leaf_bits = 8, .window_va = (uint64_t)(uintptr_t)window,
                                  .area_bits = AREA_BITS, .frame_bits = FRAME_BITS, .sessions = 2 };
    session_server_init(&sessions, &cfg, &hooks);
    sessions.table[1].state = SESSION_OPEN;
    sessions.table[1].gen = 3;
    store.table[1].pages = 1; /* its first page: host memory after the frame */
}

static const uint64_t good = SESSION_BADGE(SESSION_KIND_SESSION, 3, 1);

static struct coffer_reply call(uint64_t badge, uint64_t label, const uint64_t *w, unsigned length)
{
    struct coffer_request rq = { .badge = badge, .label = label, .length = length, .mr = w };
    struct coffer_reply rp;
    memset(&rp, 0xa5, sizeof rp);
    kv_dispatch(&store, &rq, &rp);
    return rp;
}

static bool is_error(struct coffer_reply rp, uint64_t error, uint64_t d0, uint64_t d1)
{
    bool ok = rp.error == error && rp.length == 2 && rp.mr[0] == d0 && rp.mr[1] == d1;
    if (!ok)
        tap_diag("reply 0x%llx (%llu, %llu), expected 0x%llx (%llu, %llu)", (unsigned long long)rp.error,
                 (unsigned long long)rp.mr[0], (unsigned long long)rp.mr[1], (unsigned long long)error,
                 (unsigned long long)d0, (unsigned long long)d1);
    return ok;
}

/* PUT key, 8 bytes of value v. */
static struct coffer_reply put(uint64_t badge, uint64_t key, uint64_t length, uint64_t v)
{
    uint64_t w[8] = { key, length, 0, 0, v };
    return call(badge, KV_OP_PUT, w, 8);
}

static void test_requests(void)
{
    struct coffer_reply rp = put(good, 7, 8, 0x1122334455667788ull);
    tap_ok(rp.error == COFFER_ERR_OK && rp.length == 1 && rp.mr[0] == 1, "PUT stores an entry: one entry");
    uint64_t w[8] = { 7 };
    rp = call(good, KV_OP_GET, w, 1);
    tap_ok(rp.error == COFFER_ERR_OK && rp.mr[0] == 8 && rp.mr[4] == 0x1122334455667788ull && rp.mr[5] == 0,
           "GET gives its 8 bytes back, the rest zero");
    const struct kv_entry *e = (const struct kv_entry *)(window + (1u << FRAME_BITS));
    tap_ok(e->key == 7 && e->length == 8, "the entry lives in the session's page (the client's memory)");
    rp = put(good, 7, 2, 0x4142);
    tap_ok(rp.error == COFFER_ERR_OK && rp.mr[0] == 1 && call(good, KV_OP_GET, w, 1).mr[0] == 2,
           "PUT again replaces it: still one entry");
    rp = call(good, KV_OP_COUNT, w, 0);
    tap_ok(rp.error == COFFER_ERR_OK && rp.mr[0] == 1 && rp.mr[1] == 1, "COUNT: one entry in one page");
    rp = call(good, KV_OP_DELETE, w, 1);
    tap_ok(rp.error == COFFER_ERR_OK && rp.mr[0] == 0 && e->key == 0, "DELETE frees the entry");
}

static void test_refusals(void)
{
    uint64_t w[8] = { 5 };
    tap_ok(is_error(put(good, 0, 1, 1), COFFER_ERR_KV_BAD_ARGUMENT, 0, 0), "PUT of key 0: BAD_ARGUMENT(0)");
    tap_ok(is_error(put(good, 1, 33, 1), COFFER_ERR_KV_BAD_ARGUMENT, 1, KV_VALUE_BYTES),
           "PUT of 33 bytes: BAD_ARGUMENT(1, 32)");
    tap_ok(is_error(call(good, KV_OP_GET, w, 1), COFFER_ERR_KV_NO_KEY, 0, 0), "GET of a missing key: NO_KEY");
    tap_ok(is_error(call(good, KV_OP_DELETE, w, 1), COFFER_ERR_KV_NO_KEY, 0, 0), "DELETE of a missing key: NO_KEY");
    w[0] = 0;
    tap_ok(is_error(call(good, KV_OP_GET, w, 1), COFFER_ERR_KV_NO_KEY, 0, 0), "GET of key 0: NO_KEY");
    uint64_t stale = SESSION_BADGE(SESSION_KIND_SESSION, 2, 1), other = SESSION_BADGE(SESSION_KIND_SESSION, 0, 2);
    uint64_t door = SESSION_BADGE(SESSION_KIND_DOOR, 3, 1), past = SESSION_BADGE(SESSION_KIND_SESSION, 3, 9);
    tap_ok(is_error(call(stale, KV_OP_COUNT, w, 0), COFFER_ERR_KV_GONE, 0, 0) &&
               is_error(call(other, KV_OP_COUNT, w, 0), COFFER_ERR_KV_GONE, 0, 0) &&
               is_error(call(door, KV_OP_COUNT, w, 0), COFFER_ERR_KV_GONE, 0, 0) &&
               is_error(call(past, KV_OP_COUNT, w, 0), COFFER_ERR_KV_GONE, 0, 0),
           "a stale badge, a session not open, a door's badge, an index past the table: GONE");
    tap_ok(is_error(call(good, KV_OP_COUNT, w, 1), COFFER_ERR_PROTO_BAD_MESSAGE, 0, 0),
           "COUNT with a word: PROTO_BAD_MESSAGE(0, 0)");
    /* Every entry of the one page taken: the next PUT would buy a page,
     * an IPC call that fails here -- and the session is left as it was. */
    unsigned n = 0;
    for (uint64_t k = 1; k <= KV_PER_PAGE; k++)
        n += put(good, k, 1, 1).error == COFFER_ERR_OK;
    struct coffer_reply rp = put(good, 1000, 1, 1);
    tap_ok(n == KV_PER_PAGE && rp.error == COFFER_ERR_ILLEGAL_OPERATION && store.table[1].pages == 1 &&
               store.table[1].entries == KV_PER_PAGE,
           "a full page: PUT buys another (refused on the host), nothing changed");
    store.table[1].pages = KV_PAGES; /* pretend the others are bought: all full but for page 1's */
    for (unsigned p = 1; p < KV_PAGES; p++) {
        struct kv_entry *first = (struct kv_entry *)(window + (1u << FRAME_BITS) + p * COFFER_PAGE_SIZE);
        for (unsigned i = 0; i < KV_PER_PAGE; i++)
            first[i].key = 5000 + p * KV_PER_PAGE + i;
    }
    store.table[1].entries = KV_PAGES * KV_PER_PAGE;
    tap_ok(is_error(put(good, 1001, 1, 1), COFFER_ERR_KV_FULL, KV_PAGES * KV_PER_PAGE, 0),
           "every page full and the most bought: FULL(entries)");
    coffer_guarded_poison_lo = (uintptr_t)window + (1u << FRAME_BITS);
    coffer_guarded_poison_hi = coffer_guarded_poison_lo + COFFER_PAGE_SIZE;
    w[0] = 3;
    tap_ok(is_error(call(good, KV_OP_GET, w, 1), COFFER_ERR_KV_GONE, 0, 0) &&
               is_error(put(good, 3, 1, 1), COFFER_ERR_KV_GONE, 0, 0) &&
               is_error(call(good, KV_OP_DELETE, w, 1), COFFER_ERR_KV_GONE, 0, 0),
           "the session's page vanished (poisoned): GET, PUT and DELETE are GONE");
    coffer_guarded_poison_lo = coffer_guarded_poison_hi = 0;
}

int main(void)
{
    setup();
    test_requests();
    test_refusals();
    free(window);
    return tap_done();
}
