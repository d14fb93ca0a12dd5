/*
 * Starting a session service (session/service.h).  Its memory at own_va:
 * the service's state, then the server's, two stacks and two IPC buffers
 * (door, rescuer); the session window at own_va + 2 MiB, its page tables
 * made now, nothing mapped.
 */
#include <proto/session_server.h>
#include <server/rescue.h>
#include <server/serve.h>
#include <session/service.h>
#include <starter/starter.h>
#include <string.h>

#define ROOT COFFER_SLOT_CNODE
#define PAGE COFFER_PAGE_SIZE
#define KEEP_BITS 5
#define STACK_BYTES ((uint64_t)16 << 10)
#define WINDOW_OFFSET ((uint64_t)2 << 20)
#define SELF(j) ((coffer_cptr_t)(j))

/* Starter slots, from cfg->first_slot. */
enum { S_ROOT, S_GUARDED, S_KEEP, S_DOOR, S_DOOR_SC, S_TEMP, S_TEMP2, S_RESCUER, S_RESCUER_SC, S_OPENER };
_Static_assert(S_OPENER < SESSION_SERVICE_SLOTS, "the starter slots the service keeps");

struct service_state {
    struct session_server sessions;
    struct coffer_server_loop door;
    struct coffer_rescuer rescuer;
    volatile bool waiting; /* the door reached its receive */
};

static uint64_t round_up(uint64_t v, uint64_t to)
{
    return (v + to - 1) & ~(to - 1);
}

struct layout {
    uint64_t state, stacks, ipc, end;
};

static struct layout own_layout(const struct session_service_config *cfg)
{
    struct layout l;
    l.state = round_up(sizeof(struct service_state), 64);
    l.stacks = round_up(l.state + cfg->state_bytes, PAGE);
    l.ipc = l.stacks + 2 * STACK_BYTES;
    l.end = l.ipc + 2 * PAGE;
    return l;
}

struct build {
    struct starter st;
    struct starter_cspace cs;
    const struct session_service_config *cfg;
    struct layout l;
};

static uint64_t at(const struct build *b, unsigned which)
{
    return b->cfg->first_slot + which;
}

static bool step(struct build *b, struct coffer_result r, const char *what)
{
    return starter_step(&b->st, r, what);
}

static struct coffer_result copy_in(struct build *b, unsigned j, uint64_t from)
{
    return starter_copy_in(&b->cs, j, from);
}

static struct coffer_result place(struct build *b, uint64_t type, unsigned j)
{
    return starter_place(&b->st, &b->cs, type, j);
}

/* A badged capability to endpoint j (a leaf slot) into the temporary slot. */
static struct coffer_result badged(struct build *b, unsigned j, uint64_t rights, uint64_t badge)
{
    return starter_badged(&b->cs, j, rights, badge, at(b, S_TEMP));
}

/* A context whose budget never runs out, placed in leaf slot j. */
static bool context(struct build *b, unsigned j, const char *what)
{
    uint64_t temp = at(b, S_TEMP);
    return step(b, starter_make(&b->st, COFFER_OBJ_SCHED_CONTEXT, 0, temp), what) &&
           step(b, coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, temp, 10000, 10000), "its budget") &&
           step(b, starter_move_in(&b->cs, j, temp), "place it");
}

static bool cspace(struct build *b)
{
    return step(b, starter_cspace(&b->st, &b->cs, at(b, S_ROOT), at(b, S_GUARDED), SESSION_SERVICE_ROOT_BITS,
                                  SESSION_SERVICE_LEAF_BITS, SESSION_SELF_CNODE), "make its CSpace") &&
           step(b, copy_in(b, SESSION_SELF_VSPACE, COFFER_SLOT_VSPACE), "its address space") &&
           step(b, copy_in(b, SESSION_SELF_BANK, b->cfg->bank), "the bank capability") &&
           step(b, place(b, COFFER_OBJ_ENDPOINT, SESSION_SELF_DOOR), "the door") &&
           step(b, place(b, COFFER_OBJ_ENDPOINT, SESSION_SELF_RESCUE_EP), "the rescue endpoint") &&
           step(b, place(b, COFFER_OBJ_REPLY, SESSION_SELF_DOOR_REPLY), "a reply object") &&
           step(b, place(b, COFFER_OBJ_REPLY, SESSION_SELF_RESCUE_REPLY), "another") &&
           context(b, SESSION_SELF_DOOR_RESCUE_SC, "the door's rescue context") &&
           context(b, SESSION_SELF_START_SC, "the workers' start context");
}

