/*
 * The shell: a program for a person trying Coffer (docs/processes.md,
 * "The shell").  `shell -c "ps; spawn hello"` runs the commands given
 * and ends (make run's scripted session); without arguments it reads the
 * keyboard -- granted by init with `caps = keyboard` -- a line at a time
 * (make shell).
 */
#include <stdio.h>
#include <string.h>

#include "shell.h"
#include "shell_commands.h"

#define PROMPT "coffer> "

/* Runs one command line; false if it failed. */
static bool run_line(char *line, bool *quit)
{
    struct shell_words words;
    enum shell_split_status s = shell_split(line, &words);
    *quit = false;
    if (s != SHELL_SPLIT_OK) {
        printf("%s\n", s == SHELL_SPLIT_QUOTE ? "a quote is not closed" : "too many words");
        return false;
    }
    return shell_command(&words, quit);
}

/* The commands of a script, each shown after the prompt as if typed; the
 * status of the last. */
static int run_script(const char *script)
{
    char line[SHELL_LINE_MAX + 1];
    bool ok = true, quit = false;
    while (!quit && shell_next_command(&script, line)) {
        printf(PROMPT "%s\n", line);
        ok = run_line(line, &quit);
    }
    return ok ? 0 : 1;
}

static int interactive(void)
{
    struct shell_editor editor = { 0 };
    char echo[SHELL_ECHO_MAX];
    bool quit = false;
    printf("Coffer's shell: help lists the commands; exit or ^D ends it.\n" PROMPT);
    fflush(stdout);
    while (!quit) {
        size_t n;
        int c = getchar();
        enum shell_edit e = shell_edit(&editor, c, echo, &n);
        fwrite(echo, 1, n, stdout);
        if (e == SHELL_EDIT_END) {
            printf("\n");
            break;
        }
        if (e == SHELL_EDIT_LINE) {
            run_line(editor.line, &quit);
            if (!quit)
                printf(PROMPT);
        }
        fflush(stdout);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (!shell_commands_init())
        return 1;
    if (argc == 3 && strcmp(argv[1], "-c") == 0)
        return run_script(argv[2]);
    if (argc != 1) {
        printf("usage: shell [-c \"COMMAND; COMMAND...\"]\n");
        return 2;
    }
    return interactive();
}
