/*
 * The wire format every user-level protocol (proto/NAME.def) shares, and
 * the helpers its generated dispatcher uses.  Freestanding C: servers'
 * logic and dispatchers are built for the host tests too.
 *
 * A request is an IPC call: the message label is the operation, the
 * words its arguments, the capabilities its CAPS_IN.  The reply's label
 * is the error code (0 = OK; a kernel code below 0x100, a protocol code
 * from <proto/errors.h> above), its words the results and its
 * capabilities the CAPS_OUT -- or, for an error, two words of detail.
 */
#ifndef COFFER_PROTOCOL_H
#define COFFER_PROTOCOL_H

#include <coffer/abi.h>
#include <proto/errors.h>
#include <stdbool.h>
#include <stddef.h>

/* A request as the dispatcher sees it: the receive loop (lib/server)
 * gathers the words from the registers and the IPC buffer. */
struct coffer_request {
    uint64_t badge;  /* the badge of the capability the client called: who */
    uint64_t label;  /* the operation */
    unsigned length; /* words in mr */
    unsigned ncaps;  /* capabilities that arrived, in caps[] */
    const uint64_t *mr;
    coffer_cptr_t caps[COFFER_MSG_MAX_CAPS]; /* the slots they arrived in (0: unwrapped) */
    unsigned unwrapped; /* bit i: capability i was one to the server's own endpoint,
                           which stayed with the sender: its badge is badges[i] */
    uint64_t badges[COFFER_MSG_MAX_CAPS];
};

/* The rights a server gives the endpoint capabilities it hands its
 * clients: call, with capabilities both ways -- never READ, which would
 * let a client receive on the server's endpoint and answer for it. */
#define COFFER_PROTO_CLIENT_RIGHTS (COFFER_RIGHT_WRITE | COFFER_RIGHT_GRANT | COFFER_RIGHT_GRANT_REPLY)

/* The reply the dispatcher builds, for the receive loop to send. */
struct coffer_reply {
    uint64_t error; /* the reply's label */
    unsigned length;
    unsigned ncaps;
    uint64_t mr[COFFER_MSG_MAX_WORDS];
    coffer_cptr_t caps[COFFER_MSG_MAX_CAPS];
    uint64_t cap_modes; /* how each travels: COFFER_XFER_MODES (0: all copied) */
};

/* A TEXT argument or result (proto/NAME.def): `words` message words of
 * bytes, the first byte in the low byte of the first word.  Put: the
 * first `bytes` of src (at most words * 8), the rest zero.  Get: all
 * words * 8 bytes into dst. */
static inline void coffer_proto_put_text(uint64_t *mr, unsigned words, const void *src, size_t bytes)
{
    const unsigned char *from = (const unsigned char *)src;
    for (unsigned i = 0; i < words; i++) {
        uint64_t v = 0;
        for (unsigned b = 0; b < 8; b++) {
            size_t offset = (size_t)i * 8 + b;
            v |= (uint64_t)(offset < bytes ? from[offset] : 0) << (8 * b);
        }
        mr[i] = v;
    }
}

static inline void coffer_proto_get_text(void *dst, const uint64_t *mr, unsigned words)
{
    unsigned char *to = (unsigned char *)dst;
    for (unsigned i = 0; i < words; i++)
        for (unsigned b = 0; b < 8; b++)
            to[i * 8 + b] = (unsigned char)(mr[i] >> (8 * b));
}

static inline void coffer_proto_reply_init(struct coffer_reply *rp)
{
    rp->error = COFFER_ERR_OK;
    rp->length = 0;
    rp->ncaps = 0;
    rp->cap_modes = 0;
}

/* An error reply: the code and its two detail words. */
static inline void coffer_proto_fail(struct coffer_reply *rp, uint64_t error, uint64_t d0, uint64_t d1)
{
    rp->error = error;
    rp->mr[0] = d0;
    rp->mr[1] = d1;
    rp->length = 2;
    rp->ncaps = 0;
}

/* Decode before acting: a request with other than `words` words and
 * `caps` capabilities is refused before its handler runs. */
static inline bool coffer_proto_shape_ok(const struct coffer_request *rq, struct coffer_reply *rp,
                                         unsigned words, unsigned caps)
{
    if (rq->length == words && rq->ncaps == caps)
        return true;
    coffer_proto_fail(rp, COFFER_ERR_PROTO_BAD_MESSAGE, words, caps);
    return false;
}

static inline void coffer_proto_unknown_op(const struct coffer_request *rq, struct coffer_reply *rp)
{
    coffer_proto_fail(rp, COFFER_ERR_PROTO_UNKNOWN_OP, rq->label, 0);
}

/* A handler's result into the reply: true if it was an error (the reply
 * is then complete). */
static inline bool coffer_proto_reply_error(struct coffer_reply *rp, struct coffer_result r)
{
    if (r.error == COFFER_ERR_OK)
        return false;
    coffer_proto_fail(rp, r.error, r.detail0, r.detail1);
    return true;
}

/* The receive loop's view of a protocol's dispatcher. */
typedef void (*coffer_dispatch_fn)(void *server, const struct coffer_request *rq,
                                   struct coffer_reply *rp);

#endif
