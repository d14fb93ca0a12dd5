/*
 * What the process manager's QEMU tests share (test_proc_service.c,
 * test_proc_frame.c): a bank service with 16 MiB of RAM and the process
 * manager beside it, started from a 32 MiB container that proc_fixture_run
 * revokes at the end; init's capability to the manager (pm.init); a 4 MiB
 * bank of mine for processes; and the helpers every case uses.
 */
#ifndef TESTS_QEMU_SERVERS_PROC_FIXTURE_H
#define TESTS_QEMU_SERVERS_PROC_FIXTURE_H

#include "ktest.h"
#include "bank_service.h"
#include "exec_service.h"
#include "proc.h"
#include "proc_service.h"

#define ROOT COFFER_SLOT_CNODE
#define D 64
#define W COFFER_RETYPE_AT_WATERMARK

extern struct bank_service banks;
extern struct proc_service pm;
extern struct session_service exec_svc; /* the exec server, beside them */

/* My slots, S(i): the bank for processes, the exit notification (and its
 * badged copy the manager signals), handles, and room for the cases. */
enum { BANK = 30, EXITS = 31, EXITS_BADGED = 32, HANDLE = 33, HANDLE2 = 34, NOT_A_BANK = 35, SMALL = 36, NAP = 37,
       CASE_SLOTS = 40 /* S(40) to S(63): a case's own */ };
uint64_t S(unsigned i);
struct coffer_ipc_buffer *buf(void);

/* A bank's usage (INFO), and whether two are the same to the byte. */
struct usage { uint64_t limit, effective, held, objects, overhead, children, free, count, banks; };
struct usage usage(uint64_t bank);
bool same(struct usage a, struct usage b);

/* Spawn image from the boot image at priority and MCP 100 with argv[0]
 * image and GREETING=hi, its exits signalled on S(EXITS). */
struct coffer_result spawn_on(const char *image, uint64_t flags, uint64_t budget_us, uint64_t period_us,
                              uint64_t limit, uint64_t bank, uint64_t handle, uint64_t *pid);
struct coffer_result spawn(const char *image, uint64_t flags, uint64_t limit, uint64_t bank, uint64_t handle,
                           uint64_t *pid);
/* WAIT for it once it ended (2 s at most). */
struct coffer_result reap(uint64_t handle, uint64_t *how, uint64_t *code, uint64_t *pc, uint64_t *addr,
                          uint64_t *cpu);
struct coffer_result wait_for(uint64_t handle, uint64_t *how, uint64_t *code);
/* A sub-bank made and destroyed, so that the bank's next ones cost what
 * all later ones do (docs/banks.md). */
void warm_up(uint64_t bank);
/* The manager's table entries in use. */
unsigned entries_in_use(void);
/* Sleep, letting lower priorities run. */
void nap_us(uint64_t us);

/* The services started, cases(n) run, everything revoked and checked. */
void proc_fixture_run(void (*cases)(unsigned), unsigned n);

/* SPAWN_FRAME of the first `bytes` of the frame `image`, my bank paying:
 * argv[0] "hello", GREETING=hi. */
struct coffer_result spawn_frame(struct coffer_ipc_buffer *b, uint64_t image, uint64_t bytes, uint64_t flags,
                                 uint64_t handle, uint64_t *pid);

/* test_proc_frame.c's cases (SPAWN_FRAME), run among the others, and
 * test_exec_service.c's (the exec server's images spawned). */
void proc_frame_cases(void);
void exec_cases(void);

#endif
