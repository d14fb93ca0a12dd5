/*
 * The reference tables in docs/: a Markdown file marks where a generated
 * table goes,
 *
 *     <!-- defgen:invocation CNODE_COPY -->
 *     ... (generated) ...
 *     <!-- defgen:end -->
 *
 * each marker on a line of its own,
 * and `defgen docs FILE` rewrites what lies between the markers (`defgen
 * check-docs FILE` only compares, for make test).  Blocks: errors,
 * protocol-errors, objects, syscalls, invocations [OBJECT], syscall NAME,
 * invocation NAME, protocol NAME.
 */
#include "def.h"
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct buf {
    char *s;
    size_t len, cap;
};

static void put_n(struct buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (b->s == NULL) {
            perror("defgen");
            exit(2);
        }
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void put(struct buf *b, const char *s)
{
    put_n(b, s, strlen(s));
}

static void putf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct buf *b, const char *fmt, ...)
{
    char tmp[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    put(b, tmp);
}

/* A .def string as Markdown table text: C escapes undone, | escaped. */
static void cell(struct buf *b, const char *s)
{
    char c[2] = { 0, 0 };
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] != '\0')
            s++;
        if (*s == '|')
            put(b, "\\");
        c[0] = *s;
        put(b, c);
    }
}

static void where(struct buf *b, const struct entry *e, const struct arg *a)
{
    if (a->kind == ARG_CAP) {
        static const char *const how[] = { "capability", "capability (a child)", "capability (moved)",
                                           "capability (a child, or moved if it cannot be copied)" };
        put(b, how[a->mode]);
        return;
    }
    if (a->kind == ARG_TEXT)
        putf(b, "words %d–%d (text)", a->reg, arg_end(a) - 1);
    else if (e->type == ENTRY_OP)
        putf(b, "word %d", a->reg);
    else
        putf(b, "a%d", a->reg + (e->type == ENTRY_INVOCATION ? 2 : 0));
    if (a->kind == ARG_FIELD)
        putf(b, " bits %d–%d", a->shift, a->shift + a->bits - 1);
}

static void signature(struct buf *b, const struct entry *e, const char *fn, const char *first)
{
    putf(b, "`%s(%s", fn, first ? first : "");
    for (int i = 0; i < e->nargs; i++) {
        putf(b, "%s%s", (first || i) ? ", " : "", e->args[i].name);
        if (e->args[i].kind == ARG_TEXT)
            putf(b, ", %s_bytes", e->args[i].name);
    }
    for (int i = 0; i < e->ncaps_in; i++)
        putf(b, ", %s", e->caps_in[i].name);
    for (int i = 0; i < e->nresults && e->type == ENTRY_OP; i++)
        putf(b, ", &%s", e->results[i].name);
    put(b, ")`");
}

static void arg_rows(struct buf *b, const struct entry *e, const struct arg *args, int n)
{
    for (int i = 0; i < n; i++) {
        putf(b, "| `%s` | ", args[i].name);
        where(b, e, &args[i]);
        put(b, " | ");
        cell(b, args[i].desc);
        put(b, " |\n");
    }
}

/* Which entries have a detail block in the files read so far. */
static bool documented[MAX_ENTRIES];

