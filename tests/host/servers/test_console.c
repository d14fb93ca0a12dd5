/*
 * The console server's logic (servers/console: console.c,
 * console_output.c) on the host, through its generated dispatcher: the
 * turns the sessions get at the UART, WRITE when a buffer is full, a
 * buffer vanishing under the server, the keyboard's bytes, CLOSE, and
 * every refusal the handlers make before they act.
 *
 * No kernel stands behind the server (host_syscalls_use() is never
 * called): every system call fails, the bank's VERIFY too, so OPEN is
 * refused NOT_BANK here and succeeds only in QEMU
 * (tests/qemu/suite/servers/test_console_service.c).  The sessions are
 * made by hand instead: open, a page of host memory as the buffer.  The
 * UART is the test's (struct console_uart): it records what it is given
 * and takes at most `room` bytes before it is busy.  A buffer vanishes
 * when the test poisons it (coffer_guarded_poison_lo/hi): the guarded
 * copy then fails as it does in QEMU when the frame is revoked.
 */
#include <stdlib.h>
#include <string.h>

#include <proto/console_server.h>
#include <server/guarded.h>

#include "console.h"
#include "host_syscalls.h"
#include "tap.h"

#define WRITE_WORDS 36 /* proto/console.def: four words, then 32 of text */
#define GEN 3
#define OUT_BYTES (CONSOLE_SESSIONS * CONSOLE_BUFFER_BYTES)

static struct console_server server, before;
static struct coffer_ipc_buffer ipc;
static uint64_t syscalls_before;
static uint8_t buffers[CONSOLE_SESSIONS][CONSOLE_BUFFER_BYTES] __attribute__((aligned(4096)));

/* ------------------------------------------------------------ the UART */

static struct {
    uint8_t out[OUT_BYTES];
    size_t written;
    uint64_t room;          /* bytes it takes before it is busy */
    bool want_ready;        /* the logic asked for the transmit interrupt */
    uint8_t in[1024];
    size_t in_head, in_tail;
} uart;

static bool uart_ready(void *ctx)
{
    (void)ctx;
    return uart.room > 0 && uart.written < OUT_BYTES;
}

static void uart_put(void *ctx, uint8_t byte)
{
    (void)ctx;
    uart.room--;
    uart.out[uart.written++] = byte;
}

static int uart_get(void *ctx)
{
    (void)ctx;
    return uart.in_head == uart.in_tail ? -1 : uart.in[uart.in_head++];
}

static void uart_want_ready(void *ctx, bool on)
{
    (void)ctx;
    uart.want_ready = on;
}

/* Where needle first occurs in what the UART was given, or -1. */
static long find(const uint8_t *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t at = 0; at + m <= n; at++)
        if (memcmp(hay + at, needle, m) == 0)
            return (long)at;
    return -1;
}

static void type(const char *text, size_t n)
{
    memcpy(uart.in + uart.in_tail, text, n);
    uart.in_tail += n;
}

/* ----------------------------------------------------------- the server */

static void fresh(void)
{
    struct console_env env = { .buf = &ipc, .window_va = 0,
                               .uart = { NULL, uart_ready, uart_put, uart_get, uart_want_ready } };
    console_server_init(&server, &env);
    memset(&uart, 0, sizeof uart);
    uart.room = ~0ull;
    coffer_guarded_poison_lo = coffer_guarded_poison_hi = 0;
}

/* Session i, open by hand with its buffer empty. */
static void open_session(unsigned i, bool input)
{
    server.sessions[i] = (struct console_session){ .gen = GEN, .state = CONSOLE_OPEN, .input = input,
                                                   .buffer = buffers[i] };
}

/* Session i's buffer gone, as if its bank were destroyed. */
static void vanish(unsigned i)
{
    coffer_guarded_poison_lo = (uintptr_t)buffers[i];
    coffer_guarded_poison_hi = (uintptr_t)buffers[i] + CONSOLE_BUFFER_BYTES;
}

