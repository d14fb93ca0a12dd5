/*
 * Flattened device tree reader.  See fdt.h for the contract.
 *
 * Layout of a DTB (all fields big-endian):
 *   header | memory-reservation block | struct block | strings block
 * The struct block is a stream of 4-byte-aligned tokens; property names are
 * offsets into the strings block.  Everything here works on offsets that
 * are checked against the block they belong to before any byte is read,
 * using 64-bit arithmetic so that 32-bit header fields cannot overflow.
 */
#include "fdt.h"
#include "kstring.h"

/* Struct block tokens. */
#define FDT_BEGIN_NODE 0x1u
#define FDT_END_NODE 0x2u
#define FDT_PROP 0x3u
#define FDT_NOP 0x4u
#define FDT_END 0x9u

/* Header field offsets; size_dt_struct only exists from version 17 on. */
#define H_MAGIC 0
#define H_TOTALSIZE 4
#define H_OFF_STRUCT 8
#define H_OFF_STRINGS 12
#define H_OFF_RSVMAP 16
#define H_VERSION 20
#define H_LAST_COMP 24
#define H_SIZE_STRINGS 32
#define H_SIZE_STRUCT 36
#define HDR_V16_SIZE 36u
#define HDR_V17_SIZE 40u

#define RSV_ENTRY_SIZE 16u /* (u64 address, u64 size) */

STATIC_ASSERT(FDT_MAX_DEPTH <= 32, "depth bitmasks are uint32_t");
STATIC_ASSERT(FDT_PATH_LEN > 0 && FDT_ISA_LEN > 0 && FDT_COMPAT_LEN > 0,
              "string buffers need room for a NUL");

/* The header, checked: every block lies within [0, totalsize). */
struct layout {
    const uint8_t *base;
    uint32_t totalsize;
    uint32_t off_rsvmap;
    const uint8_t *structs; /* struct block */
    uint32_t size_struct;
    const char *strings; /* strings block */
    uint32_t size_strings;
};

static uint32_t be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return ((uint64_t)be32(p) << 32) | be32(p + 4);
}

/* Would [base, base + size) run past 2^64?  (Checked without wrapping.) */
static bool region_wraps(uint64_t base, uint64_t size)
{
    return size != 0 && size - 1 > UINT64_MAX - base;
}

/* Big-endian number of 1 or 2 cells. */
static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
    return cells == 2 ? be64(p) : be32(p);
}

/*
 * Length of the string at s, looking at no more than max bytes; returns max
 * if there is no NUL in them.  (strnlen is POSIX, not C11, and the hosted
 * test build runs in strict C11 mode.)
 */
static uint64_t bounded_strlen(const char *s, uint64_t max)
{
    uint64_t n = 0;

    while (n < max && s[n] != '\0')
        n++;
    return n;
}

const char *fdt_strerror(int err)
{
    switch (err) {
    case FDT_OK: return "ok";
    case FDT_ERR_BADARG: return "bad argument";
    case FDT_ERR_BADMAGIC: return "bad magic";
    case FDT_ERR_BADVERSION: return "unsupported version";
    case FDT_ERR_TRUNCATED: return "truncated";
    case FDT_ERR_BADLAYOUT: return "bad block layout";
    case FDT_ERR_BADSTRUCTURE: return "bad structure";
    case FDT_ERR_BADSTRING: return "bad property name";
    case FDT_ERR_TOODEEP: return "nested too deeply";
    case FDT_ERR_BADVALUE: return "bad property value";
    case FDT_ERR_BADCELLS: return "unsupported #address-cells/#size-cells";
    case FDT_ERR_NOSPACE: return "too many entries";
    default: return "unknown error";
    }
}

/* ---- Header ------------------------------------------------------------ */

/* A block [off, off + size) must sit after the header, inside totalsize. */
static bool block_fits(uint64_t off, uint64_t size, uint32_t hdr,
                       uint32_t total)
{
    return off >= hdr && off <= total && size <= total - off;
}

