/*
 * The benchmark framework.  Each benchmark measures one operation RUNS
 * times, reading the cycle counter in U-mode right before and after it (as
 * seL4's figures were measured); under QEMU -icount shift=0 the counter
 * counts instructions, so results are exact and repeatable.  Each result
 * line carries the calibration: the difference of two back-to-back reads,
 * which is the measurement's own overhead and is NOT subtracted.
 */
#ifndef COFFER_BENCH_H
#define COFFER_BENCH_H

#include <coffer.h>

#define BENCH_RUNS 2001

struct bench_stats {
    uint64_t median, min, max;
};

/* Sort samples and report them as a "bench:" line. */
struct bench_stats bench_report(const char *name, uint64_t *samples, unsigned n,
                                uint64_t calibration);
/* The median cost of two back-to-back counter reads. */
uint64_t bench_calibrate(void);

/* Capability-core benchmarks (bench_caps.c). */
void bench_caps(uint64_t calibration);
/* Address-space benchmarks (bench_vspace.c). */
void bench_vspace(uint64_t calibration);
/* Threads-layer benchmarks (bench_ipc.c). */
void bench_ipc(uint64_t calibration);
/* The protocol layer over IPC (bench_proto.c). */
void bench_proto(uint64_t calibration);
/* The space bank (bench_bank.c). */
void bench_bank(uint64_t calibration);
/* Processes (bench_proc.c). */
void bench_proc(uint64_t calibration);
/* The console server (bench_console.c). */
void bench_console(uint64_t calibration);
/* Sessions and the key-value store (bench_kv.c). */
void bench_kv(uint64_t calibration);
/* The exec server against its library called directly (bench_exec.c). */
void bench_exec(uint64_t calibration);

/* Measure `op` (a statement) BENCH_RUNS times into samples. */
#define BENCH_MEASURE(samples, op)                                 \
    do {                                                           \
        for (unsigned run_ = 0; run_ < BENCH_RUNS; run_++) {       \
            uint64_t start_ = coffer_rdcycle();                    \
            op;                                                    \
            uint64_t end_ = coffer_rdcycle();                      \
            (samples)[run_] = end_ - start_;                       \
        }                                                          \
    } while (0)

#endif
