/*
 * IPC through the real system-call path: call and reply-receive with and
 * without badges, send and receive both ways, long messages through the
 * IPC buffer, capability transfer (and its refusals), notifications and
 * bound notifications, reply objects used twice or towards a dead caller,
 * a passive server running on its client's scheduling context, and what
 * deleting an object does to the threads waiting on it.
 */
#include "threads_fixture.h"

#define ROOT TF_ROOT
#define D TF_D

static uint64_t ep, reply, done;
static volatile uint64_t seen[8];

static bool is_error(uint64_t got, coffer_error_t e)
{
    if (got != (uint64_t)e)
        printf("# got %s, expected %s\n", coffer_error_name(got), coffer_error_name(e));
    return got == (uint64_t)e;
}

/* The echo server: label + 1, word 0 doubled, word 1 the badge, word 2
 * the sum of the words received (the long ones from its buffer), word 3
 * the info bits it saw; the long words come back plus one. */
static void server(uint64_t buf_va)
{
    struct coffer_ipc_buffer *buf = (struct coffer_ipc_buffer *)(uintptr_t)buf_va;
    uint64_t srv_reply = seen[7];
    struct coffer_msg m = coffer_ipc_recv(ep, srv_reply);
    for (;;) {
        unsigned len = (unsigned)COFFER_MSG_LENGTH(m.info);
        uint64_t sum = 0;
        for (unsigned i = 0; i < len; i++) {
            uint64_t w = i < 4 ? m.mr[i] : buf->mr[i];
            sum += w;
            if (i >= 4)
                buf->mr[i] = w + 1;
        }
        uint64_t out[4] = { m.mr[0] * 2, m.badge, sum, m.info & ~0x7full & 0xffff };
        m = coffer_ipc_reply_recv(ep, srv_reply,
                                  COFFER_MSGINFO(COFFER_MSG_LABEL(m.info) + 1, 0, len > 4 ? len : 4), out);
    }
}

static void call_reply(void)
{
    uint64_t badged = tf_mint(ep, COFFER_RIGHTS_ALL, 0x55);
    uint64_t in[4] = { 21, 0, 0, 0 };
    struct coffer_msg m = coffer_ipc_call(ep, COFFER_MSGINFO(7, 0, 1), in);
    ktest_check(m.error == COFFER_ERR_OK && COFFER_MSG_LABEL(m.info) == 8 && m.mr[0] == 42 &&
                    m.mr[1] == 0 && m.mr[2] == 21,
                "call: the server's reply comes back (label, words), no badge");
    m = coffer_ipc_call(badged, COFFER_MSGINFO(1, 0, 1), in);
    ktest_check(m.error == COFFER_ERR_OK && m.mr[1] == 0x55, "call: the badge reaches the receiver");
    struct coffer_ipc_buffer *b = coffer_root_ipc_buffer();
    uint64_t sum = 0;
    for (unsigned i = 0; i < 64; i++) {
        b->mr[i] = 1000 + i * 3;
        sum += i < 4 ? 0 : b->mr[i];
    }
    uint64_t words[4] = { 1, 2, 3, 4 };
    m = coffer_ipc_call(ep, COFFER_MSGINFO(2, 0, 64), words);
    bool back = true;
    for (unsigned i = 4; i < 64; i++)
        back = back && b->mr[i] == 1000 + i * 3 + 1;
    ktest_check(m.error == COFFER_ERR_OK && COFFER_MSG_LENGTH(m.info) == 64 && m.mr[2] == sum + 10 && back,
                "call: a 64-word message goes through the IPC buffers both ways");
    /* An error's details come back where a reply's info and word 0 would. */
    struct coffer_msg e = coffer_ipc_call(ep, COFFER_MSGINFO(0, 0, 121), words);
    ktest_expect_error((struct coffer_result){ e.error, e.info, e.mr[0] }, COFFER_ERR_RANGE_ERROR, 0,
                       COFFER_MSG_MAX_WORDS, "call: a length above 120 is RANGE_ERROR(0, 120)");
}

