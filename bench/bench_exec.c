/*
 * The exec server (issue 15; docs/servers.md): UNPACK of hello from gzip
 * and from bzip2 on a session -- the whole request: the image read a page
 * at a time with guarded copies, the arena and output bought from the
 * session's bank and mapped, the ELF checked and handed over -- against
 * the same library (lib/unpack over Debian's zlib and libbz2) called
 * directly in the benchmark root task, on a static arena and buffer.  The
 * difference is what the server's way costs: the goal is 10% at most.
 */
#include "bench.h"
#include "fixture.h"
#include <bank/bank.h>
#include <dataspace/dataspace.h>
#include <image/bootimage.h>
#include <proto/bank_client.h>
#include <proto/exec_client.h>
#include <session/client.h>
#include <stdio.h>
#include <string.h>
#include <unpack/unpack.h>

#include "bank_service.h"
#include "services.h"
#include "exec_service.h"

#define ROOT COFFER_SLOT_CNODE
#define W COFFER_RETYPE_AT_WATERMARK
#define RUNS 21
#define IMAGE_VA 0x2200000000ull

static uint64_t samples_a[RUNS], samples_b[RUNS];
static struct bank_service banks;
static struct session_service exec;
static uint64_t slot0;
static uint8_t arena[1u << 20] __attribute__((aligned(16))), out[64u << 10];

enum { RAM, BANK_WORK, EXEC_WORK, BANK, ELF, FIRST_SERVICE_SLOT = 8, CLIENT = 32, DS = 36, DS_LAST = 44 };

static uint64_t S(unsigned i)
{
    return slot0 + i;
}

static struct coffer_ipc_buffer *buf(void)
{
    return coffer_root_ipc_buffer();
}

static unsigned next_ds;

static bool ds_slot(void *ctx, uint64_t *slot)
{
    (void)ctx;
    if (DS + next_ds >= DS_LAST)
        return false;
    *slot = S(DS + next_ds++);
    return true;
}

static bool start(uint64_t parent)
{
    struct exec_service_config ecfg = { .work_untyped = S(EXEC_WORK),
                                        .first_slot = S(FIRST_SERVICE_SLOT + BANK_SERVICE_SLOTS),
                                        .own_va = 0x1000000000ull, .priority = 180 };
    uint64_t id;
    bool ok = bench_bank_service(parent, 23, S(RAM), S(BANK_WORK), S(FIRST_SERVICE_SLOT), &banks) &&
              bench_step(coffer_untyped_retype(parent, COFFER_OBJ_UNTYPED, 19, ROOT, 0, S(EXEC_WORK), 1, W),
                         "the exec server's");
    ecfg.bank = banks.prime;
    return ok && bench_step(exec_service_start(&ecfg, &exec), "start the exec server") &&
           bench_step(bank_create(buf(), banks.prime, 6u << 20, S(BANK), &id), "a bank for sessions");
}

/* The library called directly: the whole stream into out. */
static uint64_t direct(const struct bootimage_file *f)
{
    struct unpack u;
    size_t used = 0, made = 0;
    enum unpack_format fmt = unpack_format(f->data, f->size);
    uint64_t t0 = coffer_rdcycle();
    int st = unpack_begin(&u, fmt, arena, sizeof arena);
    if (st == UNPACK_MORE)
        st = unpack_step(&u, f->data, f->size, &used, out, sizeof out, &made);
    unpack_end(&u);
    uint64_t t1 = coffer_rdcycle();
    return st == UNPACK_DONE ? t1 - t0 : 0;
}

static void compare(struct session_client *c, const struct dataspace_env *env, const char *name)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    struct bootimage_file f;
    struct dataspace img;
    if (bootimage_find((const void *)(uintptr_t)bi->bootimage_vaddr, bi->bootimage_size, name, &f) != BOOTIMAGE_OK ||
        !bench_step(dataspace_alloc(env, f.size, &img), "the image's dataspace") ||
        !bench_step(dataspace_attach(env, &img, COFFER_SLOT_VSPACE, IMAGE_VA, true), "attached"))
        return;
    memcpy((void *)(uintptr_t)IMAGE_VA, f.data, f.size);
    unsigned n = 0, d = 0;
    uint64_t wall = 0, charged = 0;
    for (unsigned i = 0; i < RUNS; i++) {
        uint64_t elf_bytes = 0, handle = 0, format = 0;
        uint64_t c0 = coffer_sched_context_consumed(COFFER_SLOT_SCHED_CONTEXT).detail1, w0 = coffer_time_now();
        uint64_t t0 = coffer_rdcycle();
        struct coffer_result r = exec_unpack(buf(), c->session, f.size, img.frame, S(ELF), &elf_bytes, &handle, &format);
        uint64_t t1 = coffer_rdcycle();
        wall += coffer_time_now() - w0;
        charged += coffer_sched_context_consumed(COFFER_SLOT_SCHED_CONTEXT).detail1 - c0;
        if (r.error != COFFER_ERR_OK)
            break;
        bank_free(c->bank, handle);
        coffer_cnode_delete(ROOT, S(ELF), BF_D);
        samples_a[n++] = t1 - t0;
        uint64_t t = direct(&f);
        if (t != 0)
            samples_b[d++] = t;
    }
    char what[112];
    snprintf(what, sizeof what, "exec: UNPACK of %s (hello, 31,944 bytes), the whole request", name);
    struct bench_stats server = bench_report(what, samples_a, n, 0);
    snprintf(what, sizeof what, "exec: the same stream through lib/unpack called directly");
    struct bench_stats lib = bench_report(what, samples_b, d, 0);
    if (lib.median != 0)
        printf("bench: exec: %s through the server costs %+.1f%% over the library alone\n", name,
               100.0 * ((double)server.median - (double)lib.median) / (double)lib.median);
    if (wall != 0)
        printf("bench: exec: %s: the client's context was charged %.1f%% of the time its UNPACKs took "
               "(%llu of %llu ticks)\n", name, 100.0 * (double)charged / (double)wall, (unsigned long long)charged,
               (unsigned long long)wall);
    dataspace_free(env, &img);
}

void bench_exec(uint64_t calibration)
{
    (void)calibration;
    uint64_t parent_free, parent = bench_services_begin(&parent_free);
    slot0 = coffer_bootinfo()->empty.start + 3600;
    if (!start(parent))
        return;
    struct dataspace_env env = { .buf = buf(), .bank = S(BANK), .cnode = ROOT, .slot = ds_slot };
    struct session_client c = { .door = exec.opener, .bank = S(CLIENT), .handed = S(CLIENT + 1),
                                .session = S(CLIENT + 2) };
    next_ds = 0;
    if (bench_step(session_client_open(buf(), &c, S(BANK), 3u << 20, 0), "an exec session")) {
        compare(&c, &env, "hello.gz");
        compare(&c, &env, "hello.bz2");
        session_client_close(buf(), &c);
    }
    const coffer_cptr_t threads[] = { exec.door, exec.rescuer, banks.tcb };
    bench_services_end(parent, parent_free, threads, 3, "exec");
}
