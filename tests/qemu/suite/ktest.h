/*
 * The in-QEMU test framework: test cases run in the test root task and
 * report TAP on the console; the host runner (tools/run-qemu-tests.sh)
 * parses it.  The task exits with status 1 if any case failed, which
 * becomes QEMU's exit status.
 */
#ifndef COFFER_KTEST_H
#define COFFER_KTEST_H

#include <coffer.h>
#include <stdbool.h>
#include <stdio.h>

bool ktest_check(bool cond, const char *name, ...) __attribute__((format(printf, 2, 3)));

/* Check that a system call failed with the expected error and details. */
bool ktest_expect_error(struct coffer_result r, uint64_t error, uint64_t d0, uint64_t d1,
                        const char *name);

/* A set-up step (no TAP line): true if it succeeded; if not, a "#" line
 * naming the step (printf format) and the error it got, with both details,
 * so the check it leads to says why it failed. */
bool ktest_step(struct coffer_result r, const char *step, ...) __attribute__((format(printf, 2, 3)));

/* Test groups, one per file (<area>/test_<name>.c defines test_<name>). */
void test_bootinfo(void);
void test_syscall(void);
void test_syscall_abi(void);
void test_counters(void);
void test_cnode_untyped(void);
void test_zombie(void);
void test_vspace(void);
void test_threads(void);
void test_ipc(void);
void test_fault(void);
void test_irq(void);
void test_untyped_alloc(void);
void test_cspace_slots(void);
void test_bank_service(void);
void test_proc_service(void);
void test_ports(void);
void test_kv_service(void);
void test_proc_soak(unsigned cycles); /* make soak: only the spawn cycles, this many of each */
void test_console_service(void);

#endif
