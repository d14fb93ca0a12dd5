/*
 * A protocol's two headers.  The client header has one function per
 * operation that sends the request as an IPC call and unpacks the reply;
 * the server header has the handler each operation needs (the server
 * writes them) and the dispatcher that checks a request's shape, unpacks
 * its arguments, calls the handler and packs the reply.  The dispatcher
 * is plain C over struct coffer_request / coffer_reply, so a server's
 * logic is tested on the host without a kernel.  The wire format is in
 * include/coffer/protocol.h.
 */
#include "def.h"
#include <string.h>

/* Message words the results take. */
static int result_words(const struct entry *e)
{
    int n = 0;
    for (int i = 0; i < e->nresults; i++)
        if (arg_end(&e->results[i]) > n)
            n = arg_end(&e->results[i]);
    return n;
}

/* Operations whose message does not fit the four register words, or that
 * carry capabilities, go through the caller's IPC buffer. */
bool proto_needs_buffer(const struct entry *e)
{
    return entry_arg_regs(e) > COFFER_REG_WORDS || result_words(e) > COFFER_REG_WORDS || e->ncaps_in > 0 ||
           e->ncaps_out > 0;
}


static void emit_unpack(FILE *out, const struct arg *a, const char *words)
{
    if (a->kind == ARG_FIELD)
        fprintf(out, "(%s[%d] >> %d & 0x%llxull)", words, a->reg, a->shift, (1ull << a->bits) - 1);
    else
        fprintf(out, "%s[%d]", words, a->reg);
}

static void emit_pack(FILE *out, const struct arg *args, int n, int word, const char *prefix)
{
    bool any = false;
    for (int i = 0; i < n; i++) {
        if (args[i].kind == ARG_CAP || args[i].kind == ARG_TEXT || args[i].reg != word)
            continue;
        fprintf(out, "%s(uint64_t)%s%s", any ? " | " : "", prefix, args[i].name);
        if (args[i].kind == ARG_FIELD && args[i].shift)
            fprintf(out, " << %d", args[i].shift);
        any = true;
    }
    if (!any)
        fprintf(out, "0");
}

/* Whether a TEXT of args covers message word w (its bytes are copied, not packed). */
static bool in_text(const struct arg *args, int n, int w)
{
    for (int i = 0; i < n; i++)
        if (args[i].kind == ARG_TEXT && args[i].reg <= w && w < arg_end(&args[i]))
            return true;
    return false;
}

static void emit_op_comment(FILE *out, const struct entry *e)
{
    fprintf(out, "/* %s (label %ld): %s */\n", e->name, e->number, e->desc);
}

/* The cap_modes word of n capabilities (COFFER_XFER_MODES), but for
 * those whose mode the handler chooses (CAP_CHILD_OR_MOVE). */
static unsigned long cap_modes(const struct arg *caps, int n)
{
    unsigned long modes = 0;
    for (int i = 0; i < n; i++)
        if (caps[i].mode != CAP_MODE_CHILD_OR_MOVE)
            modes |= (unsigned long)caps[i].mode << (2 * i);
    return modes;
}

static bool mode_chosen(const struct entry *e)
{
    for (int i = 0; i < e->ncaps_out; i++)
        if (e->caps_out[i].mode == CAP_MODE_CHILD_OR_MOVE)
            return true;
    return false;
}

/* ---- client ---- */

/* The client's parameters after buf: the endpoint, the arguments, the
 * capabilities sent, where the ones received go, the results.  An op that
 * receives capabilities has two clients: <op>_into() names the receive
 * CNode (a CNode capability resolved with recv_depth bits; depth 0, the
 * root CNode) and the first slot in it, <op>() a slot of the root CNode. */
static void emit_client_params(FILE *out, const struct entry *e, bool into, bool names_only)
{
    fprintf(out, names_only ? "ep" : "coffer_cptr_t ep");
    for (int i = 0; i < e->nargs; i++)
        if (e->args[i].kind == ARG_TEXT)
            fprintf(out, names_only ? ", %s, %s_bytes" : ", const void *%s, size_t %s_bytes", e->args[i].name,
                    e->args[i].name);
        else
            fprintf(out, names_only ? ", %s" : ", uint64_t %s", e->args[i].name);
    for (int i = 0; i < e->ncaps_in; i++)
        fprintf(out, names_only ? ", %s" : ", coffer_cptr_t %s", e->caps_in[i].name);
    if (e->ncaps_out > 0)
        fprintf(out, names_only ? ", 0, 0, recv_slot"
                     : into     ? ", coffer_cptr_t recv_cnode, uint64_t recv_depth, uint64_t recv_index"
                                : ", uint64_t recv_slot");
    for (int i = 0; i < e->nresults; i++)
        fprintf(out, names_only                            ? ", %s"
                     : e->results[i].kind == ARG_TEXT ? ", char *%s"
                                                      : ", uint64_t *%s",
                e->results[i].name);
}

