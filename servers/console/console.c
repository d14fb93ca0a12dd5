/*
 * The console server's requests (console.h, proto/console.def): each
 * checks everything before it acts; the sessions' bytes go to the UART in
 * console_output.c.
 */
#include <bank/bank.h>
#include <bank/verify.h>
#include <proto/bank_client.h>
#include <proto/console_server.h>
#include <server/guarded.h>
#include <string.h>

#include "console.h"
#include "console_internal.h"

#define LEAF_DEPTH (64 - CONSOLE_LEAF_BITS) /* resolves root slot 0: the leaf */

struct coffer_result console_ok(void)
{
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}

struct coffer_result console_fail(uint64_t error, uint64_t d0, uint64_t d1)
{
    return (struct coffer_result){ error, d0, d1 };
}

void console_server_init(struct console_server *s, const struct console_env *env)
{
    memset(s, 0, sizeof *s);
    s->env = *env;
}

/* The open session a session capability names, or NULL with the error. */
static struct console_session *session_of(struct console_server *s, uint64_t badge, struct coffer_result *r)
{
    unsigned kind = CONSOLE_BADGE_KIND(badge), i = CONSOLE_BADGE_INDEX(badge);
    if (kind != CONSOLE_KIND_SESSION) {
        *r = console_fail(COFFER_ERR_CONSOLE_WRONG_KIND, kind, 0);
        return NULL;
    }
    struct console_session *c = i < CONSOLE_SESSIONS ? &s->sessions[i] : NULL;
    if (c == NULL || c->state != CONSOLE_OPEN || c->gen != CONSOLE_BADGE_GEN(badge)) {
        *r = console_fail(COFFER_ERR_CONSOLE_GONE, 0, 0);
        return NULL;
    }
    return c;
}

static unsigned index_of(const struct console_server *s, const struct console_session *c)
{
    return (unsigned)(c - s->sessions);
}

/* Session i forgotten: its slots emptied (the buffer's, if the bank has
 * not revoked it already, unmapped with it), its badges stale. */
void console_forget(struct console_server *s, unsigned i)
{
    coffer_cptr_t self = CONSOLE_SELF(CONSOLE_S_CNODE);
    coffer_cnode_delete(self, CONSOLE_SELF(CONSOLE_S_BUFFER + i), 64);
    coffer_cnode_delete(self, CONSOLE_SELF(CONSOLE_S_READY + i), 64);
    coffer_cnode_delete(self, CONSOLE_SELF(CONSOLE_S_SESSION_BANK + i), 64);
    s->sessions[i] = (struct console_session){ .gen = (s->sessions[i].gen + 1) & 0xfffffu };
}

/* A session whose buffer went under the server: dropped at once. */
void console_vanished(struct console_server *s, unsigned i)
{
    s->vanished++;
    console_forget(s, i);
}

/* Whether session i's buffer is still there (its bank not destroyed). */
static bool buffer_alive(unsigned i)
{
    struct coffer_result r = coffer_cnode_identify(CONSOLE_SELF(CONSOLE_S_CNODE), CONSOLE_SELF(CONSOLE_S_BUFFER + i), 64);
    return r.error == COFFER_ERR_OK && COFFER_ID_TYPE(r.detail0) == COFFER_OBJ_FRAME;
}

/* A free session; when none is, the sessions whose banks went are
 * dropped first (no request of theirs came to tell). */
static int free_session(struct console_server *s)
{
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned i = 0; i < CONSOLE_SESSIONS; i++)
            if (s->sessions[i].state == CONSOLE_FREE)
                return (int)i;
        for (unsigned i = 0; i < CONSOLE_SESSIONS; i++)
            if (!buffer_alive(i))
                console_vanished(s, i);
    }
    return -1;
}

static struct coffer_result check_bank(struct console_server *s, coffer_cptr_t bank)
{
    uint64_t id;
    if (!bank_is_genuine(s->env.buf, CONSOLE_SELF(CONSOLE_S_BANK), bank, BANK_RIGHT_BUY | BANK_RIGHT_FREE, &id))
        return console_fail(COFFER_ERR_CONSOLE_NOT_BANK, 0, 0);
    return console_ok();
}

