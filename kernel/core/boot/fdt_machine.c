/*
 * The boot-time machine description from a device tree: memory, reserved
 * regions, /chosen, /cpus and devices (see struct fdt_machine in fdt.h).
 * Built on the generic walker in fdt.c.
 */
#include "boot/fdt.h"
#include "boot/fdt_internal.h"
#include "support/kstring.h"
#include <arch_platform.h>

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
    if (strcmp(p->name, "bootargs") == 0)
        return copy_string(m->bootargs, sizeof(m->bootargs), p);
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
    else if (strcmp(p->name, ARCH_FDT_CPU_ISA_PROPERTY) == 0)
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

/* A memory-reservation block entry becomes a reserved region. */
static int add_reserved(uint64_t base, uint64_t size, void *ctx)
{
    struct fdt_machine *m = ctx;

    if (m->nreserved == FDT_MAX_RESERVED)
        return FDT_ERR_NOSPACE;
    m->reserved[m->nreserved].base = base;
    m->reserved[m->nreserved].size = size;
    m->nreserved++;
    return FDT_OK;
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
    uint32_t totalsize = 0;
    int r;

    if (out == NULL)
        return FDT_ERR_BADARG;
    memset(out, 0, sizeof(*out));
    memset(&c, 0, sizeof(c));
    c.m = out;
    r = fdt_check_header(blob, max_size, &totalsize);
    if (r == FDT_OK)
        r = fdt_memreserve_each(blob, max_size, add_reserved, out);
    if (r == FDT_OK)
        r = fdt_walk(blob, max_size, &machine_visitor, &c);
    if (r == FDT_OK)
        r = finish_initrd(&c, out);
    if (r != FDT_OK) {
        memset(out, 0, sizeof(*out));
        return r;
    }
    out->dtb_size = totalsize;
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

bool fdt_has_bootarg(const struct fdt_machine *m, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = m->bootargs; *p != '\0';) {
        while (*p == ' ')
            p++;
        const char *end = p;
        while (*end != '\0' && *end != ' ')
            end++;
        if ((size_t)(end - p) == n && n > 0 && strncmp(p, word, n) == 0)
            return true;
        p = end;
    }
    return false;
}
