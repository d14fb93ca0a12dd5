/*
 * CNode teardown through the system-call entry, on the host.  Deleting the
 * last capability to a CNode that still holds capabilities turns it into a
 * zombie (zombie.h) that is torn down in preemptible steps, chains and
 * cycles included; every dead object's memory must read zero afterwards.
 *
 * Part 1, scenarios: a full CNode, a chain of 200, a CNode holding the only
 * capability to itself, cycles (also across two untyped), a zombie observed
 * between restarts, an untyped inside a dying CNode (also the one being
 * revoked), abandoned teardowns.
 * Part 2, a randomized model-based test.  The model is naive (O(n) scans,
 * explicit derivation parents) and computes what dies as a fixpoint: a
 * CNode dies when every capability to it dies, and then so does everything
 * in its slots.  After every operation each slot of each live CNode, the
 * capability and object counts, the memory in use and the contents of
 * dead objects (zero) must match it.
 *
 * Every delete or revoke may run with preemption forced at every check and
 * is then restarted as the kernel would; each restart must make progress
 * and leave no capability in freed memory.
 *
 * The CSpace: a root CNode of 2^8 slots; ROOT is it with a 56-bit guard
 * (64-bit pointers name root slots, for invoking), R2 the same CNode with
 * no guard, through which paths of any depth reach into sub-CNodes.
 *
 *   usage: test_teardown [seed [operations]]
 */
#include <stdlib.h>
#include <string.h>
#include "cap_delete.h"
#include "cdt.h"
#include "host_arch.h"
#include "invoke.h"
#include "tap.h"
#include "cap_fixture.h"
#include "test_util.h"

#define ROOT_BITS 8
#define ROOT_SLOTS (1u << ROOT_BITS)
#define UT_BITS 20
#define UT_SIZE (1u << UT_BITS)
#define D 64
#define ROOT 1
#define R2 2
#define UT 3
#define BASE_CAPS 4  /* the thread's root capability, ROOT, R2, UT */
#define HERE (~0ull) /* retype destination: the root CNode itself */
#define W COFFER_RETYPE_AT_WATERMARK
#define PATTERN 0xa5 /* what "user code" writes into its frames */
#define COPY COFFER_INV_CNODE_COPY
#define MINT COFFER_INV_CNODE_MINT
#define MOVE COFFER_INV_CNODE_MOVE
#define MUTATE COFFER_INV_CNODE_MUTATE
#define DELETE COFFER_INV_CNODE_DELETE
#define REVOKE COFFER_INV_CNODE_REVOKE
#define IDENTIFY COFFER_INV_CNODE_IDENTIFY
#define CNODE COFFER_OBJ_CNODE
#define ENDPOINT COFFER_OBJ_ENDPOINT
#define FRAME COFFER_OBJ_FRAME
#define UNTYPED COFFER_OBJ_UNTYPED

static struct thread *thr;
static struct slot *root_slots;
static uint8_t *ut_mem;

static struct coffer_result call(uint64_t cptr, uint64_t label, uint64_t a0, uint64_t a1,
                                 uint64_t a2, uint64_t a3, uint64_t a4)
{
    return fixture_call(thr, cptr, label, a0, a1, a2, a3, a4);
}

static bool ok(struct coffer_result r)
{
    return r.error == COFFER_ERR_OK;
}

/* A slot named through R2 by `depth` bits of cptr. */
struct loc {
    uint64_t cptr, depth;
};

static struct loc at(uint64_t root_index)
{
    return (struct loc){ root_index, ROOT_BITS };
}

/* Slot i of the CNode (2^radix slots, no guard) whose capability is at l. */
static struct loc in(struct loc l, unsigned radix, uint64_t i)
{
    return (struct loc){ l.cptr << radix | i, l.depth + radix };
}

/* Retype count objects from the untyped in root slot ut into the root
 * (cnode HERE) or the CNode in root slot cnode, from slot index on. */
static struct coffer_result retype(uint64_t ut, unsigned type, unsigned bits, uint64_t count,
                                   uint64_t cnode, uint64_t index, uint64_t offset)
{
    return call(ut, COFFER_INV_UNTYPED_RETYPE,
                COFFER_RETYPE_ARG0(type, bits, cnode == HERE ? 0 : D, count),
                cnode == HERE ? 0 : cnode, index, offset, 0);
}

static struct coffer_result transfer(uint64_t label, struct loc dst, struct loc src)
{
    return call(R2, label, dst.cptr, COFFER_CNODE_ARG1(dst.depth, src.depth, COFFER_RIGHTS_ALL),
                R2, src.cptr, 0);
}

static struct coffer_result cnode_op(uint64_t label, struct loc l)
{
    return call(R2, label, l.cptr, l.depth, 0, 0, 0);
}

/* IDENTIFY detail 1 of an untyped in a root slot: free bytes above its watermark. */
static uint64_t ut_free(uint64_t root_index)
{
    return cnode_op(IDENTIFY, at(root_index)).detail1;
}

static bool all_null(const struct slot *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!cap_is_null(&s[i].cap))
            return false;
    return true;
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    return n == 0 || (b[0] == 0 && memcmp(b, b + 1, n - 1) == 0);
}

static void setup(void)
{
    fixture_cspace(thr, root_slots, ROOT_BITS, ROOT);
    fixture_untyped(&root_slots[UT], ut_mem, UT_BITS, false);
    call(ROOT, MINT, R2, COFFER_CNODE_ARG1(D, D, COFFER_RIGHTS_ALL), ROOT, ROOT, COFFER_GUARD(0, 0));
}

/* Everything is back: only the base capabilities, UT empty and all zero. */
static bool all_reclaimed(void)
{
    return cdt_count() == BASE_CAPS && ut_free(UT) == UT_SIZE && all_zero(ut_mem, UT_SIZE) &&
           all_null(root_slots + UT + 1, ROOT_SLOTS - UT - 1) && cdt_check() == 0;
}

/*
 * Work left, as a number each step of a deletion lowers: a CNode weighs
 * its slots + 2 (becoming a zombie is a step), a frame its bytes + 2, a
 * zombie what its cursor has left + 1, anything else 1.  Everything that
 * can die lies in UT, so its descendants are enough.
 */
static uint64_t potential(void)
{
    const struct slot *ut = &root_slots[UT];
    uint64_t p = 0;
    for (const struct slot *d = cdt_first_descendant(ut); d != NULL; d = cdt_next_descendant(ut, d))
        p += d->cap.type == CAP_CNODE    ? (1ull << d->cap.size_bits) + 2
             : d->cap.type == CAP_FRAME  ? (1ull << d->cap.size_bits) + 2
             : d->cap.type == CAP_ZOMBIE ? zombie_slots_left(&d->cap) + 1
                                         : 1;
    return p;
}

