/*
 * Threads: the TCB object.
 *
 * A TCB is 1 KiB retyped from untyped.  Its first TCB_SLOTS words of 64
 * bytes are capability slots -- the CSpace root, the VSpace, the IPC
 * buffer's frame, the fault and the timeout endpoints -- so that, like a
 * CNode, a dying TCB becomes a zombie whose slots the teardown clears
 * (zombie.h): deleting them may take unbounded work (the CSpace root may
 * be the last capability to a CNode).  The rest is kernel state.
 *
 * Invariants:
 *  - state RUNNABLE with a scheduling context that has budget <=> the
 *    thread is in the ready queue of its priority (sched.h);
 *  - state BLOCKED_SEND/RECV/NOTIFICATION <=> the thread is in the wait
 *    queue of the object `blocked_on` (an endpoint or a notification);
 *  - state BLOCKED_REPLY <=> `reply` is a reply object whose caller is
 *    this thread;
 *  - a thread is in at most one queue: `next`/`prev` serve them all.
 */
#ifndef COFFER_KERNEL_THREAD_H
#define COFFER_KERNEL_THREAD_H

#include "cap/cap.h"
#include "types.h"
#include <arch_types.h>

enum thread_state {
    THREAD_INACTIVE = 0,         /* never started, or suspended */
    THREAD_RUNNABLE,
    THREAD_BLOCKED_SEND,         /* queued on an endpoint to send or call */
    THREAD_BLOCKED_RECV,         /* queued on an endpoint to receive */
    THREAD_BLOCKED_REPLY,        /* called; waits for the reply */
    THREAD_BLOCKED_NOTIFICATION, /* waits on a notification */
};

/* The capability slots at the start of a TCB. */
enum tcb_slot {
    TCB_SLOT_CSPACE, TCB_SLOT_VSPACE, TCB_SLOT_IPC_BUFFER, TCB_SLOT_FAULT,
    TCB_SLOT_TIMEOUT, TCB_SLOTS
};

/* ipc_flags of a blocked sender (what it was doing, from the capability
 * it used). */
#define IPC_CALL 0x1u       /* a call: it waits for a reply */
#define IPC_GRANT 0x2u      /* its endpoint capability has the grant right */
#define IPC_FAULT 0x4u      /* the message is the fault in `fault` */
#define IPC_GRANT_REPLY 0x8u /* the callee may grant capabilities in its reply */

struct endpoint;
struct notification;
struct reply;
struct sched_context;

struct fault_info {
    uint64_t type;  /* COFFER_FAULT_* */
    uint64_t addr;
    uint64_t cause;
};

struct thread {
    struct slot cspace_root;     /* TCB_SLOT_CSPACE: the root CNode capability */
    struct slot vspace;          /* TCB_SLOT_VSPACE */
    struct slot ipc_buffer_frame;/* TCB_SLOT_IPC_BUFFER */
    struct slot fault_handler;   /* TCB_SLOT_FAULT: an endpoint capability */
    struct slot timeout_handler; /* TCB_SLOT_TIMEOUT */
    struct arch_user_regs regs;  /* trap.S saves here */
    uint64_t ipc_buffer_vaddr;   /* where the thread sees its IPC buffer */
    uint8_t state;               /* enum thread_state */
    uint8_t priority;
    uint8_t ipc_flags;           /* IPC_* while BLOCKED_SEND */
    uint8_t loan_died;           /* BLOCKED_REPLY only: the context it lent along
                                  * the call died further up a chain of loans, so
                                  * the reply brings none back (sched_context_dies) */
    uint8_t mcp;                 /* maximum controlled priority */
    uint8_t in_ready;            /* in a ready queue (next/prev are its links); the
                                  * running thread usually is not (sched.h) */
    uint8_t home_until_recv;     /* its home context is lent (TCB_LEND_SCHED_CONTEXT):
                                  * unbound at its next endpoint receive */
    uint32_t loan_min;           /* ticks a caller's context must have left to be
                                  * lent to it (TCB_SET_LOAN_MINIMUM); 0: any */
    struct thread *next, *prev;  /* the ready queue or a wait queue */
    void *blocked_on;            /* endpoint or notification waited on */
    uint64_t ipc_badge;          /* BLOCKED_SEND: the badge of its capability */
    struct reply *reply;         /* BLOCKED_RECV: the reply object to use;
                                    BLOCKED_REPLY: the one it waits on */
    uint64_t deadline;           /* a receive's deadline (timeout.h), 0: none */
    struct thread *deadline_next; /* the list of deadlines */
    struct sched_context *sc;    /* the one it runs on (its own or lent), or NULL */
    struct sched_context *home_sc; /* the one bound to it, or NULL (passive) */
    struct notification *bound_notification;
    struct fault_info fault;     /* the fault being delivered (IPC_FAULT) */
    char name[32];               /* for reports; empty: the TCB's address is used */
};

