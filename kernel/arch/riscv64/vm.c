/*
 * Sv39 address spaces for user threads, the parts that touch the hart: a
 * root table that shares the kernel half, TLB maintenance, checked access
 * to user memory, and entering a thread.  The page-table walks themselves
 * (including the boot-time mapper of the root task) are in pagetable.c.
 */
#include "arch.h"
#include "support/kprintf.h"
#include "support/kstring.h"
#include "thread/sched.h"
#include "memlayout.h"
#include "platform.h"
#include "thread/thread.h"
#include "object/vspace.h"
#include <coffer/bootinfo.h>

STATIC_ASSERT(ARCH_PHYSMAP_BASE == PHYSMAP_BASE, "one physmap");

paddr_t arch_kernel_phys(const void *p)
{
    return kernel_image_phys(p);
}

/* sfence.vma with an address and an ASID flushes just that page's entries
 * of that address space; a range larger than this is flushed whole. */
#define FLUSH_PAGES_MAX 64

void arch_tlb_flush_range(uint64_t asid, vaddr_t va, uint64_t size)
{
    if (size > FLUSH_PAGES_MAX * COFFER_PAGE_SIZE) {
        arch_tlb_flush_asid(asid);
        return;
    }
    for (vaddr_t p = va; p < va + size; p += COFFER_PAGE_SIZE)
        __asm__ volatile("sfence.vma %0, %1" ::"r"(p), "r"(asid) : "memory");
}

void arch_tlb_flush_asid(uint64_t asid)
{
    __asm__ volatile("sfence.vma zero, %0" ::"r"(asid) : "memory");
}

void arch_tlb_flush_all(void)
{
    sfence_vma_all();
}

void arch_vspace_leave(paddr_t root)
{
    if ((csr_read(satp) & ((1ul << 44) - 1)) == root >> COFFER_PAGE_BITS) {
        csr_write(satp, SATP_MODE_SV39 | ((uint64_t)kernel_image_phys(kernel_root_pt) >> COFFER_PAGE_BITS));
        sfence_vma_all();
    }
}

void arch_vspace_init(paddr_t root)
{
    pte_t *table = phys_to_virt(root);
    memset(table, 0, COFFER_PAGE_SIZE / 2);
    /* The kernel half: the same root entries in every address space. */
    memcpy(&table[PTES_PER_TABLE / 2], &kernel_root_pt[PTES_PER_TABLE / 2], COFFER_PAGE_SIZE / 2);
}

/* The leaf entry mapping va in the current address space, or 0. */
static pte_t user_leaf(vaddr_t va)
{
    pte_t *table = phys_to_virt((csr_read(satp) & ((1ul << 44) - 1)) << COFFER_PAGE_BITS);
    for (int level = 2; level >= 0; level--) {
        pte_t pte = table[vpn_index(va, level)];
        if ((pte & PTE_V) == 0)
            return 0;
        if (pte & PTE_LEAF_MASK)
            return pte;
        table = phys_to_virt(pte_paddr(pte));
    }
    return 0;
}

static bool user_range_ok(vaddr_t va, size_t len, uint64_t need)
{
    if (len == 0)
        return true;
    if (va >= COFFER_USER_TOP || len > COFFER_USER_TOP - va)
        return false;
    for (vaddr_t page = ALIGN_DOWN(va, COFFER_PAGE_SIZE); page < va + len; page += COFFER_PAGE_SIZE) {
        pte_t pte = user_leaf(page);
        if ((pte & (PTE_V | PTE_U | need)) != (PTE_V | PTE_U | need))
            return false;
    }
    return true;
}

bool arch_user_readable(vaddr_t va, size_t len)
{
    return user_range_ok(va, len, PTE_R);
}

bool arch_copy_from_user(void *dst, vaddr_t src, size_t len)
{
    if (!user_range_ok(src, len, PTE_R))
        return false;
    csr_set(sstatus, SSTATUS_SUM);
    memcpy(dst, (const void *)src, len);
    csr_clear(sstatus, SSTATUS_SUM);
    return true;
}

bool arch_copy_to_user(vaddr_t dst, const void *src, size_t len)
{
    if (!user_range_ok(dst, len, PTE_R | PTE_W))
        return false;
    csr_set(sstatus, SSTATUS_SUM);
    memcpy((void *)dst, src, len);
    csr_clear(sstatus, SSTATUS_SUM);
    return true;
}

void arch_return_same_vspace(struct thread *t)
{
    /* sstatus is as the trap from user mode left it: SPP 0, SPIE 1. */
    arch_return_to_user(&t->regs);
}

void arch_run_thread(struct thread *t)
{
    paddr_t root;
    uint64_t asid;
    if (!thread_vspace(t, &root, &asid)) { /* none, or it died under it */
        char buf[24];
        kprintf("coffer: thread '%s' has no address space\n", thread_name(t, buf));
        thread_stop(t);
        schedule();
    }
    /* No flush: an ASID names one live address space, and its entries are
     * flushed whenever a mapping changes or the ASID is given up. */
    uint64_t satp = SATP_MODE_SV39 | (asid << SATP_ASID_SHIFT) | (root >> COFFER_PAGE_BITS);
    if (csr_read(satp) != satp)
        csr_write(satp, satp);
    /* Return to U-mode with interrupts enabled there and the FPU off. */
    csr_clear(sstatus, SSTATUS_SPP | SSTATUS_SIE | SSTATUS_FS_MASK);
    csr_set(sstatus, SSTATUS_SPIE);
    current_thread = t;
    arch_return_to_user(&t->regs);
}
