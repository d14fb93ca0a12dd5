/*
 * IRQ control and IRQ handler capabilities (irq.h).
 */
#include "object/irq.h"
#include "arch.h"
#include "cap/cdt.h"
#include "thread/ipc.h"

struct irq_line {
    struct notification *ntfn;
    uint64_t badge;
    uint8_t issued;
    uint8_t claimed;
    uint8_t pad[64 - 2 * sizeof(uint64_t) - 2];
};
STATIC_ASSERT(sizeof(struct irq_line) == 64, "one 64-byte object per line");

static struct irq_line lines[IRQ_MAX_LINES] __attribute__((aligned(64)));
static uint8_t control_token[64] __attribute__((aligned(64)));

paddr_t irq_control_object(void)
{
    return arch_kernel_phys(control_token);
}

static unsigned line_count(void)
{
    unsigned n = arch_irq_lines();
    return n < IRQ_MAX_LINES ? n : IRQ_MAX_LINES;
}

/* The line a handler capability names. */
static unsigned line_of(const struct cap *c)
{
    return (unsigned)((c->object - arch_kernel_phys(lines)) / sizeof(struct irq_line));
}

void irq_handle(unsigned line)
{
    struct irq_line *l = line < line_count() ? &lines[line] : NULL;
    if (l == NULL || l->ntfn == NULL) {
        /* Nobody listens: keep it quiet. */
        arch_irq_disable(line);
        arch_irq_complete(line);
        return;
    }
    l->claimed = 1;
    notification_signal(l->ntfn, l->badge);
}

static void unbind(struct irq_line *l, unsigned line)
{
    if (l->ntfn != NULL)
        l->ntfn->irq_lines--;
    l->ntfn = NULL;
    l->badge = 0;
    arch_irq_disable(line);
    if (l->claimed) {
        l->claimed = 0;
        arch_irq_complete(line);
    }
}

void irq_notification_dies(struct notification *n)
{
    for (unsigned i = 1; i < line_count() && n->irq_lines != 0; i++)
        if (lines[i].ntfn == n)
            unbind(&lines[i], i);
}

void irq_handler_dies(const struct cap *c)
{
    unsigned line = line_of(c);
    unbind(&lines[line], line);
    lines[line].issued = 0;
}

/* GET: arg0 = line, arg1 = destination CNode (cptr; depth arg3, 0 = the
 * root CNode), arg2 = index in it (as retype's destination).  Errors:
 * RANGE_ERROR(1, lines - 1) for the line, lookup errors and
 * INVALID_CAPABILITY(1) for the CNode (no CNode, or no WRITE),
 * RANGE_ERROR(0, slots - 1) for the index, DELETE_FIRST(SLOT) for an
 * occupied slot, ILLEGAL_OPERATION if the line has a handler already. */
struct coffer_result irq_control_invoke(struct invocation *inv)
{
    if (inv->label != COFFER_INV_IRQ_CONTROL_GET)
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    unsigned n = line_count();
    uint64_t line_arg = INV_ARG(inv, IRQ_CONTROL_GET, line);
    if (line_arg < 1 || line_arg >= n)
        return syscall_error(COFFER_ERR_RANGE_ERROR, 1, n - 1);
    unsigned line = (unsigned)line_arg;
    const struct cap *cnode;
    struct coffer_result r = lookup_cnode(inv->thread, INV_ARG(inv, IRQ_CONTROL_GET, cnode),
                                          INV_ARG(inv, IRQ_CONTROL_GET, depth), 1, &cnode);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (!(cnode->rights & CAP_RIGHT_WRITE))
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 1, 0);
    uint64_t slots = 1ull << cnode->size_bits;
    uint64_t index = INV_ARG(inv, IRQ_CONTROL_GET, index);
    if (index >= slots)
        return syscall_error(COFFER_ERR_RANGE_ERROR, 0, slots - 1);
    struct slot *dest = &cnode_slots(cnode)[index];
    if (!cap_is_null(&dest->cap))
        return syscall_error(COFFER_ERR_DELETE_FIRST, COFFER_DELETE_FIRST_SLOT, 0);
    if (lines[line].issued)
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    lines[line].issued = 1;
    dest->cap = (struct cap){ .object = arch_kernel_phys(&lines[line]), .type = CAP_IRQ_HANDLER,
                              .rights = CAP_RIGHTS_ALL };
    dest->mapping = 0;
    cdt_insert_object(dest);
    return syscall_ok(0, 0);
}

/* SET_NOTIFICATION: a notification with WRITE (0: none).  ACK. */
struct coffer_result irq_handler_invoke(struct invocation *inv)
{
    unsigned line = line_of(&inv->slot->cap);
    struct irq_line *l = &lines[line];
    switch (inv->label) {
    case COFFER_INV_IRQ_HANDLER_SET_NOTIFICATION: {
        struct slot *s = NULL;
        coffer_cptr_t ntfn = INV_ARG(inv, IRQ_HANDLER_SET_NOTIFICATION, notification);
        if (ntfn != COFFER_CPTR_NONE) {
            struct coffer_result r = lookup_slot(&inv->thread->cspace_root.cap, ntfn, CPTR_MAX_DEPTH, &s);
            if (r.error != COFFER_ERR_OK)
                return r;
            if (s->cap.type != CAP_NOTIFICATION || !(s->cap.rights & CAP_RIGHT_WRITE))
                return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
        }
        unbind(l, line);
        if (s != NULL) {
            l->ntfn = object_of_cap(&s->cap);
            l->ntfn->irq_lines++;
            l->badge = s->cap.data;
            arch_irq_enable(line);
        }
        return syscall_ok(0, 0);
    }
    case COFFER_INV_IRQ_HANDLER_ACK:
        if (l->claimed) {
            l->claimed = 0;
            arch_irq_complete(line);
        }
        return syscall_ok(0, 0);
    default:
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    }
}
