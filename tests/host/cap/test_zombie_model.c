/*
 * CNode teardown through the system-call entry, on the host: a randomized
 * model-based test.  The model is naive (O(n) scans, explicit derivation
 * parents) and computes what dies as a fixpoint: a CNode dies when every
 * capability to it dies, and then so does everything in its slots.  After
 * every operation each slot of each live CNode, the capability and object
 * counts, the memory in use and the contents of dead objects (zero) must
 * match it.  Ends by abandoning preempted operations and revoking
 * everything.  The scenarios are test_zombie.c; the harness is
 * teardown_fixture.h.
 *
 *   usage: test_zombie_model [seed [operations]]
 */
#include "teardown_fixture.h"

/* ---- Part 2: the model ---------------------------------------------------- */

#define MAX_OBJS 2048
#define MAX_CAPS 4096
#define SUB_SLOTS 64

struct mobj {
    bool live;
    unsigned type, bits, radix; /* COFFER_OBJ_*, log2 bytes, CNode: log2 slots */
    uint64_t base, watermark;   /* untyped: offset past the highest retype */
    int *slot;                  /* CNode: the capability in each slot, or -1 */
};

struct mcap {
    bool live;
    int obj, parent, cnode; /* cnode -1: the thread's root capability */
    unsigned index, depth;  /* depth: an upper bound on the mint depth */
};

static struct mobj objs[MAX_OBJS];
static struct mcap caps[MAX_CAPS];
static int nobjs, ncaps; /* records in use, live or not */
static int root_model[ROOT_SLOTS], sub_model[MAX_OBJS][SUB_SLOTS];
static bool dying[MAX_CAPS];
static long stat_cascades, stat_largest, stat_restarts, stat_target_died;

static uint64_t obj_end(int o)
{
    return objs[o].base + (1ull << objs[o].bits);
}

static int count_live_caps(void)
{
    int n = 0;
    for (int c = 0; c < ncaps; c++)
        n += caps[c].live;
    return n;
}

static int m_new_obj(unsigned type, uint64_t base, unsigned bits, unsigned radix)
{
    int o = 0;
    while (o < nobjs && objs[o].live)
        o++;
    nobjs += o == nobjs;
    objs[o] = (struct mobj){ true, type, bits, radix, base, 0, o == 0 ? root_model : sub_model[o] };
    for (unsigned i = 0; type == CNODE && i < 1u << radix; i++)
        objs[o].slot[i] = -1;
    return o;
}

static int m_new_cap(int obj, int parent, int cnode, unsigned index, unsigned depth)
{
    int c = 0;
    while (c < ncaps && caps[c].live)
        c++;
    ncaps += c == ncaps;
    caps[c] = (struct mcap){ true, obj, parent, cnode, index, depth };
    if (cnode >= 0)
        objs[cnode].slot[index] = c;
    return c;
}

static bool m_is_descendant(int d, int a)
{
    for (int p = caps[d].parent; p >= 0; p = caps[p].parent)
        if (p == a)
            return true;
    return false;
}

/*
 * Delete every capability marked dying and, as a fixpoint, everything in
 * the slots of a CNode all of whose capabilities are dying.  Survivors
 * whose parent dies are re-parented to the nearest surviving ancestor.
 */
static void m_kill(void)
{
    static int refs[MAX_OBJS], alive[MAX_OBJS];
    for (bool grew = true; grew;) {
        grew = false;
        memset(refs, 0, sizeof(refs));
        memset(alive, 0, sizeof(alive));
        for (int c = 0; c < ncaps; c++)
            if (caps[c].live) {
                refs[caps[c].obj]++;
                alive[caps[c].obj] += !dying[c];
            }
        for (int o = 0; o < nobjs; o++)
            for (unsigned i = 0; objs[o].live && objs[o].type == CNODE && refs[o] > 0 && alive[o] == 0 &&
                                 i < 1u << objs[o].radix; i++)
                if (objs[o].slot[i] >= 0 && !dying[objs[o].slot[i]])
                    grew = dying[objs[o].slot[i]] = true;
    }
    for (int c = 0; c < ncaps; c++)
        while (caps[c].live && !dying[c] && caps[c].parent >= 0 && dying[caps[c].parent])
            caps[c].parent = caps[caps[c].parent].parent;
    long killed = 0;
    for (int c = 0; c < ncaps; c++)
        if (caps[c].live && dying[c]) {
            caps[c].live = dying[c] = false;
            objs[caps[c].cnode].slot[caps[c].index] = -1;
            killed++;
        }
    stat_cascades += killed > 1;
    stat_largest = killed > stat_largest ? killed : stat_largest;
    memset(refs, 0, sizeof(refs));
    for (int c = 0; c < ncaps; c++)
        refs[caps[c].obj] += caps[c].live;
    for (int o = 0; o < nobjs; o++)
        objs[o].live = objs[o].live && refs[o] > 0;
}