static void transfer(void)
{
    uint64_t ntfn = tf_retype(COFFER_OBJ_NOTIFICATION, 0), dest = tf_slot();
    struct coffer_ipc_buffer *sb = coffer_root_ipc_buffer();
    struct coffer_ipc_buffer *rb = (struct coffer_ipc_buffer *)(uintptr_t)seen[6];
    rb->recv_cnode = 0;
    rb->recv_depth = 0; /* the server's root CNode */
    rb->recv_index = dest;
    sb->caps[0] = ntfn;
    struct coffer_msg m = coffer_ipc_call(ep, COFFER_MSGINFO(0, 1, 0), 0);
    struct coffer_result id = coffer_cnode_identify(ROOT, dest, D);
    ktest_check(m.error == COFFER_ERR_OK && m.mr[3] == (1u << 7) &&
                    COFFER_ID_TYPE(id.detail0) == COFFER_OBJ_NOTIFICATION,
                "transfer: a capability arrives in the receiver's slot, as a copy");
    m = coffer_ipc_call(ep, COFFER_MSGINFO(0, 1, 0), 0);
    ktest_check(m.error == COFFER_ERR_OK && m.mr[3] == COFFER_MSG_CAP_LOST,
                "transfer: an occupied receive slot is reported (CAP_LOST, none arrived)");
    uint64_t no_grant = tf_mint(ep, COFFER_RIGHT_READ | COFFER_RIGHT_WRITE, 0);
    ktest_check(is_error(coffer_ipc_call(no_grant, COFFER_MSGINFO(0, 1, 0), 0).error, COFFER_ERR_ILLEGAL_OPERATION),
                "transfer: refused through an endpoint capability without the grant right");
    sb->caps[0] = tf_slot(); /* empty */
    struct coffer_msg e = coffer_ipc_call(ep, COFFER_MSGINFO(0, 1, 0), 0);
    ktest_check(is_error(e.error, COFFER_ERR_INVALID_CAPABILITY) && e.info == 7,
                "transfer: an empty slot to send is INVALID_CAPABILITY(7)");
    sb->caps[0] = 0;
}

/* One call carrying caps[0] in `mode` to the server's slot `dest`; the
 * info bits the server saw. */
static struct coffer_msg send_one(uint64_t cap, unsigned mode, uint64_t dest)
{
    struct coffer_ipc_buffer *sb = coffer_root_ipc_buffer();
    struct coffer_ipc_buffer *rb = (struct coffer_ipc_buffer *)(uintptr_t)seen[6];
    rb->recv_cnode = 0;
    rb->recv_depth = 0;
    rb->recv_index = dest;
    sb->caps[0] = cap;
    sb->cap_modes = COFFER_XFER_MODES(mode, 0, 0);
    struct coffer_msg m = coffer_ipc_call(ep, COFFER_MSGINFO(0, 1, 0), 0);
    sb->caps[0] = 0;
    sb->cap_modes = 0;
    return m;
}

static unsigned slot_type(uint64_t slot)
{
    return (unsigned)COFFER_ID_TYPE(coffer_cnode_identify(ROOT, slot, D).detail0);
}

/* Transfer as a child (revocable by the sender) and as a move (for what
 * cannot be copied), and their refusals. */
