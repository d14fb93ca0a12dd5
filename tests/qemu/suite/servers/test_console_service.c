/*
 * The console server in QEMU (servers/console): started beside a bank
 * service, with the UART of the boot info.  A session opened on a child
 * bank writes a line through the server to the UART; its buffer is the
 * bank's, and every byte is back after CLOSE.  A session whose bank is
 * destroyed under it is dropped: the server's guarded copy into the
 * vanished buffer fails instead of faulting, and the worker serves on.
 * The refusals each have a case.  Ends by revoking the untyped it all
 * came from (the UART frame and the line's handler die with the server).
 */
#include "ktest.h"
#include <bank/bank.h>
#include <proto/bank_client.h>
#include <proto/console_client.h>
#include <string.h>

#include "bank_service.h"
#include "console.h"
#include "console_service.h"
#include "services_fixture.h"
#include "thread/threads_fixture.h"

#define ROOT COFFER_SLOT_CNODE
#define D 64
#define W COFFER_RETYPE_AT_WATERMARK

static uint64_t slot_base;
static struct bank_service banks;
static struct console_service con;

static uint64_t S(unsigned i)
{
    return slot_base + i;
}

static struct coffer_ipc_buffer *buf(void)
{
    return coffer_root_ipc_buffer();
}

enum { CONTAINER, BANK_WORK, RAM, CON_WORK, UART_FRAME, UART_IRQ, BANK = 40, READY, SESSION, SESSION2, DOOMED,
       SMALL, MANY = 64 /* CONSOLE_SESSIONS + 1 of them */ };

/* The 16550's registers and bits the loopback case uses. */
enum { UART_LSR = 5, UART_MCR = 4 };
#define UART_LSR_TEMT 0x40
#define UART_MCR_LOOP 0x10

static bool start(void)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    uint64_t parent = coffer_largest_ram_untyped(bi, 24);
    slot_base = bi->empty.start + 2600;
    struct console_service_config ccfg = { .work_untyped = S(CON_WORK), .uart_frame = S(UART_FRAME),
                                           .uart_irq = S(UART_IRQ), .first_slot = S(24),
                                           .own_va = 0x3c00000000ull, .priority = 180 };
    uint64_t id;
    bool ok = ktest_step(coffer_untyped_retype(parent, COFFER_OBJ_UNTYPED, 23, ROOT, 0, S(CONTAINER), 1, W),
                         "an 8 MiB container") &&
              start_bank_service(S(CONTAINER), 22, S(RAM), S(BANK_WORK), S(8), 64, &banks) &&
              ktest_step(coffer_untyped_retype(S(CONTAINER), COFFER_OBJ_UNTYPED, 19, ROOT, 0, S(CON_WORK), 1, W),
                         "512 KiB for the console server") &&
              ktest_step(console_service_uart(S(UART_FRAME), S(UART_IRQ)), "the UART's frame and line");
    ccfg.bank = banks.prime;
    return ok && ktest_step(console_service_start(&ccfg, &con), "start the console server") &&
           ktest_step(bank_create(buf(), banks.prime, 1u << 20, S(BANK), &id), "a 1 MiB bank for sessions") &&
           ktest_step(coffer_untyped_retype(S(CONTAINER), COFFER_OBJ_NOTIFICATION, 0, ROOT, 0, S(READY), 1, W),
                      "a ready notification");
}

/* The bytes in use in a bank: what it holds less what it holds free (it
 * keeps the 64 KiB blocks it carves small objects from). */
static uint64_t held(uint64_t bank)
{
    uint64_t limit = 0, effective, h = 0, objects, overhead, children, free_bytes = 0, count, nbanks;
    bank_info(buf(), bank, &limit, &effective, &h, &objects, &overhead, &children, &free_bytes, &count, &nbanks);
    return h - free_bytes;
}

static struct coffer_result say(uint64_t session, const char *line, uint64_t *taken)
{
    return console_write(buf(), session, strlen(line), line, strlen(line), taken);
}

