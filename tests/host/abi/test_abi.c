/*
 * Host tests for the ABI lists (the .def files in include/coffer/) and the user stubs
 * and wrappers generated from them by tools/defgen (the generated header's path
 * is the first argument).
 *
 * Each list is expanded here with its own X-macro into a table of names and
 * numbers, and the tables are checked for the properties the ABI relies on:
 * unique (and, where promised, dense) numbers, the error codes user space
 * depends on, sane argument counts, and invocations that name real object
 * types.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coffer/abi.h>
#include <coffer/bootinfo.h>

#include "object/objects.h"
#include "tap.h"

struct err_entry {
    const char *name;
    long num;
    long enum_value;
    const char *d0, *d1, *desc;
};

static const struct err_entry errors[] = {
#define ERROR(name, num, d0, d1, desc) { #name, (num), (long)COFFER_ERR_##name, d0, d1, desc },
#include <coffer/errors.def>
#undef ERROR
};

struct sys_entry {
    const char *name;
    long num;
    const char *kind;
    long dbg;
    long enum_value;
    const char *desc;
};

static const struct sys_entry syscalls[] = {
#define SYSCALL(name, num, kind, dbg, desc, ...) \
    { #name, (num), #kind, (dbg), (long)COFFER_SYS_##name, desc },
#include <coffer/syscalls.def>
#undef SYSCALL
};

struct obj_entry {
    const char *name;
    long num;
    const char *desc;
};

static const struct obj_entry objects[] = {
#define OBJECT(name, num, desc) { #name, (num), desc },
#include <coffer/objects.def>
#undef OBJECT
};

struct inv_entry {
    const char *name;
    long num;
    const char *type_name;
    long type; /* COFFER_OBJ_<type>: fails to compile if the type is unknown */
    long enum_value;
    const char *desc;
};

