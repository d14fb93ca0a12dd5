#include "boot/boot_memmap.h"
#include <arch_platform.h>

static int remove_rounded(struct region_set *set, uint64_t base, uint64_t size)
{
    if (size == 0)
        return BOOT_MEM_OK;
    if (base + size < base)
        return BOOT_MEM_ERR_RANGE;
    return region_set_remove(set, ALIGN_DOWN(base, COFFER_PAGE_SIZE),
                             ALIGN_UP(base + size, COFFER_PAGE_SIZE));
}

int boot_free_ram(const struct fdt_machine *m, const struct region *used, unsigned nused,
                  struct region_set *free)
{
    region_set_init(free);
    for (uint32_t i = 0; i < m->nmemory; i++) {
        const struct fdt_region *r = &m->memory[i];
        if (r->base + r->size < r->base)
            return BOOT_MEM_ERR_RANGE;
        /* Only whole pages of RAM are usable.  In the last page of the
         * address space, rounding the base up wraps to 0: no whole page. */
        uint64_t base = ALIGN_UP(r->base, COFFER_PAGE_SIZE);
        uint64_t end = ALIGN_DOWN(r->base + r->size, COFFER_PAGE_SIZE);
        if (end > base && base >= r->base) {
            int err = region_set_add(free, base, end);
            if (err)
                return err;
        }
    }
    for (uint32_t i = 0; i < m->nreserved; i++) {
        int err = remove_rounded(free, m->reserved[i].base, m->reserved[i].size);
        if (err)
            return err;
    }
    for (unsigned i = 0; i < nused; i++) {
        if (used[i].end < used[i].base)
            return BOOT_MEM_ERR_RANGE;
        int err = remove_rounded(free, used[i].base, used[i].end - used[i].base);
        if (err)
            return err;
    }
    return BOOT_MEM_OK;
}

bool boot_device_is_kernel_owned(const struct fdt_device *dev)
{
    static const char *const owned[] = { ARCH_KERNEL_DEVICE_COMPATIBLES };
    for (size_t i = 0; i < ARRAY_SIZE(owned); i++)
        if (fdt_device_is_compatible(dev, owned[i]))
            return true;
    return false;
}

/* Split every range of set into blocks appended to bi; returns overflow. */
static unsigned append_blocks(const struct region_set *set, bool is_device,
                              struct coffer_bootinfo *bi)
{
    unsigned dropped = 0;
    for (unsigned i = 0; i < set->count; i++) {
        unsigned room = COFFER_BOOTINFO_MAX_UNTYPED - (unsigned)bi->untyped_count;
        unsigned need = untyped_split(set->r[i].base, set->r[i].end, COFFER_MIN_UNTYPED_BITS,
                                      is_device, &bi->untyped_list[bi->untyped_count], room);
        unsigned stored = need < room ? need : room;
        bi->untyped_count += stored;
        dropped += need - stored;
    }
    return dropped;
}

static void device_pages(const struct fdt_machine *m, struct region_set *devices)
{
    region_set_init(devices);
    for (uint32_t d = 0; d < m->ndevices; d++) {
        const struct fdt_device *dev = &m->devices[d];
        if (boot_device_is_kernel_owned(dev))
            continue;
        for (uint32_t i = 0; i < dev->nreg; i++) {
            uint64_t base = dev->reg[i].base, size = dev->reg[i].size;
            if (size == 0 || base + size < base)
                continue;
            /* A full set just loses further devices; RAM matters more. */
            (void)region_set_add(devices, ALIGN_DOWN(base, COFFER_PAGE_SIZE),
                                 ALIGN_UP(base + size, COFFER_PAGE_SIZE));
        }
    }
    for (uint32_t i = 0; i < m->nmemory; i++)
        (void)region_set_remove(devices, ALIGN_DOWN(m->memory[i].base, COFFER_PAGE_SIZE),
                                ALIGN_UP(m->memory[i].base + m->memory[i].size, COFFER_PAGE_SIZE));
    /* Kernel-owned devices may share a page with others: never hand it out. */
    for (uint32_t d = 0; d < m->ndevices; d++) {
        const struct fdt_device *dev = &m->devices[d];
        if (!boot_device_is_kernel_owned(dev))
            continue;
        for (uint32_t i = 0; i < dev->nreg; i++)
            (void)region_set_remove(devices, ALIGN_DOWN(dev->reg[i].base, COFFER_PAGE_SIZE),
                                    ALIGN_UP(dev->reg[i].base + dev->reg[i].size, COFFER_PAGE_SIZE));
    }
}

unsigned boot_fill_untyped(const struct region_set *free_ram, const struct fdt_machine *m,
                           struct coffer_bootinfo *bi)
{
    static struct region_set devices; /* too large for the kernel stack */
    unsigned dropped = append_blocks(free_ram, false, bi);
    device_pages(m, &devices);
    dropped += append_blocks(&devices, true, bi);
    return dropped;
}