STATIC_ASSERT(offsetof(struct thread, cspace_root) == TCB_SLOT_CSPACE * sizeof(struct slot) &&
                  offsetof(struct thread, timeout_handler) == TCB_SLOT_TIMEOUT * sizeof(struct slot),
              "a TCB's capability slots are at its start, in enum tcb_slot order");
STATIC_ASSERT(sizeof(struct thread) <= 1u << ARCH_TCB_BITS, "a thread fits its TCB object");

static inline struct thread *thread_of_cap(const struct cap *c)
{
    return (struct thread *)arch_phys_to_virt(c->object);
}

/* The IPC buffer, through the frame capability in the TCB (so it can
 * never outlive the frame): at the virtual address's offset in the first
 * page of the capability's window.  NULL if none. */
static inline struct coffer_ipc_buffer *thread_ipc_buffer(const struct thread *t)
{
    const struct cap *f = &t->ipc_buffer_frame.cap;
    if (f->type != CAP_FRAME)
        return NULL;
    return (struct coffer_ipc_buffer *)arch_phys_to_virt(f->object + frame_window_offset(f) +
                                                         (t->ipc_buffer_vaddr & (COFFER_PAGE_SIZE - 1)));
}

/* The thread the hart runs (or last ran); NULL if it died or none exists. */
extern struct thread *current_thread;

/* The last capability to a TCB is going: take the thread out of every
 * queue and IPC, return lent scheduling contexts, and zero everything but
 * its capability slots (which the teardown clears). */
void thread_dies(struct thread *t);

/* End what t waits in (endpoint, notification, reply: ipc_cancel, which
 * leaves it INACTIVE): a system call it was blocked in returns ABORTED
 * when it runs again (true), a fault it was delivering is taken again
 * (false).  The caller decides what t does next. */
bool thread_abort_wait(struct thread *t);

/* Cancel what t waits in (endpoint, notification, reply), leaving it
 * INACTIVE; a system call it was blocked in returns ABORTED when it runs
 * again (a fault it was delivering is taken again, or, for an unknown
 * system call, it goes on after the ecall). */
void thread_cancel_ipc(struct thread *t);

/* Make t RUNNABLE (queued if it can run): behind the others of its
 * priority, or, when it takes over from a thread that blocks for it (a
 * call, a reply), in front. */
void thread_wake(struct thread *t, bool in_front);

/* t blocks: out of the ready queue, in `state`. */
void thread_block(struct thread *t, enum thread_state state);

/* A name for reports: its name, or "tcb@<address>" in buf. */
const char *thread_name(const struct thread *t, char buf[24]);

/* Stop a thread after a fault nobody handles; the reason was printed. */
void thread_stop(struct thread *t);

/* Write a system call's result into a thread that is not running now
 * (woken from a blocking call). */
void thread_set_result(struct thread *t, uint64_t error, uint64_t d0, uint64_t d1);

#endif
