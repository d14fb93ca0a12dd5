/*
 * The space-bank server's logic (servers/bank) through its generated
 * dispatcher, against the host-built kernel core: the server's CSpace is
 * real (a guarded two-level CSpace of host memory), its invocations go
 * through sys_CALL (host_syscalls.h), and every byte is checked twice —
 * against each bank's own books and against the kernel's count of the
 * RAM untyped (UNTYPED_DESCRIBE).
 *
 *   test_bank [seed steps]   the random part (default: three seeds)
 */
#include <stdlib.h>
#include <string.h>

#include "bank.h"
#include "bank_service.h"
#include "cap_fixture.h"
#include "host_syscalls.h"
#include "tap.h"

#define ROOT_BITS 8
#define LEAF_BITS BANK_CHUNK_SLOT_BITS
#define SLOT(root, i) ((uint64_t)(root) << LEAF_BITS | (i))
#define CNODE SLOT(0, 1)    /* the server's root CNode */
#define ENDPOINT SLOT(0, 2) /* the endpoint bank capabilities are minted from */
#define SPARE_UT SLOT(0, 3) /* an untyped for the endpoint */
#define CLIENT SLOT(0, 10)  /* client copies from here */
#define RAM_BITS 22         /* the prime bank: 4 MiB */
#define NBANKS 64
#define NCHUNKS 200         /* root slots 1..200 */

static struct thread *thr;
static struct slot *root_slots, *leaf0, *chunk0_slots;
static void *ram, *spare, *ipc_page, *chunk0;
static struct bank_server server;
static struct bank_entry banks[NBANKS];
static struct chunk_entry chunks[NCHUNKS];
static struct buddy_tree trees[1];
static uint64_t tree_mem[(2048 + 256) / 8]; /* buddy_tree_bytes(22, 12) */
static uint64_t prime_badge;

static void *host_map(void *ctx, coffer_cptr_t frame, uint64_t paddr)
{
    (void)ctx, (void)frame;
    return (void *)(uintptr_t)paddr; /* host "physical" memory is the server's */
}

static void cnode_in(struct slot *s, struct slot *slots, unsigned bits, unsigned guard)
{
    s->cap = (struct cap){ .object = (uintptr_t)slots, .type = CAP_CNODE, .rights = CAP_RIGHTS_ALL,
                           .size_bits = (uint8_t)bits, .guard_bits = (uint8_t)guard };
    cdt_insert_object(s);
}

/* A fresh server: the two-level CSpace, the endpoint, 4 MiB of RAM. */
static void setup(void)
{
    memset(root_slots, 0, sizeof(struct slot) << ROOT_BITS);
    memset(leaf0, 0, sizeof(struct slot) << LEAF_BITS);
    memset(chunk0_slots, 0, sizeof(struct slot) << LEAF_BITS);
    memset(thr, 0, sizeof *thr);
    cdt_init();
    asid_reset();
    cnode_in(&thr->cspace_root, root_slots, ROOT_BITS, 64 - ROOT_BITS - LEAF_BITS);
    cnode_in(&root_slots[0], leaf0, LEAF_BITS, 0);
    cnode_in(&root_slots[1], chunk0_slots, LEAF_BITS, 0);
    leaf0[1].cap = thr->cspace_root.cap;
    cdt_insert_copy(&thr->cspace_root, &leaf0[1]);
    fixture_untyped(&leaf0[3], spare, 12, false);
    fixture_untyped(&chunk0_slots[BANK_CHUNK0_EXTENTS], ram, RAM_BITS, false);
    host_syscalls_use(thr);
    const struct coffer_ipc_buffer *ipc = host_syscalls_ipc_buffer(thr, ipc_page);
    coffer_untyped_retype(SPARE_UT, COFFER_OBJ_ENDPOINT, 0, SLOT(0, 0), 64 - LEAF_BITS, 2, 1, 0);
    struct bank_env env = { .cnode = CNODE, .root_bits = ROOT_BITS, .first_chunk_slot = 1,
                            .endpoint = ENDPOINT, .ipc = ipc, .map = host_map };
    struct bank_config cfg = { .banks = banks, .nbanks = NBANKS, .chunks = chunks, .nchunks = NCHUNKS,
                               .trees = trees, .ntrees = 1, .tree_mem = tree_mem,
                               .tree_bytes = sizeof tree_mem, .chunk0 = chunk0 };
    struct coffer_result r = bank_server_init(&server, &env, &cfg);
    if (r.error != COFFER_ERR_OK)
        tap_diag("bank_server_init: %llu", (unsigned long long)r.error);
    prime_badge = bank_badge(&server, bank_of(&server, 0), BANK_RIGHTS_ALL);
}

/* ---- calls through the dispatcher, as the receive loop makes them ---- */

static struct coffer_reply call(uint64_t badge, uint64_t label, const uint64_t *w, unsigned n)
{
    struct coffer_request rq = { .badge = badge, .label = label, .length = n, .mr = w };
    struct coffer_reply rp;
    memset(&rp, 0xa5, sizeof rp);
    bank_handle(&server, &rq, &rp);
    return rp;
}

static uint64_t buy(uint64_t badge, uint64_t type, uint64_t size_bits, uint64_t *handle, uint64_t *slot)
{
    uint64_t w[1] = { type | size_bits << 8 };
    struct coffer_reply rp = call(badge, BANK_OP_BUY, w, 1);
    if (rp.error == COFFER_ERR_OK) {
        *handle = rp.mr[0];
        if (slot)
            *slot = rp.caps[0];
    }
    return rp.error;
}

static uint64_t bank_free(uint64_t badge, uint64_t handle)
{
    uint64_t w[1] = { handle };
    return call(badge, BANK_OP_FREE, w, 1).error;
}

