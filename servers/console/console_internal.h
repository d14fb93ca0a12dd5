/*
 * What the console logic's two files share (console.c, the requests;
 * console_output.c, the bytes' way to and from the UART).
 */
#ifndef CONSOLE_SERVER_CONSOLE_INTERNAL_H
#define CONSOLE_SERVER_CONSOLE_INTERNAL_H

#include "console.h"

struct coffer_result console_ok(void);
struct coffer_result console_fail(uint64_t error, uint64_t d0, uint64_t d1);

/* Queue up to length bytes of text on session i's buffer (as many as it
 * has room for: *taken).  -1: the buffer vanished. */
int console_queue(struct console_server *s, unsigned i, const uint8_t *text, uint64_t length, uint64_t *taken);
/* Write session i's queued bytes out of turn (CLOSE): all of them, unless
 * the UART stays busy too long or the buffer vanishes. */
void console_flush(struct console_server *s, unsigned i);
/* Move what the UART received to the keyboard's bytes, for the session
 * that reads them (signalled). */
void console_receive(struct console_server *s);
/* The session that reads the keyboard, or -1. */
int console_reader(const struct console_server *s);

void console_forget(struct console_server *s, unsigned i);
void console_vanished(struct console_server *s, unsigned i);

#endif
