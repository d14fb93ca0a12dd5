#include "bootconf_internal.h"

#include <string.h>

/*
 * Lines and keys: each line is checked whole before it changes the
 * process it belongs to, and a process is checked whole (what it must
 * have, what its keys mean together) when its section ends.
 */

enum key_bit {
    KEY_IMAGE = 1u << 0, KEY_ARGS = 1u << 1, KEY_ENV = 1u << 2, KEY_LIMIT = 1u << 3,
    KEY_PRIORITY = 1u << 4, KEY_MCP = 1u << 5, KEY_BUDGET = 1u << 6, KEY_PERIOD = 1u << 7,
    KEY_CAPS = 1u << 8,
};

struct parser {
    struct bootconf_process *out;
    unsigned capacity, count;
    struct bootconf_process *cur; /* the section being read, or NULL before the first */
    unsigned seen;                /* its keys so far (enum key_bit) */
    unsigned budget_line;         /* where its budget was set, for a budget above the period */
    size_t text_used;             /* bytes of cur->text taken */
};

/* ---- values ---- */

typedef enum bootconf_status (*key_fn)(struct parser *ps, struct cursor *c, unsigned *column);

static enum bootconf_status no_more(struct cursor *c, unsigned *column)
{
    if (cursor_at_end(c))
        return BOOTCONF_OK;
    *column = cursor_column(c);
    return BOOTCONF_ERR_VALUE;
}

static enum bootconf_status set_image(struct parser *ps, struct cursor *c, unsigned *column)
{
    char name[BOOTCONF_NAME_MAX + 1];
    enum bootconf_status s = cursor_name(c, name);
    if (s == BOOTCONF_OK)
        s = no_more(c, column);
    if (s == BOOTCONF_OK)
        memcpy(ps->cur->image, name, sizeof name);
    return s;
}

/* Words into the process's text, their offsets into slots (at most
 * BOOTCONF_WORDS_MAX); env words must be NAME=VALUE. */
static enum bootconf_status set_words(struct parser *ps, struct cursor *c, unsigned *column, uint16_t *slots,
                                      unsigned *n, bool env)
{
    size_t used = ps->text_used;
    unsigned count = 0;
    uint16_t offsets[BOOTCONF_WORDS_MAX] = { 0 };
    while (!cursor_at_end(c)) {
        *column = cursor_column(c);
        if (count == BOOTCONF_WORDS_MAX)
            return BOOTCONF_ERR_TOO_MANY_WORDS;
        if (used >= BOOTCONF_TEXT_MAX)
            return BOOTCONF_ERR_TEXT_FULL;
        size_t len;
        char *at = ps->cur->text + used;
        enum bootconf_status s = cursor_word(c, at, BOOTCONF_TEXT_MAX - used - 1, &len);
        if (s != BOOTCONF_OK)
            return s;
        const char *eq = memchr(at, '=', len);
        if (env && (eq == NULL || !bootconf_name_ok(at, (size_t)(eq - at))))
            return BOOTCONF_ERR_ENV;
        at[len] = '\0';
        offsets[count++] = (uint16_t)used;
        used += len + 1;
    }
    /* Only now is the process changed: a refused line left its words
     * past text_used, where nothing reads them. */
    memcpy(slots, offsets, count * sizeof offsets[0]);
    *n = count;
    ps->text_used = used;
    return BOOTCONF_OK;
}

static enum bootconf_status set_args(struct parser *ps, struct cursor *c, unsigned *column)
{
    return set_words(ps, c, column, ps->cur->argv, &ps->cur->argc, false);
}

static enum bootconf_status set_env(struct parser *ps, struct cursor *c, unsigned *column)
{
    return set_words(ps, c, column, ps->cur->envv, &ps->cur->envc, true);
}

