/*
 * The process manager's logic (proto/proc.def, docs/processes.md): the
 * table of processes, the checks of every request, and the building of
 * a process on a bank its spawner supplies (proc_build.c).  The service
 * around it (proc_service.h, serve.c) runs it on one passive thread.
 *
 * Who pays: everything a process is made of -- its CNodes, TCB,
 * scheduling context, VSpace and page tables, image, stack and IPC buffer
 * frames -- is bought from its *process bank*, a bank the manager creates
 * inside the spawner's, and is destroyed with it.  The manager's own
 * memory is its table (PROC_MAX entries, fixed at start) and its CSpace:
 * its own capabilities, one slot per entry for the spawner's exit
 * notification, and one root slot per entry where the process's *keeper*
 * CNode goes (bought from the process bank: the manager's capabilities to
 * what the process is made of).
 *
 * The manager's CSpace: a root CNode of 2^PROC_ROOT_BITS slots, guarded so
 * that every cptr resolves 64 bits through it and one CNode of up to
 * 2^PROC_LEAF_BITS slots below: root slot 0 the manager's own leaf
 * (PROC_SELF(j) = j), root slot 1 + i entry i's keeper (PROC_KEEP(i, j)).
 */
#ifndef PROC_SERVER_PROC_H
#define PROC_SERVER_PROC_H

#include <coffer.h>
#include <coffer/protocol.h>
#include <loader/load_plan.h>
#include <process/manager.h>
#include <process/spawn_text.h>
#include <stdbool.h>
#include <stdint.h>

#define PROC_MAX 64           /* processes at once, the table's size */
#define PROC_ROOT_BITS 7      /* the manager's root CNode: 128 slots */
#define PROC_LEAF_BITS 8      /* its own leaf and the largest keeper: 256 slots */
#define PROC_KEEPER_MIN_BITS 5
#define PROC_WORDS_MAX 16     /* arguments, and environment words, each */
#define PROC_TEXT_BYTES PROCESS_SPAWN_TEXT_BYTES /* SPAWN's text */
#define PROC_FRAME_MAX_BITS 16 /* image frames are at most 64 KiB: the scratch window */
#define PROC_THREADS_MAX 8     /* threads a process may have besides its first (THREAD) */
#define PROC_SHARED_MAX 16     /* images whose read-only regions are shared at once */
#define PROC_HEADER_BYTES 4096 /* SPAWN_FRAME: an image's headers must lie in its first page */

/* The badge of a capability to the manager: who calls. */
#define PROC_BADGE(kind, gen, index) ((uint64_t)(kind) << 28 | (uint64_t)((gen) & 0xfffffu) << 8 | (index))
#define PROC_BADGE_KIND(b) ((unsigned)((b) >> 28) & 0xfu)
#define PROC_BADGE_GEN(b) ((uint32_t)((b) >> 8) & 0xfffffu)
#define PROC_BADGE_INDEX(b) ((unsigned)(b) & 0xffu)

/* The manager's own slots (its leaf). */
#define PROC_SELF(j) ((coffer_cptr_t)(j))
enum proc_self_slot {
    PROC_S_CNODE = 1,         /* its root CNode, guarded */
    PROC_S_ENDPOINT = 2,      /* where requests arrive (unbadged) */
    PROC_S_VSPACE = 3,        /* its address space (shared with its starter) */
    PROC_S_BANK = 4,          /* a bank capability of the bank server's, for VERIFY */
    PROC_S_TCB = 5,           /* the worker: the authority for priorities (MCP 255) */
    PROC_S_SCHED_CONTROL = 6,
    PROC_S_FAULT_EP = 7,      /* processes' faults arrive here (badged PROC_KIND_FAULT) */
    PROC_S_REPLY = 8,         /* the worker's reply object */
    PROC_S_FAULT_REPLY = 9,   /* the fault thread's */
    PROC_S_RELAY = 10,        /* the fault thread's capability to the endpoint */
    PROC_S_RECEIVE = 21,      /* a request's capabilities: 21 to 23 (COFFER_MSG_MAX_CAPS) */
    PROC_S_TEMP = 13,
    PROC_S_TEMP2 = 14,
    PROC_S_FAULT_TCB = 15,
    PROC_S_RESCUE_SC = 16,    /* what the rescuer lends the worker when its client's context dies */
    PROC_S_REAP = 17,         /* bound to the fault thread: a signal asks it for REAP */
    PROC_S_RESCUE_EP = 18,    /* the worker's timeout faults arrive here (badged PROC_KIND_RESCUE) */
    PROC_S_RESCUE_REPLY = 19, /* the rescuer's reply object */
    PROC_S_RESCUER_TCB = 20,
    PROC_S_EXITS = 64,        /* + i: entry i's exit notification */
};

