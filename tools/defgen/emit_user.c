/*
 * The user-level kernel interface, generated: the two system-call
 * instructions (one returning three registers, one returning the seven an
 * IPC receiver gets), a stub per system call and a typed wrapper per
 * invocation, packing the arguments as the lists declare.
 */
#include "def.h"
#include <string.h>

/* A C string literal's contents, as the .def wrote them, inside a comment. */
static void comment_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (s[0] == '*' && s[1] == '/')
            fputs("* /", out), s++;
        else if (s[0] == '\\' && s[1] == '"')
            fputc('"', out), s++;
        else
            fputc(*s, out);
    }
}

static const char *param_type(const struct arg *a)
{
    return a->kind == ARG_CPTR ? "coffer_cptr_t" : "uint64_t";
}

/* The asm for an ecall with a7 = number, a0..a6 in; `outs` registers out
 * (3: a0..a2, the rest preserved; 7: a0..a6). */
static void emit_ecall(FILE *out, const char *fn, const char *ret, int outs)
{
    /* Host tests of user code run it against the host-built kernel core:
     * the system call becomes a call into it (tests/host/host_syscalls.c). */
    fprintf(out, "#ifdef COFFER_HOST_SYSCALLS\n%s coffer_host_%s(uint64_t number, uint64_t a0, uint64_t a1,\n"
                 "        uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6);\n"
                 "#define %s coffer_host_%s\n#else\n", ret, fn + strlen("coffer_"), fn, fn + strlen("coffer_"));
    fprintf(out, "static inline %s %s(uint64_t number, uint64_t a0, uint64_t a1, uint64_t a2,\n"
                 "        uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6)\n{\n", ret, fn);
    for (int i = 0; i < 7; i++)
        fprintf(out, "    register uint64_t r%d __asm__(\"a%d\") = a%d;\n", i, i, i);
    fprintf(out, "    register uint64_t r7 __asm__(\"a7\") = number;\n    __asm__ volatile(\"ecall\"\n"
                 "                     :");
    for (int i = 0; i < outs; i++)
        fprintf(out, "%s \"+r\"(r%d)", i ? "," : "", i);
    fprintf(out, "\n                     :");
    for (int i = outs; i < 8; i++)
        fprintf(out, "%s \"r\"(r%d)", i > outs ? "," : "", i);
    fprintf(out, "\n                     : \"memory\");\n");
    if (outs == 3)
        fprintf(out, "    return (%s){ r0, r1, r2 };\n}\n#endif\n\n", ret);
    else
        fprintf(out, "    return (%s){ r0, r1, { r2, r3, r4, r5 }, r6 };\n}\n#endif\n\n", ret);
}

static void emit_doc_comment(FILE *out, const struct entry *e)
{
    if (e->type == ENTRY_SYSCALL)
        fprintf(out, "/* %s (system call %ld): ", e->name, e->number);
    else
        fprintf(out, "/* %s (label 0x%lx): ", e->name, e->number);
    comment_text(out, e->desc);
    if (e->debug_only)
        fprintf(out, " (debug kernels only)");
    for (int i = 0; i < e->nargs; i++) {
        fprintf(out, "\n *   %s: ", e->args[i].name);
        comment_text(out, e->args[i].desc);
    }
    for (int i = 0; i < e->nresults; i++) {
        fprintf(out, "\n *   -> detail%d %s: ", e->results[i].reg, e->results[i].name);
        comment_text(out, e->results[i].desc);
    }
    fprintf(out, " */\n");
}

static void emit_params(FILE *out, const struct entry *e, const char *first)
{
    fprintf(out, "(%s", first ? first : "");
    for (int i = 0; i < e->nargs; i++)
        fprintf(out, "%s%s %s", (first || i) ? ", " : "", param_type(&e->args[i]), e->args[i].name);
    if (!first && e->nargs == 0)
        fprintf(out, "void");
    fprintf(out, ")\n{\n");
}

/* A field's value wider than its bits would spill into its neighbours:
 * the wrapper refuses it as INVALID_ARGUMENT(register) without calling. */
