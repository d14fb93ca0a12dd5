/*
 * kernel_main: the boot sequence after entry.S has turned on paging.
 *
 *  1. traps and the console, so anything that goes wrong is reported;
 *  2. the device tree: RAM, reserved memory, devices, the boot image;
 *  3. trim the physmap to what exists;
 *  4. the root task, carved from free RAM;
 *  5. everything still free becomes untyped, listed in the boot-info page;
 *  6. the timer, then the first return to user mode.
 * From step 6 on the kernel allocates nothing, ever.
 */
#include "arch.h"
#include "boot/boot_memmap.h"
#include "boot/boot_root.h"
#include "cap/cdt.h"
#include "boot/fdt.h"
#include "support/kprintf.h"
#include "support/kstring.h"
#include "memlayout.h"
#include "support/panic.h"
#include "platform.h"
#include "object/irq.h"
#include "thread/fault.h"
#include "thread/sched.h"
#include "thread/syscall.h"
#include <coffer/abi.h>

extern char _kernel_start[], _kernel_end[], _text_start[], _text_end[], _rodata_start[],
    _rodata_end[], _data_start[], _data_end[], _bss_start[], _bss_end[], _ksyms_start[],
    _ksyms_end[];

void kernel_main(uint64_t hart_id, uint64_t dtb_pa);

/* Too large for the kernel stack; used only during boot. */
static struct fdt_machine machine;
static struct region_set free_ram;

/* Bytes between two linker symbols (compared as addresses, not pointers). */
static uint64_t span(const char *start, const char *end)
{
    return (uint64_t)(uintptr_t)end - (uint64_t)(uintptr_t)start;
}

void arch_kernel_info(struct coffer_kernel_info *info)
{
    *info = (struct coffer_kernel_info){
        .abi_version = COFFER_ABI_VERSION,
        .text_bytes = span(_text_start, _text_end),
        .rodata_bytes = span(_rodata_start, _rodata_end),
        .data_bytes = span(_data_start, _data_end),
        .bss_bytes = span(_bss_start, _bss_end),
        .stack_bytes = KERNEL_STACK_SIZE,
        .page_table_bytes = (2 + KERNEL_L0_TABLES) * COFFER_PAGE_SIZE,
        .ksyms_bytes = span(_ksyms_start, _ksyms_end),
        .timer_ticks = timer_ticks(),
        .timebase_hz = timer_timebase_hz(),
        .syscall_restarts = syscall_restart_count(),
        .context_switches = sched_context_switches(),
    };
}

static void print_footprint(void)
{
    struct coffer_kernel_info k;
    arch_kernel_info(&k);
    kprintf("coffer: kernel static footprint %lu bytes: text %lu, rodata %lu, data %lu, "
            "bss %lu (stack %lu, page tables %lu), ksyms %lu\n",
            (unsigned long)span(_kernel_start, _kernel_end), (unsigned long)k.text_bytes,
            (unsigned long)k.rodata_bytes, (unsigned long)k.data_bytes,
            (unsigned long)k.bss_bytes, (unsigned long)k.stack_bytes,
            (unsigned long)k.page_table_bytes, (unsigned long)k.ksyms_bytes);
}

static void read_device_tree(uint64_t dtb_pa)
{
    if (dtb_pa == 0 || dtb_pa >= PHYSMAP_GIB * GIGAPAGE_SIZE - COFFER_PAGE_SIZE)
        panic("no usable device tree (a1 = %p)", (void *)dtb_pa);
    /* The header gives the size; the blob may not cross the physmap end. */
    int err = fdt_read_machine(phys_to_virt(dtb_pa), PHYSMAP_GIB * GIGAPAGE_SIZE - dtb_pa, &machine);
    if (err != FDT_OK)
        panic("device tree at %p: %s", (void *)dtb_pa, fdt_strerror(err));
    if (machine.nmemory == 0)
        panic("device tree describes no memory");
    if (!machine.has_initrd || machine.initrd_end <= machine.initrd_start)
        panic("no boot image: boot with -initrd <archive> (see docs/boot.md)");
    /* make bench asks for the fault report's cost (docs/benchmarks.md). */
    fault_report_cost(fdt_has_bootarg(&machine, "coffer.fault_cost"));
}

