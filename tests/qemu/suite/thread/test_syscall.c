/*
 * Bad input to system calls: every error path of the foundation's calls
 * returns its documented error code, changes nothing, and the kernel keeps
 * running.
 */
#include "ktest.h"

#define KERNEL_POINTER 0xffffffc080000000ull /* the kernel's physmap */
#define NONCANONICAL 0x0000800000000000ull
#define UNMAPPED_USER 0x0000000000001000ull  /* below the program */

static uint64_t writable_word[8] __attribute__((aligned(8)));

static void unknown_syscalls(void)
{
    static const uint64_t numbers[] = { 0, 9, 63, 127, 1000, 0x8000000000000000ull, ~0ull };
    for (unsigned i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
        struct coffer_result r = coffer_syscall(numbers[i], 1, 2, 3, 4, 5, 6, 7);
        ktest_expect_error(r, COFFER_ERR_ILLEGAL_OPERATION, numbers[i], 0,
                           "unknown syscall number returns ILLEGAL_OPERATION with the number");
    }
}

static void debug_write_errors(void)
{
    ktest_expect_error(coffer_debug_write(KERNEL_POINTER, 8), COFFER_ERR_INVALID_ARGUMENT, 0, 0,
                       "debug_write: kernel pointer refused");
    ktest_expect_error(coffer_debug_write(NONCANONICAL, 8), COFFER_ERR_INVALID_ARGUMENT, 0, 0,
                       "debug_write: pointer above user space refused");
    ktest_expect_error(coffer_debug_write(UNMAPPED_USER, 8), COFFER_ERR_INVALID_ARGUMENT, 0, 0,
                       "debug_write: unmapped user pointer refused");
    ktest_expect_error(coffer_debug_write(COFFER_USER_TOP - 4, 8), COFFER_ERR_INVALID_ARGUMENT, 0, 0,
                       "debug_write: buffer crossing the top of user space refused");
    ktest_expect_error(coffer_debug_write(~0ull - 2, 8), COFFER_ERR_INVALID_ARGUMENT, 0, 0,
                       "debug_write: buffer wrapping around the address space refused");
    ktest_expect_error(coffer_debug_write((uint64_t)(uintptr_t)writable_word, 4097),
                       COFFER_ERR_RANGE_ERROR, 0, 4096, "debug_write: length above 4096 is RANGE_ERROR");
    /* The boot-info page is mapped, the page after it is not. */
    ktest_expect_error(coffer_debug_write(COFFER_BOOTINFO_VADDR + COFFER_PAGE_SIZE - 4, 8),
                       COFFER_ERR_INVALID_ARGUMENT, 0, 0,
                       "debug_write: buffer running into an unmapped page refused, nothing printed");
    struct coffer_result r = coffer_debug_write((uint64_t)(uintptr_t)"", 0);
    ktest_check(r.error == COFFER_ERR_OK && r.detail0 == 0, "debug_write: empty write succeeds");
    r = coffer_debug_write((uint64_t)(uintptr_t)"# unaligned write ok\n" + 0, 21);
    ktest_check(r.error == COFFER_ERR_OK && r.detail0 == 21, "debug_write: returns bytes written");
}

static void kernel_info_errors(void)
{
    uint64_t size = sizeof(struct coffer_kernel_info);
    uint64_t buf = (uint64_t)(uintptr_t)writable_word;
    static struct coffer_kernel_info info;
    ktest_expect_error(coffer_debug_kernel_info(buf + 4, size), COFFER_ERR_ALIGNMENT_ERROR, 0, 8,
                       "kernel_info: unaligned pointer is ALIGNMENT_ERROR (arg 0, 8 bytes)");
    ktest_expect_error(coffer_debug_kernel_info(KERNEL_POINTER, size), COFFER_ERR_INVALID_ARGUMENT,
                       0, 0, "kernel_info: kernel pointer refused");
    ktest_expect_error(coffer_debug_kernel_info(UNMAPPED_USER, size), COFFER_ERR_INVALID_ARGUMENT,
                       0, 0, "kernel_info: unmapped pointer refused");
    ktest_expect_error(coffer_debug_kernel_info(COFFER_BOOTINFO_VADDR, size),
                       COFFER_ERR_INVALID_ARGUMENT, 0, 0,
                       "kernel_info: read-only page (boot info) refused");
    ktest_expect_error(coffer_debug_kernel_info((uint64_t)(uintptr_t)&info, size - 8),
                       COFFER_ERR_RANGE_ERROR, size, ~0ull,
                       "kernel_info: buffer too small is RANGE_ERROR with the minimum");
    struct coffer_result r = coffer_debug_kernel_info((uint64_t)(uintptr_t)&info, size);
    ktest_check(r.error == COFFER_ERR_OK && r.detail0 == size && info.abi_version == COFFER_ABI_VERSION &&
                    info.text_bytes > 0 && info.bss_bytes >= info.stack_bytes + info.page_table_bytes,
                "kernel_info: valid call fills the footprint (text %llu, bss %llu bytes)",
                (unsigned long long)info.text_bytes, (unsigned long long)info.bss_bytes);
}

void test_syscall(void)
{
    unknown_syscalls();
    debug_write_errors();
    kernel_info_errors();
}
