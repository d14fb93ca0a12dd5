/*
 * In-place reader for the cpio "newc" boot image.  See bootimage.h for the
 * format.
 *
 * The archive comes from the build, but it is parsed as if it were hostile:
 * a corrupt image must make the kernel print an error, never read outside
 * the archive or loop.  All offset arithmetic is written as comparisons
 * against the remaining space (`len > size - off`) so nothing can wrap.
 * The archive is only guaranteed 4-byte aligned and the header is ASCII,
 * so it is read one byte at a time.
 */
#include "image_support.h"
#include <image/bootimage.h>

#define NEWC_MAGIC      "070701"
#define NEWC_MAGIC_LEN  6
#define NEWC_FIELD_LEN  8
#define NEWC_HDR_SIZE   110 /* magic + 13 fields */
#define TRAILER_NAME    "TRAILER!!!"
#define TRAILER_LEN     10

/* Header fields in archive order, each NEWC_FIELD_LEN hex digits. */
enum newc_field {
    NEWC_INO,
    NEWC_MODE,
    NEWC_UID,
    NEWC_GID,
    NEWC_NLINK,
    NEWC_MTIME,
    NEWC_FILESIZE,
    NEWC_DEVMAJOR,
    NEWC_DEVMINOR,
    NEWC_RDEVMAJOR,
    NEWC_RDEVMINOR,
    NEWC_NAMESIZE,
    NEWC_CHECK,
    NEWC_NFIELDS,
};

_Static_assert(NEWC_MAGIC_LEN + NEWC_NFIELDS * NEWC_FIELD_LEN == NEWC_HDR_SIZE,
              "newc header is 110 bytes");

/* Bytes needed to pad off up to a multiple of 4. */
static size_t pad4(size_t off)
{
    return (4 - (off & 3)) & 3;
}

/* Value of one hex digit, or -1.  Both cases are accepted, as cpio does. */
static int hexdigit(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Decode all header fields.  Unlike strtoul this rejects spaces, signs
 * and short fields: every one of the 8 characters must be a hex digit.
 */
static int parse_header(const uint8_t *hdr, uint32_t field[NEWC_NFIELDS])
{
    const uint8_t *p = hdr + NEWC_MAGIC_LEN;

    for (int f = 0; f < NEWC_NFIELDS; f++) {
        uint32_t v = 0;
        for (int i = 0; i < NEWC_FIELD_LEN; i++) {
            int d = hexdigit(*p++);
            if (d < 0)
                return BOOTIMAGE_ERR_BADHEADER;
            v = (v << 4) | (uint32_t)d;
        }
        field[f] = v;
    }
    return BOOTIMAGE_OK;
}

/* The name must be exactly namesize-1 non-NUL bytes followed by a NUL. */
static bool name_ok(const char *name, size_t namesize)
{
    if (namesize == 0 || name[namesize - 1] != '\0')
        return false;
    for (size_t i = 0; i + 1 < namesize; i++)
        if (name[i] == '\0')
            return false;
    return true;
}

static bool is_trailer(const struct bootimage_file *f)
{
    return f->name_len == TRAILER_LEN &&
           memcmp(f->name, TRAILER_NAME, TRAILER_LEN) == 0;
}

int bootimage_next(const void *archive, size_t size, size_t *cursor,
                   struct bootimage_file *out)
{
    const uint8_t *base = archive;
    uint32_t field[NEWC_NFIELDS];
    struct bootimage_file f;
    size_t off, name_off, name_end, data_off, data_end;
    int err;

    if (archive == NULL || cursor == NULL || out == NULL)
        return BOOTIMAGE_ERR_INVAL;
    off = *cursor;
    /*
     * Running off the end means the trailer was missing.  Checked first
     * because a file whose final padding is cut off parks the cursor at
     * size, which need not be aligned.
     */
    if (off > size || size - off < NEWC_HDR_SIZE)
        return BOOTIMAGE_ERR_TRUNCATED;
    /* Entries start 4-byte aligned; anything else is a caller bug. */
    if (!IMAGE_ALIGNED(off, 4))
        return BOOTIMAGE_ERR_INVAL;
    if (memcmp(base + off, NEWC_MAGIC, NEWC_MAGIC_LEN) != 0)
        return BOOTIMAGE_ERR_BADMAGIC;
    err = parse_header(base + off, field);
    if (err < 0)
        return err;

    name_off = off + NEWC_HDR_SIZE;
    if (field[NEWC_NAMESIZE] > size - name_off)
        return BOOTIMAGE_ERR_TRUNCATED;
    if (!name_ok((const char *)base + name_off, field[NEWC_NAMESIZE]))
        return BOOTIMAGE_ERR_BADNAME;
    name_end = name_off + field[NEWC_NAMESIZE];

    f.name = (const char *)base + name_off;
    f.name_len = field[NEWC_NAMESIZE] - 1;
    f.mode = field[NEWC_MODE];
    f.data = NULL;
    f.size = 0;
    /* The trailer's data and padding are not needed, so not required. */
    if (is_trailer(&f)) {
        *out = f;
        return BOOTIMAGE_END;
    }

    if (pad4(name_end) > size - name_end)
        return BOOTIMAGE_ERR_TRUNCATED;
    data_off = name_end + pad4(name_end);
    if (field[NEWC_FILESIZE] > size - data_off)
        return BOOTIMAGE_ERR_TRUNCATED;
    data_end = data_off + field[NEWC_FILESIZE];

    f.data = base + data_off;
    f.size = field[NEWC_FILESIZE];
    *out = f;
    /*
     * If the final padding is missing, park the cursor at the end: the
     * next call then reports the missing trailer as TRUNCATED.
     */
    if (pad4(data_end) > size - data_end)
        *cursor = size;
    else
        *cursor = data_end + pad4(data_end);
    return BOOTIMAGE_OK;
}

int bootimage_find(const void *archive, size_t size, const char *name,
                   struct bootimage_file *out)
{
    struct bootimage_file f;
    size_t cursor = 0;
    size_t len;
    int err;

    if (name == NULL || out == NULL)
        return BOOTIMAGE_ERR_INVAL;
    len = strlen(name);
    /* Terminates: each successful step moves cursor forward (see header). */
    while ((err = bootimage_next(archive, size, &cursor, &f)) == BOOTIMAGE_OK) {
        if (f.name_len == len && memcmp(f.name, name, len) == 0) {
            *out = f;
            return BOOTIMAGE_OK;
        }
    }
    return err == BOOTIMAGE_END ? BOOTIMAGE_ERR_NOTFOUND : err;
}

const char *bootimage_strerror(int err)
{
    switch (err) {
    case BOOTIMAGE_OK:            return "ok";
    case BOOTIMAGE_END:           return "end of archive";
    case BOOTIMAGE_ERR_INVAL:     return "invalid argument";
    case BOOTIMAGE_ERR_BADMAGIC:  return "bad cpio magic (not newc)";
    case BOOTIMAGE_ERR_BADHEADER: return "malformed cpio header";
    case BOOTIMAGE_ERR_BADNAME:   return "malformed file name";
    case BOOTIMAGE_ERR_TRUNCATED: return "archive truncated";
    case BOOTIMAGE_ERR_NOTFOUND:  return "file not found";
    default:                      return "unknown error";
    }
}