/*
 * Does every capability in UT sit in a slot of the root CNode or of a CNode
 * or zombie that is itself still in the tree?  One left in freed memory
 * would be overwritten by the next retype there.
 */
static bool all_housed(void)
{
    static uint64_t lo[8192], hi[8192];
    const struct slot *ut = &root_slots[UT], *d;
    size_t n = 0;
    for (d = cdt_first_descendant(ut); d != NULL && n < 8192; d = cdt_next_descendant(ut, d))
        if (d->cap.type == CAP_CNODE || d->cap.type == CAP_ZOMBIE) {
            lo[n] = d->cap.object;
            hi[n++] = cap_object_end(&d->cap);
        }
    for (d = cdt_first_descendant(ut); d != NULL; d = cdt_next_descendant(ut, d)) {
        bool home = d >= root_slots && d < root_slots + ROOT_SLOTS;
        for (size_t k = 0; k < n && !home; k++)
            home = (uintptr_t)d >= lo[k] && (uintptr_t)d < hi[k];
        if (!home)
            return false;
    }
    return true;
}

struct run {
    unsigned calls;
    const char *bad; /* why the restarts were given up on, or NULL */
};

/* Delete or revoke at l, restarting while preempted as the kernel would
 * restart the call; each restart must have lowered potential(). */
static struct coffer_result run(uint64_t label, struct loc l, bool preempt, struct run *st)
{
    struct run local;
    st = st != NULL ? st : &local;
    *st = (struct run){ 0, NULL };
    host_preempt_every = preempt;
    uint64_t before = potential();
    struct coffer_result r;
    for (;;) {
        r = cnode_op(label, l);
        st->calls++;
        if (r.error != SYSCALL_RESTART)
            break;
        uint64_t now = potential();
        st->bad = !all_housed() ? "between two calls a capability sat in freed memory"
                  : now >= before ? "a restart made no progress" : NULL;
        if (st->bad != NULL)
            break;
        before = now;
    }
    host_preempt_every = false;
    if (st->bad != NULL)
        tap_diag("after %u calls: %s", st->calls, st->bad);
    return r;
}

static bool run_ok(uint64_t label, struct loc l, bool preempt, struct run *st)
{
    struct run local;
    st = st != NULL ? st : &local;
    return ok(run(label, l, preempt, st)) && st->bad == NULL && (!preempt || st->calls > 1);
}

static const char *preempted(int preempt, const char *what)
{
    static char name[160];
    snprintf(name, sizeof(name), "%s%s", what, preempt ? " (preempted at every check)" : "");
    return name;
}

/* ---- Part 1: scenarios ---------------------------------------------------- */

/* a. A CNode holding endpoints and frames (one large enough to be zeroed in
 * chunks); the only capability to it is deleted. */
static void test_full_cnode(void)
{
    for (int preempt = 0; preempt < 2; preempt++) {
        setup();
        /* CNode [0, 1K), endpoints from 1K, frames of 4K at 4K and 256K at 256K. */
        bool good = ok(retype(UT, CNODE, 4, 1, HERE, 10, 0)) &&
                    ok(retype(UT, ENDPOINT, 0, 3, 10, 0, W)) && ok(retype(UT, FRAME, 12, 1, 10, 8, 0x1000)) &&
                    ok(retype(UT, FRAME, 18, 1, 10, 9, 0x40000)) &&
                    ok(transfer(COPY, at(11), in(at(10), 4, 1))) && cdt_count() == BASE_CAPS + 7;
        memset(ut_mem + 0x1000, PATTERN, 0x1000);
        memset(ut_mem + 0x40000, PATTERN, 0x40000);
        good = good && run_ok(DELETE, at(10), preempt, NULL);
        tap_ok(good && cdt_count() == BASE_CAPS + 1 && cap_is_null(&root_slots[10].cap) &&
                   root_slots[11].cap.type == CAP_ENDPOINT && all_zero(ut_mem, UT_SIZE),
               preempted(preempt, "full CNode: deleting its only capability deletes all in it, zeroed"));
        good = retype(UT, ENDPOINT, 0, 1, HERE, 12, 0x440).error == COFFER_ERR_REVOKE_FIRST &&
               ok(cnode_op(DELETE, at(11))) && cdt_count() == BASE_CAPS &&
               ok(retype(UT, CNODE, 4, 1, HERE, 12, 0)) && ok(retype(UT, FRAME, 12, 1, HERE, 13, 0x1000)) &&
               ok(retype(UT, FRAME, 18, 1, HERE, 14, 0x40000));
        tap_ok(good, "full CNode: its memory and its objects' memory are free at once (the copied "
                     "endpoint's when the copy goes)");
    }
    fixture_check_tree("a full CNode's teardown");
}

/* A chain of n CNodes of 2 slots: each holds an endpoint in slot 1 and the
 * only capability to the next in slot 0; the first's only one is root slot 21. */
static bool build_chain(unsigned n)
{
    bool good = true;
    for (unsigned k = 0; k < n && good; k++) {
        good = ok(retype(UT, CNODE, 1, 1, HERE, 20, W)) && ok(retype(UT, ENDPOINT, 0, 1, 20, 1, W));
        if (k > 0)
            good = good && ok(transfer(MOVE, in(at(20), 1, 0), at(21)));
        good = good && ok(transfer(MOVE, at(21), at(20)));
    }
    return good;
}

/* b. A chain of 200 deleted at its head.  Preempted, a restart first walks
 * down the path of zombies again; that walk must not use up the batch. */
static void test_chain(void)
{
    for (int preempt = 0; preempt < 2; preempt++) {
        setup();
        struct run st;
        bool good = build_chain(200) && cdt_count() == BASE_CAPS + 400 &&
                    run_ok(DELETE, at(21), preempt, &st) && (preempt || st.calls == 1);
        tap_diag("chain of 200: %u calls", st.calls);
        tap_ok(good && cdt_count() == BASE_CAPS && all_zero(ut_mem, UT_SIZE),
               preempted(preempt, "chain: deleting the head of a chain of 200 CNodes frees them all"));
    }
    fixture_check_tree("chains");
}

