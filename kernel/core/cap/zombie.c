/*
 * Object death in bounded steps with zombies; zombie.h explains the scheme.
 *
 * A zombie capability: object and (as log2 bytes) size_bits of the dying
 * object, zombie_of its type.  data holds the cursor in its low 32 bits:
 * for a CNode, slots [0, left) may still hold capabilities (the others are
 * empty and zeroed); for a frame, bytes [0, left) are not yet zeroed.  A
 * CNode zombie keeps in the high 32 bits 1 + the index of a slot skipped
 * because it held the teardown's top zombie ("held"; 0 for none).
 *
 * The path from the top zombie down to the one being cleared is linked
 * through the slots' mapping words (a zombie maps nothing).  The links are
 * rebuilt on every kernel entry, so stale ones never matter.  A link to
 * the top is the sentinel PARENT_TOP, because the top is the one zombie on
 * the path that can change slots (see the swap below).
 */
#include "arch.h"
#include "cap/cap_delete.h"
#include "cap/cdt.h"
#include "thread/ipc.h"
#include "support/kstring.h"
#include "thread/thread.h"
#include "cap/zombie.h"

#define PARENT_TOP 1u

/* Objects threads wait on: they die as zombies while threads wait. */
static bool waits_on(unsigned type)
{
    return type == CAP_ENDPOINT || type == CAP_NOTIFICATION;
}
#define LEFT_MASK 0xffffffffull

static uint64_t left_of(const struct cap *z)
{
    return z->data & LEFT_MASK;
}

static uint64_t held_of(const struct cap *z)
{
    return z->data >> 32;
}

static struct slot *zombie_slot(const struct cap *z, uint64_t i)
{
    return (struct slot *)arch_phys_to_virt(z->object) + i;
}

uint64_t zombie_slots_left(const struct cap *z)
{
    return left_of(z);
}

void zombie_make(struct slot *s)
{
    /* The last capability is alone in its group, at depth 0, and a zombie
     * keeps the object's range: its place in the tree does not change. */
    struct cap *c = &s->cap;
    unsigned bits = c->obj_bits;
    c->data = c->type == CAP_CNODE ? 1ull << c->size_bits /* slots left: all */
              : c->type == CAP_TCB ? TCB_SLOTS             /* its capability slots */
              : waits_on(c->type)  ? 1                     /* waiters left: some */
                                   : 1ull << bits;        /* bytes left: all */
    c->zombie_of = c->type;
    c->type = CAP_ZOMBIE;
    c->size_bits = (uint8_t)bits;
    c->rights = 0;
    c->guard_bits = 0;
    c->flags = 0;
    s->mapping = 0;
}

/* Exchange the capabilities (and tree places) of two slots. */
static void swap_slots(struct slot *a, struct slot *b)
{
    struct slot tmp;
    cdt_move(a, &tmp);
    cdt_move(b, a);
    cdt_move(&tmp, b);
}

/* The state of one teardown during one kernel entry. */
struct teardown {
    struct slot *top; /* the zombie the deletion began with (it may change slots) */
    struct slot *cur; /* the zombie being cleared */
    const struct cap *revoking; /* the untyped a revoke empties, or NULL */
};

/*
 * The top zombie sits in slot t of the CNode being cleared: a cycle.  Keep
 * it for last ("held").  Should a slot already be held (a case the model
 * test has never produced), swap at once instead: the current zombie moves
 * into t, inside its own memory, and the top takes its place.
 */
static void hold_top(struct teardown *td, uint64_t i, struct slot *t)
{
    struct cap *z = &td->cur->cap;
    if (held_of(z) == 0) {
        z->data = i | (i + 1) << 32;
        return;
    }
    swap_slots(td->cur, t);
    td->top = td->cur;
    td->cur = t;
    t->cap.data = (t->cap.data & ~LEFT_MASK) | i;
}

/* Pass the empty slots at the cursor, up to a batch of them: they are all
 * zero already (cap.h), so a CNode whose capabilities went before it (as
 * a revoke sees to) is torn down at a few instructions a slot. */
static unsigned pass_empty(struct cap *z)
{
    uint64_t left = left_of(z), i = left;
    const struct slot *slots = zombie_slot(z, 0);
    while (i > 0 && left - i < ZOMBIE_BATCH && cap_is_null(&slots[i - 1].cap))
        i--;
    z->data = (z->data & ~LEFT_MASK) | i;
    return (unsigned)(left - i);
}

