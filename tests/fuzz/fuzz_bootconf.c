/*
 * libFuzzer target over the boot-configuration parser (lib/bootconf), the
 * first text init trusts nothing of: the input is the file.  See
 * tests/fuzz/README.md.
 *
 * The text goes in a block of exactly its size, so ASan sees any read past
 * it.  The target aborts -- a crash for libFuzzer -- unless an error is a
 * listed status with a line and column inside the text and no process
 * counted, and unless every process of a text that parses is whole: a
 * valid name and image, a limit, priorities up to 255, a budget of at
 * most its period and neither 0, words inside its text and NUL-terminated,
 * environment words NAME=VALUE, and no two processes of one name.
 */
#include <stdlib.h>
#include <string.h>

#include <bootconf/bootconf.h>

#define CAPACITY 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bootconf_process procs[CAPACITY];

static int name_ok(const char *s)
{
    const char *nul = memchr(s, '\0', BOOTCONF_NAME_MAX + 1);
    size_t n = nul != NULL ? (size_t)(nul - s) : BOOTCONF_NAME_MAX + 1;
    if (n == 0 || n > BOOTCONF_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '_' || s[i] == '-' || s[i] == '.'))
            return 0;
    return 1;
}

static void check_words(const struct bootconf_process *p, const uint16_t *at, unsigned n, int env)
{
    if (n > BOOTCONF_WORDS_MAX)
        abort();
    for (unsigned i = 0; i < n; i++) {
        if (at[i] >= BOOTCONF_TEXT_MAX || memchr(p->text + at[i], '\0', BOOTCONF_TEXT_MAX - at[i]) == NULL)
            abort();
        if (env && (strchr(p->text + at[i], '=') == NULL || p->text[at[i]] == '='))
            abort();
    }
}

static void check_process(const struct bootconf_process *p)
{
    if (!name_ok(p->name) || !name_ok(p->image) || p->limit == 0 || p->priority > 255 || p->mcp > 255 ||
        p->budget_us == 0 || p->period_us == 0 || p->budget_us > p->period_us || p->ncaps > BOOTCONF_CAPS_MAX ||
        p->line == 0)
        abort();
    check_words(p, p->argv, p->argc, 0);
    check_words(p, p->envv, p->envc, 1);
    for (unsigned i = 0; i < p->ncaps; i++)
        if (!name_ok(p->caps[i]))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size != 0 ? size : 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    unsigned n = 99;
    struct bootconf_error err;
    enum bootconf_status s = bootconf_parse(text, size, procs, CAPACITY, &n, &err);
    if (s != BOOTCONF_OK) {
        if ((unsigned)s >= BOOTCONF_STATUS_COUNT_ || err.status != s || err.line == 0 || err.column == 0 ||
            err.column > BOOTCONF_LINE_MAX + 1 || err.line > size + 1 || n != 0)
            abort();
    } else {
        if (n > CAPACITY)
            abort();
        for (unsigned i = 0; i < n; i++) {
            check_process(&procs[i]);
            for (unsigned j = 0; j < i; j++)
                if (strcmp(procs[i].name, procs[j].name) == 0)
                    abort();
        }
    }
    free(text);
    return 0;
}
