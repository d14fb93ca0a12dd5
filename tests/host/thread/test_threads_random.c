/*
 * The threads layer under random operations, on the host: threads with
 * and without scheduling contexts send, call, receive, reply, signal,
 * wait (some until a deadline), poll, yield and ask for budget
 * (ENSURE_BUDGET) through the
 * system-call handlers, some messages
 * carrying a capability (into a receive slot that may be occupied), while the
 * fixture's anchor thread suspends, resumes, reprioritises and rebinds
 * them, sets their loan minimums (calls turned back) and timeout
 * endpoints (budgets spent and lent contexts gone send faults) and lends
 * them contexts until their next receive, time passes (charges, throttling, refills, round-robin ticks),
 * capabilities to endpoints, notifications and reply objects are deleted,
 * and threads and scheduling contexts die (a new thread takes a dead
 * one's place while the fixture has room).
 * After every step the invariants of thread.h, sched.h, sched_context.h
 * and ipc.h must hold (fx_invariants), and the derivation tree's.
 *
 * Only a thread that can run makes system calls, as in the kernel.  The
 * run is seeded: `test_threads_random SEED STEPS` reproduces one; make
 * test runs a short one, `make soak` a long one.
 */
#define _POSIX_C_SOURCE 200809L
#include "threads_checks.h"

enum { THREADS = 8, IPC_CAPS = 12 };

static uint64_t rng_state;

/* xorshift64*: small, seedable, good enough to pick operations. */
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static unsigned pick(unsigned n)
{
    return (unsigned)(rng() % n);
}

static struct thread *th[THREADS];
static uint64_t own_sc[THREADS]; /* its own context's cptr, 0: passive */
static uint64_t reply_of[THREADS];
static uint64_t recv_slot[THREADS]; /* where capabilities sent to it land */
static struct coffer_ipc_buffer *buf[THREADS];
static uint64_t ipc[IPC_CAPS]; /* endpoints, notifications, badged children */
static unsigned nipc;

/* Counts of what the run did, for the report. */
static unsigned calls_made, blocked_steps, anchor_ops, deletions, ticks, deaths, arrived, gave_up, turned_back;
static unsigned lent_until_recv, lent_died;

/* How many receive slots hold a capability. */
static unsigned filled_slots(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < THREADS; i++)
        n += fx_slot(recv_slot[i])->cap.type != CAP_NULL;
    return n;
}
static unsigned born; /* threads made, for their names */

/* Thread i, new: active (with a budget of half or nine tenths of its period)
 * or passive, with a reply object of its own. */
static void make_thread(unsigned i, unsigned kind, unsigned prio)
{
    char name[8];
    snprintf(name, sizeof name, "T%u", born++);
    struct sched_context *sc;
    reply_of[i] = fx_reply(NULL);
    uint64_t ep = ipc[pick(2) * 5]; /* an endpoint (build() makes them first), or what took its place */
    if (kind < 2) {
        th[i] = fx_active(name, prio, kind == 0 ? 500 : 900, 1000, &sc);
        own_sc[i] = fx_sc_cptr(sc);
    } else if (fx_slot(ep)->cap.type == CAP_ENDPOINT) {
        /* A passive server waiting on it (if a sender waits already, it
         * takes that message and stays active). */
        th[i] = fx_active(name, prio, 1000, 1000, &sc);
        own_sc[i] = fx_sc_cptr(sc);
        fx_recv(th[i], ep, reply_of[i]);
        if (th[i]->state == THREAD_BLOCKED_RECV && fx_is_ok(fx_bind(th[i], COFFER_CPTR_NONE)))
            own_sc[i] = 0;
        fx_invoke(fx_tcb_cptr(th[i]), COFFER_INV_TCB_SET_LOAN_MINIMUM, 50 + pick(51), 0, 0);
    } else {
        th[i] = fx_passive(name, prio);
        own_sc[i] = 0;
    }
    buf[i] = fx_ipc_buffer(th[i]);
    recv_slot[i] = fx_new_slot();
    buf[i]->recv_cnode = 0; /* depth 0: the root CNode */
    buf[i]->recv_depth = 0;
    buf[i]->recv_index = recv_slot[i];
}

