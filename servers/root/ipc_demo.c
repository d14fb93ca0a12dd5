/*
 * The demo's server part: a second thread in the root task's address
 * space serves the text protocol (proto/upper.def; its logic is upper.c,
 * its receive loop lib/server).  Once it waits for requests it gives up
 * its own scheduling context, so it runs only on its callers' time: the
 * root task calls it through the generated client functions, and the
 * time the requests take is charged to the root task's scheduling
 * context, not the server's.  Its objects come from the untyped the
 * caller revokes afterwards.
 */
#include <coffer.h>
#include <proto/upper_client.h>
#include <server/serve.h>
#include <stdio.h>
#include <string.h>
#include "demo.h"
#include "upper.h"

#define ROOT COFFER_SLOT_CNODE
#define W COFFER_RETYPE_AT_WATERMARK
#define SERVER_BUFFER_VA 0x1000020000ull /* inside the demo's page tables (alias_demo.c) */

static uint8_t server_stack[4096] __attribute__((aligned(16)));
static struct upper_server upper_state;
static struct coffer_server_loop loop;

static void upper_thread(uint64_t unused)
{
    (void)unused;
    coffer_serve(&loop);
}

/* The server thread, started and waiting for requests, passive. */
static bool start_server(uint64_t ut, uint64_t first_free, uint64_t *sc_out)
{
    uint64_t tcb = first_free, sc = first_free + 1, frame = first_free + 4;
    loop = (struct coffer_server_loop){ .endpoint = first_free + 2, .reply = first_free + 3,
                                        .buf = (struct coffer_ipc_buffer *)(uintptr_t)SERVER_BUFFER_VA,
                                        .dispatch = upper_dispatch_any, .server = &upper_state };
    *sc_out = sc;
    /* A budget equal to its period never runs out: without -icount,
     * guest time is host time, and a host that deschedules QEMU for a
     * millisecond must not throttle the server before it reaches its
     * receive (the call below would then wait for it forever). */
    return demo_step(coffer_untyped_retype(ut, COFFER_OBJ_TCB, 0, ROOT, 0, tcb, 1, W), "retype the TCB") &&
           demo_step(coffer_untyped_retype(ut, COFFER_OBJ_SCHED_CONTEXT, 0, ROOT, 0, sc, 1, W),
                "retype the scheduling context") &&
           demo_step(coffer_untyped_retype(ut, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, loop.endpoint, 1, W),
                "retype the endpoint") &&
           demo_step(coffer_untyped_retype(ut, COFFER_OBJ_REPLY, 0, ROOT, 0, loop.reply, 1, W),
                "retype the reply object") &&
           demo_step(coffer_untyped_retype(ut, COFFER_OBJ_FRAME, 12, ROOT, 0, frame, 1, W),
                "retype the IPC buffer's frame") &&
           demo_step(coffer_frame_map(frame, COFFER_SLOT_VSPACE, SERVER_BUFFER_VA, COFFER_MAP_R | COFFER_MAP_W),
                "map the IPC buffer") &&
           demo_step(coffer_tcb_configure(tcb, COFFER_CPTR_NONE, ROOT, COFFER_SLOT_VSPACE, SERVER_BUFFER_VA, frame),
                "configure the thread") &&
           demo_step(coffer_tcb_set_priority(tcb, COFFER_SLOT_TCB, 200), "set its priority") &&
           demo_step(coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, sc, 10000, 10000),
                "give the context its budget") &&
           demo_step(coffer_tcb_set_sched_context(tcb, sc), "bind the context") &&
           demo_step(coffer_thread_start(tcb, coffer_root_ipc_buffer(), upper_thread,
                                    server_stack + sizeof(server_stack), 0),
                "start the thread") &&
           /* Below the server for a moment, so that it runs to its receive. */
           demo_step(coffer_tcb_set_priority(COFFER_SLOT_TCB, COFFER_SLOT_TCB, 100), "lower my priority") &&
           demo_step(coffer_tcb_set_priority(COFFER_SLOT_TCB, COFFER_SLOT_TCB, 255), "raise it again") &&
           demo_step(coffer_tcb_set_sched_context(tcb, COFFER_CPTR_NONE), "make the server passive");
}

/* Up to eight bytes of s, the first in the low byte. */
static uint64_t word_of(const char *s)
{
    uint64_t w = 0;
    size_t n = strlen(s);
    memcpy(&w, s, n < 8 ? n : 8);
    return w;
}

int show_server(uint64_t ut, uint64_t first_free)
{
    uint64_t sc;
    if (!start_server(ut, first_free, &sc))
        return 1;
    uint64_t mine = coffer_sched_context_consumed(COFFER_SLOT_SCHED_CONTEXT).detail1;
    uint64_t its = coffer_sched_context_consumed(sc).detail1;
    uint64_t upper = 0, u[6] = { 0 };
    struct coffer_result r = upper_case(loop.endpoint, word_of("coffer!"), &upper);
    if (!demo_step(r, "upper_case"))
        return 1;
    static const char text[48] = "whoever benefits pays, the server as well";
    uint64_t t[6];
    memcpy(t, text, sizeof t);
    r = upper_case_long(coffer_root_ipc_buffer(), loop.endpoint, t[0], t[1], t[2], t[3], t[4], t[5],
                        &u[0], &u[1], &u[2], &u[3], &u[4], &u[5]);
    if (!demo_step(r, "upper_case_long"))
        return 1;
    struct coffer_result refused = upper_case(loop.endpoint, word_of("bell\a"), &upper);
    uint64_t mine2 = coffer_sched_context_consumed(COFFER_SLOT_SCHED_CONTEXT).detail1;
    uint64_t its2 = coffer_sched_context_consumed(sc).detail1;
    char answer[9] = { 0 }, long_answer[49] = { 0 };
    uint64_t first = 0;
    upper_word(word_of("coffer!"), 0, &first);
    memcpy(answer, &first, 8);
    memcpy(long_answer, u, 48);
    printf("root: a passive server thread answered my calls (proto/upper.def) with \"%s\"\n"
           "      and \"%s\";\n"
           "      \"bell\\a\" was refused: %s at byte %llu. The requests ran on my\n"
           "      scheduling context (+%llu ticks), not its own (+%llu)\n",
           answer, long_answer, coffer_error_name(refused.error), (unsigned long long)refused.detail0,
           (unsigned long long)(mine2 - mine), (unsigned long long)(its2 - its));
    bool ok = upper == first && strcmp(long_answer, "WHOEVER BENEFITS PAYS, THE SERVER AS WELL") == 0 &&
              refused.error == COFFER_ERR_UPPER_NOT_TEXT && refused.detail0 == 4 && its2 == its &&
              upper_state.texts == 2;
    return ok ? 0 : 1;
}
