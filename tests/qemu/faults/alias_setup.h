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

/* Did a set-up step succeed?  If not, say which failed and what it got. */
static bool alias_step(struct coffer_result r, const char *step)
{
    if (r.error != COFFER_ERR_OK)
        printf("fault-test: FAILED to set up the alias: %s: %s (details %llu, %llu)\n", step,
               coffer_error_name(r.error), (unsigned long long)r.detail0,
               (unsigned long long)r.detail1);
    return r.error == COFFER_ERR_OK;
}

static volatile uint64_t *alias_setup(bool revoke_original)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    uint64_t ut = coffer_largest_ram_untyped(bi, 20), s = bi->empty.start;
    const uint64_t pt1 = s, pt0 = s + 1, frame = s + 2, alias = s + 3;
    const uint64_t W = COFFER_RETYPE_AT_WATERMARK;
    bool ok = alias_step(coffer_untyped_retype(ut, COFFER_OBJ_PAGE_TABLE, 0, COFFER_SLOT_CNODE, 0,
                                               pt1, 2, W),
                         "retype two page tables") &&
              alias_step(coffer_untyped_retype(ut, COFFER_OBJ_FRAME, 12, COFFER_SLOT_CNODE, 0, frame,
                                               1, W),
                         "retype the frame") &&
              alias_step(coffer_page_table_map(pt1, COFFER_SLOT_VSPACE, ALIAS_BASE),
                         "map the level-1 table") &&
              alias_step(coffer_page_table_map(pt0, COFFER_SLOT_VSPACE, ALIAS_BASE),
                         "map the level-0 table") &&
              alias_step(coffer_frame_map(frame, COFFER_SLOT_VSPACE, ALIAS_BASE,
                                          COFFER_MAP_R | COFFER_MAP_W),
                         "map the frame read-write");
    if (ok)
        *(volatile uint64_t *)ALIAS_BASE = 42;
    ok = ok &&
         alias_step(coffer_cnode_mint(COFFER_SLOT_CNODE, alias, 64, COFFER_SLOT_CNODE, frame, 64,
                                      COFFER_RIGHT_READ, 0),
                    "mint the read-only alias") &&
         alias_step(coffer_frame_map(alias, COFFER_SLOT_VSPACE, ALIAS_VA, COFFER_MAP_R),
                    "map the alias read-only");
    volatile uint64_t *p = (volatile uint64_t *)ALIAS_VA;
    if (ok && *p != 42)
        printf("fault-test: FAILED to set up the alias: it reads %llu, not 42\n",
               (unsigned long long)*p);
    if (revoke_original)
        alias_step(coffer_cnode_revoke(COFFER_SLOT_CNODE, frame, 64), "revoke the original");
    return p;
}
