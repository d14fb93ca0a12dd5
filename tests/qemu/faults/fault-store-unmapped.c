#include "fault.h"
FAULT_TEST("store to unmapped memory", *(volatile uint64_t *)0x1000ull = 42)
