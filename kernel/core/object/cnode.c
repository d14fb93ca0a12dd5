/*
 * CNode invocations: copy, mint, move, mutate, delete, revoke, identify.
 *
 * Rights, windows and guards only narrow; a badge can be set once (on an
 * unbadged endpoint or notification capability).  Copy makes a sibling in
 * the derivation tree, mint a child.  Untyped capabilities are never
 * copied or minted (cdt.h explains why); they can be moved.
 */
#include "cap/cap_delete.h"
#include "cap/cdt.h"
#include "object/invoke.h"
#include "object/objects.h"

struct transfer {
    struct slot *dest;
    struct slot *src;
    unsigned rights;
    uint64_t data;
};

/*
 * CNode rights: READ lets a holder identify slots and copy or mint from
 * them; WRITE lets it change slots (put capabilities in, move them out,
 * delete, revoke).  Looking up through a CNode needs neither: what a
 * holder can reach it can copy, so reaching is reading.  A missing right
 * on the invoked capability is ILLEGAL_OPERATION; on a capability
 * argument, INVALID_CAPABILITY with the argument's index.
 */
static bool has_right(const struct cap *c, unsigned right)
{
    return (c->rights & right) != 0;
}

/* Copy, mint, move and mutate place their shared arguments alike (the
 * decoder below reads them as CNODE_MINT's). */
_Static_assert(INV_SHARES(CNODE_MINT, CNODE_COPY), "copy places its arguments as mint");
_Static_assert(INV_SHARES(CNODE_MINT, CNODE_MOVE), "move places its arguments as mint");
_Static_assert(INV_SHARES(CNODE_MINT, CNODE_MUTATE), "mutate places its arguments as mint");

/* The destination in the invoked CNode, the source in src_root.  The
 * source root needs `src_right`: READ to copy from, WRITE to move from. */
static HOT_INLINE struct coffer_result decode_transfer(struct invocation *inv,
                                                       struct transfer *tr, unsigned src_right)
{
    if (!has_right(&inv->slot->cap, CAP_RIGHT_WRITE))
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    struct coffer_result r =
        lookup_slot(&inv->slot->cap, INV_ARG(inv, CNODE_MINT, dest_index),
                    INV_ARG(inv, CNODE_MINT, dest_depth), &tr->dest);
    if (r.error != COFFER_ERR_OK)
        return r;
    const struct cap *src_root;
    r = lookup_cnode(inv->thread, INV_ARG(inv, CNODE_MINT, src_root), CPTR_MAX_DEPTH, 2, &src_root);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (!has_right(src_root, src_right))
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 2, 0);
    r = lookup_slot(src_root, INV_ARG(inv, CNODE_MINT, src_index), INV_ARG(inv, CNODE_MINT, src_depth),
                    &tr->src);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (cap_is_null(&tr->src->cap))
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 3, 0);
    /* A CNode being torn down can only be deleted (which goes on with it). */
    if (tr->src->cap.type == CAP_ZOMBIE)
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    if (!cap_is_null(&tr->dest->cap))
        return syscall_error(COFFER_ERR_DELETE_FIRST, 0, 0);
    tr->rights = (unsigned)INV_ARG(inv, CNODE_MINT, rights);
    tr->data = INV_ARG(inv, CNODE_MINT, data);
    return syscall_ok(0, 0);
}

/*
 * The narrowed capability `out` derived from src with rights mask and data.
 * Errors: INVALID_ARGUMENT(4) for data the type does not take or that would
 * widen; ALIGNMENT_ERROR(4) for a window not in whole pages;
 * ILLEGAL_OPERATION for a badge on an already badged capability.
 */
static struct coffer_result narrow(const struct cap *src, unsigned rights, uint64_t data,
                                   struct cap *out)
{
    *out = *src;
    out->rights = (uint8_t)(src->rights & rights);
    /* 0 keeps the badge or window; a CNode's guard is always set (the
     * guard COFFER_GUARD(0, 0) is 0 too, and must be expressible). */
    if (data == 0 && src->type != CAP_CNODE)
        return syscall_ok(0, 0);
    switch (src->type) {
    case CAP_ENDPOINT:
    case CAP_NOTIFICATION:
        if (src->flags & CAP_FLAG_BADGED)
            return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
        out->data = data;
        out->flags |= CAP_FLAG_BADGED;
        return syscall_ok(0, 0);
    case CAP_FRAME: {
        uint64_t offset = data & 0xffffffffu, size = data >> 32;
        if (!IS_ALIGNED(offset, COFFER_PAGE_SIZE) || !IS_ALIGNED(size, COFFER_PAGE_SIZE) || size == 0)
            return syscall_error(COFFER_ERR_ALIGNMENT_ERROR, 4, COFFER_PAGE_SIZE);
        if (offset < frame_window_offset(src) ||
            offset + size > frame_window_offset(src) + frame_window_size(src))
            return syscall_error(COFFER_ERR_INVALID_ARGUMENT, 4, 0);
        out->data = data;
        return syscall_ok(0, 0);
    }
    case CAP_CNODE: {
        unsigned guard_bits = (unsigned)(data & 0x3f);
        uint64_t guard = data >> 6;
        if (guard_bits + src->size_bits > CPTR_MAX_DEPTH ||
            (guard_bits < 58 && (guard >> guard_bits) != 0))
            return syscall_error(COFFER_ERR_INVALID_ARGUMENT, 4, 0);
        out->guard_bits = (uint8_t)guard_bits;
        out->data = guard;
        return syscall_ok(0, 0);
    }
    default:
        return syscall_error(COFFER_ERR_INVALID_ARGUMENT, 4, 0);
    }
}

