/*
 * Endpoints and replies: message transfer, the IPC system calls, and what
 * happens to waiters when an object dies (ipc.h).
 *
 * Every call decodes first -- the capabilities, the message info, the
 * capabilities to transfer -- and only then changes anything.  A message
 * stays where the sender put it (its registers and IPC buffer) while it
 * waits: a blocked thread does not run, so nothing needs copying until a
 * receiver comes.
 */
#include "thread/ipc.h"
#include "cap/cdt.h"
#include "object/invoke.h"
#include "thread/fault.h"
#include "thread/sched.h"
#include "thread/sched_context.h"
#include "thread/timeout.h"

/* ---------------------------------------------------------------- messages */

/* May c travel in this mode (COFFER_XFER_*)?  A copy or a child needs a
 * capability that may be copied, a child one more level of derivation; a
 * move takes anything but a zombie (which cannot be found here empty). */
static inline __attribute__((always_inline)) bool may_transfer(const struct cap *c, unsigned mode)
{
    if (mode == COFFER_XFER_MOVE)
        return !cap_is_null(c) && c->type != CAP_ZOMBIE;
    if (mode == COFFER_XFER_CHILD)
        return cap_copy_allowed(c) && c->depth < CAP_DEPTH_MAX;
    return mode == COFFER_XFER_COPY && cap_copy_allowed(c);
}

/*
 * Check the message a thread is about to send (its info): length, and
 * the capabilities to transfer, which need `may_grant` and an IPC buffer.
 * Errors: RANGE_ERROR(0, max) for a length beyond what can travel,
 * ILLEGAL_OPERATION for capabilities without the grant right,
 * FAILED_LOOKUP or INVALID_CAPABILITY(7 + i) for caps[i] (INVALID_ARGUMENT(7
 * + i) for an unknown mode).
 */
static struct coffer_result decode_message(struct thread *t, bool may_grant)
{
    uint64_t info = arch_msg_info(&t->regs);
    const struct coffer_ipc_buffer *buf = thread_ipc_buffer(t);
    uint64_t max = buf != NULL ? COFFER_MSG_MAX_WORDS : COFFER_MSG_REG_WORDS;
    if (COFFER_MSG_LENGTH(info) > max)
        return syscall_error(COFFER_ERR_RANGE_ERROR, 0, max);
    unsigned caps = COFFER_MSG_CAPS(info);
    if (caps == 0)
        return syscall_ok(0, 0);
    if (!may_grant || buf == NULL)
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    for (unsigned i = 0; i < caps; i++) {
        struct lookup_result r = cspace_lookup(&t->cspace_root.cap, buf->caps[i],
                                               CPTR_MAX_DEPTH);
        if (r.slot == NULL)
            return lookup_error(r);
        unsigned mode = COFFER_XFER_MODE(buf->cap_modes, i);
        if (mode > COFFER_XFER_MOVE)
            return syscall_error(COFFER_ERR_INVALID_ARGUMENT, 7 + i, 0);
        if (!may_transfer(&r.slot->cap, mode))
            return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 7 + i, 0);
    }
    return syscall_ok(0, 0);
}

/* Put the sender's capability `from` into the receiver's empty slot `to`,
 * as `mode` says (checked by may_transfer). */
static void transfer_one(struct slot *from, struct slot *to, unsigned mode)
{
    if (mode == COFFER_XFER_MOVE)
        cdt_move(from, to); /* its place in the tree, mapping and all */
    else
        cdt_insert_derived(from, to, &from->cap, mode == COFFER_XFER_CHILD);
}

/*
 * Give the sender's capabilities to the receiver's receive slots
 * (consecutive, from recv_index), each as its mode says.  A capability
 * that cannot arrive -- no buffer, unusable CNode, occupied slot, or the
 * sender's capability gone or changed since it blocked -- stops the
 * transfer, stays where it is, and sets COFFER_MSG_CAP_LOST.  Moving the
 * capability the receive CNode was found through stops it too, after that
 * one: the rest would have nowhere known to go.  Returns the message info
 * bits: count and flag.
 */
