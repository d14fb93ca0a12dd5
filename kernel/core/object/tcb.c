/*
 * TCB invocations: configure, priorities, registers, resume and suspend,
 * scheduling context, timeout handler, bound notification.
 *
 * The invoked TCB capability needs WRITE for everything but reading
 * registers (READ); a missing right is ILLEGAL_OPERATION.  Capabilities a
 * TCB holds (CSpace root, VSpace, IPC buffer frame, fault and timeout
 * endpoints) are copies in its slots: replacing one deletes the old copy
 * (see check_replace() for the one case that is refused).
 */
#include "object/asid.h"
#include "cap/cap_delete.h"
#include "cap/cdt.h"
#include "object/invoke.h"
#include "thread/ipc.h"
#include "support/kstring.h"
#include "thread/sched.h"
#include "thread/sched_context.h"
#include "object/vspace.h"
#include <coffer/bootinfo.h>

static bool has_right(const struct cap *c, unsigned right)
{
    return (c->rights & right) != 0;
}

/* An optional capability argument of type `type` (cptr 0: none, *out
 * NULL).  INVALID_CAPABILITY(arg_index) for another type. */
static struct coffer_result lookup_typed(struct invocation *inv, uint64_t cptr,
                                         enum cap_type type, unsigned arg_index, bool optional,
                                         struct slot **out)
{
    *out = NULL;
    if (optional && cptr == COFFER_CPTR_NONE)
        return syscall_ok(0, 0);
    struct coffer_result r = lookup_slot(&inv->thread->cspace_root.cap, cptr, CPTR_MAX_DEPTH, out);
    if (r.error != COFFER_ERR_OK)
        return r;
    if ((*out)->cap.type != type)
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, arg_index, 0);
    return syscall_ok(0, 0);
}

/* ---------------------------------------------------------------- configure */

struct tcb_config {
    struct slot *fault, *cspace, *vspace, *frame;
    uint64_t buffer_vaddr;
};

/* The fault endpoint (0: none), the CSpace root CNode, the VSpace (with
 * an ASID), the IPC buffer's address and its frame (0: none; READ and
 * WRITE rights, not device memory). */
static struct coffer_result decode_configure(struct invocation *inv, struct tcb_config *c)
{
    struct coffer_result r =
        lookup_typed(inv, INV_ARG(inv, TCB_CONFIGURE, fault_ep), CAP_ENDPOINT, 0, true, &c->fault);
    if (r.error == COFFER_ERR_OK)
        r = lookup_typed(inv, INV_ARG(inv, TCB_CONFIGURE, cspace), CAP_CNODE, 1, false, &c->cspace);
    if (r.error == COFFER_ERR_OK)
        r = lookup_typed(inv, INV_ARG(inv, TCB_CONFIGURE, vspace), CAP_VSPACE, 2, false, &c->vspace);
    if (r.error == COFFER_ERR_OK)
        r = lookup_typed(inv, INV_ARG(inv, TCB_CONFIGURE, buffer_frame), CAP_FRAME, 4, true, &c->frame);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (c->fault != NULL && !has_right(&c->fault->cap, CAP_RIGHT_WRITE))
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0); /* faults are sent on it */
    if (asid_vspace_of(&c->vspace->cap) == 0)
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 2, 0);
    c->buffer_vaddr = INV_ARG(inv, TCB_CONFIGURE, buffer);
    if (c->frame != NULL) {
        const struct cap *f = &c->frame->cap;
        if ((f->flags & CAP_FLAG_DEVICE) || !has_right(f, CAP_RIGHT_READ) ||
            !has_right(f, CAP_RIGHT_WRITE))
            return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 4, 0);
        if (!IS_ALIGNED(c->buffer_vaddr, 1u << COFFER_IPC_BUFFER_BITS))
            return syscall_error(COFFER_ERR_ALIGNMENT_ERROR, 3, 1u << COFFER_IPC_BUFFER_BITS);
        if (c->buffer_vaddr >= COFFER_USER_TOP)
            return syscall_error(COFFER_ERR_INVALID_ARGUMENT, 3, 0);
    }
    return syscall_ok(0, 0);
}

