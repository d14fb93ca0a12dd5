/*
 * The console server's start (console_service.h; serve.c runs it): its
 * memory, its CSpace, the UART and its three threads, all from the
 * untyped it is given (lib/starter).  Its memory at own_va: its state,
 * three stacks, three IPC buffers; then the UART's page; then, at the
 * next 128 KiB, the session window.  All of it lies in the first 2 MiB
 * from own_va, so one page table maps it all.
 */
#include <string.h>

#include <starter/starter.h>

#include "serve_internal.h"

#define ROOT COFFER_SLOT_CNODE
#define PAGE COFFER_PAGE_SIZE
#define KEEP_BITS 5
#define DEPTH (CONSOLE_ROOT_BITS + CONSOLE_LEAF_BITS)
#define THREADS 3
#define WINDOW_BYTES ((uint64_t)CONSOLE_SESSIONS * CONSOLE_BUFFER_BYTES)

/* Starter slots, from cfg->first_slot. */
enum { S_ROOT, S_GUARDED, S_KEEP, S_WORKER, S_WORKER_SC, S_TEMP, S_TEMP2, S_IRQT, S_IRQT_SC, S_RESCUER,
       S_RESCUER_SC, S_ADMIN, S_OPENER, S_KEYBOARD };
_Static_assert(S_KEYBOARD < CONSOLE_SERVICE_SLOTS, "the starter slots the service keeps");

static uint64_t round_up(uint64_t v, uint64_t to)
{
    return (v + to - 1) & ~(to - 1);
}

struct layout {
    uint64_t stacks, ipc, uart, end, window;
};

static struct layout own_layout(void)
{
    struct layout l;
    l.stacks = round_up(sizeof(struct console_service_state), PAGE);
    l.ipc = l.stacks + THREADS * CONSOLE_STACK_BYTES;
    l.uart = l.ipc + THREADS * PAGE;
    l.end = l.uart + PAGE;
    l.window = round_up(l.end, WINDOW_BYTES);
    return l;
}
_Static_assert(sizeof(struct console_service_state) + THREADS * (CONSOLE_STACK_BYTES + PAGE) + PAGE + 2 * WINDOW_BYTES <=
                   2ull << 20, "the server's memory and window share one page table");

struct build {
    struct starter st;
    struct starter_cspace cs;
    const struct console_service_config *cfg;
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

static struct coffer_result move_in(struct build *b, unsigned j, uint64_t from)
{
    return starter_move_in(&b->cs, j, from);
}

static struct coffer_result copy_in(struct build *b, unsigned j, uint64_t from)
{
    return starter_copy_in(&b->cs, j, from);
}

static struct coffer_result place(struct build *b, uint64_t type, unsigned j)
{
    return starter_place(&b->st, &b->cs, type, j);
}

/* A badged capability to the server's endpoint `endpoint` (a leaf slot)
 * into the starter's temporary slot. */
static struct coffer_result badged(struct build *b, unsigned endpoint, uint64_t badge)
{
    return starter_badged(&b->cs, endpoint, COFFER_PROTO_CLIENT_RIGHTS, badge, at(b, S_TEMP));
}

static bool cspace(struct build *b)
{
    uint64_t temp = at(b, S_TEMP);
    return step(b, starter_cspace(&b->st, &b->cs, at(b, S_ROOT), at(b, S_GUARDED), CONSOLE_ROOT_BITS, CONSOLE_LEAF_BITS,
                                  CONSOLE_S_CNODE), "make its CSpace") &&
           step(b, copy_in(b, CONSOLE_S_VSPACE, COFFER_SLOT_VSPACE), "its address space") &&
           step(b, copy_in(b, CONSOLE_S_BANK, b->cfg->bank), "the bank capability") &&
           step(b, place(b, COFFER_OBJ_ENDPOINT, CONSOLE_S_ENDPOINT), "the endpoint") &&
           step(b, place(b, COFFER_OBJ_ENDPOINT, CONSOLE_S_RESCUE_EP), "the rescue endpoint") &&
           step(b, place(b, COFFER_OBJ_REPLY, CONSOLE_S_REPLY), "a reply object") &&
           step(b, place(b, COFFER_OBJ_REPLY, CONSOLE_S_RESCUE_REPLY), "another") &&
           step(b, badged(b, CONSOLE_S_ENDPOINT, CONSOLE_BADGE(CONSOLE_KIND_IRQ, 0, 0)), "the interrupt capability") &&
           step(b, move_in(b, CONSOLE_S_IRQ_EP, temp), "place it") &&
           step(b, starter_make(&b->st, COFFER_OBJ_SCHED_CONTEXT, 0, temp), "the rescue context") &&
           step(b, coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, temp, 10000, 10000), "its budget") &&
           step(b, move_in(b, CONSOLE_S_RESCUE_SC, temp), "place it");
}

