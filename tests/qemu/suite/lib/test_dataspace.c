/*
 * Dataspaces in QEMU (lib/dataspace), run in the key-value group, whose
 * bank service pays: a dataspace bought and attached (its page tables
 * bought from the same bank), a read-only sub-range alias attached beside
 * it and reading what the original wrote, a write through the alias and a
 * read after the dataspace went taken by a prober thread's fault handler
 * (me) -- nobody else notices -- and both lifetimes: dropping the original
 * capability leaves the alias valid, freeing the dataspace takes every
 * alias and mapping with it, every byte back in the bank.
 */
#include "ktest.h"
#include <dataspace/dataspace.h>
#include <proto/bank_client.h>

#include "servers/kv_test.h"

#define DS_VA 0x2100000000ull /* a GiB of mine no table covers yet */
#define ALIAS_VA (DS_VA + 0x100000)
#define PROBE_IPC_VA (DS_VA + 0x1ff000)

enum { FIRST = 200, LAST = 260 };

static unsigned next;

static bool slot_of_mine(void *ctx, uint64_t *slot)
{
    (void)ctx;
    if (FIRST + next >= LAST)
        return false;
    *slot = S(FIRST + next++);
    return true;
}

static const struct dataspace_env *env(void)
{
    static struct dataspace_env e;
    e = (struct dataspace_env){ .buf = kv_buf(), .bank = S(BANK), .cnode = ROOT, .slot = slot_of_mine };
    return &e;
}

/* The prober: one load or store at an address I give it, through a
 * fault endpoint that is mine. */
static volatile uint64_t probe_va, probe_value;
static volatile bool probe_store, probed;
static uint64_t probe_stack[512];

static void prober(uint64_t arg)
{
    (void)arg;
    if (probe_store)
        *(volatile uint64_t *)(uintptr_t)probe_va = 0x5a5a;
    else
        probe_value = *(volatile uint64_t *)(uintptr_t)probe_va;
    probed = true;
    for (;;)
        coffer_yield();
}

enum { P_TCB = LAST, P_SC, P_EP, P_REPLY };

/* Run the prober once on va; true if it faulted there (I hear it as its
 * fault handler: the address and a page-fault cause), false if it did the
 * access. */
static bool probe_faults(const struct dataspace *ipc, uint64_t va, bool store)
{
    probe_va = va;
    probe_store = store;
    probed = false;
    bool made = ktest_step(coffer_untyped_retype(S(CONTAINER), COFFER_OBJ_TCB, 0, ROOT, 0, S(P_TCB), 1, W), "a TCB") &&
                ktest_step(coffer_untyped_retype(S(CONTAINER), COFFER_OBJ_SCHED_CONTEXT, 0, ROOT, 0, S(P_SC), 1, W),
                           "a context") &&
                ktest_step(coffer_tcb_configure(S(P_TCB), S(P_EP), ROOT, COFFER_SLOT_VSPACE, PROBE_IPC_VA, ipc->frame),
                           "configure the prober") &&
                ktest_step(coffer_tcb_set_priority(S(P_TCB), COFFER_SLOT_TCB, 100), "its priority") &&
                ktest_step(coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, S(P_SC), 1000, 10000), "budget") &&
                ktest_step(coffer_tcb_set_sched_context(S(P_TCB), S(P_SC)), "bind") &&
                ktest_step(coffer_thread_start(S(P_TCB), kv_buf(), prober, probe_stack + 512, 0), "start it");
    struct coffer_msg m = coffer_ipc_recv_until(S(P_EP), S(P_REPLY), coffer_time_now() + 10000000);
    bool faulted = made && m.error == COFFER_ERR_OK && COFFER_MSG_LABEL(m.info) == COFFER_FAULT_MEMORY &&
                   m.mr[COFFER_FAULT_ADDR] == va && !probed;
    coffer_cnode_delete(ROOT, S(P_TCB), D);
    coffer_cnode_delete(ROOT, S(P_SC), D);
    return faulted;
}

