/*
 * The bank service's start (bank_service.h; serve.c runs it): the starter
 * builds the server's CSpace and own memory from the untyped it is
 * given, starts the thread, which sets up the prime bank and waits for
 * requests, and then takes the thread's scheduling context away: the
 * server runs on its callers' time only.
 *
 * The server's CSpace: a root CNode of 2^root_bits slots with a guard
 * that leaves 6 bits for leaves (bank.h): root slot 0 a leaf of its own
 * capabilities (SELF_*), root slots 1.. the record chunks' CNodes, chunk 0
 * the prime bank's (its RAM untyped in units BANK_CHUNK0_EXTENTS..).
 * What the server owns but never invokes — its frames, page tables, the
 * starter-side copies — is kept in a CNode of the starter's (KEEP).
 */
#include <string.h>

#include <starter/starter.h>

#include "serve_internal.h"

#define KEEP_BITS 9 /* 512 slots for the server's frames and page tables */

/* Starter slots, from cfg->first_slot. */
enum { S_ROOT, S_GUARDED, S_KEEP, S_TCB, S_SC, S_TEMP, S_PRIME, S_TEMP2 };

struct builder {
    struct starter st;
    uint64_t slot0; /* cfg->first_slot */
};

static uint64_t at(const struct builder *b, unsigned which)
{
    return b->slot0 + which;
}

static bool step(struct builder *b, struct coffer_result r, const char *what)
{
    return starter_step(&b->st, r, what);
}

/* An object from the work untyped into the starter's slot `which`. */
static struct coffer_result make(struct builder *b, uint64_t type, uint64_t size_bits, unsigned which)
{
    return starter_make(&b->st, type, size_bits, at(b, which));
}

/* The capability in the starter's slot `which` goes to the next KEEP slot. */
static struct coffer_result keep(struct builder *b, unsigned which)
{
    return starter_keep(&b->st, at(b, which));
}

/* Where the RAM untyped lie: the lowest address and the span of all. */
static struct coffer_result ram_span(const struct bank_service_config *cfg, uint64_t *base, uint64_t *span,
                                     size_t *tree_bytes)
{
    uint64_t lo = ~0ull, hi = 0;
    *tree_bytes = 0;
    for (unsigned i = 0; i < cfg->nram; i++) {
        struct coffer_result r = coffer_untyped_describe(cfg->ram[i]);
        if (r.error != COFFER_ERR_OK)
            return r;
        const struct coffer_untyped_info *info = (const void *)coffer_root_ipc_buffer()->mr;
        unsigned bits = (unsigned)info->size_bits;
        lo = info->paddr < lo ? info->paddr : lo;
        hi = info->paddr + (1ull << bits) > hi ? info->paddr + (1ull << bits) : hi;
        *tree_bytes += buddy_tree_bytes(bits, BANK_SMALL_BITS);
    }
    *base = lo;
    *span = hi - lo;
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}

static uint64_t round_up(uint64_t v, uint64_t to)
{
    return (v + to - 1) & ~(to - 1);
}

static unsigned workers(const struct bank_service_config *cfg)
{
    return cfg->workers == 0 ? 2 : cfg->workers;
}

/* The server's threads: the workers and the rescuer. */
static unsigned threads(const struct bank_service_config *cfg)
{
    return workers(cfg) + 1;
}

/* The server's own memory: its state, tables, trees, chunk 0, stacks;
 * then the workers' IPC buffers. */
struct layout {
    uint64_t banks, chunks, trees, tree_mem, chunk0, stack, ipc, end;
};

static struct layout own_layout(const struct bank_service_config *cfg, size_t tree_bytes, unsigned nchunks)
{
    struct layout l;
    l.banks = round_up(sizeof(struct service_state), 64);
    l.chunks = round_up(l.banks + cfg->nbanks * sizeof(struct bank_entry), 64);
    l.trees = round_up(l.chunks + nchunks * sizeof(struct chunk_entry), 64);
    l.tree_mem = round_up(l.trees + cfg->nram * sizeof(struct buddy_tree), 64);
    l.chunk0 = round_up(l.tree_mem + tree_bytes, PAGE);
    l.stack = l.chunk0 + PAGE;
    l.ipc = l.stack + (uint64_t)threads(cfg) * STACK_BYTES;
    l.end = l.ipc + (uint64_t)threads(cfg) * PAGE;
    return l;
}

