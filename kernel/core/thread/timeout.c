/*
 * Receive deadlines (timeout.h).
 */
#include "thread/timeout.h"
#include "arch.h"
#include "thread/ipc.h"
#include "thread/sched.h"

struct thread *timeout_list; /* earliest deadline first */

void timeout_arm(struct thread *t, uint64_t deadline)
{
    struct thread **p = &timeout_list;
    while (*p != NULL && (*p)->deadline <= deadline)
        p = &(*p)->deadline_next;
    t->deadline = deadline;
    t->deadline_next = *p;
    *p = t;
    sched_deadline_changed();
}

void timeout_remove(struct thread *t)
{
    for (struct thread **p = &timeout_list; *p != NULL; p = &(*p)->deadline_next)
        if (*p == t) {
            *p = t->deadline_next;
            break;
        }
    t->deadline = 0;
    t->deadline_next = NULL;
    sched_deadline_changed();
}

void timeout_expire_due(uint64_t now)
{
    while (timeout_list != NULL && timeout_list->deadline <= now) {
        struct thread *t = timeout_list;
        ipc_cancel(t); /* off the list too */
        thread_set_result(t, COFFER_ERR_TIMED_OUT, 0, 0);
        thread_wake(t, false);
    }
}