#define SESSION(i) CONSOLE_BADGE(CONSOLE_KIND_SESSION, GEN, (i))
#define ADMIN CONSOLE_BADGE(CONSOLE_KIND_ADMIN, 0, 0)
#define IRQ CONSOLE_BADGE(CONSOLE_KIND_IRQ, 0, 0)
#define OPENER CONSOLE_BADGE(CONSOLE_KIND_OPENER, 0, 0)
#define KEYBOARD CONSOLE_BADGE(CONSOLE_KIND_KEYBOARD, 0, 0)

static struct coffer_reply call(uint64_t badge, uint64_t label, const uint64_t *w, unsigned length, unsigned ncaps)
{
    struct coffer_request rq = { .badge = badge, .label = label, .length = length, .ncaps = ncaps, .mr = w,
                                 .caps = { 6, 7 } };
    struct coffer_reply rp;
    memset(&rp, 0xa5, sizeof rp); /* the dispatcher must set what it returns */
    memcpy(&before, &server, sizeof server);
    syscalls_before = host_syscalls_made;
    console_handle(&server, &rq, &rp);
    return rp;
}

static struct coffer_reply simple(uint64_t badge, uint64_t label, unsigned length, unsigned ncaps)
{
    static const uint64_t zeros[WRITE_WORDS];
    return call(badge, label, zeros, length, ncaps);
}

static struct coffer_reply write_text(uint64_t badge, const char *text, uint64_t length)
{
    uint64_t w[WRITE_WORDS] = { length };
    if (length <= CONSOLE_TEXT_BYTES) /* a longer one is refused before its text is read */
        memcpy(&w[4], text, length);
    return call(badge, CONSOLE_OP_WRITE, w, WRITE_WORDS, 0);
}

static struct coffer_reply open_call(uint64_t badge, uint64_t flags)
{
    uint64_t w[1] = { flags };
    return call(badge, CONSOLE_OP_OPEN, w, 1, 2);
}

static bool reply_is(struct coffer_reply rp, uint64_t error, uint64_t d0, uint64_t d1)
{
    bool ok = rp.error == error && rp.length == 2 && rp.ncaps == 0 && rp.mr[0] == d0 && rp.mr[1] == d1;
    if (!ok)
        tap_diag("reply 0x%llx (%u words: 0x%llx, 0x%llx), expected 0x%llx (0x%llx, 0x%llx)",
                 (unsigned long long)rp.error, rp.length, (unsigned long long)rp.mr[0], (unsigned long long)rp.mr[1],
                 (unsigned long long)error, (unsigned long long)d0, (unsigned long long)d1);
    return ok;
}

static bool unchanged(void)
{
    bool same = memcmp(&before, &server, sizeof server) == 0;
    if (!same)
        tap_diag("the server's state changed");
    return same;
}

/* A refusal before anything: this error, the server as it was, no system call. */
static bool refused(struct coffer_reply rp, uint64_t error, uint64_t d0, uint64_t d1)
{
    bool quiet = host_syscalls_made == syscalls_before;
    if (!quiet)
        tap_diag("%llu system calls made", (unsigned long long)(host_syscalls_made - syscalls_before));
    return reply_is(rp, error, d0, d1) && unchanged() && quiet;
}

static bool taken_is(struct coffer_reply rp, uint64_t taken)
{
    bool ok = rp.error == COFFER_ERR_OK && rp.length == 1 && rp.mr[0] == taken;
    if (!ok)
        tap_diag("WRITE: error 0x%llx, taken %llu (expected %llu)", (unsigned long long)rp.error,
                 (unsigned long long)rp.mr[0], (unsigned long long)taken);
    return ok;
}

static bool output_is(const char *expected)
{
    size_t n = strlen(expected);
    bool ok = uart.written == n && memcmp(uart.out, expected, n) == 0;
    if (!ok)
        tap_diag("the UART got %zu bytes \"%.*s\", expected \"%s\"", uart.written, (int)uart.written, uart.out,
                 expected);
    return ok;
}

