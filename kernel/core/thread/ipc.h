/*
 * IPC objects and message transfer.
 *
 * Endpoints (64 bytes) are rendezvous points: a queue of threads that all
 * wait to send, or all wait to receive.  Notifications (64 bytes) are a
 * word of OR-ed badges plus a queue of waiters.  Reply objects (64 bytes,
 * as seL4 MCS) are the one-shot path back to a caller: a receiver names
 * one, a call it receives links the caller to it, and a send through it
 * (or REPLY_RECV) answers the caller once.
 *
 * Invariants:
 *  - every thread in an endpoint's queue is BLOCKED_SEND if state is
 *    EP_SENDING, BLOCKED_RECV if EP_RECEIVING; the queue is empty iff
 *    EP_IDLE;
 *  - a notification with waiters is not pending (word 0);
 *  - r->caller == t  <=>  t is BLOCKED_REPLY with t->reply == r;
 *  - r->receiver == t <=> t is BLOCKED_RECV with t->reply == r;
 *  - r->lent == sc   <=>  r is on sc's chain of loans: sc->lent_via, then
 *    lent_prev links down to the first loan (sched_context.h).
 */
#ifndef COFFER_KERNEL_IPC_H
#define COFFER_KERNEL_IPC_H

#include "thread/syscall.h"
#include "thread/thread.h"
#include "thread/thread_queue.h"

enum endpoint_state { EP_IDLE, EP_SENDING, EP_RECEIVING };

struct endpoint {
    struct wait_queue queue;
    uint64_t state; /* enum endpoint_state */
};

struct notification {
    struct wait_queue queue;
    uint64_t word;               /* badges signalled, not yet taken */
    uint64_t pending;            /* signalled since the last wait (an
                                    unbadged signal leaves word 0) */
    struct thread *bound;        /* the thread it is bound to, or NULL */
    uint64_t irq_lines;          /* IRQ handlers delivering here (count) */
};

struct reply {
    struct thread *caller;       /* waits for this reply, or NULL */
    struct thread *receiver;     /* receives with it now, or NULL */
    struct sched_context *lent;  /* the caller's context, lent to the callee */
    struct reply *lent_prev;     /* the loan below this one in a chain of
                                    passive servers calling each other */
    uint64_t grant;              /* the reply may carry capabilities */
};

STATIC_ASSERT(sizeof(struct endpoint) <= 64 && sizeof(struct notification) <= 64 &&
                  sizeof(struct reply) <= 64,
              "IPC objects fit their 64-byte objects");

static inline void *object_of_cap(const struct cap *c)
{
    return arch_phys_to_virt(c->object);
}

static inline void ep_remove(struct endpoint *ep, struct thread *t)
{
    wq_remove(&ep->queue, t);
    if (ep->queue.head == NULL)
        ep->state = EP_IDLE;
}

/* t (blocked already) waits on ep to receive, answering through r. */
static inline void ep_add_receiver(struct endpoint *ep, struct thread *t, struct reply *r)
{
    t->blocked_on = ep;
    t->reply = r;
    r->receiver = t;
    wq_append(&ep->queue, t);
    ep->state = EP_RECEIVING;
}

/* IPC_GRANT / IPC_GRANT_REPLY from an endpoint capability's rights. */
static inline unsigned ipc_send_flags(const struct cap *ep)
{
    return ((ep->rights & CAP_RIGHT_GRANT) ? IPC_GRANT : 0) |
           ((ep->rights & CAP_RIGHT_GRANT_REPLY) ? IPC_GRANT_REPLY : 0);
}

/* The system calls, and CALL on an endpoint (from sys_CALL). */
struct coffer_result ipc_call(struct thread *t, struct slot *ep_slot);

/* Deliver a fault of t's to its fault (or timeout) handler: t blocks as
 * a caller.  False if t has no such handler. */
bool ipc_send_fault(struct thread *t, struct slot *handler);

/* Signal a notification with `badge` (also used by interrupts). */
void notification_signal(struct notification *n, uint64_t badge);

/* Binding a notification to a thread (TCB_BIND_NOTIFICATION). */
void notification_bind(struct notification *n, struct thread *t);
void notification_unbind(struct thread *t);

/* t waits on n (RECV) or polls it (NB_RECV, block false): the word at
 * once if a signal is pending, else WOULD_BLOCK or t blocks. */
struct coffer_result notification_wait(struct notification *n, struct thread *t, bool block);

/* What notification.c shares of ipc.c: a received message's registers
 * (OK, info, badge), and t's wait cut short and t woken (ABORTED, or, if
 * it was delivering a fault, left stopped). */
void ipc_set_received(struct thread *dst, uint64_t info, uint64_t badge);
void ipc_abort(struct thread *t);

/* Remove t from whatever it is blocked in (endpoint, notification or
 * reply), without waking it. */
void ipc_cancel(struct thread *t);

/* For the fast path's reply with one capability: would the general path
 * accept caps[0] of t's IPC buffer -- a buffer, a capability found in one
 * of the in-line CSpace shapes, that may travel in its mode -- and is the
 * mode not a move (a move could take the very capabilities the fast path
 * has looked up)?  Anything else goes the general way. */
bool ipc_may_send_cap(struct thread *t);

/* Give n capabilities of src's message to dst, the receiver of a reply,
 * as the general path does (the message info bits: count, lost). */
uint64_t ipc_transfer_caps(struct thread *src, struct thread *dst, unsigned n);

/* Deleting an endpoint or notification with waiters is a teardown in
 * steps (zombie.c): one waiter aborted per step. */
bool ipc_has_waiters(enum cap_type type, void *obj);
bool ipc_abort_next_waiter(enum cap_type type, void *obj);

/* The last capability to an object is going. */
void endpoint_dies(struct endpoint *ep);
void notification_dies(struct notification *n);
void reply_dies(struct reply *r);

/* Handlers that set the thread's registers themselves return this. */
#define SYSCALL_NO_RESULT (~1ull)
static inline struct coffer_result syscall_no_result(void)
{
    return (struct coffer_result){ SYSCALL_NO_RESULT, 0, 0 };
}

#endif
