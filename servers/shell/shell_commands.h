/*
 * What the shell's commands do (shell_commands.c): processes spawned on
 * the shell's own bank and kept in its table, and the views of the
 * manager and the banks.  docs/processes.md, "The shell".
 */
#ifndef SHELL_SHELL_COMMANDS_H
#define SHELL_SHELL_COMMANDS_H

#include <stdbool.h>

#include "shell.h"

#define SHELL_CHILDREN 8 /* processes the shell has at once (spawned, not yet waited for) */

/* Buys the exit notification; false if the bank will not sell it. */
bool shell_commands_init(void);

/* shell_banks.c: `banks` and `mem`, over the bank granted at
 * PROCESS_GRANT_BANKS (the whole tree) or the shell's own. */
bool shell_banks(const struct shell_words *words);
bool shell_mem(const struct shell_words *words);

/* Runs one command; false if it failed (it said why).  *quit: `exit`. */
bool shell_command(const struct shell_words *words, bool *quit);

#endif
