/*
 * The shell's commands.  A process the shell spawns is built by the
 * manager on a bank created inside the shell's own (PROCESS_SLOT_BANK),
 * so it is paid from the shell's limit and every byte of it comes back
 * there when it is killed or waited for.  The shell keeps a handle per
 * process in its table (SHELL_CHILDREN entries); one notification, bought
 * at start, tells it that one of them ended.  It grants each child the
 * console it was granted itself, so the child's lines go through a
 * session the child's bank pays for.
 */
#include "shell_commands.h"

#include <bank/bank.h>
#include <coffer.h>
#include <process/granted.h>
#include <process/layout.h>
#include <process/manager.h>
#include <process/spawn_text.h>
#include <proto/bank_client.h>
#include <proto/proc_client.h>
#include <stdio.h>
#include <string.h>


/* The shell's own slots (a program's are from PROCESS_SLOT_FIRST_FREE). */
enum { SLOT_EXITS = PROCESS_SLOT_FIRST_FREE, SLOT_HANDLES };
_Static_assert(SLOT_HANDLES + SHELL_CHILDREN - PROCESS_SLOT_FIRST_FREE <= 16, "sbrk leaves a program 16 slots");

#define CHILD_PRIORITY 100 /* boot.conf gives the shell an MCP of 100 */
#define CHILD_BUDGET_US 5000
#define CHILD_PERIOD_US 10000

static struct child {
    bool used;
    uint64_t pid;
    char name[PROC_NAME_BYTES];
} children[SHELL_CHILDREN];

static struct coffer_ipc_buffer *buf(void)
{
    return coffer_root_ipc_buffer();
}

static bool failed(const char *what, struct coffer_result r)
{
    printf("%s: %s (details %llu, %llu)\n", what, coffer_error_name(r.error), (unsigned long long)r.detail0,
           (unsigned long long)r.detail1);
    return false;
}

bool shell_commands_init(void)
{
    uint64_t handle;
    struct coffer_result r = bank_buy_into(buf(), PROCESS_SLOT_BANK, COFFER_OBJ_NOTIFICATION, 0, PROCESS_RECV(SLOT_EXITS), &handle);
    return r.error == COFFER_ERR_OK || failed("shell: the exit notification", r);
}

static struct child *child_by_pid(uint64_t pid, unsigned *index)
{
    for (unsigned i = 0; i < SHELL_CHILDREN; i++)
        if (children[i].used && children[i].pid == pid) {
            *index = i;
            return &children[i];
        }
    printf("no process %llu of this shell's (ps lists them)\n", (unsigned long long)pid);
    return NULL;
}

/* ---------------------------------------------------------------- ps */

static const char *state_name(uint64_t state)
{
    static const char *const names[] = { [PROC_STATE_BUILT] = "built", [PROC_STATE_RUNNING] = "running",
                                         [PROC_STATE_ENDED] = "ended" };
    return state >= PROC_STATE_BUILT && state <= PROC_STATE_ENDED ? names[state] : "?";
}

static void ps_row(coffer_cptr_t cap)
{
    uint64_t state = 0, pid = 0, parent = 0, held = 0, limit = 0, cpu = 0;
    char name[PROC_NAME_BYTES + 1] = "";
    if (proc_info(buf(), cap, &state, &pid, &parent, &held, &limit, &cpu, name).error != COFFER_ERR_OK)
        return;
    char h[SHELL_UNIT_BYTES], l[SHELL_UNIT_BYTES], t[SHELL_UNIT_BYTES];
    shell_bytes(h, held);
    shell_bytes(l, limit);
    shell_time(t, cpu);
    printf("  %5llu  %-12.12s %-8s %11s %11s %10s\n", (unsigned long long)pid, name, state_name(state), h, l, t);
}

static bool ps(void)
{
    printf("  %5s  %-12s %-8s %11s %11s %10s\n", "pid", "name", "state", "bank", "limit", "CPU");
    ps_row(PROCESS_SLOT_MANAGER); /* the shell itself */
    for (unsigned i = 0; i < SHELL_CHILDREN; i++)
        if (children[i].used)
            ps_row(SLOT_HANDLES + i);
    return true;
}

/* ------------------------------------------------------------- spawn */

static bool spawn(const struct shell_words *words)
{
    struct shell_spawn sp;
    const char *why = shell_parse_spawn(words, &sp);
    if (why != NULL) {
        printf("spawn: %s\n", why);
        return false;
    }
    unsigned i = 0;
    while (i < SHELL_CHILDREN && children[i].used)
        i++;
    if (i == SHELL_CHILDREN) {
        printf("spawn: %d processes already: wait for one first\n", SHELL_CHILDREN);
        return false;
    }
    const char *text_words[2 + SHELL_ARGS_MAX] = { sp.image, sp.image };
    for (unsigned k = 0; k < sp.argc; k++)
        text_words[2 + k] = sp.argv[k];
    char text[PROCESS_SPAWN_TEXT_BYTES];
    size_t len = process_spawn_text(text, text_words, 2 + sp.argc);
    if (len == 0) {
        printf("spawn: the image's name and arguments take more than %d bytes\n", PROCESS_SPAWN_TEXT_BYTES);
        return false;
    }
    uint64_t pid = 0, handle = SLOT_HANDLES + i;
    struct coffer_result r = proc_spawn_into(buf(), PROCESS_SLOT_MANAGER, CHILD_PRIORITY, CHILD_PRIORITY, 0, sp.argc,
                                             0, CHILD_BUDGET_US, CHILD_PERIOD_US, sp.limit, text, len,
                                             PROCESS_SLOT_BANK, SLOT_EXITS, PROCESS_RECV(handle), &pid);
    if (r.error != COFFER_ERR_OK)
        return failed("spawn", r);
    uint64_t console = PROCESS_SLOT_GRANTED + PROCESS_GRANT_CONSOLE;
    if ((process_granted(PROCESS_GRANT_CONSOLE) && (r = proc_grant(buf(), handle, PROCESS_GRANT_CONSOLE, console)).error != COFFER_ERR_OK) ||
        (r = proc_start(handle)).error != COFFER_ERR_OK) {
        proc_kill(handle);
        coffer_cnode_delete(PROCESS_SLOT_CNODE, handle, 64);
        return failed("spawn: start", r);
    }
    children[i] = (struct child){ .used = true, .pid = pid };
    snprintf(children[i].name, sizeof children[i].name, "%s", sp.image);
    char l[SHELL_UNIT_BYTES];
    shell_bytes(l, sp.limit);
    printf("pid %llu: %s, on a bank of its own inside the shell's (limit %s)\n", (unsigned long long)pid, sp.image,
           l);
    return true;
}

