/*
 * The process manager's start (proc_service.h; serve.c runs it): its
 * memory, its CSpace and its three threads, all from the untyped it is
 * given (lib/starter).  Its address space from own_va (1 GiB aligned):
 *
 *   own_va            its state, three stacks, three IPC buffers; at the
 *                     next 64 KiB the scratch window where it fills the
 *                     frames it buys for processes (no table of its own:
 *                     the one its memory's pages made maps it too)
 *   own_va + 2 MiB    SPAWN_FRAME's window for frames of 4 KiB pages: a
 *                     level-0 table, nothing mapped (proc_frame.c)
 *   own_va + 1 GiB    the window for frames of 2 MiB pages: a level-1 table
 *   own_va + 2 GiB    the window for a 1 GiB frame: no table at all
 */
#include <string.h>

#include <starter/starter.h>

#include "serve_internal.h"

#define ROOT COFFER_SLOT_CNODE
#define PAGE COFFER_PAGE_SIZE
#define KEEP_BITS 6
#define DEPTH (PROC_ROOT_BITS + PROC_LEAF_BITS) /* from the unguarded root: a leaf slot */

/* Starter slots, from cfg->first_slot. */
enum { S_ROOT, S_GUARDED, S_KEEP, S_WORKER, S_WORKER_SC, S_TEMP, S_TEMP2, S_FAULT, S_FAULT_SC, S_INIT, S_RESCUER,
       S_RESCUER_SC };
_Static_assert(S_RESCUER_SC < PROC_SERVICE_SLOTS, "the starter slots the service keeps");

#define THREADS 3 /* the worker, the fault thread, the rescuer: a stack and an IPC buffer each */

static uint64_t round_up(uint64_t v, uint64_t to)
{
    return (v + to - 1) & ~(to - 1);
}

struct layout {
    uint64_t stacks, ipc, end, scratch;
};

static struct layout own_layout(void)
{
    struct layout l;
    l.stacks = round_up(sizeof(struct proc_service_state), PAGE);
    l.ipc = l.stacks + THREADS * PROC_STACK_BYTES;
    l.end = l.ipc + THREADS * PAGE;
    l.scratch = round_up(l.end, 1ull << PROC_FRAME_MAX_BITS);
    return l;
}
_Static_assert(sizeof(struct proc_service_state) + THREADS * (PROC_STACK_BYTES + PAGE) + (2ull << PROC_FRAME_MAX_BITS) <=
                   2ull << 20, "the manager's memory and scratch window share one page table");

struct build {
    struct starter st;
    struct starter_cspace cs;
    const struct proc_service_config *cfg;
    uint64_t s0; /* cfg->first_slot */
    struct layout l;
};

static uint64_t at(const struct build *b, unsigned which)
{
    return b->s0 + which;
}

static bool step(struct build *b, struct coffer_result r, const char *what)
{
    return starter_step(&b->st, r, what);
}

static const uint64_t image_windows[3] = { 2ull << 20, 1ull << 30, 2ull << 30 }; /* from own_va */

/* The image windows' page tables: a level-0 one, a level-1 one. */
static bool image_windows_made(struct build *b)
{
    return step(b, starter_window(&b->st, b->cfg->own_va + image_windows[0], 2ull << 20), "the small image window") &&
           step(b, starter_table(&b->st, b->cfg->own_va + image_windows[1]), "the large image window");
}

/* The starter's capability in slot from, moved (or copied) to leaf slot j. */
static struct coffer_result move_in(struct build *b, unsigned j, uint64_t from)
{
    return starter_move_in(&b->cs, j, from);
}

static struct coffer_result copy_in(struct build *b, unsigned j, uint64_t from)
{
    return starter_copy_in(&b->cs, j, from);
}

/* An object made into leaf slot j. */
static struct coffer_result place(struct build *b, uint64_t type, unsigned j)
{
    return starter_place(&b->st, &b->cs, type, j);
}

/* A badged capability to the manager's endpoint `endpoint` (a leaf
 * slot) into the starter's temporary slot. */
static struct coffer_result badged(struct build *b, unsigned endpoint, uint64_t badge)
{
    return starter_badged(&b->cs, endpoint, COFFER_PROTO_CLIENT_RIGHTS, badge, at(b, S_TEMP));
}