static void build(void)
{
    fx_setup();
    born = 0;
    nipc = 0;
    for (unsigned i = 0; i < 2; i++) {
        uint64_t ep = fx_endpoint(NULL), n = fx_notification(NULL);
        ipc[nipc++] = ep;
        ipc[nipc++] = fx_mint(ep, CAP_RIGHTS_ALL, 0x10 + i);
        ipc[nipc++] = fx_mint(ep, CAP_RIGHT_WRITE, 0x20 + i); /* send only */
        ipc[nipc++] = n;
        ipc[nipc++] = fx_mint(n, CAP_RIGHTS_ALL, 1ull << i);
    }
    static const unsigned prio[THREADS] = { 10, 10, 20, 30, 200, 10, 20, 30 };
    for (unsigned i = 0; i < THREADS; i++)
        make_thread(i, i < 2 ? 0 : i < 5 ? 1 : 2, prio[i]);
    /* T2 also hears the first notification while it receives. */
    fx_is_ok(fx_invoke(fx_tcb_cptr(th[2]), COFFER_INV_TCB_BIND_NOTIFICATION, ipc[3], 0, 0));
}

/* A random thread that can run, or NULL. */
static struct thread *runnable_thread(unsigned *index)
{
    unsigned start = pick(THREADS);
    for (unsigned k = 0; k < THREADS; k++) {
        unsigned i = (start + k) % THREADS;
        if (!fx_is_dead(th[i]) && sched_can_run(th[i])) {
            *index = i;
            return th[i];
        }
    }
    return NULL;
}

static uint64_t any_ipc_cap(void)
{
    return ipc[pick(nipc)];
}

/* A capability to send: to an IPC object, a reply object or a context. */
static uint64_t any_transferable(void)
{
    unsigned k = pick(3);
    if (k == 0)
        return any_ipc_cap();
    unsigned j = pick(THREADS);
    return k == 1 || own_sc[j] == 0 ? reply_of[j] : own_sc[j];
}

/* Thread i makes a random IPC system call. */
static void thread_step(unsigned i)
{
    struct thread *t = th[i];
    unsigned caps = pick(3) == 0;
    if (caps)
        buf[i]->caps[0] = any_transferable();
    uint64_t info = COFFER_MSGINFO(pick(4), caps, pick(COFFER_MSG_REG_WORDS + 1));
    uint64_t w0 = rng(), w1 = rng();
    /* The general path charges the time so far at entry; a spent budget
     * stops the thread at its ecall (sched_charge). */
    current_thread = t;
    host_time += pick(2) == 0 ? pick(5000) : 0; /* up to 500 us since the last entry */
    if (!sched_charge())
        return;
    calls_made++;
    /* A thread on a lent context mostly answers and waits again, as a
     * passive server does. */
    unsigned op = t->home_sc == NULL && pick(2) == 0 ? 5 : pick(10);
    switch (op) {
    case 0: fx_send4(t, COFFER_SYS_SEND, any_ipc_cap(), info, w0, w1, 0, 0); break;
    case 1: fx_send4(t, COFFER_SYS_NB_SEND, any_ipc_cap(), info, w0, w1, 0, 0); break;
    case 2: fx_call(t, any_ipc_cap(), info, w0, w1); break;
    case 3: /* half of them with a deadline, some already past */
        fx_syscall(t, COFFER_SYS_RECV, any_ipc_cap(), pick(2) ? 0 : host_time - 100 + pick(10000), 0, 0, 0, 0,
                   reply_of[i]);
        break;
    case 4: fx_nb_recv(t, any_ipc_cap(), reply_of[i]); break;
    case 5: fx_reply_recv(t, any_ipc_cap(), reply_of[i], info, w0); break;
    case 6: fx_syscall(t, COFFER_SYS_YIELD, 0, 0, 0, 0, 0, 0, 0); break;
    case 7: fx_send4(t, COFFER_SYS_SEND, reply_of[i], info, w0, w1, 0, 0); break; /* reply */
    case 8:
        gave_up += fx_syscall(t, COFFER_SYS_ENSURE_BUDGET, pick(1200), 0, 0, 0, 0, 0, 0).detail0 == 1;
        break;
    default: fx_call(t, reply_of[pick(THREADS)], info, w0, w1); break; /* a reply object: refused */
    }

}