static void transfer_modes(void)
{
    uint64_t ntfn = tf_retype(COFFER_OBJ_NOTIFICATION, 0), dest = tf_slot();
    struct coffer_msg m = send_one(ntfn, COFFER_XFER_CHILD, dest);
    unsigned depth = (unsigned)COFFER_ID_DEPTH(coffer_cnode_identify(ROOT, dest, D).detail0);
    bool arrived = m.error == COFFER_ERR_OK && m.mr[3] == (1u << 7) && depth == 1;
    coffer_cnode_revoke(ROOT, ntfn, D);
    ktest_check(arrived && slot_type(dest) == COFFER_ID_TYPE_NULL && slot_type(ntfn) == COFFER_OBJ_NOTIFICATION,
                "transfer as a child: it arrives one level deeper, and the sender's revoke deletes it");

    uint64_t ut = tf_retype(COFFER_OBJ_UNTYPED, 14), to = tf_slot();
    m = send_one(ut, COFFER_XFER_MOVE, to);
    struct coffer_result r = coffer_untyped_retype(to, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, tf_slot(), 1,
                                                   COFFER_RETYPE_AT_WATERMARK);
    ktest_check(m.error == COFFER_ERR_OK && m.mr[3] == (1u << 7) && slot_type(ut) == COFFER_ID_TYPE_NULL &&
                    slot_type(to) == COFFER_OBJ_UNTYPED && r.error == COFFER_ERR_OK,
                "transfer as a move: an untyped leaves the sender's slot and works where it arrived");

    uint64_t ut2 = tf_retype(COFFER_OBJ_UNTYPED, 12);
    m = send_one(ut2, COFFER_XFER_MOVE, to); /* occupied */
    ktest_check(m.error == COFFER_ERR_OK && m.mr[3] == COFFER_MSG_CAP_LOST && slot_type(ut2) == COFFER_OBJ_UNTYPED,
                "transfer as a move that cannot arrive: the sender keeps it, the receiver sees CAP_LOST");

    uint64_t pt = tf_retype(COFFER_OBJ_PAGE_TABLE, 0), pt_to = tf_slot();
    m = send_one(pt, COFFER_XFER_MOVE, pt_to);
    ktest_check(m.error == COFFER_ERR_OK && slot_type(pt) == COFFER_ID_TYPE_NULL &&
                    slot_type(pt_to) == COFFER_OBJ_PAGE_TABLE,
                "transfer as a move: a page table (which cannot be copied) too");

    struct coffer_msg e = send_one(ut2, COFFER_XFER_CHILD, tf_slot());
    ktest_check(is_error(e.error, COFFER_ERR_INVALID_CAPABILITY) && e.info == 7 &&
                    slot_type(ut2) == COFFER_OBJ_UNTYPED,
                "transfer: an untyped as a child is INVALID_CAPABILITY(7), nothing sent");
    e = send_one(ut2, COFFER_XFER_COPY, tf_slot());
    ktest_check(is_error(e.error, COFFER_ERR_INVALID_CAPABILITY) && e.info == 7,
                "transfer: an untyped as a copy is INVALID_CAPABILITY(7)");
    e = send_one(ntfn, 3, tf_slot());
    ktest_check(is_error(e.error, COFFER_ERR_INVALID_ARGUMENT) && e.info == 7,
                "transfer: an unknown mode is INVALID_ARGUMENT(7)");

    /* A capability to the endpoint it travels through is unwrapped: the
     * server sees its badge, and it takes no slot (seL4's rule). */
    uint64_t mine = tf_mint(ep, COFFER_RIGHTS_ALL, 0x5eed), after = tf_slot();
    struct coffer_ipc_buffer *rb = (struct coffer_ipc_buffer *)(uintptr_t)seen[6];
    struct coffer_ipc_buffer *mb = coffer_root_ipc_buffer();
    rb->recv_cnode = 0;
    rb->recv_depth = 0;
    rb->recv_index = after;
    mb->caps[0] = mine;
    mb->caps[1] = ntfn;
    mb->cap_modes = COFFER_XFER_MODES(COFFER_XFER_MOVE, COFFER_XFER_COPY, 0);
    m = coffer_ipc_call(ep, COFFER_MSGINFO(0, 2, 0), 0);
    mb->caps[0] = mb->caps[1] = 0;
    mb->cap_modes = 0;
    ktest_check(m.error == COFFER_ERR_OK && m.mr[3] == (2u << 7 | 1u << COFFER_MSG_UNWRAPPED_SHIFT) &&
                    rb->caps[0] == 0x5eed && slot_type(mine) == COFFER_OBJ_ENDPOINT &&
                    slot_type(after) == COFFER_OBJ_NOTIFICATION,
                "transfer: a capability to the endpoint itself is unwrapped (its badge in the server's caps[0], "
                "even a move stays with the sender); the next one takes the first slot");
    uint64_t other_ep = tf_retype(COFFER_OBJ_ENDPOINT, 0), other_to = tf_slot();
    m = send_one(other_ep, COFFER_XFER_COPY, other_to);
    ktest_check(m.error == COFFER_ERR_OK && m.mr[3] == (1u << 7) && slot_type(other_to) == COFFER_OBJ_ENDPOINT,
                "transfer: a capability to another endpoint is not unwrapped");

    uint64_t deepest = tf_retype(COFFER_OBJ_NOTIFICATION, 0), top = deepest;
    for (unsigned level = 0; level < 127; level++) /* CAP_DEPTH_MAX */
        deepest = tf_mint(deepest, COFFER_RIGHTS_ALL, 0);
    e = send_one(deepest, COFFER_XFER_CHILD, tf_slot());
    ktest_check(COFFER_ID_DEPTH(coffer_cnode_identify(ROOT, deepest, D).detail0) == 127 &&
                    is_error(e.error, COFFER_ERR_INVALID_CAPABILITY) && e.info == 7,
                "transfer: a child of a capability at the depth limit (127) is INVALID_CAPABILITY(7)");
    coffer_cnode_revoke(ROOT, top, D);

    /* NB_SEND checks the capabilities as SEND does (a receiver waits). */
    struct coffer_ipc_buffer *sb = coffer_root_ipc_buffer();
    sb->caps[0] = ntfn;
    sb->cap_modes = COFFER_XFER_MODES(3, 0, 0);
    struct coffer_msg nb = coffer_ipc_nb_send(ep, COFFER_MSGINFO(0, 1, 0), 0);
    sb->cap_modes = COFFER_XFER_MODES(COFFER_XFER_CHILD, 0, 0);
    sb->caps[0] = ut2;
    struct coffer_msg nb2 = coffer_ipc_nb_send(ep, COFFER_MSGINFO(0, 1, 0), 0);
    sb->caps[0] = 0;
    sb->cap_modes = 0;
    ktest_check(is_error(nb.error, COFFER_ERR_INVALID_ARGUMENT) && nb.info == 7 &&
                    is_error(nb2.error, COFFER_ERR_INVALID_CAPABILITY) && nb2.info == 7,
                "nb_send: an unknown mode is INVALID_ARGUMENT(7), an untyped as a child INVALID_CAPABILITY(7)");
}

