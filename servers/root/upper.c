/*
 * The logic of the demo's text server.  The dispatcher has checked each
 * request's shape already; a handler only judges the text.
 */
#include "upper.h"

struct coffer_result upper_word(uint64_t w, unsigned first, uint64_t *out)
{
    uint64_t result = 0;
    for (unsigned i = 0; i < 8; i++) {
        uint64_t c = (w >> (8 * i)) & 0xff;
        if (c == 0)
            break;
        if (c < 0x20 || c > 0x7e)
            return (struct coffer_result){ COFFER_ERR_UPPER_NOT_TEXT, first + i, 0 };
        if (c >= 'a' && c <= 'z')
            c -= 'a' - 'A';
        result |= c << (8 * i);
    }
    *out = result;
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}

struct coffer_result upper_serve_case(struct upper_server *server, const struct coffer_request *rq,
                                      uint64_t text, uint64_t *upper)
{
    (void)rq;
    struct coffer_result r = upper_word(text, 0, upper);
    server->texts += r.error == COFFER_ERR_OK;
    return r;
}

/* Six words, judged all before any is answered; a NUL ends the text. */
struct coffer_result upper_serve_case_long(struct upper_server *server, const struct coffer_request *rq,
                                           uint64_t t0, uint64_t t1, uint64_t t2, uint64_t t3,
                                           uint64_t t4, uint64_t t5, uint64_t *u0, uint64_t *u1,
                                           uint64_t *u2, uint64_t *u3, uint64_t *u4, uint64_t *u5)
{
    (void)rq;
    const uint64_t in[6] = { t0, t1, t2, t3, t4, t5 };
    uint64_t *out[6] = { u0, u1, u2, u3, u4, u5 };
    bool ended = false;
    for (unsigned i = 0; i < 6; i++) {
        uint64_t w = ended ? 0 : in[i];
        struct coffer_result r = upper_word(w, 8 * i, out[i]);
        if (r.error != COFFER_ERR_OK)
            return r;
        for (unsigned b = 0; b < 8 && !ended; b++)
            ended = ((w >> (8 * b)) & 0xff) == 0;
    }
    server->texts++;
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}