static void door_main(uint64_t arg)
{
    struct service_state *st = (struct service_state *)(uintptr_t)arg;
    st->waiting = true;
    coffer_serve(&st->door);
}

static void rescuer_main(uint64_t arg)
{
    struct service_state *st = (struct service_state *)(uintptr_t)arg;
    coffer_rescue(&st->rescuer);
}

/* The door: its faults and timeouts to the rescuer (badged as the
 * door's), run to its receive and made passive. */
static bool door(struct build *b, struct service_state *st)
{
    uint64_t tcb = at(b, S_DOOR), sc = at(b, S_DOOR_SC), rescue = at(b, S_TEMP2);
    uint64_t ipc = b->cfg->own_va + b->l.ipc, stack_top = b->cfg->own_va + b->l.stacks + STACK_BYTES;
    bool made = step(b, badged(b, SESSION_SELF_RESCUE_EP, COFFER_RIGHT_WRITE | COFFER_RIGHT_GRANT,
                               SESSION_BADGE(SESSION_KIND_DOOR, 0, 0)), "the door's rescue capability") &&
                step(b, coffer_cnode_move(ROOT, rescue, 64, ROOT, at(b, S_TEMP), 64), "aside") &&
                step(b, starter_rescued_thread(&b->st, at(b, S_GUARDED), ipc, b->cfg->priority, tcb, sc, rescue),
                     "make the door");
    if (!made || !step(b, coffer_cnode_delete(ROOT, rescue, 64), "drop the capability") ||
        !step(b, coffer_tcb_set_mcp(tcb, COFFER_SLOT_TCB, b->cfg->priority + 1u), "its authority over workers") ||
        !step(b, copy_in(b, SESSION_SELF_DOOR_TCB, tcb), "its TCB in the CSpace") ||
        !step(b, coffer_tcb_set_sched_context(tcb, sc), "bind the context") ||
        !step(b, coffer_thread_start(tcb, coffer_root_ipc_buffer(), door_main, (void *)(uintptr_t)stack_top,
                                     (uint64_t)(uintptr_t)st), "start the door") ||
        !step(b, starter_yield_to(b->cfg->priority), "let it reach its receive"))
        return false;
    if (!st->waiting) {
        step(b, (struct coffer_result){ COFFER_ERR_ILLEGAL_OPERATION, 0, 0 }, "the door's first receive");
        return false;
    }
    return step(b, coffer_tcb_set_sched_context(tcb, COFFER_CPTR_NONE), "make it passive") &&
           step(b, starter_keep(&b->st, sc), "keep its start context");
}

/* The rescuer: active, 1 ms of every 10. */
static bool rescuer(struct build *b, struct service_state *st)
{
    uint64_t tcb = at(b, S_RESCUER), sc = at(b, S_RESCUER_SC);
    uint64_t ipc = b->cfg->own_va + b->l.ipc + PAGE, stack_top = b->cfg->own_va + b->l.stacks + 2 * STACK_BYTES;
    st->rescuer = (struct coffer_rescuer){ .endpoint = SELF(SESSION_SELF_RESCUE_EP),
                                           .reply = SELF(SESSION_SELF_RESCUE_REPLY),
                                           .worker = session_rescue_worker, .ctx = &st->sessions,
                                           .abandon = session_abandon };
    return step(b, starter_thread(&b->st, at(b, S_GUARDED), ipc, b->cfg->priority, tcb, sc), "make the rescuer") &&
           step(b, coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, sc, 1000, 10000), "its budget") &&
           step(b, coffer_tcb_set_sched_context(tcb, sc), "bind it") &&
           step(b, coffer_thread_start(tcb, coffer_root_ipc_buffer(), rescuer_main, (void *)(uintptr_t)stack_top,
                                       (uint64_t)(uintptr_t)st), "start it") &&
           step(b, starter_keep(&b->st, sc), "keep its context");
}

/* The session window: at own_va + 2 MiB, or with sessions paying for
 * their tables at the next boundary of an area (so that no two sessions
 * share a table). */
static uint64_t window_of(const struct session_service_config *cfg)
{
    uint64_t start = cfg->own_va + WINDOW_OFFSET;
    return cfg->own_tables ? round_up(start, 1ull << cfg->area_bits) : start;
}

