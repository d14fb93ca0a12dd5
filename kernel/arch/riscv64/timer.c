/*
 * The supervisor timer, programmed through the SBI TIME extension.  It
 * ticks every TICK_MS milliseconds; the scheduler (threads layer) uses the
 * ticks for preemption, and the tick count is visible through the
 * DEBUG_KERNEL_INFO system call.
 */
#include "platform.h"
#include "sbi.h"

#define TICK_MS 10

static uint64_t ticks;
static uint64_t timebase_hz;
static uint64_t tick_interval;

static void timer_arm(void)
{
    sbi_set_timer(csr_read(time) + tick_interval);
}

void timer_init(uint64_t hz)
{
    timebase_hz = hz;
    tick_interval = hz / (1000 / TICK_MS);
    timer_arm();
    csr_set(sie, SIE_STIE);
}

void timer_tick(void)
{
    ticks++;
    timer_arm();
}

uint64_t timer_ticks(void)
{
    return ticks;
}

uint64_t timer_timebase_hz(void)
{
    return timebase_hz;
}
