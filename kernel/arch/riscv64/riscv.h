/*
 * RISC-V privileged-architecture definitions the kernel uses: CSR access,
 * the sstatus/sie bits, trap causes and Sv39 page-table entries.
 * Names follow the privileged specification.  The constants are usable
 * from assembly (trap.S) too.
 */
#ifndef COFFER_ARCH_RISCV_H
#define COFFER_ARCH_RISCV_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

#define csr_read(csr)                                              \
    ({                                                             \
        uint64_t v_;                                               \
        __asm__ volatile("csrr %0, " #csr : "=r"(v_)::"memory");   \
        v_;                                                        \
    })
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" ::"rK"((uint64_t)(val)) : "memory")
#define csr_set(csr, bits) __asm__ volatile("csrs " #csr ", %0" ::"rK"((uint64_t)(bits)) : "memory")
#define csr_clear(csr, bits) __asm__ volatile("csrc " #csr ", %0" ::"rK"((uint64_t)(bits)) : "memory")

/* sstatus */
#define SSTATUS_SIE (1ul << 1)
#define SSTATUS_SPIE (1ul << 5)
#define SSTATUS_SPP (1ul << 8)
#define SSTATUS_FS_MASK (3ul << 13)
#define SSTATUS_SUM (1ul << 18)

/* sie / sip */
#define SIE_SSIE (1ul << 1)
#define SIE_STIE (1ul << 5)
#define SIE_SEIE (1ul << 9)

/* scause */
#define SCAUSE_INTERRUPT (1ul << 63)
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXT 9
#define EXC_INST_MISALIGNED 0
#define EXC_INST_ACCESS 1
#define EXC_ILLEGAL_INST 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_ECALL_S 9
#define EXC_INST_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15

/* scounteren: let U-mode read cycle, time and instret */
#define SCOUNTEREN_CY (1ul << 0)
#define SCOUNTEREN_TM (1ul << 1)
#define SCOUNTEREN_IR (1ul << 2)

/* Sv39 */
#define SATP_MODE_SV39 (8ul << 60)
#define SATP_ASID_SHIFT 44
#define PTE_V (1ul << 0)
#define PTE_R (1ul << 1)
#define PTE_W (1ul << 2)
#define PTE_X (1ul << 3)
#define PTE_U (1ul << 4)
#define PTE_G (1ul << 5)
#define PTE_A (1ul << 6)
#define PTE_D (1ul << 7)
#define PTE_PPN_SHIFT 10
#define PTE_LEAF_MASK (PTE_R | PTE_W | PTE_X)
#define PTES_PER_TABLE 512

#ifndef __ASSEMBLER__
typedef uint64_t pte_t;

static inline pte_t pte_make(uint64_t pa, uint64_t flags)
{
    return ((pa >> 12) << PTE_PPN_SHIFT) | flags;
}
static inline uint64_t pte_paddr(pte_t pte)
{
    return (pte >> PTE_PPN_SHIFT) << 12;
}
static inline unsigned vpn_index(uint64_t va, int level)
{
    return (unsigned)((va >> (12 + 9 * level)) & 0x1ff);
}

static inline void sfence_vma_all(void)
{
    __asm__ volatile("sfence.vma" ::: "memory");
}
#endif /* !__ASSEMBLER__ */

#endif
