/*
 * Checks and set-ups shared by the threads-layer host tests
 * (test_sched_context.c, test_ipc.c, test_thread_deaths.c,
 * test_threads_random.c), over threads_fixture.h.  survives() forks: the
 * including file defines _POSIX_C_SOURCE first.
 */
#ifndef COFFER_TESTS_THREADS_CHECKS_H
#define COFFER_TESTS_THREADS_CHECKS_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "threads_fixture.h"

#define MI(label, len) COFFER_MSGINFO((label), 0, (len))

#define TICKS_PER_US 10 /* arch_time_hz() is 10 MHz on the host */

/* Did t receive a message: error OK, info, the first n words, badge? */
static inline bool got(const struct thread *t, uint64_t info, unsigned n, const uint64_t *words,
                uint64_t badge)
{
    const struct arch_user_regs *r = &t->regs;
    bool good = arch_syscall_result(r).error == COFFER_ERR_OK && arch_msg_info(r) == info &&
                arch_badge(r) == badge;
    for (unsigned i = 0; i < n; i++)
        good = good && arch_msg_reg(r, i) == words[i];
    if (!good)
        tap_diag("%s: error %llu info %#llx words %llu %llu %llu %llu badge %#llx", t->name,
                 (unsigned long long)arch_syscall_result(r).error,
                 (unsigned long long)arch_msg_info(r), (unsigned long long)arch_msg_reg(r, 0),
                 (unsigned long long)arch_msg_reg(r, 1), (unsigned long long)arch_msg_reg(r, 2),
                 (unsigned long long)arch_msg_reg(r, 3), (unsigned long long)arch_badge(r));
    return good;
}
#define GOT(t, info, badge, ...)                                                         \
    got((t), (info), (unsigned)(sizeof((uint64_t[]){ __VA_ARGS__ }) / sizeof(uint64_t)), \
        (uint64_t[]){ __VA_ARGS__ }, (badge))
#define GOT0(t, info, badge) got((t), (info), 0, NULL, (badge))

static inline bool runnable_queued(const struct thread *t)
{
    return t->state == THREAD_RUNNABLE && sched_is_queued(t);
}

/* Woken from a wait that was cut short: error ABORTED, runnable. */
static inline bool aborted(const struct thread *t)
{
    uint64_t error = arch_syscall_result(&t->regs).error;
    if (error != COFFER_ERR_ABORTED || t->state != THREAD_RUNNABLE)
        tap_diag("%s: error %llu, state %u", t->name, (unsigned long long)error,
                 (unsigned)t->state);
    return error == COFFER_ERR_ABORTED && t->state == THREAD_RUNNABLE;
}

static inline bool all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0)
            return false;
    return true;
}

/* Charging starts now: the time until the next sched_charge() is t's. */
static inline void start_running(struct thread *t)
{
    current_thread = NULL;
    sched_charge();
    current_thread = t;
}

/* A passive server: started with a context, waiting in RECV on ep with
 * reply object `reply`, then its context unbound (and deleted). */
static inline struct thread *passive_server(const char *name, unsigned prio, uint64_t ep, uint64_t reply)
{
    struct sched_context *sc;
    struct thread *t = fx_active(name, prio, 1000, 1000, &sc);
    fx_recv(t, ep, reply);
    if (t->state != THREAD_BLOCKED_RECV || !fx_is_ok(fx_bind(t, COFFER_CPTR_NONE)) || t->sc != NULL)
        fx_bail("cannot make a passive server");
    return t;
}

/* A handler thread (active, priority 50) with the endpoint it will hear
 * faults on and its reply object. */
struct handler_fx {
    struct endpoint *ep;
    struct reply *reply;
    uint64_t cptr, reply_cptr;
    struct thread *thread;
};

static inline struct handler_fx new_handler(void)
{
    struct handler_fx f;
    f.cptr = fx_endpoint(&f.ep);
    f.reply_cptr = fx_reply(&f.reply);
    f.thread = fx_active("H", 50, 1000, 1000, NULL);
    return f;
}

/* Run fn in a child process (the kernel code under test may crash);
 * true if it returned normally.  The child's output (an ASan report) is
 * thrown away unless FX_CHILD_OUTPUT is set in the environment. */
static inline bool survives(void (*fn)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        fx_bail("fork failed");
    if (pid == 0) {
        int fd = getenv("FX_CHILD_OUTPUT") != NULL ? -1 : open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        fn();
        _exit(0);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
        return false;
    bool good = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!good)
        tap_diag("the child %s %d", WIFEXITED(status) ? "exited with status" : "died of signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return good;
}

#endif
