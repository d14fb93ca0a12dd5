/*
 * The address-space layer's hooks into the capability core: mappings go
 * with the capability that made them, and VSpaces and ASID pools give up
 * their ASIDs when they die.
 */
#include "arch.h"
#include "asid.h"
#include "invoke.h"
#include "objects.h"
#include "thread.h"
#include "vspace.h"

struct coffer_result vspace_lookup_arg(struct invocation *inv, uint64_t cptr,
                                       const struct cap **out)
{
    struct slot *s;
    struct coffer_result r = lookup_slot(&inv->thread->cspace_root.cap, cptr, CPTR_MAX_DEPTH, &s);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (asid_vspace_of(&s->cap) == 0) /* not a VSpace, or one without an ASID */
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
    *out = &s->cap;
    return syscall_ok(0, 0);
}

void vspace_cap_unmap_mapped(struct slot *s)
{
    const struct cap *c = &s->cap;
    /* Only frames and page tables map; a zombie's mapping word is a
     * teardown link, not a mapping. */
    if (c->type != CAP_FRAME && c->type != CAP_PAGE_TABLE)
        return;
    if (c->type == CAP_FRAME)
        arch_frame_unmap(s->mapping, c->object + frame_window_offset(c));
    else
        arch_table_unmap(s->mapping, c->object);
    s->mapping = 0;
}

void vspace_object_created(const struct cap *c)
{
    if (c->type == CAP_VSPACE)
        arch_vspace_init(c->object); /* the kernel half, shared */
}

/* The thread running in root (the only one, until the threads layer) has
 * lost its address space: it runs on the kernel's tables until it returns
 * to user mode, and then stops. */
static void thread_loses(paddr_t root)
{
    if (current_thread != NULL && current_thread->vspace_root == root) {
        arch_vspace_leave(root);
        current_thread->vspace_root = 0;
    }
}

void vspace_object_dies(const struct cap *c)
{
    uint64_t first;
    if (c->type == CAP_ASID_POOL && asid_pool_dies(c, &first)) {
        /* Its ASIDs may be given out again: no thread may keep using one. */
        struct thread *t = current_thread;
        if (t != NULL && t->asid >= first && t->asid < first + ASID_POOL_ENTRIES)
            thread_loses(t->vspace_root);
    } else if (c->type == CAP_VSPACE) {
        asid_vspace_dies(c);
        thread_loses(c->object);
    }
}
