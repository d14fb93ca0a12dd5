/* The process manager's host tests' texts (proc_fixture.h). */
#include <process/spawn_text.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <proto/proc_server.h>

#include "host_syscalls.h"
#include "proc_fixture.h"
#include "tap.h"

unsigned proc_test_text(uint8_t *out, const char *const *strings, unsigned n)
{
    memset(out, 0, PROC_TEXT_BYTES);
    size_t len = process_spawn_text((char *)out, strings, n);
    if (len == 0 && n > 0) {
        fprintf(stderr, "test_proc: a test text does not fit\n");
        exit(2);
    }
    return (unsigned)len;
}

uint8_t *proc_test_text_alloc(void)
{
    uint8_t *t = malloc(PROC_TEXT_BYTES);
    if (t == NULL)
        exit(2);
    return t;
}

/* ---- the dispatcher, as test_proc.c and test_proc_image.c drive it */

struct proc_server server;
struct coffer_ipc_buffer ipc; /* the worker's: VERIFY writes its capability here */

/* What a request found, to tell that a refusal changed nothing. */
struct proc_server before;
uint64_t syscalls_before;

void fresh(const void *archive, size_t size)
{
    struct proc_env env = { .buf = &ipc, .scratch_va = 0, .boot_image = archive, .boot_image_size = size };
    proc_server_init(&server, &env);
}

/* Hand-made entries (no process behind them, bank_alive false), spawned
 * by init (parent 0), so that no one reaps them but their WAIT. */

void add_entry(unsigned i, enum proc_state state)
{
    server.procs[i] = (struct proc_entry){ .gen = E_GEN, .state = (uint8_t)state, .priority = 50, .mcp = 50,
                                           .pid = 100 + i, .parent = 0, .budget_us = 1000, .period_us = 10000,
                                           .limit = 1u << 20 };
    strcpy(server.procs[i].name, "hand-made");
}

/* A server with a boot image and the three hand-made entries. */
void setup(const void *archive, size_t size)
{
    fresh(archive, size);
    add_entry(E_SELF, PROC_STATE_RUNNING);
    add_entry(E_BUILT, PROC_STATE_BUILT);
    add_entry(E_RUNNING, PROC_STATE_RUNNING);
}


/* One request as the receive loop hands it over: `length` words of w,
 * `ncaps` capabilities in the receive slots. */
struct coffer_reply call(uint64_t badge, uint64_t label, const uint64_t *w, unsigned length, unsigned ncaps)
{
    struct coffer_request rq = { .badge = badge, .label = label, .length = length, .ncaps = ncaps, .mr = w,
                                 .caps = { CAP_BANK, CAP_EXITS, CAP_IMAGE } };
    struct coffer_reply rp;
    memset(&rp, 0xa5, sizeof rp); /* the dispatcher must set what it returns */
    memcpy(&before, &server, sizeof server);
    syscalls_before = host_syscalls_made;
    proc_handle(&server, &rq, &rp);
    return rp;
}

/* An operation of `length` zero words (enough for any but SPAWN). */
struct coffer_reply simple(uint64_t badge, uint64_t label, unsigned length, unsigned ncaps)
{
    static const uint64_t zeros[SPAWN_WORDS];
    return call(badge, label, zeros, length, ncaps);
}

struct coffer_reply grant(uint64_t badge, uint64_t slot)
{
    uint64_t w[1] = { slot };
    return call(badge, PROC_OP_GRANT, w, 1, 1);
}

bool reply_is(struct coffer_reply rp, uint64_t error, uint64_t d0, uint64_t d1)
{
    bool ok = rp.error == error && rp.length == 2 && rp.ncaps == 0 && rp.mr[0] == d0 && rp.mr[1] == d1;
    if (!ok)
        tap_diag("reply 0x%llx (%u words: 0x%llx, 0x%llx), expected 0x%llx (0x%llx, 0x%llx)",
                 (unsigned long long)rp.error, rp.length, (unsigned long long)rp.mr[0], (unsigned long long)rp.mr[1],
                 (unsigned long long)error, (unsigned long long)d0, (unsigned long long)d1);
    return ok;
}

bool unchanged(void)
{
    bool same = memcmp(&before, &server, sizeof server) == 0;
    if (!same)
        tap_diag("the server's state changed");
    return same;
}

/* A refusal before anything: this error, the server as it was, no system call. */
bool refused(struct coffer_reply rp, uint64_t error, uint64_t d0, uint64_t d1)
{
    bool quiet = host_syscalls_made == syscalls_before;
    if (!quiet)
        tap_diag("%llu system calls made", (unsigned long long)(host_syscalls_made - syscalls_before));
    return reply_is(rp, error, d0, d1) && unchanged() && quiet;
}


/* Well within init's authority and anyone's with 50/50 and 10%. */
struct spawn spawn_default(const char *image)
{
    struct spawn sp = { .priority = 10, .mcp = 10, .budget_us = 1000, .period_us = 10000, .limit = ~0ull };
    TEXT(sp.text, image, "prog");
    return sp;
}

/* The same with a text that fails the text check (an empty image name):
 * BAD_TEXT(4) means everything before the text passed. */
struct spawn spawn_past_arguments(void)
{
    return spawn_default("");
}

struct coffer_reply spawn_call(uint64_t badge, const struct spawn *sp)
{
    uint64_t w[SPAWN_WORDS];
    w[0] = sp->priority | sp->mcp << 8 | sp->flags << 16 | sp->argc << 24 | sp->envc << 32;
    w[1] = sp->budget_us;
    w[2] = sp->period_us;
    w[3] = sp->limit;
    coffer_proto_put_text(&w[4], TEXT_WORDS, sp->text, PROC_TEXT_BYTES);
    return call(badge, PROC_OP_SPAWN, w, SPAWN_WORDS, 2);
}
