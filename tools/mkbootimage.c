/*
 * mkbootimage: pack files into the Coffer boot image.
 *
 *   mkbootimage OUT.cpio FILE[=NAME] ...
 *
 * Writes a cpio "newc" archive (see lib/image/include/image/bootimage.h) holding each
 * FILE under NAME, or under the basename of FILE when no NAME is given.
 * The argument is split at its last '=', so NAME cannot contain '=' and a
 * FILE whose path contains '=' must be given with an explicit =NAME.
 *
 * The output is reproducible: mtime, uid and gid are 0, inode numbers count
 * from 1 in argument order, and the mode is 0100755 if the file has any
 * execute bit, else 0100644.  On any error the partial output is removed
 * (if it is a regular file) and the exit status is 1 (2 for a usage
 * error).
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NEWC_HDR_SIZE 110
#define TRAILER_NAME "TRAILER!!!"
#define MAX_NAME 4096

static const char *out_path;
static FILE *out_file;
/* Only a regular file we are writing is deleted on error, never a device. */
static int out_is_regular;

/* Print an error, delete the half-written archive and exit. */
static void die(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "mkbootimage: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (out_file != NULL) {
        fclose(out_file);
        if (out_is_regular)
            remove(out_path);
    }
    exit(1);
}

static void write_bytes(const void *buf, size_t n)
{
    if (n != 0 && fwrite(buf, 1, n, out_file) != n)
        die("%s: write error: %s", out_path, strerror(errno));
}

/* Entries start 4-byte aligned, so padding depends only on the length. */
static void write_pad(uint64_t len)
{
    static const char zero[4];

    write_bytes(zero, (4 - (len & 3)) & 3);
}

/* One newc header; fields are 8 upper-case hex digits. */
static void write_header(uint32_t ino, uint32_t mode, uint32_t filesize,
                         uint32_t namesize)
{
    char hdr[NEWC_HDR_SIZE + 1];
    int n;

    n = snprintf(hdr, sizeof(hdr),
                 "070701"
                 "%08" PRIX32 "%08" PRIX32 "%08" PRIX32 "%08" PRIX32
                 "%08" PRIX32 "%08" PRIX32 "%08" PRIX32 "%08" PRIX32
                 "%08" PRIX32 "%08" PRIX32 "%08" PRIX32 "%08" PRIX32
                 "%08" PRIX32,
                 ino, mode, (uint32_t)0, (uint32_t)0, /* ino mode uid gid */
                 (uint32_t)1, (uint32_t)0,           /* nlink mtime */
                 filesize, (uint32_t)0, (uint32_t)0, /* size devmajor devminor */
                 (uint32_t)0, (uint32_t)0,           /* rdevmajor rdevminor */
                 namesize, (uint32_t)0);             /* namesize check */
    if (n != NEWC_HDR_SIZE)
        die("internal error: header length %d", n);
    write_bytes(hdr, NEWC_HDR_SIZE);
}

/* Header, name and padding; header+name is padded to 4 bytes. */
static void write_entry_head(uint32_t ino, uint32_t mode, uint32_t filesize,
                             const char *name)
{
    size_t namesize = strlen(name) + 1;

    write_header(ino, mode, filesize, (uint32_t)namesize);
    write_bytes(name, namesize);
    write_pad(NEWC_HDR_SIZE + namesize);
}

static const char *basename_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash != NULL ? slash + 1 : path;
}

/* Split FILE[=NAME] at the last '='; path is a copy the caller frees. */
static void split_arg(const char *arg, char **path, const char **name)
{
    const char *eq = strrchr(arg, '=');
    size_t len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);

    *path = malloc(len + 1);
    if (*path == NULL)
        die("out of memory");
    memcpy(*path, arg, len);
    (*path)[len] = '\0';
    *name = eq != NULL ? eq + 1 : basename_of(*path);
    if (*path[0] == '\0')
        die("%s: empty file name", arg);
}

static void check_name(const char *name, const char *arg, char *const names[],
                       int count)
{
    if (name[0] == '\0')
        die("%s: empty archive name", arg);
    if (strlen(name) >= MAX_NAME)
        die("%s: archive name too long", arg);
    if (strcmp(name, TRAILER_NAME) == 0)
        die("%s: archive name %s is reserved", arg, TRAILER_NAME);
    for (int i = 0; i < count; i++)
        if (strcmp(names[i], name) == 0)
            die("%s: duplicate archive name %s", arg, name);
}

/* Copy the file into the archive; it must not change size meanwhile. */
static void copy_data(FILE *in, const char *path, uint64_t expect)
{
    char buf[65536];
    uint64_t total = 0;
    size_t n;

    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        write_bytes(buf, n);
        total += n;
    }
    if (ferror(in))
        die("%s: read error: %s", path, strerror(errno));
    if (total != expect)
        die("%s: file changed size while reading", path);
    write_pad(total);
}

static void add_file(uint32_t ino, const char *path, const char *name)
{
    struct stat st;
    uint32_t mode;
    FILE *in = fopen(path, "rb");

    if (in == NULL)
        die("%s: %s", path, strerror(errno));
    if (fstat(fileno(in), &st) != 0)
        die("%s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        die("%s: not a regular file", path);
    if ((uint64_t)st.st_size > UINT32_MAX)
        die("%s: too large for a newc archive", path);
    mode = (st.st_mode & 0111) ? 0100755 : 0100644;

    write_entry_head(ino, mode, (uint32_t)st.st_size, name);
    copy_data(in, path, (uint64_t)st.st_size);
    if (fclose(in) != 0)
        die("%s: %s", path, strerror(errno));
}

static void open_output(const char *path)
{
    struct stat st;

    out_path = path;
    out_file = fopen(path, "wb");
    if (out_file == NULL)
        die("%s: %s", path, strerror(errno));
    if (fstat(fileno(out_file), &st) != 0)
        die("%s: %s", path, strerror(errno));
    out_is_regular = S_ISREG(st.st_mode);
}

static void close_output(void)
{
    FILE *f = out_file;

    if (fflush(f) != 0 || ferror(f))
        die("%s: write error: %s", out_path, strerror(errno));
    /* After fclose the stream is gone even on failure: do not close twice. */
    out_file = NULL;
    if (fclose(f) != 0) {
        int saved = errno;
        if (out_is_regular)
            remove(out_path);
        errno = saved;
        die("%s: %s", out_path, strerror(errno));
    }
}

int main(int argc, char **argv)
{
    char **names;
    int nfiles = argc - 2;

    if (argc < 3) {
        fprintf(stderr, "usage: mkbootimage OUT.cpio FILE[=NAME] ...\n");
        return 2;
    }
    open_output(argv[1]);
    /* Names seen so far, to reject duplicates. */
    names = calloc((size_t)nfiles, sizeof(*names));
    if (names == NULL)
        die("out of memory");
    for (int i = 0; i < nfiles; i++) {
        char *path;
        const char *name;

        split_arg(argv[i + 2], &path, &name);
        check_name(name, argv[i + 2], names, i);
        names[i] = strdup(name);
        if (names[i] == NULL)
            die("out of memory");
        add_file((uint32_t)i + 1, path, name);
        free(path);
    }
    write_entry_head(0, 0, 0, TRAILER_NAME);
    for (int i = 0; i < nfiles; i++)
        free(names[i]);
    free(names);
    close_output();
    return 0;
}
