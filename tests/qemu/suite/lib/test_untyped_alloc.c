/*
 * The untyped allocator (lib/untyped_alloc) against the real kernel: two
 * untyped carved for the test, objects of several types and sizes retyped
 * at the offsets the buddy picks, byte counts compared with the kernel's
 * UNTYPED_DESCRIBE, a freed range retyped again at once, exhaustion, and
 * the kernel refusing a retype into a block freed while its object lives.
 * Ends with everything revoked: the parent untyped as it was.
 */
#include "ktest.h"
#include <untyped_alloc/untyped_alloc.h>

#define ROOT COFFER_SLOT_CNODE
#define D 64
#define BIG_BITS 20   /* a 1 MiB untyped */
#define SMALL_BITS 16 /* and a 64 KiB one */
#define OBJECTS 280   /* room for both untyped in 4 KiB frames, and more */

static struct buddy_tree trees[2];
static struct buddy_pool pools[2];
static uint64_t big_tree[(512 + 64) / 8], small_tree[(32 + 8) / 8]; /* buddy_tree_bytes(20 or 16, 12) */
static struct buddy_ref blocks[OBJECTS];
static uint64_t first_slot; /* objects go to first_slot + i */

static uint64_t kernel_free(uint64_t untyped)
{
    struct coffer_result r = coffer_untyped_describe(untyped);
    return r.error == COFFER_ERR_OK ? r.detail0 : ~0ull;
}

static bool is_type(uint64_t slot, uint64_t type)
{
    return COFFER_ID_TYPE(coffer_cnode_identify(ROOT, slot, D).detail0) == type;
}

/* Retype object i; true when it worked. */
static bool make(struct buddy *b, unsigned i, uint64_t type, uint64_t size_bits)
{
    return untyped_alloc_retype(b, type, size_bits, ROOT, 0, first_slot + i, &blocks[i]).error ==
           COFFER_ERR_OK;
}

/* Delete object i's capability and give its block back. */
static bool unmake(struct buddy *b, unsigned i)
{
    return coffer_cnode_delete(ROOT, first_slot + i, D).error == COFFER_ERR_OK &&
           untyped_alloc_free(b, blocks[i]) == COFFER_ERR_OK;
}

static void mixed_objects(struct buddy *b, uint64_t big, uint64_t small)
{
    bool ok = make(b, 0, COFFER_OBJ_FRAME, 12) && make(b, 1, COFFER_OBJ_TCB, 0) &&
              make(b, 2, COFFER_OBJ_CNODE, 4) && make(b, 3, COFFER_OBJ_FRAME, 16) &&
              make(b, 4, COFFER_OBJ_ENDPOINT, 0) && make(b, 5, COFFER_OBJ_UNTYPED, 14);
    ktest_check(ok && is_type(first_slot + 0, COFFER_OBJ_FRAME) && is_type(first_slot + 1, COFFER_OBJ_TCB) &&
                    is_type(first_slot + 2, COFFER_OBJ_CNODE) && is_type(first_slot + 4, COFFER_OBJ_ENDPOINT) &&
                    is_type(first_slot + 5, COFFER_OBJ_UNTYPED),
                "untyped_alloc: a frame, a TCB, a CNode, a 64 KiB frame, an endpoint, an untyped retyped at chosen offsets");
    /* Objects take their own size in the kernel, at least a 4 KiB block in the buddy. */
    uint64_t taken = 4096 + 1024 + 1024 + 65536 + 64 + 16384;
    uint64_t blocks_taken = 4096 * 4 + 65536 + 16384;
    uint64_t total = (1ull << BIG_BITS) + (1ull << SMALL_BITS);
    ktest_check(ok && kernel_free(big) + kernel_free(small) == total - taken &&
                    b->free_bytes == total - blocks_taken && b->blocks == 6,
                "untyped_alloc: the kernel counts the objects' bytes, the buddy their blocks");
    ktest_check(blocks[0].pool == 1 && blocks[1].pool == 1 && blocks[2].pool == 1 && blocks[3].pool == 0,
                "untyped_alloc: best fit fills the small untyped first, the 64 KiB frame goes to the large one");
    ktest_check(untyped_alloc_paddr(b, blocks[0]) == b->trees[blocks[0].pool].base + blocks[0].block.offset &&
                    coffer_frame_address(first_slot + 0).detail0 == untyped_alloc_paddr(b, blocks[0]),
                "untyped_alloc: a frame's physical address is the block's");
    struct buddy_ref tcb = blocks[1];
    ok = unmake(b, 1) && make(b, 1, COFFER_OBJ_TCB, 0);
    ktest_check(ok && blocks[1].pool == tcb.pool && blocks[1].block.offset == tcb.block.offset,
                "untyped_alloc: a freed block is retyped again at once, no revoke of the untyped");
    for (unsigned i = 0; i < 6; i++)
        ok = unmake(b, i) && ok;
    ktest_check(ok && kernel_free(big) + kernel_free(small) == total && b->free_bytes == total && b->blocks == 0,
                "untyped_alloc: every object deleted and freed: both untyped all free, the buddy too");
}

