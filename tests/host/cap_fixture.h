/*
 * A CSpace in host memory for the tests, the fuzzer and the host
 * benchmarks that drive the capability core through sys_CALL: a thread
 * whose CSpace root is one CNode, untyped capabilities backed by host
 * memory (arch_phys_to_virt is the identity on the host), and the call
 * (cap_fixture.c).
 */
#ifndef COFFER_TESTS_CAP_FIXTURE_H
#define COFFER_TESTS_CAP_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "object/asid.h"
#include "cap/cdt.h"
#include "object/invoke.h"
#include "thread/ipc.h"
#include "thread/thread.h"

/* An empty tree and a thread whose CSpace root is the CNode of 2^bits
 * slots at root_slots (cleared), guarded so 64-bit pointers below 2^bits
 * name its slots; a copy of that capability goes into slot root_copy. */
void fixture_cspace(struct thread *t, struct slot *root_slots, unsigned bits, uint64_t root_copy);

/* An untyped capability in s over 2^bits bytes of host memory at mem
 * (naturally aligned), as boot hands them out: RAM zeroed (free untyped
 * memory is always zero), device memory as it is. */
void fixture_untyped(struct slot *s, void *mem, unsigned bits, bool device);

/* The CALL system call as thread t would make it (inline: the host
 * benchmarks time it). */
static inline struct coffer_result fixture_call(struct thread *t, uint64_t cptr, uint64_t label,
                                                uint64_t a0, uint64_t a1, uint64_t a2,
                                                uint64_t a3, uint64_t a4)
{
    const uint64_t args[COFFER_SYSCALL_ARGS] = { cptr, label, a0, a1, a2, a3, a4 };
    return sys_CALL(t, args);
}

/* A new object "used", so that one not zeroed when it dies shows up in a
 * later retype: a frame filled as a user fills it, a notification given a
 * word of signalled badges. */
void fixture_use_object(const struct cap *c);

/* Does cptr name an object of the threads layer (an endpoint, whose CALL
 * is IPC, a TCB or a scheduling capability)?  The capability-core tests
 * and the fuzzer leave these alone: their stand-in thread never runs. */
bool fixture_threads_layer(struct thread *t, uint64_t cptr);

/* Is r exactly this error with these details?  (No TAP line: a
 * diagnostic when they differ.) */
bool fixture_result_is(struct coffer_result r, uint64_t err, uint64_t d0, uint64_t d1);

/* TAP: the exact error and details, with a diagnostic when they differ. */
bool fixture_expect(struct coffer_result r, uint64_t err, uint64_t d0, uint64_t d1,
                    const char *name);

/* TAP: the derivation tree's invariants hold. */
void fixture_check_tree(const char *after);

#endif
