/*
 * Notifications (ipc.h): a word of badges a signal ORs in and a wait
 * takes, a queue of waiters, and the thread a notification is bound to
 * (whose endpoint receive a signal ends).  Endpoints and replies are
 * ipc.c.
 */
#include "object/irq.h"
#include "thread/ipc.h"
#include "thread/sched.h"

static void notification_deliver(struct thread *t, uint64_t word)
{
    ipc_set_received(t, 0, word);
    t->blocked_on = NULL;
    thread_wake(t, false);
}

void notification_signal(struct notification *n, uint64_t badge)
{
    struct thread *t = n->queue.head;
    if (t != NULL) {
        wq_remove(&n->queue, t);
        notification_deliver(t, badge);
        return;
    }
    t = n->bound;
    if (t != NULL && t->state == THREAD_BLOCKED_RECV) {
        ipc_cancel(t);
        ipc_set_received(t, COFFER_MSG_NOTIFICATION, badge);
        thread_wake(t, false);
        return;
    }
    n->word |= badge;
    n->pending = 1;
}

struct coffer_result notification_wait(struct notification *n, struct thread *t, bool block)
{
    if (n->pending) {
        ipc_set_received(t, 0, n->word);
        n->word = 0;
        n->pending = 0;
        return syscall_no_result();
    }
    if (!block)
        return syscall_error(COFFER_ERR_WOULD_BLOCK, 0, 0);
    thread_block(t, THREAD_BLOCKED_NOTIFICATION);
    t->blocked_on = n;
    wq_append(&n->queue, t);
    return syscall_no_result();
}

void notification_bind(struct notification *n, struct thread *t)
{
    n->bound = t;
    t->bound_notification = n;
}

void notification_unbind(struct thread *t)
{
    if (t->bound_notification != NULL)
        t->bound_notification->bound = NULL;
    t->bound_notification = NULL;
}

void notification_dies(struct notification *n)
{
    while (n->queue.head != NULL)
        ipc_abort(n->queue.head);
    if (n->bound != NULL)
        notification_unbind(n->bound);
    if (n->irq_lines != 0)
        irq_notification_dies(n);
}