/* <op>(): <op>_into() with the root CNode. */
static void emit_client_root_slot(FILE *out, const struct protocol *p, const struct entry *e)
{
    fprintf(out, "/* %s into slot recv_slot of the root CNode. */\n", e->name);
    fprintf(out, "static inline struct coffer_result %s_%s(struct coffer_ipc_buffer *buf, ", p->stem, lower(e->name));
    emit_client_params(out, e, false, false);
    fprintf(out, ")\n{\n    return %s_%s_into(buf, ", p->stem, lower(e->name));
    emit_client_params(out, e, false, true);
    fprintf(out, ");\n}\n\n");
}

static void emit_client_op(FILE *out, const struct protocol *p, const struct entry *e)
{
    bool buf = proto_needs_buffer(e), into = e->ncaps_out > 0;
    int words = entry_arg_regs(e), rwords = result_words(e);
    emit_op_comment(out, e);
    fprintf(out, "static inline struct coffer_result %s_%s%s(", p->stem, lower(e->name), into ? "_into" : "");
    if (buf)
        fprintf(out, "struct coffer_ipc_buffer *buf, ");
    emit_client_params(out, e, into, false);
    fprintf(out, ")\n{\n    uint64_t w[%d];\n", words > COFFER_REG_WORDS ? words : COFFER_REG_WORDS);
    for (int w = 0; w < (words > COFFER_REG_WORDS ? words : COFFER_REG_WORDS); w++) {
        if (in_text(e->args, e->nargs, w))
            continue;
        fprintf(out, "    w[%d] = ", w);
        emit_pack(out, e->args, e->nargs, w, "");
        fprintf(out, ";\n");
    }
    if (buf) {
        for (int w = COFFER_REG_WORDS; w < words; w++)
            if (!in_text(e->args, e->nargs, w))
                fprintf(out, "    buf->mr[%d] = w[%d];\n", w, w);
        for (int i = 0; i < e->nargs; i++)
            if (e->args[i].kind == ARG_TEXT)
                fprintf(out, "    coffer_proto_put_text(&buf->mr[%d], %d, %s, %s_bytes);\n", e->args[i].reg,
                        e->args[i].words, e->args[i].name, e->args[i].name);
        for (int i = 0; i < e->ncaps_in; i++)
            fprintf(out, "    buf->caps[%d] = %s;\n", i, e->caps_in[i].name);
        if (e->ncaps_in > 0)
            fprintf(out, "    buf->cap_modes = 0x%lx;\n", cap_modes(e->caps_in, e->ncaps_in));
        if (e->ncaps_out > 0)
            fprintf(out, "    buf->recv_cnode = recv_cnode;\n    buf->recv_depth = recv_depth;\n"
                         "    buf->recv_index = recv_index;\n");
    }
    fprintf(out, "    struct coffer_msg m = coffer_ipc_syscall(COFFER_SYS_CALL, ep, COFFER_MSGINFO(%ld, %d, %d),\n"
                 "                                             w[0], w[1], w[2], w[3], 0);\n",
            e->number, e->ncaps_in, words);
    fprintf(out, "    struct coffer_result r = coffer_proto_result(&m, %s, %d, %d);\n", buf ? "buf" : "0", rwords,
            e->ncaps_out);
    if (e->nresults > 0) {
        fprintf(out, "    if (r.error != COFFER_ERR_OK)\n        return r;\n");
        fprintf(out, "    const uint64_t *rw = coffer_proto_reply_words(&m, %s);\n", buf ? "buf" : "0");
        for (int i = 0; i < e->nresults; i++) {
            if (e->results[i].kind == ARG_TEXT) {
                fprintf(out, "    coffer_proto_get_text(%s, &rw[%d], %d);\n", e->results[i].name, e->results[i].reg,
                        e->results[i].words);
                continue;
            }
            fprintf(out, "    *%s = ", e->results[i].name);
            emit_unpack(out, &e->results[i], "rw");
            fprintf(out, ";\n");
        }
    }
    fprintf(out, "    return r;\n}\n\n");
    if (into)
        emit_client_root_slot(out, p, e);
}

static void emit_guard(FILE *out, const struct protocol *p, const char *part, bool open)
{
    if (open)
        fprintf(out, "/* Generated by tools/defgen from %s: do not edit. */\n#ifndef COFFER_PROTO_%s_%s_H\n"
                     "#define COFFER_PROTO_%s_%s_H\n\n",
                p->file, p->name, part, p->name, part);
    else
        fprintf(out, "#endif\n");
}

