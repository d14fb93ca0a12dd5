/*
 * The space bank (issue 13; docs/banks.md): a client's purchase end to
 * end — the generated client's call, the passive server on the client's
 * time, the bank's books, the retype, the capability arriving as a child
 * in the client's slot — and its free; creating and destroying a bank;
 * verifying a bank capability a client handed over;
 * destroying banks that hold 10, 10^3 and 10^5 objects (per object, to
 * compare with the kernel's revoke per child); and the purchase again
 * with 10^5 objects live in the bank, to show its cost does not grow.
 */
#include "bench.h"
#include "fixture.h"
#include <bank/bank.h>
#include <proto/bank_client.h>
#include <stdio.h>

#include "bank_service.h"

#define ROOT COFFER_SLOT_CNODE
#define W COFFER_RETYPE_AT_WATERMARK
#define RAM_BITS 25 /* 32 MiB for the prime bank, as two untyped of 16 MiB */
#define PAIRS 501

static uint64_t samples_a[BENCH_RUNS], samples_b[BENCH_RUNS];
static struct bank_service svc;
static uint64_t slot0; /* this benchmark's slots */

static struct coffer_ipc_buffer *buf(void)
{
    return coffer_root_ipc_buffer();
}

static bool start(uint64_t ram, uint64_t work_parent)
{
    static coffer_cptr_t rams[2];
    rams[0] = slot0 + 1;
    rams[1] = slot0 + 2;
    struct bank_service_config cfg = { .work_untyped = slot0 + 4, .ram = rams, .nram = 2, .first_slot = slot0 + 8,
                                       .root_bits = 12, .nbanks = 64, .own_va = 0x3000000000ull,
                                       .window_va = 0x3400000000ull, .priority = 200 };
    return bench_step(coffer_untyped_retype(ram, COFFER_OBJ_UNTYPED, RAM_BITS - 1, ROOT, 0, rams[0], 2, W),
                      "RAM for the prime bank") &&
           bench_step(coffer_untyped_retype(work_parent, COFFER_OBJ_UNTYPED, 21, ROOT, 0, cfg.work_untyped, 1, W),
                      "the bank server's own memory") &&
           bench_step(bank_service_start(&cfg, &svc), "start the bank service");
}

/* Buy and free one object PAIRS times from bank: each costs a sample. */
static void buy_free(uint64_t bank, uint64_t type, uint64_t size_bits, const char *what)
{
    uint64_t slot = slot0 + 20, h = 0;
    unsigned bad = 0;
    for (unsigned i = 0; i < PAIRS; i++) {
        uint64_t t0 = coffer_rdcycle();
        struct coffer_result r = bank_buy(buf(), bank, type, size_bits, slot, &h);
        uint64_t t1 = coffer_rdcycle();
        struct coffer_result f = bank_free(bank, h);
        uint64_t t2 = coffer_rdcycle();
        bad += r.error != COFFER_ERR_OK || f.error != COFFER_ERR_OK;
        samples_a[i] = t1 - t0;
        samples_b[i] = t2 - t1;
    }
    char name[128];
    snprintf(name, sizeof name, "bank: buy %s (client to capability in its slot)", what);
    bench_report(name, samples_a, PAIRS, 0);
    snprintf(name, sizeof name, "bank: free %s (every copy revoked, block back)", what);
    bench_report(name, samples_b, PAIRS, 0);
    if (bad)
        printf("bench: %u purchases or frees of %s failed\n", bad, what);
}

