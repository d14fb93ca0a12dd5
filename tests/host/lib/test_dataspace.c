/*
 * The dataspace library's refusals on the host (lib/dataspace): each
 * before anything is bought.  What it does with real frames, windows and
 * mappings -- aliases, attach with page tables bought, both lifetimes,
 * faults -- is tests/qemu/suite/lib/test_dataspace.c.
 */
#include "tap.h"
#include <dataspace/dataspace.h>
#include <proto/errors.h>

static unsigned asked;

static bool no_slot(void *ctx, uint64_t *slot)
{
    (void)ctx, (void)slot;
    asked++;
    return false;
}

int main(void)
{
    static struct coffer_ipc_buffer buf;
    struct dataspace_env env = { .buf = &buf, .bank = 5, .cnode = 1, .slot = no_slot };
    struct dataspace ds = { .frame = 9, .bytes = 4096, .handle = 0 }, out;
    tap_ok(dataspace_alloc(&env, 0, &out).error == COFFER_ERR_INVALID_ARGUMENT &&
               dataspace_alloc(&env, (1ull << 30) + 1, &out).error == COFFER_ERR_INVALID_ARGUMENT && asked == 0,
           "alloc: 0 bytes or more than 1 GiB is INVALID_ARGUMENT, before a slot is taken");
    tap_ok(dataspace_alloc(&env, 1, &out).error == COFFER_ERR_NOT_ENOUGH_MEMORY && asked == 1,
           "alloc: no slot left is NOT_ENOUGH_MEMORY");
    tap_ok(dataspace_alias(&env, &ds, 0, 4096, false, &out).error == COFFER_ERR_NOT_ENOUGH_MEMORY,
           "alias: no slot left is NOT_ENOUGH_MEMORY");
    tap_ok(dataspace_free(&env, &ds).error == COFFER_ERR_BANK_NOT_BOUGHT,
           "free: a dataspace not bought here (an alias, one received) is BANK_NOT_BOUGHT");
    return tap_done();
}
