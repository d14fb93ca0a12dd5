#include "cap/cap_delete.h"
#include "arch.h"
#include "cap/cdt.h"
#include "thread/ipc.h"
#include "object/irq.h"
#include "support/kstring.h"
#include "thread/sched_context.h"
#include "object/vspace.h"

void cap_remove(struct slot *s)
{
    cdt_remove(s);
    slot_clear(s); /* tree links too: an empty slot is all zero (cap.h) */
}

/* Objects retype makes; the control capabilities and IRQ handlers name
 * the kernel's own tables, which no untyped holds. */
static inline __attribute__((always_inline)) bool carved_from_untyped(const struct cap *c)
{
    return c->type != CAP_ASID_CONTROL && c->type != CAP_SCHED_CONTROL &&
           c->type != CAP_IRQ_CONTROL && c->type != CAP_IRQ_HANDLER;
}

/* Does the object keep memory that must be zeroed when it dies? */
static inline __attribute__((always_inline)) bool zeroed_at_death(const struct cap *c)
{
    /* An untyped's memory is either free (and zero already) or belongs to
     * its descendants, which outlive it; device memory is never touched;
     * what no untyped holds is the kernel's. */
    return c->type != CAP_UNTYPED && carved_from_untyped(c) && !(c->flags & CAP_FLAG_DEVICE);
}

/* The last capability to c's object is going: let its layer let go of it
 * (waiters, bindings, ASIDs, a thread running in an address space) before
 * its memory is zeroed. */
static void object_dies(const struct cap *c)
{
    if (c->flags & CAP_FLAG_DEVICE)
        return; /* device memory holds frames only, never kernel state */
    void *obj = arch_phys_to_virt(c->object);
    switch (c->type) {
    case CAP_ENDPOINT:
        endpoint_dies(obj);
        break;
    case CAP_NOTIFICATION:
        notification_dies(obj);
        break;
    case CAP_REPLY:
        reply_dies(obj);
        break;
    case CAP_TCB:
        thread_dies(obj);
        break;
    case CAP_SCHED_CONTEXT:
        sched_context_dies(obj);
        break;
    case CAP_IRQ_HANDLER:
        irq_handler_dies(c);
        break;
    default:
        vspace_object_dies(c);
    }
}

/* Objects that die as zombies: those holding capability slots, and frames
 * too large to zero in one step. */
static bool dies_as_zombie(const struct cap *c, uint64_t bytes)
{
    return c->type == CAP_CNODE || c->type == CAP_TCB || bytes > ZERO_CHUNK;
}

bool cap_delete_is_bounded(const struct slot *s)
{
    const struct cap *c = &s->cap;
    if (cap_is_null(c))
        return true;
    if (c->type == CAP_ZOMBIE)
        return false;
    return !cdt_is_last(s) ||
           (!dies_as_zombie(c, cap_object_end(c) - c->object) &&
            ((c->flags & CAP_FLAG_DEVICE) || !ipc_has_waiters(c->type, arch_phys_to_virt(c->object))));
}

void cap_memory_returns(struct slot *s)
{
    if (!carved_from_untyped(&s->cap))
        return;
    struct slot *ut = cdt_untyped_of(s);
    if (ut == NULL)
        return; /* made at boot, outside every untyped */
    ut->used -= 1ull << s->cap.obj_bits;
    if (s->cap.type == CAP_UNTYPED)
        ut->used += s->used; /* its children are ut's own now */
}

/* The object goes with s, its last capability. */
static inline __attribute__((always_inline)) void last_removed(struct slot *s, bool account)
{
    if (account)
        cap_memory_returns(s);
    cap_remove(s);
}

/*
 * cap_delete_begin, with `account` false inside a revoke of an untyped
 * that holds s: every byte the revoke frees is that untyped's or a dying
 * descendant's, and the revoke sets its count to 0 when done, so looking
 * up the untyped of each object would be wasted.
 */