/* The CSpace, its own capabilities in place (the threads' TCBs later). */
static bool cspace(struct build *b)
{
    uint64_t temp = at(b, S_TEMP);
    return step(b, starter_cspace(&b->st, &b->cs, at(b, S_ROOT), at(b, S_GUARDED), PROC_ROOT_BITS, PROC_LEAF_BITS,
                                  PROC_S_CNODE), "make its CSpace") &&
           step(b, copy_in(b, PROC_S_VSPACE, COFFER_SLOT_VSPACE), "its address space") &&
           step(b, copy_in(b, PROC_S_BANK, b->cfg->bank), "the bank capability") &&
           step(b, copy_in(b, PROC_S_SCHED_CONTROL, COFFER_SLOT_SCHED_CONTROL), "sched control") &&
           step(b, place(b, COFFER_OBJ_ENDPOINT, PROC_S_ENDPOINT), "the endpoint") &&
           step(b, place(b, COFFER_OBJ_ENDPOINT, PROC_S_FAULT_EP), "the fault endpoint") &&
           step(b, place(b, COFFER_OBJ_ENDPOINT, PROC_S_RESCUE_EP), "the rescue endpoint") &&
           step(b, place(b, COFFER_OBJ_REPLY, PROC_S_REPLY), "a reply object") &&
           step(b, place(b, COFFER_OBJ_REPLY, PROC_S_FAULT_REPLY), "another") &&
           step(b, place(b, COFFER_OBJ_REPLY, PROC_S_RESCUE_REPLY), "a third") &&
           step(b, badged(b, PROC_S_ENDPOINT, PROC_BADGE(PROC_KIND_RELAY, 0, 0)), "the relay capability") &&
           step(b, move_in(b, PROC_S_RELAY, temp), "place it") &&
           step(b, starter_make(&b->st, COFFER_OBJ_SCHED_CONTEXT, 0, temp), "the rescue context") &&
           step(b, coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, temp, 10000, 10000), "its budget") &&
           step(b, move_in(b, PROC_S_RESCUE_SC, temp), "place it");
}

/* The worker: MCP 255 (the authority for processes' priorities), its
 * faults (a SPAWN_FRAME image vanishing under its guarded copy) and
 * timeouts to the rescuer, run to its receive and made passive. */
static bool worker(struct build *b, struct proc_service_state *st)
{
    uint64_t tcb = at(b, S_WORKER), sc = at(b, S_WORKER_SC);
    uint64_t ipc = b->cfg->own_va + b->l.ipc, stack_top = b->cfg->own_va + b->l.stacks + PROC_STACK_BYTES;
    st->worker_buf = (struct coffer_ipc_buffer *)(uintptr_t)ipc;
    uint64_t rescue = at(b, S_TEMP2); /* starter_thread uses S_TEMP */
    bool made = step(b, badged(b, PROC_S_RESCUE_EP, PROC_BADGE(PROC_KIND_RESCUE, 0, 0)), "its rescue capability") &&
                step(b, coffer_cnode_move(ROOT, rescue, 64, ROOT, at(b, S_TEMP), 64), "aside") &&
                step(b, starter_rescued_thread(&b->st, at(b, S_GUARDED), ipc, b->cfg->priority, tcb, sc, rescue),
                     "make the worker");
    if (!made || !step(b, coffer_cnode_delete(ROOT, rescue, 64), "drop the capability") ||
        !step(b, coffer_tcb_set_mcp(tcb, COFFER_SLOT_TCB, 255), "its MCP") ||
        !step(b, copy_in(b, PROC_S_TCB, tcb), "its TCB in the CSpace") ||
        !step(b, coffer_tcb_set_sched_context(tcb, sc), "bind the context") ||
        !step(b, coffer_thread_start(tcb, coffer_root_ipc_buffer(), proc_worker, (void *)(uintptr_t)stack_top,
                                     (uint64_t)(uintptr_t)st), "start the worker") ||
        !step(b, starter_yield_to(b->cfg->priority), "let it reach its receive"))
        return false;
    if (!st->waiting) {
        step(b, (struct coffer_result){ COFFER_ERR_ILLEGAL_OPERATION, 0, 0 }, "the worker's first receive");
        return false;
    }
    return step(b, coffer_tcb_set_sched_context(tcb, COFFER_CPTR_NONE), "make it passive") &&
           step(b, starter_keep(&b->st, sc), "keep its start context");
}

/* An active thread of the manager's, on a context of its own (budget 1 ms
 * in 10): thread n of the layout's stacks and IPC buffers, its TCB also
 * in leaf slot self_tcb; with a leaf slot `note`, bound to a new
 * notification placed there. */
struct active {
    unsigned n, tcb, sc, self_tcb, note;
    void (*entry)(uint64_t);
    const char *what;
};

static bool bound(struct build *b, uint64_t tcb, unsigned note)
{
    uint64_t temp = at(b, S_TEMP);
    return step(b, starter_make(&b->st, COFFER_OBJ_NOTIFICATION, 0, temp), "its notification") &&
           step(b, coffer_tcb_bind_notification(tcb, temp), "bound to it") && step(b, move_in(b, note, temp), "place it");
}

