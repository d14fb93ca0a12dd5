/*
 * The core's fault policy (thread/fault.c): a user exception the arch
 * decoded goes to the thread's fault handler as a message, or, without
 * one, stops the thread with a console report -- and the report says what
 * it cost only when asked (the command line option make bench passes).
 */
#include "boot/fdt.h"
#include "cap/cdt.h"
#include "host_arch.h"
#include "thread/fault.h"
#include "threads_checks.h"
#include <string.h>

/* T has H's endpoint h as its fault handler. */
static void set_fault_handler(struct thread *t, uint64_t h)
{
    struct slot *from = fx_slot(h);
    t->fault_handler.cap = from->cap;
    cdt_insert_copy(from, &t->fault_handler);
}

static void test_delivered(void)
{
    fx_setup();
    struct endpoint *hep;
    uint64_t h = fx_endpoint(&hep);
    struct reply *hr;
    uint64_t hrc = fx_reply(&hr);
    struct thread *handler = fx_active("H", 50, 1000, 1000, NULL);
    struct thread *t = fx_active("T", 10, 1000, 1000, NULL);
    set_fault_handler(t, h);
    fx_recv(handler, h, hrc);
    arch_set_pc(&t->regs, 0x4000);
    start_running(t);
    host_console_reset();
    struct user_fault f = { COFFER_FAULT_MEMORY, 0x1000, 15, arch_cycles() };
    fault_user(t, &f);
    tap_ok(t->state == THREAD_BLOCKED_REPLY && hr->caller == t && runnable_queued(handler) &&
               GOT(handler, MI(COFFER_FAULT_MEMORY, COFFER_FAULT_WORDS), 0, 0x4000, 0x1000, 15),
           "a fault with a handler: the thread calls it with label MEMORY, words pc, address, "
           "cause");
    tap_ok(host_console_len == 0, "a delivered fault is not reported on the console");
    fx_check("a delivered fault");
    fx_reset();
}

static void test_reported(void)
{
    fx_setup();
    struct thread *t = fx_active("T", 10, 1000, 1000, NULL);
    arch_set_pc(&t->regs, 0x4000);
    start_running(t);
    host_console_reset();
    struct user_fault f = { COFFER_FAULT_MEMORY, 0x1000, 13, arch_cycles() };
    fault_user(t, &f);
    tap_ok(t->state == THREAD_INACTIVE && !sched_is_queued(t),
           "a fault without a handler stops the thread");
    tap_ok(strstr(host_console, "coffer: user fault in 'T': load page fault (" ARCH_FAULT_CAUSE_NAME
                                " 13) pc=0x0000000000004000 " ARCH_FAULT_ADDR_NAME
                                "=0x0000000000001000\n") != NULL,
           "and reports it: name, cause, pc, address");
    tap_ok(strstr(host_console, "took") == NULL, "without the option, no cost line");
    fx_check("a reported fault");
    fx_reset();

    fx_setup();
    t = fx_active("T", 10, 1000, 1000, NULL);
    start_running(t);
    host_console_reset();
    fault_report_cost(true);
    f.entry_cycles = arch_cycles();
    fault_user(t, &f);
    fault_report_cost(false);
    tap_ok(strstr(host_console, "coffer: fault to report took 1 cycles\n") != NULL,
           "with it, the report's cost in cycles since entry");
    fx_reset();
}

static void test_bootargs(void)
{
    struct fdt_machine m;
    memset(&m, 0, sizeof(m));
    tap_ok(!fdt_has_bootarg(&m, "coffer.fault_cost"), "bootargs: none, no option");
    strcpy(m.bootargs, "  quiet coffer.fault_cost  x");
    tap_ok(fdt_has_bootarg(&m, "coffer.fault_cost") && fdt_has_bootarg(&m, "quiet") &&
               fdt_has_bootarg(&m, "x"),
           "bootargs: each space-separated word");
    strcpy(m.bootargs, "coffer.fault_costs coffer.fault");
    tap_ok(!fdt_has_bootarg(&m, "coffer.fault_cost") && !fdt_has_bootarg(&m, ""),
           "bootargs: whole words only");
}

int main(void)
{
    test_delivered();
    test_reported();
    test_bootargs();
    return tap_done();
}
