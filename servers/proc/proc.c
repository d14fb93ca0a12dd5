/*
 * The process manager's requests (proto/proc.def): each handler checks
 * everything -- who calls, the arguments, the text, the image, the bank
 * -- before it changes anything, then acts.  Building is proc_build.c's.
 */
#include <bank/bank.h>
#include <bank/verify.h>
#include <image/bootimage.h>
#include <process/layout.h>
#include <proto/bank_client.h>
#include <proto/proc_server.h>
#include <string.h>

#include "proc.h"

#define PROC_PERIOD_MAX_US 3600000000ull /* SCHED_CONTROL_CONFIGURE's */
#define PROC_BUDGET_MIN_US 100ull

static struct coffer_result ok(void)
{
    return (struct coffer_result){ COFFER_ERR_OK, 0, 0 };
}

static struct coffer_result fail(uint64_t error, uint64_t d0, uint64_t d1)
{
    return (struct coffer_result){ error, d0, d1 };
}

void proc_server_init(struct proc_server *s, const struct proc_env *env)
{
    memset(s, 0, sizeof *s);
    s->env = *env;
    s->next_pid = 1;
}

static unsigned index_of(const struct proc_server *s, const struct proc_entry *p)
{
    return (unsigned)(p - s->procs);
}

/* The entry a badge of this kind names, if it is still that process. */
static struct proc_entry *entry_of(struct proc_server *s, uint64_t badge, unsigned kind, struct coffer_result *r)
{
    if (PROC_BADGE_KIND(badge) != kind) {
        *r = fail(COFFER_ERR_PROC_WRONG_KIND, PROC_BADGE_KIND(badge), 0);
        return NULL;
    }
    unsigned i = PROC_BADGE_INDEX(badge);
    struct proc_entry *p = i < PROC_MAX ? &s->procs[i] : NULL;
    if (p == NULL || p->state == PROC_STATE_FREE || p->gen != PROC_BADGE_GEN(badge)) {
        *r = fail(COFFER_ERR_PROC_GONE, 0, 0);
        return NULL;
    }
    return p;
}

/* ------------------------------------------------------------------ ending */

static void record_end(struct proc_server *s, unsigned i, unsigned how, uint64_t code, uint64_t pc, uint64_t addr)
{
    struct proc_entry *p = &s->procs[i];
    p->cpu_us = proc_cpu_us(s, i);
    p->state = PROC_STATE_ENDED;
    p->how = (uint8_t)how;
    p->code = (uint32_t)code;
    p->pc = pc;
    p->addr = addr;
    s->ended++;
    coffer_signal(PROC_SELF(PROC_S_EXITS + i)); /* its spawner's notification, with its badge */
}

static bool alive_pid(const struct proc_server *s, uint32_t pid)
{
    for (unsigned i = 0; i < PROC_MAX; i++)
        if (s->procs[i].pid == pid && (s->procs[i].state == PROC_STATE_BUILT || s->procs[i].state == PROC_STATE_RUNNING))
            return true;
    return false;
}

static void forget(struct proc_server *s, unsigned i)
{
    s->reap_pending &= ~(1ull << i); /* a REAP must not find its successor */
    coffer_cnode_delete(PROC_SELF(PROC_S_CNODE), PROC_SELF(PROC_S_EXITS + i), 64);
    s->procs[i] = (struct proc_entry){ .gen = (s->procs[i].gen + 1) & 0xfffffu }; /* its handles are stale */
}

/*
 * After a bank is destroyed: processes whose banks went with it (spawned
 * inside it) ended too, killed; and an ended process whose spawner has
 * ended as well can be waited for by no one (its handle was the
 * spawner's), so it is reaped here, its bank destroyed if it still
 * stands -- which may end more.  Until nothing changes: each round ends
 * or frees at least one entry, so at most 2 * PROC_MAX rounds.
 */
static void sweep(struct proc_server *s)
{
    for (bool changed = true; changed;) {
        changed = false;
        for (unsigned i = 0; i < PROC_MAX; i++) {
            struct proc_entry *p = &s->procs[i];
            if (p->state != PROC_STATE_FREE && p->bank_alive && !proc_alive(s, i)) {
                proc_bank_gone(s, i);
                if (p->state != PROC_STATE_ENDED)
                    record_end(s, i, PROC_ENDED_KILLED, 0, 0, 0);
                changed = true;
            }
            if (p->state == PROC_STATE_ENDED && p->parent != 0 && !alive_pid(s, p->parent) &&
                !(s->reap_pending >> i & 1)) { /* a pending one is REAP's */
                proc_destroy_bank(s, i);
                forget(s, i);
                changed = true;
            }
        }
    }
}

