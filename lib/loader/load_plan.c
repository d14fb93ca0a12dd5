/*
 * The load plan (load_plan.h): elf_check() decides whether the image is
 * loadable at all; this file decides how each segment is mapped.  It
 * reads segments only through elf_load_segment(), which re-validates each
 * one, and builds the plan in a local so a refused image leaves the
 * caller's untouched.
 */
#include <loader/load_plan.h>

#include <image/elf.h>

_Static_assert((int)ELF_ERR_ENTRY > (int)LOAD_ERR_INVAL, "load codes must not collide with elf_status");
_Static_assert(LOAD_REGIONS_MAX <= ELF_MAX_PHNUM, "a plan need never hold more than elf_check allows");

/* Bytes of one ELF64 program header: elf_check accepts no other size. */
#define PHENT_SIZE 56u

static uint64_t page_down(uint64_t a)
{
    return a & ~(COFFER_PAGE_SIZE - 1);
}

/* No overflow for the callers: a is at most user_limit, page aligned. */
static uint64_t page_up(uint64_t a)
{
    return page_down(a + COFFER_PAGE_SIZE - 1);
}

/* The mapping rights for a segment's p_flags, or a negative status. */
static int segment_rights(uint32_t flags, unsigned *rights)
{
    if ((flags & ELF_PF_W) && (flags & ELF_PF_X))
        return LOAD_ERR_WX;
    if (flags & ELF_PF_X)
        *rights = COFFER_MAP_R | COFFER_MAP_X;
    else if (flags & ELF_PF_W)
        *rights = COFFER_MAP_R | COFFER_MAP_W;
    else if (flags & ELF_PF_R)
        *rights = COFFER_MAP_R;
    else
        return LOAD_ERR_NO_ACCESS;
    return LOAD_OK;
}

/* The region of a checked, non-empty segment. */
static struct load_region region_of(const struct elf_segment *seg, unsigned rights)
{
    struct load_region r;
    uint64_t lo = page_down(seg->vaddr);

    r.vaddr = lo;
    r.pages = (page_up(seg->vaddr + seg->memsz) - lo) / COFFER_PAGE_SIZE;
    r.rights = rights;
    r.shared = (rights & COFFER_MAP_W) == 0;
    r.file_offset = seg->offset;
    r.copy_at = seg->vaddr - lo;
    r.copy_bytes = seg->filesz;
    return r;
}

/*
 * Does the segment's file range hold the whole program header table?
 * Then the table is mapped at the matching address.  Both ranges are
 * inside the image (elf_check), so no sum below can wrap.
 */
static bool holds_phdrs(const struct elf_segment *seg, const struct elf_info *info)
{
    uint64_t table = (uint64_t)info->phnum * PHENT_SIZE;

    return info->phoff >= seg->offset && table <= seg->filesz &&
           info->phoff - seg->offset <= seg->filesz - table;
}

/* Add PT_LOAD number i to the plan. */
static int plan_segment(const void *image, size_t size, const struct elf_info *info, unsigned i,
                        struct load_plan *plan)
{
    struct elf_segment seg;
    struct load_region *r;
    unsigned rights = 0;
    int err = elf_load_segment(image, size, info, i, &seg);

    if (err < 0)
        return err;
    err = segment_rights(seg.flags, &rights);
    if (err < 0)
        return err;
    if (plan->phdr_vaddr == 0 && holds_phdrs(&seg, info))
        plan->phdr_vaddr = seg.vaddr + (info->phoff - seg.offset);
    if (seg.memsz == 0)
        return LOAD_OK; /* maps nothing */

    r = &plan->regions[plan->nregions++];
    *r = region_of(&seg, rights);
    plan->pages += r->pages;
    if (r->vaddr + r->pages * COFFER_PAGE_SIZE > plan->top)
        plan->top = r->vaddr + r->pages * COFFER_PAGE_SIZE;
    return LOAD_OK;
}

/* The headers lie inside the readable bytes (they are all the checks read). */
static int check_readable(const void *image, size_t readable, size_t size)
{
    uint64_t need;
    if (readable == size)
        return LOAD_OK;
    if (readable < 64) /* not even the ELF header */
        return LOAD_ERR_HEADERS;
    int err = elf_header_bytes(image, size, ELF_EM_RISCV, &need);
    if (err < 0)
        return err;
    return need <= readable ? LOAD_OK : LOAD_ERR_HEADERS;
}

int load_plan_make(const void *image, size_t size, uint64_t user_limit, struct load_plan *out)
{
    return load_plan_headers(image, size, size, user_limit, out);
}

int load_plan_headers(const void *image, size_t readable, size_t size, uint64_t user_limit, struct load_plan *out)
{
    struct elf_info info;
    struct load_plan plan = { 0 };
    int err;

    if (image == NULL || out == NULL || readable > size)
        return LOAD_ERR_INVAL;
    if ((err = check_readable(image, readable, size)) < 0)
        return err;
    err = elf_check(image, size, ELF_EM_RISCV, user_limit, &info);
    if (err < 0)
        return err;
    if (info.nload > LOAD_REGIONS_MAX)
        return LOAD_ERR_TOO_MANY;

    plan.entry = info.entry;
    plan.phnum = info.phnum;
    for (unsigned i = 0; i < info.nload; i++) {
        err = plan_segment(image, size, &info, i, &plan);
        if (err < 0)
            return err;
    }
    *out = plan;
    return LOAD_OK;
}

const char *load_strerror(int status)
{
    switch (status) {
    case LOAD_ERR_INVAL:     return "invalid argument";
    case LOAD_ERR_TOO_MANY:  return "too many loadable segments";
    case LOAD_ERR_NO_ACCESS: return "segment with no access rights";
    case LOAD_ERR_WX:        return "segment both writable and executable";
    case LOAD_ERR_HEADERS:   return "program headers past the bytes read";
    default:                 return elf_strerror(status);
    }
}
