/*
 * The space-bank server's logic against models (bank_fixture.h): each
 * kernel call of a purchase, a bank's creation and a restriction failing
 * in turn, with nothing changed; and random sequences of buy, free,
 * create, destroy, remove and set-limit against a model of who holds
 * what, every bank's books and the kernel's bytes checked each step.
 *
 *   test_bank_model [seed steps]   the random part (default: three seeds)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bank_fixture.h"
#include "test_util.h"

/* ---- failure injection: any one kernel call failing changes nothing ---- */

struct snapshot {
    struct info info[NBANKS];
    bool live[NBANKS];
    unsigned free_chunks, free_banks;
    uint64_t kernel_free;
};


static void snapshot(struct snapshot *sn)
{
    memset(sn, 0, sizeof *sn);
    for (unsigned i = 0; i < NBANKS; i++) {
        sn->live[i] = banks[i].bank != NULL;
        if (sn->live[i])
            sn->info[i] = info(BANK_BADGE(i, banks[i].gen, BANK_RIGHTS_ALL));
    }
    sn->free_chunks = count_free_chunks();
    sn->free_banks = count_free_banks();
    sn->kernel_free = coffer_untyped_describe(SLOT(1, BANK_CHUNK0_EXTENTS)).detail0;
}

/* The same world as before: a child of 1 MiB and its child of 512 KiB. */
static void injection_world(uint64_t *child, uint64_t *grandchild)
{
    setup();
    create(prime_badge, 1u << 20, child);
    create(*child, 1u << 19, grandchild);
}

/* Run op once to count its kernel calls, then again with each one of
 * them failing in turn: each time it must be refused and leave every
 * bank, table and byte as it was (and the server must serve after). */
static void inject_each(const char *what, uint64_t (*op)(uint64_t grandchild))
{
    uint64_t child, grandchild;
    injection_world(&child, &grandchild);
    uint64_t before = host_syscalls_made, err = op(grandchild), calls = host_syscalls_made - before;
    unsigned bad = 0;
    for (uint64_t n = 1; n <= calls && err == COFFER_ERR_OK; n++) {
        injection_world(&child, &grandchild);
        struct snapshot a, b;
        snapshot(&a);
        host_syscalls_fail_at(n);
        uint64_t e = op(grandchild);
        host_syscalls_fail_at(0);
        snapshot(&b);
        if (e == COFFER_ERR_OK || memcmp(&a, &b, sizeof a) != 0 || !all_balance() || op(grandchild) != COFFER_ERR_OK) {
            tap_diag("%s: kernel call %llu of %llu failing: error 0x%llx, %s", what, (unsigned long long)n,
                     (unsigned long long)calls, (unsigned long long)e,
                     memcmp(&a, &b, sizeof a) != 0 ? "state changed" : "server broken");
            bad++;
        }
    }
    tap_okf(err == COFFER_ERR_OK && calls > 3 && bad == 0,
            "failure injection: %s makes %llu kernel calls; with each failing in turn it is refused and nothing changes",
            what, (unsigned long long)calls);
}

static uint64_t buy_big_in(uint64_t bank)
{
    uint64_t h;
    return buy(bank, COFFER_OBJ_FRAME, 16, &h, NULL);
}

static uint64_t buy_small_in(uint64_t bank)
{
    uint64_t h;
    return buy(bank, COFFER_OBJ_ENDPOINT, 0, &h, NULL);
}

static uint64_t create_in(uint64_t bank)
{
    uint64_t c;
    return create(bank, 1u << 18, &c);
}

static uint64_t restrict_in(uint64_t bank)
{
    return call(bank, BANK_OP_RESTRICT, (uint64_t[]){ BANK_RIGHT_BUY }, 1).error;
}

static void test_failure_injection(void)
{
    inject_each("a 64 KiB frame bought in a grandchild (it and its parent grow)", buy_big_in);
    inject_each("an endpoint bought in a grandchild (a chunk and a slab)", buy_small_in);
    inject_each("a bank created below a grandchild", create_in);
    inject_each("a restricted capability of a grandchild", restrict_in);
}

/* ---- random sequences against a model of who holds what ---- */

static uint64_t rng_state;
static unsigned rng(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)((rng_state >> 33) % n);
}

#define MODEL_BANKS 160 /* more than the server's table: it fills */
#define MODEL_OBJECTS 400
struct model_bank { uint64_t badge; int parent; bool live; };
struct model_object { uint64_t handle; int bank; };
static struct model_bank mb[MODEL_BANKS];
static struct model_object mo[MODEL_OBJECTS];
static unsigned nmb, nmo;

