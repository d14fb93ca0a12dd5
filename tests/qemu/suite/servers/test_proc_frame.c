/*
 * SPAWN_FRAME in QEMU (servers/proc/proc_frame.c): ELF images handed to
 * the process manager in frames.  hello copied out of the boot image
 * into a frame of its size, into a 4 MiB one and into a window of it runs and
 * exits, every byte back, each process with its own copy of the text;
 * every refusal; and an image revoked while the manager copies it ends
 * that spawn with PROC_IMAGE_GONE, nothing left behind, the manager
 * serving on; and a spawner killed while the manager builds its process
 * has that process undone.  The frames, my page tables onto them and the spawning
 * thread of the last case come from a kit bank inside the prime bank,
 * destroyed at the end.
 */
#include <bank/bank.h>
#include <image/bootimage.h>
#include <image/elf.h>
#include <loader/load_plan.h>
#include <process/frames.h>
#include <process/spawn_text.h>
#include <proto/bank_client.h>
#include <proto/proc_client.h>
#include <server/guarded.h>
#include <string.h>

#include "proc_fixture.h"

enum { KIT = CASE_SLOTS, TABLE1, TABLE0, SMALL_FRAME, BIG_FRAME, ALIAS, GONE_FRAME, SPAWNER_TCB, SPAWNER_SC,
       SPAWNER_IPC, DOOMED };

/* My windows onto the kit's frames, in one GiB: a level-1 table and, for
 * its first 2 MiB, a level-0 one. */
#define KIT_VA 0x2800000000ull
#define SMALL_VA KIT_VA                    /* hello's frame: 4 KiB pages */
#define IPC_VA (KIT_VA + (1ull << 20))     /* the spawning thread's IPC buffer */
#define GONE_VA (KIT_VA + (2ull << 20))    /* a 2 MiB frame: one 2 MiB page */
#define BIG_VA (KIT_VA + (4ull << 20))     /* the 4 MiB frame: two */
#define MIB (1ull << 20)

static struct bootimage_file hello;

static bool buy(uint64_t type, unsigned bits, unsigned slot, uint64_t *handle)
{
    return ktest_step(bank_buy(buf(), S(KIT), type, bits, S(slot), handle), "buy a kit object (type %llu, 2^%u)",
                      (unsigned long long)type, bits);
}

static bool map(unsigned slot, uint64_t va)
{
    return ktest_step(coffer_frame_map(S(slot), COFFER_SLOT_VSPACE, va, COFFER_MAP_R | COFFER_MAP_W),
                      "map a kit frame at 0x%llx", (unsigned long long)va);
}

static bool kit_open(void)
{
    uint64_t id, h;
    return ktest_step(bank_create(buf(), banks.prime, 8 * MIB, S(KIT), &id), "a kit bank") &&
           ktest_step(bootimage_find(pm.server->env.boot_image, pm.server->env.boot_image_size, "hello", &hello) ==
                              BOOTIMAGE_OK
                          ? (struct coffer_result){ 0, 0, 0 }
                          : (struct coffer_result){ COFFER_ERR_INVALID_ARGUMENT, 0, 0 },
                      "hello in the boot image") &&
           buy(COFFER_OBJ_PAGE_TABLE, 0, TABLE1, &h) &&
           ktest_step(coffer_page_table_map(S(TABLE1), COFFER_SLOT_VSPACE, KIT_VA), "its level-1 table") &&
           buy(COFFER_OBJ_PAGE_TABLE, 0, TABLE0, &h) &&
           ktest_step(coffer_page_table_map(S(TABLE0), COFFER_SLOT_VSPACE, KIT_VA), "its level-0 table");
}

/* It runs and exits 0, one bank inside mine while it lives (no shared
 * set: a frame's image is never shared), every byte back. */
