/*
 * lib/console: what a client of the console server (proto/console.def,
 * docs/console.md) needs besides the generated <proto/console_client.h>:
 * the size of a WRITE's or READ's text, OPEN's flags, and the kinds of
 * capability to the server that CONSOLE_WRONG_KIND reports.
 */
#ifndef CONSOLE_CONSOLE_H
#define CONSOLE_CONSOLE_H

#define CONSOLE_TEXT_BYTES 256 /* one WRITE's or READ's text */

/* OPEN's flags. */
#define CONSOLE_OPEN_INPUT 1u /* the session reads the keyboard (the admin and keyboard capabilities only) */
#define CONSOLE_OPEN_FLAGS CONSOLE_OPEN_INPUT

/* Who calls: the kind in a capability's badge. */
enum console_badge_kind {
    CONSOLE_KIND_ADMIN = 1,   /* init's: opens sessions, one of them reading the keyboard */
    CONSOLE_KIND_SESSION = 2, /* a session's own: writes, reads, closes; opens output sessions */
    CONSOLE_KIND_IRQ = 3,     /* the server's interrupt thread (INTERRUPT) */
    CONSOLE_KIND_RESCUE = 4,  /* the worker's faults, on the rescue endpoint */
    CONSOLE_KIND_OPENER = 5,  /* opens output sessions, nothing else: what init grants a process */
    CONSOLE_KIND_KEYBOARD = 6, /* opens sessions, one of them reading the keyboard: what init grants a shell */
};

#endif
