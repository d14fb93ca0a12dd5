/*
 * What a process finds when it starts (docs/processes.md, "A process's
 * world"): the ABI between the process manager (servers/proc), which
 * builds it, and the runtime (lib/runtime), which runs in it.
 *
 * Its CSpace has two levels, resolved with 64 bits: a root CNode of
 * 2^PROCESS_ROOT_BITS slots with a guard of PROCESS_ROOT_GUARD_BITS zero
 * bits, and in its slot 0 the first leaf, a CNode of 2^PROCESS_CNODE_BITS
 * slots with the well-known capabilities below, so that a slot's number
 * (below 2^PROCESS_CNODE_BITS) is its capability pointer.  Root slots 1
 * and up are empty: the process puts more leaves there as it needs slots
 * (lib/runtime/cspace_slots.c does, for the runtime's own), slot j of the leaf in
 * root slot r being the pointer r << PROCESS_CNODE_BITS | j.  Its address space holds the image's
 * segments where the ELF file says, the stack below PROCESS_STACK_TOP and
 * the IPC buffer at PROCESS_IPC_BUFFER_VADDR; everything else is free for
 * the process to map (the heap starts at the page after the image).
 */
#ifndef PROCESS_LAYOUT_H
#define PROCESS_LAYOUT_H

#include <coffer/bootinfo.h>

#define PROCESS_CNODE_BITS 8 /* a leaf: 256 slots */
#define PROCESS_ROOT_BITS 4  /* the root: 16 leaves */
#define PROCESS_ROOT_GUARD_BITS (64 - PROCESS_ROOT_BITS - PROCESS_CNODE_BITS)

/*
 * Where a capability sent to the process lands, for a generated client's
 * *_into call: the three receive arguments that name the slot `slot`
 * (its capability pointer) -- the leaf holding it (resolved with
 * 64 - PROCESS_CNODE_BITS bits: the root's guard and index) and its index
 * there.  The plain calls receive into a slot of the root CNode itself
 * (docs/threads-ipc.md, recv_depth 0), which in a process holds leaves.
 */
#define PROCESS_RECV(slot)                                                                                           \
    (uint64_t)(slot) >> PROCESS_CNODE_BITS, (uint64_t)(64 - PROCESS_CNODE_BITS),                                     \
        (uint64_t)(slot) & ((1u << PROCESS_CNODE_BITS) - 1)

enum process_slot {
    PROCESS_SLOT_NULL = 0,      /* always empty */
    PROCESS_SLOT_CNODE = 1,     /* its CSpace root (the root CNode), guarded as its TCB has it */
    PROCESS_SLOT_VSPACE = 2,    /* its address space */
    PROCESS_SLOT_TCB = 3,       /* its first thread */
    PROCESS_SLOT_SC = 4,        /* that thread's scheduling context */
    PROCESS_SLOT_BANK = 5,      /* its bank: buy, free, create (not destroy, remove or limit) */
    PROCESS_SLOT_MANAGER = 6,   /* the process manager, as this process: EXIT, SPAWN */
    PROCESS_SLOT_IPC_BUFFER = 7, /* the frame of its IPC buffer */
    PROCESS_SLOT_GRANTED = 8,   /* PROCESS_GRANTED_SLOTS capabilities its spawner granted */
    PROCESS_SLOT_FIRST_FREE = 16 /* the rest is the process's */
};
#define PROCESS_GRANTED_SLOTS 8

/* The granted slots the services have, as stdin and stdout have their
 * file descriptors: init puts each service a boot.conf entry names
 * (`caps = console ...`) at its own slot, whatever the order of the
 * names, and the runtime looks there (an empty slot: not granted). */
enum process_grant {
    PROCESS_GRANT_CONSOLE = 0, /* the console server's opener (proto/console.def) */
    PROCESS_GRANT_KEYBOARD = 1, /* the console server's keyboard opener: stdin reads the keyboard */
    PROCESS_GRANT_BANKS = 2,   /* the prime bank without rights: INFO and TREE, the whole tree to look at */
};

#define PROCESS_IPC_BUFFER_VADDR COFFER_IPC_BUFFER_VADDR /* one page, as the root task's */
#define PROCESS_STACK_TOP 0x0000003ffc000000ull          /* the stack grows down from here */
#define PROCESS_STACK_BYTES (64u << 10)                   /* mapped at start; below it nothing */

/* Threads besides the first (lib/runtime, <runtime/thread.h>): area t of
 * PROCESS_THREAD_AREA_BYTES from PROCESS_THREAD_AREAS holds, after an
 * unmapped 64 KiB (an overflow faults), its stack of
 * PROCESS_THREAD_STACK_BYTES, then after another gap its IPC buffer. */
#define PROCESS_THREAD_AREAS 0x0000003f00000000ull
#define PROCESS_THREAD_AREA_BYTES (1u << 20)
#define PROCESS_THREAD_STACK_BYTES (64u << 10)
#define PROCESS_THREAD_STACK(t) (PROCESS_THREAD_AREAS + (uint64_t)(t) * PROCESS_THREAD_AREA_BYTES + (64u << 10))
#define PROCESS_THREAD_IPC_BUFFER(t) (PROCESS_THREAD_STACK(t) + PROCESS_THREAD_STACK_BYTES + (64u << 10))

#endif
