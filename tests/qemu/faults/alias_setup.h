/*
 * For the fault tests about aliases: map a 4 KiB frame read-write at
 * ALIAS_BASE and a read-only alias of it at ALIAS_VA, check that the
 * alias reads what was written through the original (so the TLB holds the
 * alias), and optionally revoke the original, which must take the alias's
 * mapping away at once.  Returns the alias's address; the test then
 * touches it and must fault there.
 */
#include <coffer.h>
#include <stdbool.h>
#include <stdio.h>

#define ALIAS_BASE 0x1000000000ull
#define ALIAS_VA (ALIAS_BASE + 0x1000)

static volatile uint64_t *alias_setup(bool revoke_original)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    uint64_t ut = coffer_largest_ram_untyped(bi, 20), s = bi->empty.start;
    const uint64_t pt1 = s, pt0 = s + 1, frame = s + 2, alias = s + 3;
    const uint64_t W = COFFER_RETYPE_AT_WATERMARK;
    uint64_t err = coffer_untyped_retype(ut, COFFER_OBJ_PAGE_TABLE, 0, COFFER_SLOT_CNODE, 0, pt1, 2, W).error;
    err |= coffer_untyped_retype(ut, COFFER_OBJ_FRAME, 12, COFFER_SLOT_CNODE, 0, frame, 1, W).error;
    err |= coffer_page_table_map(pt1, COFFER_SLOT_VSPACE, ALIAS_BASE).error;
    err |= coffer_page_table_map(pt0, COFFER_SLOT_VSPACE, ALIAS_BASE).error;
    err |= coffer_frame_map(frame, COFFER_SLOT_VSPACE, ALIAS_BASE, COFFER_MAP_R | COFFER_MAP_W).error;
    *(volatile uint64_t *)ALIAS_BASE = 42;
    err |= coffer_cnode_mint(COFFER_SLOT_CNODE, alias, 64, COFFER_SLOT_CNODE, frame, 64,
                             COFFER_RIGHT_READ, 0).error;
    err |= coffer_frame_map(alias, COFFER_SLOT_VSPACE, ALIAS_VA, COFFER_MAP_R).error;
    volatile uint64_t *p = (volatile uint64_t *)ALIAS_VA;
    if (err != 0 || *p != 42)
        printf("fault-test: FAILED to set up the alias\n");
    if (revoke_original && coffer_cnode_revoke(COFFER_SLOT_CNODE, frame, 64).error != COFFER_ERR_OK)
        printf("fault-test: FAILED to revoke the original\n");
    return p;
}