static void emit_common(const struct model *m, const struct protocol *p, FILE *out)
{
    /* The operations, once for both headers. */
    fprintf(out, "#include <coffer/protocol.h>\n\n#ifndef COFFER_PROTO_%s_OPS\n#define COFFER_PROTO_%s_OPS\n"
                 "/* %s */\nenum %s_op {\n", p->name, p->name, p->desc, p->stem);
    for (int i = 0; i < m->nentries; i++)
        if (m->entries[i].type == ENTRY_OP && strcmp(m->entries[i].owner, p->name) == 0)
            fprintf(out, "    %s_OP_%s = %ld,\n", p->name, m->entries[i].name, m->entries[i].number);
    fprintf(out, "};\n#endif\n\n");
}

/* Every protocol's error codes, in one header <coffer/protocol.h> includes. */
void emit_protocol_errors(const struct model *m, FILE *out)
{
    fprintf(out, "/* Generated by tools/defgen from proto/NAME.def: do not edit. */\n"
                 "#ifndef COFFER_PROTO_ERRORS_H\n#define COFFER_PROTO_ERRORS_H\n\n");
    for (int i = 0; i < m->nprotocols; i++) {
        const struct protocol *p = &m->protocols[i];
        fprintf(out, "/* %s: 0x%lx-0x%lx */\nenum %s_error {\n", p->name, p->err_lo, p->err_hi, p->stem);
        for (int j = 0; j < m->nerrors; j++)
            if (m->errors[j].protocol && strcmp(m->errors[j].protocol, p->name) == 0)
                fprintf(out, "    COFFER_ERR_%s = 0x%lx, /* %s */\n", m->errors[j].name, m->errors[j].number,
                        m->errors[j].desc);
        fprintf(out, "};\n\n");
    }
    fprintf(out, "#endif\n");
}

void emit_protocol_client(const struct model *m, const struct protocol *p, FILE *out)
{
    emit_guard(out, p, "CLIENT", true);
    emit_common(m, p, out);
    fprintf(out, "#include <coffer/protocol_client.h>\n\n");
    for (int i = 0; i < m->nentries; i++)
        if (m->entries[i].type == ENTRY_OP && strcmp(m->entries[i].owner, p->name) == 0)
            emit_client_op(out, p, &m->entries[i]);
    emit_guard(out, p, "CLIENT", false);
}

/* ---- server ---- */

static void emit_handler_decl(FILE *out, const struct protocol *p, const struct entry *e)
{
    emit_op_comment(out, e);
    fprintf(out, "struct coffer_result %s_serve_%s(struct %s_server *server, const struct coffer_request *rq",
            p->stem, lower(e->name), p->stem);
    for (int i = 0; i < e->nargs; i++)
        fprintf(out, e->args[i].kind == ARG_TEXT ? ", const uint8_t *%s" : ", uint64_t %s", e->args[i].name);
    for (int i = 0; i < e->ncaps_in; i++)
        fprintf(out, ", coffer_cptr_t %s", e->caps_in[i].name);
    for (int i = 0; i < e->nresults; i++)
        fprintf(out, e->results[i].kind == ARG_TEXT ? ", uint8_t *%s" : ", uint64_t *%s", e->results[i].name);
    for (int i = 0; i < e->ncaps_out; i++)
        fprintf(out, ", coffer_cptr_t *%s", e->caps_out[i].name);
    for (int i = 0; i < e->ncaps_out; i++)
        if (e->caps_out[i].mode == CAP_MODE_CHILD_OR_MOVE)
            fprintf(out, ", unsigned *%s_mode", e->caps_out[i].name);
    fprintf(out, ");\n\n");
}

