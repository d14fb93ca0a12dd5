/*
 * Processes (issue 14; docs/processes.md): SPAWN of a program from the
 * boot image to the first instruction of its main (the stamp program
 * exits with the counter it read there), the whole spawn, exit and wait,
 * and the kill of a process holding 10^3 objects against destroying a
 * bank of the same process directly (the bank alone).
 */
#include "bench.h"
#include "fixture.h"
#include <bank/bank.h>
#include <image/bootimage.h>
#include <process/frames.h>
#include <process/layout.h>
#include <process/spawn_text.h>
#include <proto/bank_client.h>
#include <proto/proc_client.h>
#include <stdio.h>
#include <string.h>

#include "bank_service.h"
#include "proc.h"
#include "proc_service.h"

#define ROOT COFFER_SLOT_CNODE
#define W COFFER_RETYPE_AT_WATERMARK
#define SPAWNS 51
#define KILLS 5

static uint64_t samples_a[BENCH_RUNS], samples_b[BENCH_RUNS];
static struct bank_service banks;
static struct proc_service pm;
static uint64_t slot0;

enum { RAM, BANK_WORK, PM_WORK, BANK, EXITS, EXITS_BADGED, HANDLE, READY, OWN_BANK, SIBLING, FIRST_SERVICE_SLOT = 16,
       KIT = FIRST_SERVICE_SLOT + BANK_SERVICE_SLOTS + PROC_SERVICE_SLOTS, KIT_TABLE1, KIT_TABLE0, KIT_FRAME,
       FAULT_EP };
#define KIT_VA 0x2800000000ull /* where I map stamp's frame to fill it */

static uint64_t S(unsigned i)
{
    return slot0 + i;
}

static struct coffer_ipc_buffer *buf(void)
{
    return coffer_root_ipc_buffer();
}

static bool start(uint64_t ram, uint64_t work_parent)
{
    static coffer_cptr_t rams[1];
    rams[0] = S(RAM);
    struct bank_service_config bcfg = { .work_untyped = S(BANK_WORK), .ram = rams, .nram = 1,
                                        .first_slot = S(FIRST_SERVICE_SLOT), .asid_pool = COFFER_SLOT_ASID_POOL,
                                        .root_bits = 10, .nbanks = 64, .own_va = 0x3000000000ull,
                                        .window_va = 0x3400000000ull, .priority = 200 };
    struct proc_service_config pcfg = { .work_untyped = S(PM_WORK),
                                        .first_slot = S(FIRST_SERVICE_SLOT + BANK_SERVICE_SLOTS),
                                        .own_va = 0x3800000000ull, .priority = 190 };
    uint64_t id;
    bool ok = bench_step(coffer_untyped_retype(ram, COFFER_OBJ_UNTYPED, 24, ROOT, 0, S(RAM), 1, W), "16 MiB of RAM") &&
              bench_step(coffer_untyped_retype(work_parent, COFFER_OBJ_UNTYPED, 21, ROOT, 0, S(BANK_WORK), 1, W),
                         "the bank server's memory") &&
              bench_step(coffer_untyped_retype(work_parent, COFFER_OBJ_UNTYPED, 20, ROOT, 0, S(PM_WORK), 1, W),
                         "the process manager's") &&
              bench_step(bank_service_start(&bcfg, &banks), "start the bank service");
    pcfg.bank = banks.prime;
    return ok && bench_step(proc_service_start(&pcfg, &pm), "start the process manager") &&
           bench_step(bank_create(buf(), banks.prime, 8u << 20, S(BANK), &id), "a bank for processes") &&
           bench_step(coffer_untyped_retype(work_parent, COFFER_OBJ_NOTIFICATION, 0, ROOT, 0, S(EXITS), 1, W),
                      "an exit notification") &&
           bench_step(coffer_cnode_mint(ROOT, S(EXITS_BADGED), BF_D, ROOT, S(EXITS), BF_D, COFFER_RIGHTS_ALL, 1),
                      "badged") &&
           bench_step(coffer_untyped_retype(work_parent, COFFER_OBJ_NOTIFICATION, 0, ROOT, 0, S(READY), 1, W),
                      "a ready notification") &&
           bench_step(coffer_untyped_retype(work_parent, COFFER_OBJ_ENDPOINT, 0, ROOT, 0, S(FAULT_EP), 1, W),
                      "an endpoint for faults");
}

