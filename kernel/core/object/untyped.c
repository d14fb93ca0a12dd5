/*
 * Untyped retype: carve objects out of untyped memory.
 *
 * Placement: at an explicit byte offset anywhere no live object overlaps
 * (memory freed by deleting an object is reusable at once), or, with
 * COFFER_RETYPE_AT_WATERMARK, at the first suitably aligned offset above
 * the watermark.  The watermark is the end of the highest object ever
 * retyped from this untyped; it returns to 0 when revoke has removed every
 * descendant.  Placement policy (buddy, slab, ...) belongs to user space:
 * the kernel only checks.
 *
 * Nothing is zeroed here: free memory in a RAM untyped is always zero
 * (boot zeroes it, and objects are zeroed when they die: cap_delete.h).
 * Device memory is never zeroed: it may be a device's registers.
 */
#include "cap/cdt.h"
#include "object/invoke.h"
#include "object/objects.h"
#include "object/vspace.h"
#include "support/kstring.h"
#include "thread/thread.h"

struct retype_request {
    enum coffer_object_type type;
    unsigned user_bits;
    struct object_size size;
    uint64_t count;
    struct slot *dest; /* first destination slot */
    uint64_t offset;   /* resolved byte offset of the first object */
    bool placed;       /* below the watermark: the range check found */
    struct cdt_place place; /* where the objects go in the tree */
};

static struct coffer_result decode_type(const struct invocation *inv, struct retype_request *req)
{
    const struct cap *ut = &inv->slot->cap;
    uint64_t type = INV_ARG(inv, UNTYPED_RETYPE, type);
    req->user_bits = (unsigned)INV_ARG(inv, UNTYPED_RETYPE, size_bits);
    req->count = INV_ARG(inv, UNTYPED_RETYPE, count);
    if (!object_retypable((enum coffer_object_type)type))
        return syscall_error(COFFER_ERR_INVALID_ARGUMENT, 0, 0);
    req->type = (enum coffer_object_type)type;
    if ((ut->flags & CAP_FLAG_DEVICE) && !object_allowed_from_device(req->type))
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    if (!object_size(req->type, req->user_bits, &req->size))
        return syscall_error(COFFER_ERR_RANGE_ERROR, req->size.min, req->size.max);
    /* A child untyped must be smaller than its parent: an untyped has one
     * capability, and equal ranges would make two.  (Objects too large
     * for the untyped fail the placement check with NOT_ENOUGH_MEMORY.) */
    if (req->type == COFFER_OBJ_UNTYPED && req->user_bits >= ut->size_bits)
        return syscall_error(COFFER_ERR_RANGE_ERROR, req->size.min, ut->size_bits - 1u);
    if (req->count < 1 || req->count > COFFER_RETYPE_MAX_COUNT)
        return syscall_error(COFFER_ERR_RANGE_ERROR, 1, COFFER_RETYPE_MAX_COUNT);
    return syscall_ok(0, 0);
}

static struct coffer_result decode_destination(struct invocation *inv, struct retype_request *req)
{
    const struct cap *cnode;
    struct coffer_result r =
        lookup_cnode(inv->thread, INV_ARG(inv, UNTYPED_RETYPE, dest_cnode),
                     INV_ARG(inv, UNTYPED_RETYPE, dest_depth), 1, &cnode);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (!(cnode->rights & CAP_RIGHT_WRITE)) /* new capabilities go in: cnode.c */
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 1, 0);
    uint64_t slots = 1ull << cnode->size_bits, index = INV_ARG(inv, UNTYPED_RETYPE, dest_index);
    if (req->count > slots) /* more objects than the CNode has slots */
        return syscall_error(COFFER_ERR_RANGE_ERROR, 1, slots);
    if (index >= slots || req->count > slots - index)
        return syscall_error(COFFER_ERR_RANGE_ERROR, 0, slots - req->count);
    req->dest = &cnode_slots(cnode)[index];
    for (uint64_t i = 0; i < req->count; i++)
        if (!cap_is_null(&req->dest[i].cap))
            return syscall_error(COFFER_ERR_DELETE_FIRST, 2, index + i);
    return syscall_ok(0, 0);
}

