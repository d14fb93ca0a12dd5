/*
 * Building the root task at boot: its address space, its image from the
 * boot archive, its boot-info page and its thread, all carved from free RAM
 * before the rest of RAM is turned into untyped.
 */
#ifndef COFFER_KERNEL_BOOT_ROOT_H
#define COFFER_KERNEL_BOOT_ROOT_H

#include "boot/boot_mem.h"
#include "thread/thread.h"
#include <coffer/bootinfo.h>

struct boot_root {
    struct slot *cnode_slots;     /* the root CNode, for the untyped capabilities */
    struct thread *thread;        /* in a page of its own, zeroed */
    struct coffer_bootinfo *bootinfo; /* kernel view of the boot-info page */
    uint64_t bytes_used;          /* RAM taken from the free set */
};

/*
 * Load the first program of the boot archive (at physical address
 * archive_pa, size bytes) as the root task.  Allocates from free.  Returns
 * 0, or a negative code after printing why (the caller panics: without a
 * root task there is nothing to run).
 */
int boot_root_create(struct region_set *free, paddr_t archive_pa, size_t archive_size,
                     struct boot_root *out);

/* boot_caps.c: what the arch layer found, for the core to build on. */
struct fdt_machine;
struct boot_facts {
    uint64_t hart_id;
    const struct fdt_machine *machine; /* RAM, reserved memory, devices, boot image */
    const struct region *used;         /* RAM the arch keeps: kernel image, device tree, ... */
    unsigned nused;
    uint64_t uart_irq; /* the console UART's interrupt line (0: none) */
    uint64_t uart_paddr; /* its registers' physical address (0: none) */
};

/*
 * The rest of boot, once the arch has the device tree, the console and the
 * timer: free RAM (boot_free_ram), the root task (boot_root_create), the
 * boot-info page, and every remaining free byte as an untyped capability
 * in the root CNode.  Returns 0 with the root task's thread, ready to be
 * scheduled, in *out; or a BOOT_MEM_ERR_* code (free RAM could not be
 * computed), or BOOT_ERR_ROOT_TASK (printed why).  The caller panics:
 * without a root task there is nothing to run.
 */
#define BOOT_ERR_ROOT_TASK (-100)
int boot_make_root(const struct boot_facts *f, struct thread **out);

/* Untyped capabilities for bi's list in the root CNode's slots
 * bi->untyped, each the root of its derivation tree; RAM is zeroed. */
void boot_untyped_caps(struct slot *cnode_slots, const struct coffer_bootinfo *bi);

#endif
