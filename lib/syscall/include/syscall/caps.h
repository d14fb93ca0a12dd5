/*
 * Typed wrappers for the untyped and CNode invocations (CALL with a label
 * from invocations.def, arguments packed as include/coffer/abi.h says).
 * All capability pointers are resolved in the caller's CSpace.
 */
#ifndef COFFER_CAPS_H
#define COFFER_CAPS_H

#include <coffer/abi.h>
#include <coffer/syscall_stubs.h>

typedef uint64_t coffer_cptr_t;

static inline struct coffer_result coffer_invoke(coffer_cptr_t cap, uint64_t label, uint64_t a0,
                                                 uint64_t a1, uint64_t a2, uint64_t a3,
                                                 uint64_t a4)
{
    return coffer_call(cap, label, a0, a1, a2, a3, a4);
}

/* Retype `count` objects from untyped `ut` into slots dest_index.. of the
 * CNode dest_cnode (resolved with dest_depth bits; 0 = the root CNode),
 * at byte `offset` or COFFER_RETYPE_AT_WATERMARK.  detail0 of the result
 * is the offset used. */
static inline struct coffer_result coffer_untyped_retype(coffer_cptr_t ut, unsigned type,
                                                         unsigned size_bits,
                                                         coffer_cptr_t dest_cnode,
                                                         unsigned dest_depth,
                                                         uint64_t dest_index, uint64_t count,
                                                         uint64_t offset)
{
    return coffer_invoke(ut, COFFER_INV_UNTYPED_RETYPE,
                         COFFER_RETYPE_ARG0(type, size_bits, dest_depth, count), dest_cnode,
                         dest_index, offset, 0);
}

static inline struct coffer_result coffer_cnode_copy(coffer_cptr_t cnode, uint64_t dest_index,
                                                     unsigned dest_depth, coffer_cptr_t src_root,
                                                     uint64_t src_index, unsigned src_depth)
{
    return coffer_invoke(cnode, COFFER_INV_CNODE_COPY, dest_index,
                         COFFER_CNODE_ARG1(dest_depth, src_depth, COFFER_RIGHTS_ALL), src_root,
                         src_index, 0);
}

static inline struct coffer_result coffer_cnode_mint(coffer_cptr_t cnode, uint64_t dest_index,
                                                     unsigned dest_depth, coffer_cptr_t src_root,
                                                     uint64_t src_index, unsigned src_depth,
                                                     unsigned rights, uint64_t data)
{
    return coffer_invoke(cnode, COFFER_INV_CNODE_MINT, dest_index,
                         COFFER_CNODE_ARG1(dest_depth, src_depth, rights), src_root, src_index,
                         data);
}

static inline struct coffer_result coffer_cnode_move(coffer_cptr_t cnode, uint64_t dest_index,
                                                     unsigned dest_depth, coffer_cptr_t src_root,
                                                     uint64_t src_index, unsigned src_depth)
{
    return coffer_invoke(cnode, COFFER_INV_CNODE_MOVE, dest_index,
                         COFFER_CNODE_ARG1(dest_depth, src_depth, COFFER_RIGHTS_ALL), src_root,
                         src_index, 0);
}

static inline struct coffer_result coffer_cnode_mutate(coffer_cptr_t cnode, uint64_t dest_index,
                                                       unsigned dest_depth,
                                                       coffer_cptr_t src_root, uint64_t src_index,
                                                       unsigned src_depth, unsigned rights,
                                                       uint64_t data)
{
    return coffer_invoke(cnode, COFFER_INV_CNODE_MUTATE, dest_index,
                         COFFER_CNODE_ARG1(dest_depth, src_depth, rights), src_root, src_index,
                         data);
}

static inline struct coffer_result coffer_cnode_delete(coffer_cptr_t cnode, uint64_t index,
                                                       unsigned depth)
{
    return coffer_invoke(cnode, COFFER_INV_CNODE_DELETE, index, depth, 0, 0, 0);
}

static inline struct coffer_result coffer_cnode_revoke(coffer_cptr_t cnode, uint64_t index,
                                                       unsigned depth)
{
    return coffer_invoke(cnode, COFFER_INV_CNODE_REVOKE, index, depth, 0, 0, 0);
}

static inline struct coffer_result coffer_cnode_identify(coffer_cptr_t cnode, uint64_t index,
                                                         unsigned depth)
{
    return coffer_invoke(cnode, COFFER_INV_CNODE_IDENTIFY, index, depth, 0, 0, 0);
}

/* ---- Address spaces (docs/memory.md) ---- */

/* Map the frame capability's window at vaddr in the address space vspace
 * with COFFER_MAP_* rights (or remap it there with other rights).
 * detail0 of the result is the page size used. */
static inline struct coffer_result coffer_frame_map(coffer_cptr_t frame, coffer_cptr_t vspace,
                                                    uint64_t vaddr, unsigned rights)
{
    return coffer_invoke(frame, COFFER_INV_FRAME_MAP, vspace, vaddr, rights, 0, 0);
}

static inline struct coffer_result coffer_frame_unmap(coffer_cptr_t frame)
{
    return coffer_invoke(frame, COFFER_INV_FRAME_UNMAP, 0, 0, 0, 0, 0);
}

/* detail0: physical address of the window, detail1: its size. */
static inline struct coffer_result coffer_frame_address(coffer_cptr_t frame)
{
    return coffer_invoke(frame, COFFER_INV_FRAME_ADDRESS, 0, 0, 0, 0, 0);
}

/* Install the page table where vaddr's walk first misses a table.
 * detail0: its level (1: entries map 2 MiB, 0: 4 KiB). */
static inline struct coffer_result coffer_page_table_map(coffer_cptr_t pt, coffer_cptr_t vspace,
                                                         uint64_t vaddr)
{
    return coffer_invoke(pt, COFFER_INV_PAGE_TABLE_MAP, vspace, vaddr, 0, 0, 0);
}

static inline struct coffer_result coffer_page_table_unmap(coffer_cptr_t pt)
{
    return coffer_invoke(pt, COFFER_INV_PAGE_TABLE_UNMAP, 0, 0, 0, 0, 0);
}

/* Give a retyped ASID pool its 512 ASIDs; detail0: the first one. */
static inline struct coffer_result coffer_asid_control_make_pool(coffer_cptr_t control,
                                                                 coffer_cptr_t pool)
{
    return coffer_invoke(control, COFFER_INV_ASID_CONTROL_MAKE_POOL, pool, 0, 0, 0, 0);
}

/* Give the VSpace (its only capability) an ASID; detail0: the ASID. */
static inline struct coffer_result coffer_asid_pool_assign(coffer_cptr_t pool, coffer_cptr_t vspace)
{
    return coffer_invoke(pool, COFFER_INV_ASID_POOL_ASSIGN, vspace, 0, 0, 0, 0);
}

#endif
