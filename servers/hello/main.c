/*
 * A minimal program that travels in the boot image beside the root task,
 * to be found there (and, with the process manager, started).
 */
#include <stdio.h>

int main(void)
{
    printf("hello: hello, world\n");
    return 0;
}
