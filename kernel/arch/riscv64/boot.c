/*
 * kernel_main: the boot sequence after entry.S has turned on paging.
 *
 *  1. traps and the console, so anything that goes wrong is reported;
 *  2. the device tree: RAM, reserved memory, devices, the boot image;
 *  3. trim the physmap to what exists;
 *  4. the timer;
 *  5. the core takes over (boot_make_root): the root task, carved from
 *     free RAM, and everything still free as untyped capabilities, listed
 *     in the boot-info page;
 *  6. the first return to user mode.
 * From step 6 on the kernel allocates nothing, ever.  This file finds the
 * facts (memory, devices, the console's interrupt line); it creates no
 * capability.
 */
#include "arch.h"
#include "boot/boot_root.h"
#include "boot/fdt.h"
#include "support/kprintf.h"
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

void kernel_main(uint64_t hart_id, uint64_t dtb_pa)
{
    trap_init();
    kprintf("\ncoffer: booting on hart %lu, device tree at %p\n", (unsigned long)hart_id,
            (void *)dtb_pa);
    read_device_tree(dtb_pa);
    init_console_and_power();
    trim_physmap();
    print_footprint();

    timer_init(machine.timebase_freq ? machine.timebase_freq : 10000000);
    struct region used[] = {
        { kernel_image_phys(_kernel_start), kernel_image_phys(_kernel_end) },
        { dtb_pa, dtb_pa + machine.dtb_size },
        { machine.initrd_start, machine.initrd_end },
    };
    const struct fdt_device *uart = fdt_find_compatible(&machine, "ns16550a");
    struct boot_facts facts = {
        .hart_id = hart_id, .machine = &machine, .used = used, .nused = ARRAY_SIZE(used),
        .uart_irq = uart != NULL && uart->has_irq ? uart->irq : 0,
        .uart_paddr = uart != NULL ? uart->reg[0].base : 0,
    };
    struct thread *root;
    int err = boot_make_root(&facts, &root);
    if (err == BOOT_ERR_ROOT_TASK)
        panic("cannot create the root task");
    if (err != 0)
        panic("cannot compute free RAM (%d)", err);

    kprintf("coffer: starting root task '%s'\n", root->name);
    schedule();
}
