#include "cap_delete.h"
#include "arch.h"
#include "cdt.h"
#include "kstring.h"

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
     * its descendants, which outlive it; device memory is never touched. */
    return c->type != CAP_UNTYPED && !(c->flags & CAP_FLAG_DEVICE);
}

bool cap_delete_begin(struct slot *s)
{
    struct cap *c = &s->cap;
    if (c->type == CAP_ZOMBIE)
        return false;
    if (!zeroed_at_death(c) || !cdt_is_last(s)) {
        cap_remove(s);
        return true;
    }
    /* The last capability: the object dies.  Finalisation hooks of the IPC
     * and VM layers (waiting threads, mappings) go here. */
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
