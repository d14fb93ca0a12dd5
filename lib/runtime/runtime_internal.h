/*
 * What the runtime's parts share: the CSpace slots they take from the top
 * of the process's CNode (heap.c), the console session (console.c), and
 * the time base start.c finds in the auxiliary vector (time.c uses it).
 */
#ifndef RUNTIME_RUNTIME_INTERNAL_H
#define RUNTIME_RUNTIME_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

/* The next free slot from the top; false when the slots would meet the
 * program's own.  A slot returned is taken again only if it was the last
 * one taken (the slots are a stack). */
bool runtime_slot(uint64_t *slot);
void runtime_slot_return(uint64_t slot);

/* An object from the process's bank into the next free slot from the
 * top; false (and no slot taken) if the bank refuses or the slots meet
 * the program's own. */
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