static void session_writes(void)
{
    uint64_t handle;
    bank_buy(buf(), S(BANK), COFFER_OBJ_FRAME, COFFER_PAGE_BITS, S(SESSION), &handle); /* the bank's records made */
    bank_free(S(BANK), handle);
    coffer_cnode_delete(ROOT, S(SESSION), D);
    uint64_t before = held(S(BANK)), index = 99, taken = 0, t = 0, w = 0, q = 1, f = 1;
    static const char line[] = "# console: a line through the console server\n";
    struct coffer_result r = console_open(buf(), con.admin, 0, S(BANK), S(READY), S(SESSION), &index);
    ktest_check(r.error == COFFER_ERR_OK && held(S(BANK)) == before + CONSOLE_BUFFER_BYTES,
                "console: a session opened on my bank, which holds its 4 KiB buffer (%s, held %llu -> %llu)",
                coffer_error_name(r.error), (unsigned long long)before, (unsigned long long)held(S(BANK)));
    ktest_step(coffer_untyped_retype(S(CONTAINER), COFFER_OBJ_REPLY, 0, ROOT, 0, S(SESSION2), 1, W), "a reply object");
    ktest_check(coffer_ipc_nb_recv(S(SESSION), S(SESSION2)).error == COFFER_ERR_INVALID_CAPABILITY &&
                    coffer_ipc_nb_recv(con.admin, S(SESSION2)).error == COFFER_ERR_INVALID_CAPABILITY &&
                    coffer_cnode_delete(ROOT, S(SESSION2), D).error == COFFER_ERR_OK,
                "console: neither a session's capability nor the admin's can receive on the server's endpoint");
    r = say(S(SESSION), line, &taken);
    ktest_check(r.error == COFFER_ERR_OK && taken == strlen(line) &&
                    console_info(S(SESSION), &t, &w, &q, &f).error == COFFER_ERR_OK && t == taken && w == taken &&
                    q == 0 && f == 0,
                "console: WRITE took the line and the UART all of it (taken %llu, written %llu, queued %llu)",
                (unsigned long long)t, (unsigned long long)w, (unsigned long long)q);
    r = console_close(S(SESSION));
    ktest_check(r.error == COFFER_ERR_OK && held(S(BANK)) == before, "console: CLOSE gave every byte back to my bank (%s, held %llu)",
                coffer_error_name(r.error), (unsigned long long)held(S(BANK)));
    ktest_check(say(S(SESSION), line, &taken).error == COFFER_ERR_CONSOLE_GONE,
                "console: WRITE after CLOSE is CONSOLE_GONE");
    coffer_cnode_delete(ROOT, S(SESSION), D);
}

/* The bank destroyed under an open session: the next WRITE's copy into
 * the vanished buffer fails (the rescuer moves the worker out of it). */
static void buffer_vanishes(void)
{
    uint64_t id, index, taken = 0, recoveries = *con.recoveries;
    bool ok = bank_create(buf(), S(BANK), 64u << 10, S(DOOMED), &id).error == COFFER_ERR_OK &&
              console_open(buf(), con.admin, 0, S(DOOMED), S(READY), S(SESSION), &index).error == COFFER_ERR_OK &&
              bank_destroy(S(DOOMED)).error == COFFER_ERR_OK;
    struct coffer_result r = say(S(SESSION), "# console: into nothing\n", &taken);
    ktest_check(ok && r.error == COFFER_ERR_CONSOLE_GONE && *con.recoveries == recoveries + 1 && *con.stopped == 0,
                "console: a session whose bank was destroyed is CONSOLE_GONE; the guarded copy recovered (%s)",
                coffer_error_name(r.error));
    ktest_check(say(S(SESSION), "x", &taken).error == COFFER_ERR_CONSOLE_GONE,
                "console: and stays gone; the server serves on");
    coffer_cnode_delete(ROOT, S(SESSION), D);
    coffer_cnode_delete(ROOT, S(DOOMED), D);
}

