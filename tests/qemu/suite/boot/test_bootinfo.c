/*
 * The boot-info page: its header, and the untyped list's guarantees
 * (alignment, minimum size, no overlap, RAM accounted for exactly).
 */
#include <image/bootimage.h>
#include <image/elf.h>
#include "ktest.h"
#include <string.h>

static bool untyped_aligned(const struct coffer_bootinfo *bi)
{
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        const struct coffer_untyped_desc *u = &bi->untyped_list[i];
        if (u->size_bits < COFFER_MIN_UNTYPED_BITS || u->size_bits > 63 ||
            (u->paddr & ((1ull << u->size_bits) - 1)) != 0)
            return false;
    }
    return true;
}

static bool untyped_disjoint(const struct coffer_bootinfo *bi)
{
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        const struct coffer_untyped_desc *a = &bi->untyped_list[i];
        for (uint64_t j = i + 1; j < bi->untyped_count; j++) {
            const struct coffer_untyped_desc *b = &bi->untyped_list[j];
            if (a->paddr < b->paddr + (1ull << b->size_bits) &&
                b->paddr < a->paddr + (1ull << a->size_bits))
                return false;
        }
    }
    return true;
}

static uint64_t untyped_bytes(const struct coffer_bootinfo *bi, bool device)
{
    uint64_t total = 0;
    for (uint64_t i = 0; i < bi->untyped_count; i++)
        if ((bi->untyped_list[i].is_device != 0) == device)
            total += 1ull << bi->untyped_list[i].size_bits;
    return total;
}

static void test_boot_image(const struct coffer_bootinfo *bi)
{
    const void *archive = (const void *)(uintptr_t)bi->bootimage_vaddr;
    struct bootimage_file first, hello;
    size_t cursor = 0;
    ktest_check(bootimage_next(archive, bi->bootimage_size, &cursor, &first) == BOOTIMAGE_OK &&
                    first.name_len == strlen("coffer-test") &&
                    memcmp(first.name, "coffer-test", first.name_len) == 0,
                "boot image: mapped read-only, first file is the root task");
    struct elf_info info;
    ktest_check(bootimage_find(archive, bi->bootimage_size, "hello", &hello) == BOOTIMAGE_OK &&
                    elf_check(hello.data, hello.size, ELF_EM_RISCV, COFFER_USER_TOP, &info) == ELF_OK,
                "boot image: other programs left for the root task (hello is a valid ELF)");
}

void test_bootinfo(void)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    ktest_check(bi->magic == COFFER_BOOTINFO_MAGIC && bi->abi_version == COFFER_ABI_VERSION,
                "bootinfo: magic and ABI version");
    ktest_check(bi->untyped_count > 0 && bi->untyped_count <= COFFER_BOOTINFO_MAX_UNTYPED,
                "bootinfo: untyped count %llu within 1..%d",
                (unsigned long long)bi->untyped_count, COFFER_BOOTINFO_MAX_UNTYPED);
    struct coffer_kernel_info info = { 0 };
    coffer_debug_kernel_info((uint64_t)(uintptr_t)&info, sizeof info);
    ktest_check(bi->timebase_hz != 0 && bi->timebase_hz == info.timebase_hz,
                "bootinfo: timebase_hz %llu, the kernel's time CSR rate", (unsigned long long)bi->timebase_hz);
    ktest_check(untyped_aligned(bi), "bootinfo: untyped naturally aligned, >= 4 KiB");
    ktest_check(untyped_disjoint(bi), "bootinfo: untyped regions do not overlap");
    uint64_t ram = untyped_bytes(bi, false);
    ktest_check(ram + bi->kernel_reserved_bytes == bi->ram_bytes,
                "bootinfo: RAM untyped (%llu) + kept at boot (%llu) == RAM (%llu)",
                (unsigned long long)ram, (unsigned long long)bi->kernel_reserved_bytes,
                (unsigned long long)bi->ram_bytes);
    /* What boot keeps is the firmware, the kernel, its boot data and this
     * boot image, which carries the test programs, compressed images and
     * the decompressors (about 0.6 MiB): a bound that catches a leak or a
     * runaway table, not the image's growth. */
    ktest_check(bi->kernel_reserved_bytes < (3ull << 20),
                "bootinfo: firmware+kernel+boot keep under 3 MiB (%llu KiB)",
                (unsigned long long)(bi->kernel_reserved_bytes >> 10));
    ktest_check(untyped_bytes(bi, true) > 0, "bootinfo: device memory listed as device untyped");
    bool ram_first = true, seen_device = false;
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        seen_device = seen_device || bi->untyped_list[i].is_device;
        ram_first = ram_first && !(seen_device && !bi->untyped_list[i].is_device);
    }
    ktest_check(ram_first, "bootinfo: RAM untyped listed before device untyped");
    ktest_check(bi->untyped.end - bi->untyped.start == bi->untyped_count &&
                    bi->empty.start >= bi->untyped.end,
                "bootinfo: untyped slot range matches the list, free slots follow");
    test_boot_image(bi);
}
