/*
 * The load plan: what to map for an untrusted ELF executable
 * (docs/processes.md, "Loading an ELF image").
 *
 * load_plan_make() validates the image with lib/image's elf_check() and
 * turns each PT_LOAD segment into a region of whole pages with the rights
 * it is mapped with and the bytes copied into it.  It makes no system call
 * and allocates nothing: the process manager creates and maps the frames
 * from the plan, and can size the bank purchase (plan.pages) before it
 * buys anything, so loading cannot fail halfway for a bad image.
 *
 * Rules:
 *  - rights: a segment with X (with or without R) is mapped R|X, one with
 *    W (with or without R) R|W, one with R alone R.  A segment with both
 *    W and X is refused (LOAD_ERR_WX): nothing is ever mapped W+X.  One
 *    with none of R, W, X is refused too (LOAD_ERR_NO_ACCESS).
 *  - sharing: a region that is not writable holds the same bytes in every
 *    process of the image, so all of them may map one read-only copy
 *    (region.shared); a writable region is each process's own.
 *  - every PT_LOAD header's flags are checked, but one with p_memsz 0 maps
 *    nothing and makes no region; elf_check guarantees at least one
 *    non-empty executable segment (the entry's), so nregions >= 1.
 *  - regions are in program-header order; they do not overlap (elf_check
 *    refuses segments that share a page) and lie below user_limit.
 *
 * The image must not change during the call: it is read more than once.
 */
#ifndef LOADER_LOAD_PLAN_H
#define LOADER_LOAD_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coffer/abi.h>

/* The most PT_LOAD segments an image may have (a static executable has
 * two to four). */
#define LOAD_REGIONS_MAX 16

/*
 * Status codes of load_plan_make(): 0 or negative.  elf_check's codes
 * (enum elf_status, -1 to -15) pass through unchanged, so these start at
 * -32 and can never be confused with them.
 */
enum load_status {
    LOAD_OK = 0,
    LOAD_ERR_INVAL = -32,     /* image or out is NULL */
    LOAD_ERR_TOO_MANY = -33,  /* more than LOAD_REGIONS_MAX PT_LOAD headers (empty ones count) */
    LOAD_ERR_NO_ACCESS = -34, /* a PT_LOAD with none of R, W, X */
    LOAD_ERR_WX = -35,        /* a PT_LOAD both writable and executable */
    LOAD_ERR_HEADERS = -36,   /* load_plan_headers: the headers end past the readable bytes */
};

/* One region: whole pages mapped with one set of rights. */
struct load_region {
    uint64_t vaddr;       /* page aligned: the segment's first page */
    uint64_t pages;       /* COFFER_PAGE_SIZE pages, >= 1: up to the page after its last byte */
    unsigned rights;      /* COFFER_MAP_R, COFFER_MAP_R | COFFER_MAP_W or COFFER_MAP_R | COFFER_MAP_X */
    bool shared;          /* not writable: every process of the image may map one read-only copy */
    uint64_t file_offset; /* image offset of the bytes copied (p_offset) */
    uint64_t copy_at;     /* byte offset inside the region where they go: p_vaddr - vaddr,
                             below COFFER_PAGE_SIZE */
    uint64_t copy_bytes;  /* p_filesz; everything else in the region is zero (BSS, page
                             head and tail) */
};

/* What load_plan_make() found; the regions are the whole address-space
 * image of the program. */
struct load_plan {
    uint64_t entry;      /* e_entry: inside an R|X region */
    uint64_t phdr_vaddr; /* where the program headers are mapped (for AT_PHDR): the first
                            PT_LOAD whose file bytes hold the whole table; 0 if none does */
    unsigned phnum;      /* program headers, PT_LOAD or not (for AT_PHNUM) */
    uint64_t top;        /* first page-aligned address above every region (a heap may start
                            there); <= user_limit */
    uint64_t pages;      /* all regions' pages */
    unsigned nregions;   /* 1..LOAD_REGIONS_MAX */
    struct load_region regions[LOAD_REGIONS_MAX];
};

/*
 * Plan the loading of image (size bytes, read in place; 4-byte alignment
 * is enough) as a RISC-V executable (ELF_EM_RISCV) whose segments all lie
 * below user_limit (exclusive, page aligned).
 *
 * Arguments: image and its size; user_limit, the end of the user address
 * range the regions may use; out, the plan.
 * Results: 0 and *out filled.  On any error *out is not written.
 * Errors, checked in this order:
 *   LOAD_ERR_INVAL       image or out is NULL
 *   ELF_ERR_*            what elf_check() refuses, unchanged (including
 *                        ELF_ERR_INVAL for a user_limit not page aligned)
 *   LOAD_ERR_TOO_MANY    more than LOAD_REGIONS_MAX PT_LOAD headers
 *   LOAD_ERR_WX          a PT_LOAD both writable and executable
 *   LOAD_ERR_NO_ACCESS   a PT_LOAD with none of R, W, X
 * (the last two for the first offending header in program-header order).
 */
int load_plan_make(const void *image, size_t size, uint64_t user_limit, struct load_plan *out);

/*
 * The same for an image of `size` bytes of which only the first
 * `readable` are given (readable <= size): a copy of its headers, taken
 * from memory the caller does not trust to stay the same.  What the plan
 * says about the rest (segments' file ranges) is checked against size,
 * never read.  Errors: those of load_plan_make(), LOAD_ERR_INVAL also for
 * readable > size, and LOAD_ERR_HEADERS (after the ELF header's own
 * checks) when the header and program header table (elf_header_bytes())
 * end past readable.  load_plan_make(image, size, ...) is
 * load_plan_headers(image, size, size, ...).
 */
int load_plan_headers(const void *image, size_t readable, size_t size, uint64_t user_limit, struct load_plan *out);

/* A short constant description of any code load_plan_make() returns
 * (elf_strerror()'s for the ELF ones), "unknown error" for others. */
const char *load_strerror(int status);

#endif
