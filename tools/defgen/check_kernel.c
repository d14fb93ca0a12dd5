/*
 * The kernel decodes exactly what the lists declare: every argument of an
 * invocation or plain system call is read somewhere through its accessor,
 * INV_ARG(inv, NAME, arg) or SYS_ARG(args, NAME, arg), or is asserted to
 * sit where another invocation's does (INV_SAME_POS(A, B, arg), for a
 * decoder several invocations share).  An accessor that names an argument
 * the list lacks does not compile; this catches the other direction: an
 * argument declared but never looked at.
 */
#include "def.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEEN 1024
static char *seen[MAX_SEEN];
static int nseen;

/* The last two comma-separated names inside the parentheses at p. */
static void note_use(const char *p)
{
    const char *close = strchr(p, ')');
    if (close == NULL)
        return;
    const char *c2 = close, *c1;
    while (c2 > p && *c2 != ',')
        c2--;
    c1 = c2 - 1;
    while (c1 > p && *c1 != ',')
        c1--;
    if (c1 <= p || nseen == MAX_SEEN)
        return;
    char name[128], field[128];
    if (sscanf(c1 + 1, " %127[A-Z_0-9] , %127[a-z_0-9]", name, field) != 2)
        return;
    char *key = malloc(strlen(name) + strlen(field) + 2);
    if (key == NULL)
        return;
    sprintf(key, "%s.%s", name, field);
    seen[nseen++] = key;
    /* INV_SAME_POS(A, B, field): B's field is covered too. */
    char a[128];
    if (sscanf(p, " %127[A-Z_0-9] ,", a) == 1 && nseen < MAX_SEEN && strcmp(a, name) != 0) {
        char *k2 = malloc(strlen(a) + strlen(field) + 2);
        if (k2 != NULL) {
            sprintf(k2, "%s.%s", a, field);
            seen[nseen++] = k2;
        }
    }
}

static void scan(const char *text)
{
    static const char *const macros[] = { "INV_ARG(", "SYS_ARG(", "INV_SAME_POS(" };
    for (size_t k = 0; k < sizeof macros / sizeof macros[0]; k++)
        for (const char *p = strstr(text, macros[k]); p; p = strstr(p + 1, macros[k]))
            if (p == text || !isalnum((unsigned char)p[-1]))
                note_use(p + strlen(macros[k]));
}

static bool was_seen(const char *name, const char *field)
{
    for (int i = 0; i < nseen; i++) {
        const char *dot = strchr(seen[i], '.');
        if ((size_t)(dot - seen[i]) == strlen(name) && strncmp(seen[i], name, strlen(name)) == 0 &&
            strcmp(dot + 1, field) == 0)
            return true;
    }
    return false;
}

/* INV_SHARES(A, B), SYS_SHARES(A, B): B's arguments that A has too are
 * decoded as A's. */
static void note_shares(const struct model *m, const char *text, const char *macro)
{
    for (const char *p = strstr(text, macro); p; p = strstr(p + 1, macro)) {
        char a[128], b[128];
        if (sscanf(p + strlen(macro), " %127[A-Z_0-9] , %127[A-Z_0-9]", a, b) != 2)
            continue;
        for (int i = 0; i < m->nentries; i++)
            if (strcmp(m->entries[i].name, b) == 0)
                for (int j = 0; j < m->entries[i].nargs && nseen < MAX_SEEN; j++) {
                    const char *field = m->entries[i].args[j].name;
                    if (!was_seen(a, field))
                        continue;
                    char *key = malloc(strlen(b) + strlen(field) + 2);
                    if (key == NULL)
                        return;
                    sprintf(key, "%s.%s", b, field);
                    seen[nseen++] = key;
                }
    }
}

bool check_kernel_decodes(const struct model *m, int nfiles, char **files)
{
    char **texts = calloc((size_t)nfiles, sizeof *texts);
    if (texts == NULL)
        return false;
    for (int i = 0; i < nfiles; i++) {
        texts[i] = def_read_text(files[i]);
        if (texts[i] == NULL) {
            perror(files[i]);
            return false;
        }
        scan(texts[i]);
    }
    /* Shared layouts last, when every direct use is known. */
    for (int i = 0; i < nfiles; i++) {
        note_shares(m, texts[i], "INV_SHARES(");
        note_shares(m, texts[i], "SYS_SHARES(");
        free(texts[i]);
    }
    free(texts);
    bool ok = true;
    for (int i = 0; i < m->nentries; i++) {
        const struct entry *e = &m->entries[i];
        bool checked = e->type == ENTRY_INVOCATION || (e->type == ENTRY_SYSCALL && e->kind == SYS_PLAIN);
        for (int j = 0; checked && j < e->nargs; j++)
            if (!was_seen(e->name, e->args[j].name)) {
                fprintf(stderr, "%s:%d: %s: argument %s is declared but the kernel never decodes it\n",
                        e->file, e->line, e->name, e->args[j].name);
                ok = false;
            }
    }
    return ok;
}
