/*
 * The console server (issue 14; docs/console.md): OPEN and CLOSE of a
 * session (its 4 KiB buffer bought from the client's bank, mapped, given
 * back), and WRITE -- an empty one (the round trip and the session's
 * checks), a 64-byte line the UART takes at once, and the same line with
 * every other session of the table open, to show what a session costs
 * the others (the pump visits them in turn).
 *
 * The lines go out with the UART in loopback and its interrupts off, so
 * the benchmark's output stays readable and no receive interrupt lands
 * inside a measurement; both are put back before anything is printed.
 */
#include "bench.h"
#include "fixture.h"
#include <bank/bank.h>
#include <proto/bank_client.h>
#include <proto/console_client.h>
#include <stdio.h>
#include <string.h>

#include "bank_service.h"
#include "console.h"
#include "console_service.h"

#define ROOT COFFER_SLOT_CNODE
#define W COFFER_RETYPE_AT_WATERMARK
#define RUNS 501

static uint64_t samples_a[RUNS], samples_b[RUNS];
static struct bank_service banks;
static struct console_service con;
static uint64_t slot0;

enum { RAM, BANK_WORK, CON_WORK, UART_FRAME, UART_IRQ, BANK, READY, SESSION, FIRST_SERVICE_SLOT = 16,
       OTHERS = FIRST_SERVICE_SLOT + BANK_SERVICE_SLOTS + CONSOLE_SERVICE_SLOTS };

/* The 16550's registers and bits (bytes apart on QEMU virt). */
enum { UART_RBR = 0, UART_IER = 1, UART_MCR = 4, UART_LSR = 5 };
#define UART_IER_RX 0x1
#define UART_MCR_LOOP 0x10
#define UART_LSR_DR 0x1
#define UART_LSR_TEMT 0x40

static uint64_t S(unsigned i)
{
    return slot0 + i;
}

static struct coffer_ipc_buffer *buf(void)
{
    return coffer_root_ipc_buffer();
}

static bool start(uint64_t parent)
{
    static coffer_cptr_t rams[1];
    rams[0] = S(RAM);
    struct bank_service_config bcfg = { .work_untyped = S(BANK_WORK), .ram = rams, .nram = 1,
                                        .first_slot = S(FIRST_SERVICE_SLOT), .asid_pool = COFFER_SLOT_ASID_POOL,
                                        .root_bits = 10, .nbanks = 64, .own_va = 0x3000000000ull,
                                        .window_va = 0x3400000000ull, .priority = 200 };
    struct console_service_config ccfg = { .work_untyped = S(CON_WORK), .uart_frame = S(UART_FRAME),
                                           .uart_irq = S(UART_IRQ),
                                           .first_slot = S(FIRST_SERVICE_SLOT + BANK_SERVICE_SLOTS),
                                           .own_va = 0x3c00000000ull, .priority = 180 };
    uint64_t id;
    bool ok = bench_step(coffer_untyped_retype(parent, COFFER_OBJ_UNTYPED, 22, ROOT, 0, S(RAM), 1, W), "4 MiB of RAM") &&
              bench_step(coffer_untyped_retype(parent, COFFER_OBJ_UNTYPED, 21, ROOT, 0, S(BANK_WORK), 1, W),
                         "the bank server's memory") &&
              bench_step(coffer_untyped_retype(parent, COFFER_OBJ_UNTYPED, 19, ROOT, 0, S(CON_WORK), 1, W),
                         "the console server's") &&
              bench_step(bank_service_start(&bcfg, &banks), "start the bank service") &&
              bench_step(console_service_uart(S(UART_FRAME), S(UART_IRQ)), "the UART's frame and line");
    ccfg.bank = banks.prime;
    return ok && bench_step(console_service_start(&ccfg, &con), "start the console server") &&
           bench_step(bank_create(buf(), banks.prime, 2u << 20, S(BANK), &id), "a bank for sessions") &&
           bench_step(coffer_untyped_retype(parent, COFFER_OBJ_NOTIFICATION, 0, ROOT, 0, S(READY), 1, W),
                      "a ready notification");
}

static struct coffer_result open_session(uint64_t slot)
{
    uint64_t index;
    return console_open(buf(), con.admin, 0, S(BANK), S(READY), slot, &index);
}

