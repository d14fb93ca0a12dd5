/*
 * ASIDs: address-space identifiers, so that switching between address
 * spaces needs no TLB flush.
 *
 * No kernel heap: the kernel keeps one static table of ASID_POOLS pool
 * addresses (1 KiB, the object the ASID control capability names).  A
 * pool is an object retyped from untyped (4 KiB: 512 entries, each the
 * physical address of a VSpace root or 0).  The ASID control capability
 * gives a retyped pool a free range of 512 ASIDs (pool index i holds
 * ASIDs 512i .. 512i + 511); a pool capability then assigns ASIDs to
 * address spaces.  Whoever wants address spaces pays for the pool; the
 * control capability decides who may have pools at all, so no one can
 * exhaust the table without that authority.
 *
 * An address space's ASID is kept in its capability's data, set by
 * ASID_POOL_ASSIGN on the only capability to the VSpace (so every later
 * copy carries it, and no address space can get two).  ASID 0 is never
 * assigned.  When a VSpace dies its entry is cleared and its ASID's TLB
 * entries flushed; when a pool dies, all of its entries go and the whole
 * TLB is flushed.  A capability whose ASID no longer names its VSpace is
 * refused by every operation that needs the address space.
 */
#ifndef COFFER_KERNEL_ASID_H
#define COFFER_KERNEL_ASID_H

#include "cap/cap.h"
#include "object/invoke.h"

/* The root of the address space an ASID names, or 0. */
paddr_t asid_vspace(uint64_t asid);

/* The root table of the VSpace capability c if its ASID is valid, else 0. */
paddr_t asid_vspace_of(const struct cap *c);

/* Boot: the control capability, the initial pool (index 0) at pool_pa with
 * root_vspace as ASID 1, and their capabilities (inserted by the caller). */
void asid_boot(paddr_t pool_pa, paddr_t root_vspace, struct cap *control, struct cap *pool);

/* Invocations on ASID control and ASID pool capabilities. */
struct coffer_result asid_control_invoke(struct invocation *inv);
struct coffer_result asid_pool_invoke(struct invocation *inv);

/* Death hooks (the last capability goes). */
/* A pool dies: its ASIDs go.  Returns whether it had any, and the first. */
bool asid_pool_dies(const struct cap *pool, uint64_t *first);
void asid_vspace_dies(const struct cap *vspace);

/* Empty the table (host tests). */
void asid_reset(void);

#endif
