/*
 * CSpace lookup: guards, radix, multi-level resolution and every failure
 * kind, on CNodes built in host memory.
 */
#include <stdlib.h>
#include <string.h>
#include "cap/cspace.h"
#include "tap.h"

/* A CNode of 2^radix slots in naturally aligned host memory. */
static struct cap make_cnode(unsigned radix, unsigned guard_bits, uint64_t guard)
{
    size_t bytes = sizeof(struct slot) << radix;
    void *mem = aligned_alloc(bytes, bytes);
    memset(mem, 0, bytes);
    return (struct cap){ .object = (uint64_t)(uintptr_t)mem, .type = CAP_CNODE,
                         .rights = CAP_RIGHTS_ALL, .size_bits = (uint8_t)radix,
                         .guard_bits = (uint8_t)guard_bits, .data = guard };
}

static void free_cnode(const struct cap *c)
{
    free((void *)(uintptr_t)c->object);
}

static bool found(struct lookup_result r, const struct cap *cnode, unsigned index)
{
    return r.slot == &cnode_slots(cnode)[index] && r.bits_left == 0;
}

static bool failed(struct lookup_result r, enum lookup_failure why, unsigned level, unsigned bits)
{
    if (r.slot == NULL && r.failure == why && r.level == level && r.bits_left == bits)
        return true;
    tap_diag("got slot %p failure %d level %u bits_left %u", (void *)r.slot, r.failure, r.level,
             r.bits_left);
    return false;
}

static void single_level(void)
{
    struct cap root = make_cnode(8, 0, 0);
    tap_ok(found(cspace_lookup(&root, 5, 8), &root, 5), "one level: index = cptr");
    tap_ok(found(cspace_lookup(&root, 0x1ff, 8), &root, 0xff), "one level: only depth bits count");
    tap_ok(failed(cspace_lookup(&root, 5, 7), LOOKUP_DEPTH_MISMATCH, 0, 7),
           "one level: depth smaller than the radix fails at level 0");
    tap_ok(failed(cspace_lookup(&root, 5, 9), LOOKUP_DEPTH_MISMATCH, 1, 1),
           "one level: bits left at an empty slot fail at level 1");
    struct cap not_cnode = { .type = CAP_ENDPOINT, .object = 0x1000 };
    tap_ok(failed(cspace_lookup(&not_cnode, 0, 8), LOOKUP_INVALID_ROOT, 0, 8),
           "a root that is not a CNode is LOOKUP_INVALID_ROOT");
    free_cnode(&root);
}

static void guards(void)
{
    /* 4 guard bits 0xa, then 4 radix bits: cptr 0xa3 with depth 8 -> slot 3. */
    struct cap root = make_cnode(4, 4, 0xa);
    tap_ok(found(cspace_lookup(&root, 0xa3, 8), &root, 3), "guard: matching guard resolves");
    tap_ok(failed(cspace_lookup(&root, 0xb3, 8), LOOKUP_GUARD_MISMATCH, 0, 8),
           "guard: wrong guard bits are LOOKUP_GUARD_MISMATCH");
    /* A 60-bit guard of zeros: a 4-slot-bit CNode addressed with 64-bit pointers. */
    struct cap wide = make_cnode(4, 60, 0);
    tap_ok(found(cspace_lookup(&wide, 0x7, 64), &wide, 7), "guard: 60-bit zero guard with depth 64");
    tap_ok(failed(cspace_lookup(&wide, 1ull << 63, 64), LOOKUP_GUARD_MISMATCH, 0, 64),
           "guard: the top bit of a 64-bit pointer is checked");
    free_cnode(&root);
    free_cnode(&wide);
}

/* Full-depth pointers into a root whose guard and radix take all 64 bits
 * and into a guarded root with leaves that take the rest (cspace_lookup's
 * two shapes in line, cspace_lookup_quick), and into roots where they do
 * not (the walk). */
