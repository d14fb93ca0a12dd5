/*
 * Random sequences of CNode and Untyped invocations through sys_CALL on
 * the host, valid and invalid (garbage slots, depths, rights, windows,
 * labels): after every call the derivation tree's invariants hold, a
 * failed call changed nothing, and a successful one changed the capability
 * count as it should.  The set-up is cnode_fixture.h.
 *
 *   usage: test_cnode_untyped_random [seed [operations]]
 */
#include "cnode_fixture.h"

/* ---- Randomized invocations ---------------------------------------------- */

#define DELETE COFFER_INV_CNODE_DELETE
#define REVOKE COFFER_INV_CNODE_REVOKE
#define IDENTIFY COFFER_INV_CNODE_IDENTIFY
#define RETYPE COFFER_INV_UNTYPED_RETYPE
static const uint64_t labels[] = { RETYPE, RETYPE, RETYPE, COPY, MINT, MOVE, MUTATE,
                                   DELETE, DELETE, DELETE, REVOKE, IDENTIFY, 0x28 };

struct where {
    uint64_t cptr; /* the CNode: ROOT, or the root slot of a sub-CNode */
    uint64_t index, depth;
};

/* A random slot: mostly in the root CNode, sometimes in a sub-CNode (guard
 * 0) found in a root slot, rarely garbage.  want > 0 prefers an occupied
 * slot, want < 0 an empty one. */
static struct where pick(int want)
{
    struct where w = { ROOT, test_rng_below(ROOT_SLOTS), D };
    uint64_t r = test_rng_below(100);
    const struct slot *slots = root_slots;
    unsigned bits = ROOT_BITS;
    if (r < 4)
        return (struct where){ r < 2 ? ROOT : test_rng(), test_rng() >> test_rng_below(64),
                               test_rng_below(70) };
    for (unsigned k = 0, s = (unsigned)w.index; r < 30 && k < ROOT_SLOTS; k++, s = (s + 1) % ROOT_SLOTS) {
        const struct cap *c = &root_slots[s].cap;
        if (c->type == CAP_CNODE && c->guard_bits == 0) {
            w = (struct where){ s, test_rng_below(1u << c->size_bits), c->size_bits };
            slots = cnode_slots(c);
            bits = c->size_bits;
            break;
        }
    }
    for (unsigned k = 0; want != 0 && k < (1u << bits); k++, w.index = (w.index + 1) % (1u << bits))
        if (cap_is_null(&slots[w.index].cap) == (want < 0))
            break;
    return w;
}

static uint64_t pick_untyped(void)
{
    uint64_t s = test_rng_below(ROOT_SLOTS);
    if (test_rng_below(8) == 0)
        return s;
    for (unsigned k = 0; k < ROOT_SLOTS && root_slots[s].cap.type != CAP_UNTYPED; k++)
        s = (s + 1) % ROOT_SLOTS;
    return s;
}

static uint64_t random_data(void)
{
    switch (test_rng_below(6)) {
    case 0:
    case 1: return 0;
    case 2: return test_rng_below(4) ? 1 + test_rng_below(1000) : test_rng();
    case 3: return COFFER_WINDOW(test_rng_below(8) << 12, test_rng_below(8) << 12);
    case 4: return COFFER_GUARD(test_rng_below(8), test_rng_below(8));
    default: return COFFER_WINDOW(test_rng_below(0x4000), 0x1000);
    }
}

/* The slot a CNode operation names, or NULL if the lookup fails. */
static struct slot *resolve(uint64_t cnode, uint64_t index, uint64_t depth)
{
    struct lookup_result r = cspace_lookup(&thr->cspace_root.cap, cnode, D);
    if (r.slot == NULL || r.slot->cap.type != CAP_CNODE || depth < 1 || depth > 64)
        return NULL;
    return cspace_lookup(&r.slot->cap, index, (unsigned)depth).slot;
}

/* Moving or deleting ROOT, UT or DEV would end the useful part of the run. */
static bool protected_slot(const struct where *w)
{
    const struct slot *s = resolve(w->cptr, w->index, w->depth);
    return s == &root_slots[ROOT] || s == &root_slots[UT] || s == &root_slots[DEV];
}

/* Arguments for a random invocation with this label; false: skip it. */
static bool random_args(uint64_t label, uint64_t args[COFFER_SYSCALL_ARGS])
{
    static const unsigned types[] = { COFFER_OBJ_ENDPOINT, COFFER_OBJ_FRAME, COFFER_OBJ_CNODE,
                                      COFFER_OBJ_UNTYPED, COFFER_OBJ_NOTIFICATION, COFFER_OBJ_TCB, 12 };
    args[1] = label;
    if (label == RETYPE) {
        struct where dst = pick(-1);
        unsigned type = types[test_rng_below(ARRAY_SIZE(types))], bits = 0;
        if (type == COFFER_OBJ_FRAME || type == COFFER_OBJ_UNTYPED)
            bits = 12 + (unsigned)test_rng_below(5);
        else if (type == COFFER_OBJ_CNODE)
            bits = 1 + (unsigned)test_rng_below(4);
        if (test_rng_below(20) == 0)
            bits = (unsigned)test_rng_below(32);
        uint64_t count = test_rng_below(10) ? 1 + test_rng_below(2) : test_rng_below(300);
        args[0] = pick_untyped();
        args[2] = COFFER_RETYPE_ARG0(type, bits, dst.cptr == ROOT ? 0 : D, count);
        args[3] = dst.cptr;
        args[4] = dst.index;
        unsigned align = type == COFFER_OBJ_CNODE ? bits + 6 : bits != 0 ? bits : type == COFFER_OBJ_TCB ? 10 : 6;
        args[5] = test_rng_below(3) == 0 ? W : test_rng_below(1ull << (ut_bits + (test_rng_below(5) == 0))) & ~((1ull << align % 64) - 1);
        return true;
    }
    struct where dst = pick(label == IDENTIFY ? 0 : label <= MUTATE ? -1 : 1);
    if (label == REVOKE && test_rng_below(8) == 0)
        dst = (struct where){ ROOT, UT, D }; /* make room again */
    args[0] = dst.cptr;
    args[2] = dst.index;
    if (label <= MUTATE) {
        struct where src = pick(1);
        args[3] = COFFER_CNODE_ARG1(dst.depth, src.depth, test_rng_below(16));
        args[4] = src.cptr;
        args[5] = src.index;
        args[6] = random_data();
        return !((label == MOVE || label == MUTATE) && protected_slot(&src));
    }
    args[3] = dst.depth;
    return !(label == DELETE && protected_slot(&dst));
}