static int parse_header(const void *blob, size_t max_size, struct layout *l)
{
    const uint8_t *b = blob;
    uint32_t version, hdr, total, off_struct, off_strings, size_struct;

    if (blob == NULL)
        return FDT_ERR_BADARG;
    if (max_size < HDR_V16_SIZE)
        return FDT_ERR_TRUNCATED;
    if (be32(b + H_MAGIC) != FDT_MAGIC)
        return FDT_ERR_BADMAGIC;
    version = be32(b + H_VERSION);
    if (version < 16 || be32(b + H_LAST_COMP) > 17)
        return FDT_ERR_BADVERSION;
    hdr = version >= 17 ? HDR_V17_SIZE : HDR_V16_SIZE;
    if (max_size < hdr)
        return FDT_ERR_TRUNCATED;
    total = be32(b + H_TOTALSIZE);
    if (total > max_size)
        return FDT_ERR_TRUNCATED;
    if (total < hdr)
        return FDT_ERR_BADLAYOUT;

    off_struct = be32(b + H_OFF_STRUCT);
    off_strings = be32(b + H_OFF_STRINGS);
    l->off_rsvmap = be32(b + H_OFF_RSVMAP);
    l->size_strings = be32(b + H_SIZE_STRINGS);
    if (off_struct > total)
        return FDT_ERR_BADLAYOUT;
    /* Version 16 has no struct size: FDT_END has to end it in time. */
    size_struct = version >= 17 ? be32(b + H_SIZE_STRUCT) : total - off_struct;

    /* Tokens are 4-aligned relative to the blob, reservations 8-aligned. */
    if (!IS_ALIGNED(off_struct, 4) || !IS_ALIGNED(l->off_rsvmap, 8))
        return FDT_ERR_BADLAYOUT;
    if (!block_fits(off_struct, size_struct, hdr, total) ||
        !block_fits(off_strings, l->size_strings, hdr, total) ||
        !block_fits(l->off_rsvmap, 0, hdr, total))
        return FDT_ERR_BADLAYOUT;

    l->base = b;
    l->totalsize = total;
    l->structs = b + off_struct;
    l->size_struct = size_struct;
    l->strings = (const char *)b + off_strings;
    return FDT_OK;
}

int fdt_check_header(const void *blob, size_t max_size, uint32_t *totalsize)
{
    struct layout l;
    int r = parse_header(blob, max_size, &l);

    if (r == FDT_OK && totalsize != NULL)
        *totalsize = l.totalsize;
    return r;
}

/* ---- Walker ------------------------------------------------------------ */

struct frame {
    struct fdt_node node;
    bool props_done; /* node_props_done has been called */
};

struct walker {
    const struct layout *l;
    const struct fdt_visitor *v;
    void *ctx;
    uint64_t pos; /* offset of the next token in the struct block */
    int depth;    /* innermost open node, -1 if none */
    bool root_done;
    bool finished; /* reached FDT_END after the root node */
    struct frame frames[FDT_MAX_DEPTH];
};

static uint64_t struct_left(const struct walker *w)
{
    return w->l->size_struct - w->pos;
}

/* Advance over `n` bytes plus padding to the next token boundary. */
static int skip_padded(struct walker *w, uint64_t n)
{
    w->pos += ALIGN_UP(n, 4);
    return w->pos <= w->l->size_struct ? FDT_OK : FDT_ERR_TRUNCATED;
}

/* Tell the visitor the innermost node has no more properties (once). */
static int finish_props(struct walker *w)
{
    struct frame *f = &w->frames[w->depth];

    if (f->props_done)
        return FDT_OK;
    f->props_done = true;
    return w->v->node_props_done ? w->v->node_props_done(&f->node, w->ctx)
                                 : FDT_OK;
}

/* Open a frame for a node at depth d, cells taken from its parent. */
static struct frame *push_frame(struct walker *w, const char *name, int d)
{
    struct frame *f = &w->frames[d];