/* Banks between b and the prime bank, as the model has them. */
static unsigned model_depth(int b)
{
    unsigned depth = 0;
    for (; mb[b].parent >= 0; b = mb[b].parent)
        depth++;
    return depth;
}

static int live_bank(void)
{
    for (int tries = 0; tries < 50; tries++) {
        int i = (int)rng(nmb);
        if (mb[i].live)
            return i;
    }
    return 0;
}

/* The model's counts agree with every bank's INFO. */
static bool model_agrees(void)
{
    for (unsigned i = 0; i < nmb; i++) {
        if (!mb[i].live)
            continue;
        unsigned objects = 0, children = 0;
        for (unsigned o = 0; o < nmo; o++)
            objects += mo[o].bank == (int)i;
        for (unsigned c = 0; c < nmb; c++)
            children += mb[c].live && mb[c].parent == (int)i;
        struct info in = info(mb[i].badge);
        if (in.count != objects || in.banks != children) {
            tap_diag("bank %u: %llu objects, %llu banks; the model has %u, %u", i, (unsigned long long)in.count,
                     (unsigned long long)in.banks, objects, children);
            return false;
        }
    }
    return true;
}

/* Drop bank i and everything below it from the model (destroy). */
static void model_drop(int i)
{
    mb[i].live = false;
    for (unsigned o = 0; o < nmo;)
        if (mo[o].bank == i)
            mo[o] = mo[--nmo];
        else
            o++;
    for (unsigned c = 0; c < nmb; c++)
        if (mb[c].live && mb[c].parent == i)
            model_drop((int)c);
}

/* Bank i's goods pass to its parent (remove). */
static void model_pass_up(int i)
{
    mb[i].live = false;
    for (unsigned o = 0; o < nmo; o++)
        if (mo[o].bank == i)
            mo[o].bank = mb[i].parent;
    for (unsigned c = 0; c < nmb; c++)
        if (mb[c].live && mb[c].parent == i)
            mb[c].parent = mb[i].parent;
}

/* The books of bank i and its ancestors, to check a refusal changed nothing. */
static bool chain_unchanged(int i, const struct info *before)
{
    bool bad = false;
    for (int k = 0; i >= 0; i = mb[i].parent, k++) {
        struct info now = info(mb[i].badge);
        if (memcmp(&now, &before[k], sizeof now) != 0) {
            tap_diag("bank %d (level %d) changed: held %llu -> %llu, free %llu -> %llu, overhead %llu -> %llu, "
                     "effective %llu -> %llu", i, k,
                     (unsigned long long)before[k].held, (unsigned long long)now.held,
                     (unsigned long long)before[k].free, (unsigned long long)now.free,
                     (unsigned long long)before[k].overhead, (unsigned long long)now.overhead,
                     (unsigned long long)before[k].effective, (unsigned long long)now.effective);
            bad = true;
        }
    }
    return !bad;
}

static void chain_books(int i, struct info *out)
{
    for (int k = 0; i >= 0; i = mb[i].parent, k++)
        out[k] = info(mb[i].badge);
}

static char last_op[96];

