/*
 * The session protocol in QEMU (proto/session.def, lib/session), on the
 * key-value store: the door's refusals, UPGRADE and INFO, a session whose
 * bank is destroyed without CLOSE, a full table, and 10^3 sessions opened
 * and closed with every byte back each time and the table empty.
 */
#include "ktest.h"
#include <bank/bank.h>
#include <proto/bank_client.h>
#include <proto/kv_client.h>
#include <proto/session_client.h>
#include <string.h>

#include "kv.h"
#include "kv_service.h"
#include "kv_test.h"

/* OPEN's refusals: a capability that is no bank, a bank that cannot free,
 * an argument the store refuses, a bank too small, one that funds a
 * session already.  Nothing is left of any. */
static void open_refusals(void)
{
    uint64_t index = 0, id;
    uint64_t before = held(S(BANK));
    ktest_step(coffer_untyped_retype(S(CONTAINER), COFFER_OBJ_NOTIFICATION, 0, ROOT, 0, S(NOTE), 1, W), "a notification");
    ktest_expect_error(session_open(kv_buf(), kv.opener, 0, S(NOTE), S(OTHER), &index), COFFER_ERR_SESSION_NOT_BANK, 0, 0,
                       "session: OPEN with a notification for a bank is NOT_BANK");
    ktest_step(bank_create(kv_buf(), S(BANK), 128u << 10, S(PLAIN_BANK), &id), "a bank");
    ktest_step(bank_restrict(kv_buf(), S(PLAIN_BANK), BANK_RIGHT_BUY, S(WEAK)), "a capability to it that can only buy");
    ktest_expect_error(session_open(kv_buf(), kv.opener, 0, S(WEAK), S(OTHER), &index), COFFER_ERR_SESSION_NOT_BANK, 0, 0,
                       "session: OPEN with a bank that cannot free is NOT_BANK");
    uint64_t plain = held(S(PLAIN_BANK));
    ktest_expect_error(session_open(kv_buf(), kv.opener, 5, S(PLAIN_BANK), S(OTHER), &index),
                       COFFER_ERR_SESSION_REFUSED, 5, 0, "session: OPEN with an argument the store refuses is REFUSED(5)");
    ktest_check(held(S(PLAIN_BANK)) == plain && kv_open_sessions() == 0,
                "session: the refused OPEN gave back what it bought (the bank holds %llu bytes, as before)",
                (unsigned long long)held(S(PLAIN_BANK)));
    struct coffer_result r = session_open(kv_buf(), kv.opener, 0, S(PLAIN_BANK), S(OTHER), &index);
    uint64_t opened = index;
    ktest_check(r.error == COFFER_ERR_OK, "session: OPEN with the whole bank works (session %llu)",
                (unsigned long long)index);
    ktest_expect_error(session_open(kv_buf(), kv.opener, 0, S(WEAK + 0), S(OTHER + 1), &index), COFFER_ERR_SESSION_NOT_BANK,
                       0, 0, "session: (the buy-only capability still is NOT_BANK)");
    ktest_expect_error(session_open(kv_buf(), kv.opener, 0, S(PLAIN_BANK), S(OTHER + 1), &index),
                       COFFER_ERR_SESSION_IN_USE, opened, 0,
                       "session: a second OPEN on the same bank is IN_USE(its session)");
    ktest_check(session_close(kv_buf(), kv.opener, S(WEAK)).error == COFFER_ERR_OK && kv_open_sessions() == 0,
                "session: CLOSE names the session by any capability to its bank (even one that can only buy)");
    ktest_expect_error(session_close(kv_buf(), kv.opener, S(PLAIN_BANK)), COFFER_ERR_SESSION_NONE, 0, 0,
                       "session: CLOSE again is NONE");
    bank_destroy(S(PLAIN_BANK));
    coffer_cnode_delete(ROOT, S(PLAIN_BANK), D);
    coffer_cnode_delete(ROOT, S(WEAK), D);
    ktest_step(bank_create(kv_buf(), S(BANK), 8u << 10, S(PLAIN_BANK), &id), "a bank of 8 KiB");
    plain = held(S(PLAIN_BANK));
    r = session_open(kv_buf(), kv.opener, 0, S(PLAIN_BANK), S(OTHER), &index);
    ktest_check(r.error == COFFER_ERR_SESSION_BANK && r.detail0 == COFFER_ERR_BANK_LIMIT &&
                    held(S(PLAIN_BANK)) == plain && kv_open_sessions() == 0,
                "session: OPEN on a bank of 8 KiB is SESSION_BANK(BANK_LIMIT, ...), nothing left (%s)",
                coffer_error_name(r.detail0));
    uint64_t room;
    ktest_expect_error(session_upgrade(kv_buf(), kv.opener, S(NOTE), &room), COFFER_ERR_SESSION_NOT_BANK, 0, 0,
                       "session: UPGRADE with no bank is NOT_BANK");
    ktest_expect_error(session_upgrade(kv_buf(), kv.opener, S(PLAIN_BANK), &room), COFFER_ERR_SESSION_NONE, 0, 0,
                       "session: UPGRADE of a bank that funds no session is NONE");
    uint64_t h, served;
    ktest_expect_error(session_info(kv_buf(), kv.opener, S(NOTE), &index, &h, &served), COFFER_ERR_SESSION_NOT_BANK, 0,
                       0, "session: INFO with no bank is NOT_BANK");
    ktest_expect_error(session_info(kv_buf(), kv.opener, S(PLAIN_BANK), &index, &h, &served), COFFER_ERR_SESSION_NONE,
                       0, 0, "session: INFO of a bank that funds no session is NONE");
    ktest_expect_error(session_close(kv_buf(), kv.opener, S(NOTE)), COFFER_ERR_SESSION_NOT_BANK, 0, 0,
                       "session: CLOSE with no bank is NOT_BANK");
    bank_destroy(S(PLAIN_BANK));
    for (unsigned k = NOTE; k <= PLAIN_BANK; k++)
        coffer_cnode_delete(ROOT, S(k), D);
    coffer_cnode_delete(ROOT, S(OTHER), D); /* the closed session's capability */
    ktest_check(held(S(BANK)) == before, "session: every refused OPEN left my bank as it was");
}

