#include "cap_delete.h"
#include "arch.h"
#include "cdt.h"
#include "cspace.h"

/* A CNode still holding capabilities cannot simply vanish: its contents
 * must be deleted first. */
static bool cnode_empty(const struct cap *c)
{
    const struct slot *slots = cnode_slots(c);
    for (uint64_t i = 0; i < (1ull << c->size_bits); i++)
        if (!cap_is_null(&slots[i].cap))
            return false;
    return true;
}

coffer_error_t cap_delete_check(const struct slot *s)
{
    if (s->cap.type == CAP_UNTYPED && cdt_has_descendants(s))
        return COFFER_ERR_REVOKE_FIRST;
    if (s->cap.type == CAP_CNODE && cdt_is_last(s) && !cnode_empty(&s->cap))
        return COFFER_ERR_REVOKE_FIRST;
    return COFFER_ERR_OK;
}

void cap_delete(struct slot *s)
{
    /* Objects have no state to tear down until the IPC and VM layers add
     * it (waiting threads, mappings); their finalisation hooks go here. */
    cdt_remove(s);
    s->cap = (struct cap){ 0 };
    s->mapping = 0;
}

/*
 * Delete from the end of the descendant run: the last descendant is a leaf
 * of the derivation tree, so each deletion is O(log n) and re-parents
 * nothing.  Revoke keeps no state: after a preemption the remaining
 * descendants are found again.
 */
enum revoke_status cap_revoke(struct slot *s)
{
    unsigned done = 0;
    /* The descendants are the contiguous run after s: once the last one is
     * found, each one before it is the next to go, until s itself. */
    struct slot *d = cdt_last_descendant(s);
    while (d != NULL) {
        if (cap_delete_check(d) != COFFER_ERR_OK)
            return REVOKE_BLOCKED;
        struct slot *before = cdt_prev(d);
        cap_delete(d);
        d = before != s ? before : NULL;
        if (++done % REVOKE_BATCH == 0 && d != NULL && arch_preemption_pending())
            return REVOKE_PREEMPTED;
    }
    if (s->cap.type == CAP_UNTYPED)
        s->cap.data = 0; /* no children: the whole untyped is free again */
    return REVOKE_DONE;
}
