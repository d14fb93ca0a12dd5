/*
 * libFuzzer target over the capability-operation stream: the
 * coverage-guided counterpart of the randomized test in
 * tests/host/object/test_cnode_untyped_random.c.  See tests/fuzz/README.md.
 *
 * Every input starts from the same fresh state: one root CNode of 2^8
 * slots (56-bit guard, so 64-bit pointers below 256 name its slots), a
 * copy of it in slot ROOT, a 1 MiB RAM untyped in slot UT and a 64 KiB
 * device untyped in slot DEV.  The input is then read as up to MAX_OPS
 * records of OP_BYTES bytes, each one sys_CALL (the layout is below).
 * After every call the target aborts -- which libFuzzer reports as a
 * crash -- unless
 *   - cdt_check() passes;
 *   - the error code is a coffer_error_t or SYSCALL_RESTART, and a restart
 *     comes only from a preempted delete or revoke, which deleted at most
 *     REVOKE_BATCH + ZOMBIE_BATCH capabilities (a CNode teardown may make
 *     progress through empty slots and delete none);
 *   - a failed call left cdt_count() unchanged and every capability in
 *     the tree as it was;
 *   - a successful call changed cdt_count() as it should (retype: + count,
 *     copy and mint: + 1, delete: - 1 or less when it tore down a CNode,
 *     revoke: never up, the rest: 0),
 *     identify changed nothing, a retype's new RAM objects are zero, and
 *     after a revoke the target has no descendants left (an untyped's
 *     watermark is back at 0);
 *   - a walk of the whole tree in order finds every group starting at depth
 *     0 and no member deeper than its predecessor + 1; every derived
 *     capability no wider than its parent (rights, badge, frame window);
 *     and every object below the watermark of the untyped around it.
 *
 * Memory is allocated once and reused; each input starts with the RAM
 * untyped zeroed, as boot leaves it.  Every new object but CNodes and
 * untyped is then filled with 0xa5, as its user would, so an object not
 * zeroed when it died shows up as a non-zero retype later.
 *
 * Set COFFER_FUZZ_TRACE=1 in the environment to print every call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cap/cap_delete.h"
#include "cap/cdt.h"
#include "host_arch.h"
#include "object/invoke.h"
#include "cap_fixture.h"
#include <coffer/bootinfo.h>

#define ROOT_BITS 8
#define ROOT_SLOTS (1u << ROOT_BITS)
#define ROOT 1 /* a copy of the root CNode capability */
#define UT 2   /* 1 MiB RAM untyped */
#define DEV 3  /* 64 KiB device untyped */
#define ASID_CONTROL 4 /* the ASID control, */
#define ASID_POOL 5    /* an active pool (ASIDs 0..511), */
#define VSPACE 6       /* and an address space with ASID 1, as boot makes them */
#define UT_BITS 20
#define DEV_BITS 16
#define W COFFER_RETYPE_AT_WATERMARK

#define OP_BYTES 12
#define MAX_OPS 256
#define MAX_RESTARTS 4096 /* more than enough for 256 * 256 capabilities */

/*
 * One operation, OP_BYTES bytes b[0..11]:
 *
 *   b0  low nibble: label (labels[] below); flags in the high nibble:
 *       0x10 preempt (host_preempt_every during this call),
 *       0x20 finish (re-issue a restarted call until it completes),
 *       0x40 a garbage capability pointer (b11 & 0x80 ? the source /
 *            destination CNode argument : the invoked capability),
 *       0x80 16-bit slot indices: b10 is the high byte of the first index
 *            (b2, or b6 for retype), b11 of a transfer's source index b6.
 *   b1  invoked capability: root slot b1
 *
 *   UNTYPED_RETYPE
 *   b2  type (low nibble, 10..15 invalid) | destination depth (high nibble)
 *   b3  size bits  b4 count  b5 destination CNode (root slot)  b6 index
 *   b7..b9  offset: watermark, pages, 64-byte units, or odd values
 *
 *   CNODE_COPY / MINT / MOVE / MUTATE
 *   b2  destination index  b3 depths (dest low nibble, source high nibble)
 *   b4  rights  b5 source root CNode (root slot)  b6 source index
 *   b7..b9  data: 0, badge, window, guard, or odd values
 *
 *   CNODE_DELETE / REVOKE / IDENTIFY (and the invalid labels)
 *   b2  index  b3 depth (low nibble; high nibble 15: garbage high bits)
 *
 *   FRAME_MAP / PAGE_TABLE_MAP / ASID_CONTROL_MAKE_POOL / ASID_POOL_ASSIGN
 *   b5  the VSpace or pool argument (root slot)
 *   b7..b9  virtual address: pages of 2 GiB at 64 GiB, or odd values
 *   b4  rights (low 5 bits)
 */
