/*
 * Queues of threads: FIFO lists linked through the threads' next/prev
 * (a thread is in at most one queue: thread.h).  The ready queues of the
 * scheduler and the wait queues of endpoints and notifications are these.
 */
#ifndef COFFER_KERNEL_THREAD_QUEUE_H
#define COFFER_KERNEL_THREAD_QUEUE_H

#include "thread/thread.h"

struct wait_queue {
    struct thread *head, *tail;
};

static inline void wq_append(struct wait_queue *q, struct thread *t)
{
    t->next = NULL;
    t->prev = q->tail;
    if (q->tail != NULL)
        q->tail->next = t;
    else
        q->head = t;
    q->tail = t;
}

static inline void wq_prepend(struct wait_queue *q, struct thread *t)
{
    t->prev = NULL;
    t->next = q->head;
    if (q->head != NULL)
        q->head->prev = t;
    else
        q->tail = t;
    q->head = t;
}

static inline void wq_remove(struct wait_queue *q, struct thread *t)
{
    if (t->prev != NULL)
        t->prev->next = t->next;
    else
        q->head = t->next;
    if (t->next != NULL)
        t->next->prev = t->prev;
    else
        q->tail = t->prev;
    t->next = t->prev = NULL;
}

#endif