/* The UART: its page mapped (kept), its line delivered to a notification,
 * the handler moved in; receive interrupts on. */
static bool uart(struct build *b, struct console_service_state *st)
{
    uint64_t temp = at(b, S_TEMP), va = b->cfg->own_va + b->l.uart;
    if (!step(b, coffer_frame_map(b->cfg->uart_frame, COFFER_SLOT_VSPACE, va, COFFER_MAP_R | COFFER_MAP_W),
              "map the UART") ||
        !step(b, starter_keep(&b->st, b->cfg->uart_frame), "keep its frame") ||
        !step(b, starter_make(&b->st, COFFER_OBJ_NOTIFICATION, 0, temp), "the interrupt notification") ||
        !step(b, coffer_irq_handler_set_notification(b->cfg->uart_irq, temp), "deliver the line to it") ||
        !step(b, move_in(b, CONSOLE_S_IRQ_NOTE, temp), "place it") ||
        !step(b, move_in(b, CONSOLE_S_IRQ, b->cfg->uart_irq), "the line's handler"))
        return false;
    st->uart = (volatile uint8_t *)(uintptr_t)va;
    st->uart[UART_IER] = UART_IER_RX;
    return true;
}

/* The worker: its faults and timeouts to the rescuer; run to its receive
 * and made passive. */
