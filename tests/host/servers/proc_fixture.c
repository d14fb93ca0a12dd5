/* The process manager's host tests' texts (proc_fixture.h). */
#include <process/spawn_text.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc_fixture.h"

unsigned proc_test_text(uint8_t *out, const char *const *strings, unsigned n)
{
    memset(out, 0, PROC_TEXT_BYTES);
    size_t len = process_spawn_text((char *)out, strings, n);
    if (len == 0 && n > 0) {
        fprintf(stderr, "test_proc: a test text does not fit\n");
        exit(2);
    }
    return (unsigned)len;
}

uint8_t *proc_test_text_alloc(void)
{
    uint8_t *t = malloc(PROC_TEXT_BYTES);
    if (t == NULL)
        exit(2);
    return t;
}