static void send_recv(void)
{
    uint64_t ep2 = tf_retype(COFFER_OBJ_ENDPOINT, 0), r2 = tf_retype(COFFER_OBJ_REPLY, 0);
    uint64_t w[4] = { 9, 8, 7, 6 };
    ktest_check(is_error(coffer_ipc_nb_send(ep2, COFFER_MSGINFO(1, 0, 4), w).error, COFFER_ERR_WOULD_BLOCK) &&
                    is_error(coffer_ipc_nb_recv(ep2, r2).error, COFFER_ERR_WOULD_BLOCK),
                "nb_send and nb_recv with no partner: WOULD_BLOCK");
    ktest_check(is_error(coffer_ipc_recv(ep2, ep2).error, COFFER_ERR_INVALID_CAPABILITY) &&
                    is_error(coffer_ipc_recv(ep2, COFFER_CPTR_NONE).error, COFFER_ERR_INVALID_CAPABILITY),
                "recv: the reply argument must be a reply object");
    uint64_t send_only = tf_mint(ep2, COFFER_RIGHT_WRITE, 0), recv_only = tf_mint(ep2, COFFER_RIGHT_READ, 0);
    ktest_check(is_error(coffer_ipc_recv(send_only, r2).error, COFFER_ERR_INVALID_CAPABILITY) &&
                    is_error(coffer_ipc_send(recv_only, 0, w).error, COFFER_ERR_INVALID_CAPABILITY) &&
                    is_error(coffer_ipc_send(COFFER_SLOT_VSPACE, 0, w).error, COFFER_ERR_INVALID_CAPABILITY) &&
                    is_error(coffer_ipc_reply_recv(reply == 0 ? ep2 : COFFER_SLOT_VSPACE, r2, 0, w).error,
                             COFFER_ERR_INVALID_CAPABILITY),
                "rights: receiving needs READ, sending WRITE; other objects are refused");
    ktest_check(is_error(coffer_ipc_reply(r2, 0, w).error, COFFER_ERR_ILLEGAL_OPERATION),
                "reply: through a reply object with no caller is ILLEGAL_OPERATION");
}

static void sender(uint64_t badged_ep)
{
    uint64_t w[4] = { 11, 12, 13, 14 };
    seen[0] = coffer_ipc_send(badged_ep, COFFER_MSGINFO(5, 0, 4), w).error;
    coffer_signal(done);
    tf_park();
}

static void caller(uint64_t to)
{
    uint64_t w[4] = { 1, 0, 0, 0 };
    seen[1] = coffer_ipc_call(to, COFFER_MSGINFO(3, 0, 1), w).error;
    coffer_signal(done);
    tf_park();
}

static void root_receives(void)
{
    uint64_t ep2 = tf_retype(COFFER_OBJ_ENDPOINT, 0), r2 = tf_retype(COFFER_OBJ_REPLY, 0);
    tf_spawn(sender, tf_mint(ep2, COFFER_RIGHTS_ALL, 0x99), 100, 10000, 10000, TF_NONE);
    struct coffer_msg m = coffer_ipc_recv(ep2, r2);
    coffer_wait(done);
    ktest_check(m.error == COFFER_ERR_OK && COFFER_MSG_LABEL(m.info) == 5 && m.badge == 0x99 &&
                    m.mr[0] == 11 && m.mr[3] == 14 && seen[0] == COFFER_ERR_OK,
                "send: a blocked sender's message and badge reach a receiver that comes later");

    struct tf_thread c = tf_spawn(caller, ep2, 100, 10000, 10000, TF_NONE);
    m = coffer_ipc_recv(ep2, r2);
    uint64_t w[4] = { 0 };
    ktest_check(m.error == COFFER_ERR_OK && coffer_ipc_reply(r2, 0, w).error == COFFER_ERR_OK &&
                    is_error(coffer_ipc_reply(r2, 0, w).error, COFFER_ERR_ILLEGAL_OPERATION),
                "reply: once; a second reply is ILLEGAL_OPERATION");
    coffer_wait(done);
    coffer_cnode_delete(ROOT, c.tcb, D);

    c = tf_spawn(caller, ep2, 100, 10000, 10000, TF_NONE);
    m = coffer_ipc_recv(ep2, r2);
    coffer_cnode_delete(ROOT, c.tcb, D);
    ktest_check(m.error == COFFER_ERR_OK && is_error(coffer_ipc_reply(r2, 0, w).error, COFFER_ERR_ILLEGAL_OPERATION),
                "reply: to a caller that was deleted is ILLEGAL_OPERATION");
}

