/*
 * Page-table invocations: install a page table, paid for by whoever
 * retyped it, into an address space, and take it out again.  A page table
 * has one capability (copies are refused: cnode.c), so it is mapped in at
 * most one place; taking it out empties it.
 */
#include "object/invoke.h"
#include "object/vspace.h"

/* Install the table in vspace where the walk to vaddr first misses one.
 * Result: detail0 = the table's level (1: its entries map 2 MiB, 0: 4 KiB). */
static struct coffer_result page_table_map(struct invocation *inv)
{
    if (inv->slot->mapping != 0)
        return syscall_error(COFFER_ERR_DELETE_FIRST, COFFER_DELETE_FIRST_MAPPED, 0);
    const struct cap *vs;
    struct coffer_result r = vspace_lookup_arg(inv, INV_ARG(inv, PAGE_TABLE_MAP, vspace), &vs);
    if (r.error != COFFER_ERR_OK)
        return r;
    struct arch_table_map req;
    r = arch_table_map_decode(vs->object, vs->data, INV_ARG(inv, PAGE_TABLE_MAP, vaddr),
                              inv->slot->cap.object, &req);
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
