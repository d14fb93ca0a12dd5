/*
 * The shell's logic (servers/shell/shell.c): words and quotes, a script's
 * commands, spawn's and the pids' arguments, the line editor byte by
 * byte, the units for people; and the commands refusing bad arguments
 * before any system call (shell_commands.c).
 */
#include "shell.h"
#include "shell_commands.h"
#include "tap.h"
#include <string.h>

static bool words_are(const char *line, const char *const *want, unsigned n)
{
    char copy[SHELL_LINE_MAX + 1];
    struct shell_words w;
    snprintf(copy, sizeof copy, "%s", line);
    if (shell_split(copy, &w) != SHELL_SPLIT_OK || w.n != n)
        return false;
    for (unsigned i = 0; i < n; i++)
        if (strcmp(w.w[i], want[i]) != 0)
            return false;
    return true;
}

static enum shell_split_status split_status(const char *line)
{
    char copy[SHELL_LINE_MAX + 1];
    struct shell_words w;
    snprintf(copy, sizeof copy, "%s", line);
    return shell_split(copy, &w);
}

static void test_split(void)
{
    tap_ok(words_are("  spawn\thello  world ", (const char *const[]){ "spawn", "hello", "world" }, 3),
           "split: blanks and tabs separate words, leading and trailing ones too");
    tap_ok(words_are("spawn hello \"two words\" x\"y z\"", (const char *const[]){ "spawn", "hello", "two words", "xy z" }, 4),
           "split: double quotes keep blanks inside a word, also in the middle of one");
    tap_ok(words_are("a \"q\\\"uote\\\\\" \"\"", (const char *const[]){ "a", "q\"uote\\", "" }, 3),
           "split: a backslash in quotes keeps the next byte; \"\" is an empty word");
    tap_ok(words_are("", NULL, 0) && words_are("   ", NULL, 0), "split: an empty or blank line has no words");
    tap_ok(split_status("spawn \"open") == SHELL_SPLIT_QUOTE, "split: an open quote is SHELL_SPLIT_QUOTE");
    char many[SHELL_LINE_MAX + 1] = "";
    for (unsigned i = 0; i < SHELL_WORDS_MAX; i++)
        strcat(many, "w ");
    tap_ok(split_status(many) == SHELL_SPLIT_OK, "split: SHELL_WORDS_MAX words fit");
    strcat(many, "w");
    tap_ok(split_status(many) == SHELL_SPLIT_TOO_MANY, "split: one more is SHELL_SPLIT_TOO_MANY");
}

static void test_script(void)
{
    const char *script = " ps;; spawn hello --limit 512K ;\nwait ;  ", *s = script;
    char line[SHELL_LINE_MAX + 1];
    bool ok = shell_next_command(&s, line) && strcmp(line, "ps") == 0 && shell_next_command(&s, line) &&
              strcmp(line, "spawn hello --limit 512K") == 0 && shell_next_command(&s, line) &&
              strcmp(line, "wait") == 0 && !shell_next_command(&s, line) && !shell_next_command(&s, line);
    tap_ok(ok, "script: commands end at ';' or a newline, blanks and empty commands skipped, then the end");
    char longer[SHELL_LINE_MAX + 40];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    s = longer;
    tap_ok(shell_next_command(&s, line) && strlen(line) == SHELL_LINE_MAX && *s == '\0',
           "script: a command past 200 bytes is cut at 200, the rest skipped");
}

static const char *spawn_of(const char *line, struct shell_spawn *sp, char *copy)
{
    struct shell_words w;
    strcpy(copy, line);
    shell_split(copy, &w);
    return shell_parse_spawn(&w, sp);
}

