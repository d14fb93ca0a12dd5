/*
 * The capability derivation tree: unit tests for each derivation rule and a
 * randomized model-based test.  The model is deliberately naive: every
 * capability records its parent explicitly, and every question is answered
 * by scanning all slots (O(n)); after each random operation the CDT's O(log n)
 * answers must match and cdt_check() must pass.
 *
 * Objects are never touched, so their physical addresses are made up; the
 * slots are real host memory.  The model test's objects are flagged as
 * device memory so that revoke does not zero them when they die.
 *
 *   usage: test_cdt [seed [operations]]
 */
#include <stdlib.h>
#include <string.h>
#include "cap/cap_delete.h"
#include "cap/cdt.h"
#include "host_arch.h"
#include "object/objects.h"
#include "tap.h"
#include "test_util.h"

#define NSLOTS 2048
#define RAM_BASE 0x80000000ull
#define RAM_BITS 24

static struct slot *slots;
static int parent_of[NSLOTS]; /* model: derivation parent, -1 for none */

static int index_of(const struct slot *s)
{
    return s == NULL ? -1 : (int)(s - slots);
}

static bool live(int i)
{
    return !cap_is_null(&slots[i].cap);
}

static void reset(void)
{
    memset(slots, 0, sizeof(struct slot) * NSLOTS);
    for (int i = 0; i < NSLOTS; i++)
        parent_of[i] = -1;
    cdt_init();
}

static int free_slot(void)
{
    int start = (int)test_rng_below(NSLOTS);
    for (int k = 0; k < NSLOTS; k++) {
        int i = (start + k) % NSLOTS;
        if (!live(i))
            return i;
    }
    return -1;
}

static int new_untyped_root(uint64_t base, unsigned bits)
{
    int i = free_slot();
    slots[i].cap = (struct cap){ .object = base, .type = CAP_UNTYPED, .size_bits = (uint8_t)bits,
                                 .rights = CAP_RIGHTS_ALL, .flags = CAP_FLAG_DEVICE };
    cdt_insert_object(&slots[i]);
    return i;
}

static bool same_object(int a, int b)
{
    const struct cap *x = &slots[a].cap, *y = &slots[b].cap;
    return x->object == y->object && x->type == y->type &&
           cap_object_end(x) == cap_object_end(y);
}

/* ---- Model queries (O(n)) ------------------------------------------------- */

static bool model_is_descendant(int d, int a)
{
    for (int p = parent_of[d], guard = 0; p >= 0 && guard < NSLOTS; p = parent_of[p], guard++)
        if (p == a)
            return true;
    return false;
}

static bool model_has_descendant(int a)
{
    for (int i = 0; i < NSLOTS; i++)
        if (live(i) && model_is_descendant(i, a))
            return true;
    return false;
}

static bool model_is_last(int a)
{
    for (int i = 0; i < NSLOTS; i++)
        if (i != a && live(i) && same_object(i, a))
            return false;
    return true;
}

/* Does a live object other than ut itself overlap [base, end) inside ut? */
static bool model_range_in_use(int ut, uint64_t base, uint64_t end)
{
    for (int i = 0; i < NSLOTS; i++) {
        if (!live(i) || i == ut || !model_is_descendant(i, ut))
            continue;
        const struct cap *c = &slots[i].cap;
        if (c->object < end && base < cap_object_end(c))
            return true;
    }
    return false;
}

/* ---- Operations, applied to the CDT and the model ------------------------ */

static void model_forget(int i)
{
    for (int k = 0; k < NSLOTS; k++)
        if (live(k) && parent_of[k] == i)
            parent_of[k] = parent_of[i];
    parent_of[i] = -1;
}

static void op_delete(int i)
{
    cdt_remove(&slots[i]);
    model_forget(i);
    slots[i].cap = (struct cap){ 0 };
}

/* No CNodes: their objects would need real memory (test_cnode has them). */
static const enum coffer_object_type retype_types[] = {
    COFFER_OBJ_UNTYPED, COFFER_OBJ_FRAME, COFFER_OBJ_ENDPOINT, COFFER_OBJ_FRAME,
    COFFER_OBJ_NOTIFICATION, COFFER_OBJ_TCB,
};

