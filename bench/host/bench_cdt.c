/*
 * Host benchmark of the capability core: what copy, mint, delete, retype
 * at an explicit offset and revoke cost through sys_CALL, and how that
 * changes with the number of live capabilities in the derivation tree
 * (10^2, 10^4, 10^6 by default).  docs/benchmarks.md has the method and
 * the figures; tools/run-host-bench.sh runs this program twice and prints
 * the table.
 *
 * Two modes, chosen by where the program runs:
 *   - natively: nanoseconds per operation, clock_gettime(CLOCK_MONOTONIC)
 *     around each measured batch, the timer's own cost subtracted, the
 *     median of 9 repetitions of 10^4 operations (after one discarded
 *     warm-up);
 *   - under `valgrind --tool=callgrind --instr-atstart=no --collect-atstart=no`:
 *     instructions.  Instrumentation is switched on for each measurement
 *     only, collection only around the measured batches, and each
 *     measurement (one repetition of 10^4 operations: the counts repeat
 *     exactly for a given seed) ends with a dump named after it; the script
 *     divides the dump's total by the operation count.  An empty
 *     measurement ("calibration") gives the cost of the collection toggles
 *     themselves, which the script subtracts.
 *
 * Operations pick their sources, holes and offsets at random (seeded), so
 * at 10^6 most of the tree nodes they touch are not in the cache: the
 * times grow with cache and TLB misses, the instruction counts do not.
 *
 * The CSpace is one root CNode of 2^20 slots (64 MiB) with a 44-bit guard,
 * so 64-bit pointers below 2^20 name its slots.  Live capabilities are,
 * apart from four fixed ones (the thread's root CNode capability, its copy,
 * the big untyped and the revoke untyped): endpoints retyped from the big
 * untyped, every other one deleted again so that the untyped is full of
 * 64-byte holes, and as many capabilities again derived from random earlier
 * ones (copies and mints, seeded), so groups have several members and
 * depths above 0.
 *
 * Every measurement leaves the population as it found it: each batch
 * creates at most a tenth of the population's size (at most 1000), and the
 * unmeasured half of the pair (delete after copy, copy before delete, ...)
 * runs outside the timed or collected region.
 *
 *   usage: bench_cdt [--ops=N] [--reps=N] [--sizes=N,N,...] [--seed=N] [--check]
 *                    [--no-huge-pages]
 *
 * --check runs cdt_check() after every measurement (O(n) each), not only
 * after populating and at the end.
 */
#define _DEFAULT_SOURCE /* madvise */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <valgrind/callgrind.h>
#include "cap/cdt.h"
#include "host_arch.h"
#include "object/invoke.h"
#include "test_util.h"
#include "cap_fixture.h"

#define ROOT_BITS 20
#define ROOT_SLOTS (1u << ROOT_BITS)
#define UT_BITS 27         /* 128 MiB: holds 10^6 endpoints and as many holes */
#define REV_UT_BITS 16     /* 64 KiB: the revoke untyped's 1000 endpoints */
#define D 64               /* root slots resolve with 64 bits */
#define ROOT 1             /* a copy of the root CNode capability */
#define UT 2               /* the big untyped */
#define REV_UT 3           /* retyped from UT; revoked with REVOKE_K children */
#define POP_BASE 4         /* population slots start here */
#define MAX_BATCH 1000     /* largest measured batch */
#define REVOKE_K 1000      /* children of the revoked untyped */
#define SCRATCH_BASE (ROOT_SLOTS - MAX_BATCH - REVOKE_K)
#define REV_BASE (ROOT_SLOTS - REVOKE_K)
#define FIXED_CAPS 4
#define EP_SIZE 64
#define MAX_SIZES 8

static struct thread *thr;
static struct slot *root_slots;
static uint8_t *ut_mem;
static bool cg; /* running under callgrind: count instructions, not time */

/* ---- System calls ----------------------------------------------------------- */

static struct coffer_result call(uint64_t cptr, uint64_t label, uint64_t a0, uint64_t a1,
                                 uint64_t a2, uint64_t a3, uint64_t a4)
{
    return fixture_call(thr, cptr, label, a0, a1, a2, a3, a4);
}

static struct coffer_result retype_ep(uint64_t ut, uint64_t count, uint64_t index, uint64_t offset)
{
    return call(ut, COFFER_INV_UNTYPED_RETYPE, COFFER_RETYPE_ARG0(COFFER_OBJ_ENDPOINT, 0, 0, count),
                0, index, offset, 0);
}

