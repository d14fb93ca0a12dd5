/*
 * The demo root task: the first user program the kernel starts.  It shows
 * what the kernel handed it — the untyped memory table from the boot-info
 * page and the programs left in the boot image — then powers off.
 */
#include <coffer.h>
#include <stdio.h>
#include "bootimage.h"

static void list_boot_image(const struct coffer_bootinfo *bi)
{
    const void *archive = (const void *)(uintptr_t)bi->bootimage_vaddr;
    struct bootimage_file file;
    size_t cursor = 0;
    printf("boot image (%llu bytes at 0x%llx):\n", (unsigned long long)bi->bootimage_size,
           (unsigned long long)bi->bootimage_vaddr);
    while (bootimage_next(archive, bi->bootimage_size, &cursor, &file) == BOOTIMAGE_OK)
        printf("  %-16.*s %8zu bytes\n", (int)file.name_len, file.name, file.size);
}

int main(void)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    printf("\nroot: hello from user mode\n");
    if (bi->magic != COFFER_BOOTINFO_MAGIC || bi->abi_version != COFFER_ABI_VERSION) {
        printf("root: boot info is not valid (magic 0x%llx)\n", (unsigned long long)bi->magic);
        return 1;
    }
    printf("root: booted on hart %llu with %llu MiB of RAM; untyped memory handed to me:\n",
           (unsigned long long)bi->hart_id, (unsigned long long)(bi->ram_bytes >> 20));
    coffer_print_untyped_table(bi);
    list_boot_image(bi);
    printf("root: done, shutting down\n");
    return 0;
}
