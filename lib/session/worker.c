/*
 * A session's worker (session/server.h): its receive loop lives in its
 * own frame, after the IPC buffer, below its stack -- all of it the
 * client's -- and serves the server's protocol on the session's endpoint,
 * a request's capabilities landing in the session's own CNode.
 */
#include <server/guarded.h>
#include <session/server.h>
#include <string.h>

#include "session_internal.h"

static struct coffer_server_loop *loop_of(const struct session *c)
{
    return (struct coffer_server_loop *)(uintptr_t)(c->area_va + COFFER_PAGE_SIZE);
}

_Static_assert(sizeof(struct coffer_server_loop) + COFFER_PAGE_SIZE <= 2 * COFFER_PAGE_SIZE,
               "a worker's loop fits the page after its IPC buffer, below its stack");

void session_worker_main(uint64_t arg)
{
    struct session *c = (struct session *)(uintptr_t)arg;
    const struct session_server *s = c->server;
    struct coffer_server_loop *loop = loop_of(c);
    memset(loop, 0, sizeof *loop);
    loop->endpoint = session_slot(s, c->index, SESSION_S_ENDPOINT);
    loop->reply = session_slot(s, c->index, SESSION_S_REPLY);
    loop->buf = (struct coffer_ipc_buffer *)(uintptr_t)c->area_va;
    loop->recv_slot = session_slot(s, c->index, SESSION_S_RECV);
    loop->recv_cnode = c->index;
    loop->recv_depth = 64 - s->cfg.leaf_bits;
    loop->recv_index = SESSION_S_RECV;
    loop->self_cnode = s->cfg.root;
    loop->dispatch = s->hooks.dispatch;
    loop->server = s->hooks.server;
    coffer_serve(loop);
}

uint64_t session_served(const struct session *c)
{
    uint64_t served = 0;
    if (coffer_guarded_copy(&served, &loop_of(c)->served, sizeof served) != 0)
        return 0;
    return served;
}
