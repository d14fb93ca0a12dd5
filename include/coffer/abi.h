/*
 * Coffer public ABI: numbers shared by the kernel and user space.
 *
 * The enumerations here are expanded from the .def lists beside this file,
 * which are the single source of truth (the user stubs and wrappers are
 * generated from the same lists into <coffer/syscall_stubs.h>).  This
 * header is freestanding (stdint only) so the kernel, the user libraries
 * and the host tests all include it.
 */
#ifndef COFFER_ABI_H
#define COFFER_ABI_H

#include <stdint.h>

typedef enum coffer_error {
#define ERROR(name, num, d0, d1, desc) COFFER_ERR_##name = (num),
#include "errors.def"
#undef ERROR
    COFFER_ERR_COUNT_
} coffer_error_t;

enum coffer_syscall {
#define SYSCALL(name, num, kind, dbg, desc, ...) COFFER_SYS_##name = (num),
#include "syscalls.def"
#undef SYSCALL
};

enum coffer_object_type {
#define OBJECT(name, num, desc) COFFER_OBJ_##name = (num),
#include "objects.def"
#undef OBJECT
    COFFER_OBJ_COUNT_
};

enum coffer_invocation {
#define INVOCATION(name, num, type, desc, ...) COFFER_INV_##name = (num),
#include "invocations.def"
#undef INVOCATION
};

/* The page: the unit of mapping, of frames and of the boot-time memory
 * map.  The one definition (kernel, user libraries, image parsers, host
 * tests); larger page sizes are the architecture's. */
#define COFFER_PAGE_BITS 12
#define COFFER_PAGE_SIZE (1ull << COFFER_PAGE_BITS)

/* Argument registers of a system call: a0..a6. */
#define COFFER_SYSCALL_ARGS 7

/* A capability pointer: resolved with 64 bits in the caller's CSpace
 * unless an argument says otherwise. */
typedef uint64_t coffer_cptr_t;

/* The three registers a system call returns: a0, a1, a2. */
struct coffer_result {
    uint64_t error;   /* coffer_error_t */
    uint64_t detail0; /* result or error detail, see errors.def */
    uint64_t detail1;
};

/* What an IPC system call returns (a0..a6): the error, the message info
 * received, message words 0..3, and the sender's badge (a notification's
 * word). */
struct coffer_msg {
    uint64_t error; /* coffer_error_t */
    uint64_t info;
    uint64_t mr[4];
    uint64_t badge;
};

/*
 * Capability invocations (syscall CALL): a0 = capability pointer, resolved
 * with 64 bits in the caller's CSpace; a1 = invocation label
 * (invocations.def); a2..a6 = arguments 0..4, packed as below.
 */

/* Rights (capability mask). */
#define COFFER_RIGHT_READ 0x1u
#define COFFER_RIGHT_WRITE 0x2u
#define COFFER_RIGHT_GRANT 0x4u
#define COFFER_RIGHT_GRANT_REPLY 0x8u
#define COFFER_RIGHTS_ALL 0xfu

/* UNTYPED_RETYPE: arg0 = type | size_bits << 8 | dest depth << 16 | count << 32,
 * arg1 = destination CNode (cptr, resolved with dest depth bits; depth 0
 * names the caller's root CNode), arg2 = first destination slot index,
 * arg3 = byte offset into the untyped, or COFFER_RETYPE_AT_WATERMARK. */
#define COFFER_RETYPE_ARG0(type, size_bits, depth, count)                          \
    ((uint64_t)(type) | (uint64_t)(size_bits) << 8 | (uint64_t)(depth) << 16 |     \
     (uint64_t)(count) << 32)
#define COFFER_RETYPE_AT_WATERMARK (~0ull)
#define COFFER_RETYPE_MAX_COUNT 256

/* UNTYPED_DESCRIBE writes this at the start of the caller's IPC buffer
 * (mr[0..3]).  free_bytes counts holes below the watermark too: the
 * untyped's size less what its live objects take (a child untyped whole). */
struct coffer_untyped_info {
    uint64_t paddr;      /* physical address of the first byte */
    uint64_t size_bits;  /* log2 of its size in bytes */
    uint64_t watermark;  /* bytes from the start retype at the watermark has used */
    uint64_t free_bytes; /* bytes no live object takes */
};

