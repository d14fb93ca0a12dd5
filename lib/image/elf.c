/*
 * Validating ELF64 reader.  See elf.h for what is accepted.
 *
 * Headers are memcpy'd into local structs: the image may be only 4-byte
 * aligned and 64-bit fields must not be loaded through a cast pointer.  The
 * structs have no padding and the fields are read in host byte order, which
 * is correct because only little-endian images are accepted and both the
 * kernel (RISC-V) and the host test build are little-endian.
 *
 * Every range check is phrased as `len > size - off` after establishing
 * `off <= size`, so no sum can wrap.
 */
#include "image_support.h"
#include <image/elf.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "elf.c reads little-endian fields in host order"
#endif

#define EI_NIDENT     16
#define EI_CLASS      4
#define EI_DATA       5
#define EI_VERSION    6
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define ET_EXEC       2
#define PT_LOAD       1
#define PT_DYNAMIC    2
#define PT_INTERP     3

struct elf64_ehdr {
    uint8_t e_ident[EI_NIDENT];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint64_t e_entry;
    uint64_t e_phoff;
    uint64_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
};

struct elf64_phdr {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 phdr is 56 bytes");

/* Identification bytes: magic, class, byte order, version. */
static int check_ident(const uint8_t *ident)
{
    if (ident[0] != 0x7f || ident[1] != 'E' || ident[2] != 'L' ||
        ident[3] != 'F')
        return ELF_ERR_BADMAGIC;
    if (ident[EI_CLASS] != ELFCLASS64)
        return ELF_ERR_CLASS;
    if (ident[EI_DATA] != ELFDATA2LSB)
        return ELF_ERR_DATA;
    if (ident[EI_VERSION] != EV_CURRENT)
        return ELF_ERR_VERSION;
    return ELF_OK;
}

/* The program header table must fit entirely inside the image. */
static int check_phdr_table(size_t size, uint64_t phoff, unsigned phnum)
{
    if (phnum == 0 || phnum > ELF_MAX_PHNUM)
        return ELF_ERR_PHDR;
    /* phnum <= 64, so the product cannot overflow. */
    if (phoff > size || (uint64_t)phnum * sizeof(struct elf64_phdr) > size - phoff)
        return ELF_ERR_PHDR;
    return ELF_OK;
}

static int check_ehdr(const struct elf64_ehdr *eh, size_t size, uint16_t machine)
{
    int err = check_ident(eh->e_ident);

    if (err < 0)
        return err;
    if (eh->e_version != EV_CURRENT)
        return ELF_ERR_VERSION;
    if (eh->e_type != ET_EXEC)
        return ELF_ERR_TYPE;
    if (eh->e_machine != machine)
        return ELF_ERR_MACHINE;
    if (eh->e_phentsize != sizeof(struct elf64_phdr))
        return ELF_ERR_PHDR;
    return check_phdr_table(size, eh->e_phoff, eh->e_phnum);
}

/* Caller has checked the table with check_phdr_table. */
static void read_phdr(const void *image, uint64_t phoff, unsigned i,
                      struct elf64_phdr *ph)
{
    const uint8_t *p = (const uint8_t *)image + phoff +
                       (size_t)i * sizeof(struct elf64_phdr);

    memcpy(ph, p, sizeof(*ph));
}

/* Validate one PT_LOAD header against the image and the user limit. */
static int check_segment(const struct elf64_phdr *ph, size_t size,
                         uint64_t user_limit, struct elf_segment *seg)
{
    if (ph->p_filesz > ph->p_memsz)
        return ELF_ERR_SEGMENT;
    if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
        return ELF_ERR_SEGMENT;
    /* p_align is 0/1 (none) or a power of two with vaddr == offset mod it. */
    if (ph->p_align > 1) {
        if ((ph->p_align & (ph->p_align - 1)) != 0)
            return ELF_ERR_SEGMENT;
        if (((ph->p_vaddr ^ ph->p_offset) & (ph->p_align - 1)) != 0)
            return ELF_ERR_SEGMENT;
    }
    if (ph->p_memsz > UINT64_MAX - ph->p_vaddr)
        return ELF_ERR_RANGE;
    if (ph->p_vaddr + ph->p_memsz > user_limit)
        return ELF_ERR_RANGE;

    seg->vaddr = ph->p_vaddr;
    seg->memsz = ph->p_memsz;
    seg->filesz = ph->p_filesz;
    seg->offset = ph->p_offset;
    seg->align = ph->p_align;
    seg->flags = ph->p_flags & (ELF_PF_R | ELF_PF_W | ELF_PF_X);
    return ELF_OK;
}

/*
 * Do the page ranges of two checked segments intersect?  An empty segment
 * maps no page.  No overflow: ends are <= user_limit, which is page aligned.
 */
static bool pages_overlap(const struct elf_segment *a,
                          const struct elf_segment *b)
{
    uint64_t a_lo, a_hi, b_lo, b_hi;

    if (a->memsz == 0 || b->memsz == 0)
        return false;
    a_lo = IMAGE_ALIGN_DOWN(a->vaddr, COFFER_PAGE_SIZE);
    a_hi = IMAGE_ALIGN_UP(a->vaddr + a->memsz, COFFER_PAGE_SIZE);
    b_lo = IMAGE_ALIGN_DOWN(b->vaddr, COFFER_PAGE_SIZE);
    b_hi = IMAGE_ALIGN_UP(b->vaddr + b->memsz, COFFER_PAGE_SIZE);
    return a_lo < b_hi && b_lo < a_hi;
}

static bool entry_in(const struct elf_segment *seg, uint64_t entry)
{
    return (seg->flags & ELF_PF_X) && entry >= seg->vaddr &&
           entry - seg->vaddr < seg->memsz;
}

/*
 * Check program header i; if it is PT_LOAD, check it against every
 * earlier PT_LOAD for overlap.  phnum <= ELF_MAX_PHNUM bounds the
 * quadratic walk, and re-reading headers avoids a table on the stack.
 */
static int check_phdr(const void *image, size_t size, struct elf_info *info,
                      unsigned i, bool *entry_found)
{
    struct elf64_phdr ph;
    struct elf_segment seg, prev;
    int err;

    read_phdr(image, info->phoff, i, &ph);
    if (ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC)
        return ELF_ERR_DYNAMIC;
    if (ph.p_type != PT_LOAD)
        return ELF_OK;
    err = check_segment(&ph, size, info->user_limit, &seg);
    if (err < 0)
        return err;
    for (unsigned j = 0; j < i; j++) {
        read_phdr(image, info->phoff, j, &ph);
        if (ph.p_type != PT_LOAD)
            continue;
        /* Earlier segments passed check_segment already; failing now
         * would mean the image changed under us. */
        if (check_segment(&ph, size, info->user_limit, &prev) < 0)
            return ELF_ERR_SEGMENT;
        if (pages_overlap(&seg, &prev))
            return ELF_ERR_OVERLAP;
    }
    if (entry_in(&seg, info->entry))
        *entry_found = true;
    info->nload++;
    return ELF_OK;
}

/* The ELF header, copied out of the image and checked (the caller checked
 * image is not NULL). */
static int read_ehdr(const void *image, size_t size, uint16_t machine, struct elf64_ehdr *eh)
{
    if (size < sizeof(*eh))
        return ELF_ERR_TRUNCATED;
    memcpy(eh, image, sizeof(*eh));
    return check_ehdr(eh, size, machine);
}

int elf_check(const void *image, size_t size, uint16_t machine, uint64_t user_limit,
              struct elf_info *out)
{
    struct elf64_ehdr eh;
    struct elf_info info;
    bool entry_found = false;
    int err;