static void emit_field_checks(FILE *out, const struct entry *e)
{
    for (int i = 0; i < e->nargs; i++) {
        const struct arg *a = &e->args[i];
        if (a->kind == ARG_FIELD)
            fprintf(out, "    if (%s >> %d)\n        return (struct coffer_result){ COFFER_ERR_INVALID_ARGUMENT, %d, 0 };\n",
                    a->name, a->bits, a->reg);
    }
}

/* The value of register reg: the OR of the arguments packed into it. */
static void emit_register(FILE *out, const struct entry *e, int reg)
{
    bool any = false;
    for (int i = 0; i < e->nargs; i++) {
        const struct arg *a = &e->args[i];
        if (a->kind == ARG_CAP || a->reg != reg)
            continue;
        fprintf(out, "%s", any ? " | " : "");
        if (a->kind == ARG_FIELD && a->shift != 0)
            fprintf(out, "(uint64_t)%s << %d", a->name, a->shift);
        else
            fprintf(out, "(uint64_t)%s", a->name);
        any = true;
    }
    if (!any)
        fprintf(out, "0");
}

static void emit_syscall_stub(FILE *out, const struct entry *e)
{
    emit_doc_comment(out, e);
    bool ipc = e->kind == SYS_IPC;
    fprintf(out, "static inline %s coffer_%s%s", ipc ? "struct coffer_msg" : "struct coffer_result",
            ipc ? "sys_" : "", lower(e->name));
    emit_params(out, e, NULL);
    emit_field_checks(out, e);
    fprintf(out, "    return %s(COFFER_SYS_%s", ipc ? "coffer_ipc_syscall" : "coffer_syscall", e->name);
    for (int r = 0; r < 7; r++) {
        fprintf(out, ", ");
        emit_register(out, e, r);
    }
    fprintf(out, ");\n}\n\n");
}

static void emit_invocation(FILE *out, const struct entry *e)
{
    emit_doc_comment(out, e);
    char first[96];
    snprintf(first, sizeof first, "coffer_cptr_t %s", lower(e->owner));
    fprintf(out, "static inline struct coffer_result coffer_%s", lower(e->name));
    emit_params(out, e, first);
    emit_field_checks(out, e);
    fprintf(out, "    return coffer_call(%s, COFFER_INV_%s", lower(e->owner), e->name);
    for (int r = 0; r < 5; r++) {
        fprintf(out, ", ");
        emit_register(out, e, r);
    }
    fprintf(out, ");\n}\n\n");
}

void emit_user_header(const struct model *m, FILE *out)
{
    fprintf(out, "/* Generated by tools/defgen from include/coffer/syscalls.def and invocations.def:\n"
                 " * do not edit.  The calling convention is in docs/abi.md. */\n"
                 "#ifndef COFFER_SYSCALL_STUBS_H\n#define COFFER_SYSCALL_STUBS_H\n\n"
                 "#include <coffer/abi.h>\n#include <stdint.h>\n\n");
    fprintf(out, "/* The system call: a0..a2 come back, every other register is kept. */\n");
    emit_ecall(out, "coffer_syscall", "struct coffer_result", 3);
    fprintf(out, "/* An IPC system call: a receiver gets a0..a6 (error, info, words 0-3, badge). */\n");
    emit_ecall(out, "coffer_ipc_syscall", "struct coffer_msg", 7);
    for (int i = 0; i < m->nentries; i++)
        if (m->entries[i].type == ENTRY_SYSCALL)
            emit_syscall_stub(out, &m->entries[i]);
    for (int i = 0; i < m->nentries; i++)
        if (m->entries[i].type == ENTRY_INVOCATION)
            emit_invocation(out, &m->entries[i]);
    fprintf(out, "#endif\n");
}

void emit_error_names(const struct model *m, FILE *out)
{
    fprintf(out, "/* Generated by tools/defgen from errors.def and proto/NAME.def: do not edit.\n"
                 " * Every error code's name, kernel and protocol: { number, \"NAME\" }. */\n");
    for (int i = 0; i < m->nerrors; i++)
        fprintf(out, "{ 0x%lx, \"%s\" },\n", m->errors[i].number, m->errors[i].name);
}
