#include <coffer.h>
#include <inttypes.h>
#include <stdio.h>

static void print_size(uint64_t bytes)
{
    if (bytes >= (1ull << 30) && bytes % (1ull << 30) == 0)
        printf("%6" PRIu64 " GiB", bytes >> 30);
    else if (bytes >= (1ull << 20) && bytes % (1ull << 20) == 0)
        printf("%6" PRIu64 " MiB", bytes >> 20);
    else
        printf("%6" PRIu64 " KiB", bytes >> 10);
}

void coffer_print_untyped_table(const struct coffer_bootinfo *bi)
{
    uint64_t ram = 0, device = 0;
    printf("  slot  physical range                          size     kind\n");
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        const struct coffer_untyped_desc *u = &bi->untyped_list[i];
        uint64_t bytes = 1ull << u->size_bits;
        printf("  %4" PRIu64 "  0x%016" PRIx64 "-0x%016" PRIx64 "  ", bi->untyped.start + i, u->paddr,
               u->paddr + bytes);
        print_size(bytes);
        printf("  %s\n", u->is_device ? "device" : "RAM");
        if (u->is_device)
            device += bytes;
        else
            ram += bytes;
    }
    printf("  %" PRIu64 " untyped: %" PRIu64 " KiB RAM, %" PRIu64 " KiB device; RAM %" PRIu64
           " KiB, kept by firmware, kernel and boot %" PRIu64 " KiB\n",
           bi->untyped_count, ram >> 10, device >> 10, bi->ram_bytes >> 10,
           bi->kernel_reserved_bytes >> 10);
}