static void exhaustion(struct buddy *b, uint64_t big, uint64_t small)
{
    unsigned n = 0;
    while (n < OBJECTS && make(b, n, COFFER_OBJ_FRAME, 12))
        n++;
    struct buddy_ref blk;
    struct coffer_result r = untyped_alloc_retype(b, COFFER_OBJ_FRAME, 12, ROOT, 0, first_slot + n, &blk);
    ktest_check(n == 256 + 16 && kernel_free(big) == 0 && kernel_free(small) == 0 &&
                    r.error == COFFER_ERR_NOT_ENOUGH_MEMORY,
                "untyped_alloc: 272 frames of 4 KiB fill both untyped, the next is NOT_ENOUGH_MEMORY (made %u)", n);
    bool ok = true;
    for (unsigned i = 0; i < n; i++)
        ok = unmake(b, i) && ok;
    ktest_check(ok && buddy_largest_free(b) == BIG_BITS && make(b, 0, COFFER_OBJ_FRAME, BIG_BITS),
                "untyped_alloc: all freed, the blocks coalesce: a 1 MiB frame fits again");
    ktest_check(unmake(b, 0), "untyped_alloc: and goes");
}

static void errors(struct buddy *b)
{
    struct buddy_ref blk = { 9, { 9, 9, 9 } };
    struct coffer_result r = untyped_alloc_retype(b, COFFER_OBJ_IRQ_HANDLER, 0, ROOT, 0, first_slot, &blk);
    ktest_check(r.error == COFFER_ERR_INVALID_ARGUMENT && r.detail0 == 0 && blk.pool == 9,
                "untyped_alloc: a type retype does not make: INVALID_ARGUMENT(0)");
    r = untyped_alloc_retype(b, COFFER_OBJ_FRAME, 11, ROOT, 0, first_slot, &blk);
    ktest_check(r.error == COFFER_ERR_INVALID_ARGUMENT && r.detail0 == 1 && b->blocks == 0,
                "untyped_alloc: a size retype refuses: INVALID_ARGUMENT(1), no block taken");
    /* The kernel's own refusal gives the block back. */
    ktest_check(make(b, 0, COFFER_OBJ_ENDPOINT, 0), "untyped_alloc: an endpoint");
    r = untyped_alloc_retype(b, COFFER_OBJ_FRAME, 12, ROOT, 0, first_slot, &blk);
    ktest_check(r.error == COFFER_ERR_DELETE_FIRST && b->blocks == 1,
                "untyped_alloc: a retype into an occupied slot fails in the kernel (DELETE_FIRST); its block is back");
    /* A block freed while its object lives: the kernel refuses the range. */
    struct buddy_ref live = blocks[0];
    ktest_check(untyped_alloc_free(b, live) == COFFER_ERR_OK, "untyped_alloc: the endpoint's block freed too early");
    r = untyped_alloc_retype(b, COFFER_OBJ_FRAME, 12, ROOT, 0, first_slot + 1, &blk);
    ktest_check(r.error == COFFER_ERR_REVOKE_FIRST && b->blocks == 0 && is_type(first_slot + 1, COFFER_ID_TYPE_NULL),
                "untyped_alloc: the kernel refuses a retype into that block (REVOKE_FIRST), nothing made");
    ktest_check(coffer_cnode_delete(ROOT, first_slot, D).error == COFFER_ERR_OK && make(b, 1, COFFER_OBJ_FRAME, 12) &&
                    blocks[1].block.offset == live.block.offset && blocks[1].pool == live.pool && unmake(b, 1),
                "untyped_alloc: once the endpoint is deleted the same block takes a frame");
    ktest_check(untyped_alloc_free(b, live) == COFFER_ERR_ILLEGAL_OPERATION, "untyped_alloc: a double free is refused");
}

