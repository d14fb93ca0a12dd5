/*
 * Threads, scheduling contexts and IPC objects in host memory, for the
 * host tests of the threads layer (test_sched*.c, test_ipc.c,
 * test_thread*.c; declared in threads_fixture.h).  The invariants checked
 * after each scenario: threads_invariants.c.
 *
 * One CNode of 2^FX_CNODE_BITS slots is the CSpace root of every thread
 * (each TCB holds a copy of the capability, the original is in the
 * "anchor", a TCB-shaped holder that never runs and makes the fixture's
 * own invocations).  Slot index = cptr.  Objects are aligned host memory
 * of their kernel size, with their first capability in a slot of that
 * CNode (cdt_insert_object), so they can be deleted with cap_delete().
 * Every thread gets a TCB capability (its authority for priorities, MCP
 * 255) and, optionally, an IPC buffer frame.
 *
 * System calls go through the handlers as syscall_dispatch() calls them
 * (fx_dispatch): arguments in a0..a6, the number in a7, current_thread =
 * the caller.  schedule() is never called (it does not return on the host).
 *
 * The ready queues are walked through the public scheduler API only: a
 * probe thread enqueued at the tail of priority p has, through its prev
 * links, the whole queue in front of it (then it is dequeued again, which
 * leaves the queue as it was).
 *
 * fx_reset() ends a scenario: everything is taken out of the kernel's
 * static state (ready queues, release queue, current_thread) and freed.
 */
#include "threads_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "cap/cap_delete.h"
#include "host_arch.h"

struct slot *fx_slots;
struct thread *fx_anchor;
uint64_t fx_next_slot;

void *fx_allocs[FX_MAX_ALLOCS];
unsigned fx_nallocs;

/* What exists in this scenario; dead[] marks threads deleted since. */
struct thread *fx_threads[FX_MAX_THREADS];
bool fx_dead[FX_MAX_THREADS];
unsigned fx_nthreads;
struct endpoint *fx_eps[FX_MAX_OBJECTS];
unsigned fx_neps;
struct notification *fx_ntfns[FX_MAX_OBJECTS];
unsigned fx_nntfns;
struct reply *fx_replies[FX_MAX_OBJECTS];
unsigned fx_nreplies;
struct sched_context *fx_scs[FX_MAX_OBJECTS];
unsigned fx_nscs;

void fx_bail(const char *why)
{
    printf("Bail out! %s\n", why);
    fflush(stdout);
    exit(1);
}

static void *fx_alloc(size_t align, size_t size)
{
    if (fx_nallocs == FX_MAX_ALLOCS)
        fx_bail("fixture: too many allocations");
    void *p = aligned_alloc(align, size);
    if (p == NULL)
        fx_bail("fixture: out of memory");
    memset(p, 0, size);
    fx_allocs[fx_nallocs++] = p;
    return p;
}

uint64_t fx_new_slot(void)
{
    if (fx_next_slot >= FX_SLOTS)
        fx_bail("fixture: CNode full");
    return fx_next_slot++;
}

struct slot *fx_slot(uint64_t cptr)
{
    return &fx_slots[cptr];
}

/* A new object's first capability, in a new slot; returns the cptr. */
static uint64_t fx_object_cap(void *obj, enum cap_type type, uint8_t size_bits)
{
    uint64_t cptr = fx_new_slot();
    struct slot *s = fx_slot(cptr);
    s->cap = (struct cap){ .object = (uintptr_t)obj, .type = (uint8_t)type,
                           .rights = CAP_RIGHTS_ALL, .size_bits = size_bits };
    cdt_insert_object(s);
    return cptr;
}

/* A child of the capability at src with `rights` and `badge` (0: none). */
uint64_t fx_mint(uint64_t src, unsigned rights, uint64_t badge)
{
    uint64_t cptr = fx_new_slot();
    struct slot *from = fx_slot(src), *to = fx_slot(cptr);
    to->cap = from->cap;
    to->cap.rights = (uint8_t)(from->cap.rights & rights);
    to->cap.depth = (uint8_t)(from->cap.depth + 1);
    if (badge != 0) {
        to->cap.data = badge;
        to->cap.flags |= CAP_FLAG_BADGED;
    }
    cdt_insert_child(from, to);
    return cptr;
}

