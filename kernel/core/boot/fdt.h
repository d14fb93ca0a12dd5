/*
 * Flattened device tree (DTB) reader.
 *
 * The boot firmware hands the kernel a DTB describing RAM, reserved ranges
 * and devices.  The kernel treats it as untrusted-ish input: every entry
 * point validates the header first, every read is bounds-checked against the
 * blocks the header describes, multi-byte fields are read a byte at a time
 * (the blob need not be aligned), nesting is limited to FDT_MAX_DEPTH and
 * nothing recurses or allocates.  Malformed input yields a negative
 * FDT_ERR_* code; no call reads outside [blob, blob + totalsize) or loops
 * forever.
 *
 * Two layers:
 *  - fdt_walk(): a generic single-pass walker calling back for every node
 *    and property, with the #address-cells/#size-cells in effect.
 *  - fdt_read_machine(): the boot-time summary the kernel needs (memory,
 *    reserved ranges, /chosen, /cpus, devices) in fixed-size arrays.
 */
#ifndef COFFER_KERNEL_FDT_H
#define COFFER_KERNEL_FDT_H

#include "types.h"

#define FDT_MAGIC 0xd00dfeedu

#define FDT_MAX_DEPTH 16      /* root is depth 0; deeper nodes fail */
#define FDT_MAX_MEMORY 8      /* RAM regions */
#define FDT_MAX_RESERVED 16   /* memreserve entries + /reserved-memory regs */
#define FDT_MAX_DEVICES 64    /* MMIO devices */
#define FDT_MAX_DEVICE_REGS 4 /* reg entries per device */
#define FDT_COMPAT_LEN 64     /* bytes of a device's compatible list kept */
#define FDT_PATH_LEN 64       /* /chosen stdout-path, truncated */
#define FDT_BOOTARGS_LEN 128  /* /chosen bootargs, truncated */
#define FDT_ISA_LEN 128       /* the first cpu's ISA string, truncated */

/* Results.  Every function returns 0 (or a count) or one of these. */
enum fdt_error {
    FDT_OK = 0,
    FDT_ERR_BADARG = -1,       /* NULL pointer argument */
    FDT_ERR_BADMAGIC = -2,     /* not a DTB */
    FDT_ERR_BADVERSION = -3,   /* version < 16 or last_comp_version > 17 */
    FDT_ERR_TRUNCATED = -4,    /* something runs past the end of its block,
                                  or totalsize > max_size */
    FDT_ERR_BADLAYOUT = -5,    /* header block offsets/sizes/alignment */
    FDT_ERR_BADSTRUCTURE = -6, /* bad token sequence in the struct block */
    FDT_ERR_BADSTRING = -7,    /* property name offset/termination */
    FDT_ERR_TOODEEP = -8,      /* nesting deeper than FDT_MAX_DEPTH */
    FDT_ERR_BADVALUE = -9,     /* property value has the wrong shape */
    FDT_ERR_BADCELLS = -10,    /* #address-cells/#size-cells not 1 or 2 */
    FDT_ERR_NOSPACE = -11,     /* a fixed-capacity array overflowed */
};
#define FDT_ERR_MIN FDT_ERR_NOSPACE /* most negative code, for range checks */

/* Short description of an FDT_ERR_* code, for the boot log. */
const char *fdt_strerror(int err);

/*
 * Validate the header of the blob at `blob`, which the caller guarantees is
 * readable for `max_size` bytes.  On success stores the blob's totalsize
 * (if `totalsize` is not NULL) so the caller can protect the blob itself.
 */
int fdt_check_header(const void *blob, size_t max_size, uint32_t *totalsize);

/* ---- Generic walker ---------------------------------------------------- */

/*
 * A node as seen by the walker.  Valid only during the callback; `parent`
 * links up to the root (depth 0, parent NULL).  Cells follow the spec: a
 * node's reg is decoded with its parent's #address-cells/#size-cells, which
 * default to 2 and 1 when the parent does not set them (not inherited from
 * further up).
 */
struct fdt_node {
    const char *name;          /* "name@unit", NUL-terminated; "" for root */
    int depth;                 /* 0 for the root node */
    uint32_t addr_cells;       /* cells of this node's reg addresses */
    uint32_t size_cells;       /* cells of this node's reg sizes */
    uint32_t child_addr_cells; /* this node's own #address-cells */
    uint32_t child_size_cells; /* this node's own #size-cells */
    const struct fdt_node *parent;
};

/* A property; `value` points into the blob and is not aligned. */
struct fdt_prop {
    const char *name; /* NUL-terminated, inside the strings block */
    const void *value;
    uint32_t len;
};

/*
 * Callbacks, any of which may be NULL.  Per node the order is:
 * node_begin, prop for each property, node_props_done (all properties
 * seen, child_*_cells final), then the children, then node_end.
 * The walker rejects properties that follow a subnode, so node_props_done
 * really is "all of this node's properties".
 *
 * A callback returns 0 to continue.  Anything else stops the walk and
 * fdt_walk() returns it: use a negative FDT_ERR_* for errors, or a positive
 * value to stop early once something has been found.
 */
struct fdt_visitor {
    int (*node_begin)(const struct fdt_node *node, void *ctx);
    int (*prop)(const struct fdt_node *node, const struct fdt_prop *prop,
                void *ctx);
    int (*node_props_done)(const struct fdt_node *node, void *ctx);
    int (*node_end)(const struct fdt_node *node, void *ctx);
};

