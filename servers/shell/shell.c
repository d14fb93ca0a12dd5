/*
 * The shell's words, arguments and line editing (shell.h): plain C, no
 * system call, so tests/host/servers/test_shell.c drives all of it.
 */
#include "shell.h"

#include <bootconf/bootconf.h>
#include <stdio.h>
#include <string.h>

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* One word from *p into itself (quotes removed); *p moves past it. */
static enum shell_split_status word(char **p, char **out)
{
    char *r = *p, *w = *p;
    *out = w;
    bool quoted = false;
    for (; *r != '\0' && (quoted || !blank(*r)); r++) {
        if (*r == '"')
            quoted = !quoted;
        else if (quoted && *r == '\\' && r[1] != '\0')
            *w++ = *++r;
        else
            *w++ = *r;
    }
    if (quoted)
        return SHELL_SPLIT_QUOTE;
    if (*r != '\0')
        r++; /* the blank after it becomes the word's end */
    *w = '\0';
    *p = r;
    return SHELL_SPLIT_OK;
}

enum shell_split_status shell_split(char *line, struct shell_words *out)
{
    out->n = 0;
    char *p = line;
    for (;;) {
        while (blank(*p))
            p++;
        if (*p == '\0')
            return SHELL_SPLIT_OK;
        if (out->n == SHELL_WORDS_MAX)
            return SHELL_SPLIT_TOO_MANY;
        enum shell_split_status s = word(&p, &out->w[out->n]);
        if (s != SHELL_SPLIT_OK)
            return s;
        out->n++;
    }
}

bool shell_next_command(const char **script, char line[SHELL_LINE_MAX + 1])
{
    const char *s = *script;
    while (*s == ';' || *s == '\n' || blank(*s))
        s++;
    if (*s == '\0') {
        *script = s;
        return false;
    }
    size_t n = 0;
    for (; *s != '\0' && *s != ';' && *s != '\n'; s++)
        if (n < SHELL_LINE_MAX)
            line[n++] = *s;
    while (n > 0 && blank(line[n - 1]))
        n--;
    line[n] = '\0';
    *script = s;
    return true;
}

const char *shell_parse_spawn(const struct shell_words *words, struct shell_spawn *out)
{
    *out = (struct shell_spawn){ .limit = SHELL_DEFAULT_LIMIT };
    bool limited = false;
    for (unsigned i = 1; i < words->n; i++) {
        const char *w = words->w[i];
        if (strcmp(w, "--limit") == 0) {
            if (limited)
                return "--limit given twice";
            if (i + 1 == words->n || !bootconf_bytes(words->w[i + 1], &out->limit) || out->limit == 0)
                return "--limit takes a byte count: 512K, 4M, 65536";
            limited = true;
            i++;
        } else if (out->image == NULL) {
            out->image = w;
        } else if (out->argc == SHELL_ARGS_MAX) {
            return "more than 16 arguments";
        } else {
            out->argv[out->argc++] = w;
        }
    }
    return out->image == NULL ? "which image? spawn IMAGE [ARGS...] [--limit BYTES]" : NULL;
}

bool shell_parse_pid(const char *word, uint64_t *pid)
{
    uint64_t v = 0;
    if (*word == '\0')
        return false;
    for (const char *c = word; *c != '\0'; c++) {
        if (*c < '0' || *c > '9' || v > 0xffffffu)
            return false;
        v = v * 10 + (uint64_t)(*c - '0');
    }
    if (v == 0 || v > 0xffffffu)
        return false;
    *pid = v;
    return true;
}

/* ------------------------------------------------------------ editing */

static void echo_add(char *echo, size_t *n, const char *s)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len && *n < SHELL_ECHO_MAX; i++)
        echo[(*n)++] = s[i];
}

static void erase(struct shell_editor *e, size_t count, char *echo, size_t *n)
{
    for (; count > 0 && e->len > 0; count--) {
        e->len--;
        echo_add(echo, n, "\b \b");
    }
}

static enum shell_edit line_done(struct shell_editor *e, char *echo, size_t *n)
{
    e->line[e->len] = '\0';
    e->len = 0;
    echo_add(echo, n, "\n");
    return SHELL_EDIT_LINE;
}

enum shell_edit shell_edit(struct shell_editor *e, int c, char echo[SHELL_ECHO_MAX], size_t *echo_len)
{
    *echo_len = 0;
    bool after_cr = e->after_cr;
    e->after_cr = c == '\r';
    switch (c) {
    case -1:
        return SHELL_EDIT_END;
    case '\n':
        if (after_cr)
            return SHELL_EDIT_MORE; /* CR LF: the CR ended the line */
        return line_done(e, echo, echo_len);
    case '\r':
        return line_done(e, echo, echo_len);
    case 0x04: /* ^D: the end on an empty line, nothing otherwise */
        return e->len == 0 ? SHELL_EDIT_END : SHELL_EDIT_MORE;
    case 0x03: /* ^C: the line is dropped */
        e->len = 0;
        echo_add(echo, echo_len, "^C");
        return line_done(e, echo, echo_len);
    case 0x15: /* ^U: erase the line */
        erase(e, e->len, echo, echo_len);
        return SHELL_EDIT_MORE;
    case 0x08:
    case 0x7f: /* backspace, DEL */
        erase(e, 1, echo, echo_len);
        return SHELL_EDIT_MORE;
    default:
        if (c < 0x20 || c > 0x7e)
            return SHELL_EDIT_MORE; /* other control bytes, and what is not ASCII */
        if (e->len == SHELL_LINE_MAX) {
            echo_add(echo, echo_len, "\a"); /* full: the bell, the byte dropped */
            return SHELL_EDIT_MORE;
        }
        e->line[e->len++] = (char)c;
        echo[(*echo_len)++] = (char)c;
        return SHELL_EDIT_MORE;
    }
}

/* ------------------------------------------------------------ units */

void shell_bytes(char out[SHELL_UNIT_BYTES], uint64_t bytes)
{
    if (bytes < 1024)
        snprintf(out, SHELL_UNIT_BYTES, "%llu B", (unsigned long long)bytes);
    else if (bytes < (10ull << 20))
        snprintf(out, SHELL_UNIT_BYTES, "%llu KiB", (unsigned long long)(bytes >> 10));
    else
        snprintf(out, SHELL_UNIT_BYTES, "%llu.%llu MiB", (unsigned long long)(bytes >> 20),
                 (unsigned long long)((bytes & ((1u << 20) - 1)) * 10 >> 20));
}

void shell_time(char out[SHELL_UNIT_BYTES], uint64_t us)
{
    if (us < 1000)
        snprintf(out, SHELL_UNIT_BYTES, "%llu us", (unsigned long long)us);
    else if (us < 1000000)
        snprintf(out, SHELL_UNIT_BYTES, "%llu.%llu ms", (unsigned long long)(us / 1000), (unsigned long long)(us % 1000 / 100));
    else
        snprintf(out, SHELL_UNIT_BYTES, "%llu.%llu s", (unsigned long long)(us / 1000000),
                 (unsigned long long)(us % 1000000 / 100000));
}
