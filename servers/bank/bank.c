#include "bank.h"

#include <string.h>

/*
 * Start-up, the bank table, and the protocol's handlers (proto/bank.def;
 * TREE's is with the walk it shares, bank_audit.c): each decodes its
 * request completely — the badge names a live bank and carries the
 * right, the arguments are ones the operation takes — before anything
 * changes.
 */

void bank_lock(struct bank_server *s)
{
    if (s->env.lock != NULL)
        s->env.lock(s->env.sync_ctx);
}

void bank_relock(struct bank_server *s)
{
    if (s->env.budget != NULL)
        s->env.budget(s->env.sync_ctx);
    bank_lock(s);
}

void bank_unlock(struct bank_server *s)
{
    if (s->env.unlock != NULL)
        s->env.unlock(s->env.sync_ctx);
}

uint64_t bank_badge(const struct bank_server *s, const struct bank *b, unsigned rights)
{
    return BANK_BADGE(b->index, s->banks[b->index].gen, rights);
}

static struct coffer_result ok(void)
{
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}

static struct coffer_result fail(uint64_t error, uint64_t d0, uint64_t d1)
{
    return (struct coffer_result){ error, d0, d1 };
}

struct bank *bank_from_badge(struct bank_server *s, uint64_t badge, unsigned right, struct coffer_result *err)
{
    unsigned index = BANK_BADGE_INDEX(badge);
    const struct bank_entry *e = index < s->nbanks ? &s->banks[index] : NULL;
    if (e == NULL || e->bank == NULL || (e->gen & 0xffffffffffull) != BANK_BADGE_GEN(badge)) {
        *err = fail(COFFER_ERR_BANK_DESTROYED, 0, 0);
        return NULL;
    }
    if ((BANK_BADGE_RIGHTS(badge) & right) != right) {
        *err = fail(COFFER_ERR_BANK_NO_RIGHT, right, 0);
        return NULL;
    }
    return e->bank;
}

void journal_note(struct bank_server *s, bool extent, uint32_t id)
{
    /* Never full: BANK_JOURNAL_MAX bounds what a request at BANK_DEPTH_MAX makes. */
    if (s->njournal < BANK_JOURNAL_MAX)
        s->journal[s->njournal++] = (struct journal_entry){ extent, id };
}

/* A request was refused: what it made and no longer uses goes, newest
 * first, until nothing more can (a chunk inside a new extent empties it). */
void journal_undo(struct bank_server *s)
{
    for (bool progress = true; progress;) {
        progress = false;
        for (unsigned i = s->njournal; i-- > 0;) {
            struct journal_entry *j = &s->journal[i];
            bool gone = j->extent ? space_release_if_empty(s, j->id) : chunk_release_if_empty(s, j->id);
            if (gone) {
                s->journal[i] = s->journal[--s->njournal];
                progress = true;
            }
        }
    }
    s->njournal = 0;
}

void journal_spare(struct bank_server *s, const struct bank *b)
{
    for (unsigned i = 0; i < s->nspare; i++)
        if (s->spare[i] == b->index)
            return;
    if (s->nspare < BANK_JOURNAL_MAX)
        s->spare[s->nspare++] = b->index;
}

void journal_emptied(struct bank_server *s, bool extent, uint32_t id)
{
    for (unsigned i = 0; i < s->nemptied; i++)
        if (s->emptied[i].extent == extent && s->emptied[i].id == id)
            return;
    if (s->nemptied == BANK_JOURNAL_MAX)
        journal_settle(s); /* a long destroy: decide those now */
    s->emptied[s->nemptied++] = (struct journal_entry){ extent, id };
}

/* The request is over: what it emptied goes back, but for each bank's
 * last chunk and extent.  Giving one back can empty another (a chunk's
 * blocks leave its extent empty), so until none is left. */
void journal_settle(struct bank_server *s)
{
    while (s->nemptied > 0) {
        struct journal_entry j = s->emptied[--s->nemptied];
        if (j.extent)
            space_release_if_spare(s, j.id);
        else
            chunk_release_if_spare(s, j.id);
    }
}