/*
 * Object sizes, log2 bytes, as retype makes them (user allocators size
 * their blocks with these; kernel/core/object/objects.c asserts its
 * tables agree and tests/host/abi/test_abi.c compares every case).
 */
#define COFFER_OBJECT_MIN_BITS 6     /* endpoints, notifications, replies */
#define COFFER_UNTYPED_MIN_BITS 6
#define COFFER_UNTYPED_MAX_BITS 47
#define COFFER_CNODE_SLOT_BITS 6     /* a CNode of 2^n slots is 2^(n + 6) bytes */
#define COFFER_CNODE_MIN_SLOT_BITS 1
#define COFFER_CNODE_MAX_SLOT_BITS 24
#define COFFER_FRAME_MIN_BITS 12
#define COFFER_FRAME_MAX_BITS 30
#define COFFER_TCB_BITS 10
#define COFFER_SCHED_CONTEXT_BITS 8
#define COFFER_PAGE_TABLE_BITS 12    /* page tables, VSpaces and ASID pools */

/* Whether retype makes objects of this type (the control capabilities
 * exist once, from boot; IRQ handlers come from IRQ control). */
static inline int coffer_object_retypable(uint64_t type)
{
    return type < COFFER_OBJ_COUNT_ && type != COFFER_OBJ_ASID_CONTROL && type != COFFER_OBJ_SCHED_CONTROL &&
           type != COFFER_OBJ_IRQ_CONTROL && type != COFFER_OBJ_IRQ_HANDLER;
}

/* The log2 size of a retyped object of this type and user size_bits (log2
 * bytes for untyped and frames, log2 slots for CNodes, 0 for the fixed
 * sizes); 0 when retype refuses the type or the size. */
static inline unsigned coffer_object_bits(uint64_t type, uint64_t size_bits)
{
    switch (type) {
    case COFFER_OBJ_UNTYPED:
        return size_bits >= COFFER_UNTYPED_MIN_BITS && size_bits <= COFFER_UNTYPED_MAX_BITS
                   ? (unsigned)size_bits : 0;
    case COFFER_OBJ_FRAME:
        return size_bits >= COFFER_FRAME_MIN_BITS && size_bits <= COFFER_FRAME_MAX_BITS
                   ? (unsigned)size_bits : 0;
    case COFFER_OBJ_CNODE:
        return size_bits >= COFFER_CNODE_MIN_SLOT_BITS && size_bits <= COFFER_CNODE_MAX_SLOT_BITS
                   ? (unsigned)size_bits + COFFER_CNODE_SLOT_BITS : 0;
    default:
        break;
    }
    if (size_bits != 0)
        return 0;
    switch (type) {
    case COFFER_OBJ_ENDPOINT:
    case COFFER_OBJ_NOTIFICATION:
    case COFFER_OBJ_REPLY:
        return COFFER_OBJECT_MIN_BITS;
    case COFFER_OBJ_TCB:
        return COFFER_TCB_BITS;
    case COFFER_OBJ_SCHED_CONTEXT:
        return COFFER_SCHED_CONTEXT_BITS;
    case COFFER_OBJ_PAGE_TABLE:
    case COFFER_OBJ_VSPACE:
    case COFFER_OBJ_ASID_POOL:
        return COFFER_PAGE_TABLE_BITS;
    default:
        return 0; /* the control capabilities and IRQ handlers are not retyped */
    }
}

/* CNode copy/mint/move/mutate (invoked on the destination CNode):
 * arg0 = destination index, arg1 = dest depth | src depth << 8 | rights << 16,
 * arg2 = source root CNode (cptr, 64 bits), arg3 = source index,
 * arg4 = mint/mutate data: endpoint/notification badge (0: keep),
 * frame window COFFER_WINDOW(offset, size) (0: keep), CNode guard
 * COFFER_GUARD(bits, value).
 * CNode delete/revoke/identify: arg0 = index, arg1 = depth. */
#define COFFER_CNODE_ARG1(dest_depth, src_depth, rights) \
    ((uint64_t)(dest_depth) | (uint64_t)(src_depth) << 8 | (uint64_t)(rights) << 16)