/* The server's CSpace, its own capabilities in place. */
static struct coffer_result cspace(struct builder *b, const struct bank_service_config *cfg)
{
    uint64_t root = at(b, S_ROOT), depth = cfg->root_bits + LEAF;
    struct coffer_result r;
    if (!step(b, r = starter_make(&b->st, COFFER_OBJ_CNODE, cfg->root_bits, root), "retype the server's root CNode"))
        return r;
    /* Root slot 0, its own leaf; root slot 1, chunk 0. */
    for (unsigned i = 0; i < 2; i++)
        if (!step(b, r = make(b, COFFER_OBJ_CNODE, LEAF, S_TEMP), "retype a leaf CNode") ||
            !step(b, r = coffer_cnode_move(root, i, cfg->root_bits, ROOT, at(b, S_TEMP), 64), "place the leaf"))
            return r;
    if (!step(b, r = coffer_cnode_mint(ROOT, at(b, S_GUARDED), 64, ROOT, root, 64, COFFER_RIGHTS_ALL,
                                    COFFER_GUARD(64 - depth, 0)), "mint the guarded root") ||
        !step(b, r = coffer_cnode_copy(root, SELF_CNODE, depth, ROOT, at(b, S_GUARDED), 64), "the server's self capability") ||
        !step(b, r = coffer_cnode_copy(root, SELF_VSPACE, depth, ROOT, VSPACE, 64), "the server's VSpace capability") ||
        !step(b, r = make(b, COFFER_OBJ_ENDPOINT, 0, S_TEMP), "retype the endpoint") ||
        !step(b, r = coffer_cnode_move(root, SELF_ENDPOINT, depth, ROOT, at(b, S_TEMP), 64), "place the endpoint") ||
        !step(b, r = make(b, COFFER_OBJ_NOTIFICATION, 0, S_TEMP), "retype the lock") ||
        !step(b, r = coffer_cnode_move(root, SELF_LOCK, depth, ROOT, at(b, S_TEMP), 64), "place the lock") ||
        !step(b, r = make(b, COFFER_OBJ_ENDPOINT, 0, S_TEMP), "retype the rescue endpoint") ||
        !step(b, r = coffer_cnode_move(root, SELF_RESCUE, depth, ROOT, at(b, S_TEMP), 64), "place it") ||
        !step(b, r = make(b, COFFER_OBJ_REPLY, 0, S_TEMP), "retype the rescuer's reply object") ||
        !step(b, r = coffer_cnode_move(root, SELF_RESCUE_REPLY, depth, ROOT, at(b, S_TEMP), 64), "place it"))
        return r;
    for (unsigned i = 0; i < workers(cfg); i++)
        if (!step(b, r = make(b, COFFER_OBJ_REPLY, 0, S_TEMP), "retype a reply object") ||
            !step(b, r = coffer_cnode_move(root, SELF_REPLY(i), depth, ROOT, at(b, S_TEMP), 64), "place it") ||
            !step(b, r = make(b, COFFER_OBJ_SCHED_CONTEXT, 0, S_TEMP), "retype a rescue context") ||
            !step(b, r = coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, at(b, S_TEMP), 10000, 10000),
                  "its budget") ||
            !step(b, r = coffer_cnode_move(root, SELF_RESCUE_SC(i), depth, ROOT, at(b, S_TEMP), 64), "place it"))
            return r;
    if (cfg->asid_pool != COFFER_CPTR_NONE &&
        !step(b, r = coffer_cnode_copy(root, SELF_ASID_POOL, depth, ROOT, cfg->asid_pool, 64), "copy the ASID pool"))
        return r;
    for (unsigned i = 0; i < cfg->nram; i++)
        if (!step(b, r = coffer_cnode_move(root, (uint64_t)1 << LEAF | (BANK_CHUNK0_EXTENTS + i), depth, ROOT,
                                        cfg->ram[i], 64), "hand over a RAM untyped"))
            return r;
    return r;
}

/* Worker i's timeout endpoint is the rescuer's, badged i + 1, and the
 * rescuer holds its TCB. */
