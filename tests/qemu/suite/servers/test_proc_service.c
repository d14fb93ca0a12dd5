/*
 * The process manager in QEMU (servers/proc): started beside a bank
 * service with 16 MiB of RAM (room for test_proc_frame.c's 4 MiB frame
 * beside a process), called through the generated client
 * (proto/proc.def) with init's capability.  hello from the boot image is
 * spawned on a child bank, runs, exits through the manager, and is
 * reaped; the bank's usage is then exactly what it was, 50 times over.
 * Every error a bad request gets; a process killed before it starts;
 * nothing left behind by a spawn the bank's limit stops.  Ends by
 * revoking the untyped it all came from.
 */
#include "ktest.h"
#include <bank/bank.h>
#include <image/bootimage.h>
#include <process/frames.h>
#include <process/layout.h>
#include <process/spawn_text.h>
#include <proto/bank_client.h>
#include <proto/proc_client.h>

#include "proc_fixture.h"
#include "thread/threads_fixture.h"

static void hello_runs(void)
{
    warm_up(S(BANK));
    struct usage before = usage(S(BANK));
    uint64_t pid = 0, how = 0, code = 99;
    ktest_check(spawn("hello", PROC_SPAWN_START, ~0ull, S(BANK), S(HANDLE), &pid).error == COFFER_ERR_OK && pid > 0,
                "proc: hello spawned from the boot image on a child bank (pid %llu)", (unsigned long long)pid);
    struct usage during = usage(S(BANK));
    ktest_check(during.children > 0 && during.banks == before.banks + 2,
                "proc: its process bank and its image's shared set hold %llu bytes inside mine",
                (unsigned long long)during.children);
    struct coffer_result r = wait_for(S(HANDLE), &how, &code);
    ktest_check(r.error == COFFER_ERR_OK && how == PROC_ENDED_EXIT && code == 0,
                "proc: it exited with status 0, and is reaped (%s, how %llu code %llu)", coffer_error_name(r.error),
                (unsigned long long)how, (unsigned long long)code);
    struct usage after = usage(S(BANK));
    ktest_check(same(after, before), "proc: every byte of it is back in my bank");
    if (!same(after, before))
        printf("# held %llu/%llu objects %llu/%llu overhead %llu/%llu children %llu/%llu free %llu/%llu\n",
               (unsigned long long)before.held, (unsigned long long)after.held, (unsigned long long)before.objects,
               (unsigned long long)after.objects, (unsigned long long)before.overhead,
               (unsigned long long)after.overhead, (unsigned long long)before.children,
               (unsigned long long)after.children, (unsigned long long)before.free, (unsigned long long)after.free);
    ktest_expect_error(proc_wait(S(HANDLE), &how, &code, &pid, &pid, &pid), COFFER_ERR_PROC_GONE, 0, 0,
                       "proc: waiting again is PROC_GONE");
    coffer_cnode_delete(ROOT, S(HANDLE), D);
}

static void cycles(unsigned n)
{
    struct usage before = usage(S(BANK));
    unsigned done = 0;
    for (; done < n; done++) {
        uint64_t pid, how = 0, code = 1;
        if (spawn("hello", PROC_SPAWN_START, ~0ull, S(BANK), S(HANDLE), &pid).error != COFFER_ERR_OK ||
            wait_for(S(HANDLE), &how, &code).error != COFFER_ERR_OK || how != PROC_ENDED_EXIT || code != 0 ||
            !same(usage(S(BANK)), before))
            break;
        coffer_cnode_delete(ROOT, S(HANDLE), D);
    }
    struct usage after = usage(S(BANK));
    if (!same(after, before))
        printf("# after %u: held %llu -> %llu, objects %llu -> %llu, overhead %llu -> %llu, free %llu -> %llu\n",
               done, (unsigned long long)before.held, (unsigned long long)after.held,
               (unsigned long long)before.objects, (unsigned long long)after.objects,
               (unsigned long long)before.overhead, (unsigned long long)after.overhead,
               (unsigned long long)before.free, (unsigned long long)after.free);
    ktest_check(done == n && same(after, before),
                "proc: %u spawn, exit, wait cycles of hello, every byte back each time", done);
}

/* spin spawned, started and killed at once -- before it runs, or while it
 * does -- then reaped, n times: the bank as it was each time, and the
 * manager's own memory (its work untyped, its table) as it was at the
 * end: a process costs the manager nothing of its own. */
static void kill_cycles(unsigned n)
{
    struct usage before = usage(S(BANK));
    uint64_t own_free = coffer_untyped_describe(S(3)).detail0;
    unsigned in_use = entries_in_use(), done = 0;
    for (; done < n; done++) {
        uint64_t pid, how = 0, code = 1;
        if (spawn("spin", PROC_SPAWN_START, ~0ull, S(BANK), S(HANDLE), &pid).error != COFFER_ERR_OK ||
            proc_kill(S(HANDLE)).error != COFFER_ERR_OK || wait_for(S(HANDLE), &how, &code).error != COFFER_ERR_OK ||
            how != PROC_ENDED_KILLED || !same(usage(S(BANK)), before))
            break;
        coffer_cnode_delete(ROOT, S(HANDLE), D);
    }
    ktest_check(done == n && coffer_untyped_describe(S(3)).detail0 == own_free && entries_in_use() == in_use,
                "proc: %u spawn, kill, wait cycles of spin: every byte back each time, the manager's own memory as "
                "it was", done);
}

