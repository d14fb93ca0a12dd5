/*
 * The exec server's logic (proto/exec.def, docs/servers.md): UNPACK on a
 * session's worker, and the session hooks.
 *
 * Who pays: everything a request takes is bought from the session's bank
 * -- the decoder's arena (its state and a page the image is copied into;
 * kept, mapped, for the session's next request, until it needs a bigger one;
 * the image is copied in EXEC_BOUNCE_BYTES at a time),
 * the output frame (64 KiB first, doubled as the ELF comes out, up to
 * EXEC_OUTPUT_MAX), the page tables to map them in the session's area --
 * and the work runs on the client's context.  The image is read only with
 * guarded copies, a page at a time: a client that revokes it gets
 * EXEC_IMAGE_GONE.  The server's own memory is a fixed record per session.
 *
 * A session's area (1 GiB, its page tables its own):
 *   0       the worker's frame            EXEC_IMAGE_VA   the image (read-only)
 *   EXEC_ARENA_VA  the arena              EXEC_OUT_VA(0/1) the output, two places to grow into
 */
#ifndef EXEC_SERVER_EXEC_H
#define EXEC_SERVER_EXEC_H

#include <coffer.h>
#include <session/server.h>
#include <stdint.h>

#define EXEC_AREA_BITS 30
#define EXEC_IMAGE_OFFSET ((uint64_t)64 << 20)   /* images up to 64 MiB */
#define EXEC_IMAGE_MAX ((uint64_t)64 << 20)
#define EXEC_ARENA_OFFSET ((uint64_t)128 << 20)  /* arenas up to 8 MiB */
#define EXEC_OUT_OFFSET(k) ((uint64_t)(256 + 256 * (k)) << 20)
#define EXEC_OUTPUT_MAX ((uint64_t)256 << 20)
#define EXEC_OUTPUT_FIRST ((uint64_t)64 << 10)
#define EXEC_BOUNCE_BYTES ((size_t)16 << 10) /* the image comes in this much at a time: zlib copies
                                              into its window at each return, so not less */

/* The session's slots the server uses (its CNode's free ones). */
enum { EXEC_S_ARENA = SESSION_S_FREE, EXEC_S_OUT, EXEC_S_OUT2, EXEC_S_ELF, EXEC_S_TABLES /* 15-31 */ };

struct exec_session {
    unsigned tables;     /* page tables bought for the area so far (they stay) */
    uint64_t arena_bytes, arena_handle; /* the arena, kept for the next request (0: none) */
    uint64_t unpacked;   /* requests answered with an ELF */
};

struct exec_server {
    struct session_server *sessions;
    struct exec_session table[SESSION_MAX + 1];
};

/* The session service's init hook (session/service.h). */
void exec_init(void *state, struct session_server *sessions, struct session_hooks *hooks, void *arg);

#endif
