#include "bootconf_internal.h"

#include <string.h>

/*
 * The words of a value: blank-separated, a word in double quotes may hold
 * blanks, \" and \\; a '#' where a word would start begins a comment.
 * And what the words mean: names, numbers with units.
 */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

void cursor_skip_blanks(struct cursor *c)
{
    while (c->p < c->end && is_blank(*c->p))
        c->p++;
}

bool cursor_at_end(struct cursor *c)
{
    cursor_skip_blanks(c);
    return c->p == c->end || *c->p == '#';
}

unsigned cursor_column(const struct cursor *c)
{
    return (unsigned)(c->p - c->line_start) + 1;
}

/* A quoted word from just after its opening quote to just after its closing one. */
static enum bootconf_status quoted_word(struct cursor *c, char *out, size_t cap, size_t *len)
{
    size_t n = 0;
    for (;;) {
        if (c->p == c->end)
            return BOOTCONF_ERR_QUOTE; /* no closing quote on the line */
        char ch = *c->p++;
        if (ch == '"')
            break;
        if (ch == '\\') {
            if (c->p == c->end || (*c->p != '"' && *c->p != '\\'))
                return BOOTCONF_ERR_QUOTE;
            ch = *c->p++;
        }
        if (n == cap)
            return BOOTCONF_ERR_TEXT_FULL;
        out[n++] = ch;
    }
    *len = n;
    return BOOTCONF_OK;
}

enum bootconf_status cursor_word(struct cursor *c, char *out, size_t cap, size_t *len)
{
    if (cursor_at_end(c))
        return BOOTCONF_ERR_VALUE;
    enum bootconf_status s;
    if (*c->p == '"') {
        c->p++;
        s = quoted_word(c, out, cap, len);
    } else {
        size_t n = 0;
        for (; c->p < c->end && !is_blank(*c->p); c->p++) {
            if (*c->p == '"')
                return BOOTCONF_ERR_QUOTE; /* a quote inside a word */
            if (n == cap)
                return BOOTCONF_ERR_TEXT_FULL;
            out[n++] = *c->p;
        }
        *len = n;
        s = BOOTCONF_OK;
    }
    if (s == BOOTCONF_OK && c->p < c->end && !is_blank(*c->p))
        return BOOTCONF_ERR_QUOTE; /* "a"b: a word runs on after its quote */
    return s;
}

bool bootconf_name_ok(const char *s, size_t len)
{
    if (len == 0 || len > BOOTCONF_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                  ch == '_' || ch == '-' || ch == '.';
        if (!ok)
            return false;
    }
    return true;
}

enum bootconf_status cursor_name(struct cursor *c, char out[BOOTCONF_NAME_MAX + 1])
{
    size_t len;
    enum bootconf_status s = cursor_word(c, out, BOOTCONF_NAME_MAX, &len);
    if (s == BOOTCONF_ERR_TEXT_FULL || (s == BOOTCONF_OK && !bootconf_name_ok(out, len)))
        return BOOTCONF_ERR_NAME;
    if (s == BOOTCONF_OK)
        out[len] = '\0';
    return s;
}

/* Digits at the start of s into *v; how many, 0 on overflow or none. */
static size_t digits(const char *s, size_t len, uint64_t *v)
{
    uint64_t x = 0;
    size_t i = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            return 0;
        x = x * 10 + d;
    }
    *v = x;
    return i;
}

static bool unit_is(const char *s, size_t len, const char *name)
{
    return strlen(name) == len && memcmp(s, name, len) == 0;
}

/* The multiplier of a unit of the kind, 0 if the kind has no such unit. */
static uint64_t unit_factor(enum number_kind kind, const char *u, size_t len)
{
    static const struct { const char *name; uint64_t factor; enum number_kind kind; } units[] = {
        { "", 1, NUMBER_PLAIN }, { "", 1, NUMBER_BYTES },
        { "B", 1, NUMBER_BYTES }, { "K", 1ull << 10, NUMBER_BYTES }, { "KiB", 1ull << 10, NUMBER_BYTES },
        { "M", 1ull << 20, NUMBER_BYTES }, { "MiB", 1ull << 20, NUMBER_BYTES },
        { "G", 1ull << 30, NUMBER_BYTES }, { "GiB", 1ull << 30, NUMBER_BYTES },
        { "us", 1, NUMBER_MICROSECONDS }, { "ms", 1000, NUMBER_MICROSECONDS },
        { "s", 1000000, NUMBER_MICROSECONDS },
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (units[i].kind == kind && unit_is(u, len, units[i].name))
            return units[i].factor;
    return 0;
}

enum bootconf_status cursor_number(struct cursor *c, enum number_kind kind, uint64_t *out, unsigned *column)
{
    char word[BOOTCONF_LINE_MAX];
    size_t len;
    cursor_skip_blanks(c);
    unsigned number_column = cursor_column(c);
    *column = number_column;
    enum bootconf_status s = cursor_word(c, word, sizeof word, &len);
    if (s != BOOTCONF_OK)
        return s;
    uint64_t v;
    size_t n = digits(word, len, &v);
    if (n == 0)
        return BOOTCONF_ERR_NUMBER; /* no digits, or past 64 bits */
    const char *unit = word + n;
    size_t unit_len = len - n;
    char next[BOOTCONF_LINE_MAX];
    if (unit_len == 0 && !cursor_at_end(c)) { /* "4 MiB": the unit is the next word */
        *column = cursor_column(c);
        s = cursor_word(c, next, sizeof next, &unit_len);
        if (s != BOOTCONF_OK)
            return s;
        unit = next;
    }
    uint64_t factor = unit_factor(kind, unit, unit_len);
    if (factor == 0)
        return BOOTCONF_ERR_UNIT; /* at the unit's column */
    if (!cursor_at_end(c)) {
        *column = cursor_column(c);
        return BOOTCONF_ERR_VALUE; /* more after the number */
    }
    *column = number_column; /* a number too large, or out of the key's range: there */
    if (v > UINT64_MAX / factor)
        return BOOTCONF_ERR_NUMBER;
    *out = v * factor;
    return BOOTCONF_OK;
}

bool bootconf_bytes(const char *word, uint64_t *bytes)
{
    size_t len = strlen(word);
    uint64_t v;
    size_t n = digits(word, len, &v);
    uint64_t factor = n == 0 ? 0 : unit_factor(NUMBER_BYTES, word + n, len - n);
    if (factor == 0 || v > UINT64_MAX / factor)
        return false;
    *bytes = v * factor;
    return true;
}
