/*
 * How a run of pages is cut into frames: the process manager fills a
 * process's image segments this way, the runtime its heap.  Each frame is
 * a power of two of pages, no larger than the caller allows, and never
 * across a 2 MiB boundary, so one page table maps all of it.  A run of n
 * pages so takes O(log n) frames.
 */
#ifndef PROCESS_FRAMES_H
#define PROCESS_FRAMES_H

#include <coffer/abi.h>
#include <stdint.h>

#define PROCESS_SPAN_2M (2ull << 20) /* what one last-level page table maps */

/* The pages of the frame to map at va when n pages are wanted there: a
 * power of two, at most n and max_pages (itself a power of two), inside
 * one 2 MiB span. */
static inline uint64_t process_frame_pages(uint64_t va, uint64_t n, uint64_t max_pages)
{
    uint64_t pages = max_pages;
    while (pages > n || va / PROCESS_SPAN_2M != (va + pages * COFFER_PAGE_SIZE - 1) / PROCESS_SPAN_2M)
        pages >>= 1;
    return pages;
}

/* The least b with 2^b >= n: a frame of n pages (a power of two) has
 * size_bits COFFER_PAGE_BITS + process_log2_ceil(n). */
static inline unsigned process_log2_ceil(uint64_t n)
{
    unsigned bits = 0;
    while ((1ull << bits) < n)
        bits++;
    return bits;
}

/* The size_bits of the smallest frame that holds `bytes` (> 0). */
static inline unsigned process_frame_bits(uint64_t bytes)
{
    return COFFER_PAGE_BITS + process_log2_ceil((bytes + COFFER_PAGE_SIZE - 1) / COFFER_PAGE_SIZE);
}

#endif