static uint64_t create(uint64_t badge, uint64_t limit, uint64_t *child)
{
    uint64_t w[1] = { limit };
    struct coffer_reply rp = call(badge, BANK_OP_CREATE, w, 1);
    if (rp.error == COFFER_ERR_OK)
        *child = rp.mr[0];
    return rp.error;
}

static uint64_t simple(uint64_t badge, uint64_t label)
{
    return call(badge, label, NULL, 0).error;
}

struct info { uint64_t limit, effective, held, objects, overhead, children, free, count, banks; };

static struct info info(uint64_t badge)
{
    struct coffer_reply rp = call(badge, BANK_OP_INFO, NULL, 0);
    struct info i = { 0 };
    if (rp.error == COFFER_ERR_OK)
        i = (struct info){ rp.mr[0], rp.mr[1], rp.mr[2], rp.mr[3], rp.mr[4], rp.mr[5], rp.mr[6],
                           rp.mr[7] & 0xffffffff, rp.mr[7] >> 32 };
    return i;
}

/* The type of the capability in a slot; COFFER_ID_TYPE_NULL when empty,
 * or when its CNode is gone (the lookup fails). */
static uint64_t slot_type(uint64_t slot)
{
    struct coffer_result r = coffer_cnode_identify(CNODE, slot, 64);
    return r.error == COFFER_ERR_OK ? COFFER_ID_TYPE(r.detail0) : COFFER_ID_TYPE_NULL;
}

/* A client's copy of what the bank handed out (the IPC transfer would
 * make it a child of the bank's original, as this mint does). */
static bool client_copy(uint64_t from, uint64_t to)
{
    return coffer_cnode_mint(CNODE, to, 64, CNODE, from, 64, COFFER_RIGHTS_ALL, 0).error == COFFER_ERR_OK;
}

/* The audit walk: each bank's bytes add up, and each bank's children
 * figure is what its sub-banks hold (entries come parent first). */
struct audit_check { unsigned n; bool ok; uint64_t held[NBANKS + 1], children[NBANKS + 1]; unsigned depth_of[NBANKS + 1]; };

static void audit_visit(void *ctx, const struct bank_audit_entry *e)
{
    struct audit_check *a = ctx;
    if (e->held != e->free + e->objects + e->overhead + e->children)
        a->ok = false;
    a->held[a->n] = e->held;
    a->children[a->n] = e->children;
    a->depth_of[a->n] = e->depth;
    a->n++;
}

static bool audit_adds_up(void)
{
    static struct audit_check a;
    a.n = 0;
    a.ok = true;
    unsigned n = bank_audit(&server, audit_visit, &a);
    unsigned live = 0;
    for (unsigned i = 0; i < NBANKS; i++)
        live += banks[i].bank != NULL;
    /* children: the held of the entries one deeper until the depth comes back */
    for (unsigned i = 0; i < a.n && a.ok; i++) {
        uint64_t sum = 0;
        for (unsigned j = i + 1; j < a.n && a.depth_of[j] > a.depth_of[i]; j++)
            sum += a.depth_of[j] == a.depth_of[i] + 1 ? a.held[j] : 0;
        a.ok = sum == a.children[i];
    }
    return a.ok && n == live && a.depth_of[0] == 0 && a.held[0] == 1u << RAM_BITS;
}

/* ---- the books: each bank's bytes add up, the kernel agrees ---- */

static bool books_balance(const struct bank *b)
{
    uint64_t free = 0;
    for (rec_id e = b->extents; e != 0; e = ((struct rec_extent *)rec_ptr(&server, e))->next)
        free += ((struct rec_extent *)rec_ptr(&server, e))->pool.free_bytes;
    uint64_t big = b->objects_bytes - b->small_bytes;
    return b->held == free + big + b->slab_bytes + b->meta_bytes + b->children_bytes;
}

static bool all_balance(void)
{
    uint64_t children_held[NBANKS] = { 0 };
    for (unsigned i = 0; i < NBANKS; i++) {
        struct bank *b = banks[i].bank;
        if (b == NULL)
            continue;
        if (!books_balance(b)) {
            tap_diag("bank %u: held %llu does not add up", i, (unsigned long long)b->held);
            return false;
        }
        if (b->parent != BANK_NONE)
            children_held[b->parent] += b->held;
    }
    for (unsigned i = 0; i < NBANKS; i++)
        if (banks[i].bank != NULL && banks[i].bank->children_bytes != children_held[i]) {
            tap_diag("bank %u: children hold %llu, it counts %llu", i, (unsigned long long)children_held[i],
                     (unsigned long long)banks[i].bank->children_bytes);
            return false;
        }
    /* The kernel sees each extent's blocks, small objects at their size:
     * its free bytes are the pool's and the slabs' slack in it. */
    struct slack { rec_id extent; uint64_t bytes; };
    static struct slack slabs[NCHUNKS * BANK_CHUNK_UNITS];
    unsigned nslabs = 0;
    for (unsigned c = 0; c < NCHUNKS; c++)
        for (unsigned u = 1; chunks[c].page != NULL && u < BANK_CHUNK_UNITS; u++) {
            const struct rec_slab *sl = rec_ptr(&server, REC_ID(c, u));
            if ((chunks[c].used >> u & 1) && sl->kind == REC_SLAB)
                slabs[nslabs++] = (struct slack){ sl->extent, 4096 - ((uint64_t)sl->count << sl->bits) };
            if ((chunks[c].used >> u & 1) && sl->kind == REC_BANK)
                u += BANK_BANK_UNITS - 1; /* a bank's record is four units */
        }
    for (unsigned c = 0; c < NCHUNKS; c++)
        for (unsigned u = 1; chunks[c].page != NULL && u < BANK_CHUNK_UNITS; u++) {
            const struct rec_extent *x = rec_ptr(&server, REC_ID(c, u));
            if ((chunks[c].used >> u & 1) && x->kind == REC_BANK)
                u += BANK_BANK_UNITS - 1;
            if (!(chunks[c].used >> u & 1) || x->kind != REC_EXTENT)
                continue;
            uint64_t expect = x->pool.free_bytes;
            for (unsigned i = 0; i < nslabs; i++)
                expect += slabs[i].extent == REC_ID(c, u) ? slabs[i].bytes : 0;
            uint64_t kernel = coffer_untyped_describe(rec_slot(&server, REC_ID(c, u))).detail0;
            if (kernel != expect) {
                tap_diag("extent %u.%u: the kernel has %llu free, the bank %llu", c, u,
                         (unsigned long long)kernel, (unsigned long long)expect);
                return false;
            }
        }
    if (!audit_adds_up()) {
        tap_diag("the audit does not add up");
        return false;
    }
    return cdt_check() == 0;
}

