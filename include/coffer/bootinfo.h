/*
 * The boot-info page: what the kernel hands the root task.
 *
 * The kernel maps it read-only at COFFER_BOOTINFO_VADDR in the root task's
 * address space (and passes the address in a0 as well).  It describes every
 * byte of physical memory the root task may use, as untyped regions, and the
 * capability slots of its initial CNode where the matching capabilities sit.
 *
 * Invariants the kernel guarantees (tested on the host and in QEMU):
 *  - each untyped region is a naturally aligned power-of-two block of at
 *    least 2^COFFER_MIN_UNTYPED_BITS bytes;
 *  - RAM untyped regions cover exactly the RAM not used by firmware, the
 *    kernel image, the device tree, the boot image and the root task's own
 *    boot objects, and overlap none of them nor each other;
 *  - device untyped regions describe device memory (never zeroed, can only
 *    become frames) and never overlap RAM.
 */
#ifndef COFFER_BOOTINFO_H
#define COFFER_BOOTINFO_H

#include <stdint.h>

#include "abi.h" /* COFFER_PAGE_SIZE */

#define COFFER_BOOTINFO_VADDR   0x0000003fff000000ull /* one page */
#define COFFER_BOOTIMAGE_VADDR  0x0000003f00000000ull /* boot archive, read-only */
#define COFFER_IPC_BUFFER_VADDR 0x0000003ffe000000ull /* the root task's IPC buffer, one page */
#define COFFER_USER_TOP         0x0000004000000000ull /* first address above user space */
#define COFFER_MIN_UNTYPED_BITS 12
#define COFFER_BOOTINFO_MAX_UNTYPED 192
#define COFFER_ROOT_CNODE_BITS 12 /* the root CNode has 4096 slots */

#define COFFER_BOOTINFO_MAGIC 0x6f666e69746f6f62ull /* "bootinfo" little-endian */

/* A range of capability slots [start, end) in the root CNode. */
struct coffer_slot_region {
    uint64_t start;
    uint64_t end;
};

struct coffer_untyped_desc {
    uint64_t paddr;     /* physical base, aligned to 2^size_bits */
    uint8_t size_bits;  /* the block is 2^size_bits bytes */
    uint8_t is_device;  /* 1: device memory */
    uint8_t padding[6];
};

/*
 * Slots of the root CNode that hold the root task's initial capabilities
 * (fixed ABI).  The root task's address space has ASID 1 from the initial
 * ASID pool; it runs at priority and maximum controlled priority 255 on a
 * scheduling context whose budget is its period (the whole CPU).
 */
enum coffer_root_slot {
    COFFER_SLOT_NULL = 0,        /* always empty */
    COFFER_SLOT_CNODE = 1,       /* the root CNode itself */
    COFFER_SLOT_VSPACE = 2,      /* the root task's address space */
    COFFER_SLOT_TCB = 3,         /* the root task's thread */
    COFFER_SLOT_IRQ_CONTROL = 4, /* authority to create IRQ handlers */
    COFFER_SLOT_BOOTINFO_FRAME = 5,
    COFFER_SLOT_ASID_CONTROL = 6, /* authority to activate ASID pools */
    COFFER_SLOT_ASID_POOL = 7,    /* the initial pool (ASIDs 0-511; 0 is never used) */
    COFFER_SLOT_SCHED_CONTROL = 8, /* authority to give scheduling contexts budgets */
    COFFER_SLOT_SCHED_CONTEXT = 9, /* the root task's scheduling context (the whole CPU) */
    COFFER_SLOT_IPC_BUFFER = 10,   /* the frame of the root task's IPC buffer */
    COFFER_SLOT_FIRST_FREE_FIXED = 11
};

struct coffer_bootinfo {
    uint64_t magic;          /* COFFER_BOOTINFO_MAGIC */
    uint64_t abi_version;    /* COFFER_ABI_VERSION */
    uint64_t hart_id;        /* the hart the kernel booted on */
    uint64_t root_cnode_bits;           /* the root CNode has 2^bits slots */
    struct coffer_slot_region untyped;  /* untyped capabilities, in list order */
    struct coffer_slot_region empty;    /* free slots of the root CNode */
    uint64_t bootimage_vaddr;  /* boot archive (cpio newc), mapped read-only */
    uint64_t bootimage_size;
    uint64_t ram_bytes;        /* all RAM the device tree reports */
    uint64_t kernel_reserved_bytes; /* RAM kept by firmware, kernel and boot */
    uint64_t ipc_buffer_vaddr; /* the root task's IPC buffer (COFFER_IPC_BUFFER_VADDR) */
    uint64_t irq_lines;        /* interrupt lines IRQ control can hand out: 1..irq_lines-1 */
    uint64_t uart_irq;         /* the console UART's line (0: none) */
    uint64_t uart_paddr;       /* the console UART's registers (a 16550, one page; 0: none) */
    uint64_t timebase_hz;      /* ticks per second of the time CSR (coffer_time_now, deadlines) */
    uint64_t untyped_count;
    struct coffer_untyped_desc untyped_list[COFFER_BOOTINFO_MAX_UNTYPED];
};

_Static_assert(sizeof(struct coffer_bootinfo) <= COFFER_PAGE_SIZE,
               "boot info must fit in one page");

#endif