/* Whether session i was forgotten: free, its generation bumped. */
static bool forgotten(unsigned i)
{
    return server.sessions[i].state == CONSOLE_FREE && server.sessions[i].gen == GEN + 1 &&
           server.sessions[i].buffer == NULL && server.sessions[i].tail == 0;
}

/* ------------------------------------------------------------ the tests */

static void test_refusals(void)
{
    fresh();
    open_session(0, false);
    open_session(1, true);
    tap_ok(refused(simple(ADMIN, 0, 0, 0), COFFER_ERR_PROTO_UNKNOWN_OP, 0, 0), "label 0 is PROTO_UNKNOWN_OP(0)");
    tap_ok(refused(simple(ADMIN, 7, 0, 0), COFFER_ERR_PROTO_UNKNOWN_OP, 7, 0), "label 7 is PROTO_UNKNOWN_OP(7)");
    tap_ok(refused(simple(SESSION(0), CONSOLE_OP_WRITE, WRITE_WORDS - 1, 0), COFFER_ERR_PROTO_BAD_MESSAGE,
                   WRITE_WORDS, 0),
           "WRITE of 35 words is PROTO_BAD_MESSAGE(36, 0)");
    tap_ok(refused(simple(ADMIN, CONSOLE_OP_OPEN, 1, 1), COFFER_ERR_PROTO_BAD_MESSAGE, 1, 2),
           "OPEN with one capability is PROTO_BAD_MESSAGE(1, 2)");
    tap_ok(refused(simple(SESSION(0), CONSOLE_OP_CLOSE, 1, 0), COFFER_ERR_PROTO_BAD_MESSAGE, 0, 0),
           "CLOSE with a word is PROTO_BAD_MESSAGE(0, 0)");

    static const uint64_t session_ops[] = { CONSOLE_OP_WRITE, CONSOLE_OP_READ, CONSOLE_OP_CLOSE, CONSOLE_OP_INFO };
    static const char *const names[] = { "WRITE", "READ", "CLOSE", "INFO" };
    for (unsigned k = 0; k < 4; k++) {
        unsigned words = session_ops[k] == CONSOLE_OP_WRITE ? WRITE_WORDS : 0;
        tap_okf(refused(simple(ADMIN, session_ops[k], words, 0), COFFER_ERR_CONSOLE_WRONG_KIND, CONSOLE_KIND_ADMIN,
                        0),
                "%s with the admin capability: CONSOLE_WRONG_KIND(1)", names[k]);
        tap_okf(refused(simple(IRQ, session_ops[k], words, 0), COFFER_ERR_CONSOLE_WRONG_KIND, CONSOLE_KIND_IRQ, 0),
                "%s with the interrupt thread's badge: CONSOLE_WRONG_KIND(3)", names[k]);
        tap_okf(refused(simple(OPENER, session_ops[k], words, 0), COFFER_ERR_CONSOLE_WRONG_KIND, CONSOLE_KIND_OPENER,
                        0),
                "%s with an opener: CONSOLE_WRONG_KIND(5)", names[k]);
        tap_okf(refused(simple(KEYBOARD, session_ops[k], words, 0), COFFER_ERR_CONSOLE_WRONG_KIND,
                        CONSOLE_KIND_KEYBOARD, 0),
                "%s with a keyboard capability: CONSOLE_WRONG_KIND(6)", names[k]);
        tap_okf(refused(simple(CONSOLE_BADGE(CONSOLE_KIND_SESSION, GEN - 1, 0), session_ops[k], words, 0),
                        COFFER_ERR_CONSOLE_GONE, 0, 0),
                "%s on an older generation of an open session: CONSOLE_GONE", names[k]);
        tap_okf(refused(simple(SESSION(2), session_ops[k], words, 0), COFFER_ERR_CONSOLE_GONE, 0, 0),
                "%s on a free session: CONSOLE_GONE", names[k]);
        tap_okf(refused(simple(CONSOLE_BADGE(CONSOLE_KIND_SESSION, GEN, 0xff), session_ops[k], words, 0),
                        COFFER_ERR_CONSOLE_GONE, 0, 0),
                "%s on index 255, past the table: CONSOLE_GONE", names[k]);
    }
    tap_ok(refused(write_text(SESSION(0), "x", CONSOLE_TEXT_BYTES + 1), COFFER_ERR_CONSOLE_BAD_ARGUMENT, 1,
                   CONSOLE_TEXT_BYTES),
           "WRITE of 257 bytes: CONSOLE_BAD_ARGUMENT(1, 256)");
    tap_ok(refused(write_text(SESSION(0), "x", ~0ull), COFFER_ERR_CONSOLE_BAD_ARGUMENT, 1, CONSOLE_TEXT_BYTES),
           "WRITE of 2^64 - 1 bytes: CONSOLE_BAD_ARGUMENT(1, 256)");
    tap_ok(refused(simple(SESSION(0), CONSOLE_OP_READ, 0, 0), COFFER_ERR_CONSOLE_NO_INPUT, 0, 0),
           "READ on a session without input: CONSOLE_NO_INPUT");
    tap_ok(refused(simple(ADMIN, CONSOLE_OP_INTERRUPT, 0, 0), COFFER_ERR_CONSOLE_WRONG_KIND, CONSOLE_KIND_ADMIN, 0),
           "INTERRUPT with the admin capability: CONSOLE_WRONG_KIND(1)");
    tap_ok(refused(simple(SESSION(0), CONSOLE_OP_INTERRUPT, 0, 0), COFFER_ERR_CONSOLE_WRONG_KIND,
                   CONSOLE_KIND_SESSION, 0),
           "INTERRUPT with a session's capability: CONSOLE_WRONG_KIND(2)");

    tap_ok(refused(open_call(IRQ, 0), COFFER_ERR_CONSOLE_WRONG_KIND, CONSOLE_KIND_IRQ, 0),
           "OPEN with the interrupt thread's badge: CONSOLE_WRONG_KIND(3)");
    tap_ok(refused(open_call(CONSOLE_BADGE(CONSOLE_KIND_RESCUE, 0, 0), 0), COFFER_ERR_CONSOLE_WRONG_KIND,
                   CONSOLE_KIND_RESCUE, 0),
           "OPEN with the rescuer's badge: CONSOLE_WRONG_KIND(4)");
    tap_ok(refused(open_call(SESSION(2), 0), COFFER_ERR_CONSOLE_GONE, 0, 0),
           "OPEN with a closed session's capability: CONSOLE_GONE");
    tap_ok(refused(open_call(ADMIN, 2), COFFER_ERR_CONSOLE_BAD_ARGUMENT, 0, 0),
           "OPEN with unknown flags: CONSOLE_BAD_ARGUMENT(0)");
    tap_ok(refused(open_call(SESSION(0), CONSOLE_OPEN_INPUT), COFFER_ERR_CONSOLE_WRONG_KIND, CONSOLE_KIND_SESSION,
                   0),
           "OPEN for input with a session's capability: CONSOLE_WRONG_KIND(2)");
    tap_ok(refused(open_call(OPENER, CONSOLE_OPEN_INPUT), COFFER_ERR_CONSOLE_WRONG_KIND, CONSOLE_KIND_OPENER, 0),
           "OPEN for input with an opener: CONSOLE_WRONG_KIND(5)");
    tap_ok(refused(open_call(ADMIN, CONSOLE_OPEN_INPUT), COFFER_ERR_CONSOLE_INPUT_TAKEN, 0, 0),
           "OPEN for input while another session reads: CONSOLE_INPUT_TAKEN");
    tap_ok(refused(open_call(KEYBOARD, CONSOLE_OPEN_INPUT), COFFER_ERR_CONSOLE_INPUT_TAKEN, 0, 0),
           "OPEN for input with a keyboard capability while another session reads: CONSOLE_INPUT_TAKEN");
    /* The bank check asks the bank server (an IPC call, failing here). */
    struct coffer_reply rp = open_call(ADMIN, 0);
    tap_ok(reply_is(rp, COFFER_ERR_CONSOLE_NOT_BANK, 0, 0) && unchanged(),
           "OPEN on a capability the bank server does not verify: CONSOLE_NOT_BANK, nothing changed");
    rp = open_call(OPENER, 0);
    tap_ok(reply_is(rp, COFFER_ERR_CONSOLE_NOT_BANK, 0, 0) && unchanged(),
           "OPEN with an opener gets as far as the bank check: CONSOLE_NOT_BANK, nothing changed");
    rp = open_call(KEYBOARD, 0);
    tap_ok(reply_is(rp, COFFER_ERR_CONSOLE_NOT_BANK, 0, 0) && unchanged(),
           "OPEN with a keyboard capability gets as far as the bank check: CONSOLE_NOT_BANK, nothing changed");
}