static enum bootconf_status set_caps(struct parser *ps, struct cursor *c, unsigned *column)
{
    char names[BOOTCONF_CAPS_MAX][BOOTCONF_NAME_MAX + 1];
    unsigned count = 0;
    while (!cursor_at_end(c)) {
        *column = cursor_column(c);
        if (count == BOOTCONF_CAPS_MAX)
            return BOOTCONF_ERR_TOO_MANY_WORDS;
        enum bootconf_status s = cursor_name(c, names[count]);
        if (s != BOOTCONF_OK)
            return s;
        count++;
    }
    memcpy(ps->cur->caps, names, sizeof names);
    ps->cur->ncaps = count;
    return BOOTCONF_OK;
}

/* A number of the kind, at least 1 and at most max. */
static enum bootconf_status number(struct cursor *c, unsigned *column, enum number_kind kind, uint64_t max,
                                   uint64_t *out)
{
    uint64_t v;
    enum bootconf_status s = cursor_number(c, kind, &v, column);
    if (s == BOOTCONF_OK && (v == 0 || v > max))
        s = BOOTCONF_ERR_RANGE;
    if (s == BOOTCONF_OK)
        *out = v;
    return s;
}

static enum bootconf_status set_limit(struct parser *ps, struct cursor *c, unsigned *column)
{
    return number(c, column, NUMBER_BYTES, UINT64_MAX, &ps->cur->limit);
}

static enum bootconf_status set_budget(struct parser *ps, struct cursor *c, unsigned *column)
{
    return number(c, column, NUMBER_MICROSECONDS, UINT64_MAX, &ps->cur->budget_us);
}

static enum bootconf_status set_period(struct parser *ps, struct cursor *c, unsigned *column)
{
    return number(c, column, NUMBER_MICROSECONDS, UINT64_MAX, &ps->cur->period_us);
}

/* A priority: 0 is one too, so not number()'s at-least-1. */
static enum bootconf_status priority_value(struct cursor *c, unsigned *column, unsigned *out)
{
    uint64_t v;
    enum bootconf_status s = cursor_number(c, NUMBER_PLAIN, &v, column);
    if (s == BOOTCONF_OK && v > 255)
        s = BOOTCONF_ERR_RANGE;
    if (s == BOOTCONF_OK)
        *out = (unsigned)v;
    return s;
}

static enum bootconf_status set_priority(struct parser *ps, struct cursor *c, unsigned *column)
{
    return priority_value(c, column, &ps->cur->priority);
}

static enum bootconf_status set_mcp(struct parser *ps, struct cursor *c, unsigned *column)
{
    return priority_value(c, column, &ps->cur->mcp);
}

static const struct key {
    const char *name;
    enum key_bit bit;
    key_fn set;
} keys[] = {
    { "image", KEY_IMAGE, set_image },   { "args", KEY_ARGS, set_args },
    { "env", KEY_ENV, set_env },         { "limit", KEY_LIMIT, set_limit },
    { "priority", KEY_PRIORITY, set_priority }, { "mcp", KEY_MCP, set_mcp },
    { "budget", KEY_BUDGET, set_budget }, { "period", KEY_PERIOD, set_period },
    { "caps", KEY_CAPS, set_caps },
};

/* ---- lines ---- */

static enum bootconf_status fail(struct bootconf_error *err, enum bootconf_status s, unsigned line,
                                 unsigned column)
{
    *err = (struct bootconf_error){ s, line, column };
    return s;
}

/* The section that ends: what it must have, its defaults, its keys together. */
static enum bootconf_status finish(struct parser *ps, struct bootconf_error *err)
{
    struct bootconf_process *p = ps->cur;
    if (p == NULL)
        return BOOTCONF_OK;
    if (!(ps->seen & KEY_LIMIT))
        return fail(err, BOOTCONF_ERR_MISSING, p->line, 1);
    if (!(ps->seen & KEY_IMAGE))
        memcpy(p->image, p->name, sizeof p->image);
    if (!(ps->seen & KEY_PRIORITY))
        p->priority = BOOTCONF_DEFAULT_PRIORITY;
    if (!(ps->seen & KEY_MCP))
        p->mcp = p->priority;
    if (!(ps->seen & KEY_PERIOD))
        p->period_us = BOOTCONF_DEFAULT_PERIOD_US;
    if (!(ps->seen & KEY_BUDGET))
        p->budget_us = p->period_us;
    if (p->budget_us > p->period_us)
        return fail(err, BOOTCONF_ERR_RANGE, ps->budget_line, 1);
    ps->cur = NULL;
    return BOOTCONF_OK;
}

