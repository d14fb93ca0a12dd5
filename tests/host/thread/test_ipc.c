/*
 * The threads layer on the host: IPC -- send and receive, calls, replies
 * and lending of scheduling contexts -- and notifications.  (Scheduling
 * contexts: test_sched_context.c; deaths: test_thread_deaths.c.)
 *
 * Threads, objects and capabilities are built in host memory
 * (threads_fixture.h); system calls go to their handlers as
 * syscall_dispatch() sends them, with current_thread set to the caller;
 * invocations go through sys_CALL, deletions through cap_delete().  Time
 * is host_time, advanced by hand; schedule() is never called.
 * After each scenario the invariants of thread.h, sched.h,
 * sched_context.h and ipc.h are checked over everything it made, with
 * the ready queues walked through the public scheduler API.
 */
#define _POSIX_C_SOURCE 200809L
#include "threads_checks.h"

/* ---- 3. IPC: send and receive -------------------------------------------- */

static void test_send_recv(void)
{
    fx_setup();
    struct endpoint *ep;
    uint64_t e = fx_endpoint(&ep);
    uint64_t eb = fx_mint(e, CAP_RIGHTS_ALL, 0x77);
    struct reply *rr;
    uint64_t rc = fx_reply(&rr);
    struct thread *rx = fx_active("R", 10, 1000, 1000, NULL);
    struct thread *tx = fx_active("S", 10, 1000, 1000, NULL);

    fx_recv(rx, e, rc);
    arch_set_msg_reg(&rx->regs, 3, 0xdead); /* a register the message must not reach */
    tap_ok(rx->state == THREAD_BLOCKED_RECV && !sched_is_queued(rx) && ep->state == EP_RECEIVING &&
               ep->queue.head == rx && rr->receiver == rx && rx->reply == rr &&
               rx->blocked_on == ep && FX_QUEUE(10, tx),
           "recv, no sender: the receiver blocks in the endpoint's queue with its reply object");
    fx_check("a receiver waits");
    struct coffer_result r = fx_send4(tx, COFFER_SYS_SEND, eb, MI(9, 3), 11, 22, 33, 44);
    tap_ok(fx_is_ok(r) && runnable_queued(tx), "send to a waiting receiver: OK, the sender goes on");
    tap_ok(GOT(rx, MI(9, 3), 0x77, 11, 22, 33) && arch_msg_reg(&rx->regs, 3) == 0xdead,
           "the receiver: a0 OK, a1 label and length, a2.. the words, a6 the badge; no register "
           "beyond the length written");
    tap_ok(runnable_queued(rx) && FX_QUEUE(10, tx, rx) && ep->state == EP_IDLE &&
               ep->queue.head == NULL && rr->receiver == NULL && rx->reply == NULL &&
               rx->blocked_on == NULL,
           "the receiver is runnable again, behind the sender; the endpoint is idle");
    fx_check("a send to a waiting receiver");

    fx_send(tx, e, MI(3, 2), 5, 6);
    tap_ok(tx->state == THREAD_BLOCKED_SEND && !sched_is_queued(tx) && ep->state == EP_SENDING &&
               ep->queue.head == tx && tx->blocked_on == ep && FX_QUEUE(10, rx),
           "send, no receiver: the sender blocks in the endpoint's queue");
    fx_check("a sender waits");
    fx_recv(rx, e, rc);
    tap_ok(GOT(rx, MI(3, 2), 0, 5, 6) && runnable_queued(rx),
           "recv takes the waiting sender's message at once (unbadged: a6 0)");
    tap_ok(runnable_queued(tx) && arch_syscall_result(&tx->regs).error == COFFER_ERR_OK && ep->state == EP_IDLE &&
               rr->receiver == NULL && FX_QUEUE(10, rx, tx),
           "the blocked sender is woken with OK, behind the receiver");
    fx_check("a receive from a waiting sender");

    /* FIFO order both ways. */
    struct thread *tx2 = fx_active("S2", 10, 1000, 1000, NULL);
    fx_send(tx, eb, MI(1, 1), 111, 0);
    fx_send(tx2, e, MI(2, 1), 222, 0);
    fx_recv(rx, e, rc);
    bool first = GOT(rx, MI(1, 1), 0x77, 111);
    fx_recv(rx, e, rc);
    tap_ok(first && GOT(rx, MI(2, 1), 0, 222) && ep->state == EP_IDLE && runnable_queued(tx) &&
               runnable_queued(tx2),
           "two blocked senders are received in the order they came");
    struct reply *rr2;
    uint64_t rc2 = fx_reply(&rr2);
    fx_recv(rx, e, rc);
    fx_recv(tx2, e, rc2);
    fx_send(tx, e, MI(1, 1), 1, 0);
    bool one = GOT(rx, MI(1, 1), 0, 1) && tx2->state == THREAD_BLOCKED_RECV;
    fx_send(tx, e, MI(2, 1), 2, 0);
    tap_ok(one && GOT(tx2, MI(2, 1), 0, 2) && ep->state == EP_IDLE,
           "two blocked receivers get messages in the order they came");
    fx_check("FIFO endpoint queues");

    /* Non-blocking. */
    r = fx_send4(tx, COFFER_SYS_NB_SEND, e, MI(1, 1), 1, 0, 0, 0);
    tap_ok(fx_is(r, COFFER_ERR_WOULD_BLOCK, 0, 0) && runnable_queued(tx) && ep->state == EP_IDLE,
           "NB_SEND with no receiver: WOULD_BLOCK, the sender does not wait");
    r = fx_nb_recv(rx, e, rc);
    tap_ok(fx_is(r, COFFER_ERR_WOULD_BLOCK, 0, 0) && runnable_queued(rx) && ep->state == EP_IDLE &&
               rr->receiver == NULL && rx->reply == NULL,
           "NB_RECV with no sender: WOULD_BLOCK, the reply object is not held");
    fx_send(tx, e, MI(4, 1), 44, 0);
    r = fx_nb_recv(rx, e, rc);
    tap_ok(GOT(rx, MI(4, 1), 0, 44) && runnable_queued(tx) && arch_syscall_result(&tx->regs).error == COFFER_ERR_OK,
           "NB_RECV with a sender waiting: receives");
    fx_recv(rx, e, rc);
    r = fx_send4(tx, COFFER_SYS_NB_SEND, e, MI(5, 1), 55, 0, 0, 0);
    tap_ok(fx_is_ok(r) && GOT(rx, MI(5, 1), 0, 55) && runnable_queued(rx),
           "NB_SEND with a receiver waiting: delivers");
    fx_check("non-blocking IPC");

    /* Message length. */
    fx_recv(rx, e, rc);
    r = fx_send4(tx, COFFER_SYS_SEND, e, MI(0, 5), 1, 2, 3, 4);
    tap_ok(fx_is(r, COFFER_ERR_RANGE_ERROR, 0, COFFER_MSG_REG_WORDS) && runnable_queued(tx) &&
               rx->state == THREAD_BLOCKED_RECV,
           "length 5 without an IPC buffer: RANGE_ERROR(0, 4), nothing delivered");
    r = fx_call(tx, e, MI(0, 5), 1, 2);
    tap_ok(fx_is(r, COFFER_ERR_RANGE_ERROR, 0, COFFER_MSG_REG_WORDS) && runnable_queued(tx) &&
               rx->state == THREAD_BLOCKED_RECV,
           "the same for a call");
    struct coffer_ipc_buffer *sb = fx_ipc_buffer(tx), *rb = fx_ipc_buffer(rx);
    for (unsigned i = 4; i < 8; i++)
        sb->mr[i] = 1000 + i;
    r = fx_send4(tx, COFFER_SYS_SEND, e, MI(7, 8), 1000, 1001, 1002, 1003);
    tap_ok(fx_is_ok(r) && GOT(rx, MI(7, 8), 0, 1000, 1001, 1002, 1003) && rb->mr[4] == 1004 &&
               rb->mr[7] == 1007 && rb->mr[8] == 0,
           "length 8 with IPC buffers: words 0-3 in registers, 4-7 copied buffer to buffer");
    r = fx_send4(tx, COFFER_SYS_SEND, e, MI(0, COFFER_MSG_MAX_WORDS + 1), 0, 0, 0, 0);
    tap_ok(fx_is(r, COFFER_ERR_RANGE_ERROR, 0, COFFER_MSG_MAX_WORDS) && runnable_queued(tx),
           "length 121 with an IPC buffer: RANGE_ERROR(0, 120)");

    /* Capabilities and rights. */
    uint64_t ro = fx_mint(e, CAP_RIGHT_READ, 0), wo = fx_mint(e, CAP_RIGHT_WRITE, 0);
    tap_ok(fx_is(fx_send(tx, ro, MI(0, 0), 0, 0), COFFER_ERR_INVALID_CAPABILITY, 0, 0) &&
               fx_is(fx_call(tx, ro, MI(0, 0), 0, 0), COFFER_ERR_INVALID_CAPABILITY, 0, 0) &&
               fx_is(fx_recv(rx, wo, rc), COFFER_ERR_INVALID_CAPABILITY, 0, 0) &&
               runnable_queued(tx) && runnable_queued(rx) && ep->state == EP_IDLE,
           "send or call without WRITE, receive without READ: INVALID_CAPABILITY");
    tap_ok(fx_is(fx_recv(rx, e, e), COFFER_ERR_INVALID_CAPABILITY, 6, 0) &&
               fx_is(fx_recv(rx, e, FX_SLOTS - 1), COFFER_ERR_INVALID_CAPABILITY, 6, 0) &&
               fx_is(fx_send(tx, FX_SLOTS - 1, MI(0, 0), 0, 0), COFFER_ERR_INVALID_CAPABILITY, 0, 0) &&
               runnable_queued(rx) && rr->receiver == NULL,
           "recv with a non-reply (or nothing) in a6: INVALID_CAPABILITY(6); send on an empty "
           "slot: INVALID_CAPABILITY");
    fx_recv(rx, e, rc);
    tap_ok(fx_is(fx_recv(tx2, e, rc), COFFER_ERR_ILLEGAL_OPERATION, 0, 0) &&
               runnable_queued(tx2) && rr->receiver == rx && ep->queue.head == rx &&
               ep->queue.tail == rx,
           "recv with a reply object another thread receives with: ILLEGAL_OPERATION");
    fx_check("IPC errors");
    fx_reset();
}

