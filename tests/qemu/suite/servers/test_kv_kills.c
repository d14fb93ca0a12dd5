/*
 * Surviving asynchronous disappearance (docs/servers.md), 10^3 times: a
 * victim client hammers the key-value store on a session of its own
 * while a benign client keeps storing and reading back on another.  At a
 * random moment of each round I take the victim's funding away -- on even
 * rounds its session's bank (the donation revoked while a request may be
 * running), on odd rounds the bank its own TCB and context came from (the
 * client killed, mid-request or not).  The store forgets the session, the
 * benign client never sees an error, and at the end every byte is back.
 */
#include "ktest.h"
#include <bank/bank.h>
#include <proto/bank_client.h>
#include <proto/kv_client.h>
#include <string.h>

#include "kv.h"
#include "kv_test.h"

#define ROUNDS 1000
#define CLIENT_PRIORITY 100

enum { VB = 160, V_TCB, V_SC, VICTIM = 163, BENIGN = 166, NAP = 169, B_TCB, B_SC, PT1, PT0, FRAME_B, FRAME_V };

#define PAGES_VA 0x2000000000ull /* the GiB of my address space tests map pages in */

static uint64_t us_to_ticks(uint64_t us)
{
    return us * coffer_bootinfo()->timebase_hz / 1000000;
}

static volatile uint64_t victim_session; /* 0: none yet */
static volatile uint64_t victim_calls, benign_ok, benign_bad;
static volatile bool victim_in_call;
static unsigned kills_mid_request;
static uint64_t victim_stack[1024], benign_stack[1024];

static void victim(uint64_t arg)
{
    struct coffer_ipc_buffer *b = (struct coffer_ipc_buffer *)(uintptr_t)arg;
    for (uint64_t k = 1;; k++) {
        uint64_t cap = victim_session, n;
        if (cap == 0) {
            coffer_yield();
            continue;
        }
        victim_in_call = true;
        kv_put(b, cap, k % 300 + 1, 8, "victim!!", 8, &n);
        victim_in_call = false;
        victim_calls++;
    }
}

/* Store a value, read it back: each round trip right or counted wrong. */
static void benign(uint64_t arg)
{
    struct coffer_ipc_buffer *b = (struct coffer_ipc_buffer *)(uintptr_t)arg;
    uint64_t session = S(BENIGN + 2);
    for (uint64_t k = 1;; k++) {
        uint64_t key = k % 200 + 1, n, length = 0;
        char value[KV_VALUE_BYTES], got[KV_VALUE_BYTES];
        memcpy(value, &k, sizeof k);
        bool right = kv_put(b, session, key, sizeof k, value, sizeof k, &n).error == COFFER_ERR_OK &&
                     kv_get(b, session, key, &length, got).error == COFFER_ERR_OK && length == sizeof k &&
                     memcmp(got, value, sizeof k) == 0;
        if (right)
            benign_ok++;
        else
            benign_bad++;
    }
}

static void nap_us(uint64_t us)
{
    coffer_wait_until(S(NAP), coffer_time_now() + us_to_ticks(us));
}

/* The victim: TCB and context bought from bank VB, its session funded by
 * a child of VB; started on the IPC buffer it keeps from round to round. */
static bool victim_made(struct session_client *a, struct coffer_ipc_buffer *b, uint64_t frame)
{
    uint64_t h, id;
    victim_session = 0;
    victim_in_call = false;
    bool ok = ktest_step(bank_create(kv_buf(), S(BANK), 512u << 10, S(VB), &id), "the victim's bank") &&
              ktest_step(bank_buy(kv_buf(), S(VB), COFFER_OBJ_TCB, 0, S(V_TCB), &h), "its TCB") &&
              ktest_step(bank_buy(kv_buf(), S(VB), COFFER_OBJ_SCHED_CONTEXT, 0, S(V_SC), &h), "its context") &&
              ktest_step(coffer_tcb_configure(S(V_TCB), COFFER_CPTR_NONE, ROOT, COFFER_SLOT_VSPACE,
                                              (uint64_t)(uintptr_t)b, frame), "configure it") &&
              ktest_step(coffer_tcb_set_priority(S(V_TCB), COFFER_SLOT_TCB, CLIENT_PRIORITY), "its priority") &&
              ktest_step(coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, S(V_SC), 2000, 10000), "budget") &&
              ktest_step(coffer_tcb_set_sched_context(S(V_TCB), S(V_SC)), "bind") &&
              ktest_step(coffer_thread_start(S(V_TCB), kv_buf(), victim, victim_stack + 1024, (uint64_t)(uintptr_t)b),
                         "start it") &&
              ktest_step(session_client_open(kv_buf(), a, S(VB), 128u << 10, 0), "its session");
    victim_session = a->session;
    return ok;
}

/* One round: the victim runs for a while, then its funding goes. */
static bool round_survived(unsigned k, uint64_t *seed, struct coffer_ipc_buffer *b, uint64_t frame)
{
    struct session_client a = kv_client(VICTIM);
    uint64_t ok_before = benign_ok;
    if (!victim_made(&a, b, frame))
        return false;
    *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
    nap_us(100 + (*seed >> 33) % 1500);
    kills_mid_request += victim_in_call;
    if (k % 2 == 0)
        bank_destroy(a.bank); /* the donation revoked */
    bank_destroy(S(VB));     /* the client killed (on even rounds after its session) */
    for (unsigned slot = VB; slot < VICTIM + 3; slot++)
        coffer_cnode_delete(ROOT, S(slot), D);
    for (unsigned t = 0; t < 50 && benign_ok == ok_before; t++)
        nap_us(200);
    return benign_ok > ok_before && benign_bad == 0;
}