#define F_PREEMPT 0x10
#define F_FINISH 0x20
#define F_BADPTR 0x40
#define F_WIDE 0x80

#define RETYPE COFFER_INV_UNTYPED_RETYPE
#define COPY COFFER_INV_CNODE_COPY
#define MINT COFFER_INV_CNODE_MINT
#define MOVE COFFER_INV_CNODE_MOVE
#define MUTATE COFFER_INV_CNODE_MUTATE
#define DELETE COFFER_INV_CNODE_DELETE
#define REVOKE COFFER_INV_CNODE_REVOKE
#define IDENTIFY COFFER_INV_CNODE_IDENTIFY
#define FRAME_MAP COFFER_INV_FRAME_MAP
#define FRAME_UNMAP COFFER_INV_FRAME_UNMAP
#define PT_MAP COFFER_INV_PAGE_TABLE_MAP
#define MAKE_POOL COFFER_INV_ASID_CONTROL_MAKE_POOL
#define ASSIGN COFFER_INV_ASID_POOL_ASSIGN
#define GARBAGE_LABEL 1 /* labels[] entry: the label comes from the bytes */

static const uint64_t labels[16] = {
    RETYPE, RETYPE, RETYPE, COPY, MINT, FRAME_MAP, MOVE, MUTATE,
    DELETE, FRAME_UNMAP, REVOKE, PT_MAP, IDENTIFY,
    MAKE_POOL, ASSIGN,
    GARBAGE_LABEL,
};

/* Depths for CNode operations: 64 names a root slot; 8 a root slot
 * through a root capability minted with guard 0; 4 a slot of a 16-slot
 * CNode with guard 0, 12 a slot of such a CNode through that root
 * capability; the rest fail or need odd CSpace shapes.  15: raw b11. */
static const uint8_t depths[16] = { 64, 64, 64, 64, 64, 8, 8, 4, 12, 0, 65, 1, 2, 16, 63, 0 };
/* Destination depths of retype: 0 names the caller's root CNode, 64 a
 * CNode in a root slot.  15: raw b11. */
static const uint8_t retype_depths[16] = { 0, 0, 0, 0, 0, 0, 64, 64, 64, 8, 4, 1, 65, 128, 255, 0 };

static struct thread *thr;
static struct slot *root_slots;
static uint8_t *ut_mem, *dev_mem;
static bool trace;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Host pages for the boot-made ASID pool and address space. */
static uint8_t boot_pool[4096] __attribute__((aligned(4096)));
static uint8_t boot_vspace[4096] __attribute__((aligned(4096)));

static void init_once(void)
{
    thr = aligned_alloc(64, (sizeof(struct thread) + 63) & ~(size_t)63);
    root_slots = aligned_alloc(ROOT_SLOTS * sizeof(struct slot), ROOT_SLOTS * sizeof(struct slot));
    ut_mem = aligned_alloc(1u << UT_BITS, 1u << UT_BITS);
    dev_mem = aligned_alloc(1u << DEV_BITS, 1u << DEV_BITS);
    if (thr == NULL || root_slots == NULL || ut_mem == NULL || dev_mem == NULL)
        abort();
    memset(dev_mem, 0x5a, 1u << DEV_BITS); /* device memory is never zeroed */
    const char *t = getenv("COFFER_FUZZ_TRACE");
    trace = t != NULL && *t != '\0' && *t != '0';
}

