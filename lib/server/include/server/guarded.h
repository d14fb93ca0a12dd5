/*
 * Copies that survive memory vanishing under them.  A server that keeps
 * a client's data in memory the client paid for (a buffer bought from the
 * client's bank and mapped in the server) may find it gone between two
 * instructions: the client's bank destroyed, the frame revoked, the
 * mapping removed.  coffer_guarded_copy() is a copy whose loads and
 * stores may fault: the thread's fault handler, seeing the fault's pc
 * inside it (coffer_guarded_fault_pc), replies with the pc of its way out
 * (coffer_guarded_recover_pc) and the copy returns -1 (lib/server
 * rescue.h does both for a server's workers).
 *
 * On the host (COFFER_HOST) it is memcpy, except that a copy touching
 * [coffer_guarded_poison_lo, coffer_guarded_poison_hi) fails: a test's way
 * of making memory vanish.
 */
#ifndef COFFER_SERVER_GUARDED_H
#define COFFER_SERVER_GUARDED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copy n bytes: 0, or -1 when a load or store faulted (some bytes may
 * have been copied). */
int coffer_guarded_copy(void *dst, const void *src, size_t n);

/* Whether a fault at pc is the guarded copy's, and where it goes on. */
bool coffer_guarded_fault_pc(uint64_t pc);
uint64_t coffer_guarded_recover_pc(void);

#ifdef COFFER_HOST
extern uintptr_t coffer_guarded_poison_lo, coffer_guarded_poison_hi;
#endif

#endif
