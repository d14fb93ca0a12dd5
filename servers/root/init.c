/*
 * The demo's init part: the root task starts the process manager and the
 * console server beside the bank server and runs the processes boot.conf
 * names (lib/bootconf, docs/processes.md).  Each is spawned on a bank of
 * its own inside the prime bank, with its arguments, environment,
 * priority and CPU share, and the services its entry names (`caps`) at
 * their granted slots (PROCESS_GRANT_*); init lists them, starts them,
 * waits for each to end (an exit notification, a bit per process), reaps
 * them and shows how each ended.  Every byte each had is back in the
 * prime bank after, its console session's buffer too.
 */
#include <bank/bank.h>
#include <bootconf/bootconf.h>
#include <image/bootimage.h>
#include <process/layout.h>
#include <process/spawn_text.h>
#include <proto/bank_client.h>
#include <proto/proc_client.h>
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "console_service.h"
#include "demo.h"
#include "proc.h"
#include "proc_service.h"

#define ROOT COFFER_SLOT_CNODE
#define W COFFER_RETYPE_AT_WATERMARK
#define MAX_PROCESSES 8

static struct proc_service pm;
static struct console_service con;
static coffer_cptr_t bank_view; /* the prime bank without rights: INFO and TREE */
static struct bootconf_process conf[MAX_PROCESSES];

/* Init's slots, after the manager's. */
enum { WORK, EXITS, EXITS_BADGED, HANDLES = EXITS_BADGED + MAX_PROCESSES, CON_WORK = HANDLES + MAX_PROCESSES,
       UART_FRAME, UART_IRQ, BANK_VIEW, CONSOLE_SLOTS };

/* The services init grants, by the name boot.conf gives them. */
static const struct service {
    const char *name;
    unsigned slot;            /* the granted slot it goes in: PROCESS_GRANT_* */
    const coffer_cptr_t *cap; /* init's capability, of which the process gets a copy */
} services[] = { { "console", PROCESS_GRANT_CONSOLE, &con.opener },
                 { "keyboard", PROCESS_GRANT_KEYBOARD, &con.keyboard },
                 { "banks", PROCESS_GRANT_BANKS, &bank_view } };

static const char *const ended[] = { [PROC_ENDED_EXIT] = "exited", [PROC_ENDED_FAULT] = "faulted",
                                     [PROC_ENDED_KILLED] = "killed" };
static const char *const states[] = { [PROC_STATE_BUILT] = "built", [PROC_STATE_RUNNING] = "running",
                                      [PROC_STATE_ENDED] = "ended" };

/* The manager, on 256 KiB of the untyped the root task kept. */
static bool start_manager(const struct coffer_bootinfo *bi, coffer_cptr_t prime, uint64_t manager_slots, uint64_t s)
{
    struct proc_service_config cfg = { .work_untyped = s + WORK, .bank = prime, .first_slot = manager_slots,
                                       .own_va = 0x3800000000ull, .priority = 190 };
    return demo_step(coffer_untyped_retype(bi->untyped.start, COFFER_OBJ_UNTYPED, 18, ROOT, 0, cfg.work_untyped, 1, W),
                     "carve the manager's memory") &&
           demo_step(proc_service_start(&cfg, &pm), "start the process manager") &&
           demo_step(coffer_untyped_retype(bi->untyped.start, COFFER_OBJ_NOTIFICATION, 0, ROOT, 0, s + EXITS, 1, W),
                     "make the exit notification");
}

/* The console server, on 128 KiB of the same untyped, with the UART; it
 * verifies sessions' banks with the prime bank's server. */
static bool start_console(const struct coffer_bootinfo *bi, coffer_cptr_t prime, uint64_t s)
{
    struct console_service_config cfg = { .work_untyped = s + CON_WORK, .bank = prime, .uart_frame = s + UART_FRAME,
                                          .uart_irq = s + UART_IRQ, .first_slot = s + CONSOLE_SLOTS,
                                          .own_va = 0x3c00000000ull, .priority = 180 };
    return demo_step(coffer_untyped_retype(bi->untyped.start, COFFER_OBJ_UNTYPED, 17, ROOT, 0, cfg.work_untyped, 1, W),
                     "carve the console's memory") &&
           demo_step(console_service_uart(cfg.uart_frame, cfg.uart_irq), "the UART's frame and line") &&
           demo_step(console_service_start(&cfg, &con), "start the console server");
}

/* The service named, or NULL. */
static const struct service *service(const char *name)
{
    for (unsigned k = 0; k < sizeof services / sizeof services[0]; k++)
        if (strcmp(services[k].name, name) == 0)
            return &services[k];
    return NULL;
}

