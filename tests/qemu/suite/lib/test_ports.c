/*
 * The ports in QEMU (docs/ports.md): Debian's zlib and libbz2, built for
 * Coffer's user space, decompress hello as the build compressed it with
 * the host's gzip -9 and bzip2 -1 (hello.gz, hello.bz2 in the test boot
 * image) back to exactly the boot image's hello.  Their memory comes from
 * an arena of mine, handed to them as their allocators (Z_SOLO has none
 * of its own; libbz2's are given too), and is counted: a 2 MiB frame
 * mapped for the test, which also holds the output.
 */
#include "ktest.h"
#include "thread/threads_fixture.h"
#include <bzlib.h>
#include <image/bootimage.h>
#include <string.h>
#include <unpack/unpack.h>
#include <zlib.h>

#define ARENA_BYTES (1u << 20)
#define OUT_BYTES (1u << 20)
#define WORK_VA 0x2a00000000ull /* a GiB of its own: a level-1 table, the frame one 2 MiB page */

static uint8_t *arena, *out; /* the frame's halves */
static size_t arena_used;

/* A bump allocator: the arena is emptied before each decompression. */
static void *take(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n > ARENA_BYTES - arena_used)
        return NULL;
    void *p = arena + arena_used;
    arena_used += n;
    return p;
}

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return size != 0 && items > ARENA_BYTES / size ? NULL : take((size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    (void)p;
}

static void *bz_alloc(void *opaque, int items, int size)
{
    (void)opaque;
    return items < 0 || size <= 0 || (size_t)items > ARENA_BYTES / (size_t)size ? NULL
                                                                               : take((size_t)items * (size_t)size);
}

static void bz_free(void *opaque, void *p)
{
    (void)opaque;
    (void)p;
}


static bool find(const char *name, struct bootimage_file *f)
{
    const struct coffer_bootinfo *bi = coffer_bootinfo();
    return bootimage_find((const void *)(uintptr_t)bi->bootimage_vaddr, bi->bootimage_size, name, f) == BOOTIMAGE_OK;
}

static size_t gunzip(const struct bootimage_file *in)
{
    z_stream s = { .next_in = (Bytef *)(uintptr_t)in->data, .avail_in = (uInt)in->size, .next_out = out,
                   .avail_out = OUT_BYTES, .zalloc = z_alloc, .zfree = z_free };
    arena_used = 0;
    if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK) /* 16: the gzip wrapper */
        return 0;
    int r = inflate(&s, Z_FINISH);
    size_t n = OUT_BYTES - s.avail_out;
    inflateEnd(&s);
    return r == Z_STREAM_END ? n : 0;
}

static size_t bunzip2(const struct bootimage_file *in)
{
    bz_stream s = { .next_in = (char *)(uintptr_t)in->data, .avail_in = (unsigned)in->size, .next_out = (char *)out,
                    .avail_out = OUT_BYTES, .bzalloc = bz_alloc, .bzfree = bz_free };
    arena_used = 0;
    if (BZ2_bzDecompressInit(&s, 0, 0) != BZ_OK)
        return 0;
    int r = BZ2_bzDecompress(&s);
    size_t n = OUT_BYTES - s.avail_out;
    BZ2_bzDecompressEnd(&s);
    return r == BZ_STREAM_END ? n : 0;
}

static void decompress(void)
{
    struct bootimage_file hello, gz, bz;
    if (!ktest_check(find("hello", &hello) && find("hello.gz", &gz) && find("hello.bz2", &bz),
                     "ports: hello, hello.gz and hello.bz2 in the boot image"))
        return;
    size_t n = gunzip(&gz);
    ktest_check(n == hello.size && memcmp(out, hello.data, n) == 0,
                "ports: zlib (Debian's 1.2.13, Z_SOLO) inflates hello.gz (%llu bytes) to hello's %llu, byte for "
                "byte, in %llu bytes of my arena", (unsigned long long)gz.size, (unsigned long long)n,
                (unsigned long long)arena_used);
    memset(out, 0, OUT_BYTES);
    n = bunzip2(&bz);
    ktest_check(n == hello.size && memcmp(out, hello.data, n) == 0 && unpack_bz_internal_errors() == 0,
                "ports: libbz2 (Debian's 1.0.8, BZ_NO_STDIO) decompresses hello.bz2 (%llu bytes) to hello's %llu, "
                "byte for byte, in %llu bytes of my arena", (unsigned long long)bz.size, (unsigned long long)n,
                (unsigned long long)arena_used);
    gz.size /= 2; /* cut in the middle: the stream does not end */
    ktest_check(gunzip(&gz) == 0, "ports: a gzip stream cut in half does not inflate to an end (Z_BUF_ERROR)");
}

void test_ports(void)
{
    tf_begin();
    uint64_t table = tf_retype(COFFER_OBJ_PAGE_TABLE, 0), frame = tf_retype(COFFER_OBJ_FRAME, 21);
    if (ktest_step(coffer_page_table_map(table, COFFER_SLOT_VSPACE, WORK_VA), "a level-1 table for the work frame") &&
        ktest_step(coffer_frame_map(frame, COFFER_SLOT_VSPACE, WORK_VA, COFFER_MAP_R | COFFER_MAP_W),
                   "map the 2 MiB work frame")) {
        arena = (uint8_t *)(uintptr_t)WORK_VA;
        out = arena + ARENA_BYTES;
        decompress();
    }
    ktest_check(tf_end(), "ports: the work frame and its table revoked, every byte back");
}