static inline __attribute__((always_inline)) bool delete_begin(struct slot *s, bool account)
{
    struct cap *c = &s->cap;
    if (c->type == CAP_ZOMBIE)
        return false;
    if (c->type == CAP_VSPACE)
        vspace_epoch++; /* perhaps a thread's (sched.c) */
    vspace_cap_unmap(s); /* a mapping goes with its capability, last or not */
    if (!cdt_is_last(s)) {
        cap_remove(s);
        return true;
    }
    /* The last capability: the object dies.  An endpoint or notification
     * with threads waiting wakes them in bounded steps, as a zombie (whose
     * memory returns when it is done, zombie.c). */
    if (!(c->flags & CAP_FLAG_DEVICE) && ipc_has_waiters(c->type, arch_phys_to_virt(c->object))) {
        zombie_make(s);
        return false;
    }
    object_dies(c);
    if (!zeroed_at_death(c)) {
        last_removed(s, account);
        return true;
    }
    uint64_t bytes = cap_object_end(c) - c->object;
    if (dies_as_zombie(c, bytes)) {
        zombie_make(s);
        return false;
    }
    memset(arch_phys_to_virt(c->object), 0, bytes);
    last_removed(s, account);
    return true;
}

bool cap_delete_begin(struct slot *s)
{
    return delete_begin(s, true);
}

bool cap_object_inside(const struct cap *revoking, const struct cap *c)
{
    return revoking != NULL && c->object >= revoking->object && cap_object_end(c) <= cap_object_end(revoking);
}

bool cap_delete_begin_in(struct slot *s, const struct cap *revoking)
{
    return delete_begin(s, !cap_object_inside(revoking, &s->cap));
}

enum delete_status cap_delete(struct slot *s)
{
    if (cap_delete_begin(s))
        return DELETE_DONE;
    return zombie_reduce(s, NULL);
}

/* Can c go in a batch: bounded work, no zombie, wherever it is? */
static bool batchable(const struct cap *c)
{
    if (c->type == CAP_CNODE || c->type == CAP_TCB || c->type == CAP_ZOMBIE)
        return false;
    if (!(c->flags & CAP_FLAG_DEVICE) && ipc_has_waiters(c->type, arch_phys_to_virt(c->object)))
        return false; /* its waiters wake in steps */
    return c->type != CAP_FRAME || (c->flags & CAP_FLAG_DEVICE) ||
           cap_object_end(c) - c->object <= ZERO_CHUNK;
}

/* Clear every slot of a cut-out tree, children before parents, so the walk
 * never reads a node it has cleared. */
static void clear_cut(struct rb_node *n)
{
    while (n != NULL) {
        if (n->left != NULL) {
            n = n->left;
        } else if (n->right != NULL) {
            n = n->right;
        } else {
            struct rb_node *parent = rb_parent(n);
            if (parent != NULL)
                *(parent->left == n ? &parent->left : &parent->right) = NULL;
            slot_clear(slot_of_node(n));
            n = parent;
        }
    }
}

/*
 * Delete the run first..last of s's descendants, all batchable, at once:
 * the run leaves the tree in one cut, then in tree order each mapping
 * goes and each object whose capabilities all were in the run dies; then
 * the slots are cleared.  Only the run's first object can have
 * capabilities left before it (s itself, or descendants not taken).
 */
static void delete_batch(struct slot *first, struct slot *last)
{
    struct slot *left = cdt_prev(first);
    bool lives_on = left != NULL && cdt_same_object(left, first);
    struct rb_tree out;
    cdt_cut(first, last, &out);
    for (struct rb_node *n = rb_first(&out), *next; n != NULL; n = next) {
        next = rb_next(n);
        struct slot *d = slot_of_node(n);
        struct cap *c = &d->cap;
        if (c->type == CAP_VSPACE)
            vspace_epoch++;
        vspace_cap_unmap(d);
        if (next != NULL && cdt_same_object(d, slot_of_node(next)))
            continue; /* not the last of its object here */
        if (!lives_on) {
            object_dies(c);
            if (zeroed_at_death(c)) {
                uint64_t bytes = cap_object_end(c) - c->object; /* batchable: at most ZERO_CHUNK */
                if (bytes == 64) /* an endpoint, a notification: in line */
                    zero_64(arch_phys_to_virt(c->object));
                else
                    memset(arch_phys_to_virt(c->object), 0, bytes);
            }
        }
        lives_on = false;
    }
    clear_cut(out.root);
}