static __attribute__((noinline)) uint64_t transfer_caps(struct thread *src, struct thread *dst, unsigned n,
                                                        const struct endpoint *ep)
{
    struct coffer_ipc_buffer *db = thread_ipc_buffer(dst);
    const struct coffer_ipc_buffer *sb = thread_ipc_buffer(src);
    const struct cap *cnode;
    if (db == NULL || sb == NULL || lookup_cnode(dst, db->recv_cnode, db->recv_depth, 0, &cnode).error != 0 ||
        !(cnode->rights & CAP_RIGHT_WRITE))
        return COFFER_MSG_CAP_LOST;
    unsigned done = 0, placed = 0;
    uint64_t unwrapped = 0;
    for (; done < n; done++) {
        struct lookup_result from = cspace_lookup(&src->cspace_root.cap, sb->caps[done],
                                                  CPTR_MAX_DEPTH);
        if (from.slot != NULL && ep != NULL && from.slot->cap.type == CAP_ENDPOINT &&
            arch_phys_to_virt(from.slot->cap.object) == ep) {
            /* Back to the endpoint it names: the receiver learns its badge
             * (so a server knows a capability of its own), nothing moves. */
            db->caps[done] = from.slot->cap.data;
            unwrapped |= 1ull << done;
            continue;
        }
        uint64_t index = db->recv_index + placed;
        unsigned mode = COFFER_XFER_MODE(sb->cap_modes, done);
        if (from.slot == NULL || !may_transfer(&from.slot->cap, mode) ||
            index >> cnode->size_bits != 0)
            break;
        struct slot *to = cnode_slots(cnode) + index;
        if (!cap_is_null(&to->cap))
            break;
        bool moves_cnode = mode == COFFER_XFER_MOVE && &from.slot->cap == cnode;
        transfer_one(from.slot, to, mode);
        placed++;
        if (moves_cnode) {
            done++;
            break;
        }
    }
    return (uint64_t)done << 7 | unwrapped << COFFER_MSG_UNWRAPPED_SHIFT | (done < n ? COFFER_MSG_CAP_LOST : 0);
}

bool ipc_may_send_cap(struct thread *t)
{
    const struct coffer_ipc_buffer *buf = thread_ipc_buffer(t);
    if (buf == NULL)
        return false;
    unsigned mode = COFFER_XFER_MODE(buf->cap_modes, 0);
    const struct slot *s = cspace_lookup_quick(&t->cspace_root.cap, buf->caps[0]);
    return mode != COFFER_XFER_MOVE && s != NULL && may_transfer(&s->cap, mode);
}

uint64_t ipc_transfer_caps(struct thread *src, struct thread *dst, unsigned n)
{
    return transfer_caps(src, dst, n, NULL);
}

/* The receiver's registers after a message (the words set already):
 * error OK, info, badge. */
void ipc_set_received(struct thread *dst, uint64_t info, uint64_t badge)
{
    arch_set_syscall_error(&dst->regs, COFFER_ERR_OK);
    arch_set_msg_info(&dst->regs, info);
    arch_set_badge(&dst->regs, badge);
}

/* A fault as a message: label the fault type, words pc, address, cause. */
static void deliver_fault(struct thread *src, struct thread *dst, uint64_t badge)
{
    arch_set_msg_reg(&dst->regs, COFFER_FAULT_PC, arch_pc(&src->regs));
    arch_set_msg_reg(&dst->regs, COFFER_FAULT_ADDR, src->fault.addr);
    arch_set_msg_reg(&dst->regs, COFFER_FAULT_CAUSE, src->fault.cause);
    ipc_set_received(dst, COFFER_MSGINFO(src->fault.type, 0, COFFER_FAULT_WORDS), badge);
}

/* Copy src's message (checked when sent) to dst, which receives it
 * through ep (NULL: a reply). */
static void deliver(struct thread *src, struct thread *dst, uint64_t badge, bool grant,
                    const struct endpoint *ep)
{
    uint64_t info = arch_msg_info(&src->regs);
    unsigned len = (unsigned)COFFER_MSG_LENGTH(info);
    struct coffer_ipc_buffer *db = NULL;
    const struct coffer_ipc_buffer *sb = NULL;
    if (len > COFFER_MSG_REG_WORDS) {
        db = thread_ipc_buffer(dst);
        sb = thread_ipc_buffer(src); /* gone, if its frame went while it waited */
        if (db == NULL || sb == NULL)
            len = COFFER_MSG_REG_WORDS; /* the receiver takes what can travel */
    }
    for (unsigned i = 0; i < len && i < COFFER_MSG_REG_WORDS; i++)
        arch_set_msg_reg(&dst->regs, i, arch_msg_reg(&src->regs, i));
    for (unsigned i = COFFER_MSG_REG_WORDS; i < len; i++)
        db->mr[i] = sb->mr[i];
    uint64_t caps = 0;
    if (grant && COFFER_MSG_CAPS(info) != 0)
        caps = transfer_caps(src, dst, (unsigned)COFFER_MSG_CAPS(info), ep);
    ipc_set_received(dst, COFFER_MSGINFO(COFFER_MSG_LABEL(info), 0, len) | caps, badge);
}