/*
 * Replacing a capability in a TCB deletes the old copy.  That must be one
 * bounded step that touches no other slot, so that the arguments decoded
 * stay valid and the call cannot fail half way: if the old copy is the
 * last capability to an object that dies in a teardown (a CNode, a large
 * frame), the call is refused with DELETE_FIRST(SLOT, TCB slot index).
 */
static struct coffer_result check_replace(const struct thread *t, const struct slot *s)
{
    if (!cap_delete_is_bounded(s))
        return syscall_error(COFFER_ERR_DELETE_FIRST, COFFER_DELETE_FIRST_SLOT,
                             (uint64_t)(s - &t->cspace_root));
    return syscall_ok(0, 0);
}

/* Put a copy of src (NULL: nothing) in dst, deleting what was there
 * (checked by check_replace). */
static void replace(struct slot *dst, struct slot *src)
{
    if (!cap_is_null(&dst->cap))
        (void)cap_delete(dst);
    if (src != NULL)
        cdt_insert_derived(src, dst, &src->cap, false);
}

static struct coffer_result tcb_configure(struct invocation *inv, struct thread *t)
{
    struct tcb_config c;
    struct coffer_result r = decode_configure(inv, &c);
    struct slot *slots[] = { &t->fault_handler, &t->cspace_root, &t->vspace, &t->ipc_buffer_frame };
    for (unsigned i = 0; i < ARRAY_SIZE(slots) && r.error == COFFER_ERR_OK; i++)
        r = check_replace(t, slots[i]);
    if (r.error != COFFER_ERR_OK)
        return r;
    replace(&t->fault_handler, c.fault);
    replace(&t->cspace_root, c.cspace);
    replace(&t->vspace, c.vspace);
    replace(&t->ipc_buffer_frame, c.frame);
    t->ipc_buffer_vaddr = c.frame != NULL ? c.buffer_vaddr : 0;
    vspace_epoch++;
    return syscall_ok(0, 0);
}

/* ---------------------------------------------------------------- priorities */

static void set_priority(struct thread *t, unsigned prio)
{
    /* The running thread counts as queued (sched.h): it moves too. */
    bool queued = sched_is_queued(t) || (t == current_thread && sched_can_run(t));
    sched_dequeue(t);
    t->priority = (uint8_t)prio;
    if (queued)
        sched_enqueue(t);
}

/* The authority TCB, and the value (the caller decodes it): at most the
 * authority's MCP. */
_Static_assert(INV_SHARES(TCB_SET_PRIORITY, TCB_SET_MCP), "the authority sits alike");
static struct coffer_result tcb_set_prio(struct invocation *inv, struct thread *t, bool mcp,
                                         uint64_t value)
{
    struct slot *auth;
    struct coffer_result r =
        lookup_typed(inv, INV_ARG(inv, TCB_SET_PRIORITY, authority), CAP_TCB, 0, false, &auth);
    if (r.error != COFFER_ERR_OK)
        return r;
    unsigned limit = thread_of_cap(&auth->cap)->mcp;
    if (value > limit)
        return syscall_error(COFFER_ERR_RANGE_ERROR, 0, limit);
    if (mcp)
        t->mcp = (uint8_t)value;
    else
        set_priority(t, (unsigned)value);
    return syscall_ok(0, 0);
}

/* ---------------------------------------------------------------- registers */

/* Registers go through the caller's IPC buffer, in the ABI's order
 * (COFFER_REG_PC first; arch_user_reg()).  A count of 1..32.  A thread
 * cannot read or write its own. */
_Static_assert(INV_SHARES(TCB_READ_REGISTERS, TCB_WRITE_REGISTERS),
               "reading and writing registers take the count alike");
