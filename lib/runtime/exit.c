/*
 * A process's end: exit() flushes stdio and comes here; the process
 * manager is told the status (PROC EXIT, through the capability the
 * manager left in PROCESS_SLOT_MANAGER) and stops the process, so the
 * call does not return.  If it does, the manager refused (a process
 * started by hand, not by the manager): the thread stops itself.
 */
#include <coffer.h>
#include <process/layout.h>
#include <proto/proc_client.h>
#include <stdio.h>
#include <unistd.h>

#include "runtime_internal.h"

void _exit(int status)
{
    fflush(stdout);
    runtime_console_close(); /* its last lines out before its bank goes */
    proc_exit(PROCESS_SLOT_MANAGER, (uint64_t)(unsigned)status);
    for (;;)
        coffer_tcb_suspend(PROCESS_SLOT_TCB);
}
