/*
 * The platform-level interrupt controller (PLIC) of QEMU's virt board, as
 * the kernel drives it: every line at priority 1, for hart 0's S-mode
 * context (context 1), threshold 0.  Lines are enabled only while a
 * notification listens (irq.c).
 */
#include "arch.h"
#include "object/irq.h"
#include "memlayout.h"
#include "platform.h"

#define PLIC_PRIORITY 0x0
#define PLIC_ENABLE(ctx) (0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (0x200004 + 0x1000 * (ctx))
#define PLIC_S_CONTEXT 1 /* hart 0, supervisor mode */
#define PLIC_LINES 96    /* riscv,ndev = 95 on the virt board, plus line 0 (none) */

static volatile uint32_t *plic;

static volatile uint32_t *reg(uint64_t offset)
{
    return (volatile uint32_t *)((volatile uint8_t *)plic + offset);
}

void plic_init(uint64_t base_pa)
{
    plic = (volatile uint32_t *)(PHYSMAP_BASE + base_pa);
    for (unsigned i = 1; i < PLIC_LINES; i++) {
        *reg(PLIC_PRIORITY + 4 * i) = 1;
        arch_irq_disable(i);
    }
    *reg(PLIC_THRESHOLD(PLIC_S_CONTEXT)) = 0;
    csr_set(sie, SIE_SEIE);
}

unsigned arch_irq_lines(void)
{
    return plic != NULL ? PLIC_LINES : 0;
}

void arch_irq_enable(unsigned line)
{
    *reg(PLIC_ENABLE(PLIC_S_CONTEXT) + 4 * (line / 32)) |= 1u << (line % 32);
}

void arch_irq_disable(unsigned line)
{
    *reg(PLIC_ENABLE(PLIC_S_CONTEXT) + 4 * (line / 32)) &= ~(1u << (line % 32));
}

void arch_irq_complete(unsigned line)
{
    *reg(PLIC_CLAIM(PLIC_S_CONTEXT)) = line;
}

void plic_handle(void)
{
    uint32_t line;
    while ((line = *reg(PLIC_CLAIM(PLIC_S_CONTEXT))) != 0)
        irq_handle(line);
}