/* A fresh CSpace: the root CNode, its copy in slot ROOT, the two untyped. */
static void setup(void)
{
    host_preempt_every = false;
    fixture_cspace(thr, root_slots, ROOT_BITS, ROOT);
    fixture_untyped(&root_slots[UT], ut_mem, UT_BITS, false);
    fixture_untyped(&root_slots[DEV], dev_mem, DEV_BITS, true);
    memset(boot_pool, 0, sizeof(boot_pool));
    memset(boot_vspace, 0, sizeof(boot_vspace));
    asid_boot((uintptr_t)boot_pool, (uintptr_t)boot_vspace, &root_slots[ASID_CONTROL].cap,
              &root_slots[ASID_POOL].cap);
    cdt_insert_object(&root_slots[ASID_CONTROL]);
    cdt_insert_object(&root_slots[ASID_POOL]);
    root_slots[VSPACE].cap = (struct cap){ .object = (uintptr_t)boot_vspace, .type = CAP_VSPACE,
                                           .rights = CAP_RIGHTS_ALL, .data = 1 };
    cdt_insert_object(&root_slots[VSPACE]);
}

/* ---- Decoding an operation ----------------------------------------------- */

static uint64_t garbage_cptr(uint8_t b, uint8_t extra)
{
    switch (extra & 3) {
    case 0: return 0x100u | b;                 /* fails the root's guard */
    case 1: return (uint64_t)b << 56;
    case 2: return ~0ull;
    default: return (uint64_t)(extra | 1) << 32 | b;
    }
}

static uint64_t size_bits_arg(uint8_t b)
{
    switch (b >> 6) {
    case 0: return 0;                          /* fixed-size types */
    case 1: return 1 + (b & 7);                /* CNode radixes */
    case 2: return 6 + (b & 63) % 11;          /* 64 bytes .. 64 KiB */
    default: return (b & 63) == 63 ? 255 : b & 63;
    }
}

static uint64_t count_arg(uint8_t b)
{
    static const uint64_t odd[8] = { 0, 16, 64, 255, 256, 257, 0x7fffffff, 0xffffffff };
    switch (b >> 6) {
    case 0: return 1;
    case 1: return 1 + (b & 7);
    case 2: return odd[b & 7];
    default: return b & 63;
    }
}

static uint64_t offset_arg(uint8_t b7, uint8_t b8, uint8_t b9)
{
    switch (b7 >> 6) {
    case 0: return W;
    case 1: return (uint64_t)((b7 & 63) | (b8 & 3) << 6) << 12; /* pages of the 1 MiB */
    case 2: return (uint64_t)b8 << 12 | (uint64_t)(b7 & 63) << 6;
    default: {
        const uint64_t odd[8] = { 1u << UT_BITS, (1u << UT_BITS) - 4096, 1u << DEV_BITS, 1ull << 63,
                                  W - 1, 0x1001, (uint64_t)b9 << 40, W ^ 0xfff };
        return odd[b8 & 7];
    }
    }
}

static uint64_t data_arg(uint8_t b7, uint8_t b8, uint8_t b9)
{
    switch (b7 >> 5) {
    case 0: return 0;
    case 1: return b8 | (uint64_t)b9 << 8 | (uint64_t)(b7 & 31) << 16;  /* badge */
    case 2: return COFFER_WINDOW((b8 & 15u) << 12, (b9 & 15u) << 12); /* pages */
    case 3: return COFFER_GUARD(b8 & 63u, b9);
    case 4: return COFFER_GUARD(b8 & 63u, 0);
    case 5: return COFFER_WINDOW((uint64_t)b8 << 8, (uint64_t)b9 << 8); /* odd windows */
    case 6: return (uint64_t)b8 << 56 | (uint64_t)b9 << 24 | (b7 & 31u);
    default: {
        const uint64_t odd[4] = { ~0ull, 1ull << 63, COFFER_WINDOW(0xfffff000u, 0x2000),
                                  COFFER_WINDOW(0, 0xfffff000u) };
        return odd[b7 & 3];
    }
    }
}