/* crash stores to address 0: its fault is its exit status. */
static void faulting_process(void)
{
    struct usage before = usage(S(BANK));
    uint64_t pid, how = 0, code = 0, pc = 0, addr = 1, cpu;
    struct coffer_result r = spawn("crash", PROC_SPAWN_START, ~0ull, S(BANK), S(HANDLE), &pid);
    if (r.error == COFFER_ERR_OK)
        r = reap(S(HANDLE), &how, &code, &pc, &addr, &cpu);
    ktest_check(r.error == COFFER_ERR_OK && how == PROC_ENDED_FAULT && code == COFFER_FAULT_MEMORY && addr == 0 &&
                    pc >= 0x10000 && same(usage(S(BANK)), before),
                "proc: crash faulted (a store at 0 from pc 0x%llx): WAIT reports the fault, every byte back",
                (unsigned long long)pc);
    coffer_cnode_delete(ROOT, S(HANDLE), D);
}

/* A process on 100 us of every 10 ms spends its budget inside the
 * manager's requests too; the manager's worker waits for its next period
 * (the fault thread answers the timeout fault) and serves on. */
static void starved_process(void)
{
    struct usage before = usage(S(BANK));
    uint64_t pid, how = 0, code = 1;
    struct coffer_result r = spawn_on("hello", PROC_SPAWN_START, 100, 10000, ~0ull, S(BANK), S(HANDLE), &pid);
    if (r.error == COFFER_ERR_OK)
        r = wait_for(S(HANDLE), &how, &code);
    ktest_check(r.error == COFFER_ERR_OK && how == PROC_ENDED_EXIT && code == 0 && same(usage(S(BANK)), before),
                "proc: hello on 100 us of every 10 ms runs to its exit (%s; %llu budgets spent in the manager)",
                coffer_error_name(r.error), (unsigned long long)*pm.timeouts);
    coffer_cnode_delete(ROOT, S(HANDLE), D);
}


/* greedy mallocs 64 KiB blocks until its 1 MiB bank says no: malloc
 * returns NULL with ENOMEM, the process says how far it got and exits;
 * its bank comes back whole, and a process after it runs as before. */
static void heap_exhausted(void)
{
    struct usage before = usage(S(BANK));
    char text[PROC_TEXT_BYTES];
    const char *words[] = { "greedy", "greedy", "64" };
    size_t len = process_spawn_text(text, words, 3);
    uint64_t pid, how = 0, kib = 0;
    struct coffer_result r = proc_spawn(buf(), pm.init, 100, 100, PROC_SPAWN_START, 1, 0, 10000, 10000, 1u << 20, text,
                                        len, S(BANK), S(EXITS_BADGED), S(HANDLE), &pid);
    if (r.error == COFFER_ERR_OK)
        r = wait_for(S(HANDLE), &how, &kib);
    ktest_check(r.error == COFFER_ERR_OK && how == PROC_ENDED_EXIT && kib >= 512 && kib < 1024 &&
                    same(usage(S(BANK)), before),
                "proc: greedy's mallocs on a 1 MiB bank got %llu KiB, then NULL (ENOMEM), it exited; every byte back",
                (unsigned long long)kib);
    coffer_cnode_delete(ROOT, S(HANDLE), D);
    how = 0;
    uint64_t code = 1;
    r = spawn("hello", PROC_SPAWN_START, ~0ull, S(BANK), S(HANDLE), &pid);
    ktest_check(r.error == COFFER_ERR_OK && wait_for(S(HANDLE), &how, &code).error == COFFER_ERR_OK &&
                    how == PROC_ENDED_EXIT && code == 0,
                "proc: hello after it runs as before");
    coffer_cnode_delete(ROOT, S(HANDLE), D);
}

/* sleepy 50: nanosleep on a receive deadline, clock_gettime from the
 * time base the manager passed; it sleeps, it does not spin. */
static void sleeping_process(void)
{
    char text[PROC_TEXT_BYTES];
    const char *words[] = { "sleepy", "sleepy", "50" };
    size_t len = process_spawn_text(text, words, 3);
    uint64_t pid, how = 0, ms = 0, pc, addr, cpu = ~0ull;
    struct coffer_result r = proc_spawn(buf(), pm.init, 100, 100, PROC_SPAWN_START, 1, 0, 10000, 10000, ~0ull, text,
                                        len, S(BANK), S(EXITS_BADGED), S(HANDLE), &pid);
    if (r.error == COFFER_ERR_OK)
        r = reap(S(HANDLE), &how, &ms, &pc, &addr, &cpu);
    ktest_check(r.error == COFFER_ERR_OK && how == PROC_ENDED_EXIT && ms >= 50 && ms < 1000 && cpu < 20000,
                "proc: sleepy asked for 50 ms and slept %llu ms by clock_gettime, on %llu us of CPU",
                (unsigned long long)ms, (unsigned long long)cpu);
    coffer_cnode_delete(ROOT, S(HANDLE), D);
}

