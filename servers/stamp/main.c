/*
 * The benchmarks' probe (bench/bench_proc.c).  With no argument its exit
 * status is the low 32 bits of the instruction counter (under -icount,
 * the cycle counter) as main begins: the spawner subtracts its reading
 * from before SPAWN.  `stamp malloc K` instead measures one malloc of K
 * KiB on a fresh part of the heap -- the frames bought from its bank and
 * mapped, and each page written once -- and exits with its cost.
 */
#include <coffer.h>
#include <stdlib.h>
#include <string.h>

static int measure_malloc(size_t kib)
{
    /* malloc's own start-up: its first call takes the heap's first pages
     * (picolibc asks sbrk for a page more than it needs); kept until the
     * end, so that the next malloc needs fresh memory. */
    void *first = malloc(16);
    if (first == NULL)
        return -1;
    uint64_t t0 = coffer_rdcycle();
    volatile char *p = malloc(kib << 10);
    for (size_t at = 0; p != NULL && at < kib << 10; at += COFFER_PAGE_SIZE)
        p[at] = 1;
    uint64_t t1 = coffer_rdcycle();
    int cost = p != NULL ? (int)(t1 - t0) : -1;
    free((void *)p);
    free(first);
    return cost;
}

int main(int argc, char **argv)
{
    uint64_t now = coffer_rdcycle();
    if (argc > 2 && strcmp(argv[1], "malloc") == 0)
        return measure_malloc((size_t)atol(argv[2]));
    return (int)(uint32_t)now;
}
