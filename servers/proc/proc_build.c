/*
 * Building a process (docs/processes.md, "Spawning"): a process bank is
 * created inside the spawner's; everything is bought from it into the
 * process's keeper CNode (itself the first purchase); the image is
 * copied into frames through the manager's scratch window and mapped
 * with each segment's rights; the stack gets argc/argv/envp/auxv; the
 * CSpace gets the process's own capabilities; the thread is configured.
 * Any step that fails destroys the process bank, and with it everything
 * bought: the spawner's bank is exactly as it was.
 */
#include <bank/bank.h>
#include <loader/initial_stack.h>
#include <process/frames.h>
#include <process/layout.h>
#include <proto/bank_client.h>
#include <string.h>

#include "proc.h"

#define PAGE COFFER_PAGE_SIZE

struct build {
    struct proc_server *s;
    unsigned i;
    struct proc_entry *p;
    coffer_cptr_t bank; /* the process bank's capability, where it is now */
    unsigned share_next; /* the shared set's slot of the next read-only frame */
};

static struct coffer_result ok(void)
{
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}

struct coffer_result proc_bank_error(struct coffer_result r)
{
    if (r.error >= COFFER_ERR_BANK_LIMIT && r.error <= COFFER_ERR_BANK_TOO_DEEP)
        return (struct coffer_result){ COFFER_ERR_PROC_BANK, r.error, r.detail0 };
    return r;
}

/* Buy an object from the process bank into keeper slot j. */
static struct coffer_result buy(struct build *b, uint64_t type, uint64_t size_bits, unsigned j)
{
    uint64_t handle;
    return proc_bank_error(
        bank_buy_into(b->s->env.buf, b->bank, type, size_bits, 1 + b->i, PROC_ROOT_SLOT_DEPTH, j, &handle));
}

static struct coffer_result buy_next(struct build *b, uint64_t type, uint64_t size_bits, coffer_cptr_t *out)
{
    unsigned j = b->p->kept++;
    *out = PROC_KEEP(b->i, j);
    return buy(b, type, size_bits, j);
}

/* Map a frame of the keeper into the process, buying page tables as the
 * walk needs them. */
static struct coffer_result map(struct build *b, coffer_cptr_t frame, uint64_t va, unsigned rights)
{
    coffer_cptr_t vspace = PROC_KEEP(b->i, PROC_K_VSPACE);
    for (;;) {
        struct coffer_result r = coffer_frame_map(frame, vspace, va, rights);
        if (r.error != COFFER_ERR_FAILED_LOOKUP || r.detail0 >> 32 != COFFER_LOOKUP_NO_PAGE_TABLE)
            return r;
        coffer_cptr_t pt;
        if ((r = buy_next(b, COFFER_OBJ_PAGE_TABLE, 0, &pt)).error != COFFER_ERR_OK ||
            (r = coffer_page_table_map(pt, vspace, va)).error != COFFER_ERR_OK)
            return r;
    }
}

/* The next frame of a region: the process's own, bought and filled, or a
 * read-only alias of its shared set's. */
static struct coffer_result region_frame(struct build *b, const struct proc_spawn *sp, const struct load_region *rg,
                                         uint64_t off, uint64_t n, coffer_cptr_t *frame)
{
    if (rg->shared && b->p->shared != 0) {
        unsigned j = b->p->kept++;
        *frame = PROC_KEEP(b->i, j);
        coffer_cptr_t self = PROC_SELF(PROC_S_CNODE);
        return coffer_cnode_mint(self, *frame, 64, self, PROC_SHARE(b->p->shared - 1u, b->share_next++), 64,
                                 COFFER_RIGHT_READ, 0);
    }
    struct coffer_result r = buy_next(b, COFFER_OBJ_FRAME, COFFER_PAGE_BITS + process_log2_ceil(n), frame);
    if (r.error != COFFER_ERR_OK)
        return r;
    return proc_fill_image_frame(b->s, *frame, rg, sp, off * PAGE, n * PAGE);
}

static struct coffer_result load_region(struct build *b, const struct proc_spawn *sp, const struct load_region *rg)
{
    for (uint64_t off = 0, n; off < rg->pages; off += n) {
        n = proc_chunk_pages(rg->vaddr, off, rg->pages);
        coffer_cptr_t frame;
        struct coffer_result r;
        if ((r = region_frame(b, sp, rg, off, n, &frame)).error != COFFER_ERR_OK ||
            (r = map(b, frame, rg->vaddr + off * PAGE, rg->rights)).error != COFFER_ERR_OK)
            return r;
    }
    return ok();
}

