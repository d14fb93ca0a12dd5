/*
 * Reading a .def file: a list of macro calls, NAME(item, item, ...), where
 * an item is a number, a string, a name or another call, and the items of
 * a list call (ARGS, RESULTS, ERRORS, CAPS_IN, CAPS_OUT) may be separated
 * by blanks instead of commas.  C comments are skipped.  The same text is
 * valid C for the X-macro expansions in abi.h and the kernel.
 */
#include "def.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum node_type { N_NAME, N_NUMBER, N_STRING, N_CALL };

struct node {
    enum node_type type;
    const char *text; /* name, number text, string contents (unescaped) */
    long number;
    struct node *items[MAX_ITEMS + 8];
    int nitems;
    int line;
};

struct lexer {
    const char *path, *p;
    int line;
    bool failed;
};

static void fail(struct lexer *lx, int line, const char *what)
{
    if (!lx->failed)
        fprintf(stderr, "%s:%d: %s\n", lx->path, line, what);
    lx->failed = true;
}

static void skip_blank(struct lexer *lx)
{
    for (;;) {
        while (isspace((unsigned char)*lx->p))
            lx->line += *lx->p++ == '\n';
        if (lx->p[0] == '/' && lx->p[1] == '*') {
            const char *end = strstr(lx->p + 2, "*/");
            if (end == NULL) {
                fail(lx, lx->line, "unterminated comment");
                lx->p += strlen(lx->p);
                return;
            }
            for (; lx->p < end + 2; lx->p++)
                lx->line += *lx->p == '\n';
        } else if (lx->p[0] == '/' && lx->p[1] == '/') {
            while (*lx->p && *lx->p != '\n')
                lx->p++;
        } else {
            return;
        }
    }
}

static char *copy_range(const char *a, size_t n)
{
    char *s = malloc(n + 1);
    if (s == NULL) {
        perror("defgen");
        exit(2);
    }
    memcpy(s, a, n);
    s[n] = '\0';
    return s;
}

static struct node *new_node(enum node_type type, int line)
{
    struct node *n = calloc(1, sizeof *n);
    if (n == NULL) {
        perror("defgen");
        exit(2);
    }
    n->type = type;
    n->line = line;
    return n;
}

/* A string literal, kept as written between the quotes (escapes stay
 * escapes: the generators write it back into C or Markdown). */
static struct node *lex_string(struct lexer *lx)
{
    const char *start = ++lx->p;
    while (*lx->p && *lx->p != '"' && *lx->p != '\n')
        lx->p += (*lx->p == '\\' && lx->p[1]) ? 2 : 1;
    if (*lx->p != '"') {
        fail(lx, lx->line, "unterminated string");
        return NULL;
    }
    struct node *n = new_node(N_STRING, lx->line);
    n->text = copy_range(start, (size_t)(lx->p - start));
    lx->p++;
    return n;
}

static struct node *parse_item(struct lexer *lx);

static struct node *parse_call_rest(struct lexer *lx, struct node *n)
{
    n->type = N_CALL;
    lx->p++; /* ( */
    for (;;) {
        skip_blank(lx);
        if (*lx->p == ')') {
            lx->p++;
            return n;
        }
        if (*lx->p == ',') {
            lx->p++;
            continue;
        }
        if (n->nitems == (int)(sizeof n->items / sizeof n->items[0])) {
            fail(lx, lx->line, "too many items in one call");
            return NULL;
        }
        struct node *item = parse_item(lx);
        if (item == NULL)
            return NULL;
        n->items[n->nitems++] = item;
    }
}

static struct node *parse_item(struct lexer *lx)
{
    skip_blank(lx);
    const char *start = lx->p;
    if (*lx->p == '"')
        return lex_string(lx);
    if (isdigit((unsigned char)*lx->p) || *lx->p == '-') {
        char *end;
        long v = strtol(lx->p, &end, 0);
        if (end == lx->p) {
            fail(lx, lx->line, "bad number");
            return NULL;
        }
        struct node *n = new_node(N_NUMBER, lx->line);
        n->number = v;
        n->text = copy_range(start, (size_t)(end - start));
        lx->p = end;
        return n;
    }
    if (isalpha((unsigned char)*lx->p) || *lx->p == '_') {
        while (isalnum((unsigned char)*lx->p) || *lx->p == '_')
            lx->p++;
        struct node *n = new_node(N_NAME, lx->line);
        n->text = copy_range(start, (size_t)(lx->p - start));
        skip_blank(lx);
        return *lx->p == '(' ? parse_call_rest(lx, n) : n;
    }
    fail(lx, lx->line, *lx->p ? "unexpected character" : "unexpected end of file");
    return NULL;
}

/* ---- from calls to the model ---- */