/* Tree order of objects: base up, end down, type up (untyped first). */
static int key_cmp(int a, int b)
{
    if (objs[a].base != objs[b].base)
        return objs[a].base < objs[b].base ? -1 : 1;
    if (obj_end(a) != obj_end(b))
        return obj_end(a) > obj_end(b) ? -1 : 1;
    return (objs[a].type > objs[b].type) - (objs[a].type < objs[b].type);
}

static int cap_key_desc(const void *a, const void *b)
{
    return key_cmp(caps[*(const int *)b].obj, caps[*(const int *)a].obj);
}

/* What the kernel deletes in a batch: no CNode, no frame zeroed in chunks
 * (the model has no waiting threads). */
static bool m_batchable(int c)
{
    const struct mobj *o = &objs[caps[c].obj];
    return o->type != CNODE && !(o->type == FRAME && (1ull << o->bits) > ZERO_CHUNK);
}

/* Revoke deletes the descendants from the last in tree order backwards --
 * but the last batchable one within REVOKE_PASS_OVER of the end before
 * anything else (cap_delete.c: revoke_next) -- and stops early if that
 * kills the target itself (it was in a dying CNode). */
static void m_revoke(int a)
{
    static int order[MAX_CAPS];
    for (;;) {
        int n = 0;
        for (int c = 0; c < ncaps; c++)
            if (caps[c].live && m_is_descendant(c, a))
                order[n++] = c;
        if (n == 0)
            break;
        qsort(order, (size_t)n, sizeof(order[0]), cap_key_desc);
        int k = 0;
        while (k + 1 < n && !m_batchable(order[k]) && k < REVOKE_PASS_OVER)
            k++;
        dying[m_batchable(order[k]) ? order[k] : order[0]] = true;
        m_kill();
        if (!caps[a].live)
            return;
    }
    if (objs[caps[a].obj].type == UNTYPED)
        objs[caps[a].obj].watermark = 0;
}

/* Is [base, end), inside the untyped object u, covered by an object in u? */
static bool m_in_use(int u, uint64_t base, uint64_t end)
{
    for (int o = 0; o < nobjs; o++)
        if (objs[o].live && o != u && objs[o].base >= objs[u].base && obj_end(o) <= obj_end(u) &&
            objs[o].base < end && base < obj_end(o))
            return true;
    return false;
}

/* The CNodes reachable from the root through R2, with the path to each. */
static int reach_list[MAX_OBJS], nreach, reach_from[MAX_OBJS];
static uint64_t reach_cptr[MAX_OBJS], reach_depth[MAX_OBJS];
static bool reached[MAX_OBJS];

static void m_reach(void)
{
    memset(reached, 0, sizeof(reached));
    reached[0] = true;
    reach_list[0] = 0;
    nreach = 1;
    for (int k = 0; k < nreach; k++) {
        int o = reach_list[k];
        for (unsigned i = 0; i < 1u << objs[o].radix; i++) {
            int c = objs[o].slot[i], q = c >= 0 ? caps[c].obj : 0;
            uint64_t depth = reach_depth[o] + objs[o].radix;
            if (c < 0 || objs[q].type != CNODE || reached[q] || depth + objs[q].radix > D)
                continue;
            reached[q] = true;
            reach_cptr[q] = reach_cptr[o] << objs[o].radix | i;
            reach_depth[q] = depth;
            reach_from[q] = o;
            reach_list[nreach++] = q;
        }
    }
}

static struct loc m_slot_loc(int o, unsigned i)
{
    return (struct loc){ reach_cptr[o] << objs[o].radix | i, reach_depth[o] + objs[o].radix };
}

static struct loc m_loc(int c)
{
    return m_slot_loc(caps[c].cnode, caps[c].index);
}