static bool active_thread(struct build *b, struct proc_service_state *st, const struct active *a)
{
    uint64_t tcb = at(b, a->tcb), sc = at(b, a->sc);
    uint64_t ipc = b->cfg->own_va + b->l.ipc + a->n * PAGE;
    uint64_t stack_top = b->cfg->own_va + b->l.stacks + (a->n + 1) * PROC_STACK_BYTES;
    return step(b, starter_thread(&b->st, at(b, S_GUARDED), ipc, b->cfg->priority, tcb, sc), a->what) &&
           step(b, coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, sc, 1000, 10000), "its budget") &&
           (a->note == 0 || bound(b, tcb, a->note)) && step(b, coffer_tcb_set_sched_context(tcb, sc), "bind it") &&
           step(b, copy_in(b, a->self_tcb, tcb), "its TCB in the CSpace") &&
           step(b, coffer_thread_start(tcb, coffer_root_ipc_buffer(), a->entry, (void *)(uintptr_t)stack_top,
                                       (uint64_t)(uintptr_t)st), "start it") &&
           step(b, starter_keep(&b->st, sc), "keep its context");
}

/* The fault thread; its notification asks it for REAP. */
static bool fault_thread(struct build *b, struct proc_service_state *st)
{
    static const struct active a = { 1, S_FAULT, S_FAULT_SC, PROC_S_FAULT_TCB, PROC_S_REAP, proc_fault_thread,
                                     "make the fault thread" };
    return active_thread(b, st, &a);
}

static bool rescuer(struct build *b, struct proc_service_state *st)
{
    static const struct active a = { 2, S_RESCUER, S_RESCUER_SC, PROC_S_RESCUER_TCB, 0, proc_rescuer,
                                     "make the rescuer" };
    return active_thread(b, st, &a);
}

struct coffer_result proc_service_start(const struct proc_service_config *cfg, struct proc_service *out)
{
    struct build b = { .cfg = cfg, .s0 = cfg->first_slot, .l = own_layout() };
    struct coffer_result r = starter_open(&b.st, cfg->work_untyped, at(&b, S_KEEP), KEEP_BITS, at(&b, S_TEMP),
                                          at(&b, S_TEMP2), "process manager");
    if (!step(&b, r, "make the keep") ||
        !step(&b, r = starter_memory(&b.st, cfg->own_va, b.l.ipc), "map its own memory") ||
        !image_windows_made(&b) || !cspace(&b))
        return r.error != COFFER_ERR_OK ? r : (struct coffer_result){ COFFER_ERR_ILLEGAL_OPERATION, 0, 0 };
    struct proc_service_state *st = (struct proc_service_state *)(uintptr_t)cfg->own_va;
    memset(st, 0, sizeof *st);
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    struct proc_env env = { .buf = (struct coffer_ipc_buffer *)(uintptr_t)(cfg->own_va + b.l.ipc),
                            .scratch_va = cfg->own_va + b.l.scratch,
                            .image_va = { cfg->own_va + image_windows[0], cfg->own_va + image_windows[1],
                                          cfg->own_va + image_windows[2] },
                            .boot_image = (const void *)(uintptr_t)bi->bootimage_vaddr,
                            .boot_image_size = bi->bootimage_size, .random = coffer_time_now(),
                            .timebase_hz = bi->timebase_hz, .rescues = &st->rescuer.rescues };
    proc_server_init(&st->server, &env);
    if (!worker(&b, st) || !fault_thread(&b, st) || !rescuer(&b, st) ||
        !step(&b, r = badged(&b, PROC_S_ENDPOINT, PROC_BADGE(PROC_KIND_INIT, 0, 0)), "init's capability") ||
        !step(&b, r = coffer_cnode_move(ROOT, at(&b, S_INIT), 64, ROOT, at(&b, S_TEMP), 64), "place it"))
        return r.error != COFFER_ERR_OK ? r : (struct coffer_result){ COFFER_ERR_ILLEGAL_OPERATION, 0, 0 };
    *out = (struct proc_service){ .init = at(&b, S_INIT), .worker = at(&b, S_WORKER), .fault_thread = at(&b, S_FAULT),
                                  .rescuer = at(&b, S_RESCUER),
                                  .server = &st->server, .rescues = &st->rescuer.rescues,
                                  .faults = &st->faults, .timeouts = &st->rescuer.timeouts,
                                  .recoveries = &st->rescuer.recoveries, .own_bytes = b.st.own_bytes };
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}
