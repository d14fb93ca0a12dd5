/*
 * The benchmarks' probe (bench/bench_proc.c).  With no argument its exit
 * status is the low 32 bits of the instruction counter (under -icount,
 * the cycle counter) as main begins: the spawner subtracts its reading
 * from before SPAWN.  `stamp malloc K` instead measures one malloc of K
 * KiB on a fresh part of the heap -- each page written once -- and exits
 * with its cost; `stamp pages N` makes N (at most 256) mallocs of 4 KiB
 * in a row, each page written once, and exits with their mean cost
 * (`stamp pages N max`: the dearest one's, a malloc that grew the heap).
 */
#include <coffer.h>
#include <stdbool.h>
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

#define PAGES_MAX 256

static int measure_pages(unsigned n, bool dearest)
{
    static void *pages[PAGES_MAX];
    uint64_t total = 0, most = 0;
    unsigned got = 0;
    for (; got < n && got < PAGES_MAX; got++) {
        uint64_t t0 = coffer_rdcycle();
        volatile char *p = malloc(COFFER_PAGE_SIZE);
        if (p == NULL)
            break;
        *p = 1;
        uint64_t cost = coffer_rdcycle() - t0;
        pages[got] = (void *)p;
        total += cost;
        most = cost > most ? cost : most;
    }
    bool all = got == n && got > 0;
    while (got > 0) /* kept until all are made, so that each malloc takes a fresh page */
        free(pages[--got]);
    return all ? (int)(dearest ? most : total / n) : -1;
}

int main(int argc, char **argv)
{
    uint64_t now = coffer_rdcycle();
    if (argc > 2 && strcmp(argv[1], "malloc") == 0)
        return measure_malloc((size_t)atol(argv[2]));
    if (argc > 2 && strcmp(argv[1], "pages") == 0 && atoi(argv[2]) > 0)
        return measure_pages((unsigned)atoi(argv[2]), argc > 3 && strcmp(argv[3], "max") == 0);
    return (int)(uint32_t)now;
}