/* c. A CNode holding the only capability to itself, then the untyped revoked. */
static void test_self_reference(void)
{
    for (int preempt = 0; preempt < 2; preempt++) {
        setup();
        struct slot *cn = (struct slot *)(void *)(ut_mem + 0x2000);
        /* Endpoints below the CNode: the teardown, not the revoke, meets them. */
        bool good = ok(retype(UT, CNODE, 7, 1, HERE, 30, 0x2000)) &&
                    ok(retype(UT, ENDPOINT, 0, 40, 30, 2, 0)) &&
                    ok(transfer(COPY, in(at(30), 7, 0), at(30))) && ok(cnode_op(DELETE, at(30)));
        tap_ok(good && cdt_count() == BASE_CAPS + 41 && cn[0].cap.type == CAP_CNODE &&
                   cdt_is_last(&cn[0]) && cap_is_null(&root_slots[30].cap),
               "self-reference: deleting the outside capability leaves the CNode holding the only one to itself");
        good = run_ok(REVOKE, at(UT), preempt, NULL);
        tap_ok(good && all_reclaimed(), preempted(preempt, "self-reference: revoking the untyped reclaims "
                                                           "every byte"));
    }
}

/* k CNodes of 128 slots from the untyped in root slots uts[j % nuts], at
 * offset 64K + 8K * j, with 20 endpoints each below 64K; CNode j holds the
 * only capability to CNode j + 1 (mod k) in its last slot: a cycle nothing
 * reaches, met first by each teardown, so that much work remains after
 * the zombies swap. */
static bool build_cycle(unsigned k, const uint64_t *uts, unsigned nuts)
{
    bool good = true;
    for (unsigned j = 0; j < k && good; j++)
        good = ok(retype(uts[j % nuts], CNODE, 7, 1, HERE, 40 + j, 0x10000 + 0x2000 * j)) &&
               ok(retype(uts[j % nuts], ENDPOINT, 0, 20, 40 + j, 0, 0x1000 * j));
    struct loc last = at(40); /* slot 127 of CNode j, through the chain */
    for (unsigned j = 1; j < k && good; j++) {
        good = ok(transfer(MOVE, in(last, 7, 127), at(40 + j)));
        last = in(last, 7, 127);
    }
    return good && ok(transfer(MOVE, in(last, 7, 127), at(40)));
}

/* d. Cycles of 2 and 3 CNodes, and a 2-cycle across two untyped. */
static void test_cycles(void)
{
    static const uint64_t one[1] = { UT }, two[2] = { 50, 51 };
    for (int preempt = 0; preempt < 2; preempt++) {
        for (unsigned k = 2; k <= 3; k++) {
            setup();
            bool good = build_cycle(k, one, 1) && cdt_count() == BASE_CAPS + 21 * k;
            tap_ok(good && run_ok(REVOKE, at(UT), preempt, NULL) && all_reclaimed(),
                   preempted(preempt, k == 2 ? "cycle: two CNodes holding each other's only capabilities"
                                               " are reclaimed by revoking their untyped"
                                             : "cycle: a ring of three CNodes is reclaimed too"));
        }
        /* Child untyped of 128K in root slots 50 and 51; revoke only one. */
        for (unsigned which = 0; which < 2; which++) {
            setup();
            uint64_t mine = two[which], other = two[!which];
            bool good = ok(retype(UT, UNTYPED, 17, 1, HERE, 50, 0)) &&
                        ok(retype(UT, UNTYPED, 17, 1, HERE, 51, 0x20000)) && build_cycle(2, two, 2);
            uint64_t other_free = ut_free(other);
            good = good && run_ok(REVOKE, at(mine), preempt, NULL);
            tap_ok(good && cdt_count() == BASE_CAPS + 2 && ut_free(mine) == 1u << 17 &&
                       ut_free(other) == other_free && !cdt_has_descendants(&root_slots[other]) &&
                       all_zero(ut_mem, UT_SIZE) &&
                       ok(retype(other, CNODE, 7, 1, HERE, 52, 0x10000 + 0x2000 * !which)),
                   preempted(preempt, "cycle across two untyped: revoking one frees both CNodes"));
        }
    }
    fixture_check_tree("cycles");
}

/* e. A zombie left by a preempted delete, observed between restarts. */
static void test_zombie_observed(void)
{
    setup();
    bool good = ok(retype(UT, CNODE, 8, 1, HERE, 60, 0)) && ok(retype(UT, ENDPOINT, 0, 200, 60, 0, W));
    host_preempt_every = true;
    good = good && cnode_op(DELETE, at(60)).error == SYSCALL_RESTART;
    host_preempt_every = false;
    struct coffer_result r = cnode_op(IDENTIFY, at(60));
    /* One batch cleared slots 255..192, 8 of which held endpoints. */
    tap_ok(good && COFFER_ID_TYPE(r.detail0) == COFFER_ID_TYPE_ZOMBIE &&
               COFFER_ID_SIZE_BITS(r.detail0) == 8 + SLOT_BITS && r.detail1 == 192 &&
               cdt_count() == BASE_CAPS + 1 + 192,
           "zombie: after one preempted call the slot holds a zombie with 192 slots left");
    static struct slot root_before[ROOT_SLOTS], cnode_before[ROOT_SLOTS];
    memcpy(root_before, root_slots, sizeof(root_before));
    memcpy(cnode_before, ut_mem, sizeof(cnode_before));
    static const uint64_t labels[] = { COPY, MINT, MOVE, MUTATE };
    good = true;
    for (unsigned i = 0; i < 4; i++)
        good = good && transfer(labels[i], at(61), at(60)).error == COFFER_ERR_ILLEGAL_OPERATION;
    tap_ok(good, "zombie: copy, mint, move and mutate from it are ILLEGAL_OPERATION");
    tap_ok(call(60, IDENTIFY, 0, ROOT_BITS, 0, 0, 0).error == COFFER_ERR_ILLEGAL_OPERATION,
           "zombie: invoking it is ILLEGAL_OPERATION");
    r = cnode_op(IDENTIFY, in(at(60), 8, 5));
    tap_ok(r.error == COFFER_ERR_FAILED_LOOKUP && r.detail1 == 8 &&
               r.detail0 == (1 | (uint64_t)COFFER_LOOKUP_DEPTH_MISMATCH << 32),
           "zombie: a lookup through it fails at level 1 (DEPTH_MISMATCH, 8 bits left)");
    r = retype(UT, ENDPOINT, 0, 1, HERE, 60, W);
    tap_ok(r.error == COFFER_ERR_DELETE_FIRST && r.detail0 == 2 && r.detail1 == 60,
           "zombie: retyping into its slot is DELETE_FIRST");
    tap_ok(ok(cnode_op(REVOKE, at(60))), "zombie: revoking it is OK (it has no descendants)");
    tap_ok(memcmp(root_before, root_slots, sizeof(root_before)) == 0 &&
               memcmp(cnode_before, ut_mem, sizeof(cnode_before)) == 0 && cdt_count() == BASE_CAPS + 193,
           "zombie: none of these calls changed a slot");
    struct run st;
    good = run_ok(DELETE, at(60), true, &st);
    tap_ok(good && st.calls == 4 && cdt_count() == BASE_CAPS && cap_is_null(&root_slots[60].cap) &&
               all_zero(ut_mem, UT_SIZE) && ok(retype(UT, CNODE, 8, 1, HERE, 60, 0)),
           "zombie: deleting it again goes on (3 restarts) and frees its memory, zeroed");
    fixture_check_tree("a zombie observed");
}