/* End process i: stopped, its status kept, its spawner told; with
 * PROC_SPAWN_REAP_AT_EXIT its bank goes at once (only the status waits for
 * WAIT) -- but not at an EXIT (proc_serve_exit says why). */
static void end(struct proc_server *s, unsigned i, unsigned how, uint64_t code, uint64_t pc, uint64_t addr)
{
    struct proc_entry *p = &s->procs[i];
    if (p->bank_alive) {
        coffer_tcb_suspend(PROC_KEEP(i, PROC_K_TCB));
        proc_threads_stop(s, i);
    }
    record_end(s, i, how, code, pc, addr);
    if ((p->flags & PROC_SPAWN_REAP_AT_EXIT) && how != PROC_ENDED_EXIT)
        proc_destroy_bank(s, i);
}

/* Whether an ended process will be waited for by no one. */
static bool orphan(const struct proc_server *s, const struct proc_entry *p)
{
    return p->parent != 0 && !alive_pid(s, p->parent);
}

static void destroy(struct proc_server *s, unsigned i)
{
    proc_destroy_bank(s, i);
    sweep(s);
}

/* ------------------------------------------------------------------ spawn */

/* What the caller may give: init everything, a process what it has. */
struct coffer_result proc_authority(const struct proc_server *s, uint64_t badge, uint64_t priority,
                                      uint64_t mcp, uint64_t budget, uint64_t period, uint32_t *parent)
{
    unsigned kind = PROC_BADGE_KIND(badge);
    if (kind == PROC_KIND_INIT) {
        *parent = 0;
        return ok();
    }
    if (kind != PROC_KIND_SELF)
        return fail(COFFER_ERR_PROC_WRONG_KIND, kind, 0);
    unsigned i = PROC_BADGE_INDEX(badge);
    const struct proc_entry *me = i < PROC_MAX ? &s->procs[i] : NULL;
    if (me == NULL || me->state != PROC_STATE_RUNNING || me->gen != PROC_BADGE_GEN(badge))
        return fail(COFFER_ERR_PROC_GONE, 0, 0);
    if (priority > me->mcp)
        return fail(COFFER_ERR_PROC_AUTHORITY, 0, me->mcp);
    if (mcp > me->mcp)
        return fail(COFFER_ERR_PROC_AUTHORITY, 1, me->mcp);
    if ((unsigned __int128)budget * me->period_us > (unsigned __int128)me->budget_us * period)
        return fail(COFFER_ERR_PROC_AUTHORITY, 2, me->budget_us * 1000000u / me->period_us);
    *parent = me->pid;
    return ok();
}

struct coffer_result proc_check_cpu(uint64_t budget, uint64_t period)
{
    if (period < PROC_BUDGET_MIN_US || period > PROC_PERIOD_MAX_US || budget < PROC_BUDGET_MIN_US || budget > period)
        return fail(COFFER_ERR_PROC_BAD_ARGUMENT, 1, 0);
    return ok();
}

static struct coffer_result check_arguments(uint64_t priority, uint64_t mcp, uint64_t flags, uint64_t budget,
                                            uint64_t period)
{
    (void)priority;
    (void)mcp; /* 8-bit fields: 0-255, every one a priority */
    if ((flags & ~(uint64_t)PROC_SPAWN_FLAGS) != 0)
        return fail(COFFER_ERR_PROC_BAD_ARGUMENT, 0, 0);
    return proc_check_cpu(budget, period);
}

/* The image, found and planned. */
static struct coffer_result find_image(const struct proc_server *s, const char *name, struct bootimage_file *file,
                                       struct load_plan *plan)
{
    if (bootimage_find(s->env.boot_image, s->env.boot_image_size, name, file) != BOOTIMAGE_OK)
        return fail(COFFER_ERR_PROC_NO_IMAGE, 0, 0);
    int status = load_plan_make(file->data, file->size, PROCESS_STACK_TOP - PROCESS_STACK_BYTES, plan);
    if (status != LOAD_OK)
        return fail(COFFER_ERR_PROC_BAD_IMAGE, (uint64_t)(int64_t)status, 0);
    return ok();
}

