/*
 * The process manager's logic (servers/proc: proc.c, proc_build.c) on the
 * host, through its generated dispatcher: every refusal the handlers make
 * before they act, and the bookkeeping of ending and reaping on entries
 * made by hand.  SPAWN's text parser has test_proc_text.c.
 *
 * No kernel objects stand behind the server here: host_syscalls_use() is
 * never called, so every invocation fails with ILLEGAL_OPERATION and
 * every IPC call (the bank's VERIFY) too.  That is enough, because each
 * handler checks everything before it touches a capability; it is also a
 * check of that order: a refusal must leave the server's state exactly as
 * it was and, before the bank is asked, make no system call at all.
 * Hand-made entries have bank_alive false, which keeps sweep(), INFO and
 * the ending paths from asking the kernel about banks that do not exist.
 */
#include <stdlib.h>
#include <string.h>

#include <loader/load_plan.h>
#include <process/layout.h>
#include <proto/proc_server.h>

#include "host_syscalls.h"
#include "image/elf_builder.h"
#include "proc.h"
#include "proc_fixture.h"
#include "tap.h"
#include "test_util.h"

/* Requests of the wrong shape are refused before a handler runs: the
 * badges here would get other errors from the handlers. */
static void test_shapes(void)
{
    setup(NULL, 0);
    tap_ok(refused(simple(INIT, PROC_OP_SPAWN, SPAWN_WORDS - 1, 2), COFFER_ERR_PROTO_BAD_MESSAGE, SPAWN_WORDS, 2),
           "SPAWN: 51 words is PROTO_BAD_MESSAGE(52, 2)");
    tap_ok(refused(simple(INIT, PROC_OP_SPAWN, SPAWN_WORDS, 1), COFFER_ERR_PROTO_BAD_MESSAGE, SPAWN_WORDS, 2),
           "SPAWN: one capability is PROTO_BAD_MESSAGE(52, 2)");
    tap_ok(refused(simple(INIT, PROC_OP_GRANT, 1, 0), COFFER_ERR_PROTO_BAD_MESSAGE, 1, 1),
           "GRANT: no capability is PROTO_BAD_MESSAGE(1, 1)");
    tap_ok(refused(simple(INIT, PROC_OP_GRANT, 0, 1), COFFER_ERR_PROTO_BAD_MESSAGE, 1, 1),
           "GRANT: no word is PROTO_BAD_MESSAGE(1, 1)");
    static const uint64_t no_words[] = { PROC_OP_START, PROC_OP_WAIT, PROC_OP_KILL, PROC_OP_INFO };
    for (unsigned k = 0; k < 4; k++) {
        tap_okf(refused(simple(INIT, no_words[k], 1, 0), COFFER_ERR_PROTO_BAD_MESSAGE, 0, 0) &&
                    refused(simple(INIT, no_words[k], 0, 1), COFFER_ERR_PROTO_BAD_MESSAGE, 0, 0),
                "label %llu: a word or a capability is PROTO_BAD_MESSAGE(0, 0)", (unsigned long long)no_words[k]);
    }
    tap_ok(refused(simple(INIT, PROC_OP_EXIT, 0, 0), COFFER_ERR_PROTO_BAD_MESSAGE, 1, 0) &&
               refused(simple(INIT, PROC_OP_EXIT, 2, 0), COFFER_ERR_PROTO_BAD_MESSAGE, 1, 0),
           "EXIT: no word, two words: PROTO_BAD_MESSAGE(1, 0)");
    tap_ok(refused(simple(INIT, PROC_OP_FAULTED, 3, 0), COFFER_ERR_PROTO_BAD_MESSAGE, 4, 0) &&
               refused(simple(INIT, PROC_OP_FAULTED, 4, 1), COFFER_ERR_PROTO_BAD_MESSAGE, 4, 0),
           "FAULTED: three words, a capability: PROTO_BAD_MESSAGE(4, 0)");
}

