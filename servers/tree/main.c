/*
 * A process that spawns a process: `tree N` starts `tree N-1` on its own
 * bank (so the child's bank lies inside its own), then waits for ever.
 * Killing the first kills them all: the tests check that the manager
 * notices the children's banks going and reaps them (their spawner, the
 * only one who could wait for them, is gone).
 */
#include <bank/bank.h>
#include <coffer.h>
#include <process/layout.h>
#include <process/spawn_text.h>
#include <proto/bank_client.h>
#include <proto/proc_client.h>
#include <stdio.h>
#include <stdlib.h>

enum { EXITS = PROCESS_SLOT_FIRST_FREE, CHILD };

static int spawn_child(int depth)
{
    struct coffer_ipc_buffer *buf = coffer_root_ipc_buffer();
    char text[PROCESS_SPAWN_TEXT_BYTES], level[8];
    uint64_t pid;
    snprintf(level, sizeof level, "%d", depth);
    const char *words[] = { "tree", "tree", level };
    size_t len = process_spawn_text(text, words, 3);
    struct coffer_result r = proc_spawn_into(buf, PROCESS_SLOT_MANAGER, 100, 100, 1 /* PROC_SPAWN_START */, 1, 0, 1000,
                                             10000, ~0ull, text, len, PROCESS_SLOT_BANK, EXITS, PROCESS_RECV(CHILD),
                                             &pid);
    if (r.error != COFFER_ERR_OK) {
        printf("tree %d: spawning a child failed: %s (%s, %llu)\n", depth + 1, coffer_error_name(r.error),
               coffer_error_name(r.detail0), (unsigned long long)r.detail1);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int depth = argc > 1 ? atoi(argv[1]) : 0;
    uint64_t handle;
    /* The notification its child's end would signal; a leaf waits on it
     * too, for nothing. */
    if (bank_buy_into(coffer_root_ipc_buffer(), PROCESS_SLOT_BANK, COFFER_OBJ_NOTIFICATION, 0, PROCESS_RECV(EXITS), &handle).error !=
        COFFER_ERR_OK)
        return 1;
    printf("tree %d: up\n", depth);
    if (depth > 0 && spawn_child(depth - 1) != 0)
        return 1;
    for (;;) /* until killed */
        coffer_wait(EXITS);
}
