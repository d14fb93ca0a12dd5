/*
 * The demo's address-space part: a frame and a read-only alias of its
 * second page, both mapped in the root task's own address space through
 * page tables it retyped itself; a write through the frame shows through
 * the alias.  The caller revokes the untyped afterwards, which takes the
 * mappings, the tables and the frame away.
 */
#include <coffer.h>
#include <stdio.h>
#include <string.h>
#include "demo.h"

#define ROOT COFFER_SLOT_CNODE
#define VSPACE COFFER_SLOT_VSPACE
#define DEMO_VA 0x1000000000ull /* 64 GiB, a free part of the address space */

int show_aliases(uint64_t ut, uint64_t frame, uint64_t alias, uint64_t first_free)
{
    uint64_t pt1 = first_free, pt0 = first_free + 1;
    const uint64_t W = COFFER_RETYPE_AT_WATERMARK;
    if (!demo_step(coffer_untyped_retype(ut, COFFER_OBJ_PAGE_TABLE, 0, ROOT, 0, pt1, 2, W),
                   "retype two page tables") ||
        !demo_step(coffer_page_table_map(pt1, VSPACE, DEMO_VA), "map the level-1 page table") ||
        !demo_step(coffer_page_table_map(pt0, VSPACE, DEMO_VA), "map the level-0 page table") ||
        !demo_step(coffer_frame_map(frame, VSPACE, DEMO_VA, COFFER_MAP_R | COFFER_MAP_W),
                   "map the frame read-write") ||
        !demo_step(coffer_frame_map(alias, VSPACE, DEMO_VA + 0x10000, COFFER_MAP_R),
                   "map the alias read-only"))
        return 1;
    char *page2 = (char *)(uintptr_t)(DEMO_VA + 0x1000);
    const char *alias_view = (const char *)(uintptr_t)(DEMO_VA + 0x10000);
    static const char message[] = "written through the frame";
    memcpy(page2, message, sizeof(message));
    struct coffer_result pa = coffer_frame_address(alias);
    if (!demo_step(pa, "read the alias's physical address"))
        return 1;
    printf("root: frame mapped read-write at 0x%llx, its read-only alias (physical 0x%llx,\n"
           "      %llu bytes) at 0x%llx reads: \"%s\"\n",
           (unsigned long long)DEMO_VA, (unsigned long long)pa.detail0,
           (unsigned long long)pa.detail1, (unsigned long long)(DEMO_VA + 0x10000), alias_view);
    return memcmp(alias_view, message, sizeof(message)) == 0 ? 0 : 1;
}