static void full_depth(void)
{
    struct cap root = make_cnode(4, 60, 0x5);
    struct lookup_result r = cspace_lookup(&root, (0x5ull << 4) | 0xc, 64);
    tap_ok(found(r, &root, 0xc), "64 bits, one level: the slot");
    tap_ok(failed(cspace_lookup(&root, 0xc, 64), LOOKUP_GUARD_MISMATCH, 0, 64),
           "64 bits, one level: a wrong guard fails at level 0 with 64 bits left");
    struct cap leaf = make_cnode(4, 0, 0);
    cnode_slots(&root)[3].cap = leaf;
    tap_ok(found(cspace_lookup(&root, (0x5ull << 4) | 3, 64), &root, 3),
           "64 bits, one level: a CNode in the slot is the result, not resolved into");
    struct cap upper = make_cnode(4, 56, 0);
    cnode_slots(&upper)[2].cap = leaf;
    r = cspace_lookup(&upper, (2ull << 4) | 0xe, 64);
    tap_ok(found(r, &leaf, 0xe), "64 bits over two levels (guard + radix 60 at the root): resolved in line");
    struct cap not_cnode = { .type = CAP_ENDPOINT, .object = 0x1000, .size_bits = 4,
                             .guard_bits = 60 };
    tap_ok(failed(cspace_lookup(&not_cnode, 3, 64), LOOKUP_INVALID_ROOT, 0, 64),
           "64 bits into a root that is not a CNode: LOOKUP_INVALID_ROOT");
    /* The in-line shapes only (the IPC fast path's lookup): anything else
     * is NULL, for the general path to resolve or explain. */
    tap_ok(cspace_lookup_quick(&root, (0x5ull << 4) | 0xc) == &cnode_slots(&root)[0xc] &&
               cspace_lookup_quick(&upper, (2ull << 4) | 0xe) == &cnode_slots(&leaf)[0xe],
           "quick: one level and two levels resolved in line");
    struct cap narrow = make_cnode(2, 0, 0), mid = make_cnode(2, 54, 0);
    cnode_slots(&mid)[1].cap = narrow;
    tap_ok(cspace_lookup_quick(&root, 0xc) == NULL && cspace_lookup_quick(&not_cnode, 3) == NULL &&
               cspace_lookup_quick(&upper, (3ull << 4) | 0xe) == NULL &&
               cspace_lookup_quick(&mid, (1ull << 8) | 2) == NULL,
           "quick: a wrong guard, no CNode, an empty root slot, a leaf of another width: NULL");
    r = cspace_lookup(&mid, (1ull << 2) | 2, 58);
    tap_ok(found(r, &narrow, 2), "the same leaf of another width, at the depth it takes: resolved by the walk");
    free_cnode(&narrow);
    free_cnode(&mid);
    free_cnode(&root);
    free_cnode(&leaf);
    free_cnode(&upper);
}

static void two_levels(void)
{
    struct cap root = make_cnode(4, 0, 0);
    struct cap leaf = make_cnode(6, 2, 1);
    cnode_slots(&root)[9].cap = leaf;
    /* 4 bits index 9, then guard 01, then 6 bits index 0x2a: 12 bits. */
    uint64_t cptr = (9ull << 8) | (1ull << 6) | 0x2a;
    struct lookup_result r = cspace_lookup(&root, cptr, 12);
    tap_ok(found(r, &leaf, 0x2a) && r.level == 2, "two levels: resolves through the second CNode");
    tap_ok(found(cspace_lookup(&root, 9, 4), &root, 9), "two levels: depth 4 names the CNode's own slot");
    tap_ok(failed(cspace_lookup(&root, (9ull << 8) | (2ull << 6) | 0x2a, 12), LOOKUP_GUARD_MISMATCH,
                  1, 8),
           "two levels: guard failure reports level 1 and 8 bits left");
    tap_ok(failed(cspace_lookup(&root, cptr >> 2, 10), LOOKUP_DEPTH_MISMATCH, 1, 6),
           "two levels: too few bits for guard + radix at level 1");
    free_cnode(&root);
    free_cnode(&leaf);
}

static void self_reference(void)
{
    /* A CNode holding a capability to itself: every level consumes at least
     * one bit, so resolution ends within 64 levels. */
    struct cap root = make_cnode(1, 0, 0);
    cnode_slots(&root)[1].cap = root;
    struct lookup_result r = cspace_lookup(&root, ~0ull, 64);
    tap_ok(r.slot == &cnode_slots(&root)[1] && r.level == 64,
           "a CNode containing itself resolves 64 levels deep and stops");
    free_cnode(&root);
}

int main(void)
{
    single_level();
    guards();
    full_depth();
    two_levels();
    self_reference();
    return tap_done();
}
