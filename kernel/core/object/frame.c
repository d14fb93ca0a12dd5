/*
 * Frame invocations: map the capability's window into an address space
 * (or remap it with other rights), unmap it, and tell its physical
 * address.  A capability makes at most one mapping (recorded in its slot:
 * pagetable.c); to map a frame twice, copy the capability first.  A
 * mapping never exceeds the capability: only its window, only its rights.
 */
#include "arch.h"
#include "object/invoke.h"
#include "object/vspace.h"

/* Requested rights: R, RW or RX, and no more than the capability has. */
static bool rights_allowed(uint64_t perms, unsigned cap_rights)
{
    if ((perms & ~(COFFER_MAP_R | COFFER_MAP_W | COFFER_MAP_X)) || !(perms & COFFER_MAP_R))
        return false;
    if ((perms & COFFER_MAP_W) && (perms & COFFER_MAP_X))
        return false; /* never writable and executable at once */
    if (!(cap_rights & CAP_RIGHT_READ))
        return false;
    return !(perms & COFFER_MAP_W) || (cap_rights & CAP_RIGHT_WRITE);
}

static unsigned arch_perms(unsigned perms)
{
    return ((perms & COFFER_MAP_R) ? ARCH_PERM_R : 0) | ((perms & COFFER_MAP_W) ? ARCH_PERM_W : 0) |
           ((perms & COFFER_MAP_X) ? ARCH_PERM_X : 0);
}

/* Map the window at vaddr in vspace with COFFER_MAP_* rights.  Result:
 * detail0 = the page size used. */
static struct coffer_result frame_map(struct invocation *inv)
{
    const struct cap *f = &inv->slot->cap;
    const struct cap *vs;
    uint64_t rights = INV_ARG(inv, FRAME_MAP, rights);
    if (!rights_allowed(rights, f->rights))
        return syscall_error(COFFER_ERR_INVALID_ARGUMENT, 2, 0);
    struct coffer_result r = vspace_lookup_arg(inv, INV_ARG(inv, FRAME_MAP, vspace), &vs);
    if (r.error != COFFER_ERR_OK)
        return r;
    struct arch_frame_map req = { 0 }; /* set by decode on success */
    r = arch_frame_map_decode(vs->object, vs->data, INV_ARG(inv, FRAME_MAP, vaddr),
                              f->object + frame_window_offset(f), frame_window_size(f),
                              arch_perms((unsigned)rights),
                              inv->slot->mapping, &req);
    if (r.error != COFFER_ERR_OK)
        return r;
    inv->slot->mapping = arch_frame_map(&req);
    return syscall_ok(req.page, 0);
}

struct coffer_result frame_invoke(struct invocation *inv)
{
    const struct cap *f = &inv->slot->cap;
    switch (inv->label) {
    case COFFER_INV_FRAME_MAP:
        return frame_map(inv);
    case COFFER_INV_FRAME_UNMAP:
        vspace_cap_unmap(inv->slot);
        return syscall_ok(0, 0);
    case COFFER_INV_FRAME_ADDRESS:
        return syscall_ok(f->object + frame_window_offset(f), frame_window_size(f));
    default:
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    }
}
