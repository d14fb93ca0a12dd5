/*
 * SPAWN's text (proto/proc.def): PROC_TEXT_BYTES of NUL-terminated
 * strings -- the image's name (SPAWN's; SPAWN_FRAME's has none), argv[0],
 * argc arguments, envc NAME=VALUE words -- and then anything (the client
 * sends zeros; more strings asked for than it wrote are empty ones).
 * Untrusted: every string must end inside the text; nothing is read past
 * it.
 */
#include <string.h>

#include "proc.h"

/* The string at *at, if its NUL lies inside the text; *at moves past it. */
static const char *next_string(const uint8_t *text, unsigned *at)
{
    if (*at >= PROC_TEXT_BYTES)
        return NULL;
    const uint8_t *nul = memchr(text + *at, 0, PROC_TEXT_BYTES - *at);
    if (nul == NULL)
        return NULL;
    const char *s = (const char *)text + *at;
    *at = (unsigned)(nul - text) + 1;
    return s;
}

unsigned proc_text_parse(const uint8_t *text, unsigned argc, unsigned envc, bool named, struct proc_text *out)
{
    if (argc > PROC_WORDS_MAX || envc > PROC_WORDS_MAX)
        return 1;
    unsigned at = 0;
    struct proc_text t = { .argc = argc + 1, .envc = envc };
    if (named && (t.image = next_string(text, &at)) == NULL)
        return 2;
    for (unsigned i = 0; i < t.argc; i++)
        if ((t.argv[i] = next_string(text, &at)) == NULL)
            return 2;
    for (unsigned i = 0; i < envc; i++)
        if ((t.envp[i] = next_string(text, &at)) == NULL)
            return 2;
    for (unsigned i = 0; i < envc; i++)
        if (t.envp[i][0] == '=' || strchr(t.envp[i], '=') == NULL)
            return 3;
    if ((named && t.image[0] == '\0') || t.argv[0][0] == '\0')
        return 4;
    *out = t;
    return 0;
}
