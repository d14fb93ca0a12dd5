/*
 * The sessions' bytes on their way to the UART, and the keyboard's on
 * theirs to the session that reads it (console.h).  A session's buffer is
 * a ring in the client's frame: tail - head bytes queued, at tail %
 * CONSOLE_BUFFER_BYTES the next free byte.  The counters live in the
 * session's record, in the server's memory; only the bytes are the
 * client's, and they are touched with guarded copies alone.
 */
#include <server/guarded.h>

#include "console_internal.h"

#define FLUSH_POLLS 100000u /* how long CLOSE waits for a busy UART, in polls */

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* Copy n bytes between the ring at offset pos and flat memory, in at most
 * two pieces (the ring wraps). */
static int ring_copy(uint8_t *ring, uint64_t pos, uint8_t *flat, uint64_t n, bool to_ring)
{
    uint64_t at = pos % CONSOLE_BUFFER_BYTES, first = min_u64(n, CONSOLE_BUFFER_BYTES - at);
    if (to_ring)
        return coffer_guarded_copy(ring + at, flat, first) != 0 || coffer_guarded_copy(ring, flat + first, n - first) != 0
                   ? -1
                   : 0;
    return coffer_guarded_copy(flat, ring + at, first) != 0 || coffer_guarded_copy(flat + first, ring, n - first) != 0
               ? -1
               : 0;
}

int console_queue(struct console_server *s, unsigned i, const uint8_t *text, uint64_t length, uint64_t *taken)
{
    struct console_session *c = &s->sessions[i];
    uint64_t n = min_u64(length, CONSOLE_BUFFER_BYTES - (c->tail - c->head));
    if (n < length) {
        c->full++;
        c->wants_room = true;
    }
    if (ring_copy(c->buffer, c->tail, (uint8_t *)(uintptr_t)text, n, true) != 0)
        return -1;
    c->tail += n;
    *taken = n;
    return 0;
}

/* Session i's turn: its next line, at most CONSOLE_QUANTUM bytes, as far
 * as the UART takes it.  -1: the buffer vanished. */
static int turn(struct console_server *s, unsigned i)
{
    struct console_session *c = &s->sessions[i];
    const struct console_uart *u = &s->env.uart;
    uint8_t line[CONSOLE_QUANTUM];
    uint64_t n = min_u64(CONSOLE_QUANTUM, c->tail - c->head);
    if (ring_copy(c->buffer, c->head, line, n, false) != 0)
        return -1;
    for (uint64_t k = 0; k < n; k++)
        if (line[k] == '\n') {
            n = k + 1;
            break;
        }
    uint64_t put = 0;
    for (; put < n && u->ready(u->ctx); put++)
        u->put(u->ctx, line[put]);
    c->head += put;
    s->written += put;
    if (c->wants_room && c->tail - c->head <= CONSOLE_BUFFER_BYTES - CONSOLE_TEXT_BYTES) {
        c->wants_room = false;
        coffer_signal(CONSOLE_SELF(CONSOLE_S_READY + i));
    }
    return 0;
}

static bool queued(const struct console_session *c)
{
    return c->state == CONSOLE_OPEN && c->tail != c->head;
}

void console_pump(struct console_server *s)
{
    const struct console_uart *u = &s->env.uart;
    /* Round the sessions, a turn each, until a whole round finds nothing
     * queued or the UART is busy. */
    for (unsigned idle = 0; idle < CONSOLE_SESSIONS && u->ready(u->ctx);) {
        unsigned i = s->turn;
        s->turn = (i + 1) % CONSOLE_SESSIONS;
        if (!queued(&s->sessions[i])) {
            idle++;
            continue;
        }
        idle = 0;
        if (turn(s, i) != 0)
            console_vanished(s, i);
    }
    bool left = false;
    for (unsigned i = 0; i < CONSOLE_SESSIONS; i++)
        left = left || queued(&s->sessions[i]);
    u->want_ready(u->ctx, left); /* the rest at the UART's interrupt, on the server's time */
}

void console_flush(struct console_server *s, unsigned i)
{
    const struct console_uart *u = &s->env.uart;
    for (unsigned polls = 0; queued(&s->sessions[i]) && polls < FLUSH_POLLS; polls++)
        if (u->ready(u->ctx) && turn(s, i) != 0)
            return; /* vanished: CLOSE forgets it anyway */
}

/* The session that reads the keyboard, or -1. */
int console_reader(const struct console_server *s)
{
    for (unsigned i = 0; i < CONSOLE_SESSIONS; i++)
        if (s->sessions[i].state == CONSOLE_OPEN && s->sessions[i].input)
            return (int)i;
    return -1;
}

void console_receive(struct console_server *s)
{
    const struct console_uart *u = &s->env.uart;
    int r = console_reader(s);
    bool arrived = false;
    for (int byte; (byte = u->get(u->ctx)) >= 0;) {
        if (r < 0 || s->input_tail - s->input_head == CONSOLE_INPUT_BYTES) {
            s->dropped++;
            continue;
        }
        s->input[s->input_tail++ % CONSOLE_INPUT_BYTES] = (uint8_t)byte;
        arrived = true;
    }
    if (arrived)
        coffer_signal(CONSOLE_SELF(CONSOLE_S_READY + (unsigned)r));
}
