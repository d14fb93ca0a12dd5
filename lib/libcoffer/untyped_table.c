#include "coffer.h"
#include <stdio.h>

static void print_size(uint64_t bytes)
{
    if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0)
        printf("%6llu GiB", (unsigned long long)(bytes >> 30));
    else if (bytes >= (1ull << 20) && bytes % (1ull << 20) == 0)
        printf("%6llu MiB", (unsigned long long)(bytes >> 20));
    else
        printf("%6llu KiB", (unsigned long long)(bytes >> 10));
}

void coffer_print_untyped_table(const struct coffer_bootinfo *bi)
{
    uint64_t ram = 0, device = 0;
    printf("  slot  physical range                          size     kind\n");
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        const struct coffer_untyped_desc *u = &bi->untyped_list[i];
        uint64_t bytes = 1ull << u->size_bits;
        printf("  %4llu  0x%016llx-0x%016llx  ", (unsigned long long)(bi->untyped.start + i),
               (unsigned long long)u->paddr, (unsigned long long)(u->paddr + bytes));
        print_size(bytes);
        printf("  %s\n", u->is_device ? "device" : "RAM");
        if (u->is_device)
            device += bytes;
        else
            ram += bytes;
    }
    printf("  %llu untyped: %llu KiB RAM, %llu KiB device; RAM %llu KiB, kept by firmware, "
           "kernel and boot %llu KiB\n",
           (unsigned long long)bi->untyped_count, (unsigned long long)(ram >> 10),
           (unsigned long long)(device >> 10), (unsigned long long)(bi->ram_bytes >> 10),
           (unsigned long long)(bi->kernel_reserved_bytes >> 10));
}
