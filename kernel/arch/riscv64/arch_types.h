/*
 * Architecture types the portable core stores: the saved user registers of
 * a thread and their accessors (arch_regs.h), object sizes, the physmap.
 */
#ifndef COFFER_ARCH_TYPES_H
#define COFFER_ARCH_TYPES_H

#include <stdint.h>

#include "arch_regs.h"

/* Sizes (log2 bytes) of the architecture's kernel objects. */
#define ARCH_PAGE_TABLE_BITS 12 /* an Sv39 table of 512 entries */
#define ARCH_VSPACE_BITS 12     /* the Sv39 root table */
#define ARCH_FRAME_MIN_BITS COFFER_PAGE_BITS /* 4 KiB page */
#define ARCH_FRAME_MAX_BITS 30  /* 1 GiB gigapage */
#define ARCH_TCB_BITS 10        /* saved registers and thread state */

/* Physical addresses: Sv39 PTEs hold a 44-bit page number, 56 bits in all. */
#define ARCH_PHYS_ADDR_BITS 56

/* The frame record -fno-omit-frame-pointer leaves below each frame
 * pointer: the return address one word below it, the caller's frame
 * pointer two words below (kernel/core/support/backtrace.c walks them). */
#define ARCH_FRAME_RA_WORD 1
#define ARCH_FRAME_FP_WORD 2

/* Address-space identifiers the MMU can name: satp's 16-bit ASID field. */
#define ARCH_ASID_BITS 16

/* The fault report's names for the cause code and the address it gives. */
#define ARCH_FAULT_CAUSE_NAME "scause"
#define ARCH_FAULT_ADDR_NAME "stval"

/* The ELF e_machine of the programs this kernel runs (EM_RISCV; the boot
 * code checks the root task against it). */
#define ARCH_ELF_MACHINE 243

/* Physical memory as the kernel sees it: the physmap (memlayout.h), or,
 * in the host tests, host pointers. */
#ifdef COFFER_HOST
static inline void *arch_phys_to_virt(uint64_t pa)
{
    return (void *)(uintptr_t)pa;
}
#else
#define ARCH_PHYSMAP_BASE 0xffffffc000000000ul /* PHYSMAP_BASE in memlayout.h */
static inline void *arch_phys_to_virt(uint64_t pa)
{
    return (void *)(ARCH_PHYSMAP_BASE + pa);
}
#endif

#endif
