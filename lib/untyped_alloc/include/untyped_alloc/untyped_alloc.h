/*
 * The untyped allocator: kernel objects retyped at explicit offsets into
 * untyped capabilities, the offsets chosen by the buddy allocator
 * (buddy.h) so that a freed range can be retyped again at once — no
 * revoke of the untyped, no intermediate untyped per object.
 *
 * The owner provides every byte of metadata: the buddy's arrays and one
 * tree per untyped (buddy_tree_bytes(size_bits, min_bits): 2.25 bytes per
 * minimum block, 576 bytes per MiB with 4 KiB blocks).
 *
 * Freeing is the owner's promise that the object is gone: every
 * capability to it deleted (for an object handed out, revoke a capability
 * the owner kept, then delete it).  The kernel keeps the promise honest:
 * a retype into a range a live object still takes fails with REVOKE_FIRST
 * and nothing is created, so a wrong free costs a refused retype, never a
 * corrupted object.
 */
#ifndef UNTYPED_ALLOC_UNTYPED_ALLOC_H
#define UNTYPED_ALLOC_UNTYPED_ALLOC_H

#include <coffer.h>
#include <untyped_alloc/buddy.h>

/* Add the untyped capability at `untyped` (a RAM or device untyped the
 * caller holds) as a pool: UNTYPED_DESCRIBE gives its size and address
 * (into the caller's IPC buffer ipc); what retype at the watermark has
 * used is reserved, since holes below it are not known to be free.
 * Errors: UNTYPED_DESCRIBE's; buddy_add's; its pool index in *index. */
struct coffer_result untyped_alloc_add(struct buddy *b, coffer_cptr_t untyped,
                                       const struct coffer_ipc_buffer *ipc, void *tree,
                                       size_t tree_bytes, unsigned *index);

/* Retype one object of type and size_bits (as UNTYPED_RETYPE takes them)
 * into slot dest_index of the CNode dest_cnode (resolved with dest_depth;
 * 0 names the caller's root) from a block the buddy chooses, at least a
 * minimum block.  The block goes to *block.  Errors: INVALID_ARGUMENT
 * (detail0 0) for a type retype refuses, (1) for a size it refuses;
 * buddy_alloc's (NOT_ENOUGH_MEMORY when no block fits); UNTYPED_RETYPE's,
 * with the block given back. */
struct coffer_result untyped_alloc_retype(struct buddy *b, uint64_t type, uint64_t size_bits,
                                          coffer_cptr_t dest_cnode, uint64_t dest_depth,
                                          uint64_t dest_index, struct buddy_ref *block);

/* The untyped a block lies in and its physical address. */
coffer_cptr_t untyped_alloc_untyped(const struct buddy *b, struct buddy_ref block);
uint64_t untyped_alloc_paddr(const struct buddy *b, struct buddy_ref block);

/* Give a block back (after its object is gone, above).  Errors:
 * buddy_free's. */
uint64_t untyped_alloc_free(struct buddy *b, struct buddy_ref block);

#endif