/* Below this many, capabilities go one by one: a cut costs about as much
 * as erasing five. */
#define REVOKE_CUT_MIN 8

/* The descendant of s to delete next: the last batchable one at or
 * before d (the last descendant), passing over at most REVOKE_PASS_OVER
 * that cannot go in a batch (a CNode, a TCB, a large frame): a CNode
 * still holding capabilities deletes them one by one as it dies, so the
 * batchable ones before it, often what it holds (a server's records of
 * what it sold), go first, in runs, and it dies empty.  d itself when
 * there is none, or when a zombie comes first (a teardown under way is
 * finished before anything else, so that a revoke restarted after
 * preemption goes on in the order it began). */
static struct slot *revoke_next(const struct slot *s, struct slot *d)
{
    struct slot *p = d;
    for (unsigned passed = 0; !batchable(&p->cap); passed++) {
        struct slot *before = cdt_prev(p);
        if (p->cap.type == CAP_ZOMBIE || passed == REVOKE_PASS_OVER || before == s)
            return d;
        p = before;
    }
    return p;
}

/*
 * Delete from the end of the descendant run, which is contiguous in the
 * tree: take as many batchable descendants as a batch allows in one cut
 * (O(log^2 n) for the lot), and anything else -- a CNode, a large frame,
 * a zombie -- through cap_delete(), once the batchable ones just before
 * it have gone (revoke_next).  A teardown may delete other capabilities
 * too (even s's own CNode), so the run is found again after each step.
 * At most REVOKE_BATCH deletions between preemption checks.
 */
enum delete_status cap_revoke(struct slot *s)
{
    unsigned done = 0;
    const struct cap *revoking = s->cap.type == CAP_UNTYPED ? &s->cap : NULL;
    struct slot *d = cdt_last_descendant(s);
    while (d != NULL) {
        struct slot *end = revoke_next(s, d);
        bool last = end == d; /* nothing of s's after it */
        unsigned taken = 0;
        struct slot *before = cdt_prev(end), *first = end; /* before: s or a descendant */
        struct slot *p = before; /* the one before the run */
        if (batchable(&end->cap)) {
            taken = 1;
            for (; taken < REVOKE_BATCH - done && p != s && batchable(&p->cap); p = cdt_prev(p)) {
                first = p;
                taken++;
            }
        }
        if (taken >= REVOKE_CUT_MIN) {
            delete_batch(first, end);
            done += taken;
            /* A batch deletes nothing outside its run: when the run
             * reached s and nothing was passed over, none is left. */
            d = p == s && last ? NULL : cdt_last_descendant(s);
        } else {
            done++;
            bool simple = delete_begin(end, revoking == NULL);
            if (!simple && zombie_reduce(end, revoking) == DELETE_PREEMPTED)
                return DELETE_PREEMPTED;
            if (cap_is_null(&s->cap))
                return DELETE_DONE; /* s was inside a CNode that is gone */
            /* A simple deletion touched nothing else: the one before is
             * next, unless some were passed over. */
            d = !simple || !last ? cdt_last_descendant(s) : before != s ? before : NULL;
        }
        if (done >= REVOKE_BATCH) {
            done = 0;
            if (d != NULL && arch_preemption_pending())
                return DELETE_PREEMPTED;
        }
    }
    if (s->cap.type == CAP_UNTYPED) {
        s->cap.data = 0; /* no children: the whole untyped is free again */
        s->used = 0;
    }
    return DELETE_DONE;
}