    f->props_done = false;
    f->node.name = name;
    f->node.depth = d;
    /* Spec defaults when #address-cells/#size-cells are absent. */
    f->node.child_addr_cells = 2;
    f->node.child_size_cells = 1;
    f->node.parent = d > 0 ? &w->frames[d - 1].node : NULL;
    f->node.addr_cells = d > 0 ? f->node.parent->child_addr_cells : 2;
    f->node.size_cells = d > 0 ? f->node.parent->child_size_cells : 1;
    w->depth = d;
    return f;
}

static int begin_node(struct walker *w)
{
    const char *name = (const char *)w->l->structs + w->pos;
    uint64_t left = struct_left(w);
    uint64_t n = bounded_strlen(name, left);
    const struct frame *f;
    int r;

    if (n == left)
        return FDT_ERR_TRUNCATED; /* name runs off the block */
    if (w->root_done)
        return FDT_ERR_BADSTRUCTURE; /* a second root */
    if (w->depth + 1 >= FDT_MAX_DEPTH)
        return FDT_ERR_TOODEEP;
    if (w->depth >= 0 && (r = finish_props(w)) != FDT_OK)
        return r;
    if ((r = skip_padded(w, n + 1)) != FDT_OK)
        return r;
    f = push_frame(w, name, w->depth + 1);
    return w->v->node_begin ? w->v->node_begin(&f->node, w->ctx) : FDT_OK;
}

static int end_node(struct walker *w)
{
    int r;

    if (w->depth < 0)
        return FDT_ERR_BADSTRUCTURE;
    if ((r = finish_props(w)) != FDT_OK)
        return r;
    if (w->v->node_end &&
        (r = w->v->node_end(&w->frames[w->depth].node, w->ctx)) != FDT_OK)
        return r;
    if (--w->depth < 0)
        w->root_done = true;
    return FDT_OK;
}

/* Check a property name offset and that the name ends inside the block. */
static const char *prop_name(const struct layout *l, uint32_t off)
{
    uint32_t left;

    if (off >= l->size_strings)
        return NULL;
    left = l->size_strings - off;
    if (bounded_strlen(l->strings + off, left) == left)
        return NULL;
    return l->strings + off;
}

/* The cells properties shape how children are decoded, so track them here. */
static int note_cells(struct fdt_node *n, const struct fdt_prop *p)
{
    bool addr = strcmp(p->name, "#address-cells") == 0;

    if (!addr && strcmp(p->name, "#size-cells") != 0)
        return FDT_OK;
    return fdt_prop_u32(p, addr ? &n->child_addr_cells : &n->child_size_cells);
}

static int property(struct walker *w)
{
    struct frame *f;
    struct fdt_prop p;
    uint32_t nameoff;
    int r;

    if (w->depth < 0)
        return FDT_ERR_BADSTRUCTURE; /* outside every node */
    f = &w->frames[w->depth];
    if (f->props_done)
        return FDT_ERR_BADSTRUCTURE; /* after a subnode */
    if (struct_left(w) < 8)
        return FDT_ERR_TRUNCATED;
    p.len = be32(w->l->structs + w->pos);
    nameoff = be32(w->l->structs + w->pos + 4);
    w->pos += 8;
    if (p.len > struct_left(w))
        return FDT_ERR_TRUNCATED;
    p.value = w->l->structs + w->pos;
    if ((p.name = prop_name(w->l, nameoff)) == NULL)
        return FDT_ERR_BADSTRING;
    if ((r = skip_padded(w, p.len)) != FDT_OK)
        return r;
    if ((r = note_cells(&f->node, &p)) != FDT_OK)
        return r;
    return w->v->prop ? w->v->prop(&f->node, &p, w->ctx) : FDT_OK;
}

