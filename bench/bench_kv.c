/*
 * Sessions and the key-value store (issue 15; docs/servers.md): a session
 * opened and closed the way a client does it (a child bank made, a
 * restricted copy handed to the door, OPEN; CLOSE and the bank's
 * destroy), the door's OPEN and CLOSE alone, and a request's round trip
 * to the session's own worker -- COUNT (no work), PUT and GET of 8 bytes --
 * with one session open and with the store's table full, to show that a
 * client's request costs the same however many others there are.
 */
#include "bench.h"
#include "fixture.h"
#include <bank/bank.h>
#include <proto/bank_client.h>
#include <proto/kv_client.h>
#include <session/client.h>
#include <stdio.h>

#include "bank_service.h"
#include "services.h"
#include "kv.h"
#include "kv_service.h"

#define ROOT COFFER_SLOT_CNODE
#define W COFFER_RETYPE_AT_WATERMARK
#define RUNS 501

static uint64_t samples_a[RUNS], samples_b[RUNS];
static struct bank_service banks;
static struct session_service kv;
static uint64_t slot0;

enum { RAM, BANK_WORK, KV_WORK, BANK, PLAIN, FIRST_SERVICE_SLOT = 8, CLIENT = 32, OTHERS = 36 };

static uint64_t S(unsigned i)
{
    return slot0 + i;
}

static struct coffer_ipc_buffer *buf(void)
{
    return coffer_root_ipc_buffer();
}

static bool start(uint64_t parent)
{
    struct kv_service_config kcfg = { .work_untyped = S(KV_WORK), .first_slot = S(FIRST_SERVICE_SLOT + BANK_SERVICE_SLOTS),
                                      .own_va = 0x3c00000000ull, .priority = 180 };
    uint64_t id;
    bool ok = bench_bank_service(parent, 23, S(RAM), S(BANK_WORK), S(FIRST_SERVICE_SLOT), &banks) &&
              bench_step(coffer_untyped_retype(parent, COFFER_OBJ_UNTYPED, 19, ROOT, 0, S(KV_WORK), 1, W),
                         "the store's");
    kcfg.bank = banks.prime;
    return ok && bench_step(kv_service_start(&kcfg, &kv), "start the key-value store") &&
           bench_step(bank_create(buf(), banks.prime, 6u << 20, S(BANK), &id), "a bank for sessions");
}

static struct session_client client(unsigned first)
{
    return (struct session_client){ .door = kv.opener, .bank = S(first), .handed = S(first + 1),
                                    .session = S(first + 2) };
}

/* As a client opens and closes one: bank made, OPEN; CLOSE, destroy. */
static void client_open_close(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < RUNS; i++) {
        struct session_client c = client(CLIENT);
        uint64_t t0 = coffer_rdcycle();
        struct coffer_result r = session_client_open(buf(), &c, S(BANK), 128u << 10, 0);
        uint64_t t1 = coffer_rdcycle();
        struct coffer_result d = session_client_close(buf(), &c);
        uint64_t t2 = coffer_rdcycle();
        if (r.error != COFFER_ERR_OK || d.error != COFFER_ERR_OK)
            break;
        samples_a[n] = t1 - t0;
        samples_b[n++] = t2 - t1;
    }
    bench_report("kv: a client opens a session (child bank, restricted copy, OPEN)", samples_a, n, 0);
    bench_report("kv: and closes it (CLOSE, the bank destroyed)", samples_b, n, 0);
}