/* ---- 4. IPC: calls, replies, lending --------------------------------------- */

static void test_calls(void)
{
    fx_setup();
    struct endpoint *ep;
    uint64_t e = fx_endpoint(&ep);
    struct reply *rr;
    uint64_t rc = fx_reply(&rr);
    struct sched_context *csc;
    struct thread *cl = fx_active("C", 10, 1000, 1000, &csc);
    struct thread *srv = passive_server("P", 20, e, rc);
    struct thread *other = fx_active("X", 20, 1000, 1000, NULL);
    tap_ok(srv->state == THREAD_BLOCKED_RECV && srv->sc == NULL && srv->home_sc == NULL &&
               rr->receiver == srv && FX_QUEUE(20, other),
           "a server whose context is unbound while it waits is passive");
    fx_check("a passive server waits");

    struct coffer_result r = fx_call(cl, e, MI(4, 2), 100, 200);
    tap_ok(cl->state == THREAD_BLOCKED_REPLY && cl->reply == rr && rr->caller == cl &&
               !sched_is_queued(cl) && arch_syscall_result(&cl->regs).error == e,
           "call: the caller waits for the reply, linked to the receiver's reply object");
    tap_ok(srv->sc == csc && csc->thread == srv && cl->sc == NULL && cl->home_sc == csc &&
               csc->home == cl && csc->lent_via == rr && rr->lent == csc,
           "call to a passive server lends it the caller's scheduling context");
    tap_ok(GOT(srv, MI(4, 2), 0, 100, 200) && runnable_queued(srv) && FX_QUEUE(20, srv, other) &&
               rr->receiver == NULL && srv->reply == NULL,
           "the server receives the call and is queued first at its priority");
    fx_check("a call to a passive server");

    r = fx_reply_recv(srv, e, rc, MI(6, 1), 7);
    tap_ok(GOT(cl, MI(6, 1), 0, 7) && runnable_queued(cl) && cl->sc == csc && csc->thread == cl &&
               csc->lent_via == NULL && rr->lent == NULL && rr->caller == NULL,
           "REPLY_RECV: the caller gets the reply and its context back");
    tap_ok(srv->state == THREAD_BLOCKED_RECV && srv->sc == NULL && rr->receiver == srv &&
               !sched_is_queued(srv) && ep->state == EP_RECEIVING,
           "REPLY_RECV: the server waits again with the same reply object, without a context");
    fx_check("REPLY_RECV");

    fx_syscall(cl, COFFER_SYS_CALL, e, MI(4, 2), 300, 400, 0, 0, 0xbad);
    bool again = GOT(srv, MI(4, 2), 0, 300, 400) && srv->sc == csc;
    r = fx_send(srv, rc, MI(5, 1), 99, 0);
    tap_ok(again && fx_is_ok(r) && GOT(cl, MI(5, 1), 0, 99),
           "reply by SEND on the reply object: OK; the caller gets the message, badge 0");
    tap_ok(runnable_queued(cl) && cl->sc == csc && csc->thread == cl && srv->sc == NULL &&
               !sched_is_queued(srv) && rr->caller == NULL && rr->lent == NULL &&
               csc->lent_via == NULL && cl->reply == NULL,
           "the reply gives the context back: the caller runs, the passive server cannot");
    r = fx_send(srv, rc, MI(5, 1), 98, 0);
    tap_ok(fx_is(r, COFFER_ERR_ILLEGAL_OPERATION, 0, 0) && arch_msg_reg(&cl->regs, 0) == 99,
           "replying twice: ILLEGAL_OPERATION, the caller untouched");
    fx_check("a reply");

    /* A call to an active server lends nothing. */
    struct endpoint *ep2;
    uint64_t e2 = fx_endpoint(&ep2);
    uint64_t e2b = fx_mint(e2, CAP_RIGHTS_ALL, 0x55);
    struct reply *ra;
    uint64_t rac = fx_reply(&ra);
    struct sched_context *asc;
    struct thread *act = fx_active("A", 30, 1000, 1000, &asc);
    struct thread *peer = fx_active("Y", 30, 1000, 1000, NULL);
    fx_recv(act, e2, rac);
    fx_call(cl, e2b, MI(1, 1), 5, 0);
    tap_ok(GOT(act, MI(1, 1), 0x55, 5) && act->sc == asc && cl->sc == csc && csc->thread == cl &&
               ra->lent == NULL && ra->caller == cl && cl->state == THREAD_BLOCKED_REPLY &&
               !sched_is_queued(cl) && FX_QUEUE(30, act, peer),
           "call to an active server: no loan, the server queued in front, the badge delivered");
    r = fx_send(act, rac, MI(2, 0), 0, 0);
    tap_ok(fx_is_ok(r) && GOT0(cl, MI(2, 0), 0) && runnable_queued(cl) && runnable_queued(act),
           "its reply wakes the caller; both run on their own contexts");
    fx_check("a call to an active server");

    /* The caller first, the server later. */
    fx_call(cl, e2, MI(3, 1), 6, 0);
    tap_ok(cl->state == THREAD_BLOCKED_SEND && (cl->ipc_flags & IPC_CALL) && ep2->state == EP_SENDING,
           "call with no receiver: the caller waits to send");
    fx_recv(act, e2, rac);
    tap_ok(GOT(act, MI(3, 1), 0, 6) && cl->state == THREAD_BLOCKED_REPLY && ra->caller == cl &&
               cl->reply == ra && ep2->state == EP_IDLE && !sched_is_queued(cl),
           "the receiver takes the call: the caller now waits for the reply");
    fx_check("a call received later");
    fx_recv(act, e2, rac);
    tap_ok(aborted(cl) && sched_is_queued(cl) && ra->caller == NULL && ra->receiver == act &&
               act->state == THREAD_BLOCKED_RECV,
           "receiving again with a reply object that holds a call: the caller gets ABORTED");
    fx_check("a call abandoned");

    /* A caller suspended while its context is lent gets it back at the reply. */
    struct reply *r3;
    uint64_t e3 = fx_endpoint(NULL), r3c = fx_reply(&r3);
    struct thread *srv2 = passive_server("P2", 20, e3, r3c);
    fx_call(cl, e3, MI(0, 0), 0, 0);
    bool lent = srv2->sc == csc && csc->lent_via == r3;
    r = fx_invoke(fx_tcb_cptr(cl), COFFER_INV_TCB_SUSPEND, 0, 0, 0);
    tap_ok(lent && fx_is_ok(r) && cl->state == THREAD_INACTIVE && arch_syscall_result(&cl->regs).error == COFFER_ERR_ABORTED &&
               r3->caller == NULL && srv2->sc == csc,
           "a caller suspended: INACTIVE, ABORTED, the server keeps the lent context");
    r = fx_send(srv2, r3c, MI(0, 0), 0, 0);
    tap_ok(fx_is(r, COFFER_ERR_ILLEGAL_OPERATION, 0, 0) && cl->sc == csc && csc->thread == cl &&
               csc->lent_via == NULL && r3->lent == NULL && srv2->sc == NULL &&
               !sched_is_queued(cl) && !sched_is_queued(srv2),
           "the server's reply finds nobody (ILLEGAL_OPERATION) but the context goes home");
    tap_ok(fx_is_ok(fx_resume(cl)) && runnable_queued(cl) && arch_syscall_result(&cl->regs).error == COFFER_ERR_ABORTED,
           "resumed, the caller runs with ABORTED");
    fx_check("a suspended caller");
    fx_reset();
}