/* Process one token. */
static int step(struct walker *w)
{
    uint32_t token;

    if (struct_left(w) < 4)
        return FDT_ERR_TRUNCATED; /* no FDT_END */
    token = be32(w->l->structs + w->pos);
    w->pos += 4;
    switch (token) {
    case FDT_BEGIN_NODE: return begin_node(w);
    case FDT_END_NODE: return end_node(w);
    case FDT_PROP: return property(w);
    case FDT_NOP: return FDT_OK;
    case FDT_END:
        w->finished = w->root_done;
        return w->finished ? FDT_OK : FDT_ERR_BADSTRUCTURE;
    default: return FDT_ERR_BADSTRUCTURE;
    }
}

/*
 * Every step consumes at least 4 bytes of a finite block, so this ends.
 * Any nonzero callback result is passed through unchanged.
 */
static int walk(const struct layout *l, const struct fdt_visitor *v,
                void *ctx)
{
    struct walker w;
    int r = FDT_OK;

    memset(&w, 0, sizeof(w));
    w.l = l;
    w.v = v;
    w.ctx = ctx;
    w.depth = -1;
    while (r == FDT_OK && !w.finished)
        r = step(&w);
    return r;
}

int fdt_walk(const void *blob, size_t max_size, const struct fdt_visitor *v,
             void *ctx)
{
    struct layout l;
    int r;

    if (v == NULL)
        return FDT_ERR_BADARG;
    if ((r = parse_header(blob, max_size, &l)) != FDT_OK)
        return r;
    return walk(&l, v, ctx);
}

/* ---- Property helpers -------------------------------------------------- */

int fdt_prop_u32(const struct fdt_prop *prop, uint32_t *out)
{
    if (prop->len != 4)
        return FDT_ERR_BADVALUE;
    *out = be32(prop->value);
    return FDT_OK;
}

int fdt_prop_uint(const struct fdt_prop *prop, uint64_t *out)
{
    if (prop->len != 4 && prop->len != 8)
        return FDT_ERR_BADVALUE;
    *out = read_cells(prop->value, prop->len / 4);
    return FDT_OK;
}

const char *fdt_prop_string(const struct fdt_prop *prop)
{
    const char *s = prop->value;

    if (prop->len == 0 || s[prop->len - 1] != '\0')
        return NULL;
    return s;
}

int fdt_read_reg(const struct fdt_prop *prop, uint32_t addr_cells,
                 uint32_t size_cells, struct fdt_region *out, uint32_t cap)
{
    const uint8_t *p = prop->value;
    uint32_t entry, n, i;

    if (addr_cells < 1 || addr_cells > 2 || size_cells < 1 || size_cells > 2)
        return FDT_ERR_BADCELLS;
    entry = 4 * (addr_cells + size_cells);
    if (prop->len % entry != 0)
        return FDT_ERR_BADVALUE;
    n = prop->len / entry;
    if (n > cap)
        return FDT_ERR_NOSPACE;
    for (i = 0; i < n; i++, p += entry) {
        uint64_t base = read_cells(p, addr_cells);
        uint64_t size = read_cells(p + 4 * (size_t)addr_cells, size_cells);

        /* A wrapping region would poison every later range check. */
        if (region_wraps(base, size))
            return FDT_ERR_BADVALUE;
        out[i].base = base;
        out[i].size = size;
    }
    return (int)n;
}

/* Is the property exactly the string s (including its NUL)? */
static bool prop_is(const struct fdt_prop *p, const char *s)
{
    size_t n = strlen(s) + 1;

    return p->len == n && memcmp(p->value, s, n) == 0;
}

/* Copy a string property into buf, truncating to fit. */
static int copy_string(char *buf, size_t cap, const struct fdt_prop *p)
{
    const char *s = fdt_prop_string(p);
    size_t n;

    if (s == NULL)
        return FDT_ERR_BADVALUE;
    n = bounded_strlen(s, cap - 1);
    memcpy(buf, s, n);
    buf[n] = '\0';
    return FDT_OK;
}

/* ---- Machine description ----------------------------------------------- */

/* What fdt_read_machine remembers about the innermost node's properties. */
struct node_info {
    struct fdt_prop reg, compat, interrupts, isa, timebase; /* name==NULL: absent */
    bool disabled;        /* status present and not okay */
    bool is_memory;       /* device_type = "memory" */
    bool is_cpu;          /* device_type = "cpu" */
    bool identity_ranges; /* empty `ranges`: children share our addresses */
};

