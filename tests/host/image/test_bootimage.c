/*
 * Host tests for lib/image/bootimage.c, the cpio "newc" reader.
 *
 *   test_bootimage [ARCHIVE FILE[=NAME] ...]
 *
 * Without arguments the archives are built in memory by a small newc
 * writer below.  With arguments, ARCHIVE must have been written by
 * `mkbootimage ARCHIVE FILE[=NAME] ...` with the same file list; the test
 * then checks the tool's output end to end.
 *
 * Every archive handed to the parser is a malloc'd buffer of exactly the
 * archive's size, so ASan catches any read past the end.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <image/bootimage.h>
#include "tap.h"
#include "test_util.h"

#define HDR 110

/* ---- in-test newc writer ------------------------------------------------ */

struct buf {
    uint8_t *p;
    size_t len;
    size_t cap;
};

static void buf_put(struct buf *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL) {
            perror("realloc");
            exit(2);
        }
    }
    if (n != 0)
        memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void buf_pad4(struct buf *b)
{
    static const uint8_t zero[4];

    buf_put(b, zero, (4 - (b->len & 3)) & 3);
}

static void put_hex8(uint8_t *p, uint32_t v)
{
    static const char digits[] = "0123456789ABCDEF";

    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)digits[v & 0xf];
        v >>= 4;
    }
}

/* Field k (0 = ino ... 12 = check) of the header at off. */
static void set_field(uint8_t *archive, size_t off, int k, uint32_t v)
{
    put_hex8(archive + off + 6 + 8 * (size_t)k, v);
}

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
       F_NAMESIZE = 11, F_CHECK };

static void newc_entry(struct buf *b, uint32_t ino, uint32_t mode,
                       const char *name, const void *data, size_t size)
{
    uint8_t hdr[HDR];

    memcpy(hdr, "070701", 6);
    for (int k = 0; k < 13; k++)
        put_hex8(hdr + 6 + 8 * k, 0);
    put_hex8(hdr + 6 + 8 * F_INO, ino);
    put_hex8(hdr + 6 + 8 * F_MODE, mode);
    put_hex8(hdr + 6 + 8 * F_NLINK, 1);
    put_hex8(hdr + 6 + 8 * F_FILESIZE, (uint32_t)size);
    put_hex8(hdr + 6 + 8 * F_NAMESIZE, (uint32_t)strlen(name) + 1);
    buf_put(b, hdr, HDR);
    buf_put(b, name, strlen(name) + 1);
    buf_pad4(b);
    buf_put(b, data, size);
    buf_pad4(b);
}

/* ---- the standard three-file archive ------------------------------------ */

struct tfile {
    const char *name;
    const char *data;
    size_t size;
    uint32_t mode;
};

/*
 * Name lengths give name padding 1, 2, 0 (and 3 for the trailer); data
 * sizes give data padding 3, 2, 0.
 */
static const struct tfile files[3] = {
    { "init", "hello, root task\n", 17, 0100755 },
    { "bin/sh1", "abcdef", 6, 0100644 },
    { "empty.txt", "", 0, 0100644 },
};

/* Offsets of the entries and the trailer in the archive built below. */
static size_t entry_off[4];

/* Build files[] (+ trailer if with_trailer) into an exact-size buffer. */
static uint8_t *make_archive(size_t *size, int with_trailer)
{
    struct buf b = { 0 };
    uint8_t *out;

    for (int i = 0; i < 3; i++) {
        entry_off[i] = b.len;
        newc_entry(&b, (uint32_t)i + 1, files[i].mode, files[i].name,
                   files[i].data, files[i].size);
    }
    entry_off[3] = b.len;
    if (with_trailer)
        newc_entry(&b, 0, 0, "TRAILER!!!", NULL, 0);
    *size = b.len;
    out = malloc(b.len ? b.len : 1);
    if (out == NULL)
        exit(2);
    memcpy(out, b.p, b.len);
    free(b.p);
    return out;
}