/* Fill session i's buffer with `lines` lines "<tag><n>\n" (by WRITE). */
static void write_lines(unsigned i, char tag, unsigned lines)
{
    for (unsigned n = 0; n < lines; n++) {
        char line[8] = { tag, (char)('0' + n), '\n' };
        (void)write_text(SESSION(i), line, 3);
    }
}

static void test_turns(void)
{
    fresh();
    open_session(0, false);
    open_session(1, false);
    open_session(5, false);
    uart.room = 0; /* busy: everything queues */
    write_lines(0, 'a', 3);
    write_lines(1, 'b', 3);
    write_lines(5, 'c', 3);
    tap_ok(uart.written == 0 && uart.want_ready, "a busy UART takes nothing and the transmit interrupt is wanted");
    uart.room = ~0ull;
    struct coffer_reply rp = simple(IRQ, CONSOLE_OP_INTERRUPT, 0, 0);
    tap_ok(rp.error == COFFER_ERR_OK && rp.length == 0, "INTERRUPT from the interrupt thread is served");
    tap_ok(output_is("a0\nb0\nc0\na1\nb1\nc1\na2\nb2\nc2\n"), "the UART takes the sessions' lines in turn, one each");
    tap_ok(!uart.want_ready, "nothing left: the transmit interrupt is not wanted");

    /* A line longer than the quantum goes in quanta. */
    fresh();
    open_session(0, false);
    open_session(1, false);
    char text[CONSOLE_TEXT_BYTES];
    memset(text, 'x', sizeof text);
    uart.room = 0;
    (void)write_text(SESSION(0), text, sizeof text);
    (void)write_text(SESSION(1), "y\n", 2);
    uart.room = ~0ull;
    (void)simple(IRQ, CONSOLE_OP_INTERRUPT, 0, 0);
    bool quanta = uart.written == 258 && memcmp(uart.out + CONSOLE_QUANTUM, "y\n", 2) == 0;
    tap_ok(quanta, "a 256-byte line without a newline goes out as two quanta of 128, another session's line between");
}

