/*
 * Region sets and the untyped split.  All operations are O(REGION_SET_MAX);
 * they run only at boot.
 */
#include "boot/boot_mem.h"

void region_set_init(struct region_set *set)
{
    set->count = 0;
}

static void remove_at(struct region_set *set, unsigned i)
{
    for (unsigned j = i; j + 1 < set->count; j++)
        set->r[j] = set->r[j + 1];
    set->count--;
}

static int insert_at(struct region_set *set, unsigned i, paddr_t base, paddr_t end)
{
    if (set->count == REGION_SET_MAX)
        return BOOT_MEM_ERR_FULL;
    for (unsigned j = set->count; j > i; j--)
        set->r[j] = set->r[j - 1];
    set->r[i] = (struct region){ base, end };
    set->count++;
    return BOOT_MEM_OK;
}

int region_set_add(struct region_set *set, paddr_t base, paddr_t end)
{
    if (end < base)
        return BOOT_MEM_ERR_RANGE;
    if (end == base)
        return BOOT_MEM_OK;
    /* Absorb every range that overlaps or touches [base, end). */
    unsigned i = 0;
    while (i < set->count) {
        struct region *r = &set->r[i];
        if (r->end < base || r->base > end) {
            i++;
            continue;
        }
        base = r->base < base ? r->base : base;
        end = r->end > end ? r->end : end;
        remove_at(set, i);
    }
    unsigned pos = 0;
    while (pos < set->count && set->r[pos].base < base)
        pos++;
    return insert_at(set, pos, base, end);
}

int region_set_remove(struct region_set *set, paddr_t base, paddr_t end)
{
    if (end < base)
        return BOOT_MEM_ERR_RANGE;
    if (end == base) /* else a range containing base would be split in two */
        return BOOT_MEM_OK;
    for (unsigned i = 0; i < set->count;) {
        struct region r = set->r[i];
        if (r.end <= base || r.base >= end) {
            i++;
            continue;
        }
        remove_at(set, i);
        /* Put back what lies outside [base, end), keeping the order. */
        if (r.base < base) {
            int err = insert_at(set, i++, r.base, base);
            if (err)
                return err;
        }
        if (r.end > end) {
            int err = insert_at(set, i++, end, r.end);
            if (err)
                return err;
        }
    }
    return BOOT_MEM_OK;
}

uint64_t region_set_bytes(const struct region_set *set)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < set->count; i++)
        total += set->r[i].end - set->r[i].base;
    return total;
}

bool region_set_overlaps(const struct region_set *set, paddr_t base, paddr_t end)
{
    if (end <= base) /* an empty range overlaps nothing */
        return false;
    for (unsigned i = 0; i < set->count; i++)
        if (set->r[i].base < end && base < set->r[i].end)
            return true;
    return false;
}

int region_set_alloc(struct region_set *set, uint64_t size, uint64_t align, paddr_t *out)
{
    if (size == 0 || align == 0 || (align & (align - 1)) != 0)
        return BOOT_MEM_ERR_RANGE;
    for (unsigned i = set->count; i-- > 0;) {
        const struct region *r = &set->r[i];
        if (r->end - r->base < size)
            continue;
        paddr_t base = ALIGN_DOWN(r->end - size, align);
        if (base < r->base)
            continue;
        *out = base;
        return region_set_remove(set, base, base + size);
    }
    return BOOT_MEM_ERR_NOMEM;
}

/* The largest block size (in bits) that starts at base and fits in end. */
static unsigned largest_block_bits(paddr_t base, paddr_t end)
{
    unsigned bits = 63;
    while (bits > 0) {
        uint64_t size = 1ull << bits;
        if ((base & (size - 1)) == 0 && end - base >= size)
            break;
        bits--;
    }
    return bits;
}

unsigned untyped_split(paddr_t base, paddr_t end, unsigned min_bits, bool is_device,
                       struct coffer_untyped_desc *out, unsigned max)
{
    unsigned n = 0;
    base = ALIGN_UP(base, 1ull << min_bits);
    end = ALIGN_DOWN(end, 1ull << min_bits);
    while (base < end) {
        unsigned bits = largest_block_bits(base, end);
        if (n < max) {
            out[n] = (struct coffer_untyped_desc){ .paddr = base, .size_bits = (uint8_t)bits,
                                                   .is_device = is_device ? 1 : 0 };
        }
        n++;
        base += 1ull << bits;
    }
    return n;
}