/* A genuine bank of the bank server's that can buy and create; *id its
 * identity. */
static struct coffer_result check_bank(struct proc_server *s, coffer_cptr_t bank, uint64_t *id)
{
    if (!bank_is_genuine(s->env.buf, PROC_SELF(PROC_S_BANK), bank, BANK_RIGHT_BUY | BANK_RIGHT_CREATE, id))
        return fail(COFFER_ERR_PROC_NOT_BANK, 0, 0);
    return ok();
}

static int free_entry(const struct proc_server *s)
{
    for (unsigned i = 0; i < PROC_MAX; i++)
        if (s->procs[i].state == PROC_STATE_FREE)
            return (int)i;
    return -1;
}

static void start(struct proc_server *s, unsigned i)
{
    coffer_tcb_resume(PROC_KEEP(i, PROC_K_TCB));
    s->procs[i].state = PROC_STATE_RUNNING;
}

/* What SPAWN and SPAWN_FRAME both take. */
struct spawn_request {
    uint64_t priority, mcp, flags, argc, envc, budget_us, period_us, limit;
    const uint8_t *text;
    coffer_cptr_t bank, exits;
};

/* The checks before the image: who calls, the arguments, the authority,
 * the text (with the image's name, or without). */
static struct coffer_result check_request(const struct proc_server *s, const struct coffer_request *rq,
                                          const struct spawn_request *q, bool named, struct proc_text *t,
                                          uint32_t *parent)
{
    struct coffer_result r = PROC_BADGE_KIND(rq->badge) == PROC_KIND_HANDLE
                                 ? fail(COFFER_ERR_PROC_WRONG_KIND, PROC_KIND_HANDLE, 0)
                                 : check_arguments(q->priority, q->mcp, q->flags, q->budget_us, q->period_us);
    if (r.error == COFFER_ERR_OK)
        r = proc_authority(s, rq->badge, q->priority, q->mcp, q->budget_us, q->period_us, parent);
    if (r.error != COFFER_ERR_OK)
        return r;
    unsigned bad = proc_text_parse(q->text, (unsigned)q->argc, (unsigned)q->envc, named, t);
    return bad != 0 ? fail(COFFER_ERR_PROC_BAD_TEXT, bad, 0) : ok();
}

/* The rest, the image planned: the bank, an entry, the process built on
 * its bank, the spawner's notification kept and its handle made. */
/* Whether the caller's context died since `before` (the rescuer lent the
 * worker one of the manager's): no one will get the reply. */
static bool caller_died(const struct proc_server *s, uint64_t before)
{
    return s->env.rescues != NULL && *s->env.rescues != before;
}

static struct coffer_result spawn(struct proc_server *s, const struct spawn_request *q, uint32_t parent,
                                  struct proc_spawn *sp, uint64_t *pid, coffer_cptr_t *process)
{
    uint64_t rescues = s->env.rescues != NULL ? *s->env.rescues : 0;
    struct coffer_result r = check_bank(s, q->bank, &sp->payer);
    if (r.error != COFFER_ERR_OK)
        return r;
    int i = free_entry(s);
    if (i < 0)
        return fail(COFFER_ERR_PROC_TABLE_FULL, 0, 0);
    struct proc_entry *p = &s->procs[i];
    uint32_t gen = p->gen;
    *p = (struct proc_entry){ .gen = gen, .state = PROC_STATE_BUILT, .flags = (uint8_t)q->flags,
                              .priority = (uint8_t)q->priority, .mcp = (uint8_t)q->mcp, .pid = s->next_pid,
                              .parent = parent, .budget_us = q->budget_us, .period_us = q->period_us,
                              .limit = q->limit };
    strncpy(p->name, sp->text->argv[0], PROC_NAME_BYTES - 1);
    if ((r = proc_build(s, (unsigned)i, sp)).error != COFFER_ERR_OK ||
        (r = coffer_cnode_copy(PROC_SELF(PROC_S_CNODE), PROC_SELF(PROC_S_EXITS + i), 64, PROC_SELF(PROC_S_CNODE),
                               q->exits, 64)).error != COFFER_ERR_OK ||
        (r = coffer_cnode_mint(PROC_SELF(PROC_S_CNODE), PROC_SELF(PROC_S_TEMP), 64, PROC_SELF(PROC_S_CNODE),
                               PROC_SELF(PROC_S_ENDPOINT), 64, COFFER_PROTO_CLIENT_RIGHTS,
                               PROC_BADGE(PROC_KIND_HANDLE, gen, i))).error != COFFER_ERR_OK ||
        caller_died(s, rescues)) {
        /* A process no one holds a handle to would stay for ever: undone
         * when its spawner died during the spawn, as after any failure. */
        if (r.error == COFFER_ERR_OK) {
            coffer_cnode_delete(PROC_SELF(PROC_S_CNODE), PROC_SELF(PROC_S_TEMP), 64);
            r = fail(COFFER_ERR_PROC_GONE, 0, 0);
        }
        proc_destroy_bank(s, (unsigned)i);
        coffer_cnode_delete(PROC_SELF(PROC_S_CNODE), PROC_SELF(PROC_S_EXITS + i), 64);
        *p = (struct proc_entry){ .gen = gen };
        return r;
    }
    s->next_pid++;
    s->spawned++;
    if (q->flags & PROC_SPAWN_START)
        start(s, (unsigned)i);
    *pid = p->pid;
    *process = PROC_SELF(PROC_S_TEMP);
    return ok();
}