static struct coffer_result make(unsigned type, unsigned bits, unsigned slot)
{
    return coffer_untyped_retype(S(CONTAINER), type, bits, ROOT, 0, S(slot), 1, W);
}

/* Two pages of mine, for the clients' IPC buffers, at PAGES_VA. */
static bool pages(void)
{
    return ktest_step(make(COFFER_OBJ_PAGE_TABLE, 0, PT1), "a page table") &&
           ktest_step(coffer_page_table_map(S(PT1), COFFER_SLOT_VSPACE, PAGES_VA), "map it") &&
           ktest_step(make(COFFER_OBJ_PAGE_TABLE, 0, PT0), "another") &&
           ktest_step(coffer_page_table_map(S(PT0), COFFER_SLOT_VSPACE, PAGES_VA), "map it") &&
           ktest_step(make(COFFER_OBJ_FRAME, COFFER_PAGE_BITS, FRAME_B), "a page") &&
           ktest_step(coffer_frame_map(S(FRAME_B), COFFER_SLOT_VSPACE, PAGES_VA, COFFER_MAP_R | COFFER_MAP_W), "map it") &&
           ktest_step(make(COFFER_OBJ_FRAME, COFFER_PAGE_BITS, FRAME_V), "another") &&
           ktest_step(coffer_frame_map(S(FRAME_V), COFFER_SLOT_VSPACE, PAGES_VA + COFFER_PAGE_SIZE,
                                       COFFER_MAP_R | COFFER_MAP_W), "map it");
}

/* The benign client's thread, of my container's memory. */
static bool benign_started(struct coffer_ipc_buffer *b)
{
    return ktest_step(make(COFFER_OBJ_TCB, 0, B_TCB), "the benign client's TCB") &&
           ktest_step(make(COFFER_OBJ_SCHED_CONTEXT, 0, B_SC), "its context") &&
           ktest_step(coffer_tcb_configure(S(B_TCB), COFFER_CPTR_NONE, ROOT, COFFER_SLOT_VSPACE, (uint64_t)(uintptr_t)b,
                                           S(FRAME_B)), "configure it") &&
           ktest_step(coffer_tcb_set_priority(S(B_TCB), COFFER_SLOT_TCB, CLIENT_PRIORITY), "its priority") &&
           ktest_step(coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, S(B_SC), 2000, 10000), "budget") &&
           ktest_step(coffer_tcb_set_sched_context(S(B_TCB), S(B_SC)), "bind") &&
           ktest_step(coffer_thread_start(S(B_TCB), kv_buf(), benign, benign_stack + 1024, (uint64_t)(uintptr_t)b),
                      "start it");
}

void kv_kill_cases(void)
{
    struct coffer_ipc_buffer *bb = (struct coffer_ipc_buffer *)(uintptr_t)PAGES_VA;
    struct coffer_ipc_buffer *vb = (struct coffer_ipc_buffer *)(uintptr_t)(PAGES_VA + COFFER_PAGE_SIZE);
    struct session_client bc = kv_client(BENIGN);
    uint64_t before = held(S(BANK)), vanished = kv.sessions->vanished;
    if (!ktest_step(make(COFFER_OBJ_NOTIFICATION, 0, NAP), "a nap") || !pages() ||
        !ktest_step(session_client_open(kv_buf(), &bc, S(BANK), 128u << 10, 0), "the benign client's session") ||
        !benign_started(bb))
        return;
    uint64_t seed = 15;
    unsigned survived = 0;
    for (unsigned k = 0; k < ROUNDS && survived == k; k++)
        survived += round_survived(k, &seed, vb, S(FRAME_V));
    coffer_tcb_suspend(S(B_TCB));
    ktest_check(survived == ROUNDS && benign_bad == 0 && kills_mid_request > ROUNDS / 4,
                "kv: %u rounds of a victim's funding taken at random moments (its session's bank, or its own): the "
                "benign client went on every round (%llu right, %llu wrong); the victim made %llu calls, %u kills "
                "came while one was in the store", survived, (unsigned long long)benign_ok,
                (unsigned long long)benign_bad, (unsigned long long)victim_calls, kills_mid_request);
    session_client_close(kv_buf(), &bc);
    struct session_client last = kv_client(VICTIM);
    bool swept = session_client_open(kv_buf(), &last, S(BANK), 128u << 10, 0).error == COFFER_ERR_OK &&
                 session_client_close(kv_buf(), &last).error == COFFER_ERR_OK;
    ktest_check(swept && kv_open_sessions() == 0 && kv.sessions->vanished - vanished >= ROUNDS - 1 &&
                    held(S(BANK)) == before,
                "kv: every vanished session forgotten (%llu), the table empty, every byte back in my bank",
                (unsigned long long)(kv.sessions->vanished - vanished));
    for (unsigned slot = NAP; slot <= FRAME_V; slot++)
        coffer_cnode_delete(ROOT, S(slot), D);
}