#define REGISTER_COUNT(inv) INV_ARG(inv, TCB_READ_REGISTERS, count)
static struct coffer_result decode_registers(struct invocation *inv, struct thread *t,
                                             struct coffer_ipc_buffer **buf)
{
    if (REGISTER_COUNT(inv) < 1 || REGISTER_COUNT(inv) > COFFER_REG_COUNT)
        return syscall_error(COFFER_ERR_RANGE_ERROR, 1, COFFER_REG_COUNT);
    *buf = thread_ipc_buffer(inv->thread);
    if (*buf == NULL || t == inv->thread)
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    return syscall_ok(0, 0);
}

static struct coffer_result tcb_read_registers(struct invocation *inv, struct thread *t)
{
    struct coffer_ipc_buffer *buf;
    struct coffer_result r = decode_registers(inv, t, &buf);
    if (r.error != COFFER_ERR_OK)
        return r;
    for (unsigned i = 0; i < REGISTER_COUNT(inv); i++)
        buf->mr[i] = arch_user_reg(&t->regs, i);
    return syscall_ok(0, 0);
}

static void resume(struct thread *t)
{
    if (t->state == THREAD_INACTIVE)
        thread_wake(t, false);
}

/* Flags bit 0: resume the thread afterwards. */
static struct coffer_result tcb_write_registers(struct invocation *inv, struct thread *t)
{
    struct coffer_ipc_buffer *buf;
    struct coffer_result r = decode_registers(inv, t, &buf);
    if (r.error != COFFER_ERR_OK)
        return r;
    uint64_t flags = INV_ARG(inv, TCB_WRITE_REGISTERS, flags);
    if (flags > 1)
        return syscall_error(COFFER_ERR_INVALID_ARGUMENT, 1, 0);
    for (unsigned i = 0; i < REGISTER_COUNT(inv); i++)
        arch_set_user_reg(&t->regs, i, buf->mr[i]);
    if (flags & 1)
        resume(t);
    return syscall_ok(0, 0);
}

/* ---------------------------------------------------------------- bindings */

/* A scheduling context (0: unbind).  ILLEGAL_OPERATION if the
 * thread has one already or the context is bound or in use elsewhere. */
/* A scheduling context with WRITE, for SET_SCHED_CONTEXT and
 * LEND_SCHED_CONTEXT: *out NULL if the argument is optional and 0. */
static struct coffer_result writable_context(struct invocation *inv, uint64_t cptr, bool optional,
                                             struct sched_context **out)
{
    struct slot *s = NULL;
    struct coffer_result r = lookup_typed(inv, cptr, CAP_SCHED_CONTEXT, 0, optional, &s);
    *out = NULL;
    if (r.error != COFFER_ERR_OK || s == NULL)
        return r;
    if (!has_right(&s->cap, CAP_RIGHT_WRITE))
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
    *out = sched_context_of_cap(&s->cap);
    return r;
}

static struct coffer_result tcb_set_sched_context(struct invocation *inv, struct thread *t)
{
    struct sched_context *sc;
    struct coffer_result r = writable_context(inv, INV_ARG(inv, TCB_SET_SCHED_CONTEXT, sched_context), true, &sc);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (sc == NULL) {
        sched_context_bind(t, NULL);
        return syscall_ok(0, 0);
    }
    if (t->home_sc != NULL || sc->home != NULL || sc->thread != NULL)
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    sched_context_bind(t, sc);
    return syscall_ok(0, 0);
}

static struct coffer_result tcb_set_timeout_handler(struct invocation *inv, struct thread *t)
{
    struct slot *s = NULL;
    struct coffer_result r = lookup_typed(inv, INV_ARG(inv, TCB_SET_TIMEOUT_HANDLER, endpoint), CAP_ENDPOINT, 0,
                                          true, &s);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (s != NULL && !has_right(&s->cap, CAP_RIGHT_WRITE))
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
    replace(&t->timeout_handler, s); /* an endpoint: its deletion is bounded */
    return syscall_ok(0, 0);
}