/* PROC_SPAWN_REAP_AT_EXIT: hello's bank goes as it exits, before the
 * WAIT, which still reports its status (the fault thread asks for the
 * destroy on its own context: the EXIT ran on hello's, which dies with
 * the bank). */
static void reaped_at_exit(void)
{
    struct usage before = usage(S(BANK));
    uint64_t pid, how = 0, code = 1;
    struct coffer_result r = spawn("hello", PROC_SPAWN_START | PROC_SPAWN_REAP_AT_EXIT, ~0ull, S(BANK), S(HANDLE), &pid);
    for (unsigned t = 0; r.error == COFFER_ERR_OK && t < 200 && !same(usage(S(BANK)), before); t++)
        nap_us(10000);
    bool back_before_wait = same(usage(S(BANK)), before);
    ktest_check(r.error == COFFER_ERR_OK && back_before_wait && wait_for(S(HANDLE), &how, &code).error == COFFER_ERR_OK &&
                    how == PROC_ENDED_EXIT && code == 0,
                "proc: spawned to be reaped at exit, hello's bank is back before WAIT, which reports status 0");
    coffer_cnode_delete(ROOT, S(HANDLE), D);
}

/* spin computes for ever: killed while it runs. */
static void killed_while_running(void)
{
    struct usage before = usage(S(BANK));
    uint64_t pid, how = 0, code = 1, state = 0, ppid, parent, held, limit, cpu = 0;
    char name[32];
    bool ok = spawn("spin", PROC_SPAWN_START, ~0ull, S(BANK), S(HANDLE), &pid).error == COFFER_ERR_OK;
    nap_us(20000);
    ok = ok && proc_info(buf(), S(HANDLE), &state, &ppid, &parent, &held, &limit, &cpu, name).error == COFFER_ERR_OK;
    ktest_check(ok && state == PROC_STATE_RUNNING && cpu > 5000,
                "proc: spin runs (INFO: running, %llu us of CPU in 20 ms)", (unsigned long long)cpu);
    ktest_check(proc_kill(S(HANDLE)).error == COFFER_ERR_OK && wait_for(S(HANDLE), &how, &code).error == COFFER_ERR_OK &&
                    how == PROC_ENDED_KILLED && same(usage(S(BANK)), before),
                "proc: killed while it runs, reaped: every byte back");
    coffer_cnode_delete(ROOT, S(HANDLE), D);
}

/* tree 2 spawns tree 1 on its own bank, which spawns tree 0: killing the
 * first ends all three, and the two its children were are reaped by the
 * manager (no one else can wait for them). */
/* `threads WHAT` (servers/threads), started at once on my bank. */
static struct coffer_result spawn_threads(const char *what, uint64_t *pid)
{
    char text[PROC_TEXT_BYTES];
    const char *words[] = { "threads", "threads", what };
    size_t len = process_spawn_text(text, words, 3);
    return proc_spawn(buf(), pm.init, 100, 100, PROC_SPAWN_START, 1, 0, 10000, 10000, ~0ull, text, len, S(BANK),
                      S(EXITS_BADGED), S(HANDLE), pid);
}

/* A process's threads (THREAD, lib/runtime's threads): four sum their
 * parts and are joined; as many as may be and one more (EAGAIN); a thread
 * that faults ends its process; threads computing for ever end with it
 * when it is killed.  Every byte back in my bank each time. */
static void threads(void)
{
    static const struct { const char *what; unsigned how; uint64_t code; const char *name; } cases[] = {
        { "4", PROC_ENDED_EXIT, 0, "four threads sum their parts, joined: exit 0" },
        { "full", PROC_ENDED_EXIT, 0, "eight threads, a ninth refused (EAGAIN, the manager's PROC_THREADS_FULL), a priority above the MCP EPERM: exit 0" },
        { "fault", PROC_ENDED_FAULT, COFFER_FAULT_MEMORY, "a thread's store to address 0 ends the process" },
    };
    for (unsigned k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct usage before = usage(S(BANK));
        uint64_t pid, how = 0, code = 99, pc = 0, addr = 1, cpu = 0;
        struct coffer_result r = spawn_threads(cases[k].what, &pid);
        if (r.error == COFFER_ERR_OK)
            r = reap(S(HANDLE), &how, &code, &pc, &addr, &cpu);
        ktest_check(r.error == COFFER_ERR_OK && how == cases[k].how && code == cases[k].code &&
                        (how != PROC_ENDED_FAULT || addr == 0) && same(usage(S(BANK)), before),
                    "proc: threads: %s, every byte back (%s, how %llu, code %llu, %llu us)", cases[k].name,
                    coffer_error_name(r.error), (unsigned long long)how, (unsigned long long)code,
                    (unsigned long long)cpu);
        coffer_cnode_delete(ROOT, S(HANDLE), D);
    }
    struct usage before = usage(S(BANK));
    uint64_t pid, how = 0, code = 1, state = 0, ppid, parent, held, limit, cpu = 0;
    char name[32];
    bool ok = spawn_threads("spin", &pid).error == COFFER_ERR_OK;
    nap_us(30000);
    ok = ok && proc_info(buf(), S(HANDLE), &state, &ppid, &parent, &held, &limit, &cpu, name).error == COFFER_ERR_OK;
    ktest_check(ok && state == PROC_STATE_RUNNING && cpu > 20000,
                "proc: threads: two spinning threads' CPU time counts in INFO (%llu us in 30 ms)",
                (unsigned long long)cpu);
    ktest_check(proc_kill(S(HANDLE)).error == COFFER_ERR_OK && wait_for(S(HANDLE), &how, &code).error == COFFER_ERR_OK &&
                    how == PROC_ENDED_KILLED && same(usage(S(BANK)), before),
                "proc: threads: killed with its threads running: every byte back");
    coffer_cnode_delete(ROOT, S(HANDLE), D);
}

