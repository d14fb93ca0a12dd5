/*
 * SPAWN's text for spawners (spawn_text.h): init, the tests, programs that
 * spawn.
 */
#include <process/spawn_text.h>
#include <string.h>

size_t process_spawn_text(char out[PROCESS_SPAWN_TEXT_BYTES], const char *const *words, unsigned n)
{
    size_t len = 0;
    for (unsigned i = 0; i < n; i++) {
        size_t w = strlen(words[i]) + 1;
        if (w > PROCESS_SPAWN_TEXT_BYTES - len)
            return 0;
        memcpy(out + len, words[i], w);
        len += w;
    }
    return len;
}
