/*
 * The demo's threads part: a second thread in the root task's address
 * space serves upper-casing requests.  Once it waits for requests it gives
 * up its own scheduling context, so it runs only on its callers' time: the
 * root task calls it, and the time the request takes is charged to the
 * root task's scheduling context, not the server's.  Its objects come
 * from the untyped the caller revokes afterwards.
 */
#include <coffer.h>
#include <stdio.h>
#include <string.h>
#include "demo.h"

#define ROOT COFFER_SLOT_CNODE
#define W COFFER_RETYPE_AT_WATERMARK

static uint8_t server_stack[4096] __attribute__((aligned(16)));
static uint64_t server_ep, server_reply;

/* Upper-case the 8 bytes of word 0; loop forever. */
static void upper_server(uint64_t unused)
{
    (void)unused;
    struct coffer_msg m = coffer_ipc_recv(server_ep, server_reply);
    for (;;) {
        uint64_t w = m.mr[0], out = 0;
        for (unsigned i = 0; i < 8; i++) {
            uint64_t c = (w >> (8 * i)) & 0xff;
            if (c >= 'a' && c <= 'z')
                c -= 'a' - 'A';
            out |= c << (8 * i);
        }
        uint64_t words[4] = { out, 0, 0, 0 };
        m = coffer_ipc_reply_recv(server_ep, server_reply, COFFER_MSGINFO(0, 0, 1), words);
    }
}

int show_server(uint64_t ut, uint64_t first_free)
{
    uint64_t tcb = first_free, sc = first_free + 1;
    server_ep = first_free + 2;
    server_reply = first_free + 3;
    if (!demo_step(coffer_untyped_retype(ut, COFFER_OBJ_TCB, 0, ROOT, 0, tcb, 1, W),
                   "retype the server's TCB") ||
        !demo_step(coffer_untyped_retype(ut, COFFER_OBJ_SCHED_CONTEXT, 0, ROOT, 0, sc, 1, W),
                   "retype its scheduling context") ||
        !demo_step(coffer_untyped_retype(ut, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, server_ep, 1, W),
                   "retype its endpoint") ||
        !demo_step(coffer_untyped_retype(ut, COFFER_OBJ_REPLY, 0, ROOT, 0, server_reply, 1, W),
                   "retype its reply object") ||
        !demo_step(coffer_tcb_configure(tcb, COFFER_CPTR_NONE, ROOT, COFFER_SLOT_VSPACE, 0,
                                        COFFER_CPTR_NONE),
                   "configure the server's TCB") ||
        !demo_step(coffer_tcb_set_priority(tcb, COFFER_SLOT_TCB, 200),
                   "give the server priority 200") ||
        /* A budget equal to its period never runs out: without -icount,
         * guest time is host time, and a host that deschedules QEMU for a
         * millisecond must not throttle the server before it reaches its
         * receive (the call below would then wait for it forever). */
        !demo_step(coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, sc, 10000, 10000),
                   "configure the server's scheduling context") ||
        !demo_step(coffer_tcb_set_sched_context(tcb, sc), "bind the server's scheduling context") ||
        !demo_step(coffer_thread_start(tcb, coffer_root_ipc_buffer(), upper_server,
                                       server_stack + sizeof(server_stack), 0),
                   "start the server") ||
        /* Below the server for a moment, so that it runs to its receive. */
        !demo_step(coffer_tcb_set_priority(COFFER_SLOT_TCB, COFFER_SLOT_TCB, 100),
                   "lower my priority to 100") ||
        !demo_step(coffer_tcb_set_priority(COFFER_SLOT_TCB, COFFER_SLOT_TCB, 255),
                   "raise my priority to 255 again") ||
        !demo_step(coffer_tcb_set_sched_context(tcb, COFFER_CPTR_NONE),
                   "make the server passive"))
        return 1;
    uint64_t mine = coffer_sched_context_consumed(COFFER_SLOT_SCHED_CONTEXT).detail1;
    uint64_t its = coffer_sched_context_consumed(sc).detail1;
    uint64_t word = 0;
    memcpy(&word, "coffer!", 8);
    uint64_t words[4] = { word, 0, 0, 0 };
    struct coffer_msg m = coffer_ipc_call(server_ep, COFFER_MSGINFO(0, 0, 1), words);
    uint64_t mine2 = coffer_sched_context_consumed(COFFER_SLOT_SCHED_CONTEXT).detail1;
    uint64_t its2 = coffer_sched_context_consumed(sc).detail1;
    if (m.error != COFFER_ERR_OK)
        printf("root: the call to the server failed: %s\n", coffer_error_name(m.error));
    char answer[9] = { 0 };
    memcpy(answer, &m.mr[0], 8);
    printf("root: a passive server thread answered my call with \"%s\"; the request ran on\n"
           "      my scheduling context (+%llu ticks), not its own (+%llu)\n",
           answer, (unsigned long long)(mine2 - mine), (unsigned long long)(its2 - its));
    return m.error == COFFER_ERR_OK && strcmp(answer, "COFFER!") == 0 && its2 == its ? 0 : 1;
}
