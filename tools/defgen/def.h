/*
 * defgen: the interface lists (the .def files of include/coffer and proto) read
 * into one model, from which the generators write the user wrappers, the
 * kernel's argument decoders, protocol clients and dispatchers, and the
 * reference tables in docs/.  docs/architecture.md describes the format.
 */
#ifndef DEFGEN_DEF_H
#define DEFGEN_DEF_H

#include <stdbool.h>
#include <stdio.h>

#define MAX_ITEMS 24
/* Message words that travel in registers (COFFER_MSG_REG_WORDS). */
#define COFFER_REG_WORDS 4

/* One argument, result or capability of an interface entry.  A WORD is a
 * whole register (or message word), a FIELD bits [shift, shift + bits) of
 * one, a CPTR a whole register holding a capability pointer, a CAP a
 * capability carried by an IPC message, a TEXT (protocols only) `words`
 * message words of bytes from word reg on, in the IPC buffer. */
enum arg_kind { ARG_WORD, ARG_FIELD, ARG_CPTR, ARG_CAP, ARG_TEXT };

/* How a CAP travels (COFFER_XFER_*): CAP copies, CAP_CHILD gives a child
 * of the sender's (its revoke takes it back), CAP_MOVE moves it;
 * CAP_CHILD_OR_MOVE (a reply's only) is a child, or moved where the
 * server's handler says so (what cannot be copied: untyped, page tables). */
enum cap_mode { CAP_MODE_COPY, CAP_MODE_CHILD, CAP_MODE_MOVE, CAP_MODE_CHILD_OR_MOVE };

struct arg {
    const char *name;
    enum arg_kind kind;
    enum cap_mode mode; /* a CAP's */
    int reg; /* argument register, detail word or message word */
    int shift, bits;
    int words; /* a TEXT's message words (1 for the others) */
    const char *desc;
};

/* An error an entry can return, with its detail words and the condition. */
struct err_use {
    const char *name;
    const char *detail;
    const char *when;
};

/* INVOCATION, SYSCALL or OP (a protocol operation). */
enum entry_type { ENTRY_INVOCATION, ENTRY_SYSCALL, ENTRY_OP };
enum syscall_kind { SYS_PLAIN, SYS_IPC, SYS_CALL };

struct entry {
    enum entry_type type;
    const char *name;     /* CNODE_COPY, YIELD, CASE */
    long number;          /* label or system-call number */
    const char *owner;    /* invocation: object type; op: protocol */
    enum syscall_kind kind;
    bool debug_only;
    const char *desc;
    struct arg args[MAX_ITEMS], results[MAX_ITEMS], caps_in[4], caps_out[4];
    int nargs, nresults, ncaps_in, ncaps_out;
    struct err_use errs[MAX_ITEMS];
    int nerrs;
    const char *file;
    int line;
};

struct error_def {
    const char *name;
    long number;
    const char *d0, *d1, *desc;
    const char *protocol; /* NULL for the kernel's */
};

struct object_def {
    const char *name;
    long number;
    const char *desc;
};

struct protocol {
    const char *name;  /* UPPER */
    const char *stem;  /* upper: names the headers and C identifiers */
    long err_lo, err_hi;
    const char *desc;
    const char *file;
};

#define MAX_ENTRIES 256
struct model {
    struct entry entries[MAX_ENTRIES];
    int nentries;
    struct error_def errors[MAX_ENTRIES];
    int nerrors;
    struct object_def objects[64];
    int nobjects;
    struct protocol protocols[32];
    int nprotocols;
};

/* Read one .def file into the model; false (with a message on stderr
 * naming the file and line) if it does not parse or breaks a rule. */
bool def_read(struct model *m, const char *path);
/* A whole file as a string (malloc'd), or NULL if it cannot be read. */
char *def_read_text(const char *path);
/* The checks across files: numbers unique, errors named exist, protocol
 * errors inside their protocol's range. */
bool def_check(const struct model *m);

/* Helpers for the generators. */
const char *lower(const char *s);             /* a static buffer, valid until the next call */
const char *kind_name(enum arg_kind k);
int entry_arg_regs(const struct entry *e);    /* registers/words the arguments use */
int arg_end(const struct arg *a);             /* the first word after a WORD, FIELD, CPTR or TEXT */
const struct protocol *find_protocol(const struct model *m, const char *name);
const struct error_def *find_error(const struct model *m, const char *name);

/* True if a protocol operation's message goes through the IPC buffer
 * (more than four words, or capabilities): its client takes the buffer. */
bool proto_needs_buffer(const struct entry *e);

/* Generators: each writes one file (emit_*.c). */
void emit_user_header(const struct model *m, FILE *out);
void emit_kernel_header(const struct model *m, FILE *out);
void emit_error_names(const struct model *m, FILE *out);
void emit_protocol_errors(const struct model *m, FILE *out);
void emit_protocol_client(const struct model *m, const struct protocol *p, FILE *out);
void emit_protocol_server(const struct model *m, const struct protocol *p, FILE *out);
/* Rewrite the generated blocks of a Markdown file; with check, only
 * compare.  Returns false if a block is unknown or (check) differs. */
bool docs_update(const struct model *m, const char *path, bool check);
/* After docs_update over every docs file: true if each entry (system
 * call, invocation, operation) got its detail block somewhere. */
bool docs_cover_all(const struct model *m);
/* Every invocation argument is read in the kernel sources through its
 * accessor (INV_ARG(..., NAME, arg)). */
bool check_kernel_decodes(const struct model *m, int nfiles, char **files);

#endif
