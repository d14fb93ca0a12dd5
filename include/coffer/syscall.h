/*
 * The raw system-call instruction, for user space.  See syscalls.def for
 * the convention; the typed stubs (coffer_<name>) are generated from the
 * list into <coffer/syscall_stubs.h>.
 */
#ifndef COFFER_SYSCALL_H
#define COFFER_SYSCALL_H

#include <coffer/abi.h>
#include <stdint.h>

static inline struct coffer_result coffer_syscall(uint64_t number, uint64_t a0, uint64_t a1,
                                                  uint64_t a2, uint64_t a3, uint64_t a4,
                                                  uint64_t a5, uint64_t a6)
{
    register uint64_t r0 __asm__("a0") = a0;
    register uint64_t r1 __asm__("a1") = a1;
    register uint64_t r2 __asm__("a2") = a2;
    register uint64_t r3 __asm__("a3") = a3;
    register uint64_t r4 __asm__("a4") = a4;
    register uint64_t r5 __asm__("a5") = a5;
    register uint64_t r6 __asm__("a6") = a6;
    register uint64_t r7 __asm__("a7") = number;
    __asm__ volatile("ecall"
                     : "+r"(r0), "+r"(r1), "+r"(r2)
                     : "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
                     : "memory");
    return (struct coffer_result){ r0, r1, r2 };
}

#endif
