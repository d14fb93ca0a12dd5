/*
 * The exec server in QEMU (servers/exec), beside the bank server and the
 * process manager (proc_fixture.c): hello compressed with gzip and with
 * bzip2 is unpacked on a session my bank pays for, comes back byte for
 * byte as an ELF frame, and runs from it (SPAWN_FRAME).  The bomb --
 * hello padded with 64 MiB of zeros, a few hundred bytes of bzip2 more --
 * fails with the session's own bank limit, leaving nothing, and the
 * manager and the server serve on.  Every refusal has a case; closing the
 * session gives every byte back.
 */
#include "ktest.h"
#include <bank/bank.h>
#include <dataspace/dataspace.h>
#include <image/bootimage.h>
#include <proto/bank_client.h>
#include <proto/exec_client.h>
#include <proto/proc_client.h>
#include <session/client.h>
#include <string.h>

#include "proc_fixture.h"

#define ROOT COFFER_SLOT_CNODE
#define D 64
#define MIB (1ull << 20)
#define IMAGE_VA 0x2200000000ull /* a GiB of mine: the images I hand over */
#define ELF_VA 0x2240000000ull   /* and the ELFs I get back, read */

enum { MINE = CASE_SLOTS, CLIENT, SLOTS = CLIENT + 3, LAST = CASE_SLOTS + 24 };

static unsigned next;

static bool slot_of_mine(void *ctx, uint64_t *slot)
{
    (void)ctx;
    if (SLOTS + next >= LAST)
        return false;
    *slot = S(SLOTS + next++);
    return true;
}

static struct dataspace_env env = { .cnode = ROOT, .slot = slot_of_mine };

/* A file of the boot image in a dataspace of mine, attached at IMAGE_VA
 * (the last one's place: it is freed first). */
static bool image_of(const char *name, struct dataspace *ds, struct bootimage_file *f)
{
    if (bootimage_find(pm.server->env.boot_image, pm.server->env.boot_image_size, name, f) != BOOTIMAGE_OK ||
        !ktest_step(dataspace_alloc(&env, f->size, ds), "a dataspace for %s", name) ||
        !ktest_step(dataspace_attach(&env, ds, COFFER_SLOT_VSPACE, IMAGE_VA, true), "attach it"))
        return false;
    memcpy((void *)(uintptr_t)IMAGE_VA, f->data, f->size);
    return true;
}

static struct coffer_result unpack(struct session_client *c, uint64_t image, uint64_t bytes, uint64_t *elf_bytes,
                                   uint64_t *handle, uint64_t *format, uint64_t elf_slot)
{
    return exec_unpack(buf(), c->session, bytes, image, elf_slot, elf_bytes, handle, format);
}

/* hello compressed as `name`: unpacked, the same bytes, and it runs. */
static void hello_from(struct session_client *c, const char *name, uint64_t want_format)
{
    struct dataspace img, elf;
    struct bootimage_file f, hello;
    uint64_t elf_bytes = 0, handle = 0, format = 0, pid = 0, how = 0, code = 9;
    if (!image_of(name, &img, &f) ||
        bootimage_find(pm.server->env.boot_image, pm.server->env.boot_image_size, "hello", &hello) != BOOTIMAGE_OK)
        return;
    uint64_t elf_slot = S(SLOTS + next++);
    struct coffer_result r = unpack(c, img.frame, f.size, &elf_bytes, &handle, &format, elf_slot);
    elf = (struct dataspace){ .frame = elf_slot, .bytes = elf_bytes };
    bool same_bytes = r.error == COFFER_ERR_OK && elf_bytes == hello.size && format == want_format &&
                      dataspace_attach(&env, &elf, COFFER_SLOT_VSPACE, ELF_VA, false).error == COFFER_ERR_OK &&
                      memcmp((const void *)(uintptr_t)ELF_VA, hello.data, hello.size) == 0;
    ktest_check(same_bytes, "exec: %s (%llu bytes) unpacked on my session: hello's %llu bytes, byte for byte (%s)",
                name, (unsigned long long)f.size, (unsigned long long)elf_bytes, coffer_error_name(r.error));
    dataspace_detach(&elf);
    r = spawn_frame(buf(), elf_slot, elf_bytes, PROC_SPAWN_START, S(HANDLE), &pid);
    if (r.error == COFFER_ERR_OK)
        r = wait_for(S(HANDLE), &how, &code);
    ktest_check(r.error == COFFER_ERR_OK && how == PROC_ENDED_EXIT && code == 0,
                "exec: and it runs from the ELF frame (SPAWN_FRAME) and exits 0 (%s)", coffer_error_name(r.error));
    coffer_cnode_delete(ROOT, S(HANDLE), D);
    bank_free(c->bank, handle); /* the ELF frame: its bank's, freed by handle */
    dataspace_free(&env, &img);
}