static void detail_block(const struct model *m, struct buf *b, const struct entry *e)
{
    documented[e - m->entries] = true;
    char fn[128], first[64] = "";
    const char *prefix = e->type == ENTRY_SYSCALL && e->kind == SYS_IPC ? "coffer_sys_" : "coffer_";
    if (e->type == ENTRY_OP) {
        const struct protocol *p = find_protocol(m, e->owner);
        snprintf(fn, sizeof fn, "%s_%s", p ? p->stem : "?", lower(e->name));
        snprintf(first, sizeof first, proto_needs_buffer(e) ? "buf, ep" : "ep");
    } else {
        snprintf(fn, sizeof fn, "%s%s", prefix, lower(e->name));
        if (e->type == ENTRY_INVOCATION)
            snprintf(first, sizeof first, "%s", lower(e->owner));
    }
    put(b, "\n");
    signature(b, e, fn, first[0] ? first : NULL);
    if (e->type == ENTRY_SYSCALL)
        putf(b, " — system call %ld", e->number);
    else
        putf(b, " — label 0x%lx", e->number);
    put(b, ": ");
    cell(b, e->desc);
    put(b, e->debug_only ? " (debug kernels only).\n\n" : ".\n\n");
    if (e->nargs + e->ncaps_in > 0 || e->type == ENTRY_INVOCATION) {
        put(b, "| argument | in | meaning |\n|---|---|---|\n");
        if (e->type == ENTRY_INVOCATION)
            putf(b, "| `%s` | a0 | the %s capability invoked (64-bit pointer) |\n", lower(e->owner), e->owner);
        arg_rows(b, e, e->args, e->nargs);
        arg_rows(b, e, e->caps_in, e->ncaps_in);
        put(b, "\n");
    }
    if (e->nresults + e->ncaps_out > 0) {
        put(b, "| result | in | meaning |\n|---|---|---|\n");
        for (int i = 0; i < e->nresults; i++) {
            putf(b, "| `%s` | ", e->results[i].name);
            if (e->type == ENTRY_OP)
                where(b, e, &e->results[i]);
            else
                putf(b, "detail%d", e->results[i].reg);
            put(b, " | ");
            cell(b, e->results[i].desc);
            put(b, " |\n");
        }
        arg_rows(b, e, e->caps_out, e->ncaps_out);
        put(b, "\n");
    }
    if (e->nerrs > 0) {
        put(b, "| error | detail | when |\n|---|---|---|\n");
        for (int i = 0; i < e->nerrs; i++) {
            putf(b, "| `%s` | ", e->errs[i].name);
            cell(b, strcmp(e->errs[i].detail, "-") ? e->errs[i].detail : "–");
            put(b, " | ");
            cell(b, e->errs[i].when);
            put(b, " |\n");
        }
        put(b, "\n");
    }
}

static const struct entry *find_entry(const struct model *m, int type, const char *name)
{
    for (int i = 0; i < m->nentries; i++)
        if ((int)m->entries[i].type == type && strcmp(m->entries[i].name, name) == 0)
            return &m->entries[i];
    return NULL;
}

/* The kernel's errors (protocols false), every protocol's, or one's (only). */
static void error_table(const struct model *m, struct buf *b, bool protocols, const char *only)
{
    put(b, "\n| code | name | detail0 | detail1 | meaning |\n|---:|---|---|---|---|\n");
    for (int i = 0; i < m->nerrors; i++) {
        const struct error_def *d = &m->errors[i];
        if ((d->protocol != NULL) != protocols || (only && strcmp(d->protocol, only) != 0))
            continue;
        putf(b, protocols ? "| 0x%lx | `%s` | " : "| %ld | `%s` | ", d->number, d->name);
        cell(b, strcmp(d->d0, "-") ? d->d0 : "–");
        put(b, " | ");
        cell(b, strcmp(d->d1, "-") ? d->d1 : "–");
        put(b, " | ");
        cell(b, d->desc);
        put(b, " |\n");
    }
    put(b, "\n");
}

