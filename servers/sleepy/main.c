/*
 * A process that sleeps: `sleepy MS` reads CLOCK_MONOTONIC, sleeps MS
 * milliseconds with nanosleep, reads it again and exits with the
 * milliseconds that passed.  The tests check it slept (not spun: its CPU
 * time stays small) and woke.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    long ms = argc > 1 ? atol(argv[1]) : 10;
    struct timespec t0, t1, nap = { ms / 1000, (ms % 1000) * 1000000L };
    if (clock_gettime(CLOCK_MONOTONIC, &t0) != 0 || nanosleep(&nap, NULL) != 0 ||
        clock_gettime(CLOCK_MONOTONIC, &t1) != 0)
        return -1;
    long slept = (long)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    printf("%s: asked for %ld ms, slept %ld ms\n", argv[0], ms, slept);
    return (int)slept;
}