struct reader {
    struct lexer *lx;
    struct model *m;
};

static bool want(struct reader *r, const struct node *n, enum node_type type, int index, const char *what)
{
    if (index >= n->nitems || n->items[index]->type != type) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s: item %d should be %s", n->text, index + 1, what);
        fail(r->lx, n->line, msg);
        return false;
    }
    return true;
}

/* Exactly `count` items. */
static bool arity(struct reader *r, const struct node *n, int count)
{
    if (n->nitems == count)
        return true;
    char msg[120];
    snprintf(msg, sizeof msg, "%s takes %d items, not %d", n->text, count, n->nitems);
    fail(r->lx, n->line, msg);
    return false;
}

static bool read_arg(struct reader *r, const struct node *n, struct arg *a)
{
    static const struct { const char *name; enum arg_kind kind; int nitems; enum cap_mode mode; } kinds[] = {
        { "WORD", ARG_WORD, 3, CAP_MODE_COPY },         { "FIELD", ARG_FIELD, 5, CAP_MODE_COPY },
        { "CPTR", ARG_CPTR, 3, CAP_MODE_COPY },         { "CAP", ARG_CAP, 2, CAP_MODE_COPY },
        { "CAP_CHILD", ARG_CAP, 2, CAP_MODE_CHILD },    { "CAP_MOVE", ARG_CAP, 2, CAP_MODE_MOVE },
        { "CAP_CHILD_OR_MOVE", ARG_CAP, 2, CAP_MODE_CHILD_OR_MOVE }, { "TEXT", ARG_TEXT, 4, CAP_MODE_COPY },
    };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        if (n->type != N_CALL || strcmp(n->text, kinds[k].name) != 0)
            continue;
        if (n->nitems != kinds[k].nitems || !want(r, n, N_NAME, 0, "a name") ||
            !want(r, n, N_STRING, n->nitems - 1, "a description"))
            break;
        *a = (struct arg){ .name = n->items[0]->text, .kind = kinds[k].kind, .mode = kinds[k].mode,
                           .bits = 64, .words = 1, .desc = n->items[n->nitems - 1]->text };
        if (a->kind == ARG_CAP)
            return true;
        if (!want(r, n, N_NUMBER, 1, "a register or word index"))
            return false;
        a->reg = (int)n->items[1]->number;
        if (a->kind == ARG_TEXT) {
            if (!want(r, n, N_NUMBER, 2, "a count of words"))
                return false;
            a->words = (int)n->items[2]->number;
            if (a->reg < COFFER_REG_WORDS || a->words < 1) {
                fail(r->lx, n->line, "a TEXT lies in the IPC buffer (from word 4) and has a word at least");
                return false;
            }
        }
        if (a->kind == ARG_FIELD) {
            if (!want(r, n, N_NUMBER, 2, "a shift") || !want(r, n, N_NUMBER, 3, "a width"))
                return false;
            a->shift = (int)n->items[2]->number;
            a->bits = (int)n->items[3]->number;
            if (a->shift < 0 || a->bits < 1 || a->shift + a->bits > 64) {
                fail(r->lx, n->line, "a field must lie within 64 bits");
                return false;
            }
        }
        return true;
    }
    fail(r->lx, n->line, "expected WORD(name, reg, desc), FIELD(name, reg, shift, bits, desc), "
                         "CPTR(name, reg, desc), TEXT(name, word, words, desc) or "
                         "CAP/CAP_CHILD/CAP_MOVE/CAP_CHILD_OR_MOVE(name, desc)");
    return false;
}

/* LIST(item item ...) into args[], at most max. */
static bool read_list(struct reader *r, const struct node *n, const char *list, struct arg *args,
                      int *count, int max)
{
    if (n->type != N_CALL || strcmp(n->text, list) != 0) {
        char msg[120];
        snprintf(msg, sizeof msg, "expected %s(...)", list);
        fail(r->lx, n->line, msg);
        return false;
    }
    if (n->nitems > max) {
        fail(r->lx, n->line, "too many items");
        return false;
    }
    for (int i = 0; i < n->nitems; i++)
        if (!read_arg(r, n->items[i], &args[i]))
            return false;
    *count = n->nitems;
    return true;
}

static bool read_errors(struct reader *r, const struct node *n, struct entry *e)
{
    if (n->type != N_CALL || strcmp(n->text, "ERRORS") != 0) {
        fail(r->lx, n->line, "expected ERRORS(ERR(NAME, \"detail\", \"when\") ...)");
        return false;
    }
    for (int i = 0; i < n->nitems; i++) {
        const struct node *x = n->items[i];
        if (x->type != N_CALL || strcmp(x->text, "ERR") != 0 || x->nitems != 3 ||
            !want(r, x, N_NAME, 0, "an error name") || !want(r, x, N_STRING, 1, "the detail") ||
            !want(r, x, N_STRING, 2, "the condition")) {
            fail(r->lx, x->line, "expected ERR(NAME, \"detail\", \"when\")");
            return false;
        }
        e->errs[e->nerrs++] = (struct err_use){ x->items[0]->text, x->items[1]->text, x->items[2]->text };
    }
    return true;
}