/* Keeper slots the plan needs: the fixed ones, a frame per chunk, and at
 * most two page tables per 2 MiB span touched (stack and IPC buffer
 * included). */
static unsigned keeper_slots(const struct load_plan *plan)
{
    unsigned n = PROC_K_FIRST + 2 * 2;
    for (unsigned r = 0; r < plan->nregions; r++) {
        const struct load_region *rg = &plan->regions[r];
        for (uint64_t off = 0; off < rg->pages; off += proc_chunk_pages(rg->vaddr, off, rg->pages))
            n++;
        n += 2 * (unsigned)((rg->vaddr + rg->pages * PAGE - 1) / PROCESS_SPAN_2M - rg->vaddr / PROCESS_SPAN_2M + 1);
    }
    return n;
}

struct coffer_result proc_bank_and_cnode(struct proc_server *s, coffer_cptr_t parent, uint64_t limit, unsigned root,
                                         unsigned bits, unsigned bank_slot, coffer_cptr_t *bank)
{
    coffer_cptr_t self = PROC_SELF(PROC_S_CNODE);
    uint64_t id, handle;
    *bank = 0;
    struct coffer_result r = proc_bank_error(
        bank_create_into(s->env.buf, parent, limit, 0, PROC_ROOT_SLOT_DEPTH, PROC_S_TEMP2, &id));
    if (r.error != COFFER_ERR_OK)
        return r;
    *bank = PROC_SELF(PROC_S_TEMP2);
    if ((r = proc_bank_error(bank_buy_into(s->env.buf, *bank, COFFER_OBJ_CNODE, bits, 0, PROC_ROOT_SLOT_DEPTH,
                                           PROC_S_TEMP, &handle))).error != COFFER_ERR_OK ||
        (r = coffer_cnode_mutate(self, root, PROC_ROOT_SLOT_DEPTH, self, PROC_SELF(PROC_S_TEMP), 64, COFFER_RIGHTS_ALL,
                                 COFFER_GUARD(PROC_LEAF_BITS - bits, 0))).error != COFFER_ERR_OK)
        return r;
    coffer_cptr_t placed = (coffer_cptr_t)root << PROC_LEAF_BITS | bank_slot;
    if ((r = coffer_cnode_move(self, placed, 64, self, *bank, 64)).error == COFFER_ERR_OK)
        *bank = placed;
    return r;
}

bool proc_root_is_cnode(unsigned root)
{
    struct coffer_result r = coffer_cnode_identify(PROC_SELF(PROC_S_CNODE), root, PROC_ROOT_SLOT_DEPTH);
    return r.error == COFFER_ERR_OK && COFFER_ID_TYPE(r.detail0) == COFFER_OBJ_CNODE;
}

/* The process bank and the keeper: root slot 1 + i, so that its slot j
 * is PROC_KEEP(i, j). */
static struct coffer_result bank_and_keeper(struct build *b, const struct proc_spawn *sp)
{
    unsigned bits = process_log2_ceil(keeper_slots(sp->plan));
    bits = bits < PROC_KEEPER_MIN_BITS ? PROC_KEEPER_MIN_BITS : bits;
    if (bits > PROC_LEAF_BITS)
        return (struct coffer_result){ COFFER_ERR_PROC_BAD_IMAGE, (uint64_t)(int64_t)LOAD_ERR_TOO_MANY, 0 };
    struct coffer_result r = proc_bank_and_cnode(b->s, sp->bank, sp->limit, 1 + b->i, bits, PROC_K_BANK, &b->bank);
    b->p->bank_alive = b->bank != 0;
    b->p->keeper_bits = (uint8_t)bits;
    b->p->kept = PROC_K_FIRST;
    return r;
}

/* The initial stack, at the top of the stack frame. */
struct stack_fill {
    struct initial_stack_args args;
    uint64_t sp;
    int status;
};