static bool runs_from(uint64_t image, const char *what)
{
    struct usage before = usage(S(BANK));
    uint64_t pid = 0, how = 0, code = 99;
    struct coffer_result r = spawn_frame(buf(), image, hello.size, PROC_SPAWN_START, S(HANDLE), &pid);
    unsigned banks_during = (unsigned)usage(S(BANK)).banks;
    if (r.error == COFFER_ERR_OK)
        r = wait_for(S(HANDLE), &how, &code);
    bool ok = ktest_check(r.error == COFFER_ERR_OK && how == PROC_ENDED_EXIT && code == 0 &&
                              banks_during == before.banks + 1 && same(usage(S(BANK)), before),
                          "proc: hello from %s runs on its own bank (no shared set) and exits 0; every byte back "
                          "(%s)", what, coffer_error_name(r.error));
    coffer_cnode_delete(ROOT, S(HANDLE), D);
    return ok;
}

static void hello_from_frames(void)
{
    uint64_t h, big;
    unsigned bits = process_frame_bits(hello.size);
    if (!buy(COFFER_OBJ_FRAME, bits, SMALL_FRAME, &h) || !map(SMALL_FRAME, SMALL_VA))
        return;
    memcpy((void *)(uintptr_t)SMALL_VA, hello.data, hello.size);
    runs_from(S(SMALL_FRAME), "a frame of its size (4 KiB pages)");
    runs_from(S(SMALL_FRAME), "the same frame again (the manager's mapping of it is gone)");

    if (!buy(COFFER_OBJ_FRAME, 22, BIG_FRAME, &big) || !map(BIG_FRAME, BIG_VA))
        return;
    memcpy((void *)(uintptr_t)BIG_VA, hello.data, hello.size);
    memcpy((void *)(uintptr_t)(BIG_VA + MIB), hello.data, hello.size);
    runs_from(S(BIG_FRAME), "a 4 MiB frame (2 MiB pages)");
    if (ktest_step(coffer_cnode_mint(ROOT, S(ALIAS), D, ROOT, S(BIG_FRAME), D, COFFER_RIGHTS_ALL,
                                     COFFER_WINDOW(MIB, 1ull << bits)), "a window of it at 1 MiB"))
        runs_from(S(ALIAS), "a window at 1 MiB of the 4 MiB frame");
    coffer_cnode_delete(ROOT, S(ALIAS), D);
    uint64_t pid;
    ktest_check(coffer_cnode_mint(ROOT, S(ALIAS), D, ROOT, S(BIG_FRAME), D, COFFER_RIGHTS_ALL,
                                  COFFER_WINDOW(0, 3 * MIB)).error == COFFER_ERR_OK,
                "proc: a 3 MiB window of the 4 MiB frame");
    ktest_expect_error(spawn_frame(buf(), S(ALIAS), hello.size, 0, S(HANDLE), &pid), COFFER_ERR_PROC_BAD_ARGUMENT, 7,
                       0, "proc: SPAWN_FRAME from a window no single mapping covers (3 MiB of 4 KiB pages) is "
                       "PROC_BAD_ARGUMENT(7)");
    coffer_cnode_delete(ROOT, S(ALIAS), D);
    ktest_step(bank_free(S(KIT), big), "free the 4 MiB frame");
}

static void put(uint8_t *at, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        at[i] = (uint8_t)(v >> 8 * i);
}

/* An ELF header and, at phoff, one PT_LOAD R|X program header: `size`
 * file bytes at `offset`, mapped at vaddr, the entry there. */
static void write_elf(uint8_t *f, uint64_t phoff, uint64_t offset, uint64_t vaddr, uint64_t size)
{
    memset(f, 0, 64);
    memcpy(f, "\177ELF\2\1\1", 7); /* 64-bit, little-endian, version 1 */
    put(f + 16, 2, 2);             /* ET_EXEC */
    put(f + 18, ELF_EM_RISCV, 2);
    put(f + 20, 1, 4);
    put(f + 24, vaddr, 8);
    put(f + 32, phoff, 8);
    put(f + 52, 64, 2);
    put(f + 54, 56, 2);
    put(f + 56, 1, 2);
    uint8_t *ph = f + phoff;
    memset(ph, 0, 56);
    put(ph, 1, 4); /* PT_LOAD */
    put(ph + 4, ELF_PF_R | ELF_PF_X, 4);
    put(ph + 8, offset, 8);
    put(ph + 16, vaddr, 8);
    put(ph + 24, vaddr, 8);
    put(ph + 32, size, 8);
    put(ph + 40, size, 8);
    put(ph + 48, COFFER_PAGE_SIZE, 8);
}