    if (image == NULL || out == NULL || !IMAGE_ALIGNED(user_limit, COFFER_PAGE_SIZE))
        return ELF_ERR_INVAL;
    err = read_ehdr(image, size, machine, &eh);
    if (err < 0)
        return err;

    info.entry = eh.e_entry;
    info.phoff = eh.e_phoff;
    info.user_limit = user_limit;
    info.phnum = eh.e_phnum;
    info.nload = 0;
    for (unsigned i = 0; i < info.phnum; i++) {
        err = check_phdr(image, size, &info, i, &entry_found);
        if (err < 0)
            return err;
    }
    if (info.nload == 0)
        return ELF_ERR_NOLOAD;
    if (!entry_found)
        return ELF_ERR_ENTRY;
    *out = info;
    return ELF_OK;
}

int elf_header_bytes(const void *image, size_t size, uint16_t machine, uint64_t *bytes)
{
    struct elf64_ehdr eh;
    int err;

    if (image == NULL || bytes == NULL)
        return ELF_ERR_INVAL;
    err = read_ehdr(image, size, machine, &eh);
    if (err < 0)
        return err;
    /* check_phdr_table bounded the table by size: no overflow */
    uint64_t end = eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(struct elf64_phdr);
    *bytes = end > sizeof(eh) ? end : sizeof(eh);
    return ELF_OK;
}

int elf_load_segment(const void *image, size_t size,
                     const struct elf_info *info, unsigned index,
                     struct elf_segment *out)
{
    struct elf64_phdr ph;
    unsigned seen = 0;
    int err;

    if (image == NULL || info == NULL || out == NULL ||
        !IMAGE_ALIGNED(info->user_limit, COFFER_PAGE_SIZE))
        return ELF_ERR_INVAL;
    err = check_phdr_table(size, info->phoff, info->phnum);
    if (err < 0)
        return err;
    for (unsigned i = 0; i < info->phnum; i++) {
        read_phdr(image, info->phoff, i, &ph);
        if (ph.p_type != PT_LOAD)
            continue;
        if (seen++ == index)
            return check_segment(&ph, size, info->user_limit, out);
    }
    return ELF_ERR_INVAL;
}

const char *elf_strerror(int err)
{
    switch (err) {
    case ELF_OK:            return "ok";
    case ELF_ERR_INVAL:     return "invalid argument";
    case ELF_ERR_TRUNCATED: return "image smaller than ELF header";
    case ELF_ERR_BADMAGIC:  return "not an ELF file";
    case ELF_ERR_CLASS:     return "not ELF64";
    case ELF_ERR_DATA:      return "not little-endian";
    case ELF_ERR_VERSION:   return "unknown ELF version";
    case ELF_ERR_TYPE:      return "not an executable (ET_EXEC)";
    case ELF_ERR_MACHINE:   return "not RISC-V";
    case ELF_ERR_PHDR:      return "bad program header table";
    case ELF_ERR_NOLOAD:    return "no loadable segment";
    case ELF_ERR_DYNAMIC:   return "dynamically linked";
    case ELF_ERR_SEGMENT:   return "bad segment";
    case ELF_ERR_RANGE:     return "segment outside user address space";
    case ELF_ERR_OVERLAP:   return "segments overlap";
    case ELF_ERR_ENTRY:     return "entry point not in executable segment";
    default:                return "unknown error";
    }
}
