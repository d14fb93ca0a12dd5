/*
 * A new process's initial stack, as the RISC-V psABI and the Linux
 * convention expect it at _start (docs/processes.md, "Loading an ELF
 * image"):
 *
 *   stack_top  ->  (end, exclusive; 16-byte aligned)
 *                  argv and envp strings, NUL-terminated, argv[0] lowest
 *                  the 16 random bytes (AT_RANDOM points here)
 *                  0..15 zero bytes of padding
 *                  auxv: (type, value) pairs, LOADER_AT_NULL last
 *                  NULL
 *                  envp[0 .. envc-1]
 *                  NULL
 *                  argv[0 .. argc-1]
 *   sp         ->  argc                        (16-byte aligned)
 *
 * Every word is 8 bytes, little-endian; every pointer in it is the
 * virtual address the process will see, not one in the caller's buffer.
 * The auxiliary vector holds, in this order: AT_PHDR, AT_PHENT, AT_PHNUM,
 * AT_PAGESZ, AT_ENTRY, AT_RANDOM, LOADER_AT_COFFER_TIMEBASE, AT_NULL.  When the plan has no mapped
 * program headers (phdr_vaddr 0), AT_PHDR and AT_PHNUM are both 0, so a
 * runtime walking AT_PHNUM headers at AT_PHDR walks none.
 *
 * Pure code: the caller fills a frame it then maps, and nothing here
 * allocates.
 */
#ifndef LOADER_INITIAL_STACK_H
#define LOADER_INITIAL_STACK_H

#include <stddef.h>
#include <stdint.h>

#include <loader/load_plan.h>

/* Auxiliary vector types (the values Linux and every libc use). */
#define LOADER_AT_NULL 0    /* the end of the vector; value 0 */
#define LOADER_AT_PHDR 3    /* the program headers' virtual address */
#define LOADER_AT_PHENT 4   /* bytes of one program header */
#define LOADER_AT_PHNUM 5   /* how many there are */
#define LOADER_AT_PAGESZ 6  /* COFFER_PAGE_SIZE */
#define LOADER_AT_ENTRY 9   /* the program's entry point */
#define LOADER_AT_RANDOM 25 /* the address of 16 random bytes (stack protector, hash seeds) */
/* Coffer's own, above every type Linux defines: the ticks per second of
 * the time CSR (rdtime), for clock_gettime and deadlines. */
#define LOADER_AT_COFFER_TIMEBASE 4096

/* AT_PHENT's value: an ELF64 program header (elf_check accepts no other). */
#define LOADER_PHENT_SIZE 56u

/* The auxiliary vector's pairs, AT_NULL included. */
#define LOADER_AUXV_PAIRS 8u

/* Bytes of random data behind AT_RANDOM. */
#define LOADER_RANDOM_BYTES 16u

/* Status codes of initial_stack_build(): 0 or negative, apart from both
 * elf_status and load_status. */
enum initial_stack_status {
    STACK_OK = 0,
    STACK_ERR_INVAL = -48,   /* a NULL argument, stack_top not 16-byte aligned, or a NULL
                                argv/envp (or string in it) with a count that needs one */
    STACK_ERR_TOO_BIG = -49, /* the stack needs more than buf_size bytes, more than stack_top
                                (it would wrap below address 0), or its size overflows */
};

struct initial_stack_args {
    unsigned argc;
    const char *const *argv; /* argv[0..argc-1]; argv[0] is the program's name; may be NULL
                                when argc is 0 */
    unsigned envc;
    const char *const *envp; /* "NAME=VALUE" strings envp[0..envc-1]; may be NULL when envc is 0 */
    const struct load_plan *plan; /* entry, phdr_vaddr and phnum for the auxiliary vector */
    uint8_t random[LOADER_RANDOM_BYTES]; /* copied to the stack for AT_RANDOM */
    uint64_t timebase_hz;        /* for LOADER_AT_COFFER_TIMEBASE */
};

/*
 * The bytes the initial stack takes below a 16-byte aligned stack top (a
 * multiple of 16), so a caller can size the stack.  SIZE_MAX when a is
 * NULL, argv or envp (or a string in them) is NULL with a count that
 * needs it, or the size overflows.
 */
size_t initial_stack_bytes(const struct initial_stack_args *a);

/*
 * Build the initial stack.
 *
 * Arguments: buf holds the top buf_size bytes of the stack, whose end is
 * the virtual address stack_top (exclusive, 16-byte aligned): buf[i] is
 * seen by the process at stack_top - buf_size + i.  a says what goes on it.
 * Results: 0, the bytes from the new sp to stack_top written (those below
 * are left alone), and *sp the initial stack pointer, a virtual address
 * (stack_top - initial_stack_bytes(a)).
 * Errors (nothing is written, *sp neither):
 *   STACK_ERR_INVAL     buf, a, a->plan or sp NULL; stack_top not 16-byte
 *                       aligned; a NULL argv, envp or string in them where
 *                       a count needs one
 *   STACK_ERR_TOO_BIG   initial_stack_bytes(a) is more than buf_size or
 *                       than stack_top, or is SIZE_MAX
 */
int initial_stack_build(uint8_t *buf, size_t buf_size, uint64_t stack_top,
                        const struct initial_stack_args *a, uint64_t *sp);

/* A short constant description of a status, "unknown error" for others. */
const char *initial_stack_strerror(int status);

#endif