/* ---- cases ---- */

static void test_prime(void)
{
    setup();
    struct info i = info(prime_badge);
    tap_ok(i.limit == 1u << RAM_BITS && i.held == 1u << RAM_BITS && i.free == 1u << RAM_BITS && i.objects == 0 &&
               i.count == 0 && i.banks == 0 && i.effective == 1u << RAM_BITS,
           "prime: holds all RAM it was given, all free");
    uint64_t h, slot;
    tap_ok(buy(prime_badge, COFFER_OBJ_FRAME, 12, &h, &slot) == COFFER_ERR_OK && slot_type(slot) == COFFER_OBJ_FRAME,
           "buy: a 4 KiB frame from the prime bank, its original in the server's slot");
    i = info(prime_badge);
    tap_ok(i.objects == 4096 && i.overhead == 8192 && i.count == 1 && i.free == (1u << RAM_BITS) - 4096 - 8192,
           "buy: 4 KiB of object, 8 KiB of records (the first chunk: a frame and a CNode)");
    tap_ok(all_balance(), "books: every byte accounted, the kernel agrees");
    tap_ok(bank_free(prime_badge, h) == COFFER_ERR_OK && slot_type(slot) == COFFER_ID_TYPE_NULL &&
               info(prime_badge).free == (1u << RAM_BITS) - 8192 && all_balance(),
           "free: the frame goes, its bytes return (the bank keeps its last chunk)");
    tap_ok(bank_free(prime_badge, h) == COFFER_ERR_BANK_NOT_BOUGHT && bank_free(prime_badge, 12345) == COFFER_ERR_BANK_NOT_BOUGHT &&
               bank_free(prime_badge, (uint64_t)99 << 32 | REC_ID(0, 1)) == COFFER_ERR_BANK_NOT_BOUGHT,
           "free: twice, a made-up handle, the prime bank's own record: BANK_NOT_BOUGHT");
    tap_ok(simple(prime_badge, BANK_OP_DESTROY) == COFFER_ERR_BANK_PRIME &&
               simple(prime_badge, BANK_OP_REMOVE) == COFFER_ERR_BANK_PRIME,
           "prime: cannot be destroyed or removed (BANK_PRIME)");
}

static void test_child(void)
{
    setup();
    uint64_t child, grandchild, h[4], slot[4];
    tap_ok(create(prime_badge, 1u << 20, &child) == COFFER_ERR_OK && info(child).held == 0 &&
               info(child).limit == 1u << 20 && info(prime_badge).banks == 1,
           "create: a child bank of 1 MiB holds nothing yet");
    tap_ok(buy(child, COFFER_OBJ_ENDPOINT, 0, &h[0], &slot[0]) == COFFER_ERR_OK &&
               slot_type(slot[0]) == COFFER_OBJ_ENDPOINT,
           "buy: an endpoint from the child");
    struct info i = info(child);
    tap_ok(i.held == 1u << BANK_EXTENT_MIN_BITS && i.objects == 64 && i.overhead == 8192 + 4096 - 64 &&
               info(prime_badge).children == i.held && all_balance(),
           "buy: the child grew by a 64 KiB extent: 64 bytes of object, a chunk and a slab's slack");
    tap_ok(buy(child, COFFER_OBJ_TCB, 0, &h[1], &slot[1]) == COFFER_ERR_OK &&
               buy(child, COFFER_OBJ_FRAME, 16, &h[2], &slot[2]) == COFFER_ERR_OK && all_balance(),
           "buy: a TCB and a 64 KiB frame (the child grows again)");
    tap_ok(create(child, 1u << 20, &grandchild) == COFFER_ERR_OK &&
               buy(grandchild, COFFER_OBJ_FRAME, 12, &h[3], &slot[3]) == COFFER_ERR_OK && all_balance(),
           "create: a grandchild, which buys a frame");
    tap_ok(client_copy(slot[0], CLIENT) && client_copy(slot[3], CLIENT + 1) &&
               slot_type(CLIENT) == COFFER_OBJ_ENDPOINT && slot_type(CLIENT + 1) == COFFER_OBJ_FRAME,
           "client: copies of an endpoint and of the grandchild's frame");
    tap_ok(bank_free(grandchild, h[0]) == COFFER_ERR_BANK_NOT_BOUGHT && bank_free(prime_badge, h[0]) == COFFER_ERR_BANK_NOT_BOUGHT,
           "free: another bank's handle is refused (BANK_NOT_BOUGHT)");
    tap_ok(simple(child, BANK_OP_DESTROY) == COFFER_ERR_OK, "destroy: the child, with its grandchild");
    i = info(prime_badge);
    tap_ok(i.banks == 0 && i.children == 0 && i.free == (1u << RAM_BITS) - 8192 && all_balance(),
           "destroy: every byte back in the prime bank");
    tap_ok(slot_type(CLIENT) == COFFER_ID_TYPE_NULL && slot_type(CLIENT + 1) == COFFER_ID_TYPE_NULL &&
               slot_type(slot[2]) == COFFER_ID_TYPE_NULL,
           "destroy: the client's copies are gone too");
    tap_ok(buy(child, COFFER_OBJ_FRAME, 12, &h[0], NULL) == COFFER_ERR_BANK_DESTROYED &&
               buy(grandchild, COFFER_OBJ_FRAME, 12, &h[0], NULL) == COFFER_ERR_BANK_DESTROYED &&
               simple(child, BANK_OP_INFO) == COFFER_ERR_BANK_DESTROYED,
           "destroy: the badges answer BANK_DESTROYED");
}

