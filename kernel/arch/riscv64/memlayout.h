/*
 * The kernel's virtual memory map (Sv39).  See docs/memory-map.md.
 *
 *   0x0000000000000000 .. 0x0000003fffffffff  user space (root entries 0-255)
 *   0xffffffc000000000 .. +PHYSMAP_GIB GiB    physmap: physical address pa is
 *                                             at PHYSMAP_BASE + pa (1 GiB pages,
 *                                             RAM and kernel devices, RW, no X)
 *   0xffffffff80000000 .. 0xffffffffbfffffff  kernel image window: the image,
 *                                             linked at KERNEL_VIRT_BASE, with
 *                                             4 KiB pages (text RX, rodata R,
 *                                             data/bss RW)
 *
 * Every address space shares the kernel half: a VSpace root copies root
 * entries 256..511 from the kernel's root table when it is created, so the
 * kernel's own lower-level tables (static, in .bss) are never paid for by
 * users and never change after boot.
 */
#ifndef COFFER_ARCH_MEMLAYOUT_H
#define COFFER_ARCH_MEMLAYOUT_H

/* The 4 KiB page is COFFER_PAGE_SIZE (<coffer/abi.h>); Sv39's larger ones: */
#define MEGAPAGE_SIZE (1ul << 21)
#define GIGAPAGE_SIZE (1ul << 30)

#define PHYSMAP_BASE 0xffffffc000000000ul /* also ARCH_PHYSMAP_BASE, arch_types.h */
#define PHYSMAP_GIB 64ul /* physical addresses below 64 GiB are reachable */

#define KERNEL_PHYS_BASE 0x80200000ul /* where OpenSBI jumps */
#define KERNEL_WINDOW_PHYS 0x80000000ul
#define KERNEL_WINDOW_VIRT 0xffffffff80000000ul
#define KERNEL_VIRT_OFFSET (KERNEL_WINDOW_VIRT - KERNEL_WINDOW_PHYS)
#define KERNEL_VIRT_BASE (KERNEL_PHYS_BASE + KERNEL_VIRT_OFFSET)

/* The kernel image may not exceed this; checked by the linker script. */
#define KERNEL_IMAGE_MAX (6ul << 20)
#define KERNEL_L0_TABLES (KERNEL_IMAGE_MAX / MEGAPAGE_SIZE)

#define KERNEL_STACK_SIZE (16ul * 1024)

#ifndef __ASSEMBLER__
#include <stdint.h>
static inline void *phys_to_virt(uint64_t pa)
{
    return (void *)(PHYSMAP_BASE + pa);
}
static inline uint64_t virt_to_phys(const void *va)
{
    return (uint64_t)va - PHYSMAP_BASE;
}
/* The physical address of a kernel-image symbol (text, data, bss). */
static inline uint64_t kernel_image_phys(const void *va)
{
    return (uint64_t)va - KERNEL_VIRT_OFFSET;
}
#endif

#endif
