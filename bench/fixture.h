/*
 * The benchmarks' own set-up (bench_ipc.c): worker threads in the root
 * task's address space and CSpace, each with a stack from a static pool,
 * an IPC buffer in a frame of its own and a scheduling context, all retyped
 * from one untyped that bf_end() revokes to check every byte comes back.
 * A set-up step that fails prints "bench: set-up failed: <step>: <error>
 * (<detail0>, <detail1>)", which run-bench.sh shows; the figures after it
 * mean nothing.
 */
#ifndef COFFER_BENCH_FIXTURE_H
#define COFFER_BENCH_FIXTURE_H

#include <coffer.h>
#include <stdbool.h>

#define BF_ROOT COFFER_SLOT_CNODE
#define BF_D 64
#define BF_NONE COFFER_CPTR_NONE

/* Did a set-up step succeed?  If not, print which and what it got. */
bool bench_step(struct coffer_result r, const char *step);

/* Start: the untyped to work in, and its free bytes now. */
void bf_begin(void);
/* End: revoke the untyped; true if every byte is back and the kernel's
 * invariants hold. */
bool bf_end(void);

uint64_t bf_slot(void);
uint64_t bf_retype(unsigned type, unsigned bits);

struct bf_thread {
    uint64_t tcb, sc;
    struct coffer_ipc_buffer *buf;
};

/* A configured thread (fault endpoint fault_ep or BF_NONE) at priority
 * prio with a scheduling context of budget/period us, started at fn(arg). */
struct bf_thread bf_spawn(void (*fn)(uint64_t), uint64_t arg, unsigned prio, uint64_t budget_us,
                          uint64_t period_us, uint64_t fault_ep);

/* The root task's priority (it holds MCP 255). */
void bf_root_priority(unsigned prio);

/* Block forever (a worker that is done). */
__attribute__((noreturn)) void bf_park(void);

#endif
