/*
 * Building a service from one untyped (starter.h).  The bank and the
 * process manager build different things with the same steps.
 */
#include <starter/starter.h>
#include <stdio.h>

#define ROOT COFFER_SLOT_CNODE
#define W COFFER_RETYPE_AT_WATERMARK

static struct coffer_result ok(void)
{
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}

bool starter_step(const struct starter *st, struct coffer_result r, const char *what)
{
    if (r.error != COFFER_ERR_OK)
        printf("# %s: %s failed: %s (%llu, %llu)\n", st->name, what, coffer_error_name(r.error),
               (unsigned long long)r.detail0, (unsigned long long)r.detail1);
    return r.error == COFFER_ERR_OK;
}

struct coffer_result starter_make(struct starter *st, uint64_t type, uint64_t size_bits, coffer_cptr_t slot)
{
    struct coffer_result r = coffer_untyped_retype(st->untyped, type, size_bits, ROOT, 0, slot, 1, W);
    if (r.error == COFFER_ERR_OK)
        st->own_bytes += 1ull << coffer_object_bits(type, size_bits);
    return r;
}

struct coffer_result starter_open(struct starter *st, coffer_cptr_t untyped, coffer_cptr_t keep,
                                  unsigned keep_bits, coffer_cptr_t temp, coffer_cptr_t temp_table,
                                  const char *name)
{
    *st = (struct starter){ .untyped = untyped, .vspace = COFFER_SLOT_VSPACE, .keep = keep, .keep_bits = keep_bits,
                            .temp = temp, .temp_table = temp_table, .name = name };
    return starter_make(st, COFFER_OBJ_CNODE, keep_bits, keep);
}

struct coffer_result starter_keep(struct starter *st, coffer_cptr_t slot)
{
    if (st->kept == 1u << st->keep_bits)
        return (struct coffer_result){ COFFER_ERR_NOT_ENOUGH_MEMORY, 0, 0 };
    return coffer_cnode_move(st->keep, st->kept++, st->keep_bits, ROOT, slot, 64);
}

struct coffer_result starter_table(struct starter *st, uint64_t va)
{
    struct coffer_result r = starter_make(st, COFFER_OBJ_PAGE_TABLE, 0, st->temp_table), kept;
    if (r.error != COFFER_ERR_OK || (r = coffer_page_table_map(st->temp_table, st->vspace, va)).error != COFFER_ERR_OK)
        return r;
    kept = starter_keep(st, st->temp_table);
    return kept.error == COFFER_ERR_OK ? r : kept;
}

struct coffer_result starter_map_kept(struct starter *st, coffer_cptr_t slot, uint64_t va)
{
    for (;;) {
        struct coffer_result r = coffer_frame_map(slot, st->vspace, va, COFFER_MAP_R | COFFER_MAP_W);
        if (r.error == COFFER_ERR_OK)
            return starter_keep(st, slot);
        if (r.error != COFFER_ERR_FAILED_LOOKUP || r.detail0 >> 32 != COFFER_LOOKUP_NO_PAGE_TABLE ||
            (r = starter_table(st, va)).error != COFFER_ERR_OK)
            return r;
    }
}

struct coffer_result starter_memory(struct starter *st, uint64_t va, uint64_t bytes)
{
    for (uint64_t off = 0; off < bytes; off += COFFER_PAGE_SIZE) {
        struct coffer_result r = starter_make(st, COFFER_OBJ_FRAME, COFFER_PAGE_BITS, st->temp);
        if (r.error != COFFER_ERR_OK || (r = starter_map_kept(st, st->temp, va + off)).error != COFFER_ERR_OK)
            return r;
    }
    return ok();
}

struct coffer_result starter_window(struct starter *st, uint64_t va, uint64_t bytes)
{
    for (uint64_t a = va; a < va + bytes; a += 2ull << 20) {
        uint64_t level = 1;
        while (level != 0) {
            struct coffer_result r = starter_table(st, a);
            if (r.error != COFFER_ERR_OK)
                return r;
            level = r.detail0;
        }
    }
    return ok();
}

struct coffer_result starter_thread(struct starter *st, coffer_cptr_t cspace, uint64_t ipc_va, uint8_t priority,
                                    coffer_cptr_t tcb, coffer_cptr_t sc)
{
    struct coffer_result r;
    if (!starter_step(st, r = starter_make(st, COFFER_OBJ_FRAME, COFFER_PAGE_BITS, st->temp), "make an IPC buffer") ||
        !starter_step(st, r = coffer_frame_map(st->temp, st->vspace, ipc_va, COFFER_MAP_R | COFFER_MAP_W),
                      "map the IPC buffer") ||
        !starter_step(st, r = starter_make(st, COFFER_OBJ_TCB, 0, tcb), "make a TCB") ||
        !starter_step(st, r = starter_make(st, COFFER_OBJ_SCHED_CONTEXT, 0, sc), "make a scheduling context") ||
        !starter_step(st, r = coffer_tcb_configure(tcb, st->fault_ep, cspace, st->vspace, ipc_va, st->temp),
                      "configure the thread") ||
        !starter_step(st, r = starter_keep(st, st->temp), "keep the IPC buffer") ||
        !starter_step(st, r = coffer_tcb_set_priority(tcb, COFFER_SLOT_TCB, priority), "set its priority") ||
        !starter_step(st, r = coffer_sched_control_configure(COFFER_SLOT_SCHED_CONTROL, sc, 10000, 10000),
                      "its budget"))
        return r;
    return r;
}

struct coffer_result starter_rescued_thread(struct starter *st, coffer_cptr_t cspace, uint64_t ipc_va,
                                            uint8_t priority, coffer_cptr_t tcb, coffer_cptr_t sc,
                                            coffer_cptr_t rescue)
{
    coffer_cptr_t fault_ep = st->fault_ep;
    st->fault_ep = rescue;
    struct coffer_result r = starter_thread(st, cspace, ipc_va, priority, tcb, sc);
    st->fault_ep = fault_ep;
    if (r.error == COFFER_ERR_OK)
        starter_step(st, r = coffer_tcb_set_timeout_handler(tcb, rescue), "its timeout endpoint");
    return r;
}

struct coffer_result starter_yield_to(uint8_t priority)
{
    struct coffer_result r = coffer_tcb_set_priority(COFFER_SLOT_TCB, COFFER_SLOT_TCB, priority > 0 ? priority - 1 : 0);
    if (r.error != COFFER_ERR_OK)
        return r;
    return coffer_tcb_set_priority(COFFER_SLOT_TCB, COFFER_SLOT_TCB, 255);
}
