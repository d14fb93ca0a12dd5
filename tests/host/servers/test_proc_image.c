/*
 * The process manager's logic on the host (test_proc.c has the rest):
 * SPAWN by name from a boot image the test builds -- a name not there,
 * files that are no ELF, too short, writable and executable -- each
 * refused before the bank is asked; a valid ELF gets as far as VERIFY.
 */
#include <stdlib.h>
#include <string.h>

#include <loader/load_plan.h>
#include <process/layout.h>
#include <proto/proc_server.h>

#include "host_syscalls.h"
#include "image/elf_builder.h"
#include "proc.h"
#include "proc_fixture.h"
#include "tap.h"
#include "test_util.h"

/* A cpio "newc" archive in memory (lib/image/include/image/bootimage.h),
 * copied at the end into a buffer of exactly its size. */
struct archive {
    uint8_t bytes[1u << 15];
    size_t len;
};

static void archive_put(struct archive *a, const void *data, size_t n)
{
    if (a->len + n > sizeof a->bytes) {
        fprintf(stderr, "test_proc: the test archive is too big\n");
        exit(2);
    }
    if (n != 0) /* the trailer has no data: no memcpy from NULL */
        memcpy(a->bytes + a->len, data, n);
    a->len += n;
}

static void archive_pad4(struct archive *a)
{
    static const uint8_t zero[4];
    archive_put(a, zero, (4 - (a->len & 3)) & 3);
}

/* An entry: "070701", 13 fields of 8 hex digits (mode, nlink, filesize
 * and namesize set), the name with its NUL, the data, each padded to 4. */
static void archive_add(struct archive *a, const char *name, const void *data, size_t size)
{
    char header[111];
    const uint32_t fields[13] = { [1] = 0100755, [4] = 1, [6] = (uint32_t)size, [11] = (uint32_t)strlen(name) + 1 };
    int n = snprintf(header, sizeof header, "070701");
    for (unsigned k = 0; k < 13; k++)
        n += snprintf(header + n, sizeof header - (size_t)n, "%08X", (unsigned)fields[k]);
    archive_put(a, header, 110);
    archive_put(a, name, strlen(name) + 1);
    archive_pad4(a);
    archive_put(a, data, size);
    archive_pad4(a);
}

static uint8_t *archive_finish(struct archive *a, size_t *size)
{
    archive_add(a, "TRAILER!!!", NULL, 0);
    uint8_t *out = malloc(a->len);
    if (out == NULL)
        exit(2);
    memcpy(out, a->bytes, a->len);
    *size = a->len;
    return out;
}

/* load_plan_make as the manager calls it, for the status to expect. */
static int plan_status(const void *image, size_t size)
{
    struct load_plan plan;
    return load_plan_make(image, size, PROCESS_STACK_TOP - PROCESS_STACK_BYTES, &plan);
}

/* SPAWN of image `name` by init, with a capability in the bank's place
 * that is no bank. */
static struct coffer_reply spawn_image(const char *name)
{
    struct spawn sp = spawn_default(name);
    return spawn_call(INIT, &sp);
}

static void test_spawn_image(void)
{
    /* Longer than an ELF header, so it is refused for what it is, not its size. */
    static const char junk[] = "this is no ELF file, only some text in the boot image, long enough to "
                               "fill an ELF header and its first program header";
    struct elf_spec good = elf_spec_default(), wx = elf_spec_default();
    wx.ph[1].flags = ELF_SPEC_PF_R | ELF_SPEC_PF_W | ELF_SPEC_PF_X;
    uint8_t *good_elf = elf_spec_alloc(&good), *wx_elf = elf_spec_alloc(&wx);
    struct archive *a = calloc(1, sizeof *a);
    if (a == NULL)
        exit(2);
    archive_add(a, "junk", junk, sizeof junk);
    archive_add(a, "wx.elf", wx_elf, wx.size);
    archive_add(a, "short.elf", good_elf, 40); /* cut inside the ELF header */
    archive_add(a, "prog.elf", good_elf, good.size);
    size_t size;
    uint8_t *image = archive_finish(a, &size);

    setup(NULL, 0);
    tap_ok(refused(spawn_image("prog.elf"), COFFER_ERR_PROC_NO_IMAGE, 0, 0),
           "SPAWN with no boot image at all: PROC_NO_IMAGE");
    setup(image, size);
    tap_ok(refused(spawn_image("missing.elf"), COFFER_ERR_PROC_NO_IMAGE, 0, 0),
           "SPAWN of a name not in the archive: PROC_NO_IMAGE");
    tap_ok(refused(spawn_image("prog"), COFFER_ERR_PROC_NO_IMAGE, 0, 0) &&
               refused(spawn_image("prog.elf.x"), COFFER_ERR_PROC_NO_IMAGE, 0, 0),
           "SPAWN of a prefix of a name, of a name with more: PROC_NO_IMAGE (exact names only)");
    int status = plan_status(junk, sizeof junk);
    tap_okf(status < 0 && refused(spawn_image("junk"), COFFER_ERR_PROC_BAD_IMAGE, (uint64_t)(int64_t)status, 0),
            "SPAWN of a file that is no ELF: PROC_BAD_IMAGE(%d), load_plan_make's status", status);
    status = plan_status(good_elf, 40);
    tap_okf(status < 0 && refused(spawn_image("short.elf"), COFFER_ERR_PROC_BAD_IMAGE, (uint64_t)(int64_t)status, 0),
            "SPAWN of an ELF cut at 40 bytes: PROC_BAD_IMAGE(%d)", status);
    tap_ok(refused(spawn_image("wx.elf"), COFFER_ERR_PROC_BAD_IMAGE, (uint64_t)(int64_t)LOAD_ERR_WX, 0),
           "SPAWN of an ELF with a writable, executable segment: PROC_BAD_IMAGE(LOAD_ERR_WX)");

    /* A valid image gets as far as the bank's VERIFY, an IPC call, which
     * fails on the host: the capability is then no bank. */
    tap_ok(plan_status(good_elf, good.size) == LOAD_OK, "(the builder's default ELF is one the loader accepts)");
    struct coffer_reply rp = spawn_image("prog.elf");
    tap_ok(reply_is(rp, COFFER_ERR_PROC_NOT_BANK, 0, 0) && unchanged() && host_syscalls_made == syscalls_before + 1 &&
               ipc.caps[0] == CAP_BANK,
           "SPAWN of a valid ELF with no bank server to VERIFY the bank: PROC_NOT_BANK after one call, the bank "
           "capability's, nothing taken");
    free(image);
    free(a);
    free(good_elf);
    free(wx_elf);
}

int main(void)
{
    test_spawn_image();
    return tap_done();
}