static void tree_killed(void)
{
    struct usage before = usage(S(BANK));
    unsigned in_use = entries_in_use();
    uint64_t pid, how = 0, code = 1, spawned = pm.server->spawned;
    char text[PROC_TEXT_BYTES];
    const char *words[] = { "tree", "tree", "2" };
    size_t len = process_spawn_text(text, words, 3);
    bool ok = proc_spawn(buf(), pm.init, 100, 100, PROC_SPAWN_START, 1, 0, 10000, 10000, ~0ull, text, len, S(BANK),
                         S(EXITS_BADGED), S(HANDLE), &pid).error == COFFER_ERR_OK;
    for (unsigned t = 0; ok && t < 100 && pm.server->spawned < spawned + 3; t++)
        nap_us(10000);
    ktest_check(ok && pm.server->spawned == spawned + 3 && entries_in_use() == in_use + 3,
                "proc: tree 2 spawned tree 1, which spawned tree 0, each on a bank inside its spawner's");
    ktest_check(proc_kill(S(HANDLE)).error == COFFER_ERR_OK && wait_for(S(HANDLE), &how, &code).error == COFFER_ERR_OK &&
                    how == PROC_ENDED_KILLED && entries_in_use() == in_use && same(usage(S(BANK)), before),
                "proc: killing tree 2 ended all three; the manager reaped its children; every byte back");
    coffer_cnode_delete(ROOT, S(HANDLE), D);
}

/* The shared sets in use, and the users of the one in use (if one). */
static unsigned sets_in_use(unsigned *users)
{
    unsigned n = 0;
    *users = 0;
    for (unsigned t = 0; t < PROC_SHARED_MAX; t++)
        if (pm.server->shared[t].users != 0) {
            n++;
            *users = pm.server->shared[t].users;
        }
    return n;
}

/* The bytes of kernel objects bought from a bank and every bank inside
 * it, exactly (TREE walks it). */
static uint64_t objects_in(uint64_t bank)
{
    uint64_t sum = 0, cursor = 0, objects, next, x, w[BANK_TREE_TYPE_WORDS];
    do {
        if (bank_tree(buf(), bank, cursor, &x, &x, &objects, &x, &x, &x, &x, &x, &x, &next, &w[0], &w[1], &w[2], &w[3],
                      &w[4], &w[5], &w[6], &w[7]).error != COFFER_ERR_OK)
            return 0;
        sum += objects;
        cursor = next;
    } while (cursor != 0);
    return sum;
}

/* What hello's shared set holds: the frames of its read-only regions, cut
 * as the manager cuts them (chunks), and their CNode's bytes. */
static uint64_t shared_set_bytes(const char *image)
{
    struct bootimage_file file;
    struct load_plan plan;
    if (bootimage_find(pm.server->env.boot_image, pm.server->env.boot_image_size, image, &file) != BOOTIMAGE_OK ||
        load_plan_make(file.data, file.size, PROCESS_STACK_TOP - PROCESS_STACK_BYTES, &plan) != LOAD_OK)
        return 0;
    uint64_t bytes = 0, frames = 0;
    for (unsigned k = 0; k < plan.nregions; k++)
        for (uint64_t off = 0, n; plan.regions[k].shared && off < plan.regions[k].pages; off += n, frames++) {
            n = proc_chunk_pages(plan.regions[k].vaddr, off, plan.regions[k].pages);
            bytes += n * COFFER_PAGE_SIZE;
        }
    return bytes + (1ull << (process_log2_ceil(PROC_SHARE_FIRST + frames) + COFFER_CNODE_SLOT_BITS));
}

/* Read-only regions shared: the second hello on my bank maps the first's
 * text and read-only data, paid for once by my bank; it outlives the
 * first one's death, and goes with the last user.  Another bank gets a
 * set of its own. */
