#include <coffer.h>
#include <server/serve.h>
#include <stddef.h>

/* Where a request's capabilities land: the root CNode from recv_slot.
 * With recv_slot 0 the receive CNode is the empty slot 0 itself (resolved
 * with 64 bits), which is no CNode: capabilities sent anyway are lost. */
static void arm_receive(const struct coffer_server_loop *loop)
{
    if (loop->buf == NULL)
        return;
    if (loop->recv_depth != 0) { /* slots in a CNode of their own */
        loop->buf->recv_cnode = loop->recv_cnode;
        loop->buf->recv_depth = loop->recv_depth;
        loop->buf->recv_index = loop->recv_index;
        return;
    }
    loop->buf->recv_cnode = COFFER_CPTR_NONE;
    loop->buf->recv_depth = loop->recv_slot == 0 ? 64 : 0;
    loop->buf->recv_index = loop->recv_slot;
}

/* The request in m: words 0..3 from the registers, the rest from the
 * IPC buffer (a message that long needs one: the kernel refuses it to a
 * receiver without). */
static void gather(struct coffer_server_loop *loop, const struct coffer_msg *m, struct coffer_request *rq)
{
    unsigned length = (unsigned)COFFER_MSG_LENGTH(m->info);
    for (unsigned i = 0; i < length; i++)
        loop->words[i] = i < COFFER_MSG_REG_WORDS ? m->mr[i] : loop->buf->mr[i];
    /* Field by field: caps[] and badges[] are read only up to ncaps. */
    rq->badge = m->badge;
    rq->label = COFFER_MSG_LABEL(m->info);
    rq->length = length;
    rq->mr = loop->words;
    /* A capability that did not arrive is as good as none: the request
     * then has fewer than its operation takes, and is refused.  One that
     * came back to this endpoint took no slot: the others fill them. */
    rq->ncaps = (unsigned)COFFER_MSG_CAPS(m->info);
    rq->unwrapped = (unsigned)COFFER_MSG_UNWRAPPED(m->info);
    for (unsigned i = 0, placed = 0; i < rq->ncaps; i++) {
        bool own = (rq->unwrapped >> i) & 1;
        rq->badges[i] = own ? loop->buf->caps[i] : 0;
        rq->caps[i] = own ? 0 : loop->recv_slot + placed++;
    }
}

/* What the handler left in the receive slots goes. */
static void clear_received(const struct coffer_server_loop *loop, const struct coffer_request *rq)
{
    if (loop->self_cnode == 0)
        return;
    for (unsigned i = 0; i < rq->ncaps; i++)
        if (rq->caps[i] != 0)
            coffer_cnode_delete(loop->self_cnode, rq->caps[i], 64);
}

bool coffer_serve_one(struct coffer_server_loop *loop, const struct coffer_msg *m, uint64_t *info)
{
    if (m->error != COFFER_ERR_OK || (m->info & COFFER_MSG_NOTIFICATION))
        return false;
    struct coffer_request rq;
    gather(loop, m, &rq);
    struct coffer_reply *rp = &loop->rp;
    loop->dispatch(loop->server, &rq, rp);
    if (rq.ncaps != 0)
        clear_received(loop, &rq);
    /* Without an IPC buffer only what fits the registers can go back. */
    if (loop->buf == NULL && (rp->length > COFFER_MSG_REG_WORDS || rp->ncaps > 0))
        coffer_proto_fail(rp, COFFER_ERR_PROTO_BAD_MESSAGE, COFFER_MSG_REG_WORDS, 0);
    for (unsigned i = COFFER_MSG_REG_WORDS; i < rp->length; i++)
        loop->buf->mr[i] = rp->mr[i];
    for (unsigned i = 0; i < rp->ncaps; i++)
        loop->buf->caps[i] = rp->caps[i];
    if (rp->ncaps > 0)
        loop->buf->cap_modes = rp->cap_modes;
    for (unsigned i = rp->length; i < COFFER_MSG_REG_WORDS; i++)
        rp->mr[i] = 0; /* no stale words in the registers */
    *info = COFFER_MSGINFO(rp->error, rp->ncaps, rp->length);
    loop->served++;
    return true;
}

void coffer_serve(struct coffer_server_loop *loop)
{
    arm_receive(loop);
    struct coffer_msg m = coffer_ipc_recv(loop->endpoint, loop->reply);
    for (;;) {
        uint64_t info;
        if (!coffer_serve_one(loop, &m, &info)) {
            arm_receive(loop);
            m = coffer_ipc_recv(loop->endpoint, loop->reply);
            continue;
        }
        arm_receive(loop);
        m = coffer_ipc_reply_recv(loop->endpoint, loop->reply, info, loop->rp.mr);
    }
}
