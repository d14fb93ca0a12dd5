/*
 * Threads, scheduling contexts and IPC objects in host memory for the
 * threads-layer host tests (threads_fixture.c says how), and the
 * invariants checked after each scenario (threads_invariants.c).
 *
 * fx_setup() starts a scenario: one CNode of 2^FX_CNODE_BITS slots is the
 * CSpace root of every thread, slot index = cptr; objects are host memory
 * with their first capability in a slot of it, so cap_delete() can kill
 * them.  System calls go through the handlers as syscall_dispatch() calls
 * them (fx_syscall and its wrappers, current_thread = the caller).
 * fx_reset() ends it: nothing stays in the kernel's static state.
 */
#ifndef COFFER_TESTS_THREADS_FIXTURE_H
#define COFFER_TESTS_THREADS_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "cap_fixture.h"
#include "thread/sched.h"
#include "thread/sched_context.h"

extern uint64_t host_time; /* host_arch.c: the time the core reads */

#define FX_CNODE_BITS 8
#define FX_SLOTS (1u << FX_CNODE_BITS)
#define FX_MAX_THREADS 32
#define FX_MAX_OBJECTS 64
#define FX_MAX_ALLOCS 256
#define FX_SLOT_CONTROL 2 /* the scheduling-control capability */
#define FX_FIRST_FREE_SLOT 3

/* The scenario: the CNode, the anchor (a TCB-shaped holder that never
 * runs and makes the fixture's own invocations), host allocations. */
extern struct slot *fx_slots;
extern struct thread *fx_anchor;
extern uint64_t fx_next_slot;
extern void *fx_allocs[FX_MAX_ALLOCS];
extern unsigned fx_nallocs;
/* What exists in this scenario; fx_dead[] marks threads deleted since. */
extern struct thread *fx_threads[FX_MAX_THREADS];
extern bool fx_dead[FX_MAX_THREADS];
extern unsigned fx_nthreads;
extern struct endpoint *fx_eps[FX_MAX_OBJECTS];
extern unsigned fx_neps;
extern struct notification *fx_ntfns[FX_MAX_OBJECTS];
extern unsigned fx_nntfns;
extern struct reply *fx_replies[FX_MAX_OBJECTS];
extern unsigned fx_nreplies;
extern struct sched_context *fx_scs[FX_MAX_OBJECTS];
extern unsigned fx_nscs;

/* "Bail out!" and exit: the scenario cannot go on. */
__attribute__((noreturn)) void fx_bail(const char *why);

void fx_setup(void);
void fx_reset(void);

uint64_t fx_new_slot(void);
struct slot *fx_slot(uint64_t cptr);
/* A child of the capability at src with `rights` and `badge` (0: none). */
uint64_t fx_mint(uint64_t src, unsigned rights, uint64_t badge);
/* Delete the capability at cptr (the object dies if it was the last);
 * true if the deletion finished. */
bool fx_delete(uint64_t cptr);

/* A thread (INACTIVE, no scheduling context) at priority prio, MCP 255,
 * with a TCB capability. */
struct thread *fx_thread(const char *name, unsigned prio);
/* One with its own scheduling context of budget/period (us), resumed:
 * RUNNABLE and queued. */
struct thread *fx_active(const char *name, unsigned prio, uint64_t budget_us,
                         uint64_t period_us, struct sched_context **sc_out);
/* A passive one (no scheduling context), resumed: RUNNABLE, not queued. */
struct thread *fx_passive(const char *name, unsigned prio);
/* Give t an IPC buffer (a 4 KiB frame of host memory); returns it. */
struct coffer_ipc_buffer *fx_ipc_buffer(struct thread *t);
uint64_t fx_tcb_cptr(const struct thread *t);
uint64_t fx_sc_cptr(const struct sched_context *sc);
bool fx_is_dead(const struct thread *t);
/* A thread of this scenario that has not died. */
bool fx_registered_thread(const struct thread *t);

/* New objects: the cptr of the first capability (the object in *out). */
uint64_t fx_endpoint(struct endpoint **out);
uint64_t fx_notification(struct notification **out);
uint64_t fx_reply(struct reply **out);
uint64_t fx_sched_context(struct sched_context **out);

/* Invocations made by the anchor. */
struct coffer_result fx_invoke(uint64_t cptr, uint64_t label, uint64_t a0, uint64_t a1,
                               uint64_t a2);
struct coffer_result fx_configure(uint64_t sc, uint64_t budget_us, uint64_t period_us);
struct coffer_result fx_bind(struct thread *t, uint64_t sc);
struct coffer_result fx_resume(struct thread *t);
struct coffer_result fx_set_priority(struct thread *t, uint64_t prio);

/* Thread t makes system call num, as the trap path would.  Returns a0..a2
 * as they are afterwards (unchanged if t blocked). */
struct coffer_result fx_syscall(struct thread *t, uint64_t num, uint64_t a0, uint64_t a1,
                                uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                                uint64_t a6);
struct coffer_result fx_send4(struct thread *t, uint64_t num, uint64_t cptr, uint64_t info,
                              uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3);
struct coffer_result fx_send(struct thread *t, uint64_t cptr, uint64_t info, uint64_t w0,
                             uint64_t w1);
struct coffer_result fx_recv(struct thread *t, uint64_t cptr, uint64_t reply);
struct coffer_result fx_nb_recv(struct thread *t, uint64_t cptr, uint64_t reply);
struct coffer_result fx_call(struct thread *t, uint64_t cptr, uint64_t info, uint64_t w0,
                             uint64_t w1);
struct coffer_result fx_reply_recv(struct thread *t, uint64_t ep, uint64_t reply, uint64_t info,
                                   uint64_t w0);

/* The ready queue of priority p, head first, walked through the public
 * scheduler API (at most max; how many, or -1 if the links are broken). */
int fx_ready_queue(unsigned p, struct thread **out, unsigned max);
/* The same order as expected (a NULL-terminated list)?  A diagnostic if not. */
bool fx_queue_is(unsigned p, struct thread *const *expect);
#define FX_QUEUE(p, ...) fx_queue_is((p), (struct thread *const[]){ __VA_ARGS__, NULL })
#define FX_EMPTY(p) fx_queue_is((p), (struct thread *const[]){ NULL })

/* Is r exactly this result?  (No TAP line: a diagnostic if not.) */
bool fx_is(struct coffer_result r, uint64_t err, uint64_t d0, uint64_t d1);
bool fx_is_ok(struct coffer_result r);

/* The invariants of thread.h, sched.h, sched_context.h and ipc.h over
 * everything in the scenario, and the derivation tree's; on failure
 * fx_why says which.  fx_check makes it a TAP line "after `what`". */
bool fx_invariants(void);
bool fx_check(const char *what);
extern char fx_why[256];

#endif
