/*
 * The rules an interface list must keep, across files: numbers unique in
 * their space, arguments inside their registers and not overlapping,
 * every error an entry names declared, protocol errors inside their
 * protocol's range and above the kernel's.
 */
#include "def.h"
#include <ctype.h>
#include <string.h>

/* Protocol errors start here; below are the kernel's (errors.def). */
#define PROTO_ERROR_BASE 0x100

static bool bad(const struct entry *e, const char *what, const char *name)
{
    fprintf(stderr, "%s:%d: %s: %s%s%s\n", e->file, e->line, e->name, what, name ? " " : "",
            name ? name : "");
    return false;
}

const char *lower(const char *s)
{
    static char buf[128];
    size_t i = 0;
    for (; s[i] && i + 1 < sizeof buf; i++)
        buf[i] = (char)tolower((unsigned char)s[i]);
    buf[i] = '\0';
    return buf;
}

const char *kind_name(enum arg_kind k)
{
    static const char *const names[] = { "word", "field", "cptr", "capability" };
    return names[k];
}

int arg_end(const struct arg *a)
{
    return a->reg + (a->kind == ARG_TEXT ? a->words : 1);
}

int entry_arg_regs(const struct entry *e)
{
    int n = 0;
    for (int i = 0; i < e->nargs; i++)
        if (arg_end(&e->args[i]) > n)
            n = arg_end(&e->args[i]);
    return n;
}

const struct protocol *find_protocol(const struct model *m, const char *name)
{
    for (int i = 0; i < m->nprotocols; i++)
        if (strcmp(m->protocols[i].name, name) == 0)
            return &m->protocols[i];
    return NULL;
}

const struct error_def *find_error(const struct model *m, const char *name)
{
    for (int i = 0; i < m->nerrors; i++)
        if (strcmp(m->errors[i].name, name) == 0)
            return &m->errors[i];
    return NULL;
}

/* Registers or words an entry's arguments may use. */
static int max_regs(const struct entry *e)
{
    switch (e->type) {
    case ENTRY_INVOCATION: return 5;  /* a2..a6: a0 is the capability, a1 the label */
    case ENTRY_SYSCALL: return 7;     /* a0..a6 */
    default: return 120;              /* message words */
    }
}

static bool check_args(const struct entry *e, const struct arg *args, int n, int regs, const char *what)
{
    for (int i = 0; i < n; i++) {
        const struct arg *a = &args[i];
        if (a->kind != ARG_CAP && (a->reg < 0 || arg_end(a) > regs))
            return bad(e, what, a->name);
        if (a->kind == ARG_TEXT && e->type != ENTRY_OP)
            return bad(e, "TEXT is for protocol operations only:", a->name);
        for (int j = 0; j < i; j++) {
            const struct arg *b = &args[j];
            if (strcmp(a->name, b->name) == 0)
                return bad(e, "a name used twice:", a->name);
            bool same_words = a->kind != ARG_CAP && b->kind != ARG_CAP && a->reg < arg_end(b) && b->reg < arg_end(a);
            bool overlap = same_words && (a->kind == ARG_TEXT || b->kind == ARG_TEXT ||
                                          (a->shift < b->shift + b->bits && b->shift < a->shift + a->bits));
            if (overlap)
                return bad(e, "overlapping bits:", a->name);
        }
    }
    return true;
}

static bool check_entry(const struct model *m, const struct entry *e)
{
    bool ok = check_args(e, e->args, e->nargs, max_regs(e), "argument outside the registers:");
    int result_regs = e->type == ENTRY_OP ? 120 : 2; /* detail0, detail1 */
    ok = check_args(e, e->results, e->nresults, result_regs, "result outside the detail words:") && ok;
    if (e->type == ENTRY_INVOCATION) {
        bool known = false;
        for (int i = 0; i < m->nobjects; i++)
            known |= strcmp(m->objects[i].name, e->owner) == 0;
        if (!known)
            ok = bad(e, "unknown object type", e->owner);
    }
    const struct protocol *p = e->type == ENTRY_OP ? find_protocol(m, e->owner) : NULL;
    if (e->type == ENTRY_OP && p == NULL)
        ok = bad(e, "unknown protocol", e->owner);
    for (int i = 0; i < e->nerrs; i++) {
        const struct error_def *d = find_error(m, e->errs[i].name);
        if (d == NULL)
            ok = bad(e, "undeclared error", e->errs[i].name);
        else if (d->protocol != NULL && (p == NULL || strcmp(d->protocol, p->name) != 0) &&
                 strcmp(d->protocol, "PROTOCOL") != 0)
            ok = bad(e, "an error of another protocol:", e->errs[i].name);
    }
    return ok;
}

static bool check_numbers(const struct model *m)
{
    bool ok = true;
    for (int i = 0; i < m->nentries; i++)
        for (int j = 0; j < i; j++) {
            const struct entry *a = &m->entries[i], *b = &m->entries[j];
            bool same_space = a->type == b->type &&
                              (a->type != ENTRY_OP || strcmp(a->owner, b->owner) == 0);
            if (same_space && (a->number == b->number || strcmp(a->name, b->name) == 0))
                ok = bad(a, "number or name used twice, also at", b->name);
        }
    for (int i = 0; i < m->nerrors; i++) {
        const struct error_def *d = &m->errors[i];
        for (int j = 0; j < i; j++)
            if (m->errors[j].number == d->number || strcmp(m->errors[j].name, d->name) == 0) {
                fprintf(stderr, "error %s: number or name also used by %s\n", d->name, m->errors[j].name);
                ok = false;
            }
        const struct protocol *p = d->protocol ? find_protocol(m, d->protocol) : NULL;
        if (d->protocol != NULL && (d->number < PROTO_ERROR_BASE || p == NULL ||
                                    d->number < p->err_lo || d->number > p->err_hi)) {
            fprintf(stderr, "error %s: 0x%lx is outside its protocol's range\n", d->name, d->number);
            ok = false;
        }
        if (d->protocol == NULL && d->number >= PROTO_ERROR_BASE) {
            fprintf(stderr, "error %s: kernel errors lie below 0x%x\n", d->name, PROTO_ERROR_BASE);
            ok = false;
        }
    }
    for (int i = 0; i < m->nprotocols; i++)
        for (int j = 0; j < i; j++)
            if (m->protocols[i].err_lo <= m->protocols[j].err_hi &&
                m->protocols[j].err_lo <= m->protocols[i].err_hi) {
                fprintf(stderr, "protocols %s and %s: error ranges overlap\n", m->protocols[i].name,
                        m->protocols[j].name);
                ok = false;
            }
    return ok;
}

bool def_check(const struct model *m)
{
    bool ok = check_numbers(m);
    for (int i = 0; i < m->nentries; i++)
        ok = check_entry(m, &m->entries[i]) && ok;
    return ok;
}
