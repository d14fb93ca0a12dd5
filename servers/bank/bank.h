/*
 * The space-bank server's logic (docs/banks.md): plain C against public
 * headers, whose system calls are invocations on the server's own
 * capabilities, so tests/host/servers/test_bank.c runs it against the
 * host-built kernel core.  The receive loop is serve.c.
 *
 * Who pays for what:
 *  - the server's own memory, fixed when it starts and sized by the RAM
 *    it manages: the tables below (banks, chunks), one buddy tree per
 *    untyped of RAM, chunk 0 (the prime bank's records), its CSpace root;
 *  - everything else is bought from a bank: a bank's record and the
 *    records of its extents from its parent, its objects' records, its
 *    slabs and its restricted capabilities from itself.
 *
 * Memory: each bank allocates from extents, untyped capabilities of its
 * own carved from its parent's extents (the prime bank's are the RAM
 * untyped).  The buddy tree of each RAM untyped serves every bank in it:
 * an extent is a block its parent handed out and delegated (buddy.h), so
 * nesting costs no tree of its own.  Destroying a bank revokes its
 * extents: the kernel deletes everything inside, the sub-banks' extents
 * with their objects included, and the blocks go back to the parent.
 *
 * Records: 64-byte units in chunks.  A chunk is a 4 KiB frame of 64
 * units (mapped into the server through env->map) and a CNode of 64
 * slots in root slot env->first_chunk_slot + chunk; unit u's slot holds
 * the capability the record stands for (an object's original, an
 * extent's untyped, a bank's badged endpoint).  Unit 0 of every chunk
 * holds, in its slot, the chunk's own frame.  Which units are used is in
 * the server's chunk table, so a handle is checked without touching a
 * bank's memory.
 */
#ifndef BANK_SERVER_BANK_H
#define BANK_SERVER_BANK_H

#include <bank/bank.h>
#include <coffer.h>
#include <proto/bank_server.h>
#include <untyped_alloc/buddy.h>

#define BANK_UNIT_BYTES 64
#define BANK_CHUNK_UNITS 64
#define BANK_CHUNK_SLOT_BITS 6  /* the chunk CNode: 64 slots */
#define BANK_CHUNK_BITS 12      /* its frame, and its CNode: 4 KiB each */
#define BANK_BANK_UNITS 4       /* a bank's record */
#define BANK_SMALL_BITS 12      /* objects below 4 KiB share 4 KiB slabs */
#define BANK_SLAB_CLASSES (BANK_SMALL_BITS - COFFER_OBJECT_MIN_BITS)
#define BANK_EXTENT_MIN_BITS 16 /* a bank grows by 64 KiB at least */
#define BANK_TYPES COFFER_OBJ_COUNT_
#define BANK_NONE 0xffffu
/* Chunks and extents one request can create.  Per object: a chunk for
 * its record and one for its slab's (a chunk holds 63), and five chains of
 * extents, each at most one per bank below the one that gives (two
 * chunks' CNodes and frames, the object's block).  BUY_BATCH buys three. */
#define BANK_JOURNAL_MAX (3 * (2 + 5 * BANK_DEPTH_MAX))
#define BANK_SPARE_UNITS 4  /* record units a bank with sub-banks keeps free: a request grows a
                               chain of sub-banks three times (a chunk, an object); one that
                               would need more of them is refused (BANK_LIMIT, space_block) */

/* A record's name: chunk << 6 | unit (0 is chunk 0's header: no record). */
typedef uint32_t rec_id;
#define REC_CHUNK(r) ((r) >> 6)
#define REC_UNIT(r) ((r) & 63u)
#define REC_ID(chunk, unit) ((rec_id)(chunk) << 6 | (unit))

enum rec_kind { REC_OBJECT = 1, REC_SLAB, REC_EXTENT, REC_BANK, REC_BADGE };

/* An object bought: a block of its own (big) or a place in a slab. */
struct rec_object {
    uint8_t kind, type, size_bits, small;
    uint32_t gen;        /* in its handle: a unit used again refuses an old one */
    rec_id where;        /* its extent's record, or its slab's */
    uint32_t index;      /* small: its place in the slab */
    struct buddy_block block; /* big: its block in the extent */
};

/* 4 KiB of an extent cut into objects of 2^bits: a bit each. */
struct rec_slab {
    uint8_t kind, bits;
    uint16_t count;      /* objects in it */
    rec_id extent, next, prev; /* partial slabs of its class: a list */
    uint64_t used;       /* bit i: object i, at block offset i << bits */
    struct buddy_block block;
};