/* ---- capability transfer: unwrapping ------------------------------------ */

/* A capability to the endpoint a message travels through does not move:
 * the receiver learns its badge, and it takes no receive slot. */
static void test_unwrap(void)
{
    fx_setup();
    struct endpoint *ep, *ep2;
    uint64_t e = fx_endpoint(&ep), other = fx_endpoint(&ep2);
    uint64_t mine = fx_mint(e, CAP_RIGHTS_ALL, 0x5eed), rc = fx_reply(NULL);
    struct thread *rx = fx_active("R", 10, 1000, 1000, NULL);
    struct thread *tx = fx_active("S", 10, 1000, 1000, NULL);
    struct coffer_ipc_buffer *rb = fx_ipc_buffer(rx), *sb = fx_ipc_buffer(tx);
    uint64_t slot = fx_new_slot(), next = fx_new_slot();
    (void)next;
    rb->recv_cnode = 0;
    rb->recv_depth = 0;
    rb->recv_index = slot;
    fx_recv(rx, e, rc);
    sb->caps[0] = mine;
    sb->caps[1] = other;
    sb->cap_modes = COFFER_XFER_MODES(COFFER_XFER_MOVE, COFFER_XFER_COPY, 0);
    struct coffer_result r = fx_send4(tx, COFFER_SYS_SEND, e, COFFER_MSGINFO(1, 2, 0), 0, 0, 0, 0);
    uint64_t info = arch_msg_info(&rx->regs);
    tap_ok(fx_is_ok(r) && COFFER_MSG_CAPS(info) == 2 && COFFER_MSG_UNWRAPPED(info) == 1 &&
               !(info & COFFER_MSG_CAP_LOST) && rb->caps[0] == 0x5eed && COFFER_MSG_LABEL(info) == 1,
           "unwrap: a capability to the endpoint itself arrives as its badge (bit 0 of the unwrapped mask)");
    tap_ok(fx_slot(mine)->cap.type == CAP_ENDPOINT && fx_slot(slot)->cap.type == CAP_ENDPOINT &&
               fx_slot(slot)->cap.object == fx_slot(other)->cap.object,
           "unwrap: even moved it stays with the sender; the next capability takes the first receive slot");
    fx_check("an unwrapped transfer");
    /* A reply unwraps nothing: the caller's capability to e arrives as one. */
    fx_delete(slot);
    fx_recv(rx, e, rc);
    struct coffer_ipc_buffer *cb = sb;
    cb->recv_cnode = 0;
    cb->recv_depth = 0;
    cb->recv_index = slot;
    fx_call(tx, e, COFFER_MSGINFO(2, 0, 0), 0, 0);
    rb->caps[0] = mine;
    rb->cap_modes = 0;
    fx_reply_recv(rx, e, rc, COFFER_MSGINFO(0, 1, 0), 0);
    info = arch_msg_info(&tx->regs);
    tap_ok(COFFER_MSG_CAPS(info) == 1 && COFFER_MSG_UNWRAPPED(info) == 0 && fx_slot(slot)->cap.type == CAP_ENDPOINT,
           "unwrap: a reply carries a capability to the endpoint as a capability");
    fx_check("a reply with an endpoint capability");
    fx_reset();
}

