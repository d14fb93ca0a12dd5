/*
 * The untyped allocator (lib/untyped_alloc) as user code against the
 * host-built kernel core (host_syscalls.h): retype at the buddy's
 * offsets, the kernel's byte count beside the buddy's, a block freed
 * while its object lives refused by the kernel, and random sequences of
 * mixed objects with every byte accounted after each step.
 */
#include <stdlib.h>
#include <string.h>

#include <untyped_alloc/untyped_alloc.h>

#include "cap_fixture.h"
#include "host_syscalls.h"
#include "tap.h"

#define ROOT_BITS 10
#define ROOT 1 /* the root CNode's copy */
#define UT 2
#define FIRST 16 /* objects from here */
#define UT_BITS 20
#define D 64

static struct thread *thr;
static struct slot *root_slots;
static void *ut_mem, *ipc_page;
static const struct coffer_ipc_buffer *ipc;
static struct buddy b;
static struct buddy_tree trees[1];
static struct buddy_pool pools[1];
static uint64_t tree[(512 + 64) / 8]; /* buddy_tree_bytes(20, 12) */

static void setup(void)
{
    fixture_cspace(thr, root_slots, ROOT_BITS, ROOT);
    fixture_untyped(&root_slots[UT], ut_mem, UT_BITS, false);
    ipc = host_syscalls_ipc_buffer(thr, ipc_page);
    host_syscalls_use(thr);
    buddy_init(&b, 12, trees, pools, 1);
}

static uint64_t kernel_free(void)
{
    return coffer_untyped_describe(UT).detail0;
}

static void test_basics(void)
{
    setup();
    unsigned index = 9;
    struct coffer_result r = untyped_alloc_add(&b, UT, ipc, tree, sizeof tree, &index);
    tap_ok(r.error == COFFER_ERR_OK && index == 0 && b.pools[0].bits == UT_BITS &&
               b.trees[0].base == (uintptr_t)ut_mem && b.free_bytes == 1u << UT_BITS,
           "add: the untyped's size and address from UNTYPED_DESCRIBE");
    struct buddy_ref tcb, frame, ep;
    bool made = untyped_alloc_retype(&b, COFFER_OBJ_TCB, 0, ROOT, 0, FIRST, &tcb).error == COFFER_ERR_OK &&
                untyped_alloc_retype(&b, COFFER_OBJ_FRAME, 16, ROOT, 0, FIRST + 1, &frame).error == COFFER_ERR_OK &&
                untyped_alloc_retype(&b, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, FIRST + 2, &ep).error == COFFER_ERR_OK;
    tap_ok(made && root_slots[FIRST].cap.type == CAP_TCB && root_slots[FIRST + 1].cap.type == CAP_FRAME &&
               root_slots[FIRST + 2].cap.type == CAP_ENDPOINT &&
               root_slots[FIRST + 1].cap.object == untyped_alloc_paddr(&b, frame),
           "retype: a TCB, a 64 KiB frame and an endpoint where the buddy put them");
    tap_ok(kernel_free() == (1u << UT_BITS) - 1024 - 65536 - 64 && b.free_bytes == (1u << UT_BITS) - 2 * 4096 - 65536,
           "retype: the kernel counts object bytes, the buddy blocks");
    tap_ok(untyped_alloc_free(&b, ep) == COFFER_ERR_OK &&
               untyped_alloc_retype(&b, COFFER_OBJ_FRAME, 12, ROOT, 0, FIRST + 3, &ep).error == COFFER_ERR_REVOKE_FIRST &&
               b.blocks == 2,
           "free too early: the kernel refuses the range (REVOKE_FIRST), the block is given back");
    tap_ok(coffer_cnode_delete(ROOT, FIRST + 2, D).error == COFFER_ERR_OK &&
               untyped_alloc_retype(&b, COFFER_OBJ_FRAME, 12, ROOT, 0, FIRST + 3, &ep).error == COFFER_ERR_OK,
           "free: once the endpoint is deleted its block is retyped again at once");
    fixture_check_tree("the allocator's retypes");
}