size_t bank_tree_bytes(const unsigned *size_bits, unsigned n)
{
    size_t bytes = 0;
    for (unsigned i = 0; i < n; i++)
        bytes += buddy_tree_bytes(size_bits[i], BANK_SMALL_BITS);
    return bytes;
}

/* The prime bank's extents: the RAM untyped in chunk 0, all free. */
static struct coffer_result add_ram(struct bank_server *s, struct bank *prime, const struct bank_config *cfg)
{
    uint8_t *mem = cfg->tree_mem;
    size_t left = cfg->tree_bytes;
    for (unsigned i = 0; i < cfg->ntrees; i++) {
        rec_id e = REC_ID(0, BANK_CHUNK0_EXTENTS + i);
        struct coffer_result r = coffer_untyped_describe(rec_slot(s, e));
        if (r.error != COFFER_ERR_OK)
            return r;
        struct coffer_untyped_info info;
        memcpy(&info, s->env.ipc->mr, sizeof info);
        if (info.free_bytes != 1ull << info.size_bits)
            return fail(COFFER_ERR_REVOKE_FIRST, i, 0);
        size_t need = buddy_tree_bytes((unsigned)info.size_bits, BANK_SMALL_BITS);
        struct rec_extent *x = rec_ptr(s, e);
        *x = (struct rec_extent){ .kind = REC_EXTENT, .owner = prime->index, .next = prime->extents };
        uint64_t err = buddy_tree_init(&s->trees[i], &x->pool, (unsigned)info.size_bits, BANK_SMALL_BITS,
                                       rec_slot(s, e), info.paddr, mem, left);
        if (err != COFFER_ERR_OK)
            return fail(err, i, 1);
        mem += need;
        left -= need;
        s->chunks[0].used |= 1ull << REC_UNIT(e);
        prime->extents = e;
        prime->held += 1ull << info.size_bits;
    }
    prime->limit = prime->held;
    s->ram_bytes = prime->held;
    return ok();
}

struct coffer_result bank_server_init(struct bank_server *s, const struct bank_env *env,
                                      const struct bank_config *cfg)
{
    if (cfg->nbanks == 0 || cfg->nbanks > BANK_NONE || cfg->nchunks < 2 ||
        cfg->ntrees > BANK_CHUNK_UNITS - BANK_CHUNK0_EXTENTS || cfg->chunk0 == NULL)
        return fail(COFFER_ERR_INVALID_ARGUMENT, 0, 0);
    *s = (struct bank_server){ .env = *env, .banks = cfg->banks, .nbanks = cfg->nbanks, .chunks = cfg->chunks,
                               .nchunks = cfg->nchunks, .trees = cfg->trees, .ntrees = cfg->ntrees };
    for (unsigned i = 0; i < s->nbanks; i++)
        s->banks[i] = (struct bank_entry){ .next_free = (uint16_t)(i + 1 < s->nbanks ? i + 1 : BANK_NONE) };
    for (unsigned c = 0; c < s->nchunks; c++)
        s->chunks[c] = (struct chunk_entry){ .next = c + 1 < s->nchunks ? c + 1 : 0 };
    s->free_chunk = 1;
    memset(cfg->chunk0, 0, (size_t)BANK_CHUNK_UNITS * BANK_UNIT_BYTES);
    s->chunks[0] = (struct chunk_entry){ .page = cfg->chunk0, .used = 0x1f };
    /* The prime bank: entry 0, its record in chunk 0. */
    rec_id record = REC_ID(0, BANK_CHUNK0_PRIME);
    struct bank *prime = rec_ptr(s, record);
    *prime = (struct bank){ .kind = REC_BANK, .index = 0, .record = record, .parent = BANK_NONE,
                            .first_child = BANK_NONE, .next_sibling = BANK_NONE };
    for (unsigned t = 0; t < BANK_TYPES; t++)
        prime->type_limit[t] = UINT32_MAX;
    s->free_bank = s->banks[0].next_free;
    s->banks[0] = (struct bank_entry){ .gen = 1, .bank = prime, .next_free = BANK_NONE };
    s->prime = 0;
    s->chunks[0].owner = 0;
    prime->first_chunk = 0; /* chunk 0 is the server's: never on a bank's lists */
    struct coffer_result r = coffer_cnode_mint(s->env.cnode, rec_slot(s, record), 64, s->env.cnode,
                                               s->env.endpoint, 64, COFFER_PROTO_CLIENT_RIGHTS,
                                               bank_badge(s, prime, BANK_RIGHTS_ALL));
    if (r.error != COFFER_ERR_OK)
        return r;
    return add_ram(s, prime, cfg);
}