static void test_unknown(void)
{
    setup(NULL, 0);
    tap_ok(refused(simple(INIT, 0, 0, 0), COFFER_ERR_PROTO_UNKNOWN_OP, 0, 0), "label 0 is PROTO_UNKNOWN_OP(0)");
    tap_ok(refused(simple(INIT, 13, 1, 0), COFFER_ERR_PROTO_UNKNOWN_OP, 13, 0), "label 13 is PROTO_UNKNOWN_OP(13)");
    tap_ok(refused(simple(RELAY, PROC_OP_REAP, 1, 0), COFFER_ERR_PROTO_BAD_MESSAGE, 0, 0),
           "REAP with a word is PROTO_BAD_MESSAGE(0, 0)");
    tap_ok(refused(simple(INIT, PROC_OP_REAP, 0, 0), COFFER_ERR_PROC_WRONG_KIND, PROC_KIND_INIT, 0) &&
               refused(simple(PROC_BADGE(PROC_KIND_SELF, E_GEN, E_SELF), PROC_OP_REAP, 0, 0), COFFER_ERR_PROC_WRONG_KIND,
                       PROC_KIND_SELF, 0),
           "REAP from anyone but the fault thread is PROC_WRONG_KIND");
    tap_ok(refused(simple(HANDLE(E_BUILT), 1u << 20, 0, 0), COFFER_ERR_PROTO_UNKNOWN_OP, 1u << 20, 0),
           "label 2^20 is PROTO_UNKNOWN_OP(2^20)");
}

/* START, WAIT, KILL, INFO and GRANT take a handle (INFO a process's own
 * capability too): another kind of badge is PROC_WRONG_KIND with the kind
 * it is. */
static void test_handle_ops_kinds(void)
{
    setup(NULL, 0);
    static const uint64_t ops[] = { PROC_OP_START, PROC_OP_WAIT, PROC_OP_KILL, PROC_OP_INFO };
    static const char *const names[] = { "START", "WAIT", "KILL", "INFO" };
    for (unsigned k = 0; k < 4; k++) {
        tap_okf(refused(simple(INIT, ops[k], 0, 0), COFFER_ERR_PROC_WRONG_KIND, 1, 0),
                "%s with init's badge: PROC_WRONG_KIND(1)", names[k]);
        if (ops[k] != PROC_OP_INFO)
            tap_okf(refused(simple(SELF(E_SELF), ops[k], 0, 0), COFFER_ERR_PROC_WRONG_KIND, 2, 0),
                    "%s with a process's own badge: PROC_WRONG_KIND(2)", names[k]);
    }
    tap_ok(refused(grant(INIT, 0), COFFER_ERR_PROC_WRONG_KIND, 1, 0), "GRANT with init's badge: PROC_WRONG_KIND(1)");
    tap_ok(refused(grant(SELF(E_SELF), 0), COFFER_ERR_PROC_WRONG_KIND, 2, 0),
           "GRANT with a process's own badge: PROC_WRONG_KIND(2)");
}

/* A handle naming no process: a free entry, an older generation, an
 * index past the table. */
static void test_handle_ops_gone(void)
{
    setup(NULL, 0);
    static const uint64_t ops[] = { PROC_OP_START, PROC_OP_WAIT, PROC_OP_KILL, PROC_OP_INFO };
    static const char *const names[] = { "START", "WAIT", "KILL", "INFO" };
    const uint64_t stale = PROC_BADGE(PROC_KIND_HANDLE, E_GEN - 1, E_BUILT);
    const uint64_t past = PROC_BADGE(PROC_KIND_HANDLE, 0, PROC_MAX);
    for (unsigned k = 0; k < 4; k++) {
        tap_okf(refused(simple(PROC_BADGE(PROC_KIND_HANDLE, 0, E_FREE), ops[k], 0, 0), COFFER_ERR_PROC_GONE, 0, 0),
                "%s with a handle to a free entry: PROC_GONE", names[k]);
        tap_okf(refused(simple(stale, ops[k], 0, 0), COFFER_ERR_PROC_GONE, 0, 0) &&
                    refused(simple(past, ops[k], 0, 0), COFFER_ERR_PROC_GONE, 0, 0),
                "%s with a stale generation, with index PROC_MAX: PROC_GONE", names[k]);
    }
    tap_ok(refused(grant(PROC_BADGE(PROC_KIND_HANDLE, 0, E_FREE), 0), COFFER_ERR_PROC_GONE, 0, 0) &&
               refused(grant(stale, 0), COFFER_ERR_PROC_GONE, 0, 0),
           "GRANT with a handle to a free entry, with a stale generation: PROC_GONE");
}