/* A bank of n endpoints, destroyed: one sample of the whole destroy. */
static uint64_t destroy_with(unsigned n, uint64_t *per_object)
{
    uint64_t bank = slot0 + 21, id, h, slot = slot0 + 22;
    if (!bench_step(bank_create(buf(), svc.prime, 1ull << RAM_BITS, bank, &id), "a bank to destroy"))
        return 0;
    for (unsigned i = 0; i < n; i++)
        if (!bench_step(bank_buy(buf(), bank, COFFER_OBJ_ENDPOINT, 0, slot, &h), "an endpoint to destroy") ||
            !bench_step(coffer_cnode_delete(ROOT, slot, BF_D), "drop my copy"))
            return 0;
    uint64_t t0 = coffer_rdcycle();
    struct coffer_result r = bank_destroy(bank);
    uint64_t t1 = coffer_rdcycle();
    bench_step(r, "destroy the bank");
    *per_object = (t1 - t0) / n;
    return t1 - t0;
}

/* ---- another client's purchases while a destroy runs ---- */

#define LATENCY_MAX 4096
static volatile uint64_t other_bank, other_stop, other_n, other_parked;
static struct coffer_ipc_buffer *volatile other_buf; /* set before it first runs */
static uint64_t other_latency[LATENCY_MAX];

/* arg: a flag to raise when it stops, or 0. */
static void other_client(uint64_t arg)
{
    struct coffer_ipc_buffer *b = other_buf;
    while (!other_stop) {
        uint64_t h = 0, t0 = coffer_rdcycle();
        struct coffer_result r = bank_buy(b, other_bank, COFFER_OBJ_FRAME, 12, slot0 + 40, &h);
        if (r.error == COFFER_ERR_OK)
            bank_free(other_bank, h);
        uint64_t t1 = coffer_rdcycle();
        if (other_n < LATENCY_MAX)
            other_latency[other_n] = t1 - t0; /* a purchase and its free */
        other_n++;
    }
    if (arg != 0)
        *(volatile uint64_t *)(uintptr_t)arg = 1;
    bf_park();
}

/* Spin below the clients until both flags are up (they stop at their
 * next turn, which may be a period away), for a second at most. */
static void wait_parked(volatile uint64_t *a, volatile uint64_t *b)
{
    bench_step(coffer_tcb_set_priority(COFFER_SLOT_TCB, COFFER_SLOT_TCB, 100), "let the clients stop");
    for (uint64_t t0 = coffer_rdcycle(); !(*a && *b) && coffer_rdcycle() - t0 < 1000000000ull;)
        ;
    bench_step(coffer_tcb_set_priority(COFFER_SLOT_TCB, COFFER_SLOT_TCB, 255), "back above them");
    if (!(*a && *b))
        printf("bench: a client did not stop\n");
}

/* While the root task destroys a bank of n endpoints, a client of higher
 * priority with a tenth of the CPU (1 ms every 10 ms) buys from another
 * bank: its purchases are served by the server's other thread. */
static void latency_during_destroy(unsigned n)
{
    uint64_t id, doomed = slot0 + 41, other = slot0 + 42, per;
    bench_step(bank_create(buf(), svc.prime, 1ull << 20, other, &id), "the other client's bank");
    bench_step(bank_create(buf(), svc.prime, 1ull << RAM_BITS, doomed, &id), "a bank to destroy");
    for (unsigned i = 0; i < n; i++)
        if (!bench_step(bank_buy(buf(), doomed, COFFER_OBJ_ENDPOINT, 0, slot0 + 43, &per), "an endpoint") ||
            !bench_step(coffer_cnode_delete(ROOT, slot0 + 43, BF_D), "drop my copy"))
            return;
    bf_begin();
    other_bank = other;
    other_stop = 0;
    other_n = 0;
    other_parked = 0;
    other_buf = bf_spawn(other_client, (uint64_t)(uintptr_t)&other_parked, 210, 1000, 10000, BF_NONE).buf; /* runs once I block */
    uint64_t t0 = coffer_rdcycle();
    bench_step(bank_destroy(doomed), "destroy the bank");
    uint64_t t1 = coffer_rdcycle(), during = other_n < LATENCY_MAX ? other_n : LATENCY_MAX;
    other_stop = 1;
    wait_parked(&other_parked, &other_parked);
    char name[128];
    snprintf(name, sizeof name, "bank: another client's buy and free while a bank of %u objects is destroyed (%llu of them, "
             "the destroy %llu)", n, (unsigned long long)during, (unsigned long long)(t1 - t0));
    if (during > 0)
        bench_report(name, other_latency, (unsigned)during, 0);
    else
        printf("bench: no purchase of the other client finished during the destroy\n");
}

