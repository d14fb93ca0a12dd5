/* What the server groups of the suite share (test_console_service.c,
 * test_kv_service.c, proc_fixture.c): a bank service started from a
 * group's container. */
#ifndef COFFER_SERVICES_FIXTURE_H
#define COFFER_SERVICES_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "bank_service.h"

/* 2^ram_bits of RAM for the prime bank and the server's own 2 MiB retyped
 * from container into the slots ram and work (in that order), then the
 * bank service started: its starter slots from first_slot, nbanks banks. */
bool start_bank_service(uint64_t container, unsigned ram_bits, uint64_t ram, uint64_t work, uint64_t first_slot,
                        unsigned nbanks, struct bank_service *out);

#endif
