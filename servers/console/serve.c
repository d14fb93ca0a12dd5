/*
 * The console server at run time (console_service.h; serve_start.c builds
 * it): the worker serves requests on its callers' time; the interrupt
 * thread waits for the UART's line and asks the worker for INTERRUPT on
 * the server's time (so all state changes happen on the one worker, with
 * no lock); the rescuer answers the worker's faults (server/rescue.h),
 * among them a guarded copy's into a buffer that vanished.
 */
#include <proto/console_client.h>

#include "serve_internal.h"

static bool uart_ready(void *ctx)
{
    const struct console_service_state *st = ctx;
    return (st->uart[UART_LSR] & UART_LSR_THRE) != 0;
}

static void uart_put(void *ctx, uint8_t byte)
{
    const struct console_service_state *st = ctx;
    st->uart[UART_THR] = byte;
}

static int uart_get(void *ctx)
{
    const struct console_service_state *st = ctx;
    return (st->uart[UART_LSR] & UART_LSR_DR) ? st->uart[UART_RBR] : -1;
}

static void uart_want_ready(void *ctx, bool on)
{
    const struct console_service_state *st = ctx;
    st->uart[UART_IER] = (uint8_t)(UART_IER_RX | (on ? UART_IER_THRE : 0));
}

struct console_uart console_uart_16550(struct console_service_state *st)
{
    return (struct console_uart){ .ctx = st, .ready = uart_ready, .put = uart_put, .get = uart_get,
                                  .want_ready = uart_want_ready };
}

static void dispatch(void *server, const struct coffer_request *rq, struct coffer_reply *rp)
{
    console_handle(server, rq, rp);
}

void console_worker(uint64_t arg)
{
    struct console_service_state *st = (struct console_service_state *)(uintptr_t)arg;
    st->loop = (struct coffer_server_loop){
        .endpoint = CONSOLE_SELF(CONSOLE_S_ENDPOINT), .reply = CONSOLE_SELF(CONSOLE_S_REPLY), .buf = st->worker_buf,
        .recv_slot = CONSOLE_SELF(CONSOLE_S_RECEIVE), .recv_cnode = 0, .recv_depth = 64 - CONSOLE_LEAF_BITS,
        .recv_index = CONSOLE_S_RECEIVE, .self_cnode = CONSOLE_SELF(CONSOLE_S_CNODE), .dispatch = dispatch,
        .server = &st->server };
    st->waiting = true;
    coffer_serve(&st->loop);
}

void console_interrupt_thread(uint64_t arg)
{
    (void)arg;
    for (;;) {
        coffer_wait(CONSOLE_SELF(CONSOLE_S_IRQ_NOTE));
        console_interrupt(CONSOLE_SELF(CONSOLE_S_IRQ_EP));
        coffer_irq_handler_ack(CONSOLE_SELF(CONSOLE_S_IRQ));
    }
}

static bool worker_of(void *ctx, uint64_t badge, coffer_cptr_t *tcb, coffer_cptr_t *rescue_sc)
{
    (void)ctx;
    *tcb = CONSOLE_SELF(CONSOLE_S_TCB);
    *rescue_sc = CONSOLE_SELF(CONSOLE_S_RESCUE_SC);
    return CONSOLE_BADGE_KIND(badge) == CONSOLE_KIND_RESCUE;
}

void console_rescuer(uint64_t arg)
{
    struct console_service_state *st = (struct console_service_state *)(uintptr_t)arg;
    st->rescuer.endpoint = CONSOLE_SELF(CONSOLE_S_RESCUE_EP);
    st->rescuer.reply = CONSOLE_SELF(CONSOLE_S_RESCUE_REPLY);
    st->rescuer.worker = worker_of;
    coffer_rescue(&st->rescuer);
}