/* f. An untyped capability in a dying CNode: its children move up to UT. */
static void test_untyped_inside(void)
{
    setup();
    /* V: 16K at 64K, two endpoints from it in root slots; CNode A at 0 holds V. */
    bool good = ok(retype(UT, UNTYPED, 14, 1, HERE, 70, 0x10000)) &&
                ok(retype(70, ENDPOINT, 0, 2, HERE, 71, W)) && ok(retype(UT, CNODE, 2, 1, HERE, 73, 0)) &&
                ok(transfer(MOVE, in(at(73), 2, 0), at(70))) && ok(cnode_op(DELETE, at(73)));
    tap_ok(good && cdt_count() == BASE_CAPS + 2 && root_slots[71].cap.type == CAP_ENDPOINT &&
               cdt_parent(&root_slots[71]) == &root_slots[UT] &&
               cdt_parent(&root_slots[72]) == &root_slots[UT],
           "untyped inside: its capability goes with the CNode; its children stay, under UT");
    good = retype(UT, ENDPOINT, 0, 1, HERE, 74, 0x10040).error == COFFER_ERR_REVOKE_FIRST &&
           ok(retype(UT, ENDPOINT, 0, 1, HERE, 74, 0x10080)) && run_ok(REVOKE, at(UT), false, NULL);
    tap_ok(good && all_reclaimed(),
           "untyped inside: the rest of its range is free; revoking UT reclaims the children");
}

/*
 * f2. Revoking an untyped V that lives in CNode A carved from V: A's only
 * capability is a descendant of V, so the revoke tears A down and V with
 * it, and stops; V's descendants below A in memory stay, under UT.
 * Preempted, the restarted call looks V up again through A, by then a
 * zombie: FAILED_LOOKUP, and deleting the zombie finishes the teardown.
 */
static void test_revoke_kills_target(void)
{
    for (int preempt = 0; preempt < 2; preempt++) {
        setup();
        /* V: 64K at 64K; E1 at V+0, A (256 slots, 100 endpoints) at V+16K, E2 at V+32K. */
        bool good = ok(retype(UT, UNTYPED, 16, 1, HERE, 70, 0x10000)) &&
                    ok(retype(70, ENDPOINT, 0, 1, HERE, 76, 0)) && ok(retype(70, CNODE, 8, 1, HERE, 75, 0x4000)) &&
                    ok(retype(70, ENDPOINT, 0, 1, HERE, 77, 0x8000)) &&
                    ok(retype(70, ENDPOINT, 0, 100, 75, 1, 0x9000)) && ok(transfer(MOVE, in(at(75), 8, 0), at(70)));
        struct coffer_result r = run(REVOKE, in(at(75), 8, 0), preempt, NULL);
        if (!ok(r))
            tap_diag("the restarted revoke returned error %llu", (unsigned long long)r.error);
        good = good && (ok(r) || (preempt && r.error == COFFER_ERR_FAILED_LOOKUP &&
                                  root_slots[75].cap.type == CAP_ZOMBIE && run_ok(DELETE, at(75), false, NULL)));
        tap_ok(good && cdt_count() == BASE_CAPS + 1 && cdt_parent(&root_slots[76]) == &root_slots[UT] &&
                   cap_is_null(&root_slots[75].cap) && cap_is_null(&root_slots[77].cap) &&
                   all_zero(ut_mem, UT_SIZE) && cdt_check() == 0,
               preempted(preempt, "revoke: an untyped inside a CNode carved from it is deleted with the "
                                  "CNode; the revoke stops there"));
    }
}

/*
 * g. Abandoned teardowns.  A (2 slots, from V1) and B (256 slots, 150
 * endpoints, from V2) hold each other's only capabilities.  Revoking V1
 * makes A the top zombie and is abandoned while B, a zombie too, holds it;
 * a delete of a full CNode is abandoned as well.  Revoking V2 then starts
 * from B, whose finish leaves A's zombie in B's place, to be torn down in
 * the same deletion.  More work, the full CNode abandoned once more, and
 * revoking UT must reclaim every byte.
 */
static void test_abandoned(void)
{
    for (int preempt = 0; preempt < 2; preempt++) {
        setup();
        bool good = ok(retype(UT, UNTYPED, 16, 1, HERE, 90, 0)) && ok(retype(UT, UNTYPED, 16, 1, HERE, 91, 0x10000)) &&
                    ok(retype(90, CNODE, 1, 1, HERE, 92, 0)) && ok(retype(91, CNODE, 8, 1, HERE, 93, 0x8000)) &&
                    ok(retype(91, ENDPOINT, 0, 150, 93, 0, 0)) && ok(transfer(MOVE, in(at(93), 8, 255), at(92))) &&
                    ok(transfer(MOVE, in(in(at(93), 8, 255), 1, 1), at(93))) && build_chain(10) &&
                    ok(retype(UT, CNODE, 8, 1, HERE, 81, W)) && ok(retype(UT, ENDPOINT, 0, 200, 81, 0, W));
        host_preempt_every = true;
        good = good && cnode_op(REVOKE, at(90)).error == SYSCALL_RESTART &&
               cnode_op(DELETE, at(81)).error == SYSCALL_RESTART;
        host_preempt_every = false;
        const struct slot *b_in_a = (const struct slot *)(void *)ut_mem + 1;
        const struct slot *a_in_b = (const struct slot *)(void *)(ut_mem + 0x18000) + 255;
        good = good && b_in_a->cap.type == CAP_ZOMBIE && zombie_slots_left(&b_in_a->cap) > 150 &&
               a_in_b->cap.type == CAP_ZOMBIE && all_housed();
        tap_ok(good, "abandoned: a revoke stopped while a zombie holds its top, and a delete stopped");
        good = run_ok(REVOKE, at(91), preempt, NULL) && ok(cnode_op(REVOKE, at(90))) &&
               !cdt_has_descendants(&root_slots[90]) && !cdt_has_descendants(&root_slots[91]) &&
               all_zero(ut_mem, 0x20000);
        tap_ok(good, preempted(preempt, "abandoned: revoking the other untyped starts from the holder "
                                        "and frees both CNodes"));
        good = ok(run(DELETE, at(21), preempt, NULL)) && ok(retype(UT, CNODE, 3, 1, HERE, 83, W));
        host_preempt_every = true;
        good = good && cnode_op(DELETE, at(81)).error == SYSCALL_RESTART && cdt_check() == 0;
        host_preempt_every = false;
        tap_ok(good && run_ok(REVOKE, at(UT), preempt, NULL) && all_reclaimed(),
               preempted(preempt, "abandoned: after more work and another abandoned delete, revoking UT "
                                  "reclaims every byte"));
    }
}