/* Keep the physmap gigabytes with RAM or the devices the kernel drives. */
static void trim_physmap(void)
{
    uint64_t keep[FDT_MAX_MEMORY * 2 + FDT_MAX_DEVICES];
    unsigned n = 0;
    for (uint32_t i = 0; i < machine.nmemory; i++) {
        const struct fdt_region *r = &machine.memory[i];
        for (uint64_t gib = r->base >> 30; gib <= (r->base + r->size - 1) >> 30 && n < ARRAY_SIZE(keep); gib++)
            keep[n++] = gib;
    }
    for (uint32_t i = 0; i < machine.ndevices && n < ARRAY_SIZE(keep); i++)
        if (machine.devices[i].nreg > 0)
            keep[n++] = machine.devices[i].reg[0].base >> 30;
    vm_boot_finish(keep, n);
}

static void init_console_and_power(void)
{
    const struct fdt_device *uart = fdt_find_compatible(&machine, "ns16550a");
    if (uart != NULL && uart->nreg > 0)
        uart_init(uart->reg[0].base);
    const struct fdt_device *plic = fdt_find_compatible(&machine, "riscv,plic0");
    if (plic == NULL)
        plic = fdt_find_compatible(&machine, "sifive,plic-1.0.0");
    if (plic != NULL && plic->nreg > 0)
        plic_init(plic->reg[0].base);
    power_init(&machine);
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

void kernel_main(uint64_t hart_id, uint64_t dtb_pa)
{
    trap_init();
    kprintf("\ncoffer: booting on hart %lu, device tree at %p\n", (unsigned long)hart_id,
            (void *)dtb_pa);
    read_device_tree(dtb_pa);
    init_console_and_power();
    trim_physmap();
    print_footprint();

    struct region used[] = {
        { kernel_image_phys(_kernel_start), kernel_image_phys(_kernel_end) },
        { dtb_pa, dtb_pa + machine.dtb_size },
        { machine.initrd_start, machine.initrd_end },
    };
    int err = boot_free_ram(&machine, used, ARRAY_SIZE(used), &free_ram);
    if (err != BOOT_MEM_OK)
        panic("cannot compute free RAM (%d)", err);

    timer_init(machine.timebase_freq ? machine.timebase_freq : 10000000);
    cdt_init();
    struct boot_root root;
    if (boot_root_create(&free_ram, machine.initrd_start,
                         machine.initrd_end - machine.initrd_start, &root) != 0)
        panic("cannot create the root task");

    struct coffer_bootinfo *bi = root.bootinfo;
    bi->hart_id = hart_id;
    for (uint32_t i = 0; i < machine.nmemory; i++)
        bi->ram_bytes += machine.memory[i].size;
    bi->kernel_reserved_bytes = bi->ram_bytes - region_set_bytes(&free_ram);
    unsigned dropped = boot_fill_untyped(&free_ram, &machine, bi);
    if (dropped != 0)
        kprintf("coffer: warning: %u untyped regions do not fit in the boot info\n", dropped);
    bi->root_cnode_bits = COFFER_ROOT_CNODE_BITS;
    bi->irq_lines = arch_irq_lines();
    const struct fdt_device *uart = fdt_find_compatible(&machine, "ns16550a");
    bi->uart_irq = uart != NULL && uart->has_irq ? uart->irq : 0;
    bi->untyped = (struct coffer_slot_region){ COFFER_SLOT_FIRST_FREE_FIXED,
                                               COFFER_SLOT_FIRST_FREE_FIXED + bi->untyped_count };
    bi->empty = (struct coffer_slot_region){ bi->untyped.end, 1ull << COFFER_ROOT_CNODE_BITS };
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        const struct coffer_untyped_desc *u = &bi->untyped_list[i];
        struct slot *s = &root.cnode_slots[bi->untyped.start + i];
        s->cap = (struct cap){ .object = u->paddr, .type = CAP_UNTYPED, .rights = CAP_RIGHTS_ALL,
                               .size_bits = u->size_bits,
                               .flags = u->is_device ? CAP_FLAG_DEVICE : 0 };
        cdt_insert_object(s);
        /* Free untyped memory is always zero (cap_delete.h): retype relies on it. */
        if (!u->is_device)
            memset(arch_phys_to_virt(u->paddr), 0, 1ull << u->size_bits);
    }
    print_untyped(bi);

    kprintf("coffer: starting root task '%s'\n", root.thread->name);
    schedule();
}