static uint64_t vaddr_arg(uint8_t b7, uint8_t b8, uint8_t b9)
{
    const uint64_t base = 0x1000000000ull; /* 64 GiB */
    switch (b7 >> 6) {
    case 0:
    case 1: return base + ((uint64_t)(b7 & 127) << 21 | (uint64_t)b8 << 12); /* 4 KiB pages of 256 MiB */
    case 2: return base + ((uint64_t)(b7 & 63) << 30);                       /* GiBs */
    default: {
        const uint64_t odd[8] = { COFFER_USER_TOP, COFFER_USER_TOP - 4096, 0xffffffc000000000ull,
                                  0x0000800000000000ull, base + 1, base + ((uint64_t)b9 << 4), 0,
                                  ~0ull };
        return odd[b8 & 7];
    }
    }
}

static uint64_t depth_arg(uint8_t nibble, uint8_t raw)
{
    return nibble == 15 ? raw : depths[nibble];
}

/* The system-call arguments for one record. */
static void decode(const uint8_t *b, uint64_t args[COFFER_SYSCALL_ARGS])
{
    bool wide = (b[0] & F_WIDE) != 0, bad = (b[0] & F_BADPTR) != 0;
    bool bad_invoked = bad && !(b[11] & 0x80), bad_other = bad && (b[11] & 0x80);
    uint64_t label = labels[b[0] & 15];
    if (label == GARBAGE_LABEL)
        label = (uint64_t)b[10] << 8 | b[9]; /* mostly no label at all */
    uint64_t index0 = b[2] | (wide ? (uint64_t)b[10] << 8 : 0);
    uint64_t index1 = b[6] | (wide ? (uint64_t)b[11] << 8 : 0);
    uint64_t other = bad_other ? garbage_cptr(b[5], b[10]) : b[5];
    memset(args, 0, COFFER_SYSCALL_ARGS * sizeof(args[0]));
    args[0] = bad_invoked ? garbage_cptr(b[1], b[10]) : b[1];
    args[1] = label;
    if (label == RETYPE) {
        unsigned type = b[2] & 15;
        unsigned depth = (b[2] >> 4) == 15 ? b[11] : retype_depths[b[2] >> 4];
        args[2] = COFFER_RETYPE_ARG0(type == 15 ? 0xff : type, size_bits_arg(b[3]), depth,
                                     count_arg(b[4]));
        args[3] = other;
        args[4] = b[6] | (wide ? (uint64_t)b[10] << 8 : 0);
        args[5] = offset_arg(b[7], b[8], b[9]);
    } else if (label >= COPY && label <= MUTATE) {
        args[2] = index0;
        args[3] = COFFER_CNODE_ARG1(depth_arg(b[3] & 15, b[11]), depth_arg(b[3] >> 4, b[11]), b[4]);
        args[4] = other;
        args[5] = index1;
        args[6] = data_arg(b[7], b[8], b[9]);
    } else if (label == FRAME_MAP || label == PT_MAP || label == MAKE_POOL || label == ASSIGN) {
        args[2] = other;
        args[3] = vaddr_arg(b[7], b[8], b[9]);
        args[4] = b[4] & 31;
    } else {
        args[2] = index0;
        args[3] = depth_arg(b[3] & 15, b[11]) | ((b[3] >> 4) == 15 ? 1ull << 32 : 0);
        args[4] = b[5];
        args[5] = b[6];
        args[6] = b[7];
    }
}

/* ---- Checks --------------------------------------------------------------- */

static unsigned op_index;
static uint64_t op_args[COFFER_SYSCALL_ARGS]; /* the current call's */
static struct coffer_result op_result;
static size_t op_before, op_after;