/* A cptr of this depth names a slot of the manager's root CNode (the
 * guard and the index): where keepers and shared sets are placed. */
#define PROC_ROOT_SLOT_DEPTH (64 - PROC_LEAF_BITS)

/* An entry's keeper (root slot 1 + i): the manager's capabilities to what
 * the process is made of. */
#define PROC_KEEP(i, j) ((coffer_cptr_t)(1u + (i)) << PROC_LEAF_BITS | (j))
enum proc_keep_slot {
    PROC_K_CNODE = 0,   /* the process's first leaf CNode (its well-known slots), unguarded */
    PROC_K_BANK = 1,    /* the process bank, every right */
    PROC_K_TCB = 2,
    PROC_K_SC = 3,
    PROC_K_VSPACE = 4,
    PROC_K_IPC = 5,     /* its IPC buffer's frame */
    PROC_K_STACK = 6,
    PROC_K_CSPACE = 7,  /* the CSpace root as the TCB has it: guarded */
    PROC_K_ROOT = 8,    /* the root CNode, unguarded: the first leaf in its slot 0 */
    PROC_K_FAULTS = 9,  /* the spawner's fault endpoint (FAULTS), if it asked */
    PROC_K_THREADS = 10, /* + 2t, + 2t + 1: thread t's TCB and context (copies: THREAD) */
    PROC_K_FIRST = PROC_K_THREADS + 2 * PROC_THREADS_MAX, /* image frames and page tables */
};
/* A shared set (root slot 1 + PROC_MAX + t): the frames of an image's
 * read-only regions, filled once and mapped into each process of the image
 * spawned on one bank as read-only aliases (proc_image.c).  Slot 0 holds
 * the set's own bank, a sub-bank of that spawner's bank; its frames follow
 * in region and chunk order. */
#define PROC_SHARE_ROOT(t) (1u + PROC_MAX + (t))
#define PROC_SHARE(t, j) ((coffer_cptr_t)PROC_SHARE_ROOT(t) << PROC_LEAF_BITS | (j))
#define PROC_SHARE_BANK 0u
#define PROC_SHARE_FIRST 1u

#define PROC_K_THREAD_TCB(t) (PROC_K_THREADS + 2 * (t))
#define PROC_K_THREAD_SC(t) (PROC_K_THREADS + 2 * (t) + 1)

struct proc_entry {
    uint32_t gen;       /* in its badges: bumped when it is reaped */
    uint8_t state;      /* enum proc_state */
    uint8_t flags;      /* PROC_SPAWN_* */
    uint8_t priority, mcp;
    uint8_t keeper_bits;
    uint8_t how;        /* enum proc_ended, once ended */
    bool bank_alive;    /* its bank not destroyed yet */
    uint8_t shared;     /* 1 + the shared set its read-only regions map, 0 none */
    bool spawner_faults; /* FAULTS: its faults go to PROC_K_FAULTS, not to the manager */
    uint32_t pid, parent;
    uint32_t code;      /* exit status or fault type */
    unsigned kept;      /* keeper slots used */
    uint64_t budget_us, period_us, limit;
    uint64_t pc, addr, cpu_us;
    char name[PROC_NAME_BYTES];
};

/* What the logic needs of the service (serve.c fills it). */
struct proc_env {
    struct coffer_ipc_buffer *buf; /* the worker's IPC buffer */
    uint64_t scratch_va;           /* 2^PROC_FRAME_MAX_BITS of the manager's address space, page
                                      tables in place, nothing mapped: where it fills frames */
    uint64_t image_va[3];          /* SPAWN_FRAME's image windows, by the page size the frame maps
                                      with (proc_frame.c): [0] 2 MiB with a level-0 table, [1] 1 GiB
                                      with a level-1 table, [2] 1 GiB with none */
    const void *boot_image;        /* the boot archive (cpio), read in place */
    uint64_t boot_image_size;
    uint64_t random;               /* a seed for the processes' AT_RANDOM bytes (the time at start;
                                      each spawn stirs it) */
    uint64_t timebase_hz;          /* the time CSR's ticks per second, for every process's auxv */
    const volatile uint64_t *rescues; /* the rescuer's count of contexts lent: a request during which
                                         it moved had its caller die (NULL: never) */
};

