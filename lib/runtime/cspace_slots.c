/*
 * The runtime's slot allocator (runtime/slots.h).  The first leaf's top
 * is a stack of slots (lowest_slot); past it, lib/cspace in two-level mode
 * over root slots 1 to 2^PROCESS_ROOT_BITS - 1, growing each leaf by
 * buying a CNode from the process's bank straight into its root slot.
 * Its books (560 bytes) are static: they are every process's, in its
 * .bss, paid for by its bank like the rest of its image.  (A root of 64
 * leaves, 2.3 KiB of books and 4 KiB of root CNode, pushed the test's
 * three nested processes past a bank extent's power of two.)
 */
#include <coffer.h>
#include <cspace/slots.h>
#include <process/layout.h>
#include <proto/bank_client.h>
#include <runtime/slots.h>
#include <runtime/thread.h>
#include <sys/lock.h>

#include "runtime_internal.h"

#define OWN_RESERVE 16 /* the first leaf's slots from PROCESS_SLOT_FIRST_FREE kept for the program */
#define LEAVES ((1u << PROCESS_ROOT_BITS) - 1)

extern struct __lock __lock___libc_recursive_mutex; /* lock.c: the runtime's and malloc's */

static unsigned lowest_slot = 1u << PROCESS_CNODE_BITS; /* the first leaf's taken: from here up */
static struct cspace_slots leaves;
static uint64_t leaves_meta[80]; /* cspace_slots_meta_bytes of the configuration: checked at init */
static bool leaves_ready;

/* A leaf of 2^leaf_bits slots bought into root slot root_index. */
static uint64_t grow(void *ctx, uint64_t root_index, unsigned leaf_bits)
{
    (void)ctx;
    uint64_t handle;
    return bank_buy_into(runtime_ipc_buffer(), PROCESS_SLOT_BANK, COFFER_OBJ_CNODE, leaf_bits, PROCESS_SLOT_CNODE, 64,
                         root_index, &handle)
        .error;
}

static bool leaves_open(void)
{
    static const struct cspace_slots_config cfg = { .root_bits = PROCESS_ROOT_BITS,
                                                    .leaf_bits = PROCESS_CNODE_BITS,
                                                    .first_leaf = 1,
                                                    .max_leaves = LEAVES,
                                                    .grow = grow };
    if (!leaves_ready)
        leaves_ready = cspace_slots_init(&leaves, &cfg, leaves_meta, sizeof leaves_meta) == COFFER_ERR_OK;
    return leaves_ready;
}

bool runtime_slot_alloc(uint64_t *slot)
{
    __retarget_lock_acquire_recursive(&__lock___libc_recursive_mutex);
    bool got = true;
    if (lowest_slot > PROCESS_SLOT_FIRST_FREE + OWN_RESERVE)
        *slot = --lowest_slot;
    else
        got = leaves_open() && cspace_slots_alloc(&leaves, slot) == COFFER_ERR_OK;
    __retarget_lock_release_recursive(&__lock___libc_recursive_mutex);
    return got;
}

void runtime_slot_free(uint64_t slot)
{
    __retarget_lock_acquire_recursive(&__lock___libc_recursive_mutex);
    if (slot >= 1u << PROCESS_CNODE_BITS)
        cspace_slots_free(&leaves, slot); /* a slot it never gave is refused, and changes nothing */
    else if (slot == lowest_slot)
        lowest_slot++;
    __retarget_lock_release_recursive(&__lock___libc_recursive_mutex);
}

unsigned runtime_slot_leaves(void)
{
    return leaves_ready ? (unsigned)cspace_slots_leaves(&leaves) : 0;
}