/* An untyped already used below its watermark: that much is reserved. */
static void partly_used(uint64_t small)
{
    struct buddy b;
    struct buddy_tree t[1];
    struct buddy_pool p[1];
    buddy_init(&b, 12, t, p, 1);
    uint64_t ep = first_slot + 10;
    ktest_step(coffer_cnode_revoke(ROOT, small, D), "revoke the 64 KiB untyped (its watermark back to 0)");
    ktest_step(coffer_untyped_retype(small, COFFER_OBJ_TCB, 0, ROOT, 0, ep, 1, 5 * 4096), "a TCB at 20 KiB");
    unsigned index;
    struct coffer_result res = untyped_alloc_add(&b, small, coffer_root_ipc_buffer(), small_tree, sizeof small_tree, &index);
    ktest_check(res.error == COFFER_ERR_OK && b.free_bytes == (1u << SMALL_BITS) - 6 * 4096 && b.blocks == 2,
                "untyped_alloc: adding an untyped reserves what lies below its watermark (24 KiB as 16 + 8)");
    ktest_check(coffer_cnode_delete(ROOT, ep, D).error == COFFER_ERR_OK, "untyped_alloc: the TCB goes");
    res = untyped_alloc_add(&b, small, coffer_root_ipc_buffer(), small_tree, sizeof small_tree, &index);
    ktest_check(res.error == COFFER_ERR_NOT_ENOUGH_MEMORY, "untyped_alloc: adding to full arrays is refused");
    res = untyped_alloc_add(&b, ROOT, coffer_root_ipc_buffer(), small_tree, sizeof small_tree, &index);
    ktest_check(res.error == COFFER_ERR_ILLEGAL_OPERATION, "untyped_alloc: adding a CNode is refused by the kernel (ILLEGAL_OPERATION)");
}

void test_untyped_alloc(void)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    uint64_t parent = coffer_largest_ram_untyped(bi, 24);
    uint64_t big = bi->empty.start, small = big + 1;
    first_slot = big + 2;
    if (!ktest_step(coffer_untyped_retype(parent, COFFER_OBJ_UNTYPED, BIG_BITS, ROOT, 0, big, 1,
                                          COFFER_RETYPE_AT_WATERMARK), "a 1 MiB untyped") ||
        !ktest_step(coffer_untyped_retype(parent, COFFER_OBJ_UNTYPED, SMALL_BITS, ROOT, 0, small, 1,
                                          COFFER_RETYPE_AT_WATERMARK), "a 64 KiB untyped")) {
        ktest_check(false, "untyped_alloc: set-up");
        return;
    }
    struct buddy b;
    unsigned index;
    buddy_init(&b, 12, trees, pools, 2);
    bool added = untyped_alloc_add(&b, big, coffer_root_ipc_buffer(), big_tree, sizeof big_tree, &index).error ==
                     COFFER_ERR_OK && index == 0 &&
                 untyped_alloc_add(&b, small, coffer_root_ipc_buffer(), small_tree, sizeof small_tree, &index).error ==
                     COFFER_ERR_OK && index == 1;
    ktest_check(added && b.pools[0].bits == BIG_BITS && b.pools[1].bits == SMALL_BITS &&
                    b.free_bytes == (1u << BIG_BITS) + (1u << SMALL_BITS) && buddy_metadata_bytes(&b) == sizeof trees + sizeof pools + 576 + 40,
                "untyped_alloc: two untyped added (sizes from UNTYPED_DESCRIBE), their trees 616 bytes");
    if (added) {
        mixed_objects(&b, big, small);
        exhaustion(&b, big, small);
        errors(&b);
        partly_used(small);
    }
    uint64_t before = kernel_free(parent);
    bool clean = coffer_cnode_revoke(ROOT, big, D).error == COFFER_ERR_OK &&
                 coffer_cnode_revoke(ROOT, small, D).error == COFFER_ERR_OK &&
                 coffer_cnode_delete(ROOT, big, D).error == COFFER_ERR_OK &&
                 coffer_cnode_delete(ROOT, small, D).error == COFFER_ERR_OK;
    ktest_check(clean && kernel_free(parent) == before + (1u << BIG_BITS) + (1u << SMALL_BITS),
                "untyped_alloc: both untyped revoked and deleted, their bytes back in the parent");
}