/* A fresh scenario: an empty derivation tree and CNode, the anchor, the
 * scheduling-control capability, time charged up to now to nobody. */
void fx_setup(void)
{
    fx_slots = fx_alloc(sizeof(struct slot) * FX_SLOTS, sizeof(struct slot) * FX_SLOTS);
    fx_anchor = fx_alloc(1u << ARCH_TCB_BITS, 1u << ARCH_TCB_BITS);
    fixture_cspace(fx_anchor, fx_slots, FX_CNODE_BITS, 1);
    fx_anchor->mcp = COFFER_PRIO_MAX;
    fx_next_slot = FX_SLOT_CONTROL;
    uint64_t control = fx_new_slot();
    fx_slot(control)->cap = (struct cap){ .object = sched_control_object(),
                                          .type = CAP_SCHED_CONTROL, .rights = CAP_RIGHTS_ALL };
    cdt_insert_object(fx_slot(control));
    fx_nthreads = fx_neps = fx_nntfns = fx_nreplies = fx_nscs = 0;
    current_thread = NULL;
    host_time += 1000000;
    sched_charge(); /* last_charge = now, charged to nobody */
}

/* A thread (INACTIVE, no scheduling context) at priority prio, MCP 255,
 * whose CSpace root is the fixture's CNode. */
static struct thread *fx_thread_full(const char *name, unsigned prio, uint64_t *tcb_out)
{
    if (fx_nthreads == FX_MAX_THREADS)
        fx_bail("fixture: too many threads");
    struct thread *t = fx_alloc(1u << ARCH_TCB_BITS, 1u << ARCH_TCB_BITS);
    t->cspace_root.cap = fx_anchor->cspace_root.cap;
    cdt_insert_copy(&fx_anchor->cspace_root, &t->cspace_root);
    t->priority = (uint8_t)prio;
    t->mcp = COFFER_PRIO_MAX;
    snprintf(t->name, sizeof(t->name), "%s", name);
    uint64_t tcb = fx_object_cap(t, CAP_TCB, 0);
    if (tcb_out != NULL)
        *tcb_out = tcb;
    fx_dead[fx_nthreads] = false;
    fx_threads[fx_nthreads++] = t;
    return t;
}

struct thread *fx_thread(const char *name, unsigned prio)
{
    return fx_thread_full(name, prio, NULL);
}

/* The cptr of the first capability of `type` to the object at obj. */
static uint64_t fx_cptr_of(const void *obj, enum cap_type type)
{
    for (uint64_t i = FX_FIRST_FREE_SLOT; i < fx_next_slot; i++)
        if (fx_slots[i].cap.type == type && fx_slots[i].cap.object == (uintptr_t)obj)
            return i;
    fx_bail("fixture: no such capability");
    return 0;
}

uint64_t fx_tcb_cptr(const struct thread *t)
{
    return fx_cptr_of(t, CAP_TCB);
}

uint64_t fx_sc_cptr(const struct sched_context *sc)
{
    return fx_cptr_of(sc, CAP_SCHED_CONTEXT);
}

static void fx_mark_dead(const struct thread *t)
{
    for (unsigned i = 0; i < fx_nthreads; i++)
        if (fx_threads[i] == t)
            fx_dead[i] = true;
}

bool fx_is_dead(const struct thread *t)
{
    for (unsigned i = 0; i < fx_nthreads; i++)
        if (fx_threads[i] == t)
            return fx_dead[i];
    return false;
}

/* A thread of this scenario that has not died. */
bool fx_registered_thread(const struct thread *t)
{
    for (unsigned i = 0; i < fx_nthreads; i++)
        if (fx_threads[i] == t)
            return !fx_dead[i];
    return false;
}

uint64_t fx_endpoint(struct endpoint **out)
{
    struct endpoint *ep = fx_alloc(64, 64);
    fx_eps[fx_neps++] = ep;
    if (out != NULL)
        *out = ep;
    return fx_object_cap(ep, CAP_ENDPOINT, 0);
}

uint64_t fx_notification(struct notification **out)
{
    struct notification *n = fx_alloc(64, 64);
    fx_ntfns[fx_nntfns++] = n;
    if (out != NULL)
        *out = n;
    return fx_object_cap(n, CAP_NOTIFICATION, 0);
}