static struct coffer_result rescue_of(struct builder *b, const struct bank_service_config *cfg, uint64_t tcb,
                                      unsigned i)
{
    uint64_t root = at(b, S_ROOT), depth = cfg->root_bits + LEAF;
    struct coffer_result r;
    if ((r = coffer_cnode_copy(root, SELF_WORKER(i), depth, ROOT, tcb, 64)).error != COFFER_ERR_OK ||
        (r = coffer_cnode_mint(ROOT, at(b, S_TEMP), 64, root, SELF_RESCUE, depth, COFFER_RIGHTS_ALL, i + 1)).error !=
            COFFER_ERR_OK)
        return r;
    r = coffer_tcb_set_timeout_handler(tcb, at(b, S_TEMP));
    coffer_cnode_delete(ROOT, at(b, S_TEMP), 64);
    return r;
}

/* A server thread, not started: its IPC buffer (the i-th, kept), a TCB in
 * the starter's slot tcb_at configured for the server's CSpace, at the
 * server's priority, and a scheduling context at sc_at with a budget that
 * never runs out. */
static struct coffer_result new_thread(struct builder *b, const struct bank_service_config *cfg,
                                       const struct layout *l, unsigned i, unsigned tcb_at, unsigned sc_at)
{
    return starter_thread(&b->st, at(b, S_GUARDED), cfg->own_va + l->ipc + (uint64_t)i * PAGE, cfg->priority,
                          at(b, tcb_at), at(b, sc_at));
}

/* The rescuer: active on a context of its own, waiting on SELF_RESCUE. */
static struct coffer_result start_rescuer(struct builder *b, const struct bank_service_config *cfg,
                                          struct service_state *st, const struct layout *l)
{
    struct coffer_result r;
    unsigned i = st->nworkers;
    uint64_t tcb = at(b, S_TEMP2), sc = at(b, S_PRIME);
    if (!step(b, r = new_thread(b, cfg, l, i, S_TEMP2, S_PRIME), "make the rescuer") ||
        !step(b, r = coffer_tcb_set_sched_context(tcb, sc), "bind it") ||
        !step(b, r = coffer_thread_start(tcb, coffer_root_ipc_buffer(), service_rescuer,
                                      (void *)(uintptr_t)(cfg->own_va + l->stack + (uint64_t)(i + 1) * STACK_BYTES),
                                      (uint64_t)(uintptr_t)st), "start the rescuer") ||
        !step(b, r = keep(b, S_TEMP2), "keep its TCB") || !step(b, r = keep(b, S_PRIME), "keep its context"))
        return r;
    return r;
}

/* Worker i: its IPC buffer, configured, started, run to its first
 * receive, then passive (its scheduling context taken away).  Worker 0's
 * TCB and context stay in the starter's slots; the others' are kept. */
static struct coffer_result start_worker(struct builder *b, const struct bank_service_config *cfg,
                                         struct service_state *st, const struct layout *l, unsigned i)
{
    struct coffer_result r;
    unsigned tcb_at = i == 0 ? S_TCB : S_TEMP2, sc_at = i == 0 ? S_SC : S_PRIME;
    uint64_t tcb = at(b, tcb_at), sc = at(b, sc_at);
    struct worker *w = &st->workers[i];
    *w = (struct worker){ .st = st, .index = i };
    if (!step(b, r = new_thread(b, cfg, l, i, tcb_at, sc_at), "make the worker") ||
        !step(b, r = coffer_tcb_set_loan_minimum(tcb, BOOKS_BUDGET_US), "its loan minimum") ||
        !step(b, r = rescue_of(b, cfg, tcb, i), "its rescue") ||
        !step(b, r = coffer_tcb_set_sched_context(tcb, sc), "bind the context") ||
        !step(b, r = coffer_thread_start(tcb, coffer_root_ipc_buffer(), service_worker,
                                      (void *)(uintptr_t)(cfg->own_va + l->stack + (uint64_t)(i + 1) * STACK_BYTES),
                                      (uint64_t)(uintptr_t)w), "start the thread"))
        return r;
    /* Below the worker for a moment, so that it reaches its receive. */
    if (!step(b, r = starter_yield_to(cfg->priority), "let it reach its receive"))
        return r;
    if (i == 0 && (!st->ready || st->init.error != COFFER_ERR_OK)) {
        coffer_tcb_suspend(tcb);
        return st->ready ? st->init : (struct coffer_result){ COFFER_ERR_ILLEGAL_OPERATION, 0, 0 };
    }
    if (!w->waiting)
        return (struct coffer_result){ COFFER_ERR_ILLEGAL_OPERATION, i, 0 };
    if (!step(b, r = coffer_tcb_set_sched_context(tcb, COFFER_CPTR_NONE), "make it passive") || i == 0)
        return r;
    if (!step(b, r = keep(b, S_TEMP2), "keep its TCB") || !step(b, r = keep(b, S_PRIME), "keep its context"))
        return r;
    return r;
}

