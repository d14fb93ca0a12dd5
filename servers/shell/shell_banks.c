/*
 * `banks` and `mem`: what the banks hold, seen through the capability
 * init granted at PROCESS_GRANT_BANKS -- the prime bank without rights,
 * which can look and do nothing else -- or, without it, the shell's own
 * bank.  Every figure is the bank server's (INFO, TYPE_INFO): the shell
 * adds nothing of its own.
 */
#include "shell_commands.h"

#include <bank/bank.h>
#include <coffer.h>
#include <process/layout.h>
#include <proto/bank_client.h>
#include <stdio.h>

#define VIEW (PROCESS_SLOT_GRANTED + PROCESS_GRANT_BANKS)

struct bank_figures {
    uint64_t limit, effective, held, objects, overhead, children, free, count, banks;
};

/* The bank to look at, and what it is called. */
static coffer_cptr_t viewed(const char **name)
{
    struct coffer_result r = coffer_cnode_identify(PROCESS_SLOT_CNODE, VIEW, 64);
    bool granted = r.error == COFFER_ERR_OK && COFFER_ID_TYPE(r.detail0) == COFFER_OBJ_ENDPOINT;
    *name = granted ? "prime" : "shell";
    return granted ? VIEW : PROCESS_SLOT_BANK;
}

static bool figures(coffer_cptr_t bank, struct bank_figures *f)
{
    struct coffer_result r = bank_info(coffer_root_ipc_buffer(), bank, &f->limit, &f->effective, &f->held,
                                       &f->objects, &f->overhead, &f->children, &f->free, &f->count, &f->banks);
    if (r.error != COFFER_ERR_OK)
        printf("the bank server says %s\n", coffer_error_name(r.error));
    return r.error == COFFER_ERR_OK;
}

static void column(uint64_t bytes)
{
    char b[SHELL_UNIT_BYTES];
    shell_bytes(b, bytes);
    printf(" %11s", b);
}

bool shell_banks(const struct shell_words *words)
{
    (void)words;
    const char *name;
    coffer_cptr_t bank = viewed(&name);
    struct bank_figures f = { 0 };
    if (!figures(bank, &f))
        return false;
    printf("  %-12s %11s %11s %11s %11s %11s %11s  %s\n", "bank", "limit", "held", "objects", "overhead",
           "sub-banks", "free", "banks below");
    printf("  %-12s", name);
    if (f.limit == UINT64_MAX)
        printf(" %11s", "none");
    else
        column(f.limit);
    column(f.held);
    column(f.objects);
    column(f.overhead);
    column(f.children);
    column(f.free);
    printf("  %llu\n", (unsigned long long)f.banks);
    return true;
}

bool shell_mem(const struct shell_words *words)
{
    (void)words;
    static const char *const types[COFFER_OBJ_COUNT_] = {
        [COFFER_OBJ_UNTYPED] = "untyped", [COFFER_OBJ_CNODE] = "CNode", [COFFER_OBJ_ENDPOINT] = "endpoint",
        [COFFER_OBJ_NOTIFICATION] = "notification", [COFFER_OBJ_TCB] = "TCB", [COFFER_OBJ_FRAME] = "frame",
        [COFFER_OBJ_SCHED_CONTEXT] = "sched context", [COFFER_OBJ_PAGE_TABLE] = "page table",
    };
    const char *name;
    coffer_cptr_t bank = viewed(&name);
    struct bank_figures f = { 0 };
    if (!figures(bank, &f))
        return false;
    printf("  the %s bank holds", name);
    column(f.held);
    printf(":\n");
    printf("    %-28s", "its own objects");
    column(f.objects);
    printf("\n    %-28s", "its records (overhead)");
    column(f.overhead);
    printf("\n    %-28s", "its sub-banks");
    column(f.children);
    printf("\n    %-28s", "free");
    column(f.free);
    uint64_t sum = f.objects + f.overhead + f.children + f.free;
    printf("\n    %-28s", "together");
    column(sum);
    printf("  %s\n", sum == f.held ? "= what it holds: every byte attributed" : "MISMATCH");
    printf("  objects in it and below:");
    const char *sep = " ";
    for (unsigned t = 0; t < COFFER_OBJ_COUNT_; t++) {
        uint64_t count = 0, limit = 0;
        if (types[t] != NULL && bank_type_info(bank, t, &count, &limit).error == COFFER_ERR_OK && count != 0) {
            bool plural = count > 1 && t != COFFER_OBJ_UNTYPED;
            printf("%s%llu %s%s", sep, (unsigned long long)count, types[t], plural ? "s" : "");
            sep = ", ";
        }
    }
    printf("\n");
    return sum == f.held;
}
