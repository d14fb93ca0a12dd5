/*
 * The IPC fast path: call and reply-receive with a message in registers
 * only, between threads where nothing unusual happens.  It checks every
 * condition first and changes nothing unless all hold; then it does what
 * the general path (ipc.c) would do, in one pass, and returns straight
 * into the other thread.  Anything else -- a capability to transfer, a
 * long message, nobody waiting, a sender queued, a fault reply, a bound
 * notification with a signal, a higher-priority thread ready, another
 * address space, an interrupt pending -- takes the general path, which
 * gives the same result.
 *
 * It runs before the time since the last kernel entry is charged
 * (syscall.c), and charges it only when the CPU changes scheduling
 * context (sched_switching_to).  When a context is lent with the call, or
 * comes back with the reply, the time keeps running on the same context
 * and is charged to it at its next kernel entry, as usual.  Its budget cannot have run out
 * unnoticed: the timer is set no later than the end of the running
 * context's budget (sched.c: next_deadline), so a spent budget shows as a
 * pending timer interrupt, and then the fast path is not taken.
 */
#include "thread/fastpath.h"
#include "arch.h"
#include "cap/cspace.h"
#include "thread/ipc.h"
#include "thread/sched.h"
#include "thread/sched_context.h"

/* Register-only message info: no capabilities, at most 4 words. */
static inline bool short_message(uint64_t info)
{
    return COFFER_MSG_CAPS(info) == 0 && COFFER_MSG_LENGTH(info) <= COFFER_MSG_REG_WORDS;
}

/* The capability at cptr if it is of `type` with `right`, else NULL. */
static HOT_INLINE const struct cap *cap_at(const struct thread *t, uint64_t cptr, enum cap_type type,
                                       unsigned right)
{
    /* The common shapes only: anything else is the general path's. */
    const struct slot *s = cspace_lookup_quick(&t->cspace_root.cap, cptr);
    if (s == NULL || s->cap.type != type || !(s->cap.rights & right))
        return NULL;
    return &s->cap;
}

/* Both threads run in the same address space: no switch, nothing to check. */
static inline bool same_vspace(const struct thread *a, const struct thread *b)
{
    return a->vspace.cap.object == b->vspace.cap.object && a->vspace.cap.data == b->vspace.cap.data;
}

STATIC_ASSERT(COFFER_MSG_REG_WORDS == 4, "copy_message copies up to four words");

/* Copy the message words (and set info, badge) from src to dst; caps:
 * the info bits of the capabilities transferred (0: none). */
static HOT_INLINE void copy_message(const struct thread *src, struct thread *dst, uint64_t info,
                                uint64_t badge, uint64_t caps)
{
    unsigned len = (unsigned)COFFER_MSG_LENGTH(info);
    /* Unrolled: at most COFFER_MSG_REG_WORDS (4) words. */
    if (len > 0)
        arch_set_msg_reg(&dst->regs, 0, arch_msg_reg(&src->regs, 0));
    if (len > 1)
        arch_set_msg_reg(&dst->regs, 1, arch_msg_reg(&src->regs, 1));
    if (len > 2)
        arch_set_msg_reg(&dst->regs, 2, arch_msg_reg(&src->regs, 2));
    if (len > 3)
        arch_set_msg_reg(&dst->regs, 3, arch_msg_reg(&src->regs, 3));
    arch_set_syscall_error(&dst->regs, COFFER_ERR_OK);
    arch_set_msg_info(&dst->regs, COFFER_MSGINFO(COFFER_MSG_LABEL(info), 0, len) | caps);
    arch_set_badge(&dst->regs, badge);
}

/* Hand the CPU from `from`, the thread that trapped, which is blocked now
 * and ran on `was`, to `to` with from's message.  Neither is in a ready
 * queue (sched.h): no queue changes.  The message is copied last, after
 * the charge: then the address of to's registers is computed once, for
 * the copy and the return to user mode, and need not live across the
 * call (one instruction each way). */
__attribute__((noreturn)) static HOT_INLINE void switch_to(const struct thread *from, struct thread *to,
                                                           struct sched_context *was, uint64_t info,
                                                           uint64_t badge, uint64_t caps)
{
    sched_switching_to(to, was);
    current_thread = to;
    copy_message(from, to, info, badge, caps);
    arch_return_same_vspace(to);
}

