/*
 * The harness shared by the CNode-teardown tests (test_zombie.c, the
 * scenarios, and test_zombie_model.c, the model-based random test): a
 * root CNode of 2^8 slots -- ROOT is it with a 56-bit guard (64-bit
 * pointers name root slots, for invoking), R2 the same CNode with no guard,
 * through which paths of any depth reach into sub-CNodes -- a 1 MiB RAM
 * untyped, the calls, and the checks every deletion must pass: restarted
 * as the kernel would (with preemption forced at every check if asked),
 * each restart must make progress and leave no capability in freed memory.
 */
#ifndef COFFER_TESTS_TEARDOWN_FIXTURE_H
#define COFFER_TESTS_TEARDOWN_FIXTURE_H

#include <stdlib.h>
#include <string.h>
#include "cap/cap_delete.h"
#include "cap/cdt.h"
#include "host_arch.h"
#include "object/invoke.h"
#include "tap.h"
#include "cap_fixture.h"
#include "test_util.h"

#define ROOT_BITS 8
#define ROOT_SLOTS (1u << ROOT_BITS)
#define UT_BITS 20
#define UT_SIZE (1u << UT_BITS)
#define D 64
#define ROOT 1
#define R2 2
#define UT 3
#define BASE_CAPS 4  /* the thread's root capability, ROOT, R2, UT */
#define HERE (~0ull) /* retype destination: the root CNode itself */
#define W COFFER_RETYPE_AT_WATERMARK
#define PATTERN 0xa5 /* what "user code" writes into its frames */
#define COPY COFFER_INV_CNODE_COPY
#define MINT COFFER_INV_CNODE_MINT
#define MOVE COFFER_INV_CNODE_MOVE
#define MUTATE COFFER_INV_CNODE_MUTATE
#define DELETE COFFER_INV_CNODE_DELETE
#define REVOKE COFFER_INV_CNODE_REVOKE
#define IDENTIFY COFFER_INV_CNODE_IDENTIFY
#define CNODE COFFER_OBJ_CNODE
#define ENDPOINT COFFER_OBJ_ENDPOINT
#define FRAME COFFER_OBJ_FRAME
#define UNTYPED COFFER_OBJ_UNTYPED

static struct thread *thr;
static struct slot *root_slots;
static uint8_t *ut_mem;

static inline struct coffer_result call(uint64_t cptr, uint64_t label, uint64_t a0, uint64_t a1,
                                 uint64_t a2, uint64_t a3, uint64_t a4)
{
    return fixture_call(thr, cptr, label, a0, a1, a2, a3, a4);
}

static inline bool ok(struct coffer_result r)
{
    return r.error == COFFER_ERR_OK;
}

/* A slot named through R2 by `depth` bits of cptr. */
struct loc {
    uint64_t cptr, depth;
};

static inline struct loc at(uint64_t root_index)
{
    return (struct loc){ root_index, ROOT_BITS };
}

/* Slot i of the CNode (2^radix slots, no guard) whose capability is at l. */
static inline struct loc in(struct loc l, unsigned radix, uint64_t i)
{
    return (struct loc){ l.cptr << radix | i, l.depth + radix };
}

/* Retype count objects from the untyped in root slot ut into the root
 * (cnode HERE) or the CNode in root slot cnode, from slot index on. */
static inline struct coffer_result retype(uint64_t ut, unsigned type, unsigned bits, uint64_t count,
                                   uint64_t cnode, uint64_t index, uint64_t offset)
{
    return call(ut, COFFER_INV_UNTYPED_RETYPE,
                COFFER_RETYPE_ARG0(type, bits, cnode == HERE ? 0 : D, count),
                cnode == HERE ? 0 : cnode, index, offset, 0);
}

static inline struct coffer_result transfer(uint64_t label, struct loc dst, struct loc src)
{
    return call(R2, label, dst.cptr, COFFER_CNODE_ARG1(dst.depth, src.depth, COFFER_RIGHTS_ALL),
                R2, src.cptr, 0);
}

static inline struct coffer_result cnode_op(uint64_t label, struct loc l)
{
    return call(R2, label, l.cptr, l.depth, 0, 0, 0);
}

/* IDENTIFY detail 1 of an untyped in a root slot: free bytes above its watermark. */
static inline uint64_t ut_free(uint64_t root_index)
{
    return cnode_op(IDENTIFY, at(root_index)).detail1;
}

static inline bool all_null(const struct slot *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!cap_is_null(&s[i].cap))
            return false;
    return true;
}

static inline bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    return n == 0 || (b[0] == 0 && memcmp(b, b + 1, n - 1) == 0);
}