struct coffer_result proc_serve_spawn(struct proc_server *s, const struct coffer_request *rq, uint64_t priority,
                                      uint64_t mcp, uint64_t flags, uint64_t argc, uint64_t envc,
                                      uint64_t budget_us, uint64_t period_us, uint64_t limit, const uint8_t *text,
                                      coffer_cptr_t bank, coffer_cptr_t exits, uint64_t *pid,
                                      coffer_cptr_t *process)
{
    struct spawn_request q = { priority, mcp, flags, argc, envc, budget_us, period_us, limit, text, bank, exits };
    uint32_t parent = 0;
    struct proc_text t;
    struct bootimage_file file;
    struct load_plan plan;
    struct coffer_result r = check_request(s, rq, &q, true, &t, &parent);
    if (r.error == COFFER_ERR_OK)
        r = find_image(s, t.image, &file, &plan);
    if (r.error != COFFER_ERR_OK)
        return r;
    struct proc_spawn sp = { .text = &t, .image = file.data, .image_size = file.size, .plan = &plan,
                             .limit = limit, .bank = bank };
    return spawn(s, &q, parent, &sp, pid, process);
}

struct coffer_result proc_serve_spawn_frame(struct proc_server *s, const struct coffer_request *rq,
                                            uint64_t priority, uint64_t mcp, uint64_t flags, uint64_t argc,
                                            uint64_t envc, uint64_t budget_us, uint64_t period_us, uint64_t limit,
                                            uint64_t image_bytes, const uint8_t *text, coffer_cptr_t bank,
                                            coffer_cptr_t exits, coffer_cptr_t image, uint64_t *pid,
                                            coffer_cptr_t *process)
{
    struct spawn_request q = { priority, mcp, flags, argc, envc, budget_us, period_us, limit, text, bank, exits };
    uint32_t parent = 0;
    struct proc_text t;
    struct load_plan plan;
    const void *data;
    struct coffer_result r = check_request(s, rq, &q, false, &t, &parent);
    if (r.error == COFFER_ERR_OK)
        r = proc_frame_open(s, image, image_bytes, &data, &plan);
    if (r.error != COFFER_ERR_OK)
        return r;
    struct proc_spawn sp = { .text = &t, .image = data, .image_size = image_bytes, .guarded = true,
                             .plan = &plan, .limit = limit, .bank = bank };
    r = spawn(s, &q, parent, &sp, pid, process);
    proc_frame_close(image);
    return r;
}

/* ------------------------------------------------------------ the others */

/* The handle's process if it is built and not started yet (FAULTS, START). */
static struct proc_entry *unstarted(struct proc_server *s, uint64_t badge, struct coffer_result *r)
{
    struct proc_entry *p = entry_of(s, badge, PROC_KIND_HANDLE, r);
    if (p != NULL && p->state != PROC_STATE_BUILT) {
        *r = fail(COFFER_ERR_PROC_STARTED, 0, 0);
        return NULL;
    }
    return p;
}

