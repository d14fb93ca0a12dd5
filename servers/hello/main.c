/*
 * The first program a newcomer reads: an ordinary C program, started by
 * the process manager with the arguments and environment its spawner
 * gave (init: from boot.conf).  It greets, shows what it was given, and
 * returns 0 -- its exit status, which its spawner reaps.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    const char *greeting = getenv("GREETING");
    printf("%s: %s, world (%d argument%s", argv[0], greeting != NULL ? greeting : "hello", argc - 1,
           argc == 2 ? "" : "s");
    for (int i = 1; i < argc; i++)
        printf("%s \"%s\"", i == 1 ? ":" : ",", argv[i]);
    printf(")\n");
    return 0;
}