/* Entries naming a service init does not have are left out, each said. */
static unsigned drop_unserved(unsigned count)
{
    unsigned kept = 0;
    for (unsigned i = 0; i < count; i++) {
        bool served = true;
        for (unsigned k = 0; k < conf[i].ncaps; k++)
            if (service(conf[i].caps[k]) == NULL) {
                printf("init: %s asks for \"%s\", which init does not serve: not started\n", conf[i].name,
                       conf[i].caps[k]);
                served = false;
            }
        if (served)
            conf[kept++] = conf[i];
    }
    return kept;
}

/* Process i's services into its granted slots. */
static bool grant(uint64_t handle, const struct bootconf_process *p)
{
    for (unsigned k = 0; k < p->ncaps; k++) {
        const struct service *v = service(p->caps[k]);
        if (!demo_step(proc_grant(coffer_root_ipc_buffer(), handle, v->slot, *v->cap), "grant a service"))
            return false;
    }
    return true;
}

static bool read_conf(const struct coffer_bootinfo *bi, unsigned *count)
{
    struct bootimage_file file;
    struct bootconf_error err;
    if (bootimage_find((const void *)(uintptr_t)bi->bootimage_vaddr, bi->bootimage_size, "boot.conf", &file) != 0) {
        printf("init: no boot.conf in the boot image\n");
        return false;
    }
    if (bootconf_parse(file.data, file.size, conf, MAX_PROCESSES, count, &err) != BOOTCONF_OK) {
        printf("init: boot.conf:%u:%u: %s\n", err.line, err.column, bootconf_strerror(err.status));
        return false;
    }
    return true;
}

/* SPAWN's text: the image, argv[0] (the process's name), the arguments,
 * the environment. */
static size_t spawn_text(const struct bootconf_process *p, char text[PROCESS_SPAWN_TEXT_BYTES])
{
    const char *words[2 + 2 * BOOTCONF_WORDS_MAX];
    unsigned n = 0;
    words[n++] = p->image;
    words[n++] = p->name;
    for (unsigned i = 0; i < p->argc; i++)
        words[n++] = bootconf_arg(p, i);
    for (unsigned i = 0; i < p->envc; i++)
        words[n++] = bootconf_env(p, i);
    return process_spawn_text(text, words, n); /* fits: bootconf keeps a process's words to 384 bytes */
}

static bool spawn_all(coffer_cptr_t prime, uint64_t s, unsigned count, uint64_t *pids)
{
    struct coffer_ipc_buffer *buf = coffer_root_ipc_buffer();
    for (unsigned i = 0; i < count; i++) {
        const struct bootconf_process *p = &conf[i];
        char text[PROC_TEXT_BYTES];
        size_t len = spawn_text(p, text);
        if (!demo_step(coffer_cnode_mint(ROOT, s + EXITS_BADGED + i, 64, ROOT, s + EXITS, 64, COFFER_RIGHTS_ALL,
                                         1ull << i), "badge the exit notification") ||
            !demo_step(proc_spawn(buf, pm.init, p->priority, p->mcp, 0, p->argc, p->envc, p->budget_us, p->period_us,
                                  p->limit, text, len, prime, s + EXITS_BADGED + i, s + HANDLES + i, &pids[i]),
                       "spawn") ||
            !grant(s + HANDLES + i, p))
            return false;
    }
    return true;
}

static void list(uint64_t s, unsigned count)
{
    struct coffer_ipc_buffer *buf = coffer_root_ipc_buffer();
    printf("init: %u processes of boot.conf, each on a bank of its own:\n", count);
    printf("  %4s  %-10s %-8s %4s %10s %10s  %s\n", "pid", "name", "state", "prio", "bank KiB", "limit KiB",
           "CPU share");
    for (unsigned i = 0; i < count; i++) {
        uint64_t state = 0, pid = 0, parent = 0, held = 0, limit = 0, cpu = 0;
        char name[PROC_NAME_BYTES] = "";
        if (proc_info(buf, s + HANDLES + i, &state, &pid, &parent, &held, &limit, &cpu, name).error != COFFER_ERR_OK)
            continue;
        printf("  %4llu  %-10.10s %-8s %4u %10llu %10llu  %llu us / %llu us\n", (unsigned long long)pid, name,
               state <= PROC_STATE_ENDED ? states[state] : "?", conf[i].priority, (unsigned long long)(held >> 10), (unsigned long long)(limit >> 10),
               (unsigned long long)conf[i].budget_us, (unsigned long long)conf[i].period_us);
    }
}

