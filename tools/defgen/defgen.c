/*
 * defgen: one declaration per interface, everything else generated.
 *
 *   defgen [-I dir] [-P dir] user OUT          user stubs and invocation wrappers
 *   defgen [-I dir] [-P dir] kernel OUT        the kernel's argument accessors
 *   defgen [-I dir] [-P dir] error-names OUT   { number, "NAME" } for every error
 *   defgen [-I dir] [-P dir] proto-errors OUT  every protocol's error enum
 *   defgen [-I dir] [-P dir] client PROTO OUT  a protocol's client header
 *   defgen [-I dir] [-P dir] server PROTO OUT  a protocol's server header
 *   defgen [-I dir] [-P dir] docs FILE...      rewrite the generated tables in FILEs
 *   defgen [-I dir] [-P dir] check-docs FILE...     fail if any table is stale, or an
 *                                                   entry has no table in any FILE
 *   defgen [-I dir] [-P dir] check-kernel FILE...   fail if a declared argument is never decoded
 *   defgen [-I dir] [-P dir] check             read and check the lists only
 *
 * -I names the kernel ABI lists' folder (include/coffer), -P the
 * protocols' (proto).  An output is written to OUT.tmp and renamed, so a
 * failed run leaves nothing half-written.
 */
#include "def.h"
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static struct model model;

static bool read_dir(const char *dir, const char *const *first)
{
    bool ok = true;
    char path[1024];
    for (; first && *first; first++) {
        snprintf(path, sizeof path, "%s/%s", dir, *first);
        ok = def_read(&model, path) && ok;
    }
    if (first != NULL)
        return ok;
    DIR *d = opendir(dir);
    if (d == NULL) {
        perror(dir);
        return false;
    }
    /* protocol.def first: its errors are every protocol's. */
    snprintf(path, sizeof path, "%s/protocol.def", dir);
    ok = def_read(&model, path) && ok;
    char *names[64];
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < 64) {
        size_t len = strlen(de->d_name);
        if (len > 4 && strcmp(de->d_name + len - 4, ".def") == 0 && strcmp(de->d_name, "protocol.def") != 0)
            names[n++] = strdup(de->d_name);
    }
    closedir(d);
    /* In name order, so the output does not depend on the directory. */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        ok = def_read(&model, path) && ok;
        free(names[i]);
    }
    return ok;
}

static bool same_contents(const char *a, const char *b)
{
    FILE *fa = fopen(a, "r"), *fb = fopen(b, "r");
    bool same = fa != NULL && fb != NULL;
    while (same) {
        int ca = fgetc(fa), cb = fgetc(fb);
        same = ca == cb;
        if (ca == EOF || cb == EOF)
            break;
    }
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return same;
}

static int write_out(const char *path, void (*emit)(const struct model *, FILE *),
                     void (*emit_p)(const struct model *, const struct protocol *, FILE *),
                     const struct protocol *p)
{
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        perror(tmp);
        return 1;
    }
    if (emit)
        emit(&model, f);
    else
        emit_p(&model, p, f);
    if (fclose(f) != 0) {
        perror(tmp);
        return 1;
    }
    /* An unchanged output keeps its time stamp, so nothing rebuilds. */
    if (same_contents(tmp, path))
        return remove(tmp) == 0 ? 0 : 1;
    if (rename(tmp, path) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: defgen [-I abi-dir] [-P proto-dir] "
                    "user|kernel|error-names|proto-errors OUT | client|server PROTO OUT |\n"
                    "       docs|check-docs|check-kernel FILE... | check\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *abi = "include/coffer", *proto = "proto";
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "-I") == 0)
            abi = argv[i + 1];
        else if (strcmp(argv[i], "-P") == 0)
            proto = argv[i + 1];
        else
            return usage();
    }
    if (i >= argc)
        return usage();
    static const char *const abi_lists[] = { "errors.def", "objects.def", "syscalls.def", "invocations.def", NULL };
    if (!read_dir(abi, abi_lists) || !read_dir(proto, NULL) || !def_check(&model))
        return 1;
    const char *cmd = argv[i++];
    int rest = argc - i;
    if (strcmp(cmd, "check") == 0)
        return 0;
    if (rest == 1 && strcmp(cmd, "user") == 0)
        return write_out(argv[i], emit_user_header, NULL, NULL);
    if (rest == 1 && strcmp(cmd, "kernel") == 0)
        return write_out(argv[i], emit_kernel_header, NULL, NULL);
    if (rest == 1 && strcmp(cmd, "error-names") == 0)
        return write_out(argv[i], emit_error_names, NULL, NULL);
    if (rest == 1 && strcmp(cmd, "proto-errors") == 0)
        return write_out(argv[i], emit_protocol_errors, NULL, NULL);
    if (rest == 2 && (strcmp(cmd, "client") == 0 || strcmp(cmd, "server") == 0)) {
        const struct protocol *p = NULL;
        for (int k = 0; k < model.nprotocols; k++)
            if (strcmp(model.protocols[k].stem, argv[i]) == 0)
                p = &model.protocols[k];
        if (p == NULL) {
            fprintf(stderr, "defgen: no protocol '%s'\n", argv[i]);
            return 1;
        }
        return write_out(argv[i + 1], NULL, cmd[0] == 'c' ? emit_protocol_client : emit_protocol_server, p);
    }
    if (rest >= 1 && (strcmp(cmd, "docs") == 0 || strcmp(cmd, "check-docs") == 0)) {
        bool ok = true;
        for (; i < argc; i++)
            ok = docs_update(&model, argv[i], cmd[0] == 'c') && ok;
        return ok && (cmd[0] != 'c' || docs_cover_all(&model)) ? 0 : 1;
    }
    if (rest >= 1 && strcmp(cmd, "check-kernel") == 0)
        return check_kernel_decodes(&model, rest, argv + i) ? 0 : 1;
    return usage();
}
