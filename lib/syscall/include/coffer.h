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

/* A path taken rarely (growing, refusing), kept out of line so the common
 * path it leaves needs fewer registers saved: the compiler would inline a
 * static function called once. */
#define COFFER_COLD __attribute__((noinline, cold))

/* The boot-info page the kernel mapped for the root task. */
static inline const struct coffer_bootinfo *coffer_bootinfo(void)
{
    return (const struct coffer_bootinfo *)(uintptr_t)COFFER_BOOTINFO_VADDR;
}

/* "INVALID_ARGUMENT", "PROTO_UNKNOWN_OP" etc.: kernel and protocol error
 * codes; "UNKNOWN" for numbers in neither list. */
const char *coffer_error_name(uint64_t error);

/* "CNode", "endpoint", "sched context" etc.: an object type's name for
 * people (bank tables, the shell); NULL for a type without one. */
const char *coffer_object_name(uint64_t type);

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
/* The time: the time CSR, in ticks of timebase_hz (struct
 * coffer_kernel_info); what RECV's deadlines are given in. */
static inline uint64_t coffer_time_now(void)
{
    uint64_t t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

/* The index of the lowest set bit of v, which is not 0.  The target has
 * no bit-manipulation extension, so __builtin_ctzll would be a call into
 * libgcc (45 instructions); a de Bruijn multiply and a table are five:
 * v & -v is one bit, and the multiply by the sequence puts a distinct
 * 6-bit pattern in the top bits for each of the 64. */
static inline unsigned coffer_lowest_bit(uint64_t v)
{
    static const unsigned char index[64] = {
        0,  1,  48, 2,  57, 49, 28, 3,  61, 58, 50, 42, 38, 29, 17, 4,
        62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
        63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
        46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,  13, 8,  7,  6,
    };
    return index[((v & -v) * 0x03f79d71b4cb0a89ull) >> 58];
}

/* The slot of the largest RAM untyped of at most 2^max_bits bytes (0 if
 * there is none); its size is untyped_list[slot - untyped.start]. */
uint64_t coffer_largest_ram_untyped(const struct coffer_bootinfo *bi, unsigned max_bits);

/* Print the boot info's untyped table to stdout. */
void coffer_print_untyped_table(const struct coffer_bootinfo *bi);

#endif