/* An extent: an untyped of the bank's, carved from its parent's (the
 * record lives in the parent's chunks), or a RAM untyped of the prime
 * bank (in chunk 0).  Its slot holds the untyped. */
struct rec_extent {
    uint8_t kind;
    uint16_t owner;      /* the bank that allocates in it */
    rec_id next;         /* the owner's next extent */
    rec_id source;       /* the parent's extent it was carved from (0: a RAM untyped) */
    struct buddy_pool pool;
};

/* A restricted capability's original (in its bank's own chunks). */
struct rec_badge {
    uint8_t kind, rights;
    rec_id next;
};

/* A bank (four units in its parent's chunks; the prime's in chunk 0). */
struct bank {
    uint8_t kind;
    uint8_t grow_bits;    /* scratch: the extent space_block decided it grows by, */
    uint8_t grow_min;     /* the least it would do with, */
    uint8_t grow_cap;     /* and the most its ancestors let it ask for (0: any) */
    uint8_t dying;        /* a destroy cut it off: its entry leads here until the table forgets it,
                             but it is no bank any more (a TREE cursor naming it is refused) */
    uint16_t index;      /* its entry in the bank table */
    uint16_t parent, first_child, next_sibling; /* table indices, BANK_NONE for none */
    uint16_t path_child;  /* scratch for walks up and down the tree (space_block, INFO) */
    rec_id record;       /* where this record is (its first unit) */
    rec_id extents, badges;
    rec_id last_extent;   /* where the last block came from: tried first */
    uint32_t first_chunk; /* its chunks: a list through the chunk table (0: none) */
    uint32_t room;        /* its chunks with a free unit (0: none) */
    uint32_t free_units;  /* free units in its chunks: kept >= BANK_SPARE_UNITS for its
                             sub-banks' extent records (rec_take) once it has sub-banks */
    rec_id slabs[BANK_SLAB_CLASSES]; /* partial slabs per size */
    uint32_t objects, banks;
    uint32_t pending;     /* destroys in flight in its subtree: until they end it
                             cannot be destroyed or removed itself (BANK_BUSY) */
    uint64_t limit;      /* bytes it may hold */
    uint64_t held;       /* bytes of its extents */
    uint64_t objects_bytes; /* its objects' bytes, exactly */
    uint64_t small_bytes;   /* of which in slabs */
    uint64_t meta_bytes;    /* its chunks: records and their slots */
    uint64_t slab_bytes;    /* blocks cut into small objects */
    uint64_t children_bytes; /* its sub-banks' extents */
    uint32_t type_count[BANK_TYPES]; /* objects of each type, sub-banks' included */
    uint32_t type_limit[BANK_TYPES]; /* UINT32_MAX: none */
};
_Static_assert(sizeof(struct bank) <= BANK_BANK_UNITS * BANK_UNIT_BYTES, "a bank's record fits its units");

/* What INFO and the audit call overhead: its chunks and its slabs' slack. */
static inline uint64_t bank_overhead(const struct bank *b)
{
    return b->meta_bytes + b->slab_bytes - b->small_bytes;
}

struct bank_entry {
    uint64_t gen;        /* bumped each time the entry is given out */
    struct bank *bank;   /* NULL: free */
    uint16_t next_free;
};

struct chunk_entry {
    void *page;          /* the chunk's frame as the server sees it; NULL: free */
    uint64_t used;       /* bit u: unit u holds (part of) a record; unit 0 always */
    uint16_t owner;      /* the bank whose records these are */
    uint32_t next, prev; /* the owner's chunks (0: none); next: the next free chunk */
    uint32_t next_room, prev_room; /* the owner's chunks with a free unit: a list (0: none) */
};

/* Unit 0 of a chunk: where its own frame's and CNode's blocks are. */
struct chunk_header {
    rec_id frame_extent, cnode_extent;
    struct buddy_block frame_block, cnode_block;
};

