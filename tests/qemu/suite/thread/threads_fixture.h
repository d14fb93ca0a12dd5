/*
 * Shared by the thread, IPC and fault tests: worker threads in the root
 * task's own address space and CSpace, each with a stack from a static
 * pool, an IPC buffer in a frame of its own and (optionally) a scheduling
 * context, all retyped from one untyped that each group revokes at its end
 * to check that every byte comes back.
 *
 * Workers never print (stdio is the root task's); they report through
 * volatile globals and notifications.  The root task runs at priority 255,
 * so a worker runs when the root task blocks or lowers its priority.
 */
#ifndef COFFER_THREADS_FIXTURE_H
#define COFFER_THREADS_FIXTURE_H

#include "ktest.h"

#define TF_ROOT COFFER_SLOT_CNODE
#define TF_D 64
#define TF_NONE COFFER_CPTR_NONE

/* Start a group: the untyped to work in, and its free bytes now. */
void tf_begin(void);
/* End a group: revoke the untyped; true if every byte is back and the
 * kernel's invariants hold. */
bool tf_end(void);

uint64_t tf_slot(void);
uint64_t tf_retype(unsigned type, unsigned bits);
/* A 4 KiB frame mapped read-write at a fresh address of the root task;
 * the frame's slot in *frame. */
void *tf_page(uint64_t *frame);
/* A badged (or rights-narrowed) copy of a capability. */
uint64_t tf_mint(uint64_t src, unsigned rights, uint64_t badge);

struct tf_thread {
    uint64_t tcb, sc; /* sc 0: passive */
    struct coffer_ipc_buffer *buf;
};

/* A configured thread (fault endpoint fault_ep or TF_NONE) at priority
 * prio, with a scheduling context of budget/period us (budget 0: none),
 * started at fn(arg). */
struct tf_thread tf_spawn(void (*fn)(uint64_t), uint64_t arg, unsigned prio, uint64_t budget_us,
                          uint64_t period_us, uint64_t fault_ep);
/* The same, not started. */
struct tf_thread tf_create(unsigned prio, uint64_t budget_us, uint64_t period_us, uint64_t fault_ep);
void tf_start(const struct tf_thread *t, void (*fn)(uint64_t), uint64_t arg);

/* The root task's priority (it holds MCP 255). */
void tf_root_priority(unsigned prio);

/* Spin for about us microseconds of wall time (time CSR). */
void tf_spin_us(uint64_t us);
/* Microseconds and time-CSR ticks (coffer_time_now(), receive deadlines). */
uint64_t tf_us_to_ticks(uint64_t us);
uint64_t tf_ticks_to_us(uint64_t ticks);

/* Block forever (a worker that is done). */
__attribute__((noreturn)) void tf_park(void);

#endif
