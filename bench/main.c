/*
 * coffer-bench: the benchmark root task (make bench).
 */
#include "bench.h"
#include <stdio.h>
#include <stdlib.h>

static uint64_t samples[BENCH_RUNS];

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

struct bench_stats bench_report(const char *name, uint64_t *s, unsigned n, uint64_t calibration)
{
    qsort(s, n, sizeof(*s), compare_u64);
    struct bench_stats st = { s[n / 2], s[0], s[n - 1] };
    printf("bench: %s runs=%u median=%llu min=%llu max=%llu calibration=%llu\n", name, n,
           (unsigned long long)st.median, (unsigned long long)st.min,
           (unsigned long long)st.max, (unsigned long long)calibration);
    return st;
}

uint64_t bench_calibrate(void)
{
    BENCH_MEASURE(samples, (void)0);
    qsort(samples, BENCH_RUNS, sizeof(samples[0]), compare_u64);
    return samples[BENCH_RUNS / 2];
}

int main(void)
{
    uint64_t calibration = bench_calibrate();
    printf("bench: calibration (back-to-back rdcycle) = %llu\n", (unsigned long long)calibration);

    BENCH_MEASURE(samples, coffer_debug_null());
    bench_report("null syscall (debug_null round trip)", samples, BENCH_RUNS, calibration);

    BENCH_MEASURE(samples, coffer_yield());
    bench_report("yield (no other thread to run)", samples, BENCH_RUNS, calibration);

    BENCH_MEASURE(samples, coffer_syscall(999, 0, 0, 0, 0, 0, 0, 0));
    bench_report("unknown syscall (error path)", samples, BENCH_RUNS, calibration);

    bench_caps(calibration);
    bench_vspace(calibration);
    bench_ipc(calibration);
    bench_proto(calibration);
    bench_bank(calibration);
    bench_proc(calibration);
    bench_console(calibration);
    bench_kv(calibration);
    bench_exec(calibration);

    printf("bench: done\n");
    return 0;
}
