/*
 * The process manager's QEMU tests' fixture (proc_fixture.h).
 */
#include <proto/bank_client.h>
#include <proto/proc_client.h>
#include <process/spawn_text.h>

#include "proc_fixture.h"
#include "services_fixture.h"
#include "thread/threads_fixture.h"

#define RAM_BITS 24

static uint64_t slot_base;
struct bank_service banks;
struct session_service exec_svc;
struct proc_service pm;
static uint64_t container;

uint64_t S(unsigned i)
{
    return slot_base + i;
}

struct coffer_ipc_buffer *buf(void)
{
    return coffer_root_ipc_buffer();
}

static bool start(void)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    uint64_t parent = coffer_largest_ram_untyped(bi, 26);
    slot_base = bi->empty.start + 2400;
    container = S(0);
    uint64_t bank_work = S(1), ram = S(2), pm_work = S(3), exec_work = S(4);
    struct proc_service_config pcfg = { .work_untyped = pm_work, .first_slot = S(16), .own_va = 0x3800000000ull,
                                        .priority = 190 };
    bool ok = ktest_step(coffer_untyped_retype(parent, COFFER_OBJ_UNTYPED, 25, ROOT, 0, container, 1, W),
                         "a 32 MiB container") &&
              start_bank_service(container, RAM_BITS, ram, bank_work, S(8), 256, &banks) &&
              ktest_step(coffer_untyped_retype(container, COFFER_OBJ_UNTYPED, 20, ROOT, 0, pm_work, 1, W),
                         "1 MiB for the process manager") &&
              ktest_step(coffer_untyped_retype(container, COFFER_OBJ_UNTYPED, 19, ROOT, 0, exec_work, 1, W),
                         "512 KiB for the exec server");
    pcfg.bank = banks.prime;
    struct exec_service_config ecfg = { .work_untyped = exec_work, .bank = banks.prime, .first_slot = S(120),
                                        .own_va = 0x1000000000ull, .priority = 170 };
    ok = ok && ktest_step(exec_service_start(&ecfg, &exec_svc), "start the exec server");
    uint64_t id;
    return ok && ktest_step(proc_service_start(&pcfg, &pm), "start the process manager") &&
           ktest_step(bank_create(buf(), banks.prime, 4u << 20, S(BANK), &id), "a 4 MiB bank for processes") &&
           ktest_step(coffer_untyped_retype(container, COFFER_OBJ_NOTIFICATION, 0, ROOT, 0, S(EXITS), 1, W),
                      "an exit notification") &&
           ktest_step(coffer_cnode_mint(ROOT, S(EXITS_BADGED), D, ROOT, S(EXITS), D, COFFER_RIGHTS_ALL, 1),
                      "badged 1") &&
           ktest_step(coffer_untyped_retype(container, COFFER_OBJ_NOTIFICATION, 0, ROOT, 0, S(NAP), 1, W),
                      "a notification to sleep on");
}

/* SPAWN_FRAME of the first `bytes` of the frame `image`, my bank paying:
 * argv[0] "hello", GREETING=hi. */
struct coffer_result spawn_frame(struct coffer_ipc_buffer *b, uint64_t image, uint64_t bytes, uint64_t flags,
                                        uint64_t handle, uint64_t *pid)
{
    char text[PROC_TEXT_BYTES];
    const char *words[] = { "hello", "GREETING=hi" };
    size_t len = process_spawn_text(text, words, 2);
    return proc_spawn_frame(b, pm.init, 100, 100, flags, 0, 1, 10000, 10000, ~0ull, bytes, text, len, S(BANK),
                            S(EXITS_BADGED), image, handle, pid);
}

struct usage usage(uint64_t bank)
{
    struct usage u = { 0 };
    bank_info(buf(), bank, &u.limit, &u.effective, &u.held, &u.objects, &u.overhead, &u.children, &u.free, &u.count,
              &u.banks);
    return u;
}

