/*
 * Counters and the timer: U-mode may read cycle/instret/time (the kernel
 * sets scounteren), and the timer interrupt ticks while user code runs.
 */
#include "ktest.h"

static uint64_t ticks(void)
{
    static struct coffer_kernel_info info;
    coffer_debug_kernel_info((uint64_t)(uintptr_t)&info, sizeof(info));
    return info.timer_ticks;
}

void test_counters(void)
{
    uint64_t c0 = coffer_rdcycle(), i0 = coffer_rdinstret();
    uint64_t c1 = coffer_rdcycle(), i1 = coffer_rdinstret();
    ktest_check(c1 > c0 && i1 > i0, "counters: rdcycle and rdinstret readable from U-mode");

    /* Spin in user mode until the timer has ticked twice: proves timer
     * interrupts arrive and user state survives them.  Bounded by an
     * iteration count, not by time. */
    uint64_t start = ticks(), spins = 0;
    volatile uint64_t sum = 0;
    while (ticks() < start + 2 && spins < 200000000ull) {
        for (int k = 0; k < 1000; k++)
            sum += (uint64_t)k;
        spins++;
    }
    ktest_check(ticks() >= start + 2 && sum == spins * 499500ull,
                "timer: interrupts tick during user computation, which stays correct");
}