/* -------------------------------------------------------------- wait */

/* Reaps child i if it ended: true, and says how. */
static bool reaped(unsigned i)
{
    uint64_t how = 0, code = 0, pc = 0, addr = 0, cpu = 0;
    if (proc_wait(SLOT_HANDLES + i, &how, &code, &pc, &addr, &cpu).error != COFFER_ERR_OK)
        return false; /* PROC_RUNNING: not yet */
    char t[SHELL_UNIT_BYTES];
    shell_time(t, cpu);
    printf("pid %llu: %s ", (unsigned long long)children[i].pid, children[i].name);
    if (how == PROC_ENDED_EXIT)
        printf("exited with status %llu", (unsigned long long)code);
    else if (how == PROC_ENDED_FAULT)
        printf("faulted: fault %llu at pc 0x%llx, address 0x%llx", (unsigned long long)code,
               (unsigned long long)pc, (unsigned long long)addr);
    else
        printf("was killed");
    printf(", %s of CPU; its bank is gone\n", t);
    coffer_cnode_delete(PROCESS_SLOT_CNODE, SLOT_HANDLES + i, 64);
    children[i].used = false;
    return true;
}

static bool wait_for(const struct shell_words *words)
{
    unsigned only = SHELL_CHILDREN, any = 0;
    uint64_t pid;
    if (words->n > 2 || (words->n == 2 && !shell_parse_pid(words->w[1], &pid))) {
        printf("wait: wait [PID]\n");
        return false;
    }
    if (words->n == 2 && child_by_pid(pid, &only) == NULL)
        return false;
    for (unsigned i = 0; i < SHELL_CHILDREN; i++)
        any += children[i].used;
    if (any == 0) {
        printf("wait: no processes to wait for\n");
        return false;
    }
    for (;;) { /* until one (or the one) ends: the notification says one did */
        for (unsigned i = 0; i < SHELL_CHILDREN; i++)
            if (children[i].used && (only == SHELL_CHILDREN || only == i) && reaped(i))
                return true;
        coffer_wait(SLOT_EXITS);
    }
}

/* -------------------------------------------------------------- kill */

static bool kill_process(const struct shell_words *words)
{
    uint64_t pid;
    unsigned i;
    if (words->n != 2 || !shell_parse_pid(words->w[1], &pid)) {
        printf("kill: kill PID\n");
        return false;
    }
    if (child_by_pid(pid, &i) == NULL)
        return false;
    uint64_t state = 0, p = 0, parent = 0, held = 0, limit = 0, cpu = 0;
    char name[PROC_NAME_BYTES + 1];
    proc_info(buf(), SLOT_HANDLES + i, &state, &p, &parent, &held, &limit, &cpu, name);
    struct coffer_result r = proc_kill(SLOT_HANDLES + i);
    if (r.error != COFFER_ERR_OK)
        return failed("kill", r);
    char h[SHELL_UNIT_BYTES];
    shell_bytes(h, held);
    printf("pid %llu: %s killed: its bank destroyed, %s back in the shell's (wait reaps it)\n",
           (unsigned long long)pid, children[i].name, h);
    return true;
}

/* -------------------------------------------------------------- help */

static bool help(void)
{
    printf("  ps                 the shell and the processes it spawned\n"
           "  banks              the bank tree: limits and what each holds\n"
           "  mem                every byte the banks hold, by what it is\n"
           "  spawn IMAGE [ARGS...] [--limit BYTES]\n"
           "                     start a program of the boot image on a bank of its own inside\n"
           "                     the shell's (BYTES like 512K or 4M; 1M if not given)\n"
           "  kill PID           end it: its bank is destroyed, every byte comes back\n"
           "  wait [PID]         wait for a process (any, or that one) to end, and reap it\n"
           "  help               this\n"
           "  exit               end the shell\n");
    return true;
}

bool shell_command(const struct shell_words *words, bool *quit)
{
    static const struct {
        const char *name;
        bool (*run)(const struct shell_words *);
    } table[] = { { "spawn", spawn }, { "wait", wait_for }, { "kill", kill_process }, { "banks", shell_banks },
                  { "mem", shell_mem } };
    *quit = false;
    if (words->n == 0)
        return true;
    const char *name = words->w[0];
    if (strcmp(name, "exit") == 0)
        return *quit = true;
    if (strcmp(name, "help") == 0)
        return help();
    if (strcmp(name, "ps") == 0)
        return ps();
    for (unsigned k = 0; k < sizeof table / sizeof table[0]; k++)
        if (strcmp(name, table[k].name) == 0)
            return table[k].run(words);
    printf("%s: no such command (help lists them)\n", name);
    return false;
}