/* Every refusal, my bank as it was after each. */
static void frame_refusals(void)
{
    struct usage before = usage(S(BANK));
    uint64_t pid, frame_bytes = coffer_frame_address(S(SMALL_FRAME)).detail1;
    uint8_t *image = (uint8_t *)(uintptr_t)SMALL_VA;
    ktest_expect_error(spawn_frame(buf(), S(EXITS), hello.size, 0, S(HANDLE), &pid), COFFER_ERR_PROC_BAD_ARGUMENT, 6,
                       0, "proc: SPAWN_FRAME with a notification as the image is PROC_BAD_ARGUMENT(6)");
    ktest_expect_error(spawn_frame(buf(), S(SMALL_FRAME), 0, 0, S(HANDLE), &pid), COFFER_ERR_PROC_BAD_ARGUMENT, 7, 0,
                       "proc: SPAWN_FRAME of 0 bytes is PROC_BAD_ARGUMENT(7)");
    ktest_expect_error(spawn_frame(buf(), S(SMALL_FRAME), frame_bytes + 1, 0, S(HANDLE), &pid),
                       COFFER_ERR_PROC_BAD_ARGUMENT, 7, 0,
                       "proc: SPAWN_FRAME of a byte more than the frame holds is PROC_BAD_ARGUMENT(7)");
    ktest_check(coffer_cnode_mint(ROOT, S(ALIAS), D, ROOT, S(SMALL_FRAME), D, COFFER_RIGHT_GRANT, 0).error ==
                    COFFER_ERR_OK, "proc: a capability to the frame without the read right");
    ktest_expect_error(spawn_frame(buf(), S(ALIAS), hello.size, 0, S(HANDLE), &pid), COFFER_ERR_PROC_BAD_ARGUMENT, 7,
                       0, "proc: SPAWN_FRAME from it is PROC_BAD_ARGUMENT(7)");
    coffer_cnode_delete(ROOT, S(ALIAS), D);
    char empty[PROC_TEXT_BYTES] = { 0 };
    ktest_expect_error(proc_spawn_frame(buf(), pm.init, 100, 100, 0, 0, 0, 10000, 10000, ~0ull, hello.size, empty, 1,
                                        S(BANK), S(EXITS_BADGED), S(SMALL_FRAME), S(HANDLE), &pid),
                       COFFER_ERR_PROC_BAD_TEXT, 4, 0, "proc: SPAWN_FRAME with an empty argv[0] is PROC_BAD_TEXT(4)");
    write_elf(image, 0x1000, 0, 0x10000, 0x2000);
    ktest_expect_error(spawn_frame(buf(), S(SMALL_FRAME), 0x3000, 0, S(HANDLE), &pid), COFFER_ERR_PROC_BAD_IMAGE,
                       (uint64_t)(int64_t)LOAD_ERR_HEADERS, 0,
                       "proc: an ELF whose program headers start at 4 KiB is PROC_BAD_IMAGE(LOAD_ERR_HEADERS)");
    memcpy(image, "not an ELF file at all, only text", 34);
    ktest_expect_error(spawn_frame(buf(), S(SMALL_FRAME), 0x3000, 0, S(HANDLE), &pid), COFFER_ERR_PROC_BAD_IMAGE,
                       (uint64_t)(int64_t)ELF_ERR_BADMAGIC, 0,
                       "proc: a frame holding no ELF is PROC_BAD_IMAGE(ELF_ERR_BADMAGIC)");
    ktest_check(same(usage(S(BANK)), before), "proc: the refused SPAWN_FRAMEs left my bank as it was");
}