HOT_INLINE bool fastpath_call(struct thread *t, const struct cap *c)
{
    uint64_t info = arch_msg_info(&t->regs);
    if (!short_message(info) || !(c->rights & CAP_RIGHT_WRITE))
        return false;
    struct endpoint *ep = object_of_cap(c);
    struct thread *dst = ep->queue.head;
    if (ep->state != EP_RECEIVING || !same_vspace(t, dst) || !sched_would_run(dst) || dst->deadline != 0 ||
        arch_preemption_pending())
        return false; /* (a receiver with a deadline leaves its list in the general path) */
    bool lend = dst->sc == NULL;
    struct sched_context *was = t->sc;
    if (lend ? dst->loan_min != 0 && !sched_running_covers(was, dst->loan_min) : dst->sc->throttled)
        return false; /* a loan too short for the receiver: ipc.c turns the call back */

    /* Committed: the general path's rendezvous(), for a call. */
    arch_syscall_advance(&t->regs);
    ep_remove(ep, dst);
    struct reply *r = dst->reply;
    dst->reply = NULL;
    r->receiver = NULL;
    dst->blocked_on = NULL;
    unsigned flags = ipc_send_flags(c) | IPC_CALL;
    t->state = THREAD_BLOCKED_REPLY;
    t->reply = r;
    t->ipc_flags = (uint8_t)flags;
    r->caller = t;
    r->grant = (flags & IPC_GRANT_REPLY) != 0;
    if (lend) { /* sched_context_lend(), both threads out of the queues */
        struct sched_context *sc = t->sc;
        sched_context_move(sc, t, dst);
        sched_context_loan_push(sc, r);
    }
    dst->state = THREAD_RUNNABLE;
    switch_to(t, dst, was, info, c->data, 0);
}

HOT_INLINE bool fastpath_reply_recv(struct thread *t)
{
    /* A reply may carry one capability (a server handing out what it
     * made: the bank's purchase); a call may not. */
    uint64_t info = arch_msg_info(&t->regs);
    unsigned caps = (unsigned)COFFER_MSG_CAPS(info);
    if (COFFER_MSG_LENGTH(info) > COFFER_MSG_REG_WORDS || caps > 1)
        return false;
    const struct cap *c = cap_at(t, arch_ipc_cptr(&t->regs), CAP_ENDPOINT, CAP_RIGHT_READ);
    const struct cap *rc = cap_at(t, arch_reply_cptr(&t->regs), CAP_REPLY, CAP_RIGHTS_ALL);
    if (c == NULL || rc == NULL)
        return false;
    struct endpoint *ep = object_of_cap(c);
    struct reply *r = object_of_cap(rc);
    struct thread *caller = r->caller;
    if (caller == NULL || (caller->ipc_flags & IPC_FAULT) || r->receiver != NULL ||
        ep->state == EP_SENDING ||
        (t->bound_notification != NULL && t->bound_notification->pending) || t->home_until_recv ||
        !same_vspace(t, caller))
        return false;
    /* The caller must run on something afterwards: its own context, or
     * the lent one coming back to it (the latest loan, to its owner or to
     * a borrower one level down; sched_context_return()). */
    struct sched_context *sc = r->lent;
    if (sc == NULL ? caller->sc == NULL || caller->sc->throttled
                   : sc->throttled || sc->lent_via != r || caller->sc != NULL ||
                         (r->lent_prev == NULL && sc->home != caller) || sc->thread != t ||
                         t->home_sc != NULL)
        return false;
    if (!sched_would_run(caller) || arch_preemption_pending())
        return false;
    /* The capability: what decode_message() would accept, and no move. */
    if (caps != 0 && (!r->grant || !ipc_may_send_cap(t)))
        return false;
    struct sched_context *was = t->sc;

    /* Committed: do_reply() then ep_recv() blocking.  The transfer first,
     * as do_reply() delivers it; it changes no thread or endpoint. */
    uint64_t sent = caps != 0 ? ipc_transfer_caps(t, caller, caps) : 0;
    arch_syscall_advance(&t->regs);
    r->caller = NULL;
    caller->reply = NULL;
    caller->ipc_flags = 0;
    caller->loan_died = 0; /* it has a context here: the flag is moot */
    t->state = THREAD_BLOCKED_RECV;
    if (sc != NULL) { /* sched_context_return(), in the one case checked */
        sched_context_move(sc, t, caller);
        sched_context_loan_pop(sc, r);
    }
    ep_add_receiver(ep, t, r);
    caller->state = THREAD_RUNNABLE;
    switch_to(t, caller, was, info, 0, sent);
}
