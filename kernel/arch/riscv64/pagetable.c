/*
 * Sv39 page tables that users pay for: checking and making the mappings
 * of frame and page-table capabilities, and taking them down again (and,
 * at boot, mapping the root task's pages with boot-allocated tables).
 *
 * Only memory is touched here (through arch_phys_to_virt), never a CSR,
 * so this file also builds for the host tests; TLB maintenance is in
 * vm.c.  The core decodes capabilities and rights (frame.c,
 * page_table.c); everything about virtual addresses, page sizes and table
 * walks is decided here.
 *
 * A mapping is recorded in the slot of the capability that made it (one
 * per capability, as in seL4), in one word:
 *
 *   bit 63       mapped
 *   bits 58..50  number of entries - 1 (a frame: up to 512 pages)
 *   bits 49..48  level of the entries (0: 4 KiB pages, 1: 2 MiB, 2: 1 GiB;
 *                a page table: the level of the entry pointing to it)
 *   bits 47..32  ASID of the address space
 *   bits 26..0   virtual page number of the first entry
 *
 * The record is not trusted when a mapping is taken down: the address
 * space is found again through the ASID, and an entry is cleared only if
 * it still points at this capability's memory.  So a record made stale by
 * a dead address space, a removed page table or a reused ASID is harmless.
 */
#include "arch.h"
#include "riscv.h"
#include "memlayout.h"
#include "object/asid.h"
#include "object/vspace.h"
#include <coffer/bootinfo.h>

#define MAPPED (1ull << 63)

static uint64_t record(uint64_t asid, vaddr_t va, unsigned level, unsigned count)
{
    return MAPPED | (uint64_t)(count - 1) << 50 | (uint64_t)level << 48 | asid << 32 |
           ((va >> COFFER_PAGE_BITS) & ((1ull << 27) - 1));
}

uint64_t arch_mapping_asid(uint64_t m)
{
    return (m >> 32) & 0xffff;
}

vaddr_t arch_mapping_vaddr(uint64_t m)
{
    return (m & ((1ull << 27) - 1)) << COFFER_PAGE_BITS;
}

static unsigned record_level(uint64_t m)
{
    return (unsigned)(m >> 48) & 3;
}

static unsigned record_count(uint64_t m)
{
    return (unsigned)((m >> 50) & 0x1ff) + 1;
}

static pte_t *table_at(paddr_t pa)
{
    return arch_phys_to_virt(pa);
}

static uint64_t level_bytes(unsigned level)
{
    return 1ull << (COFFER_PAGE_BITS + 9 * level);
}

/* Is va a user address with room for size bytes? */
static bool user_range(vaddr_t va, uint64_t size)
{
    return va < COFFER_USER_TOP && size <= COFFER_USER_TOP - va;
}

/*
 * The table at `level` covering va: walks down from the root.  Returns
 * NULL and sets *err if a table on the way is missing (FAILED_LOOKUP with
 * the level whose table is missing) or a larger page is in the way
 * (DELETE_FIRST).
 */
static pte_t *walk_to(paddr_t root, vaddr_t va, unsigned level, struct coffer_result *err)
{
    pte_t *table = table_at(root);
    for (unsigned l = 2; l > level; l--) {
        pte_t pte = table[vpn_index(va, (int)l)];
        if (!(pte & PTE_V)) {
            *err = syscall_error(COFFER_ERR_FAILED_LOOKUP,
                                 (l - 1) | (uint64_t)COFFER_LOOKUP_NO_PAGE_TABLE << 32, 0);
            return NULL;
        }
        if (pte & PTE_LEAF_MASK) {
            *err = syscall_error(COFFER_ERR_DELETE_FIRST, COFFER_DELETE_FIRST_SLOT, 0);
            return NULL;
        }
        table = table_at(pte_paddr(pte));
    }
    return table;
}

/* The largest page level whose pages tile [pa, pa + size) exactly. */
static unsigned page_level(paddr_t pa, uint64_t size)
{
    for (unsigned level = 2; level > 0; level--)
        if (size >= level_bytes(level) && IS_ALIGNED(pa, level_bytes(level)) &&
            IS_ALIGNED(size, level_bytes(level)))
            return level;
    return 0;
}

static pte_t leaf_flags(unsigned perms)
{
    pte_t f = PTE_V | PTE_U | PTE_A | PTE_D;
    if (perms & ARCH_PERM_R)
        f |= PTE_R;
    if (perms & ARCH_PERM_W)
        f |= PTE_W;
    if (perms & ARCH_PERM_X)
        f |= PTE_X;
    return f;
}

/* Boot: map one 4 KiB page for the root task, taking missing tables from
 * the boot allocator (later, page tables are objects users retype). */
int arch_vspace_map_page(paddr_t root, vaddr_t va, paddr_t pa, unsigned perms,
                         arch_table_alloc_fn alloc, void *ctx)
{
    if (!user_range(va, COFFER_PAGE_SIZE) || !IS_ALIGNED(va, COFFER_PAGE_SIZE) || !IS_ALIGNED(pa, COFFER_PAGE_SIZE))
        return -1;
    pte_t *table = table_at(root);
    for (unsigned l = 2; l > 0; l--) {
        pte_t *pte = &table[vpn_index(va, (int)l)];
        if (!(*pte & PTE_V)) {
            paddr_t next = alloc(ctx);
            if (next == 0)
                return -1;
            *pte = pte_make(next, PTE_V);
        } else if (*pte & PTE_LEAF_MASK) {
            return -1; /* a larger page is already mapped here */
        }
        table = table_at(pte_paddr(*pte));
    }
    pte_t *leaf = &table[vpn_index(va, 0)];
    if (*leaf & PTE_V)
        return -1;
    *leaf = pte_make(pa, leaf_flags(perms));
    return 0;
}