/* An exact-size copy of the first len bytes, so ASan sees overreads. */
static uint8_t *dup_prefix(const uint8_t *src, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);

    if (p == NULL)
        exit(2);
    memcpy(p, src, len);
    return p;
}

static int file_matches(const struct bootimage_file *f, const struct tfile *t)
{
    return f->name_len == strlen(t->name) &&
           strcmp(f->name, t->name) == 0 && f->size == t->size &&
           (t->size == 0 || memcmp(f->data, t->data, t->size) == 0) &&
           f->mode == t->mode;
}

/* Error code from walking the whole archive (END on success). */
static int walk(const uint8_t *a, size_t size, int *count)
{
    struct bootimage_file f;
    size_t cursor = 0;
    int err;

    *count = 0;
    while ((err = bootimage_next(a, size, &cursor, &f)) == BOOTIMAGE_OK)
        (*count)++;
    return err;
}

/* ---- tests --------------------------------------------------------------- */

static void test_iterate(void)
{
    size_t size, cursor = 0;
    uint8_t *a = make_archive(&size, 1);
    struct bootimage_file f;
    int ok = 1;

    for (int i = 0; i < 3; i++) {
        int err = bootimage_next(a, size, &cursor, &f);
        ok &= err == 0 && file_matches(&f, &files[i]);
        ok &= f.name[f.name_len] == '\0';
        ok &= ((const uint8_t *)f.data - a) % 4 == 0;
        ok &= cursor == entry_off[i + 1];
    }
    tap_ok(ok, "iterate: three files with right names, data, modes, offsets");
    tap_ok(bootimage_next(a, size, &cursor, &f) == BOOTIMAGE_END &&
               strcmp(f.name, "TRAILER!!!") == 0 && f.data == NULL &&
               cursor == entry_off[3],
           "iterate: trailer gives BOOTIMAGE_END, cursor stays");
    tap_ok(bootimage_next(a, size, &cursor, &f) == BOOTIMAGE_END,
           "iterate: END again after END");
    tap_ok(size % 4 == 0, "in-test archive is a multiple of 4 bytes");
    free(a);
}

static void test_find(void)
{
    size_t size;
    uint8_t *a = make_archive(&size, 1);
    struct bootimage_file f;
    int ok = 1;

    for (int i = 0; i < 3; i++)
        ok &= bootimage_find(a, size, files[i].name, &f) == 0 &&
              file_matches(&f, &files[i]);
    tap_ok(ok, "find: each of the three files");
    tap_ok(bootimage_find(a, size, "missing", &f) == BOOTIMAGE_ERR_NOTFOUND,
           "find: missing name is NOTFOUND");
    tap_ok(bootimage_find(a, size, "ini", &f) == BOOTIMAGE_ERR_NOTFOUND &&
               bootimage_find(a, size, "init2", &f) == BOOTIMAGE_ERR_NOTFOUND &&
               bootimage_find(a, size, "", &f) == BOOTIMAGE_ERR_NOTFOUND,
           "find: prefix, extension and empty name do not match");
    tap_ok(bootimage_find(a, size, "TRAILER!!!", &f) == BOOTIMAGE_ERR_NOTFOUND,
           "find: the trailer is not a file");
    free(a);
}

static void test_trailer_only(void)
{
    struct buf b = { 0 };
    struct bootimage_file f;
    size_t cursor = 0;
    uint8_t *a;

    newc_entry(&b, 0, 0, "TRAILER!!!", NULL, 0);
    a = dup_prefix(b.p, b.len);
    tap_ok(bootimage_next(a, b.len, &cursor, &f) == BOOTIMAGE_END &&
               cursor == 0,
           "empty archive: END at once");
    tap_ok(bootimage_find(a, b.len, "init", &f) == BOOTIMAGE_ERR_NOTFOUND,
           "empty archive: find is NOTFOUND");
    /* The trailer's padding is not required, only its name. */
    tap_ok(bootimage_next(a, HDR + 11, &cursor, &f) == BOOTIMAGE_END,
           "trailer without final padding still ends the archive");
    free(a);
    free(b.p);
}

