/*
 * What the console server's two halves share (serve.c, its three threads
 * at run time; serve_start.c, building them): its state at the start of
 * its own memory, the UART's registers, the threads' entry points.
 */
#ifndef CONSOLE_SERVER_SERVE_INTERNAL_H
#define CONSOLE_SERVER_SERVE_INTERNAL_H

#include <server/rescue.h>
#include <server/serve.h>

#include "console.h"
#include "console_service.h"

#define CONSOLE_STACK_BYTES ((uint64_t)16 << 10)

/* The 16550's registers (bytes apart on QEMU virt) and bits. */
enum { UART_RBR = 0, UART_THR = 0, UART_IER = 1, UART_LSR = 5 };
#define UART_IER_RX 0x1u
#define UART_IER_THRE 0x2u
#define UART_LSR_DR 0x1u
#define UART_LSR_THRE 0x20u

struct console_service_state {
    struct console_server server;
    struct coffer_server_loop loop;
    struct coffer_rescuer rescuer;
    struct coffer_ipc_buffer *worker_buf;
    volatile uint8_t *uart;
    bool waiting; /* the worker reached its receive */
};

/* The logic's UART: the 16550 at st->uart. */
struct console_uart console_uart_16550(struct console_service_state *st);

void console_worker(uint64_t arg); /* arg: the struct console_service_state */
void console_interrupt_thread(uint64_t arg);
void console_rescuer(uint64_t arg);

#endif