/* ---- a client throttled inside the server ---- */

#define HOG_BUDGET_US 100 /* the least a context takes */
#define HOG_PERIOD_US 100000
#define WINDOW_CYCLES 300000000ull /* 300 ms of virtual time */
static volatile uint64_t hog_bank, hog_n, hog_parked, timed_parked;
static struct coffer_ipc_buffer *volatile hog_buf;

/* Buys and frees on a tiny budget: it runs out wherever it is, often
 * inside the server, which then waits for the next period. */
static void hog_client(uint64_t arg)
{
    (void)arg;
    struct coffer_ipc_buffer *b = hog_buf;
    while (!other_stop) {
        uint64_t h = 0;
        if (bank_buy(b, hog_bank, COFFER_OBJ_FRAME, 12, slot0 + 45, &h).error == COFFER_ERR_OK)
            bank_free(hog_bank, h);
        hog_n++;
    }
    hog_parked = 1;
    bf_park();
}

/* For WINDOW_CYCLES the root task spins below both clients: one buys on a
 * budget of HOG_BUDGET_US every HOG_PERIOD_US, the other (1 ms every 10 ms,
 * as above) has its purchases timed.  Each stays within its own budget;
 * what the timed one waits beyond that is the other's doing. */
static void latency_beside_throttled(void)
{
    uint64_t id, hog = slot0 + 46, other = slot0 + 47;
    bench_step(bank_create(buf(), svc.prime, 1ull << 20, hog, &id), "the throttled client's bank");
    bench_step(bank_create(buf(), svc.prime, 1ull << 20, other, &id), "the timed client's bank");
    hog_bank = hog;
    other_bank = other;
    other_stop = 0;
    other_n = hog_n = hog_parked = timed_parked = 0;
    hog_buf = bf_spawn(hog_client, 0, 220, HOG_BUDGET_US, HOG_PERIOD_US, BF_NONE).buf;
    other_buf = bf_spawn(other_client, (uint64_t)(uintptr_t)&timed_parked, 210, 1000, 10000, BF_NONE).buf;
    bench_step(coffer_tcb_set_priority(COFFER_SLOT_TCB, COFFER_SLOT_TCB, 100), "let the clients run");
    uint64_t t0 = coffer_rdcycle();
    while (coffer_rdcycle() - t0 < WINDOW_CYCLES)
        ;
    uint64_t timed = other_n, throttled = hog_n;
    other_stop = 1;
    wait_parked(&hog_parked, &timed_parked);
    char name[160];
    snprintf(name, sizeof name, "bank: a buy and free beside a client throttled in the server (its budget %u us of %u ms, "
             "%llu requests; %llu timed in %llu ms)", HOG_BUDGET_US, HOG_PERIOD_US / 1000,
             (unsigned long long)throttled, (unsigned long long)timed, WINDOW_CYCLES / 1000000);
    if (timed > 0)
        bench_report(name, other_latency, (unsigned)(timed < LATENCY_MAX ? timed : LATENCY_MAX), 0);
    else
        printf("bench: no purchase of the timed client finished beside the throttled one\n");
}

static void report_one(const char *name, uint64_t v)
{
    uint64_t s[1] = { v };
    bench_report(name, s, 1, 0);
}

