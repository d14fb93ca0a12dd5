/*
 * IPC from user space: endpoints, reply objects and notifications
 * (docs/threads-ipc.md).  A message is a message-info word (label, length,
 * capabilities; COFFER_MSGINFO) and up to COFFER_MSG_MAX_WORDS words, the
 * first four in registers (struct coffer_msg.mr), the rest in the IPC
 * buffer (coffer_ipc_buffer()->mr[4..]).
 */
#ifndef COFFER_IPC_H
#define COFFER_IPC_H

#include <coffer/abi.h>
#include <coffer/bootinfo.h>
#include <coffer/syscall.h>

struct coffer_msg {
    uint64_t error; /* coffer_error_t */
    uint64_t info;  /* the message info received */
    uint64_t mr[COFFER_MSG_REG_WORDS];
    uint64_t badge; /* the sender's badge; a notification's word */
};

/* The raw IPC system call: a0 cptr, a1 info, a2..a5 words, a6 reply. */
static inline struct coffer_msg coffer_ipc_raw(uint64_t number, uint64_t cptr, uint64_t info,
                                               uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
                                               uint64_t reply)
{
    register uint64_t a0 __asm__("a0") = cptr;
    register uint64_t a1 __asm__("a1") = info;
    register uint64_t a2 __asm__("a2") = w0;
    register uint64_t a3 __asm__("a3") = w1;
    register uint64_t a4 __asm__("a4") = w2;
    register uint64_t a5 __asm__("a5") = w3;
    register uint64_t a6 __asm__("a6") = reply;
    register uint64_t a7 __asm__("a7") = number;
    __asm__ volatile("ecall"
                     : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(a4), "+r"(a5), "+r"(a6)
                     : "r"(a7)
                     : "memory");
    return (struct coffer_msg){ a0, a1, { a2, a3, a4, a5 }, a6 };
}

/* The same with the words from mr (NULL: none). */
static inline struct coffer_msg coffer_ipc(uint64_t number, uint64_t cptr, uint64_t info,
                                           const uint64_t mr[COFFER_MSG_REG_WORDS],
                                           uint64_t reply)
{
    if (mr == 0)
        return coffer_ipc_raw(number, cptr, info, 0, 0, 0, 0, reply);
    return coffer_ipc_raw(number, cptr, info, mr[0], mr[1], mr[2], mr[3], reply);
}

/* Send (blocking until a receiver takes it) through an endpoint. */
static inline struct coffer_msg coffer_ipc_send(uint64_t ep, uint64_t info,
                                                const uint64_t mr[COFFER_MSG_REG_WORDS])
{
    return coffer_ipc(COFFER_SYS_SEND, ep, info, mr, 0);
}

/* Send only if a receiver waits: WOULD_BLOCK otherwise. */
static inline struct coffer_msg coffer_ipc_nb_send(uint64_t ep, uint64_t info,
                                                   const uint64_t mr[COFFER_MSG_REG_WORDS])
{
    return coffer_ipc(COFFER_SYS_NB_SEND, ep, info, mr, 0);
}

/* Call: send, then wait for the reply (which the result holds). */
static inline struct coffer_msg coffer_ipc_call(uint64_t ep, uint64_t info,
                                                const uint64_t mr[COFFER_MSG_REG_WORDS])
{
    return coffer_ipc(COFFER_SYS_CALL, ep, info, mr, 0);
}

/* Receive on an endpoint; a call received is answered through `reply`. */
static inline struct coffer_msg coffer_ipc_recv(uint64_t ep, uint64_t reply)
{
    return coffer_ipc(COFFER_SYS_RECV, ep, 0, 0, reply);
}

static inline struct coffer_msg coffer_ipc_nb_recv(uint64_t ep, uint64_t reply)
{
    return coffer_ipc(COFFER_SYS_NB_RECV, ep, 0, 0, reply);
}

/* Answer the call held by `reply` (ILLEGAL_OPERATION if none). */
static inline struct coffer_msg coffer_ipc_reply(uint64_t reply, uint64_t info,
                                                 const uint64_t mr[COFFER_MSG_REG_WORDS])
{
    return coffer_ipc(COFFER_SYS_SEND, reply, info, mr, 0);
}

/* Answer the call `reply` holds, if any, then receive on ep with it. */
static inline struct coffer_msg coffer_ipc_reply_recv(uint64_t ep, uint64_t reply, uint64_t info,
                                                      const uint64_t mr[COFFER_MSG_REG_WORDS])
{
    return coffer_ipc(COFFER_SYS_REPLY_RECV, ep, info, mr, reply);
}

/* Notifications. */
static inline uint64_t coffer_signal(uint64_t ntfn)
{
    return coffer_ipc(COFFER_SYS_SEND, ntfn, 0, 0, 0).error;
}

/* Wait for a signal; the result's badge is the word of OR-ed badges. */
static inline struct coffer_msg coffer_wait(uint64_t ntfn)
{
    return coffer_ipc(COFFER_SYS_RECV, ntfn, 0, 0, 0);
}

/* Take the word if signalled, else WOULD_BLOCK. */
static inline struct coffer_msg coffer_poll(uint64_t ntfn)
{
    return coffer_ipc(COFFER_SYS_NB_RECV, ntfn, 0, 0, 0);
}

/* The root task's IPC buffer (other threads: wherever TCB_CONFIGURE put it). */
static inline struct coffer_ipc_buffer *coffer_root_ipc_buffer(void)
{
    return (struct coffer_ipc_buffer *)COFFER_IPC_BUFFER_VADDR;
}

#endif
