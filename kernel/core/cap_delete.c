#include "cap_delete.h"
#include "arch.h"
#include "cdt.h"
#include "kstring.h"
#include "vspace.h"

void cap_remove(struct slot *s)
{
    cdt_remove(s);
    s->cap = (struct cap){ 0 };
    s->mapping = 0;
}

/* Does the object keep memory that must be zeroed when it dies? */
static bool zeroed_at_death(const struct cap *c)
{
    /* An untyped's memory is either free (and zero already) or belongs to
     * its descendants, which outlive it; device memory is never touched;
     * the ASID control names the kernel's own table.  A TCB holds a slot
     * of the derivation tree (its CSpace root): until the threads layer
     * tears TCBs down like CNodes, the kernel writes nothing into a
     * retyped TCB (so it stays zero) and the boot TCB is never zeroed. */
    return c->type != CAP_UNTYPED && c->type != CAP_ASID_CONTROL && c->type != CAP_TCB &&
           !(c->flags & CAP_FLAG_DEVICE);
}

/* The last capability to c's object is going: let its layer let go of it
 * (ASIDs, a thread running in an address space) before its memory is
 * zeroed.  Threads get theirs with the threads layer. */
static void object_dies(const struct cap *c)
{
    vspace_object_dies(c);
}

bool cap_delete_begin(struct slot *s)
{
    struct cap *c = &s->cap;
    if (c->type == CAP_ZOMBIE)
        return false;
    /* A mapping goes with the capability that made it, last or not. */
    if (s->mapping != 0 && (c->type == CAP_FRAME || c->type == CAP_PAGE_TABLE))
        vspace_cap_unmap(s);
    if (!zeroed_at_death(c) || !cdt_is_last(s)) {
        cap_remove(s);
        return true;
    }
    /* The last capability: the object dies. */
    object_dies(c);
    uint64_t bytes = cap_object_end(c) - c->object;
    if (c->type == CAP_CNODE || bytes > ZERO_CHUNK) {
        zombie_make(s);
        return false;
    }
    memset(arch_phys_to_virt(c->object), 0, bytes);
    cap_remove(s);
    return true;
}

enum delete_status cap_delete(struct slot *s)
{
    if (cap_delete_begin(s))
        return DELETE_DONE;
    return zombie_reduce(s);
}

/*
 * Delete from the end of the descendant run: the last descendant is a leaf
 * of the derivation tree, so each deletion is O(log n) and re-parents
 * nothing, and the one before it is the next to go.  A teardown may delete
 * other capabilities too (even s's own CNode), so after one the run is
 * found again.
 */
enum delete_status cap_revoke(struct slot *s)
{
    unsigned done = 0;
    struct slot *d = cdt_last_descendant(s);
    while (d != NULL) {
        struct slot *before = cdt_prev(d);
        bool simple = cap_delete_begin(d);
        if (!simple && zombie_reduce(d) == DELETE_PREEMPTED)
            return DELETE_PREEMPTED;
        if (cap_is_null(&s->cap))
            return DELETE_DONE; /* s was inside a CNode that is gone */
        if (simple)
            d = before != s ? before : NULL;
        else
            d = cdt_last_descendant(s);
        if (++done % REVOKE_BATCH == 0 && d != NULL && arch_preemption_pending())
            return DELETE_PREEMPTED;
    }
    if (s->cap.type == CAP_UNTYPED)
        s->cap.data = 0; /* no children: the whole untyped is free again */
    return DELETE_DONE;
}