static void emit_dispatch_case(FILE *out, const struct protocol *p, const struct entry *e)
{
    int words = entry_arg_regs(e);
    fprintf(out, "    case %s_OP_%s: {\n", p->name, e->name);
    fprintf(out, "        if (!coffer_proto_shape_ok(rq, rp, %d, %d))\n            return;\n", words, e->ncaps_in);
    for (int i = 0; i < e->nresults; i++)
        if (e->results[i].kind == ARG_TEXT) /* the handler writes it in place; nothing stale goes out */
            fprintf(out, "        for (unsigned i = %d; i < %d; i++)\n            rp->mr[i] = 0;\n",
                    e->results[i].reg, arg_end(&e->results[i]));
        else
            fprintf(out, "        uint64_t %s = 0;\n", e->results[i].name);
    for (int i = 0; i < e->ncaps_out; i++)
        fprintf(out, "        coffer_cptr_t %s = 0;\n", e->caps_out[i].name);
    for (int i = 0; i < e->ncaps_out; i++)
        if (e->caps_out[i].mode == CAP_MODE_CHILD_OR_MOVE)
            fprintf(out, "        unsigned %s_mode = COFFER_XFER_CHILD;\n", e->caps_out[i].name);
    fprintf(out, "        struct coffer_result r = %s_serve_%s(server, rq", p->stem, lower(e->name));
    for (int i = 0; i < e->nargs; i++) {
        fprintf(out, ", ");
        if (e->args[i].kind == ARG_TEXT)
            fprintf(out, "(const uint8_t *)&rq->mr[%d]", e->args[i].reg);
        else
            emit_unpack(out, &e->args[i], "rq->mr");
    }
    for (int i = 0; i < e->ncaps_in; i++)
        fprintf(out, ", rq->caps[%d]", i);
    for (int i = 0; i < e->nresults; i++)
        if (e->results[i].kind == ARG_TEXT)
            fprintf(out, ", (uint8_t *)&rp->mr[%d]", e->results[i].reg);
        else
            fprintf(out, ", &%s", e->results[i].name);
    for (int i = 0; i < e->ncaps_out; i++)
        fprintf(out, ", &%s", e->caps_out[i].name);
    for (int i = 0; i < e->ncaps_out; i++)
        if (e->caps_out[i].mode == CAP_MODE_CHILD_OR_MOVE)
            fprintf(out, ", &%s_mode", e->caps_out[i].name);
    fprintf(out, ");\n        if (!coffer_proto_reply_error(rp, r)) {\n");
    int rwords = result_words(e);
    for (int w = 0; w < rwords; w++) {
        if (in_text(e->results, e->nresults, w))
            continue;
        fprintf(out, "            rp->mr[%d] = ", w);
        emit_pack(out, e->results, e->nresults, w, "");
        fprintf(out, ";\n");
    }
    fprintf(out, "            rp->length = %d;\n", rwords);
    for (int i = 0; i < e->ncaps_out; i++)
        fprintf(out, "            rp->caps[%d] = %s;\n", i, e->caps_out[i].name);
    if (mode_chosen(e)) {
        const char *sep = "";
        fprintf(out, "            rp->cap_modes = ");
        if (cap_modes(e->caps_out, e->ncaps_out) != 0) {
            fprintf(out, "0x%lx", cap_modes(e->caps_out, e->ncaps_out));
            sep = " | ";
        }
        for (int i = 0; i < e->ncaps_out; i++)
            if (e->caps_out[i].mode == CAP_MODE_CHILD_OR_MOVE) {
                fprintf(out, "%s(uint64_t)(%s_mode == COFFER_XFER_MOVE ? COFFER_XFER_MOVE : COFFER_XFER_CHILD) << %d",
                        sep, e->caps_out[i].name, 2 * i);
                sep = " | ";
            }
        fprintf(out, ";\n");
    } else if (cap_modes(e->caps_out, e->ncaps_out) != 0) {
        fprintf(out, "            rp->cap_modes = 0x%lx;\n", cap_modes(e->caps_out, e->ncaps_out));
    }
    fprintf(out, "            rp->ncaps = %d;\n        }\n        return;\n    }\n", e->ncaps_out);
}

void emit_protocol_server(const struct model *m, const struct protocol *p, FILE *out)
{
    emit_guard(out, p, "SERVER", true);
    emit_common(m, p, out);
    fprintf(out, "/* The server's state: the server defines it. */\nstruct %s_server;\n\n"
                 "/* The handlers the server writes, one per operation: arguments unpacked,\n"
                 " * results and capabilities to return through the pointers.  A result other\n"
                 " * than OK becomes the reply's error, its details the reply's two words. */\n",
            p->stem);
    for (int i = 0; i < m->nentries; i++)
        if (m->entries[i].type == ENTRY_OP && strcmp(m->entries[i].owner, p->name) == 0)
            emit_handler_decl(out, p, &m->entries[i]);
    fprintf(out, "/* Check the request's shape, call its handler, build the reply. */\n"
                 "static inline void %s_dispatch(struct %s_server *server, const struct coffer_request *rq,\n"
                 "                               struct coffer_reply *rp)\n{\n"
                 "    coffer_proto_reply_init(rp);\n    switch (rq->label) {\n",
            p->stem, p->stem);
    for (int i = 0; i < m->nentries; i++)
        if (m->entries[i].type == ENTRY_OP && strcmp(m->entries[i].owner, p->name) == 0)
            emit_dispatch_case(out, p, &m->entries[i]);
    fprintf(out, "    default:\n        coffer_proto_unknown_op(rq, rp);\n        return;\n    }\n}\n\n");
    fprintf(out, "/* The same, for the receive loop (lib/server), which knows no protocol. */\n"
                 "static inline void %s_dispatch_any(void *server, const struct coffer_request *rq,\n"
                 "                                   struct coffer_reply *rp)\n{\n"
                 "    %s_dispatch((struct %s_server *)server, rq, rp);\n}\n\n",
            p->stem, p->stem, p->stem);
    emit_guard(out, p, "SERVER", false);
}
