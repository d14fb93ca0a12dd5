/*
 * A process that takes all the memory its bank allows: `greedy K` mallocs
 * blocks of K KiB and writes to each until malloc returns NULL, reports
 * how far it got and errno, frees everything, shows that a small malloc
 * works again, and exits with the KiB it held (the tests check it
 * against its bank's limit).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BLOCKS 4096

static void *blocks[MAX_BLOCKS];

int main(int argc, char **argv)
{
    size_t kib = argc > 1 ? (size_t)atol(argv[1]) : 64;
    unsigned n = 0;
    errno = 0;
    while (n < MAX_BLOCKS && (blocks[n] = malloc(kib << 10)) != NULL) {
        memset(blocks[n], 0xa5, kib << 10);
        n++;
    }
    int err = errno;
    printf("%s: %u blocks of %zu KiB, then malloc returned NULL (errno %s)\n", argv[0], n, kib,
           err == ENOMEM ? "ENOMEM" : "other");
    for (unsigned i = 0; i < n; i++)
        free(blocks[i]);
    char *again = malloc(100);
    printf("%s: freed them; a small malloc %s\n", argv[0], again != NULL ? "works again" : "FAILED");
    int status = again != NULL && err == ENOMEM ? (int)(n * kib) : -1;
    free(again);
    return status;
}