/* Time passes: the running thread is charged, the timer interrupt comes. */
static void time_step(void)
{
    unsigned i;
    current_thread = runnable_thread(&i);
    const struct sched_context *sc = current_thread != NULL ? current_thread->sc : NULL;
    if (sc != NULL && pick(2) == 0 && sc->remaining > 1000)
        host_time += sc->remaining - 1 - pick(1000); /* under 100 us left: short for a loan minimum */
    else
        host_time += pick(8000); /* up to 800 us: budgets of 500 us run out */
    sched_charge();
    sched_timer_interrupt();
    ticks++;
}

/* Delete until done (the deletion may stop at preemption points). */
static void delete_fully(uint64_t cptr)
{
    for (unsigned n = 0; n < 1000 && !fx_delete(cptr); n++)
        ;
}

/* Delete an IPC capability (rarely): the object dies with its last one,
 * waking its waiters in steps.  Calls through the emptied slot fail; a
 * new object of the same kind takes its place in the list while the
 * fixture has room. */
static void delete_step(void)
{
    unsigned j = pick(THREADS);
    if (pick(2) == 0 && fx_slot(recv_slot[j])->cap.type != CAP_NULL) {
        delete_fully(recv_slot[j]); /* a capability it received */
        deletions++;
        return;
    }
    unsigned k = pick(nipc);
    uint64_t cptr = ipc[k];
    enum cap_type type = (enum cap_type)fx_slot(cptr)->cap.type;
    if (type == CAP_NULL)
        return; /* deleted before, no room to replace it */
    delete_fully(cptr);
    deletions++;
    if (fx_next_slot + 2 < FX_SLOTS && fx_neps + 1 < FX_MAX_OBJECTS &&
        fx_nntfns + 1 < FX_MAX_OBJECTS)
        ipc[k] = type == CAP_ENDPOINT ? fx_endpoint(NULL) : fx_notification(NULL);
}

/* Room in the fixture for a new thread and its objects? */
static bool room(void)
{
    return fx_nthreads + 1 < FX_MAX_THREADS && fx_nscs + 1 < FX_MAX_OBJECTS &&
           fx_nreplies + 1 < FX_MAX_OBJECTS && fx_next_slot + 12 < FX_SLOTS &&
           fx_nallocs + 8 < FX_MAX_ALLOCS;
}

/* A thread or a scheduling context dies, with whatever waits on it or
 * runs on it; a new one takes its place.  (Only while the fixture has
 * room, so that long runs keep their population.) */
static void death_step(void)
{
    unsigned i = pick(THREADS);
    for (unsigned k = 0; k < THREADS && pick(2) == 0; k++) /* often a context on loan, if one is */
        if (!fx_is_dead(th[k]) && own_sc[k] != 0) {
            const struct sched_context *c = sched_context_of_cap(&fx_slot(own_sc[k])->cap);
            if (c->thread != NULL && c->thread != c->home)
                i = k;
        }
    if (fx_is_dead(th[i]) || !room())
        return;
    deaths++;
    if (pick(2) == 0 && own_sc[i] != 0) {
        const struct sched_context *old = sched_context_of_cap(&fx_slot(own_sc[i])->cap);
        lent_died += old->thread != NULL && old->thread != old->home;
        delete_fully(own_sc[i]);
        struct sched_context *sc;
        own_sc[i] = fx_sched_context(&sc);
        fx_configure(own_sc[i], 1000, 1000);
        fx_bind(th[i], own_sc[i]); /* refused while it runs on a lent one */
        return;
    }
    delete_fully(fx_tcb_cptr(th[i]));
    make_thread(i, pick(3), pick(256));
}