static bool worker(struct build *b, struct console_service_state *st)
{
    uint64_t tcb = at(b, S_WORKER), sc = at(b, S_WORKER_SC);
    uint64_t ipc = b->cfg->own_va + b->l.ipc, stack_top = b->cfg->own_va + b->l.stacks + CONSOLE_STACK_BYTES;
    st->worker_buf = (struct coffer_ipc_buffer *)(uintptr_t)ipc;
    uint64_t rescue = at(b, S_TEMP2); /* starter_thread uses S_TEMP */
    bool made = step(b, badged(b, CONSOLE_S_RESCUE_EP, CONSOLE_BADGE(CONSOLE_KIND_RESCUE, 0, 0)), "its rescue capability") &&
                step(b, coffer_cnode_move(ROOT, rescue, 64, ROOT, at(b, S_TEMP), 64), "aside") &&
                step(b, starter_rescued_thread(&b->st, at(b, S_GUARDED), ipc, b->cfg->priority, tcb, sc, rescue),
                     "make the worker");
    if (!made || !step(b, coffer_cnode_delete(ROOT, rescue, 64), "drop the capability") ||
        !step(b, copy_in(b, CONSOLE_S_TCB, tcb), "its TCB in the CSpace") ||
        !step(b, coffer_tcb_set_sched_context(tcb, sc), "bind the context") ||
        !step(b, coffer_thread_start(tcb, coffer_root_ipc_buffer(), console_worker, (void *)(uintptr_t)stack_top,
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

/* An active thread: n-th stack and IPC buffer, 1 ms of every 10. */
static bool active(struct build *b, struct console_service_state *st, unsigned n, unsigned tcb_slot, unsigned sc_slot,
                   void (*entry)(uint64_t), const char *what)
{
    uint64_t tcb = at(b, tcb_slot), sc = at(b, sc_slot);
    uint64_t ipc = b->cfg->own_va + b->l.ipc + n * PAGE;
    uint64_t stack_top = b->cfg->own_va + b->l.stacks + (n + 1) * CONSOLE_STACK_BYTES;
    return step(b, starter_thread(&b->st, at(b, S_GUARDED), ipc, b->cfg->priority, tcb, sc), what) &&
           step(b, coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, sc, 1000, 10000), "its budget") &&
           step(b, coffer_tcb_set_sched_context(tcb, sc), "bind it") &&
           step(b, coffer_thread_start(tcb, coffer_root_ipc_buffer(), entry, (void *)(uintptr_t)stack_top,
                                       (uint64_t)(uintptr_t)st), "start it") &&
           step(b, starter_keep(&b->st, sc), "keep its context");
}

struct coffer_result console_service_start(const struct console_service_config *cfg, struct console_service *out)
{
    struct build b = { .cfg = cfg, .l = own_layout() };
    struct coffer_result r = starter_open(&b.st, cfg->work_untyped, at(&b, S_KEEP), KEEP_BITS, at(&b, S_TEMP),
                                          at(&b, S_TEMP2), "console server");
    struct console_service_state *st = (struct console_service_state *)(uintptr_t)cfg->own_va;
    if (!step(&b, r, "make the keep") ||
        !step(&b, r = starter_memory(&b.st, cfg->own_va, b.l.ipc), "map its own memory") || !cspace(&b))
        return r.error != COFFER_ERR_OK ? r : (struct coffer_result){ COFFER_ERR_ILLEGAL_OPERATION, 0, 0 };
    memset(st, 0, sizeof *st);
    if (!uart(&b, st))
        return (struct coffer_result){ COFFER_ERR_ILLEGAL_OPERATION, 0, 0 };
    struct console_env env = { .buf = (struct coffer_ipc_buffer *)(uintptr_t)(cfg->own_va + b.l.ipc),
                               .window_va = cfg->own_va + b.l.window, .uart = console_uart_16550(st) };
    console_server_init(&st->server, &env);
    if (!worker(&b, st) ||
        !active(&b, st, 1, S_IRQT, S_IRQT_SC, console_interrupt_thread, "make the interrupt thread") ||
        !active(&b, st, 2, S_RESCUER, S_RESCUER_SC, console_rescuer, "make the rescuer") ||
        !step(&b, r = badged(&b, CONSOLE_S_ENDPOINT, CONSOLE_BADGE(CONSOLE_KIND_ADMIN, 0, 0)), "the admin capability") ||
        !step(&b, r = coffer_cnode_move(ROOT, at(&b, S_ADMIN), 64, ROOT, at(&b, S_TEMP), 64), "place it") ||
        !step(&b, r = badged(&b, CONSOLE_S_ENDPOINT, CONSOLE_BADGE(CONSOLE_KIND_OPENER, 0, 0)), "the opener") ||
        !step(&b, r = coffer_cnode_move(ROOT, at(&b, S_OPENER), 64, ROOT, at(&b, S_TEMP), 64), "place it") ||
        !step(&b, r = badged(&b, CONSOLE_S_ENDPOINT, CONSOLE_BADGE(CONSOLE_KIND_KEYBOARD, 0, 0)), "the keyboard opener") ||
        !step(&b, r = coffer_cnode_move(ROOT, at(&b, S_KEYBOARD), 64, ROOT, at(&b, S_TEMP), 64), "place it"))
        return r.error != COFFER_ERR_OK ? r : (struct coffer_result){ COFFER_ERR_ILLEGAL_OPERATION, 0, 0 };
    *out = (struct console_service){ .admin = at(&b, S_ADMIN), .opener = at(&b, S_OPENER),
                                     .keyboard = at(&b, S_KEYBOARD),
                                     .worker = at(&b, S_WORKER),
                                     .interrupts = at(&b, S_IRQT), .rescuer = at(&b, S_RESCUER),
                                     .server = &st->server, .recoveries = &st->rescuer.recoveries,
                                     .stopped = &st->rescuer.stopped, .uart = st->uart,
                                     .own_bytes = b.st.own_bytes };
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}

struct coffer_result console_service_uart(coffer_cptr_t frame, coffer_cptr_t irq)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    struct coffer_result r = { COFFER_ERR_INVALID_ARGUMENT, 0, 0 };
    for (uint64_t i = 0; i < bi->untyped_count && bi->uart_paddr != 0; i++) {
        const struct coffer_untyped_desc *u = &bi->untyped_list[i];
        if (u->is_device && bi->uart_paddr >= u->paddr && bi->uart_paddr < u->paddr + (1ull << u->size_bits)) {
            r = coffer_untyped_retype(bi->untyped.start + i, COFFER_OBJ_FRAME, COFFER_PAGE_BITS, ROOT, 0, frame, 1,
                                      bi->uart_paddr - u->paddr);
            break;
        }
    }
    return r.error != COFFER_ERR_OK ? r : coffer_irq_control_get(COFFER_SLOT_IRQ_CONTROL, bi->uart_irq, ROOT, 0, irq);
}