/* UPGRADE after the client raised its bank's limit; INFO's count. */
static void upgrade_and_info(void)
{
    struct session_client c = kv_client(CLIENT);
    uint64_t room = 0, room2 = 0, index = 0, h = 0, served = 0, n;
    if (!ktest_step(session_client_open(kv_buf(), &c, S(BANK), 128u << 10, 0), "a session"))
        return;
    for (uint64_t k = 1; k <= 3; k++)
        kv_put(kv_buf(), c.session, k, 1, "a", 1, &n);
    bool up = session_upgrade(kv_buf(), kv.opener, c.bank, &room).error == COFFER_ERR_OK &&
              bank_set_limit(c.bank, 256u << 10).error == COFFER_ERR_OK &&
              session_upgrade(kv_buf(), kv.opener, c.bank, &room2).error == COFFER_ERR_OK;
    ktest_check(up && room2 == room + (128u << 10), "session: UPGRADE after the limit was raised by 128 KiB: room %llu -> %llu",
                (unsigned long long)room, (unsigned long long)room2);
    ktest_step(coffer_untyped_retype(S(CONTAINER), COFFER_OBJ_REPLY, 0, ROOT, 0, S(NOTE), 1, W), "a reply object");
    ktest_check(coffer_ipc_nb_recv(c.session, S(NOTE)).error == COFFER_ERR_INVALID_CAPABILITY &&
                    coffer_ipc_nb_recv(kv.opener, S(NOTE)).error == COFFER_ERR_INVALID_CAPABILITY &&
                    coffer_cnode_delete(ROOT, S(NOTE), D).error == COFFER_ERR_OK,
                "session: neither the session capability nor the opener can receive (INVALID_CAPABILITY): no "
                "client can answer for the server");
    ktest_check(session_info(kv_buf(), kv.opener, c.bank, &index, &h, &served).error == COFFER_ERR_OK &&
                    index == c.index && h == held(c.bank) && served == 3,
                "session: INFO: its number, what its bank holds (%llu), the requests its worker served (%llu)",
                (unsigned long long)h, (unsigned long long)served);
    session_client_close(kv_buf(), &c);
}

