/*
 * The threads layer on the host: a scheduling context that dies while it
 * is lent along a chain of calls (client -> passive server P -> passive
 * server B), as when a client is killed while a server it called is
 * calling another on its time (the process manager buying from the bank).
 *
 * B, running on it, hears at once (COFFER_FAULT_CONTEXT_GONE to its
 * timeout handler).  P, waiting for B's reply, hears when that reply
 * comes -- with its message intact -- or when the wait ends otherwise
 * (the reply object deleted: ABORTED), so the chain unwinds in order on
 * the handler's contexts.  The client, the context's home, is not told:
 * its own context is gone, which its owner did.
 *
 * Built as the other threads tests are (threads_fixture.h); the
 * invariants are checked after each step.
 */
#define _POSIX_C_SOURCE 200809L
#include "threads_checks.h"

#define FAULT_INFO MI(COFFER_FAULT_CONTEXT_GONE, COFFER_FAULT_WORDS)

/* One chain: client C calls P, which calls B, all on C's context. */
struct chain {
    struct handler_fx h;
    struct thread *client, *p, *b;
    struct sched_context *csc;
    uint64_t pe, pr, be, br; /* endpoints and reply objects of P and B */
};

static struct thread *passive_rescued(const char *name, uint64_t ep, uint64_t reply, uint64_t handler)
{
    struct thread *t = passive_server(name, 20, ep, reply);
    fx_invoke(fx_tcb_cptr(t), COFFER_INV_TCB_SET_TIMEOUT_HANDLER, handler, 0, 0);
    return t;
}

static struct chain chain_make(void)
{
    struct chain c;
    c.h = new_handler();
    c.pe = fx_endpoint(NULL);
    c.pr = fx_reply(NULL);
    c.be = fx_endpoint(NULL);
    c.br = fx_reply(NULL);
    c.p = passive_rescued("P", c.pe, c.pr, c.h.cptr);
    c.b = passive_rescued("B", c.be, c.br, c.h.cptr);
    c.client = fx_active("C", 10, 1000, 10000, &c.csc);
    fx_invoke(fx_tcb_cptr(c.client), COFFER_INV_TCB_SET_TIMEOUT_HANDLER, c.h.cptr, 0, 0);
    fx_recv(c.h.thread, c.h.cptr, c.h.reply_cptr);
    fx_call(c.client, c.pe, MI(1, 0), 0, 0);
    arch_set_pc(&c.p->regs, 0x5000);
    fx_call(c.p, c.be, MI(2, 0), 0, 0);
    arch_set_pc(&c.b->regs, 0x6000);
    return c;
}

/* The handler lends t a context of its own and replies to t's fault. */
static struct sched_context *rescue(struct chain *c, struct thread *t)
{
    struct sched_context *sc;
    uint64_t scp = fx_sched_context(&sc);
    fx_configure(scp, 1000, 1000);
    fx_invoke(fx_tcb_cptr(t), COFFER_INV_TCB_LEND_SCHED_CONTEXT, scp, 0, 0);
    fx_send(c->h.thread, c->h.reply_cptr, MI(0, 0), 0, 0);
    fx_recv(c->h.thread, c->h.cptr, c->h.reply_cptr);
    return sc;
}

static void test_chain_unwinds(void)
{
    fx_setup();
    struct chain c = chain_make();
    bool on_loan = c.b->sc == c.csc && c.p->sc == NULL && c.p->state == THREAD_BLOCKED_REPLY;
    fx_delete(fx_sc_cptr(c.csc));
    tap_ok(on_loan && c.b->sc == NULL && GOT(c.h.thread, FAULT_INFO, 0, 0x6000, 0, 0) &&
               c.p->state == THREAD_BLOCKED_REPLY && c.p->loan_died,
           "the context dies two loans up: B, running on it, is told; P still waits for B, flagged");
    fx_check("a context died two loans up");

    struct sched_context *bsc = rescue(&c, c.b);
    fx_reply_recv(c.b, c.be, c.br, MI(0, 1), 42); /* B answers P and receives again */
    tap_ok(c.b->state == THREAD_BLOCKED_RECV && bsc->thread == NULL && c.p->sc == NULL &&
               !c.p->loan_died && c.p->state == THREAD_BLOCKED_REPLY && c.p->reply == c.h.reply &&
               GOT(c.h.thread, FAULT_INFO, 0, 0x5000, 0, 0),
           "B rescued answers P: P, with no context to run on, is told (its pc) when the reply comes");
    fx_check("a reply that brought no context back");

    rescue(&c, c.p);
    tap_ok(runnable_queued(c.p) && arch_pc(&c.p->regs) == 0x5000 && GOT(c.p, MI(0, 1), 0, 42),
           "P rescued runs on where it was, with B's answer as its call's result");
    fx_reply_recv(c.p, c.pe, c.pr, MI(0, 1), 7);
    tap_ok(c.client->state == THREAD_RUNNABLE && c.client->sc == NULL && !sched_is_queued(c.client) &&
               GOT(c.client, MI(0, 1), 0, 7) && c.h.thread->state == THREAD_BLOCKED_RECV,
           "P answers the client, the context's home: it has its answer and no context, and is not told");
    fx_check("a chain unwound on the handler's contexts");
    fx_reset();
}

static void test_reply_object_deleted(void)
{
    fx_setup();
    struct chain c = chain_make();
    fx_delete(fx_sc_cptr(c.csc));
    fx_recv(c.h.thread, c.h.cptr, c.h.reply_cptr); /* B's fault abandoned: B stays stopped */
    fx_delete(c.br);
    tap_ok(c.p->state == THREAD_BLOCKED_REPLY && c.p->reply == c.h.reply && !c.p->loan_died &&
               arch_syscall_result(&c.p->regs).error == COFFER_ERR_ABORTED &&
               GOT(c.h.thread, FAULT_INFO, 0, 0x5000, 0, 0),
           "B's reply object deleted while P waits on a dead loan: P's call ABORTED and P told");
    fx_check("a dead loan's reply object deleted");
    fx_reset();
}

static void test_waiter_stopped(void)
{
    fx_setup();
    struct chain c = chain_make();
    fx_delete(fx_sc_cptr(c.csc));
    bool flagged = c.p->loan_died;
    fx_invoke(fx_tcb_cptr(c.p), COFFER_INV_TCB_SUSPEND, 0, 0, 0);
    tap_ok(flagged && c.p->state == THREAD_INACTIVE && !c.p->loan_died,
           "P suspended while it waits on a dead loan: the flag goes with the wait");
    struct sched_context *bsc = rescue(&c, c.b);
    fx_reply_recv(c.b, c.be, c.br, MI(0, 0), 0);
    tap_ok(c.p->state == THREAD_INACTIVE && bsc->thread == NULL && c.h.thread->state == THREAD_BLOCKED_RECV,
           "B's answer then finds no caller: nobody is told");
    fx_check("a waiter on a dead loan suspended");
    fx_reset();
}

int main(void)
{
    test_chain_unwinds();
    test_reply_object_deleted();
    test_waiter_stopped();
    return tap_done();
}
