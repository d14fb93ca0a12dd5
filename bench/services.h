/*
 * What the service benchmarks share (bench_kv.c, bench_exec.c): a bank
 * service started from an untyped of the benchmark's, and the untyped
 * given back whole at the end.
 */
#ifndef COFFER_BENCH_SERVICES_H
#define COFFER_BENCH_SERVICES_H

#include <coffer.h>
#include <stdbool.h>

#include "bank_service.h"

/* The untyped the benchmark works in, cleared; its free bytes in *free. */
uint64_t bench_services_begin(uint64_t *free);

/* A bank service: 2^ram_bits of RAM and its own 2 MiB retyped from parent
 * into the slots ram and work, its starter slots from first_slot. */
bool bench_bank_service(uint64_t parent, unsigned ram_bits, uint64_t ram, uint64_t work, uint64_t first_slot,
                        struct bank_service *out);

/* The services' threads stopped, the untyped revoked; a line if a byte
 * did not come back. */
void bench_services_end(uint64_t parent, uint64_t free, const coffer_cptr_t *threads, unsigned n, const char *name);

#endif