static void test_bad_magic(void)
{
    size_t size, cursor = 0;
    uint8_t *a = make_archive(&size, 1);
    struct bootimage_file f;
    int err;

    a[0] = 'X';
    tap_ok(bootimage_next(a, size, &cursor, &f) == BOOTIMAGE_ERR_BADMAGIC &&
               cursor == 0,
           "bad magic: first entry");
    tap_ok(bootimage_find(a, size, "init", &f) == BOOTIMAGE_ERR_BADMAGIC,
           "bad magic: find reports it");
    a[0] = '0';
    a[5] = '2'; /* "070702" is the CRC variant, not produced by our tool */
    tap_ok(bootimage_next(a, size, &cursor, &f) == BOOTIMAGE_ERR_BADMAGIC,
           "bad magic: 070702 (crc format) rejected");
    a[5] = '1';
    a[entry_off[1] + 3] = '8';
    cursor = 0;
    err = bootimage_next(a, size, &cursor, &f);
    tap_ok(err == 0 &&
               bootimage_next(a, size, &cursor, &f) == BOOTIMAGE_ERR_BADMAGIC,
           "bad magic: second entry after a good first one");
    free(a);
}

static void test_truncated(void)
{
    size_t size, cursor = 0;
    uint8_t *a = make_archive(&size, 1);
    struct bootimage_file f;
    uint8_t *t;

    t = dup_prefix(a, 50);
    tap_ok(bootimage_next(t, 50, &cursor, &f) == BOOTIMAGE_ERR_TRUNCATED,
           "truncated header");
    free(t);
    tap_ok(bootimage_next(a, 0, &cursor, &f) == BOOTIMAGE_ERR_TRUNCATED,
           "zero-length archive");

    /* Cut inside the first file's data. */
    t = dup_prefix(a, entry_off[0] + HDR + 8 + 10);
    cursor = 0;
    tap_ok(bootimage_next(t, entry_off[0] + HDR + 8 + 10, &cursor, &f) ==
               BOOTIMAGE_ERR_TRUNCATED,
           "truncated data");
    free(t);

    /* Cut inside the first file's name. */
    t = dup_prefix(a, HDR + 2);
    cursor = 0;
    tap_ok(bootimage_next(t, HDR + 2, &cursor, &f) == BOOTIMAGE_ERR_TRUNCATED,
           "truncated name");
    free(t);

    cursor = size + 4;
    tap_ok(bootimage_next(a, size, &cursor, &f) == BOOTIMAGE_ERR_TRUNCATED,
           "cursor past the end is TRUNCATED");
    free(a);
}

static void test_no_trailer(void)
{
    size_t size;
    uint8_t *a = make_archive(&size, 0);
    struct bootimage_file f;
    int count, err;

    err = walk(a, size, &count);
    tap_ok(err == BOOTIMAGE_ERR_TRUNCATED && count == 3,
           "no trailer: three files then TRUNCATED");
    tap_ok(bootimage_find(a, size, "nope", &f) == BOOTIMAGE_ERR_TRUNCATED,
           "no trailer: find of a missing name is TRUNCATED, not a hang");
    tap_ok(bootimage_find(a, size, "empty.txt", &f) == 0,
           "no trailer: files before the end are still found");
    free(a);

    /* Last file's padding also missing: its data ends unaligned. */
    {
        struct buf b = { 0 };
        uint8_t *t;

        newc_entry(&b, 1, 0100644, "x", "abcde", 5);
        t = dup_prefix(b.p, b.len - 3);
        err = walk(t, b.len - 3, &count);
        tap_ok(err == BOOTIMAGE_ERR_TRUNCATED && count == 1,
               "no trailer, no final padding: TRUNCATED after the file");
        free(t);
        free(b.p);
    }
}