/* Spawn image with up to three arguments (NULL: none), its handle into
 * slot `handle`. */
static struct coffer_result spawn3(uint64_t handle, const char *image, const char *arg, const char *arg2,
                                   const char *arg3, uint64_t flags, uint64_t bank)
{
    char text[PROC_TEXT_BYTES];
    const char *words[] = { image, image, arg, arg2, arg3 };
    unsigned argc = arg == NULL ? 0 : arg2 == NULL ? 1 : arg3 == NULL ? 2 : 3;
    size_t len = process_spawn_text(text, words, 2 + argc);
    uint64_t pid;
    return proc_spawn(buf(), pm.init, 100, 100, flags, argc, 0, 10000, 10000, ~0ull, text, len, bank,
                      S(EXITS_BADGED), handle, &pid);
}

static struct coffer_result spawn(const char *image, const char *arg, uint64_t flags, uint64_t bank)
{
    return spawn3(S(HANDLE), image, arg, NULL, NULL, flags, bank);
}

static uint64_t frame_bytes; /* of stamp, in S(KIT_FRAME) */

/* stamp from the frame it was copied into (SPAWN_FRAME), started. */
static struct coffer_result spawn_from_frame(void)
{
    char text[PROC_TEXT_BYTES];
    const char *words[] = { "stamp" };
    size_t len = process_spawn_text(text, words, 1);
    uint64_t pid;
    return proc_spawn_frame(buf(), pm.init, 100, 100, PROC_SPAWN_START, 0, 0, 10000, 10000, ~0ull, frame_bytes, text,
                            len, S(BANK), S(EXITS_BADGED), S(KIT_FRAME), S(HANDLE), &pid);
}

/* Wait for the process to end, then reap it. */
static struct coffer_result reap(uint64_t *code)
{
    uint64_t how, pc, addr, cpu;
    struct coffer_result r;
    while ((r = proc_wait(S(HANDLE), &how, code, &pc, &addr, &cpu)).error == COFFER_ERR_PROC_RUNNING)
        coffer_wait(S(EXITS));
    coffer_cnode_delete(ROOT, S(HANDLE), BF_D);
    return r;
}

/* stamp: SPAWN (or SPAWN_FRAME) to its main, and the round trip to its
 * reaping; the first of the image on the bank makes its shared set, each
 * time (a frame's image has none). */
static void spawn_to_main(const char *to_main, const char *round_trip, bool from_frame)
{
    unsigned bad = 0;
    for (unsigned i = 0; i < SPAWNS; i++) {
        uint64_t code = 0, t0 = coffer_rdcycle();
        struct coffer_result r = from_frame ? spawn_from_frame() : spawn("stamp", NULL, PROC_SPAWN_START, S(BANK));
        if (r.error == COFFER_ERR_OK)
            r = reap(&code);
        uint64_t t1 = coffer_rdcycle();
        bad += r.error != COFFER_ERR_OK;
        samples_a[i] = (uint32_t)((uint32_t)code - (uint32_t)t0);
        samples_b[i] = t1 - t0;
    }
    bench_report(to_main, samples_a, SPAWNS, 0);
    bench_report(round_trip, samples_b, SPAWNS, 0);
    if (bad)
        printf("bench: %u spawns of stamp failed\n", bad);
}

/* The same beside a stamp spawned on the bank and not started: its shared
 * set stands, and each spawn maps it instead of filling its own. */
static void spawn_to_main_shared(void)
{
    if (!bench_step(spawn3(S(SIBLING), "stamp", NULL, NULL, NULL, 0, S(BANK)), "a stamp that is not started"))
        return;
    spawn_to_main("proc: spawn stamp to main, its read-only regions shared with another stamp's",
                  "proc: spawn, run to exit and reap stamp, its read-only regions shared", false);
    bench_step(proc_kill(S(SIBLING)), "kill the one not started");
    uint64_t how, code, pc, addr, cpu;
    bench_step(proc_wait(S(SIBLING), &how, &code, &pc, &addr, &cpu), "reap it");
    coffer_cnode_delete(ROOT, S(SIBLING), BF_D);
}

