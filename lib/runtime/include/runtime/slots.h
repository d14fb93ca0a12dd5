/*
 * A process's CSpace slots (docs/processes.md, "A process's world"): the
 * runtime's allocator, which its heap, threads and console session use
 * and a program may too.  It takes the top of the first leaf first (slot
 * 255 down to PROCESS_SLOT_FIRST_FREE + 16: the slots below are the
 * program's own to number), then leaves of 256 slots it buys from the
 * process's bank as it needs them, into root slots 1 to 15 (lib/cspace
 * keeps their books): 4,064 slots in all, a heap of 3,800 frames or more
 * (of 64 KiB and up, mostly: the heap's step).  Safe from any thread.
 */
#ifndef RUNTIME_SLOTS_H
#define RUNTIME_SLOTS_H

#include <stdbool.h>
#include <stdint.h>

/* A free slot: *slot its capability pointer (depth 64).  False when none
 * is left, or the bank refuses the leaf a new one needs. */
bool runtime_slot_alloc(uint64_t *slot);

/* Give back a slot runtime_slot_alloc gave, emptied first.  One of the
 * first leaf is taken again only if it was the last taken (those are a
 * stack); one of a bought leaf at once. */
void runtime_slot_free(uint64_t slot);

/* The leaves bought so far (they stay until the process ends). */
unsigned runtime_slot_leaves(void);

#endif
