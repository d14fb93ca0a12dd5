/*
 * Where the C runtime's stdio (lib/crt/console.c) sends a line and finds
 * input.  lib/crt's own versions, weak, use the kernel's debug console --
 * a root task's; a process links lib/runtime, whose versions use a
 * session of the console server when its spawner granted one.
 */
#ifndef CRT_CONSOLE_H
#define CRT_CONSOLE_H

#include <stddef.h>

/* Write n bytes of a line (n > 0): all of them, waiting if it must. */
void crt_console_write(const char *text, size_t n);

/* The next byte typed, or -1 (EOF) when there is none to be had. */
int crt_console_getc(void);

#endif