/* What the server is given: its CSpace and how to see a frame. */
struct bank_env {
    coffer_cptr_t cnode;      /* the server's root CNode (a capability to it in its CSpace) */
    unsigned root_bits;       /* its CSpace: 2^root_bits root slots ... */
    uint64_t first_chunk_slot; /* ... from which root slot c + first_chunk_slot holds chunk c's CNode */
    coffer_cptr_t endpoint;   /* the endpoint clients call (unbadged), minted into bank capabilities */
    coffer_cptr_t asid_pool;  /* an ASID pool with its range: a VSpace sold gets an ASID from it before
                                 the buyer's capability is derived (0: VSpaces are sold without one) */
    const struct coffer_ipc_buffer *ipc; /* the server thread's (UNTYPED_DESCRIBE writes it) */
    /* Make the frame just retyped at physical paddr (capability at cptr)
     * readable and writable by the server; its address, or NULL. */
    void *(*map)(void *ctx, coffer_cptr_t frame, uint64_t paddr);
    void *map_ctx;
    /* With several server threads (serve.c): the books' lock, taken for
     * each request and let go while a destroy's revokes run.  NULL: one
     * thread, no lock (the host tests). */
    void (*lock)(void *ctx);
    void (*unlock)(void *ctx);
    /* Make sure the request has the budget for a locked stretch, before a
     * destroy takes the lock again after its revokes (serve.c); NULL: no
     * budgets (the host tests). */
    void (*budget)(void *ctx);
    void *sync_ctx;
};

struct bank_server {
    struct bank_env env;
    struct bank_entry *banks;    /* the bank table */
    unsigned nbanks;
    uint16_t free_bank;          /* first free entry (BANK_NONE: full) */
    struct chunk_entry *chunks;  /* the chunk table; chunk 0 is the server's own */
    unsigned nchunks;
    uint32_t free_chunk;         /* first free chunk (0: none left) */
    struct buddy_tree *trees;    /* one per RAM untyped */
    unsigned ntrees;
    uint16_t prime;              /* the prime bank's entry */
    uint64_t ram_bytes;          /* all RAM given to the prime bank */
    uint32_t next_gen;           /* the last object generation given out */
    /* What the request being served created so far, so that a refusal
     * can undo it all (journal_undo): chunks and extents, in order.
     * Chunks and extents the request emptied: whether each goes back is
     * decided when the request ends (settle), so a refused request,
     * undone, leaves exactly what was there before.  And the banks whose
     * spare units the request used.  (The counts first: every request
     * resets them, and near the start of the struct they are one store.) */
    unsigned njournal, nemptied, nspare;
    struct journal_entry { uint8_t extent; uint32_t id; } journal[BANK_JOURNAL_MAX];
    struct journal_entry emptied[BANK_JOURNAL_MAX];
    uint16_t spare[BANK_JOURNAL_MAX];
};

/* ---- bank.c: start-up and the bank table ---- */
void bank_lock(struct bank_server *s);
void bank_unlock(struct bank_server *s);
/* Take the books again in the middle of a request, after a long unlocked
 * stretch: the budget for the locked one first (env.budget). */
void bank_relock(struct bank_server *s);

/* The bank at a table index; NULL for BANK_NONE or a free entry. */
static inline struct bank *bank_of(struct bank_server *s, uint16_t index)
{
    return index == BANK_NONE ? NULL : s->banks[index].bank;
}

struct bank *bank_from_badge(struct bank_server *s, uint64_t badge, unsigned right, struct coffer_result *err);
uint64_t bank_badge(const struct bank_server *s, const struct bank *b, unsigned rights);

/* ---- bank_records.c: chunks and records ---- */
#define REC_CHUNK_DEPTH (64 - BANK_CHUNK_SLOT_BITS) /* resolves a root slot: guard and root index */

/* Where record r is, as the server sees its chunk's frame. */
static inline void *rec_ptr(const struct bank_server *s, rec_id r)
{
    return (uint8_t *)s->chunks[REC_CHUNK(r)].page + (size_t)REC_UNIT(r) * BANK_UNIT_BYTES;
}

/* Record r's slot: unit u of its chunk's CNode, from the server's root. */
static inline coffer_cptr_t rec_slot(const struct bank_server *s, rec_id r)
{
    return (s->env.first_chunk_slot + REC_CHUNK(r)) << BANK_CHUNK_SLOT_BITS | REC_UNIT(r);
}
struct coffer_result rec_alloc(struct bank_server *s, struct bank *b, unsigned units, unsigned level, rec_id *out);
rec_id rec_take(struct bank_server *s, struct bank *b);
void rec_keep_spare(struct bank_server *s, struct bank *b);
void rec_free(struct bank_server *s, rec_id r, unsigned units);
bool rec_owned(const struct bank_server *s, const struct bank *b, rec_id r);
void chunks_forget(struct bank_server *s, struct bank *b);
void chunks_doom(struct bank_server *s, struct bank *from, struct bank *to);
bool chunk_release_if_empty(struct bank_server *s, uint32_t c);
void chunks_adopt(struct bank_server *s, struct bank *from, struct bank *to);