static void nb_receiver(uint64_t e)
{
    struct coffer_msg m = coffer_ipc_recv(e, seen[5]);
    seen[0] = m.mr[0];
    seen[1] = m.badge;
    seen[2] = m.info;
    coffer_signal(done);
    tf_park();
}

/* The non-blocking calls when a partner does wait, and a capability sent
 * with SEND (not CALL). */
static void non_blocking(void)
{
    uint64_t e = tf_retype(COFFER_OBJ_ENDPOINT, 0), r = tf_retype(COFFER_OBJ_REPLY, 0);
    seen[5] = tf_retype(COFFER_OBJ_REPLY, 0);
    struct tf_thread t = tf_spawn(nb_receiver, e, 100, 10000, 10000, TF_NONE);
    coffer_tcb_set_priority(COFFER_SLOT_TCB, COFFER_SLOT_TCB, 50); /* it waits */
    coffer_tcb_set_priority(COFFER_SLOT_TCB, COFFER_SLOT_TCB, 255);
    uint64_t ntfn = tf_retype(COFFER_OBJ_NOTIFICATION, 0), dest = tf_slot();
    t.buf->recv_cnode = 0;
    t.buf->recv_depth = 0;
    t.buf->recv_index = dest;
    coffer_root_ipc_buffer()->caps[0] = ntfn;
    uint64_t w[4] = { 0x77, 0, 0, 0 };
    struct coffer_msg s = coffer_ipc_nb_send(tf_mint(e, COFFER_RIGHTS_ALL, 3), COFFER_MSGINFO(4, 1, 1), w);
    coffer_root_ipc_buffer()->caps[0] = 0;
    coffer_wait(done);
    ktest_check(s.error == COFFER_ERR_OK && seen[0] == 0x77 && seen[1] == 3 &&
                    COFFER_MSG_CAPS(seen[2]) == 1 &&
                    COFFER_ID_TYPE(coffer_cnode_identify(ROOT, dest, D).detail0) == COFFER_OBJ_NOTIFICATION,
                "nb_send: to a waiting receiver, with its badge and a capability");
    tf_spawn(sender, tf_mint(e, COFFER_RIGHTS_ALL, 9), 100, 10000, 10000, TF_NONE);
    coffer_tcb_set_priority(COFFER_SLOT_TCB, COFFER_SLOT_TCB, 50); /* it blocks sending */
    coffer_tcb_set_priority(COFFER_SLOT_TCB, COFFER_SLOT_TCB, 255);
    struct coffer_msg m = coffer_ipc_nb_recv(e, r);
    coffer_wait(done);
    ktest_check(m.error == COFFER_ERR_OK && m.badge == 9 && m.mr[0] == 11 && seen[0] == COFFER_ERR_OK,
                "nb_recv: takes the message of a sender that waits, which then returns OK");
}

static void notifications(void)
{
    uint64_t n = tf_retype(COFFER_OBJ_NOTIFICATION, 0);
    uint64_t b1 = tf_mint(n, COFFER_RIGHTS_ALL, 1), b4 = tf_mint(n, COFFER_RIGHTS_ALL, 4);
    ktest_check(is_error(coffer_poll(n).error, COFFER_ERR_WOULD_BLOCK), "poll: nothing signalled");
    coffer_signal(b1);
    coffer_signal(b4);
    struct coffer_msg m = coffer_poll(n);
    ktest_check(m.error == COFFER_ERR_OK && m.badge == 5 && is_error(coffer_poll(n).error, COFFER_ERR_WOULD_BLOCK),
                "signal: badges OR into the word; a poll takes it");
    coffer_signal(b4);
    m = coffer_wait(n);
    ktest_check(m.error == COFFER_ERR_OK && m.badge == 4, "wait: returns at once when signalled");
    uint64_t ro = tf_mint(n, COFFER_RIGHT_READ, 0);
    ktest_check(is_error(coffer_signal(ro), COFFER_ERR_INVALID_CAPABILITY), "signal: needs WRITE");
}

static void bound_waiter(uint64_t ep2)
{
    uint64_t r = seen[5];
    struct coffer_msg m = coffer_ipc_recv(ep2, r);
    seen[2] = m.info;
    seen[3] = m.badge;
    coffer_signal(done);
    tf_park();
}