static struct coffer_result thread(struct builder *b, const struct bank_service_config *cfg,
                                   struct service_state *st, const struct layout *l)
{
    struct coffer_result r = { COFFER_ERR_OK, 0, 0 };
    st->nworkers = workers(cfg);
    for (unsigned i = 0; i < st->nworkers && r.error == COFFER_ERR_OK; i++)
        r = start_worker(b, cfg, st, l, i);
    return r.error == COFFER_ERR_OK ? start_rescuer(b, cfg, st, l) : r;
}

struct coffer_result bank_service_start(const struct bank_service_config *cfg, struct bank_service *out)
{
    enum { MAX_RAM = BANK_CHUNK_UNITS - BANK_CHUNK0_EXTENTS };
    uint64_t base = 0, span = 0;
    size_t tree_bytes = 0;
    struct coffer_result r = { COFFER_ERR_INVALID_ARGUMENT, 0, 0 };
    if (cfg->nram == 0 || cfg->nram > MAX_RAM || cfg->root_bits < 2 || cfg->root_bits > 16 || cfg->nbanks == 0 ||
        workers(cfg) > MAX_WORKERS)
        return r;
    struct builder b = { .st = { .name = "bank service" }, .slot0 = cfg->first_slot };
    if (!step(&b, r = ram_span(cfg, &base, &span, &tree_bytes), "describe the RAM"))
        return r;
    unsigned nchunks = (1u << cfg->root_bits) - 1;
    struct layout l = own_layout(cfg, tree_bytes, nchunks);
    if (!step(&b, r = starter_open(&b.st, cfg->work_untyped, at(&b, S_KEEP), KEEP_BITS, at(&b, S_TEMP), at(&b, S_TEMP2),
                                   "bank service"), "retype the keep CNode") ||
        !step(&b, r = starter_memory(&b.st, cfg->own_va, l.ipc), "map the server's own memory") ||
        !step(&b, r = starter_window(&b.st, cfg->window_va, round_up(span, 2ull << 20)), "the record window's page tables") ||
        !step(&b, r = cspace(&b, cfg), "build the server's CSpace"))
        return r;
    uint8_t *own = (uint8_t *)(uintptr_t)cfg->own_va;
    struct service_state *st = (struct service_state *)own;
    memset(own, 0, l.ipc);
    st->window_va = cfg->window_va;
    st->window_base = base;
    st->env = (struct bank_env){ .cnode = SELF_CNODE, .root_bits = cfg->root_bits, .first_chunk_slot = 1,
                                 .endpoint = SELF_ENDPOINT,
                                 .asid_pool = cfg->asid_pool != COFFER_CPTR_NONE ? SELF_ASID_POOL : COFFER_CPTR_NONE,
                                 .ipc = (const struct coffer_ipc_buffer *)(uintptr_t)(cfg->own_va + l.ipc),
                                 .map = service_map_record_frame, .map_ctx = st, .lock = service_lock,
                                 .unlock = service_unlock, .budget = service_budget, .sync_ctx = &st->lock };
    st->cfg = (struct bank_config){ .banks = (void *)(own + l.banks), .nbanks = cfg->nbanks,
                                    .chunks = (void *)(own + l.chunks), .nchunks = nchunks,
                                    .trees = (void *)(own + l.trees), .ntrees = cfg->nram,
                                    .tree_mem = own + l.tree_mem, .tree_bytes = tree_bytes,
                                    .chunk0 = own + l.chunk0 };
    if (!step(&b, r = thread(&b, cfg, st, &l), "start the server thread"))
        return r;
    uint64_t depth = cfg->root_bits + LEAF;
    if (!step(&b, r = coffer_cnode_copy(ROOT, at(&b, S_PRIME), 64, at(&b, S_ROOT),
                                    (uint64_t)1 << LEAF | BANK_CHUNK0_PRIME, depth), "copy the prime bank's capability"))
        return r;
    *out = (struct bank_service){ .tcb = at(&b, S_TCB), .cspace = at(&b, S_ROOT), .prime = at(&b, S_PRIME),
                                  .server = &st->server, .rescues = &st->rescues, .books_lock = &st->lock, .own_bytes = b.st.own_bytes };
    return r;
}