/* Session i's buffer bought from the client's bank and mapped in the
 * window; the bank and ready notification kept beside it. */
static struct coffer_result build(struct console_server *s, unsigned i, coffer_cptr_t bank, coffer_cptr_t ready)
{
    coffer_cptr_t self = CONSOLE_SELF(CONSOLE_S_CNODE);
    struct console_session *c = &s->sessions[i];
    uint64_t va = s->env.window_va + (uint64_t)i * CONSOLE_BUFFER_BYTES;
    struct coffer_result r = bank_buy_into(s->env.buf, bank, COFFER_OBJ_FRAME, COFFER_PAGE_BITS, 0, LEAF_DEPTH,
                                           CONSOLE_S_BUFFER + i, &c->handle);
    if (r.error >= COFFER_ERR_BANK_LIMIT && r.error <= COFFER_ERR_BANK_TOO_DEEP)
        return console_fail(COFFER_ERR_CONSOLE_BANK, r.error, r.detail0);
    if (r.error != COFFER_ERR_OK)
        return r;
    if ((r = coffer_frame_map(CONSOLE_SELF(CONSOLE_S_BUFFER + i), CONSOLE_SELF(CONSOLE_S_VSPACE), va,
                              COFFER_MAP_R | COFFER_MAP_W)).error != COFFER_ERR_OK ||
        (r = coffer_cnode_copy(self, CONSOLE_SELF(CONSOLE_S_SESSION_BANK + i), 64, self, bank, 64)).error !=
            COFFER_ERR_OK ||
        (r = coffer_cnode_copy(self, CONSOLE_SELF(CONSOLE_S_READY + i), 64, self, ready, 64)).error !=
            COFFER_ERR_OK) {
        bank_free(bank, c->handle);
        return r;
    }
    c->buffer = (uint8_t *)(uintptr_t)va;
    return console_ok();
}

struct coffer_result console_serve_open(struct console_server *s, const struct coffer_request *rq, uint64_t flags,
                                        coffer_cptr_t bank, coffer_cptr_t ready, uint64_t *index,
                                        coffer_cptr_t *session)
{
    unsigned kind = CONSOLE_BADGE_KIND(rq->badge);
    struct coffer_result r = kind == CONSOLE_KIND_ADMIN || kind == CONSOLE_KIND_SESSION || kind == CONSOLE_KIND_OPENER ||
                                         kind == CONSOLE_KIND_KEYBOARD
                                 ? console_ok()
                                 : console_fail(COFFER_ERR_CONSOLE_WRONG_KIND, kind, 0);
    if (kind == CONSOLE_KIND_SESSION)
        (void)session_of(s, rq->badge, &r); /* a session opens for others only while it is open */
    if (r.error != COFFER_ERR_OK)
        return r;
    if (flags & ~(uint64_t)CONSOLE_OPEN_FLAGS)
        return console_fail(COFFER_ERR_CONSOLE_BAD_ARGUMENT, 0, 0);
    bool input = flags & CONSOLE_OPEN_INPUT;
    if (input && kind != CONSOLE_KIND_ADMIN && kind != CONSOLE_KIND_KEYBOARD)
        return console_fail(COFFER_ERR_CONSOLE_WRONG_KIND, kind, 0);
    if (input && console_reader(s) >= 0)
        return console_fail(COFFER_ERR_CONSOLE_INPUT_TAKEN, 0, 0);
    if ((r = check_bank(s, bank)).error != COFFER_ERR_OK)
        return r;
    int i = free_session(s);
    if (i < 0)
        return console_fail(COFFER_ERR_CONSOLE_TABLE_FULL, 0, 0);
    struct console_session *c = &s->sessions[i];
    uint32_t gen = c->gen;
    if ((r = build(s, (unsigned)i, bank, ready)).error != COFFER_ERR_OK ||
        (r = coffer_cnode_mint(CONSOLE_SELF(CONSOLE_S_CNODE), CONSOLE_SELF(CONSOLE_S_TEMP), 64,
                               CONSOLE_SELF(CONSOLE_S_CNODE), CONSOLE_SELF(CONSOLE_S_ENDPOINT), 64,
                               COFFER_PROTO_CLIENT_RIGHTS, CONSOLE_BADGE(CONSOLE_KIND_SESSION, gen, i))).error !=
            COFFER_ERR_OK) {
        if (c->buffer != NULL)
            bank_free(bank, c->handle);
        console_forget(s, (unsigned)i);
        c->gen = gen; /* no badge of this generation went out */
        return r;
    }
    c->state = CONSOLE_OPEN;
    c->input = input;
    s->opened++;
    *index = (unsigned)i;
    *session = CONSOLE_SELF(CONSOLE_S_TEMP);
    return console_ok();
}

