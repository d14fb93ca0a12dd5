#include "fault.h"
/* The kernel half is mapped without the U bit. */
FAULT_TEST("load from kernel memory", (void)*(volatile uint64_t *)0xffffffc080000000ull)
