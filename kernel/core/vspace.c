/*
 * The address-space layer's hooks into the capability core: mappings go
 * with the capability that made them, and VSpaces and ASID pools give up
 * their ASIDs when they die.
 */
#include "arch.h"
#include "asid.h"
#include "thread.h"
#include "vspace.h"

void vspace_cap_unmap(struct slot *s)
{
    const struct cap *c = &s->cap;
    if (s->mapping == 0)
        return;
    if (c->type == CAP_FRAME)
        arch_frame_unmap(s->mapping, c->object + frame_window_offset(c));
    else if (c->type == CAP_PAGE_TABLE)
        arch_table_unmap(s->mapping, c->object);
    s->mapping = 0;
}

void vspace_object_created(const struct cap *c)
{
    if (c->type == CAP_VSPACE)
        arch_vspace_init(c->object); /* the kernel half, shared */
}

void vspace_object_dies(const struct cap *c)
{
    if (c->type == CAP_ASID_POOL) {
        asid_pool_dies(c);
    } else if (c->type == CAP_VSPACE) {
        asid_vspace_dies(c);
        /* The thread running in it (the only one, until the threads layer)
         * keeps running on the kernel's tables and faults when it returns. */
        if (current_thread != NULL && current_thread->vspace_root == c->object) {
            arch_vspace_leave(c->object);
            current_thread->vspace_root = 0;
        }
    }
}