/* The table and the door's loop, the server's hooks in them. */
static void tables(const struct build *b, struct service_state *st)
{
    const struct session_service_config *cfg = b->cfg;
    void *state = (void *)(uintptr_t)(cfg->own_va + b->l.state);
    struct session_hooks hooks = { 0 };
    memset(state, 0, cfg->state_bytes);
    cfg->init(state, &st->sessions, &hooks, cfg->init_arg);
    struct session_config sc = {
        .root_bits = SESSION_SERVICE_ROOT_BITS, .leaf_bits = SESSION_SERVICE_LEAF_BITS,
        .root = SELF(SESSION_SELF_CNODE), .vspace = SELF(SESSION_SELF_VSPACE), .any_bank = SELF(SESSION_SELF_BANK),
        .rescue = SELF(SESSION_SELF_RESCUE_EP), .door_tcb = SELF(SESSION_SELF_DOOR_TCB),
        .door_rescue_sc = SELF(SESSION_SELF_DOOR_RESCUE_SC), .start_sc = SELF(SESSION_SELF_START_SC),
        .temp = SELF(SESSION_SELF_TEMP), .buf = (struct coffer_ipc_buffer *)(uintptr_t)(cfg->own_va + b->l.ipc),
        .window_va = window_of(cfg), .area_bits = cfg->area_bits, .frame_bits = cfg->frame_bits,
        .own_tables = cfg->own_tables,
        .sessions = cfg->sessions, .priority = (uint8_t)(cfg->priority + 1u) };
    session_server_init(&st->sessions, &sc, &hooks);
    st->door = (struct coffer_server_loop){
        .endpoint = SELF(SESSION_SELF_DOOR), .reply = SELF(SESSION_SELF_DOOR_REPLY), .buf = sc.buf,
        .recv_slot = SELF(SESSION_SELF_DOOR_RECV), .recv_cnode = 0, .recv_depth = 64 - SESSION_SERVICE_LEAF_BITS,
        .recv_index = SESSION_SELF_DOOR_RECV, .self_cnode = SELF(SESSION_SELF_CNODE),
        .dispatch = session_dispatch_any, .server = &st->sessions };
}

static struct coffer_result refused(void)
{
    return (struct coffer_result){ COFFER_ERR_INVALID_ARGUMENT, 0, 0 };
}

struct coffer_result session_service_start(const struct session_service_config *cfg, struct session_service *out)
{
    struct build b = { .cfg = cfg, .l = own_layout(cfg) };
    uint64_t window = (uint64_t)cfg->sessions << cfg->area_bits;
    if (cfg->sessions == 0 || cfg->sessions > SESSION_SERVICE_MAX || cfg->frame_bits < 14 ||
        cfg->area_bits < cfg->frame_bits || cfg->area_bits > 30 || (window > WINDOW_OFFSET && !cfg->own_tables) ||
        (cfg->own_tables && cfg->area_bits < 21) || b.l.end > WINDOW_OFFSET || cfg->own_va % WINDOW_OFFSET != 0 ||
        cfg->init == NULL)
        return refused();
    struct coffer_result r = starter_open(&b.st, cfg->work_untyped, at(&b, S_KEEP), KEEP_BITS, at(&b, S_TEMP),
                                          at(&b, S_TEMP2), cfg->name);
    struct service_state *st = (struct service_state *)(uintptr_t)cfg->own_va;
    if (!step(&b, r, "make the keep") || !step(&b, r = starter_memory(&b.st, cfg->own_va, b.l.ipc), "map its memory") ||
        (!cfg->own_tables &&
         !step(&b, r = starter_window(&b.st, cfg->own_va + WINDOW_OFFSET, window), "the session window")) ||
        !cspace(&b))
        return r.error != COFFER_ERR_OK ? r : refused();
    memset(st, 0, sizeof *st);
    tables(&b, st);
    if (!door(&b, st) || !rescuer(&b, st) ||
        !step(&b, r = badged(&b, SESSION_SELF_DOOR, COFFER_PROTO_CLIENT_RIGHTS,
                             SESSION_BADGE(SESSION_KIND_DOOR, 0, 0)), "the opener") ||
        !step(&b, r = coffer_cnode_move(ROOT, at(&b, S_OPENER), 64, ROOT, at(&b, S_TEMP), 64), "place it"))
        return r.error != COFFER_ERR_OK ? r : refused();
    *out = (struct session_service){ .opener = at(&b, S_OPENER), .door = at(&b, S_DOOR), .rescuer = at(&b, S_RESCUER),
                                     .sessions = &st->sessions, .state = (void *)(uintptr_t)(cfg->own_va + b.l.state),
                                     .recoveries = &st->rescuer.recoveries, .stopped = &st->rescuer.stopped,
                                     .own_bytes = b.st.own_bytes };
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}