/* The anchor changes a thread's state, priority or context. */
static void anchor_step(void)
{
    unsigned i = pick(THREADS);
    if (fx_is_dead(th[i]))
        return;
    uint64_t tcb = fx_tcb_cptr(th[i]);
    anchor_ops++;
    switch (pick(8)) {
    case 0: fx_invoke(tcb, COFFER_INV_TCB_SUSPEND, 0, 0, 0); break;
    case 6: /* timeout faults (budgets spent, lent contexts gone) into the IPC world */
        fx_invoke(tcb, COFFER_INV_TCB_SET_TIMEOUT_HANDLER, pick(2) ? ipc[pick(2) * 5] : 0, 0, 0);
        break;
    case 7: /* a context lent until its next receive (refused unless it has none) */
        if (own_sc[i] != 0)
            lent_until_recv += fx_invoke(tcb, COFFER_INV_TCB_LEND_SCHED_CONTEXT, own_sc[i], 0, 0).error == COFFER_ERR_OK;
        break;
    case 5: fx_invoke(tcb, COFFER_INV_TCB_SET_LOAN_MINIMUM, pick(3) == 0 ? 0 : pick(101), 0, 0); break;
    case 1: fx_resume(th[i]); break;
    case 2: fx_set_priority(th[i], pick(256)); break;
    case 3: fx_bind(th[i], COFFER_CPTR_NONE); break;
    default:
        if (own_sc[i] != 0)
            fx_bind(th[i], own_sc[i]); /* back to its own (refused if lent out) */
        break;
    }
}

/* Nobody can run: the anchor cuts a random thread's wait short and
 * gives it its own context back, as a supervisor would. */
static void rescue(void)
{
    unsigned i = pick(THREADS);
    blocked_steps++;
    if (fx_is_dead(th[i]))
        return;
    fx_invoke(fx_tcb_cptr(th[i]), COFFER_INV_TCB_SUSPEND, 0, 0, 0);
    fx_resume(th[i]);
    if (own_sc[i] != 0)
        fx_bind(th[i], own_sc[i]);
}

static bool run(uint64_t seed, unsigned steps)
{
    rng_state = seed != 0 ? seed : 1;
    build();
    for (unsigned step = 0; step < steps; step++) {
        uint64_t pc[THREADS];
        for (unsigned k = 0; k < THREADS; k++)
            pc[k] = arch_pc(&th[k]->regs);
        unsigned r = pick(1000), i;
        if (r < 2)
            death_step();
        else if (r < 5)
            delete_step();
        else if (r < 150)
            anchor_step();
        else if (r < 250)
            time_step();
        else if (runnable_thread(&i) != NULL) {
            unsigned before = filled_slots();
            thread_step(i);
            arrived += filled_slots() > before;
        }
        else
            rescue(); /* nobody can run */
        for (unsigned k = 0; k < THREADS; k++) /* a call turned back (loan minimum): at its ecall again */
            turned_back += !fx_is_dead(th[k]) && arch_pc(&th[k]->regs) == pc[k] - 4;
        if (!fx_invariants()) {
            tap_diag("seed %llu, step %u: %s", (unsigned long long)seed, step, fx_why);
            return false;
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 20261122;
    unsigned steps = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 20000;
    bool good = run(seed, steps);
    tap_diag("%u system calls (%u delivered a capability, %u gave up a budget, %u turned back), %u anchor "
             "operations (%u contexts lent until a receive), %u time steps, %u deletions, %u deaths (%u of contexts "
             "on loan), %u rescues (nobody able to run)",
             calls_made, arrived, gave_up, turned_back, anchor_ops, lent_until_recv, ticks, deletions, deaths,
             lent_died, blocked_steps);
    char name[160];
    snprintf(name, sizeof name,
             "random threads layer: %u steps (seed %llu), invariants hold after every one", steps,
             (unsigned long long)seed);
    tap_ok(good, name);
    tap_ok(arrived > 0 && deaths > 0 && deletions > 0 && gave_up > 0,
           "random threads layer: capabilities were transferred, budgets given up, objects and threads died");
    fx_reset();
    return tap_done();
}