static bool block(const struct model *m, struct buf *b, const char *kind, const char *name)
{
    if (strcmp(kind, "errors") == 0 || strcmp(kind, "protocol-errors") == 0) {
        error_table(m, b, kind[0] == 'p', NULL);
    } else if (strcmp(kind, "objects") == 0) {
        put(b, "\n| number | type | what |\n|---:|---|---|\n");
        for (int i = 0; i < m->nobjects; i++) {
            putf(b, "| %ld | `%s` | ", m->objects[i].number, m->objects[i].name);
            cell(b, m->objects[i].desc);
            put(b, " |\n");
        }
        put(b, "\n");
    } else if (strcmp(kind, "syscalls") == 0) {
        put(b, "\n| number | name | kind | what |\n|---:|---|---|---|\n");
        for (int i = 0; i < m->nentries; i++) {
            const struct entry *e = &m->entries[i];
            if (e->type != ENTRY_SYSCALL)
                continue;
            static const char *const kinds[] = { "plain", "IPC", "invocation or IPC" };
            putf(b, "| %ld | `%s` | %s%s | ", e->number, e->name, kinds[e->kind], e->debug_only ? ", debug" : "");
            cell(b, e->desc);
            put(b, " |\n");
        }
        put(b, "\n");
    } else if (strcmp(kind, "invocations") == 0) {
        put(b, "\n| label | invocation | on | what |\n|---:|---|---|---|\n");
        for (int i = 0; i < m->nentries; i++) {
            const struct entry *e = &m->entries[i];
            if (e->type != ENTRY_INVOCATION || (name && strcmp(name, e->owner) != 0))
                continue;
            putf(b, "| 0x%lx | `%s` | %s | ", e->number, e->name, e->owner);
            cell(b, e->desc);
            put(b, " |\n");
        }
        put(b, "\n");
    } else if (strcmp(kind, "invocation") == 0 || strcmp(kind, "syscall") == 0) {
        const struct entry *e = name ? find_entry(m, kind[0] == 'i' ? ENTRY_INVOCATION : ENTRY_SYSCALL, name) : NULL;
        if (e == NULL)
            return false;
        detail_block(m, b, e);
    } else if (strcmp(kind, "protocol") == 0) {
        const struct protocol *p = name ? find_protocol(m, name) : NULL;
        if (p == NULL)
            return false;
        putf(b, "\n`%s` (`proto/%s.def`): %s. Errors 0x%lx–0x%lx:\n", p->name, p->stem, p->desc, p->err_lo,
             p->err_hi);
        error_table(m, b, true, p->name);
        for (int i = 0; i < m->nentries; i++)
            if (m->entries[i].type == ENTRY_OP && strcmp(m->entries[i].owner, p->name) == 0) {
                putf(b, "\n#### `%s` (%ld)\n", m->entries[i].name, m->entries[i].number);
                detail_block(m, b, &m->entries[i]);
            }
    } else {
        return false;
    }
    return true;
}

#define BEGIN "<!-- defgen:"
#define END "<!-- defgen:end -->"

bool docs_update(const struct model *m, const char *path, bool check)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return false;
    }
    struct buf old = { 0 }, out = { 0 };
    char line[4096];
    while (fgets(line, sizeof line, f))
        put(&old, line);
    fclose(f);
    bool ok = true;
    const char *p = old.s ? old.s : "";
    for (;;) {
        /* A marker is a line of its own: text that quotes one is not one. */
        const char *mark = strstr(p, BEGIN);
        while (mark && ((mark > old.s && mark[-1] != '\n') || strncmp(mark, END, strlen(END)) == 0))
            mark = strstr(mark + 1, BEGIN);
        if (mark == NULL) {
            put(&out, p);
            break;
        }
        const char *eol = strchr(mark, '\n'), *end = eol ? strstr(eol, "\n" END) : NULL;
        if (end != NULL)
            end++;
        if (eol == NULL || end == NULL) {
            fprintf(stderr, "%s: a defgen block without its end marker\n", path);
            return false;
        }
        char head[256], kind[64] = "", name[128] = "";
        snprintf(head, sizeof head, "%.*s", (int)(eol - mark), mark);
        if (sscanf(head, BEGIN "%63s %127s", kind, name) < 1)
            ok = false;
        char *close = strstr(kind, "-->");
        if (close)
            *close = '\0';
        if (strcmp(name, "-->") == 0)
            name[0] = '\0';
        struct buf text = { 0 };
        put(&text, "");
        if (!block(m, &text, kind, name[0] ? name : NULL)) {
            fprintf(stderr, "%s: unknown defgen block '%s %s'\n", path, kind, name);
            ok = false;
        }
        put_n(&out, p, (size_t)(eol + 1 - p));
        put(&out, text.s);
        p = end;
        free(text.s);
    }
    bool same = old.s && strcmp(old.s, out.s) == 0;
    if (check) {
        if (!same)
            fprintf(stderr, "%s: a generated table differs from the lists (run make docs)\n", path);
        ok = ok && same;
    } else if (!same && ok) {
        FILE *w = fopen(path, "w");
        if (w == NULL || fputs(out.s, w) < 0 || fclose(w) != 0) {
            perror(path);
            ok = false;
        }
    }
    free(old.s);
    free(out.s);
    return ok;
}

bool docs_cover_all(const struct model *m)
{
    bool ok = true;
    for (int i = 0; i < m->nentries; i++)
        if (!documented[i]) {
            const struct entry *e = &m->entries[i];
            fprintf(stderr, "%s:%d: %s has no reference table in the docs (add a defgen block for it)\n",
                    e->file, e->line, e->name);
            ok = false;
        }
    return ok;
}
