/*
 * Calls into the Supervisor Binary Interface (OpenSBI in M-mode).
 */
#ifndef COFFER_ARCH_SBI_H
#define COFFER_ARCH_SBI_H

#include <stdint.h>

#define SBI_EXT_TIME 0x54494d45ul
#define SBI_EXT_SRST 0x53525354ul
#define SBI_SRST_SHUTDOWN 0
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1

struct sbi_ret {
    long error;
    long value;
};

struct sbi_ret sbi_call(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2);
void sbi_set_timer(uint64_t stime_value);
void sbi_system_reset(uint64_t type, uint64_t reason);

#endif