static void fail(const char *what)
{
    fprintf(stderr,
            "fuzz_caps: %s\n  operation %u: cptr %#llx label %#llx args %#llx %#llx %#llx %#llx %#llx\n"
            "  result %#llx (%#llx, %#llx); capabilities %zu -> %zu; cdt_check() = %d\n",
            what, op_index, (unsigned long long)op_args[0], (unsigned long long)op_args[1],
            (unsigned long long)op_args[2], (unsigned long long)op_args[3],
            (unsigned long long)op_args[4], (unsigned long long)op_args[5],
            (unsigned long long)op_args[6], (unsigned long long)op_result.error,
            (unsigned long long)op_result.detail0, (unsigned long long)op_result.detail1, op_before,
            op_after, cdt_check());
    abort();
}

static bool same_group(const struct cap *a, const struct cap *b)
{
    return a->object == b->object && a->type == b->type && cap_object_end(a) == cap_object_end(b);
}

static uint64_t window_end(const struct cap *c)
{
    return frame_window_offset(c) + frame_window_size(c);
}

/* Is child (derived from parent, same object) no wider than it? */
static const char *narrower(const struct cap *child, const struct cap *parent)
{
    if (child->rights & ~parent->rights)
        return "a derived capability has rights its parent lacks";
    if ((child->flags ^ parent->flags) & CAP_FLAG_DEVICE)
        return "a derived capability differs from its parent in the device flag";
    if ((parent->flags & CAP_FLAG_BADGED) &&
        (!(child->flags & CAP_FLAG_BADGED) || child->data != parent->data))
        return "a capability derived from a badged one has another badge";
    if (child->type == CAP_FRAME &&
        (frame_window_offset(child) < frame_window_offset(parent) ||
         window_end(child) > window_end(parent)))
        return "a derived frame capability's window is wider than its parent's";
    return NULL;
}

#define STACK_MAX (CAP_DEPTH_MAX + 1)

/* A hash of every capability in the tree and the slot it is in, as of the
 * last check_model(): a failed call must leave it as it was. */
static uint64_t tree_hash;

static uint64_t hash_word(uint64_t h, uint64_t w)
{
    return (h ^ w) * 0x100000001b3ull + (h >> 29);
}

static uint64_t hash_slot(uint64_t h, const struct slot *s)
{
    uint64_t words[sizeof(struct cap) / 8];
    memcpy(words, &s->cap, sizeof(words));
    h = hash_word(h, (uintptr_t)s);
    for (size_t i = 0; i < ARRAY_SIZE(words); i++)
        h = hash_word(h, words[i]);
    return h;
}

/*
 * The whole tree in order (from any node: the thread's root CNode
 * capability is always in it): the derivation rules cdt_check() leaves to
 * the operations, and the untyped watermarks.  Updates tree_hash.
 */
static void check_model(void)
{
    static const struct cap *chain[STACK_MAX]; /* ancestors in the current group, by depth */
    struct {
        uint64_t end, watermark_end;
    } outer[64];
    unsigned n_outer = 0;
    struct rb_node *n = &thr->cspace_root.node;
    while (rb_parent(n) != NULL)
        n = rb_parent(n);
    while (n->left != NULL)
        n = n->left;
    const struct cap *prev = NULL;
    uint64_t h = 0xcbf29ce484222325ull;
    for (; n != NULL; n = rb_next(n)) {
        const struct cap *c = &slot_of_node(n)->cap;
        h = hash_slot(h, slot_of_node(n));
        if (prev == NULL || !same_group(prev, c)) {
            if (c->depth != 0)
                fail("a group of capabilities does not start at depth 0");
            while (n_outer > 0 && outer[n_outer - 1].end <= c->object)
                n_outer--;
            if (n_outer > 0 && cap_object_end(c) > outer[n_outer - 1].watermark_end)
                fail("an object lies above the watermark of its untyped");
            if (c->type == CAP_UNTYPED) {
                if (c->data > 1ull << c->size_bits)
                    fail("an untyped's watermark is past its end");
                if (n_outer == ARRAY_SIZE(outer))
                    fail("untyped nested too deep");
                outer[n_outer].end = cap_object_end(c);
                outer[n_outer].watermark_end = c->object + c->data;
                n_outer++;
            }
        } else {
            if (c->depth > prev->depth + 1u)
                fail("a capability is deeper than its predecessor + 1");
            if (c->depth > 0) {
                const char *why = narrower(c, chain[c->depth - 1]);
                if (why != NULL)
                    fail(why);
            }
        }
        if (c->depth >= STACK_MAX)
            fail("a capability deeper than CAP_DEPTH_MAX");
        chain[c->depth] = c;
        prev = c;
    }
    tree_hash = h;
}