struct coffer_result arch_frame_map_decode(paddr_t root, uint64_t asid, vaddr_t va, paddr_t pa,
                                           uint64_t size, unsigned perms, uint64_t mapped,
                                           struct arch_frame_map *req)
{
    unsigned level = page_level(pa, size);
    uint64_t page = level_bytes(level), count = size / page;
    if (!user_range(va, size))
        return syscall_error(COFFER_ERR_INVALID_ARGUMENT, 1, 0);
    if (!IS_ALIGNED(va, page))
        return syscall_error(COFFER_ERR_ALIGNMENT_ERROR, 1, page);
    unsigned first = vpn_index(va, (int)level);
    if (first + count > PTES_PER_TABLE) /* the entries must share one table */
        return syscall_error(COFFER_ERR_INVALID_ARGUMENT, 1, 0);
    bool remap = mapped != 0;
    if (remap && mapped != record(asid, va, level, (unsigned)count))
        return syscall_error(COFFER_ERR_DELETE_FIRST, COFFER_DELETE_FIRST_MAPPED, 0);
    struct coffer_result err;
    pte_t *table = walk_to(root, va, level, &err);
    if (table == NULL)
        return err;
    for (unsigned i = 0; i < count; i++) {
        pte_t pte = table[first + i];
        bool ours = (pte & PTE_V) && pte_paddr(pte) == pa + i * page;
        if (remap ? !ours : (pte & PTE_V) != 0)
            return syscall_error(COFFER_ERR_DELETE_FIRST, COFFER_DELETE_FIRST_SLOT, 0);
    }
    *req = (struct arch_frame_map){ &table[first], pa, page, (unsigned)count, leaf_flags(perms),
                                    record(asid, va, level, (unsigned)count), asid, va };
    return syscall_ok(0, 0);
}

uint64_t arch_frame_map(const struct arch_frame_map *req)
{
    for (unsigned i = 0; i < req->count; i++)
        req->entries[i] = pte_make(req->pa + i * req->page, req->flags);
    /* A remap may have taken rights away: no stale entry may keep them. */
    arch_tlb_flush_range(req->asid, req->va, req->page * req->count);
    return req->record;
}

void arch_frame_unmap(uint64_t m, paddr_t pa)
{
    paddr_t root = asid_vspace(arch_mapping_asid(m));
    if (root == 0)
        return; /* the address space is gone, and its tables with it */
    unsigned level = record_level(m), count = record_count(m);
    vaddr_t va = arch_mapping_vaddr(m);
    struct coffer_result err;
    pte_t *table = walk_to(root, va, level, &err);
    if (table == NULL)
        return;
    uint64_t page = level_bytes(level);
    unsigned first = vpn_index(va, (int)level);
    for (unsigned i = 0; i < count && first + i < PTES_PER_TABLE; i++) {
        pte_t pte = table[first + i];
        if ((pte & PTE_V) && (pte & PTE_LEAF_MASK) && pte_paddr(pte) == pa + i * page)
            table[first + i] = 0;
    }
    arch_tlb_flush_range(arch_mapping_asid(m), va, page * count);
}

/*
 * A page table goes into the first missing table on the way to va: the
 * entry at level L that is empty makes it a level L-1 table.  The low bits
 * of va below what that table covers are ignored.
 */
struct coffer_result arch_table_map_decode(paddr_t root, uint64_t asid, vaddr_t va, paddr_t pt,
                                           struct arch_table_map *req)
{
    if (!user_range(va, 1))
        return syscall_error(COFFER_ERR_INVALID_ARGUMENT, 1, 0);
    pte_t *table = table_at(root);
    for (unsigned l = 2; l > 0; l--) {
        pte_t *entry = &table[vpn_index(va, (int)l)];
        if (!(*entry & PTE_V)) {
            vaddr_t base = ALIGN_DOWN(va, level_bytes(l));
            *req = (struct arch_table_map){ entry, pt, record(asid, base, l, 1), asid, base,
                                            level_bytes(l) };
            return syscall_ok(l - 1, 0);
        }
        if (*entry & PTE_LEAF_MASK)
            break;
        table = table_at(pte_paddr(*entry));
    }
    /* Every table on the way is there already, or a page is in the way. */
    return syscall_error(COFFER_ERR_DELETE_FIRST, COFFER_DELETE_FIRST_SLOT, 0);
}

uint64_t arch_table_map(const struct arch_table_map *req)
{
    *req->entry = pte_make(req->table, PTE_V);
    arch_tlb_flush_range(req->asid, req->va, req->covers);
    return req->record;
}

void arch_table_unmap(uint64_t m, paddr_t pt)
{
    paddr_t root = asid_vspace(arch_mapping_asid(m));
    vaddr_t va = arch_mapping_vaddr(m);
    unsigned level = record_level(m);
    struct coffer_result err;
    pte_t *table = root != 0 ? walk_to(root, va, level, &err) : NULL;
    if (table != NULL) {
        pte_t *entry = &table[vpn_index(va, (int)level)];
        if ((*entry & PTE_V) && !(*entry & PTE_LEAF_MASK) && pte_paddr(*entry) == pt) {
            *entry = 0;
            arch_tlb_flush_range(arch_mapping_asid(m), va, level_bytes(level));
        }
    }
    /* Whatever hung below goes too, so the table can never bring old
     * mappings into another place (512 stores: bounded). */
    pte_t *entries = table_at(pt);
    for (unsigned i = 0; i < PTES_PER_TABLE; i++)
        entries[i] = 0;
}
