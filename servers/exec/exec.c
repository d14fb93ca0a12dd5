/*
 * The exec server's UNPACK (exec.h, proto/exec.def): check the image,
 * buy the arena and a first output frame from the session's bank, then
 * decode a page of input at a time, doubling the output as it fills; the
 * ELF header is checked as soon as it is out, the whole ELF at the end.
 * Whatever stops a request -- the client's limit, a corrupt stream, the
 * image revoked -- gives back everything bought for it.
 */
#include <bank/bank.h>
#include <dataspace/dataspace.h>
#include <image/elf.h>
#include <proto/bank_client.h>
#include <proto/exec_server.h>
#include <server/guarded.h>
#include <string.h>
#include <unpack/unpack.h>

#include "exec.h"

/* One request's world: its session, what it bought, where it is. */
struct job {
    struct exec_server *s;
    struct session *c;
    unsigned give;                  /* the slot the next purchase goes to (0: a table's) */
    struct dataspace_env env;
    struct dataspace arena, out, grown;
    struct unpack u;
    bool decoding;
};

static struct coffer_result fail(uint64_t error, uint64_t d0, uint64_t d1)
{
    return (struct coffer_result){ error, d0, d1 };
}

/* The session's slots: the one asked for, else the next for a table. */
static bool job_slot(void *ctx, uint64_t *slot)
{
    struct job *j = ctx;
    struct exec_session *e = &j->s->table[j->c->index];
    unsigned k = j->give;
    j->give = 0;
    if (k == 0) {
        if (EXEC_S_TABLES + e->tables >= SESSION_CNODE_SLOTS)
            return false;
        k = EXEC_S_TABLES + e->tables++;
    }
    *slot = session_slot(j->s->sessions, j->c->index, k);
    return true;
}

static uint64_t at(const struct job *j, uint64_t offset)
{
    return j->c->area_va + offset;
}

/* A bank's refusal as EXEC_BANK; others as they are. */
static struct coffer_result bank_error(struct coffer_result r)
{
    if (r.error >= COFFER_ERR_BANK_LIMIT && r.error <= COFFER_ERR_BANK_BAD_CURSOR)
        return fail(COFFER_ERR_EXEC_BANK, r.error, r.detail0);
    return r;
}

/* A dataspace of `bytes` into session slot k, attached at offset. */
static struct coffer_result buy(struct job *j, unsigned k, uint64_t bytes, uint64_t offset, struct dataspace *ds)
{
    j->give = k;
    struct coffer_result r = dataspace_alloc(&j->env, bytes, ds);
    if (r.error != COFFER_ERR_OK)
        return bank_error(r);
    j->give = 0;
    r = dataspace_attach(&j->env, ds, j->s->sessions->cfg.vspace, at(j, offset), true);
    if (r.error != COFFER_ERR_OK) {
        dataspace_free(&j->env, ds);
        return bank_error(r);
    }
    return r;
}

/* The session's arena: the one it kept if it is big enough, else a new
 * one (the old freed first). */
static struct coffer_result session_arena(struct job *j, uint64_t bytes)
{
    struct exec_session *e = &j->s->table[j->c->index];
    if (e->arena_handle != 0 && e->arena_bytes >= bytes) {
        j->arena = (struct dataspace){ .frame = session_slot(j->s->sessions, j->c->index, EXEC_S_ARENA),
                                       .bytes = e->arena_bytes, .handle = e->arena_handle };
        return fail(COFFER_ERR_OK, 0, 0);
    }
    if (e->arena_handle != 0)
        bank_free(j->env.bank, e->arena_handle);
    e->arena_handle = 0;
    struct coffer_result r = buy(j, EXEC_S_ARENA, bytes, EXEC_ARENA_OFFSET, &j->arena);
    if (r.error == COFFER_ERR_OK) {
        e->arena_bytes = j->arena.bytes;
        e->arena_handle = j->arena.handle;
    }
    return r;
}

/* Everything the job bought goes back, but the arena the session keeps. */
static void give_back(struct job *j)
{
    if (j->decoding)
        unpack_end(&j->u);
    if (j->out.handle != 0)
        dataspace_free(&j->env, &j->out);
    if (j->grown.handle != 0)
        dataspace_free(&j->env, &j->grown);
}

/* The output doubled: a frame twice the size at the other place, what
 * was made copied over, the old one freed. */
static struct coffer_result grow(struct job *j, unsigned *place, uint64_t made)
{
    if (j->out.bytes * 2 > EXEC_OUTPUT_MAX)
        return fail(COFFER_ERR_EXEC_TOO_BIG, EXEC_OUTPUT_MAX, 0);
    unsigned other = 1 - *place;
    struct coffer_result r = buy(j, other == 0 ? EXEC_S_OUT : EXEC_S_OUT2, j->out.bytes * 2, EXEC_OUT_OFFSET(other),
                                 &j->grown);
    if (r.error != COFFER_ERR_OK)
        return r;
    memcpy((void *)(uintptr_t)at(j, EXEC_OUT_OFFSET(other)), (const void *)(uintptr_t)at(j, EXEC_OUT_OFFSET(*place)),
           made);
    dataspace_free(&j->env, &j->out);
    j->out = j->grown;
    j->grown = (struct dataspace){ 0 };
    *place = other;
    return r;
}

