/*
 * Boot page tables: built before paging is on, torn down to size after.
 *
 * boot_page_tables_build() runs at the physical load address with the MMU
 * off, so it may only use PC-relative references (no pointers stored in
 * data, no switch jump tables): every symbol it takes the address of
 * evaluates to its physical address.  It maps
 *   - the kernel image window with 4 KiB pages and per-section permissions,
 *   - the physmap (1 GiB pages over the first PHYSMAP_GIB GiB),
 *   - an identity 1 GiB page over the load address, needed only for the
 *     instructions between writing satp and jumping to the window.
 * vm_boot_finish() later removes the identity page and the physmap gigabytes
 * that hold neither RAM nor a device the kernel drives.
 */
#include "memlayout.h"
#include "riscv.h"
#include "platform.h"
#include <coffer/abi.h>

pte_t kernel_root_pt[PTES_PER_TABLE] __attribute__((aligned(COFFER_PAGE_SIZE), section(".bss.pagetables")));
static pte_t kernel_window_l1[PTES_PER_TABLE] __attribute__((aligned(COFFER_PAGE_SIZE), section(".bss.pagetables")));
static pte_t kernel_image_l0[KERNEL_L0_TABLES][PTES_PER_TABLE]
    __attribute__((aligned(COFFER_PAGE_SIZE), section(".bss.pagetables")));

extern char _kernel_start[], _kernel_end[], _text_end[], _rodata_end[];

#define KERNEL_PTE (PTE_V | PTE_G | PTE_A | PTE_D)
#define IDENTITY_INDEX (KERNEL_WINDOW_PHYS >> 30)
#define PHYSMAP_INDEX ((PHYSMAP_BASE >> 30) & 0x1ff)

/* Permissions of the kernel page at physical address pa: W^X by section. */
static uint64_t kernel_page_perms(uint64_t pa)
{
    if (pa < (uint64_t)_text_end)
        return PTE_R | PTE_X;
    if (pa < (uint64_t)_rodata_end)
        return PTE_R;
    return PTE_R | PTE_W;
}

uint64_t boot_page_tables_build(void)
{
    uint64_t start = (uint64_t)_kernel_start, end = (uint64_t)_kernel_end;

    kernel_root_pt[IDENTITY_INDEX] = pte_make(KERNEL_WINDOW_PHYS, KERNEL_PTE | PTE_R | PTE_W | PTE_X);
    for (uint64_t gib = 0; gib < PHYSMAP_GIB; gib++)
        kernel_root_pt[PHYSMAP_INDEX + gib] = pte_make(gib << 30, KERNEL_PTE | PTE_R | PTE_W);

    kernel_root_pt[vpn_index(KERNEL_WINDOW_VIRT, 2)] = pte_make((uint64_t)kernel_window_l1, PTE_V | PTE_G);
    for (uint64_t t = 0; t < KERNEL_L0_TABLES; t++)
        kernel_window_l1[vpn_index(KERNEL_VIRT_BASE, 1) + t] =
            pte_make((uint64_t)kernel_image_l0[t], PTE_V | PTE_G);

    for (uint64_t pa = start; pa < end; pa += COFFER_PAGE_SIZE) {
        uint64_t index = (pa - start) >> COFFER_PAGE_BITS;
        kernel_image_l0[index / PTES_PER_TABLE][index % PTES_PER_TABLE] =
            pte_make(pa, KERNEL_PTE | kernel_page_perms(pa));
    }
    return SATP_MODE_SV39 | ((uint64_t)kernel_root_pt >> COFFER_PAGE_BITS);
}

void vm_boot_finish(const uint64_t keep_gib[], unsigned count)
{
    kernel_root_pt[IDENTITY_INDEX] = 0;
    for (uint64_t gib = 0; gib < PHYSMAP_GIB; gib++) {
        bool keep = false;
        for (unsigned i = 0; i < count; i++)
            keep = keep || keep_gib[i] == gib;
        if (!keep)
            kernel_root_pt[PHYSMAP_INDEX + gib] = 0;
    }
    sfence_vma_all();
}