static void test_flood(void)
{
    fresh();
    open_session(0, false);
    open_session(1, false);
    char text[CONSOLE_TEXT_BYTES];
    memset(text, 'f', sizeof text);
    uart.room = 0;
    uint64_t taken = 0;
    for (unsigned n = 0; n < CONSOLE_BUFFER_BYTES / CONSOLE_TEXT_BYTES; n++)
        taken += write_text(SESSION(0), text, sizeof text).mr[0];
    struct coffer_reply rp = write_text(SESSION(0), text, sizeof text);
    tap_ok(taken == CONSOLE_BUFFER_BYTES && taken_is(rp, 0) && server.sessions[0].full == 1 &&
               server.sessions[0].wants_room,
           "a flooder fills its own 4 KiB buffer; its next WRITE takes 0 and counts a full buffer");
    /* The victim's line goes out after at most one of the flooder's turns. */
    uart.room = 1000;
    rp = write_text(SESSION(1), "victim\n", 7);
    long at = find(uart.out, uart.written, "victim\n");
    tap_ok(taken_is(rp, 7) && at >= 0 && at <= CONSOLE_QUANTUM,
           "the victim's line is out after at most one quantum of the flooder's");
    tap_ok(server.sessions[0].tail - server.sessions[0].head == CONSOLE_BUFFER_BYTES - (1000 - 7),
           "the flooder's bytes wait in its own buffer");
}