/* The next part of the image into the arena's start. */
static bool next_input(struct job *j, uint64_t bytes, uint64_t *pos, size_t *avail)
{
    size_t n = bytes - *pos < EXEC_BOUNCE_BYTES ? (size_t)(bytes - *pos) : EXEC_BOUNCE_BYTES;
    if (coffer_guarded_copy((void *)(uintptr_t)at(j, EXEC_ARENA_OFFSET),
                            (const void *)(uintptr_t)(at(j, EXEC_IMAGE_OFFSET) + *pos), n) != 0)
        return false;
    *pos += n;
    *avail = n;
    return true;
}

/* Decode the whole image into the output; *made its bytes, *place where. */
static struct coffer_result decode(struct job *j, uint64_t bytes, uint64_t *made, unsigned *place)
{
    uint64_t pos = 0;
    size_t avail = 0, off = 0;
    bool header_checked = false;
    for (;;) {
        if (avail == 0 && pos < bytes) {
            if (!next_input(j, bytes, &pos, &avail))
                return fail(COFFER_ERR_EXEC_IMAGE_GONE, 0, 0);
            off = 0;
        }
        size_t used = 0, m = 0;
        const uint8_t *in = (const uint8_t *)(uintptr_t)at(j, EXEC_ARENA_OFFSET) + off;
        uint8_t *out = (uint8_t *)(uintptr_t)at(j, EXEC_OUT_OFFSET(*place));
        int st = unpack_step(&j->u, in, avail, &used, out + *made, j->out.bytes - *made, &m);
        off += used;
        avail -= used;
        *made += m;
        if (st < 0)
            return fail(COFFER_ERR_EXEC_CORRUPT, *made, 0);
        uint64_t need;
        int e;
        if (!header_checked && *made >= 64 &&
            (e = elf_header_bytes(out, EXEC_OUTPUT_MAX, ELF_EM_RISCV, &need)) < 0)
            return fail(COFFER_ERR_EXEC_NOT_ELF, (uint64_t)(int64_t)e, 0);
        header_checked = header_checked || *made >= 64;
        if (st == UNPACK_DONE)
            return fail(COFFER_ERR_OK, 0, 0);
        if (*made == j->out.bytes) {
            struct coffer_result r = grow(j, place, *made);
            if (r.error != COFFER_ERR_OK)
                return r;
        } else if (avail == 0 && pos == bytes && used == 0 && m == 0) {
            return fail(COFFER_ERR_EXEC_CORRUPT, *made, 0); /* the stream ends before its end */
        }
    }
}

/* The image checked and mapped read-only; its format from its first bytes. */
static struct coffer_result open_image(struct job *j, coffer_cptr_t image, uint64_t bytes, enum unpack_format *f,
                                       uint8_t head[4])
{
    const struct session_config *k = &j->s->sessions->cfg;
    struct coffer_result id = coffer_cnode_identify(k->root, image, 64);
    struct coffer_result where = coffer_frame_address(image);
    if (id.error != COFFER_ERR_OK || COFFER_ID_TYPE(id.detail0) != COFFER_OBJ_FRAME ||
        !(COFFER_ID_RIGHTS(id.detail0) & COFFER_RIGHT_READ) || where.error != COFFER_ERR_OK)
        return fail(COFFER_ERR_EXEC_BAD_ARGUMENT, 0, 0);
    if (bytes == 0 || bytes > where.detail1 || where.detail1 > EXEC_IMAGE_MAX)
        return fail(COFFER_ERR_EXEC_BAD_ARGUMENT, 1, 0);
    struct dataspace img = { .frame = image, .bytes = where.detail1 };
    struct coffer_result r = dataspace_attach(&j->env, &img, k->vspace, at(j, EXEC_IMAGE_OFFSET), false);
    if (r.error != COFFER_ERR_OK)
        return r.error == COFFER_ERR_INVALID_ARGUMENT || r.error == COFFER_ERR_ALIGNMENT_ERROR
                   ? fail(COFFER_ERR_EXEC_BAD_ARGUMENT, 1, 0)
                   : bank_error(r);
    if (coffer_guarded_copy(head, (const void *)(uintptr_t)at(j, EXEC_IMAGE_OFFSET), bytes < 4 ? bytes : 4) != 0)
        return fail(COFFER_ERR_EXEC_IMAGE_GONE, 0, 0);
    *f = unpack_format(head, bytes < 4 ? bytes : 4);
    return *f == UNPACK_UNKNOWN ? fail(COFFER_ERR_EXEC_FORMAT, 0, 0) : r;
}

