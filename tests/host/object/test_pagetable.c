/*
 * The Sv39 page-table code (kernel/arch/riscv64/pagetable.c) on the host:
 * it only touches memory, so its tables can live in host pages and every
 * entry it writes can be checked bit by bit -- including 1 GiB pages,
 * which QEMU's 128 MiB cannot hold as frames.  Frames here are just
 * physical addresses: mapping never touches their memory.
 */
#include <stdlib.h>
#include <string.h>
#include "arch.h"
#include "object/asid.h"
#include "riscv.h"
#include "tap.h"
#include "object/vspace.h"
#include <coffer/bootinfo.h>

#define PAGE 4096ull
#define MIB2 (1ull << 21)
#define GIB (1ull << 30)
#define NO_PT(level) ((uint64_t)(level) | (uint64_t)COFFER_LOOKUP_NO_PAGE_TABLE << 32)
#define RW (ARCH_PERM_R | ARCH_PERM_W)

static pte_t *pages; /* host pages: 0 root, 1 pool, 2.. page tables */
static paddr_t root, pool;

static paddr_t page_pa(unsigned i)
{
    return (paddr_t)(uintptr_t)&pages[i * 512];
}

static pte_t *table(paddr_t pa)
{
    return (pte_t *)(uintptr_t)pa;
}

static void reset(void)
{
    memset(pages, 0, 8 * PAGE);
    root = page_pa(0);
    pool = page_pa(1);
    struct cap control, pool_cap;
    asid_boot(pool, root, &control, &pool_cap); /* root is ASID 1 */
}

static bool is_error(struct coffer_result r, uint64_t e, uint64_t d0, uint64_t d1)
{
    if (r.error != e || r.detail0 != d0 || r.detail1 != d1)
        tap_diag("got %llu (%#llx, %#llx)", (unsigned long long)r.error,
                 (unsigned long long)r.detail0, (unsigned long long)r.detail1);
    return r.error == e && r.detail0 == d0 && r.detail1 == d1;
}

/* Install page table number i at the first missing level on the way to va. */
static uint64_t put_table(unsigned i, vaddr_t va)
{
    struct arch_table_map req;
    if (arch_table_map_decode(root, 1, va, page_pa(i), &req).error != COFFER_ERR_OK)
        return 0;
    return arch_table_map(&req);
}

static uint64_t map(vaddr_t va, paddr_t pa, uint64_t size, unsigned perms, uint64_t mapped,
                    struct coffer_result *r)
{
    struct arch_frame_map req;
    *r = arch_frame_map_decode(root, 1, va, pa, size, perms, mapped, &req);
    return r->error == COFFER_ERR_OK ? arch_frame_map(&req) : 0;
}