uint64_t fx_reply(struct reply **out)
{
    struct reply *r = fx_alloc(64, 64);
    fx_replies[fx_nreplies++] = r;
    if (out != NULL)
        *out = r;
    return fx_object_cap(r, CAP_REPLY, 0);
}

uint64_t fx_sched_context(struct sched_context **out)
{
    struct sched_context *sc = fx_alloc(256, 256);
    fx_scs[fx_nscs++] = sc;
    if (out != NULL)
        *out = sc;
    return fx_object_cap(sc, CAP_SCHED_CONTEXT, 0);
}

/* The invocation (CALL on a kernel object) made by the anchor. */
struct coffer_result fx_invoke(uint64_t cptr, uint64_t label, uint64_t a0,
                               uint64_t a1, uint64_t a2)
{
    return fixture_call(fx_anchor, cptr, label, a0, a1, a2, 0, 0);
}

struct coffer_result fx_configure(uint64_t sc, uint64_t budget_us, uint64_t period_us)
{
    return fx_invoke(FX_SLOT_CONTROL, COFFER_INV_SCHED_CONTROL_CONFIGURE, sc, budget_us, period_us);
}

struct coffer_result fx_bind(struct thread *t, uint64_t sc)
{
    return fx_invoke(fx_tcb_cptr(t), COFFER_INV_TCB_SET_SCHED_CONTEXT, sc, 0, 0);
}

struct coffer_result fx_resume(struct thread *t)
{
    return fx_invoke(fx_tcb_cptr(t), COFFER_INV_TCB_RESUME, 0, 0, 0);
}

struct coffer_result fx_set_priority(struct thread *t, uint64_t prio)
{
    return fx_invoke(fx_tcb_cptr(t), COFFER_INV_TCB_SET_PRIORITY, fx_tcb_cptr(t), prio, 0);
}

/* A thread with its own scheduling context of budget/period (us),
 * resumed: RUNNABLE and queued. */
struct thread *fx_active(const char *name, unsigned prio, uint64_t budget_us,
                         uint64_t period_us, struct sched_context **sc_out)
{
    struct thread *t = fx_thread(name, prio);
    struct sched_context *sc;
    uint64_t scp = fx_sched_context(&sc);
    if (fx_configure(scp, budget_us, period_us).error != COFFER_ERR_OK ||
        fx_bind(t, scp).error != COFFER_ERR_OK || fx_resume(t).error != COFFER_ERR_OK)
        fx_bail("fixture: cannot start an active thread");
    if (sc_out != NULL)
        *sc_out = sc;
    return t;
}

/* A passive thread (no scheduling context), resumed: RUNNABLE, not queued. */
struct thread *fx_passive(const char *name, unsigned prio)
{
    struct thread *t = fx_thread(name, prio);
    if (fx_resume(t).error != COFFER_ERR_OK)
        fx_bail("fixture: cannot resume a passive thread");
    return t;
}

/* Give t an IPC buffer: a 4 KiB frame of host memory (its first
 * capability in the CNode, a copy in the TCB's slot); returns the buffer. */
struct coffer_ipc_buffer *fx_ipc_buffer(struct thread *t)
{
    void *mem = fx_alloc(4096, 4096);
    uint64_t frame = fx_object_cap(mem, CAP_FRAME, 12);
    t->ipc_buffer_frame.cap = fx_slot(frame)->cap;
    cdt_insert_copy(fx_slot(frame), &t->ipc_buffer_frame);
    t->ipc_buffer_vaddr = 0x10000;
    return thread_ipc_buffer(t);
}

/* ---- system calls --------------------------------------------------------- */

/*
 * What syscall_dispatch() (syscall.c) does, for the calls of the threads
 * layer: syscall.c is not among the host core sources (it needs the debug
 * calls), so its steps are repeated here -- the arguments from a0..a6,
 * the handler, then the result into a0..a2 unless the handler set the
 * registers itself (SYSCALL_NO_RESULT) or the thread is gone.  YIELD is
 * sys_YIELD's body.
 */