/* Everything a bank and its parent hold, to compare before and after. */
struct books { struct info bank, parent; };
static struct books books(uint64_t badge, uint64_t parent)
{
    return (struct books){ info(badge), info(parent) };
}
static bool same_books(struct books a, struct books b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static void test_limits(void)
{
    setup();
    uint64_t child, grandchild, h, dummy;
    create(prime_badge, 1u << 16, &child);
    create(child, 1u << 20, &grandchild);
    struct books before = books(child, prime_badge), inner = books(grandchild, child);
    uint64_t w[1] = { COFFER_OBJ_FRAME | 16 << 8 };
    struct coffer_reply rp = call(child, BANK_OP_BUY, w, 1);
    tap_ok(rp.error == COFFER_ERR_BANK_LIMIT && rp.mr[0] == 0 && rp.mr[1] == 1u << 16 &&
               same_books(before, books(child, prime_badge)) && all_balance(),
           "limit: a 64 KiB frame in a 64 KiB bank that holds a record already: BANK_LIMIT(0, 64 KiB), nothing changed");
    rp = call(grandchild, BANK_OP_BUY, w, 1);
    tap_ok(rp.error == COFFER_ERR_BANK_LIMIT && rp.mr[0] == 1 && same_books(inner, books(grandchild, child)) &&
               same_books(before, books(child, prime_badge)) && all_balance(),
           "limit: nor in its child, whose own limit is larger: BANK_LIMIT(1), nothing changed at any level");
    int bought = 0;
    while (buy(child, COFFER_OBJ_FRAME, 12, &h, &dummy) == COFFER_ERR_OK)
        bought++;
    struct info i = info(child);
    tap_okf(i.held == 1u << 16 && i.free == 0 && i.objects == (uint64_t)bought << 12 && all_balance(),
            "limit: %d frames of 4 KiB fill the rest of the 64 KiB bank, then BANK_LIMIT", bought);
    uint64_t lw[1] = { 1u << 15 };
    rp = call(child, BANK_OP_SET_LIMIT, lw, 1);
    tap_ok(rp.error == COFFER_ERR_BANK_BELOW_USAGE && rp.mr[0] == 1u << 16 &&
               call(prime_badge, BANK_OP_SET_LIMIT, lw, 1).error == COFFER_ERR_BANK_PRIME,
           "limit: below what the bank holds (BANK_BELOW_USAGE, held); the prime's (BANK_PRIME)");
    lw[0] = 1u << 18;
    tap_ok(call(child, BANK_OP_SET_LIMIT, lw, 1).error == COFFER_ERR_OK &&
               buy(child, COFFER_OBJ_FRAME, 16, &h, &dummy) == COFFER_ERR_OK && info(child).limit == 1u << 18 &&
               all_balance(),
           "limit: raised to 256 KiB, the 64 KiB frame fits");
    uint64_t tw[2] = { COFFER_OBJ_TCB, 1 };
    tap_ok(call(child, BANK_OP_SET_TYPE_LIMIT, tw, 2).error == COFFER_ERR_OK &&
               buy(grandchild, COFFER_OBJ_TCB, 0, &h, &dummy) == COFFER_ERR_OK,
           "type limit: one TCB in the child and its sub-banks; the grandchild buys it");
    rp = call(grandchild, BANK_OP_BUY, (uint64_t[]){ COFFER_OBJ_TCB }, 1);
    tap_ok(rp.error == COFFER_ERR_BANK_TYPE_LIMIT && rp.mr[0] == 1 && rp.mr[1] == COFFER_OBJ_TCB,
           "type limit: a second TCB below the child: BANK_TYPE_LIMIT(1, TCB)");
    tw[1] = 0;
    rp = call(child, BANK_OP_SET_TYPE_LIMIT, tw, 2);
    tap_ok(rp.error == COFFER_ERR_BANK_BELOW_USAGE && rp.mr[0] == 1, "type limit: below the count (BANK_BELOW_USAGE, 1)");
    rp = call(child, BANK_OP_TYPE_INFO, (uint64_t[]){ COFFER_OBJ_TCB }, 1);
    tap_ok(rp.error == COFFER_ERR_OK && rp.mr[0] == 1 && rp.mr[1] == 1, "type info: one TCB of one allowed");
    tw[0] = COFFER_OBJ_IRQ_CONTROL;
    tap_ok(call(child, BANK_OP_SET_TYPE_LIMIT, tw, 2).error == COFFER_ERR_INVALID_ARGUMENT &&
               call(child, BANK_OP_TYPE_INFO, (uint64_t[]){ 99 }, 1).error == COFFER_ERR_INVALID_ARGUMENT,
           "type limit and info: a type retype does not make: INVALID_ARGUMENT");
}

/* ---- failure injection: any one kernel call failing changes nothing ---- */

struct snapshot {
    struct info info[NBANKS];
    bool live[NBANKS];
    unsigned free_chunks, free_banks;
    uint64_t kernel_free;
};

static unsigned count_free_chunks(void)
{
    unsigned n = 0;
    for (uint32_t c = server.free_chunk; c != 0; c = chunks[c].next)
        n++;
    return n;
}

static unsigned count_free_banks(void)
{
    unsigned n = 0;
    for (uint16_t i = server.free_bank; i != BANK_NONE; i = banks[i].next_free)
        n++;
    return n;
}

static void snapshot(struct snapshot *sn)
{
    memset(sn, 0, sizeof *sn);
    for (unsigned i = 0; i < NBANKS; i++) {
        sn->live[i] = banks[i].bank != NULL;
        if (sn->live[i])
            sn->info[i] = info(BANK_BADGE(i, banks[i].gen, BANK_RIGHTS_ALL));
    }
    sn->free_chunks = count_free_chunks();
    sn->free_banks = count_free_banks();
    sn->kernel_free = coffer_untyped_describe(SLOT(1, BANK_CHUNK0_EXTENTS)).detail0;
}

/* The same world as before: a child of 1 MiB and its child of 512 KiB. */
static void injection_world(uint64_t *child, uint64_t *grandchild)
{
    setup();
    create(prime_badge, 1u << 20, child);
    create(*child, 1u << 19, grandchild);
}

/* Run op once to count its kernel calls, then again with each one of
 * them failing in turn: each time it must be refused and leave every
 * bank, table and byte as it was (and the server must serve after). */
static void inject_each(const char *what, uint64_t (*op)(uint64_t grandchild))
{
    uint64_t child, grandchild;
    injection_world(&child, &grandchild);
    uint64_t before = host_syscalls_made, err = op(grandchild), calls = host_syscalls_made - before;
    unsigned bad = 0;
    for (uint64_t n = 1; n <= calls && err == COFFER_ERR_OK; n++) {
        injection_world(&child, &grandchild);
        struct snapshot a, b;
        snapshot(&a);
        host_syscalls_fail_at(n);
        uint64_t e = op(grandchild);
        host_syscalls_fail_at(0);
        snapshot(&b);
        if (e == COFFER_ERR_OK || memcmp(&a, &b, sizeof a) != 0 || !all_balance() || op(grandchild) != COFFER_ERR_OK) {
            tap_diag("%s: kernel call %llu of %llu failing: error 0x%llx, %s", what, (unsigned long long)n,
                     (unsigned long long)calls, (unsigned long long)e,
                     memcmp(&a, &b, sizeof a) != 0 ? "state changed" : "server broken");
            bad++;
        }
    }
    tap_okf(err == COFFER_ERR_OK && calls > 3 && bad == 0,
            "failure injection: %s makes %llu kernel calls; with each failing in turn it is refused and nothing changes",
            what, (unsigned long long)calls);
}

static uint64_t buy_big_in(uint64_t bank)
{
    uint64_t h;
    return buy(bank, COFFER_OBJ_FRAME, 16, &h, NULL);
}

static uint64_t buy_small_in(uint64_t bank)
{
    uint64_t h;
    return buy(bank, COFFER_OBJ_ENDPOINT, 0, &h, NULL);
}

static uint64_t create_in(uint64_t bank)
{
    uint64_t c;
    return create(bank, 1u << 18, &c);
}

static uint64_t restrict_in(uint64_t bank)
{
    return call(bank, BANK_OP_RESTRICT, (uint64_t[]){ BANK_RIGHT_BUY }, 1).error;
}

static void test_failure_injection(void)
{
    inject_each("a 64 KiB frame bought in a grandchild (it and its parent grow)", buy_big_in);
    inject_each("an endpoint bought in a grandchild (a chunk and a slab)", buy_small_in);
    inject_each("a bank created below a grandchild", create_in);
    inject_each("a restricted capability of a grandchild", restrict_in);
}

/* A bank grows by doubling, but asks for less when an ancestor cannot
 * give as much: it fills its parent's limit, not half of it. */
static void test_growth_within_parent(void)
{
    setup();
    uint64_t parent, child, h, slot;
    create(prime_badge, 512u << 10, &parent);
    create(parent, 4u << 20, &child);
    unsigned n = 0;
    while (buy(child, COFFER_OBJ_FRAME, 12, &h, &slot) == COFFER_ERR_OK)
        n++;
    struct info p = info(parent), c = info(child);
    tap_okf(p.held == 512u << 10 && c.held >= 384u << 10 && all_balance(),
            "growth: a child of a 512 KiB bank bought %u frames and holds %llu KiB (its extents sized down to "
            "what the parent could still give)", n, (unsigned long long)(c.held >> 10));
}

/* Three objects at once, all or none. */
static void test_batch(void)
{
    setup();
    uint64_t child;
    create(prime_badge, 1u << 16, &child);
    uint64_t w[1] = { COFFER_OBJ_FRAME | 12 << 8 };
    struct coffer_reply rp = call(child, BANK_OP_BUY_BATCH, w, 1);
    tap_ok(rp.error == COFFER_ERR_OK && rp.ncaps == 3 && rp.length == 3 && slot_type(rp.caps[0]) == COFFER_OBJ_FRAME &&
               slot_type(rp.caps[2]) == COFFER_OBJ_FRAME && rp.caps[0] != rp.caps[1] && info(child).count == 3 &&
               all_balance(),
           "batch: three frames bought at once, three handles, three capabilities");
    uint64_t handles[3] = { rp.mr[0], rp.mr[1], rp.mr[2] };
    struct books before = books(child, prime_badge);
    w[0] = COFFER_OBJ_FRAME | 14 << 8; /* 3 x 16 KiB: more than the 64 KiB bank has left */
    rp = call(child, BANK_OP_BUY_BATCH, w, 1);
    tap_ok(rp.error == COFFER_ERR_BANK_LIMIT && same_books(before, books(child, prime_badge)) && all_balance(),
           "batch: when the third does not fit, none is bought (BANK_LIMIT), nothing changed");
    bool freed = true;
    for (unsigned i = 0; i < 3; i++)
        freed = freed && bank_free(child, handles[i]) == COFFER_ERR_OK;
    tap_ok(freed && info(child).count == 0 && all_balance(), "batch: each of the three is freed by its handle");
}

/* VERIFY as the receive loop hands it over: the kernel unwrapped a bank
 * capability (its badge in badges[0]), or the capability landed in a slot. */
static struct coffer_reply verify(uint64_t badge, bool unwrapped, uint64_t their_badge)
{
    struct coffer_request rq = { .badge = badge, .label = BANK_OP_VERIFY, .length = 0, .ncaps = 1,
                                 .unwrapped = unwrapped ? 1 : 0 };
    rq.caps[0] = unwrapped ? 0 : CLIENT;
    rq.badges[0] = unwrapped ? their_badge : 0;
    struct coffer_reply rp;
    memset(&rp, 0xa5, sizeof rp);
    bank_handle(&server, &rq, &rp);
    return rp;
}

static void test_verify(void)
{
    setup();
    uint64_t child;
    create(prime_badge, 1u << 20, &child);
    uint64_t buy_only = BANK_BADGE(BANK_BADGE_INDEX(child), BANK_BADGE_GEN(child), BANK_RIGHT_BUY);
    struct coffer_reply rp = verify(prime_badge, true, buy_only);
    tap_ok(rp.error == COFFER_ERR_OK && rp.length == 2 && rp.mr[0] == 1 && rp.mr[1] == BANK_RIGHT_BUY,
           "verify: a bank capability of this server (unwrapped by the kernel) is genuine, with its rights");
    rp = verify(buy_only, true, prime_badge);
    tap_ok(rp.error == COFFER_ERR_OK && rp.mr[0] == 1 && rp.mr[1] == BANK_RIGHTS_ALL,
           "verify: any bank capability may ask, a restricted one too");
    rp = verify(prime_badge, false, 0);
    tap_ok(rp.error == COFFER_ERR_OK && rp.mr[0] == 0 && rp.mr[1] == 0,
           "verify: a capability that came to a slot is no bank of this server's: not genuine");
    simple(child, BANK_OP_DESTROY);
    rp = verify(prime_badge, true, buy_only);
    tap_ok(rp.error == COFFER_ERR_OK && rp.mr[0] == 0, "verify: a destroyed bank's capability is not genuine");
    rp = verify(child, true, prime_badge);
    tap_ok(rp.error == COFFER_ERR_BANK_DESTROYED, "verify: asked through a destroyed bank: BANK_DESTROYED");
    rp = call(prime_badge, BANK_OP_VERIFY, NULL, 0);
    tap_ok(rp.error == COFFER_ERR_PROTO_BAD_MESSAGE && rp.mr[0] == 0 && rp.mr[1] == 1,
           "verify: without a capability: PROTO_BAD_MESSAGE(0, 1)");
}

static void test_rights_and_remove(void)
{
    setup();
    uint64_t child, h, slot, grandchild;
    create(prime_badge, 1u << 20, &child);
    struct coffer_reply rp = call(child, BANK_OP_RESTRICT, (uint64_t[]){ BANK_RIGHT_BUY }, 1);
    tap_ok(rp.error == COFFER_ERR_OK && rp.ncaps == 1 && slot_type(rp.caps[0]) == COFFER_OBJ_ENDPOINT,
           "restrict: a buy-only capability to the child");
    uint64_t buy_only = BANK_BADGE(BANK_BADGE_INDEX(child), BANK_BADGE_GEN(child), BANK_RIGHT_BUY);
    uint64_t restricted_slot = rp.caps[0];
    tap_ok(buy(buy_only, COFFER_OBJ_FRAME, 12, &h, &slot) == COFFER_ERR_OK, "restrict: it buys");
    rp = call(buy_only, BANK_OP_FREE, &h, 1);
    tap_ok(rp.error == COFFER_ERR_BANK_NO_RIGHT && rp.mr[0] == BANK_RIGHT_FREE &&
               simple(buy_only, BANK_OP_DESTROY) == COFFER_ERR_BANK_NO_RIGHT &&
               simple(buy_only, BANK_OP_REMOVE) == COFFER_ERR_BANK_NO_RIGHT &&
               call(buy_only, BANK_OP_SET_LIMIT, (uint64_t[]){ 1 }, 1).error == COFFER_ERR_BANK_NO_RIGHT &&
               call(buy_only, BANK_OP_CREATE, (uint64_t[]){ 1 }, 1).error == COFFER_ERR_BANK_NO_RIGHT,
           "restrict: it cannot free, destroy, remove, set limits or create (BANK_NO_RIGHT)");
    tap_ok(call(buy_only, BANK_OP_RESTRICT, (uint64_t[]){ BANK_RIGHT_BUY | BANK_RIGHT_FREE }, 1).error ==
                   COFFER_ERR_INVALID_ARGUMENT &&
               call(child, BANK_OP_RESTRICT, (uint64_t[]){ 0 }, 1).error == COFFER_ERR_INVALID_ARGUMENT,
           "restrict: to more rights than held, or to none: INVALID_ARGUMENT");
    struct bank *cb = bank_of(&server, (uint16_t)BANK_BADGE_INDEX(child));
    cb->pending = 1; /* as while a destroy below it is in flight (several server threads) */
    tap_ok(simple(child, BANK_OP_DESTROY) == COFFER_ERR_BANK_BUSY && simple(child, BANK_OP_REMOVE) == COFFER_ERR_BANK_BUSY &&
               simple(child, BANK_OP_INFO) == COFFER_ERR_OK,
           "busy: a bank with a destroy in flight below it cannot be destroyed or removed (BANK_BUSY)");
    cb->pending = 0;
    tap_ok(call(child | 0x8000, BANK_OP_INFO, NULL, 0).error == COFFER_ERR_BANK_DESTROYED &&
               call(child ^ (1ull << 16), BANK_OP_INFO, NULL, 0).error == COFFER_ERR_BANK_DESTROYED,
           "badge: a bank index or generation never given out: BANK_DESTROYED");
    create(child, 1u << 19, &grandchild);
    uint64_t gh;
    buy(grandchild, COFFER_OBJ_ENDPOINT, 0, &gh, NULL);
    struct info pi = info(prime_badge), ci = info(child);
    tap_ok(client_copy(restricted_slot, CLIENT) && simple(child, BANK_OP_REMOVE) == COFFER_ERR_OK &&
               simple(child, BANK_OP_INFO) == COFFER_ERR_BANK_DESTROYED && slot_type(CLIENT) == COFFER_ID_TYPE_NULL,
           "remove: the child goes, its capabilities (restricted ones too) are revoked");
    struct info after = info(prime_badge);
    tap_ok(after.held == pi.held && after.objects == pi.objects + ci.objects && after.count == pi.count + ci.count &&
               after.banks == 1 && after.children == ci.children && slot_type(slot) == COFFER_OBJ_FRAME && all_balance(),
           "remove: its objects and its sub-bank pass to the prime bank, the bytes with them");
    tap_ok(bank_free(prime_badge, h) == COFFER_ERR_OK && slot_type(slot) == COFFER_ID_TYPE_NULL && all_balance(),
           "remove: the parent frees what the child bought");
    tap_ok(buy(grandchild, COFFER_OBJ_FRAME, 12, &h, NULL) == COFFER_ERR_OK &&
               simple(grandchild, BANK_OP_DESTROY) == COFFER_ERR_OK && all_balance(),
           "remove: the grandchild, now the prime's child, buys and is destroyed");
    struct info end = info(prime_badge);
    tap_ok(end.children == 0 && end.banks == 0 && end.count == 0 &&
               end.free + end.overhead == 1u << RAM_BITS,
           "remove: all gone, the prime bank has every byte but its records");
}

/* ---- random sequences against a model of who holds what ---- */

static uint64_t rng_state;
static unsigned rng(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)((rng_state >> 33) % n);
}

