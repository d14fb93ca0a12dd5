/*
 * The kernel console: a 16550-compatible UART, polled.  Output only; the
 * receive side belongs to a user-level driver through an IRQ capability.
 */
#include "arch.h"
#include "platform.h"
#include "memlayout.h"

#define UART_THR 0 /* transmit holding register */
#define UART_IER 1 /* interrupt enable */
#define UART_FCR 2 /* FIFO control */
#define UART_LCR 3 /* line control */
#define UART_LSR 5 /* line status */
#define UART_LSR_THRE (1u << 5)

/* QEMU virt's UART until the device tree says otherwise. */
static volatile uint8_t *uart = (volatile uint8_t *)(PHYSMAP_BASE + 0x10000000ul);

void uart_init(uint64_t base_pa)
{
    uart = (volatile uint8_t *)(PHYSMAP_BASE + base_pa);
    uart[UART_IER] = 0x00;
    uart[UART_LCR] = 0x03; /* 8 data bits, no parity, one stop bit */
    uart[UART_FCR] = 0x07; /* enable and clear the FIFOs */
}

static void uart_put(uint8_t byte)
{
    while ((uart[UART_LSR] & UART_LSR_THRE) == 0)
        ;
    uart[UART_THR] = byte;
}

void arch_console_putc(char c)
{
    if (c == '\n')
        uart_put('\r'); /* terminals want CR LF */
    uart_put((uint8_t)c);
}
