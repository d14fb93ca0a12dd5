/*
 * The address-space layer's hooks into the capability core: mappings go
 * with the capability that made them, and VSpaces and ASID pools give up
 * their ASIDs when they die.
 */
#include "arch.h"
#include "object/asid.h"
#include "object/invoke.h"
#include "object/objects.h"
#include "thread/thread.h"
#include "object/vspace.h"

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

uint64_t vspace_epoch;

void vspace_object_dies(const struct cap *c)
{
    /* Only these can take a thread's address space away (vspace.h); a
     * frame or page table dying cannot, and must not make the scheduler
     * re-check the running thread's on the way out. */
    if (c->type == CAP_ASID_POOL || c->type == CAP_VSPACE)
        vspace_epoch++;
    uint64_t first;
    if (c->type == CAP_ASID_POOL) {
        /* Its ASIDs may be given out again; threads using one stop when
         * they next run (thread_vspace() finds the ASID dead). */
        (void)asid_pool_dies(c, &first);
    } else if (c->type == CAP_VSPACE) {
        asid_vspace_dies(c);
        /* The kernel may be running on this root table: leave it. */
        arch_vspace_leave(c->object);
    }
}

bool thread_vspace(const struct thread *t, paddr_t *root, uint64_t *asid)
{
    const struct cap *vs = &t->vspace.cap;
    if (vs->type != CAP_VSPACE || asid_vspace_of(vs) == 0)
        return false;
    *root = vs->object;
    *asid = vs->data;
    return true;
}
