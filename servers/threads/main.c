/*
 * A program with threads (<runtime/thread.h>; the QEMU suite runs it):
 *   threads N      N threads sum their parts of 1..10^5 and malloc and free
 *                  as they go; main joins them, checks the total and exits 0
 *   threads full   threads up to the runtime's most, then one more: EAGAIN, and
 *                  the manager's PROC_THREADS_FULL; a priority too high: EPERM
 *   threads fault  a thread stores to address 0: the process faults
 *   threads spin   two threads compute for ever while main waits: killed
 */
#include <bank/bank.h>
#include <coffer.h>
#include <errno.h>
#include <process/layout.h>
#include <process/manager.h>
#include <proto/bank_client.h>
#include <proto/proc_client.h>
#include <runtime/thread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOP 100000u

struct part {
    unsigned from, to;
    unsigned long long sum;
};

static void *sum_part(void *arg)
{
    struct part *p = arg;
    for (unsigned i = p->from; i <= p->to; i++) {
        p->sum += i;
        if (i % 1000 == 0)
            free(malloc(64 + i % 4096)); /* picolibc's malloc from several threads at once */
    }
    printf("threads: %u to %u: %llu\n", p->from, p->to, p->sum);
    return p;
}

static int sums(unsigned n)
{
    static struct runtime_thread t[RUNTIME_THREADS_MAX];
    static struct part parts[RUNTIME_THREADS_MAX];
    if (n == 0 || n > RUNTIME_THREADS_MAX)
        return 2;
    for (unsigned k = 0; k < n; k++) {
        parts[k] = (struct part){ .from = k * (TOP / n) + 1, .to = k + 1 == n ? TOP : (k + 1) * (TOP / n) };
        int e = runtime_thread_create(&t[k], sum_part, &parts[k], NULL);
        if (e != 0) {
            printf("threads: thread %u not created: %s\n", k, strerror(e));
            return 3;
        }
    }
    unsigned long long total = 0;
    for (unsigned k = 0; k < n; k++) {
        void *result = NULL;
        if (runtime_thread_join(&t[k], &result) != 0 || result != &parts[k])
            return 4;
        total += parts[k].sum;
    }
    bool right = total == (unsigned long long)TOP * (TOP + 1) / 2;
    printf("threads: %u threads joined, the total %llu %s\n", n, total, right ? "is right" : "is WRONG");
    return right ? 0 : 5;
}

static void *forever(void *arg)
{
    (void)arg;
    for (volatile unsigned long n = 0;; n++)
        ;
    return NULL;
}

/* Where the faulting thread stores: 0, read at run time (as crash's). */
static volatile uintptr_t target;

static void *store_at_zero(void *arg)
{
    (void)arg;
    *(volatile int *)target = 1;
    return NULL;
}

/* The manager's own refusal of a ninth thread: THREAD with objects
 * bought by hand, into the program's own slots. */
static uint64_t manager_refusal(void)
{
    enum { TCB = PROCESS_SLOT_FIRST_FREE, SC, IPC };
    static const uint64_t what[3][2] = { { COFFER_OBJ_TCB, 0 }, { COFFER_OBJ_SCHED_CONTEXT, 0 },
                                         { COFFER_OBJ_FRAME, COFFER_PAGE_BITS } };
    uint64_t handles[3] = { 0 }, number = 0, error = COFFER_ERR_OK;
    for (unsigned k = 0; k < 3 && error == COFFER_ERR_OK; k++)
        error = bank_buy_into(runtime_ipc_buffer(), PROCESS_SLOT_BANK, what[k][0], what[k][1], PROCESS_RECV(TCB + k), &handles[k]).error;
    if (error == COFFER_ERR_OK)
        error = proc_thread(runtime_ipc_buffer(), PROCESS_SLOT_MANAGER, 0, PROC_THREAD_AS_PROCESS, 0, 0,
                            PROCESS_THREAD_AREAS, TCB, SC, IPC, &number).error;
    for (unsigned k = 0; k < 3; k++)
        if (handles[k] != 0)
            bank_free(PROCESS_SLOT_BANK, handles[k]);
    return error;
}

/* As many threads as may be, then one more: EAGAIN, and the manager's
 * PROC_THREADS_FULL; all joined; then a priority above the process's
 * MCP: EPERM. */
static int full(void)
{
    static struct runtime_thread t[RUNTIME_THREADS_MAX + 1];
    static struct part parts[RUNTIME_THREADS_MAX];
    for (unsigned k = 0; k < RUNTIME_THREADS_MAX; k++) {
        parts[k] = (struct part){ .from = 1, .to = 10 };
        if (runtime_thread_create(&t[k], sum_part, &parts[k], NULL) != 0)
            return 3;
    }
    int e = runtime_thread_create(&t[RUNTIME_THREADS_MAX], sum_part, &parts[0], NULL);
    uint64_t refusal = manager_refusal();
    for (unsigned k = 0; k < RUNTIME_THREADS_MAX; k++)
        if (runtime_thread_join(&t[k], NULL) != 0)
            return 4;
    struct runtime_thread_attr high = { .priority = 255, .budget_us = 1000, .period_us = 10000 };
    int over = runtime_thread_create(&t[0], sum_part, &parts[0], &high);
    printf("threads: %d threads, then %s and the manager's %s; a priority of 255: %s\n", RUNTIME_THREADS_MAX,
           e == EAGAIN ? "EAGAIN" : strerror(e), coffer_error_name(refusal), over == EPERM ? "EPERM" : strerror(over));
    bool right = e == EAGAIN && refusal == COFFER_ERR_PROC_THREADS_FULL && over == EPERM &&
                 runtime_thread_join(&t[1], NULL) == EINVAL;
    return right ? 0 : 6;
}

int main(int argc, char **argv)
{
    static struct runtime_thread t[2];
    const char *what = argc > 1 ? argv[1] : "4";
    if (strcmp(what, "full") == 0)
        return full();
    if (strcmp(what, "fault") == 0) {
        if (runtime_thread_create(&t[0], store_at_zero, NULL, NULL) != 0)
            return 3;
        runtime_thread_join(&t[0], NULL); /* never returns: the process ends at the fault */
        return 7;
    }
    if (strcmp(what, "spin") == 0) {
        if (runtime_thread_create(&t[0], forever, NULL, NULL) != 0 ||
            runtime_thread_create(&t[1], forever, NULL, NULL) != 0)
            return 3;
        printf("threads: two threads spinning\n");
        fflush(stdout);
        runtime_thread_join(&t[0], NULL); /* until it is killed */
        return 7;
    }
    return sums((unsigned)atoi(what));
}