static void shared_text(void)
{
    struct usage before = usage(S(BANK));
    uint64_t pid, how = 0, code = 1, id, objects = objects_in(S(BANK));
    unsigned users;
    bool ok = spawn("hello", 0, ~0ull, S(BANK), S(HANDLE), &pid).error == COFFER_ERR_OK;
    uint64_t first = objects_in(S(BANK)) - objects;
    ok = ok && spawn("hello", 0, ~0ull, S(BANK), S(HANDLE2), &pid).error == COFFER_ERR_OK;
    uint64_t second = objects_in(S(BANK)) - objects - first;
    struct usage two = usage(S(BANK));
    uint64_t set = shared_set_bytes("hello");
    ktest_check(ok && sets_in_use(&users) == 1 && users == 2 && two.banks == before.banks + 3 && set > 0 &&
                    first - second == set,
                "proc: a second hello on my bank shares the first one's read-only regions: objects of %llu bytes "
                "against %llu, the set's %llu; three banks (two processes, one set)", (unsigned long long)second,
                (unsigned long long)first, (unsigned long long)set);
    ok = proc_kill(S(HANDLE)).error == COFFER_ERR_OK && wait_for(S(HANDLE), &how, &code).error == COFFER_ERR_OK &&
         how == PROC_ENDED_KILLED && sets_in_use(&users) == 1 && users == 1;
    ok = ok && proc_start(S(HANDLE2)).error == COFFER_ERR_OK &&
         wait_for(S(HANDLE2), &how, &code).error == COFFER_ERR_OK;
    ktest_check(ok && how == PROC_ENDED_EXIT && code == 0 && sets_in_use(&users) == 0 && same(usage(S(BANK)), before),
                "proc: the first killed, the second still runs on the set and exits 0; with it the set goes, every "
                "byte back");
    coffer_cnode_delete(ROOT, S(HANDLE), D);
    coffer_cnode_delete(ROOT, S(HANDLE2), D);
    ok = ktest_step(bank_create(buf(), S(BANK), 1u << 20, S(SMALL), &id), "another bank") &&
         spawn("hello", 0, ~0ull, S(BANK), S(HANDLE), &pid).error == COFFER_ERR_OK &&
         spawn("hello", 0, ~0ull, S(SMALL), S(HANDLE2), &pid).error == COFFER_ERR_OK;
    ktest_check(ok && sets_in_use(&users) == 2 && users == 1,
                "proc: hello on another bank gets a set of its own (no one maps what a stranger pays for)");
    ok = bank_destroy(S(SMALL)).error == COFFER_ERR_OK && wait_for(S(HANDLE2), &how, &code).error == COFFER_ERR_OK &&
         how == PROC_ENDED_KILLED && sets_in_use(&users) == 1;
    ok = ok && proc_kill(S(HANDLE)).error == COFFER_ERR_OK && wait_for(S(HANDLE), &how, &code).error == COFFER_ERR_OK;
    ktest_check(ok && sets_in_use(&users) == 0 && same(usage(S(BANK)), before),
                "proc: that bank destroyed, its process and set go with it; mine killed, every byte back");
    coffer_cnode_delete(ROOT, S(HANDLE), D);
    coffer_cnode_delete(ROOT, S(HANDLE2), D);
}

/* `hoard N slots` on bank: its exit code (how 0 if it did not end). */
static uint64_t hoard_slots(uint64_t bank, const char *n, struct coffer_result *r)
{
    char text[PROC_TEXT_BYTES];
    const char *words[] = { "hoard", "hoard", n, "slots" };
    size_t len = process_spawn_text(text, words, 4);
    uint64_t pid, how = 0, code = ~0ull;
    *r = proc_spawn(buf(), pm.init, 100, 100, PROC_SPAWN_START, 2, 0, 10000, 10000, ~0ull, text, len, bank,
                    S(EXITS_BADGED), S(HANDLE), &pid);
    if (r->error == COFFER_ERR_OK && wait_for(S(HANDLE), &how, &code).error == COFFER_ERR_OK &&
        how != PROC_ENDED_EXIT)
        code = ~0ull;
    coffer_cnode_delete(ROOT, S(HANDLE), D);
    return code;
}

/* A process's CSpace grows: hoard keeps 600 endpoints in slots of the
 * runtime's, which takes 224 of its first leaf and buys two leaves of
 * 256 from its bank for the rest; every byte back.  On a bank whose
 * CNodes are all spent by the spawn, the runtime's first leaf purchase is
 * refused: hoard learns it from runtime_slot_alloc and exits 255. */
static void cspace_grows(void)
{
    struct usage before = usage(S(BANK));
    struct coffer_result r;
    uint64_t leaves = hoard_slots(S(BANK), "600", &r);
    ktest_check(r.error == COFFER_ERR_OK && leaves == 2 && same(usage(S(BANK)), before),
                "proc: hoard holds 600 capabilities in its slots: its CSpace grew by %llu leaves of 256 slots "
                "(2 expected), every byte back (%s %llu %llu)", (unsigned long long)leaves, coffer_error_name(r.error),
                (unsigned long long)r.detail0, (unsigned long long)r.detail1);
    uint64_t code = 0, id;
    unsigned n = 0;
    for (; n < 8; n++) {
        if (!ktest_step(bank_create(buf(), S(BANK), 4u << 20, S(SMALL), &id), "a bank for hoard") ||
            !ktest_step(bank_set_type_limit(S(SMALL), COFFER_OBJ_CNODE, n), "its CNode limit"))
            break;
        code = hoard_slots(S(SMALL), "600", &r);
        bank_destroy(S(SMALL));
        if (r.error == COFFER_ERR_OK)
            break;
    }
    ktest_check(r.error == COFFER_ERR_OK && code == 255 && same(usage(S(BANK)), before),
                "proc: on a bank of %u CNodes, all the spawn's, hoard's slots past its first leaf are refused "
                "(exit 255, no crash), every byte back", n);
}