bool same(struct usage a, struct usage b)
{
    return a.held == b.held && a.objects == b.objects && a.overhead == b.overhead && a.children == b.children &&
           a.free == b.free && a.count == b.count && a.banks == b.banks;
}

struct coffer_result spawn_on(const char *image, uint64_t flags, uint64_t budget_us, uint64_t period_us,
                                     uint64_t limit, uint64_t bank, uint64_t handle, uint64_t *pid)
{
    char text[PROC_TEXT_BYTES];
    const char *words[] = { image, image, "GREETING=hi" };
    size_t len = process_spawn_text(text, words, 3);
    return proc_spawn(buf(), pm.init, 100, 100, flags, 0, 1, budget_us, period_us, limit, text, len, bank,
                      S(EXITS_BADGED), handle, pid);
}

struct coffer_result spawn(const char *image, uint64_t flags, uint64_t limit, uint64_t bank, uint64_t handle,
                                  uint64_t *pid)
{
    return spawn_on(image, flags, 10000, 10000, limit, bank, handle, pid);
}

/* Reap it once it ended: the exit notification says when (2 s at most;
 * a signal left by an earlier process only means another look). */
struct coffer_result reap(uint64_t handle, uint64_t *how, uint64_t *code, uint64_t *pc, uint64_t *addr,
                                 uint64_t *cpu)
{
    uint64_t deadline = coffer_time_now() + tf_us_to_ticks(2000000);
    struct coffer_result r;
    while ((r = proc_wait(handle, how, code, pc, addr, cpu)).error == COFFER_ERR_PROC_RUNNING &&
           coffer_time_now() < deadline)
        coffer_wait_until(S(EXITS), deadline);
    return r;
}

struct coffer_result wait_for(uint64_t handle, uint64_t *how, uint64_t *code)
{
    uint64_t pc, addr, cpu;
    return reap(handle, how, code, &pc, &addr, &cpu);
}

/* A bank that has had a sub-bank keeps an extent and the record units
 * its next sub-bank will need (docs/banks.md): so that the first spawn
 * is measured as the others, my bank has had one before. */
void warm_up(uint64_t bank)
{
    uint64_t id;
    ktest_step(bank_create(buf(), bank, 1u << 16, S(HANDLE2), &id), "warm the bank up: a sub-bank");
    ktest_step(bank_destroy(S(HANDLE2)), "and its destroy");
}

/* The manager's table entries in use. */
unsigned entries_in_use(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < PROC_MAX; i++)
        n += pm.server->procs[i].state != PROC_STATE_FREE;
    return n;
}

/* Sleep, letting lower priorities run. */
void nap_us(uint64_t us)
{
    coffer_wait_until(S(NAP), coffer_time_now() + tf_us_to_ticks(us));
}

/* The services started, the cases run (all, or only the cycles, n of
 * each), and everything they made revoked. */
void proc_fixture_run(void (*cases)(unsigned), unsigned n)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    uint64_t parent = coffer_largest_ram_untyped(bi, 26);
    uint64_t parent_free = coffer_untyped_describe(parent).detail0;
    if (!start()) {
        ktest_check(false, "proc: the services start");
    } else {
        ktest_check(pm.own_bytes > 0, "proc: the manager started, %llu KiB of its own memory",
                    (unsigned long long)pm.own_bytes >> 10);
        cases(n);
    }
    coffer_tcb_suspend(pm.worker);
    coffer_tcb_suspend(pm.fault_thread);
    coffer_tcb_suspend(pm.rescuer);
    coffer_tcb_suspend(exec_svc.door);
    coffer_tcb_suspend(exec_svc.rescuer);
    coffer_tcb_suspend(banks.tcb);
    ktest_check(coffer_cnode_revoke(ROOT, container, D).error == COFFER_ERR_OK &&
                    coffer_cnode_delete(ROOT, container, D).error == COFFER_ERR_OK &&
                    coffer_untyped_describe(parent).detail0 == parent_free,
                "proc: the container revoked: both services and all they made are gone, the parent as it was");
}