/* ---- 5. notifications ------------------------------------------------------ */

static void test_notifications(void)
{
    fx_setup();
    struct notification *n;
    uint64_t nc = fx_notification(&n);
    uint64_t n1 = fx_mint(nc, CAP_RIGHT_WRITE, 0x1), n4 = fx_mint(nc, CAP_RIGHT_WRITE, 0x4);
    uint64_t n2 = fx_mint(nc, CAP_RIGHT_WRITE, 0x2), nro = fx_mint(nc, CAP_RIGHT_READ, 0);
    struct thread *w = fx_active("W", 10, 1000, 1000, NULL);
    struct thread *s = fx_active("S", 10, 1000, 1000, NULL);

    struct coffer_result r1 = fx_send(s, n1, MI(0, 0), 0, 0), r4 = fx_send(s, n4, MI(0, 0), 0, 0);
    tap_ok(fx_is_ok(r1) && fx_is_ok(r4) && n->pending && n->word == 0x5 && runnable_queued(s),
           "signals with no waiter: the badges are OR-ed into the word");
    struct coffer_result r = fx_nb_recv(w, nc, 0);
    tap_ok(GOT0(w, 0, 0x5) && n->word == 0 && !n->pending && runnable_queued(w),
           "poll (NB_RECV): OK with the word in a6; the word is cleared");
    r = fx_nb_recv(w, nc, 0);
    tap_ok(fx_is(r, COFFER_ERR_WOULD_BLOCK, 0, 0) && runnable_queued(w), "poll again: WOULD_BLOCK");

    fx_recv(w, nc, 0);
    tap_ok(w->state == THREAD_BLOCKED_NOTIFICATION && w->blocked_on == n && n->queue.head == w &&
               !sched_is_queued(w),
           "wait with nothing signalled: the thread blocks on the notification");
    fx_check("a notification waiter");
    fx_send(s, n4, MI(0, 0), 0, 0);
    tap_ok(GOT0(w, 0, 0x4) && runnable_queued(w) && !n->pending && n->word == 0 &&
               n->queue.head == NULL && w->blocked_on == NULL,
           "a signal wakes the waiter with its badge; nothing stays pending");
    fx_send(s, nc, MI(0, 0), 0, 0);
    tap_ok(n->pending && n->word == 0, "an unbadged signal: pending, word 0");
    arch_set_badge(&w->regs, 0xbad);
    fx_recv(w, nc, 0);
    tap_ok(GOT0(w, 0, 0) && runnable_queued(w) && !n->pending,
           "a wait on an unbadged signal returns at once with word 0");

    struct thread *w2 = fx_active("W2", 10, 1000, 1000, NULL);
    fx_recv(w, nc, 0);
    fx_recv(w2, nc, 0);
    fx_send(s, n1, MI(0, 0), 0, 0);
    bool first = GOT0(w, 0, 0x1) && w2->state == THREAD_BLOCKED_NOTIFICATION;
    fx_send(s, n2, MI(0, 0), 0, 0);
    tap_ok(first && GOT0(w2, 0, 0x2) && !n->pending, "two waiters are woken one signal each, in order");
    tap_ok(fx_is(fx_send(s, nro, MI(0, 0), 0, 0), COFFER_ERR_INVALID_CAPABILITY, 0, 0) &&
               fx_is(fx_recv(w, n1, 0), COFFER_ERR_INVALID_CAPABILITY, 0, 0) && !n->pending &&
               runnable_queued(w),
           "signal without WRITE, wait without READ: INVALID_CAPABILITY");
    fx_check("notification signals and waits");

    /* A bound notification wakes a receive on an endpoint. */
    struct endpoint *ep;
    uint64_t e = fx_endpoint(&ep);
    struct reply *rr;
    uint64_t rc = fx_reply(&rr);
    uint64_t tw = fx_tcb_cptr(w);
    tap_ok(fx_is_ok(fx_invoke(tw, COFFER_INV_TCB_BIND_NOTIFICATION, nc, 0, 0)) && n->bound == w &&
               w->bound_notification == n &&
               fx_is(fx_invoke(fx_tcb_cptr(w2), COFFER_INV_TCB_BIND_NOTIFICATION, nc, 0, 0),
                  COFFER_ERR_ILLEGAL_OPERATION, 0, 0),
           "TCB_BIND_NOTIFICATION: bound; binding it to another thread: ILLEGAL_OPERATION");
    fx_recv(w, e, rc);
    fx_send(s, n4, MI(0, 0), 0, 0);
    tap_ok(GOT0(w, COFFER_MSG_NOTIFICATION, 0x4) && runnable_queued(w) && ep->state == EP_IDLE &&
               rr->receiver == NULL && w->reply == NULL && !n->pending,
           "a signal to the bound notification ends a receive on an endpoint (info NOTIFICATION)");
    fx_send(s, n1, MI(0, 0), 0, 0);
    fx_recv(w, e, rc);
    tap_ok(GOT0(w, COFFER_MSG_NOTIFICATION, 0x1) && runnable_queued(w) && ep->state == EP_IDLE &&
               rr->receiver == NULL && !n->pending,
           "a receive with the bound notification pending returns its word at once");
    tap_ok(fx_is_ok(fx_invoke(tw, COFFER_INV_TCB_BIND_NOTIFICATION, 0, 0, 0)) && n->bound == NULL &&
               w->bound_notification == NULL,
           "unbinding it");
    fx_check("bound notifications");
    fx_reset();
}

int main(void)
{
    test_send_recv();
    test_calls();
    test_unwrap();
    test_notifications();
    return tap_done();
}
