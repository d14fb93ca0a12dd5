/*
 * A process's threads (<runtime/thread.h>, docs/processes.md "Threads").
 * Everything a thread is made of is bought from the process's bank into
 * slots kept per area (taken once from the runtime's, reused by the
 * area's next thread), mapped in the area's fixed place, and freed at
 * join: the bank gets every byte back, and its FREE revokes the copies
 * the manager kept.
 */
#include <bank/bank.h>
#include <errno.h>
#include <process/layout.h>
#include <process/manager.h>
#include <proto/bank_client.h>
#include <proto/proc_client.h>
#include <runtime/thread.h>
#include <stdlib.h>
#include <syscall/thread.h>

#include "runtime_internal.h"

enum { TCB, SC, STACK, IPC, DONE, SLOTS }; /* an area's slots; the first four are t->handles' order */

extern char __tls_size[], __tls_align[]; /* lib/crt/user.ld */
void _init_tls(void *tls);
void _set_tls(void *tls);

static _Thread_local struct coffer_ipc_buffer *own_buffer; /* NULL: the first thread's */
static bool area_used[RUNTIME_THREADS_MAX];
static uint64_t area_slots[RUNTIME_THREADS_MAX][SLOTS]; /* 0: not taken yet */

struct coffer_ipc_buffer *runtime_ipc_buffer(void)
{
    return own_buffer != NULL ? own_buffer : (struct coffer_ipc_buffer *)PROCESS_IPC_BUFFER_VADDR;
}

/* The area's slots, taken from the runtime's at its first use, and its
 * notification (kept with them). */
static bool area_ready(unsigned a)
{
    uint64_t *s = area_slots[a], handle;
    if (s[DONE] != 0)
        return true;
    for (unsigned k = 0; k < DONE; k++)
        if (s[k] == 0 && !runtime_slot_alloc(&s[k]))
            return false;
    return runtime_buy(COFFER_OBJ_NOTIFICATION, 0, &s[DONE], &handle);
}

/* The thread's own first instructions: its TLS and IPC buffer, fn, then
 * it tells the joiner and stops itself. */
static void thread_main(uint64_t arg)
{
    struct runtime_thread *t = (struct runtime_thread *)(uintptr_t)arg;
    _set_tls(t->tls);
    own_buffer = t->ipc_buffer;
    t->result = t->fn(t->arg);
    __atomic_store_n(&t->done, true, __ATOMIC_RELEASE);
    coffer_signal(area_slots[t->area][DONE]);
    coffer_tcb_suspend(area_slots[t->area][TCB]);
    for (;;) /* not reached: the suspend takes effect at once */
        coffer_yield();
}

/* Everything bought for area a's thread back to the bank. */
static void give_back(struct runtime_thread *t)
{
    for (unsigned k = 0; k < DONE; k++)
        if (t->handles[k] != 0)
            bank_free(PROCESS_SLOT_BANK, t->handles[k]);
    free(t->tls);
    area_used[t->area] = false;
}

static int errno_of(struct coffer_result r)
{
    switch (r.error) {
    case COFFER_ERR_PROC_THREADS_FULL:
        return EAGAIN;
    case COFFER_ERR_PROC_AUTHORITY:
        return EPERM;
    case COFFER_ERR_PROC_BAD_ARGUMENT:
        return EINVAL;
    default:
        return ENOMEM;
    }
}

/* The objects bought and mapped in area a, the TLS block set up. */
static bool buy(struct runtime_thread *t)
{
    static const struct { uint64_t type, bits; } what[DONE] = {
        [TCB] = { COFFER_OBJ_TCB, 0 }, [SC] = { COFFER_OBJ_SCHED_CONTEXT, 0 },
        [STACK] = { COFFER_OBJ_FRAME, 16 }, [IPC] = { COFFER_OBJ_FRAME, COFFER_PAGE_BITS },
    };
    const uint64_t *s = area_slots[t->area];
    for (unsigned k = 0; k < DONE; k++)
        if (bank_buy_into(runtime_ipc_buffer(), PROCESS_SLOT_BANK, what[k].type, what[k].bits, PROCESS_RECV(s[k]), &t->handles[k])
                .error != COFFER_ERR_OK)
            return false;
    size_t align = (size_t)(uintptr_t)__tls_align < 8 ? 8 : (size_t)(uintptr_t)__tls_align;
    size_t size = ((size_t)(uintptr_t)__tls_size + align - 1) & ~(align - 1);
    t->tls = aligned_alloc(align, size != 0 ? size : align);
    if (t->tls == NULL || !runtime_map(s[STACK], PROCESS_THREAD_STACK(t->area)) ||
        !runtime_map(s[IPC], PROCESS_THREAD_IPC_BUFFER(t->area)))
        return false;
    _init_tls(t->tls);
    return true;
}

int runtime_thread_create(struct runtime_thread *t, void *(*fn)(void *), void *arg,
                          const struct runtime_thread_attr *attr)
{
    unsigned a = 0;
    while (a < RUNTIME_THREADS_MAX && area_used[a])
        a++;
    if (a == RUNTIME_THREADS_MAX)
        return EAGAIN;
    *t = (struct runtime_thread){ .area = a, .fn = fn, .arg = arg,
                                  .ipc_buffer = (struct coffer_ipc_buffer *)(uintptr_t)PROCESS_THREAD_IPC_BUFFER(a) };
    area_used[a] = true;
    if (!area_ready(a) || !buy(t)) {
        give_back(t);
        return ENOMEM;
    }
    const uint64_t *s = area_slots[a];
    bool own = attr == NULL || attr->budget_us == 0;
    uint64_t number;
    coffer_poll(s[DONE]); /* a signal left by the area's last thread */
    struct coffer_result r = proc_thread(runtime_ipc_buffer(), PROCESS_SLOT_MANAGER, own ? 0 : attr->priority,
                                         own ? PROC_THREAD_AS_PROCESS : 0, own ? 0 : attr->budget_us,
                                         own ? 0 : attr->period_us, PROCESS_THREAD_IPC_BUFFER(a), s[TCB], s[SC],
                                         s[IPC], &number);
    if (r.error == COFFER_ERR_OK) /* at thread_main(t) on its stack; it sets its own tp first */
        r = coffer_thread_start(s[TCB], runtime_ipc_buffer(), thread_main,
                                (void *)(uintptr_t)(PROCESS_THREAD_STACK(a) + PROCESS_THREAD_STACK_BYTES),
                                (uint64_t)(uintptr_t)t);
    if (r.error != COFFER_ERR_OK) {
        give_back(t);
        return errno_of(r);
    }
    return 0;
}

int runtime_thread_join(struct runtime_thread *t, void **result)
{
    if (t->area >= RUNTIME_THREADS_MAX || !area_used[t->area] || t->handles[TCB] == 0)
        return EINVAL;
    while (!__atomic_load_n(&t->done, __ATOMIC_ACQUIRE))
        coffer_wait(area_slots[t->area][DONE]);
    coffer_tcb_suspend(area_slots[t->area][TCB]); /* it may not have reached its own suspend yet */
    if (result != NULL)
        *result = t->result;
    give_back(t);
    t->handles[TCB] = 0;
    return 0;
}