/* ---------------------------------------------- the image revoked under it */

static volatile uint64_t gone_error;
static volatile bool gone_done;
static uint64_t spawner_stack[2048];

/* The spawning thread: one SPAWN_FRAME from the window of the 2 MiB frame
 * (its alias), then it stops itself. */
static void spawner(uint64_t bytes)
{
    uint64_t pid;
    gone_error = spawn_frame((struct coffer_ipc_buffer *)(uintptr_t)IPC_VA, S(ALIAS), bytes, 0, S(HANDLE2), &pid).error;
    gone_done = true;
    coffer_tcb_suspend(S(SPAWNER_TCB));
}

/* The spawning thread's TCB, context and IPC buffer, bought from the bank
 * in slot `from` (the kit, or a bank to destroy under it). */
static bool spawner_made(unsigned from)
{
    uint64_t h;
    gone_error = ~0ull;
    gone_done = false;
    return ktest_step(bank_buy(buf(), S(from), COFFER_OBJ_TCB, 0, S(SPAWNER_TCB), &h), "the spawner's TCB") &&
           ktest_step(bank_buy(buf(), S(from), COFFER_OBJ_SCHED_CONTEXT, 0, S(SPAWNER_SC), &h), "its context") &&
           ktest_step(bank_buy(buf(), S(from), COFFER_OBJ_FRAME, COFFER_PAGE_BITS, S(SPAWNER_IPC), &h),
                      "its IPC buffer") &&
           map(SPAWNER_IPC, IPC_VA) &&
           ktest_step(coffer_tcb_configure(S(SPAWNER_TCB), COFFER_CPTR_NONE, COFFER_SLOT_CNODE, COFFER_SLOT_VSPACE,
                                           IPC_VA, S(SPAWNER_IPC)), "configure the spawner") &&
           ktest_step(coffer_tcb_set_priority(S(SPAWNER_TCB), COFFER_SLOT_TCB, 100), "its priority") &&
           ktest_step(coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, S(SPAWNER_SC), 10000, 10000),
                      "its context") &&
           ktest_step(coffer_tcb_set_sched_context(S(SPAWNER_TCB), S(SPAWNER_SC)), "bound");
}

/* The slow image in the 2 MiB frame: one R|X segment of 1 MiB at the odd
 * offset 0x1001, so that the guarded copy goes byte by byte. */
#define SLOW_IMAGE_BYTES (0x1001 + MIB)

static void write_slow_image(void)
{
    uint8_t *image = (uint8_t *)(uintptr_t)GONE_VA;
    write_elf(image, 64, 0x1001, 0x10001, MIB);
    memset(image + 0x1001, 0x13, MIB); /* addi zero, zero, 0: nops */
}

/* The spawner started on an alias of the 2 MiB frame (which it hands over). */
static bool spawner_started(void)
{
    return ktest_step(coffer_cnode_mint(ROOT, S(ALIAS), D, ROOT, S(GONE_FRAME), D, COFFER_RIGHTS_ALL, 0),
                      "an alias of the frame to hand over") &&
           ktest_step(coffer_thread_start(S(SPAWNER_TCB), coffer_root_ipc_buffer(), spawner, spawner_stack + 2048,
                                          SLOW_IMAGE_BYTES), "start the spawner");
}

/* hello spawned, run and reaped after a case: the manager serves on. */
static void manager_serves_on(void)
{
    uint64_t pid, how = 0, code = 1;
    ktest_check(spawn("hello", PROC_SPAWN_START, ~0ull, S(BANK), S(HANDLE), &pid).error == COFFER_ERR_OK &&
                    wait_for(S(HANDLE), &how, &code).error == COFFER_ERR_OK && how == PROC_ENDED_EXIT && code == 0,
                "proc: the manager serves on: hello after it runs");
    coffer_cnode_delete(ROOT, S(HANDLE), D);
}

