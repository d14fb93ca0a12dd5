/*
 * CNode teardown through the real system-call path: deleting the last
 * capability to a CNode that still holds capabilities frees everything in
 * it -- a large CNode (long enough for timer interrupts to preempt it), a
 * chain of CNodes, a CNode holding itself, two CNodes holding each other --
 * and every byte returns to the untyped it came from.
 *
 * Works in a child untyped of its own, at the end of the root CNode's
 * empty slots, so it does not disturb test_cnode_untyped.c.
 */
#include "ktest.h"

#define ROOT COFFER_SLOT_CNODE
#define D 64
#define W COFFER_RETYPE_AT_WATERMARK
#define SUB_BITS 4 /* small CNodes: 16 slots, resolved with 4 bits */

static uint64_t work_ut;   /* a child untyped just for these tests */
static unsigned work_bits; /* its size */
static uint64_t next_slot; /* root slots used here, counting down */

static uint64_t slot(void)
{
    return next_slot--;
}

static uint64_t id0(uint64_t s)
{
    return coffer_cnode_identify(ROOT, s, D).detail0;
}

static bool is_null(uint64_t s)
{
    return id0(s) == COFFER_ID_TYPE_NULL;
}

static uint64_t work_free(void)
{
    return coffer_cnode_identify(ROOT, work_ut, D).detail1;
}

static uint64_t cap_count(void)
{
    return coffer_debug_check().detail1;
}

static struct coffer_kernel_info kernel_info(void)
{
    struct coffer_kernel_info k;
    coffer_debug_kernel_info((uint64_t)(uintptr_t)&k, sizeof(k));
    return k;
}

static uint64_t new_cnode(unsigned bits)
{
    uint64_t s = slot();
    ktest_step(coffer_untyped_retype(work_ut, COFFER_OBJ_CNODE, bits, ROOT, 0, s, 1, W),
               "retype a CNode of 2^%u slots into root slot %llu", bits, (unsigned long long)s);
    return s;
}

/* Copy the capability in root slot src into slot i of the CNode in root
 * slot cn; false (and which copy failed, with its error) if it failed. */
static bool put(uint64_t cn, uint64_t i, uint64_t src)
{
    return ktest_step(coffer_cnode_copy(cn, i, SUB_BITS, ROOT, src, D),
                      "copy root slot %llu into slot %llu of the CNode in root slot %llu",
                      (unsigned long long)src, (unsigned long long)i, (unsigned long long)cn);
}

/* Delete the capability in root slot s; false (and the error) if that failed. */
static bool del(uint64_t s)
{
    return ktest_step(coffer_cnode_delete(ROOT, s, D), "delete root slot %llu",
                      (unsigned long long)s);
}

/* Revoke the work untyped: everything must be gone, to the byte. */
static void reclaim(uint64_t caps_before, const char *what)
{
    struct coffer_result r = coffer_cnode_revoke(ROOT, work_ut, D);
    ktest_check(r.error == COFFER_ERR_OK && work_free() == (1ull << work_bits) &&
                    cap_count() == caps_before && coffer_debug_check().detail0 == 0,
                "teardown: %s -- revoking the untyped frees every byte (%llu capabilities left)",
                what, (unsigned long long)cap_count());
}

static void large_cnode(uint64_t caps_before)
{
    /* 2^16 slots (4 MiB), every one holding an endpoint (4 MiB more). */
    const unsigned bits = 16;
    uint64_t cn = new_cnode(bits), made = 0;
    for (uint64_t i = 0; i < (1u << bits); i += COFFER_RETYPE_MAX_COUNT)
        made += ktest_step(coffer_untyped_retype(work_ut, COFFER_OBJ_ENDPOINT, 0, cn, D, i,
                                                 COFFER_RETYPE_MAX_COUNT, W),
                           "retype endpoints into slots %llu.. of the large CNode",
                           (unsigned long long)i)
                    ? COFFER_RETYPE_MAX_COUNT
                    : 0;
    ktest_check(made == (1u << bits) && work_free() == 0,
                "teardown: a CNode of 65536 slots full of endpoints fills the 8 MiB untyped");
    struct coffer_kernel_info before = kernel_info();
    struct coffer_result r = coffer_cnode_delete(ROOT, cn, D);
    struct coffer_kernel_info after = kernel_info();
    uint64_t ticks = after.timer_ticks - before.timer_ticks;
    uint64_t restarts = after.syscall_restarts - before.syscall_restarts;
    printf("# deleting it took %llu timer ticks and %llu restarts\n", (unsigned long long)ticks,
           (unsigned long long)restarts);
    ktest_check(r.error == COFFER_ERR_OK && is_null(cn) && work_free() == 0 &&
                    cap_count() == caps_before,
                "teardown: deleting its only capability deletes all 65536 endpoints");
    /* Each tick taken while the call ran interrupted it at a preemption
     * point: only the last can fall after it returned. */
    ktest_check(restarts + 1 >= ticks,
                "teardown: every timer tick during the call stopped it at a preemption point (%llu ticks, %llu restarts)",
                (unsigned long long)ticks, (unsigned long long)restarts);
    reclaim(caps_before, "after a large CNode");
}

