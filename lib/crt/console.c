/*
 * stdio for Coffer programs: picolibc's stdout, stderr and stdin on one
 * line-buffered stream, a line per thread.  A line goes out in one call of
 * crt_console_write() (<crt/console.h>), not a trap per character: here
 * the kernel's debug console, one DEBUG_WRITE a line; a process's runtime
 * replaces it with the console server's session.
 */
#include <coffer.h>
#include <crt/console.h>
#include <stdio.h>

#define LINE_MAX_BYTES 256

/* Each thread's line of its own (a process's threads: <runtime/thread.h>),
 * so that lines from two threads never mix. */
static _Thread_local char line[LINE_MAX_BYTES];
static _Thread_local unsigned line_len;

__attribute__((weak)) void crt_console_write(const char *text, size_t n)
{
    coffer_debug_write((uint64_t)(uintptr_t)text, n);
}

__attribute__((weak)) int crt_console_getc(void)
{
    return EOF; /* the kernel's console takes no input */
}

static int console_flush(FILE *f)
{
    (void)f;
    if (line_len > 0)
        crt_console_write(line, line_len);
    line_len = 0;
    return 0;
}

static int console_put(char c, FILE *f)
{
    line[line_len++] = c;
    if (c == '\n' || line_len == LINE_MAX_BYTES)
        console_flush(f);
    return (unsigned char)c;
}

static int console_get(FILE *f)
{
    (void)f;
    return crt_console_getc();
}

/* The stream object itself, defined once (picolibc's struct __file). */
static struct __file console = FDEV_SETUP_STREAM(console_put, console_get, console_flush, _FDEV_SETUP_RW);

FILE *const stdin = &console;
FILE *const stdout = &console;
FILE *const stderr = &console;