/*
 * After a successful retype: the new objects' memory is zero (RAM only).
 * Then frames and notifications are "used": a frame filled with 0xaa as a
 * user fills it, a notification given a word of signalled badges, so that
 * an object that was not zeroed when it died shows up in a later retype.
 */
static bool retyped_zeroed(const uint64_t args[COFFER_SYSCALL_ARGS])
{
    unsigned depth = (unsigned)(args[2] >> 16 & 0xff);
    const struct slot *slots =
        depth == 0 ? root_slots : cnode_slots(&cspace_lookup(&thr->cspace_root.cap, args[3], depth).slot->cap);
    const struct slot *dst = &slots[args[4]];
    bool zero = true;
    for (uint64_t i = 0; i < args[2] >> 32; i++) {
        const struct cap *c = &dst[i].cap;
        uint8_t *p = (uint8_t *)(uintptr_t)c->object;
        uint64_t size = cap_object_end(c) - c->object;
        for (uint64_t b = 0; !(c->flags & CAP_FLAG_DEVICE) && b < size; b++)
            zero = zero && p[b] == 0;
        fixture_use_object(c);
    }
    return zero;
}

static const char *check_success(uint64_t label, const uint64_t args[COFFER_SYSCALL_ARGS], size_t n)
{
    size_t want = label == RETYPE              ? count_before + (args[2] >> 32)
                  : label == COPY || label == MINT ? count_before + 1
                  : label == DELETE            ? (n < count_before ? n : count_before - 1)
                  : label == REVOKE            ? (n <= count_before ? n : count_before + 1)
                                               : count_before;
    if (n != want)
        return "a successful call changed the number of capabilities wrongly";
    if (label == IDENTIFY && !unchanged())
        return "identify changed state";
    if (label == RETYPE && !retyped_zeroed(args))
        return "a retyped object's memory is not zero";
    return NULL;
}

static void test_random(uint64_t seed, long ops)
{
    setup(17);
    test_rng_seed(seed);
    tap_diag("random invocations: seed %llu, %ld operations", (unsigned long long)seed, ops);
    const char *failure = NULL;
    long step, calls = 0, errors = 0, successes[ARRAY_SIZE(labels)] = { 0 };
    uint64_t args[COFFER_SYSCALL_ARGS];
    for (step = 0; step < ops && failure == NULL; step++) {
        size_t li = test_rng_below(ARRAY_SIZE(labels));
        memset(args, 0, sizeof(args));
        if (!random_args(labels[li], args) || fixture_threads_layer(thr, args[0]))
            continue;
        snapshot();
        host_preempt_every = (labels[li] == REVOKE || labels[li] == DELETE) && test_rng_below(2) != 0;
        struct coffer_result r;
        unsigned restarts = 0;
        do
            r = sys_CALL(thr, args);
        while (r.error == SYSCALL_RESTART && host_preempt_every && ++restarts < 1000);
        host_preempt_every = false;
        calls++;
        if (cdt_check() != 0)
            failure = "cdt_check() failed";
        else if (r.error == SYSCALL_RESTART)
            failure = "a restart without preemption, or a revoke that never finished";
        else if (r.error == COFFER_ERR_OK)
            failure = check_success(labels[li], args, cdt_count());
        else if (!unchanged())
            failure = "a failed call changed state";
        errors += r.error != COFFER_ERR_OK;
        successes[li] += r.error == COFFER_ERR_OK;
    }
    if (failure != NULL)
        tap_diag("step %ld: %s; call %#llx label %#llx args %#llx %#llx %#llx %#llx %#llx", step - 1,
                 failure, (unsigned long long)args[0], (unsigned long long)args[1],
                 (unsigned long long)args[2], (unsigned long long)args[3], (unsigned long long)args[4],
                 (unsigned long long)args[5], (unsigned long long)args[6]);
    tap_diag("%ld calls, %ld errors; successes: retype %ld, copy %ld, mint %ld, move %ld, mutate %ld, "
             "delete %ld, revoke %ld, identify %ld; %zu capabilities at the end",
             calls, errors, successes[0] + successes[1] + successes[2], successes[3], successes[4],
             successes[5], successes[6], successes[7] + successes[8] + successes[9], successes[10],
             successes[11], cdt_count());
    tap_ok(failure == NULL, "random: invariants hold after every call, failed calls change nothing, "
                            "successful ones change the count as they should");
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 20261123;
    long ops = argc > 2 ? strtol(argv[2], NULL, 10) : 20000;
    if (!cap_ops_alloc())
        return 1;
    test_random(seed, ops);
    cap_ops_free();
    return tap_done();
}
