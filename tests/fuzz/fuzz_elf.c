/*
 * libFuzzer target over the ELF reader (lib/image/elf.c), which the kernel
 * uses for the root task and the process manager will use for every
 * program: the input is an image.  See tests/fuzz/README.md.
 *
 * The image goes in a block of exactly its size (4-byte aligned, as the
 * reader asks), so ASan sees any read past it.  A check that passes must
 * describe segments a loader can map without checking again; the target
 * aborts -- a crash for libFuzzer -- unless every PT_LOAD segment has
 * filesz <= memsz, its file bytes inside the image, its memory below the
 * user limit without wrapping, p_align 0 or a power of two, no page shared
 * with another segment, and the entry inside an executable one; and
 * unless every error is one of the listed codes with a text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <image/elf.h>

#define USER_LIMIT 0x0000004000000000ull /* Sv39's user half */
#define PAGE 4096ull

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t page_down(uint64_t v)
{
    return v & ~(PAGE - 1);
}

static uint64_t page_up(uint64_t v)
{
    return (v + PAGE - 1) & ~(PAGE - 1);
}

static void check_segments(const void *image, size_t size, const struct elf_info *info)
{
    struct elf_segment seg[ELF_MAX_PHNUM];
    int entry_found = 0;
    if (info->nload == 0 || info->nload > ELF_MAX_PHNUM || info->user_limit != USER_LIMIT)
        abort();
    for (unsigned i = 0; i < info->nload; i++) {
        struct elf_segment *s = &seg[i];
        if (elf_load_segment(image, size, info, i, s) != ELF_OK)
            abort();
        if (s->filesz > s->memsz || s->offset > size || s->filesz > size - s->offset)
            abort();
        if (s->memsz > UINT64_MAX - s->vaddr || s->vaddr + s->memsz > USER_LIMIT)
            abort();
        if (s->align > 1 && (s->align & (s->align - 1)) != 0)
            abort();
        for (unsigned j = 0; j < i; j++) {
            const struct elf_segment *t = &seg[j];
            if (s->memsz != 0 && t->memsz != 0 && page_down(s->vaddr) < page_up(t->vaddr + t->memsz) &&
                page_down(t->vaddr) < page_up(s->vaddr + s->memsz))
                abort();
        }
        if ((s->flags & ELF_PF_X) && info->entry >= s->vaddr && info->entry - s->vaddr < s->memsz)
            entry_found = 1;
    }
    struct elf_segment past;
    if (!entry_found || elf_load_segment(image, size, info, info->nload, &past) == ELF_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *image = malloc(size != 0 ? size : 1);
    if (image == NULL)
        return 0;
    memcpy(image, data, size);
    struct elf_info info;
    int err = elf_check(image, size, ELF_EM_RISCV, USER_LIMIT, &info);
    if (err == ELF_OK)
        check_segments(image, size, &info);
    else if (err > 0 || err < ELF_ERR_ENTRY || elf_strerror(err) == NULL)
        abort();
    free(image);
    return 0;
}