/* Try to retype a random object at a random aligned offset of ut. */
static bool op_retype(int ut, bool *agreed)
{
    const struct cap *u = &slots[ut].cap;
    enum coffer_object_type t = retype_types[test_rng_below(6)];
    unsigned user_bits = 0;
    if (t == COFFER_OBJ_UNTYPED || t == COFFER_OBJ_FRAME)
        user_bits = 12 + (unsigned)test_rng_below(u->size_bits > 12 ? u->size_bits - 12 : 1);
    else if (t == COFFER_OBJ_CNODE)
        user_bits = 1 + (unsigned)test_rng_below(4);
    struct object_size size;
    if (!object_size(t, user_bits, &size) || size.size_bits >= u->size_bits) {
        *agreed = true;
        return false;
    }
    uint64_t slots_in_ut = 1ull << (u->size_bits - size.size_bits);
    uint64_t base = u->object + (test_rng_below(slots_in_ut) << size.size_bits);
    uint64_t end = base + (1ull << size.size_bits);
    struct cdt_place place;
    bool in_use = cdt_range_in_use(&slots[ut], base, end, &place);
    *agreed = in_use == model_range_in_use(ut, base, end);
    int i = free_slot();
    if (in_use || i < 0)
        return false;
    slots[i].cap = (struct cap){ .object = base, .type = (uint8_t)cap_type_of_object(t),
                                 .size_bits = (uint8_t)user_bits, .rights = CAP_RIGHTS_ALL,
                                 .flags = CAP_FLAG_DEVICE };
    /* As retype does below the watermark (the range check's place) or
     * above it (a search); the checker after each step sees the order. */
    if (test_rng_below(2))
        cdt_insert_at(&place, &slots[i]);
    else
        cdt_insert_object(&slots[i]);
    if (end - u->object > slots[ut].cap.data) /* what retype does to the watermark */
        slots[ut].cap.data = end - u->object;
    parent_of[i] = ut;
    return true;
}

static void op_mint(int src)
{
    int i = free_slot();
    if (i < 0 || slots[src].cap.depth >= CAP_DEPTH_MAX)
        return;
    slots[i].cap = slots[src].cap;
    slots[i].cap.depth++;
    cdt_insert_child(&slots[src], &slots[i]);
    parent_of[i] = src;
}

static void op_copy(int src)
{
    int i = free_slot();
    if (i < 0)
        return;
    slots[i].cap = slots[src].cap;
    cdt_insert_copy(&slots[src], &slots[i]);
    parent_of[i] = parent_of[src];
}

/*
 * Revoke; the model's descendant set must be exactly what goes.  Half the
 * time through the CDT's first-descendant walk, half through cap_revoke()
 * (which deletes from the end), with preemption forced at every check.
 */
static bool op_revoke(int a)
{
    static bool expected[NSLOTS];
    for (int i = 0; i < NSLOTS; i++)
        expected[i] = live(i) && model_is_descendant(i, a);
    if (test_rng_below(2) == 0) {
        struct slot *d;
        while ((d = cdt_first_descendant(&slots[a])) != NULL) {
            int i = index_of(d);
            if (!expected[i])
                return false;
            expected[i] = false;
            op_delete(i);
        }
    } else {
        host_preempt_every = true;
        unsigned rounds = 0;
        while (cap_revoke(&slots[a]) == DELETE_PREEMPTED)
            rounds++;
        host_preempt_every = false;
        for (int i = 0; i < NSLOTS; i++) {
            if (expected[i] && live(i))
                return false;
            if (expected[i])
                model_forget(i);
        }
        (void)rounds;
    }
    for (int i = 0; i < NSLOTS; i++)
        if (expected[i] && live(i))
            return false;
    return !model_has_descendant(a);
}

static void op_move(int src)
{
    int dst = free_slot();
    if (dst < 0)
        return;
    cdt_move(&slots[src], &slots[dst]);
    parent_of[dst] = parent_of[src];
    for (int k = 0; k < NSLOTS; k++)
        if (parent_of[k] == src)
            parent_of[k] = dst;
    parent_of[src] = -1;
}

/* ---- Comparing CDT and model ---------------------------------------------- */

