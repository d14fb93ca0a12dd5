/*
 * The guarded copy (server/guarded.h).  On the target it is a few
 * instructions of assembly between two labels, so that the fault handler
 * can tell its faults from any other by the pc alone: doublewords when
 * both ends are 8-aligned (an image's segments, copied by the process
 * manager), bytes otherwise (a line of text); no stack, no call -- when the
 * handler moves the pc to coffer_guarded_copy_fail, ra still holds the
 * caller's return address and the copy returns -1.
 */
#include <server/guarded.h>
#include <string.h>

#ifdef COFFER_HOST

uintptr_t coffer_guarded_poison_lo, coffer_guarded_poison_hi;

static bool poisoned(const void *p, size_t n)
{
    uintptr_t a = (uintptr_t)p;
    return n > 0 && a < coffer_guarded_poison_hi && a + n > coffer_guarded_poison_lo;
}

int coffer_guarded_copy(void *dst, const void *src, size_t n)
{
    if (poisoned(dst, n) || poisoned(src, n))
        return -1;
    memcpy(dst, src, n);
    return 0;
}

bool coffer_guarded_fault_pc(uint64_t pc)
{
    (void)pc;
    return false;
}

uint64_t coffer_guarded_recover_pc(void)
{
    return 0;
}

#else

__asm__(".text\n"
        ".balign 4\n"
        ".globl coffer_guarded_copy\n"
        ".type coffer_guarded_copy, @function\n"
        "coffer_guarded_copy:\n"
        /* both ends 8-aligned: doublewords, 32 bytes a turn, then 8 */
        "    or t1, a0, a1\n"
        "    andi t1, t1, 7\n"
        "    bnez t1, 4f\n"
        "    li t2, 32\n"
        "    bltu a2, t2, 3f\n"
        "1:  ld t0, 0(a1)\n"
        "    ld t1, 8(a1)\n"
        "    ld t3, 16(a1)\n"
        "    ld t4, 24(a1)\n"
        "    sd t0, 0(a0)\n"
        "    sd t1, 8(a0)\n"
        "    sd t3, 16(a0)\n"
        "    sd t4, 24(a0)\n"
        "    addi a0, a0, 32\n"
        "    addi a1, a1, 32\n"
        "    addi a2, a2, -32\n"
        "    bgeu a2, t2, 1b\n"
        "3:  li t2, 8\n"
        "    bltu a2, t2, 4f\n"
        "2:  ld t0, 0(a1)\n"
        "    sd t0, 0(a0)\n"
        "    addi a0, a0, 8\n"
        "    addi a1, a1, 8\n"
        "    addi a2, a2, -8\n"
        "    bgeu a2, t2, 2b\n"
        /* the rest, or everything when unaligned: bytes */
        "4:  beqz a2, 6f\n"
        "5:  lbu t0, 0(a1)\n"
        "    sb t0, 0(a0)\n"
        "    addi a0, a0, 1\n"
        "    addi a1, a1, 1\n"
        "    addi a2, a2, -1\n"
        "    bnez a2, 5b\n"
        "6:  li a0, 0\n"
        "    ret\n"
        "coffer_guarded_copy_end:\n"
        "coffer_guarded_copy_fail:\n"
        "    li a0, -1\n"
        "    ret\n"
        ".size coffer_guarded_copy, . - coffer_guarded_copy\n"
        ".globl coffer_guarded_copy_end\n"
        ".globl coffer_guarded_copy_fail\n");

extern const char coffer_guarded_copy_end[], coffer_guarded_copy_fail[];

bool coffer_guarded_fault_pc(uint64_t pc)
{
    return pc >= (uint64_t)(uintptr_t)&coffer_guarded_copy && pc < (uint64_t)(uintptr_t)coffer_guarded_copy_end;
}

uint64_t coffer_guarded_recover_pc(void)
{
    return (uint64_t)(uintptr_t)coffer_guarded_copy_fail;
}

#endif
