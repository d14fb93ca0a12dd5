/*
 * CNode teardown through the system-call entry, on the host: scenarios.
 * Deleting the last capability to a CNode that still holds capabilities
 * turns it into a zombie (zombie.h) that is torn down in preemptible
 * steps, chains and cycles included; every dead object's memory must read
 * zero afterwards.  A full CNode, a chain of 200, a CNode holding the only
 * capability to itself, cycles (also across two untyped), a zombie
 * observed between restarts, an untyped inside a dying CNode (also the one
 * being revoked), abandoned teardowns.  The model-based random test is
 * test_zombie_model.c; the harness is teardown_fixture.h.
 */
#include "teardown_fixture.h"

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
 * it, and stops; V's descendant below A in memory, a CNode B (which, not
 * going in batches, the revoke does not take before A: revoke_next),
 * stays, under UT (revoke_through_own_cnode).
 */
/* Revoke V through its capability in slot 0 of CNode A (root slot 75,
 * 2^radix slots), A carved from V: the revoke tears A down and V with it.
 * Preempted, the restarted call looks V up again through A, by then a
 * zombie: FAILED_LOOKUP, and deleting the zombie finishes the teardown. */
static bool revoke_through_own_cnode(unsigned radix, bool preempt)
{
    struct coffer_result r = run(REVOKE, in(at(75), radix, 0), preempt, NULL);
    if (!ok(r))
        tap_diag("the restarted revoke returned error %llu", (unsigned long long)r.error);
    return ok(r) || (preempt && r.error == COFFER_ERR_FAILED_LOOKUP && root_slots[75].cap.type == CAP_ZOMBIE &&
                     run_ok(DELETE, at(75), false, NULL));
}

static void test_revoke_kills_target(void)
{
    for (int preempt = 0; preempt < 2; preempt++) {
        setup();
        /* V: 64K at 64K; B at V+0, A (256 slots, 100 endpoints) at V+16K, E2 at V+32K. */
        bool good = ok(retype(UT, UNTYPED, 16, 1, HERE, 70, 0x10000)) &&
                    ok(retype(70, CNODE, 2, 1, HERE, 76, 0)) && ok(retype(70, CNODE, 8, 1, HERE, 75, 0x4000)) &&
                    ok(retype(70, ENDPOINT, 0, 1, HERE, 77, 0x8000)) &&
                    ok(retype(70, ENDPOINT, 0, 100, 75, 1, 0x9000)) && ok(transfer(MOVE, in(at(75), 8, 0), at(70))) &&
                    revoke_through_own_cnode(8, preempt);
        tap_ok(good && cdt_count() == BASE_CAPS + 1 && cdt_parent(&root_slots[76]) == &root_slots[UT] &&
                   cap_is_null(&root_slots[75].cap) && cap_is_null(&root_slots[77].cap) &&
                   all_zero(ut_mem, UT_SIZE) && cdt_check() == 0,
               preempted(preempt, "revoke: an untyped inside a CNode carved from it is deleted with the "
                                  "CNode; the revoke stops there"));
    }
}

/*
 * f3. The batchable descendants just before a CNode go before it
 * (revoke_next): V holds 40 endpoints and, above them, the CNode A that
 * holds their only capabilities and V's own; one more endpoint, E, has
 * its capability in a root slot.  The revoke takes the endpoints first,
 * in batches, E among them, so A dies empty and V with it.  (Had A gone
 * first, V would have died with it and the revoke stopped, leaving E.)
 */
static void test_revoke_batchable_first(void)
{
    for (int preempt = 0; preempt < 2; preempt++) {
        setup();
        bool good = ok(retype(UT, UNTYPED, 16, 1, HERE, 70, 0x10000)) &&
                    ok(retype(70, CNODE, 6, 1, HERE, 75, 0x8000)) && ok(retype(70, ENDPOINT, 0, 40, 75, 1, 0)) &&
                    ok(retype(70, ENDPOINT, 0, 1, HERE, 76, 0xa00)) && ok(transfer(MOVE, in(at(75), 6, 0), at(70))) &&
                    revoke_through_own_cnode(6, preempt);
        tap_ok(good && cdt_count() == BASE_CAPS && cap_is_null(&root_slots[75].cap) &&
                   cap_is_null(&root_slots[76].cap) && cdt_check() == 0 &&
                   run_ok(REVOKE, at(UT), false, NULL) && all_reclaimed(),
               preempted(preempt, "revoke: endpoints below the CNode holding their capabilities go first, "
                                  "so it dies empty; every byte comes back"));
    }
}

/*
 * f4. What a dying CNode holds is accounted where it came from: CNode A,
 * carved from V, holds 100 endpoints of V's and 100 of another untyped
 * W's.  Revoking V kills A and all of them; V's objects need no
 * accounting (the revoke resets V's count), W's do: both counts end at 0.
 */
static void test_revoke_accounts_outside(void)
{
    for (int preempt = 0; preempt < 2; preempt++) {
        setup();
        bool good = ok(retype(UT, UNTYPED, 14, 1, HERE, 80, 0x20000)) &&
                    ok(retype(UT, UNTYPED, 16, 1, HERE, 70, 0x10000)) && ok(retype(70, CNODE, 8, 1, HERE, 75, 0)) &&
                    ok(retype(80, ENDPOINT, 0, 100, 75, 0, 0)) && ok(retype(70, ENDPOINT, 0, 100, 75, 100, 0x4000)) &&
                    root_slots[80].used != 0 && run_ok(REVOKE, at(70), preempt, NULL);
        tap_ok(good && cdt_count() == BASE_CAPS + 2 && root_slots[80].used == 0 && root_slots[70].used == 0 &&
                   cdt_check() == 0 && run_ok(REVOKE, at(UT), false, NULL) && all_reclaimed(),
               preempted(preempt, "revoke: a dying CNode's objects from another untyped are counted free there"));
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

int main(void)
{
    if (!teardown_alloc())
        return 1;
    test_full_cnode();
    test_chain();
    test_self_reference();
    test_cycles();
    test_zombie_observed();
    test_untyped_inside();
    test_revoke_kills_target();
    test_revoke_batchable_first();
    test_revoke_accounts_outside();
    test_abandoned();
    teardown_free();
    return tap_done();
}