/* ---------------------------------------------------------------- rendezvous */

/*
 * A sender meets a receiver (one of them was waiting).  The receiver gets
 * the message; a caller is linked to the receiver's reply object and, if
 * the receiver is passive, lends it its scheduling context.  `sender_runs`:
 * the sender is the thread making this system call.
 */
static void rendezvous(const struct endpoint *ep, struct thread *src, struct thread *dst, uint64_t badge,
                       unsigned flags, bool sender_runs)
{
    struct reply *r = dst->reply;
    dst->reply = NULL;
    r->receiver = NULL;
    if (flags & IPC_FAULT)
        deliver_fault(src, dst, badge);
    else
        deliver(src, dst, badge, (flags & IPC_GRANT) != 0, ep);
    dst->blocked_on = NULL;
    if (flags & IPC_CALL) {
        src->blocked_on = NULL;
        thread_block(src, THREAD_BLOCKED_REPLY);
        src->reply = r;
        src->ipc_flags = (uint8_t)flags;
        r->caller = src;
        r->grant = (flags & IPC_GRANT_REPLY) != 0;
        if (dst->sc == NULL && src->sc != NULL && !(flags & IPC_FAULT))
            sched_context_lend(src, dst, r);
        thread_wake(dst, true);
        return;
    }
    if (!sender_runs) {
        src->blocked_on = NULL;
        thread_set_result(src, COFFER_ERR_OK, 0, 0);
        thread_wake(src, false);
    }
    thread_wake(dst, !sender_runs);
}

/*
 * Loan minimums (TCB_SET_LOAN_MINIMUM).  A passive server that holds a
 * lock on its caller's time says how much of the caller's budget a
 * request needs; a call that would lend it a context with less left is
 * turned back: the context gives up the rest of its period and the call
 * is taken again at the next, with a full budget (which always covers a
 * minimum: at most SC_MIN_BUDGET_US).  So a client's budget never runs
 * out while the server holds a lock for it, and every other client never
 * waits for that client's next period.
 */
static COLD bool loan_short_of(const struct thread *src, const struct thread *dst, unsigned flags)
{
    return (flags & IPC_CALL) && !(flags & IPC_FAULT) && dst->sc == NULL && src->sc != NULL &&
           !sched_context_covers(src->sc, dst->loan_min);
}

static HOT_INLINE bool loan_too_short(const struct thread *src, const struct thread *dst, unsigned flags)
{
    return dst->loan_min != 0 && loan_short_of(src, dst, flags);
}

/* A caller waiting in an endpoint's queue (removed from it) is turned
 * back: it will make its call again at its context's next period. */
static void turn_back(struct thread *src)
{
    src->blocked_on = NULL;
    arch_syscall_restart(&src->regs);
    sched_context_give_up(src->sc);
    thread_wake(src, false);
}

/* Send t's message to ep: hand it to a waiting receiver, or wait. */
static struct coffer_result ep_send(struct endpoint *ep, struct thread *t, uint64_t badge,
                                    unsigned flags, bool block)
{
    if (ep->state == EP_RECEIVING) {
        struct thread *dst = ep->queue.head;
        if (loan_too_short(t, dst, flags)) { /* charged at this entry: exact */
            sched_context_give_up(t->sc);
            sched_dequeue(t);
            return syscall_restart();
        }
        ep_remove(ep, dst);
        rendezvous(ep, t, dst, badge, flags, true);
        return (flags & IPC_CALL) ? syscall_no_result() : syscall_ok(0, 0);
    }
    if (!block)
        return syscall_error(COFFER_ERR_WOULD_BLOCK, 0, 0);
    t->ipc_badge = badge;
    t->ipc_flags = (uint8_t)flags;
    thread_block(t, THREAD_BLOCKED_SEND);
    t->blocked_on = ep;
    wq_append(&ep->queue, t);
    ep->state = EP_SENDING;
    return syscall_no_result();
}

/* A notification bound to t has been signalled: take its word. */
static bool take_bound_signal(struct thread *t)
{
    struct notification *n = t->bound_notification;
    if (n == NULL || !n->pending)
        return false;
    ipc_set_received(t, COFFER_MSG_NOTIFICATION, n->word);
    n->word = 0;
    n->pending = 0;
    return true;
}