/* One request: the generated dispatcher checks its shape and calls its
 * handler; a refusal undoes whatever the handler's growth made. */
void bank_handle(struct bank_server *s, const struct coffer_request *rq, struct coffer_reply *rp)
{
    bank_lock(s);
    s->njournal = s->nemptied = s->nspare = 0;
    bank_dispatch(s, rq, rp);
    if (rp->error != COFFER_ERR_OK) {
        journal_undo(s); /* the spare units it used are back with the records */
        journal_settle(s);
        bank_unlock(s);
        return;
    }
    journal_settle(s);
    /* Banks whose spare record units the request used make them good
     * (which may use their parents': those are on the list next). */
    for (unsigned i = 0; i < s->nspare; i++) {
        struct bank *b = bank_of(s, s->spare[i]);
        if (b != NULL && b->banks > 0)
            rec_keep_spare(s, b);
    }
    journal_settle(s);
    bank_unlock(s);
}

/* ---- the handlers ---- */

struct coffer_result bank_serve_buy(struct bank_server *s, const struct coffer_request *rq, uint64_t type,
                                    uint64_t size_bits, uint64_t *handle, coffer_cptr_t *object,
                                    unsigned *object_mode)
{
    struct coffer_result r;
    struct bank *b = bank_from_badge(s, rq->badge, BANK_RIGHT_BUY, &r);
    if (b == NULL)
        return r;
    rec_id rec;
    r = object_buy(s, b, type, size_bits, &rec);
    if (r.error != COFFER_ERR_OK)
        return r;
    *handle = (uint64_t)((struct rec_object *)rec_ptr(s, rec))->gen << 32 | rec;
    *object = object_given(s, rec, object_mode);
    return ok();
}

struct coffer_result bank_serve_buy_batch(struct bank_server *s, const struct coffer_request *rq, uint64_t type,
                                          uint64_t size_bits, uint64_t *handle0, uint64_t *handle1,
                                          uint64_t *handle2, coffer_cptr_t *object0, coffer_cptr_t *object1,
                                          coffer_cptr_t *object2, unsigned *object0_mode, unsigned *object1_mode,
                                          unsigned *object2_mode)
{
    struct coffer_result r;
    struct bank *b = bank_from_badge(s, rq->badge, BANK_RIGHT_BUY, &r);
    if (b == NULL)
        return r;
    uint64_t *handles[3] = { handle0, handle1, handle2 };
    coffer_cptr_t *objects[3] = { object0, object1, object2 };
    unsigned *modes[3] = { object0_mode, object1_mode, object2_mode };
    rec_id got[3];
    unsigned n = 0;
    for (; n < 3; n++) {
        r = object_buy(s, b, type, size_bits, &got[n]);
        if (r.error != COFFER_ERR_OK)
            break;
    }
    if (n < 3) { /* all or none: what was bought goes, the journal undoes the rest */
        while (n > 0)
            object_free(s, b, got[--n]);
        return r;
    }
    for (unsigned i = 0; i < 3; i++) {
        *handles[i] = (uint64_t)((struct rec_object *)rec_ptr(s, got[i]))->gen << 32 | got[i];
        *objects[i] = object_given(s, got[i], modes[i]);
    }
    return ok();
}