static void refusals(void)
{
    uint64_t index, taken;
    static char big[CONSOLE_TEXT_BYTES + 8];
    struct coffer_result r = console_open(buf(), con.admin, 0, S(READY), S(READY), S(SESSION), &index);
    ktest_check(r.error == COFFER_ERR_CONSOLE_NOT_BANK, "console: a notification as the bank is CONSOLE_NOT_BANK");
    r = console_open(buf(), con.admin, 2, S(BANK), S(READY), S(SESSION), &index);
    ktest_check(r.error == COFFER_ERR_CONSOLE_BAD_ARGUMENT && r.detail0 == 0,
                "console: unknown OPEN flags are CONSOLE_BAD_ARGUMENT(0)");
    r = console_open(buf(), con.admin, 0, S(BANK), S(READY), S(SESSION), &index);
    bool opened = r.error == COFFER_ERR_OK;
    r = console_open(buf(), S(SESSION), CONSOLE_OPEN_INPUT, S(BANK), S(READY), S(SESSION2), &index);
    ktest_check(opened && r.error == COFFER_ERR_CONSOLE_WRONG_KIND && r.detail0 == CONSOLE_KIND_SESSION,
                "console: OPEN_INPUT with a session's capability is CONSOLE_WRONG_KIND(2)");
    r = console_write(buf(), S(SESSION), sizeof big, big, CONSOLE_TEXT_BYTES, &taken);
    ktest_check(r.error == COFFER_ERR_CONSOLE_BAD_ARGUMENT && r.detail0 == 1 && r.detail1 == CONSOLE_TEXT_BYTES,
                "console: a WRITE past 256 bytes is CONSOLE_BAD_ARGUMENT(1, 256)");
    r = console_write(buf(), con.admin, 1, "x", 1, &taken);
    ktest_check(r.error == COFFER_ERR_CONSOLE_WRONG_KIND && r.detail0 == CONSOLE_KIND_ADMIN,
                "console: WRITE with the admin capability is CONSOLE_WRONG_KIND(1)");
    uint64_t length;
    char text[CONSOLE_TEXT_BYTES];
    ktest_check(console_read(buf(), S(SESSION), &length, text).error == COFFER_ERR_CONSOLE_NO_INPUT,
                "console: READ on a session without the keyboard is CONSOLE_NO_INPUT");
    ktest_check(console_interrupt(S(SESSION)).error == COFFER_ERR_CONSOLE_WRONG_KIND,
                "console: INTERRUPT from anyone but the interrupt thread is CONSOLE_WRONG_KIND");
    console_close(S(SESSION));
    coffer_cnode_delete(ROOT, S(SESSION), D);
    /* The opener: OPEN of an output session, and nothing else. */
    r = console_open(buf(), con.opener, 0, S(BANK), S(READY), S(SESSION), &index);
    ktest_check(r.error == COFFER_ERR_OK && say(S(SESSION), "", &taken).error == COFFER_ERR_OK &&
                    console_close(S(SESSION)).error == COFFER_ERR_OK,
                "console: the opener opens an output session that writes and closes (%s)", coffer_error_name(r.error));
    coffer_cnode_delete(ROOT, S(SESSION), D);
    r = console_open(buf(), con.opener, CONSOLE_OPEN_INPUT, S(BANK), S(READY), S(SESSION), &index);
    ktest_check(r.error == COFFER_ERR_CONSOLE_WRONG_KIND && r.detail0 == CONSOLE_KIND_OPENER &&
                    console_write(buf(), con.opener, 1, "x", 1, &taken).error == COFFER_ERR_CONSOLE_WRONG_KIND,
                "console: the opener may not read the keyboard nor write: CONSOLE_WRONG_KIND(5)");
}

/* 32 sessions fill the table and the 33rd is refused; destroying one
 * session's bank frees its entry for the next OPEN (the server drops the
 * sessions whose buffers went when it finds no free one). */
