/*
 * The console server's logic (proto/console.def, docs/console.md): its
 * sessions, the output buffers their clients pay for, the turn each gets
 * at the UART, and the keyboard's bytes.  The service around it
 * (console_service.h, serve.c) runs it on one passive worker; the UART
 * itself is behind struct console_uart, so the logic runs on the host
 * with a UART of the test's.
 *
 * Who pays: a session's output buffer -- one frame, bought at OPEN from
 * the bank the client hands over, mapped in the server's session window --
 * is the client's, and goes with its bank.  The server's own memory is
 * this state (CONSOLE_SESSIONS records, fixed at start), one page table
 * over the window, and its CSpace.  The server reads and writes a
 * client's buffer only with coffer_guarded_copy() (server/guarded.h): when
 * the buffer has vanished under it (the bank destroyed between two
 * instructions), the copy fails instead of faulting, and the session is
 * dropped; the metadata it needs to go on lives here, never in a buffer.
 *
 * Fair service: every session's bytes wait in its own buffer, and the
 * UART takes them in turn, one line -- at most CONSOLE_QUANTUM bytes -- a
 * session, so a client that floods fills only its own buffer (its WRITEs
 * then take less, and it waits for its ready notification) while every
 * other session's next line goes out within one round.
 *
 * The CSpace: a guarded root whose slot 0 is a leaf of 2^CONSOLE_LEAF_BITS
 * slots, so every cptr j names leaf slot j (CONSOLE_SELF).
 */
#ifndef CONSOLE_SERVER_CONSOLE_H
#define CONSOLE_SERVER_CONSOLE_H

#include <coffer.h>
#include <coffer/protocol.h>
#include <console/console.h>
#include <stdbool.h>
#include <stdint.h>

#define CONSOLE_SESSIONS 32          /* sessions at once, the table's size */
#define CONSOLE_BUFFER_BYTES COFFER_PAGE_SIZE /* a session's output buffer: one frame */
#define CONSOLE_QUANTUM 128          /* the most bytes a session's turn at the UART gives */
#define CONSOLE_INPUT_BYTES 256      /* the keyboard's bytes not read yet */
#define CONSOLE_ROOT_BITS 2
#define CONSOLE_LEAF_BITS 8

/* The badge of a capability to the server: who calls. */
#define CONSOLE_BADGE(kind, gen, index) ((uint64_t)(kind) << 28 | (uint64_t)((gen) & 0xfffffu) << 8 | (index))
#define CONSOLE_BADGE_KIND(b) ((unsigned)((b) >> 28) & 0xfu)
#define CONSOLE_BADGE_GEN(b) ((uint32_t)((b) >> 8) & 0xfffffu)
#define CONSOLE_BADGE_INDEX(b) ((unsigned)(b) & 0xffu)

/* The server's own slots (its leaf). */
#define CONSOLE_SELF(j) ((coffer_cptr_t)(j))
enum console_self_slot {
    CONSOLE_S_CNODE = 1,       /* its root CNode, guarded */
    CONSOLE_S_ENDPOINT = 2,    /* where requests arrive (unbadged) */
    CONSOLE_S_VSPACE = 3,      /* its address space (shared with its starter) */
    CONSOLE_S_BANK = 4,        /* a bank capability of the bank server's, for VERIFY */
    CONSOLE_S_REPLY = 5,       /* the worker's reply object */
    CONSOLE_S_RECEIVE = 6,     /* a request's capabilities: 6 and 7 */
    CONSOLE_S_TEMP = 8,
    CONSOLE_S_TCB = 9,         /* the worker */
    CONSOLE_S_RESCUE_EP = 10,  /* the worker's faults and timeouts (badged CONSOLE_KIND_RESCUE) */
    CONSOLE_S_RESCUE_REPLY = 11,
    CONSOLE_S_RESCUE_SC = 12,  /* what the rescuer lends the worker when its client's context dies */
    CONSOLE_S_IRQ = 13,        /* the UART's interrupt handler */
    CONSOLE_S_IRQ_NOTE = 14,   /* its notification, bound to the interrupt thread */
    CONSOLE_S_IRQ_EP = 15,     /* the interrupt thread's capability to the endpoint */
    CONSOLE_S_BUFFER = 64,     /* + i: session i's buffer frame (bought from its bank) */
    CONSOLE_S_READY = 96,      /* + i: session i's ready notification (the client's) */
    CONSOLE_S_SESSION_BANK = 128, /* + i: session i's bank, to free the buffer at CLOSE */
};

enum console_session_state { CONSOLE_FREE = 0, CONSOLE_OPEN = 1 };

struct console_session {
    uint32_t gen;          /* in its badge: bumped when it is forgotten */
    uint8_t state;         /* enum console_session_state */
    bool input;            /* it reads the keyboard */
    bool wants_room;       /* a WRITE found its buffer full: signal ready when it drains */
    uint8_t *buffer;       /* CONSOLE_BUFFER_BYTES of the client's, in the session window */
    uint64_t handle;       /* the buffer's handle in the client's bank */
    uint64_t head, tail;   /* bytes written to the UART, bytes taken: tail - head are queued */
    uint64_t full;         /* WRITEs that found the buffer full */
};

/* The UART, as the logic sees it (serve.c: a 16550; host tests: theirs). */
struct console_uart {
    void *ctx;
    bool (*ready)(void *ctx);              /* it can take a byte now */
    void (*put)(void *ctx, uint8_t byte);
    int (*get)(void *ctx);                 /* a byte received, or -1 */
    void (*want_ready)(void *ctx, bool on); /* interrupt when it can take bytes again, or not */
};

/* What the logic needs of the service (serve_start.c fills it). */
struct console_env {
    struct coffer_ipc_buffer *buf; /* the worker's IPC buffer */
    uint64_t window_va;            /* CONSOLE_SESSIONS pages, a page table in place, nothing mapped */
    struct console_uart uart;
};

struct console_server {
    struct console_env env;
    struct console_session sessions[CONSOLE_SESSIONS];
    unsigned turn;                 /* the session whose turn at the UART comes next */
    uint8_t input[CONSOLE_INPUT_BYTES];
    uint64_t input_head, input_tail;
    uint64_t opened, dropped;      /* sessions opened; keyboard bytes no one read in time */
    uint64_t vanished;             /* sessions whose buffer went under the server */
    uint64_t written;              /* bytes the UART took, of every session */
};

void console_server_init(struct console_server *s, const struct console_env *env);

/* Serve one request (the receive loop's dispatch function). */
void console_handle(struct console_server *s, const struct coffer_request *rq, struct coffer_reply *rp);

/* Give the UART what it takes of the sessions' bytes, a turn each
 * (WRITE, CLOSE and INTERRUPT call it). */
void console_pump(struct console_server *s);

#endif
