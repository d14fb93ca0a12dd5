/*
 * Capability invocation: the CALL system call on a kernel object.
 *
 * Every invocation is split in two, as in seL4: decoding looks up every
 * capability, checks every argument and every precondition and returns an
 * error without having changed anything; only then does the invoke step
 * change state, and it cannot fail.
 */
#ifndef COFFER_KERNEL_INVOKE_H
#define COFFER_KERNEL_INVOKE_H

#include "cap/cspace.h"
#include "thread/syscall.h"
#include "thread/thread.h"
#include "invocation_args.h" /* generated from invocations.def: INV_ARG */

/*
 * arg points into the invoking thread's saved registers (a2..a6), as the
 * system call's arguments do (syscall.c): nothing is copied.  No
 * invocation writes the invoker's registers before it returns (the TCB
 * register calls refuse the invoker itself), so they hold throughout.
 */
struct invocation {
    struct thread *thread;
    struct slot *slot; /* the invoked capability */
    uint64_t label;
    const uint64_t *arg; /* arg[0..4] */
};

/* FAILED_LOOKUP with the level and kind of a failed lookup. */
static inline struct coffer_result lookup_error(struct lookup_result r)
{
    return syscall_error(COFFER_ERR_FAILED_LOOKUP, r.level | ((uint64_t)r.failure << 32),
                         r.bits_left);
}

/*
 * Resolve a slot for an invocation argument: `depth` bits of cptr in the
 * CNode capability `root`.  Errors: RANGE_ERROR(1, 64) for a bad depth,
 * FAILED_LOOKUP.  (Inline, as the two below: every invocation resolves
 * its arguments, and inlined the result never goes through memory.)
 */
static inline struct coffer_result lookup_slot(const struct cap *root, uint64_t cptr,
                                               uint64_t depth, struct slot **out)
{
    if (depth < 1 || depth > CPTR_MAX_DEPTH)
        return syscall_error(COFFER_ERR_RANGE_ERROR, 1, CPTR_MAX_DEPTH);
    struct lookup_result r = cspace_lookup(root, cptr, (unsigned)depth);
    if (r.slot == NULL)
        return lookup_error(r);
    *out = r.slot;
    return syscall_ok(0, 0);
}

/* Resolve a CNode capability: depth 0 names the caller's root CNode
 * itself, so the valid depths are 0-64: RANGE_ERROR(0, 64) for others.
 * INVALID_CAPABILITY(arg_index) if the slot holds no CNode. */
static inline struct coffer_result lookup_cnode(struct thread *t, uint64_t cptr, uint64_t depth,
                                                unsigned arg_index, const struct cap **out)
{
    if (depth == 0) {
        *out = &t->cspace_root.cap;
        return syscall_ok(0, 0);
    }
    struct slot *s;
    struct coffer_result r = lookup_slot(&t->cspace_root.cap, cptr, depth, &s);
    if (r.error != COFFER_ERR_OK) {
        /* lookup_slot's range is 1-64; here 0 is valid too.  (Mended on
         * the error path, which keeps the lookup's own code as it is.) */
        if (r.error == COFFER_ERR_RANGE_ERROR)
            r.detail0 = 0;
        return r;
    }
    if (s->cap.type != CAP_CNODE)
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, arg_index, 0);
    *out = &s->cap;
    return syscall_ok(0, 0);
}

/* CALL on the capability args[0] resolved to (r): the invocation, or an
 * IPC call on an endpoint.  sys_CALL is the lookup and this. */
struct coffer_result invoke_cap(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS],
                                struct lookup_result r);

struct coffer_result untyped_invoke(struct invocation *inv);
struct coffer_result cnode_invoke(struct invocation *inv);
struct coffer_result tcb_invoke(struct invocation *inv);

#endif