/*
 * One step: pass the empty slots at the cursor, or clear the current
 * zombie's next slot, or descend into the zombie that slot holds.
 * Returns the slots passed or 1 for a step that changed something for
 * good, 0 for descending into a zombie that was there already (which a
 * restarted call does once per level), so that every kernel entry makes
 * progress however deep the nesting.
 */
static unsigned clear_next(struct teardown *td)
{
    struct slot *cur = td->cur;
    struct cap *z = &cur->cap;
    unsigned passed = pass_empty(z);
    if (passed > 0)
        return passed;
    uint64_t i = left_of(z) - 1;
    struct slot *t = zombie_slot(z, i);
    if (t == td->top && t != cur) {
        hold_top(td, i, t);
        return 1;
    }
    bool was_zombie = t->cap.type == CAP_ZOMBIE;
    if (t != cur && !cap_is_null(&t->cap) && !cap_delete_begin_in(t, td->revoking)) {
        /* A zombie: that object first; this slot stays until it is gone. */
        t->mapping = cur == td->top ? PARENT_TOP : (uint64_t)(uintptr_t)cur;
        td->cur = t;
        return was_zombie ? 0 : 1;
    }
    /* t is empty now, so all zero (cap.h): free CNode memory is zero,
     * tree links included, with nothing more to clear. */
    z->data = (z->data & ~LEFT_MASK) | i;
    return 1;
}

/* One step on a dying endpoint or notification: wake one waiter with
 * ABORTED; with none left, the object's death proper (bindings) and its
 * zeroing.  Returns the work done. */
static unsigned abort_next(struct cap *z)
{
    void *obj = arch_phys_to_virt(z->object);
    enum cap_type type = (enum cap_type)z->zombie_of;
    if (ipc_abort_next_waiter(type, obj))
        return ZOMBIE_WAITER_WORK;
    if (type == CAP_ENDPOINT)
        endpoint_dies(obj);
    else
        notification_dies(obj);
    memset(obj, 0, 1ull << z->size_bits);
    z->data = 0;
    return 1;
}

/* One step on a dying frame: zero its last unzeroed chunk. */
static void zero_next(struct cap *z)
{
    uint64_t left = left_of(z), chunk = left < ZERO_CHUNK ? left : ZERO_CHUNK;
    memset((char *)arch_phys_to_virt(z->object) + left - chunk, 0, chunk);
    z->data = left - chunk;
}

/*
 * The current zombie is empty but for itself and perhaps a held zombie.
 * If one is held, they swap slots first, so that the finished zombie sits
 * inside its own memory and the held one where it was (where its parent,
 * or the deletion's caller, finds it next).  Then the CNode's memory is
 * free.  Afterwards cur is the zombie to go on with, if any.
 */
static void finish(struct teardown *td)
{
    struct slot *s = td->cur;
    bool was_top = s == td->top;
    uint64_t link = s->mapping; /* resolved after a swap may move the top */
    uint64_t held = held_of(&s->cap);
    if (held != 0) {
        struct slot *h = zombie_slot(&s->cap, held - 1);
        if (h->cap.type == CAP_ZOMBIE && h != s) {
            swap_slots(s, h);
            if (h == td->top)
                td->top = s;
            s = h;
        }
    }
    if (!cap_object_inside(td->revoking, &s->cap))
        cap_memory_returns(s);
    cdt_remove(s);
    slot_clear(s);
    /* If the top held a zombie, that one now stands in the top's slot and
     * is torn down next, as part of the same deletion. */
    if (was_top)
        td->cur = td->top;
    else
        td->cur = link == PARENT_TOP ? td->top : (struct slot *)(uintptr_t)link;
}

enum delete_status zombie_reduce(struct slot *top, const struct cap *revoking)
{
    struct teardown td = { top, top, revoking };
    unsigned work = 0;
    while (td.top->cap.type == CAP_ZOMBIE) {
        struct cap *z = &td.cur->cap;
        if (left_of(z) == 0) {
            finish(&td);
            work++;
        } else if (z->zombie_of == CAP_CNODE || z->zombie_of == CAP_TCB) {
            work += clear_next(&td);
        } else if (waits_on(z->zombie_of)) {
            work += abort_next(z);
        } else {
            zero_next(z);
            if (left_of(z) != 0)
                work = ZOMBIE_BATCH; /* a chunk is a batch's worth */
        }
        if (work >= ZOMBIE_BATCH) {
            work = 0;
            if (td.top->cap.type == CAP_ZOMBIE && arch_preemption_pending())
                return DELETE_PREEMPTED;
        }
    }
    return DELETE_DONE;
}