/* A notification with READ (0: unbind).  ILLEGAL_OPERATION if either
 * is bound already. */
static struct coffer_result tcb_bind_notification(struct invocation *inv, struct thread *t)
{
    struct slot *s = NULL;
    struct coffer_result r = lookup_typed(inv, INV_ARG(inv, TCB_BIND_NOTIFICATION, notification), CAP_NOTIFICATION,
                                          0, true, &s);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (s == NULL) {
        notification_unbind(t);
        return syscall_ok(0, 0);
    }
    if (!has_right(&s->cap, CAP_RIGHT_READ))
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
    struct notification *n = object_of_cap(&s->cap);
    if (n->bound != NULL || t->bound_notification != NULL)
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    notification_bind(n, t);
    return syscall_ok(0, 0);
}

/* A context lent to a passive thread until its next receive (ipc.c takes
 * it back there): a home in all but name, so that the thread runs on it
 * through faults and waits, but flagged. */
static struct coffer_result tcb_lend_sched_context(struct invocation *inv, struct thread *t)
{
    struct sched_context *sc;
    struct coffer_result r = writable_context(inv, INV_ARG(inv, TCB_LEND_SCHED_CONTEXT, sched_context), false, &sc);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (t->home_sc != NULL || t->sc != NULL || sc->home != NULL || sc->thread != NULL)
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    sched_context_bind(t, sc);
    t->home_until_recv = 1;
    return syscall_ok(0, 0);
}

/* The least budget a caller's context must have left to be lent to t
 * (ipc.c turns a caller with less back to its next period). */
static struct coffer_result tcb_set_loan_minimum(struct invocation *inv, struct thread *t)
{
    uint64_t us = INV_ARG(inv, TCB_SET_LOAN_MINIMUM, us);
    if (us > SC_MIN_BUDGET_US)
        return syscall_error(COFFER_ERR_RANGE_ERROR, 0, SC_MIN_BUDGET_US);
    t->loan_min = (uint32_t)sched_us_to_ticks(us);
    return syscall_ok(0, 0);
}

struct coffer_result tcb_invoke(struct invocation *inv)
{
    struct thread *t = thread_of_cap(&inv->slot->cap);
    unsigned need = inv->label == COFFER_INV_TCB_READ_REGISTERS ? CAP_RIGHT_READ : CAP_RIGHT_WRITE;
    if (!has_right(&inv->slot->cap, need))
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    switch (inv->label) {
    case COFFER_INV_TCB_CONFIGURE:
        return tcb_configure(inv, t);
    case COFFER_INV_TCB_SET_PRIORITY:
        return tcb_set_prio(inv, t, false, INV_ARG(inv, TCB_SET_PRIORITY, priority));
    case COFFER_INV_TCB_SET_MCP:
        return tcb_set_prio(inv, t, true, INV_ARG(inv, TCB_SET_MCP, mcp));
    case COFFER_INV_TCB_READ_REGISTERS:
        return tcb_read_registers(inv, t);
    case COFFER_INV_TCB_WRITE_REGISTERS:
        return tcb_write_registers(inv, t);
    case COFFER_INV_TCB_RESUME:
        resume(t);
        return syscall_ok(0, 0);
    case COFFER_INV_TCB_SUSPEND:
        thread_cancel_ipc(t);
        return syscall_ok(0, 0);
    case COFFER_INV_TCB_SET_SCHED_CONTEXT:
        return tcb_set_sched_context(inv, t);
    case COFFER_INV_TCB_SET_TIMEOUT_HANDLER:
        return tcb_set_timeout_handler(inv, t);
    case COFFER_INV_TCB_BIND_NOTIFICATION:
        return tcb_bind_notification(inv, t);
    case COFFER_INV_TCB_SET_LOAN_MINIMUM:
        return tcb_set_loan_minimum(inv, t);
    case COFFER_INV_TCB_LEND_SCHED_CONTEXT:
        return tcb_lend_sched_context(inv, t);
    default:
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    }
}
