/*
 * What the runtime's parts share: objects bought into the runtime's slots
 * (heap.c; cspace_slots.c), the console session (console.c), and
 * the time base start.c finds in the auxiliary vector (time.c uses it).
 */
#ifndef RUNTIME_RUNTIME_INTERNAL_H
#define RUNTIME_RUNTIME_INTERNAL_H

#include <runtime/slots.h>
#include <stdbool.h>
#include <stdint.h>

/* An object from the process's bank into a slot of the runtime's
 * (runtime/slots.h); false (and no slot taken) if the bank refuses or no
 * slot can be had. */
bool runtime_buy(uint64_t type, uint64_t size_bits, uint64_t *slot, uint64_t *handle);

/* A frame mapped at va, read and write, with the page tables the walk
 * needs bought (they stay: the next mapping there needs them); false if
 * a table cannot be had or the kernel refuses. */
bool runtime_map(uint64_t frame, uintptr_t va);

/* The console session closed, what it queued written first (console.c;
 * _exit calls it before the process's bank goes). */
void runtime_console_close(void);

/* The time CSR's ticks per second (LOADER_AT_COFFER_TIMEBASE), or 0. */
extern uint64_t runtime_timebase_hz;

#endif