/* The door alone, on a bank made once. */
static void door_open_close(void)
{
    uint64_t id, index;
    unsigned n = 0;
    if (!bench_step(bank_create(buf(), S(BANK), 128u << 10, S(PLAIN), &id), "a session's bank"))
        return;
    for (unsigned i = 0; i < RUNS; i++) {
        uint64_t t0 = coffer_rdcycle();
        struct coffer_result r = session_open(buf(), kv.opener, 0, S(PLAIN), S(CLIENT), &index);
        uint64_t t1 = coffer_rdcycle();
        struct coffer_result c = session_close(buf(), kv.opener, S(PLAIN));
        uint64_t t2 = coffer_rdcycle();
        coffer_cnode_delete(ROOT, S(CLIENT), BF_D);
        if (r.error != COFFER_ERR_OK || c.error != COFFER_ERR_OK)
            break;
        samples_a[n] = t1 - t0;
        samples_b[n++] = t2 - t1;
    }
    bench_report("kv: the door's OPEN (CNode, TCB, endpoint, reply, 16 KiB frame bought; worker started)", samples_a,
                 n, 0);
    bench_report("kv: the door's CLOSE (all of it freed)", samples_b, n, 0);
    bank_destroy(S(PLAIN));
    coffer_cnode_delete(ROOT, S(PLAIN), BF_D);
}

/* COUNT, PUT and GET on session, each RUNS times; open: sessions open. */
static void requests(uint64_t session, unsigned open)
{
    uint64_t n = 0, pages, length, value = 0x1122334455667788ull;
    char got[KV_VALUE_BYTES];
    unsigned k = 0;
    for (unsigned i = 0; i < RUNS; i++) {
        uint64_t t0 = coffer_rdcycle();
        struct coffer_result r = kv_count(session, &n, &pages);
        uint64_t t1 = coffer_rdcycle();
        if (r.error != COFFER_ERR_OK)
            break;
        samples_a[k++] = t1 - t0;
    }
    char what[112];
    snprintf(what, sizeof what, "kv: COUNT, the round trip to the session's own worker (%u open)", open);
    bench_report(what, samples_a, k, 0);
    unsigned p = 0, g = 0;
    for (unsigned i = 0; i < RUNS; i++) {
        uint64_t t0 = coffer_rdcycle();
        struct coffer_result r = kv_put(buf(), session, 7, sizeof value, &value, sizeof value, &n);
        uint64_t t1 = coffer_rdcycle();
        struct coffer_result q = kv_get(buf(), session, 7, &length, got);
        uint64_t t2 = coffer_rdcycle();
        if (r.error != COFFER_ERR_OK || q.error != COFFER_ERR_OK)
            break;
        samples_a[p++] = t1 - t0;
        samples_b[g++] = t2 - t1;
    }
    snprintf(what, sizeof what, "kv: PUT of 8 bytes under a key stored before (%u open)", open);
    bench_report(what, samples_a, p, 0);
    snprintf(what, sizeof what, "kv: GET of them (%u open)", open);
    bench_report(what, samples_b, g, 0);
}

static void request_costs(void)
{
    struct session_client c = client(CLIENT), others[KV_SESSIONS];
    if (!bench_step(session_client_open(buf(), &c, S(BANK), 128u << 10, 0), "a session"))
        return;
    requests(c.session, 1);
    unsigned open = 1;
    for (unsigned i = 0; open < KV_SESSIONS; i++, open++) {
        others[i] = client(OTHERS + 3 * i);
        if (session_client_open(buf(), &others[i], S(BANK), 96u << 10, 0).error != COFFER_ERR_OK)
            break;
    }
    requests(c.session, open);
    for (unsigned i = 0; i + 1 < open; i++)
        session_client_close(buf(), &others[i]);
    session_client_close(buf(), &c);
}

void bench_kv(uint64_t calibration)
{
    (void)calibration;
    uint64_t parent_free, parent = bench_services_begin(&parent_free);
    slot0 = coffer_bootinfo()->empty.start + 3600;
    if (!start(parent))
        return;
    struct session_client warm = client(CLIENT);
    if (bench_step(session_client_open(buf(), &warm, S(BANK), 128u << 10, 0), "a first session"))
        session_client_close(buf(), &warm);
    client_open_close();
    door_open_close();
    request_costs();
    const coffer_cptr_t threads[] = { kv.door, kv.rescuer, banks.tcb };
    bench_services_end(parent, parent_free, threads, 3, "kv");
}