/* ---- Part 2: the model ---------------------------------------------------- */

#define MAX_OBJS 2048
#define MAX_CAPS 4096
#define SUB_SLOTS 64

struct mobj {
    bool live;
    unsigned type, bits, radix; /* COFFER_OBJ_*, log2 bytes, CNode: log2 slots */
    uint64_t base, watermark;   /* untyped: offset past the highest retype */
    int *slot;                  /* CNode: the capability in each slot, or -1 */
};

struct mcap {
    bool live;
    int obj, parent, cnode; /* cnode -1: the thread's root capability */
    unsigned index, depth;  /* depth: an upper bound on the mint depth */
};

static struct mobj objs[MAX_OBJS];
static struct mcap caps[MAX_CAPS];
static int nobjs, ncaps; /* records in use, live or not */
static int root_model[ROOT_SLOTS], sub_model[MAX_OBJS][SUB_SLOTS];
static bool dying[MAX_CAPS];
static long stat_cascades, stat_largest, stat_restarts, stat_target_died;

static uint64_t obj_end(int o)
{
    return objs[o].base + (1ull << objs[o].bits);
}

static int count_live_caps(void)
{
    int n = 0;
    for (int c = 0; c < ncaps; c++)
        n += caps[c].live;
    return n;
}

static int m_new_obj(unsigned type, uint64_t base, unsigned bits, unsigned radix)
{
    int o = 0;
    while (o < nobjs && objs[o].live)
        o++;
    nobjs += o == nobjs;
    objs[o] = (struct mobj){ true, type, bits, radix, base, 0, o == 0 ? root_model : sub_model[o] };
    for (unsigned i = 0; type == CNODE && i < 1u << radix; i++)
        objs[o].slot[i] = -1;
    return o;
}

static int m_new_cap(int obj, int parent, int cnode, unsigned index, unsigned depth)
{
    int c = 0;
    while (c < ncaps && caps[c].live)
        c++;
    ncaps += c == ncaps;
    caps[c] = (struct mcap){ true, obj, parent, cnode, index, depth };
    if (cnode >= 0)
        objs[cnode].slot[index] = c;
    return c;
}

static bool m_is_descendant(int d, int a)
{
    for (int p = caps[d].parent; p >= 0; p = caps[p].parent)
        if (p == a)
            return true;
    return false;
}

/*
 * Delete every capability marked dying and, as a fixpoint, everything in
 * the slots of a CNode all of whose capabilities are dying.  Survivors
 * whose parent dies are re-parented to the nearest surviving ancestor.
 */
static void m_kill(void)
{
    static int refs[MAX_OBJS], alive[MAX_OBJS];
    for (bool grew = true; grew;) {
        grew = false;
        memset(refs, 0, sizeof(refs));
        memset(alive, 0, sizeof(alive));
        for (int c = 0; c < ncaps; c++)
            if (caps[c].live) {
                refs[caps[c].obj]++;
                alive[caps[c].obj] += !dying[c];
            }
        for (int o = 0; o < nobjs; o++)
            for (unsigned i = 0; objs[o].live && objs[o].type == CNODE && refs[o] > 0 && alive[o] == 0 &&
                                 i < 1u << objs[o].radix; i++)
                if (objs[o].slot[i] >= 0 && !dying[objs[o].slot[i]])
                    grew = dying[objs[o].slot[i]] = true;
    }
    for (int c = 0; c < ncaps; c++)
        while (caps[c].live && !dying[c] && caps[c].parent >= 0 && dying[caps[c].parent])
            caps[c].parent = caps[caps[c].parent].parent;
    long killed = 0;
    for (int c = 0; c < ncaps; c++)
        if (caps[c].live && dying[c]) {
            caps[c].live = dying[c] = false;
            objs[caps[c].cnode].slot[caps[c].index] = -1;
            killed++;
        }
    stat_cascades += killed > 1;
    stat_largest = killed > stat_largest ? killed : stat_largest;
    memset(refs, 0, sizeof(refs));
    for (int c = 0; c < ncaps; c++)
        refs[caps[c].obj] += caps[c].live;
    for (int o = 0; o < nobjs; o++)
        objs[o].live = objs[o].live && refs[o] > 0;
}

/* Tree order of objects: base up, end down, type up (untyped first). */
static int key_cmp(int a, int b)
{
    if (objs[a].base != objs[b].base)
        return objs[a].base < objs[b].base ? -1 : 1;
    if (obj_end(a) != obj_end(b))
        return obj_end(a) > obj_end(b) ? -1 : 1;
    return (objs[a].type > objs[b].type) - (objs[a].type < objs[b].type);
}

static int cap_key_desc(const void *a, const void *b)
{
    return key_cmp(caps[*(const int *)b].obj, caps[*(const int *)a].obj);
}

/* Revoke deletes the descendants from the last in tree order backwards and
 * stops early if that kills the target itself (it was in a dying CNode). */
static void m_revoke(int a)
{
    static int order[MAX_CAPS];
    int n = 0;
    for (int c = 0; c < ncaps; c++)
        if (caps[c].live && m_is_descendant(c, a))
            order[n++] = c;
    qsort(order, (size_t)n, sizeof(order[0]), cap_key_desc);
    for (int k = 0; k < n; k++) {
        if (!caps[order[k]].live)
            continue;
        dying[order[k]] = true;
        m_kill();
        if (!caps[a].live)
            return;
    }
    if (objs[caps[a].obj].type == UNTYPED)
        objs[caps[a].obj].watermark = 0;
}

