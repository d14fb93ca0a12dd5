#include "fault.h"
/* Reading sstatus is a supervisor-only operation. */
FAULT_TEST("illegal instruction", __asm__ volatile(".option push\n.option arch, +zicsr\ncsrr t0, sstatus\n.option pop" ::: "t0"))