static void test_spawn_args(void)
{
    char copy[SHELL_LINE_MAX + 1];
    struct shell_spawn sp;
    tap_ok(spawn_of("spawn hello", &sp, copy) == NULL && strcmp(sp.image, "hello") == 0 && sp.argc == 0 &&
               sp.limit == SHELL_DEFAULT_LIMIT,
           "spawn IMAGE: no arguments, the default limit of 1 MiB");
    tap_ok(spawn_of("spawn hello a --limit 512K b", &sp, copy) == NULL && sp.argc == 2 &&
               strcmp(sp.argv[0], "a") == 0 && strcmp(sp.argv[1], "b") == 0 && sp.limit == 512u << 10,
           "spawn: --limit anywhere after the image, the arguments around it kept in order");
    tap_ok(spawn_of("spawn --limit 4MiB hello", &sp, copy) == NULL && strcmp(sp.image, "hello") == 0 &&
               sp.limit == 4u << 20,
           "spawn: --limit before the image");
    static const char *const bad[] = { "spawn", "spawn --limit 1M", "spawn hello --limit", "spawn hello --limit 4MB",
                                       "spawn hello --limit 0", "spawn hello --limit 1M --limit 2M" };
    bool all = true;
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        all = all && spawn_of(bad[i], &sp, copy) != NULL;
    tap_ok(all, "spawn: no image, --limit without a byte count, 0 or twice: refused with a reason");
    char many[SHELL_LINE_MAX + 1] = "spawn hello";
    for (unsigned i = 0; i < SHELL_ARGS_MAX; i++)
        strcat(many, " a");
    tap_ok(spawn_of(many, &sp, copy) == NULL && sp.argc == SHELL_ARGS_MAX, "spawn: 16 arguments fit");
    strcat(many, " a");
    tap_ok(spawn_of(many, &sp, copy) != NULL, "spawn: a 17th argument is refused");
}

static void test_pids(void)
{
    uint64_t pid = 0;
    tap_ok(shell_parse_pid("1", &pid) && pid == 1 && shell_parse_pid("16777215", &pid) && pid == 0xffffff,
           "pid: 1 to 2^24 - 1");
    static const char *const bad[] = { "", "0", "16777216", "99999999999999999999999", "-1", "12a", " 1", "0x10" };
    bool all = true;
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pid = 7;
        all = all && !shell_parse_pid(bad[i], &pid) && pid == 7;
    }
    tap_ok(all, "pid: empty, 0, past 2^24 - 1, signs, letters, blanks, hex refused, nothing written");
}

/* Feeds the bytes of s to the editor; the last result, all the echo. */
static enum shell_edit feed(struct shell_editor *e, const char *s, size_t n, char *echoed, size_t *echoed_len)
{
    enum shell_edit r = SHELL_EDIT_MORE;
    *echoed_len = 0;
    for (size_t i = 0; i < n; i++) {
        char echo[SHELL_ECHO_MAX];
        size_t len;
        r = shell_edit(e, (unsigned char)s[i], echo, &len);
        memcpy(echoed + *echoed_len, echo, len);
        *echoed_len += len;
    }
    echoed[*echoed_len] = '\0';
    return r;
}

static void test_editor(void)
{
    struct shell_editor e = { 0 };
    char echoed[4 * SHELL_ECHO_MAX];
    size_t n;
    tap_ok(feed(&e, "ps\r", 3, echoed, &n) == SHELL_EDIT_LINE && strcmp(e.line, "ps") == 0 &&
               strcmp(echoed, "ps\n") == 0,
           "editor: typed bytes echo, CR ends the line and echoes a newline");
    char echo[SHELL_ECHO_MAX];
    tap_ok(shell_edit(&e, '\n', echo, &n) == SHELL_EDIT_MORE && n == 0,
           "editor: the LF of a CR LF ends no second line");
    tap_ok(feed(&e, "\n", 1, echoed, &n) == SHELL_EDIT_LINE && strcmp(e.line, "") == 0,
           "editor: a LF alone ends a line (an empty one here)");
    tap_ok(feed(&e, "pz\x7fs\n", 5, echoed, &n) == SHELL_EDIT_LINE && strcmp(e.line, "ps") == 0 &&
               strcmp(echoed, "pz\b \bs\n") == 0,
           "editor: DEL erases the last byte on the screen too");
    tap_ok(feed(&e, "\b\x7fok\n", 5, echoed, &n) == SHELL_EDIT_LINE && strcmp(e.line, "ok") == 0 &&
               strcmp(echoed, "ok\n") == 0,
           "editor: backspace on an empty line does nothing");
    tap_ok(feed(&e, "abc\x15x\n", 6, echoed, &n) == SHELL_EDIT_LINE && strcmp(e.line, "x") == 0 &&
               strcmp(echoed, "abc\b \b\b \b\b \bx\n") == 0,
           "editor: ^U erases the whole line");
    tap_ok(feed(&e, "kill 3\x03", 7, echoed, &n) == SHELL_EDIT_LINE && strcmp(e.line, "") == 0 &&
               strcmp(echoed, "kill 3^C\n") == 0,
           "editor: ^C drops the line");
    tap_ok(feed(&e, "a\x04", 2, echoed, &n) == SHELL_EDIT_MORE && feed(&e, "\x15\x04", 2, echoed, &n) == SHELL_EDIT_END,
           "editor: ^D ends the input on an empty line only");
    e = (struct shell_editor){ 0 };
    tap_ok(feed(&e, "a\x01\x1b\xff\xc3" "b\n", 7, echoed, &n) == SHELL_EDIT_LINE && strcmp(e.line, "ab") == 0,
           "editor: other control bytes and bytes past ASCII are dropped");
    tap_ok(shell_edit(&e, -1, echo, &n) == SHELL_EDIT_END && n == 0, "editor: -1 (no more input) ends it");
    e = (struct shell_editor){ 0 };
    char full[SHELL_LINE_MAX + 2];
    memset(full, 'y', sizeof full);
    tap_ok(feed(&e, full, sizeof full, echoed, &n) == SHELL_EDIT_MORE && e.len == SHELL_LINE_MAX &&
               n == SHELL_LINE_MAX + 2 && echoed[n - 1] == '\a' && echoed[n - 2] == '\a',
           "editor: past 200 bytes each byte rings the bell and is dropped");
}