static void add_entry(struct reader *r, const struct entry *e)
{
    if (r->m->nentries == MAX_ENTRIES) {
        fail(r->lx, e->line, "too many entries");
        return;
    }
    r->m->entries[r->m->nentries++] = *e;
}

/* INVOCATION(NAME, label, OBJECT, "desc", ARGS(..), RESULTS(..), ERRORS(..)) */
static void read_invocation(struct reader *r, const struct node *n)
{
    struct entry e = { .type = ENTRY_INVOCATION, .file = r->lx->path, .line = n->line };
    if (n->nitems != 7 || !want(r, n, N_NAME, 0, "a name") || !want(r, n, N_NUMBER, 1, "a label") ||
        !want(r, n, N_NAME, 2, "an object type") || !want(r, n, N_STRING, 3, "a description")) {
        fail(r->lx, n->line, "INVOCATION(NAME, label, OBJECT, \"desc\", ARGS(), RESULTS(), ERRORS())");
        return;
    }
    e.name = n->items[0]->text;
    e.number = n->items[1]->number;
    e.owner = n->items[2]->text;
    e.desc = n->items[3]->text;
    if (read_list(r, n->items[4], "ARGS", e.args, &e.nargs, MAX_ITEMS) &&
        read_list(r, n->items[5], "RESULTS", e.results, &e.nresults, 2) && read_errors(r, n->items[6], &e))
        add_entry(r, &e);
}

/* SYSCALL(NAME, number, PLAIN|IPC|CALL, debug_only, "desc", ARGS, RESULTS, ERRORS) */
static void read_syscall(struct reader *r, const struct node *n)
{
    struct entry e = { .type = ENTRY_SYSCALL, .file = r->lx->path, .line = n->line };
    if (n->nitems != 8 || !want(r, n, N_NAME, 0, "a name") || !want(r, n, N_NUMBER, 1, "a number") ||
        !want(r, n, N_NAME, 2, "PLAIN, IPC or CALL") || !want(r, n, N_NUMBER, 3, "0 or 1") ||
        !want(r, n, N_STRING, 4, "a description")) {
        fail(r->lx, n->line, "SYSCALL(NAME, number, PLAIN|IPC|CALL, debug_only, \"desc\", ARGS(), RESULTS(), ERRORS())");
        return;
    }
    const char *kind = n->items[2]->text;
    e.kind = strcmp(kind, "IPC") == 0 ? SYS_IPC : strcmp(kind, "CALL") == 0 ? SYS_CALL : SYS_PLAIN;
    if (e.kind == SYS_PLAIN && strcmp(kind, "PLAIN") != 0)
        fail(r->lx, n->line, "the kind is PLAIN, IPC or CALL");
    e.name = n->items[0]->text;
    e.number = n->items[1]->number;
    e.debug_only = n->items[3]->number != 0;
    e.desc = n->items[4]->text;
    if (read_list(r, n->items[5], "ARGS", e.args, &e.nargs, MAX_ITEMS) &&
        read_list(r, n->items[6], "RESULTS", e.results, &e.nresults, MAX_ITEMS) &&
        read_errors(r, n->items[7], &e))
        add_entry(r, &e);
}

/* A client sends with modes fixed in its code: only a reply's capability
 * may leave the mode to the server's handler. */
static bool chosen_modes_out_only(struct reader *r, const struct node *n, const struct entry *e)
{
    for (int i = 0; i < e->ncaps_in; i++)
        if (e->caps_in[i].mode == CAP_MODE_CHILD_OR_MOVE) {
            fail(r->lx, n->line, "CAP_CHILD_OR_MOVE is for CAPS_OUT only");
            return false;
        }
    return true;
}

