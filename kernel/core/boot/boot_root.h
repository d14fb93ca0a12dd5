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

#endif