/* Is [base, end), inside the untyped object u, covered by an object in u? */
static bool m_in_use(int u, uint64_t base, uint64_t end)
{
    for (int o = 0; o < nobjs; o++)
        if (objs[o].live && o != u && objs[o].base >= objs[u].base && obj_end(o) <= obj_end(u) &&
            objs[o].base < end && base < obj_end(o))
            return true;
    return false;
}

/* The CNodes reachable from the root through R2, with the path to each. */
static int reach_list[MAX_OBJS], nreach, reach_from[MAX_OBJS];
static uint64_t reach_cptr[MAX_OBJS], reach_depth[MAX_OBJS];
static bool reached[MAX_OBJS];

static void m_reach(void)
{
    memset(reached, 0, sizeof(reached));
    reached[0] = true;
    reach_list[0] = 0;
    nreach = 1;
    for (int k = 0; k < nreach; k++) {
        int o = reach_list[k];
        for (unsigned i = 0; i < 1u << objs[o].radix; i++) {
            int c = objs[o].slot[i], q = c >= 0 ? caps[c].obj : 0;
            uint64_t depth = reach_depth[o] + objs[o].radix;
            if (c < 0 || objs[q].type != CNODE || reached[q] || depth + objs[q].radix > D)
                continue;
            reached[q] = true;
            reach_cptr[q] = reach_cptr[o] << objs[o].radix | i;
            reach_depth[q] = depth;
            reach_from[q] = o;
            reach_list[nreach++] = q;
        }
    }
}

static struct loc m_slot_loc(int o, unsigned i)
{
    return (struct loc){ reach_cptr[o] << objs[o].radix | i, reach_depth[o] + objs[o].radix };
}

static struct loc m_loc(int c)
{
    return m_slot_loc(caps[c].cnode, caps[c].index);
}

/* A random reachable capability other than ROOT, R2 and UT, half the time
 * one to an object of type `prefer` if there is one; -1 if there is none. */
static int m_pick_cap(unsigned prefer)
{
    static int all[MAX_CAPS], preferred[MAX_CAPS];
    int n = 0, np = 0;
    for (int c = 0; c < ncaps; c++) {
        if (!caps[c].live || caps[c].cnode < 0 || !reached[caps[c].cnode] ||
            (caps[c].cnode == 0 && caps[c].index <= UT))
            continue;
        all[n++] = c;
        if (objs[caps[c].obj].type == prefer)
            preferred[np++] = c;
    }
    if (np > 0 && test_rng_below(2))
        return preferred[test_rng_below((uint64_t)np)];
    return n > 0 ? all[test_rng_below((uint64_t)n)] : -1;
}

/* An empty slot of CNode o, or -1. */
static int m_pick_empty(int o)
{
    unsigned n = 1u << objs[o].radix, i = (unsigned)test_rng_below(n);
    for (unsigned k = 0; k < n; k++, i = (i + 1) % n)
        if (objs[o].slot[i] < 0 && !(o == 0 && i <= UT))
            return (int)i;
    return -1;
}

/* A reachable CNode, mostly not the root.  Sometimes, for capability
 * near, the CNode it names (CNodes holding themselves) or, for an untyped,
 * one carved from it (revokes that tear down their own target's CNode). */
static int m_pick_cnode(int near)
{
    int o = near >= 0 ? caps[near].obj : 0;
    if (objs[o].type == CNODE && o != 0 && reached[o] && test_rng_below(6) == 0)
        return o;
    if (objs[o].type == UNTYPED && test_rng_below(2)) {
        int start = (int)test_rng_below((uint64_t)nreach);
        for (int k = 0; k < nreach; k++) {
            int q = reach_list[(start + k) % nreach];
            if (q != 0 && objs[q].base >= objs[o].base && obj_end(q) <= obj_end(o))
                return q;
        }
    }
    return nreach == 1 || test_rng_below(8) == 0 ? 0 : reach_list[1 + test_rng_below((uint64_t)nreach - 1)];
}

static void m_reset(void)
{
    memset(caps, 0, sizeof(caps));
    memset(objs, 0, sizeof(objs));
    nobjs = ncaps = 0;
    int root = m_new_obj(CNODE, (uintptr_t)root_slots, ROOT_BITS + SLOT_BITS, ROOT_BITS);
    int ut = m_new_obj(UNTYPED, (uintptr_t)ut_mem, UT_BITS, 0);
    m_new_cap(root, -1, -1, 0, 0);      /* the thread's (cap 0) */
    m_new_cap(root, -1, root, ROOT, 0); /* ROOT: a copy of it (cap 1) */
    m_new_cap(root, 1, root, R2, 1);    /* R2: minted from ROOT */
    m_new_cap(ut, -1, root, UT, 0);
}

/* ---- Part 2: operations, each predicted by the model, then made ---------- */

static void m_place(int c, int dst, int index)
{
    objs[caps[c].cnode].slot[caps[c].index] = -1;
    caps[c].cnode = dst;
    caps[c].index = (unsigned)index;
    objs[dst].slot[index] = c;
}

/* Move capability c to an empty slot of CNode dst (nothing if it is full). */
static const char *m_move(int c, int dst)
{
    int index = m_pick_empty(dst);
    if (index >= 0 && !ok(transfer(MOVE, m_slot_loc(dst, (unsigned)index), m_loc(c))))
        return "move: a result the model did not predict";
    if (index >= 0)
        m_place(c, dst, index);
    return NULL;
}

/* Retype from UT or a child untyped in a root slot into the root or a CNode
 * in a root slot (retype names destinations through the guarded root), at
 * a random offset or the watermark; often (when deep, always) moved on
 * into a random reachable CNode afterwards. */
