/*
 * SPAWN's text parser (servers/proc/proc_text.c) on the host: every
 * string and count it takes or refuses, and seeded mutations of a valid
 * text against a model, in a buffer of exactly PROC_TEXT_BYTES so that
 * ASan catches a read past it.
 */
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "proc_fixture.h"
#include "tap.h"
#include "test_util.h"

#define MUTATIONS 20000

/* ---------------------------------------------------------- proc_text_parse */

static void test_parse_valid(void)
{
    uint8_t *text = proc_test_text_alloc();
    TEXT(text, "prog.elf", "prog", "-v", "file", "HOME=/", "TERM=vt100");
    struct proc_text t;
    unsigned r = proc_text_parse(text, 2, 2, true, &t);
    const char *c = (const char *)text;
    tap_ok(r == 0 && t.argc == 3 && t.envc == 2,
           "parse: image, argv[0], two arguments, two words: OK, argc 3 (argv[0] counted), envc 2");
    tap_ok(r == 0 && t.image == c && t.argv[0] == c + 9 && t.argv[1] == c + 14 && t.argv[2] == c + 17 &&
               t.envp[0] == c + 22 && t.envp[1] == c + 29,
           "parse: each pointer points at its string inside the text, nothing copied");
    tap_ok(r == 0 && strcmp(t.argv[2], "file") == 0 && strcmp(t.envp[1], "TERM=vt100") == 0,
           "parse: the strings read back as written");
    TEXT(text, "prog.elf", "prog", "A=");
    tap_ok(proc_text_parse(text, 0, 1, true, &t) == 0 && t.argc == 1 && strcmp(t.envp[0], "A=") == 0,
           "parse: an environment word with an empty value is fine");
    TEXT(text, "prog", "-v", "HOME=/");
    tap_ok(proc_text_parse(text, 1, 1, false, &t) == 0 && t.image == NULL && t.argv[0] == c && t.argv[1] == c + 5 &&
               t.envp[0] == c + 8,
           "parse without a name (SPAWN_FRAME): the text starts at argv[0], no image name");
    free(text);
}

/* Error 1: more than PROC_WORDS_MAX arguments or words; exactly that many
 * is fine. */
static void test_parse_counts(void)
{
    uint8_t *text = proc_test_text_alloc();
    const char *strings[2 + PROC_WORDS_MAX + PROC_WORDS_MAX];
    unsigned n = 0;
    strings[n++] = "prog.elf";
    strings[n++] = "prog";
    for (unsigned k = 0; k < PROC_WORDS_MAX; k++)
        strings[n++] = "a";
    for (unsigned k = 0; k < PROC_WORDS_MAX; k++)
        strings[n++] = "E=v";
    proc_test_text(text, strings, n);
    struct proc_text t;
    tap_ok(proc_text_parse(text, PROC_WORDS_MAX, PROC_WORDS_MAX, true, &t) == 0 && t.argc == 1 + PROC_WORDS_MAX &&
               t.envc == PROC_WORDS_MAX,
           "parse: PROC_WORDS_MAX arguments and PROC_WORDS_MAX words: OK");
    tap_ok(proc_text_parse(text, PROC_WORDS_MAX + 1, 0, true, &t) == 1, "parse: PROC_WORDS_MAX + 1 arguments: 1");
    tap_ok(proc_text_parse(text, 0, PROC_WORDS_MAX + 1, true, &t) == 1, "parse: PROC_WORDS_MAX + 1 words: 1");
    tap_ok(proc_text_parse(text, 255, 255, true, &t) == 1, "parse: the largest counts the 8-bit fields hold: 1");
    free(text);
}

