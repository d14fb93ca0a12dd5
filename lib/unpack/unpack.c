/*
 * The zlib and libbz2 glue (unpack/unpack.h).  Both decoders take their
 * memory from the caller's arena through a bump allocator: a stream's
 * state is freed as a whole when the caller drops the arena.
 */
#include <bzlib.h>
#include <string.h>
#include <unpack/unpack.h>
#include <zlib.h>

_Static_assert(sizeof(z_stream) <= sizeof(((struct unpack *)0)->state) &&
                   sizeof(bz_stream) <= sizeof(((struct unpack *)0)->state),
               "a decoder's stream record fits struct unpack");

static unsigned bz_errors;

/* libbz2 built with BZ_NO_STDIO calls this on an internal inconsistency. */
void bz_internal_error(int errcode);
void bz_internal_error(int errcode)
{
    (void)errcode;
    bz_errors++;
}

unsigned unpack_bz_internal_errors(void)
{
    return bz_errors;
}

enum unpack_format unpack_format(const uint8_t *head, size_t n)
{
    if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        return UNPACK_GZIP;
    if (n >= 4 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h' && head[3] >= '1' && head[3] <= '9')
        return UNPACK_BZIP2;
    return UNPACK_UNKNOWN;
}

uint64_t unpack_arena_bytes(enum unpack_format f, const uint8_t *head, size_t n)
{
    if (f == UNPACK_GZIP)
        return 60u << 10; /* the state (about 7 KiB) and the 32 KiB window; with a page more, 64 KiB */
    if (f == UNPACK_BZIP2 && n >= 4)
        return (uint64_t)(head[3] - '0') * 400000u + (64u << 10); /* tt: 4 bytes a block byte; the state */
    return 0;
}

static void *take(struct unpack *u, size_t items, size_t size)
{
    if (size != 0 && items > (u->arena_bytes - u->arena_used) / size)
        return NULL;
    size_t n = (items * size + 15) & ~(size_t)15;
    if (n > u->arena_bytes - u->arena_used)
        return NULL;
    void *p = u->arena + u->arena_used;
    u->arena_used += n;
    return p;
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    return take(opaque, items, size);
}

static void *bz_alloc(void *opaque, int items, int size)
{
    return items < 0 || size < 0 ? NULL : take(opaque, (size_t)items, (size_t)size);
}

static void no_free(void *opaque, void *p)
{
    (void)opaque, (void)p;
}

int unpack_begin(struct unpack *u, enum unpack_format f, void *arena, size_t arena_bytes)
{
    memset(u, 0, sizeof *u);
    u->format = f;
    u->arena = arena;
    u->arena_bytes = arena_bytes;
    if (f == UNPACK_GZIP) {
        z_stream *z = (z_stream *)(void *)u->state;
        z->zalloc = z_alloc;
        z->zfree = no_free;
        z->opaque = u;
        int e = inflateInit2(z, 16 + MAX_WBITS); /* 16: the gzip wrapper */
        return e == Z_OK ? UNPACK_MORE : e == Z_MEM_ERROR ? UNPACK_NO_MEMORY : UNPACK_CORRUPT;
    }
    if (f == UNPACK_BZIP2) {
        bz_stream *b = (bz_stream *)(void *)u->state;
        b->bzalloc = bz_alloc;
        b->bzfree = no_free;
        b->opaque = u;
        int e = BZ2_bzDecompressInit(b, 0, 0);
        return e == BZ_OK ? UNPACK_MORE : e == BZ_MEM_ERROR ? UNPACK_NO_MEMORY : UNPACK_CORRUPT;
    }
    return UNPACK_CORRUPT;
}

static int z_step(struct unpack *u, const void *in, size_t in_bytes, size_t *in_used, void *out, size_t out_bytes,
                  size_t *out_made)
{
    z_stream *z = (z_stream *)(void *)u->state;
    z->next_in = (Bytef *)(uintptr_t)in;
    z->avail_in = (uInt)in_bytes;
    z->next_out = out;
    z->avail_out = (uInt)out_bytes;
    int e = inflate(z, Z_NO_FLUSH);
    *in_used = in_bytes - z->avail_in;
    *out_made = out_bytes - z->avail_out;
    if (e == Z_STREAM_END)
        return UNPACK_DONE;
    if (e == Z_OK || (e == Z_BUF_ERROR && (in_bytes == 0 || out_bytes == 0)))
        return UNPACK_MORE;
    return e == Z_MEM_ERROR ? UNPACK_NO_MEMORY : UNPACK_CORRUPT;
}

static int bz_step(struct unpack *u, const void *in, size_t in_bytes, size_t *in_used, void *out, size_t out_bytes,
                   size_t *out_made)
{
    bz_stream *b = (bz_stream *)(void *)u->state;
    b->next_in = (char *)(uintptr_t)in;
    b->avail_in = (unsigned)in_bytes;
    b->next_out = out;
    b->avail_out = (unsigned)out_bytes;
    int e = BZ2_bzDecompress(b);
    *in_used = in_bytes - b->avail_in;
    *out_made = out_bytes - b->avail_out;
    if (e == BZ_STREAM_END)
        return UNPACK_DONE;
    if (e == BZ_OK)
        return UNPACK_MORE;
    return e == BZ_MEM_ERROR ? UNPACK_NO_MEMORY : UNPACK_CORRUPT;
}

int unpack_step(struct unpack *u, const void *in, size_t in_bytes, size_t *in_used, void *out, size_t out_bytes,
                size_t *out_made)
{
    int s = u->format == UNPACK_GZIP    ? z_step(u, in, in_bytes, in_used, out, out_bytes, out_made)
            : u->format == UNPACK_BZIP2 ? bz_step(u, in, in_bytes, in_used, out, out_bytes, out_made)
                                        : UNPACK_CORRUPT;
    if (s >= 0) {
        u->in_total += *in_used;
        u->out_total += *out_made;
    }
    return s;
}

void unpack_end(struct unpack *u)
{
    if (u->format == UNPACK_GZIP)
        inflateEnd((z_stream *)(void *)u->state);
    else if (u->format == UNPACK_BZIP2)
        BZ2_bzDecompressEnd((bz_stream *)(void *)u->state);
    u->format = UNPACK_UNKNOWN;
}