static void killed_before_start(void)
{
    struct usage before = usage(S(BANK));
    uint64_t pid, how = 0, code = 1, info_state = 0, ppid, parent, held, limit, cpu;
    char name[32];
    ktest_check(spawn("hello", 0, ~0ull, S(BANK), S(HANDLE), &pid).error == COFFER_ERR_OK &&
                    proc_info(buf(), S(HANDLE), &info_state, &ppid, &parent, &held, &limit, &cpu, name).error ==
                        COFFER_ERR_OK &&
                    info_state == PROC_STATE_BUILT && held > 0 && name[0] == 'h',
                "proc: spawned without START it waits (INFO: built, its bank holds %llu bytes)",
                (unsigned long long)held);
    ktest_expect_error(proc_wait(S(HANDLE), &how, &code, &pid, &pid, &pid), COFFER_ERR_PROC_RUNNING, 0, 0,
                       "proc: WAIT before it ends is PROC_RUNNING");
    ktest_check(proc_kill(S(HANDLE)).error == COFFER_ERR_OK &&
                    proc_wait(S(HANDLE), &how, &code, &pid, &pid, &pid).error == COFFER_ERR_OK &&
                    how == PROC_ENDED_KILLED && same(usage(S(BANK)), before),
                "proc: KILL ends it (WAIT: killed) and every byte is back");
    ktest_expect_error(proc_kill(S(HANDLE)), COFFER_ERR_PROC_GONE, 0, 0, "proc: KILL after the reap is PROC_GONE");
    coffer_cnode_delete(ROOT, S(HANDLE), D);
}

/* FAULTS: crash's fault comes to my endpoint, badged as I minted it, and
 * not to the manager, which keeps it running; I kill it, every byte back.
 * After START, and with a notification, FAULTS is refused. */
static void spawner_handles_faults(void)
{
    enum { FAULT_EP = CASE_SLOTS, FAULT_EP_BADGED, FAULT_REPLY };
    struct usage before = usage(S(BANK));
    uint64_t pid, how = 0, code = 1, state = 0, ppid, parent, held, limit, cpu, faults = *pm.faults;
    char name[32];
    bool ok = ktest_step(coffer_untyped_retype(S(0), COFFER_OBJ_ENDPOINT, 0, ROOT, 0, S(FAULT_EP), 1, W),
                         "an endpoint for faults") &&
              ktest_step(coffer_untyped_retype(S(0), COFFER_OBJ_REPLY, 0, ROOT, 0, S(FAULT_REPLY), 1, W), "a reply") &&
              ktest_step(coffer_cnode_mint(ROOT, S(FAULT_EP_BADGED), D, ROOT, S(FAULT_EP), D, COFFER_RIGHTS_ALL, 77),
                         "badged 77") &&
              ktest_step(spawn("crash", 0, ~0ull, S(BANK), S(HANDLE), &pid), "spawn crash, not started");
    ktest_expect_error(proc_faults(buf(), S(HANDLE), S(EXITS)), COFFER_ERR_PROC_BAD_ARGUMENT, 4, 0,
                       "proc: FAULTS with a notification is PROC_BAD_ARGUMENT(4)");
    ok = ok && ktest_step(proc_faults(buf(), S(HANDLE), S(FAULT_EP_BADGED)), "FAULTS: mine") &&
         ktest_step(proc_start(S(HANDLE)), "start it");
    struct coffer_msg m = coffer_ipc_recv_until(S(FAULT_EP), S(FAULT_REPLY),
                                                coffer_time_now() + tf_us_to_ticks(2000000));
    ktest_check(ok && m.error == COFFER_ERR_OK && m.badge == 77 && COFFER_MSG_LABEL(m.info) == COFFER_FAULT_MEMORY &&
                    m.mr[COFFER_FAULT_ADDR] == 0,
                "proc: with FAULTS, crash's fault comes to my endpoint (badge %llu, type %llu, address 0x%llx)",
                (unsigned long long)m.badge, (unsigned long long)COFFER_MSG_LABEL(m.info),
                (unsigned long long)m.mr[COFFER_FAULT_ADDR]);
    ok = proc_info(buf(), S(HANDLE), &state, &ppid, &parent, &held, &limit, &cpu, name).error == COFFER_ERR_OK;
    ktest_check(ok && state == PROC_STATE_RUNNING && *pm.faults == faults,
                "proc: the manager saw no fault: crash is still running (stopped in its fault, mine to answer)");
    ktest_expect_error(proc_faults(buf(), S(HANDLE), S(FAULT_EP)), COFFER_ERR_PROC_STARTED, 0, 0,
                       "proc: FAULTS after START is PROC_STARTED");
    ktest_check(proc_kill(S(HANDLE)).error == COFFER_ERR_OK && wait_for(S(HANDLE), &how, &code).error == COFFER_ERR_OK &&
                    how == PROC_ENDED_KILLED && same(usage(S(BANK)), before),
                "proc: killed, reaped: every byte back");
    coffer_cnode_delete(ROOT, S(HANDLE), D);
    coffer_cnode_delete(ROOT, S(FAULT_EP_BADGED), D);
    coffer_cnode_delete(ROOT, S(FAULT_EP), D);
    coffer_cnode_delete(ROOT, S(FAULT_REPLY), D);
}