struct coffer_result console_serve_write(struct console_server *s, const struct coffer_request *rq, uint64_t length,
                                         const uint8_t *text, uint64_t *taken)
{
    struct coffer_result r;
    struct console_session *c = session_of(s, rq->badge, &r);
    if (c == NULL)
        return r;
    if (length > CONSOLE_TEXT_BYTES)
        return console_fail(COFFER_ERR_CONSOLE_BAD_ARGUMENT, 1, CONSOLE_TEXT_BYTES);
    unsigned i = index_of(s, c);
    if (console_queue(s, i, text, length, taken) != 0) {
        console_vanished(s, i);
        return console_fail(COFFER_ERR_CONSOLE_GONE, 0, 0);
    }
    console_pump(s);
    return console_ok();
}

struct coffer_result console_serve_read(struct console_server *s, const struct coffer_request *rq, uint64_t *length,
                                        uint8_t *text)
{
    struct coffer_result r;
    struct console_session *c = session_of(s, rq->badge, &r);
    if (c == NULL)
        return r;
    if (!c->input)
        return console_fail(COFFER_ERR_CONSOLE_NO_INPUT, 0, 0);
    console_receive(s); /* what the UART holds now, too */
    uint64_t n = 0;
    for (; n < CONSOLE_TEXT_BYTES && s->input_head != s->input_tail; n++)
        text[n] = s->input[s->input_head++ % CONSOLE_INPUT_BYTES];
    *length = n;
    return console_ok();
}

struct coffer_result console_serve_close(struct console_server *s, const struct coffer_request *rq)
{
    struct coffer_result r;
    struct console_session *c = session_of(s, rq->badge, &r);
    if (c == NULL)
        return r;
    unsigned i = index_of(s, c);
    console_flush(s, i);
    bank_free(CONSOLE_SELF(CONSOLE_S_SESSION_BANK + i), c->handle); /* unmaps it too */
    console_forget(s, i);
    return console_ok();
}

struct coffer_result console_serve_info(struct console_server *s, const struct coffer_request *rq, uint64_t *taken,
                                        uint64_t *written, uint64_t *queued, uint64_t *full)
{
    struct coffer_result r;
    struct console_session *c = session_of(s, rq->badge, &r);
    if (c == NULL)
        return r;
    *taken = c->tail;
    *written = c->head;
    *queued = c->tail - c->head;
    *full = c->full;
    return console_ok();
}

struct coffer_result console_serve_interrupt(struct console_server *s, const struct coffer_request *rq)
{
    unsigned kind = CONSOLE_BADGE_KIND(rq->badge);
    if (kind != CONSOLE_KIND_IRQ)
        return console_fail(COFFER_ERR_CONSOLE_WRONG_KIND, kind, 0);
    console_receive(s);
    console_pump(s);
    return console_ok();
}

void console_handle(struct console_server *s, const struct coffer_request *rq, struct coffer_reply *rp)
{
    console_dispatch(s, rq, rp);
}
