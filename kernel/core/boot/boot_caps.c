/*
 * The portable half of boot: from the facts the arch layer gathered (the
 * device tree's machine, the memory it keeps, the console's interrupt
 * line) to a root task holding a capability to every byte it may use.
 * The arch layer only finds the facts; creating capabilities and entering
 * them into the derivation tree is the core's business, here and in
 * boot_root.c.
 */
#include "boot/boot_root.h"
#include "arch.h"
#include "boot/boot_memmap.h"
#include "cap/cdt.h"
#include "support/kprintf.h"
#include "support/kstring.h"

void boot_untyped_caps(struct slot *cnode_slots, const struct coffer_bootinfo *bi)
{
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        const struct coffer_untyped_desc *u = &bi->untyped_list[i];
        struct slot *s = &cnode_slots[bi->untyped.start + i];
        s->cap = (struct cap){ .object = u->paddr, .type = CAP_UNTYPED, .rights = CAP_RIGHTS_ALL,
                               .size_bits = u->size_bits,
                               .flags = u->is_device ? CAP_FLAG_DEVICE : 0 };
        cdt_insert_object(s);
        /* Free untyped memory is always zero (cap_delete.h): retype relies on it. */
        if (!u->is_device)
            memset(arch_phys_to_virt(u->paddr), 0, 1ull << u->size_bits);
    }
}

static void print_untyped(const struct coffer_bootinfo *bi)
{
    uint64_t ram = 0, device = 0;
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        uint64_t bytes = 1ull << bi->untyped_list[i].size_bits;
        if (bi->untyped_list[i].is_device)
            device += bytes;
        else
            ram += bytes;
    }
    kprintf("coffer: %lu untyped regions: %lu bytes of RAM, %lu bytes of device memory\n",
            (unsigned long)bi->untyped_count, (unsigned long)ram, (unsigned long)device);
}

/* The boot-info page's description of the machine and of the root CNode. */
static void fill_bootinfo(const struct boot_facts *f, const struct region_set *free_ram,
                          struct coffer_bootinfo *bi)
{
    const struct fdt_machine *m = f->machine;
    bi->hart_id = f->hart_id;
    for (uint32_t i = 0; i < m->nmemory; i++)
        bi->ram_bytes += m->memory[i].size;
    bi->kernel_reserved_bytes = bi->ram_bytes - region_set_bytes(free_ram);
    unsigned dropped = boot_fill_untyped(free_ram, m, bi);
    if (dropped != 0)
        kprintf("coffer: warning: %u untyped regions do not fit in the boot info\n", dropped);
    bi->root_cnode_bits = COFFER_ROOT_CNODE_BITS;
    bi->irq_lines = arch_irq_lines();
    bi->uart_irq = f->uart_irq;
    bi->uart_paddr = f->uart_paddr;
    bi->timebase_hz = arch_time_hz();
    bi->untyped = (struct coffer_slot_region){ COFFER_SLOT_FIRST_FREE_FIXED,
                                               COFFER_SLOT_FIRST_FREE_FIXED + bi->untyped_count };
    bi->empty = (struct coffer_slot_region){ bi->untyped.end, 1ull << COFFER_ROOT_CNODE_BITS };
}

int boot_make_root(const struct boot_facts *f, struct thread **out)
{
    static struct region_set free_ram; /* too large for the kernel stack */
    int err = boot_free_ram(f->machine, f->used, f->nused, &free_ram);
    if (err != BOOT_MEM_OK)
        return err;
    cdt_init();
    struct boot_root root;
    if (boot_root_create(&free_ram, f->machine->initrd_start,
                         f->machine->initrd_end - f->machine->initrd_start, &root) != 0)
        return BOOT_ERR_ROOT_TASK;
    fill_bootinfo(f, &free_ram, root.bootinfo);
    boot_untyped_caps(root.cnode_slots, root.bootinfo);
    print_untyped(root.bootinfo);
    *out = root.thread;
    return 0;
}