/* A shared set's record; its capabilities are at PROC_SHARE(t, j). */
struct proc_shared {
    const void *image; /* the boot-image file it was filled from: the key, with payer */
    uint64_t payer;    /* BANK_ID of the bank its own bank lies in (the spawner's) */
    uint32_t users;    /* processes that map it; 0: the record is free */
};

struct proc_server {
    struct proc_env env;
    struct proc_entry procs[PROC_MAX];
    struct proc_shared shared[PROC_SHARED_MAX];
    _Alignas(8) uint8_t headers[PROC_HEADER_BYTES]; /* SPAWN_FRAME: the image's first page, copied */
    uint32_t next_pid;
    uint64_t reap_pending;          /* bit i: entry i's bank to destroy at the next REAP */
    uint64_t spawned, ended;        /* counters, for tests and ps */
};

void proc_server_init(struct proc_server *s, const struct proc_env *env);

/* Serve one request (the receive loop's dispatch function): the manager's
 * fault relay and protocol requests alike. */
void proc_handle(struct proc_server *s, const struct coffer_request *rq, struct coffer_reply *rp);

/* ---- proc.c, for proc_thread.c: what a caller may give ---- */
/* A priority, MCP and CPU share within the caller's (init: anything);
 * PROC_WRONG_KIND, PROC_GONE or PROC_AUTHORITY.  *parent: the caller's pid. */
struct coffer_result proc_authority(const struct proc_server *s, uint64_t badge, uint64_t priority, uint64_t mcp,
                                    uint64_t budget, uint64_t period, uint32_t *parent);
/* A budget and period the kernel takes: PROC_BAD_ARGUMENT(1) if not. */
struct coffer_result proc_check_cpu(uint64_t budget, uint64_t period);

/* ---- proc_thread.c: a process's threads besides its first ---- */
/* A capability for a thread of entry i's fault endpoint, in PROC_S_TEMP:
 * the spawner's (FAULTS) or the manager's, badged with the process. */
struct coffer_result proc_fault_endpoint(const struct proc_server *s, unsigned i);
/* Stop them all (the process ended), and their CPU time so far. */
void proc_threads_stop(const struct proc_server *s, unsigned i);
uint64_t proc_threads_cpu_us(const struct proc_server *s, unsigned i);

/* ---- proc_text.c: SPAWN's text, checked before anything is bought ---- */
struct proc_text {
    const char *image;                  /* the boot-image file (SPAWN_FRAME: NULL) */
    const char *argv[1 + PROC_WORDS_MAX]; /* argv[0], then the arguments */
    const char *envp[PROC_WORDS_MAX];
    unsigned argc, envc;                /* argc counts argv[0] */
};
/* Split the PROC_TEXT_BYTES of text into its strings: 0 (OK) or the
 * PROC_BAD_TEXT detail (1 a count, 2 no NUL, 3 no '=', 4 empty name).
 * The pointers point into text.  Without `named` (SPAWN_FRAME) the text
 * starts at argv[0] and out->image is NULL. */
unsigned proc_text_parse(const uint8_t *text, unsigned argc, unsigned envc, bool named, struct proc_text *out);

/* ---- proc_build.c: a process on a new bank inside the spawner's ---- */
/* A bank's refusal as the manager reports it: PROC_BANK(error, detail). */
struct coffer_result proc_bank_error(struct coffer_result r);
struct proc_spawn {
    const struct proc_text *text;
    const void *image;          /* its ELF file */
    uint64_t image_size;
    bool guarded;               /* the file is in a frame of the caller's (SPAWN_FRAME), which may
                                   vanish while it is read: read with coffer_guarded_copy(), never
                                   shared */
    const struct load_plan *plan;
    uint64_t limit;
    coffer_cptr_t bank;         /* the spawner's bank (verified) */
    uint64_t payer;             /* its identity (BANK_ID) */
};
/* Build entry i's process (its fields set but state): on success it waits
 * to be started; on an error everything bought is gone, the spawner's bank
 * as it was.  Errors: PROC_BANK(error, detail) for a refused purchase,
 * the kernel's for the rest. */