struct machine_ctx {
    struct fdt_machine *m;
    struct node_info cur;
    uint32_t unavailable; /* bit d: node at depth d or an ancestor disabled */
    uint32_t mapped;      /* bit d: children of depth d use CPU addresses */
    bool initrd_start_seen, initrd_end_seen;
};

static bool has(const struct fdt_prop *p)
{
    return p->name != NULL;
}

static bool name_is(const struct fdt_node *n, const char *s)
{
    return strcmp(n->name, s) == 0;
}

/* The ancestor of n at depth 1 (n itself if at depth 1), NULL for root. */
static const struct fdt_node *top_level(const struct fdt_node *n)
{
    while (n->depth > 1)
        n = n->parent;
    return n->depth == 1 ? n : NULL;
}

static bool in_top(const struct fdt_node *n, const char *s)
{
    const struct fdt_node *t = top_level(n);

    return t != NULL && name_is(t, s);
}

static int chosen_prop(struct machine_ctx *c, const struct fdt_prop *p)
{
    struct fdt_machine *m = c->m;

    if (strcmp(p->name, "linux,initrd-start") == 0) {
        c->initrd_start_seen = true;
        return fdt_prop_uint(p, &m->initrd_start);
    }
    if (strcmp(p->name, "linux,initrd-end") == 0) {
        c->initrd_end_seen = true;
        return fdt_prop_uint(p, &m->initrd_end);
    }
    if (strcmp(p->name, "stdout-path") == 0)
        return copy_string(m->stdout_path, sizeof(m->stdout_path), p);
    return FDT_OK;
}

/* Remember the properties that only make sense together with others. */
static void note_prop(struct node_info *i, const struct fdt_prop *p)
{
    if (strcmp(p->name, "reg") == 0)
        i->reg = *p;
    else if (strcmp(p->name, "compatible") == 0)
        i->compat = *p;
    else if (strcmp(p->name, "interrupts") == 0)
        i->interrupts = *p;
    else if (strcmp(p->name, "riscv,isa") == 0)
        i->isa = *p;
    else if (strcmp(p->name, "timebase-frequency") == 0)
        i->timebase = *p;
    else if (strcmp(p->name, "status") == 0)
        i->disabled = !prop_is(p, "okay") && !prop_is(p, "ok");
    else if (strcmp(p->name, "device_type") == 0) {
        i->is_memory = prop_is(p, "memory");
        i->is_cpu = prop_is(p, "cpu");
    } else if (strcmp(p->name, "ranges") == 0)
        i->identity_ranges = p->len == 0;
}

static int m_node_begin(const struct fdt_node *n, void *ctx)
{
    struct machine_ctx *c = ctx;

    (void)n;
    memset(&c->cur, 0, sizeof(c->cur));
    return FDT_OK;
}

static int m_prop(const struct fdt_node *n, const struct fdt_prop *p,
                  void *ctx)
{
    struct machine_ctx *c = ctx;

    if (n->depth == 1 && name_is(n, "chosen"))
        return chosen_prop(c, p);
    note_prop(&c->cur, p);
    return FDT_OK;
}

/*
 * /cpus itself or one of its nodes.  timebase-frequency normally sits in
 * /cpus; some boards put it in each cpu instead, so the first available cpu
 * supplies it if /cpus did not (and the ISA string in any case).
 */
static int cpus_node(struct machine_ctx *c, const struct fdt_node *n)
{
    struct fdt_machine *m = c->m;
    struct node_info *i = &c->cur;
    int r;

    if (n->depth == 1)
        return has(&i->timebase) ? fdt_prop_uint(&i->timebase, &m->timebase_freq)
                                 : FDT_OK;
    if (n->depth != 2 || !i->is_cpu)
        return FDT_OK;
    if (m->isa[0] == '\0' && has(&i->isa) &&
        (r = copy_string(m->isa, sizeof(m->isa), &i->isa)) != FDT_OK)
        return r;
    if (m->timebase_freq == 0 && has(&i->timebase))
        return fdt_prop_uint(&i->timebase, &m->timebase_freq);
    return FDT_OK;
}