static void table_full(void)
{
    uint64_t id, index = 99, before = held(S(BANK)), t, w, q, f;
    bool ok = bank_create(buf(), S(BANK), 64u << 10, S(DOOMED), &id).error == COFFER_ERR_OK;
    for (unsigned i = 0; ok && i < CONSOLE_SESSIONS; i++)
        ok = console_open(buf(), con.admin, 0, i == 5 ? S(DOOMED) : S(BANK), S(READY), S(MANY + i), &index).error ==
             COFFER_ERR_OK;
    struct coffer_result r =
        console_open(buf(), con.admin, 0, S(BANK), S(READY), S(MANY + CONSOLE_SESSIONS), &index);
    ktest_check(ok && r.error == COFFER_ERR_CONSOLE_TABLE_FULL,
                "console: %u sessions open, the next OPEN is CONSOLE_TABLE_FULL (%s)", CONSOLE_SESSIONS,
                coffer_error_name(r.error));
    ok = bank_destroy(S(DOOMED)).error == COFFER_ERR_OK;
    r = console_open(buf(), con.admin, 0, S(BANK), S(READY), S(MANY + CONSOLE_SESSIONS), &index);
    ktest_check(ok && r.error == COFFER_ERR_OK && index == 5,
                "console: with one session's bank destroyed, OPEN gets that session's entry (%s, index %llu)",
                coffer_error_name(r.error), (unsigned long long)index);
    ktest_check(console_close(S(MANY + 5)).error == COFFER_ERR_CONSOLE_GONE &&
                    console_info(S(MANY + 5), &t, &w, &q, &f).error == COFFER_ERR_CONSOLE_GONE,
                "console: the dropped session's old capability is CONSOLE_GONE to CLOSE and INFO");
    ok = true;
    for (unsigned i = 0; i <= CONSOLE_SESSIONS; i++) {
        if (i != 5)
            ok &= console_close(S(MANY + i)).error == COFFER_ERR_OK;
        coffer_cnode_delete(ROOT, S(MANY + i), D);
    }
    coffer_cnode_delete(ROOT, S(DOOMED), D);
    ktest_check(ok && held(S(BANK)) == before, "console: all closed, every byte back to my bank (held %llu, was %llu)",
                (unsigned long long)held(S(BANK)), (unsigned long long)before);
}

/* A bank whose limit cannot pay for the buffer: CONSOLE_BANK with the
 * bank's own error, nothing bought, no session taken. */
static void bank_limit(void)
{
    uint64_t id, index = 99, opened = con.server->opened;
    bool ok = bank_create(buf(), S(BANK), 2048, S(SMALL), &id).error == COFFER_ERR_OK;
    struct coffer_result r = console_open(buf(), con.admin, 0, S(SMALL), S(READY), S(SESSION), &index);
    ktest_check(ok && r.error == COFFER_ERR_CONSOLE_BANK && r.detail0 == COFFER_ERR_BANK_LIMIT &&
                    held(S(SMALL)) == 0 && con.server->opened == opened,
                "console: OPEN on a 2 KiB bank is CONSOLE_BANK(BANK_LIMIT), nothing bought (%s, %s, held %llu)",
                coffer_error_name(r.error), coffer_error_name(r.detail0), (unsigned long long)held(S(SMALL)));
    bank_destroy(S(SMALL));
    coffer_cnode_delete(ROOT, S(SMALL), D);
}

/* The server's own memory does not grow with its clients: 200 sessions
 * opened, written to and closed leave its untyped as it was. */
static void own_memory(void)
{
    enum { CYCLES = 200 };
    uint64_t own = coffer_untyped_describe(S(CON_WORK)).detail0, before = held(S(BANK)), index, taken;
    unsigned good = 0;
    for (unsigned i = 0; i < CYCLES; i++) {
        good += console_open(buf(), con.admin, 0, S(BANK), S(READY), S(SESSION), &index).error == COFFER_ERR_OK &&
                say(S(SESSION), "", &taken).error == COFFER_ERR_OK && console_close(S(SESSION)).error == COFFER_ERR_OK;
        coffer_cnode_delete(ROOT, S(SESSION), D);
    }
    ktest_check(good == CYCLES && coffer_untyped_describe(S(CON_WORK)).detail0 == own && held(S(BANK)) == before,
                "console: %u sessions opened and closed: the server's own memory and my bank as they were (%u good)",
                CYCLES, good);
}

