/*
 * The IPC fast path (fastpath.c): tried before the general system-call
 * path for CALL and REPLY_RECV.  Either it returns false having changed
 * nothing, or it completes the call and enters the other thread (it does
 * not return).
 */
#ifndef COFFER_KERNEL_FASTPATH_H
#define COFFER_KERNEL_FASTPATH_H

#include "cap/cap.h"
#include "thread/thread.h"

#ifndef CONFIG_FASTPATH
#define CONFIG_FASTPATH 1 /* make FASTPATH=0 builds a kernel without it */
#endif

/* For a call, c is the endpoint capability it names (looked up once, in
 * syscall.c).  Both are folded into the system-call entry
 * (syscall_entry), whose prologue already saves what they need. */
bool fastpath_call(struct thread *t, const struct cap *c);
bool fastpath_reply_recv(struct thread *t);

#endif