/* The state a handle's operation needs. */
static void test_handle_ops_states(void)
{
    setup(NULL, 0);
    tap_ok(refused(simple(HANDLE(E_BUILT), PROC_OP_WAIT, 0, 0), COFFER_ERR_PROC_RUNNING, 0, 0),
           "WAIT on a process not started: PROC_RUNNING");
    tap_ok(refused(simple(HANDLE(E_RUNNING), PROC_OP_WAIT, 0, 0), COFFER_ERR_PROC_RUNNING, 0, 0),
           "WAIT on a running process: PROC_RUNNING");
    tap_ok(refused(simple(HANDLE(E_RUNNING), PROC_OP_START, 0, 0), COFFER_ERR_PROC_STARTED, 0, 0),
           "START on a running process: PROC_STARTED");
    tap_ok(refused(grant(HANDLE(E_BUILT), PROCESS_GRANTED_SLOTS), COFFER_ERR_PROC_BAD_ARGUMENT, 2, 0) &&
               refused(grant(HANDLE(E_BUILT), 255), COFFER_ERR_PROC_BAD_ARGUMENT, 2, 0),
           "GRANT to slot 8, to slot 255: PROC_BAD_ARGUMENT(2)");
    tap_ok(refused(grant(HANDLE(E_RUNNING), 0), COFFER_ERR_PROC_STARTED, 0, 0),
           "GRANT to a running process: PROC_STARTED");
    server.procs[E_BUILT].state = PROC_STATE_ENDED;
    tap_ok(refused(simple(HANDLE(E_BUILT), PROC_OP_START, 0, 0), COFFER_ERR_PROC_STARTED, 0, 0) &&
               refused(grant(HANDLE(E_BUILT), 0), COFFER_ERR_PROC_STARTED, 0, 0),
           "START and GRANT on a process that ended: PROC_STARTED");
}

/* FAULTS: a handle's, before START, with an endpoint. */
static void test_faults(void)
{
    setup(NULL, 0);
    tap_ok(refused(simple(INIT, PROC_OP_FAULTS, 0, 0), COFFER_ERR_PROTO_BAD_MESSAGE, 0, 1),
           "FAULTS without a capability: PROTO_BAD_MESSAGE(0, 1)");
    tap_ok(refused(simple(INIT, PROC_OP_FAULTS, 0, 1), COFFER_ERR_PROC_WRONG_KIND, 1, 0) &&
               refused(simple(SELF(E_SELF), PROC_OP_FAULTS, 0, 1), COFFER_ERR_PROC_WRONG_KIND, 2, 0),
           "FAULTS with init's badge, a process's own: PROC_WRONG_KIND(1), (2)");
    tap_ok(refused(simple(PROC_BADGE(PROC_KIND_HANDLE, E_GEN - 1, E_BUILT), PROC_OP_FAULTS, 0, 1),
                   COFFER_ERR_PROC_GONE, 0, 0),
           "FAULTS with a stale handle: PROC_GONE");
    tap_ok(refused(simple(HANDLE(E_RUNNING), PROC_OP_FAULTS, 0, 1), COFFER_ERR_PROC_STARTED, 0, 0),
           "FAULTS on a running process: PROC_STARTED");
    struct coffer_reply rp = simple(HANDLE(E_BUILT), PROC_OP_FAULTS, 0, 1);
    tap_ok(reply_is(rp, COFFER_ERR_PROC_BAD_ARGUMENT, 4, 0) && unchanged() &&
               host_syscalls_made == syscalls_before + 1,
           "FAULTS on a built process asks what the capability is (IDENTIFY, which fails on the host: "
           "PROC_BAD_ARGUMENT(4)), nothing changed");
}

