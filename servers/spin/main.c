/*
 * A process that computes for ever: the tests kill it while it runs.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argc;
    printf("%s: spinning\n", argv[0]);
    fflush(stdout);
    for (volatile unsigned long n = 0;; n++)
        ;
}