/* A random reachable capability other than ROOT, R2 and UT, half the time
 * one to an object of type `prefer` if there is one; -1 if there is none. */
static int m_pick_cap(unsigned prefer)
{
    static int all[MAX_CAPS], preferred[MAX_CAPS];
    int n = 0, np = 0;
    for (int c = 0; c < ncaps; c++) {
        if (!caps[c].live || caps[c].cnode < 0 || !reached[caps[c].cnode] ||
            (caps[c].cnode == 0 && caps[c].index <= UT))
            continue;
        all[n++] = c;
        if (objs[caps[c].obj].type == prefer)
            preferred[np++] = c;
    }
    if (np > 0 && test_rng_below(2))
        return preferred[test_rng_below((uint64_t)np)];
    return n > 0 ? all[test_rng_below((uint64_t)n)] : -1;
}

/* An empty slot of CNode o, or -1. */
static int m_pick_empty(int o)
{
    unsigned n = 1u << objs[o].radix, i = (unsigned)test_rng_below(n);
    for (unsigned k = 0; k < n; k++, i = (i + 1) % n)
        if (objs[o].slot[i] < 0 && !(o == 0 && i <= UT))
            return (int)i;
    return -1;
}

/* A reachable CNode, mostly not the root.  Sometimes, for capability
 * near, the CNode it names (CNodes holding themselves) or, for an untyped,
 * one carved from it (revokes that tear down their own target's CNode). */
static int m_pick_cnode(int near)
{
    int o = near >= 0 ? caps[near].obj : 0;
    if (objs[o].type == CNODE && o != 0 && reached[o] && test_rng_below(6) == 0)
        return o;
    if (objs[o].type == UNTYPED && test_rng_below(2)) {
        int start = (int)test_rng_below((uint64_t)nreach);
        for (int k = 0; k < nreach; k++) {
            int q = reach_list[(start + k) % nreach];
            if (q != 0 && objs[q].base >= objs[o].base && obj_end(q) <= obj_end(o))
                return q;
        }
    }
    return nreach == 1 || test_rng_below(8) == 0 ? 0 : reach_list[1 + test_rng_below((uint64_t)nreach - 1)];
}

static void m_reset(void)
{
    memset(caps, 0, sizeof(caps));
    memset(objs, 0, sizeof(objs));
    nobjs = ncaps = 0;
    int root = m_new_obj(CNODE, (uintptr_t)root_slots, ROOT_BITS + SLOT_BITS, ROOT_BITS);
    int ut = m_new_obj(UNTYPED, (uintptr_t)ut_mem, UT_BITS, 0);
    m_new_cap(root, -1, -1, 0, 0);      /* the thread's (cap 0) */
    m_new_cap(root, -1, root, ROOT, 0); /* ROOT: a copy of it (cap 1) */
    m_new_cap(root, 1, root, R2, 1);    /* R2: minted from ROOT */
    m_new_cap(ut, -1, root, UT, 0);
}

/* ---- Part 2: operations, each predicted by the model, then made ---------- */

static void m_place(int c, int dst, int index)
{
    objs[caps[c].cnode].slot[caps[c].index] = -1;
    caps[c].cnode = dst;
    caps[c].index = (unsigned)index;
    objs[dst].slot[index] = c;
}

/* Move capability c to an empty slot of CNode dst (nothing if it is full). */
static const char *m_move(int c, int dst)
{
    int index = m_pick_empty(dst);
    if (index >= 0 && !ok(transfer(MOVE, m_slot_loc(dst, (unsigned)index), m_loc(c))))
        return "move: a result the model did not predict";
    if (index >= 0)
        m_place(c, dst, index);
    return NULL;
}

/* Retype from UT or a child untyped in a root slot into the root or a CNode
 * in a root slot (retype names destinations through the guarded root), at
 * a random offset or the watermark; often (when deep, always) moved on
 * into a random reachable CNode afterwards. */