static enum bootconf_status section(struct parser *ps, struct cursor *c, unsigned line, struct bootconf_error *err)
{
    const char *name = ++c->p;
    while (c->p < c->end && *c->p != ']')
        c->p++;
    if (c->p == c->end)
        return fail(err, BOOTCONF_ERR_SYNTAX, line, cursor_column(c));
    size_t len = (size_t)(c->p - name);
    c->p++;
    if (!bootconf_name_ok(name, len))
        return fail(err, BOOTCONF_ERR_NAME, line, (unsigned)(name - c->line_start) + 1);
    if (!cursor_at_end(c))
        return fail(err, BOOTCONF_ERR_SYNTAX, line, cursor_column(c));
    for (unsigned i = 0; i < ps->count; i++)
        if (strlen(ps->out[i].name) == len && memcmp(ps->out[i].name, name, len) == 0)
            return fail(err, BOOTCONF_ERR_DUPLICATE_PROCESS, line, (unsigned)(name - c->line_start) + 1);
    enum bootconf_status s = finish(ps, err);
    if (s != BOOTCONF_OK)
        return s;
    if (ps->count == ps->capacity)
        return fail(err, BOOTCONF_ERR_TOO_MANY_PROCESSES, line, 1);
    struct bootconf_process *p = &ps->out[ps->count++];
    memset(p, 0, sizeof *p);
    memcpy(p->name, name, len);
    p->line = line;
    ps->cur = p;
    ps->seen = 0;
    ps->budget_line = 0;
    ps->text_used = 0;
    return BOOTCONF_OK;
}

static const struct key *find_key(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strlen(keys[i].name) == len && memcmp(keys[i].name, name, len) == 0)
            return &keys[i];
    return NULL;
}

static enum bootconf_status key_line(struct parser *ps, struct cursor *c, unsigned line, struct bootconf_error *err)
{
    const char *name = c->p;
    while (c->p < c->end && *c->p >= 'a' && *c->p <= 'z')
        c->p++;
    size_t len = (size_t)(c->p - name);
    unsigned name_column = (unsigned)(name - c->line_start) + 1;
    cursor_skip_blanks(c);
    if (len == 0 || c->p == c->end || *c->p != '=')
        return fail(err, BOOTCONF_ERR_SYNTAX, line, cursor_column(c));
    c->p++;
    if (ps->cur == NULL)
        return fail(err, BOOTCONF_ERR_OUTSIDE, line, name_column);
    const struct key *k = find_key(name, len);
    if (k == NULL)
        return fail(err, BOOTCONF_ERR_UNKNOWN_KEY, line, name_column);
    if (ps->seen & k->bit)
        return fail(err, BOOTCONF_ERR_DUPLICATE_KEY, line, name_column);
    cursor_skip_blanks(c);
    unsigned column = cursor_column(c);
    if (cursor_at_end(c))
        return fail(err, BOOTCONF_ERR_VALUE, line, column);
    enum bootconf_status s = k->set(ps, c, &column);
    if (s != BOOTCONF_OK)
        return fail(err, s, line, column);
    ps->seen |= k->bit;
    if (k->bit == KEY_BUDGET)
        ps->budget_line = line;
    return BOOTCONF_OK;
}

static enum bootconf_status one_line(struct parser *ps, const char *start, const char *end, unsigned line,
                                     struct bootconf_error *err)
{
    struct cursor c = { start, end, start };
    if (cursor_at_end(&c))
        return BOOTCONF_OK; /* blank, or a comment */
    if (*c.p == '[')
        return section(ps, &c, line, err);
    return key_line(ps, &c, line, err);
}