struct coffer_result proc_serve_grant(struct proc_server *s, const struct coffer_request *rq, uint64_t slot,
                                      coffer_cptr_t cap)
{
    struct coffer_result r;
    struct proc_entry *p = entry_of(s, rq->badge, PROC_KIND_HANDLE, &r);
    if (p == NULL)
        return r;
    if (slot >= PROCESS_GRANTED_SLOTS)
        return fail(COFFER_ERR_PROC_BAD_ARGUMENT, 2, 0);
    if (p->state != PROC_STATE_BUILT)
        return fail(COFFER_ERR_PROC_STARTED, 0, 0);
    unsigned i = index_of(s, p);
    coffer_cnode_delete(PROC_KEEP(i, PROC_K_CNODE), PROCESS_SLOT_GRANTED + slot, PROCESS_CNODE_BITS);
    return coffer_cnode_copy(PROC_KEEP(i, PROC_K_CNODE), PROCESS_SLOT_GRANTED + slot, PROCESS_CNODE_BITS,
                             PROC_SELF(PROC_S_CNODE), cap, 64);
}

struct coffer_result proc_serve_faults(struct proc_server *s, const struct coffer_request *rq, coffer_cptr_t endpoint)
{
    struct coffer_result r;
    struct proc_entry *p = unstarted(s, rq->badge, &r);
    if (p == NULL)
        return r;
    struct coffer_result id = coffer_cnode_identify(PROC_SELF(PROC_S_CNODE), endpoint, 64);
    if (id.error != COFFER_ERR_OK || COFFER_ID_TYPE(id.detail0) != COFFER_OBJ_ENDPOINT)
        return fail(COFFER_ERR_PROC_BAD_ARGUMENT, 4, 0);
    unsigned i = index_of(s, p);
    coffer_cptr_t self = PROC_SELF(PROC_S_CNODE), keep = PROC_KEEP(i, PROC_K_FAULTS);
    coffer_cnode_delete(self, keep, 64); /* an earlier FAULTS's */
    if ((r = coffer_cnode_copy(self, keep, 64, self, endpoint, 64)).error != COFFER_ERR_OK)
        return r;
    p->spawner_faults = true;
    if ((r = proc_fault_endpoint(s, i)).error == COFFER_ERR_OK)
        r = coffer_tcb_configure(PROC_KEEP(i, PROC_K_TCB), PROC_SELF(PROC_S_TEMP), PROC_KEEP(i, PROC_K_CSPACE),
                                 PROC_KEEP(i, PROC_K_VSPACE), PROCESS_IPC_BUFFER_VADDR, PROC_KEEP(i, PROC_K_IPC));
    coffer_cnode_delete(self, PROC_SELF(PROC_S_TEMP), 64);
    if (r.error != COFFER_ERR_OK) { /* the manager's again */
        p->spawner_faults = false;
        coffer_cnode_delete(self, keep, 64);
    }
    return r;
}

struct coffer_result proc_serve_start(struct proc_server *s, const struct coffer_request *rq)
{
    struct coffer_result r;
    struct proc_entry *p = unstarted(s, rq->badge, &r);
    if (p == NULL)
        return r;
    start(s, index_of(s, p));
    return ok();
}

struct coffer_result proc_serve_wait(struct proc_server *s, const struct coffer_request *rq, uint64_t *how,
                                     uint64_t *code, uint64_t *pc, uint64_t *addr, uint64_t *cpu_us)
{
    struct coffer_result r;
    struct proc_entry *p = entry_of(s, rq->badge, PROC_KIND_HANDLE, &r);
    if (p == NULL)
        return r;
    unsigned i = index_of(s, p);
    sweep(s);
    if (p->state != PROC_STATE_ENDED)
        return fail(COFFER_ERR_PROC_RUNNING, 0, 0);
    *how = p->how;
    *code = p->code;
    *pc = p->pc;
    *addr = p->addr;
    *cpu_us = p->cpu_us;
    proc_destroy_bank(s, i);
    forget(s, i); /* reaped */
    sweep(s);     /* its ended children have no one to wait for them now */
    return ok();
}

struct coffer_result proc_serve_kill(struct proc_server *s, const struct coffer_request *rq)
{
    struct coffer_result r;
    struct proc_entry *p = entry_of(s, rq->badge, PROC_KIND_HANDLE, &r);
    if (p == NULL)
        return r;
    unsigned i = index_of(s, p);
    if (p->state != PROC_STATE_ENDED)
        end(s, i, PROC_ENDED_KILLED, 0, 0, 0);
    destroy(s, i);
    return ok();
}