static void fx_dispatch(struct thread *t)
{
    uint64_t args[COFFER_SYSCALL_ARGS];
    for (unsigned i = 0; i < COFFER_SYSCALL_ARGS; i++)
        args[i] = arch_syscall_arg(&t->regs, i);
    struct coffer_result r;
    switch (arch_syscall_number(&t->regs)) {
    case COFFER_SYS_YIELD:
        sched_yield();
        r = syscall_ok(0, 0);
        break;
    case COFFER_SYS_CALL:
        r = sys_CALL(t, args);
        break;
    case COFFER_SYS_ENSURE_BUDGET:
        r = sys_ENSURE_BUDGET(t, args);
        break;
    case COFFER_SYS_SEND:
        r = sys_SEND(t, args);
        break;
    case COFFER_SYS_NB_SEND:
        r = sys_NB_SEND(t, args);
        break;
    case COFFER_SYS_RECV:
        r = sys_RECV(t, args);
        break;
    case COFFER_SYS_NB_RECV:
        r = sys_NB_RECV(t, args);
        break;
    case COFFER_SYS_REPLY_RECV:
        r = sys_REPLY_RECV(t, args);
        break;
    default:
        fx_bail("fixture: a system call it does not dispatch");
        return;
    }
    if (t != current_thread)
        return;
    if (r.error == SYSCALL_RESTART) /* a call turned back (loan minimum) */
        arch_syscall_restart(&t->regs);
    else if (r.error != SYSCALL_NO_RESULT)
        arch_syscall_set_result(&t->regs, r.error, r.detail0, r.detail1);
}

/* Thread t makes system call num, as the trap path would (fx_dispatch).
 * Returns the result registers as they are afterwards (unchanged if t blocked). */
struct coffer_result fx_syscall(struct thread *t, uint64_t num, uint64_t a0,
                                uint64_t a1, uint64_t a2, uint64_t a3,
                                uint64_t a4, uint64_t a5, uint64_t a6)
{
    const uint64_t args[COFFER_SYSCALL_ARGS] = { a0, a1, a2, a3, a4, a5, a6 };
    arch_set_syscall(&t->regs, num, args);
    current_thread = t;
    fx_dispatch(t);
    return arch_syscall_result(&t->regs);
}

struct coffer_result fx_send4(struct thread *t, uint64_t num, uint64_t cptr,
                              uint64_t info, uint64_t w0, uint64_t w1,
                              uint64_t w2, uint64_t w3)
{
    return fx_syscall(t, num, cptr, info, w0, w1, w2, w3, 0);
}

struct coffer_result fx_send(struct thread *t, uint64_t cptr, uint64_t info,
                             uint64_t w0, uint64_t w1)
{
    return fx_send4(t, COFFER_SYS_SEND, cptr, info, w0, w1, 0, 0);
}

struct coffer_result fx_recv(struct thread *t, uint64_t cptr, uint64_t reply)
{
    return fx_syscall(t, COFFER_SYS_RECV, cptr, 0, 0, 0, 0, 0, reply);
}

struct coffer_result fx_nb_recv(struct thread *t, uint64_t cptr, uint64_t reply)
{
    return fx_syscall(t, COFFER_SYS_NB_RECV, cptr, 0, 0, 0, 0, 0, reply);
}

struct coffer_result fx_call(struct thread *t, uint64_t cptr, uint64_t info,
                             uint64_t w0, uint64_t w1)
{
    return fx_syscall(t, COFFER_SYS_CALL, cptr, info, w0, w1, 0, 0, 0);
}

struct coffer_result fx_reply_recv(struct thread *t, uint64_t ep, uint64_t reply,
                                   uint64_t info, uint64_t w0)
{
    return fx_syscall(t, COFFER_SYS_REPLY_RECV, ep, info, w0, 0, 0, 0, reply);
}

/* Delete the capability at cptr (the object dies if it was the last). */
bool fx_delete(uint64_t cptr)
{
    struct slot *s = fx_slot(cptr);
    bool thread = s->cap.type == CAP_TCB;
    const struct thread *t = (const struct thread *)(uintptr_t)s->cap.object;
    bool last = cdt_is_last(s);
    bool done = cap_delete(s) == DELETE_DONE;
    if (thread && last)
        fx_mark_dead(t);
    return done;
}