static int build_stack(void *ctx, uint8_t *bytes, uint64_t size)
{
    struct stack_fill *f = ctx;
    f->status = initial_stack_build(bytes, size, PROCESS_STACK_TOP, &f->args, &f->sp);
    return 0; /* from the manager's own memory: nothing vanishes */
}

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static struct coffer_result stack(struct build *b, const struct proc_spawn *sp, uint64_t *sp_out)
{
    struct stack_fill f = { .args = { .argc = sp->text->argc, .argv = sp->text->argv, .envc = sp->text->envc,
                                      .envp = sp->text->envp, .plan = sp->plan,
                                      .timebase_hz = b->s->env.timebase_hz } };
    uint64_t seed = b->s->env.random = mix(b->s->env.random ^ b->p->pid);
    for (unsigned k = 0; k < LOADER_RANDOM_BYTES; k += 8) {
        seed = mix(seed);
        memcpy(&f.args.random[k], &seed, 8);
    }
    coffer_cptr_t frame = PROC_KEEP(b->i, PROC_K_STACK);
    struct coffer_result r;
    if ((r = buy(b, COFFER_OBJ_FRAME, 16, PROC_K_STACK)).error != COFFER_ERR_OK ||
        (r = proc_fill_frame(b->s, frame, PROCESS_STACK_BYTES, build_stack, &f)).error != COFFER_ERR_OK)
        return r;
    if (f.status != STACK_OK)
        return (struct coffer_result){ COFFER_ERR_PROC_BAD_TEXT, 0, 0 }; /* cannot be: the text fits */
    *sp_out = f.sp;
    return map(b, frame, PROCESS_STACK_TOP - PROCESS_STACK_BYTES, COFFER_MAP_R | COFFER_MAP_W);
}

/* The process's own capabilities, in its CSpace. */
static struct coffer_result cspace(struct build *b)
{
    struct proc_server *s = b->s;
    coffer_cptr_t self = PROC_SELF(PROC_S_CNODE), root = PROC_KEEP(b->i, PROC_K_CNODE);
    static const struct { unsigned slot, keep; } copies[] = {
        { PROCESS_SLOT_CNODE, PROC_K_CSPACE }, { PROCESS_SLOT_VSPACE, PROC_K_VSPACE }, { PROCESS_SLOT_TCB, PROC_K_TCB },
        { PROCESS_SLOT_SC, PROC_K_SC },        { PROCESS_SLOT_IPC_BUFFER, PROC_K_IPC },
    };
    /* two levels: the leaf in the root's slot 0, the root guarded */
    struct coffer_result r = coffer_cnode_copy(PROC_KEEP(b->i, PROC_K_ROOT), 0, PROCESS_ROOT_BITS, self, root, 64);
    if (r.error == COFFER_ERR_OK)
        r = coffer_cnode_mint(self, PROC_KEEP(b->i, PROC_K_CSPACE), 64, self, PROC_KEEP(b->i, PROC_K_ROOT), 64,
                              COFFER_RIGHTS_ALL, COFFER_GUARD(PROCESS_ROOT_GUARD_BITS, 0));
    for (unsigned k = 0; k < sizeof copies / sizeof copies[0] && r.error == COFFER_ERR_OK; k++)
        r = coffer_cnode_copy(root, copies[k].slot, PROCESS_CNODE_BITS, self, PROC_KEEP(b->i, copies[k].keep), 64);
    if (r.error != COFFER_ERR_OK ||
        (r = proc_bank_error(bank_restrict_into(s->env.buf, b->bank, BANK_RIGHT_BUY | BANK_RIGHT_FREE | BANK_RIGHT_CREATE,
                                           root, 64, PROCESS_SLOT_BANK))).error != COFFER_ERR_OK)
        return r;
    return coffer_cnode_mint(root, PROCESS_SLOT_MANAGER, PROCESS_CNODE_BITS, self, PROC_SELF(PROC_S_ENDPOINT), 64,
                             COFFER_PROTO_CLIENT_RIGHTS, PROC_BADGE(PROC_KIND_SELF, b->p->gen, b->i));
}

/* The thread: configured, at its priority, on its context, at the entry
 * with the stack; not running. */
static struct coffer_result thread(struct build *b, uint64_t entry, uint64_t sp)
{
    struct proc_server *s = b->s;
    coffer_cptr_t self = PROC_SELF(PROC_S_CNODE), tcb = PROC_KEEP(b->i, PROC_K_TCB);
    struct coffer_result r = proc_fault_endpoint(s, b->i);
    if (r.error != COFFER_ERR_OK)
        return r;
    r = coffer_tcb_configure(tcb, PROC_SELF(PROC_S_TEMP), PROC_KEEP(b->i, PROC_K_CSPACE),
                             PROC_KEEP(b->i, PROC_K_VSPACE), PROCESS_IPC_BUFFER_VADDR, PROC_KEEP(b->i, PROC_K_IPC));
    coffer_cnode_delete(self, PROC_SELF(PROC_S_TEMP), 64);
    if (r.error != COFFER_ERR_OK ||
        (r = coffer_tcb_set_priority(tcb, PROC_SELF(PROC_S_TCB), b->p->priority)).error != COFFER_ERR_OK ||
        (r = coffer_tcb_set_mcp(tcb, PROC_SELF(PROC_S_TCB), b->p->mcp)).error != COFFER_ERR_OK ||
        (r = coffer_sched_control_configure(PROC_SELF(PROC_S_SCHED_CONTROL), PROC_KEEP(b->i, PROC_K_SC),
                                            b->p->budget_us, b->p->period_us)).error != COFFER_ERR_OK ||
        (r = coffer_tcb_set_sched_context(tcb, PROC_KEEP(b->i, PROC_K_SC))).error != COFFER_ERR_OK)
        return r;
    struct coffer_ipc_buffer *buf = s->env.buf;
    for (unsigned k = 0; k < COFFER_REG_COUNT; k++)
        buf->mr[k] = 0;
    buf->mr[COFFER_REG_PC] = entry;
    buf->mr[2] = sp;
    return coffer_tcb_write_registers(tcb, COFFER_REG_COUNT, 0);
}