#define MODEL_BANKS 160 /* more than the server's table: it fills */
#define MODEL_OBJECTS 400
struct model_bank { uint64_t badge; int parent; bool live; };
struct model_object { uint64_t handle; int bank; };
static struct model_bank mb[MODEL_BANKS];
static struct model_object mo[MODEL_OBJECTS];
static unsigned nmb, nmo;

static int live_bank(void)
{
    for (int tries = 0; tries < 50; tries++) {
        int i = (int)rng(nmb);
        if (mb[i].live)
            return i;
    }
    return 0;
}

/* The model's counts agree with every bank's INFO. */
static bool model_agrees(void)
{
    for (unsigned i = 0; i < nmb; i++) {
        if (!mb[i].live)
            continue;
        unsigned objects = 0, children = 0;
        for (unsigned o = 0; o < nmo; o++)
            objects += mo[o].bank == (int)i;
        for (unsigned c = 0; c < nmb; c++)
            children += mb[c].live && mb[c].parent == (int)i;
        struct info in = info(mb[i].badge);
        if (in.count != objects || in.banks != children) {
            tap_diag("bank %u: %llu objects, %llu banks; the model has %u, %u", i, (unsigned long long)in.count,
                     (unsigned long long)in.banks, objects, children);
            return false;
        }
    }
    return true;
}

