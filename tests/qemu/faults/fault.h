/*
 * The fault tests: each program is booted as the root task on its own,
 * announces itself, then makes one kind of fault.  The kernel must report
 * the fault on the console, stop the thread and keep running (it idles);
 * tools/run-qemu-tests.sh matches the report.  Reaching the line after the
 * fault is a failure.
 */
#include <coffer.h>
#include <stdio.h>

#define FAULT_TEST(what, statement)                                      \
    int main(void)                                                       \
    {                                                                    \
        printf("fault-test: about to make a %s\n", what);                \
        fflush(stdout);                                                  \
        statement;                                                       \
        printf("fault-test: FAILED, execution continued after the fault\n"); \
        return 1;                                                        \
    }