#define COFFER_WINDOW(offset, size) ((uint64_t)(offset) | (uint64_t)(size) << 32)
#define COFFER_GUARD(bits, value) ((uint64_t)(bits) | (uint64_t)(value) << 6)

/* IDENTIFY result: detail0 = type | rights << 8 | size_bits << 16 |
 * depth << 24 | flags << 32; detail1 = badge, window, guard, or for an
 * untyped the free bytes above its watermark. */
#define COFFER_ID_TYPE(d0) ((d0) & 0xff)
#define COFFER_ID_RIGHTS(d0) (((d0) >> 8) & 0xff)
#define COFFER_ID_SIZE_BITS(d0) (((d0) >> 16) & 0xff)
#define COFFER_ID_DEPTH(d0) (((d0) >> 24) & 0xff)
#define COFFER_ID_FLAGS(d0) (((d0) >> 32) & 0xff)
#define COFFER_ID_TYPE_NULL 0xff
#define COFFER_ID_TYPE_ZOMBIE 0xfe /* a CNode being torn down: delete it again */

/* FAILED_LOOKUP detail0: level | kind << 32. */
#define COFFER_LOOKUP_INVALID_ROOT 1
#define COFFER_LOOKUP_GUARD_MISMATCH 2
#define COFFER_LOOKUP_DEPTH_MISMATCH 3
#define COFFER_LOOKUP_NO_PAGE_TABLE 4 /* address space: level is the Sv39 level
                                         whose table is missing */

/* FRAME_MAP: arg0 = VSpace cptr, arg1 = virtual address, arg2 = rights
 * (R, RW or RX; W needs the capability's write right, W+X is refused). */
#define COFFER_MAP_R 0x1u
#define COFFER_MAP_W 0x2u
#define COFFER_MAP_X 0x4u
/* DELETE_FIRST detail0. */
#define COFFER_DELETE_FIRST_SLOT 0   /* a slot or page-table entry is in use */
#define COFFER_DELETE_FIRST_MAPPED 1 /* the capability is mapped: unmap it first */

/*
 * IPC (docs/threads-ipc.md).  The message info word travels in a1:
 *   bits 0-6   length: message words, 0..COFFER_MSG_MAX_WORDS
 *   bits 7-8   extra capabilities: 0..COFFER_MSG_MAX_CAPS
 *   bit  9     (received) a capability could not be received: the
 *              receiver's slots were unusable or the sender's capability
 *              had gone; the count says how many arrived
 *   bit  10    (received) the word is from the bound notification
 *   bits 12-14 (received) capability i was a capability to the endpoint
 *              it came through: unwrapped, it stays with the sender and
 *              the receiver's caps[i] holds its badge (it takes no slot;
 *              the others fill the slots in order)
 *   bits 16-63 label: any value the protocol chooses; for faults, the
 *              fault type (COFFER_FAULT_*)
 * Message words 0..3 travel in a2..a5, the rest in the IPC buffer.
 */
#define COFFER_MSG_MAX_WORDS 120
#define COFFER_MSG_MAX_CAPS 3
#define COFFER_MSG_REG_WORDS 4
#define COFFER_MSGINFO(label, caps, length) \
    ((uint64_t)(label) << 16 | (uint64_t)(caps) << 7 | (uint64_t)(length))
#define COFFER_MSG_LENGTH(info) ((info) & 0x7f)
#define COFFER_MSG_CAPS(info) (((info) >> 7) & 0x3)
#define COFFER_MSG_LABEL(info) ((info) >> 16)
#define COFFER_MSG_UNWRAPPED_SHIFT 12
#define COFFER_MSG_UNWRAPPED(info) (((info) >> COFFER_MSG_UNWRAPPED_SHIFT) & 0x7)
#define COFFER_MSG_CAP_LOST (1ull << 9)
#define COFFER_MSG_NOTIFICATION (1ull << 10)