/*
 * Walk the whole struct block.  Returns 0 when the walk reached FDT_END,
 * a negative FDT_ERR_* for malformed input, or a callback's nonzero value.
 * #address-cells/#size-cells must be 4 bytes long (else FDT_ERR_BADVALUE)
 * but may hold any value; only fdt_read_reg() restricts them.
 */
int fdt_walk(const void *blob, size_t max_size, const struct fdt_visitor *v,
             void *ctx);

/* ---- Memory-reservation block ------------------------------------------ */

typedef int (*fdt_memreserve_fn)(uint64_t base, uint64_t size, void *ctx);

/*
 * Call fn for each entry of the memory-reservation block, in order,
 * skipping entries of size 0, up to the terminating (0, 0) entry.  A
 * non-zero return from fn stops the walk and is returned.  Errors:
 * FDT_ERR_TRUNCATED (no terminator), FDT_ERR_BADVALUE (an entry wraps past
 * 2^64), and the header errors of fdt_check_header.
 */
int fdt_memreserve_each(const void *blob, size_t max_size, fdt_memreserve_fn fn, void *ctx);

/* ---- Property helpers ------------------------------------------------- */

struct fdt_region {
    uint64_t base;
    uint64_t size;
};

/*
 * Decode a reg-shaped property into at most `cap` (base, size) pairs.
 * Cells must be 1 or 2 each (FDT_ERR_BADCELLS), the length a whole number
 * of entries and no region may wrap past 2^64 (FDT_ERR_BADVALUE); more than
 * `cap` entries is FDT_ERR_NOSPACE.  Returns the number of entries.
 */
int fdt_read_reg(const struct fdt_prop *prop, uint32_t addr_cells,
                 uint32_t size_cells, struct fdt_region *out, uint32_t cap);

/* A 4-byte cell (FDT_ERR_BADVALUE for any other length). */
int fdt_prop_u32(const struct fdt_prop *prop, uint32_t *out);

/* A 4- or 8-byte number (FDT_ERR_BADVALUE for any other length). */
int fdt_prop_uint(const struct fdt_prop *prop, uint64_t *out);

/* The value as a NUL-terminated string, or NULL if it is not one. */
const char *fdt_prop_string(const struct fdt_prop *prop);

/* ---- Boot-time machine description ----------------------------------- */

struct fdt_device {
    /*
     * The compatible list: whole NUL-terminated strings, as many as fit in
     * FDT_COMPAT_LEN.  compat (the first string) is the device's name.  If
     * even the first string does not fit it is cut short for display and
     * compat_truncated is set; such a device never matches a lookup.
     */
    char compat[FDT_COMPAT_LEN];
    uint32_t compat_len; /* bytes of compat in use */
    bool compat_truncated;
    struct fdt_region reg[FDT_MAX_DEVICE_REGS];
    uint32_t nreg;
    bool has_irq;
    uint32_t irq; /* first cell of `interrupts` */
};

struct fdt_machine {
    uint32_t dtb_size; /* header totalsize: the blob itself needs keeping */

    /* reg of every available node with device_type = "memory". */
    struct fdt_region memory[FDT_MAX_MEMORY];
    uint32_t nmemory;

    /*
     * Memory-reservation block entries (size 0 skipped), then the reg of
     * every available child of /reserved-memory.  Children that only give
     * size/alloc-ranges (no fixed address) are not listed.
     */
    struct fdt_region reserved[FDT_MAX_RESERVED];
    uint32_t nreserved;

    /* /chosen */
    bool has_initrd; /* both linux,initrd-start and -end present */
    uint64_t initrd_start;
    uint64_t initrd_end; /* exclusive */
    char stdout_path[FDT_PATH_LEN]; /* "" if absent */
    char bootargs[FDT_BOOTARGS_LEN]; /* the kernel command line (QEMU -append); "" if absent */

    /* /cpus: timebase-frequency of /cpus, else of the first cpu having it */
    uint64_t timebase_freq; /* 0 if absent */
    char isa[FDT_ISA_LEN];  /* the first available cpu's ISA string (the arch names
                               the property: ARCH_FDT_CPU_ISA_PROPERTY) */

    /*
     * Every available node with both reg and compatible that is not the
     * root, a memory node, or inside /cpus or /reserved-memory.  A node is
     * available if neither it nor an ancestor has a status other than
     * "okay"/"ok".  Addresses are not translated through `ranges`: a node is
     * listed only if every bus between it and the root has an empty
     * `ranges` (identity mapping, as /soc on QEMU virt); others are counted
     * in nunmapped and dropped, as are memory nodes in that position.
     */
    struct fdt_device devices[FDT_MAX_DEVICES];
    uint32_t ndevices;
    uint32_t nunmapped;
};

/*
 * Fill *out from the blob (see struct fdt_machine).  Overflowing any array
 * is FDT_ERR_NOSPACE.  On any error *out is left zeroed, never half-filled.
 */
int fdt_read_machine(const void *blob, size_t max_size,
                     struct fdt_machine *out);

/* Is word one of the command line's space-separated words? */
bool fdt_has_bootarg(const struct fdt_machine *m, const char *word);

/* Does any whole string of the device's compatible list equal compat? */
bool fdt_device_is_compatible(const struct fdt_device *dev,
                              const char *compat);

/* First device after `prev` (NULL: from the start) compatible with compat. */
const struct fdt_device *fdt_next_compatible(const struct fdt_machine *m,
                                             const char *compat,
                                             const struct fdt_device *prev);

/* First device compatible with compat, or NULL. */
const struct fdt_device *fdt_find_compatible(const struct fdt_machine *m,
                                             const char *compat);

#endif
