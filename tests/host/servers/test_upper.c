/*
 * The demo's text server (servers/root/upper.c) through its generated
 * dispatcher: every operation, every error the protocol names, requests
 * of the wrong shape refused before a handler runs, and an unknown label.
 */
#include "tap.h"
#include "upper.h"
#include <string.h>

static struct upper_server server;

/* Dispatch one request of `length` words from w with `ncaps` capabilities. */
static struct coffer_reply call(uint64_t label, const uint64_t *w, unsigned length, unsigned ncaps)
{
    struct coffer_request rq = { .badge = 7, .label = label, .length = length, .ncaps = ncaps, .mr = w };
    struct coffer_reply rp;
    memset(&rp, 0xa5, sizeof rp); /* the dispatcher must set what it returns */
    upper_dispatch(&server, &rq, &rp);
    return rp;
}

/* Up to eight bytes of s, the first in the low byte. */
static uint64_t word_of(const char *s)
{
    uint64_t w = 0;
    size_t n = strlen(s);
    memcpy(&w, s, n < 8 ? n : 8);
    return w;
}

static bool is_error(struct coffer_reply rp, uint64_t error, uint64_t d0, uint64_t d1)
{
    bool ok = rp.error == error && rp.length == 2 && rp.ncaps == 0 && rp.mr[0] == d0 && rp.mr[1] == d1;
    if (!ok)
        tap_diag("reply 0x%llx (%llu words: %llu, %llu), expected 0x%llx (%llu, %llu)",
                 (unsigned long long)rp.error, (unsigned long long)rp.length, (unsigned long long)rp.mr[0],
                 (unsigned long long)rp.mr[1], (unsigned long long)error, (unsigned long long)d0,
                 (unsigned long long)d1);
    return ok;
}

static void test_case(void)
{
    uint64_t w[6] = { word_of("coffer!") };
    struct coffer_reply rp = call(UPPER_OP_CASE, w, 1, 0);
    tap_ok(rp.error == COFFER_ERR_OK && rp.length == 1 && rp.ncaps == 0 && rp.mr[0] == word_of("COFFER!"),
           "CASE: upper-cases eight bytes, one word back");
    w[0] = word_of("ab\0cd");
    rp = call(UPPER_OP_CASE, w, 1, 0);
    tap_ok(rp.error == COFFER_ERR_OK && rp.mr[0] == word_of("AB"), "CASE: a NUL ends the text");
    w[0] = word_of("bell\a");
    tap_ok(is_error(call(UPPER_OP_CASE, w, 1, 0), COFFER_ERR_UPPER_NOT_TEXT, 4, 0),
           "CASE: a control character is UPPER_NOT_TEXT with its index");
    tap_ok(is_error(call(UPPER_OP_CASE, w, 0, 0), COFFER_ERR_PROTO_BAD_MESSAGE, 1, 0),
           "CASE: no words is PROTO_BAD_MESSAGE(1, 0)");
    tap_ok(is_error(call(UPPER_OP_CASE, w, 2, 0), COFFER_ERR_PROTO_BAD_MESSAGE, 1, 0),
           "CASE: two words is PROTO_BAD_MESSAGE(1, 0)");
    tap_ok(is_error(call(UPPER_OP_CASE, w, 1, 1), COFFER_ERR_PROTO_BAD_MESSAGE, 1, 0),
           "CASE: a capability it does not take is PROTO_BAD_MESSAGE(1, 0)");
}

static void test_case_long(void)
{
    char text[48] = "whoever benefits pays, the server as well";
    uint64_t w[6];
    memcpy(w, text, sizeof w);
    uint64_t before = server.texts;
    struct coffer_reply rp = call(UPPER_OP_CASE_LONG, w, 6, 0);
    char out[49] = { 0 };
    memcpy(out, rp.mr, 48);
    tap_ok(rp.error == COFFER_ERR_OK && rp.length == 6 && strcmp(out, "WHOEVER BENEFITS PAYS, THE SERVER AS WELL") == 0 &&
               server.texts == before + 1,
           "CASE_LONG: six words upper-cased, six words back");
    text[20] = '\x7f';
    memcpy(w, text, sizeof w);
    tap_ok(is_error(call(UPPER_OP_CASE_LONG, w, 6, 0), COFFER_ERR_UPPER_NOT_TEXT, 20, 0) &&
               server.texts == before + 1,
           "CASE_LONG: DEL at byte 20 is UPPER_NOT_TEXT(20), and nothing was answered");
    tap_ok(is_error(call(UPPER_OP_CASE_LONG, w, 5, 0), COFFER_ERR_PROTO_BAD_MESSAGE, 6, 0),
           "CASE_LONG: five words is PROTO_BAD_MESSAGE(6, 0)");
}

static void test_unknown(void)
{
    uint64_t w[1] = { 0 };
    tap_ok(is_error(call(0, w, 0, 0), COFFER_ERR_PROTO_UNKNOWN_OP, 0, 0), "label 0 is PROTO_UNKNOWN_OP(0)");
    tap_ok(is_error(call(99, w, 1, 0), COFFER_ERR_PROTO_UNKNOWN_OP, 99, 0), "label 99 is PROTO_UNKNOWN_OP(99)");
}

int main(void)
{
    test_case();
    test_case_long();
    test_unknown();
    return tap_done();
}
