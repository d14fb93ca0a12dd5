/*
 * Starting the space-bank server (serve.c): a thread of the starter's
 * address space with a CSpace of its own, passive once it waits for
 * requests (it runs on its callers' scheduling contexts), serving
 * proto/bank.def.  The starter hands it
 *   - an untyped for the server's own memory: its tables, its buddy trees,
 *     its CSpace, the page tables of its record window, its stack — sized
 *     by the RAM it manages and fixed from then on (bank_service_own_bytes);
 *   - the RAM untyped of the prime bank, which it moves to the server;
 *   - optionally an ASID pool, so that the VSpaces it sells can run threads.
 * and gets back the prime bank's capability.
 */
#ifndef BANK_SERVER_BANK_SERVICE_H
#define BANK_SERVER_BANK_SERVICE_H

#include <coffer.h>

struct bank_server;

#define BANK_SERVICE_SLOTS 8 /* starter slots the service keeps, from first_slot */

struct bank_service_config {
    coffer_cptr_t work_untyped;   /* the server's own memory */
    const coffer_cptr_t *ram;     /* the prime bank's RAM untyped (moved to the server) */
    coffer_cptr_t asid_pool;      /* an ASID pool with its range, copied to the server: every VSpace
                                     sold gets an ASID from it (0: VSpaces are sold without one) */
    unsigned nram;
    uint64_t first_slot;          /* BANK_SERVICE_SLOTS free slots of the starter's root CNode */
    unsigned root_bits;           /* the server's CSpace root: 2^root_bits - 2 record chunks at most */
    unsigned nbanks;              /* banks at once, at most */
    uint64_t own_va;              /* the server's own memory in the shared address space */
    uint64_t window_va;           /* its record chunks: window_va + (paddr - the lowest RAM paddr) */
    uint8_t priority;
    unsigned workers;             /* server threads on the one endpoint, 1-4 (0: 2) */
};

struct bank_service {
    coffer_cptr_t tcb;            /* the server thread (the starter's slot) */
    coffer_cptr_t cspace;         /* its root CNode */
    coffer_cptr_t prime;          /* a capability to the prime bank, every right */
    struct bank_server *server;   /* its state, for the audit (same address space) */
    const volatile uint64_t *rescues; /* workers it let finish after their client's context died */
    const volatile uint32_t *books_lock; /* the books' lock word, 0 when free (serve.c): a test that
                                            must strike a request outside its locked stretch looks */
    uint64_t own_bytes;           /* what it took of work_untyped */
};

/* Start the server; on success its prime bank holds every byte of the
 * RAM untyped.  Errors: the step's that failed (a "#" line names it). */
struct coffer_result bank_service_start(const struct bank_service_config *cfg, struct bank_service *out);

/*
 * The audit (bank_audit.c): every bank, each after its parent (the prime
 * bank first, depth 0), as INFO reports it, with its objects per type
 * (its sub-banks' included).  For every bank held = free + objects +
 * overhead + children, and children is the sum of its sub-banks' held.
 * The starter calls it between requests (it shares the address space).
 */
struct bank_audit_entry {
    unsigned depth;
    uint64_t badge;                     /* BANK_BADGE(index, generation, no rights): names it */
    uint64_t limit, held, objects, overhead, children, free;
    uint32_t count, banks;              /* its own objects; its direct sub-banks */
    uint32_t type_count[COFFER_OBJ_COUNT_];
};
typedef void (*bank_audit_fn)(void *ctx, const struct bank_audit_entry *bank);
unsigned bank_audit(struct bank_server *s, bank_audit_fn visit, void *ctx);

#endif
