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
 * FAILED_LOOKUP.  arg_index names the argument in INVALID_ARGUMENT details.
 */
struct coffer_result lookup_slot(const struct cap *root, uint64_t cptr, uint64_t depth,
                                 struct slot **out);

/* Resolve a CNode capability: depth 0 names the caller's root CNode
 * itself.  INVALID_CAPABILITY(arg_index) if the slot holds no CNode. */
struct coffer_result lookup_cnode(struct thread *t, uint64_t cptr, uint64_t depth,
                                  unsigned arg_index, const struct cap **out);

struct coffer_result untyped_invoke(struct invocation *inv);
struct coffer_result cnode_invoke(struct invocation *inv);
struct coffer_result tcb_invoke(struct invocation *inv);

#endif