static struct coffer_result copy(uint64_t dst, uint64_t src)
{
    return call(ROOT, COFFER_INV_CNODE_COPY, dst, COFFER_CNODE_ARG1(D, D, 0), ROOT, src, 0);
}

/* A child with the grant right dropped (data 0: no badge). */
static struct coffer_result mint(uint64_t dst, uint64_t src)
{
    return call(ROOT, COFFER_INV_CNODE_MINT, dst,
                COFFER_CNODE_ARG1(D, D, COFFER_RIGHTS_ALL & ~COFFER_RIGHT_GRANT), ROOT, src, 0);
}

static struct coffer_result del(uint64_t i)
{
    return call(ROOT, COFFER_INV_CNODE_DELETE, i, D, 0, 0, 0);
}

static struct coffer_result revoke(uint64_t i)
{
    return call(ROOT, COFFER_INV_CNODE_REVOKE, i, D, 0, 0, 0);
}

static struct coffer_result identify(uint64_t i)
{
    return call(ROOT, COFFER_INV_CNODE_IDENTIFY, i, D, 0, 0, 0);
}

static void die(const char *what, uint64_t n, struct coffer_result r)
{
    fprintf(stderr, "bench_cdt: %s (%llu) failed: error %llu (%#llx, %#llx)\n", what,
            (unsigned long long)n, (unsigned long long)r.error, (unsigned long long)r.detail0,
            (unsigned long long)r.detail1);
    exit(1);
}

static void must(struct coffer_result r, const char *what, uint64_t n)
{
    if (r.error != COFFER_ERR_OK)
        die(what, n, r);
}

/* ---- The population ----------------------------------------------------------- */

static uint32_t *pop;        /* slots of the population's capabilities */
static size_t pop_count;
static uint64_t *holes;      /* untyped offsets of deleted endpoints, shuffled */
static uint64_t *live;       /* untyped offsets of live endpoints */
static size_t hole_count, live_count, hole_next;

static void shuffle64(uint64_t *a, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)test_rng_below(i);
        uint64_t t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

/* An empty CSpace with the four fixed capabilities. */
static void reset(void)
{
    fixture_cspace(thr, root_slots, ROOT_BITS, ROOT);
    fixture_untyped(&root_slots[UT], ut_mem, UT_BITS, false);
    must(call(UT, COFFER_INV_UNTYPED_RETYPE,
              COFFER_RETYPE_ARG0(COFFER_OBJ_UNTYPED, REV_UT_BITS, 0, 1), 0, REV_UT,
              COFFER_RETYPE_AT_WATERMARK, 0),
         "retype of the revoke untyped", 0);
}

/*
 * n live capabilities in all: FIXED_CAPS, m endpoints (2m retyped at the
 * watermark, 256 a call, every odd one deleted again) and n - FIXED_CAPS - m
 * capabilities copied or minted from random earlier ones.
 */
static void populate(size_t n, uint64_t seed)
{
    test_rng_seed(seed);
    reset();
    size_t m = (n - FIXED_CAPS + 1) / 2, derived = n - FIXED_CAPS - m, made = 2 * m;
    if (POP_BASE + made > SCRATCH_BASE || made * EP_SIZE + (1u << REV_UT_BITS) > (1ull << UT_BITS)) {
        fprintf(stderr, "bench_cdt: %zu capabilities do not fit\n", n);
        exit(2);
    }
    uint64_t first_offset = 0;
    for (size_t i = 0; i < made; i += COFFER_RETYPE_MAX_COUNT) {
        size_t count = made - i < COFFER_RETYPE_MAX_COUNT ? made - i : COFFER_RETYPE_MAX_COUNT;
        struct coffer_result r = retype_ep(UT, count, POP_BASE + i, COFFER_RETYPE_AT_WATERMARK);
        must(r, "population retype", i);
        if (i == 0)
            first_offset = r.detail0;
    }
    pop_count = hole_count = live_count = hole_next = 0;
    for (size_t i = 0; i < made; i++) {
        uint64_t offset = first_offset + i * EP_SIZE;
        if (i % 2 == 1) {
            must(del(POP_BASE + i), "hole delete", i);
            holes[hole_count++] = offset;
        } else {
            pop[pop_count++] = (uint32_t)(POP_BASE + i);
            live[live_count++] = offset;
        }
    }
    /* Derived capabilities go to the slots the holes freed. */
    for (size_t j = 0; j < derived; j++) {
        uint64_t dst = POP_BASE + 2 * j + 1;
        uint64_t src = pop[test_rng_below(pop_count)];
        if (test_rng_below(2) == 0)
            must(copy(dst, src), "population copy", j);
        else
            must(mint(dst, src), "population mint", j);
        pop[pop_count++] = (uint32_t)dst;
    }
    shuffle64(holes, hole_count);
    unsigned max_depth = 0;
    for (size_t i = 0; i < pop_count; i++)
        if (root_slots[pop[i]].cap.depth > max_depth)
            max_depth = root_slots[pop[i]].cap.depth;
    printf("bench population live=%zu endpoints=%zu derived=%zu holes=%zu max_depth=%u\n", n, m,
           derived, hole_count, max_depth);
}

