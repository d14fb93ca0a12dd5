/*
 * `banks` and `mem`: what the banks hold, seen through the capability
 * init granted at PROCESS_GRANT_BANKS -- the prime bank without rights,
 * which can look and do nothing else -- or, without it, the shell's own
 * bank.  The tree is walked with the bank server's TREE, a bank a call,
 * parent before sub-banks; every figure is the server's.
 */
#include "shell_commands.h"

#include <bank/bank.h>
#include <coffer.h>
#include <process/granted.h>
#include <process/layout.h>
#include <proto/bank_client.h>
#include <stdio.h>

#define VIEW (PROCESS_SLOT_GRANTED + PROCESS_GRANT_BANKS)
#define DEPTH_SHOWN 6 /* indentation stops there (the server allows deeper) */

struct bank_row {
    uint64_t limit, held, objects, overhead, children, free, count, banks, depth, next;
    uint64_t types[BANK_TREE_TYPE_WORDS];
};

/* The bank to look at, and what it is called. */
static coffer_cptr_t viewed(const char **name)
{
    bool granted = process_granted(PROCESS_GRANT_BANKS);
    *name = granted ? "prime" : "shell";
    return granted ? VIEW : PROCESS_SLOT_BANK;
}

/* The bank at cursor (0: the one viewed); false, said, if the server
 * refuses (a bank of the walk went between two calls, most likely). */
static bool row_at(coffer_cptr_t bank, uint64_t cursor, struct bank_row *w)
{
    uint64_t *t = w->types;
    struct coffer_result r = bank_tree(coffer_root_ipc_buffer(), bank, cursor, &w->limit, &w->held, &w->objects,
                                       &w->overhead, &w->children, &w->free, &w->count, &w->banks, &w->depth,
                                       &w->next, &t[0], &t[1], &t[2], &t[3], &t[4], &t[5], &t[6], &t[7]);
    if (r.error != COFFER_ERR_OK)
        printf("the bank server says %s: the tree changed, try again\n", coffer_error_name(r.error));
    return r.error == COFFER_ERR_OK;
}

static void column(uint64_t bytes)
{
    char b[SHELL_UNIT_BYTES];
    shell_bytes(b, bytes);
    printf(" %11s", b);
}

static void print_row(const struct bank_row *w, const char *top_name, uint64_t cursor)
{
    unsigned indent = 2 * (unsigned)(w->depth < DEPTH_SHOWN ? w->depth : DEPTH_SHOWN);
    char name[24];
    if (cursor == 0)
        snprintf(name, sizeof name, "%s", top_name);
    else
        snprintf(name, sizeof name, "bank %llu", (unsigned long long)BANK_BADGE_INDEX(cursor));
    printf("  %*s%-*s", (int)indent, "", 16 - (int)indent, name);
    if (w->limit == UINT64_MAX)
        printf(" %11s", "none");
    else
        column(w->limit);
    column(w->held);
    column(w->objects);
    column(w->overhead);
    column(w->children);
    column(w->free);
    printf(" %7llu\n", (unsigned long long)w->count);
}

bool shell_banks(const struct shell_words *words)
{
    (void)words;
    const char *name;
    coffer_cptr_t bank = viewed(&name);
    printf("  %-16s %11s %11s %11s %11s %11s %11s %7s\n", "bank", "limit", "held", "objects", "records",
           "sub-banks", "free", "objects");
    struct bank_row w = { 0 };
    uint64_t cursor = 0;
    do {
        if (!row_at(bank, cursor, &w))
            return false;
        print_row(&w, name, cursor);
        cursor = w.next;
    } while (cursor != 0);
    return true;
}

static void mem_line(const char *what, uint64_t bytes)
{
    printf("    %-32s", what);
    column(bytes);
    printf("\n");
}

static void print_types(const uint64_t types[BANK_TREE_TYPE_WORDS])
{
    printf("  objects in all of them:");
    const char *sep = " ";
    for (unsigned t = 0; t < COFFER_OBJ_COUNT_; t++) {
        uint32_t count = BANK_TREE_TYPE_COUNT(types, t);
        if (coffer_object_name(t) == NULL || count == 0)
            continue;
        bool plural = count > 1 && t != COFFER_OBJ_UNTYPED;
        printf("%s%u %s%s", sep, (unsigned)count, coffer_object_name(t), plural ? "s" : "");
        sep = ", ";
    }
    printf("\n");
}

/* Every byte the viewed bank holds is in one of its banks' objects,
 * records or free room: the sums over the tree must give its held. */
bool shell_mem(const struct shell_words *words)
{
    (void)words;
    const char *name;
    coffer_cptr_t bank = viewed(&name);
    struct bank_row top = { 0 }, w = { 0 };
    uint64_t objects = 0, records = 0, free = 0, banks = 0, cursor = 0;
    do {
        if (!row_at(bank, cursor, &w))
            return false;
        if (cursor == 0)
            top = w;
        objects += w.objects;
        records += w.overhead;
        free += w.free;
        banks++;
        cursor = w.next;
    } while (cursor != 0);
    char held[SHELL_UNIT_BYTES];
    shell_bytes(held, top.held);
    printf("  the %s bank and the %llu banks below it hold %s:\n", name, (unsigned long long)(banks - 1), held);
    mem_line("kernel objects", objects);
    mem_line("the bank server's records", records);
    mem_line("free, bought by no one yet", free);
    uint64_t sum = objects + records + free;
    printf("    %-32s", "together");
    column(sum);
    printf("  %s\n", sum == top.held ? "= what it holds: every byte attributed" : "MISMATCH");
    print_types(top.types);
    return sum == top.held;
}
