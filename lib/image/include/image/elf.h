/*
 * Validating ELF64 reader for loading the root task.
 *
 * Only what the loader needs: a statically linked little-endian RISC-V
 * executable (ET_EXEC) described by its PT_LOAD program headers.  The image
 * is untrusted; elf_check validates the header and every PT_LOAD segment up
 * front so the loader can create the address space without failing halfway.
 *
 * The image is read in place and need only be 4-byte aligned (it sits in
 * the cpio boot image); headers are copied out with memcpy, never accessed
 * through a cast pointer.
 */
#ifndef COFFER_IMAGE_ELF_H
#define COFFER_IMAGE_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coffer/abi.h>

/* Segment permission bits, as in p_flags. */
#define ELF_PF_X 0x1u
#define ELF_PF_W 0x2u
#define ELF_PF_R 0x4u

/* The loader maps whole pages (COFFER_PAGE_SIZE) per segment; overlap is
 * checked at that size. */

/* e_machine values: the caller names the one it runs (the kernel: its
 * arch's ARCH_ELF_MACHINE). */
#define ELF_EM_RISCV 243

/* More program headers than this is not a plausible static executable. */
#define ELF_MAX_PHNUM 64u

/* Return codes; all failures are negative. */
enum elf_status {
    ELF_OK = 0,
    ELF_ERR_INVAL = -1,     /* NULL argument, bad user_limit or segment index */
    ELF_ERR_TRUNCATED = -2, /* image smaller than the ELF header */
    ELF_ERR_BADMAGIC = -3,  /* not "\177ELF" */
    ELF_ERR_CLASS = -4,     /* not ELFCLASS64 */
    ELF_ERR_DATA = -5,      /* not little-endian */
    ELF_ERR_VERSION = -6,   /* EI_VERSION or e_version not 1 */
    ELF_ERR_TYPE = -7,      /* not ET_EXEC */
    ELF_ERR_MACHINE = -8,   /* not the machine asked for */
    ELF_ERR_PHDR = -9,      /* bad phentsize/phnum or table outside the image */
    ELF_ERR_NOLOAD = -10,   /* no PT_LOAD segment */
    ELF_ERR_DYNAMIC = -11,  /* PT_INTERP/PT_DYNAMIC: needs a dynamic linker */
    ELF_ERR_SEGMENT = -12,  /* filesz > memsz, file range outside image, bad align */
    ELF_ERR_RANGE = -13,    /* vaddr + memsz wraps or exceeds user_limit */
    ELF_ERR_OVERLAP = -14,  /* two PT_LOAD segments share a page */
    ELF_ERR_ENTRY = -15,    /* entry not inside an executable segment */
};

/* Result of elf_check; pass it back to elf_load_segment. */
struct elf_info {
    uint64_t entry;      /* e_entry, inside a PT_LOAD segment with ELF_PF_X */
    uint64_t phoff;      /* program header table offset in the image */
    uint64_t user_limit; /* the limit the segments were checked against */
    unsigned phnum;      /* program headers, PT_LOAD or not */
    unsigned nload;      /* PT_LOAD segments, >= 1 */
};

/* One PT_LOAD segment. */
struct elf_segment {
    uint64_t vaddr;  /* first byte; [vaddr, vaddr + memsz) < user_limit */
    uint64_t memsz;  /* bytes in memory; >= filesz, the rest is zero (bss) */
    uint64_t filesz; /* bytes to copy from the image */
    uint64_t offset; /* image offset of those bytes; offset + filesz <= size */
    uint64_t align;  /* p_align: 0 or a power of two */
    uint32_t flags;  /* ELF_PF_R | ELF_PF_W | ELF_PF_X subset; W+X is allowed,
                        the caller decides */
};

/*
 * Validate image as a loadable executable for `machine` (e_machine, e.g.
 * ELF_EM_RISCV) whose segments all lie below user_limit (exclusive; must
 * be page aligned, e.g. the top of the Sv39 user half 0x0000004000000000).
 * Checks: ELF64, little-endian, version 1, ET_EXEC, the machine, phentsize == 56, 1 <= phnum <=
 * ELF_MAX_PHNUM, program header table inside the image, and for each
 * PT_LOAD: filesz <= memsz, file range inside the image, align 0 or a power
 * of two with vaddr == offset (mod align), vaddr + memsz neither wraps nor
 * exceeds user_limit, and no two segments touch the same page.  The entry
 * point must lie in an executable segment.  Returns 0 and fills *out, or a
 * negative enum elf_status.
 */
int elf_check(const void *image, size_t size, uint16_t machine, uint64_t user_limit,
              struct elf_info *out);

/*
 * The bytes at the start of the image that elf_check() and
 * elf_load_segment() read: the ELF header and the program header table
 * (at least the header's 64).  Nothing past them is ever read, so a
 * caller may check an image of `size` bytes from a copy of only these
 * (the process manager copies an image's first page out of a frame its
 * client could change).  The header is checked as elf_check() checks it
 * first, with the same errors; 0 and *bytes, or a negative enum
 * elf_status.
 */
int elf_header_bytes(const void *image, size_t size, uint16_t machine, uint64_t *bytes);

/*
 * Fetch PT_LOAD segment number index (0 <= index < info->nload, in program
 * header order) of an image accepted by elf_check with that info.  The
 * segment is re-validated, so a stale or forged info cannot produce a range
 * outside the image.  Returns 0 or a negative enum elf_status.
 */
int elf_load_segment(const void *image, size_t size,
                     const struct elf_info *info, unsigned index,
                     struct elf_segment *out);

/* A short constant description of a return code, for boot messages. */
const char *elf_strerror(int err);

#endif
