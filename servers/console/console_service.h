/*
 * Starting the console server (serve.c runs it): threads of the starter's
 * address space with a CSpace of their own -- the worker, passive,
 * serving proto/console.def on its callers' time; the interrupt thread,
 * active on a small context of the server's, which turns the UART's
 * interrupts into INTERRUPT requests (the keyboard's bytes, and the
 * output a busy UART left queued, on the server's time); and the
 * rescuer, the worker's fault and timeout handler (server/rescue.h).  The
 * starter gives it an untyped for its own memory (fixed from then on:
 * own_bytes), a bank capability (for VERIFY), the UART -- a frame over its
 * registers and the handler of its line -- and gets back the admin
 * capability.
 */
#ifndef CONSOLE_SERVER_CONSOLE_SERVICE_H
#define CONSOLE_SERVER_CONSOLE_SERVICE_H

#include <coffer.h>

struct console_server;

#define CONSOLE_SERVICE_SLOTS 14 /* starter slots the service keeps, from first_slot */

struct console_service_config {
    coffer_cptr_t work_untyped; /* the server's own memory: at least 2^17 bytes */
    coffer_cptr_t bank;         /* any capability to a bank of the bank server (copied) */
    coffer_cptr_t uart_frame;   /* a 4 KiB frame over the UART's registers (moved to the server) */
    coffer_cptr_t uart_irq;     /* the handler of the UART's line (moved to the server) */
    uint64_t first_slot;        /* CONSOLE_SERVICE_SLOTS free slots of the starter's root CNode */
    uint64_t own_va;            /* its memory, the UART and the session window in the shared
                                   address space: 2 MiB aligned, 2 MiB free */
    uint8_t priority;
};

struct console_service {
    coffer_cptr_t admin;        /* the admin capability (the starter's slot) */
    coffer_cptr_t opener;       /* one that only opens output sessions: copies go to processes */
    coffer_cptr_t keyboard;     /* one that also opens the keyboard's session: for the shell */
    coffer_cptr_t worker, interrupts, rescuer; /* the threads (the starter's slots) */
    struct console_server *server; /* its state, for tests (same address space) */
    const volatile uint64_t *recoveries; /* guarded copies that faulted: buffers that vanished */
    const volatile uint64_t *stopped;    /* worker faults the rescuer could not answer (bugs) */
    volatile uint8_t *uart;     /* its mapping of the UART's registers, for tests (loopback) */
    uint64_t own_bytes;         /* what it took of work_untyped */
};

struct coffer_result console_service_start(const struct console_service_config *cfg, struct console_service *out);

/* The UART of the boot info (uart_paddr, uart_irq) for a config: a frame
 * over its registers from the device untyped holding them into slot
 * frame, its line's handler into slot irq (the caller's root CNode). */
struct coffer_result console_service_uart(coffer_cptr_t frame, coffer_cptr_t irq);

#endif
