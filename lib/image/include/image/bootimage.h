/*
 * Boot image: the files the kernel hands to the root task.
 *
 * The boot image is a plain cpio "newc" archive (the format of Linux
 * initramfs), built on the host by tools/mkbootimage and linked into the
 * kernel image.  The kernel reads it in place: a file is a pointer into the
 * archive, nothing is copied.  Using a standard format means
 * `cpio -t < bootimage.cpio` lists it.
 *
 * Layout of one entry (all offsets relative to the start of the archive):
 *
 *   110-byte ASCII header: "070701" then 13 fields of 8 hex digits
 *   name, namesize bytes including its NUL, padded so header+name ends
 *        on a 4-byte boundary
 *   data, filesize bytes, padded to a 4-byte boundary
 *
 * The entry named "TRAILER!!!" ends the archive.
 *
 * The archive is treated as untrusted input: every field is validated and
 * every length is bounds-checked before it is used.
 */
#ifndef COFFER_IMAGE_BOOTIMAGE_H
#define COFFER_IMAGE_BOOTIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* File type bits of bootimage_file.mode (same values as POSIX st_mode). */
#define BOOTIMAGE_MODE_TYPE 0170000u
#define BOOTIMAGE_MODE_REG  0100000u
#define BOOTIMAGE_MODE_DIR  0040000u

/*
 * Return codes.  0 means success; everything else is negative so callers
 * can write `if (err < 0)`.  BOOTIMAGE_END is not a failure: it marks the
 * trailer, i.e. a well-formed end of the archive.
 */
enum bootimage_status {
    BOOTIMAGE_OK = 0,
    BOOTIMAGE_END = -1,           /* reached the "TRAILER!!!" entry */
    BOOTIMAGE_ERR_INVAL = -2,     /* NULL argument or misaligned cursor */
    BOOTIMAGE_ERR_BADMAGIC = -3,  /* header does not start with "070701" */
    BOOTIMAGE_ERR_BADHEADER = -4, /* a header field is not 8 hex digits */
    BOOTIMAGE_ERR_BADNAME = -5,   /* name empty, not NUL-terminated or with embedded NUL */
    BOOTIMAGE_ERR_TRUNCATED = -6, /* header, name or data past the end, or no trailer */
    BOOTIMAGE_ERR_NOTFOUND = -7,  /* bootimage_find: no entry with that name */
};

/* One archive entry.  Pointers point into the archive itself. */
struct bootimage_file {
    const char *name; /* NUL-terminated */
    size_t name_len;  /* strlen(name) */
    const void *data; /* 4-byte aligned relative to the archive start */
    size_t size;      /* bytes of data */
    uint32_t mode;    /* POSIX st_mode: type and permission bits */
};

/*
 * Iterate over the archive.  Start with *cursor = 0.  On success fills *out,
 * advances *cursor to the next entry and returns 0.  At the trailer returns
 * BOOTIMAGE_END (out->name is "TRAILER!!!", out->data NULL) and leaves
 * *cursor where it was, so calling again keeps returning BOOTIMAGE_END.
 * Any other negative value means the archive is malformed; *cursor and
 * *out are left untouched.  Every successful call advances *cursor by at least 112 bytes,
 * so a loop over bootimage_next always terminates.
 */
int bootimage_next(const void *archive, size_t size, size_t *cursor,
                   struct bootimage_file *out);

/*
 * Find the first entry called name (exact match, no path normalisation).
 * Returns 0 and fills *out, BOOTIMAGE_ERR_NOTFOUND if the archive ends
 * without it, or the error that stopped the walk.
 */
int bootimage_find(const void *archive, size_t size, const char *name,
                   struct bootimage_file *out);

/* A short constant description of a return code, for boot messages. */
const char *bootimage_strerror(int err);

#endif