static void test_units(void)
{
    char b[SHELL_UNIT_BYTES];
    bool ok = true;
    static const struct { uint64_t v; const char *want; } bytes[] = {
        { 0, "0 B" }, { 1023, "1023 B" }, { 1024, "1 KiB" }, { 512u << 10, "512 KiB" },
        { (10u << 20) - 1, "10239 KiB" }, { 10u << 20, "10.0 MiB" }, { (12u << 20) + (512u << 10), "12.5 MiB" },
        { UINT64_MAX, "17592186044415.9 MiB" },
    };
    for (unsigned i = 0; i < sizeof bytes / sizeof bytes[0]; i++) {
        shell_bytes(b, bytes[i].v);
        ok = ok && strcmp(b, bytes[i].want) == 0;
    }
    tap_ok(ok, "bytes: B below 1 KiB, KiB below 10 MiB, MiB with a tenth above");
    ok = true;
    static const struct { uint64_t v; const char *want; } times[] = {
        { 0, "0 us" }, { 999, "999 us" }, { 1000, "1.0 ms" }, { 2345, "2.3 ms" }, { 999999, "999.9 ms" },
        { 1000000, "1.0 s" }, { 12345678, "12.3 s" },
    };
    for (unsigned i = 0; i < sizeof times / sizeof times[0]; i++) {
        shell_time(b, times[i].v);
        ok = ok && strcmp(b, times[i].want) == 0;
    }
    tap_ok(ok, "time: us below 1 ms, ms with a tenth below 1 s, s with a tenth above");
}

static bool command(const char *line, bool *quit)
{
    char copy[SHELL_LINE_MAX + 1];
    struct shell_words w;
    strcpy(copy, line);
    shell_split(copy, &w);
    return shell_command(&w, quit);
}

/* Refusals decided before any system call (none would work here). */
static void test_command_refusals(void)
{
    bool quit = true;
    tap_ok(command("", &quit) && !quit, "command: an empty line does nothing");
    tap_ok(command("exit", &quit) && quit, "command: exit ends the shell");
    static const char *const bad[] = { "frobnicate", "spawn", "spawn hello --limit lots", "kill", "kill x",
                                       "kill 1 2", "kill 0", "wait x", "wait 1 2", "kill 42", "wait 42", "wait" };
    bool all = true;
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        all = all && !command(bad[i], &quit) && !quit;
    tap_ok(all, "command: unknown, spawn without an image, kill and wait with a bad or unknown pid, wait with "
                "nothing to wait for: refused");
}

int main(void)
{
    test_split();
    test_script();
    test_spawn_args();
    test_pids();
    test_editor();
    test_units();
    test_command_refusals();
    return tap_done();
}