/*
 * The IPC buffer: 1 KiB, in a frame the thread's TCB names
 * (TCB_CONFIGURE).  mr[0..3] are not used by the kernel (those words
 * travel in registers); caps[] are the sender's capabilities to transfer
 * (cptrs, resolved with 64 bits); a receiver names where transferred
 * capabilities land: recv_index.. in the CNode recv_cnode (resolved with
 * recv_depth bits; depth 0 names the root CNode).  cap_modes says how each
 * of the sender's capabilities travels, two bits for caps[i] at bit 2i
 * (COFFER_XFER_MODES).
 */
struct coffer_ipc_buffer {
    uint64_t mr[COFFER_MSG_MAX_WORDS];
    uint64_t caps[COFFER_MSG_MAX_CAPS];
    uint64_t recv_cnode;
    uint64_t recv_index;
    uint64_t recv_depth;
    uint64_t user_data; /* the kernel never touches it: thread-local use */
    uint64_t cap_modes;
};

/* How a transferred capability travels (docs/threads-ipc.md):
 *   COPY   the receiver's is a sibling of the sender's (rights, data kept);
 *   CHILD  it is a child of the sender's, as a mint that narrows nothing,
 *          so revoking the sender's capability deletes it;
 *   MOVE   it is the sender's, whose slot empties as it arrives: for what
 *          cannot be copied (untyped, page tables, IRQ handlers) too. */
#define COFFER_XFER_COPY 0u
#define COFFER_XFER_CHILD 1u
#define COFFER_XFER_MOVE 2u
#define COFFER_XFER_MODES(m0, m1, m2) ((uint64_t)(m0) | (uint64_t)(m1) << 2 | (uint64_t)(m2) << 4)
#define COFFER_XFER_MODE(modes, i) ((unsigned)((modes) >> (2 * (i))) & 3u)
#define COFFER_IPC_BUFFER_BITS 10
_Static_assert(sizeof(struct coffer_ipc_buffer) == 1u << COFFER_IPC_BUFFER_BITS,
               "the IPC buffer is 1 KiB");

/* Faults: the label of the message a fault handler receives, and its words
 * (pc, address, cause).  Replying resumes the thread; a reply with length
 * >= 1 sets its pc to word 0 first. */
#define COFFER_FAULT_NONE 0
#define COFFER_FAULT_MEMORY 1      /* page or access fault: address = stval */
#define COFFER_FAULT_EXCEPTION 2   /* illegal instruction, misaligned access, breakpoint */
#define COFFER_FAULT_SYSCALL 3     /* unknown system call: address = the number */
#define COFFER_FAULT_TIMEOUT 4     /* budget ran out: address = scheduling context's consumed us */
#define COFFER_FAULT_CONTEXT_GONE 5 /* the context lent to it died (to the timeout handler): address 0 */
#define COFFER_FAULT_WORDS 3
#define COFFER_FAULT_PC 0
#define COFFER_FAULT_ADDR 1
#define COFFER_FAULT_CAUSE 2

/* TCB_CONFIGURE and other optional capability arguments: cptr 0 (the
 * root CNode's slot 0, always empty) means none. */
#define COFFER_CPTR_NONE 0
/* TCB_READ/WRITE_REGISTERS: the order of words in the IPC buffer. */
#define COFFER_REG_PC 0 /* then x1 (ra) .. x31 at index 1..31 */
#define COFFER_REG_COUNT 32
#define COFFER_PRIO_MAX 255

/*
 * Filled in by DEBUG_KERNEL_INFO.  Sizes are in bytes; the kernel's static
 * footprint is everything it will ever use besides the objects users retype.
 */
struct coffer_kernel_info {
    uint64_t abi_version;
    uint64_t text_bytes;
    uint64_t rodata_bytes;
    uint64_t data_bytes;
    uint64_t bss_bytes;        /* includes boot stack and kernel page tables */
    uint64_t stack_bytes;      /* kernel stack (part of bss) */
    uint64_t page_table_bytes; /* kernel page tables (part of bss) */
    uint64_t ksyms_bytes;      /* symbol table for backtraces */
    uint64_t timer_ticks;      /* timer interrupts taken since boot */
    uint64_t timebase_hz;      /* frequency of the time CSR */
    uint64_t syscall_restarts; /* calls stopped at a preemption point and re-run */
    uint64_t context_switches; /* returns to user mode in another thread than the last */
};

#define COFFER_ABI_VERSION 3

#endif