/* ---- bank_space.c: extents, blocks and limits ---- */
/* A free block of 2^bits from b's extents, b growing if it must; for an
 * untyped, from an extent larger than the block.  Errors: BANK_LIMIT
 * (level, bytes) and what growing met; nothing changed on an error but
 * what the request's journal undoes. */
struct coffer_result space_block(struct bank_server *s, struct bank *b, unsigned bits, bool untyped,
                                 unsigned level, rec_id *extent, struct buddy_block *blk);
void space_unblock(struct bank_server *s, rec_id extent, struct buddy_block blk);
uint64_t space_paddr(const struct bank_server *s, rec_id extent, uint64_t offset);
/* Bytes b holds and has not used: its extents' free bytes (INFO, the audit). */
uint64_t space_free_bytes(const struct bank_server *s, const struct bank *b);
uint64_t space_offset(const struct bank_server *s, rec_id extent, uint64_t offset);
/* Where a retype puts its object: slot index of the CNode named by cnode
 * resolved with depth bits (depth 0: the server's root CNode). */
struct space_dest {
    coffer_cptr_t cnode;
    uint64_t depth, index;
};
static inline struct space_dest rec_dest(const struct bank_server *s, rec_id r)
{
    return (struct space_dest){ s->env.first_chunk_slot + REC_CHUNK(r), REC_CHUNK_DEPTH, REC_UNIT(r) };
}
struct coffer_result space_retype(struct bank_server *s, rec_id extent, struct buddy_block blk,
                                  uint64_t block_offset, uint64_t type, uint64_t size_bits,
                                  struct space_dest dest);
void space_release_extent(struct bank_server *s, rec_id extent);
struct buddy_block space_extent_block(const struct bank_server *s, rec_id extent);
bool space_release_if_empty(struct bank_server *s, rec_id extent);

/* ---- bank.c: a request's journal ---- */
void journal_note(struct bank_server *s, bool extent, uint32_t id);
void journal_spare(struct bank_server *s, const struct bank *b);
void journal_undo(struct bank_server *s);
void journal_emptied(struct bank_server *s, bool extent, uint32_t id);
void journal_settle(struct bank_server *s);
bool chunk_release_if_spare(struct bank_server *s, uint32_t c);
bool space_release_if_spare(struct bank_server *s, rec_id extent);

/* ---- bank_objects.c: buying and freeing ---- */
struct coffer_result object_buy(struct bank_server *s, struct bank *b, uint64_t type, uint64_t size_bits,
                                rec_id *out);
void object_free(struct bank_server *s, struct bank *b, rec_id r);
/* Record units an object of the type takes (2 for one the bank wraps in
 * an untyped: a page table). */
unsigned object_units(uint64_t type);
/* The capability the buyer of r gets, and how it travels (COFFER_XFER_*:
 * a child of the bank's, or for a page table the table itself, moved). */
coffer_cptr_t object_given(const struct bank_server *s, rec_id r, unsigned *mode);

/* ---- bank_tree.c: sub-banks, destroy and remove ---- */
struct coffer_result tree_create(struct bank_server *s, struct bank *parent, uint64_t limit, struct bank **out);
void tree_destroy(struct bank_server *s, struct bank *b);
void tree_remove(struct bank_server *s, struct bank *b);

/* Start-up: the server with its tables (memory the starter gives) and
 * the RAM untyped of the prime bank, whose capabilities sit in chunk
 * 0's slots BANK_CHUNK0_EXTENTS.. (the starter put them there) and whose
 * trees go in tree_mem.  Chunk 0's frame is chunk0 (the server's, 4 KiB,
 * 8-byte aligned); its CNode is in root slot first_chunk_slot. */
#define BANK_CHUNK0_PRIME 1   /* units 1-4: the prime bank's record */
#define BANK_CHUNK0_EXTENTS 5 /* units 5..: its extents, one per RAM untyped */
struct bank_config {
    struct bank_entry *banks;
    unsigned nbanks;
    struct chunk_entry *chunks;
    unsigned nchunks;
    struct buddy_tree *trees;
    unsigned ntrees;             /* RAM untyped, in chunk 0's slots from BANK_CHUNK0_EXTENTS */
    void *tree_mem;
    size_t tree_bytes;
    void *chunk0;
};
struct coffer_result bank_server_init(struct bank_server *s, const struct bank_env *env,
                                      const struct bank_config *cfg);

/* Serve one request (the receive loop's dispatch function). */
void bank_handle(struct bank_server *s, const struct coffer_request *rq, struct coffer_reply *rp);

/* The bytes of tree memory bank_server_init needs for untyped of these sizes. */
size_t bank_tree_bytes(const unsigned *size_bits, unsigned n);

#endif
