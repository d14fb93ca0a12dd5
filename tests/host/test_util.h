/*
 * Helpers shared by the host test programs: a seedable pseudo-random
 * generator for the fuzz and model-based loops (xorshift64*: fixed seeds
 * make every run reproducible), and whole-file loading.
 */
#ifndef COFFER_TESTS_TEST_UTIL_H
#define COFFER_TESTS_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t test_rng_state = 0x9e3779b97f4a7c15ull;

static inline void test_rng_seed(uint64_t seed)
{
    test_rng_state = seed != 0 ? seed : 1; /* xorshift never leaves 0 */
}

static inline uint64_t test_rng(void)
{
    test_rng_state ^= test_rng_state >> 12;
    test_rng_state ^= test_rng_state << 25;
    test_rng_state ^= test_rng_state >> 27;
    return test_rng_state * 0x2545f4914f6cdd1dull;
}

/* Uniform enough in [0, n); 0 when n is 0. */
static inline uint64_t test_rng_below(uint64_t n)
{
    return n != 0 ? test_rng() % n : 0;
}

/* A randomized model test's runs: "SEED STEPS" on the command line is
 * one run of those (make soak), none is seeds 1 to 3 of `steps` each
 * (make test). */
static inline void test_seeded_runs(int argc, char **argv, void (*run)(uint64_t seed, unsigned steps),
                                    unsigned steps)
{
    if (argc > 2) {
        run(strtoull(argv[1], NULL, 0), (unsigned)strtoul(argv[2], NULL, 0));
        return;
    }
    for (uint64_t seed = 1; seed <= 3; seed++)
        run(seed, steps);
}

/*
 * The fewest naturally aligned power-of-two blocks that tile [b, e):
 * the canonical dyadic decomposition, counted recursively over the
 * 2^64 address space.  An oracle independent of untyped_split().
 */
static inline uint64_t test_dyadic_count(uint64_t b, uint64_t e, uint64_t node, unsigned bits)
{
    uint64_t node_last = node + ((1ull << bits) - 1); /* inclusive: no overflow */
    if (node_last < b || node >= e)
        return 0;
    if (node >= b && node_last <= e - 1)
        return 1;
    uint64_t half = 1ull << (bits - 1);
    return test_dyadic_count(b, e, node, bits - 1) + test_dyadic_count(b, e, node + half, bits - 1);
}

static inline uint64_t test_min_aligned_blocks(uint64_t b, uint64_t e)
{
    if (e <= b)
        return 0;
    return test_dyadic_count(b, e, 0, 63) + test_dyadic_count(b, e, 1ull << 63, 63);
}

/* Read a whole file into a malloc'd buffer; NULL on any error. */
static inline uint8_t *test_load_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long n;
    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

#endif