static uint64_t rng_state;
static unsigned rng(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)((rng_state >> 33) % n);
}

/* Random objects of every retypable kind and random frees; after each
 * step the kernel's free bytes equal the region less the live objects'. */
static void test_random(uint64_t seed, unsigned steps)
{
    static const struct { uint64_t type, bits_lo, bits_n; unsigned extra; } kinds[] = {
        { COFFER_OBJ_ENDPOINT, 0, 1, 0 },  { COFFER_OBJ_NOTIFICATION, 0, 1, 0 },
        { COFFER_OBJ_TCB, 0, 1, 0 },       { COFFER_OBJ_SCHED_CONTEXT, 0, 1, 0 },
        { COFFER_OBJ_FRAME, 12, 5, 0 },    { COFFER_OBJ_CNODE, 1, 8, 6 },
        { COFFER_OBJ_PAGE_TABLE, 0, 1, 0 }, { COFFER_OBJ_UNTYPED, 6, 12, 0 },
    };
    enum { SLOTS = 200 };
    struct buddy_ref blocks[SLOTS];
    uint64_t sizes[SLOTS] = { 0 };
    setup();
    unsigned index;
    untyped_alloc_add(&b, UT, ipc, tree, sizeof tree, &index);
    rng_state = seed;
    uint64_t live = 0;
    unsigned bad = 0, made = 0, full = 0;
    for (unsigned step = 1; step <= steps && bad == 0; step++) {
        unsigned s = rng(SLOTS);
        if (sizes[s] != 0) {
            if (coffer_cnode_delete(ROOT, FIRST + s, D).error != COFFER_ERR_OK ||
                untyped_alloc_free(&b, blocks[s]) != COFFER_ERR_OK)
                bad = step;
            live -= sizes[s];
            sizes[s] = 0;
        } else {
            unsigned k = rng(sizeof kinds / sizeof kinds[0]);
            uint64_t bits = kinds[k].bits_lo + rng((unsigned)kinds[k].bits_n);
            struct coffer_result r = untyped_alloc_retype(&b, kinds[k].type, bits, ROOT, 0, FIRST + s, &blocks[s]);
            if (r.error == COFFER_ERR_OK) {
                sizes[s] = 1ull << coffer_object_bits(kinds[k].type, bits);
                live += sizes[s];
                made++;
            } else if (r.error == COFFER_ERR_NOT_ENOUGH_MEMORY) {
                full++;
            } else {
                bad = step;
            }
        }
        if (kernel_free() != (1u << UT_BITS) - live)
            bad = step;
    }
    if (bad)
        tap_diag("seed %llu: step %u went wrong", (unsigned long long)seed, bad);
    tap_okf(bad == 0 && cdt_check() == 0,
            "random (seed %llu, %u steps, %u objects made, %u refused for room): kernel bytes exact each step",
            (unsigned long long)seed, steps, made, full);
}

int main(void)
{
    thr = aligned_alloc(64, (sizeof(struct thread) + 63) & ~(size_t)63);
    root_slots = aligned_alloc(sizeof(struct slot) << ROOT_BITS, sizeof(struct slot) << ROOT_BITS);
    ut_mem = aligned_alloc(1u << UT_BITS, 1u << UT_BITS);
    ipc_page = aligned_alloc(COFFER_PAGE_SIZE, COFFER_PAGE_SIZE);
    if (thr == NULL || root_slots == NULL || ut_mem == NULL || ipc_page == NULL)
        return 1;
    test_basics();
    for (uint64_t seed = 1; seed <= 3; seed++)
        test_random(seed, 3000);
    free(thr);
    free(root_slots);
    free(ut_mem);
    free(ipc_page);
    return tap_done();
}