/* Append a node's reg entries to a region array. */
static int add_regs(const struct fdt_node *n, const struct fdt_prop *reg,
                    struct fdt_region *arr, uint32_t *count, uint32_t cap)
{
    int r = fdt_read_reg(reg, n->addr_cells, n->size_cells, arr + *count,
                         cap - *count);

    if (r < 0)
        return r;
    *count += (uint32_t)r;
    return FDT_OK;
}

/* Keep as many whole compatible strings as fit (see struct fdt_device). */
static int copy_compat(struct fdt_device *d, const struct fdt_prop *p)
{
    const char *s = fdt_prop_string(p);
    uint32_t off = 0;

    if (s == NULL)
        return FDT_ERR_BADVALUE;
    while (off < p->len) {
        /* Bounded: the value ends in a NUL (checked above). */
        uint32_t n = (uint32_t)strlen(s + off) + 1;

        if (n > FDT_COMPAT_LEN - off)
            break;
        memcpy(d->compat + off, s + off, n);
        off += n;
    }
    if (off == 0) {
        memcpy(d->compat, s, FDT_COMPAT_LEN - 1);
        d->compat[FDT_COMPAT_LEN - 1] = '\0';
        d->compat_truncated = true;
        off = FDT_COMPAT_LEN;
    }
    d->compat_len = off;
    return FDT_OK;
}

static int device_node(struct machine_ctx *c, const struct fdt_node *n)
{
    struct fdt_machine *m = c->m;
    struct fdt_device *d;
    int r;

    if (m->ndevices == FDT_MAX_DEVICES)
        return FDT_ERR_NOSPACE;
    d = &m->devices[m->ndevices];
    if ((r = add_regs(n, &c->cur.reg, d->reg, &d->nreg,
                      FDT_MAX_DEVICE_REGS)) != FDT_OK)
        return r;
    if ((r = copy_compat(d, &c->cur.compat)) != FDT_OK)
        return r;
    if (has(&c->cur.interrupts)) {
        /* Only the first cell: the PLIC source number on QEMU virt. */
        if (c->cur.interrupts.len < 4)
            return FDT_ERR_BADVALUE;
        d->irq = be32(c->cur.interrupts.value);
        d->has_irq = true;
    }
    m->ndevices++;
    return FDT_OK;
}

static void set_bit(uint32_t *mask, int bit, bool on)
{
    if (on)
        *mask |= 1u << bit;
    else
        *mask &= ~(1u << bit);
}

static bool bit(uint32_t mask, int b)
{
    return (mask >> b) & 1u;
}

/*
 * All of a node's properties are known: classify it.  Its parent's bits
 * were set by the parent's own props_done, which always runs before a
 * child begins.
 */
static int m_props_done(const struct fdt_node *n, void *ctx)
{
    struct machine_ctx *c = ctx;
    struct node_info *i = &c->cur;
    struct fdt_machine *m = c->m;
    int d = n->depth;
    bool avail = !i->disabled && (d == 0 || !bit(c->unavailable, d - 1));
    bool reg_mapped = d > 0 && bit(c->mapped, d - 1);

    set_bit(&c->unavailable, d, !avail);
    set_bit(&c->mapped, d, d == 0 || (reg_mapped && i->identity_ranges));
    if (!avail || d == 0)
        return FDT_OK;

    if (in_top(n, "cpus"))
        return cpus_node(c, n);
    if (in_top(n, "reserved-memory")) {
        /* Over-reserving is safe, so bus mappings are not second-guessed. */
        if (d != 2 || !has(&i->reg))
            return FDT_OK;
        return add_regs(n, &i->reg, m->reserved, &m->nreserved,
                        FDT_MAX_RESERVED);
    }
    if (!has(&i->reg) || (!i->is_memory && !has(&i->compat)))
        return FDT_OK;
    if (!reg_mapped) {
        m->nunmapped++; /* dropping RAM or a device is safe, guessing not */
        return FDT_OK;
    }
    if (i->is_memory)
        return add_regs(n, &i->reg, m->memory, &m->nmemory, FDT_MAX_MEMORY);
    return device_node(c, n);
}

