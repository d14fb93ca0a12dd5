/*
 * Interrupts to user level, with the console UART (a 16550) as the
 * device: the root task maps the UART's registers from device untyped,
 * takes the handler capability for its line and has the line delivered
 * to a notification.  The worked example echoes received characters: in
 * the UART's loopback mode the bytes the test transmits arrive on its own
 * receive side, one interrupt at a time, each acknowledged before the
 * next can come.  Every error of the IRQ invocations is checked too.
 */
#include "thread/threads_fixture.h"
#include <string.h>

#define ROOT TF_ROOT
#define D TF_D
#define UART_PA 0x10000000ull /* QEMU virt */
#define RBR 0 /* receive buffer (read), transmit holding (write) */
#define IER 1
#define IIR 2
#define FCR 2 /* (write) */
#define MCR 4
#define LSR 5
#define IER_RX 0x1
#define MCR_LOOP 0x10
#define LSR_DR 0x1
#define LSR_TEMT 0x40

/* A frame over the UART's registers, from the device untyped holding them
 * (not the fixture's untyped: its slot is deleted by hand at the end). */
static volatile uint8_t *map_uart(uint64_t *frame_out)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    for (uint64_t i = 0; i < bi->untyped_count; i++) {
        const struct coffer_untyped_desc *u = &bi->untyped_list[i];
        if (!u->is_device || UART_PA < u->paddr || UART_PA >= u->paddr + (1ull << u->size_bits))
            continue;
        uint64_t frame = *frame_out = tf_slot();
        if (coffer_untyped_retype(bi->untyped.start + i, COFFER_OBJ_FRAME, 12, ROOT, 0, frame, 1,
                                  UART_PA - u->paddr).error != COFFER_ERR_OK)
            return NULL;
        static const uint64_t va = 0x20001ff000ull; /* the last page the fixture's tables cover */
        if (coffer_frame_map(frame, COFFER_SLOT_VSPACE, va, COFFER_MAP_R | COFFER_MAP_W).error !=
            COFFER_ERR_OK)
            return NULL;
        return (volatile uint8_t *)(uintptr_t)va;
    }
    return NULL;
}