static struct coffer_result cnode_copy(struct invocation *inv, bool mint)
{
    struct transfer tr;
    struct coffer_result r = decode_transfer(inv, &tr, CAP_RIGHT_READ);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (!cap_copy_allowed(&tr.src->cap))
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    /* A copy is the same capability: rights, badge, window and guard. */
    struct cap derived;
    if (mint) {
        if (tr.src->cap.depth >= CAP_DEPTH_MAX) /* a child would be one deeper */
            return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
        r = narrow(&tr.src->cap, tr.rights, tr.data, &derived);
        if (r.error != COFFER_ERR_OK)
            return r;
    } else {
        derived = tr.src->cap;
    }
    cdt_insert_derived(tr.src, tr.dest, &derived, mint);
    return syscall_ok(0, 0);
}

static struct coffer_result cnode_move(struct invocation *inv, bool mutate)
{
    struct transfer tr;
    struct coffer_result r = decode_transfer(inv, &tr, CAP_RIGHT_WRITE);
    if (r.error != COFFER_ERR_OK)
        return r;
    struct cap narrowed = tr.src->cap;
    if (mutate) {
        /* Narrowing in place must not leave a child wider than its parent. */
        if (cdt_first_descendant(tr.src) != NULL)
            return syscall_error(COFFER_ERR_REVOKE_FIRST, 0, 0);
        if (tr.src->cap.type == CAP_UNTYPED)
            return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
        /* Its mapping was made with the rights and window it has now. */
        if (tr.src->mapping != 0 && tr.src->cap.type == CAP_FRAME)
            return syscall_error(COFFER_ERR_DELETE_FIRST, COFFER_DELETE_FIRST_MAPPED, 0);
        r = narrow(&tr.src->cap, tr.rights, tr.data, &narrowed);
        if (r.error != COFFER_ERR_OK)
            return r;
    }
    cdt_move(tr.src, tr.dest);
    tr.dest->cap = narrowed;
    return syscall_ok(0, 0);
}

/* The slot a delete or revoke changes (the invoked CNode needs WRITE). */
_Static_assert(INV_SHARES(CNODE_DELETE, CNODE_REVOKE), "delete and revoke name their slot alike");
static HOT_INLINE struct coffer_result lookup_target(struct invocation *inv, struct slot **s)
{
    if (!has_right(&inv->slot->cap, CAP_RIGHT_WRITE))
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    struct coffer_result r = lookup_slot(&inv->slot->cap, INV_ARG(inv, CNODE_DELETE, index),
                                         INV_ARG(inv, CNODE_DELETE, depth), s);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (cap_is_null(&(*s)->cap))
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
    return syscall_ok(0, 0);
}

static struct coffer_result cnode_delete(struct invocation *inv)
{
    struct slot *s;
    struct coffer_result r = lookup_target(inv, &s);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (cap_delete(s) == DELETE_PREEMPTED)
        return syscall_restart();
    return syscall_ok(0, 0);
}

static struct coffer_result cnode_revoke(struct invocation *inv)
{
    struct slot *s;
    struct coffer_result r = lookup_target(inv, &s);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (cap_revoke(s) == DELETE_PREEMPTED)
        return syscall_restart();
    return syscall_ok(0, 0);
}

static struct coffer_result cnode_identify(struct invocation *inv)
{
    if (!has_right(&inv->slot->cap, CAP_RIGHT_READ))
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    struct slot *s;
    struct coffer_result r = lookup_slot(&inv->slot->cap, INV_ARG(inv, CNODE_IDENTIFY, index),
                                         INV_ARG(inv, CNODE_IDENTIFY, depth), &s);
    if (r.error != COFFER_ERR_OK)
        return r;
    const struct cap *c = &s->cap;
    if (cap_is_null(c))
        return syscall_ok(COFFER_ID_TYPE_NULL, 0);
    if (c->type == CAP_ZOMBIE) /* size: log2 bytes; detail 1: slots left */
        return syscall_ok(COFFER_ID_TYPE_ZOMBIE | (uint64_t)c->size_bits << 16,
                          zombie_slots_left(c));
    uint64_t d0 = (uint64_t)(c->type - 1) | (uint64_t)c->rights << 8 |
                  (uint64_t)c->size_bits << 16 | (uint64_t)c->depth << 24 |
                  (uint64_t)c->flags << 32;
    uint64_t d1 = c->data;
    if (c->type == CAP_UNTYPED)
        d1 = (1ull << c->size_bits) - c->data; /* free bytes above the watermark */
    else if (c->type == CAP_FRAME)
        d1 = frame_window_offset(c) | frame_window_size(c) << 32;
    else if (c->type == CAP_CNODE)
        d1 = COFFER_GUARD(c->guard_bits, c->data);
    return syscall_ok(d0, d1);
}

struct coffer_result cnode_invoke(struct invocation *inv)
{
    switch (inv->label) {
    case COFFER_INV_CNODE_COPY:
        return cnode_copy(inv, false);
    case COFFER_INV_CNODE_MINT:
        return cnode_copy(inv, true);
    case COFFER_INV_CNODE_MOVE:
        return cnode_move(inv, false);
    case COFFER_INV_CNODE_MUTATE:
        return cnode_move(inv, true);
    case COFFER_INV_CNODE_DELETE:
        return cnode_delete(inv);
    case COFFER_INV_CNODE_REVOKE:
        return cnode_revoke(inv);
    case COFFER_INV_CNODE_IDENTIFY:
        return cnode_identify(inv);
    default:
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    }
}
