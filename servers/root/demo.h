/* The demo root task's parts. */
#ifndef COFFER_DEMO_H
#define COFFER_DEMO_H

#include <coffer.h>
#include <stdbool.h>
#include <stdint.h>

/* Did a step of the demo succeed?  If not, print which step failed and
 * the error it got, with both details. */
bool demo_step(struct coffer_result r, const char *step);

/* Map frame and its read-only alias (both capabilities in root slots) and
 * show the alias reading what was written through the frame.  Page tables
 * are retyped from ut into root slots first_free and first_free + 1. */
int show_aliases(uint64_t ut, uint64_t frame, uint64_t alias, uint64_t first_free);

/* Start a passive server thread (objects from ut into root slots
 * first_free..+4; its IPC buffer is mapped through the page tables
 * show_aliases made), call it, and show whose time the requests used. */
int show_server(uint64_t ut, uint64_t first_free);

/* Start the bank server with the RAM the rest of the demo does not use,
 * make banks, buy from them, show the bank tree and the audit before and
 * after a destroy (root slots from first_free). */
int show_banks(const struct coffer_bootinfo *bi, uint64_t first_free);

/* The prime bank's capability, once show_banks started the bank server. */
coffer_cptr_t demo_prime_bank(void);

/* Start the process manager and run the processes boot.conf names, each
 * on its own bank inside prime: list, start, wait for and reap them
 * (root slots from first_free). */
int run_init(const struct coffer_bootinfo *bi, coffer_cptr_t prime, uint64_t first_free);

#endif