static void errors(uint64_t line, uint64_t handler)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    uint64_t ctl = COFFER_SLOT_IRQ_CONTROL, s = tf_slot(), ep = tf_retype(COFFER_OBJ_ENDPOINT, 0);
    struct {
        const char *name;
        struct coffer_result r;
        coffer_error_t e;
        uint64_t d0, d1;
    } cases[] = {
        { "irq control: line 0", coffer_irq_control_get(ctl, 0, ROOT, 0, s), COFFER_ERR_RANGE_ERROR, 1, bi->irq_lines - 1 },
        { "irq control: a line past the controller's", coffer_irq_control_get(ctl, bi->irq_lines, ROOT, 0, s), COFFER_ERR_RANGE_ERROR, 1, bi->irq_lines - 1 },
        { "irq control: a line that has a handler", coffer_irq_control_get(ctl, line, ROOT, 0, s), COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
        { "irq control: an occupied slot", coffer_irq_control_get(ctl, line + 1, ROOT, 0, handler), COFFER_ERR_DELETE_FIRST, COFFER_DELETE_FIRST_SLOT, 0 },
        { "irq control: an index past the CNode", coffer_irq_control_get(ctl, line + 1, ROOT, 0, 4096), COFFER_ERR_RANGE_ERROR, 0, 4095 },
        { "irq control: a CNode depth above 64", coffer_irq_control_get(ctl, line + 1, ROOT, 65, s), COFFER_ERR_RANGE_ERROR, 0, 64 },
        { "irq control: the CNode is an endpoint", coffer_irq_control_get(ctl, line + 1, ep, D, 0), COFFER_ERR_INVALID_CAPABILITY, 1, 0 },
        { "irq control: an unknown label", coffer_call(ctl, COFFER_INV_IRQ_HANDLER_ACK, 0, 0, 0, 0, 0), COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
        { "irq handler: an endpoint for a notification", coffer_irq_handler_set_notification(handler, ep), COFFER_ERR_INVALID_CAPABILITY, 0, 0 },
        { "irq handler: an unknown label", coffer_call(handler, COFFER_INV_IRQ_CONTROL_GET, 0, 0, 0, 0, 0), COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
        { "irq handler: its capability cannot be copied", coffer_cnode_copy(ROOT, tf_slot(), D, ROOT, handler, D), COFFER_ERR_ILLEGAL_OPERATION, 0, 0 },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        ktest_expect_error(cases[i].r, cases[i].e, cases[i].d0, cases[i].d1, cases[i].name);
}

void test_irq(void)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    tf_begin();
    ktest_check(bi->irq_lines > 10 && bi->uart_irq == 10,
                "boot info: the interrupt controller's lines and the UART's line (10)");
    uint64_t handler = tf_slot(), ntfn = tf_retype(COFFER_OBJ_NOTIFICATION, 0);
    ktest_check(coffer_irq_control_get(COFFER_SLOT_IRQ_CONTROL, bi->uart_irq, ROOT, 0, handler).error ==
                        COFFER_ERR_OK &&
                    COFFER_ID_TYPE(coffer_cnode_identify(ROOT, handler, D).detail0) == COFFER_OBJ_IRQ_HANDLER,
                "irq control: makes the handler capability for the UART's line");
    errors(bi->uart_irq, handler);
    uint64_t uart_frame = TF_NONE;
    volatile uint8_t *uart = map_uart(&uart_frame);
    ktest_check(uart != NULL, "uart: its registers mapped from device untyped");
    if (uart == NULL)
        return;
    uint64_t listen = tf_mint(ntfn, COFFER_RIGHTS_ALL, 0x10);
    ktest_check(coffer_irq_handler_set_notification(handler, listen).error == COFFER_ERR_OK,
                "irq handler: delivers to a badged notification");

    /* Loopback: what the test sends, it receives; no printing meanwhile
     * (the kernel's console output would loop back too). */
    static const char word[] = "coffer";
    char echo[sizeof(word)] = { 0 };
    unsigned got = 0, signals = 0, badge_ok = 1;
    while ((uart[LSR] & LSR_TEMT) == 0) /* the console's last byte is out */
        ;
    uart[FCR] = 0; /* one byte at a time, no FIFO */
    uart[MCR] = MCR_LOOP;
    while (uart[LSR] & LSR_DR)
        (void)uart[RBR];
    uart[IER] = IER_RX;
    /* A first byte to settle on: QEMU's UART may deliver a stale byte of
     * its shift register when loopback starts.  Everything up to it goes. */
    uart[RBR] = 0xff;
    while ((uart[LSR] & LSR_DR) == 0)
        coffer_wait(ntfn);
    tf_spin_us(2000);
    while (uart[LSR] & LSR_DR)
        (void)uart[RBR];
    coffer_irq_handler_ack(handler);
    /* Each byte: sent, then its interrupt taken.  The signal is usually
     * there by the time the driver looks (the receive interrupt is taken
     * as soon as the byte arrives); the driver blocks only while nothing
     * has arrived, so that a signal merged with an earlier one cannot
     * leave it waiting forever.  One acknowledgement per byte. */
    for (unsigned i = 0; i + 1 < sizeof(word); i++) {
        uart[RBR] = (uint8_t)word[i];
        struct coffer_msg m = coffer_poll(ntfn);
        while (m.error != COFFER_ERR_OK && (uart[LSR] & LSR_DR) == 0)
            m = coffer_wait(ntfn);
        if (m.error == COFFER_ERR_OK) {
            signals++;
            badge_ok &= m.badge == 0x10;
        }
        while ((uart[LSR] & LSR_DR) && got + 1 < sizeof(echo))
            echo[got++] = (char)uart[RBR];
        coffer_irq_handler_ack(handler);
    }
    uart[IER] = 0;
    uart[MCR] = 0;
    uart[FCR] = 0x07; /* the FIFOs back on, as the kernel set them */
    (void)uart[IIR];
    printf("# echoed through the receive interrupt: \"%s\"\n", echo);
    printf("# %u signals for %u bytes\n", signals, got);
    ktest_check(got == 6 && badge_ok && signals >= 1 && strcmp(echo, word) == 0,
                "uart: received bytes raise the line, signalled with the badge; the handler echoes them");

    /* Unbound, the handler delivers nothing; deleted, its line is free. */
    ktest_check(coffer_irq_handler_set_notification(handler, TF_NONE).error == COFFER_ERR_OK &&
                    coffer_irq_handler_ack(handler).error == COFFER_ERR_OK,
                "irq handler: unbound; acknowledging with nothing pending is fine");
    uint64_t again = tf_slot();
    ktest_check(coffer_cnode_delete(ROOT, handler, D).error == COFFER_ERR_OK &&
                    coffer_irq_control_get(COFFER_SLOT_IRQ_CONTROL, bi->uart_irq, ROOT, 0, again).error ==
                        COFFER_ERR_OK,
                "irq handler: deleting the last capability frees the line for a new handler");
    coffer_irq_handler_set_notification(again, listen);
    ktest_check(coffer_cnode_delete(ROOT, ntfn, D).error == COFFER_ERR_OK &&
                    coffer_cnode_delete(ROOT, listen, D).error == COFFER_ERR_OK &&
                    coffer_debug_check().detail0 == 0,
                "irq handler: its notification can die under it");
    coffer_cnode_delete(ROOT, again, D);
    ktest_check(coffer_cnode_delete(ROOT, uart_frame, D).error == COFFER_ERR_OK, "uart: its frame deleted, unmapped");
    ktest_check(tf_end(), "irq: every byte back");
}
