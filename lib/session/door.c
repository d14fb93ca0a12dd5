/*
 * The door's requests (proto/session.def): OPEN builds a session from the
 * bank the client hands over; UPGRADE, CLOSE and INFO find it by that
 * bank.  Each checks everything before it acts, and runs on the caller's
 * time (the door is passive).
 */
#include <bank/bank.h>
#include <bank/verify.h>
#include <proto/bank_client.h>
#include <proto/session_server.h>
#include <session/server.h>
#include <syscall/thread.h>

#include "session_internal.h"

static struct coffer_result ok(void)
{
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}

static struct coffer_result fail(uint64_t error, uint64_t d0)
{
    return (struct coffer_result){ error, d0, 0 };
}

/* The open session funded by bank `id`, or NULL; one found gone is
 * given back first. */
static struct session *by_bank(struct session_server *s, uint64_t id)
{
    for (unsigned i = 1; i <= s->cfg.sessions; i++) {
        struct session *c = &s->table[i];
        if (c->state != SESSION_OPEN || c->bank_id != id)
            continue;
        if (session_alive(s, c))
            return c;
        s->vanished++;
        session_give_back(s, c);
    }
    return NULL;
}

/* A free session, after those whose banks went were given back (two
 * looks at each open one: the table stays true to what is there). */
static struct session *free_session(struct session_server *s)
{
    session_forget_gone(s);
    for (unsigned i = 1; i <= s->cfg.sessions; i++)
        if (s->table[i].state == SESSION_FREE)
            return &s->table[i];
    return NULL;
}

/* A bank's refusal as SESSION_BANK; other errors as they are. */
static struct coffer_result bank_error(struct coffer_result r)
{
    if (r.error >= COFFER_ERR_BANK_LIMIT && r.error <= COFFER_ERR_BANK_BAD_CURSOR)
        return (struct coffer_result){ COFFER_ERR_SESSION_BANK, r.error, r.detail0 };
    return r;
}

/* One object from the session's bank into slot j of its CNode. */
static struct coffer_result buy(struct session_server *s, struct session *c, uint64_t type, uint64_t bits,
                                unsigned j, enum session_handle h)
{
    return bank_error(bank_buy_into(s->cfg.buf, session_slot(s, c->index, SESSION_S_BANK), type, bits, c->index,
                                    64 - s->cfg.leaf_bits, j, &c->handles[h]));
}

/* The session's CNode: bought into the door's temporary slot, placed in
 * root slot i with the guard that makes its 32 slots take leaf_bits bits
 * of a cptr; the client's bank capability copied in. */
static struct coffer_result cnode(struct session_server *s, struct session *c, coffer_cptr_t bank)
{
    const struct session_config *k = &s->cfg;
    struct coffer_result r = bank_error(bank_buy_into(k->buf, bank, COFFER_OBJ_CNODE, SESSION_CNODE_BITS, 0,
                                                      64 - k->leaf_bits, k->temp, &c->handles[SESSION_H_CNODE]));
    if (r.error != COFFER_ERR_OK)
        return r;
    if ((r = coffer_cnode_mutate(k->root, c->index, 64 - k->leaf_bits, k->root, k->temp, 64, COFFER_RIGHTS_ALL,
                                 COFFER_GUARD(k->leaf_bits - SESSION_CNODE_BITS, 0))).error != COFFER_ERR_OK ||
        (r = coffer_cnode_copy(k->root, session_slot(s, c->index, SESSION_S_BANK), 64, k->root, bank, 64)).error !=
            COFFER_ERR_OK) {
        /* Not where session_give_back() looks for it: given back here. */
        bank_free(bank, c->handles[SESSION_H_CNODE]);
        coffer_cnode_delete(k->root, k->temp, 64);
        c->handles[SESSION_H_CNODE] = 0;
    }
    return r;
}

/* The worker's objects bought and its frame mapped at the session's area. */
static struct coffer_result worker_objects(struct session_server *s, struct session *c)
{
    struct coffer_result r;
    if ((r = buy(s, c, COFFER_OBJ_TCB, 0, SESSION_S_TCB, SESSION_H_TCB)).error != COFFER_ERR_OK ||
        (r = buy(s, c, COFFER_OBJ_ENDPOINT, 0, SESSION_S_ENDPOINT, SESSION_H_ENDPOINT)).error != COFFER_ERR_OK ||
        (r = buy(s, c, COFFER_OBJ_REPLY, 0, SESSION_S_REPLY, SESSION_H_REPLY)).error != COFFER_ERR_OK ||
        (r = buy(s, c, COFFER_OBJ_FRAME, s->cfg.frame_bits, SESSION_S_FRAME, SESSION_H_FRAME)).error !=
            COFFER_ERR_OK)
        return r;
    /* The tables the walk lacks (sessions that pay for their area's):
     * at most a level-1 and a level-0 one over a fresh area. */
    for (unsigned t = 0;; t++) {
        r = coffer_frame_map(session_slot(s, c->index, SESSION_S_FRAME), s->cfg.vspace, c->area_va,
                             COFFER_MAP_R | COFFER_MAP_W);
        if (!s->cfg.own_tables || t == 2 || r.error != COFFER_ERR_FAILED_LOOKUP ||
            r.detail0 >> 32 != COFFER_LOOKUP_NO_PAGE_TABLE)
            return r;
        if ((r = buy(s, c, COFFER_OBJ_PAGE_TABLE, 0, SESSION_S_TABLE + t, SESSION_H_TABLE + t)).error !=
                COFFER_ERR_OK ||
            (r = coffer_page_table_map(session_slot(s, c->index, SESSION_S_TABLE + t), s->cfg.vspace, c->area_va))
                .error != COFFER_ERR_OK)
            return r;
    }
}

