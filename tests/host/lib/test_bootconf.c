/*
 * The boot-configuration parser (lib/bootconf): a full file, every key and
 * default, every error with its line and column, and hostile text — random
 * mutations of a valid file, each parsed under ASan and UBSan, which must
 * end in OK or a listed error and never read outside the text.
 *
 *   test_bootconf [seed steps]   the mutations (default: three seeds, 2 * 10^4 each)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bootconf/bootconf.h>

#include "tap.h"
#include "test_util.h"

#define CAPACITY 4
static struct bootconf_process procs[CAPACITY];

static enum bootconf_status parse(const char *text, unsigned *count, struct bootconf_error *err)
{
    return bootconf_parse(text, strlen(text), procs, CAPACITY, count, err);
}

static const char example[] =
    "# the demo\n"
    "[console]\n"
    "limit = 256 KiB\n"
    "priority = 200\n"
    "\n"
    "[hello]   # a comment after a section\n"
    "image    = hello.elf\n"
    "args     = world \"two words\" \"a \\\"quote\\\" and \\\\\" #not-an-arg\n"
    "env      = GREETING=hi EMPTY=\n"
    "limit    = 4MiB\n"
    "priority = 0\n"
    "mcp      = 50\n"
    "budget   = 2 ms\n"
    "period   = 10ms\r\n"
    "caps     = console timer\n";

static void test_example(void)
{
    unsigned n;
    struct bootconf_error err;
    tap_ok(parse(example, &n, &err) == BOOTCONF_OK && n == 2, "a file of two processes parses");
    const struct bootconf_process *c = &procs[0], *h = &procs[1];
    tap_ok(strcmp(c->name, "console") == 0 && strcmp(c->image, "console") == 0 && c->limit == 256u << 10 &&
               c->priority == 200 && c->mcp == 200 && c->budget_us == 10000 && c->period_us == 10000 &&
               c->argc == 0 && c->envc == 0 && c->ncaps == 0 && c->line == 2,
           "defaults: the image is the name, mcp the priority, all of 10 ms, no words");
    tap_ok(strcmp(h->image, "hello.elf") == 0 && h->limit == 4u << 20 && h->priority == 0 && h->mcp == 50 &&
               h->budget_us == 2000 && h->period_us == 10000 && h->line == 6,
           "keys: image, limit with an attached unit, priority 0, mcp, budget and period (a CRLF line)");
    tap_ok(h->argc == 3 && strcmp(bootconf_arg(h, 0), "world") == 0 && strcmp(bootconf_arg(h, 1), "two words") == 0 &&
               strcmp(bootconf_arg(h, 2), "a \"quote\" and \\") == 0 && bootconf_arg(h, 3) == NULL,
           "args: plain and quoted words, escapes, a comment after them");
    tap_ok(h->envc == 2 && strcmp(bootconf_env(h, 0), "GREETING=hi") == 0 && strcmp(bootconf_env(h, 1), "EMPTY=") == 0 &&
               h->ncaps == 2 && strcmp(h->caps[0], "console") == 0 && strcmp(h->caps[1], "timer") == 0,
           "env and caps");
    tap_ok(parse("", &n, &err) == BOOTCONF_OK && n == 0 && parse("# nothing\n\n  \t\n", &n, &err) == BOOTCONF_OK &&
               n == 0,
           "an empty file, and one of comments and blanks: no processes");
    tap_ok(parse("[a]\nlimit = 1\n[b]\nlimit=5 G\n", &n, &err) == BOOTCONF_OK && n == 2 && procs[0].limit == 1 &&
               procs[1].limit == 5ull << 30,
           "limits in bytes without a unit, and in GiB; no blanks around =");
}

struct bad {
    const char *text;
    enum bootconf_status status;
    unsigned line, column;
    const char *what;
};

static const struct bad bads[] = {
    { "[a]\nlimit = 1\0\n", BOOTCONF_ERR_NUL, 2, 10, "a NUL byte" },
    { "[a]\nlimit = 1 # ...........................................................................................................................................................................................................................................................\n",
      BOOTCONF_ERR_LINE_TOO_LONG, 2, 256, "a line of 256 bytes" },
    { "[a]\nlimit 1\n", BOOTCONF_ERR_SYNTAX, 2, 7, "a key without =" },
    { "[a\n", BOOTCONF_ERR_SYNTAX, 1, 3, "a section without ]" },
    { "[a] x\n", BOOTCONF_ERR_SYNTAX, 1, 5, "words after a section" },
    { "[a]\n= 1\n", BOOTCONF_ERR_SYNTAX, 2, 1, "= without a key" },
    { "[]\n", BOOTCONF_ERR_NAME, 1, 2, "an empty process name" },
    { "[a b]\n", BOOTCONF_ERR_NAME, 1, 2, "a blank in a process name" },
    { "[abcdefghijklmnopqrstuvwxyz012345]\n", BOOTCONF_ERR_NAME, 1, 2, "a process name of 32 characters" },
    { "[a]\nlimit = 1\n[a]\nlimit = 1\n", BOOTCONF_ERR_DUPLICATE_PROCESS, 3, 2, "a process named twice" },
    { "[a]\nlimit=1\n[b]\nlimit=1\n[c]\nlimit=1\n[d]\nlimit=1\n[e]\n", BOOTCONF_ERR_TOO_MANY_PROCESSES, 9, 1,
      "more processes than the array holds" },
    { "limit = 1\n", BOOTCONF_ERR_OUTSIDE, 1, 1, "a key before any process" },
    { "[a]\nlimits = 1\n", BOOTCONF_ERR_UNKNOWN_KEY, 2, 1, "an unknown key" },
    { "[a]\nlimit = 1\nlimit = 2\n", BOOTCONF_ERR_DUPLICATE_KEY, 3, 1, "a key twice" },
    { "[a]\nlimit =\n", BOOTCONF_ERR_VALUE, 2, 8, "no value" },
    { "[a]\nlimit = # none\n", BOOTCONF_ERR_VALUE, 2, 9, "only a comment for a value" },
    { "[a]\nlimit = 1 MiB more\n", BOOTCONF_ERR_VALUE, 2, 15, "a word after a number and its unit" },
    { "[a]\nimage = x y\nlimit = 1\n", BOOTCONF_ERR_VALUE, 2, 11, "two images" },
    { "[a]\nlimit = lots\n", BOOTCONF_ERR_NUMBER, 2, 9, "not a number" },
    { "[a]\nlimit = 18446744073709551616\n", BOOTCONF_ERR_NUMBER, 2, 9, "2^64" },
    { "[a]\nlimit = 17179869184 G\n", BOOTCONF_ERR_NUMBER, 2, 9, "2^34 GiB: past 64 bits" },
    { "[a]\nlimit = 4 MB\n", BOOTCONF_ERR_UNIT, 2, 11, "MB: not a unit (MiB or M)" },
    { "[a]\nlimit = 1\nbudget = 5\n", BOOTCONF_ERR_UNIT, 3, 10, "a time without its unit" },
    { "[a]\nlimit = 1\npriority = 5 ms\n", BOOTCONF_ERR_UNIT, 3, 14, "a unit on a priority" },
    { "[a]\nlimit = 0\n", BOOTCONF_ERR_RANGE, 2, 9, "a limit of 0" },
    { "[a]\nlimit = 1\npriority = 256\n", BOOTCONF_ERR_RANGE, 3, 12, "priority 256" },
    { "[a]\nlimit = 1\nmcp = 300\n", BOOTCONF_ERR_RANGE, 3, 7, "mcp 300" },
    { "[a]\nlimit = 1\nperiod = 0 ms\n", BOOTCONF_ERR_RANGE, 3, 10, "a period of 0" },
    { "[a]\nlimit = 1\nbudget = 11 ms\n", BOOTCONF_ERR_RANGE, 3, 1, "a budget above the default period" },
    { "[a]\nlimit = 1\nbudget = 3 ms\nperiod = 2 ms\n", BOOTCONF_ERR_RANGE, 3, 1, "a budget above its period" },
    { "[a]\nlimit = 1\nargs = \"open\n", BOOTCONF_ERR_QUOTE, 3, 8, "an unterminated quote" },
    { "[a]\nlimit = 1\nargs = \"a\\n\"\n", BOOTCONF_ERR_QUOTE, 3, 8, "an unknown escape" },
    { "[a]\nlimit = 1\nargs = ab\"c\"\n", BOOTCONF_ERR_QUOTE, 3, 8, "a quote inside a word" },
    { "[a]\nlimit = 1\nargs = \"a\"b\n", BOOTCONF_ERR_QUOTE, 3, 8, "a word running on after its quote" },
    { "[a]\nlimit = 1\nargs = 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n", BOOTCONF_ERR_TOO_MANY_WORDS, 3, 47,
      "17 arguments" },
    { "[a]\nlimit = 1\ncaps = a b c d e f g h i\n", BOOTCONF_ERR_TOO_MANY_WORDS, 3, 24, "9 services" },
    { "[a]\nlimit = 1\ncaps = con$ole\n", BOOTCONF_ERR_NAME, 3, 8, "a service name with $" },
    { "[a]\nlimit = 1\nimage = ../x\n", BOOTCONF_ERR_NAME, 3, 9, "an image name with /" },
    { "[a]\nlimit = 1\nenv = NOEQUALS\n", BOOTCONF_ERR_ENV, 3, 7, "an environment word without =" },
    { "[a]\nlimit = 1\nenv = =x\n", BOOTCONF_ERR_ENV, 3, 7, "an environment word without a name" },
    { "[a]\npriority = 1\n[b]\nlimit = 1\n", BOOTCONF_ERR_MISSING, 1, 1, "a process without a limit" },
    { "[a]\nlimit = 1\n[b]\n", BOOTCONF_ERR_MISSING, 3, 1, "the last process without a limit" },
};

static void test_errors(void)
{
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        const struct bad *b = &bads[i];
        unsigned n;
        struct bootconf_error err;
        size_t len = strlen(b->text);
        if (b->status == BOOTCONF_ERR_NUL)
            len += 2; /* the NUL and the newline after it */
        enum bootconf_status s = bootconf_parse(b->text, len, procs, CAPACITY, &n, &err);
        tap_okf(s == b->status && err.status == s && err.line == b->line && err.column == b->column && n == 0,
                "%s: %s at %u:%u (got %u at %u:%u)", b->what, bootconf_strerror(b->status), b->line, b->column,
                (unsigned)s, err.line, err.column);
    }
}

