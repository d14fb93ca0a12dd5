/*
 * A process's heap (docs/processes.md, "The runtime"): picolibc's malloc
 * takes memory with sbrk(), and this sbrk buys it from the process's own
 * bank (PROCESS_SLOT_BANK) -- frames, and the page tables they need --
 * and maps it after the image.  So the process pays for its heap, to the
 * page, and when its bank is at its limit sbrk fails with ENOMEM and
 * malloc returns NULL: nothing crashes, no one else notices.
 *
 * Frames are powers of two of pages, up to 2 MiB, never across a 2 MiB
 * boundary (one page table maps each), so a growth of n pages takes
 * O(log n) purchases.  Like any allocator's top pad (glibc's M_TOP_PAD),
 * a growth maps up to the next HEAP_STEP boundary, so that a run of small
 * mallocs buys a frame once in 16 pages, not at every page; a bank that
 * cannot give the step gets asked for exactly what is needed, so the
 * limit is still reached to the page.  The frames' capabilities take
 * the runtime's slots (runtime/slots.h), whose leaves the bank pays for
 * too: the heap is bounded by the bank alone.
 * The heap never shrinks: memory a free() gives back stays the heap's
 * for the next malloc.
 */
#include <coffer.h>
#include <errno.h>
#include <process/frames.h>
#include <process/layout.h>
#include <proto/bank_client.h>
#include <runtime/slots.h>
#include <runtime/thread.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "runtime_internal.h"

#define PAGE COFFER_PAGE_SIZE
#define HEAP_LIMIT 0x0000003000000000ull /* far below the stack */
#define HEAP_STEP (64u << 10)             /* a growth maps up to a boundary of this */

extern char _end[]; /* lib/crt/user.ld: the end of the image */

void *sbrk(ptrdiff_t increment); /* picolibc's malloc calls it (<unistd.h> declares it only for some standards) */

static uintptr_t heap_base;   /* the page after the image (0: not begun) */
static uintptr_t heap_break;  /* the first byte past the heap */
static uintptr_t mapped_end;  /* pages are mapped up to here */
bool runtime_buy(uint64_t type, uint64_t size_bits, uint64_t *slot, uint64_t *handle)
{
    if (!runtime_slot_alloc(slot))
        return false;
    if (bank_buy_into(runtime_ipc_buffer(), PROCESS_SLOT_BANK, type, size_bits, PROCESS_RECV(*slot), handle).error == COFFER_ERR_OK)
        return true;
    runtime_slot_free(*slot);
    return false;
}

bool runtime_map(uint64_t frame, uintptr_t va)
{
    uint64_t table = 0, table_handle = 0;
    for (;;) {
        struct coffer_result r = coffer_frame_map(frame, PROCESS_SLOT_VSPACE, va, COFFER_MAP_R | COFFER_MAP_W);
        if (r.error == COFFER_ERR_OK)
            return true;
        if (r.error != COFFER_ERR_FAILED_LOOKUP || r.detail0 >> 32 != COFFER_LOOKUP_NO_PAGE_TABLE ||
            !runtime_buy(COFFER_OBJ_PAGE_TABLE, 0, &table, &table_handle) ||
            coffer_page_table_map(table, PROCESS_SLOT_VSPACE, va).error != COFFER_ERR_OK)
            return false;
    }
}

/* One frame of `pages` pages, bought and mapped at va.  If it cannot be
 * mapped, the frame goes back to the bank. */
static bool map_frame(uintptr_t va, uint64_t pages)
{
    uint64_t frame = 0, frame_handle = 0;
    if (!runtime_buy(COFFER_OBJ_FRAME, COFFER_PAGE_BITS + process_log2_ceil(pages), &frame, &frame_handle))
        return false;
    if (runtime_map(frame, va))
        return true;
    bank_free(PROCESS_SLOT_BANK, frame_handle);
    runtime_slot_free(frame);
    return false;
}

/* Map the heap up to end at least; on a refusal what is mapped stays. */
static bool map_up_to(uintptr_t end)
{
    while (mapped_end < end) {
        uint64_t pages = process_frame_pages(mapped_end, (end - mapped_end + PAGE - 1) / PAGE, PROCESS_SPAN_2M / PAGE);
        if (!map_frame(mapped_end, pages))
            return false;
        mapped_end += pages * PAGE;
    }
    return true;
}

void *sbrk(ptrdiff_t increment)
{
    if (heap_base == 0)
        heap_base = heap_break = mapped_end = ((uintptr_t)_end + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
    uintptr_t old = heap_break;
    if ((increment < 0 && (uintptr_t)-increment > old - heap_base) ||
        (increment > 0 && (uintptr_t)increment > HEAP_LIMIT - old)) {
        errno = ENOMEM;
        return (void *)-1;
    }
    uintptr_t end = old + (uintptr_t)increment;
    uintptr_t step = (end + HEAP_STEP - 1) & ~(uintptr_t)(HEAP_STEP - 1);
    if (mapped_end < end && !map_up_to(step < HEAP_LIMIT ? step : end) && !map_up_to(end)) {
        errno = ENOMEM; /* what is mapped stays, for the next try */
        return (void *)-1;
    }
    heap_break = end;
    return (void *)old;
}