static struct coffer_result objects(struct build *b)
{
    struct coffer_result r;
    if ((r = buy(b, COFFER_OBJ_VSPACE, 0, PROC_K_VSPACE)).error != COFFER_ERR_OK ||
        (r = buy(b, COFFER_OBJ_CNODE, PROCESS_CNODE_BITS, PROC_K_CNODE)).error != COFFER_ERR_OK ||
        (r = buy(b, COFFER_OBJ_CNODE, PROCESS_ROOT_BITS, PROC_K_ROOT)).error != COFFER_ERR_OK ||
        (r = buy(b, COFFER_OBJ_TCB, 0, PROC_K_TCB)).error != COFFER_ERR_OK ||
        (r = buy(b, COFFER_OBJ_SCHED_CONTEXT, 0, PROC_K_SC)).error != COFFER_ERR_OK ||
        (r = buy(b, COFFER_OBJ_FRAME, COFFER_PAGE_BITS, PROC_K_IPC)).error != COFFER_ERR_OK)
        return r;
    return map(b, PROC_KEEP(b->i, PROC_K_IPC), PROCESS_IPC_BUFFER_VADDR, COFFER_MAP_R | COFFER_MAP_W);
}

struct coffer_result proc_build(struct proc_server *s, unsigned i, const struct proc_spawn *sp)
{
    struct build b = { .s = s, .i = i, .p = &s->procs[i], .share_next = PROC_SHARE_FIRST };
    uint64_t stack_pointer = 0;
    int shared;
    struct coffer_result r = proc_shared_get(s, sp, &shared);
    b.p->shared = (uint8_t)(shared + 1);
    if (r.error == COFFER_ERR_OK)
        r = bank_and_keeper(&b, sp);
    if (r.error == COFFER_ERR_OK)
        r = objects(&b);
    for (unsigned k = 0; k < sp->plan->nregions && r.error == COFFER_ERR_OK; k++)
        r = load_region(&b, sp, &sp->plan->regions[k]);
    if (r.error == COFFER_ERR_OK)
        r = stack(&b, sp, &stack_pointer);
    if (r.error == COFFER_ERR_OK)
        r = cspace(&b);
    if (r.error == COFFER_ERR_OK)
        r = thread(&b, sp->plan->entry, stack_pointer);
    if (r.error != COFFER_ERR_OK) {
        if (b.p->bank_alive)
            bank_destroy(b.bank); /* everything bought goes with it */
        proc_bank_gone(s, i);
    }
    return r;
}

void proc_bank_gone(struct proc_server *s, unsigned i)
{
    struct proc_entry *p = &s->procs[i];
    p->bank_alive = false;
    if (p->shared != 0)
        proc_shared_put(s, p->shared - 1u);
    p->shared = 0;
}

void proc_destroy_bank(struct proc_server *s, unsigned i)
{
    if (!s->procs[i].bank_alive)
        return;
    bank_destroy(PROC_KEEP(i, PROC_K_BANK));
    proc_bank_gone(s, i);
}

bool proc_alive(const struct proc_server *s, unsigned i)
{
    (void)s;
    return proc_root_is_cnode(1 + i);
}

uint64_t proc_cpu_us(const struct proc_server *s, unsigned i)
{
    if (!s->procs[i].bank_alive || !proc_alive(s, i))
        return s->procs[i].cpu_us;
    struct coffer_result r = coffer_sched_context_consumed(PROC_KEEP(i, PROC_K_SC));
    return r.error == COFFER_ERR_OK ? r.detail0 + proc_threads_cpu_us(s, i) : s->procs[i].cpu_us;
}