static void test_bad_header(void)
{
    size_t size, cursor = 0;
    uint8_t *a = make_archive(&size, 1);
    struct bootimage_file f;
    uint8_t save;

    save = a[6 + 8 * F_FILESIZE + 3];
    a[6 + 8 * F_FILESIZE + 3] = 'g';
    tap_ok(bootimage_next(a, size, &cursor, &f) == BOOTIMAGE_ERR_BADHEADER,
           "non-hex digit in filesize");
    a[6 + 8 * F_FILESIZE + 3] = save;

    save = a[6 + 8 * F_NAMESIZE];
    a[6 + 8 * F_NAMESIZE] = ' ';
    tap_ok(bootimage_next(a, size, &cursor, &f) == BOOTIMAGE_ERR_BADHEADER,
           "space in namesize (strtoul would accept it)");
    a[6 + 8 * F_NAMESIZE] = save;

    save = a[6 + 8 * F_CHECK + 7];
    a[6 + 8 * F_CHECK + 7] = 'x';
    tap_ok(bootimage_next(a, size, &cursor, &f) == BOOTIMAGE_ERR_BADHEADER,
           "non-hex digit in an unused field (check)");
    a[6 + 8 * F_CHECK + 7] = save;

    /* Lower-case hex is valid newc. */
    memcpy(a + 6 + 8 * F_MODE, "000081ed", 8);
    tap_ok(bootimage_next(a, size, &cursor, &f) == 0 && f.mode == 0100755,
           "lower-case hex digits accepted");
    free(a);
}

static void test_bad_name(void)
{
    size_t size, cursor = 0;
    uint8_t *a = make_archive(&size, 1);
    struct bootimage_file f;

    a[HDR + 4] = 'x'; /* "init\0" -> "initx" */
    tap_ok(bootimage_next(a, size, &cursor, &f) == BOOTIMAGE_ERR_BADNAME,
           "name without NUL");
    a[HDR + 4] = '\0';

    a[HDR + 1] = '\0'; /* "i\0it\0" */
    tap_ok(bootimage_next(a, size, &cursor, &f) == BOOTIMAGE_ERR_BADNAME,
           "name with embedded NUL");
    a[HDR + 1] = 'n';

    set_field(a, 0, F_NAMESIZE, 0);
    tap_ok(bootimage_next(a, size, &cursor, &f) == BOOTIMAGE_ERR_BADNAME,
           "name size 0");

    set_field(a, 0, F_NAMESIZE, 0xffffffffu);
    tap_ok(bootimage_next(a, size, &cursor, &f) == BOOTIMAGE_ERR_TRUNCATED,
           "name size past the end");
    tap_ok(cursor == 0, "cursor unchanged after errors");
    free(a);
}

static void test_bad_size(void)
{
    size_t size, cursor = 0;
    uint8_t *a = make_archive(&size, 1);
    struct bootimage_file f;
    /* Data of the empty last file: header + 10-byte name, no padding. */
    size_t data_off = entry_off[2] + HDR + 10;

    set_field(a, 0, F_FILESIZE, 0xffffffffu);
    tap_ok(bootimage_next(a, size, &cursor, &f) == BOOTIMAGE_ERR_TRUNCATED,
           "file size 0xffffffff past the end");

    set_field(a, 0, F_FILESIZE, files[0].size);
    set_field(a, entry_off[2], F_FILESIZE, (uint32_t)(size - data_off + 1));
    cursor = entry_off[2];
    tap_ok(bootimage_next(a, size, &cursor, &f) == BOOTIMAGE_ERR_TRUNCATED,
           "file size one byte past the end");

    set_field(a, entry_off[2], F_FILESIZE, (uint32_t)(size - data_off));
    cursor = entry_off[2];
    tap_ok(bootimage_next(a, size, &cursor, &f) == 0 && cursor == size &&
               bootimage_next(a, size, &cursor, &f) ==
                   BOOTIMAGE_ERR_TRUNCATED,
           "file swallowing the trailer: ends with TRUNCATED");
    free(a);
}

