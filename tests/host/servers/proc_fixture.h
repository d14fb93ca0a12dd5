/*
 * What the process manager's host tests share (test_proc.c,
 * test_proc_text.c): SPAWN texts written the way a spawner writes them.
 */
#ifndef TESTS_HOST_SERVERS_PROC_FIXTURE_H
#define TESTS_HOST_SERVERS_PROC_FIXTURE_H

#include <stdint.h>

#include "proc.h"

/* Write n strings, each with its NUL, then zeros, into the PROC_TEXT_BYTES
 * at out (process_spawn_text, the spawners' own); returns the bytes the
 * strings took.  A test text that does not fit ends the test (status 2). */
unsigned proc_test_text(uint8_t *out, const char *const *strings, unsigned n);
#define TEXT(out, ...)                                                                                             \
    proc_test_text((out), (const char *const[]){ __VA_ARGS__ },                                                   \
                   (unsigned)(sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *)))

/* A text buffer of exactly PROC_TEXT_BYTES on the heap: ASan sees a read
 * past the text as a read past the buffer. */
uint8_t *proc_test_text_alloc(void);

#endif
