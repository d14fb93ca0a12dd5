/*
 * The run loop.  Until the scheduler arrives with the threads layer there is
 * exactly one user thread, the root task: the kernel returns to it or, once
 * it has stopped, idles with interrupts enabled so timer ticks and the
 * console still work.
 */
#include "thread.h"
#include "arch.h"
#include "kprintf.h"

struct thread *current_thread;

void thread_stop(struct thread *t)
{
    t->state = THREAD_STOPPED;
    kprintf("coffer: thread '%s' stopped\n", t->name);
}

void schedule(void)
{
    struct thread *t = current_thread;
    if (t != NULL && t->state == THREAD_RUNNABLE)
        arch_run_thread(t);
    kprintf("coffer: no runnable thread; idle\n");
    for (;;)
        arch_idle();
}
