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

#endif