static void test_args(void)
{
    size_t size, cursor = 2;
    uint8_t *a = make_archive(&size, 1);
    struct bootimage_file f;

    tap_ok(bootimage_next(a, size, &cursor, &f) == BOOTIMAGE_ERR_INVAL,
           "misaligned cursor is INVAL");
    cursor = 0;
    tap_ok(bootimage_next(NULL, size, &cursor, &f) == BOOTIMAGE_ERR_INVAL &&
               bootimage_next(a, size, NULL, &f) == BOOTIMAGE_ERR_INVAL &&
               bootimage_next(a, size, &cursor, NULL) == BOOTIMAGE_ERR_INVAL &&
               bootimage_find(a, size, NULL, &f) == BOOTIMAGE_ERR_INVAL &&
               bootimage_find(NULL, size, "init", &f) == BOOTIMAGE_ERR_INVAL,
           "NULL arguments are INVAL");
    {
        int ok = 1;
        for (int e = BOOTIMAGE_OK; e >= BOOTIMAGE_ERR_NOTFOUND; e--)
            ok &= strcmp(bootimage_strerror(e), "unknown error") != 0;
        ok &= strcmp(bootimage_strerror(-100), "unknown error") == 0;
        tap_ok(ok, "bootimage_strerror covers every code");
    }
    free(a);
}

/* ---- fuzzing ------------------------------------------------------------- */

/* 32 random bits. */
static uint32_t rng(void)
{
    return (uint32_t)(test_rng() >> 32);
}

/*
 * Walk an arbitrary buffer; check every returned entry lies inside it and
 * that the walk ends within the step bound implied by the 112-byte minimum
 * entry.  Returns 1 if all invariants held.
 */
static int walk_checked(const uint8_t *a, size_t size, int *err_out)
{
    struct bootimage_file f;
    size_t cursor = 0;
    size_t max_steps = size / 112 + 2;

    for (size_t step = 0; step < max_steps; step++) {
        size_t prev = cursor;
        int err = bootimage_next(a, size, &cursor, &f);
        if (err != 0) {
            *err_out = err;
            return cursor == prev;
        }
        if (cursor <= prev || cursor > size ||
            (cursor % 4 != 0 && cursor != size))
            return 0;
        if ((const uint8_t *)f.name < a ||
            (const uint8_t *)f.name + f.name_len >= a + size ||
            f.name[f.name_len] != '\0' || strlen(f.name) != f.name_len)
            return 0;
        if ((const uint8_t *)f.data < a ||
            f.size > (size_t)(a + size - (const uint8_t *)f.data))
            return 0;
    }
    return 0; /* did not terminate in time */
}

static void test_fuzz_truncation(void)
{
    size_t size;
    uint8_t *a = make_archive(&size, 1);
    size_t trailer_end = entry_off[3] + HDR + 11;
    int ok = 1;

    for (size_t len = 0; len <= size; len++) {
        uint8_t *t = dup_prefix(a, len);
        int err = 0;
        ok &= walk_checked(t, len, &err);
        /* Only a prefix that still holds the trailer's name is complete. */
        if (len < trailer_end)
            ok &= err == BOOTIMAGE_ERR_TRUNCATED;
        else
            ok &= err == BOOTIMAGE_END;
        if (!ok) {
            tap_diag("truncation at %zu: err %d", len, err);
            free(t);
            break;
        }
        free(t);
    }
    tap_ok(ok, "fuzz: every truncation length is TRUNCATED or END, no crash");
    free(a);
}