/* stamp copied into a frame of a kit bank (with my page tables onto it),
 * and SPAWN_FRAME of it to main: the manager maps it, plans it from its
 * first page, copies every region with the guarded copy. */
static void spawn_frame_to_main(void)
{
    struct bootimage_file stamp;
    uint64_t id, h;
    if (bootimage_find(pm.server->env.boot_image, pm.server->env.boot_image_size, "stamp", &stamp) != BOOTIMAGE_OK)
        return;
    unsigned bits = process_frame_bits(stamp.size);
    if (!bench_step(bank_create(buf(), banks.prime, 1u << 20, S(KIT), &id), "a kit bank") ||
        !bench_step(bank_buy(buf(), S(KIT), COFFER_OBJ_PAGE_TABLE, 0, S(KIT_TABLE1), &h), "a level-1 table") ||
        !bench_step(coffer_page_table_map(S(KIT_TABLE1), COFFER_SLOT_VSPACE, KIT_VA), "mapped") ||
        !bench_step(bank_buy(buf(), S(KIT), COFFER_OBJ_PAGE_TABLE, 0, S(KIT_TABLE0), &h), "a level-0 table") ||
        !bench_step(coffer_page_table_map(S(KIT_TABLE0), COFFER_SLOT_VSPACE, KIT_VA), "mapped") ||
        !bench_step(bank_buy(buf(), S(KIT), COFFER_OBJ_FRAME, bits, S(KIT_FRAME), &h), "a frame for stamp") ||
        !bench_step(coffer_frame_map(S(KIT_FRAME), COFFER_SLOT_VSPACE, KIT_VA, COFFER_MAP_R | COFFER_MAP_W), "mapped"))
        return;
    memcpy((void *)(uintptr_t)KIT_VA, stamp.data, stamp.size);
    frame_bytes = stamp.size;
    spawn_to_main("proc: SPAWN_FRAME of stamp from a frame to its main (its read-only regions copied, not shared)",
                  "proc: SPAWN_FRAME, run to exit and reap stamp", true);
    bench_step(bank_destroy(S(KIT)), "destroy the kit");
}

/* FAULTS on a stamp spawned and not started: the manager checks the
 * endpoint, keeps a copy and reconfigures the thread; then the stamp is
 * killed and reaped. */
static void faults_cost(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < SPAWNS; i++) {
        uint64_t code;
        if (spawn("stamp", NULL, 0, S(BANK)).error != COFFER_ERR_OK)
            break;
        uint64_t t0 = coffer_rdcycle();
        struct coffer_result r = proc_faults(buf(), S(HANDLE), S(FAULT_EP));
        samples_a[n] = coffer_rdcycle() - t0;
        n += r.error == COFFER_ERR_OK;
        proc_kill(S(HANDLE));
        reap(&code);
    }
    bench_report("proc: FAULTS (the spawner's endpoint made a process's fault handler)", samples_a, n, 0);
}

/* stamp malloc K (one malloc of K KiB on a fresh part of the heap) or
 * stamp pages N [max] (N mallocs of 4 KiB), measured inside the process. */
static void malloc_cost(const char *mode, const char *n_or_kib, const char *max, const char *what)
{
    unsigned n = 0;
    for (unsigned i = 0; i < 21; i++) {
        uint64_t code = 0;
        struct coffer_result r = spawn3(S(HANDLE), "stamp", mode, n_or_kib, max, PROC_SPAWN_START, S(BANK));
        if (r.error != COFFER_ERR_OK || reap(&code).error != COFFER_ERR_OK || (uint32_t)code == ~0u)
            break;
        samples_a[n++] = (uint32_t)code;
    }
    bench_report(what, samples_a, n, 0);
}