void bench_bank(uint64_t calibration)
{
    (void)calibration;
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    uint64_t ram = coffer_largest_ram_untyped(bi, RAM_BITS), work_parent = coffer_largest_ram_untyped(bi, 24);
    slot0 = bi->empty.start + 3200;
    bench_step(coffer_cnode_revoke(ROOT, ram, BF_D), "clear the 32 MiB untyped (bench_caps keeps objects in it)");
    uint64_t ram_free = coffer_untyped_describe(ram).detail0, work_free = coffer_untyped_describe(work_parent).detail0;
    if (!start(ram, work_parent))
        return;
    uint64_t child = slot0 + 3, id, child_id;
    bench_step(bank_create(buf(), svc.prime, 1ull << RAM_BITS, child, &child_id), "a child bank");
    buy_free(child, COFFER_OBJ_FRAME, 12, "a 4 KiB frame");
    buy_free(child, COFFER_OBJ_TCB, 0, "a TCB");
    buy_free(child, COFFER_OBJ_CNODE, 6, "a 64-slot CNode");
    buy_free(child, COFFER_OBJ_ENDPOINT, 0, "an endpoint");

    for (unsigned i = 0; i < PAIRS; i++) {
        uint64_t b = slot0 + 21, t0 = coffer_rdcycle();
        struct coffer_result c = bank_create(buf(), child, 1ull << 20, b, &id);
        uint64_t t1 = coffer_rdcycle();
        struct coffer_result d = bank_destroy(b);
        uint64_t t2 = coffer_rdcycle();
        samples_a[i] = t1 - t0;
        samples_b[i] = t2 - t1;
        if (c.error != COFFER_ERR_OK || d.error != COFFER_ERR_OK)
            printf("bench: create or destroy of an empty bank failed\n");
    }
    bench_report("bank: create a child bank (its record bought from the parent)", samples_a, PAIRS, 0);
    bench_report("bank: destroy an empty child bank", samples_b, PAIRS, 0);

    /* VERIFY, as a server checks a bank a client handed it: genuine, its
     * rights and identity (the kernel unwraps the capability in transit). */
    unsigned wrong = 0;
    for (unsigned i = 0; i < PAIRS; i++) {
        uint64_t genuine = 0, rights = 0, who = 0, t0 = coffer_rdcycle();
        struct coffer_result r = bank_verify(buf(), svc.prime, child, &genuine, &rights, &who);
        samples_a[i] = coffer_rdcycle() - t0;
        wrong += r.error != COFFER_ERR_OK || genuine != 1 || who != BANK_ID(child_id);
    }
    bench_report("bank: verify a bank capability handed over (genuine, its rights and identity)", samples_a, PAIRS, 0);
    if (wrong)
        printf("bench: %u verifies gave a wrong answer\n", wrong);

    static const unsigned sizes[] = { 10, 1000, 100000 };
    for (unsigned k = 0; k < 3; k++) {
        uint64_t per = 0, total = destroy_with(sizes[k], &per);
        char name[96];
        snprintf(name, sizeof name, "bank: destroy a bank of %u endpoints, all of it", sizes[k]);
        report_one(name, total);
        snprintf(name, sizeof name, "bank: destroy a bank of %u endpoints, per object", sizes[k]);
        report_one(name, per);
    }

    latency_during_destroy(100000);
    latency_beside_throttled();

    /* 10^5 endpoints live in the child: does a purchase cost more? */
    uint64_t h, slot = slot0 + 22;
    for (unsigned i = 0; i < 100000; i++)
        if (!bench_step(bank_buy(buf(), child, COFFER_OBJ_ENDPOINT, 0, slot, &h), "a live endpoint") ||
            !bench_step(coffer_cnode_delete(ROOT, slot, BF_D), "drop my copy"))
            break;
    buy_free(child, COFFER_OBJ_FRAME, 12, "a 4 KiB frame, 10^5 objects live");

    bench_step(coffer_cnode_revoke(ROOT, ram, BF_D), "revoke the RAM");
    bench_step(coffer_cnode_revoke(ROOT, work_parent, BF_D), "revoke the server's memory");
    if (coffer_untyped_describe(ram).detail0 != ram_free || coffer_untyped_describe(work_parent).detail0 != work_free)
        printf("bench: the bank benchmark did not return every byte\n");
}
