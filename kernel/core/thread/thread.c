/*
 * Thread life: blocking, waking, stopping and dying (thread.h).
 */
#include "thread/thread.h"
#include "thread/timeout.h"
#include "thread/ipc.h"
#include "support/kprintf.h"
#include "support/kstring.h"
#include "thread/sched.h"
#include "thread/sched_context.h"

void thread_block(struct thread *t, enum thread_state state)
{
    sched_dequeue(t);
    t->state = (uint8_t)state;
}

void thread_wake(struct thread *t, bool in_front)
{
    timeout_disarm(t);
    t->state = THREAD_RUNNABLE;
    if (!sched_can_run(t))
        return;
    if (in_front)
        sched_enqueue_front(t);
    else
        sched_enqueue(t);
}

const char *thread_name(const struct thread *t, char buf[24])
{
    if (t->name[0] != '\0')
        return t->name;
    static const char hex[] = "0123456789abcdef";
    uint64_t a = (uint64_t)(uintptr_t)t;
    memcpy(buf, "tcb@", 4);
    for (int i = 0; i < 16; i++)
        buf[4 + i] = hex[(a >> (4 * (15 - i))) & 0xf];
    buf[20] = '\0';
    return buf;
}

void thread_stop(struct thread *t)
{
    char buf[24];
    ipc_cancel(t);
    thread_block(t, THREAD_INACTIVE);
    kprintf("coffer: thread '%s' stopped\n", thread_name(t, buf));
}

void thread_set_result(struct thread *t, uint64_t error, uint64_t d0, uint64_t d1)
{
    arch_syscall_set_result(&t->regs, error, d0, d1);
}

bool thread_abort_wait(struct thread *t)
{
    bool in_call = t->state >= THREAD_BLOCKED_SEND && !(t->ipc_flags & IPC_FAULT);
    ipc_cancel(t);
    t->ipc_flags = 0;
    if (in_call)
        thread_set_result(t, COFFER_ERR_ABORTED, 0, 0);
    return in_call;
}

void thread_cancel_ipc(struct thread *t)
{
    thread_abort_wait(t);
    thread_block(t, THREAD_INACTIVE);
}

void thread_dies(struct thread *t)
{
    thread_cancel_ipc(t);
    sched_context_bind(t, NULL);
    /* A context lent to it along a call goes back to the caller now (who
     * still waits for a reply: another thread holding the reply object
     * may give it, or deleting that object ends the wait). */
    if (t->sc != NULL && t->sc->lent_via != NULL) {
        struct reply *r = t->sc->lent_via;
        sched_context_return(r, r->caller);
    }
    notification_unbind(t);
    if (t == current_thread)
        current_thread = NULL;
    /* The capability slots are cleared by the teardown (zombie.h). */
    memset(&t->regs, 0, sizeof(*t) - offsetof(struct thread, regs));
}