/* Failure-atomic spawn, a failure injected at every purchase: a bank of
 * its own with a limit of n objects of one type stops the spawn at the
 * type's (n + 1)-th purchase, for each type a process is made of and n
 * from 0 until the spawn gets through.  Each refusal is
 * PROC_BANK(BANK_TYPE_LIMIT) with that bank exactly as before it. */
static void spawn_fails_at_every_purchase(void)
{
    static const unsigned types[] = { COFFER_OBJ_CNODE, COFFER_OBJ_TCB, COFFER_OBJ_SCHED_CONTEXT,
                                      COFFER_OBJ_VSPACE, COFFER_OBJ_PAGE_TABLE, COFFER_OBJ_FRAME };
    struct usage mine = usage(S(BANK));
    unsigned refusals = 0, through = 0;
    bool ok = true;
    for (unsigned k = 0; k < sizeof types / sizeof types[0]; k++) {
        for (unsigned n = 0; n < 64; n++) {
            uint64_t id, pid, how = 0, code = 1;
            ok = ok && ktest_step(bank_create(buf(), S(BANK), 4u << 20, S(SMALL), &id), "a bank for the spawn") &&
                 ktest_step(bank_set_type_limit(S(SMALL), types[k], n), "its type limit");
            warm_up(S(SMALL));
            struct usage before = usage(S(SMALL));
            struct coffer_result r = spawn("hello", PROC_SPAWN_START, ~0ull, S(SMALL), S(HANDLE), &pid);
            bool done = r.error == COFFER_ERR_OK;
            if (done) {
                ok = ok && wait_for(S(HANDLE), &how, &code).error == COFFER_ERR_OK && how == PROC_ENDED_EXIT;
                coffer_cnode_delete(ROOT, S(HANDLE), D);
                through++;
            } else {
                ok = ok && r.error == COFFER_ERR_PROC_BANK && r.detail0 == COFFER_ERR_BANK_TYPE_LIMIT &&
                     same(usage(S(SMALL)), before);
                refusals++;
            }
            ok = ok && bank_destroy(S(SMALL)).error == COFFER_ERR_OK;
            if (done || !ok)
                break;
        }
    }
    ktest_check(ok && through == sizeof types / sizeof types[0] && same(usage(S(BANK)), mine),
                "proc: a spawn stopped at each of its %u purchases of CNodes, TCBs, contexts, VSpaces, page tables "
                "and frames in turn: PROC_BANK(BANK_TYPE_LIMIT) each time, nothing left behind", refusals);
}