/* ---- the ready queues, through the public API ------------------------------ */

static struct thread fx_probe;

/* The threads in the ready queue of priority p, head first (at most max;
 * returns how many there are, or -1 if the links are inconsistent). */
int fx_ready_queue(unsigned p, struct thread **out, unsigned max)
{
    memset(&fx_probe, 0, sizeof(fx_probe));
    fx_probe.priority = (uint8_t)p;
    sched_enqueue(&fx_probe);
    struct thread *rev[FX_MAX_THREADS + 1];
    unsigned n = 0;
    bool good = true;
    for (struct thread *x = fx_probe.prev; x != NULL; x = x->prev) {
        if (n == FX_MAX_THREADS + 1) {
            good = false;
            break;
        }
        rev[n++] = x;
    }
    /* Forward from the head the same threads must lead to the probe. */
    if (good) {
        struct thread *x = n > 0 ? rev[n - 1] : &fx_probe;
        for (unsigned i = 0; i < n && good; i++) {
            if (x != rev[n - 1 - i] || x->next == NULL || x->next->prev != x)
                good = false;
            x = x->next;
        }
        good = good && x == &fx_probe;
    }
    sched_dequeue(&fx_probe);
    if (!good || n > max)
        return -1;
    for (unsigned i = 0; i < n; i++)
        out[i] = rev[n - 1 - i];
    return (int)n;
}

/* The same order as expected (a NULL-terminated list)? */
bool fx_queue_is(unsigned p, struct thread *const *expect)
{
    struct thread *q[FX_MAX_THREADS];
    int n = fx_ready_queue(p, q, FX_MAX_THREADS);
    int k = 0;
    while (expect[k] != NULL)
        k++;
    bool good = n == k;
    for (int i = 0; good && i < n; i++)
        good = q[i] == expect[i];
    if (!good) {
        char line[512];
        size_t len = (size_t)snprintf(line, sizeof(line), "ready[%u] =", p);
        for (int i = 0; i < n && len < sizeof(line); i++)
            len += (size_t)snprintf(line + len, sizeof(line) - len, " %s", q[i]->name);
        tap_diag("%s (%d threads)", line, n);
    }
    return good;
}

/* ---- results ---------------------------------------------------------------- */

/* Is r exactly this result?  (No TAP line: a diagnostic if not.) */
bool fx_is(struct coffer_result r, uint64_t err, uint64_t d0, uint64_t d1)
{
    return fixture_result_is(r, err, d0, d1);
}

bool fx_is_ok(struct coffer_result r)
{
    return fx_is(r, COFFER_ERR_OK, 0, 0);
}

/* End a scenario: nothing of it stays in the scheduler's static state. */
void fx_reset(void)
{
    current_thread = NULL;
    for (unsigned i = 0; i < fx_nthreads; i++)
        if (!fx_dead[i])
            sched_dequeue(fx_threads[i]);
    for (unsigned i = 0; i < fx_nscs; i++) {
        struct sched_context *sc = fx_scs[i];
        /* Known kernel bugs can leave a context pointing at a dead
         * thread; sched_context_dies() would follow it. */
        if (sc->thread != NULL && (!fx_registered_thread(sc->thread) || sc->thread->sc != sc))
            sc->thread = NULL;
        if (sc->home != NULL && !fx_registered_thread(sc->home))
            sc->home = NULL;
        if (sc->lent_via != NULL && sc->lent_via->lent != sc)
            sc->lent_via = NULL;
        sched_context_dies(sc);
    }
    for (unsigned p = 0; p < SCHED_PRIORITIES; p++) {
        struct thread *q[FX_MAX_THREADS];
        if (fx_ready_queue(p, q, FX_MAX_THREADS) != 0)
            fx_bail("fixture: a ready queue is not empty after a scenario");
    }
    if (sched_context_next_release() != ~0ull)
        fx_bail("fixture: the release queue is not empty after a scenario");
    for (unsigned i = 0; i < fx_nallocs; i++)
        free(fx_allocs[i]);
    fx_nallocs = 0;
    fx_nthreads = fx_neps = fx_nntfns = fx_nreplies = fx_nscs = 0;
}