/* Drop bank i and everything below it from the model (destroy). */
static void model_drop(int i)
{
    mb[i].live = false;
    for (unsigned o = 0; o < nmo;)
        if (mo[o].bank == i)
            mo[o] = mo[--nmo];
        else
            o++;
    for (unsigned c = 0; c < nmb; c++)
        if (mb[c].live && mb[c].parent == i)
            model_drop((int)c);
}

/* Bank i's goods pass to its parent (remove). */
static void model_pass_up(int i)
{
    mb[i].live = false;
    for (unsigned o = 0; o < nmo; o++)
        if (mo[o].bank == i)
            mo[o].bank = mb[i].parent;
    for (unsigned c = 0; c < nmb; c++)
        if (mb[c].live && mb[c].parent == i)
            mb[c].parent = mb[i].parent;
}

/* The books of bank i and its ancestors, to check a refusal changed nothing. */
static bool chain_unchanged(int i, const struct info *before)
{
    bool bad = false;
    for (int k = 0; i >= 0; i = mb[i].parent, k++) {
        struct info now = info(mb[i].badge);
        if (memcmp(&now, &before[k], sizeof now) != 0) {
            tap_diag("bank %d (level %d) changed: held %llu -> %llu, free %llu -> %llu, overhead %llu -> %llu, "
                     "effective %llu -> %llu", i, k,
                     (unsigned long long)before[k].held, (unsigned long long)now.held,
                     (unsigned long long)before[k].free, (unsigned long long)now.free,
                     (unsigned long long)before[k].overhead, (unsigned long long)now.overhead,
                     (unsigned long long)before[k].effective, (unsigned long long)now.effective);
            bad = true;
        }
    }
    return !bad;
}

