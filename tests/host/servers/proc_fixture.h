/*
 * What the process manager's host tests share (test_proc.c,
 * test_proc_image.c, test_proc_text.c): SPAWN texts written the way a
 * spawner writes them, and the server driven through its dispatcher.
 */
#ifndef TESTS_HOST_SERVERS_PROC_FIXTURE_H
#define TESTS_HOST_SERVERS_PROC_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coffer/protocol.h>

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


/* The server under test and what a request found (to tell that a
 * refusal changed nothing): test_proc.c and test_proc_image.c drive it
 * through its dispatcher, as the receive loop would. */
#define SPAWN_WORDS 52 /* proto/proc.def: four words, then 48 of text */
#define TEXT_WORDS (PROC_TEXT_BYTES / 8)
#define CAP_BANK 11    /* where a request's capabilities "arrived" (PROC_S_RECEIVE) */
#define CAP_EXITS 12
#define CAP_IMAGE 13   /* SPAWN_FRAME's third */
#define FRAME_WORDS 53 /* SPAWN_FRAME: five words, then the text */
#define INIT PROC_BADGE(PROC_KIND_INIT, 0, 0)
#define RELAY PROC_BADGE(PROC_KIND_RELAY, 0, 0)

extern struct proc_server server;
extern struct coffer_ipc_buffer ipc; /* the worker's: VERIFY writes its capability here */
extern struct proc_server before;
extern uint64_t syscalls_before;

/* A fresh server on a boot image (none: NULL, 0). */
void fresh(const void *archive, size_t size);

/* Hand-made entries (no process behind them, bank_alive false), spawned
 * by init (parent 0), so that no one reaps them but their WAIT. */
enum { E_SELF = 5, E_BUILT = 6, E_RUNNING = 7, E_FREE = 9, E_GEN = 3 };
void add_entry(unsigned i, enum proc_state state);
/* A server with a boot image and the three hand-made entries. */
void setup(const void *archive, size_t size);

#define INIT PROC_BADGE(PROC_KIND_INIT, 0, 0)
#define RELAY PROC_BADGE(PROC_KIND_RELAY, 0, 0)
#define SELF(i) PROC_BADGE(PROC_KIND_SELF, E_GEN, (i))
#define HANDLE(i) PROC_BADGE(PROC_KIND_HANDLE, E_GEN, (i))

/* One request as the receive loop hands it over: `length` words of w,
 * `ncaps` capabilities in the receive slots. */
struct coffer_reply call(uint64_t badge, uint64_t label, const uint64_t *w, unsigned length, unsigned ncaps);
/* An operation of `length` zero words (enough for any but SPAWN). */
struct coffer_reply simple(uint64_t badge, uint64_t label, unsigned length, unsigned ncaps);
struct coffer_reply grant(uint64_t badge, uint64_t slot);
bool reply_is(struct coffer_reply rp, uint64_t error, uint64_t d0, uint64_t d1);
bool unchanged(void);
/* A refusal before anything: this error, the server as it was, no system call. */
bool refused(struct coffer_reply rp, uint64_t error, uint64_t d0, uint64_t d1);

/* SPAWN's arguments, packed by spawn_call as proto/proc.def lays them out. */
struct spawn {
    uint64_t priority, mcp, flags, argc, envc, budget_us, period_us, limit;
    uint8_t text[PROC_TEXT_BYTES];
};
/* Well within init's authority and anyone's with 50/50 and 10%. */
struct spawn spawn_default(const char *image);
/* The same with a text that fails the text check (an empty image name):
 * BAD_TEXT(4) means everything before the text passed. */
struct spawn spawn_past_arguments(void);
struct coffer_reply spawn_call(uint64_t badge, const struct spawn *sp);

#endif