/* Each refusal: nothing of the request is left in the session's bank. */
static void refusals(struct session_client *c)
{
    struct dataspace img;
    struct bootimage_file f;
    uint64_t elf_bytes, handle, format;
    uint64_t elf_slot = S(SLOTS + next++);
    if (!image_of("hello.gz", &img, &f))
        return;
    struct usage before = usage(c->bank);
    ktest_expect_error(unpack(c, S(EXITS), 100, &elf_bytes, &handle, &format, elf_slot), COFFER_ERR_EXEC_BAD_ARGUMENT,
                       0, 0, "exec: an image that is no frame is BAD_ARGUMENT(0)");
    ktest_expect_error(unpack(c, img.frame, 0, &elf_bytes, &handle, &format, elf_slot), COFFER_ERR_EXEC_BAD_ARGUMENT,
                       1, 0, "exec: 0 bytes is BAD_ARGUMENT(1)");
    ktest_expect_error(unpack(c, img.frame, img.bytes + 1, &elf_bytes, &handle, &format, elf_slot),
                       COFFER_ERR_EXEC_BAD_ARGUMENT, 1, 0, "exec: bytes past the frame's window is BAD_ARGUMENT(1)");
    struct coffer_result r = unpack(c, img.frame, f.size / 2, &elf_bytes, &handle, &format, elf_slot);
    ktest_check(r.error == COFFER_ERR_EXEC_CORRUPT && r.detail0 > 0 && r.detail0 < 31944,
                "exec: half of hello.gz is CORRUPT (truncated) after %llu bytes out (%s)",
                (unsigned long long)r.detail0, coffer_error_name(r.error));
    uint8_t *bytes = (uint8_t *)(uintptr_t)IMAGE_VA;
    for (unsigned i = 2000; i < 2400; i++)
        bytes[i] ^= 0x5a;
    r = unpack(c, img.frame, f.size, &elf_bytes, &handle, &format, elf_slot);
    ktest_check(r.error == COFFER_ERR_EXEC_CORRUPT, "exec: hello.gz with 400 bytes scrambled is CORRUPT (%s)",
                coffer_error_name(r.error));
    memcpy(bytes, "plain text, no compressor's magic", 34);
    ktest_expect_error(unpack(c, img.frame, 34, &elf_bytes, &handle, &format, elf_slot), COFFER_ERR_EXEC_FORMAT, 0, 0,
                       "exec: neither gzip nor bzip2 is FORMAT");
    dataspace_free(&env, &img);
    if (!image_of("notelf.gz", &img, &f))
        return;
    r = unpack(c, img.frame, f.size, &elf_bytes, &handle, &format, elf_slot);
    ktest_check(r.error == COFFER_ERR_EXEC_NOT_ELF, "exec: gzip of text is NOT_ELF (%s, status %lld)",
                coffer_error_name(r.error), (long long)r.detail0);
    ktest_check(same(usage(c->bank), before) && coffer_cnode_identify(ROOT, elf_slot, D).detail0 == COFFER_ID_TYPE_NULL,
                "exec: every refused UNPACK left the session's bank as it was, and sent no frame");
    dataspace_free(&env, &img);
}

/* The bomb: its output doubles until the session's bank says no. */
static void bomb(struct session_client *c)
{
    struct dataspace img;
    struct bootimage_file f;
    uint64_t elf_bytes, handle, format;
    if (!image_of("hello-64m.bz2", &img, &f))
        return;
    struct usage before = usage(c->bank);
    struct coffer_result r = unpack(c, img.frame, f.size, &elf_bytes, &handle, &format, S(SLOTS + next++));
    struct usage after = usage(c->bank);
    ktest_check(r.error == COFFER_ERR_EXEC_BANK && r.detail0 == COFFER_ERR_BANK_LIMIT &&
                    after.objects <= before.objects + 2 * COFFER_PAGE_SIZE && after.count <= before.count + 2,
                "exec: the bomb (%llu bytes of bzip2, 64 MiB of zeros inside) fails with the session's bank limit "
                "(%s): nothing of it is left but the page tables of the session's area, kept for its next requests "
                "(%+lld bytes, %+lld objects)", (unsigned long long)f.size, coffer_error_name(r.detail0),
                (long long)(after.objects - before.objects), (long long)(after.count - before.count));
    dataspace_free(&env, &img);
}

void exec_cases(void)
{
    uint64_t id;
    next = 0;
    if (!ktest_step(bank_create(buf(), banks.prime, 8 * MIB, S(MINE), &id), "a bank of mine for the exec cases"))
        return;
    env.buf = buf();
    env.bank = S(MINE);
    struct usage mine = usage(S(MINE));
    struct session_client c = { .door = exec_svc.opener, .bank = S(CLIENT), .handed = S(CLIENT + 1),
                                .session = S(CLIENT + 2) };
    if (!ktest_step(session_client_open(buf(), &c, S(MINE), 3 * MIB, 0), "an exec session on 3 MiB of my bank"))
        return;
    hello_from(&c, "hello.gz", 1);
    hello_from(&c, "hello.bz2", 2);
    refusals(&c);
    bomb(&c);
    hello_from(&c, "hello.gz", 1);
    ktest_check(session_client_close(buf(), &c).error == COFFER_ERR_OK && *exec_svc.stopped == 0,
                "exec: the session closed; no worker of the server ever stopped");
    for (unsigned k = SLOTS; k < LAST; k++)
        coffer_cnode_delete(ROOT, S(k), D);
    struct usage after = usage(S(MINE));
    ktest_check(after.objects == mine.objects + 4 * COFFER_PAGE_SIZE,
                "exec: the session closed, what my bank still holds is the four page tables my side bought to map "
                "images and ELFs (%llu bytes)", (unsigned long long)(after.objects - mine.objects));
    bank_destroy(S(MINE));
    coffer_cnode_delete(ROOT, S(MINE), D);
}