/*
 * A thread of mine spawns from an alias of a 2 MiB frame holding an ELF
 * whose one segment is 1 MiB at an odd offset, so that the manager's
 * guarded copy goes byte by byte for millions of instructions.  As soon
 * as the manager has an entry for it (the headers read and planned), I
 * revoke the frame: the alias and the manager's copy of it go, and its
 * mapping.  The manager's next read faults; its rescuer sends the copy
 * out; the spawn ends with PROC_IMAGE_GONE and leaves nothing.
 */
static void image_revoked_while_read(void)
{
    uint64_t h;
    if (!buy(COFFER_OBJ_FRAME, 21, GONE_FRAME, &h) || !map(GONE_FRAME, GONE_VA) || !spawner_made(KIT))
        return;
    write_slow_image();
    struct usage before = usage(S(BANK));
    unsigned in_use = entries_in_use();
    uint64_t recoveries = *pm.recoveries;
    bool made = spawner_started();
    bool revoked = false, seen = false;
    for (unsigned t = 0; made && t < 50000 && !gone_done; t++) {
        if (!revoked && entries_in_use() > in_use) {
            seen = true;
            revoked = coffer_cnode_revoke(ROOT, S(GONE_FRAME), D).error == COFFER_ERR_OK;
        }
        nap_us(100);
    }
    ktest_check(seen && revoked && gone_done && gone_error == COFFER_ERR_PROC_IMAGE_GONE &&
                    *pm.recoveries == recoveries + 1,
                "proc: the image revoked while the manager copied it: the spawn is PROC_IMAGE_GONE (%s), the "
                "manager's fault recovered", gone_done ? coffer_error_name(gone_error) : "no answer");
    ktest_check(entries_in_use() == in_use && same(usage(S(BANK)), before),
                "proc: nothing of that spawn is left: no entry, every byte back in my bank");
    manager_serves_on();
    coffer_cnode_delete(ROOT, S(HANDLE2), D);
    coffer_tcb_suspend(S(SPAWNER_TCB));
    for (unsigned k = SPAWNER_TCB; k <= SPAWNER_IPC; k++)
        coffer_cnode_delete(ROOT, S(k), D); /* the kit's bank keeps them till its end */
}

/* Where the manager's worker (preempted or blocked) stands. */
enum worker_at { IN_IMAGE_COPY, IN_SYSTEM_CALL };

static bool worker_at(enum worker_at where)
{
    if (coffer_tcb_read_registers(pm.worker, COFFER_REG_COUNT).error != COFFER_ERR_OK)
        return false;
    uint64_t pc = buf()->mr[COFFER_REG_PC];
    if (where == IN_IMAGE_COPY)
        return coffer_guarded_fault_pc(pc);
    /* A thread blocked in a call stands past its ecall (the manager's
     * code is in my address space): while it spawns, a call to the bank.
     * With the bank's books unlocked, my destroy takes them first, so the
     * call's worker is still on the loan when the revokes come. */
    return pc % 4 == 0 && *(const volatile uint32_t *)(uintptr_t)(pc - 4) == 0x00000073 && *banks.books_lock == 0;
}

/* How one kill went. */
struct kill_seen {
    bool killed, bank_rescued, clean;
};

/* One spawner made on a fresh bank, started, and killed (its bank
 * destroyed) at the first moment its spawn has an entry and the manager's
 * worker stands where asked. */