/* Error 2: a string whose NUL is not inside the text. */
static void test_parse_unterminated(void)
{
    uint8_t *text = proc_test_text_alloc();
    struct proc_text t;
    memset(text, 'x', PROC_TEXT_BYTES);
    tap_ok(proc_text_parse(text, 0, 0, true, &t) == 2, "parse: no NUL anywhere: 2");

    /* The last string runs to the end of the text: its NUL would be byte
     * PROC_TEXT_BYTES, outside. */
    TEXT(text, "prog.elf", "prog");
    memset(text + 14, 'y', PROC_TEXT_BYTES - 14);
    tap_ok(proc_text_parse(text, 1, 0, true, &t) == 2, "parse: an argument running to the end of the 384 bytes: 2");
    tap_ok(proc_text_parse(text, 0, 1, true, &t) == 2, "parse: an environment word running to the end: 2");

    /* Its NUL on the last byte: the text is exactly full, and valid. */
    text[PROC_TEXT_BYTES - 1] = 0;
    text[20] = '=';
    tap_ok(proc_text_parse(text, 0, 1, true, &t) == 0 && t.envp[0] == (const char *)text + 14 &&
               strlen(t.envp[0]) == PROC_TEXT_BYTES - 15,
           "parse: a word whose NUL is the text's last byte: OK");
    tap_ok(proc_text_parse(text, 0, 2, true, &t) == 2, "parse: one string more than an exactly full text holds: 2");

    /* Zeros after the strings are empty strings, so an argument asked for
     * past them is there (empty); only the image and argv[0] must not be. */
    TEXT(text, "prog.elf", "prog");
    tap_ok(proc_text_parse(text, PROC_WORDS_MAX, 0, true, &t) == 0 && t.argv[PROC_WORDS_MAX][0] == '\0',
           "parse: arguments past the written strings are the empty strings of the zero padding");
    free(text);
}

/* Error 3: an environment word that is no NAME=VALUE. */
static void test_parse_env(void)
{
    uint8_t *text = proc_test_text_alloc();
    struct proc_text t;
    TEXT(text, "prog.elf", "prog", "HOME=/", "NOVALUE");
    tap_ok(proc_text_parse(text, 0, 2, true, &t) == 3, "parse: an environment word without '=': 3");
    TEXT(text, "prog.elf", "prog", "=value");
    tap_ok(proc_text_parse(text, 0, 1, true, &t) == 3, "parse: an environment word starting with '=': 3");
    TEXT(text, "prog.elf", "prog", "NOVALUE");
    tap_ok(proc_text_parse(text, 1, 0, true, &t) == 0, "parse: the same string as an argument is fine");
    free(text);
}

/* Error 4: an empty image name or argv[0]. */
static void test_parse_empty(void)
{
    uint8_t *text = proc_test_text_alloc();
    struct proc_text t;
    TEXT(text, "", "prog");
    tap_ok(proc_text_parse(text, 0, 0, true, &t) == 4, "parse: an empty image name: 4");
    TEXT(text, "prog.elf", "", "arg");
    tap_ok(proc_text_parse(text, 1, 0, true, &t) == 4, "parse: an empty argv[0]: 4");
    TEXT(text, "", "arg");
    tap_ok(proc_text_parse(text, 1, 0, false, &t) == 4, "parse without a name (SPAWN_FRAME): an empty argv[0]: 4");
    free(text);
}

/* What proc_text_parse should answer, from the protocol's words: the
 * counts, then every string's NUL inside the text, then the environment
 * words, then the names. */
static unsigned parse_model(const uint8_t *text, unsigned argc, unsigned envc, bool named)
{
    if (argc > PROC_WORDS_MAX || envc > PROC_WORDS_MAX)
        return 1;
    unsigned first = named ? 2 : 1; /* the strings before the arguments */
    unsigned start[2 + PROC_WORDS_MAX + PROC_WORDS_MAX], at = 0, n = first + argc + envc;
    for (unsigned k = 0; k < n; k++) {
        start[k] = at;
        while (at < PROC_TEXT_BYTES && text[at] != 0)
            at++;
        if (at == PROC_TEXT_BYTES)
            return 2;
        at++;
    }
    for (unsigned k = first + argc; k < n; k++)
        if (text[start[k]] == '=' || strchr((const char *)text + start[k], '=') == NULL)
            return 3;
    return text[start[0]] == 0 || text[start[first - 1]] == 0 ? 4 : 0;
}