static void test_text_full(void)
{
    /* 8 arguments of 30 bytes (248 with their NULs) and environment words
     * of 28 make 364; a fifth of 19 fills the 384 bytes, one of 28 is too
     * much. */
    char text[1024] = "[a]\nlimit = 1\nargs =";
    for (unsigned i = 0; i < 8; i++)
        strcat(text, " abcdefghijklmnopqrstuvwxyz0123");
    strcat(text, "\nenv =");
    for (unsigned i = 0; i < 4; i++)
        strcat(text, " A=abcdefghijklmnopqrstuvwxyz");
    size_t base = strlen(text);
    unsigned n;
    struct bootconf_error err;
    strcat(text, " B=abcdefghijklmnopq\n");
    tap_ok(parse(text, &n, &err) == BOOTCONF_OK && procs[0].argc == 8 && procs[0].envc == 5 &&
               strcmp(bootconf_env(&procs[0], 4), "B=abcdefghijklmnopq") == 0,
           "text: 8 arguments and 5 environment words fill its 384 bytes");
    strcpy(text + base, " B=abcdefghijklmnopqrstuvwxyz\n");
    tap_ok(parse(text, &n, &err) == BOOTCONF_ERR_TEXT_FULL && err.line == 4 && err.column == 123,
           "text: a word past the 384 bytes: TEXT_FULL at that word");
    tap_ok(strcmp(bootconf_strerror(BOOTCONF_ERR_TEXT_FULL), "a process's words take more than 384 bytes") == 0 &&
               strcmp(bootconf_strerror(BOOTCONF_STATUS_COUNT_), "unknown status") == 0,
           "strerror: the text of a status, and of one past the list");
}

