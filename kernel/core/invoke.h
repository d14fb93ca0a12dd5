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

#include "cspace.h"
#include "syscall.h"
#include "thread.h"

struct invocation {
    struct thread *thread;
    struct slot *slot;    /* the invoked capability */
    uint64_t label;
    uint64_t arg[5];
};

/* FAILED_LOOKUP with the level and kind of a failed lookup. */
struct coffer_result lookup_error(struct lookup_result r);

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
 * itself.  INVALID_CAPABILITY(arg_index) if the slot holds no CNode. */
static inline struct coffer_result lookup_cnode(struct thread *t, uint64_t cptr, uint64_t depth,
                                                unsigned arg_index, const struct cap **out)
{
    if (depth == 0) {
        *out = &t->cspace_root.cap;
        return syscall_ok(0, 0);
    }
    struct slot *s;
    struct coffer_result r = lookup_slot(&t->cspace_root.cap, cptr, depth, &s);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (s->cap.type != CAP_CNODE)
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, arg_index, 0);
    *out = &s->cap;
    return syscall_ok(0, 0);
}

struct coffer_result untyped_invoke(struct invocation *inv);
struct coffer_result cnode_invoke(struct invocation *inv);
struct coffer_result tcb_invoke(struct invocation *inv);

#endif
