/*
 * The receive loop of a server thread: receive a request, hand it to the
 * protocol's generated dispatcher (<proto/NAME_server.h>), send the reply
 * and wait for the next, in one REPLY_RECV.  The loop knows no protocol;
 * the dispatcher knows no system call, so a server's logic is tested on
 * the host by calling its dispatcher directly.
 *
 * Everything the loop keeps is in struct coffer_server_loop, in memory
 * its caller provides: one per server thread.
 */
#ifndef COFFER_SERVER_SERVE_H
#define COFFER_SERVER_SERVE_H

#include <coffer/protocol.h>
#include <coffer/syscall_stubs.h>

struct coffer_server_loop {
    coffer_cptr_t endpoint;         /* where requests arrive (READ) */
    coffer_cptr_t reply;            /* this thread's reply object */
    struct coffer_ipc_buffer *buf;  /* this thread's IPC buffer, or NULL: requests
                                       and replies of at most four words, no capabilities */
    uint64_t recv_slot;             /* the cptr of the slot where a request's capabilities
                                       land (0: none accepted), the next ones after it */
    uint64_t recv_cnode, recv_depth; /* the CNode of those slots (depth 0: the root CNode,
                                       recv_slot its index; else recv_index in recv_cnode) */
    uint64_t recv_index;
    coffer_cptr_t self_cnode;       /* a capability to the server's root CNode: after each
                                       request the loop deletes what handlers left in the
                                       receive slots (0: they must) */
    coffer_dispatch_fn dispatch;
    void *server;                   /* the dispatcher's first argument */
    /* The loop's working memory. */
    uint64_t words[COFFER_MSG_MAX_WORDS];
    struct coffer_reply rp;
    uint64_t served;                /* requests answered */
};

/* Serve forever.  A message that is no call (a notification word, a
 * receive error) gets no reply: the loop just receives again. */
__attribute__((noreturn)) void coffer_serve(struct coffer_server_loop *loop);

/* One step, for servers with a loop of their own: dispatch the message m
 * just received and return the info word of the reply to send (its words
 * are in loop->rp.mr, the first four for the registers; words 4.. and
 * capabilities are already in the IPC buffer).  False if m is no call. */
bool coffer_serve_one(struct coffer_server_loop *loop, const struct coffer_msg *m, uint64_t *info);

#endif