struct coffer_result bank_serve_free(struct bank_server *s, const struct coffer_request *rq, uint64_t handle)
{
    struct coffer_result r;
    struct bank *b = bank_from_badge(s, rq->badge, BANK_RIGHT_FREE, &r);
    if (b == NULL)
        return r;
    rec_id rec = (rec_id)handle;
    if (!rec_owned(s, b, rec))
        return fail(COFFER_ERR_BANK_NOT_BOUGHT, handle, 0);
    const struct rec_object *o = rec_ptr(s, rec);
    if (o->kind != REC_OBJECT || o->gen != handle >> 32)
        return fail(COFFER_ERR_BANK_NOT_BOUGHT, handle, 0);
    object_free(s, b, rec);
    return ok();
}

struct coffer_result bank_serve_create(struct bank_server *s, const struct coffer_request *rq, uint64_t limit,
                                       uint64_t *id, coffer_cptr_t *bank)
{
    struct coffer_result r;
    struct bank *b = bank_from_badge(s, rq->badge, BANK_RIGHT_CREATE, &r);
    if (b == NULL)
        return r;
    struct bank *child;
    r = tree_create(s, b, limit, &child);
    if (r.error != COFFER_ERR_OK)
        return r;
    *id = bank_badge(s, child, BANK_RIGHTS_ALL);
    *bank = rec_slot(s, child->record);
    return ok();
}

struct coffer_result bank_serve_set_limit(struct bank_server *s, const struct coffer_request *rq, uint64_t limit)
{
    struct coffer_result r;
    struct bank *b = bank_from_badge(s, rq->badge, BANK_RIGHT_LIMIT, &r);
    if (b == NULL)
        return r;
    if (b->parent == BANK_NONE)
        return fail(COFFER_ERR_BANK_PRIME, 0, 0);
    if (limit < b->held)
        return fail(COFFER_ERR_BANK_BELOW_USAGE, b->held, 0);
    b->limit = limit;
    return ok();
}

struct coffer_result bank_serve_set_type_limit(struct bank_server *s, const struct coffer_request *rq,
                                               uint64_t type, uint64_t count)
{
    struct coffer_result r;
    struct bank *b = bank_from_badge(s, rq->badge, BANK_RIGHT_LIMIT, &r);
    if (b == NULL)
        return r;
    if (!coffer_object_retypable(type))
        return fail(COFFER_ERR_INVALID_ARGUMENT, 0, 0);
    uint32_t limit = count >= UINT32_MAX ? UINT32_MAX : (uint32_t)count;
    if (limit < b->type_count[type])
        return fail(COFFER_ERR_BANK_BELOW_USAGE, b->type_count[type], 0);
    b->type_limit[type] = limit;
    return ok();
}

/* What b could still take from its ancestors: each can give what it has
 * free and what it may still take from its own parent.  Walked up to the
 * prime bank, then down again. */
static uint64_t room_above(struct bank_server *s, struct bank *b)
{
    struct bank *top = b;
    while (top->parent != BANK_NONE) {
        bank_of(s, top->parent)->path_child = top->index;
        top = bank_of(s, top->parent);
    }
    if (top == b)
        return 0;
    uint64_t room = space_free_bytes(s, top);
    for (struct bank *a = bank_of(s, top->path_child); a != b; a = bank_of(s, a->path_child)) {
        uint64_t may = a->limit > a->held ? a->limit - a->held : 0;
        room = space_free_bytes(s, a) + (may < room ? may : room);
    }
    return room;
}

struct coffer_result bank_serve_info(struct bank_server *s, const struct coffer_request *rq, uint64_t *limit,
                                     uint64_t *effective, uint64_t *held, uint64_t *objects, uint64_t *overhead,
                                     uint64_t *children, uint64_t *free, uint64_t *count, uint64_t *banks)
{
    struct coffer_result r;
    struct bank *b = bank_from_badge(s, rq->badge, 0, &r);
    if (b == NULL)
        return r;
    uint64_t may = b->limit > b->held ? b->limit - b->held : 0, above = room_above(s, b);
    *limit = b->limit;
    *effective = b->held + (b->parent == BANK_NONE ? 0 : may < above ? may : above);
    *held = b->held;
    *objects = b->objects_bytes;
    *overhead = bank_overhead(b);
    *children = b->children_bytes;
    *free = space_free_bytes(s, b);
    *count = b->objects;
    *banks = b->banks;
    return ok();
}