struct coffer_result proc_build(struct proc_server *s, unsigned i, const struct proc_spawn *sp);
/* Destroy entry i's process bank if it still stands (KILL, WAIT, REAP, an
 * end with PROC_SPAWN_REAP_AT_EXIT): everything it had goes. */
void proc_destroy_bank(struct proc_server *s, unsigned i);
/* Entry i's bank is gone, destroyed by anyone: its shared set loses a user. */
void proc_bank_gone(struct proc_server *s, unsigned i);
/* A new bank inside `parent` (its byte limit `limit`) with a CNode of
 * 2^bits slots bought from it, placed at the manager's root slot `root`
 * (guarded so that its slot j is root << PROC_LEAF_BITS | j), and the
 * bank's capability moved into its slot `bank_slot`: a keeper, a shared
 * set.  *bank says where the bank's capability is (0: none was made), so
 * that on an error the caller destroys it, and everything with it. */
struct coffer_result proc_bank_and_cnode(struct proc_server *s, coffer_cptr_t parent, uint64_t limit, unsigned root,
                                         unsigned bits, unsigned bank_slot, coffer_cptr_t *bank);
/* Whether the manager's root slot `root` still holds a CNode: a keeper or
 * a shared set whose bank no one destroyed. */
bool proc_root_is_cnode(unsigned root);
/* Whether entry i's keeper is still there (its bank not destroyed by
 * anyone), and the CPU time of its context. */
bool proc_alive(const struct proc_server *s, unsigned i);
uint64_t proc_cpu_us(const struct proc_server *s, unsigned i);

/* ---- proc_image.c: an image's frames, each process's own or shared ---- */
/* The pages of the frame at page `off` of a region of `pages` at va: at
 * most 2^PROC_FRAME_MAX_BITS bytes (the scratch window), never across
 * 2 MiB. */
uint64_t proc_chunk_pages(uint64_t va, uint64_t off, uint64_t pages);
/* Fill `frame` of `size` bytes with what lies at byte `offset` of region
 * rg of the spawn's image (file bytes, zeros around them), through the
 * scratch window; PROC_IMAGE_GONE if a guarded image vanished. */
struct coffer_result proc_fill_image_frame(struct proc_server *s, coffer_cptr_t frame, const struct load_region *rg,
                                           const struct proc_spawn *sp, uint64_t offset, uint64_t size);
/* Fill any frame: fill(ctx, bytes, size) writes it in the scratch window
 * and returns 0, or -1 when what it copies from vanished (then the fill
 * is PROC_IMAGE_GONE). */
typedef int (*proc_fill_fn)(void *ctx, uint8_t *bytes, uint64_t size);
struct coffer_result proc_fill_frame(struct proc_server *s, coffer_cptr_t frame, uint64_t size, proc_fill_fn fill,
                                     void *ctx);
/* The shared set for the image on the spawner's bank, with one user more:
 * found, or filled on a new sub-bank of the spawner's.  *t is -1 when the
 * image has no read-only region or no record is free (then each process
 * gets its own copy).  Errors: PROC_BANK for a refused purchase, nothing
 * left behind. */
struct coffer_result proc_shared_get(struct proc_server *s, const struct proc_spawn *sp, int *t);
/* One user fewer; the last one's going destroys the set's bank. */
void proc_shared_put(struct proc_server *s, unsigned t);

/* ---- proc_frame.c: SPAWN_FRAME's image, in a frame of the caller's ---- */
/* Map the window of `frame` read-only in the image window its page size
 * takes, copy its first page's headers out and plan the first
 * image_bytes of it; *image is where it is mapped.  Errors (nothing left
 * mapped): PROC_BAD_ARGUMENT(6) not a frame, (7) image_bytes 0 or past
 * the window, or a window the manager cannot map; PROC_IMAGE_GONE;
 * PROC_BAD_IMAGE(status). */
struct coffer_result proc_frame_open(struct proc_server *s, coffer_cptr_t frame, uint64_t image_bytes,
                                     const void **image, struct load_plan *plan);
/* Unmap it again (when the spawn is done, or failed). */
void proc_frame_close(coffer_cptr_t frame);

#endif
