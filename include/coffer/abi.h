/*
 * Coffer public ABI: numbers shared by the kernel and user space.
 *
 * Everything here is generated from the .def lists beside this file, which
 * are the single source of truth.  This header is freestanding (stdint only)
 * so the kernel, the user libraries and the host tests all include it.
 */
#ifndef COFFER_ABI_H
#define COFFER_ABI_H

#include <stdint.h>

typedef enum coffer_error {
#define ERROR(name, num, d0, d1, desc) COFFER_ERR_##name = (num),
#include "errors.def"
#undef ERROR
    COFFER_ERR_COUNT_
} coffer_error_t;

enum coffer_syscall {
#define SYSCALL(name, num, nargs, dbg, desc) COFFER_SYS_##name = (num),
#include "syscalls.def"
#undef SYSCALL
};

enum coffer_object_type {
#define OBJECT(name, num, desc) COFFER_OBJ_##name = (num),
#include "objects.def"
#undef OBJECT
    COFFER_OBJ_COUNT_
};

enum coffer_invocation {
#define INVOCATION(name, num, type, desc) COFFER_INV_##name = (num),
#include "invocations.def"
#undef INVOCATION
};

/* The three registers a system call returns: a0, a1, a2. */
struct coffer_result {
    uint64_t error;   /* coffer_error_t */
    uint64_t detail0; /* result or error detail, see errors.def */
    uint64_t detail1;
};

/*
 * Filled in by DEBUG_KERNEL_INFO.  Sizes are in bytes; the kernel's static
 * footprint is everything it will ever use besides the objects users retype.
 */
struct coffer_kernel_info {
    uint64_t abi_version;
    uint64_t text_bytes;
    uint64_t rodata_bytes;
    uint64_t data_bytes;
    uint64_t bss_bytes;        /* includes boot stack and kernel page tables */
    uint64_t stack_bytes;      /* kernel stack (part of bss) */
    uint64_t page_table_bytes; /* kernel page tables (part of bss) */
    uint64_t ksyms_bytes;      /* symbol table for backtraces */
    uint64_t timer_ticks;      /* timer interrupts taken since boot */
    uint64_t timebase_hz;      /* frequency of the time CSR */
};

#define COFFER_ABI_VERSION 1

#endif