static const char *op_retype(bool deep)
{
    static const unsigned types[] = { CNODE, ENDPOINT, ENDPOINT, FRAME, UNTYPED };
    int uts[ROOT_SLOTS], nuts = 0, cns[ROOT_SLOTS], ncns = 0;
    for (unsigned i = 0; i < ROOT_SLOTS; i++) {
        int c = root_model[i];
        if (c >= 0 && objs[caps[c].obj].type == UNTYPED)
            uts[nuts++] = c;
        if (c >= 0 && objs[caps[c].obj].type == CNODE && caps[c].obj != 0)
            cns[ncns++] = c;
    }
    int uc = test_rng_below(2) ? root_model[UT] : uts[test_rng_below((uint64_t)nuts)], u = caps[uc].obj;
    unsigned type = types[test_rng_below(ARRAY_SIZE(types))], user = 0, r = (unsigned)test_rng_below(16);
    if (type == CNODE) /* small, and now and then one of 64 slots: more than a batch */
        user = r < 8 ? 4 : r < 14 ? 1 + r % 3 : 6;
    else if (type == FRAME) /* now and then one zeroed in chunks when it dies */
        user = r < 3 ? 17 : r < 6 ? 13 : 12;
    else if (type == UNTYPED)
        user = 12 + r % 3;
    unsigned bits = type == CNODE ? user + SLOT_BITS : type == ENDPOINT ? 6 : user;
    if (bits > objs[u].bits || (type == UNTYPED && bits == objs[u].bits) || nobjs >= MAX_OBJS - 1)
        return NULL;
    int dc = ncns > 0 && test_rng_below(3) == 0 ? cns[test_rng_below((uint64_t)ncns)] : -1;
    int dst = dc >= 0 ? caps[dc].obj : 0, index = m_pick_empty(dst);
    if (index < 0) /* that CNode is full: the root then */
        dc = -1, dst = 0, index = m_pick_empty(0);
    if (index < 0)
        return NULL;
    uint64_t size = 1ull << bits, offset, arg, expect = COFFER_ERR_OK;
    if (test_rng_below(8) == 0) {
        arg = W;
        offset = (objs[u].watermark + size - 1) & ~(size - 1);
        if (offset + size > 1ull << objs[u].bits)
            expect = COFFER_ERR_NOT_ENOUGH_MEMORY;
    } else {
        arg = offset = test_rng_below(1ull << (objs[u].bits - bits)) << bits;
    }
    uint64_t base = objs[u].base + offset;
    if (expect == COFFER_ERR_OK && m_in_use(u, base, base + size))
        expect = COFFER_ERR_REVOKE_FIRST;
    struct coffer_result res = retype(caps[uc].index, type, user, 1, dc >= 0 ? caps[dc].index : HERE,
                                      (uint64_t)index, arg);
    if (res.error != expect || (expect == COFFER_ERR_OK && res.detail0 != offset))
        return "retype: a result the model did not predict";
    if (expect != COFFER_ERR_OK)
        return NULL;
    if (!all_zero((void *)(uintptr_t)base, size))
        return "retype: a new object's memory is not zero";
    if (type == FRAME)
        memset((void *)(uintptr_t)base, PATTERN, size);
    int c = m_new_cap(m_new_obj(type, base, bits, type == CNODE ? user : 0), uc, dst, (unsigned)index, 0);
    if (offset + size > objs[u].watermark)
        objs[u].watermark = offset + size;
    m_reach();
    if (type == CNODE && u != 1 && reached[caps[c].obj] && test_rng_below(4) == 0)
        return m_move(uc, caps[c].obj); /* an untyped inside a CNode carved from it */
    return dst == 0 && (deep || test_rng_below(3)) ? m_move(c, m_pick_cnode(-1)) : NULL;
}

/* A burst of retypes, each moved into a random CNode reachable after the
 * one before: deep nests, whose teardown takes more than one batch. */
static const char *op_nest(void)
{
    const char *failure = NULL;
    for (int k = 0; k < 24 && failure == NULL; k++) {
        m_reach();
        failure = op_retype(true);
    }
    return failure;
}

/* Copy, mint (data 0: badge, window and an empty guard kept), move, mutate. */
static const char *op_transfer(uint64_t label)
{
    int src = m_pick_cap(label == MOVE || test_rng_below(4) == 0 ? CNODE : ENDPOINT);
    if (src < 0 || ncaps >= MAX_CAPS - 1 || (label == MINT && caps[src].depth >= 100))
        return NULL;
    int dst = m_pick_cnode(src), index = m_pick_empty(dst);
    if (index < 0)
        return NULL;
    bool untyped = objs[caps[src].obj].type == UNTYPED, has_descendants = false;
    for (int c = 0; c < ncaps && label == MUTATE && !has_descendants; c++)
        has_descendants = caps[c].live && m_is_descendant(c, src);
    uint64_t expect = has_descendants            ? COFFER_ERR_REVOKE_FIRST
                      : untyped && label != MOVE ? COFFER_ERR_ILLEGAL_OPERATION
                                                 : COFFER_ERR_OK;
    if (transfer(label, m_slot_loc(dst, (unsigned)index), m_loc(src)).error != expect)
        return "copy/mint/move/mutate: a result the model did not predict";
    if (expect != COFFER_ERR_OK)
        return NULL;
    bool mint = label == MINT;
    if (label == COPY || mint)
        m_new_cap(caps[src].obj, mint ? src : caps[src].parent, dst, (unsigned)index, caps[src].depth + mint);
    else
        m_place(src, dst, index);
    return NULL;
}

/*
 * Delete or revoke, preempted at every check half the time.  A restarted
 * revoke looks its target up again, which fails once a CNode on the path to
 * it has died: such revokes run unpreempted (the model cannot say how far
 * a preempted one got).
 */
static const char *op_delete(bool revoke)
{
    int c = revoke && test_rng_below(15) == 0 ? root_model[UT] : m_pick_cap(revoke ? UNTYPED : CNODE);
    if (c < 0)
        return NULL;
    struct loc l = m_loc(c);
    dying[c] = !revoke;
    if (revoke)
        m_revoke(c);
    else
        m_kill();
    bool path_intact = caps[c].live || !revoke;
    stat_target_died += !path_intact;
    for (int o = caps[c].cnode; revoke && o != 0; o = reach_from[o])
        path_intact = path_intact && objs[o].live;
    struct run st;
    struct coffer_result r = run(revoke ? REVOKE : DELETE, l, path_intact && test_rng_below(2), &st);
    stat_restarts += st.calls - 1;
    return st.bad != NULL ? st.bad : ok(r) ? NULL : "delete/revoke: failed";
}

/* ---- Part 2: comparing the kernel with the model -------------------------- */

static bool slot_matches(const struct slot *s, int c)
{
    if (c < 0)
        return cap_is_null(&s->cap);
    const struct mobj *o = &objs[caps[c].obj];
    return s->cap.type == cap_type_of_object(o->type) && s->cap.object == o->base &&
           (o->type != CNODE || s->cap.size_bits == o->radix) &&
           (o->type != UNTYPED || (s->cap.size_bits == o->bits && s->cap.data == o->watermark));
}

