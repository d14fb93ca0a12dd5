/*
 * The protocol layer's cost (issue 12): a call through a generated
 * client function to a passive server thread whose receive loop is
 * lib/server and whose dispatcher is generated (the demo's text server,
 * proto/upper.def, logic servers/root/upper.c).  Against the bare IPC
 * round trip of bench_ipc.c, the difference is what the client's packing
 * and reply check, the loop's gathering and the dispatcher's shape check
 * cost.
 */
#include "bench.h"
#include "fixture.h"
#include "upper.h"
#include <proto/upper_client.h>
#include <server/serve.h>
#include <stdio.h>

static uint64_t samples_proto[BENCH_RUNS];
static struct upper_server upper_state;
static struct coffer_server_loop loop;

static void upper_thread(uint64_t unused)
{
    (void)unused;
    coffer_serve(&loop);
}

void bench_proto(uint64_t calibration)
{
    bf_begin();
    loop = (struct coffer_server_loop){ .endpoint = bf_retype(COFFER_OBJ_ENDPOINT, 0),
                                        .reply = bf_retype(COFFER_OBJ_REPLY, 0),
                                        .dispatch = upper_dispatch_any, .server = &upper_state };
    /* The server does not run before the root task lowers its priority. */
    struct bf_thread s = bf_spawn(upper_thread, 0, 200, 10000, 10000, BF_NONE);
    loop.buf = s.buf;
    bf_root_priority(100); /* it runs to its receive */
    bf_root_priority(255);
    bench_step(coffer_tcb_set_sched_context(s.tcb, BF_NONE), "make the text server passive");

    uint64_t out = 0, u[6] = { 0 };
    BENCH_MEASURE(samples_proto, upper_case(loop.endpoint, 0x2172656666666f63ull, &out));
    bench_report("protocol call, 1 word (generated client, lib/server loop, generated dispatcher)",
                 samples_proto, BENCH_RUNS, calibration);
    struct coffer_ipc_buffer *buf = coffer_root_ipc_buffer();
    BENCH_MEASURE(samples_proto, upper_case_long(buf, loop.endpoint, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66,
                                                 &u[0], &u[1], &u[2], &u[3], &u[4], &u[5]));
    bench_report("protocol call, 6 words through the IPC buffer (the same path)", samples_proto,
                 BENCH_RUNS, calibration);
    /* "a" and a NUL: the text ends in word 0, the other words come back 0. */
    if (out != 0x2152454646464f43ull || u[0] != 0x41 || u[5] != 0 || upper_state.texts != 2 * BENCH_RUNS)
        printf("bench: the text server answered wrongly (%llx, %llu texts)\n", (unsigned long long)out,
               (unsigned long long)upper_state.texts);
    if (!bf_end())
        printf("bench: protocol cleanup did not return every byte\n");
}
