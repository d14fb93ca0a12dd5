/*
 * The demo root task: the first user program the kernel starts.  It shows
 * what the kernel handed it — the untyped memory table from the boot-info
 * page and the programs left in the boot image — derives and maps a few
 * objects, revokes them, starts the bank server with the rest of RAM and
 * buys from it (bank_demo.c), then starts the process manager and runs
 * the processes boot.conf names (init.c), and powers off.
 */
#include <coffer.h>
#include <stdio.h>
#include <image/bootimage.h>
#include "demo.h"

bool demo_step(struct coffer_result r, const char *step)
{
    if (r.error != COFFER_ERR_OK)
        printf("root: %s failed: %s (details %llu, %llu)\n", step, coffer_error_name(r.error),
               (unsigned long long)r.detail0, (unsigned long long)r.detail1);
    return r.error == COFFER_ERR_OK;
}

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

#define ROOT COFFER_SLOT_CNODE

/*
 * A few derivations from the first RAM untyped, shown as the kernel's
 * derivation-tree dump (text, then Graphviz dot between markers that
 * `make cspace-svg` looks for), the frame and its alias mapped
 * (alias_demo.c), a passive server thread called (ipc_demo.c), then
 * everything revoked to the last byte.
 */
static int show_derivation(const struct coffer_bootinfo *bi)
{
    uint64_t ut = bi->untyped.start, first = bi->empty.start;
    uint64_t child = first, ep = first + 1, badged = first + 2, copy = first + 3;
    uint64_t frame = first + 4, alias = first + 5;
    const uint64_t W = COFFER_RETYPE_AT_WATERMARK;
    if (!demo_step(coffer_untyped_retype(ut, COFFER_OBJ_UNTYPED, 16, ROOT, 0, child, 1, W),
                   "split a 64 KiB untyped off") ||
        !demo_step(coffer_untyped_retype(child, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, ep, 1, W),
                   "retype an endpoint") ||
        !demo_step(coffer_cnode_mint(ROOT, badged, 64, ROOT, ep, 64, COFFER_RIGHT_WRITE, 0x2a),
                   "mint a badged child of the endpoint") ||
        !demo_step(coffer_cnode_copy(ROOT, copy, 64, ROOT, badged, 64), "copy the badged child") ||
        !demo_step(coffer_untyped_retype(child, COFFER_OBJ_FRAME, 13, ROOT, 0, frame, 1, W),
                   "retype an 8 KiB frame") ||
        !demo_step(coffer_cnode_mint(ROOT, alias, 64, ROOT, frame, 64, COFFER_RIGHT_READ,
                                     COFFER_WINDOW(0x1000, 0x1000)),
                   "mint a read-only alias of the frame's second page"))
        return 1;
    printf("root: a 64 KiB untyped split off, with an endpoint, a badged child and its copy,\n"
           "      and a frame with a read-only alias of its second page:\n");
    fflush(stdout);
    coffer_debug_dump_cdt(child, 64, 0);
    printf("--- cdt dot ---\n");
    fflush(stdout);
    coffer_debug_dump_cdt(child, 64, 1);
    printf("--- end dot ---\n");
    if (show_aliases(child, frame, alias, first + 6) != 0 || show_server(child, first + 8) != 0)
        return 1;
    uint64_t before = coffer_cnode_identify(ROOT, ut, 64).detail1;
    bool revoked = demo_step(coffer_cnode_revoke(ROOT, ut, 64), "revoke the untyped");
    uint64_t after = coffer_cnode_identify(ROOT, ut, 64).detail1;
    printf("root: revoked: free bytes of the untyped %llu -> %llu (of %llu)\n",
           (unsigned long long)before, (unsigned long long)after,
           (unsigned long long)(1ull << bi->untyped_list[0].size_bits));
    return revoked && after == (1ull << bi->untyped_list[0].size_bits) ? 0 : 1;
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
    if (show_derivation(bi) != 0 || show_banks(bi, bi->empty.start + 64) != 0 ||
        run_init(bi, demo_prime_bank(), bi->empty.start + 512) != 0)
        return 1;
    printf("root: done, shutting down\n");
    return 0;
}