/* On success: every pointer inside the text, in order, at a string's
 * start (compared as addresses: nothing is read through a bad one). */
static bool parse_result_sane(const uint8_t *text, const struct proc_text *t, unsigned argc, unsigned envc,
                              bool named)
{
    const char *all[1 + 1 + PROC_WORDS_MAX + PROC_WORDS_MAX];
    unsigned n = 0;
    if (t->argc != argc + 1 || t->envc != envc || (!named && t->image != NULL))
        return false;
    if (named)
        all[n++] = t->image;
    for (unsigned k = 0; k < t->argc; k++)
        all[n++] = t->argv[k];
    for (unsigned k = 0; k < t->envc; k++)
        all[n++] = t->envp[k];
    uintptr_t lo = (uintptr_t)text, next = lo; /* the first byte the next string may start at */
    for (unsigned k = 0; k < n; k++) {
        uintptr_t at = (uintptr_t)all[k];
        if (at < next || at >= lo + PROC_TEXT_BYTES || (at != lo && text[at - lo - 1] != 0))
            return false;
        next = at + 1;
    }
    return true;
}

/* Random damage to a valid text: a byte anything, a NUL made or removed,
 * an '=' put in, the tail filled; and counts around the valid ones. */
static void mutate(uint8_t *text)
{
    unsigned edits = 1 + (unsigned)test_rng_below(4);
    for (unsigned e = 0; e < edits; e++) {
        unsigned at = (unsigned)test_rng_below(PROC_TEXT_BYTES);
        switch (test_rng_below(5)) {
        case 0: text[at] = (uint8_t)test_rng(); break;
        case 1: text[at] = 0; break;
        case 2: text[at] = text[at] == 0 ? 'z' : text[at]; break;
        case 3: text[at] = '='; break;
        default: memset(text + at, 'q', PROC_TEXT_BYTES - at); break;
        }
    }
}

static void test_parse_mutations(void)
{
    uint8_t *valid = proc_test_text_alloc(), *text = proc_test_text_alloc();
    TEXT(valid, "prog.elf", "prog", "-v", "file", "HOME=/", "TERM=vt100");
    test_rng_seed(0x70c);
    unsigned bad = 0, wrong = 0, insane = 0, seen[5] = { 0 };
    for (unsigned k = 0; k < MUTATIONS; k++) {
        memcpy(text, valid, PROC_TEXT_BYTES);
        mutate(text);
        unsigned argc = (unsigned)test_rng_below(PROC_WORDS_MAX + 2);
        unsigned envc = (unsigned)test_rng_below(PROC_WORDS_MAX + 2);
        bool named = test_rng_below(4) != 0; /* SPAWN's, or SPAWN_FRAME's */
        struct proc_text t;
        unsigned r = proc_text_parse(text, argc, envc, named, &t);
        if (r > 4) {
            bad++;
            continue;
        }
        seen[r]++;
        if (r != parse_model(text, argc, envc, named))
            wrong++;
        if (r == 0 && !parse_result_sane(text, &t, argc, envc, named))
            insane++;
    }
    tap_okf(bad == 0 && wrong == 0 && insane == 0,
            "parse: %u mutated texts (seed 0x70c), with and without a name: always 0..4, the model's answer, pointers inside the text "
            "(OK %u, counts %u, no NUL %u, no '=' %u, empty %u)",
            MUTATIONS, seen[0], seen[1], seen[2], seen[3], seen[4]);
    if (bad || wrong || insane)
        tap_diag("out of range %u, not the model's %u, bad pointers %u", bad, wrong, insane);
    tap_ok(seen[0] > 0 && seen[1] > 0 && seen[2] > 0 && seen[3] > 0 && seen[4] > 0,
           "parse: the mutations reached every answer");
    free(valid);
    free(text);
}

int main(void)
{
    test_parse_valid();
    test_parse_counts();
    test_parse_unterminated();
    test_parse_env();
    test_parse_empty();
    test_parse_mutations();
    return tap_done();
}
