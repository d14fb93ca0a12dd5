/*
 * Sessions and the key-value store in QEMU (lib/session, servers/kv):
 * started beside a bank service.  A session opened on a child bank of
 * mine stores entries in pages that bank pays for; every byte is back
 * after CLOSE, and after the bank is destroyed without one.  Every
 * refusal of the door and of the store has a case; 10^3 sessions opened
 * and closed leave the store's table empty and my bank as it was.  Ends
 * by revoking the untyped it all came from.
 */
#include "ktest.h"
#include <bank/bank.h>
#include <proto/bank_client.h>
#include <proto/kv_client.h>
#include <session/client.h>
#include <string.h>

#include "bank_service.h"
#include "kv.h"
#include "kv_service.h"
#include "kv_test.h"
#include "services_fixture.h"

static uint64_t slot_base;
struct bank_service kv_banks;
struct session_service kv;

uint64_t kv_slot(unsigned i)
{
    return slot_base + i;
}

struct coffer_ipc_buffer *kv_buf(void)
{
    return coffer_root_ipc_buffer();
}

static bool start(void)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    uint64_t parent = coffer_largest_ram_untyped(bi, 24);
    slot_base = bi->empty.start + 3300; /* clear of the threads fixture's (2600 on) */
    struct kv_service_config kcfg = { .work_untyped = S(KV_WORK), .first_slot = S(24), .own_va = 0x3c00000000ull,
                                      .priority = 180 };
    uint64_t id;
    bool ok = ktest_step(coffer_untyped_retype(parent, COFFER_OBJ_UNTYPED, 23, ROOT, 0, S(CONTAINER), 1, W),
                         "an 8 MiB container") &&
              start_bank_service(S(CONTAINER), 22, S(RAM), S(BANK_WORK), S(8), 256, &kv_banks) &&
              ktest_step(coffer_untyped_retype(S(CONTAINER), COFFER_OBJ_UNTYPED, 19, ROOT, 0, S(KV_WORK), 1, W),
                         "512 KiB for the store");
    kcfg.bank = kv_banks.prime;
    if (!ok || !ktest_step(kv_service_start(&kcfg, &kv), "start the key-value store") ||
        !ktest_step(bank_create(kv_buf(), kv_banks.prime, 3u << 20, S(BANK), &id), "a 3 MiB bank for sessions"))
        return false;
    /* A session's first sub-bank costs my bank a record chunk that stays:
     * made once here, so that every later one costs what it gives back. */
    struct session_client c = kv_client(CLIENT);
    return ktest_step(session_client_open(kv_buf(), &c, S(BANK), 128u << 10, 0), "warm my bank up: a session") &&
           ktest_step(session_client_close(kv_buf(), &c), "closed");
}

uint64_t objects(uint64_t bank)
{
    uint64_t limit = 0, effective, h = 0, o = 0, overhead, children, free_bytes = 0, count, nbanks;
    bank_info(kv_buf(), bank, &limit, &effective, &h, &o, &overhead, &children, &free_bytes, &count, &nbanks);
    return o;
}

uint64_t held(uint64_t bank)
{
    uint64_t limit = 0, effective, h = 0, objects, overhead, children, free_bytes = 0, count, nbanks;
    bank_info(kv_buf(), bank, &limit, &effective, &h, &objects, &overhead, &children, &free_bytes, &count, &nbanks);
    return h;
}

struct session_client kv_client(unsigned first)
{
    return (struct session_client){ .door = kv.opener, .bank = S(first), .handed = S(first + 1),
                                    .session = S(first + 2) };
}

unsigned kv_open_sessions(void)
{
    unsigned n = 0;
    for (unsigned i = 1; i <= kv.sessions->cfg.sessions; i++)
        n += kv.sessions->table[i].state == SESSION_OPEN;
    return n;
}

static struct coffer_result put(uint64_t session, uint64_t key, const char *value, uint64_t *entries)
{
    return kv_put(kv_buf(), session, key, strlen(value), value, strlen(value), entries);
}

/* A session: entries in, out, replaced, deleted; a second page bought as
 * the first fills; CLOSE gives every byte back. */
static void entries(void)
{
    struct session_client c = kv_client(CLIENT);
    uint64_t before = held(S(BANK)), n = 0, pages = 9, length = 0;
    char value[KV_VALUE_BYTES + 1] = { 0 };
    ktest_check(session_client_open(kv_buf(), &c, S(BANK), 256u << 10, 0).error == COFFER_ERR_OK && c.index >= 1 &&
                    held(S(BANK)) > before && kv_count(c.session, &n, &pages).error == COFFER_ERR_OK && n == 0 &&
                    pages == 0,
                "kv: a session opened on a 256 KiB child of my bank (session %llu, %llu bytes): no entries, no pages yet",
                (unsigned long long)c.index, (unsigned long long)(held(S(BANK)) - before));
    bool stored = put(c.session, 7, "seven", &n).error == COFFER_ERR_OK && n == 1 &&
                  put(c.session, 8, "eight", &n).error == COFFER_ERR_OK && n == 2 &&
                  put(c.session, 7, "SEVEN, replaced", &n).error == COFFER_ERR_OK && n == 2 &&
                  kv_get(kv_buf(), c.session, 7, &length, value).error == COFFER_ERR_OK && length == 15 &&
                  memcmp(value, "SEVEN, replaced", 15) == 0;
    ktest_check(stored, "kv: PUT stores, PUT again replaces, GET gives the value back");
    ktest_check(kv_delete(c.session, 8, &n).error == COFFER_ERR_OK && n == 1 &&
                    kv_get(kv_buf(), c.session, 8, &length, value).error == COFFER_ERR_KV_NO_KEY,
                "kv: DELETE removes the entry");
    uint64_t one_page = objects(c.bank);
    bool filled = true;
    for (uint64_t k = 100; k < 100 + KV_PER_PAGE && filled; k++)
        filled = put(c.session, k, "x", &n).error == COFFER_ERR_OK;
    ktest_check(filled && kv_count(c.session, &n, &pages).error == COFFER_ERR_OK && n == KV_PER_PAGE + 1 &&
                    pages == 2 && objects(c.bank) == one_page + COFFER_PAGE_SIZE,
                "kv: the 65th entry bought a second page from the session's bank (%llu entries, %llu pages)",
                (unsigned long long)n, (unsigned long long)pages);
    ktest_check(session_client_close(kv_buf(), &c).error == COFFER_ERR_OK && held(S(BANK)) == before &&
                    kv_open_sessions() == 0,
                "kv: CLOSE and the bank's destroy: every byte back in my bank, no session left");
}