static void chain(uint64_t caps_before)
{
    /* c[0] -> c[1] -> ... : each CNode holds the last capability to the
     * next (built in root slots, whose copies are then deleted). */
    enum { LENGTH = 64 };
    uint64_t c[LENGTH];
    bool ok = true;
    for (int i = 0; i < LENGTH; i++) {
        c[i] = new_cnode(SUB_BITS);
        ok &= ktest_step(coffer_untyped_retype(work_ut, COFFER_OBJ_ENDPOINT, 0, c[i], D, 0, 3, W),
                         "retype three endpoints into CNode %d of the chain", i);
        if (i > 0)
            ok &= put(c[i - 1], 15, c[i]);
    }
    for (int i = 1; i < LENGTH; i++)
        ok &= del(c[i]);
    ktest_check(ok && cap_count() == caps_before + 4 * LENGTH,
                "teardown: a chain of 64 CNodes, each holding the next and three endpoints");
    struct coffer_result r = coffer_cnode_delete(ROOT, c[0], D);
    ktest_check(r.error == COFFER_ERR_OK && cap_count() == caps_before,
                "teardown: deleting the head frees the whole chain and its endpoints");
    reclaim(caps_before, "after a chain");
}

static void self_reference(uint64_t caps_before)
{
    uint64_t cn = new_cnode(SUB_BITS);
    bool ok = put(cn, 7, cn);
    ok &= ktest_step(coffer_untyped_retype(work_ut, COFFER_OBJ_ENDPOINT, 0, cn, D, 2, 1, W),
                     "retype an endpoint into the CNode");
    ok &= del(cn);
    ktest_check(ok && cap_count() == caps_before + 2,
                "teardown: a CNode holding its own last capability survives as garbage");
    reclaim(caps_before, "a CNode holding itself");
}

static void mutual(uint64_t caps_before)
{
    uint64_t a = new_cnode(SUB_BITS), b = new_cnode(SUB_BITS), c = new_cnode(SUB_BITS);
    bool ok = put(a, 1, b);
    ok &= put(b, 2, c);
    ok &= put(c, 3, a);
    ok &= put(a, 4, a);
    ok &= ktest_step(coffer_untyped_retype(work_ut, COFFER_OBJ_FRAME, 12, b, D, 9, 1, W),
                     "retype a frame into the second CNode");
    ok &= del(a);
    ok &= del(b);
    ok &= del(c);
    ktest_check(ok && cap_count() == caps_before + 5,
                "teardown: a cycle of three CNodes, unreachable after deleting the outside capabilities");
    reclaim(caps_before, "a cycle of CNodes");
    /* Two CNodes from different untyped, each holding the other's last
     * capability: revoking one untyped frees both. */
    uint64_t other = slot();
    ok = ktest_step(coffer_untyped_retype(work_ut, COFFER_OBJ_UNTYPED, 16, ROOT, 0, other, 1, W),
                    "retype a second untyped");
    a = new_cnode(SUB_BITS);
    b = slot();
    ok &= ktest_step(coffer_untyped_retype(other, COFFER_OBJ_CNODE, SUB_BITS, ROOT, 0, b, 1, W),
                     "retype a CNode from the second untyped");
    ok &= put(a, 1, b);
    ok &= put(b, 1, a);
    ok &= del(a);
    ok &= del(b);
    uint64_t other_free = coffer_cnode_identify(ROOT, other, D).detail1;
    struct coffer_result r = coffer_cnode_revoke(ROOT, other, D);
    ktest_check(ok && r.error == COFFER_ERR_OK && other_free < (1u << 16) &&
                    cap_count() == caps_before + 1 &&
                    coffer_cnode_identify(ROOT, other, D).detail1 == (1u << 16),
                "teardown: revoking one untyped frees a cycle through a CNode from another");
    ktest_check(coffer_cnode_delete(ROOT, other, D).error == COFFER_ERR_OK,
                "teardown: the second untyped's capability is deleted");
    reclaim(caps_before, "after a cycle across two untyped");
}

/* A dying 16 MiB frame is zeroed in chunks, with preemption between. */
static void large_frame(uint64_t ut)
{
    uint64_t f = slot(), free_before = coffer_cnode_identify(ROOT, ut, D).detail1;
    struct coffer_result r = coffer_untyped_retype(ut, COFFER_OBJ_FRAME, 24, ROOT, 0, f, 1, W);
    struct coffer_kernel_info before = kernel_info();
    struct coffer_result d = coffer_cnode_delete(ROOT, f, D);
    struct coffer_kernel_info after = kernel_info();
    uint64_t ticks = after.timer_ticks - before.timer_ticks;
    uint64_t restarts = after.syscall_restarts - before.syscall_restarts;
    printf("# deleting a 16 MiB frame took %llu timer ticks and %llu restarts\n",
           (unsigned long long)ticks, (unsigned long long)restarts);
    ktest_check(r.error == COFFER_ERR_OK && d.error == COFFER_ERR_OK && is_null(f) &&
                    restarts + 1 >= ticks,
                "teardown: a 16 MiB frame dies (zeroed in chunks; every tick met a preemption point)");
    r = coffer_cnode_revoke(ROOT, ut, D);
    ktest_check(r.error == COFFER_ERR_OK &&
                    coffer_cnode_identify(ROOT, ut, D).detail1 >= free_before,
                "teardown: its memory is free again");
}

void test_zombie(void)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    uint64_t ut = coffer_largest_ram_untyped(bi, 24);
    next_slot = bi->empty.end - 1;
    work_ut = slot();
    work_bits = 23;
    struct coffer_result r = coffer_untyped_retype(ut, COFFER_OBJ_UNTYPED, work_bits, ROOT, 0, work_ut, 1, W);
    ktest_check(r.error == COFFER_ERR_OK, "teardown: an 8 MiB child untyped to work in");
    uint64_t base = cap_count();
    large_cnode(base);
    chain(base);
    self_reference(base);
    mutual(base);
    ktest_check(coffer_cnode_delete(ROOT, work_ut, D).error == COFFER_ERR_OK &&
                    coffer_cnode_revoke(ROOT, ut, D).error == COFFER_ERR_OK,
                "teardown: the work untyped is deleted and its parent revoked");
    large_frame(ut);
}