void dataspace_cases(void)
{
    struct dataspace ds, alias, strong, ipc;
    next = 0;
    uint64_t before = held(S(BANK)), objects_before = objects(S(BANK));
    if (!ktest_step(coffer_untyped_retype(S(CONTAINER), COFFER_OBJ_ENDPOINT, 0, ROOT, 0, S(P_EP), 1, W), "an endpoint") ||
        !ktest_step(coffer_untyped_retype(S(CONTAINER), COFFER_OBJ_REPLY, 0, ROOT, 0, S(P_REPLY), 1, W), "a reply"))
        return;
    ktest_check(dataspace_alloc(env(), 10000, &ds).error == COFFER_ERR_OK && ds.bytes == 16384 && ds.handle != 0 &&
                    dataspace_attach(env(), &ds, COFFER_SLOT_VSPACE, DS_VA, true).error == COFFER_ERR_OK &&
                    objects(S(BANK)) == objects_before + 16384 + 2 * COFFER_PAGE_SIZE,
                "dataspace: 10,000 bytes bought as a 16 KiB frame and attached; the two page tables the walk lacked "
                "bought from the same bank");
    volatile uint64_t *w = (volatile uint64_t *)(uintptr_t)DS_VA;
    w[512] = 0x1234; /* at 4 KiB */
    ktest_check(dataspace_alias(env(), &ds, COFFER_PAGE_SIZE, COFFER_PAGE_SIZE, false, &alias).error == COFFER_ERR_OK &&
                    dataspace_attach(env(), &alias, COFFER_SLOT_VSPACE, ALIAS_VA, false).error == COFFER_ERR_OK &&
                    *(volatile uint64_t *)(uintptr_t)ALIAS_VA == 0x1234,
                "dataspace: a read-only alias of its second page, attached elsewhere, reads what the original wrote");
    ktest_check(dataspace_alias(env(), &alias, 0, COFFER_PAGE_SIZE, true, &strong).error != COFFER_ERR_OK ||
                    dataspace_attach(env(), &strong, COFFER_SLOT_VSPACE, ALIAS_VA + COFFER_PAGE_SIZE, true).error !=
                        COFFER_ERR_OK,
                "dataspace: an alias of the read-only alias cannot be attached writable (never more than its source)");
    struct dataspace outside;
    ktest_check(dataspace_alias(env(), &ds, 16384, COFFER_PAGE_SIZE, false, &outside).error != COFFER_ERR_OK &&
                    dataspace_alias(env(), &ds, 100, COFFER_PAGE_SIZE, false, &outside).error != COFFER_ERR_OK,
                "dataspace: an alias past the end, or not page-aligned, is refused");
    ktest_check(dataspace_alloc(env(), 0, &outside).error == COFFER_ERR_INVALID_ARGUMENT &&
                    dataspace_alloc(env(), (1ull << 30) + 1, &outside).error == COFFER_ERR_INVALID_ARGUMENT &&
                    dataspace_free(env(), &alias).error == COFFER_ERR_BANK_NOT_BOUGHT,
                "dataspace: 0 bytes or more than 1 GiB is INVALID_ARGUMENT; an alias cannot be freed (BANK_NOT_BOUGHT)");
    if (!ktest_step(dataspace_alloc(env(), COFFER_PAGE_SIZE, &ipc), "the prober's IPC buffer") ||
        !ktest_step(dataspace_attach(env(), &ipc, COFFER_SLOT_VSPACE, PROBE_IPC_VA, true), "attached"))
        return;
    ktest_check(probe_faults(&ipc, ALIAS_VA, true) && *(volatile uint64_t *)(uintptr_t)ALIAS_VA == 0x1234,
                "dataspace: a store through the read-only alias faults, and its thread's handler hears of it (address)");
    struct dataspace mine = ds;
    ktest_check(dataspace_drop(env(), &mine).error == COFFER_ERR_OK &&
                    *(volatile uint64_t *)(uintptr_t)ALIAS_VA == 0x1234 && !probe_faults(&ipc, ALIAS_VA, false) &&
                    probe_value == 0x1234,
                "dataspace: the original capability dropped (its mapping with it): the alias stays valid and mapped");
    ktest_check(dataspace_free(env(), &ds).error == COFFER_ERR_OK && probe_faults(&ipc, ALIAS_VA, false) &&
                    coffer_cnode_identify(ROOT, alias.frame, D).detail0 == COFFER_ID_TYPE_NULL,
                "dataspace: freed: the alias is deleted and unmapped everywhere; a read there faults to the handler");
    dataspace_free(env(), &ipc);
    coffer_cnode_delete(ROOT, S(P_EP), D);
    coffer_cnode_delete(ROOT, S(P_REPLY), D);
    ktest_check(objects(S(BANK)) == objects_before + 2 * COFFER_PAGE_SIZE && held(S(BANK)) >= before,
                "dataspace: both dataspaces freed; what the bank still holds is the two page tables (its side's to keep)");
}
