/*
 * Address spaces: what the core needs from the architecture's page tables
 * (kernel/arch/<arch>/pagetable.c, TLB maintenance in vm.c), and the
 * hooks the capability core calls when a frame, page table or VSpace
 * capability goes.
 *
 * The core decodes capabilities, rights and windows (frame.c,
 * page_table.c); the architecture decides everything about virtual
 * addresses, page sizes and table walks, in a decode step that changes
 * nothing and an invoke step that cannot fail.
 */
#ifndef COFFER_KERNEL_VSPACE_H
#define COFFER_KERNEL_VSPACE_H

#include "cap/cap.h"
#include "thread/syscall.h"

/* A checked request to map a frame window (filled by the decode step). */
struct arch_frame_map {
    uint64_t *entries; /* the first page-table entry to write */
    paddr_t pa;        /* physical address of the window */
    uint64_t page;     /* page size in bytes */
    unsigned count;    /* entries to write */
    uint64_t flags;    /* entry flags (rights) */
    uint64_t record;   /* the mapping word for the capability's slot */
    uint64_t asid;
    vaddr_t va;
};

/* A checked request to install a page table. */
struct arch_table_map {
    uint64_t *entry;  /* the empty entry that will point at the table */
    paddr_t table;
    uint64_t record;
    uint64_t asid;
    vaddr_t va;       /* the start of what the table covers */
    uint64_t covers;  /* how many bytes of address space the table covers */
};

/*
 * Map [pa, pa + size) at va in the address space with root table `root`
 * and ASID asid, with ARCH_PERM_* perms.  `mapped` is the capability's
 * current mapping word: 0, or the same place for a remap (new rights).
 * The largest page size that tiles the window exactly is used; all its
 * entries must lie in one table.  Errors: INVALID_ARGUMENT(1) for an
 * address outside user space or a window crossing a table,
 * ALIGNMENT_ERROR(1, page size), FAILED_LOOKUP(level | NO_PAGE_TABLE << 32)
 * for a missing table, DELETE_FIRST(SLOT) for an entry in use,
 * DELETE_FIRST(MAPPED) when the capability is mapped elsewhere.
 */
struct coffer_result arch_frame_map_decode(paddr_t root, uint64_t asid, vaddr_t va, paddr_t pa,
                                           uint64_t size, unsigned perms, uint64_t mapped,
                                           struct arch_frame_map *req);
uint64_t arch_frame_map(const struct arch_frame_map *req);
/* Take down what a frame capability mapped (record m, window at pa). */
void arch_frame_unmap(uint64_t m, paddr_t pa);

/* Install page table pt at the first missing level on the way to va.
 * Success detail0: the level of the table.  Errors: INVALID_ARGUMENT(1),
 * DELETE_FIRST(SLOT) when every table on the way exists already. */
struct coffer_result arch_table_map_decode(paddr_t root, uint64_t asid, vaddr_t va, paddr_t pt,
                                           struct arch_table_map *req);
uint64_t arch_table_map(const struct arch_table_map *req);
/* Take page table pt out (record m) and clear its entries. */
void arch_table_unmap(uint64_t m, paddr_t pt);

/* What a mapping word says (for identify and tests). */
uint64_t arch_mapping_asid(uint64_t m);
vaddr_t arch_mapping_vaddr(uint64_t m);

/* TLB maintenance (vm.c; no-ops on the host), besides arch_tlb_flush_all. */
void arch_tlb_flush_range(uint64_t asid, vaddr_t va, uint64_t size);
void arch_tlb_flush_asid(uint64_t asid);
/* The current address space is about to die: run on the kernel's own
 * tables until a thread with a live one runs. */
void arch_vspace_leave(paddr_t root);

/* The address-space argument of an invocation: a VSpace capability (at
 * cptr, 64 bits in the caller's CSpace) whose ASID is live; else the
 * lookup's error or INVALID_CAPABILITY(0). */
struct invocation;
struct coffer_result vspace_lookup_arg(struct invocation *inv, uint64_t cptr,
                                       const struct cap **out);

/* Hooks of the capability core. */
/* A frame or page-table capability is going: take down its mapping, if any
 * (any other capability: nothing).  Inline, as deleting any capability
 * asks: most map nothing. */
void vspace_cap_unmap_mapped(struct slot *s);
static inline void vspace_cap_unmap(struct slot *s)
{
    if (s->mapping != 0)
        vspace_cap_unmap_mapped(s);
}
/* An object of these types has just been created / is about to die. */
void vspace_object_created(const struct cap *c);
void vspace_object_dies(const struct cap *c);

/* Counts changes that may take a thread's address space away: a VSpace
 * capability deleted or installed in a TCB, a VSpace or ASID pool dying.
 * The scheduler re-checks a thread's address space when it moved. */
extern uint64_t vspace_epoch;

/* The address space a thread runs in: its TCB's VSpace capability, if
 * that still has a live ASID. */
struct thread;
bool thread_vspace(const struct thread *t, paddr_t *root, uint64_t *asid);

/* Invocations. */
struct coffer_result frame_invoke(struct invocation *inv);
struct coffer_result page_table_invoke(struct invocation *inv);

#endif