static void test_partial_write(void)
{
    fresh();
    open_session(0, false);
    struct console_session *c = &server.sessions[0];
    c->head = c->tail = 5 * CONSOLE_BUFFER_BYTES - 10; /* the ring wraps within the next WRITE */
    uart.room = 0;
    char text[CONSOLE_TEXT_BYTES];
    for (unsigned k = 0; k < sizeof text; k++)
        text[k] = (char)('A' + k % 26);
    tap_ok(taken_is(write_text(SESSION(0), text, sizeof text), sizeof text) && c->full == 0,
           "a WRITE across the ring's end is taken whole");
    c->tail += CONSOLE_BUFFER_BYTES - 356; /* 100 bytes of room left */
    struct coffer_reply rp = write_text(SESSION(0), text, sizeof text);
    tap_ok(taken_is(rp, 100) && c->full == 1 && c->wants_room && c->tail - c->head == CONSOLE_BUFFER_BYTES,
           "a WRITE with 100 bytes of room takes 100 and counts a full buffer");
    rp = simple(SESSION(0), CONSOLE_OP_INFO, 0, 0);
    tap_ok(rp.error == COFFER_ERR_OK && rp.length == 4 && rp.mr[0] == c->tail && rp.mr[1] == c->head &&
               rp.mr[2] == CONSOLE_BUFFER_BYTES && rp.mr[3] == 1,
           "INFO: taken and written are the ring's counters, 4096 queued, one full WRITE");
    /* Draining it signals the ready notification once (a system call). */
    uart.room = CONSOLE_TEXT_BYTES + CONSOLE_QUANTUM;
    uint64_t calls = host_syscalls_made;
    (void)simple(IRQ, CONSOLE_OP_INTERRUPT, 0, 0);
    tap_ok(!c->wants_room && host_syscalls_made == calls + 1, "room again: the ready notification is signalled");
    tap_ok(uart.written == CONSOLE_TEXT_BYTES + CONSOLE_QUANTUM && memcmp(uart.out, text, sizeof text) == 0,
           "the bytes across the ring's end come out as written");
    tap_ok(server.written == uart.written, "the server counts every byte the UART took (written)");
}

static void test_vanish(void)
{
    fresh();
    open_session(0, false);
    open_session(1, false);
    open_session(2, false);
    uart.room = 0;
    write_lines(0, 'a', 2);
    write_lines(1, 'b', 2);
    write_lines(2, 'c', 2);
    vanish(1);
    uart.room = ~0ull;
    (void)simple(IRQ, CONSOLE_OP_INTERRUPT, 0, 0);
    tap_ok(output_is("a0\nc0\na1\nc1\n") && forgotten(1) && server.vanished == 1,
           "a buffer vanished at its turn: the session is dropped, the others' lines all go out");
    vanish(0);
    struct coffer_reply rp = write_text(SESSION(0), "z\n", 2);
    tap_ok(reply_is(rp, COFFER_ERR_CONSOLE_GONE, 0, 0) && forgotten(0) && server.vanished == 2,
           "WRITE into a vanished buffer: CONSOLE_GONE, the session dropped");
    tap_ok(reply_is(simple(SESSION(0), CONSOLE_OP_INFO, 0, 0), COFFER_ERR_CONSOLE_GONE, 0, 0),
           "INFO on it afterwards: CONSOLE_GONE");
    tap_ok(taken_is(write_text(SESSION(2), "c9\n", 3), 3), "another session goes on writing");
}

