/*
 * An image's frames (docs/processes.md, "Sharing read-only regions"):
 * filled through the manager's scratch window, and for the regions that
 * are not writable, filled once per image and spawner's bank and mapped
 * into each process as read-only aliases.
 *
 * Who pays for a shared set: the spawner.  Its frames are bought from a
 * bank of their own, created inside the bank the spawner gave, so the
 * spawner's bank is charged once however many processes map them, and
 * every byte of them is in the bank tree.  Sharing stops at that bank:
 * processes spawned on another bank get another set, so no one ever maps
 * memory a stranger could take away.  A process's aliases live in its
 * keeper and die with its bank; the set lives while a process maps it
 * (users), and the last one's end destroys the set's bank.  If the
 * spawner's bank is destroyed, the set goes with it -- and so does every
 * process that maps it, as their banks lie inside the same one.
 */
#include <bank/bank.h>
#include <process/frames.h>
#include <proto/bank_client.h>
#include <server/guarded.h>
#include <string.h>

#include "proc.h"

#define PAGE COFFER_PAGE_SIZE

_Static_assert(1 + PROC_MAX + PROC_SHARED_MAX <= 1u << PROC_ROOT_BITS, "the manager's root CNode holds the sets");

uint64_t proc_chunk_pages(uint64_t va, uint64_t off, uint64_t pages)
{
    return process_frame_pages(va + off * PAGE, pages - off, 1ull << (PROC_FRAME_MAX_BITS - COFFER_PAGE_BITS));
}

struct coffer_result proc_fill_frame(struct proc_server *s, coffer_cptr_t frame, uint64_t size, proc_fill_fn fill,
                                     void *ctx)
{
    uint64_t va = s->env.scratch_va;
    struct coffer_result r = coffer_frame_map(frame, PROC_SELF(PROC_S_VSPACE), va, COFFER_MAP_R | COFFER_MAP_W);
    if (r.error != COFFER_ERR_OK)
        return r;
    int filled = fill(ctx, (uint8_t *)(uintptr_t)va, size);
    r = coffer_frame_unmap(frame);
    return filled != 0 ? (struct coffer_result){ COFFER_ERR_PROC_IMAGE_GONE, 0, 0 } : r;
}

/* The image bytes that land in one frame of a region. */
struct image_part {
    const struct load_region *region;
    const struct proc_spawn *spawn;
    uint64_t offset; /* the frame's first byte, in the region */
};

static int copy_image_part(void *ctx, uint8_t *bytes, uint64_t size)
{
    const struct image_part *part = ctx;
    const struct load_region *rg = part->region;
    uint64_t lo = part->offset > rg->copy_at ? part->offset : rg->copy_at;
    uint64_t end = part->offset + size, file_end = rg->copy_at + rg->copy_bytes;
    uint64_t hi = end < file_end ? end : file_end;
    if (lo >= hi)
        return 0;
    /* the plan checked these bytes against the file's size */
    uint8_t *to = bytes + (lo - part->offset);
    const uint8_t *from = (const uint8_t *)part->spawn->image + rg->file_offset + (lo - rg->copy_at);
    if (part->spawn->guarded) /* the caller's frame, which may vanish under the copy */
        return coffer_guarded_copy(to, from, hi - lo);
    memcpy(to, from, hi - lo);
    return 0;
}

struct coffer_result proc_fill_image_frame(struct proc_server *s, coffer_cptr_t frame, const struct load_region *rg,
                                           const struct proc_spawn *sp, uint64_t offset, uint64_t size)
{
    struct image_part part = { rg, sp, offset };
    return proc_fill_frame(s, frame, size, copy_image_part, &part);
}

/* ------------------------------------------------------------ shared sets */

/* The frames a plan's read-only regions take. */
static unsigned shared_frames(const struct load_plan *plan)
{
    unsigned n = 0;
    for (unsigned k = 0; k < plan->nregions; k++) {
        const struct load_region *rg = &plan->regions[k];
        for (uint64_t off = 0; rg->shared && off < rg->pages; off += proc_chunk_pages(rg->vaddr, off, rg->pages))
            n++;
    }
    return n;
}

/* A live set of this image on this bank, or a free record (-1 if none). */
static int find(const struct proc_server *s, const struct proc_spawn *sp, bool *found)
{
    int free_one = -1;
    *found = false;
    for (unsigned t = 0; t < PROC_SHARED_MAX; t++) {
        const struct proc_shared *sh = &s->shared[t];
        if (sh->users == 0) {
            free_one = free_one < 0 ? (int)t : free_one;
        } else if (sh->image == sp->image && sh->payer == sp->payer && proc_root_is_cnode(PROC_SHARE_ROOT(t))) {
            *found = true;
            return (int)t;
        }
    }
    return free_one;
}

/* Buy and fill the set's frames, in region and chunk order. */
static struct coffer_result fill_set(struct proc_server *s, const struct proc_spawn *sp, unsigned t)
{
    unsigned j = PROC_SHARE_FIRST;
    for (unsigned k = 0; k < sp->plan->nregions; k++) {
        const struct load_region *rg = &sp->plan->regions[k];
        for (uint64_t off = 0, n; rg->shared && off < rg->pages; off += n, j++) {
            n = proc_chunk_pages(rg->vaddr, off, rg->pages);
            uint64_t handle;
            struct coffer_result r = proc_bank_error(
                bank_buy_into(s->env.buf, PROC_SHARE(t, PROC_SHARE_BANK), COFFER_OBJ_FRAME,
                              COFFER_PAGE_BITS + process_log2_ceil(n), PROC_SHARE_ROOT(t), PROC_ROOT_SLOT_DEPTH, j,
                              &handle));
            if (r.error == COFFER_ERR_OK)
                r = proc_fill_image_frame(s, PROC_SHARE(t, j), rg, sp, off * PAGE, n * PAGE);
            if (r.error != COFFER_ERR_OK)
                return r;
        }
    }
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}

struct coffer_result proc_shared_get(struct proc_server *s, const struct proc_spawn *sp, int *t)
{
    /* A frame's image is never shared: nothing says that two frames hold
     * the same bytes, or that a frame's bytes stay the same. */
    unsigned frames = sp->guarded ? 0 : shared_frames(sp->plan);
    bool found;
    int u = frames == 0 ? -1 : find(s, sp, &found);
    *t = u;
    if (u < 0)
        return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
    struct proc_shared *sh = &s->shared[u];
    if (found) {
        sh->users++;
        return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
    }
    coffer_cptr_t bank;
    /* the set's own bank inside the spawner's, its CNode holding it in slot 0 */
    struct coffer_result r = proc_bank_and_cnode(s, sp->bank, ~0ull, PROC_SHARE_ROOT((unsigned)u),
                                                 process_log2_ceil(PROC_SHARE_FIRST + frames), PROC_SHARE_BANK, &bank);
    if (r.error == COFFER_ERR_OK)
        r = fill_set(s, sp, (unsigned)u);
    if (r.error != COFFER_ERR_OK) {
        if (bank != 0)
            bank_destroy(bank); /* the CNode and every frame with it */
        *t = -1;
        return r;
    }
    *sh = (struct proc_shared){ .image = sp->image, .payer = sp->payer, .users = 1 };
    return r;
}

void proc_shared_put(struct proc_server *s, unsigned t)
{
    struct proc_shared *sh = &s->shared[t];
    if (sh->users == 0 || --sh->users != 0)
        return;
    if (proc_root_is_cnode(PROC_SHARE_ROOT(t)))
        bank_destroy(PROC_SHARE(t, PROC_SHARE_BANK));
    *sh = (struct proc_shared){ 0 };
}