static struct kill_seen kill_one_spawner(enum worker_at where)
{
    struct kill_seen k = { 0 };
    uint64_t id;
    struct usage before = usage(S(BANK));
    unsigned in_use = entries_in_use();
    uint64_t rescues = *pm.rescues, bank_rescues = *banks.rescues;
    bool made = bank_create(buf(), S(KIT), 1 * MIB, S(DOOMED), &id).error == COFFER_ERR_OK &&
                spawner_made(DOOMED) && spawner_started();
    for (unsigned t = 0; made && t < 50000 && !k.killed && !gone_done; t++) {
        if (entries_in_use() > in_use && worker_at(where))
            k.killed = bank_destroy(S(DOOMED)).error == COFFER_ERR_OK;
        else
            nap_us(20);
    }
    for (unsigned t = 0; k.killed && t < 2000 && entries_in_use() != in_use; t++)
        nap_us(1000); /* the worker finishes on the lent context */
    k.bank_rescued = *banks.rescues > bank_rescues;
    k.clean = !gone_done && *pm.rescues > rescues && entries_in_use() == in_use && same(usage(S(BANK)), before);
    for (unsigned t = 0; !k.killed && t < 2000 && !gone_done; t++)
        nap_us(1000); /* missed: the spawn ends */
    if (!k.killed) { /* the process made: killed and reaped, the spawner's bank destroyed */
        uint64_t how, code;
        if (gone_error == COFFER_ERR_OK)
            proc_kill(S(HANDLE2)), wait_for(S(HANDLE2), &how, &code);
        bank_destroy(S(DOOMED));
    }
    coffer_cnode_delete(ROOT, S(HANDLE2), D);
    coffer_cnode_delete(ROOT, S(ALIAS), D);
    coffer_cnode_delete(ROOT, S(DOOMED), D);
    for (unsigned slot = SPAWNER_TCB; slot <= SPAWNER_IPC; slot++)
        coffer_cnode_delete(ROOT, S(slot), D); /* emptied by the destroy already */
    return k;
}

/* Kills with the worker standing there, three at least and, in a system
 * call, until one had the bank's worker rescued too (the call may still
 * be on its way to a bank worker).  How many landed, how many left
 * nothing, how many were nested. */
static void kill_spawners(enum worker_at where, unsigned *kills, unsigned *clean, unsigned *nested)
{
    *kills = *clean = *nested = 0;
    for (unsigned tries = 0; tries < 200 && (*kills < 3 || (where == IN_SYSTEM_CALL && *nested == 0)); tries++) {
        struct kill_seen k = kill_one_spawner(where);
        *kills += k.killed;
        *clean += k.killed && k.clean;
        *nested += k.killed && k.bank_rescued;
    }
}

/*
 * The spawner killed mid-spawn: its TCB, context and IPC buffer come from
 * a bank I destroy while the manager works on its spawn.  If the
 * manager's worker stands in its own code (the guarded copy of the image,
 * which stays in the kit), it runs on the dead context and its rescuer
 * lends it one of the manager's.  If it is in a call to the bank server,
 * it has lent the context on (a nested loan): the bank's worker is rescued
 * first, and the manager's worker when the bank's reply comes
 * (docs/threads-ipc.md).  Either way the worker finishes the request and
 * then undoes the process, whose handle no one would get: no entry, every
 * byte back in my bank.
 */
static void spawner_killed_while_spawning(void)
{
    write_slow_image(); /* again: the frame was the last case's */
    unsigned kills, clean, nested;
    kill_spawners(IN_IMAGE_COPY, &kills, &clean, &nested);
    ktest_check(kills >= 3 && clean == kills,
                "proc: the spawner killed while the manager copies its image (%u of %u clean): the manager's worker "
                "rescued, the process it was building undone, no entry left, every byte back in my bank", clean, kills);
    kill_spawners(IN_SYSTEM_CALL, &kills, &clean, &nested);
    ktest_check(kills >= 3 && clean == kills && nested > 0,
                "proc: the spawner killed while the manager buys from the bank (%u of %u clean, %u with the bank's "
                "worker rescued too): the spawn undone, every byte back", clean, kills, nested);
    manager_serves_on();
}

void proc_frame_cases(void)
{
    struct usage prime = usage(banks.prime);
    if (!kit_open())
        return;
    hello_from_frames();
    frame_refusals();
    image_revoked_while_read();
    spawner_killed_while_spawning();
    ktest_check(bank_destroy(S(KIT)).error == COFFER_ERR_OK && same(usage(banks.prime), prime),
                "proc: the kit bank destroyed (frames, tables, the spawner): the prime bank as it was");
}