static void test_close(void)
{
    fresh();
    open_session(3, false);
    uart.room = 0;
    write_lines(3, 'd', 3);
    uart.room = ~0ull;
    struct coffer_reply rp = simple(SESSION(3), CONSOLE_OP_CLOSE, 0, 0);
    tap_ok(rp.error == COFFER_ERR_OK && rp.length == 0 && output_is("d0\nd1\nd2\n") && forgotten(3),
           "CLOSE writes what was queued, then forgets the session");
    tap_ok(reply_is(simple(SESSION(3), CONSOLE_OP_CLOSE, 0, 0), COFFER_ERR_CONSOLE_GONE, 0, 0),
           "CLOSE again: CONSOLE_GONE");
    /* A buffer that vanished before CLOSE: the session is forgotten all the same. */
    open_session(4, false);
    uart.room = 0;
    write_lines(4, 'e', 1);
    vanish(4);
    uart.room = ~0ull;
    rp = simple(SESSION(4), CONSOLE_OP_CLOSE, 0, 0);
    tap_ok(rp.error == COFFER_ERR_OK && server.sessions[4].state == CONSOLE_FREE,
           "CLOSE of a session whose buffer vanished: done, the session forgotten");
}

static void test_input(void)
{
    fresh();
    open_session(0, false);
    open_session(7, true);
    type("abc", 3);
    uint64_t calls = host_syscalls_made;
    (void)simple(IRQ, CONSOLE_OP_INTERRUPT, 0, 0);
    tap_ok(server.input_tail - server.input_head == 3 && host_syscalls_made == calls + 1,
           "typed bytes are kept for the reading session, and its notification signalled");
    type("de", 2); /* still at the UART: READ takes them too */
    struct coffer_reply rp = simple(SESSION(7), CONSOLE_OP_READ, 0, 0);
    tap_ok(rp.error == COFFER_ERR_OK && rp.length == WRITE_WORDS && rp.mr[0] == 5 &&
               memcmp(&rp.mr[4], "abcde", 5) == 0 && ((const uint8_t *)&rp.mr[4])[5] == 0,
           "READ returns the typed bytes, and zeros after them");
    rp = simple(SESSION(7), CONSOLE_OP_READ, 0, 0);
    tap_ok(rp.error == COFFER_ERR_OK && rp.mr[0] == 0, "READ with nothing typed returns 0 bytes");

    char many[300];
    memset(many, 'k', sizeof many);
    type(many, sizeof many);
    (void)simple(IRQ, CONSOLE_OP_INTERRUPT, 0, 0);
    tap_ok(server.input_tail - server.input_head == CONSOLE_INPUT_BYTES &&
               server.dropped == sizeof many - CONSOLE_INPUT_BYTES,
           "typing past 256 unread bytes drops the rest, counted");
    rp = simple(SESSION(7), CONSOLE_OP_READ, 0, 0);
    tap_ok(rp.mr[0] == CONSOLE_TEXT_BYTES && server.input_tail == server.input_head, "READ takes 256 at most");

    server.sessions[7].state = CONSOLE_FREE;
    type("q", 1);
    (void)simple(IRQ, CONSOLE_OP_INTERRUPT, 0, 0);
    tap_ok(server.dropped == sizeof many - CONSOLE_INPUT_BYTES + 1 && server.input_tail == server.input_head,
           "with no session reading, typed bytes are dropped");
}

int main(void)
{
    test_refusals();
    test_turns();
    test_flood();
    test_partial_write();
    test_vanish();
    test_close();
    test_input();
    return tap_done();
}