/* ---- Measurement -------------------------------------------------------------- */

enum op { OP_CAL, OP_IDENTIFY, OP_COPY, OP_MINT, OP_DELETE, OP_RETYPE, OP_RETYPE_BUSY, OP_REVOKE };

/* The names tools/run-host-bench.sh knows the measurements by. */
static const char *const op_key[] = {
    [OP_CAL] = "calibration",
    [OP_IDENTIFY] = "identify",
    [OP_COPY] = "copy",
    [OP_MINT] = "mint",
    [OP_DELETE] = "delete",
    [OP_RETYPE] = "retype",
    [OP_RETYPE_BUSY] = "retype_busy",
    [OP_REVOKE] = "revoke",
};

static uint64_t arg[MAX_BATCH]; /* per operation of a batch: source slot or offset */
static uint64_t timer_cost;     /* ns of an empty timed region */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void calibrate_timer(void)
{
    uint64_t d[1001];
    for (unsigned i = 0; i < 1001; i++) {
        uint64_t t0 = now_ns();
        d[i] = now_ns() - t0;
    }
    qsort(d, 1001, sizeof(d[0]), cmp_u64);
    timer_cost = d[500];
}

/* The unmeasured preparation of a batch of s operations. */
static void prepare(enum op op, size_t s)
{
    switch (op) {
    case OP_IDENTIFY:
    case OP_COPY:
    case OP_MINT:
        for (size_t i = 0; i < s; i++)
            arg[i] = pop[test_rng_below(pop_count)];
        break;
    case OP_DELETE: /* a copy of a random capability in each scratch slot */
        for (size_t i = 0; i < s; i++)
            must(copy(SCRATCH_BASE + i, pop[test_rng_below(pop_count)]), "delete setup", i);
        break;
    case OP_RETYPE: /* distinct holes: s is at most a tenth of the holes */
        for (size_t i = 0; i < s; i++) {
            arg[i] = holes[hole_next];
            hole_next = (hole_next + 1) % hole_count;
        }
        break;
    case OP_RETYPE_BUSY:
        for (size_t i = 0; i < s; i++)
            arg[i] = live[test_rng_below(live_count)];
        break;
    case OP_REVOKE: /* REVOKE_K endpoints in the revoke untyped */
        for (size_t i = 0; i < REVOKE_K; i += COFFER_RETYPE_MAX_COUNT) {
            size_t c = REVOKE_K - i < COFFER_RETYPE_MAX_COUNT ? REVOKE_K - i : COFFER_RETYPE_MAX_COUNT;
            must(retype_ep(REV_UT, c, REV_BASE + i, COFFER_RETYPE_AT_WATERMARK), "revoke setup", i);
        }
        break;
    case OP_CAL:
        break;
    }
}

/*
 * The measured operations; returns the OR of what they returned that was
 * wrong (error words; for identify, 1 if a slot was empty).  An OR with
 * the result in memory is one instruction a call, the least any check
 * costs: storing each call's outcome or branching on it measured one to
 * four more per call (x86, callgrind), which the figures would count.  A
 * failure is a bug the host tests pin down; this only stops the run.
 */