/* Random bytes changed, inserted and deleted in the example: every parse
 * ends in OK or a listed status, its position inside the text. */
static void test_mutations(uint64_t seed, unsigned steps)
{
    test_rng_seed(seed);
    static const char alphabet[] = "[]=\"\\# \t\n\r\0azAZ09.-_$MiKGsum";
    unsigned bad = 0, accepted = 0;
    for (unsigned i = 0; i < steps && bad == 0; i++) {
        char buf[sizeof example + 64];
        size_t len = sizeof example - 1;
        memcpy(buf, example, len);
        unsigned edits = 1 + (unsigned)test_rng_below(8);
        for (unsigned e = 0; e < edits; e++) {
            size_t at = (size_t)(test_rng_below(len + 1));
            char ch = alphabet[test_rng_below(sizeof alphabet - 1)];
            unsigned op = (unsigned)test_rng_below(3);
            if (op == 0 && at < len) {
                buf[at] = ch;
            } else if (op == 1 && len < sizeof buf) {
                memmove(buf + at + 1, buf + at, len - at);
                buf[at] = ch;
                len++;
            } else if (at < len) {
                memmove(buf + at, buf + at + 1, len - at - 1);
                len--;
            }
        }
        /* The text goes in a block of its own size: ASan sees a read past it. */
        char *text = malloc(len + 1);
        memcpy(text, buf, len);
        unsigned n;
        struct bootconf_error err;
        enum bootconf_status s = bootconf_parse(text, len, procs, CAPACITY, &n, &err);
        free(text);
        if (s == BOOTCONF_OK)
            accepted++;
        else if ((unsigned)s >= BOOTCONF_STATUS_COUNT_ || err.status != s || err.line == 0 || err.column == 0)
            bad = i + 1;
    }
    tap_okf(bad == 0, "mutations (seed %llu, %u texts, %u still valid): each parses to OK or a listed error",
            (unsigned long long)seed, steps, accepted);
}


