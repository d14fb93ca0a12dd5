/*
 * SPAWN_FRAME's image (proto/proc.def, docs/processes.md "Spawning from a
 * frame"): an ELF file in a frame the caller hands over -- an exec
 * server's output, a file's dataspace.
 *
 * Opening it buys nothing.  The manager maps the frame's window read-only
 * in one of three image windows of its own address space whose page
 * tables it bought at start (serve_start.c).  The kernel maps a window
 * with the largest page that tiles it, all entries in one table
 * (docs/memory.md), so which window is decided by the window's physical
 * start and size: 4 KiB pages (at most 2 MiB) where a level-0 table
 * waits, 2 MiB pages where a level-1 table has no level-0 ones under it,
 * a 1 GiB frame where the root has no table at all.
 *
 * The frame is untrusted twice over: the caller (another of its threads)
 * may write it while the manager reads, and may make it vanish -- revoke
 * it, destroy its bank.  So its headers are copied out once into the
 * manager's own memory and planned from that copy (load_plan_headers());
 * every read of the frame is a guarded copy, whose fault the rescuer
 * turns into PROC_IMAGE_GONE (server/guarded.h); and bytes of a segment
 * changed under the copy only change the new process, whose spawner
 * wrote them.
 */
#include <process/layout.h>
#include <server/guarded.h>

#include "proc.h"

#define MIB2 (2ull << 20)
#define GIB (1ull << 30)

static struct coffer_result fail(uint64_t error, uint64_t d0)
{
    return (struct coffer_result){ error, d0, 0 };
}

/* The image window a window at paddr of size bytes maps in (its page
 * level, the kernel's rule), or -1 if no single mapping covers it. */
static int window_for(uint64_t paddr, uint64_t size)
{
    if (size % GIB == 0 && paddr % GIB == 0)
        return size == GIB ? 2 : -1;
    if (size % MIB2 == 0 && paddr % MIB2 == 0)
        return 1; /* under 1 GiB: at most 511 entries of the level-1 table */
    return size <= MIB2 ? 0 : -1;
}

struct coffer_result proc_frame_open(struct proc_server *s, coffer_cptr_t frame, uint64_t image_bytes,
                                     const void **image, struct load_plan *plan)
{
    struct coffer_result r = coffer_frame_address(frame);
    if (r.error != COFFER_ERR_OK)
        return fail(COFFER_ERR_PROC_BAD_ARGUMENT, 6);
    uint64_t paddr = r.detail0, size = r.detail1;
    int w = window_for(paddr, size);
    if (image_bytes == 0 || image_bytes > size || w < 0)
        return fail(COFFER_ERR_PROC_BAD_ARGUMENT, 7);
    uint64_t va = s->env.image_va[w];
    if (coffer_frame_map(frame, PROC_SELF(PROC_S_VSPACE), va, COFFER_MAP_R).error != COFFER_ERR_OK)
        return fail(COFFER_ERR_PROC_BAD_ARGUMENT, 7); /* no read right */
    uint64_t head = image_bytes < PROC_HEADER_BYTES ? image_bytes : PROC_HEADER_BYTES;
    r = (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
    if (coffer_guarded_copy(s->headers, (const void *)(uintptr_t)va, head) != 0) {
        r = fail(COFFER_ERR_PROC_IMAGE_GONE, 0);
    } else {
        int status = load_plan_headers(s->headers, head, image_bytes, PROCESS_STACK_TOP - PROCESS_STACK_BYTES, plan);
        if (status != LOAD_OK)
            r = fail(COFFER_ERR_PROC_BAD_IMAGE, (uint64_t)(int64_t)status);
    }
    if (r.error != COFFER_ERR_OK)
        proc_frame_close(frame);
    *image = (const void *)(uintptr_t)va;
    return r;
}

void proc_frame_close(coffer_cptr_t frame)
{
    coffer_frame_unmap(frame); /* gone with the frame already, maybe: then nothing to do */
}