/* A context lent to t until this receive (TCB_LEND_SCHED_CONTEXT) goes
 * back now: t waits, or takes the next call, as the passive thread it is. */
static void end_lent_home(struct thread *t)
{
    if (t->home_until_recv)
        sched_context_bind(t, NULL);
}

/* Receive on ep with reply object r. */
static struct coffer_result ep_recv(struct endpoint *ep, struct thread *t, struct reply *r,
                                    bool block)
{
    if (take_bound_signal(t))
        return syscall_no_result();
    if (block || ep->state == EP_SENDING) /* a poll that finds nothing keeps it */
        end_lent_home(t);
    while (ep->state == EP_SENDING) {
        struct thread *src = ep->queue.head;
        ep_remove(ep, src);
        if (loan_too_short(src, t, src->ipc_flags)) {
            turn_back(src);
            continue;
        }
        t->reply = r;
        r->receiver = t;
        rendezvous(ep, src, t, src->ipc_badge, src->ipc_flags, false);
        return syscall_no_result();
    }
    if (!block)
        return syscall_error(COFFER_ERR_WOULD_BLOCK, 0, 0);
    thread_block(t, THREAD_BLOCKED_RECV);
    ep_add_receiver(ep, t, r);
    return syscall_no_result();
}

/* A caller whose reply wait ended runs on the context that came back
 * along the reply, or on its own.  If the one it lent along the call died
 * further up the chain (loan_died), it has neither: its timeout handler is
 * told now, when it would run (fault_context_gone()). */
static void wake_caller(struct thread *caller, bool loan_died, bool in_front)
{
    thread_wake(caller, in_front);
    if (loan_died && caller->sc == NULL)
        fault_context_gone(caller);
}

/* t answers r's caller with the message in its registers. */
static void do_reply(struct thread *t, struct reply *r)
{
    struct thread *caller = r->caller;
    bool loan_died = false;
    r->caller = NULL;
    if (caller != NULL) {
        loan_died = caller->loan_died;
        caller->loan_died = 0;
        caller->reply = NULL;
        if (caller->ipc_flags & IPC_FAULT) {
            if (COFFER_MSG_LENGTH(arch_msg_info(&t->regs)) >= 1)
                arch_set_pc(&caller->regs, arch_msg_reg(&t->regs, 0));
        } else {
            deliver(t, caller, 0, r->grant != 0, NULL);
            arch_set_badge(&caller->regs, 0);
        }
        caller->ipc_flags = 0;
    }
    if (r->lent != NULL)
        sched_context_return(r, caller);
    if (caller != NULL)
        wake_caller(caller, loan_died, true);
}

/* ---------------------------------------------------------------- cancelling */

void ipc_cancel(struct thread *t)
{
    timeout_disarm(t);
    switch (t->state) {
    case THREAD_BLOCKED_SEND:
        ep_remove(t->blocked_on, t);
        break;
    case THREAD_BLOCKED_RECV:
        ep_remove(t->blocked_on, t);
        t->reply->receiver = NULL;
        t->reply = NULL;
        break;
    case THREAD_BLOCKED_NOTIFICATION:
        wq_remove(&((struct notification *)t->blocked_on)->queue, t);
        break;
    case THREAD_BLOCKED_REPLY:
        t->reply->caller = NULL;
        t->reply = NULL;
        t->loan_died = 0;
        break;
    default:
        return;
    }
    t->blocked_on = NULL;
    t->state = THREAD_INACTIVE;
}

/* t's IPC was cut short by a death: it returns ABORTED, or, if it was
 * delivering a fault, stays stopped (its fault was never handled). */
void ipc_abort(struct thread *t)
{
    if (thread_abort_wait(t))
        thread_wake(t, false);
}

static struct wait_queue *waiters_of(enum cap_type type, void *obj)
{
    return type == CAP_ENDPOINT ? &((struct endpoint *)obj)->queue
                                : &((struct notification *)obj)->queue;
}

bool ipc_has_waiters(enum cap_type type, void *obj)
{
    return (type == CAP_ENDPOINT || type == CAP_NOTIFICATION) && waiters_of(type, obj)->head != NULL;
}

bool ipc_abort_next_waiter(enum cap_type type, void *obj)
{
    struct thread *t = waiters_of(type, obj)->head;
    if (t == NULL)
        return false;
    ipc_abort(t);
    return true;
}