static void bound(void)
{
    uint64_t ep2 = tf_retype(COFFER_OBJ_ENDPOINT, 0), n = tf_retype(COFFER_OBJ_NOTIFICATION, 0);
    seen[5] = tf_retype(COFFER_OBJ_REPLY, 0);
    struct tf_thread t = tf_create(100, 10000, 10000, TF_NONE);
    coffer_tcb_bind_notification(t.tcb, n);
    tf_start(&t, bound_waiter, ep2);
    coffer_tcb_set_priority(COFFER_SLOT_TCB, COFFER_SLOT_TCB, 50); /* let it block */
    coffer_tcb_set_priority(COFFER_SLOT_TCB, COFFER_SLOT_TCB, 255);
    coffer_signal(tf_mint(n, COFFER_RIGHTS_ALL, 0x24));
    coffer_wait(done);
    ktest_check((seen[2] & COFFER_MSG_NOTIFICATION) && seen[3] == 0x24,
                "bound notification: a signal ends the bound thread's endpoint receive");
}

static volatile uint64_t spent;

static void passive(uint64_t ep3)
{
    uint64_t r = seen[4];
    struct coffer_msg m = coffer_ipc_recv(ep3, r);
    for (;;) {
        tf_spin_us(m.mr[0]);
        spent++;
        uint64_t w[4] = { spent, 0, 0, 0 };
        m = coffer_ipc_reply_recv(ep3, r, COFFER_MSGINFO(0, 0, 1), w);
    }
}

/* What a 20 ms request to the `passive` server on server_ep cost: the reply, and
 * the microseconds charged meanwhile to the root task's context and to
 * server_sc (printed for the log). */
struct request_cost {
    struct coffer_msg m;
    uint64_t client_us, server_us;
};

static struct request_cost request_20ms(uint64_t server_ep, uint64_t server_sc, const char *kind)
{
    uint64_t mine0 = coffer_sched_context_consumed(COFFER_SLOT_SCHED_CONTEXT).detail0;
    uint64_t its0 = coffer_sched_context_consumed(server_sc).detail0;
    uint64_t w[4] = { 20000, 0, 0, 0 };
    struct request_cost c = { .m = coffer_ipc_call(server_ep, COFFER_MSGINFO(0, 0, 1), w) };
    c.client_us = coffer_sched_context_consumed(COFFER_SLOT_SCHED_CONTEXT).detail0 - mine0;
    c.server_us = coffer_sched_context_consumed(server_sc).detail0 - its0;
    printf("# a 20 ms request to %s server: client's context +%llu us, server's +%llu us\n", kind,
           (unsigned long long)c.client_us, (unsigned long long)c.server_us);
    return c;
}

static void donation(void)
{
    uint64_t ep3 = tf_retype(COFFER_OBJ_ENDPOINT, 0);
    seen[4] = tf_retype(COFFER_OBJ_REPLY, 0);
    struct tf_thread s = tf_spawn(passive, ep3, 200, 10000, 10000, TF_NONE);
    /* It ran to its receive at once (priority 200 < 255? no: it waits for
     * the root task to block); let it, then take its context away. */
    tf_root_priority(100);
    tf_root_priority(255);
    ktest_check(coffer_tcb_set_sched_context(s.tcb, TF_NONE).error == COFFER_ERR_OK,
                "passive: a server waiting in receive gives up its scheduling context");
    struct request_cost c = request_20ms(ep3, s.sc, "a passive");
    ktest_check(c.m.error == COFFER_ERR_OK && c.m.mr[0] == 1,
                "passive: a call runs the server on the caller's time");
    ktest_check(c.client_us >= 20000 && c.server_us == 0,
                "passive: the request's time is charged to the client's context, not the server's");
}

/* A server with its own context pays for its own time; the fast path
 * charges both sides when the CPU changes context (sched_switching_to). */
static void active_server_pays(void)
{
    uint64_t ep5 = tf_retype(COFFER_OBJ_ENDPOINT, 0);
    seen[4] = tf_retype(COFFER_OBJ_REPLY, 0);
    struct tf_thread s = tf_spawn(passive, ep5, 200, 10000, 10000, TF_NONE);
    tf_root_priority(100); /* it runs to its receive */
    tf_root_priority(255);
    struct request_cost c = request_20ms(ep5, s.sc, "an active");
    ktest_check(c.m.error == COFFER_ERR_OK && c.server_us >= 20000 && c.client_us < 20000,
                "active: a server with its own context is charged for the request, not the client");
    coffer_cnode_delete(ROOT, s.tcb, D);
}

/* A server that answers every call with one capability, giver_cap, in
 * the mode word 0 of the call names: the reply the fast path carries (a
 * copy or a child; a move goes the general way), and the general path in
 * the slow-path suite. */
static volatile uint64_t giver_cap, giver_buf;