static struct coffer_result decode_placement(const struct slot *ut, struct retype_request *req,
                                             uint64_t offset_arg)
{
    uint64_t ut_size = 1ull << ut->cap.size_bits, obj_size = 1ull << req->size.size_bits;
    uint64_t total = req->count << req->size.size_bits; /* count <= 256: no overflow */
    uint64_t offset = offset_arg;
    if (offset_arg == COFFER_RETYPE_AT_WATERMARK) {
        offset = ALIGN_UP(ut->cap.data, obj_size);
        if (offset > ut_size || total > ut_size - offset)
            return syscall_error(COFFER_ERR_NOT_ENOUGH_MEMORY,
                                 ut_size - (ut->cap.data < ut_size ? ut->cap.data : ut_size), 0);
    } else {
        if (!IS_ALIGNED(offset, obj_size))
            return syscall_error(COFFER_ERR_ALIGNMENT_ERROR, 3, obj_size);
        if (offset >= ut_size || total > ut_size - offset)
            return syscall_error(COFFER_ERR_NOT_ENOUGH_MEMORY,
                                 offset < ut_size ? ut_size - offset : 0, 0);
    }
    /* Nothing lives at or above the watermark (cdt_check checks it), so
     * only a range starting below it needs the search. */
    uint64_t base = ut->cap.object + offset;
    req->placed = offset < ut->cap.data;
    req->place = (struct cdt_place){ NULL };
    if (req->placed && cdt_range_in_use(ut, base, base + total, &req->place))
        return syscall_error(COFFER_ERR_REVOKE_FIRST, 0, 0);
    req->offset = offset;
    return syscall_ok(0, 0);
}

static void perform_retype(struct slot *ut, const struct retype_request *req)
{
    uint64_t obj_size = 1ull << req->size.size_bits;
    bool device = (ut->cap.flags & CAP_FLAG_DEVICE) != 0;
    for (uint64_t i = 0; i < req->count; i++) {
        uint64_t paddr = ut->cap.object + req->offset + i * obj_size;
        struct slot *s = &req->dest[i];
        s->cap = (struct cap){
            .object = paddr,
            .type = (uint8_t)cap_type_of_object(req->type),
            .rights = CAP_RIGHTS_ALL,
            .size_bits = (uint8_t)req->user_bits,
            .flags = device ? CAP_FLAG_DEVICE : 0,
        };
        s->mapping = 0;
        if (req->placed)
            cdt_insert_at(&req->place, s); /* the range check's search, used again */
        else
            cdt_insert_object(s);
        vspace_object_created(&s->cap);
    }
    uint64_t end = req->offset + req->count * obj_size;
    if (end > ut->cap.data)
        ut->cap.data = end;
    ut->used += req->count * obj_size;
}

/* Where the untyped is and what of it is free, for allocators and the
 * audit: O(1), from the count of used bytes its slot keeps (cap.h). */
static struct coffer_result untyped_describe(struct invocation *inv)
{
    struct coffer_ipc_buffer *buf = thread_ipc_buffer(inv->thread);
    if (buf == NULL)
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    const struct slot *ut = inv->slot;
    uint64_t size = 1ull << ut->cap.size_bits;
    struct coffer_untyped_info info = {
        .paddr = ut->cap.object,
        .size_bits = ut->cap.size_bits,
        .watermark = ut->cap.data,
        .free_bytes = size - ut->used,
    };
    _Static_assert(sizeof(info) <= sizeof(buf->mr), "the description fits the message words");
    memcpy(buf->mr, &info, sizeof(info));
    return syscall_ok(info.free_bytes, 0);
}

static struct coffer_result untyped_retype(struct invocation *inv)
{
    struct retype_request req;
    struct coffer_result r = decode_type(inv, &req);
    if (r.error == COFFER_ERR_OK)
        r = decode_destination(inv, &req);
    if (r.error == COFFER_ERR_OK)
        r = decode_placement(inv->slot, &req, INV_ARG(inv, UNTYPED_RETYPE, offset));
    if (r.error != COFFER_ERR_OK)
        return r;
    perform_retype(inv->slot, &req);
    return syscall_ok(req.offset, 0);
}

struct coffer_result untyped_invoke(struct invocation *inv)
{
    switch (inv->label) {
    case COFFER_INV_UNTYPED_RETYPE:
        return untyped_retype(inv);
    case COFFER_INV_UNTYPED_DESCRIBE:
        return untyped_describe(inv);
    default:
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    }
}