static bool random_step(void)
{
    static const struct { uint64_t type, lo, n; } kinds[] = {
        { COFFER_OBJ_ENDPOINT, 0, 1 }, { COFFER_OBJ_NOTIFICATION, 0, 1 }, { COFFER_OBJ_TCB, 0, 1 },
        { COFFER_OBJ_SCHED_CONTEXT, 0, 1 }, { COFFER_OBJ_FRAME, 12, 4 }, { COFFER_OBJ_CNODE, 1, 9 },
        { COFFER_OBJ_UNTYPED, 6, 12 }, { COFFER_OBJ_PAGE_TABLE, 0, 1 },
    };
    unsigned what = rng(100);
    snprintf(last_op, sizeof last_op, "set-limit");
    int b = live_bank();
    struct info before[MODEL_BANKS];
    chain_books(b, before);
    if (what < 45 && nmo < MODEL_OBJECTS) {
        unsigned k = rng(sizeof kinds / sizeof kinds[0]);
        uint64_t bits = kinds[k].lo + rng((unsigned)kinds[k].n);
        uint64_t h, err = buy(mb[b].badge, kinds[k].type, bits, &h, NULL);
        snprintf(last_op, sizeof last_op, "buy type %llu bits %llu in bank %d: 0x%llx", (unsigned long long)kinds[k].type,
                 (unsigned long long)bits, b, (unsigned long long)err);
        if (err == COFFER_ERR_OK)
            mo[nmo++] = (struct model_object){ h, b };
        else if (err != COFFER_ERR_BANK_LIMIT || !chain_unchanged(b, before))
            return tap_diag("buy of type %llu in bank %d: error 0x%llx", (unsigned long long)kinds[k].type, b,
                            (unsigned long long)err), false;
    } else if (what < 80 && nmo > 0) {
        unsigned o = rng(nmo);
        snprintf(last_op, sizeof last_op, "free in bank %d", mo[o].bank);
        if (bank_free(mb[mo[o].bank].badge, mo[o].handle) != COFFER_ERR_OK)
            return tap_diag("free in bank %d", mo[o].bank), false;
        mo[o] = mo[--nmo];
    } else if (what < 88 && nmb < MODEL_BANKS) {
        uint64_t child, err = create(mb[b].badge, (uint64_t)(16 + rng(240)) << 12, &child);
        snprintf(last_op, sizeof last_op, "create in bank %d: 0x%llx", b, (unsigned long long)err);
        if (err == COFFER_ERR_OK)
            mb[nmb++] = (struct model_bank){ child, b, true };
        else if ((err != COFFER_ERR_BANK_LIMIT && err != COFFER_ERR_BANK_TABLE_FULL &&
                  (err != COFFER_ERR_BANK_TOO_DEEP || model_depth(b) != BANK_DEPTH_MAX)) ||
                 !chain_unchanged(b, before))
            return tap_diag("create in bank %d: error 0x%llx", b, (unsigned long long)err), false;
    } else if (what < 94 && b != 0) {
        snprintf(last_op, sizeof last_op, "destroy bank %d", b);
        if (simple(mb[b].badge, BANK_OP_DESTROY) != COFFER_ERR_OK)
            return false;
        model_drop(b);
    } else if (what < 97 && b != 0) {
        snprintf(last_op, sizeof last_op, "remove bank %d", b);
        if (simple(mb[b].badge, BANK_OP_REMOVE) != COFFER_ERR_OK)
            return false;
        model_pass_up(b);
    } else if (b != 0) {
        uint64_t limit = (uint64_t)rng(300) << 12, err = call(mb[b].badge, BANK_OP_SET_LIMIT, &limit, 1).error;
        if (err != (limit < info(mb[b].badge).held ? COFFER_ERR_BANK_BELOW_USAGE : COFFER_ERR_OK))
            return false;
    }
    return model_agrees() && all_balance();
}

static void test_random(uint64_t seed, unsigned steps)
{
    setup();
    unsigned chunks_at_start = count_free_chunks(), banks_at_start = count_free_banks();
    nmb = 1;
    nmo = 0;
    mb[0] = (struct model_bank){ prime_badge, -1, true };
    rng_state = seed;
    unsigned bad = 0;
    for (unsigned step = 1; step <= steps && bad == 0; step++) {
        if (!random_step())
            bad = step;
        if (getenv("BANK_TRACE"))
            printf("# %u: %s\n", step, last_op);
    }
    if (bad)
        tap_diag("seed %llu: step %u went wrong (%s)", (unsigned long long)seed, bad, last_op);
    /* Everything away: the prime bank back to its start, the tables too. */
    for (unsigned i = 1; i < nmb && bad == 0; i++)
        if (mb[i].live && mb[mb[i].parent].badge == prime_badge) {
            if (simple(mb[i].badge, BANK_OP_DESTROY) != COFFER_ERR_OK)
                bad = steps + 1;
            model_drop((int)i);
        }
    while (bad == 0 && nmo > 0)
        if (bank_free(prime_badge, mo[--nmo].handle) != COFFER_ERR_OK)
            bad = steps + 2;
    struct info end = info(prime_badge);
    tap_okf(bad == 0 && end.count == 0 && end.banks == 0 && end.free + end.overhead == 1u << RAM_BITS &&
                count_free_chunks() + 1 == chunks_at_start + (end.overhead == 0 ? 1 : 0) &&
                count_free_banks() == banks_at_start && all_balance(),
            "random (seed %llu, %u steps of buy, free, create, destroy, remove, set-limit): books and kernel agree "
            "each step; at the end every byte is back and the server's tables are as they started",
            (unsigned long long)seed, steps);
}

int main(int argc, char **argv)
{
    if (!bank_fixture_alloc())
        return 1;
    test_failure_injection();
    test_seeded_runs(argc, argv, test_random, 1500);
    return tap_done();
}