static void giver(uint64_t e)
{
    struct coffer_ipc_buffer *buf = (struct coffer_ipc_buffer *)(uintptr_t)giver_buf;
    uint64_t r = seen[4], w[4] = { 0, 0, 0, 0 };
    struct coffer_msg m = coffer_ipc_recv(e, r);
    for (;;) {
        buf->caps[0] = giver_cap;
        buf->cap_modes = COFFER_XFER_MODES(m.mr[0], 0, 0);
        m = coffer_ipc_reply_recv(e, r, COFFER_MSGINFO(0, 1, 0), w);
    }
}

static struct coffer_msg ask(uint64_t e, unsigned mode, uint64_t dest)
{
    struct coffer_ipc_buffer *b = coffer_root_ipc_buffer();
    b->recv_cnode = 0;
    b->recv_depth = 0;
    b->recv_index = dest;
    uint64_t w[4] = { mode, 0, 0, 0 };
    return coffer_ipc_call(e, COFFER_MSGINFO(0, 0, 1), w);
}

static void reply_with_cap(void)
{
    uint64_t ep6 = tf_retype(COFFER_OBJ_ENDPOINT, 0), dest = tf_slot(), dest2 = tf_slot();
    seen[4] = tf_retype(COFFER_OBJ_REPLY, 0);
    giver_cap = tf_retype(COFFER_OBJ_NOTIFICATION, 0);
    struct tf_thread s = tf_create(200, 10000, 10000, TF_NONE);
    giver_buf = (uint64_t)(uintptr_t)s.buf;
    tf_start(&s, giver, ep6);
    struct coffer_msg m = ask(ep6, COFFER_XFER_CHILD, dest);
    bool arrived = m.error == COFFER_ERR_OK && COFFER_MSG_CAPS(m.info) == 1 && !(m.info & COFFER_MSG_CAP_LOST) &&
                   slot_type(dest) == COFFER_OBJ_NOTIFICATION;
    ktest_check(arrived && coffer_cnode_revoke(ROOT, giver_cap, D).error == COFFER_ERR_OK &&
                    slot_type(dest) == COFFER_ID_TYPE_NULL,
                "reply: a capability in a reply arrives as a child, which revoking the server's takes back");
    m = ask(ep6, COFFER_XFER_COPY, dest);
    ktest_check(m.error == COFFER_ERR_OK && COFFER_MSG_CAPS(m.info) == 1 && slot_type(dest) == COFFER_OBJ_NOTIFICATION,
                "reply: and as a copy");
    m = ask(ep6, COFFER_XFER_COPY, dest);
    ktest_check(m.error == COFFER_ERR_OK && (m.info & COFFER_MSG_CAP_LOST) && COFFER_MSG_CAPS(m.info) == 0,
                "reply: into an occupied slot it is lost (CAP_LOST), the reply still arrives");
    m = ask(ep6, COFFER_XFER_MOVE, dest2);
    ktest_check(m.error == COFFER_ERR_OK && COFFER_MSG_CAPS(m.info) == 1 && slot_type(dest2) == COFFER_OBJ_NOTIFICATION &&
                    slot_type(giver_cap) == COFFER_ID_TYPE_NULL,
                "reply: moved, it leaves the server's slot");
    coffer_cnode_delete(ROOT, s.tcb, D);
}

static void waiter_recv(uint64_t e)
{
    seen[0] = coffer_ipc_recv(e, seen[4]).error;
    coffer_signal(done);
    tf_park();
}

static void waiter_ntfn(uint64_t n)
{
    seen[1] = coffer_wait(n).error;
    coffer_signal(done);
    tf_park();
}

static uint64_t mid_ntfn;

/* A passive server that tells the deleter it is busy with a request. */
static void busy_server(uint64_t ep4)
{
    struct coffer_msg m = coffer_ipc_recv(ep4, seen[4]);
    (void)m;
    coffer_signal(mid_ntfn);
    for (;;)
        tf_spin_us(1000);
}

static void deleter(uint64_t server_tcb)
{
    coffer_wait(mid_ntfn);
    seen[2] = coffer_cnode_delete(ROOT, server_tcb, D).error;
    seen[3] = coffer_cnode_delete(ROOT, seen[4], D).error;
    coffer_signal(done);
    tf_park();
}