/* How many objects lie in UT: the groups among its descendants. */
static int real_objects(void)
{
    const struct slot *ut = &root_slots[UT], *prev = NULL;
    int n = 0;
    for (const struct slot *d = cdt_first_descendant(ut); d != NULL; prev = d, d = cdt_next_descendant(ut, d))
        n += prev == NULL || prev->cap.object != d->cap.object || prev->cap.type != d->cap.type ||
             cap_object_end(&prev->cap) != cap_object_end(&d->cap);
    return n;
}

/* Objects that died in this operation read zero; live frames keep what
 * was written into them. */
static const char *check_memory(const bool *was_live)
{
    for (int o = 2; o < nobjs; o++) {
        const uint8_t *p = (const uint8_t *)(uintptr_t)objs[o].base;
        size_t size = (size_t)1 << objs[o].bits;
        if (was_live[o] && !objs[o].live && objs[o].type != UNTYPED && !all_zero(p, size))
            return "a dead object's memory is not zero";
        if (objs[o].live && objs[o].type == FRAME && (p[0] != PATTERN || p[size - 1] != PATTERN))
            return "a live frame's memory changed";
    }
    return NULL;
}

static const char *compare(const bool *was_live)
{
    if (cdt_check() != 0)
        return "cdt_check() failed";
    if (cdt_count() != (size_t)count_live_caps())
        return "cdt_count() differs from the model";
    for (int o = 0; o < nobjs; o++)
        for (unsigned i = 0; objs[o].live && objs[o].type == CNODE && i < 1u << objs[o].radix; i++)
            if (!slot_matches((const struct slot *)(uintptr_t)objs[o].base + i, objs[o].slot[i]))
                return "a slot differs from the model";
    int model_objects = 0;
    for (int o = 2; o < nobjs; o++) /* not the root CNode, not UT */
        model_objects += objs[o].live;
    if (real_objects() != model_objects)
        return "the number of objects differs from the model";
    for (int k = 0; k < 8; k++) {
        uint64_t size = 1ull << (6 + test_rng_below(11));
        uint64_t base = (uintptr_t)ut_mem + test_rng_below(UT_SIZE / size) * size;
        if (cdt_range_in_use(&root_slots[UT], base, base + size) != m_in_use(1, base, base + size))
            return "cdt_range_in_use() differs from the model";
    }
    return check_memory(was_live);
}

/* 0 retype, 1-4 copy, mint, move, mutate, 5 delete, 6 revoke, 7 nest:
 * mostly growing while there are few capabilities, shrinking when many. */
static int pick_kind(int live)
{
    static const unsigned weights[3][3] = { { 45, 35, 14 }, { 30, 35, 25 }, { 15, 25, 40 } };
    const unsigned *w = weights[live < 300 ? 0 : live < 800 ? 1 : 2];
    unsigned r = (unsigned)test_rng_below(100);
    if (test_rng_below(50) == 0)
        return live < 1000 ? 7 : 5;
    return r < w[0] ? 0 : r < w[0] + w[1] ? 1 + (int)test_rng_below(4) : r < w[0] + w[1] + w[2] ? 5 : 6;
}

/* Abandon preempted deletes and revokes (the model no longer applies: its
 * stale paths may now fail), then revoke UT: everything must come back. */
static const char *abandon_all(void)
{
    m_reach();
    for (int k = 0; k < 30; k++) {
        int c = m_pick_cap(test_rng_below(2) ? CNODE : UNTYPED);
        if (c < 0)
            break;
        host_preempt_every = true;
        for (uint64_t n = 1 + test_rng_below(3); n > 0; n--)
            cnode_op(test_rng_below(2) ? DELETE : REVOKE, m_loc(c));
        host_preempt_every = false;
        if (cdt_check() != 0 || !all_housed())
            return "cdt_check() or all_housed() failed after an abandoned delete or revoke";
    }
    struct run st;
    if (!ok(run(REVOKE, at(UT), test_rng_below(2), &st)) || st.bad != NULL)
        return "the final revoke of UT failed or made no progress";
    return all_reclaimed() ? NULL : "the final revoke of UT did not reclaim every byte";
}

static void test_random(uint64_t seed, long ops)
{
    setup();
    m_reset();
    test_rng_seed(seed);
    tap_diag("random teardown: seed %llu, %ld operations", (unsigned long long)seed, ops);
    static const uint64_t transfers[] = { 0, COPY, MINT, MOVE, MUTATE };
    static bool was_live[MAX_OBJS];
    const char *failure = NULL;
    long step, counts[8] = { 0 };
    for (step = 0; step < ops && failure == NULL; step++) {
        m_reach();
        for (int o = 0; o < nobjs; o++)
            was_live[o] = objs[o].live;
        int kind = pick_kind(count_live_caps());
        counts[kind]++;
        failure = kind == 0   ? op_retype(false)
                  : kind < 5  ? op_transfer(transfers[kind])
                  : kind < 7  ? op_delete(kind == 6)
                              : op_nest();
        if (failure == NULL)
            failure = compare(was_live);
    }
    if (failure != NULL)
        tap_diag("operation %ld (0-based): %s", step - 1, failure);
    tap_diag("retype %ld, copy %ld, mint %ld, move %ld, mutate %ld, delete %ld, revoke %ld, nest %ld",
             counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6], counts[7]);
    tap_diag("%ld deletions took more than one capability (at most %ld), %ld revokes killed their own "
             "target, %ld restarts", stat_cascades, stat_largest, stat_target_died, stat_restarts);
    tap_ok(failure == NULL, "random: after every operation the slots, the count and the memory "
                            "match the model");
    failure = abandon_all();
    if (failure != NULL)
        tap_diag("%s", failure);
    tap_ok(failure == NULL, "random: after abandoned preempted operations, revoking UT reclaims everything");
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 20261122;
    long ops = argc > 2 ? strtol(argv[2], NULL, 10) : 10000;
    thr = aligned_alloc(64, (sizeof(struct thread) + 63) & ~(size_t)63);
    root_slots = aligned_alloc(ROOT_SLOTS * sizeof(struct slot), ROOT_SLOTS * sizeof(struct slot));
    ut_mem = aligned_alloc(UT_SIZE, UT_SIZE);
    if (thr == NULL || root_slots == NULL || ut_mem == NULL)
        return 1;
    test_full_cnode();
    test_chain();
    test_self_reference();
    test_cycles();
    test_zombie_observed();
    test_untyped_inside();
    test_revoke_kills_target();
    test_abandoned();
    test_random(seed, ops);
    free(thr);
    free(root_slots);
    free(ut_mem);
    return tap_done();
}
