#include "sbi.h"

struct sbi_ret sbi_call(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2)
{
    register uint64_t r_a0 __asm__("a0") = a0;
    register uint64_t r_a1 __asm__("a1") = a1;
    register uint64_t r_a2 __asm__("a2") = a2;
    register uint64_t r_a6 __asm__("a6") = fid;
    register uint64_t r_a7 __asm__("a7") = ext;
    __asm__ volatile("ecall"
                     : "+r"(r_a0), "+r"(r_a1)
                     : "r"(r_a2), "r"(r_a6), "r"(r_a7)
                     : "memory");
    return (struct sbi_ret){ (long)r_a0, (long)r_a1 };
}

void sbi_set_timer(uint64_t stime_value)
{
    sbi_call(SBI_EXT_TIME, 0, stime_value, 0, 0);
}

void sbi_system_reset(uint64_t type, uint64_t reason)
{
    sbi_call(SBI_EXT_SRST, 0, type, reason, 0);
}
