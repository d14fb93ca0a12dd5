/*
 * lib/starter: building a service -- a server that runs as threads of its
 * starter's address space with a CSpace of its own (docs/architecture.md,
 * "A new service") -- out of one untyped its starter gives it.  The
 * starter (a root task) makes the service's objects from that untyped
 * into a few free slots of its own root CNode, maps the service's memory,
 * and keeps what the service owns but never invokes (its frames, page
 * tables) in a CNode of its own, the *keep*.  Every byte made is counted
 * (own_bytes): a service's memory is fixed when it starts.
 *
 * Slots are the starter's root CNode's (cptrs resolved with 64 bits);
 * errors are the kernel's, and a "#" line names the step that failed.
 */
#ifndef STARTER_STARTER_H
#define STARTER_STARTER_H

#include <coffer.h>
#include <stdbool.h>

struct starter {
    coffer_cptr_t untyped;  /* the service's memory */
    coffer_cptr_t vspace;   /* the address space it runs in (the starter's) */
    coffer_cptr_t keep;     /* a CNode of 2^keep_bits slots (starter_open makes it) */
    unsigned keep_bits, kept;
    coffer_cptr_t temp;     /* two free slots of the starter's: frames on their way to the keep */
    coffer_cptr_t temp_table; /* and page tables on theirs */
    const char *name;       /* for messages: "bank service" */
    uint64_t own_bytes;     /* made from untyped so far */
    coffer_cptr_t fault_ep; /* the fault endpoint starter_thread gives its threads (0: none) */
};

/* Make the keep (2^keep_bits slots) in slot keep from untyped; temp and
 * temp_table are free slots the starter lends the steps below. */
struct coffer_result starter_open(struct starter *st, coffer_cptr_t untyped, coffer_cptr_t keep,
                                  unsigned keep_bits, coffer_cptr_t temp, coffer_cptr_t temp_table,
                                  const char *name);

/* Report a failed step ("# <name>: <what> failed: ..."); r.error == OK. */
bool starter_step(const struct starter *st, struct coffer_result r, const char *what);

/* One object from the untyped into the starter's slot. */
struct coffer_result starter_make(struct starter *st, uint64_t type, uint64_t size_bits, coffer_cptr_t slot);

/* The capability in slot goes to the next slot of the keep. */
struct coffer_result starter_keep(struct starter *st, coffer_cptr_t slot);

/* Map the frame in slot at va (read-write), making page tables as the
 * walk needs them; then keep it. */
struct coffer_result starter_map_kept(struct starter *st, coffer_cptr_t slot, uint64_t va);

/* Fresh frames for [va, va + bytes) (whole pages), mapped and kept. */
struct coffer_result starter_memory(struct starter *st, uint64_t va, uint64_t bytes);

/* One page table (kept) at the first level the walk to va lacks; its
 * level in detail0. */
struct coffer_result starter_table(struct starter *st, uint64_t va);

/* Page tables down to level 0 for [va, va + bytes), nothing mapped: a
 * window the service maps frames into later without buying tables. */
struct coffer_result starter_window(struct starter *st, uint64_t va, uint64_t bytes);

/* A service thread, not started: its IPC buffer at ipc_va (a fresh frame,
 * mapped and kept), a TCB in tcb configured for the CSpace root cspace
 * (fault endpoint st->fault_ep, none if 0) and the starter's address space, at priority, with
 * a scheduling context in sc whose budget never runs out (10 ms of every
 * 10 ms), not bound. */
struct coffer_result starter_thread(struct starter *st, coffer_cptr_t cspace, uint64_t ipc_va, uint8_t priority,
                                    coffer_cptr_t tcb, coffer_cptr_t sc);

/* The same for a server's passive worker: its faults and its timeouts go
 * to `rescue` (an endpoint capability in the starter's CSpace, copied into
 * the TCB), the server's rescuer (lib/server rescue.h). */
struct coffer_result starter_rescued_thread(struct starter *st, coffer_cptr_t cspace, uint64_t ipc_va,
                                            uint8_t priority, coffer_cptr_t tcb, coffer_cptr_t sc,
                                            coffer_cptr_t rescue);

/*
 * A service's CSpace, as the services build it: a root CNode of
 * 2^root_bits slots, guarded to 64 bits, whose slot 0 is a leaf of
 * 2^leaf_bits slots -- so a cptr j < 2^leaf_bits names leaf slot j, the
 * service's own capabilities -- and whose other slots the service fills
 * later (the process manager's keepers, a session service's sessions).
 */
struct starter_cspace {
    coffer_cptr_t root;    /* the starter's slot of the root CNode */
    coffer_cptr_t guarded; /* the starter's slot of its guarded capability: the threads' CSpace root */
    unsigned depth;        /* root_bits + leaf_bits: what a leaf slot's cptr resolves from root */
};

/* Make it in the starter's slots root and guarded (st->temp lent), the
 * guarded root copied into leaf slot self. */
struct coffer_result starter_cspace(struct starter *st, struct starter_cspace *cs, coffer_cptr_t root,
                                    coffer_cptr_t guarded, unsigned root_bits, unsigned leaf_bits, unsigned self);
/* The capability in the starter's slot `from` moved, or copied, into leaf slot j. */
struct coffer_result starter_move_in(const struct starter_cspace *cs, unsigned j, coffer_cptr_t from);
struct coffer_result starter_copy_in(const struct starter_cspace *cs, unsigned j, coffer_cptr_t from);
/* One object of `type` (size 0) made into leaf slot j, through st->temp. */
struct coffer_result starter_place(struct starter *st, const struct starter_cspace *cs, uint64_t type, unsigned j);
/* A badged capability to the endpoint in leaf slot j into the starter's slot `to`. */
struct coffer_result starter_badged(const struct starter_cspace *cs, unsigned j, uint64_t rights, uint64_t badge,
                                    coffer_cptr_t to);

/* Let a thread the starter just started run to where it waits: the
 * starter drops below priority for a moment. */
struct coffer_result starter_yield_to(uint8_t priority);

#endif
