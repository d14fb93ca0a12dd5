/*
 * Time for a process (docs/processes.md, "The runtime"): the clocks read
 * the time CSR, whose rate the process manager passes in the auxiliary
 * vector (LOADER_AT_COFFER_TIMEBASE), and nanosleep waits with a receive
 * deadline (the kernel keeps the timeout in the sleeper's TCB: no timer
 * server, nothing allocated) on a notification no one signals, bought
 * from the process's bank the first time it sleeps.  There is no
 * battery clock: CLOCK_REALTIME counts from boot, as CLOCK_MONOTONIC.
 */
#define _POSIX_C_SOURCE 200809L
#include <coffer.h>
#include <errno.h>
#include <sys/time.h>
#include <time.h>

#include "runtime_internal.h"

uint64_t runtime_timebase_hz;
static uint64_t sleep_slot; /* the notification sleeps wait on (0: none yet) */

static uint64_t hz(void)
{
    return runtime_timebase_hz != 0 ? runtime_timebase_hz : 10000000; /* QEMU virt's, if none was passed */
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
    if ((clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME) || ts == NULL) {
        errno = EINVAL;
        return -1;
    }
    uint64_t ticks = coffer_time_now();
    ts->tv_sec = (time_t)(ticks / hz());
    ts->tv_nsec = (long)((ticks % hz()) * 1000000000ull / hz());
    return 0;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
    (void)tz;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    tv->tv_sec = ts.tv_sec;
    tv->tv_usec = ts.tv_nsec / 1000;
    return 0;
}

/* Sleep until the time CSR reads deadline: on a notification if the bank
 * gives one, else yielding (a sleep must not fail for want of memory). */
static void sleep_until(uint64_t deadline)
{
    uint64_t handle;
    if (sleep_slot == 0 && !runtime_buy(COFFER_OBJ_NOTIFICATION, 0, &sleep_slot, &handle))
        sleep_slot = 0;
    while (coffer_time_now() < deadline) {
        if (sleep_slot != 0)
            coffer_wait_until(sleep_slot, deadline);
        else
            coffer_yield();
    }
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
    if (req == NULL || req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= 1000000000L) {
        errno = EINVAL;
        return -1;
    }
    uint64_t ticks = (uint64_t)req->tv_sec * hz() + (uint64_t)req->tv_nsec * hz() / 1000000000ull;
    sleep_until(coffer_time_now() + ticks);
    if (rem != NULL)
        *rem = (struct timespec){ 0, 0 };
    return 0;
}
