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
#include "boot/fdt.h"
#include "boot/fdt_internal.h"
#include "support/kstring.h"

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

/* ---- Memory-reservation block ------------------------------------------ */

int fdt_memreserve_each(const void *blob, size_t max_size, fdt_memreserve_fn fn, void *ctx)
{
    struct layout l;
    int r = parse_header(blob, max_size, &l);
    uint64_t off;

    if (r != FDT_OK)
        return r;
    if (fn == NULL)
        return FDT_ERR_BADARG;
    off = l.off_rsvmap;
    for (;;) {
        uint64_t base, size;

        if (l.totalsize - off < RSV_ENTRY_SIZE)
            return FDT_ERR_TRUNCATED; /* no terminating entry */
        base = be64(l.base + off);
        size = be64(l.base + off + 8);
        off += RSV_ENTRY_SIZE;
        if (base == 0 && size == 0)
            return FDT_OK;
        if (size == 0)
            continue;
        if (region_wraps(base, size))
            return FDT_ERR_BADVALUE;
        if ((r = fn(base, size, ctx)) != FDT_OK)
            return r;
    }
}
