/*
 * lib/syscall: the user-level interface to the Coffer kernel.
 *
 * Include this one header.  It brings the ABI numbers (<coffer/abi.h>), the
 * boot-info layout (<coffer/bootinfo.h>), the system-call stubs and the
 * invocation wrappers generated from the ABI lists (coffer_yield(),
 * coffer_cnode_copy(), ...: <coffer/syscall_stubs.h>), the IPC wrappers
 * (<syscall/ipc.h>), thread start (<syscall/thread.h>) and a few helpers.
 */
#ifndef COFFER_H
#define COFFER_H

#include <coffer/abi.h>
#include <coffer/bootinfo.h>
#include <coffer/syscall_stubs.h>
#include <syscall/ipc.h>
#include <syscall/thread.h>

/* The boot-info page the kernel mapped for the root task. */
static inline const struct coffer_bootinfo *coffer_bootinfo(void)
{
    return (const struct coffer_bootinfo *)(uintptr_t)COFFER_BOOTINFO_VADDR;
}

/* "INVALID_ARGUMENT", "PROTO_UNKNOWN_OP" etc.: kernel and protocol error
 * codes; "UNKNOWN" for numbers in neither list. */
const char *coffer_error_name(uint64_t error);

/* Read the cycle and retired-instruction counters (enabled for U-mode by
 * the kernel; under QEMU -icount both count instructions). */
static inline uint64_t coffer_rdcycle(void)
{
    uint64_t v;
    __asm__ volatile("rdcycle %0" : "=r"(v));
    return v;
}
static inline uint64_t coffer_rdinstret(void)
{
    uint64_t v;
    __asm__ volatile("rdinstret %0" : "=r"(v));
    return v;
}

/* The slot of the largest RAM untyped of at most 2^max_bits bytes (0 if
 * there is none); its size is untyped_list[slot - untyped.start]. */
uint64_t coffer_largest_ram_untyped(const struct coffer_bootinfo *bi, unsigned max_bits);

/* Print the boot info's untyped table to stdout. */
void coffer_print_untyped_table(const struct coffer_bootinfo *bi);

#endif