/* EXIT is a process's own; FAULTED the fault thread's. */
static void test_exit_faulted_kinds(void)
{
    setup(NULL, 0);
    uint64_t w[4] = { PROC_BADGE(PROC_KIND_FAULT, E_GEN, E_RUNNING), COFFER_FAULT_MEMORY, 0x10040, 0 };
    tap_ok(refused(simple(HANDLE(E_RUNNING), PROC_OP_EXIT, 1, 0), COFFER_ERR_PROC_WRONG_KIND, 3, 0),
           "EXIT with a handle: PROC_WRONG_KIND(3)");
    tap_ok(refused(simple(INIT, PROC_OP_EXIT, 1, 0), COFFER_ERR_PROC_WRONG_KIND, 1, 0),
           "EXIT with init's badge: PROC_WRONG_KIND(1)");
    tap_ok(refused(simple(PROC_BADGE(PROC_KIND_SELF, E_GEN - 1, E_SELF), PROC_OP_EXIT, 1, 0), COFFER_ERR_PROC_GONE,
                   0, 0),
           "EXIT with a stale process badge: PROC_GONE");
    static const unsigned kinds[] = { PROC_KIND_INIT, PROC_KIND_SELF, PROC_KIND_HANDLE, PROC_KIND_FAULT,
                                      PROC_KIND_RESCUE };
    for (unsigned k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        tap_okf(refused(call(PROC_BADGE(kinds[k], E_GEN, E_RUNNING), PROC_OP_FAULTED, w, 4, 0),
                        COFFER_ERR_PROC_WRONG_KIND, kinds[k], 0),
                "FAULTED from a badge of kind %u, not the relay: PROC_WRONG_KIND(%u), the process runs on", kinds[k],
                kinds[k]);
}

/* Who may spawn: init, and a running process within its own authority. */
static void test_spawn_kinds(void)
{
    setup(NULL, 0);
    struct spawn sp = spawn_past_arguments();
    tap_ok(refused(spawn_call(HANDLE(E_RUNNING), &sp), COFFER_ERR_PROC_WRONG_KIND, 3, 0),
           "SPAWN with a handle: PROC_WRONG_KIND(3)");
    tap_ok(refused(spawn_call(PROC_BADGE(PROC_KIND_FAULT, E_GEN, E_RUNNING), &sp), COFFER_ERR_PROC_WRONG_KIND, 4, 0),
           "SPAWN with a fault badge: PROC_WRONG_KIND(4)");
    tap_ok(refused(spawn_call(PROC_BADGE(PROC_KIND_SELF, E_GEN + 1, E_SELF), &sp), COFFER_ERR_PROC_GONE, 0, 0),
           "SPAWN with a process badge of another generation: PROC_GONE");
    tap_ok(refused(spawn_call(SELF(E_BUILT), &sp), COFFER_ERR_PROC_GONE, 0, 0),
           "SPAWN with the badge of a process not running: PROC_GONE");
    tap_ok(refused(spawn_call(PROC_BADGE(PROC_KIND_SELF, 0, E_FREE), &sp), COFFER_ERR_PROC_GONE, 0, 0),
           "SPAWN with the badge of a free entry: PROC_GONE");
}

static void test_spawn_arguments(void)
{
    setup(NULL, 0);
    struct spawn sp = spawn_past_arguments();
    sp.flags = 4;
    tap_ok(refused(spawn_call(INIT, &sp), COFFER_ERR_PROC_BAD_ARGUMENT, 0, 0), "SPAWN flags 4: PROC_BAD_ARGUMENT(0)");
    sp.flags = 0xff;
    tap_ok(refused(spawn_call(INIT, &sp), COFFER_ERR_PROC_BAD_ARGUMENT, 0, 0),
           "SPAWN flags 0xff: PROC_BAD_ARGUMENT(0)");
    sp = spawn_past_arguments();
    sp.budget_us = 0;
    tap_ok(refused(spawn_call(INIT, &sp), COFFER_ERR_PROC_BAD_ARGUMENT, 1, 0), "SPAWN budget 0: PROC_BAD_ARGUMENT(1)");
    sp.budget_us = 20000;
    tap_ok(refused(spawn_call(INIT, &sp), COFFER_ERR_PROC_BAD_ARGUMENT, 1, 0),
           "SPAWN budget 20 ms of a 10 ms period: PROC_BAD_ARGUMENT(1)");
    sp.budget_us = 1000;
    sp.period_us = 3600000001ull;
    tap_ok(refused(spawn_call(INIT, &sp), COFFER_ERR_PROC_BAD_ARGUMENT, 1, 0),
           "SPAWN period 3600000001 us, past the kernel's most: PROC_BAD_ARGUMENT(1)");
    sp.budget_us = 99;
    sp.period_us = 10000;
    tap_ok(refused(spawn_call(INIT, &sp), COFFER_ERR_PROC_BAD_ARGUMENT, 1, 0),
           "SPAWN budget 99 us, below the kernel's 100: PROC_BAD_ARGUMENT(1)");

    /* The edges that are allowed reach the text check. */
    sp = spawn_past_arguments();
    sp.flags = PROC_SPAWN_START;
    sp.budget_us = 100;
    tap_ok(refused(spawn_call(INIT, &sp), COFFER_ERR_PROC_BAD_TEXT, 4, 0),
           "SPAWN PROC_SPAWN_START, budget 100 us: the arguments pass (to the text's PROC_BAD_TEXT(4))");
    sp.budget_us = sp.period_us = 3600000000ull;
    tap_ok(refused(spawn_call(INIT, &sp), COFFER_ERR_PROC_BAD_TEXT, 4, 0),
           "SPAWN the whole CPU over 3600000000 us: the arguments pass");
    sp = spawn_past_arguments();
    sp.priority = sp.mcp = 255;
    tap_ok(refused(spawn_call(INIT, &sp), COFFER_ERR_PROC_BAD_TEXT, 4, 0),
           "SPAWN by init at priority and MCP 255: the arguments pass");
}

/* A process spawns with at most its own: entry E_SELF has MCP 50 and
 * 1000 us per 10000 (100000 millionths). */
static void test_spawn_authority(void)
{
    setup(NULL, 0);
    struct spawn sp = spawn_past_arguments();
    sp.priority = 60;
    tap_ok(refused(spawn_call(SELF(E_SELF), &sp), COFFER_ERR_PROC_AUTHORITY, 0, 50),
           "SPAWN at priority 60 by a process of MCP 50: PROC_AUTHORITY(0, 50)");
    sp.priority = 50;
    sp.mcp = 60;
    tap_ok(refused(spawn_call(SELF(E_SELF), &sp), COFFER_ERR_PROC_AUTHORITY, 1, 50),
           "SPAWN with MCP 60 by a process of MCP 50: PROC_AUTHORITY(1, 50)");
    sp.mcp = 50;
    sp.budget_us = 2000;
    tap_ok(refused(spawn_call(SELF(E_SELF), &sp), COFFER_ERR_PROC_AUTHORITY, 2, 100000),
           "SPAWN with 2000/10000 by a process of 1000/10000: PROC_AUTHORITY(2, 100000)");
    sp.budget_us = 101;
    sp.period_us = 1000;
    tap_ok(refused(spawn_call(SELF(E_SELF), &sp), COFFER_ERR_PROC_AUTHORITY, 2, 100000),
           "SPAWN with 101/1000, a hair above 10%: PROC_AUTHORITY(2, 100000)");
    sp.budget_us = 100;
    tap_ok(refused(spawn_call(SELF(E_SELF), &sp), COFFER_ERR_PROC_BAD_TEXT, 4, 0),
           "SPAWN with priority 50, MCP 50 and 100/1000, exactly its own: authority passes (to PROC_BAD_TEXT(4))");
}

/* The text check, through SPAWN: its detail is proc_text_parse's. */
static void test_spawn_text(void)
{
    setup(NULL, 0);
    struct spawn sp = spawn_default("prog.elf");
    sp.argc = PROC_WORDS_MAX + 1;
    tap_ok(refused(spawn_call(INIT, &sp), COFFER_ERR_PROC_BAD_TEXT, 1, 0), "SPAWN argc 17: PROC_BAD_TEXT(1)");
    sp.argc = 0;
    sp.envc = PROC_WORDS_MAX + 1;
    tap_ok(refused(spawn_call(INIT, &sp), COFFER_ERR_PROC_BAD_TEXT, 1, 0), "SPAWN envc 17: PROC_BAD_TEXT(1)");
    sp.envc = 0;
    memset(sp.text + 9, 'x', PROC_TEXT_BYTES - 9);
    tap_ok(refused(spawn_call(INIT, &sp), COFFER_ERR_PROC_BAD_TEXT, 2, 0),
           "SPAWN argv[0] running to the end of the text: PROC_BAD_TEXT(2)");
    sp = spawn_default("prog.elf");
    TEXT(sp.text, "prog.elf", "prog", "PATH");
    sp.envc = 1;
    tap_ok(refused(spawn_call(INIT, &sp), COFFER_ERR_PROC_BAD_TEXT, 3, 0),
           "SPAWN environment word without '=': PROC_BAD_TEXT(3)");
    TEXT(sp.text, "prog.elf", "");
    sp.envc = 0;
    tap_ok(refused(spawn_call(INIT, &sp), COFFER_ERR_PROC_BAD_TEXT, 4, 0), "SPAWN empty argv[0]: PROC_BAD_TEXT(4)");
}

/* SPAWN_FRAME's arguments: SPAWN's, the image's size, a text without
 * the image's name. */
static struct coffer_reply spawn_frame_call(uint64_t badge, const struct spawn *sp, uint64_t image_bytes)
{
    uint64_t w[FRAME_WORDS];
    w[0] = sp->priority | sp->mcp << 8 | sp->flags << 16 | sp->argc << 24 | sp->envc << 32;
    w[1] = sp->budget_us;
    w[2] = sp->period_us;
    w[3] = sp->limit;
    w[4] = image_bytes;
    coffer_proto_put_text(&w[5], TEXT_WORDS, sp->text, PROC_TEXT_BYTES);
    return call(badge, PROC_OP_SPAWN_FRAME, w, FRAME_WORDS, 3);
}

/* SPAWN_FRAME checks what SPAWN checks, in the same order, then the frame
 * (its image is read in QEMU only: test_proc_service.c). */
static void test_spawn_frame(void)
{
    setup(NULL, 0);
    tap_ok(refused(simple(INIT, PROC_OP_SPAWN_FRAME, FRAME_WORDS - 1, 3), COFFER_ERR_PROTO_BAD_MESSAGE, FRAME_WORDS,
                   3) &&
               refused(simple(INIT, PROC_OP_SPAWN_FRAME, FRAME_WORDS, 2), COFFER_ERR_PROTO_BAD_MESSAGE, FRAME_WORDS, 3),
           "SPAWN_FRAME: 52 words, or two capabilities: PROTO_BAD_MESSAGE(53, 3)");
    struct spawn sp = spawn_default("prog");
    tap_ok(refused(spawn_frame_call(HANDLE(E_RUNNING), &sp, 4096), COFFER_ERR_PROC_WRONG_KIND, 3, 0),
           "SPAWN_FRAME with a handle: PROC_WRONG_KIND(3)");
    sp.flags = 4;
    tap_ok(refused(spawn_frame_call(INIT, &sp, 4096), COFFER_ERR_PROC_BAD_ARGUMENT, 0, 0),
           "SPAWN_FRAME flags 4: PROC_BAD_ARGUMENT(0)");
    sp.flags = 0;
    sp.budget_us = 20000;
    tap_ok(refused(spawn_frame_call(INIT, &sp, 4096), COFFER_ERR_PROC_BAD_ARGUMENT, 1, 0),
           "SPAWN_FRAME budget above its period: PROC_BAD_ARGUMENT(1)");
    sp.budget_us = 1000;
    sp.priority = 60;
    tap_ok(refused(spawn_frame_call(SELF(E_SELF), &sp, 4096), COFFER_ERR_PROC_AUTHORITY, 0, 50),
           "SPAWN_FRAME at priority 60 by a process of MCP 50: PROC_AUTHORITY(0, 50)");
    sp.priority = 10;
    TEXT(sp.text, "", "arg");
    sp.argc = 1;
    tap_ok(refused(spawn_frame_call(INIT, &sp, 4096), COFFER_ERR_PROC_BAD_TEXT, 4, 0),
           "SPAWN_FRAME with an empty argv[0] first: PROC_BAD_TEXT(4) (the text has no image name)");
    TEXT(sp.text, "prog", "arg");
    struct coffer_reply rp = spawn_frame_call(INIT, &sp, 4096);
    tap_ok(reply_is(rp, COFFER_ERR_PROC_BAD_ARGUMENT, 6, 0) && unchanged() &&
               host_syscalls_made == syscalls_before + 1,
           "SPAWN_FRAME with a text that passes: the frame is asked next (FRAME_ADDRESS, which fails on the host: "
           "PROC_BAD_ARGUMENT(6)), nothing changed");
}

/* ------------------------------------------------- ending, without a kernel */

/* The fault thread reports a fault of a running process: it ends, and
 * WAIT gives what it reported and forgets it. */
static void test_fault_then_wait(void)
{
    setup(NULL, 0);
    uint64_t w[4] = { PROC_BADGE(PROC_KIND_FAULT, E_GEN, E_RUNNING), COFFER_FAULT_MEMORY, 0x10040, 0xdead0 };
    struct coffer_reply rp = call(RELAY, PROC_OP_FAULTED, w, 4, 0);
    const struct proc_entry *p = &server.procs[E_RUNNING];
    tap_ok(rp.error == COFFER_ERR_OK && rp.length == 0 && p->state == PROC_STATE_ENDED &&
               p->how == PROC_ENDED_FAULT && p->code == COFFER_FAULT_MEMORY && p->pc == 0x10040 &&
               p->addr == 0xdead0 && server.ended == 1,
           "FAULTED from the relay: the process ended by a fault, where and at what kept");
    rp = call(RELAY, PROC_OP_FAULTED, w, 4, 0);
    tap_ok(rp.error == COFFER_ERR_OK && unchanged(), "FAULTED again for a process that ended: nothing changes");
    w[0] = PROC_BADGE(PROC_KIND_FAULT, E_GEN + 1, E_SELF);
    rp = call(RELAY, PROC_OP_FAULTED, w, 4, 0);
    tap_ok(rp.error == COFFER_ERR_OK && unchanged() && server.procs[E_SELF].state == PROC_STATE_RUNNING,
           "FAULTED with another generation's badge: the process of this one runs on");
    w[0] = PROC_BADGE(PROC_KIND_FAULT, 0, 200);
    rp = call(RELAY, PROC_OP_FAULTED, w, 4, 0);
    tap_ok(rp.error == COFFER_ERR_OK && unchanged(), "FAULTED naming index 200, past the table: nothing changes");

    rp = simple(HANDLE(E_RUNNING), PROC_OP_WAIT, 0, 0);
    tap_ok(rp.error == COFFER_ERR_OK && rp.length == 4 &&
               rp.mr[0] == (PROC_ENDED_FAULT | (uint64_t)COFFER_FAULT_MEMORY << 32) && rp.mr[1] == 0x10040 &&
               rp.mr[2] == 0xdead0,
           "WAIT: PROC_ENDED_FAULT, the fault type, pc and address");
    tap_ok(p->state == PROC_STATE_FREE && p->gen == E_GEN + 1, "WAIT: the entry is free, its generation bumped");
    tap_ok(refused(simple(HANDLE(E_RUNNING), PROC_OP_INFO, 0, 0), COFFER_ERR_PROC_GONE, 0, 0) &&
               refused(simple(HANDLE(E_RUNNING), PROC_OP_WAIT, 0, 0), COFFER_ERR_PROC_GONE, 0, 0),
           "after WAIT the old handle gets PROC_GONE");
}

static void test_exit_kill_info(void)
{
    setup(NULL, 0);
    struct coffer_reply rp = simple(HANDLE(E_SELF), PROC_OP_INFO, 0, 0);
    char name[33] = { 0 };
    memcpy(name, &rp.mr[4], 32);
    tap_ok(rp.error == COFFER_ERR_OK && rp.length == 8 &&
               rp.mr[0] == (PROC_STATE_RUNNING | (uint64_t)(100 + E_SELF) << 8) &&
               rp.mr[1] == 0 && rp.mr[2] == 1u << 20 && strcmp(name, "hand-made") == 0,
           "INFO: state, pid, parent, no bank held, the limit and argv[0]");
    struct coffer_reply own = simple(SELF(E_SELF), PROC_OP_INFO, 0, 0);
    tap_ok(own.error == COFFER_ERR_OK && own.length == rp.length && memcmp(own.mr, rp.mr, 3 * sizeof rp.mr[0]) == 0 &&
               memcmp(&own.mr[4], &rp.mr[4], 32) == 0 &&
               refused(simple(PROC_BADGE(PROC_KIND_SELF, E_GEN - 1, E_SELF), PROC_OP_INFO, 0, 0), COFFER_ERR_PROC_GONE,
                       0, 0),
           "INFO with the process's own capability: the same as through its handle; a stale one PROC_GONE");
    uint64_t status[1] = { 0x100000000ull | 42 };
    rp = call(SELF(E_SELF), PROC_OP_EXIT, status, 1, 0);
    const struct proc_entry *p = &server.procs[E_SELF];
    tap_ok(rp.error == COFFER_ERR_OK && p->state == PROC_STATE_ENDED && p->how == PROC_ENDED_EXIT && p->code == 42,
           "EXIT 2^32 + 42 from the process itself: ended, status 42 (the low 32 bits)");
    rp = simple(HANDLE(E_BUILT), PROC_OP_KILL, 0, 0);
    p = &server.procs[E_BUILT];
    tap_ok(rp.error == COFFER_ERR_OK && p->state == PROC_STATE_ENDED && p->how == PROC_ENDED_KILLED &&
               server.ended == 2,
           "KILL of a process not started: ended, killed");
    rp = simple(HANDLE(E_BUILT), PROC_OP_KILL, 0, 0);
    tap_ok(rp.error == COFFER_ERR_OK && unchanged(), "KILL again: OK, nothing changes until WAIT");
}

/* A process's ended children are reaped by the manager once it has
 * ended itself: their handles were its own, no one else can WAIT. */
static void test_orphans_reaped(void)
{
    setup(NULL, 0);
    server.procs[E_BUILT].parent = 100 + E_RUNNING; /* the child of E_RUNNING */
    server.procs[E_BUILT].state = PROC_STATE_RUNNING;
    uint64_t status[1] = { 7 };
    struct coffer_reply rp = call(SELF(E_BUILT), PROC_OP_EXIT, status, 1, 0);
    tap_ok(rp.error == COFFER_ERR_OK && server.procs[E_BUILT].state == PROC_STATE_ENDED,
           "orphans: a child that exits while its spawner runs stays, for its spawner's WAIT");
    rp = call(SELF(E_RUNNING), PROC_OP_EXIT, status, 1, 0);
    tap_ok(rp.error == COFFER_ERR_OK && server.procs[E_RUNNING].state == PROC_STATE_ENDED &&
               server.procs[E_BUILT].state == PROC_STATE_FREE && server.procs[E_BUILT].gen == E_GEN + 1,
           "orphans: when the spawner ends, its ended child is reaped (the spawner itself waits for init)");
    tap_ok(refused(simple(HANDLE(E_BUILT), PROC_OP_WAIT, 0, 0), COFFER_ERR_PROC_GONE, 0, 0),
           "orphans: the child's old handle gets PROC_GONE");
}


/* THREAD: words 0 priority | flags << 8, 1 budget, 2 period, 3 the IPC
 * buffer's address; three capabilities. */
static struct coffer_reply thread_call(uint64_t badge, uint64_t priority, uint64_t flags, uint64_t budget,
                                       uint64_t period, uint64_t ipc_vaddr)
{
    uint64_t w[4] = { priority | flags << 8, budget, period, ipc_vaddr };
    return call(badge, PROC_OP_THREAD, w, 4, 3);
}

/* Every refusal of THREAD before it acts (E_SELF: priority and MCP 50,
 * 1000 us of every 10000). */
static void test_thread_refusals(void)
{
    setup(NULL, 0);
    const uint64_t va = PROCESS_THREAD_IPC_BUFFER(0);
    tap_ok(refused(thread_call(INIT, 50, 0, 1000, 10000, va), COFFER_ERR_PROC_WRONG_KIND, PROC_KIND_INIT, 0) &&
               refused(thread_call(HANDLE(E_SELF), 50, 0, 1000, 10000, va), COFFER_ERR_PROC_WRONG_KIND,
                       PROC_KIND_HANDLE, 0),
           "THREAD with init's badge or a handle: PROC_WRONG_KIND(1, 3)");
    tap_ok(refused(thread_call(PROC_BADGE(PROC_KIND_SELF, E_GEN - 1, E_SELF), 50, 0, 1000, 10000, va),
                   COFFER_ERR_PROC_GONE, 0, 0) &&
               refused(thread_call(SELF(E_BUILT), 50, 0, 1000, 10000, va), COFFER_ERR_PROC_GONE, 0, 0),
           "THREAD from a stale badge, or a process not started: PROC_GONE");
    tap_ok(refused(thread_call(SELF(E_SELF), 50, 2, 1000, 10000, va), COFFER_ERR_PROC_BAD_ARGUMENT, 0, 0),
           "THREAD with unknown flags: PROC_BAD_ARGUMENT(0)");
    tap_ok(refused(thread_call(SELF(E_SELF), 51, 0, 1000, 10000, va), COFFER_ERR_PROC_AUTHORITY, 0, 50),
           "THREAD at a priority above the process's MCP: PROC_AUTHORITY(0, 50)");
    tap_ok(refused(thread_call(SELF(E_SELF), 50, 0, 2000, 10000, va), COFFER_ERR_PROC_AUTHORITY, 2, 100000),
           "THREAD with a CPU share above the process's: PROC_AUTHORITY(2, 100000 millionths)");
    tap_ok(refused(thread_call(SELF(E_SELF), 50, 0, 50, 10000, va), COFFER_ERR_PROC_BAD_ARGUMENT, 1, 0) &&
               refused(thread_call(SELF(E_SELF), 50, 0, 3600000001ull, 3600000001ull, va),
                       COFFER_ERR_PROC_BAD_ARGUMENT, 1, 0),
           "THREAD with a budget below 100 us, or a period above an hour: PROC_BAD_ARGUMENT(1)");
    tap_ok(refused(thread_call(SELF(E_SELF), 50, 0, 1000, 10000, 0), COFFER_ERR_PROC_BAD_ARGUMENT, 3, 0) &&
               refused(thread_call(SELF(E_SELF), 50, 0, 1000, 10000, va + 8), COFFER_ERR_PROC_BAD_ARGUMENT, 3, 0) &&
               refused(thread_call(SELF(E_SELF), 50, 0, 1000, 10000, COFFER_USER_TOP), COFFER_ERR_PROC_BAD_ARGUMENT,
                       3, 0),
           "THREAD with an IPC buffer at 0, not page-aligned, or past user space: PROC_BAD_ARGUMENT(3)");
    /* The capabilities are looked at (a system call each, nothing changed). */
    tap_ok(reply_is(thread_call(SELF(E_SELF), 50, 0, 1000, 10000, va), COFFER_ERR_PROC_BAD_ARGUMENT, 4, 0) &&
               unchanged(),
           "THREAD with no TCB where the TCB goes: PROC_BAD_ARGUMENT(4), nothing changed");
    tap_ok(reply_is(thread_call(SELF(E_SELF), 255, PROC_THREAD_AS_PROCESS, 0, 0, va), COFFER_ERR_PROC_BAD_ARGUMENT,
                    4, 0) && unchanged(),
           "THREAD as the process (its priority and share, the words ignored) gets as far as the capabilities");
}
int main(void)
{
    test_shapes();
    test_unknown();
    test_handle_ops_kinds();
    test_handle_ops_gone();
    test_handle_ops_states();
    test_exit_faulted_kinds();
    test_spawn_kinds();
    test_spawn_arguments();
    test_spawn_authority();
    test_spawn_text();
    test_spawn_frame();
    test_faults();
    test_fault_then_wait();
    test_exit_kill_info();
    test_orphans_reaped();
    test_thread_refusals();
    return tap_done();
}