/* The slot a CNode invocation (delete, revoke) names, or NULL. */
static struct slot *cnode_target(const uint64_t args[COFFER_SYSCALL_ARGS])
{
    struct lookup_result r = cspace_lookup(&thr->cspace_root.cap, args[0], CPTR_MAX_DEPTH);
    if (r.slot == NULL || r.slot->cap.type != CAP_CNODE || args[3] < 1 || args[3] > 64)
        return NULL;
    return cspace_lookup(&r.slot->cap, args[2], (unsigned)args[3]).slot;
}

/* The first destination slot of a retype, or NULL. */
static struct slot *retype_dest(const uint64_t args[COFFER_SYSCALL_ARGS])
{
    unsigned depth = (unsigned)(args[2] >> 16 & 0xff);
    const struct cap *cnode = &thr->cspace_root.cap;
    if (depth != 0) {
        if (depth > 64)
            return NULL;
        struct slot *s = cspace_lookup(cnode, args[3], depth).slot;
        if (s == NULL || s->cap.type != CAP_CNODE)
            return NULL;
        cnode = &s->cap;
    }
    return &cnode_slots(cnode)[args[4]];
}

static bool all_zero(const uint8_t *p, uint64_t n)
{
    static const uint8_t zero[4096];
    for (; n >= sizeof(zero); p += sizeof(zero), n -= sizeof(zero))
        if (memcmp(p, zero, sizeof(zero)) != 0)
            return false;
    return n == 0 || memcmp(p, zero, n) == 0;
}

static void check_success(const uint64_t args[COFFER_SYSCALL_ARGS], struct slot *target,
                          uint64_t hash_before)
{
    uint64_t label = args[1];
    size_t want = op_before;
    if (label == IDENTIFY && tree_hash != hash_before)
        fail("identify changed a capability");
    if (label == RETYPE) {
        uint64_t count = args[2] >> 32;
        want = op_before + count;
        struct slot *dst = retype_dest(args);
        if (dst == NULL)
            fail("a retype succeeded into no CNode");
        for (uint64_t i = 0; i < count; i++) {
            const struct cap *c = &dst[i].cap;
            if (cap_is_null(c))
                fail("a retype succeeded but left a destination slot empty");
            if (c->flags & CAP_FLAG_DEVICE)
                continue;
            uint8_t *mem = (uint8_t *)(uintptr_t)c->object;
            if (!all_zero(mem, cap_object_end(c) - c->object))
                fail("a retyped object's memory is not zero");
            fixture_use_object(c);
        }
    } else if (label == COPY || label == MINT) {
        want = op_before + 1;
    } else if (label == DELETE) {
        want = op_after < op_before ? op_after : op_before - 1;
    } else if (label == REVOKE) {
        want = op_after <= op_before ? op_after : op_before;
        if (target != NULL && cap_is_null(&target->cap))
            return; /* the target's own CNode was torn down with the rest */
        if (target == NULL || cdt_first_descendant(target) != NULL)
            fail("a revoke succeeded but its target still has descendants");
        if (target->cap.type == CAP_UNTYPED && target->cap.data != 0)
            fail("a revoke of an untyped succeeded but its watermark is not 0");
    } else if (label == FRAME_UNMAP) {
        if (args[0] < ROOT_SLOTS && root_slots[args[0]].mapping != 0)
            fail("an unmapped frame capability still records a mapping");
    } else if (label != MOVE && label != MUTATE && label != IDENTIFY && label != FRAME_MAP &&
               label != PT_MAP && label != MAKE_POOL && label != ASSIGN &&
               label != COFFER_INV_FRAME_ADDRESS && label != COFFER_INV_PAGE_TABLE_UNMAP) {
        fail("an unknown label succeeded");
    }
    if (op_after != want)
        fail("a successful call changed the number of capabilities wrongly");
}