/* A client that destroys its bank without CLOSE: the session ends at
 * once for it, and the store forgets it at its next look. */
static void bank_destroyed(void)
{
    struct session_client c = kv_client(CLIENT), d = kv_client(OTHER);
    uint64_t before = held(S(BANK)), vanished = kv.sessions->vanished, n;
    if (!ktest_step(session_client_open(kv_buf(), &c, S(BANK), 128u << 10, 0), "a session"))
        return;
    kv_put(kv_buf(), c.session, 1, 1, "a", 1, &n);
    uint64_t session_copy = S(OTHER + 2);
    coffer_cnode_copy(ROOT, session_copy, D, ROOT, c.session, D);
    ktest_check(bank_destroy(c.bank).error == COFFER_ERR_OK && held(S(BANK)) == before,
                "session: its bank destroyed without CLOSE: every byte back in my bank at once");
    struct coffer_result r = kv_count(session_copy, &n, &n);
    ktest_check(r.error != COFFER_ERR_OK, "session: the session capability is dead (%s)", coffer_error_name(r.error));
    coffer_cnode_delete(ROOT, session_copy, D);
    coffer_cnode_delete(ROOT, c.session, D);
    coffer_cnode_delete(ROOT, c.handed, D);
    coffer_cnode_delete(ROOT, c.bank, D);
    bool reopened = session_client_open(kv_buf(), &d, S(BANK), 128u << 10, 0).error == COFFER_ERR_OK;
    ktest_check(reopened && kv.sessions->vanished > vanished && kv_open_sessions() == 1,
                "session: the next OPEN found the vanished session and forgot it");
    session_client_close(kv_buf(), &d);
}

/* Every session taken: the next OPEN is TABLE_FULL; all closed, every
 * byte back. */
static bool fill_table(struct session_client *c)
{
    bool all = true;
    for (unsigned i = 0; i < KV_SESSIONS && all; i++) {
        c[i] = kv_client(MANY + 3 * i);
        all = session_client_open(kv_buf(), &c[i], S(BANK), 96u << 10, 0).error == COFFER_ERR_OK;
    }
    c[KV_SESSIONS] = kv_client(MANY + 3 * KV_SESSIONS);
    struct coffer_result r = session_client_open(kv_buf(), &c[KV_SESSIONS], S(BANK), 96u << 10, 0);
    bool full = all && r.error == COFFER_ERR_SESSION_TABLE_FULL && kv_open_sessions() == KV_SESSIONS;
    for (unsigned i = 0; i < KV_SESSIONS; i++)
        session_client_close(kv_buf(), &c[i]);
    return full;
}

/* The first time, my bank buys record chunks for 33 sub-banks at once,
 * which it keeps: the second time every byte comes back. */
static void table_full(void)
{
    static struct session_client c[KV_SESSIONS + 1];
    bool first = fill_table(c);
    uint64_t before = held(S(BANK));
    ktest_check(first && fill_table(c) && kv_open_sessions() == 0 && held(S(BANK)) == before,
                "session: %u sessions open, the next is TABLE_FULL; all closed, every byte back", KV_SESSIONS);
}

/* 10^3 sessions opened, used and closed: each time every byte back, the
 * table empty at the end, no worker ever stopped. */
static void many_sessions(void)
{
    uint64_t before = held(S(BANK)), n;
    unsigned good = 0;
    for (unsigned i = 0; i < 1000; i++) {
        struct session_client c = kv_client(CLIENT);
        bool ok = session_client_open(kv_buf(), &c, S(BANK), 96u << 10, 0).error == COFFER_ERR_OK &&
                  kv_put(kv_buf(), c.session, i + 1, 1, "a", 1, &n).error == COFFER_ERR_OK;
        ok = session_client_close(kv_buf(), &c).error == COFFER_ERR_OK && ok;
        good += ok && held(S(BANK)) == before;
    }
    ktest_check(good == 1000 && kv_open_sessions() == 0 && *kv.stopped == 0,
                "session: 1000 sessions opened, used and closed, every byte back after each (%u), the table empty",
                good);
}

void kv_session_cases(void)
{
    open_refusals();
    upgrade_and_info();
    bank_destroyed();
    table_full();
    many_sessions();
}