void endpoint_dies(struct endpoint *ep)
{
    while (ep->queue.head != NULL)
        ipc_abort(ep->queue.head);
}

void reply_dies(struct reply *r)
{
    struct thread *caller = r->caller;
    bool loan_died = caller != NULL && caller->loan_died;
    if (caller != NULL)
        ipc_cancel(caller);
    if (r->lent != NULL)
        sched_context_return(r, caller);
    if (caller != NULL) {
        bool fault = (caller->ipc_flags & IPC_FAULT) != 0;
        caller->ipc_flags = 0;
        if (!fault) {
            thread_set_result(caller, COFFER_ERR_ABORTED, 0, 0);
            wake_caller(caller, loan_died, false);
        }
    }
    if (r->receiver != NULL)
        ipc_abort(r->receiver);
}

/* ---------------------------------------------------------------- system calls */

static bool has_right(const struct cap *c, unsigned right)
{
    return (c->rights & right) != 0;
}


/* The capability cptr names, full depth; NULL with the error in *err. */
static HOT_INLINE struct slot *lookup_arg(struct thread *t, uint64_t cptr,
                                          struct coffer_result *err)
{
    struct lookup_result r = cspace_lookup(&t->cspace_root.cap, cptr, CPTR_MAX_DEPTH);
    if (r.slot == NULL)
        *err = lookup_error(r);
    return r.slot;
}

/* The reply object a receive names (argument 6); NULL with the error in *err:
 * INVALID_CAPABILITY(6) if it is not one, ILLEGAL_OPERATION if another
 * thread receives with it. */
static HOT_INLINE struct reply *lookup_reply(struct thread *t, uint64_t cptr,
                                             struct coffer_result *err)
{
    const struct slot *s = lookup_arg(t, cptr, err);
    if (s == NULL)
        return NULL;
    if (s->cap.type != CAP_REPLY) {
        *err = syscall_error(COFFER_ERR_INVALID_CAPABILITY, 6, 0);
        return NULL;
    }
    struct reply *r = object_of_cap(&s->cap);
    if (r->receiver != NULL && r->receiver != t) {
        *err = syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
        return NULL;
    }
    return r;
}

/* An IPC call with the capability its first argument names. */
typedef struct coffer_result (*ipc_op_fn)(struct thread *t, const struct cap *c,
                                          const uint64_t args[COFFER_SYSCALL_ARGS], bool block);

/*
 * The IPC calls' common start: look up the capability they name (full
 * depth) and run op with it, or return the lookup's error.  Inlined with
 * op a constant, so each call is direct.
 */
_Static_assert(SYS_SHARES(SEND, NB_SEND), "the IPC calls place their arguments alike");
_Static_assert(SYS_SHARES(SEND, RECV), "the IPC calls place their arguments alike");
_Static_assert(SYS_SHARES(SEND, NB_RECV), "the IPC calls place their arguments alike");
_Static_assert(SYS_SHARES(SEND, REPLY_RECV), "the IPC calls place their arguments alike");
_Static_assert(SYS_SHARES(RECV, REPLY_RECV), "the receives name their reply object alike");
static HOT_INLINE struct coffer_result with_cap(struct thread *t,
                                                const uint64_t args[COFFER_SYSCALL_ARGS], bool block,
                                                ipc_op_fn op)
{
    struct coffer_result r;
    const struct slot *s = lookup_arg(t, SYS_ARG(args, SEND, cptr), &r);
    return s == NULL ? r : op(t, &s->cap, args, block);
}

/* Send on an endpoint, signal a notification, or reply. */
static HOT_INLINE struct coffer_result send(struct thread *t, const struct cap *c,
                                 const uint64_t args[COFFER_SYSCALL_ARGS], bool block)
{
    (void)args;
    struct coffer_result r;
    switch (c->type) {
    case CAP_ENDPOINT:
        if (!has_right(c, CAP_RIGHT_WRITE))
            return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
        r = decode_message(t, has_right(c, CAP_RIGHT_GRANT));
        if (r.error != COFFER_ERR_OK)
            return r;
        return ep_send(object_of_cap(c), t, c->data, ipc_send_flags(c), block);
    case CAP_NOTIFICATION:
        if (!has_right(c, CAP_RIGHT_WRITE))
            return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
        notification_signal(object_of_cap(c), c->data);
        return syscall_ok(0, 0);
    case CAP_REPLY: {
        struct reply *rep = object_of_cap(c);
        r = decode_message(t, rep->grant != 0);
        if (r.error != COFFER_ERR_OK)
            return r;
        bool had_caller = rep->caller != NULL;
        do_reply(t, rep);
        /* Nobody to answer (replied already, or the caller is gone); a
         * context lent along it has still gone back. */
        return had_caller ? syscall_ok(0, 0) : syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    }
    default:
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
    }
}