static void check_call(const uint64_t args[COFFER_SYSCALL_ARGS], bool preempt, struct slot *target)
{
    uint64_t e = op_result.error, label = args[1], hash_before = tree_hash;
    if (e >= COFFER_ERR_COUNT_ && e != SYSCALL_RESTART)
        fail("the error code is not a coffer_error_t");
    if (cdt_check() != 0)
        fail("cdt_check() failed");
    check_model();
    if (e == SYSCALL_RESTART) {
        if ((label != REVOKE && label != DELETE) || !preempt)
            fail("a restart without a preempted delete or revoke");
        if (op_after > op_before || op_before - op_after > REVOKE_BATCH + ZOMBIE_BATCH)
            fail("a restarted delete or revoke did more than a batch of work");
    } else if (e == COFFER_ERR_OK) {
        check_success(args, target, hash_before);
    } else if (op_after != op_before) {
        fail("a failed call changed the number of capabilities");
    } else if (tree_hash != hash_before) {
        fail("a failed call changed a capability");
    }
}

static void trace_call(const uint64_t args[COFFER_SYSCALL_ARGS])
{
    fprintf(stderr, "%3u: cptr %#llx label %#llx args %#llx %#llx %#llx %#llx %#llx -> %#llx (%#llx, %#llx) %zu -> %zu\n",
            op_index, (unsigned long long)args[0], (unsigned long long)args[1],
            (unsigned long long)args[2], (unsigned long long)args[3],
            (unsigned long long)args[4], (unsigned long long)args[5],
            (unsigned long long)args[6], (unsigned long long)op_result.error,
            (unsigned long long)op_result.detail0, (unsigned long long)op_result.detail1,
            op_before, op_after);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (thr == NULL)
        init_once();
    setup();
    check_model(); /* the first tree_hash */
    size_t ops = size / OP_BYTES;
    if (ops > MAX_OPS)
        ops = MAX_OPS;
    uint64_t *args = op_args;
    for (op_index = 0; op_index < ops; op_index++) {
        const uint8_t *b = data + (size_t)op_index * OP_BYTES;
        decode(b, args);
        if (fixture_threads_layer(thr, args[0]))
            continue; /* IPC and threads are not the fuzzer's (cap_fixture.h) */
        bool preempt = (b[0] & F_PREEMPT) != 0;
        /* Where a revoke goes, found before the call (a successful revoke
         * must leave it without descendants). */
        struct slot *target = args[1] == REVOKE ? cnode_target(args) : NULL;
        unsigned restarts = 0;
        host_preempt_every = preempt;
        for (;;) {
            op_before = cdt_count();
            op_result = sys_CALL(thr, args);
            op_after = cdt_count();
            if (trace)
                trace_call(args);
            check_call(args, preempt, target);
            if (op_result.error != SYSCALL_RESTART || !(b[0] & F_FINISH))
                break;
            if (++restarts == MAX_RESTARTS)
                fail("a preempted delete or revoke never finished");
        }
        host_preempt_every = false;
    }
    return 0;
}

#ifdef FUZZ_CAPS_STANDALONE
/* Without libFuzzer (any C compiler): run the inputs named on the command line. */
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        static uint8_t buf[MAX_OPS * OP_BYTES];
        if (f == NULL) {
            perror(argv[i]);
            return 1;
        }
        size_t n = fread(buf, 1, sizeof(buf), f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
        printf("%s: ok\n", argv[i]);
    }
    return 0;
}
#endif
