/*
 * A program that faults on purpose: it stores through a null pointer.
 * The process manager stops it and makes the fault (type, pc, address)
 * its exit status; nothing else notices.  The demo and the tests spawn it.
 */
#include <stdint.h>
#include <stdio.h>

/* Where it stores: 0, read at run time so that the compiler keeps the
 * store as written. */
static volatile uintptr_t target;

int main(int argc, char **argv)
{
    (void)argc;
    printf("%s: about to store to address 0x%lx\n", argv[0], (unsigned long)target);
    fflush(stdout);
    *(volatile int *)target = 1;
    printf("%s: still here?\n", argv[0]);
    return 1;
}