static const char *op_retype(bool deep)
{
    static const unsigned types[] = { CNODE, ENDPOINT, ENDPOINT, FRAME, UNTYPED };
    int uts[ROOT_SLOTS], nuts = 0, cns[ROOT_SLOTS], ncns = 0;
    for (unsigned i = 0; i < ROOT_SLOTS; i++) {
        int c = root_model[i];
        if (c >= 0 && objs[caps[c].obj].type == UNTYPED)
            uts[nuts++] = c;
        if (c >= 0 && objs[caps[c].obj].type == CNODE && caps[c].obj != 0)
            cns[ncns++] = c;
    }
    int uc = test_rng_below(2) ? root_model[UT] : uts[test_rng_below((uint64_t)nuts)], u = caps[uc].obj;
    unsigned type = types[test_rng_below(ARRAY_SIZE(types))], user = 0, r = (unsigned)test_rng_below(16);
    if (type == CNODE) /* small, and now and then one of 64 slots: more than a batch */
        user = r < 8 ? 4 : r < 14 ? 1 + r % 3 : 6;
    else if (type == FRAME) /* now and then one zeroed in chunks when it dies */
        user = r < 3 ? 17 : r < 6 ? 13 : 12;
    else if (type == UNTYPED)
        user = 12 + r % 3;
    unsigned bits = type == CNODE ? user + SLOT_BITS : type == ENDPOINT ? 6 : user;
    if (bits > objs[u].bits || (type == UNTYPED && bits == objs[u].bits) || nobjs >= MAX_OBJS - 1)
        return NULL;
    int dc = ncns > 0 && test_rng_below(3) == 0 ? cns[test_rng_below((uint64_t)ncns)] : -1;
    int dst = dc >= 0 ? caps[dc].obj : 0, index = m_pick_empty(dst);
    if (index < 0) /* that CNode is full: the root then */
        dc = -1, dst = 0, index = m_pick_empty(0);
    if (index < 0)
        return NULL;
    uint64_t size = 1ull << bits, offset, arg, expect = COFFER_ERR_OK;
    if (test_rng_below(8) == 0) {
        arg = W;
        offset = (objs[u].watermark + size - 1) & ~(size - 1);
        if (offset + size > 1ull << objs[u].bits)
            expect = COFFER_ERR_NOT_ENOUGH_MEMORY;
    } else {
        arg = offset = test_rng_below(1ull << (objs[u].bits - bits)) << bits;
    }
    uint64_t base = objs[u].base + offset;
    if (expect == COFFER_ERR_OK && m_in_use(u, base, base + size))
        expect = COFFER_ERR_REVOKE_FIRST;
    struct coffer_result res = retype(caps[uc].index, type, user, 1, dc >= 0 ? caps[dc].index : HERE,
                                      (uint64_t)index, arg);
    if (res.error != expect || (expect == COFFER_ERR_OK && res.detail0 != offset))
        return "retype: a result the model did not predict";
    if (expect != COFFER_ERR_OK)
        return NULL;
    if (!all_zero((void *)(uintptr_t)base, size))
        return "retype: a new object's memory is not zero";
    if (type == FRAME)
        memset((void *)(uintptr_t)base, PATTERN, size);
    int c = m_new_cap(m_new_obj(type, base, bits, type == CNODE ? user : 0), uc, dst, (unsigned)index, 0);
    if (offset + size > objs[u].watermark)
        objs[u].watermark = offset + size;
    m_reach();
    if (type == CNODE && u != 1 && reached[caps[c].obj] && test_rng_below(4) == 0)
        return m_move(uc, caps[c].obj); /* an untyped inside a CNode carved from it */
    return dst == 0 && (deep || test_rng_below(3)) ? m_move(c, m_pick_cnode(-1)) : NULL;
}

/* A burst of retypes, each moved into a random CNode reachable after the
 * one before: deep nests, whose teardown takes more than one batch. */
static const char *op_nest(void)
{
    const char *failure = NULL;
    for (int k = 0; k < 24 && failure == NULL; k++) {
        m_reach();
        failure = op_retype(true);
    }
    return failure;
}