static void chain_books(int i, struct info *out)
{
    for (int k = 0; i >= 0; i = mb[i].parent, k++)
        out[k] = info(mb[i].badge);
}

static char last_op[96];

static bool random_step(void)
{
    static const struct { uint64_t type, lo, n; } kinds[] = {
        { COFFER_OBJ_ENDPOINT, 0, 1 }, { COFFER_OBJ_NOTIFICATION, 0, 1 }, { COFFER_OBJ_TCB, 0, 1 },
        { COFFER_OBJ_SCHED_CONTEXT, 0, 1 }, { COFFER_OBJ_FRAME, 12, 4 }, { COFFER_OBJ_CNODE, 1, 9 },
        { COFFER_OBJ_UNTYPED, 6, 12 }, { COFFER_OBJ_PAGE_TABLE, 0, 1 },
    };
    unsigned what = rng(100);
    snprintf(last_op, sizeof last_op, "set-limit");
    int b = live_bank();
    struct info before[MODEL_BANKS];
    chain_books(b, before);
    if (what < 45 && nmo < MODEL_OBJECTS) {
        unsigned k = rng(sizeof kinds / sizeof kinds[0]);
        uint64_t bits = kinds[k].lo + rng((unsigned)kinds[k].n);
        uint64_t h, err = buy(mb[b].badge, kinds[k].type, bits, &h, NULL);
        snprintf(last_op, sizeof last_op, "buy type %llu bits %llu in bank %d: 0x%llx", (unsigned long long)kinds[k].type,
                 (unsigned long long)bits, b, (unsigned long long)err);
        if (err == COFFER_ERR_OK)
            mo[nmo++] = (struct model_object){ h, b };
        else if (err != COFFER_ERR_BANK_LIMIT || !chain_unchanged(b, before))
            return tap_diag("buy of type %llu in bank %d: error 0x%llx", (unsigned long long)kinds[k].type, b,
                            (unsigned long long)err), false;
    } else if (what < 80 && nmo > 0) {
        unsigned o = rng(nmo);
        snprintf(last_op, sizeof last_op, "free in bank %d", mo[o].bank);
        if (bank_free(mb[mo[o].bank].badge, mo[o].handle) != COFFER_ERR_OK)
            return tap_diag("free in bank %d", mo[o].bank), false;
        mo[o] = mo[--nmo];
    } else if (what < 88 && nmb < MODEL_BANKS) {
        uint64_t child, err = create(mb[b].badge, (uint64_t)(16 + rng(240)) << 12, &child);
        snprintf(last_op, sizeof last_op, "create in bank %d: 0x%llx", b, (unsigned long long)err);
        if (err == COFFER_ERR_OK)
            mb[nmb++] = (struct model_bank){ child, b, true };
        else if ((err != COFFER_ERR_BANK_LIMIT && err != COFFER_ERR_BANK_TABLE_FULL) || !chain_unchanged(b, before))
            return tap_diag("create in bank %d: error 0x%llx", b, (unsigned long long)err), false;
    } else if (what < 94 && b != 0) {
        snprintf(last_op, sizeof last_op, "destroy bank %d", b);
        if (simple(mb[b].badge, BANK_OP_DESTROY) != COFFER_ERR_OK)
            return false;
        model_drop(b);
    } else if (what < 97 && b != 0) {
        snprintf(last_op, sizeof last_op, "remove bank %d", b);
        if (simple(mb[b].badge, BANK_OP_REMOVE) != COFFER_ERR_OK)
            return false;
        model_pass_up(b);
    } else if (b != 0) {
        uint64_t limit = (uint64_t)rng(300) << 12, err = call(mb[b].badge, BANK_OP_SET_LIMIT, &limit, 1).error;
        if (err != (limit < info(mb[b].badge).held ? COFFER_ERR_BANK_BELOW_USAGE : COFFER_ERR_OK))
            return false;
    }
    return model_agrees() && all_balance();
}