static int read_memreserve(const struct layout *l, struct fdt_machine *m)
{
    uint64_t off = l->off_rsvmap;

    for (;;) {
        uint64_t base, size;

        if (l->totalsize - off < RSV_ENTRY_SIZE)
            return FDT_ERR_TRUNCATED; /* no terminating entry */
        base = be64(l->base + off);
        size = be64(l->base + off + 8);
        off += RSV_ENTRY_SIZE;
        if (base == 0 && size == 0)
            return FDT_OK;
        if (size == 0)
            continue;
        if (region_wraps(base, size))
            return FDT_ERR_BADVALUE;
        if (m->nreserved == FDT_MAX_RESERVED)
            return FDT_ERR_NOSPACE;
        m->reserved[m->nreserved].base = base;
        m->reserved[m->nreserved].size = size;
        m->nreserved++;
    }
}

static int finish_initrd(const struct machine_ctx *c, struct fdt_machine *m)
{
    if (!c->initrd_start_seen || !c->initrd_end_seen) {
        m->initrd_start = m->initrd_end = 0;
        return FDT_OK;
    }
    if (m->initrd_end < m->initrd_start)
        return FDT_ERR_BADVALUE;
    m->has_initrd = true;
    return FDT_OK;
}

static const struct fdt_visitor machine_visitor = {
    .node_begin = m_node_begin,
    .prop = m_prop,
    .node_props_done = m_props_done,
    .node_end = NULL,
};

int fdt_read_machine(const void *blob, size_t max_size,
                     struct fdt_machine *out)
{
    struct machine_ctx c;
    struct layout l;
    int r;

    if (out == NULL)
        return FDT_ERR_BADARG;
    memset(out, 0, sizeof(*out));
    memset(&c, 0, sizeof(c));
    c.m = out;
    r = parse_header(blob, max_size, &l);
    if (r == FDT_OK)
        r = read_memreserve(&l, out);
    if (r == FDT_OK)
        r = walk(&l, &machine_visitor, &c);
    if (r == FDT_OK)
        r = finish_initrd(&c, out);
    if (r != FDT_OK) {
        memset(out, 0, sizeof(*out));
        return r;
    }
    out->dtb_size = l.totalsize;
    return FDT_OK;
}

/* ---- Lookup ------------------------------------------------------------ */

bool fdt_device_is_compatible(const struct fdt_device *dev,
                              const char *compat)
{
    uint32_t off = 0;

    if (dev->compat_truncated || dev->compat_len > FDT_COMPAT_LEN)
        return false;
    while (off < dev->compat_len) {
        const char *s = dev->compat + off;
        uint64_t n = bounded_strlen(s, dev->compat_len - off);

        if (n == dev->compat_len - off)
            return false; /* not ours: only reachable if *dev was altered */
        if (strcmp(s, compat) == 0)
            return true;
        off += (uint32_t)n + 1;
    }
    return false;
}

const struct fdt_device *fdt_next_compatible(const struct fdt_machine *m,
                                             const char *compat,
                                             const struct fdt_device *prev)
{
    uint32_t i = prev == NULL ? 0 : (uint32_t)(prev - m->devices) + 1;

    for (; i < m->ndevices && i < FDT_MAX_DEVICES; i++)
        if (fdt_device_is_compatible(&m->devices[i], compat))
            return &m->devices[i];
    return NULL;
}

const struct fdt_device *fdt_find_compatible(const struct fdt_machine *m,
                                             const char *compat)
{
    return fdt_next_compatible(m, compat, NULL);
}
