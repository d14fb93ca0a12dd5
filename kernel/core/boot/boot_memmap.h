/*
 * The boot memory map: which physical memory becomes untyped.
 *
 * Inputs are the device tree's description of the machine and the ranges
 * the kernel knows are in use (its image, the device tree blob, the boot
 * image).  Outputs are the free RAM as a region set, from which the root
 * task's boot objects are carved, and then the untyped list of the boot-info
 * page.  Pure functions over plain data, so the host tests check them
 * against QEMU's real device tree.
 */
#ifndef COFFER_KERNEL_BOOT_MEMMAP_H
#define COFFER_KERNEL_BOOT_MEMMAP_H

#include "boot/boot_mem.h"
#include "boot/fdt.h"
#include <coffer/bootinfo.h>

/*
 * Free RAM = the device tree's memory regions, minus its reserved regions
 * (firmware), minus each of used[0..nused), every range rounded outwards to
 * whole pages.  Returns 0 or a BOOT_MEM_ERR_* code.
 */
int boot_free_ram(const struct fdt_machine *m, const struct region *used, unsigned nused,
                  struct region_set *free);

/* Devices the kernel drives itself and never hands out as device untyped:
 * interrupt controller, core-local interruptor, power/test device (their
 * compatible strings are the arch's: ARCH_KERNEL_DEVICE_COMPATIBLES). */
bool boot_device_is_kernel_owned(const struct fdt_device *dev);

/*
 * Append the untyped list to bi: first RAM (each free range split into
 * naturally aligned power-of-two blocks), then device memory (the pages of
 * every device register range not owned by the kernel, minus RAM).  Returns
 * the number of descriptors that did not fit (0 when all fit).
 */
unsigned boot_fill_untyped(const struct region_set *free_ram, const struct fdt_machine *m,
                           struct coffer_bootinfo *bi);

#endif