/* Receive on an endpoint with the reply object the call names, or wait
 * on a notification. */
static HOT_INLINE struct coffer_result recv(struct thread *t, const struct cap *c,
                                 const uint64_t args[COFFER_SYSCALL_ARGS], bool block)
{
    if ((c->type != CAP_ENDPOINT && c->type != CAP_NOTIFICATION) || !has_right(c, CAP_RIGHT_READ))
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
    if (c->type == CAP_NOTIFICATION)
        return notification_wait(object_of_cap(c), t, block);
    struct coffer_result r;
    struct reply *rep = lookup_reply(t, SYS_ARG(args, RECV, reply), &r);
    if (rep == NULL)
        return r;
    /* One call at a time: receiving with it abandons the one it holds
     * (and gives back a context still lent along it). */
    if (rep->caller != NULL || rep->lent != NULL)
        reply_dies(rep);
    return ep_recv(object_of_cap(c), t, rep, block);
}

struct coffer_result sys_SEND(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS])
{
    return with_cap(t, args, true, send);
}

struct coffer_result sys_NB_SEND(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS])
{
    return with_cap(t, args, false, send);
}

/* RECV with a deadline: one already past is a poll that says TIMED_OUT
 * rather than WOULD_BLOCK; otherwise a wait that blocked is put on the
 * list of deadlines (timeout.h). */
struct coffer_result sys_RECV(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS])
{
    uint64_t deadline = SYS_ARG(args, RECV, deadline);
    if (deadline == 0)
        return with_cap(t, args, true, recv);
    if (deadline <= arch_time_now()) {
        struct coffer_result r = with_cap(t, args, false, recv);
        return r.error == COFFER_ERR_WOULD_BLOCK ? syscall_error(COFFER_ERR_TIMED_OUT, 0, 0) : r;
    }
    struct coffer_result r = with_cap(t, args, true, recv);
    if (t->state == THREAD_BLOCKED_RECV || t->state == THREAD_BLOCKED_NOTIFICATION)
        timeout_arm(t, deadline);
    return r;
}

struct coffer_result sys_NB_RECV(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS])
{
    return with_cap(t, args, false, recv);
}

/* Reply through the reply object the call names (if it has a caller),
 * then receive on the endpoint with it. */
static struct coffer_result reply_recv(struct thread *t, const struct cap *c,
                                       const uint64_t args[COFFER_SYSCALL_ARGS], bool block)
{
    if (c->type != CAP_ENDPOINT || !has_right(c, CAP_RIGHT_READ))
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
    struct coffer_result r;
    struct reply *rep = lookup_reply(t, SYS_ARG(args, RECV, reply), &r);
    if (rep == NULL)
        return r;
    if (rep->caller != NULL) {
        r = decode_message(t, rep->grant != 0);
        if (r.error != COFFER_ERR_OK)
            return r;
    }
    /* A reply, or (its caller gone) just the lent context going back. */
    if (rep->caller != NULL || rep->lent != NULL)
        do_reply(t, rep);
    return ep_recv(object_of_cap(c), t, rep, block);
}

struct coffer_result sys_REPLY_RECV(struct thread *t, const uint64_t args[COFFER_SYSCALL_ARGS])
{
    return with_cap(t, args, true, reply_recv);
}

struct coffer_result ipc_call(struct thread *t, struct slot *ep_slot)
{
    const struct cap *c = &ep_slot->cap;
    if (!has_right(c, CAP_RIGHT_WRITE))
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
    struct coffer_result r = decode_message(t, has_right(c, CAP_RIGHT_GRANT));
    if (r.error != COFFER_ERR_OK)
        return r;
    return ep_send(object_of_cap(c), t, c->data, ipc_send_flags(c) | IPC_CALL, true);
}

bool ipc_send_fault(struct thread *t, struct slot *handler)
{
    const struct cap *c = &handler->cap;
    if (c->type != CAP_ENDPOINT)
        return false;
    ep_send(object_of_cap(c), t, c->data, IPC_CALL | IPC_FAULT, true);
    return true;
}
