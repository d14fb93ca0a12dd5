#include "fault.h"
/* Jump into the kernel's text: an instruction page fault in U-mode. */
FAULT_TEST("jump into kernel text", ((void (*)(void))0xffffffff80200000ull)())