static void test_fuzz_flips(void)
{
    static const char interesting[] = "0123456789abcdefABCDEF\0\xff 7!";
    size_t size;
    uint8_t *a = make_archive(&size, 1);
    int ok = 1, ended = 0, errors = 0;

    for (int iter = 0; iter < 20000 && ok; iter++) {
        uint8_t *t = dup_prefix(a, size);
        int nflips = 1 + (int)(rng() % 6);
        struct bootimage_file f;
        int err = 0;

        for (int k = 0; k < nflips; k++) {
            size_t pos = rng() % size;
            /* Mostly hex digits, so headers often stay parseable. */
            if (rng() % 4)
                t[pos] = (uint8_t)interesting[rng() % (sizeof(interesting) - 1)];
            else
                t[pos] = (uint8_t)rng();
        }
        ok &= walk_checked(t, size, &err);
        (void)bootimage_find(t, size, "empty.txt", &f);
        if (err == BOOTIMAGE_END)
            ended++;
        else
            errors++;
        if (!ok)
            tap_diag("flip iteration %d failed", iter);
        free(t);
    }
    tap_diag("flips: %d walks ended cleanly, %d with an error", ended, errors);
    tap_ok(ok && ended > 0 && errors > 0,
           "fuzz: 20000 random byte-flip archives, invariants hold");
    free(a);
}

/* ---- end to end against mkbootimage -------------------------------------- */


static void test_tool(int argc, char **argv)
{
    size_t size;
    uint8_t *a;
    int count, err, ok = 1;

    if (argc < 2) {
        printf("ok %d - mkbootimage end to end # SKIP no archive given\n",
               ++tap_count);
        return;
    }
    a = test_load_file(argv[1], &size);
    if (!tap_ok(a != NULL, "tool: archive readable")) {
        tap_diag("cannot read %s", argv[1]);
        return;
    }
    err = walk(a, size, &count);
    tap_ok(err == BOOTIMAGE_END && count == argc - 2,
           "tool: archive walks to the trailer with one entry per file");

    for (int i = 2; i < argc; i++) {
        char *path = strdup(argv[i]);
        char *eq = strrchr(path, '=');
        const char *name, *slash;
        struct bootimage_file f;
        struct stat st;
        size_t fsize = 0;
        uint8_t *want;

        if (eq != NULL) {
            *eq = '\0';
            name = eq + 1;
        } else {
            slash = strrchr(path, '/');
            name = slash ? slash + 1 : path;
        }
        want = test_load_file(path, &fsize);
        if (want == NULL || stat(path, &st) != 0 ||
            bootimage_find(a, size, name, &f) != 0 || f.size != fsize ||
            memcmp(f.data, want, fsize) != 0 ||
            f.mode != ((st.st_mode & 0111) ? 0100755u : 0100644u)) {
            tap_diag("tool: %s (as %s) missing or different", path, name);
            ok = 0;
        }
        free(want);
        free(path);
    }
    tap_ok(ok, "tool: every file found with the right content and mode");
    /* Reproducibility: mtime/uid/gid 0 and inode numbers 1, 2, ... */
    {
        size_t cursor = 0;
        uint32_t ino = 1;
        struct bootimage_file f;
        int hdr_ok = 1;

        while (bootimage_next(a, size, &cursor, &f) == 0) {
            const uint8_t *h = (const uint8_t *)f.name - HDR;
            char want[9];
            snprintf(want, sizeof(want), "%08X", (unsigned)ino++);
            hdr_ok &= memcmp(h + 6, want, 8) == 0;
            hdr_ok &= memcmp(h + 6 + 8 * F_UID, "0000000000000000", 16) == 0;
            hdr_ok &= memcmp(h + 6 + 8 * F_MTIME, "00000000", 8) == 0;
        }
        tap_ok(hdr_ok, "tool: ino counts from 1, uid/gid/mtime are 0");
    }
    free(a);
}

int main(int argc, char **argv)
{
    test_iterate();
    test_find();
    test_trailer_only();
    test_bad_magic();
    test_truncated();
    test_no_trailer();
    test_bad_header();
    test_bad_name();
    test_bad_size();
    test_args();
    test_fuzz_truncation();
    test_fuzz_flips();
    test_tool(argc, argv);
    return tap_done();
}
