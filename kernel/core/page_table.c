/*
 * Page-table invocations: install a page table, paid for by whoever
 * retyped it, into an address space, and take it out again.  A page table
 * has one capability (copies are refused: cnode.c), so it is mapped in at
 * most one place; taking it out empties it.
 */
#include "asid.h"
#include "invoke.h"
#include "vspace.h"

/* arg0 = VSpace cptr, arg1 = a virtual address the table will cover.
 * Result: detail0 = the table's level (1: its entries map 2 MiB, 0: 4 KiB). */
static struct coffer_result page_table_map(struct invocation *inv)
{
    if (inv->slot->mapping != 0)
        return syscall_error(COFFER_ERR_DELETE_FIRST, COFFER_DELETE_FIRST_MAPPED, 0);
    struct slot *s;
    struct coffer_result r =
        lookup_slot(&inv->thread->cspace_root.cap, inv->arg[0], CPTR_MAX_DEPTH, &s);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (asid_vspace_of(&s->cap) == 0)
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
    struct arch_table_map req;
    r = arch_table_map_decode(s->cap.object, s->cap.data, inv->arg[1], inv->slot->cap.object, &req);
    if (r.error != COFFER_ERR_OK)
        return r;
    inv->slot->mapping = arch_table_map(&req);
    return r;
}

struct coffer_result page_table_invoke(struct invocation *inv)
{
    switch (inv->label) {
    case COFFER_INV_PAGE_TABLE_MAP:
        return page_table_map(inv);
    case COFFER_INV_PAGE_TABLE_UNMAP:
        vspace_cap_unmap(inv->slot);
        return syscall_ok(0, 0);
    default:
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    }
}