static const struct inv_entry invocations[] = {
#define INVOCATION(name, num, type, desc, ...) \
    { #name, (num), #type, (long)COFFER_OBJ_##type, (long)COFFER_INV_##name, desc },
#include <coffer/invocations.def>
#undef INVOCATION
};

#define N_ERRORS (sizeof errors / sizeof errors[0])
#define N_SYSCALLS (sizeof syscalls / sizeof syscalls[0])
#define N_OBJECTS (sizeof objects / sizeof objects[0])
#define N_INVOCATIONS (sizeof invocations / sizeof invocations[0])

static int nonempty(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* ---- errors.def -------------------------------------------------------- */

static void test_errors(void)
{
    tap_ok(N_ERRORS == (size_t)COFFER_ERR_COUNT_, "errors: COFFER_ERR_COUNT_ equals the number of entries");

    int dense = 1;
    for (long v = 0; v < (long)N_ERRORS; v++) {
        unsigned hits = 0;
        for (size_t i = 0; i < N_ERRORS; i++)
            hits += errors[i].num == v;
        if (hits != 1) {
            tap_diag("error number %ld used %u times", v, hits);
            dense = 0;
        }
    }
    tap_ok(dense, "errors: numbers are unique and dense from 0 to COFFER_ERR_COUNT_-1");

    int ok = 0;
    for (size_t i = 0; i < N_ERRORS; i++)
        if (strcmp(errors[i].name, "OK") == 0)
            ok = errors[i].num == 0;
    tap_ok(ok, "errors: OK exists and is 0");

    static const char *const required[] = {
        "INVALID_ARGUMENT", "INVALID_CAPABILITY", "ILLEGAL_OPERATION", "RANGE_ERROR",
        "ALIGNMENT_ERROR",  "FAILED_LOOKUP",      "TRUNCATED_MESSAGE", "DELETE_FIRST",
        "REVOKE_FIRST",     "NOT_ENOUGH_MEMORY",
    };
    for (size_t r = 0; r < sizeof required / sizeof required[0]; r++) {
        int found = 0;
        for (size_t i = 0; i < N_ERRORS; i++)
            found |= strcmp(errors[i].name, required[r]) == 0;
        char name[96];
        snprintf(name, sizeof name, "errors: %s exists", required[r]);
        tap_ok(found, name);
    }

    int names_unique = 1, texts = 1, enums = 1;
    for (size_t i = 0; i < N_ERRORS; i++) {
        for (size_t j = 0; j < i; j++)
            names_unique &= strcmp(errors[i].name, errors[j].name) != 0;
        texts &= nonempty(errors[i].d0) && nonempty(errors[i].d1) && nonempty(errors[i].desc);
        enums &= errors[i].enum_value == errors[i].num;
    }
    tap_ok(names_unique, "errors: names are unique");
    tap_ok(texts, "errors: every entry has detail columns and a description");
    tap_ok(enums, "errors: every COFFER_ERR_ constant equals its listed number");
}

/* ---- syscalls.def ------------------------------------------------------ */

static void test_syscalls(void)
{
    int unique = 1, nonzero = 1, kinds = 1, dbg = 1, enums = 1, texts = 1, names = 1;
    for (size_t i = 0; i < N_SYSCALLS; i++) {
        const struct sys_entry *s = &syscalls[i];
        for (size_t j = 0; j < i; j++) {
            if (syscalls[j].num == s->num) {
                tap_diag("syscalls %s and %s share number %ld", syscalls[j].name, s->name, s->num);
                unique = 0;
            }
            names &= strcmp(syscalls[j].name, s->name) != 0;
        }
        nonzero &= s->num > 0;
        kinds &= strcmp(s->kind, "PLAIN") == 0 || strcmp(s->kind, "IPC") == 0 ||
                 strcmp(s->kind, "CALL") == 0;
        dbg &= s->dbg == 0 || s->dbg == 1;
        enums &= s->enum_value == s->num;
        texts &= nonempty(s->desc);
    }
    tap_ok(N_SYSCALLS > 0, "syscalls: the list is not empty");
    tap_ok(unique, "syscalls: numbers are unique");
    tap_ok(names, "syscalls: names are unique");
    tap_ok(nonzero, "syscalls: numbers are positive (0 is never a system call)");
    tap_ok(kinds, "syscalls: every kind is PLAIN, IPC or CALL");
    tap_ok(dbg, "syscalls: debug flag is 0 or 1");
    tap_ok(enums, "syscalls: every COFFER_SYS_ constant equals its listed number");
    tap_ok(texts, "syscalls: every entry has a description");
}

/* ---- objects.def and invocations.def ----------------------------------- */

static void test_objects_invocations(void)
{
    tap_ok(N_OBJECTS == (size_t)COFFER_OBJ_COUNT_, "objects: COFFER_OBJ_COUNT_ equals the number of entries");
    int dense = 1;
    for (long v = 0; v < (long)N_OBJECTS; v++) {
        unsigned hits = 0;
        for (size_t i = 0; i < N_OBJECTS; i++)
            hits += objects[i].num == v;
        dense &= hits == 1;
    }
    tap_ok(dense, "objects: type numbers are unique and dense from 0");
    int names = 1, texts = 1;
    for (size_t i = 0; i < N_OBJECTS; i++) {
        for (size_t j = 0; j < i; j++)
            names &= strcmp(objects[i].name, objects[j].name) != 0;
        texts &= nonempty(objects[i].desc);
    }
    tap_ok(names && texts, "objects: names are unique and every entry has a description");

    int unique = 1, known = 1, enums = 1, blocks = 1;
    texts = 1;
    names = 1;
    for (size_t i = 0; i < N_INVOCATIONS; i++) {
        const struct inv_entry *v = &invocations[i];
        for (size_t j = 0; j < i; j++) {
            if (invocations[j].num == v->num) {
                tap_diag("invocations %s and %s share label %#lx", invocations[j].name, v->name,
                         v->num);
                unique = 0;
            }
            names &= strcmp(invocations[j].name, v->name) != 0;
            /* Blocks of 16 labels per object type. */
            int same_type = invocations[j].type == v->type;
            int same_block = invocations[j].num / 16 == v->num / 16;
            if (same_type != same_block) {
                tap_diag("%s and %s: label blocks do not follow object types", invocations[j].name,
                         v->name);
                blocks = 0;
            }
        }
        int found = 0;
        for (size_t k = 0; k < N_OBJECTS; k++)
            if (strcmp(objects[k].name, v->type_name) == 0)
                found = objects[k].num == v->type;
        if (!found)
            tap_diag("invocation %s: object type %s not in objects.def", v->name, v->type_name);
        known &= found;
        enums &= v->enum_value == v->num;
        texts &= nonempty(v->desc);
    }
    tap_ok(N_INVOCATIONS > 0, "invocations: the list is not empty");
    tap_ok(unique, "invocations: labels are unique");
    tap_ok(names, "invocations: names are unique");
    tap_ok(known, "invocations: each one's object type is listed in objects.def (as COFFER_OBJ_<type>)");
    tap_ok(blocks, "invocations: labels are grouped in blocks of 16 per object type");
    tap_ok(enums && texts, "invocations: COFFER_INV_ constants equal their labels; descriptions present");
}

/* ---- Structures -------------------------------------------------------- */

static void test_structs(void)
{
    tap_ok(sizeof(struct coffer_bootinfo) <= COFFER_PAGE_SIZE, "bootinfo: struct coffer_bootinfo fits in a page");
    tap_ok(sizeof(struct coffer_untyped_desc) == 16, "bootinfo: struct coffer_untyped_desc is 16 bytes");
    tap_ok(offsetof(struct coffer_untyped_desc, paddr) == 0 &&
               offsetof(struct coffer_untyped_desc, size_bits) == 8 &&
               offsetof(struct coffer_untyped_desc, is_device) == 9,
           "bootinfo: untyped descriptor field offsets 0, 8, 9");
    tap_ok(offsetof(struct coffer_bootinfo, untyped_list) % 8 == 0 &&
               offsetof(struct coffer_bootinfo, untyped_list) +
                       COFFER_BOOTINFO_MAX_UNTYPED * sizeof(struct coffer_untyped_desc) ==
                   sizeof(struct coffer_bootinfo),
           "bootinfo: the untyped list is 8-aligned and ends the structure");
    tap_ok(sizeof(struct coffer_result) == 24, "abi: struct coffer_result is three 64-bit words");
    tap_ok(sizeof(struct coffer_kernel_info) % 8 == 0 &&
               offsetof(struct coffer_kernel_info, abi_version) == 0,
           "abi: struct coffer_kernel_info is whole 64-bit words, abi_version first");
}

/* ---- the generated stubs (tools/defgen user) ---------------------------- */

static char stubs[1 << 17];

static int read_stubs(const char *path)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    if (f == NULL)
        return 0;
    size_t n = fread(stubs, 1, sizeof stubs - 1, f);
    stubs[n] = '\0';
    fclose(f);
    return n > 0 && n < sizeof stubs - 1;
}

static const char *lower_name(const char *name)
{
    static char buf[96];
    size_t k = 0;
    for (; name[k] != '\0' && k + 1 < sizeof buf; k++)
        buf[k] = (char)tolower((unsigned char)name[k]);
    buf[k] = '\0';
    return buf;
}

/* The number of times text occurs in the stubs. */
static unsigned occurrences(const char *text)
{
    unsigned n = 0;
    for (const char *s = stubs; (s = strstr(s, text)) != NULL; s++)
        n++;
    return n;
}

/* The body of the function whose head is `head`, up to the next one. */
static int body_has(const char *head, const char *text)
{
    const char *def = strstr(stubs, head);
    if (def == NULL)
        return 0;
    const char *next = strstr(def + 1, "static inline");
    const char *hit = strstr(def, text);
    return hit != NULL && (next == NULL || hit < next);
}

static void test_stubs(const char *path)
{
    if (!tap_okf(read_stubs(path), "stubs: the generated header exists (%s)", path ? path : "no path given"))
        return;
    tap_okf(strstr(stubs, "#ifndef COFFER_SYSCALL_STUBS_H") != NULL &&
               strstr(stubs, "#include <coffer/abi.h>") != NULL && strstr(stubs, "#endif") != NULL,
           "stubs: an include-guarded header that includes <coffer/abi.h>");
    tap_okf(occurrences("__asm__ volatile(\"ecall\"") == 2,
           "stubs: one ecall for plain system calls and one for IPC, nothing else writes the instruction");
    for (size_t i = 0; i < N_SYSCALLS; i++) {
        const struct sys_entry *sc = &syscalls[i];
        int ipc = strcmp(sc->kind, "IPC") == 0;
        char head[160], call[96], note[160];
        snprintf(head, sizeof head, "static inline struct %s coffer_%s%s(", ipc ? "coffer_msg" : "coffer_result",
                 ipc ? "sys_" : "", lower_name(sc->name));
        snprintf(call, sizeof call, "(COFFER_SYS_%s,", sc->name);
        snprintf(note, sizeof note, "%s (system call %ld): ", sc->name, sc->num);
        const char *comment = strstr(stubs, note);
        const char *end = comment ? strstr(comment, "*/") : NULL;
        int marked = end && strstr(comment, "(debug kernels only)") != NULL &&
                     strstr(comment, "(debug kernels only)") < end;
        tap_okf(occurrences(head) == 1 && body_has(head, call) && comment != NULL && marked == (sc->dbg == 1),
               "stubs: %s is generated once as %s...), calls COFFER_SYS_%s and is %smarked debug-only",
               sc->name, head + strlen("static inline "), sc->name, sc->dbg ? "" : "not ");
    }
    for (size_t i = 0; i < N_INVOCATIONS; i++) {
        char head[200], label[96];
        char fn[96];
        snprintf(fn, sizeof fn, "%s", lower_name(invocations[i].name)); /* lower_name's buffer is reused */
        snprintf(head, sizeof head, "static inline struct coffer_result coffer_%s(coffer_cptr_t %s", fn,
                 lower_name(invocations[i].type_name));
        snprintf(label, sizeof label, "COFFER_INV_%s,", invocations[i].name);
        tap_okf(occurrences(head) == 1 && body_has(head, label),
               "stubs: the wrapper coffer_%s takes the invoked %s capability first and passes label %s",
               fn, invocations[i].type_name, invocations[i].name);
    }
}

/* The ABI's object sizes are the kernel's: every type, every size_bits. */
static void test_object_sizes(void)
{
    unsigned wrong = 0;
    for (uint64_t t = 0; t <= COFFER_OBJ_COUNT_; t++)
        for (uint64_t bits = 0; bits < 64; bits++) {
            struct object_size size;
            bool ok = object_size((enum coffer_object_type)t, (unsigned)bits, &size) &&
                      object_retypable((enum coffer_object_type)t);
            unsigned want = ok ? size.size_bits : 0;
            if (coffer_object_bits(t, bits) != want) {
                tap_diag("type %llu size_bits %llu: ABI says %u, the kernel %u", (unsigned long long)t,
                         (unsigned long long)bits, coffer_object_bits(t, bits), want);
                wrong++;
            }
        }
    tap_okf(wrong == 0, "objects: coffer_object_bits agrees with the kernel for every type and size_bits");
}

int main(int argc, char **argv)
{
    test_errors();
    test_syscalls();
    test_objects_invocations();
    test_object_sizes();
    test_structs();
    test_stubs(argc > 1 ? argv[1] : NULL);
    return tap_done();
}