/* OP(PROTOCOL, NAME, label, "desc", ARGS, CAPS_IN, RESULTS, CAPS_OUT, ERRORS) */
static void read_op(struct reader *r, const struct node *n)
{
    struct entry e = { .type = ENTRY_OP, .file = r->lx->path, .line = n->line };
    if (n->nitems != 9 || !want(r, n, N_NAME, 0, "a protocol") || !want(r, n, N_NAME, 1, "a name") ||
        !want(r, n, N_NUMBER, 2, "a label") || !want(r, n, N_STRING, 3, "a description")) {
        fail(r->lx, n->line,
             "OP(PROTOCOL, NAME, label, \"desc\", ARGS(), CAPS_IN(), RESULTS(), CAPS_OUT(), ERRORS())");
        return;
    }
    e.owner = n->items[0]->text;
    e.name = n->items[1]->text;
    e.number = n->items[2]->number;
    e.desc = n->items[3]->text;
    if (read_list(r, n->items[4], "ARGS", e.args, &e.nargs, MAX_ITEMS) &&
        read_list(r, n->items[5], "CAPS_IN", e.caps_in, &e.ncaps_in, 3) &&
        read_list(r, n->items[6], "RESULTS", e.results, &e.nresults, MAX_ITEMS) &&
        read_list(r, n->items[7], "CAPS_OUT", e.caps_out, &e.ncaps_out, 3) &&
        read_errors(r, n->items[8], &e) && chosen_modes_out_only(r, n, &e))
        add_entry(r, &e);
}

/* ERROR(NAME, number, "detail0", "detail1", "desc") */
static void read_error(struct reader *r, const struct node *n)
{
    if (!want(r, n, N_NAME, 0, "a name") || !want(r, n, N_NUMBER, 1, "a number") ||
        !want(r, n, N_STRING, 2, "detail0") || !want(r, n, N_STRING, 3, "detail1") ||
        !want(r, n, N_STRING, 4, "a description") || !arity(r, n, 5))
        return;
    struct model *m = r->m;
    const struct protocol *p = m->nprotocols > 0 &&
                                       strcmp(m->protocols[m->nprotocols - 1].file, r->lx->path) == 0
                                   ? &m->protocols[m->nprotocols - 1]
                                   : NULL;
    m->errors[m->nerrors++] = (struct error_def){ n->items[0]->text, n->items[1]->number,
                                                  n->items[2]->text, n->items[3]->text,
                                                  n->items[4]->text, p ? p->name : NULL };
}

/* OBJECT(NAME, number, "desc") */
static void read_object(struct reader *r, const struct node *n)
{
    if (!want(r, n, N_NAME, 0, "a name") || !want(r, n, N_NUMBER, 1, "a number") ||
        !want(r, n, N_STRING, 2, "a description") || !arity(r, n, 3))
        return;
    r->m->objects[r->m->nobjects++] = (struct object_def){ n->items[0]->text, n->items[1]->number,
                                                           n->items[2]->text };
}

/* PROTOCOL(NAME, stem, first error, last error, "desc"): once, before its
 * errors and operations. */
static void read_protocol(struct reader *r, const struct node *n)
{
    if (!want(r, n, N_NAME, 0, "a name") || !want(r, n, N_NAME, 1, "a stem") ||
        !want(r, n, N_NUMBER, 2, "the first error number") ||
        !want(r, n, N_NUMBER, 3, "the last error number") || !want(r, n, N_STRING, 4, "a description") ||
        !arity(r, n, 5))
        return;
    r->m->protocols[r->m->nprotocols++] =
        (struct protocol){ n->items[0]->text, n->items[1]->text, n->items[2]->number,
                           n->items[3]->number, n->items[4]->text, r->lx->path };
}

char *def_read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len < 2) {
            char *bigger = realloc(buf, cap *= 2);
            if (bigger == NULL)
                free(buf);
            buf = bigger;
        }
    }
    fclose(f);
    if (buf != NULL)
        buf[len] = '\0';
    return buf;
}

bool def_read(struct model *m, const char *path)
{
    char *text = def_read_text(path);
    if (text == NULL) {
        perror(path);
        return false;
    }
    /* Entries keep the path for messages: a copy that outlives the caller's buffer. */
    struct lexer lx = { .path = copy_range(path, strlen(path)), .p = text, .line = 1 };
    struct reader r = { &lx, m };
    static const struct { const char *name; void (*read)(struct reader *, const struct node *); } tops[] = {
        { "INVOCATION", read_invocation }, { "SYSCALL", read_syscall }, { "OP", read_op },
        { "ERROR", read_error },           { "OBJECT", read_object },   { "PROTOCOL", read_protocol },
    };
    for (skip_blank(&lx); *lx.p && !lx.failed; skip_blank(&lx)) {
        struct node *n = parse_item(&lx);
        if (n == NULL)
            break;
        size_t t = 0;
        while (t < sizeof tops / sizeof tops[0] && (n->type != N_CALL || strcmp(n->text, tops[t].name) != 0))
            t++;
        if (t == sizeof tops / sizeof tops[0])
            fail(&lx, n->line, "expected INVOCATION, SYSCALL, OP, ERROR, OBJECT or PROTOCOL");
        else
            tops[t].read(&r, n);
    }
    return !lx.failed;
}
