#include "bank_fixture.h"

#include <stdlib.h>
#include <string.h>

static struct thread *thr;
static struct slot *root_slots, *leaf0, *chunk0_slots;
static void *ram, *spare, *ipc_page, *chunk0;
struct bank_server server;
struct bank_entry banks[NBANKS];
struct chunk_entry chunks[NCHUNKS];
static struct buddy_tree trees[1];
static uint64_t tree_mem[((2u << (RAM_BITS - 12)) + (2u << (RAM_BITS - 12)) / 8) / 8]; /* buddy_tree_bytes(RAM_BITS, 12) */
uint64_t prime_badge;

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
void setup(void)
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

struct coffer_reply call(uint64_t badge, uint64_t label, const uint64_t *w, unsigned n)
{
    struct coffer_request rq = { .badge = badge, .label = label, .length = n, .mr = w };
    struct coffer_reply rp;
    memset(&rp, 0xa5, sizeof rp);
    bank_handle(&server, &rq, &rp);
    return rp;
}

uint64_t buy(uint64_t badge, uint64_t type, uint64_t size_bits, uint64_t *handle, uint64_t *slot)
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

uint64_t bank_free(uint64_t badge, uint64_t handle)
{
    uint64_t w[1] = { handle };
    return call(badge, BANK_OP_FREE, w, 1).error;
}

uint64_t create(uint64_t badge, uint64_t limit, uint64_t *child)
{
    uint64_t w[1] = { limit };
    struct coffer_reply rp = call(badge, BANK_OP_CREATE, w, 1);
    if (rp.error == COFFER_ERR_OK)
        *child = rp.mr[0];
    return rp.error;
}

uint64_t simple(uint64_t badge, uint64_t label)
{
    return call(badge, label, NULL, 0).error;
}

struct info info(uint64_t badge)
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
uint64_t slot_type(uint64_t slot)
{
    struct coffer_result r = coffer_cnode_identify(CNODE, slot, 64);
    return r.error == COFFER_ERR_OK ? COFFER_ID_TYPE(r.detail0) : COFFER_ID_TYPE_NULL;
}

/* A client's copy of what the bank handed out (the IPC transfer would
 * make it a child of the bank's original, as this mint does). */
bool client_copy(uint64_t from, uint64_t to)
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

bool all_balance(void)
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

struct books books(uint64_t badge, uint64_t parent)
{
    return (struct books){ info(badge), info(parent) };
}
bool same_books(struct books a, struct books b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

unsigned count_free_chunks(void)
{
    unsigned n = 0;
    for (uint32_t c = server.free_chunk; c != 0; c = chunks[c].next)
        n++;
    return n;
}

unsigned count_free_banks(void)
{
    unsigned n = 0;
    for (uint16_t i = server.free_bank; i != BANK_NONE; i = banks[i].next_free)
        n++;
    return n;
}

bool bank_fixture_alloc(void)
{
    thr = aligned_alloc(64, (sizeof(struct thread) + 63) & ~(size_t)63);
    root_slots = aligned_alloc(sizeof(struct slot) << ROOT_BITS, sizeof(struct slot) << ROOT_BITS);
    leaf0 = aligned_alloc(sizeof(struct slot) << LEAF_BITS, sizeof(struct slot) << LEAF_BITS);
    chunk0_slots = aligned_alloc(sizeof(struct slot) << LEAF_BITS, sizeof(struct slot) << LEAF_BITS);
    ram = aligned_alloc(1u << RAM_BITS, 1u << RAM_BITS);
    spare = aligned_alloc(4096, 4096);
    ipc_page = aligned_alloc(4096, 4096);
    chunk0 = aligned_alloc(4096, 4096);
    return thr && root_slots && leaf0 && chunk0_slots && ram && spare && ipc_page && chunk0;
}
