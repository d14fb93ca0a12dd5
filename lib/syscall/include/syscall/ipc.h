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
#include <coffer/syscall_stubs.h>

/* A message's four register words, from mr (NULL: none), into an IPC
 * system call's stub. */
#define COFFER_MR_(mr, i) ((mr) ? (mr)[i] : 0)

/* Where capabilities a call receives land, for the generated `_into`
 * clients' (recv_cnode, recv_depth, recv_index) from a slot's cptr: with
 * leaf_bits 0 the slot of the root CNode itself (a root task), else slot
 * cptr & (2^leaf_bits - 1) of the leaf in root slot cptr >> leaf_bits (a
 * process: PROCESS_CNODE_BITS, as PROCESS_RECV says). */
#define COFFER_RECV_AT(slot, leaf_bits)                                                                            \
    (leaf_bits) == 0 ? COFFER_CPTR_NONE : (uint64_t)(slot) >> (leaf_bits), (leaf_bits) == 0 ? 0 : 64 - (leaf_bits), \
        (leaf_bits) == 0 ? (uint64_t)(slot) : (uint64_t)(slot) & ((1ull << (leaf_bits)) - 1)

/* Send (blocking until a receiver takes it) through an endpoint. */
static inline struct coffer_msg coffer_ipc_send(uint64_t ep, uint64_t info,
                                                const uint64_t mr[COFFER_MSG_REG_WORDS])
{
    return coffer_sys_send(ep, info, COFFER_MR_(mr, 0), COFFER_MR_(mr, 1), COFFER_MR_(mr, 2), COFFER_MR_(mr, 3));
}

/* Send only if a receiver waits: WOULD_BLOCK otherwise. */
static inline struct coffer_msg coffer_ipc_nb_send(uint64_t ep, uint64_t info,
                                                   const uint64_t mr[COFFER_MSG_REG_WORDS])
{
    return coffer_sys_nb_send(ep, info, COFFER_MR_(mr, 0), COFFER_MR_(mr, 1), COFFER_MR_(mr, 2), COFFER_MR_(mr, 3));
}

/* Call: send, then wait for the reply (which the result holds). */
static inline struct coffer_msg coffer_ipc_call(uint64_t ep, uint64_t info,
                                                const uint64_t mr[COFFER_MSG_REG_WORDS])
{
    return coffer_ipc_syscall(COFFER_SYS_CALL, ep, info, COFFER_MR_(mr, 0), COFFER_MR_(mr, 1), COFFER_MR_(mr, 2),
                              COFFER_MR_(mr, 3), 0);
}

/* Receive on an endpoint; a call received is answered through `reply`. */
static inline struct coffer_msg coffer_ipc_recv(uint64_t ep, uint64_t reply)
{
    return coffer_sys_recv(ep, 0, reply);
}

/* The same until `deadline` (time-CSR ticks, coffer_time_now()); then
 * TIMED_OUT. */
static inline struct coffer_msg coffer_ipc_recv_until(uint64_t ep, uint64_t reply, uint64_t deadline)
{
    return coffer_sys_recv(ep, deadline != 0 ? deadline : 1, reply);
}

static inline struct coffer_msg coffer_ipc_nb_recv(uint64_t ep, uint64_t reply)
{
    return coffer_sys_nb_recv(ep, reply);
}

/* Answer the call held by `reply` (ILLEGAL_OPERATION if none). */
static inline struct coffer_msg coffer_ipc_reply(uint64_t reply, uint64_t info,
                                                 const uint64_t mr[COFFER_MSG_REG_WORDS])
{
    return coffer_sys_send(reply, info, COFFER_MR_(mr, 0), COFFER_MR_(mr, 1), COFFER_MR_(mr, 2), COFFER_MR_(mr, 3));
}

/* Answer the call `reply` holds, if any, then receive on ep with it. */
static inline struct coffer_msg coffer_ipc_reply_recv(uint64_t ep, uint64_t reply, uint64_t info,
                                                      const uint64_t mr[COFFER_MSG_REG_WORDS])
{
    return coffer_sys_reply_recv(ep, info, COFFER_MR_(mr, 0), COFFER_MR_(mr, 1), COFFER_MR_(mr, 2), COFFER_MR_(mr, 3),
                                 reply);
}

/* Notifications. */
static inline uint64_t coffer_signal(uint64_t ntfn)
{
    return coffer_sys_send(ntfn, 0, 0, 0, 0, 0).error;
}

/* Wait for a signal; the result's badge is the word of OR-ed badges. */
static inline struct coffer_msg coffer_wait(uint64_t ntfn)
{
    return coffer_sys_recv(ntfn, 0, 0);
}

/* The same until `deadline` (time-CSR ticks); then TIMED_OUT.  A waiter
 * on a notification no one signals sleeps until then. */
static inline struct coffer_msg coffer_wait_until(uint64_t ntfn, uint64_t deadline)
{
    return coffer_sys_recv(ntfn, deadline != 0 ? deadline : 1, 0);
}

/* Take the word if signalled, else WOULD_BLOCK. */
static inline struct coffer_msg coffer_poll(uint64_t ntfn)
{
    return coffer_sys_nb_recv(ntfn, 0);
}

/* The root task's IPC buffer (other threads: wherever TCB_CONFIGURE put it). */
static inline struct coffer_ipc_buffer *coffer_root_ipc_buffer(void)
{
    return (struct coffer_ipc_buffer *)COFFER_IPC_BUFFER_VADDR;
}

#endif