/* The store's refusals: each with its detail, nothing changed. */
static void store_refusals(void)
{
    struct session_client c = kv_client(CLIENT);
    uint64_t n = 0, length = 0;
    char value[KV_VALUE_BYTES] = { 0 };
    static const char long_value[] = "thirty-three bytes, one too many!";
    if (!ktest_step(session_client_open(kv_buf(), &c, S(BANK), 256u << 10, 0), "a session"))
        return;
    ktest_expect_error(put(c.session, 0, "zero", &n), COFFER_ERR_KV_BAD_ARGUMENT, 0, 0, "kv: PUT of key 0 is BAD_ARGUMENT(0)");
    ktest_expect_error(kv_put(kv_buf(), c.session, 1, 33, long_value, 32, &n), COFFER_ERR_KV_BAD_ARGUMENT, 1,
                       KV_VALUE_BYTES, "kv: PUT of 33 bytes is BAD_ARGUMENT(1, 32)");
    ktest_expect_error(kv_get(kv_buf(), c.session, 5, &length, value), COFFER_ERR_KV_NO_KEY, 0, 0,
                       "kv: GET of a key never stored is NO_KEY");
    ktest_expect_error(kv_get(kv_buf(), c.session, 0, &length, value), COFFER_ERR_KV_NO_KEY, 0, 0,
                       "kv: GET of key 0 is NO_KEY");
    ktest_expect_error(kv_delete(c.session, 5, &n), COFFER_ERR_KV_NO_KEY, 0, 0, "kv: DELETE of a missing key is NO_KEY");
    bool filled = true;
    for (uint64_t k = 1; k <= KV_PAGES * KV_PER_PAGE && filled; k++)
        filled = put(c.session, k, "v", &n).error == COFFER_ERR_OK;
    ktest_check(filled && n == KV_PAGES * KV_PER_PAGE, "kv: %u entries fill the session's %u pages",
                KV_PAGES * KV_PER_PAGE, KV_PAGES);
    ktest_expect_error(put(c.session, 9999, "more", &n), COFFER_ERR_KV_FULL, KV_PAGES * KV_PER_PAGE, 0,
                       "kv: one more is FULL(entries)");
    /* Memory gone under the worker: a page freed behind the store's back
     * (its handle, which no client is told, read from the store). */
    const struct kv_server *ks = kv.state;
    bank_free(c.bank, ks->table[c.index].handles[0]);
    ktest_expect_error(kv_get(kv_buf(), c.session, 1, &length, value), COFFER_ERR_KV_GONE, 0, 0,
                       "kv: a page freed under the store: GET is GONE (the guarded copy failed), the worker serves on");
    ktest_check(kv_count(c.session, &n, &length).error == COFFER_ERR_OK && *kv.stopped == 0,
                "kv: the session still answers COUNT; no worker stopped");
    session_client_close(kv_buf(), &c);

    /* A session whose bank leaves no room for a page: the client spent
     * the rest of its limit itself. */
    uint64_t before = held(S(BANK)), handle;
    struct coffer_result r = session_client_open(kv_buf(), &c, S(BANK), 128u << 10, 0);
    unsigned bought = 0;
    while (r.error == COFFER_ERR_OK && bought < 64 &&
           bank_buy(kv_buf(), c.bank, COFFER_OBJ_FRAME, COFFER_PAGE_BITS, S(OTHER), &handle).error == COFFER_ERR_OK) {
        coffer_cnode_delete(ROOT, S(OTHER), D); /* the bank keeps the frame */
        bought++;
    }
    r = put(c.session, 1, "one", &n);
    ktest_check(r.error == COFFER_ERR_KV_BANK && r.detail0 == COFFER_ERR_BANK_LIMIT,
                "kv: a session whose bank has no room left for a page (%u frames bought by the client): PUT is "
                "KV_BANK(BANK_LIMIT)", bought);
    session_client_close(kv_buf(), &c);
    ktest_check(held(S(BANK)) == before, "kv: closed, every byte back (the client's frames with the rest)");
}

void test_kv_service(void)
{
    if (!start())
        return;
    entries();
    store_refusals();
    kv_session_cases();
    dataspace_cases();
    kv_kill_cases();
    ktest_check(coffer_cnode_revoke(ROOT, S(CONTAINER), D).error == COFFER_ERR_OK &&
                    coffer_cnode_delete(ROOT, S(CONTAINER), D).error == COFFER_ERR_OK,
                "kv: the container revoked: both services and everything they made are gone");
}