enum bootconf_status bootconf_parse(const char *text, size_t len, struct bootconf_process *out,
                                    unsigned capacity, unsigned *count, struct bootconf_error *err)
{
    struct parser ps = { out, capacity, 0, NULL, 0, 0, 0 };
    *count = 0;
    *err = (struct bootconf_error){ BOOTCONF_OK, 0, 0 };
    const char *p = text, *end = text + len;
    for (unsigned line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl != NULL ? nl : end;
        const char *nul = memchr(p, '\0', (size_t)(line_end - p));
        if (nul != NULL)
            return fail(err, BOOTCONF_ERR_NUL, line, (unsigned)(nul - p) + 1);
        if (line_end > p && line_end[-1] == '\r')
            line_end--; /* a file written with CRLF */
        if (line_end - p > BOOTCONF_LINE_MAX)
            return fail(err, BOOTCONF_ERR_LINE_TOO_LONG, line, BOOTCONF_LINE_MAX + 1);
        enum bootconf_status s = one_line(&ps, p, line_end, line, err);
        if (s != BOOTCONF_OK)
            return s;
        p = nl != NULL ? nl + 1 : end;
    }
    enum bootconf_status s = finish(&ps, err);
    if (s == BOOTCONF_OK)
        *count = ps.count;
    return s;
}

const char *bootconf_arg(const struct bootconf_process *p, unsigned i)
{
    return i < p->argc ? p->text + p->argv[i] : NULL;
}

const char *bootconf_env(const struct bootconf_process *p, unsigned i)
{
    return i < p->envc ? p->text + p->envv[i] : NULL;
}

const char *bootconf_strerror(enum bootconf_status status)
{
    static const char *const text[BOOTCONF_STATUS_COUNT_] = {
        [BOOTCONF_OK] = "no error",
        [BOOTCONF_ERR_NUL] = "a NUL byte in the text",
        [BOOTCONF_ERR_LINE_TOO_LONG] = "a line longer than 255 bytes",
        [BOOTCONF_ERR_SYNTAX] = "not [name], key = value, a comment or blank",
        [BOOTCONF_ERR_NAME] = "a name must be 1 to 31 of A-Z a-z 0-9 _ . -",
        [BOOTCONF_ERR_DUPLICATE_PROCESS] = "a process of this name comes earlier",
        [BOOTCONF_ERR_TOO_MANY_PROCESSES] = "more processes than init can start",
        [BOOTCONF_ERR_OUTSIDE] = "a key before the first [name]",
        [BOOTCONF_ERR_UNKNOWN_KEY] = "not a key: image, args, env, limit, priority, mcp, budget, period, caps",
        [BOOTCONF_ERR_DUPLICATE_KEY] = "this key comes earlier in the process",
        [BOOTCONF_ERR_VALUE] = "a value missing, or more words than the key takes",
        [BOOTCONF_ERR_NUMBER] = "not a number, or too large",
        [BOOTCONF_ERR_UNIT] = "a unit the key does not take (bytes: B K KiB M MiB G GiB; time: us ms s)",
        [BOOTCONF_ERR_RANGE] = "out of range (limit, budget, period at least 1; priorities 0-255; budget at most the period)",
        [BOOTCONF_ERR_QUOTE] = "an unterminated quote, an escape other than \\\" and \\\\, or a quote inside a word",
        [BOOTCONF_ERR_TOO_MANY_WORDS] = "more than 16 words, or 8 services",
        [BOOTCONF_ERR_TEXT_FULL] = "a process's words take more than 384 bytes",
        [BOOTCONF_ERR_ENV] = "an environment word is NAME=VALUE",
        [BOOTCONF_ERR_MISSING] = "the process has no limit",
    };
    return (unsigned)status < BOOTCONF_STATUS_COUNT_ ? text[status] : "unknown status";
}