/* The keyboard in the UART's loopback mode: what a session writes comes
 * back as typed input to the session that reads the keyboard, through
 * the line's interrupt and the server's interrupt thread.  Nothing is
 * printed meanwhile (the kernel's console output would loop back too). */
static bool await_input(char *got, unsigned *n, unsigned want)
{
    for (unsigned tries = 0; *n < want && tries < 1000; tries++) {
        uint64_t length = 0;
        char text[CONSOLE_TEXT_BYTES];
        if (console_read(buf(), S(SESSION), &length, text).error != COFFER_ERR_OK)
            return false;
        for (uint64_t k = 0; k < length && *n < CONSOLE_TEXT_BYTES; k++)
            got[(*n)++] = text[k];
        if (*n < want)
            coffer_wait(S(READY));
    }
    return *n >= want;
}

static void keyboard(void)
{
    uint64_t index, taken;
    struct coffer_result r = console_open(buf(), con.admin, CONSOLE_OPEN_INPUT, S(BANK), S(READY), S(SESSION), &index);
    struct coffer_result again =
        console_open(buf(), con.admin, CONSOLE_OPEN_INPUT, S(BANK), S(READY), S(SESSION2), &index);
    ktest_check(r.error == COFFER_ERR_OK && again.error == COFFER_ERR_CONSOLE_INPUT_TAKEN,
                "console: a second session for the keyboard is CONSOLE_INPUT_TAKEN (%s)", coffer_error_name(again.error));
    if (r.error != COFFER_ERR_OK)
        return;
    volatile uint8_t *uart = con.uart;
    char settle[CONSOLE_TEXT_BYTES], got[CONSOLE_TEXT_BYTES];
    unsigned nsettle = 0, n = 0;
    while ((uart[UART_LSR] & UART_LSR_TEMT) == 0) /* the console's last byte is out */
        ;
    uart[UART_MCR] = UART_MCR_LOOP;
    /* A first byte to settle on: QEMU's UART may deliver a stale byte of
     * its shift register when loopback starts.  Everything up to it goes. */
    bool ok = say(S(SESSION), "\xff", &taken).error == COFFER_ERR_OK && await_input(settle, &nsettle, 1);
    tf_spin_us(2000);
    nsettle = 0;
    ok = ok && await_input(settle, &nsettle, 0);
    ok = ok && say(S(SESSION), "coffer", &taken).error == COFFER_ERR_OK && await_input(got, &n, 6);
    uart[UART_MCR] = 0;
    ktest_check(ok && n == 6 && memcmp(got, "coffer", 6) == 0,
                "console: what a session wrote in loopback came back to the keyboard's session (%u bytes: %.*s)", n,
                (int)n, got);
    console_close(S(SESSION));
    coffer_cnode_delete(ROOT, S(SESSION), D);
}

void test_console_service(void)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    uint64_t parent = coffer_largest_ram_untyped(bi, 24);
    uint64_t parent_free = coffer_untyped_describe(parent).detail0;
    if (ktest_check(start(), "console: the server started beside a bank service, %llu KiB of its own memory",
                    (unsigned long long)con.own_bytes >> 10)) {
        session_writes();
        buffer_vanishes();
        refusals();
        table_full();
        bank_limit();
        own_memory();
        keyboard();
    }
    coffer_tcb_suspend(con.worker);
    coffer_tcb_suspend(con.interrupts);
    coffer_tcb_suspend(con.rescuer);
    coffer_tcb_suspend(banks.tcb);
    ktest_check(coffer_cnode_revoke(ROOT, S(CONTAINER), D).error == COFFER_ERR_OK &&
                    coffer_cnode_delete(ROOT, S(CONTAINER), D).error == COFFER_ERR_OK &&
                    coffer_untyped_describe(parent).detail0 == parent_free,
                "console: the container revoked: both services and all they made are gone, the parent as it was");
}