static bool queries_agree(int i, const char **what)
{
    if (cdt_is_last(&slots[i]) != model_is_last(i)) {
        *what = "is_last";
        return false;
    }
    if (index_of(cdt_parent(&slots[i])) != parent_of[i]) {
        *what = "parent";
        return false;
    }
    if ((cdt_first_descendant(&slots[i]) != NULL) != model_has_descendant(i)) {
        *what = "first_descendant";
        return false;
    }
    return true;
}

static int random_live(void)
{
    int start = (int)test_rng_below(NSLOTS);
    for (int k = 0; k < NSLOTS; k++) {
        int i = (start + k) % NSLOTS;
        if (live(i))
            return i;
    }
    return -1;
}

/* ---- Unit tests: one derivation rule each --------------------------------- */

static int put(int i, struct cap c)
{
    slots[i].cap = c;
    return i;
}

/* An untyped's watermark is at its end: the unit tests place objects
 * anywhere in it. */
static struct cap object_cap(enum cap_type t, uint64_t base, unsigned bits)
{
    return (struct cap){ .object = base, .type = (uint8_t)t, .size_bits = (uint8_t)bits,
                         .rights = CAP_RIGHTS_ALL,
                         .data = t == CAP_UNTYPED ? 1ull << bits : 0 };
}

static void unit_range_queries(void)
{
    struct cdt_place place;
    reset();
    int ut = put(0, object_cap(CAP_UNTYPED, RAM_BASE, 16)); /* 64 KiB */
    cdt_insert_object(&slots[ut]);
    int f1 = put(1, object_cap(CAP_FRAME, RAM_BASE + 0x1000, 12));
    cdt_insert_object(&slots[f1]);
    int f2 = put(2, object_cap(CAP_FRAME, RAM_BASE + 0x4000, 14)); /* 16 KiB */
    cdt_insert_object(&slots[f2]);
    tap_ok(cdt_check() == 0, "range: tree with an untyped and two frames is valid");
    tap_ok(!cdt_range_in_use(&slots[ut], RAM_BASE, RAM_BASE + 0x1000, &place), "range: hole before the first object is free");
    tap_ok(cdt_range_in_use(&slots[ut], RAM_BASE + 0x1000, RAM_BASE + 0x2000, &place), "range: an object's exact range is in use");
    tap_ok(cdt_range_in_use(&slots[ut], RAM_BASE, RAM_BASE + 0x2000, &place), "range: a range starting before an object is in use");
    tap_ok(cdt_range_in_use(&slots[ut], RAM_BASE + 0x5000, RAM_BASE + 0x6000, &place),
           "range: a range inside a larger object (starting before it) is in use");
    tap_ok(!cdt_range_in_use(&slots[ut], RAM_BASE + 0x2000, RAM_BASE + 0x4000, &place), "range: the gap between objects is free");
    tap_ok(!cdt_range_in_use(&slots[ut], RAM_BASE + 0x8000, RAM_BASE + 0x10000, &place), "range: the tail is free");
    cdt_remove(&slots[f2]);
    slots[f2].cap = (struct cap){ 0 };
    tap_ok(!cdt_range_in_use(&slots[ut], RAM_BASE + 0x4000, RAM_BASE + 0x8000, &place),
           "range: a deleted object's memory is free again at once");
    tap_ok(cdt_parent(&slots[f1]) == &slots[ut] && cdt_first_descendant(&slots[ut]) == &slots[f1],
           "range: the untyped is the frame's parent; the frame its first descendant");
    /* Where the range check says a new object goes: between two objects,
     * then at the end of the tree. */
    int gap = put(2, object_cap(CAP_FRAME, RAM_BASE + 0x2000, 12));
    tap_ok(!cdt_range_in_use(&slots[ut], RAM_BASE + 0x2000, RAM_BASE + 0x3000, &place) &&
               (cdt_insert_at(&place, &slots[gap]), cdt_check() == 0) && cdt_prev(&slots[gap]) == &slots[f1] &&
               cdt_parent(&slots[gap]) == &slots[ut],
           "range: an object placed in a gap sorts after the object before it, a child of the untyped");
    int tail = put(3, object_cap(CAP_FRAME, RAM_BASE + 0xf000, 12));
    tap_ok(!cdt_range_in_use(&slots[ut], RAM_BASE + 0xf000, RAM_BASE + 0x10000, &place) && place.next == NULL &&
               (cdt_insert_at(&place, &slots[tail]), cdt_check() == 0) && cdt_prev(&slots[tail]) == &slots[gap],
           "range: an object placed after every other sorts last");
}

