/*
 * Platform facts the portable boot code needs from the device tree: which
 * devices the kernel drives itself (never handed out as device untyped),
 * and where a cpu node names its instruction set.  They are RISC-V's
 * (QEMU virt and SiFive-style boards), so they live here; the core only
 * matches them (kernel/core/boot/boot_memmap.c, fdt_machine.c).
 */
#ifndef COFFER_ARCH_PLATFORM_FACTS_H
#define COFFER_ARCH_PLATFORM_FACTS_H

/* Compatible strings of the kernel's own devices: the interrupt
 * controller (PLIC), the core-local interruptor (CLINT: timer and
 * software interrupts) and the power-off/reset devices. */
#define ARCH_KERNEL_DEVICE_COMPATIBLES                                                 \
    "riscv,plic0", "sifive,plic-1.0.0", "riscv,clint0", "sifive,clint0", "sifive,test0", \
        "sifive,test1", "syscon-poweroff", "syscon-reboot"

/* The cpu node property holding its ISA string (struct fdt_machine.isa). */
#define ARCH_FDT_CPU_ISA_PROPERTY "riscv,isa"

#endif