static void server_dies_mid_request(void)
{
    uint64_t ep4 = tf_retype(COFFER_OBJ_ENDPOINT, 0);
    seen[4] = tf_retype(COFFER_OBJ_REPLY, 0);
    mid_ntfn = tf_retype(COFFER_OBJ_NOTIFICATION, 0);
    struct tf_thread s = tf_spawn(busy_server, ep4, 200, 10000, 10000, TF_NONE);
    tf_root_priority(100);
    tf_root_priority(255);
    coffer_tcb_set_sched_context(s.tcb, TF_NONE);
    tf_spawn(deleter, s.tcb, 250, 10000, 10000, TF_NONE);
    uint64_t c0 = coffer_sched_context_consumed(COFFER_SLOT_SCHED_CONTEXT).detail0;
    uint64_t w[4] = { 0 };
    struct coffer_msg m = coffer_ipc_call(ep4, COFFER_MSGINFO(0, 0, 1), w);
    uint64_t c1 = coffer_sched_context_consumed(COFFER_SLOT_SCHED_CONTEXT).detail0;
    coffer_wait(done); /* the deleter finishes after the call ends */
    ktest_check(seen[2] == COFFER_ERR_OK && seen[3] == COFFER_ERR_OK && m.error == COFFER_ERR_ABORTED,
                "death: a passive server deleted mid-request; deleting its reply object aborts the call");
    ktest_check(c1 > c0, "death: the client runs on again with its own scheduling context back");
}

static volatile uint64_t ticker;

static void spinner(uint64_t unused)
{
    (void)unused;
    for (;;)
        ticker++;
}

static void deaths(void)
{
    uint64_t e = tf_retype(COFFER_OBJ_ENDPOINT, 0), n = tf_retype(COFFER_OBJ_NOTIFICATION, 0);
    seen[4] = tf_retype(COFFER_OBJ_REPLY, 0);
    seen[0] = seen[1] = 0;
    tf_spawn(waiter_recv, e, 100, 10000, 10000, TF_NONE);
    tf_spawn(waiter_ntfn, n, 100, 10000, 10000, TF_NONE);
    tf_root_priority(50); /* both block */
    tf_root_priority(255);
    coffer_cnode_delete(ROOT, e, D);
    coffer_cnode_delete(ROOT, n, D);
    coffer_wait(done);
    coffer_wait(done);
    ktest_check(seen[0] == COFFER_ERR_ABORTED && seen[1] == COFFER_ERR_ABORTED,
                "death: threads waiting on a deleted endpoint or notification wake with ABORTED");

    uint64_t e2 = tf_retype(COFFER_OBJ_ENDPOINT, 0), r2 = tf_retype(COFFER_OBJ_REPLY, 0);
    seen[1] = 0;
    tf_spawn(caller, e2, 100, 10000, 10000, TF_NONE);
    struct coffer_msg m = coffer_ipc_recv(e2, r2);
    coffer_cnode_delete(ROOT, r2, D);
    coffer_wait(done);
    ktest_check(m.error == COFFER_ERR_OK && seen[1] == COFFER_ERR_ABORTED,
                "death: a caller whose reply object is deleted wakes with ABORTED");

    uint64_t e3 = tf_retype(COFFER_OBJ_ENDPOINT, 0), r3 = tf_retype(COFFER_OBJ_REPLY, 0);
    struct tf_thread s = tf_spawn(sender, e3, 100, 10000, 10000, TF_NONE);
    tf_root_priority(50);
    tf_root_priority(255);
    coffer_cnode_delete(ROOT, s.tcb, D);
    ktest_check(is_error(coffer_ipc_nb_recv(e3, r3).error, COFFER_ERR_WOULD_BLOCK) && coffer_debug_check().detail0 == 0,
                "death: a deleted sender leaves its endpoint's queue");

    struct tf_thread sp = tf_spawn(spinner, 0, 100, 2000, 10000, TF_NONE); /* leaves the root task time */
    tf_root_priority(50);
    tf_spin_us(20000);
    coffer_cnode_delete(ROOT, sp.sc, D);
    uint64_t t0 = ticker;
    tf_spin_us(30000);
    tf_root_priority(255);
    ktest_check(t0 != 0 && ticker == t0, "death: a thread whose scheduling context is deleted stops running");
    server_dies_mid_request();
}

void test_ipc(void)
{
    tf_begin();
    ep = tf_retype(COFFER_OBJ_ENDPOINT, 0);
    reply = tf_retype(COFFER_OBJ_REPLY, 0);
    done = tf_retype(COFFER_OBJ_NOTIFICATION, 0);
    seen[7] = tf_retype(COFFER_OBJ_REPLY, 0);
    struct tf_thread srv = tf_create(200, 10000, 10000, TF_NONE);
    seen[6] = (uint64_t)(uintptr_t)srv.buf;
    tf_start(&srv, server, (uint64_t)(uintptr_t)srv.buf);
    call_reply();
    transfer();
    transfer_modes();
    send_recv();
    root_receives();
    non_blocking();
    notifications();
    bound();
    donation();
    active_server_pays();
    reply_with_cap();
    deaths();
    ktest_check(tf_end(), "ipc: revoking the untyped deletes every thread and object, every byte back");
}