static uint64_t ticks_per_second(void)
{
    struct coffer_kernel_info info = { 0 };
    coffer_debug_kernel_info((uint64_t)(uintptr_t)&info, sizeof info);
    return info.timebase_hz != 0 ? info.timebase_hz : 10000000;
}

/* Whether a process reads the keyboard: a person is at it, so init
 * waits as long as they take. */
static bool interactive(unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        for (unsigned k = 0; k < conf[i].ncaps; k++)
            if (service(conf[i].caps[k])->slot == PROCESS_GRANT_KEYBOARD) /* drop_unserved: there is one */
                return true;
    return false;
}

/* Start them all, then reap each as its bit comes up. */
static bool run_all(uint64_t s, unsigned count, const uint64_t *pids)
{
    for (unsigned i = 0; i < count; i++)
        if (!demo_step(proc_start(s + HANDLES + i), "start"))
            return false;
    uint64_t left = (1ull << count) - 1, deadline = interactive(count) ? UINT64_MAX : coffer_time_now() + 5 * ticks_per_second();
    printf("init: started them; as each ends:\n");
    printf("  %4s  %-10s %-8s %-28s %8s\n", "pid", "name", "how", "status", "CPU us");
    while (left != 0 && coffer_time_now() < deadline) {
        coffer_wait_until(s + EXITS, deadline);
        for (unsigned i = 0; i < count; i++) {
            uint64_t how = 0, code = 0, pc = 0, addr = 0, cpu = 0;
            if (!(left >> i & 1) || proc_wait(s + HANDLES + i, &how, &code, &pc, &addr, &cpu).error != COFFER_ERR_OK)
                continue;
            left &= ~(1ull << i);
            char status[40];
            if (how == PROC_ENDED_FAULT)
                snprintf(status, sizeof status, "fault %llu at pc 0x%llx addr 0x%llx", (unsigned long long)code,
                         (unsigned long long)pc, (unsigned long long)addr);
            else
                snprintf(status, sizeof status, "status %llu", (unsigned long long)code);
            printf("  %4llu  %-10.10s %-8s %-28s %8llu\n", (unsigned long long)pids[i], conf[i].name,
                   how >= PROC_ENDED_EXIT && how <= PROC_ENDED_KILLED ? ended[how] : "?",
                   status, (unsigned long long)cpu);
        }
    }
    if (left != 0)
        printf("init: processes still running after 5 s: 0x%llx\n", (unsigned long long)left);
    return left == 0;
}

int run_init(const struct coffer_bootinfo *bi, coffer_cptr_t prime, uint64_t first_free)
{
    unsigned count = 0;
    uint64_t pids[MAX_PROCESSES] = { 0 };
    uint64_t s = first_free + PROC_SERVICE_SLOTS;
    struct coffer_ipc_buffer *buf = coffer_root_ipc_buffer();
    uint64_t before = 0, after = 0, ignore = 0;
    bank_view = s + BANK_VIEW; /* made first: its badge's record is the prime bank's for good */
    if (!demo_step(bank_restrict(buf, prime, 0, bank_view), "a capability to look at the bank tree"))
        return 1;
    bank_info(buf, prime, &ignore, &ignore, &ignore, &ignore, &ignore, &ignore, &before, &ignore, &ignore);
    if (!start_manager(bi, prime, first_free, s) || !start_console(bi, prime, s) || !read_conf(bi, &count))
        return 1;
    printf("\ninit: the process manager (%llu KiB of its own memory) and the console server (%llu KiB) run;"
           " boot.conf read\n", (unsigned long long)(pm.own_bytes >> 10), (unsigned long long)(con.own_bytes >> 10));
    count = drop_unserved(count);
    if (!spawn_all(prime, s, count, pids))
        return 1;
    list(s, count);
    if (!run_all(s, count, pids))
        return 1;
    bank_info(buf, prime, &ignore, &ignore, &ignore, &ignore, &ignore, &ignore, &after, &ignore, &ignore);
    printf("init: console sessions opened: %llu, each paid by its process's bank; %llu bytes written through them\n",
           (unsigned long long)con.server->opened, (unsigned long long)con.server->written);
    printf("init: all reaped; the prime bank's free bytes %llu KiB before, %llu KiB after: %s\n",
           (unsigned long long)(before >> 10), (unsigned long long)(after >> 10),
           after == before ? "every byte back" : "MISMATCH");
    return after == before ? 0 : 1;
}