static void unit_mint_copy_delete(void)
{
    reset();
    int ut = put(0, object_cap(CAP_UNTYPED, RAM_BASE, 16));
    cdt_insert_object(&slots[ut]);
    int ep = put(1, object_cap(CAP_ENDPOINT, RAM_BASE, 0));
    cdt_insert_object(&slots[ep]);
    tap_ok(cdt_is_last(&slots[ep]), "copy: a lone capability is the last one");
    int copy = put(2, slots[ep].cap);
    cdt_insert_copy(&slots[ep], &slots[copy]);
    tap_ok(!cdt_is_last(&slots[ep]) && !cdt_is_last(&slots[copy]), "copy: with a copy, neither is last");
    tap_ok(cdt_first_descendant(&slots[ep]) == NULL && cdt_parent(&slots[copy]) == &slots[ut],
           "copy: a copy is a sibling, not a child");
    struct cap badged = slots[copy].cap;
    badged.depth = 1;
    badged.data = 42;
    int child = put(3, badged);
    cdt_insert_child(&slots[copy], &slots[child]);
    tap_ok(cdt_parent(&slots[child]) == &slots[copy] && cdt_first_descendant(&slots[copy]) == &slots[child] &&
               cdt_first_descendant(&slots[ep]) == NULL,
           "mint: a minted capability is a child of its source only");
    /* Deleting the copy hands its child to the copy's parent (the untyped),
     * not to the earlier sibling. */
    cdt_remove(&slots[copy]);
    slots[copy].cap = (struct cap){ 0 };
    tap_ok(cdt_first_descendant(&slots[ep]) == NULL && slots[child].cap.depth == 0 &&
               cdt_parent(&slots[child]) == &slots[ut] && cdt_check() == 0,
           "delete: children of a deleted copy move up to its parent, not to its sibling");
    int moved = 5;
    cdt_move(&slots[child], &slots[moved]);
    tap_ok(cap_is_null(&slots[child].cap) && slots[moved].cap.data == 42 &&
               !cdt_is_last(&slots[moved]) && cdt_check() == 0,
           "move: the capability and its place in the tree move to the new slot");
}