/* The worker configured -- the server's CSpace and address space, its
 * faults and timeouts to the rescuer badged with the session -- and
 * started on the start context, which comes back at its first receive. */
static struct coffer_result worker_start(struct session_server *s, struct session *c)
{
    const struct session_config *k = &s->cfg;
    coffer_cptr_t tcb = session_slot(s, c->index, SESSION_S_TCB), temp = session_slot(s, c->index, SESSION_S_TEMP);
    struct coffer_result r;
    if ((r = coffer_cnode_mint(k->root, temp, 64, k->root, k->rescue, 64, COFFER_RIGHT_WRITE | COFFER_RIGHT_GRANT,
                               SESSION_BADGE(SESSION_KIND_RESCUE, c->gen, c->index))).error != COFFER_ERR_OK ||
        (r = coffer_tcb_configure(tcb, temp, k->root, k->vspace, c->area_va,
                                  session_slot(s, c->index, SESSION_S_FRAME))).error != COFFER_ERR_OK ||
        (r = coffer_tcb_set_timeout_handler(tcb, temp)).error != COFFER_ERR_OK ||
        (r = coffer_cnode_delete(k->root, temp, 64)).error != COFFER_ERR_OK ||
        (r = coffer_tcb_set_priority(tcb, k->door_tcb, k->priority)).error != COFFER_ERR_OK ||
        (r = coffer_tcb_lend_sched_context(tcb, k->start_sc)).error != COFFER_ERR_OK)
        return r;
    void *stack_top = (void *)(uintptr_t)(c->area_va + (1ull << k->frame_bits));
    return coffer_thread_start(tcb, k->buf, session_worker_main, stack_top, (uint64_t)(uintptr_t)c);
}

struct coffer_result session_serve_open(struct session_server *s, const struct coffer_request *rq, uint64_t arg,
                                        coffer_cptr_t bank, uint64_t *index, coffer_cptr_t *session)
{
    (void)rq;
    uint64_t id;
    if (!bank_is_genuine(s->cfg.buf, s->cfg.any_bank, bank, BANK_RIGHT_BUY | BANK_RIGHT_FREE, &id))
        return fail(COFFER_ERR_SESSION_NOT_BANK, 0);
    struct session *c = by_bank(s, id);
    if (c != NULL)
        return fail(COFFER_ERR_SESSION_IN_USE, c->index);
    if ((c = free_session(s)) == NULL)
        return fail(COFFER_ERR_SESSION_TABLE_FULL, 0);
    c->bank_id = id;
    coffer_cptr_t temp = session_slot(s, c->index, SESSION_S_TEMP);
    struct coffer_result r;
    if ((r = cnode(s, c, bank)).error != COFFER_ERR_OK || (r = worker_objects(s, c)).error != COFFER_ERR_OK ||
        (s->hooks.open != NULL && (r = s->hooks.open(s->hooks.server, c, arg)).error != COFFER_ERR_OK)) {
        session_give_back(s, c); /* state is not OPEN: the server's close is not called */
        return r;
    }
    c->state = SESSION_OPEN;
    if ((r = worker_start(s, c)).error != COFFER_ERR_OK ||
        (r = coffer_cnode_mint(s->cfg.root, temp, 64, s->cfg.root, session_slot(s, c->index, SESSION_S_ENDPOINT),
                               64, COFFER_PROTO_CLIENT_RIGHTS,
                               SESSION_BADGE(SESSION_KIND_SESSION, c->gen, c->index))).error != COFFER_ERR_OK) {
        session_give_back(s, c);
        return r;
    }
    s->opened++;
    *index = c->index;
    *session = temp; /* moved to the client by the reply */
    return ok();
}

/* The open session of the bank a client names, checked first. */
static struct session *named(struct session_server *s, coffer_cptr_t bank, struct coffer_result *r)
{
    uint64_t id;
    if (!bank_is_genuine(s->cfg.buf, s->cfg.any_bank, bank, 0, &id)) {
        *r = fail(COFFER_ERR_SESSION_NOT_BANK, 0);
        return NULL;
    }
    struct session *c = by_bank(s, id);
    if (c == NULL)
        *r = fail(COFFER_ERR_SESSION_NONE, 0);
    return c;
}

struct coffer_result session_serve_close(struct session_server *s, const struct coffer_request *rq,
                                         coffer_cptr_t bank)
{
    (void)rq;
    struct coffer_result r = ok();
    struct session *c = named(s, bank, &r);
    if (c == NULL)
        return r;
    s->closed++;
    session_give_back(s, c);
    return ok();
}

/* What the session's bank holds and has room for (INFO's two of its words). */
static struct coffer_result bank_room(struct session_server *s, const struct session *c, uint64_t *room,
                                      uint64_t *held)
{
    uint64_t limit, objects, overhead, children, free, count, banks;
    return bank_error(bank_info(s->cfg.buf, session_slot(s, c->index, SESSION_S_BANK), &limit, room, held, &objects,
                                &overhead, &children, &free, &count, &banks));
}

struct coffer_result session_serve_upgrade(struct session_server *s, const struct coffer_request *rq,
                                           coffer_cptr_t bank, uint64_t *room)
{
    (void)rq;
    struct coffer_result r = ok();
    struct session *c = named(s, bank, &r);
    uint64_t held;
    return c == NULL ? r : bank_room(s, c, room, &held);
}

struct coffer_result session_serve_info(struct session_server *s, const struct coffer_request *rq,
                                        coffer_cptr_t bank, uint64_t *index, uint64_t *held, uint64_t *served)
{
    (void)rq;
    struct coffer_result r = ok();
    struct session *c = named(s, bank, &r);
    uint64_t room;
    if (c == NULL)
        return r;
    *index = c->index;
    *served = session_served(c);
    return bank_room(s, c, &room, held);
}
