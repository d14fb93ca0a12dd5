#include "object/asid.h"
#include "arch.h"
#include "cap/cdt.h"
#include "object/objects.h"
#include "object/vspace.h"

/* Physical address of the pool holding ASIDs 512i.., or 0 (the object the
 * ASID control capability names). */
static paddr_t asid_pools[ASID_POOLS] __attribute__((aligned(1u << ASID_TABLE_BITS)));

STATIC_ASSERT(sizeof(asid_pools) == (1u << ASID_TABLE_BITS), "the control object's size");
STATIC_ASSERT(ASID_POOL_ENTRIES * sizeof(paddr_t) == (1u << ASID_POOL_BITS), "a pool's size");

static paddr_t *pool_entries(paddr_t pool)
{
    return arch_phys_to_virt(pool);
}

paddr_t asid_vspace(uint64_t asid)
{
    if (asid == 0 || asid >= (uint64_t)ASID_POOLS * ASID_POOL_ENTRIES)
        return 0;
    paddr_t pool = asid_pools[asid / ASID_POOL_ENTRIES];
    return pool != 0 ? pool_entries(pool)[asid % ASID_POOL_ENTRIES] : 0;
}

paddr_t asid_vspace_of(const struct cap *c)
{
    if (c->type != CAP_VSPACE || asid_vspace(c->data) != c->object)
        return 0;
    return c->object;
}

void asid_reset(void)
{
    for (unsigned i = 0; i < ASID_POOLS; i++)
        asid_pools[i] = 0;
}

void asid_boot(paddr_t pool_pa, paddr_t root_vspace, struct cap *control, struct cap *pool)
{
    asid_reset();
    asid_pools[0] = pool_pa;
    pool_entries(pool_pa)[1] = root_vspace;
    *control = (struct cap){ .object = arch_kernel_phys(asid_pools), .type = CAP_ASID_CONTROL,
                             .rights = CAP_RIGHTS_ALL };
    *pool = (struct cap){ .object = pool_pa, .type = CAP_ASID_POOL, .rights = CAP_RIGHTS_ALL };
}

/* The table index of an active pool, or -1. */
static int pool_index(paddr_t pool)
{
    for (int i = 0; i < ASID_POOLS; i++)
        if (asid_pools[i] == pool)
            return i;
    return -1;
}

/* MAKE_POOL: the pool's cptr (64 bits in the caller's CSpace). */
struct coffer_result asid_control_invoke(struct invocation *inv)
{
    if (inv->label != COFFER_INV_ASID_CONTROL_MAKE_POOL)
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    struct slot *s;
    struct coffer_result r = lookup_slot(&inv->thread->cspace_root.cap,
                                         INV_ARG(inv, ASID_CONTROL_MAKE_POOL, pool), 64, &s);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (s->cap.type != CAP_ASID_POOL)
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
    if (pool_index(s->cap.object) >= 0)
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0); /* active already */
    int free = pool_index(0);
    if (free < 0)
        return syscall_error(COFFER_ERR_NOT_ENOUGH_MEMORY, 0, 0); /* every range is taken */
    asid_pools[free] = s->cap.object;
    return syscall_ok((uint64_t)free * ASID_POOL_ENTRIES, 0);
}

/* ASSIGN: the VSpace's cptr.  Result: the ASID. */
struct coffer_result asid_pool_invoke(struct invocation *inv)
{
    if (inv->label != COFFER_INV_ASID_POOL_ASSIGN)
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    int index = pool_index(inv->slot->cap.object);
    if (index < 0)
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0); /* no ASIDs yet */
    struct slot *s;
    struct coffer_result r = lookup_slot(&inv->thread->cspace_root.cap,
                                         INV_ARG(inv, ASID_POOL_ASSIGN, vspace), 64, &s);
    if (r.error != COFFER_ERR_OK)
        return r;
    if (s->cap.type != CAP_VSPACE)
        return syscall_error(COFFER_ERR_INVALID_CAPABILITY, 0, 0);
    /* Only the one capability, before any copy: copies then carry the ASID,
     * and no address space gets two. */
    if (s->cap.data != 0 || !cdt_is_last(s))
        return syscall_error(COFFER_ERR_ILLEGAL_OPERATION, 0, 0);
    paddr_t *entries = pool_entries(inv->slot->cap.object);
    unsigned first = index == 0 ? 1 : 0; /* ASID 0 is never used */
    for (unsigned i = first; i < ASID_POOL_ENTRIES; i++) {
        if (entries[i] == 0) {
            entries[i] = s->cap.object;
            s->cap.data = (uint64_t)index * ASID_POOL_ENTRIES + i;
            return syscall_ok(s->cap.data, 0);
        }
    }
    return syscall_error(COFFER_ERR_NOT_ENOUGH_MEMORY, 0, 0); /* the pool is full */
}

bool asid_pool_dies(const struct cap *pool, uint64_t *first)
{
    int index = pool_index(pool->object);
    if (index < 0)
        return false;
    asid_pools[index] = 0;
    arch_tlb_flush_all(); /* any of its 512 ASIDs may have entries */
    *first = (uint64_t)index * ASID_POOL_ENTRIES;
    return true;
}

void asid_vspace_dies(const struct cap *vspace)
{
    uint64_t asid = vspace->data;
    if (asid_vspace(asid) != vspace->object)
        return;
    pool_entries(asid_pools[asid / ASID_POOL_ENTRIES])[asid % ASID_POOL_ENTRIES] = 0;
    arch_tlb_flush_asid(asid);
}
