/*
 * Boot's capabilities (kernel/core/boot/boot_caps.c): every untyped the
 * boot-info page lists becomes a capability in its slot of the root CNode,
 * the root of its own derivation tree, with RAM zeroed and device memory
 * untouched.
 */
#include "boot/boot_root.h"
#include "cap/cdt.h"
#include "tap.h"
#include <stdlib.h>
#include <string.h>

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

int main(void)
{
    enum { SLOTS = 32 };
    static struct slot slots[SLOTS];
    static struct coffer_bootinfo bi;
    uint8_t *ram4k = aligned_alloc(4096, 4096), *ram8k = aligned_alloc(8192, 8192);
    if (ram4k == NULL || ram8k == NULL)
        return 2;
    memset(ram4k, 0xaa, 4096);
    memset(ram8k, 0x55, 8192);
    cdt_init();
    bi.untyped_list[0] = (struct coffer_untyped_desc){ (uint64_t)(uintptr_t)ram8k, 13, 0, { 0 } };
    bi.untyped_list[1] = (struct coffer_untyped_desc){ (uint64_t)(uintptr_t)ram4k, 12, 0, { 0 } };
    /* Device memory is never touched: an address the test does not own. */
    bi.untyped_list[2] = (struct coffer_untyped_desc){ 0x10000000, 12, 1, { 0 } };
    bi.untyped_count = 3;
    bi.untyped = (struct coffer_slot_region){ 11, 14 };
    boot_untyped_caps(slots, &bi);

    const struct cap *c = &slots[11].cap;
    tap_ok(c->type == CAP_UNTYPED && c->object == (uint64_t)(uintptr_t)ram8k && c->size_bits == 13 &&
               c->rights == CAP_RIGHTS_ALL && !(c->flags & CAP_FLAG_DEVICE),
           "the first untyped is in the first untyped slot: RAM, 2^13, all rights");
    c = &slots[12].cap;
    tap_ok(c->type == CAP_UNTYPED && c->object == (uint64_t)(uintptr_t)ram4k && c->size_bits == 12,
           "the second in the next slot");
    c = &slots[13].cap;
    tap_ok(c->type == CAP_UNTYPED && c->object == 0x10000000 && (c->flags & CAP_FLAG_DEVICE),
           "device memory: a device untyped");
    tap_ok(cap_is_null(&slots[10].cap) && cap_is_null(&slots[14].cap),
           "no slot outside the untyped range is written");
    tap_ok(all_zero(ram8k, 8192) && all_zero(ram4k, 4096), "RAM untyped are zeroed");
    tap_ok(cdt_count() == 3 && cdt_check() == 0 && cdt_parent(&slots[11]) == NULL &&
               cdt_parent(&slots[13]) == NULL,
           "each is in the derivation tree as the root of its object");
    free(ram4k);
    free(ram8k);
    return tap_done();
}
