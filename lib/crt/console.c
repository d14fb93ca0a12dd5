/*
 * stdio for Coffer programs: picolibc's stdout, stderr and stdin on the
 * kernel's debug console.  Output is line-buffered here and written with one
 * DEBUG_WRITE system call per line, not one trap per character.
 */
#include <coffer.h>
#include <stdio.h>

#define LINE_MAX_BYTES 256

static char line[LINE_MAX_BYTES];
static unsigned line_len;

static int console_flush(FILE *f)
{
    (void)f;
    if (line_len > 0)
        coffer_debug_write((uint64_t)(uintptr_t)line, line_len);
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
    return EOF; /* console input arrives with the UART driver */
}

/* The stream object itself, defined once (picolibc's struct __file). */
static struct __file console = FDEV_SETUP_STREAM(console_put, console_get, console_flush, _FDEV_SETUP_RW);

FILE *const stdin = &console;
FILE *const stdout = &console;
FILE *const stderr = &console;