struct coffer_result bank_serve_type_info(struct bank_server *s, const struct coffer_request *rq, uint64_t type,
                                          uint64_t *count, uint64_t *limit)
{
    struct coffer_result r;
    struct bank *b = bank_from_badge(s, rq->badge, 0, &r);
    if (b == NULL)
        return r;
    if (!coffer_object_retypable(type))
        return fail(COFFER_ERR_INVALID_ARGUMENT, 0, 0);
    *count = b->type_count[type];
    *limit = b->type_limit[type] == UINT32_MAX ? BANK_NO_LIMIT : b->type_limit[type];
    return ok();
}

/* The bank a destroy or remove may act on: live, not the prime, and with
 * no destroy in flight below it (a sub-bank's records live in it). */
static struct bank *quiet_bank(struct bank_server *s, uint64_t badge, unsigned right, struct coffer_result *r)
{
    struct bank *b = bank_from_badge(s, badge, right, r);
    if (b == NULL)
        return NULL;
    if (b->parent == BANK_NONE) {
        *r = fail(COFFER_ERR_BANK_PRIME, 0, 0);
        return NULL;
    }
    if (b->pending != 0) {
        *r = fail(COFFER_ERR_BANK_BUSY, 0, 0);
        return NULL;
    }
    return b;
}

struct coffer_result bank_serve_destroy(struct bank_server *s, const struct coffer_request *rq)
{
    struct coffer_result r;
    struct bank *b = quiet_bank(s, rq->badge, BANK_RIGHT_DESTROY, &r);
    if (b == NULL)
        return r;
    tree_destroy(s, b);
    return ok();
}

struct coffer_result bank_serve_remove(struct bank_server *s, const struct coffer_request *rq)
{
    struct coffer_result r;
    struct bank *b = quiet_bank(s, rq->badge, BANK_RIGHT_REMOVE, &r);
    if (b == NULL)
        return r;
    tree_remove(s, b);
    return ok();
}

struct coffer_result bank_serve_restrict(struct bank_server *s, const struct coffer_request *rq, uint64_t rights,
                                         coffer_cptr_t *bank)
{
    struct coffer_result r;
    struct bank *b = bank_from_badge(s, rq->badge, 0, &r);
    if (b == NULL)
        return r;
    unsigned have = BANK_BADGE_RIGHTS(rq->badge);
    if ((rights & ~(uint64_t)have) != 0) /* none is allowed: a capability that only looks (INFO, TREE) */
        return fail(COFFER_ERR_INVALID_ARGUMENT, 0, 0);
    rec_id rec;
    r = rec_alloc(s, b, 1, 0, &rec);
    if (r.error != COFFER_ERR_OK)
        return r;
    r = coffer_cnode_mint(s->env.cnode, rec_slot(s, rec), 64, s->env.cnode, s->env.endpoint, 64,
                          COFFER_PROTO_CLIENT_RIGHTS, bank_badge(s, b, (unsigned)rights));
    if (r.error != COFFER_ERR_OK) {
        rec_free(s, rec, 1);
        return r;
    }
    struct rec_badge *badge = rec_ptr(s, rec);
    *badge = (struct rec_badge){ .kind = REC_BADGE, .rights = (uint8_t)rights, .next = b->badges };
    b->badges = rec;
    *bank = rec_slot(s, rec);
    return ok();
}

struct coffer_result bank_serve_verify(struct bank_server *s, const struct coffer_request *rq, coffer_cptr_t bank,
                                       uint64_t *genuine, uint64_t *rights, uint64_t *id)
{
    (void)bank; /* if it was not unwrapped it is no capability of this server's (the loop deletes it) */
    struct coffer_result r;
    if (bank_from_badge(s, rq->badge, 0, &r) == NULL)
        return r;
    uint64_t badge = rq->badges[0];
    bool ours = (rq->unwrapped & 1) && bank_from_badge(s, badge, 0, &r) != NULL;
    *genuine = ours;
    *rights = ours ? BANK_BADGE_RIGHTS(badge) : 0;
    *id = ours ? BANK_ID(badge) : 0;
    return ok();
}