/* Copy, mint (data 0: badge, window and an empty guard kept), move, mutate. */
static const char *op_transfer(uint64_t label)
{
    int src = m_pick_cap(label == MOVE || test_rng_below(4) == 0 ? CNODE : ENDPOINT);
    if (src < 0 || ncaps >= MAX_CAPS - 1 || (label == MINT && caps[src].depth >= 100))
        return NULL;
    int dst = m_pick_cnode(src), index = m_pick_empty(dst);
    if (index < 0)
        return NULL;
    bool untyped = objs[caps[src].obj].type == UNTYPED, has_descendants = false;
    for (int c = 0; c < ncaps && label == MUTATE && !has_descendants; c++)
        has_descendants = caps[c].live && m_is_descendant(c, src);
    uint64_t expect = has_descendants            ? COFFER_ERR_REVOKE_FIRST
                      : untyped && label != MOVE ? COFFER_ERR_ILLEGAL_OPERATION
                                                 : COFFER_ERR_OK;
    if (transfer(label, m_slot_loc(dst, (unsigned)index), m_loc(src)).error != expect)
        return "copy/mint/move/mutate: a result the model did not predict";
    if (expect != COFFER_ERR_OK)
        return NULL;
    bool mint = label == MINT;
    if (label == COPY || mint)
        m_new_cap(caps[src].obj, mint ? src : caps[src].parent, dst, (unsigned)index, caps[src].depth + mint);
    else
        m_place(src, dst, index);
    return NULL;
}

/*
 * Delete or revoke, preempted at every check half the time.  A restarted
 * revoke looks its target up again, which fails once a CNode on the path to
 * it has died: such revokes run unpreempted (the model cannot say how far
 * a preempted one got).
 */
static const char *op_delete(bool revoke)
{
    int c = revoke && test_rng_below(15) == 0 ? root_model[UT] : m_pick_cap(revoke ? UNTYPED : CNODE);
    if (c < 0)
        return NULL;
    struct loc l = m_loc(c);
    dying[c] = !revoke;
    if (revoke)
        m_revoke(c);
    else
        m_kill();
    bool path_intact = caps[c].live || !revoke;
    stat_target_died += !path_intact;
    for (int o = caps[c].cnode; revoke && o != 0; o = reach_from[o])
        path_intact = path_intact && objs[o].live;
    struct run st;
    struct coffer_result r = run(revoke ? REVOKE : DELETE, l, path_intact && test_rng_below(2), &st);
    stat_restarts += st.calls - 1;
    return st.bad != NULL ? st.bad : ok(r) ? NULL : "delete/revoke: failed";
}

/* ---- Part 2: comparing the kernel with the model -------------------------- */

static bool slot_matches(const struct slot *s, int c)
{
    if (c < 0) /* an empty slot is all zero, links and all (cap.h) */
        return all_zero(s, sizeof(*s));
    const struct mobj *o = &objs[caps[c].obj];
    return s->cap.type == cap_type_of_object(o->type) && s->cap.object == o->base &&
           (o->type != CNODE || s->cap.size_bits == o->radix) &&
           (o->type != UNTYPED || (s->cap.size_bits == o->bits && s->cap.data == o->watermark));
}

/* How many objects lie in UT: the groups among its descendants. */
static int real_objects(void)
{
    const struct slot *ut = &root_slots[UT], *prev = NULL;
    int n = 0;
    for (const struct slot *d = cdt_first_descendant(ut); d != NULL; prev = d, d = cdt_next_descendant(ut, d))
        n += prev == NULL || prev->cap.object != d->cap.object || prev->cap.type != d->cap.type ||
             cap_object_end(&prev->cap) != cap_object_end(&d->cap);
    return n;
}

/* Objects that died in this operation read zero; live frames keep what
 * was written into them. */
static const char *check_memory(const bool *was_live)
{
    for (int o = 2; o < nobjs; o++) {
        const uint8_t *p = (const uint8_t *)(uintptr_t)objs[o].base;
        size_t size = (size_t)1 << objs[o].bits;
        if (was_live[o] && !objs[o].live && objs[o].type != UNTYPED && !all_zero(p, size))
            return "a dead object's memory is not zero";
        if (objs[o].live && objs[o].type == FRAME && (p[0] != PATTERN || p[size - 1] != PATTERN))
            return "a live frame's memory changed";
    }
    return NULL;
}