/* OPEN and CLOSE, each measured. */
static void open_close(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < RUNS; i++) {
        uint64_t t0 = coffer_rdcycle();
        struct coffer_result r = open_session(S(SESSION));
        uint64_t t1 = coffer_rdcycle();
        struct coffer_result c = console_close(S(SESSION));
        uint64_t t2 = coffer_rdcycle();
        coffer_cnode_delete(ROOT, S(SESSION), BF_D);
        if (r.error != COFFER_ERR_OK || c.error != COFFER_ERR_OK)
            break;
        samples_a[n] = t1 - t0;
        samples_b[n++] = t2 - t1;
    }
    bench_report("console: OPEN a session (its 4 KiB buffer bought from the client's bank, mapped)", samples_a, n, 0);
    bench_report("console: CLOSE it (the buffer back to the bank)", samples_b, n, 0);
}

/* Loopback on, interrupts off: the UART takes bytes and shows none. */
static void quiet(void)
{
    while ((con.uart[UART_LSR] & UART_LSR_TEMT) == 0) /* what was printed is out */
        ;
    con.uart[UART_IER] = 0;
    con.uart[UART_MCR] = UART_MCR_LOOP;
}

static void loud(void)
{
    while ((con.uart[UART_LSR] & UART_LSR_TEMT) == 0)
        ;
    while (con.uart[UART_LSR] & UART_LSR_DR) /* what looped back goes */
        (void)con.uart[UART_RBR];
    con.uart[UART_MCR] = 0;
    con.uart[UART_IER] = UART_IER_RX;
}

/* WRITE of length bytes, RUNS times, into samples. */
static unsigned writes(uint64_t length, uint64_t *samples)
{
    static const char line[CONSOLE_TEXT_BYTES] = "# console bench: 64 bytes a line, the UART in loopback mode.\n";
    unsigned n = 0;
    quiet();
    for (unsigned i = 0; i < RUNS; i++) {
        uint64_t taken = 0, t0 = coffer_rdcycle();
        struct coffer_result r = console_write(buf(), S(SESSION), length, line, length, &taken);
        uint64_t t1 = coffer_rdcycle();
        if (r.error != COFFER_ERR_OK || taken != length)
            break;
        samples[n++] = t1 - t0;
    }
    loud();
    return n;
}

static void write_costs(void)
{
    if (!bench_step(open_session(S(SESSION)), "open a session"))
        return;
    unsigned n = writes(0, samples_a);
    bench_report("console: WRITE of no bytes (the round trip and the session's checks)", samples_a, n, 0);
    n = writes(64, samples_a);
    bench_report("console: WRITE of a 64-byte line the UART takes at once, 1 session open", samples_a, n, 0);
    unsigned others = 0;
    while (others + 1 < CONSOLE_SESSIONS && open_session(S(OTHERS + others)).error == COFFER_ERR_OK)
        others++;
    n = writes(64, samples_b);
    char what[96];
    snprintf(what, sizeof what, "console: the same WRITE with %u sessions open", others + 1);
    bench_report(what, samples_b, n, 0);
    for (unsigned i = 0; i < others; i++) {
        console_close(S(OTHERS + i));
        coffer_cnode_delete(ROOT, S(OTHERS + i), BF_D);
    }
    console_close(S(SESSION));
    coffer_cnode_delete(ROOT, S(SESSION), BF_D);
}

void bench_console(uint64_t calibration)
{
    (void)calibration;
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    uint64_t parent = coffer_largest_ram_untyped(bi, 24);
    slot0 = bi->empty.start + 3800;
    bench_step(coffer_cnode_revoke(ROOT, parent, BF_D), "clear the untyped");
    uint64_t parent_free = coffer_untyped_describe(parent).detail0;
    if (!start(parent))
        return;
    if (bench_step(open_session(S(SESSION)), "a first session") && bench_step(console_close(S(SESSION)), "closed"))
        coffer_cnode_delete(ROOT, S(SESSION), BF_D);
    open_close();
    write_costs();
    coffer_tcb_suspend(con.worker);
    coffer_tcb_suspend(con.interrupts);
    coffer_tcb_suspend(con.rescuer);
    coffer_tcb_suspend(banks.tcb);
    bench_step(coffer_cnode_revoke(ROOT, parent, BF_D), "revoke the services' memory");
    if (coffer_untyped_describe(parent).detail0 != parent_free)
        printf("bench: console: not every byte came back\n");
}
