#include <coffer.h>

uint64_t coffer_largest_ram_untyped(const struct coffer_bootinfo *bi, unsigned max_bits)
{
    uint64_t slot = 0;
    unsigned best = 0;
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        const struct coffer_untyped_desc *u = &bi->untyped_list[i];
        if (!u->is_device && u->size_bits > best && u->size_bits <= max_bits) {
            best = u->size_bits;
            slot = bi->untyped.start + i;
        }
    }
    return slot;
}
