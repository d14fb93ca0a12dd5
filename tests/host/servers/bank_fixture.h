/*
 * The bank server's logic on the host, for test_bank.c and
 * test_bank_model.c (bank_fixture.c): a server with a real guarded
 * two-level CSpace of host memory and 4 MiB of RAM, its invocations
 * through the host-built kernel core (host_syscalls.h); calls through its
 * dispatcher as the receive loop makes them; and the books check, which
 * compares each bank's bytes with the kernel's UNTYPED_DESCRIBE of every
 * extent, the audit's sums and the derivation tree's invariants.
 */
#ifndef COFFER_TESTS_BANK_FIXTURE_H
#define COFFER_TESTS_BANK_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "bank.h"
#include "bank_service.h"
#include "cap_fixture.h"
#include "host_syscalls.h"
#include "tap.h"

#define ROOT_BITS 8
#define LEAF_BITS BANK_CHUNK_SLOT_BITS
#define SLOT(root, i) ((uint64_t)(root) << LEAF_BITS | (i))
#define CNODE SLOT(0, 1)    /* the server's root CNode */
#define ENDPOINT SLOT(0, 2) /* the endpoint bank capabilities are minted from */
#define SPARE_UT SLOT(0, 3) /* an untyped for the endpoint */
#define CLIENT SLOT(0, 10)  /* client copies from here */
#define RAM_BITS 23         /* the prime bank: 8 MiB (a chain BANK_DEPTH_MAX deep nests in it) */
#define NBANKS 64
#define NCHUNKS 200         /* root slots 1..200 */

extern struct bank_server server;
extern struct bank_entry banks[NBANKS];
extern struct chunk_entry chunks[NCHUNKS];
extern uint64_t prime_badge; /* the prime bank's capability's badge, every right */

/* The host memory the server lives in; false if there is none. */
bool bank_fixture_alloc(void);
/* A fresh server: the CSpace, the endpoint, the RAM, the prime bank. */
void setup(void);

/* A request through bank_handle, as the receive loop hands it over. */
struct coffer_reply call(uint64_t badge, uint64_t label, const uint64_t *w, unsigned n);
uint64_t buy(uint64_t badge, uint64_t type, uint64_t size_bits, uint64_t *handle, uint64_t *slot);
uint64_t bank_free(uint64_t badge, uint64_t handle);
uint64_t create(uint64_t badge, uint64_t limit, uint64_t *child);
uint64_t simple(uint64_t badge, uint64_t label); /* an operation without arguments */

struct info { uint64_t limit, effective, held, objects, overhead, children, free, count, banks; };
struct info info(uint64_t badge);
/* Everything a bank and its parent hold, to compare before and after. */
struct books { struct info bank, parent; };
struct books books(uint64_t badge, uint64_t parent);
bool same_books(struct books a, struct books b);

/* The type of the capability in a server slot (NULL when empty or its CNode is gone). */
uint64_t slot_type(uint64_t slot);
/* A client's copy, as the IPC transfer makes it: a child of the bank's original. */
bool client_copy(uint64_t from, uint64_t to);
/* Every bank's books balance, the kernel agrees, the audit adds up, the tree is sound. */
bool all_balance(void);
unsigned count_free_chunks(void);
unsigned count_free_banks(void);

#endif
