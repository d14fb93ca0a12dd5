/*
 * Dataspaces (docs/servers.md, "Dataspaces"): memory bought from a bank
 * and named by a frame capability, which can be aliased, shared over IPC
 * and attached in an address space.  The kernel's frames do the work
 * (docs/memory.md): a dataspace is a frame capability's window, and an
 * alias -- a sub-range, a read-only view, or both -- is a mint of it with
 * a narrower window or fewer rights, which takes no kernel memory.
 *
 * Lifetime, both ways, as the kernel keeps it:
 *  - freeing a dataspace (its bank's FREE) revokes the original: every
 *    alias of it, anywhere, is deleted and unmapped at once;
 *  - dropping one capability (the holder's own, an alias) leaves the
 *    others valid: the memory stays as long as the bank holds it;
 *  - a thread touching an attached dataspace that went takes a page
 *    fault its fault handler sees (address and cause), nobody else does.
 *
 * Who pays: the dataspace's frame is its bank's; the page tables an
 * attach needs are bought from the attaching side's bank (env->bank) and
 * stay with it -- they serve every later attach in the same 2 MiB.
 */
#ifndef DATASPACE_DATASPACE_H
#define DATASPACE_DATASPACE_H

#include <coffer.h>
#include <stdbool.h>
#include <stdint.h>

/* What the calls need of their caller. */
struct dataspace_env {
    struct coffer_ipc_buffer *buf;      /* the caller's IPC buffer */
    coffer_cptr_t bank;                 /* buys dataspaces and page tables */
    coffer_cptr_t cnode;                /* a capability to the caller's root CNode */
    unsigned leaf_bits;                 /* how it receives: COFFER_RECV_AT */
    bool (*slot)(void *ctx, uint64_t *slot); /* a free slot of the caller's */
    void *ctx;
};

struct dataspace {
    coffer_cptr_t frame;                /* the capability: its window is the dataspace */
    uint64_t bytes;                     /* the window's size */
    uint64_t handle;                    /* in env->bank if bought there, else 0 (an alias, or received) */
};

/* A dataspace of at least `bytes` (a frame of the next power of two, 4 KiB
 * at least), zeroed, from env->bank.  Errors: the bank's (BANK_LIMIT, ...),
 * INVALID_ARGUMENT for 0 or more than 1 GiB, NOT_ENOUGH_MEMORY for no slot. */
struct coffer_result dataspace_alloc(const struct dataspace_env *env, uint64_t bytes, struct dataspace *out);

/* An alias of [offset, offset + bytes) of ds (whole pages), writable or
 * read-only (never more than ds), in a new slot.  Errors: the kernel's
 * (CNODE_MINT: a window outside ds, not page-aligned, more rights). */
struct coffer_result dataspace_alias(const struct dataspace_env *env, const struct dataspace *ds, uint64_t offset,
                                     uint64_t bytes, bool writable, struct dataspace *out);

/* Map ds at va of vspace (read-write if writable, else read-only), buying
 * the page tables the walk lacks from env->bank.  Errors: FRAME_MAP's,
 * the bank's. */
struct coffer_result dataspace_attach(const struct dataspace_env *env, const struct dataspace *ds,
                                      coffer_cptr_t vspace, uint64_t va, bool writable);

/* Take ds's mapping away (none is fine). */
struct coffer_result dataspace_detach(const struct dataspace *ds);

/* Free a dataspace bought with dataspace_alloc: every alias goes, every
 * mapping of it anywhere with them.  BANK_NOT_BOUGHT if it was not. */
struct coffer_result dataspace_free(const struct dataspace_env *env, struct dataspace *ds);

/* Drop this capability only (an alias, or the holder's): the others stay. */
struct coffer_result dataspace_drop(const struct dataspace_env *env, struct dataspace *ds);

#endif