static void bad_requests(void)
{
    struct usage before = usage(S(BANK));
    uint64_t pid = 0, id;
    char text[PROC_TEXT_BYTES] = "hello";
    ktest_expect_error(spawn("nosuch", PROC_SPAWN_START, ~0ull, S(BANK), S(HANDLE), &pid), COFFER_ERR_PROC_NO_IMAGE,
                       0, 0, "proc: an image not in the boot image is PROC_NO_IMAGE");
    ktest_expect_error(spawn("hello", 0x80, ~0ull, S(BANK), S(HANDLE), &pid), COFFER_ERR_PROC_BAD_ARGUMENT, 0, 0,
                       "proc: unknown flags are PROC_BAD_ARGUMENT(0)");
    ktest_expect_error(proc_spawn(buf(), pm.init, 100, 100, 0, 0, 0, 20000, 10000, ~0ull, "hello\0hello", 12, S(BANK),
                                  S(EXITS_BADGED), S(HANDLE), &pid),
                       COFFER_ERR_PROC_BAD_ARGUMENT, 1, 0, "proc: a budget above its period is PROC_BAD_ARGUMENT(1)");
    ktest_expect_error(proc_spawn(buf(), pm.init, 100, 100, 0, 0, 0, 10000, 10000, ~0ull, text, 5, S(BANK),
                                  S(EXITS_BADGED), S(HANDLE), &pid),
                       COFFER_ERR_PROC_BAD_TEXT, 4, 0, "proc: a text whose argv[0] is empty is PROC_BAD_TEXT(4)");
    for (unsigned i = 0; i < PROC_TEXT_BYTES; i++)
        text[i] = 'x';
    ktest_expect_error(proc_spawn(buf(), pm.init, 100, 100, 0, 0, 0, 10000, 10000, ~0ull, text, sizeof text, S(BANK),
                                  S(EXITS_BADGED), S(HANDLE), &pid),
                       COFFER_ERR_PROC_BAD_TEXT, 2, 0, "proc: a text with no NUL in it is PROC_BAD_TEXT(2)");
    text[5] = '\0';
    ktest_expect_error(proc_spawn(buf(), pm.init, 100, 100, 0, 17, 0, 10000, 10000, ~0ull, text, 5, S(BANK),
                                  S(EXITS_BADGED), S(HANDLE), &pid),
                       COFFER_ERR_PROC_BAD_TEXT, 1, 0, "proc: 17 arguments are PROC_BAD_TEXT(1)");
    ktest_expect_error(proc_spawn(buf(), pm.init, 100, 100, 0, 0, 1, 10000, 10000, ~0ull, "hello\0hello\0NOEQUALS",
                                  22, S(BANK), S(EXITS_BADGED), S(HANDLE), &pid),
                       COFFER_ERR_PROC_BAD_TEXT, 3, 0, "proc: an environment word without '=' is PROC_BAD_TEXT(3)");
    ktest_expect_error(spawn("hello", 0, ~0ull, S(EXITS), S(HANDLE), &pid), COFFER_ERR_PROC_NOT_BANK, 0, 0,
                       "proc: a notification passed as the bank is PROC_NOT_BANK");
    ktest_check(bank_restrict(buf(), S(BANK), BANK_RIGHT_BUY, S(NOT_A_BANK)).error == COFFER_ERR_OK,
                "proc: a buy-only capability to my bank");
    ktest_expect_error(spawn("hello", 0, ~0ull, S(NOT_A_BANK), S(HANDLE), &pid), COFFER_ERR_PROC_NOT_BANK, 0, 0,
                       "proc: a bank that cannot create is PROC_NOT_BANK");
    ktest_expect_error(proc_start(pm.init), COFFER_ERR_PROC_WRONG_KIND, PROC_KIND_INIT, 0,
                       "proc: START with init's capability is PROC_WRONG_KIND(1)");
    ktest_expect_error(proc_exit(pm.init, 3), COFFER_ERR_PROC_WRONG_KIND, PROC_KIND_INIT, 0,
                       "proc: EXIT from init is PROC_WRONG_KIND(1)");
    ktest_expect_error(proc_faulted(pm.init, 0, 1, 0, 0), COFFER_ERR_PROC_WRONG_KIND, PROC_KIND_INIT, 0,
                       "proc: FAULTED from anyone but the fault thread is PROC_WRONG_KIND");
    ktest_check(same(usage(S(BANK)), before), "proc: the refused requests left my bank as it was");
    /* The limit stops the build part way: nothing is left. */
    ktest_step(bank_create(buf(), S(BANK), 64u << 10, S(SMALL), &id), "a 64 KiB bank");
    warm_up(S(SMALL));
    struct usage small = usage(S(SMALL));
    struct coffer_result r = spawn("hello", PROC_SPAWN_START, ~0ull, S(SMALL), S(HANDLE), &pid);
    struct usage small_after = usage(S(SMALL));
    if (r.error != COFFER_ERR_PROC_BANK || r.detail0 != COFFER_ERR_BANK_LIMIT || !same(small_after, small))
        printf("# got %s (%llu, %llu); held %llu/%llu overhead %llu/%llu free %llu/%llu\n",
               coffer_error_name(r.error), (unsigned long long)r.detail0, (unsigned long long)r.detail1,
               (unsigned long long)small.held, (unsigned long long)small_after.held,
               (unsigned long long)small.overhead, (unsigned long long)small_after.overhead,
               (unsigned long long)small.free, (unsigned long long)small_after.free);
    ktest_check(r.error == COFFER_ERR_PROC_BANK && r.detail0 == COFFER_ERR_BANK_LIMIT && same(usage(S(SMALL)), small),
                "proc: a spawn on a 64 KiB bank stops at its limit (PROC_BANK(BANK_LIMIT)), nothing left behind");
    ktest_check(bank_destroy(S(SMALL)).error == COFFER_ERR_OK && same(usage(S(BANK)), before),
                "proc: the small bank destroyed, my bank as it was");
    coffer_cnode_delete(ROOT, S(NOT_A_BANK), D);
}

static void all_cases(unsigned n)
{
    hello_runs();
    cycles(n);
    kill_cycles(n);
    faulting_process();
    spawner_handles_faults();
    starved_process();
    heap_exhausted();
    sleeping_process();
    killed_while_running();
    reaped_at_exit();
    tree_killed();
    threads();
    killed_before_start();
    cspace_grows();
    shared_text();
    spawn_fails_at_every_purchase();
    bad_requests();
    proc_frame_cases();
    exec_cases();
}

/* As in the suite, after a first process: the bank has grown its first
 * extent by then, which it keeps (docs/banks.md). */
static void cycles_only(unsigned n)
{
    hello_runs();
    cycles(n);
    kill_cycles(n);
}

void test_proc_service(void)
{
    proc_fixture_run(all_cases, 50);
}

void test_proc_soak(unsigned n)
{
    proc_fixture_run(cycles_only, n);
}
