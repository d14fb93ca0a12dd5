#ifndef COFFER_TESTS_HOST_ARCH_H
#define COFFER_TESTS_HOST_ARCH_H
#include <stddef.h>
#include <stdint.h>
#define HOST_CONSOLE_SIZE 65536
/* Everything the core printed with kprintf since the last reset. */
extern char host_console[HOST_CONSOLE_SIZE];
extern size_t host_console_len;
void host_console_reset(void);
#include <stdbool.h>
/* Make arch_preemption_pending() answer yes (tests of restartable work). */
extern bool host_preempt_every;
/* What arch_cycles() returned last (each call adds one). */
extern uint64_t host_cycles;
#endif