static uint64_t measured(enum op op, size_t s)
{
    uint64_t bad = 0;
    switch (op) {
    case OP_CAL:
        break;
    case OP_IDENTIFY:
        for (size_t i = 0; i < s; i++)
            bad |= identify(arg[i]).detail0 == COFFER_ID_TYPE_NULL;
        break;
    case OP_COPY:
        for (size_t i = 0; i < s; i++)
            bad |= copy(SCRATCH_BASE + i, arg[i]).error;
        break;
    case OP_MINT:
        for (size_t i = 0; i < s; i++)
            bad |= mint(SCRATCH_BASE + i, arg[i]).error;
        break;
    case OP_DELETE:
        for (size_t i = 0; i < s; i++)
            bad |= del(SCRATCH_BASE + i).error;
        break;
    case OP_RETYPE:
        for (size_t i = 0; i < s; i++)
            bad |= retype_ep(UT, 1, SCRATCH_BASE + i, arg[i]).error;
        break;
    case OP_RETYPE_BUSY:
        for (size_t i = 0; i < s; i++)
            bad |= retype_ep(UT, 1, SCRATCH_BASE + i, arg[i]).error != COFFER_ERR_REVOKE_FIRST;
        break;
    case OP_REVOKE:
        bad |= revoke(REV_UT).error;
        break;
    }
    return bad;
}

/* Undo what the batch created, unmeasured. */
static void restore(enum op op, size_t s)
{
    if (op == OP_COPY || op == OP_MINT || op == OP_RETYPE)
        for (size_t i = 0; i < s; i++)
            must(del(SCRATCH_BASE + i), "restore delete", i);
}

/* One batch: s operations (for revoke, one revoke of REVOKE_K children).
 * Returns its nanoseconds (0 under callgrind). */
static uint64_t batch(enum op op, size_t s)
{
    prepare(op, s);
    uint64_t t0 = 0, t1 = 0, bad;
    if (cg) {
        CALLGRIND_TOGGLE_COLLECT;
        bad = measured(op, s);
        CALLGRIND_TOGGLE_COLLECT;
    } else {
        t0 = now_ns();
        bad = measured(op, s);
        t1 = now_ns();
    }
    if (bad) {
        /* Bits of several error codes ORed: not one error's name. */
        fprintf(stderr, "bench_cdt: a measured %s went wrong in a batch of %zu (what was wrong, ORed: 0x%llx)\n",
                op_key[op], s, (unsigned long long)bad);
        exit(1);
    }
    restore(op, s);
    uint64_t dt = t1 - t0;
    return dt > timer_cost ? dt - timer_cost : 0;
}

static size_t ops_per_rep, reps;

/*
 * Measure op at population n: reps repetitions of ops_per_rep operations
 * (revoke: descendants, REVOKE_K a call) in batches of at most n / 10 and
 * MAX_BATCH.  Prints one line: natively the median, minimum and maximum
 * ns/op over the repetitions; under callgrind the name of the dump.
 */
static void measure(enum op op, size_t n)
{
    size_t sub = op == OP_REVOKE ? REVOKE_K : n / 10 < MAX_BATCH ? n / 10 : MAX_BATCH;
    if (sub == 0)
        sub = 1;
    size_t total_reps = cg ? reps : reps + 1; /* natively: one warm-up first */
    double per_op[64];
    size_t batches = 0, total_ops = 0, done = 0;
    if (cg) {
        CALLGRIND_START_INSTRUMENTATION;
        CALLGRIND_ZERO_STATS;
    }
    for (size_t rep = 0; rep < total_reps; rep++) {
        uint64_t ns = 0;
        done = 0;
        while (done < ops_per_rep) {
            size_t s = ops_per_rep - done < sub ? ops_per_rep - done : sub;
            if (op == OP_REVOKE)
                s = REVOKE_K;
            ns += batch(op, s);
            done += s;
            batches++;
        }
        total_ops += done;
        if (!cg && rep > 0)
            per_op[rep - 1] = (double)ns / (double)done;
    }
    if (cg) {
        char name[160];
        snprintf(name, sizeof(name), "bench op=%s live=%zu ops=%zu batches=%zu", op_key[op], n,
                 total_ops, batches);
        CALLGRIND_DUMP_STATS_AT(name);
        CALLGRIND_STOP_INSTRUMENTATION;
        printf("%s\n", name);
    } else {
        qsort(per_op, reps, sizeof(per_op[0]), cmp_double);
        double med = reps % 2 ? per_op[reps / 2] : (per_op[reps / 2 - 1] + per_op[reps / 2]) / 2;
        printf("bench op=%s live=%zu ops=%zu ns=%.1f min=%.1f max=%.1f\n", op_key[op], n,
               done, med, per_op[0], per_op[reps - 1]);
    }
    fflush(stdout);
}

static void check(size_t n, const char *when)
{
    size_t count = cdt_count();
    int c = cdt_check();
    if (count != n || c != 0) {
        fprintf(stderr, "bench_cdt: %s: %zu capabilities (expected %zu), cdt_check() = %d\n",
                when, count, n, c);
        exit(1);
    }
}

