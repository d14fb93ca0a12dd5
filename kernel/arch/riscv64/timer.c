/*
 * The supervisor timer.  The scheduler (sched.c) asks for one interrupt
 * at a time, at the earliest of the end of the time slice, the end of the
 * running budget and the next budget refill; the interrupt count is
 * visible through DEBUG_KERNEL_INFO.  The comparator is set through the
 * SBI TIME extension, only when the deadline changes (an SBI call costs
 * hundreds of instructions).
 */
#include "arch.h"
#include "platform.h"
#include "sbi.h"

static uint64_t ticks;
static uint64_t timebase_hz;
static uint64_t programmed = ~0ull; /* the deadline set, ~0 none */

void timer_init(uint64_t hz)
{
    timebase_hz = hz;
    csr_set(sie, SIE_STIE);
}

uint64_t arch_time_now(void)
{
    return csr_read(time);
}

uint64_t arch_time_hz(void)
{
    return timebase_hz;
}

void arch_set_deadline(uint64_t when)
{
    if (when == programmed)
        return;
    programmed = when;
    sbi_set_timer(when);
}

void timer_interrupt(void)
{
    ticks++;
    /* The comparator stays pending until it is set again. */
    programmed = ~0ull;
    sbi_set_timer(~0ull);
}

uint64_t timer_ticks(void)
{
    return ticks;
}

uint64_t timer_timebase_hz(void)
{
    return timebase_hz;
}
