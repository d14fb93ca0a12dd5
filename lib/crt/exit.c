/*
 * Process exit.  Until the process manager exists a program's exit ends the
 * system: the status becomes QEMU's exit status (0 = success), which is how
 * test and benchmark runs report to the host.
 */
#include <coffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void _exit(int status)
{
    fflush(stdout);
    coffer_debug_shutdown((uint64_t)(unsigned)status);
    for (;;) /* a release kernel has no shutdown call: stop here */
        coffer_yield();
}