static bool huge_pages = true;

/*
 * Naturally aligned, as objects are.  The kernel reaches slots and objects
 * through its physmap of 1 GiB pages, so TLB misses are rare there: ask for
 * transparent huge pages (before the memory is first touched) so that the
 * host's 4 KiB page walks do not dominate the figures at 10^6.
 */
static void *big_alloc(size_t bytes)
{
    void *p = aligned_alloc(bytes, bytes);
    if (p == NULL) {
        fprintf(stderr, "bench_cdt: cannot allocate %zu bytes\n", bytes);
        exit(2);
    }
#ifdef MADV_HUGEPAGE
    if (huge_pages)
        (void)madvise(p, bytes, MADV_HUGEPAGE); /* a hint: failure is fine */
#endif
    return p;
}

int main(int argc, char **argv)
{
    cg = RUNNING_ON_VALGRIND != 0;
    ops_per_rep = 10000;
    reps = cg ? 1 : 9; /* instruction counts repeat exactly; times do not */
    size_t sizes[MAX_SIZES] = { 100, 10000, 1000000 }, n_sizes = 3;
    uint64_t seed = 1;
    bool full_check = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--ops=", 6) == 0) {
            ops_per_rep = strtoull(a + 6, NULL, 0);
        } else if (strncmp(a, "--reps=", 7) == 0) {
            reps = strtoull(a + 7, NULL, 0);
        } else if (strncmp(a, "--seed=", 7) == 0) {
            seed = strtoull(a + 7, NULL, 0);
        } else if (strcmp(a, "--check") == 0) {
            full_check = true;
        } else if (strcmp(a, "--no-huge-pages") == 0) {
            huge_pages = false;
        } else if (strncmp(a, "--sizes=", 8) == 0) {
            n_sizes = 0;
            const char *p = a + 8;
            while (*p != '\0' && n_sizes < MAX_SIZES) {
                char *end;
                sizes[n_sizes++] = strtoull(p, &end, 0);
                if (end == p || (*end != ',' && *end != '\0')) {
                    fprintf(stderr, "bench_cdt: bad --sizes list\n");
                    return 2;
                }
                p = *end == ',' ? end + 1 : end;
            }
        } else {
            fprintf(stderr, "usage: %s [--ops=N] [--reps=N] [--sizes=N,N,...] [--seed=N] [--check]"
                    " [--no-huge-pages]\n",
                    argv[0]);
            return 2;
        }
    }
    if (reps < 1 || reps > 63 || ops_per_rep < 1) {
        fprintf(stderr, "bench_cdt: need 1 <= reps <= 63 and ops >= 1\n");
        return 2;
    }
    for (size_t i = 0; i < n_sizes; i++) {
        if (sizes[i] < FIXED_CAPS + 20) {
            fprintf(stderr, "bench_cdt: sizes start at %d\n", FIXED_CAPS + 20);
            return 2;
        }
    }

    thr = calloc(1, sizeof(*thr));
    root_slots = big_alloc((size_t)ROOT_SLOTS * sizeof(struct slot));
    ut_mem = big_alloc((size_t)1 << UT_BITS);
    pop = calloc(SCRATCH_BASE, sizeof(*pop));
    holes = calloc(SCRATCH_BASE, sizeof(*holes));
    live = calloc(SCRATCH_BASE, sizeof(*live));
    if (thr == NULL || pop == NULL || holes == NULL || live == NULL)
        return 2;
    calibrate_timer();
    printf("bench mode=%s ops=%zu reps=%zu seed=%llu timer_ns=%llu huge_pages=%s\n",
           cg ? "callgrind" : "native", ops_per_rep, reps, (unsigned long long)seed,
           (unsigned long long)timer_cost, huge_pages ? "yes" : "no");

    if (cg)
        measure(OP_CAL, 100); /* the toggles alone, in batches of 10 */
    static const enum op ops[] = { OP_IDENTIFY, OP_COPY, OP_DELETE, OP_MINT,
                                   OP_RETYPE,   OP_RETYPE_BUSY, OP_REVOKE };
    for (size_t k = 0; k < n_sizes; k++) {
        size_t n = sizes[k];
        populate(n, seed + k);
        check(n, "after populating");
        for (size_t j = 0; j < ARRAY_SIZE(ops); j++) {
            measure(ops[j], n);
            if (full_check)
                check(n, op_key[ops[j]]);
        }
        check(n, "after measuring");
    }
    printf("bench done\n");
    return 0;
}