static void unit_check_detects(void)
{
    reset();
    cdt_insert_object(&slots[put(0, object_cap(CAP_UNTYPED, RAM_BASE, 16))]);
    cdt_insert_object(&slots[put(1, object_cap(CAP_FRAME, RAM_BASE + 0x100000, 12))]);
    tap_ok(cdt_check() == 0, "check: a boot object outside every untyped is allowed");
    cdt_insert_object(&slots[put(2, object_cap(CAP_ENDPOINT, RAM_BASE + 0x100040, 0))]);
    tap_ok(cdt_check() == CDT_CHECK_OVERLAP, "check: an object starting inside another object is reported");
    reset();
    cdt_insert_object(&slots[put(0, object_cap(CAP_UNTYPED, RAM_BASE, 16))]);
    cdt_insert_object(&slots[put(1, object_cap(CAP_FRAME, RAM_BASE, 13))]);
    cdt_insert_object(&slots[put(2, object_cap(CAP_FRAME, RAM_BASE + 0x1000, 12))]);
    tap_ok(cdt_check() == CDT_CHECK_OVERLAP, "check: overlapping objects are reported");
    reset();
    cdt_insert_object(&slots[put(0, object_cap(CAP_UNTYPED, RAM_BASE, 16))]);
    cdt_insert_object(&slots[put(1, object_cap(CAP_UNTYPED, RAM_BASE + 0x8000, 16))]);
    tap_ok(cdt_check() == CDT_CHECK_OVERLAP, "check: an untyped straddling its container's end is reported");
    reset();
    cdt_insert_object(&slots[put(0, object_cap(CAP_ENDPOINT, RAM_BASE, 0))]);
    slots[1].cap = slots[0].cap;
    slots[1].cap.depth = 2;
    cdt_insert_child(&slots[0], &slots[1]);
    tap_ok(cdt_check() == CDT_CHECK_DEPTH, "check: a capability two levels below its predecessor is reported");
    slots[0].cap.depth = 1;
    slots[1].cap.depth = 2;
    tap_ok(cdt_check() == CDT_CHECK_DEPTH || cdt_check() == CDT_CHECK_TREE,
           "check: a group that does not start at depth 0 is reported");
    reset();
    cdt_insert_object(&slots[put(0, object_cap(CAP_UNTYPED, RAM_BASE, 16))]);
    slots[0].cap.data = 0x2000; /* the watermark */
    cdt_insert_object(&slots[put(1, object_cap(CAP_FRAME, RAM_BASE + 0x1000, 12))]);
    tap_ok(cdt_check() == 0, "check: an object just below its untyped's watermark is fine");
    cdt_insert_object(&slots[put(2, object_cap(CAP_FRAME, RAM_BASE + 0x2000, 12))]);
    tap_ok(cdt_check() == CDT_CHECK_WATERMARK, "check: an object above its untyped's watermark is reported");
    reset();
    cdt_insert_object(&slots[put(0, object_cap(CAP_UNTYPED, RAM_BASE, 16))]);
    slots[0].cap.obj_bits = 17;
    tap_ok(cdt_check() == CDT_CHECK_SIZE || cdt_check() == CDT_CHECK_TREE,
           "check: a wrong cached object size is reported");
    reset();
    cdt_insert_object(&slots[put(0, object_cap(CAP_UNTYPED, RAM_BASE, 16))]);
    slots[0].cap.type = CAP_NULL;
    tap_ok(cdt_check() == CDT_CHECK_NULL || cdt_check() == CDT_CHECK_TREE,
           "check: a null capability left in the tree is reported");
}

/* ---- Model-based test --------------------------------------------------- */

static void model_test(uint64_t seed, long ops)
{
    test_rng_seed(seed);
    tap_diag("cdt model test: seed %llu, %ld operations", (unsigned long long)seed, ops);
    reset();
    new_untyped_root(RAM_BASE, RAM_BITS);
    new_untyped_root(RAM_BASE + (2ull << RAM_BITS), RAM_BITS - 2);
    const char *failure = NULL;
    long step;
    for (step = 0; step < ops && failure == NULL; step++) {
        int a = random_live();
        bool agreed = true;
        unsigned r = (unsigned)test_rng_below(100);
        const struct cap *c = &slots[a].cap;
        bool untyped = c->type == CAP_UNTYPED;
        if (r < 35 && untyped) {
            op_retype(a, &agreed);
            if (!agreed)
                failure = "range_in_use";
        } else if (r < 48 && !untyped) {
            op_mint(a);
        } else if (r < 60 && !untyped) {
            op_copy(a);
        } else if (r < 68) {
            op_move(a);
        } else if (r < 93) {
            /* Keep the boot untyped.  An untyped's children outlive it:
             * they move up to the untyped above. */
            bool boot = untyped && parent_of[a] < 0;
            if (!boot)
                op_delete(a);
        } else if (!op_revoke(a)) {
            failure = "revoke deleted the wrong set";
        }
        if (failure == NULL && cdt_check() != 0)
            failure = "cdt_check";
        for (int k = 0; k < 4 && failure == NULL; k++) {
            int i = random_live();
            if (i >= 0)
                queries_agree(i, &failure);
        }
    }
    if (failure != NULL)
        tap_diag("first disagreement at step %ld: %s (cdt_check %d)", step, failure, cdt_check());
    tap_ok(failure == NULL, "model: CDT answers match the O(n) model after every random operation");
    tap_diag("%zu capabilities live at the end", cdt_count());
}

int main(int argc, char **argv)
{
    slots = aligned_alloc(64, sizeof(struct slot) * NSLOTS);
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 20261122;
    long ops = argc > 2 ? strtol(argv[2], NULL, 10) : 50000;
    unit_range_queries();
    unit_mint_copy_delete();
    unit_check_detects();
    model_test(seed, ops);
    free(slots);
    return tap_done();
}
