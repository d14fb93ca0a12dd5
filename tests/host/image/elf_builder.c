/* The in-memory ELF64 image builder (elf_builder.h). */
#include "image/elf_builder.h"

#include <stdlib.h>
#include <string.h>

#include <image/elf.h>

#define EHDR_SIZE 64u
#define PHDR_SIZE 56u

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

struct elf_spec elf_spec_default(void)
{
    struct elf_spec s;

    memset(&s, 0, sizeof(s));
    s.magic0 = 0x7f;
    s.class = 2;         /* ELFCLASS64 */
    s.data = 1;          /* little-endian */
    s.ident_version = 1;
    s.type = 2;          /* ET_EXEC */
    s.machine = ELF_EM_RISCV;
    s.version = 1;
    s.entry = 0x10040;
    s.phoff = EHDR_SIZE;
    s.phentsize = PHDR_SIZE;
    s.phnum = 2;
    s.nph = 2;
    s.ph[0] = (struct elf_spec_phdr){ ELF_SPEC_PT_LOAD, ELF_SPEC_PF_R | ELF_SPEC_PF_X, 0x1000, 0x10000,
                                      0x100, 0x100, 0x1000 };
    s.ph[1] = (struct elf_spec_phdr){ ELF_SPEC_PT_LOAD, ELF_SPEC_PF_R | ELF_SPEC_PF_W, 0x2000, 0x20000,
                                      0x80, 0x2000, 0x1000 };
    s.size = ELF_SPEC_DEFAULT_SIZE;
    return s;
}

static void put_phdr(uint8_t *p, const struct elf_spec_phdr *ph)
{
    put32(p + 0, ph->type);
    put32(p + 4, ph->flags);
    put64(p + 8, ph->offset);
    put64(p + 16, ph->vaddr);
    put64(p + 24, ph->vaddr); /* p_paddr */
    put64(p + 32, ph->filesz);
    put64(p + 40, ph->memsz);
    put64(p + 48, ph->align);
}

void elf_spec_build(uint8_t *buf, const struct elf_spec *s)
{
    for (size_t i = 0; i < s->size; i++)
        buf[i] = (uint8_t)(i * 7 + 1);
    if (s->size < EHDR_SIZE)
        return;
    memset(buf, 0, EHDR_SIZE);
    buf[0] = s->magic0;
    memcpy(buf + 1, "ELF", 3);
    buf[4] = s->class;
    buf[5] = s->data;
    buf[6] = s->ident_version;
    put16(buf + 16, s->type);
    put16(buf + 18, s->machine);
    put32(buf + 20, s->version);
    put64(buf + 24, s->entry);
    put64(buf + 32, s->phoff);
    put16(buf + 52, EHDR_SIZE); /* e_ehsize */
    put16(buf + 54, s->phentsize);
    put16(buf + 56, s->phnum);
    for (int i = 0; i < s->nph && i < ELF_SPEC_PHDRS_MAX; i++) {
        if (EHDR_SIZE + PHDR_SIZE * (size_t)(i + 1) > s->size)
            break;
        put_phdr(buf + EHDR_SIZE + PHDR_SIZE * (size_t)i, &s->ph[i]);
    }
}

uint8_t *elf_spec_alloc(const struct elf_spec *s)
{
    uint8_t *buf = malloc(s->size ? s->size : 1);

    if (buf == NULL)
        exit(2);
    elf_spec_build(buf, s);
    return buf;
}
