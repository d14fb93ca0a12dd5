/*
 * Capabilities and slots.
 *
 * A capability names a kernel object and says what its holder may do with
 * it.  A slot holds one capability plus its node in the capability
 * derivation tree (CDT, cdt.h), so all derivation bookkeeping lives in
 * memory the slot's owner paid for (the CNode), never in the kernel.
 *
 * Invariants (checked by cdt_check()):
 *  - a slot whose cap.type is CAP_NULL is in no tree; every other slot is
 *    in the global CDT exactly once;
 *  - cap.object is aligned to the object's size, and the object lies
 *    inside the untyped it was retyped from;
 *  - rights, windows and badges only ever narrow from parent to child.
 */
#ifndef COFFER_KERNEL_CAP_H
#define COFFER_KERNEL_CAP_H

#include "cap/rbtree.h"
#include "types.h"
#include "support/kstring.h"
#include <coffer/abi.h>

/* Capability types: the object types of the ABI list, shifted by one so
 * that 0 is the null capability, then kernel-internal types. */
enum cap_type {
    CAP_NULL = 0,
#define OBJECT(name, num, desc) CAP_##name = (num) + 1,
#include <coffer/objects.def>
#undef OBJECT
    /* An object being destroyed (zombie.h): what the last capability to a
     * CNode, or to a frame too large to zero at once, turned into when it
     * was deleted.  It cannot be invoked, copied or moved; deleting it
     * again continues the teardown. */
    CAP_ZOMBIE,
    CAP_TYPE_COUNT
};

static inline enum cap_type cap_type_of_object(enum coffer_object_type t)
{
    return (enum cap_type)(t + 1);
}

/* Rights (a mask).  Mint and mutate may only clear bits. */
#define CAP_RIGHT_READ COFFER_RIGHT_READ
#define CAP_RIGHT_WRITE COFFER_RIGHT_WRITE
#define CAP_RIGHT_GRANT COFFER_RIGHT_GRANT
#define CAP_RIGHT_GRANT_REPLY COFFER_RIGHT_GRANT_REPLY
#define CAP_RIGHTS_ALL COFFER_RIGHTS_ALL

/* Flags. */
#define CAP_FLAG_DEVICE 0x1u /* untyped or frame over device memory */
#define CAP_FLAG_BADGED 0x2u /* endpoint/notification badge is set (set once) */

/*
 * The capability itself: 24 bytes.
 *
 *   object     physical address of the object
 *   size_bits  untyped: log2 bytes; CNode: log2 slots; frame: log2 bytes
 *   depth      derivation depth among the capabilities to the same object
 *              (0 for the capability retype created; +1 for each mint)
 *   guard_bits CNode: number of guard bits; guard value in data
 *   data       endpoint/notification: badge
 *              frame: window, offset in the low 32 bits, size in the high
 *              untyped: watermark (bytes from the start used by retype)
 *              CNode: guard value
 *              zombie: teardown cursor (zombie.h); size_bits is then
 *              log2 bytes of the dying object, zombie_of its type
 */
struct cap {
    uint64_t object;
    uint8_t type;
    uint8_t rights;
    uint8_t size_bits;
    uint8_t depth;
    uint8_t flags;
    uint8_t guard_bits;
    uint8_t zombie_of; /* zombie: the type of the dying object */
    uint8_t obj_bits;  /* log2 bytes of the object: set by cdt_insert_object,
                          kept by copies, so the tree's hot paths need not
                          derive it from type and size_bits */
    uint64_t data;
};

STATIC_ASSERT(sizeof(struct cap) == 24, "a capability is three words");

#define CAP_DEPTH_MAX 127 /* depth is packed into 7 bits of the CDT node */

/*
 * A slot: 64 bytes, so a CNode of 2^k slots is 2^(k+6) bytes and slots
 * are naturally aligned (the CDT stores a colour bit in the low bits of
 * its pointers).  Why 64: the capability (24) and the tree node with its
 * parent, two children and augmented summary (32) leave one word for the
 * address-space layer to record the mapping a frame or page-table
 * capability made (one mapping per capability, as in seL4), so mapping
 * needs no kernel memory either.  An untyped, which maps nothing, keeps
 * there the bytes of its range that live objects carved directly from it
 * take (a child untyped counts whole), so UNTYPED_DESCRIBE can say what
 * is free, holes below the watermark included, without a walk.
 */
/* Invariant: an empty slot (a null capability) is all zero, tree links
 * and mapping word included — every path that empties a slot clears all
 * of it (cap_remove, cdt_move, a revoke's batch, a zombie's finish), and
 * retyped CNode memory starts zero — so a CNode whose capabilities are
 * gone is zero memory with nothing left to clear (zombie.c). */
struct slot {
    struct cap cap;
    union {
        uint64_t mapping; /* frame, page table: its mapping; zombie: teardown link */
        uint64_t used;    /* untyped: bytes its live objects take */
    };
    struct rb_node node;
};

#define SLOT_BITS 6
STATIC_ASSERT(sizeof(struct slot) == (1u << SLOT_BITS), "slot size is fixed ABI");

/* Empty a slot: all of it zero (the invariant above), in line. */
static inline void slot_clear(struct slot *s)
{
    STATIC_ASSERT(sizeof(*s) == 64, "a slot is zero_64's size");
    zero_64(s);
}

static inline struct slot *slot_of_node(const struct rb_node *n)
{
    return (struct slot *)(uintptr_t)((const char *)n - offsetof(struct slot, node));
}

/* A frame capability's window: offset in the low 32 bits of data, size in
 * the high 32 (0: the whole frame). */
static inline uint64_t frame_window_offset(const struct cap *c)
{
    return c->data & 0xffffffffu;
}

static inline uint64_t frame_window_size(const struct cap *c)
{
    uint64_t size = c->data >> 32;
    return size != 0 ? size : 1ull << c->size_bits;
}

static inline bool cap_is_null(const struct cap *c)
{
    return c->type == CAP_NULL;
}

/* Can a holder copy this capability (CNode copy, IPC transfer)?  Not an
 * untyped (it has one capability, cdt.h), a page table (mapped in one
 * place only), an IRQ handler (one per line), or a zombie. */
static inline bool cap_copy_allowed(const struct cap *c)
{
    return c->type != CAP_NULL && c->type != CAP_UNTYPED && c->type != CAP_PAGE_TABLE &&
           c->type != CAP_IRQ_HANDLER && c->type != CAP_ZOMBIE;
}

#endif
