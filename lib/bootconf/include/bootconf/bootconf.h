/*
 * The boot configuration: which processes init starts, from a plain-text
 * file in the boot image (docs/processes.md, "The boot configuration").
 *
 *     # a comment
 *     [hello]                      a process: its name, unique
 *     image    = hello             the boot-image file (default: the name)
 *     args     = world "two words" its arguments after argv[0] (the name)
 *     env      = GREETING=hi       NAME=VALUE words
 *     limit    = 4 MiB             its bank's byte limit (required)
 *     priority = 100               0..255 (default 100)
 *     mcp      = 100               the highest priority it may give (default: priority)
 *     budget   = 2 ms              its CPU share: budget of every period
 *     period   = 10 ms             (defaults: period 10 ms, budget the period)
 *     caps     = console timer     the services whose capabilities it gets
 *
 * The text is untrusted: the parser checks every line before it stores
 * anything of a process, allocates nothing (the caller's array holds the
 * result) and reports the first error with its line and column.
 */
#ifndef BOOTCONF_BOOTCONF_H
#define BOOTCONF_BOOTCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BOOTCONF_LINE_MAX 255   /* bytes of one line, without its newline */
#define BOOTCONF_NAME_MAX 31    /* a process, service or image name: [A-Za-z0-9_.-] */
#define BOOTCONF_WORDS_MAX 16   /* arguments, and environment words, each */
#define BOOTCONF_TEXT_MAX 384   /* bytes of a process's words, each with its NUL */
#define BOOTCONF_CAPS_MAX 8     /* services one process names */

#define BOOTCONF_DEFAULT_PRIORITY 100
#define BOOTCONF_DEFAULT_PERIOD_US 10000

enum bootconf_status {
    BOOTCONF_OK = 0,
    BOOTCONF_ERR_NUL,            /* a NUL byte in the text */
    BOOTCONF_ERR_LINE_TOO_LONG,  /* a line longer than BOOTCONF_LINE_MAX */
    BOOTCONF_ERR_SYNTAX,         /* neither [name], key = value, a comment nor blank */
    BOOTCONF_ERR_NAME,           /* a name empty, too long or with other characters */
    BOOTCONF_ERR_DUPLICATE_PROCESS,
    BOOTCONF_ERR_TOO_MANY_PROCESSES, /* more than the caller's array holds */
    BOOTCONF_ERR_OUTSIDE,        /* a key before the first [name] */
    BOOTCONF_ERR_UNKNOWN_KEY,
    BOOTCONF_ERR_DUPLICATE_KEY,
    BOOTCONF_ERR_VALUE,          /* a value missing, or words where one is taken */
    BOOTCONF_ERR_NUMBER,         /* not a number, or one past 64 bits */
    BOOTCONF_ERR_UNIT,           /* a unit this key does not take, or none where one is needed */
    BOOTCONF_ERR_RANGE,          /* a limit of 0, a priority above 255, budget above period... */
    BOOTCONF_ERR_QUOTE,          /* an unterminated quote or an unknown escape */
    BOOTCONF_ERR_TOO_MANY_WORDS, /* more than BOOTCONF_WORDS_MAX, or BOOTCONF_CAPS_MAX */
    BOOTCONF_ERR_TEXT_FULL,      /* a process's words past BOOTCONF_TEXT_MAX bytes */
    BOOTCONF_ERR_ENV,            /* an environment word without NAME= */
    BOOTCONF_ERR_MISSING,        /* a process without a limit (at its [name] line) */
    BOOTCONF_STATUS_COUNT_
};

/* One process, as init hands it to the process manager. */
struct bootconf_process {
    char name[BOOTCONF_NAME_MAX + 1];
    char image[BOOTCONF_NAME_MAX + 1];
    uint64_t limit;              /* bytes */
    unsigned priority, mcp;
    uint64_t budget_us, period_us;
    unsigned argc, envc, ncaps;  /* argc: the words of args, not counting the name */
    uint16_t argv[BOOTCONF_WORDS_MAX]; /* offsets of NUL-terminated words in text */
    uint16_t envv[BOOTCONF_WORDS_MAX];
    char caps[BOOTCONF_CAPS_MAX][BOOTCONF_NAME_MAX + 1];
    char text[BOOTCONF_TEXT_MAX];
    unsigned line;               /* where its [name] is */
};

/* Where the first error is: 1-based line and column (the column of the
 * offending word or character). */
struct bootconf_error {
    enum bootconf_status status;
    unsigned line, column;
};

/* Parse len bytes of text into out[0..capacity), *count of them used.
 * BOOTCONF_OK, or the first error (*err says where; out is then
 * unspecified). */
enum bootconf_status bootconf_parse(const char *text, size_t len, struct bootconf_process *out,
                                    unsigned capacity, unsigned *count, struct bootconf_error *err);

/* argv[i] and envv[i] of p as strings. */
const char *bootconf_arg(const struct bootconf_process *p, unsigned i);
const char *bootconf_env(const struct bootconf_process *p, unsigned i);

/* A byte count written as in a `limit`, in one word ("512K", "4MiB",
 * "65536"): false for anything else or past 64 bits. */
bool bootconf_bytes(const char *word, uint64_t *bytes);

/* "a NUL byte in the text" etc.; "unknown status" past the list. */
const char *bootconf_strerror(enum bootconf_status status);

#endif