static void test_small_pages(void)
{
    reset();
    const vaddr_t va = 0x1000000000ull + 0x5000;
    const paddr_t pa = 0x80400000;
    struct coffer_result r;
    map(va, pa, PAGE, RW, 0, &r);
    tap_ok(is_error(r, COFFER_ERR_FAILED_LOOKUP, NO_PT(1), 0), "walk: no level-1 table is reported as level 1");
    uint64_t t1 = put_table(2, va), t0 = put_table(3, va);
    tap_ok(t1 != 0 && t0 != 0 && table(root)[vpn_index(va, 2)] == pte_make(page_pa(2), PTE_V) &&
               table(page_pa(2))[vpn_index(va, 1)] == pte_make(page_pa(3), PTE_V),
           "tables: a level-1 and a level-0 table are linked in as non-leaf entries");
    tap_ok(put_table(4, va) == 0, "tables: with every level present a table has nowhere to go");
    uint64_t m = map(va, pa, 2 * PAGE, RW, 0, &r);
    pte_t *l0 = table(page_pa(3));
    unsigned i = vpn_index(va, 0);
    pte_t flags = PTE_V | PTE_U | PTE_A | PTE_D | PTE_R | PTE_W;
    tap_ok(r.error == COFFER_ERR_OK && l0[i] == pte_make(pa, flags) && l0[i + 1] == pte_make(pa + PAGE, flags) &&
               l0[i + 2] == 0 && arch_mapping_vaddr(m) == va && arch_mapping_asid(m) == 1,
           "map: an 8 KiB window becomes two 4 KiB user entries, read-write");
    map(va + PAGE, pa, PAGE, RW, 0, &r);
    tap_ok(is_error(r, COFFER_ERR_DELETE_FIRST, COFFER_DELETE_FIRST_SLOT, 0), "map: an entry in use");
    uint64_t m2 = map(va, pa, 2 * PAGE, ARCH_PERM_R, m, &r);
    tap_ok(r.error == COFFER_ERR_OK && m2 == m && !(l0[i] & PTE_W) && (l0[i] & PTE_R),
           "remap: the same place with fewer rights rewrites the entries");
    map(va + 4 * PAGE, pa, 2 * PAGE, ARCH_PERM_R, m, &r);
    tap_ok(is_error(r, COFFER_ERR_DELETE_FIRST, COFFER_DELETE_FIRST_MAPPED, 0),
           "remap: somewhere else is refused while mapped");
    arch_frame_unmap(m, pa + PAGE);
    tap_ok(l0[i] != 0 && l0[i + 1] != 0, "unmap: entries that map other memory are left alone");
    arch_frame_unmap(m, pa);
    tap_ok(l0[i] == 0 && l0[i + 1] == 0, "unmap: the entries go");
    map(va + PAGE / 2, pa, PAGE, RW, 0, &r);
    tap_ok(is_error(r, COFFER_ERR_ALIGNMENT_ERROR, 1, PAGE), "map: an unaligned address");
    map(COFFER_USER_TOP - PAGE, pa, 2 * PAGE, RW, 0, &r);
    tap_ok(is_error(r, COFFER_ERR_INVALID_ARGUMENT, 1, 0), "map: a window running past the user limit");
    map(0x1000000000ull + MIB2 - PAGE, pa, 2 * PAGE, RW, 0, &r);
    tap_ok(is_error(r, COFFER_ERR_INVALID_ARGUMENT, 1, 0), "map: a window whose entries would span two tables");
    m = map(0x1000000000ull, pa + PAGE, MIB2, RW, 0, &r);
    tap_ok(r.error == COFFER_ERR_OK && l0[0] == pte_make(pa + PAGE, flags) && l0[511] == pte_make(pa + MIB2, flags),
           "map: 2 MiB not 2 MiB-aligned in memory becomes 512 small pages, one whole table");
    /* The address space dies (its ASID entry goes): unmapping is harmless. */
    table(pool)[1] = 0;
    arch_frame_unmap(m, pa + PAGE);
    tap_ok(l0[0] != 0, "unmap: a record whose ASID no longer names an address space touches nothing");
}

static void test_large_pages(void)
{
    reset();
    struct coffer_result r;
    uint64_t m = map(GIB, 0xc0000000ull, GIB, ARCH_PERM_R | ARCH_PERM_X, 0, &r);
    pte_t e = table(root)[1];
    tap_ok(r.error == COFFER_ERR_OK && e == pte_make(0xc0000000ull, PTE_V | PTE_U | PTE_A | PTE_D | PTE_R | PTE_X),
           "map: a 1 GiB frame becomes one root-level leaf");
    map(GIB + MIB2, 0x200000, MIB2, RW, 0, &r);
    tap_ok(is_error(r, COFFER_ERR_DELETE_FIRST, COFFER_DELETE_FIRST_SLOT, 0),
           "map: a 1 GiB page is in the way of a 2 MiB one");
    map(2 * GIB + MIB2, 0x40000000ull, GIB, RW, 0, &r);
    tap_ok(is_error(r, COFFER_ERR_ALIGNMENT_ERROR, 1, GIB), "map: a 1 GiB page needs a 1 GiB-aligned address");
    arch_frame_unmap(m, 0xc0000000ull);
    tap_ok(table(root)[1] == 0, "unmap: the gigapage goes");
    uint64_t t = put_table(2, 3 * GIB);
    m = map(3 * GIB + 4 * MIB2, 0x80600000ull, 2 * MIB2, RW, 0, &r);
    pte_t *l1 = table(page_pa(2));
    tap_ok(t != 0 && r.error == COFFER_ERR_OK && (l1[4] & PTE_LEAF_MASK) && (l1[5] & PTE_LEAF_MASK) &&
               pte_paddr(l1[5]) == 0x80800000ull,
           "map: 4 MiB 2 MiB-aligned becomes two 2 MiB leaves in a level-1 table");
    arch_table_unmap(t, page_pa(2));
    tap_ok(table(root)[3] == 0 && l1[4] == 0 && l1[5] == 0,
           "table unmap: the root entry goes and the table is emptied");
}

int main(void)
{
    pages = aligned_alloc(PAGE, 8 * PAGE);
    if (pages == NULL)
        return 1;
    test_small_pages();
    test_large_pages();
    free(pages);
    return tap_done();
}
