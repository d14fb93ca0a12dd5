/*
 * Interrupts to user level.
 *
 * The IRQ control capability (boot slot 4) makes one handler capability
 * per interrupt line.  A handler delivers its line to a notification: when
 * the line fires, the kernel signals the notification with the badge of
 * the notification capability it was given, and the line stays masked
 * until the handler acknowledges it (IRQ_HANDLER_ACK), so a driver sees
 * one signal per interrupt it has handled.  Each line's state lives in a
 * 64-byte entry of a static kernel table, which is also what the line's
 * handler capability names (so the derivation tree tells when the last
 * one goes).
 *
 * Invariants:
 *  - issued <=> a handler capability to the line exists;
 *  - ntfn != NULL => issued, and ntfn->irq_lines counts such lines;
 *  - claimed => the line was taken from the interrupt controller and not
 *    completed yet (it will not fire again until then).
 */
#ifndef COFFER_KERNEL_IRQ_H
#define COFFER_KERNEL_IRQ_H

#include "object/invoke.h"

#define IRQ_MAX_LINES 128 /* the table's size; the platform may have fewer */

/* The line fired (the architecture claimed it). */
void irq_handle(unsigned line);

/* What the IRQ control capability names. */
paddr_t irq_control_object(void);

struct notification;
/* A notification lines deliver to is dying: unbind them. */
void irq_notification_dies(struct notification *n);
/* The last handler capability to a line is going. */
void irq_handler_dies(const struct cap *c);

struct coffer_result irq_control_invoke(struct invocation *inv);
struct coffer_result irq_handler_invoke(struct invocation *inv);

#endif