struct coffer_result proc_serve_info(struct proc_server *s, const struct coffer_request *rq, uint64_t *state,
                                     uint64_t *pid, uint64_t *parent, uint64_t *held, uint64_t *limit,
                                     uint64_t *cpu_us, uint8_t *name)
{
    struct coffer_result r;
    /* A spawner asks about its process, or a process about itself (ps). */
    unsigned kind = PROC_BADGE_KIND(rq->badge) == PROC_KIND_SELF ? PROC_KIND_SELF : PROC_KIND_HANDLE;
    struct proc_entry *p = entry_of(s, rq->badge, kind, &r);
    if (p == NULL)
        return r;
    unsigned i = index_of(s, p);
    sweep(s);
    uint64_t lim = 0, effective, objects, overhead, children, free_bytes, count, banks;
    *held = 0;
    if (p->bank_alive)
        bank_info(s->env.buf, PROC_KEEP(i, PROC_K_BANK), &lim, &effective, held, &objects, &overhead, &children,
                  &free_bytes, &count, &banks);
    *state = p->state;
    *pid = p->pid;
    *parent = p->parent;
    *limit = p->limit;
    *cpu_us = p->state == PROC_STATE_ENDED ? p->cpu_us : proc_cpu_us(s, i);
    memcpy(name, p->name, PROC_NAME_BYTES);
    return ok();
}

struct coffer_result proc_serve_exit(struct proc_server *s, const struct coffer_request *rq, uint64_t status)
{
    struct coffer_result r;
    struct proc_entry *p = entry_of(s, rq->badge, PROC_KIND_SELF, &r);
    if (p == NULL)
        return r;
    /* The worker runs an EXIT on the process's own context, which would
     * die with its bank in the middle of the bank server's destroy (a
     * nested loan: the bank's worker is rescued, this one would not be).
     * So a bank to destroy now -- PROC_SPAWN_REAP_AT_EXIT, or an orphan's
     * -- is left to REAP, which the fault thread asks for on its own
     * context. */
    unsigned i = index_of(s, p);
    if (p->state == PROC_STATE_RUNNING) {
        end(s, i, PROC_ENDED_EXIT, status, 0, 0);
        if (p->bank_alive && ((p->flags & PROC_SPAWN_REAP_AT_EXIT) || orphan(s, p))) {
            s->reap_pending |= 1ull << i;
            coffer_signal(PROC_SELF(PROC_S_REAP));
        }
        sweep(s); /* its ended children have no one to wait for them now */
    }
    return ok(); /* to no one: the caller is stopped */
}

struct coffer_result proc_serve_faulted(struct proc_server *s, const struct coffer_request *rq, uint64_t badge,
                                        uint64_t type, uint64_t pc, uint64_t addr)
{
    if (PROC_BADGE_KIND(rq->badge) != PROC_KIND_RELAY)
        return fail(COFFER_ERR_PROC_WRONG_KIND, PROC_BADGE_KIND(rq->badge), 0);
    unsigned i = PROC_BADGE_INDEX(badge);
    struct proc_entry *p = i < PROC_MAX ? &s->procs[i] : NULL;
    if (p != NULL && p->state == PROC_STATE_RUNNING && p->gen == PROC_BADGE_GEN(badge)) {
        end(s, i, PROC_ENDED_FAULT, type, pc, addr);
        sweep(s);
    }
    return ok();
}

struct coffer_result proc_serve_reap(struct proc_server *s, const struct coffer_request *rq)
{
    if (PROC_BADGE_KIND(rq->badge) != PROC_KIND_RELAY)
        return fail(COFFER_ERR_PROC_WRONG_KIND, PROC_BADGE_KIND(rq->badge), 0);
    for (unsigned i = 0; i < PROC_MAX; i++)
        if (s->reap_pending >> i & 1)
            proc_destroy_bank(s, i);
    s->reap_pending = 0;
    sweep(s); /* orphans among them are forgotten; their children end */
    return ok();
}

void proc_handle(struct proc_server *s, const struct coffer_request *rq, struct coffer_reply *rp)
{
    proc_dispatch(s, rq, rp);
}