/* The ELF's pages as an alias in EXEC_S_ELF, the output's own capability
 * dropped: the client gets the alias, the bank keeps the frame. */
static struct coffer_result hand_over(struct job *j, uint64_t made, coffer_cptr_t *elf, uint64_t *handle)
{
    struct dataspace alias;
    uint64_t pages = (made + COFFER_PAGE_SIZE - 1) & ~(uint64_t)(COFFER_PAGE_SIZE - 1);
    dataspace_detach(&j->out);
    coffer_cnode_delete(j->env.cnode, session_slot(j->s->sessions, j->c->index, EXEC_S_ELF), 64); /* a lost one */
    j->give = EXEC_S_ELF;
    struct coffer_result r = dataspace_alias(&j->env, &j->out, 0, pages, true, &alias);
    if (r.error != COFFER_ERR_OK)
        return r;
    *handle = j->out.handle;
    dataspace_drop(&j->env, &j->out); /* the alias stays: the frame is the bank's until freed */
    *elf = alias.frame;
    return r;
}

struct coffer_result exec_serve_unpack(struct exec_server *s, const struct coffer_request *rq, uint64_t bytes,
                                       coffer_cptr_t image, uint64_t *elf_bytes, uint64_t *handle, uint64_t *format,
                                       coffer_cptr_t *elf)
{
    struct session *c = session_of(s->sessions, rq->badge);
    if (c == NULL)
        return fail(COFFER_ERR_EXEC_GONE, 0, 0);
    struct job j = { .s = s, .c = c };
    j.env = (struct dataspace_env){ .buf = (struct coffer_ipc_buffer *)(uintptr_t)c->area_va,
                                    .bank = session_slot(s->sessions, c->index, SESSION_S_BANK),
                                    .cnode = s->sessions->cfg.root, .leaf_bits = s->sessions->cfg.leaf_bits,
                                    .slot = job_slot, .ctx = &j };
    enum unpack_format f = UNPACK_UNKNOWN;
    uint8_t head[4] = { 0 };
    uint64_t made = 0;
    unsigned place = 0;
    struct coffer_result r = open_image(&j, image, bytes, &f, head);
    struct elf_info info;
    int e = 0;
    if (r.error == COFFER_ERR_OK)
        r = session_arena(&j, unpack_arena_bytes(f, head, 4) + EXEC_BOUNCE_BYTES);
    if (r.error == COFFER_ERR_OK)
        r = buy(&j, EXEC_S_OUT, EXEC_OUTPUT_FIRST, EXEC_OUT_OFFSET(0), &j.out);
    if (r.error == COFFER_ERR_OK) {
        uint8_t *arena = (uint8_t *)(uintptr_t)at(&j, EXEC_ARENA_OFFSET);
        j.decoding = unpack_begin(&j.u, f, arena + EXEC_BOUNCE_BYTES, j.arena.bytes - EXEC_BOUNCE_BYTES) == UNPACK_MORE;
        r = j.decoding ? decode(&j, bytes, &made, &place) : fail(COFFER_ERR_EXEC_CORRUPT, 0, 0);
    }
    if (r.error == COFFER_ERR_OK &&
        (e = elf_check((const void *)(uintptr_t)at(&j, EXEC_OUT_OFFSET(place)), made, ELF_EM_RISCV, COFFER_USER_TOP,
                       &info)) < 0)
        r = fail(COFFER_ERR_EXEC_NOT_ELF, (uint64_t)(int64_t)e, 0);
    if (r.error == COFFER_ERR_OK)
        r = hand_over(&j, made, elf, handle);
    if (r.error == COFFER_ERR_OK) {
        j.out = (struct dataspace){ 0 }; /* the client's now */
        *elf_bytes = made;
        *format = f;
        s->table[c->index].unpacked++;
    }
    give_back(&j);
    coffer_frame_unmap(image);
    return r;
}

/* ---- the session hooks */

static struct coffer_result exec_open(void *server, struct session *c, uint64_t arg)
{
    struct exec_server *s = server;
    if (arg != 0)
        return fail(COFFER_ERR_SESSION_REFUSED, arg, 0);
    s->table[c->index] = (struct exec_session){ 0 };
    return fail(COFFER_ERR_OK, 0, 0);
}

static void exec_close(void *server, struct session *c)
{
    struct exec_server *s = server;
    struct exec_session *e = &s->table[c->index];
    if (e->arena_handle != 0) /* its bank may be gone: then so is the arena */
        bank_free(session_slot(s->sessions, c->index, SESSION_S_BANK), e->arena_handle);
    *e = (struct exec_session){ 0 }; /* its tables go with its CNode */
}

void exec_init(void *state, struct session_server *sessions, struct session_hooks *hooks, void *arg)
{
    (void)arg;
    struct exec_server *s = state;
    s->sessions = sessions;
    *hooks = (struct session_hooks){ .server = s, .dispatch = exec_dispatch_any, .open = exec_open,
                                     .close = exec_close };
}