static inline void setup(void)
{
    fixture_cspace(thr, root_slots, ROOT_BITS, ROOT);
    fixture_untyped(&root_slots[UT], ut_mem, UT_BITS, false);
    call(ROOT, MINT, R2, COFFER_CNODE_ARG1(D, D, COFFER_RIGHTS_ALL), ROOT, ROOT, COFFER_GUARD(0, 0));
}

/* Everything is back: only the base capabilities, UT empty and all zero. */
static inline bool all_reclaimed(void)
{
    return cdt_count() == BASE_CAPS && ut_free(UT) == UT_SIZE && all_zero(ut_mem, UT_SIZE) &&
           all_null(root_slots + UT + 1, ROOT_SLOTS - UT - 1) && cdt_check() == 0;
}

/*
 * Work left, as a number each step of a deletion lowers: a CNode weighs
 * its slots + 2 (becoming a zombie is a step), a frame its bytes + 2, a
 * zombie what its cursor has left + 1, anything else 1.  Everything that
 * can die lies in UT, so its descendants are enough.
 */
static inline uint64_t potential(void)
{
    const struct slot *ut = &root_slots[UT];
    uint64_t p = 0;
    for (const struct slot *d = cdt_first_descendant(ut); d != NULL; d = cdt_next_descendant(ut, d))
        p += d->cap.type == CAP_CNODE    ? (1ull << d->cap.size_bits) + 2
             : d->cap.type == CAP_FRAME  ? (1ull << d->cap.size_bits) + 2
             : d->cap.type == CAP_ZOMBIE ? zombie_slots_left(&d->cap) + 1
                                         : 1;
    return p;
}

/*
 * Does every capability in UT sit in a slot of the root CNode or of a CNode
 * or zombie that is itself still in the tree?  One left in freed memory
 * would be overwritten by the next retype there.
 */
static inline bool all_housed(void)
{
    static uint64_t lo[8192], hi[8192];
    const struct slot *ut = &root_slots[UT], *d;
    size_t n = 0;
    for (d = cdt_first_descendant(ut); d != NULL && n < 8192; d = cdt_next_descendant(ut, d))
        if (d->cap.type == CAP_CNODE || d->cap.type == CAP_ZOMBIE) {
            lo[n] = d->cap.object;
            hi[n++] = cap_object_end(&d->cap);
        }
    for (d = cdt_first_descendant(ut); d != NULL; d = cdt_next_descendant(ut, d)) {
        bool home = d >= root_slots && d < root_slots + ROOT_SLOTS;
        for (size_t k = 0; k < n && !home; k++)
            home = (uintptr_t)d >= lo[k] && (uintptr_t)d < hi[k];
        if (!home)
            return false;
    }
    return true;
}

struct run {
    unsigned calls;
    const char *bad; /* why the restarts were given up on, or NULL */
};

/* Delete or revoke at l, restarting while preempted as the kernel would
 * restart the call; each restart must have lowered potential(). */
static inline struct coffer_result run(uint64_t label, struct loc l, bool preempt, struct run *st)
{
    struct run local;
    st = st != NULL ? st : &local;
    *st = (struct run){ 0, NULL };
    host_preempt_every = preempt;
    uint64_t before = potential();
    struct coffer_result r;
    for (;;) {
        r = cnode_op(label, l);
        st->calls++;
        if (r.error != SYSCALL_RESTART)
            break;
        uint64_t now = potential();
        st->bad = !all_housed() ? "between two calls a capability sat in freed memory"
                  : now >= before ? "a restart made no progress" : NULL;
        if (st->bad != NULL)
            break;
        before = now;
    }
    host_preempt_every = false;
    if (st->bad != NULL)
        tap_diag("after %u calls: %s", st->calls, st->bad);
    return r;
}

static inline bool run_ok(uint64_t label, struct loc l, bool preempt, struct run *st)
{
    struct run local;
    st = st != NULL ? st : &local;
    return ok(run(label, l, preempt, st)) && st->bad == NULL && (!preempt || st->calls > 1);
}

static inline const char *preempted(int preempt, const char *what)
{
    static char name[160];
    snprintf(name, sizeof(name), "%s%s", what, preempt ? " (preempted at every check)" : "");
    return name;
}

/* The harness's memory, for a program's main(). */
static inline bool teardown_alloc(void)
{
    thr = aligned_alloc(64, (sizeof(struct thread) + 63) & ~(size_t)63);
    root_slots = aligned_alloc(ROOT_SLOTS * sizeof(struct slot), ROOT_SLOTS * sizeof(struct slot));
    ut_mem = aligned_alloc(UT_SIZE, UT_SIZE);
    return thr != NULL && root_slots != NULL && ut_mem != NULL;
}

static inline void teardown_free(void)
{
    free(thr);
    free(root_slots);
    free(ut_mem);
}

#endif
