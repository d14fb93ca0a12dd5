/*
 * libFuzzer target: the decompression path the exec server runs
 * (lib/unpack over Debian's zlib and libbz2, compiled from the ports'
 * sources with the fuzzer's sanitizers), fed corrupt and hostile streams.
 * The input's first byte says how the stream is cut into steps and how
 * much room each step's output gets; the rest is the stream.  Each step
 * must take no more input than it was given and make no more output than
 * it had room for, the decoder's state must stay inside its arena, and a
 * stream ends, fails or asks for more -- never anything else.  Output is
 * dropped as it comes (a bomb only runs into the bound on total output).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unpack/unpack.h>

#define ARENA_BYTES ((size_t)4 << 20) /* enough for bzip2's 900 kB blocks */
#define OUT_MAX ((size_t)1 << 24)

static uint8_t arena[ARENA_BYTES], out[64 << 10];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t in_step = 1 + (data[0] & 0x0f) * 97, out_step = 1 + (size_t)(data[0] >> 4) * 4093;
    const uint8_t *stream = data + 1;
    size_t n = size - 1, pos = 0, total = 0;
    enum unpack_format f = unpack_format(stream, n);
    if (f == UNPACK_UNKNOWN)
        f = (data[0] & 0x10) ? UNPACK_BZIP2 : UNPACK_GZIP; /* decode it anyway: a corrupt header */
    size_t want = (size_t)unpack_arena_bytes(f, stream, n);
    struct unpack u;
    if (unpack_begin(&u, f, arena, want != 0 && want < ARENA_BYTES ? want : ARENA_BYTES) != UNPACK_MORE)
        return 0;
    for (unsigned steps = 0; steps < 100000 && total < OUT_MAX; steps++) {
        size_t in_bytes = n - pos < in_step ? n - pos : in_step, used = 0, made = 0;
        size_t room = out_step < sizeof out ? out_step : sizeof out;
        int st = unpack_step(&u, stream + pos, in_bytes, &used, out, room, &made);
        if (used > in_bytes || made > room || u.arena_used > u.arena_bytes)
            abort();
        if (st != UNPACK_DONE && st != UNPACK_MORE && st != UNPACK_CORRUPT && st != UNPACK_NO_MEMORY)
            abort();
        pos += used;
        total += made;
        if (st != UNPACK_MORE || (used == 0 && made == 0 && pos == n))
            break;
    }
    unpack_end(&u);
    return 0;
}