/* hoard 1000 on a bank of its own, ready (its objects bought). */
static bool hoarder(uint64_t bank)
{
    uint64_t id;
    return bench_step(bank_create(buf(), S(BANK), 4u << 20, bank, &id), "a bank for the hoarder") &&
           bench_step(spawn("hoard", "1000", 0, bank), "spawn hoard") &&
           bench_step(proc_grant(buf(), S(HANDLE), 0, S(READY)), "grant it the ready notification") &&
           bench_step(proc_start(S(HANDLE)), "start it") &&
           bench_step(coffer_wait(S(READY)).error == COFFER_ERR_OK ? (struct coffer_result){ 0, 0, 0 }
                                                                   : (struct coffer_result){ COFFER_ERR_ABORTED, 0, 0 },
                      "wait until it holds its objects");
}

/* KILL of hoard 1000, and destroying the bank it was spawned on. */
static void kill_vs_destroy(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < KILLS; i++) {
        uint64_t code;
        if (!hoarder(S(OWN_BANK)))
            break;
        uint64_t t0 = coffer_rdcycle();
        struct coffer_result r = proc_kill(S(HANDLE));
        uint64_t t1 = coffer_rdcycle();
        if (!bench_step(r, "kill it") || !bench_step(reap(&code), "reap it") ||
            !bench_step(bank_destroy(S(OWN_BANK)), "destroy its spawner's bank") || !hoarder(S(OWN_BANK)))
            break;
        uint64_t t2 = coffer_rdcycle();
        r = bank_destroy(S(OWN_BANK)); /* the process bank inside goes with it */
        uint64_t t3 = coffer_rdcycle();
        if (!bench_step(r, "destroy the bank") || !bench_step(reap(&code), "reap the process"))
            break;
        samples_a[n] = t1 - t0;
        samples_b[n++] = t3 - t2;
    }
    bench_report("proc: kill a process holding 10^3 objects (its bank destroyed)", samples_a, n, 0);
    bench_report("proc: destroy the bank such a process was spawned on, alone", samples_b, n, 0);
}

void bench_proc(uint64_t calibration)
{
    (void)calibration;
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    uint64_t ram = coffer_largest_ram_untyped(bi, 25), work_parent = coffer_largest_ram_untyped(bi, 24);
    slot0 = bi->empty.start + 3500;
    bench_step(coffer_cnode_revoke(ROOT, ram, BF_D), "clear the RAM untyped");
    bench_step(coffer_cnode_revoke(ROOT, work_parent, BF_D), "clear the work untyped");
    uint64_t ram_free = coffer_untyped_describe(ram).detail0, work_free = coffer_untyped_describe(work_parent).detail0;
    if (!start(ram, work_parent))
        return;
    uint64_t code;
    if (!bench_step(spawn("stamp", NULL, PROC_SPAWN_START, S(BANK)), "a first spawn") ||
        !bench_step(reap(&code), "its reaping"))
        return;
    spawn_to_main("proc: spawn stamp (a 23 KB program) to the first instruction of its main",
                  "proc: spawn, run to exit and reap stamp (its bank destroyed)", false);
    spawn_to_main_shared();
    spawn_frame_to_main();
    faults_cost();
    malloc_cost("malloc", "4", NULL, "proc: malloc of 4 KiB, a fresh page of the heap's step (mapped, not used yet), written");
    malloc_cost("pages", "256", NULL, "proc: malloc of 4 KiB, each a fresh page, mean of 256 in a row (1 MiB), written");
    malloc_cost("pages", "256", "max", "proc: malloc of 4 KiB, the dearest of those 256: the heap grows by a 64 KiB step");
    malloc_cost("malloc", "1024", NULL, "proc: malloc of 1 MiB, each page written once (frames of up to 2 MiB bought and mapped)");
    kill_vs_destroy();
    coffer_tcb_suspend(pm.worker);
    coffer_tcb_suspend(pm.fault_thread);
    coffer_tcb_suspend(pm.rescuer);
    bench_step(coffer_cnode_revoke(ROOT, ram, BF_D), "revoke the RAM");
    bench_step(coffer_cnode_revoke(ROOT, work_parent, BF_D), "revoke the services' memory");
    if (coffer_untyped_describe(ram).detail0 != ram_free || coffer_untyped_describe(work_parent).detail0 != work_free)
        printf("bench: proc: not every byte came back\n");
}