static const char *compare(const bool *was_live)
{
    if (cdt_check() != 0)
        return "cdt_check() failed";
    if (cdt_count() != (size_t)count_live_caps())
        return "cdt_count() differs from the model";
    for (int o = 0; o < nobjs; o++)
        for (unsigned i = 0; objs[o].live && objs[o].type == CNODE && i < 1u << objs[o].radix; i++)
            if (!slot_matches((const struct slot *)(uintptr_t)objs[o].base + i, objs[o].slot[i]))
                return "a slot differs from the model";
    int model_objects = 0;
    for (int o = 2; o < nobjs; o++) /* not the root CNode, not UT */
        model_objects += objs[o].live;
    if (real_objects() != model_objects)
        return "the number of objects differs from the model";
    for (int k = 0; k < 8; k++) {
        uint64_t size = 1ull << (6 + test_rng_below(11));
        uint64_t base = (uintptr_t)ut_mem + test_rng_below(UT_SIZE / size) * size;
        struct cdt_place place;
        if (cdt_range_in_use(&root_slots[UT], base, base + size, &place) != m_in_use(1, base, base + size))
            return "cdt_range_in_use() differs from the model";
    }
    return check_memory(was_live);
}

/* 0 retype, 1-4 copy, mint, move, mutate, 5 delete, 6 revoke, 7 nest:
 * mostly growing while there are few capabilities, shrinking when many. */
static int pick_kind(int live)
{
    static const unsigned weights[3][3] = { { 45, 35, 14 }, { 30, 35, 25 }, { 15, 25, 40 } };
    const unsigned *w = weights[live < 300 ? 0 : live < 800 ? 1 : 2];
    unsigned r = (unsigned)test_rng_below(100);
    if (test_rng_below(50) == 0)
        return live < 1000 ? 7 : 5;
    return r < w[0] ? 0 : r < w[0] + w[1] ? 1 + (int)test_rng_below(4) : r < w[0] + w[1] + w[2] ? 5 : 6;
}

/* Abandon preempted deletes and revokes (the model no longer applies: its
 * stale paths may now fail), then revoke UT: everything must come back. */
static const char *abandon_all(void)
{
    m_reach();
    for (int k = 0; k < 30; k++) {
        int c = m_pick_cap(test_rng_below(2) ? CNODE : UNTYPED);
        if (c < 0)
            break;
        host_preempt_every = true;
        for (uint64_t n = 1 + test_rng_below(3); n > 0; n--)
            cnode_op(test_rng_below(2) ? DELETE : REVOKE, m_loc(c));
        host_preempt_every = false;
        if (cdt_check() != 0 || !all_housed())
            return "cdt_check() or all_housed() failed after an abandoned delete or revoke";
    }
    struct run st;
    if (!ok(run(REVOKE, at(UT), test_rng_below(2), &st)) || st.bad != NULL)
        return "the final revoke of UT failed or made no progress";
    return all_reclaimed() ? NULL : "the final revoke of UT did not reclaim every byte";
}

static void test_random(uint64_t seed, long ops)
{
    setup();
    m_reset();
    test_rng_seed(seed);
    tap_diag("random teardown: seed %llu, %ld operations", (unsigned long long)seed, ops);
    static const uint64_t transfers[] = { 0, COPY, MINT, MOVE, MUTATE };
    static bool was_live[MAX_OBJS];
    const char *failure = NULL;
    long step, counts[8] = { 0 };
    for (step = 0; step < ops && failure == NULL; step++) {
        m_reach();
        for (int o = 0; o < nobjs; o++)
            was_live[o] = objs[o].live;
        int kind = pick_kind(count_live_caps());
        counts[kind]++;
        failure = kind == 0   ? op_retype(false)
                  : kind < 5  ? op_transfer(transfers[kind])
                  : kind < 7  ? op_delete(kind == 6)
                              : op_nest();
        if (failure == NULL)
            failure = compare(was_live);
    }
    if (failure != NULL)
        tap_diag("operation %ld (0-based): %s", step - 1, failure);
    tap_diag("retype %ld, copy %ld, mint %ld, move %ld, mutate %ld, delete %ld, revoke %ld, nest %ld",
             counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6], counts[7]);
    tap_diag("%ld deletions took more than one capability (at most %ld), %ld revokes killed their own "
             "target, %ld restarts", stat_cascades, stat_largest, stat_target_died, stat_restarts);
    tap_ok(failure == NULL, "random: after every operation the slots, the count and the memory "
                            "match the model");
    failure = abandon_all();
    if (failure != NULL)
        tap_diag("%s", failure);
    tap_ok(failure == NULL, "random: after abandoned preempted operations, revoking UT reclaims everything");
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 20261122;
    long ops = argc > 2 ? strtol(argv[2], NULL, 10) : 10000;
    if (!teardown_alloc())
        return 1;
    test_random(seed, ops);
    teardown_free();
    return tap_done();
}
