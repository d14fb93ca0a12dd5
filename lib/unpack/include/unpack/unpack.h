/*
 * Decompressing a stream with Debian's zlib and libbz2 (docs/ports.md):
 * the glue a Coffer program needs around them -- the format told by its
 * first bytes, the decoder's state in an arena its caller gives (and pays
 * for), and one step at a time, so that the caller decides where the
 * input comes from and where the output goes (the exec server copies
 * its client's image in a page at a time with guarded copies, and grows
 * its output frame by frame).  Target only: the ports are built for it.
 */
#ifndef UNPACK_UNPACK_H
#define UNPACK_UNPACK_H

#include <stddef.h>
#include <stdint.h>

enum unpack_format { UNPACK_UNKNOWN = 0, UNPACK_GZIP = 1, UNPACK_BZIP2 = 2 };

/* What a step says: progress, or a negative error. */
enum unpack_status {
    UNPACK_DONE = 1,       /* the stream ended: everything is out */
    UNPACK_MORE = 0,       /* give more input, or more room for output */
    UNPACK_CORRUPT = -1,   /* the stream is corrupt (or the decoder failed) */
    UNPACK_NO_MEMORY = -2, /* the arena is too small for the decoder */
};

/* The format the first bytes of a stream name (gzip 1f 8b, bzip2 "BZh1".."BZh9"). */
enum unpack_format unpack_format(const uint8_t *head, size_t n);

/* The arena bytes its decoder needs: zlib's inflate with a 32 KiB window,
 * or libbz2's for the block size the header names (about 400 KB a level). */
uint64_t unpack_arena_bytes(enum unpack_format f, const uint8_t *head, size_t n);

struct unpack {
    enum unpack_format format;
    uint8_t *arena;
    size_t arena_bytes, arena_used;
    uint64_t in_total, out_total;
    uint8_t state[256]; /* the decoder's stream record (z_stream or bz_stream) */
};

/* Start decoding format f with its state in arena; UNPACK_MORE, or an error. */
int unpack_begin(struct unpack *u, enum unpack_format f, void *arena, size_t arena_bytes);

/* Decode from in (*in_used bytes of it taken) into out (*out_made bytes
 * made); UNPACK_MORE when it needs more input or more room, UNPACK_DONE at
 * the stream's end, or an error. */
int unpack_step(struct unpack *u, const void *in, size_t in_bytes, size_t *in_used, void *out, size_t out_bytes,
                size_t *out_made);

void unpack_end(struct unpack *u);

/* libbz2's internal inconsistencies (bz_internal_error), counted. */
unsigned unpack_bz_internal_errors(void);

#endif
