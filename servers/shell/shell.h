/*
 * The shell's logic that makes no system call (shell.c): splitting a
 * script into commands and a command into words, reading the arguments
 * of each command, and the line editor that turns the keyboard's bytes
 * into lines.  shell_commands.c does what the commands say;
 * main.c is the loop.  docs/processes.md, "The shell".
 */
#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHELL_LINE_MAX 200     /* a command line's bytes, its NUL not counted */
#define SHELL_WORDS_MAX 21     /* words in a command: spawn IMAGE, 16 arguments, --limit BYTES, one more to refuse */
#define SHELL_ARGS_MAX 16      /* a spawned program's arguments after argv[0] (the manager's most) */
#define SHELL_DEFAULT_LIMIT (1u << 20)

/* A command line cut into words, in place: blanks separate words, double
 * quotes keep blanks inside one ("two words"), a backslash in quotes
 * keeps the next byte. */
struct shell_words {
    unsigned n;
    char *w[SHELL_WORDS_MAX];
};
enum shell_split_status { SHELL_SPLIT_OK, SHELL_SPLIT_QUOTE, SHELL_SPLIT_TOO_MANY };
enum shell_split_status shell_split(char *line, struct shell_words *out);

/* The next command of a script (commands end at ';' or a newline) into
 * line, NUL-terminated and at most SHELL_LINE_MAX bytes (a longer one is
 * cut); *script moves past it.  False at the script's end. */
bool shell_next_command(const char **script, char line[SHELL_LINE_MAX + 1]);

/* spawn IMAGE [ARGS...] [--limit BYTES]: the words after "spawn". */
struct shell_spawn {
    const char *image;
    unsigned argc;
    const char *argv[SHELL_ARGS_MAX];
    uint64_t limit;
};
/* NULL, or why the words are no spawn command (for people). */
const char *shell_parse_spawn(const struct shell_words *words, struct shell_spawn *out);

/* A process number: decimal, 1 to 2^24 - 1 (the manager's pids). */
bool shell_parse_pid(const char *word, uint64_t *pid);

/* The line editor: one byte of the keyboard at a time (-1: no more).
 * It keeps the line, says what to echo (at most SHELL_ECHO_MAX bytes),
 * and whether a line is complete (NUL-terminated in e->line) or the input
 * is over. */
#define SHELL_ECHO_MAX ((size_t)3 * SHELL_LINE_MAX)
struct shell_editor {
    char line[SHELL_LINE_MAX + 1];
    size_t len;
    bool after_cr; /* a LF right after a CR ends no second line */
};
enum shell_edit { SHELL_EDIT_MORE, SHELL_EDIT_LINE, SHELL_EDIT_END };
enum shell_edit shell_edit(struct shell_editor *e, int c, char echo[SHELL_ECHO_MAX], size_t *echo_len);

/* bytes and microseconds for people: "512 B", "640 KiB", "12.5 MiB";
 * "80 us", "2.3 ms", "1.2 s". */
#define SHELL_UNIT_BYTES 24 /* what shell_bytes and shell_time write, at most */
void shell_bytes(char out[SHELL_UNIT_BYTES], uint64_t bytes);
void shell_time(char out[SHELL_UNIT_BYTES], uint64_t us);

#endif
