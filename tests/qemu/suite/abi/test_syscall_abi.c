/*
 * The system-call convention (include/coffer/syscalls.def): results in
 * a0..a2, every other register preserved.
 */
#include "ktest.h"

enum { SAVED = 24 };
/* t0-t5, s1-s11, a3-a7 loaded with patterns, then stored after the call. */
/* Global with fixed names: the asm reaches them without operand registers,
 * since every register it could use is clobbered.  Nothing in C reads
 * them by those names, so link-time optimisation is told they are used
 * from outside (it would otherwise rename or drop them). */
#define FROM_ASM __attribute__((used, externally_visible))
FROM_ASM uint64_t abi_before[SAVED], abi_after[SAVED], abi_number;
#define before abi_before
#define after abi_after

static void call_with_patterns(uint64_t number)
{
    abi_number = number;
    __asm__ volatile(
        "la t6, abi_before\n"
        "ld t0, 0(t6)\n ld t1, 8(t6)\n ld t2, 16(t6)\n ld t3, 24(t6)\n ld t4, 32(t6)\n"
        "ld t5, 40(t6)\n ld s1, 48(t6)\n ld s2, 56(t6)\n ld s3, 64(t6)\n ld s4, 72(t6)\n"
        "ld s5, 80(t6)\n ld s6, 88(t6)\n ld s7, 96(t6)\n ld s8, 104(t6)\n ld s9, 112(t6)\n"
        "ld s10, 120(t6)\n ld s11, 128(t6)\n ld a3, 136(t6)\n ld a4, 144(t6)\n ld a5, 152(t6)\n"
        "ld a6, 160(t6)\n"
        "la a7, abi_number\n ld a7, 0(a7)\n"
        "ecall\n"
        "la t6, abi_after\n"
        "sd t0, 0(t6)\n sd t1, 8(t6)\n sd t2, 16(t6)\n sd t3, 24(t6)\n sd t4, 32(t6)\n"
        "sd t5, 40(t6)\n sd s1, 48(t6)\n sd s2, 56(t6)\n sd s3, 64(t6)\n sd s4, 72(t6)\n"
        "sd s5, 80(t6)\n sd s6, 88(t6)\n sd s7, 96(t6)\n sd s8, 104(t6)\n sd s9, 112(t6)\n"
        "sd s10, 120(t6)\n sd s11, 128(t6)\n sd a3, 136(t6)\n sd a4, 144(t6)\n sd a5, 152(t6)\n"
        "sd a6, 160(t6)\n sd a7, 168(t6)\n"
        :
        :
        : "t0", "t1", "t2", "t3", "t4", "t5", "t6", "s1", "s2", "s3", "s4", "s5", "s6", "s7",
          "s8", "s9", "s10", "s11", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "memory");
}

static bool registers_preserved(uint64_t number)
{
    for (int i = 0; i < SAVED; i++) {
        before[i] = 0x0123456789abcdefull ^ ((uint64_t)i * 0x1111111111111111ull);
        after[i] = 0;
    }
    call_with_patterns(number);
    for (int i = 0; i < 21; i++)
        if (after[i] != before[i]) {
            printf("# register slot %d changed: %llx -> %llx\n", i,
                   (unsigned long long)before[i], (unsigned long long)after[i]);
            return false;
        }
    return after[21] == number; /* a7 keeps the syscall number */
}

void test_syscall_abi(void)
{
    ktest_check(registers_preserved(COFFER_SYS_DEBUG_NULL),
                "abi: debug_null preserves every register but a0-a2");
    ktest_check(registers_preserved(COFFER_SYS_YIELD), "abi: yield preserves every register but a0-a2");
    ktest_check(registers_preserved(COFFER_SYS_ENSURE_BUDGET),
                "abi: ensure_budget preserves every register but a0-a2");
    ktest_check(registers_preserved(12345), "abi: an unknown syscall preserves every register but a0-a2");
    struct coffer_result r = coffer_debug_null();
    ktest_check(r.error == COFFER_ERR_OK && r.detail0 == 0 && r.detail1 == 0,
                "abi: debug_null returns OK with zero results");
    r = coffer_yield();
    ktest_check(r.error == COFFER_ERR_OK, "abi: yield returns OK");
}
