/*
 * The session table (session/server.h): a session's life in the server's
 * memory -- looked up by badge, found gone, forgotten -- and what its
 * rescuer does with its worker's faults.  OPEN and the other door
 * requests are door.c; a worker's own start is worker.c.
 */
#include <proto/bank_client.h>
#include <session/server.h>
#include <string.h>

#include "session_internal.h"

void session_server_init(struct session_server *s, const struct session_config *cfg,
                         const struct session_hooks *hooks)
{
    memset(s, 0, sizeof *s);
    s->cfg = *cfg;
    s->hooks = *hooks;
    for (unsigned i = 1; i <= cfg->sessions; i++) {
        s->table[i].index = i;
        s->table[i].server = s;
        s->table[i].area_va = cfg->window_va + ((uint64_t)(i - 1) << cfg->area_bits);
    }
}

struct session *session_of(struct session_server *s, uint64_t badge)
{
    unsigned i = SESSION_BADGE_INDEX(badge);
    if (SESSION_BADGE_KIND(badge) != SESSION_KIND_SESSION || i == 0 || i > s->cfg.sessions)
        return NULL;
    struct session *c = &s->table[i];
    return c->state == SESSION_OPEN && c->gen == SESSION_BADGE_GEN(badge) ? c : NULL;
}

/* The type of the capability in a slot of the server's CSpace. */
static unsigned type_at(const struct session_server *s, coffer_cptr_t slot)
{
    struct coffer_result r = coffer_cnode_identify(s->cfg.root, slot, 64);
    return r.error == COFFER_ERR_OK ? (unsigned)COFFER_ID_TYPE(r.detail0) : COFFER_ID_TYPE_NULL;
}

/* The type of what root slot i holds (a cptr of 64 - leaf_bits bits). */
static unsigned root_type(const struct session_server *s, unsigned i)
{
    struct coffer_result r = coffer_cnode_identify(s->cfg.root, i, 64 - s->cfg.leaf_bits);
    return r.error == COFFER_ERR_OK ? (unsigned)COFFER_ID_TYPE(r.detail0) : COFFER_ID_TYPE_NULL;
}

bool session_alive(const struct session_server *s, const struct session *c)
{
    return root_type(s, c->index) == COFFER_OBJ_CNODE &&
           type_at(s, session_slot(s, c->index, SESSION_S_TCB)) == COFFER_OBJ_TCB;
}

void session_give_back(struct session_server *s, struct session *c)
{
    coffer_cptr_t bank = session_slot(s, c->index, SESSION_S_BANK);
    coffer_tcb_suspend(session_slot(s, c->index, SESSION_S_TCB));
    if (c->state == SESSION_OPEN && s->hooks.close != NULL)
        s->hooks.close(s->hooks.server, c);
    /* The CNode last: the bank capability these calls go through is in it. */
    for (unsigned h = SESSION_HANDLES; h-- > 0;)
        if (c->handles[h] != 0)
            bank_free(bank, c->handles[h]);
    /* Nothing of it is left in the root slot (a zombie, deleted again). */
    for (int k = 0; k < 4 && root_type(s, c->index) != COFFER_ID_TYPE_NULL; k++)
        coffer_cnode_delete(s->cfg.root, c->index, 64 - s->cfg.leaf_bits);
    *c = (struct session){ .gen = (c->gen + 1) & 0xfffffu, .index = c->index, .area_va = c->area_va,
                           .server = s };
}

void session_forget_gone(struct session_server *s)
{
    for (unsigned i = 1; i <= s->cfg.sessions; i++) {
        struct session *c = &s->table[i];
        if (c->state == SESSION_OPEN && !session_alive(s, c)) {
            s->vanished++;
            session_give_back(s, c);
        }
    }
}

bool session_rescue_worker(void *server, uint64_t badge, coffer_cptr_t *tcb, coffer_cptr_t *sc)
{
    struct session_server *s = server;
    if (SESSION_BADGE_KIND(badge) == SESSION_KIND_DOOR) {
        *tcb = s->cfg.door_tcb;
        *sc = s->cfg.door_rescue_sc;
        return true;
    }
    struct session *c = session_of(s, SESSION_BADGE(SESSION_KIND_SESSION, SESSION_BADGE_GEN(badge),
                                                    SESSION_BADGE_INDEX(badge)));
    if (SESSION_BADGE_KIND(badge) != SESSION_KIND_RESCUE || c == NULL)
        return false;
    *tcb = session_slot(s, c->index, SESSION_S_TCB);
    *sc = COFFER_CPTR_NONE; /* its client pays for every instruction: none is lent */
    return true;
}

void session_abandon(void *server, uint64_t badge)
{
    struct session_server *s = server;
    struct session *c = session_of(s, SESSION_BADGE(SESSION_KIND_SESSION, SESSION_BADGE_GEN(badge),
                                                    SESSION_BADGE_INDEX(badge)));
    if (SESSION_BADGE_KIND(badge) != SESSION_KIND_RESCUE || c == NULL)
        return;
    s->abandoned++;
    /* The client's session capabilities go: its next call fails at once. */
    coffer_cnode_revoke(s->cfg.root, session_slot(s, c->index, SESSION_S_ENDPOINT), 64);
}
