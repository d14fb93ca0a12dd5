#include "cap_delete.h"
#include "arch.h"
#include "cdt.h"

void cap_remove(struct slot *s)
{
    /* Objects have no state to tear down until the IPC and VM layers add
     * it (waiting threads, mappings); their finalisation goes here, when
     * cdt_is_last(s). */
    cdt_remove(s);
    s->cap = (struct cap){ 0 };
    s->mapping = 0;
}

enum delete_status cap_delete(struct slot *s)
{
    if (s->cap.type == CAP_CNODE && cdt_is_last(s))
        zombie_make(s);
    if (s->cap.type == CAP_ZOMBIE)
        return zombie_reduce(s);
    cap_remove(s);
    return DELETE_DONE;
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
        bool simple = d->cap.type != CAP_CNODE && d->cap.type != CAP_ZOMBIE;
        if (cap_delete(d) == DELETE_PREEMPTED)
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
