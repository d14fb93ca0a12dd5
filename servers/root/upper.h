/*
 * The demo's text server (proto/upper.def): its state and the handlers
 * the generated dispatcher calls (declared in <proto/upper_server.h>).
 * No system calls here: the host tests drive it through upper_dispatch().
 */
#ifndef COFFER_DEMO_UPPER_H
#define COFFER_DEMO_UPPER_H

#include <proto/upper_server.h>

struct upper_server {
    uint64_t texts; /* requests answered with OK */
};

/* Upper-case the eight bytes of w up to the first NUL: OK, or
 * UPPER_NOT_TEXT with the index of a byte that is not printable ASCII
 * (offset by `first`, the index of w's first byte in the whole text). */
struct coffer_result upper_word(uint64_t w, unsigned first, uint64_t *out);

#endif