/* bootconf_bytes: a limit's number and unit in one word, as the shell's
 * --limit takes it. */
static void test_bytes_word(void)
{
    static const struct { const char *word; uint64_t bytes; } good[] = {
        { "65536", 65536 }, { "0", 0 }, { "512K", 512u << 10 }, { "512KiB", 512u << 10 }, { "4M", 4u << 20 },
        { "4MiB", 4u << 20 }, { "1G", 1ull << 30 }, { "2GiB", 2ull << 30 }, { "100B", 100 },
        { "18446744073709551615", UINT64_MAX },
    };
    static const char *const bad[] = { "", "K", "4 M", "4m", "4MB", "4Mi", "-1", "0x10", "17179869184G",
                                       "18446744073709551616" };
    bool all = true;
    for (unsigned i = 0; i < sizeof good / sizeof good[0]; i++) {
        uint64_t v = 1;
        all = all && bootconf_bytes(good[i].word, &v) && v == good[i].bytes;
    }
    tap_ok(all, "bytes: digits alone or with B, K, KiB, M, MiB, G, GiB, up to 2^64 - 1");
    all = true;
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v = 7;
        all = all && !bootconf_bytes(bad[i], &v) && v == 7;
    }
    tap_ok(all, "bytes: empty, no digits, a blank, an unknown unit, a sign, hex, past 64 bits refused, nothing written");
}
int main(int argc, char **argv)
{
    test_example();
    test_bytes_word();
    test_errors();
    test_text_full();
    test_seeded_runs(argc, argv, test_mutations, 20000);
    return tap_done();
}