static void test_random(uint64_t seed, unsigned steps)
{
    setup();
    unsigned chunks_at_start = count_free_chunks(), banks_at_start = count_free_banks();
    nmb = 1;
    nmo = 0;
    mb[0] = (struct model_bank){ prime_badge, -1, true };
    rng_state = seed;
    unsigned bad = 0;
    for (unsigned step = 1; step <= steps && bad == 0; step++) {
        if (!random_step())
            bad = step;
        if (getenv("BANK_TRACE"))
            printf("# %u: %s\n", step, last_op);
    }
    if (bad)
        tap_diag("seed %llu: step %u went wrong (%s)", (unsigned long long)seed, bad, last_op);
    /* Everything away: the prime bank back to its start, the tables too. */
    for (unsigned i = 1; i < nmb && bad == 0; i++)
        if (mb[i].live && mb[mb[i].parent].badge == prime_badge) {
            if (simple(mb[i].badge, BANK_OP_DESTROY) != COFFER_ERR_OK)
                bad = steps + 1;
            model_drop((int)i);
        }
    while (bad == 0 && nmo > 0)
        if (bank_free(prime_badge, mo[--nmo].handle) != COFFER_ERR_OK)
            bad = steps + 2;
    struct info end = info(prime_badge);
    tap_okf(bad == 0 && end.count == 0 && end.banks == 0 && end.free + end.overhead == 1u << RAM_BITS &&
                count_free_chunks() + 1 == chunks_at_start + (end.overhead == 0 ? 1 : 0) &&
                count_free_banks() == banks_at_start && all_balance(),
            "random (seed %llu, %u steps of buy, free, create, destroy, remove, set-limit): books and kernel agree "
            "each step; at the end every byte is back and the server's tables are as they started",
            (unsigned long long)seed, steps);
}

int main(int argc, char **argv)
{
    thr = aligned_alloc(64, (sizeof(struct thread) + 63) & ~(size_t)63);
    root_slots = aligned_alloc(sizeof(struct slot) << ROOT_BITS, sizeof(struct slot) << ROOT_BITS);
    leaf0 = aligned_alloc(sizeof(struct slot) << LEAF_BITS, sizeof(struct slot) << LEAF_BITS);
    chunk0_slots = aligned_alloc(sizeof(struct slot) << LEAF_BITS, sizeof(struct slot) << LEAF_BITS);
    ram = aligned_alloc(1u << RAM_BITS, 1u << RAM_BITS);
    spare = aligned_alloc(4096, 4096);
    ipc_page = aligned_alloc(4096, 4096);
    chunk0 = aligned_alloc(4096, 4096);
    if (!thr || !root_slots || !leaf0 || !chunk0_slots || !ram || !spare || !ipc_page || !chunk0)
        return 1;
    test_prime();
    test_child();
    test_limits();
    test_rights_and_remove();
    test_verify();
    test_failure_injection();
    test_batch();
    test_growth_within_parent();
    if (argc > 2) {
        test_random(strtoull(argv[1], NULL, 0), (unsigned)strtoul(argv[2], NULL, 0));
    } else {
        for (uint64_t seed = 1; seed <= 3; seed++)
            test_random(seed, 1500);
    }
    return tap_done();
}
