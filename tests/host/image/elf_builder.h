/*
 * An in-memory ELF64 image builder for host tests (test_elf,
 * test_load_plan).  It writes the header and program-header fields byte
 * by byte, little-endian, independently of lib/image's structs, so a test
 * can describe an image (valid or broken) field by field:
 *
 *     struct elf_spec s = elf_spec_default();
 *     s.ph[1].flags = ELF_SPEC_PF_R | ELF_SPEC_PF_W | ELF_SPEC_PF_X;
 *     uint8_t *img = elf_spec_alloc(&s);      exactly s.size bytes
 */
#ifndef COFFER_TESTS_ELF_BUILDER_H
#define COFFER_TESTS_ELF_BUILDER_H

#include <stddef.h>
#include <stdint.h>

/* Program headers a spec holds: enough for LOAD_REGIONS_MAX + 1 PT_LOADs. */
#define ELF_SPEC_PHDRS_MAX 20

/* elf_spec_default()'s image size. */
#define ELF_SPEC_DEFAULT_SIZE 0x3000u

/* p_type and p_flags values. */
#define ELF_SPEC_PT_LOAD 1u
#define ELF_SPEC_PT_DYNAMIC 2u
#define ELF_SPEC_PT_INTERP 3u
#define ELF_SPEC_PT_NOTE 4u
#define ELF_SPEC_PT_GNU_STACK 0x6474e551u
#define ELF_SPEC_PF_X 1u
#define ELF_SPEC_PF_W 2u
#define ELF_SPEC_PF_R 4u

/* One program header; p_paddr is written as vaddr. */
struct elf_spec_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz, align;
};

/* An image: the ELF header's fields, the program headers, the size. */
struct elf_spec {
    uint8_t magic0, class, data, ident_version; /* e_ident[0], [4], [5], [6] */
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff;
    uint16_t phentsize, phnum;
    int nph; /* program headers actually written, at offset 64 whatever phoff says */
    struct elf_spec_phdr ph[ELF_SPEC_PHDRS_MAX];
    size_t size; /* bytes of the image */
};

/*
 * A valid RISC-V executable of ELF_SPEC_DEFAULT_SIZE bytes: text RX at
 * 0x10000 (file 0x1000, 0x100 bytes), data RW at 0x20000 (file 0x2000,
 * 0x80 bytes, 0x2000 in memory: bss), entry 0x10040.
 */
struct elf_spec elf_spec_default(void);

/* Write the image into buf (s->size bytes): the bytes outside the headers
 * are a pattern, (i * 7 + 1); an image under 64 bytes is the pattern only,
 * and headers that do not fit are left out. */
void elf_spec_build(uint8_t *buf, const struct elf_spec *s);

/* The image in a malloc'd buffer of exactly s->size bytes (1 if 0), so
 * ASan sees any read past it; exits with status 2 if memory runs out. */
uint8_t *elf_spec_alloc(const struct elf_spec *s);

#endif
