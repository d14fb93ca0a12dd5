/*
 * The client side of the protocol wire format (coffer/protocol.h): what
 * the generated client functions (<proto/NAME_client.h>) use to read a
 * reply.  User programs only: it makes system calls.
 */
#ifndef COFFER_PROTOCOL_CLIENT_H
#define COFFER_PROTOCOL_CLIENT_H

#include <coffer/protocol.h>
#include <coffer/syscall_stubs.h>

/* The outcome of a call: the IPC error if the call failed, else the
 * reply's error with its detail words, or PROTO_BAD_MESSAGE if a
 * successful reply has not the words and capabilities it should (a
 * client trusts its server no more than the server trusts it). */
static inline struct coffer_result coffer_proto_result(const struct coffer_msg *m,
                                                       const struct coffer_ipc_buffer *buf,
                                                       unsigned words, unsigned caps)
{
    (void)buf;
    if (m->error != COFFER_ERR_OK)
        return (struct coffer_result){ m->error, 0, 0 };
    uint64_t error = COFFER_MSG_LABEL(m->info);
    if (error != COFFER_ERR_OK)
        return (struct coffer_result){ error, m->mr[0], m->mr[1] };
    if (COFFER_MSG_LENGTH(m->info) != words || COFFER_MSG_CAPS(m->info) != caps ||
        (m->info & COFFER_MSG_CAP_LOST))
        return (struct coffer_result){ COFFER_ERR_PROTO_BAD_MESSAGE, words, caps };
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}

/* The reply's words in one array: the register words copied in front of
 * the rest in the IPC buffer (or the registers alone, without one). */
static inline const uint64_t *coffer_proto_reply_words(struct coffer_msg *m, struct coffer_ipc_buffer *buf)
{
    if (buf == 0)
        return m->mr;
    for (unsigned i = 0; i < COFFER_MSG_REG_WORDS; i++)
        buf->mr[i] = m->mr[i];
    return buf->mr;
}

#endif
