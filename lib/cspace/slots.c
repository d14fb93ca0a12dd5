/*
 * The slot allocator's books (cspace/slots.h).  Per leaf a bitmap of its
 * slots and a count of the free ones; over the leaves two summary bitmaps,
 * the leaves in place and those with a free slot.  So alloc reads the
 * summary and one leaf's bitmap, and free is O(1).  No system call: leaves
 * appear through the owner's grow callback.
 */
#include <coffer.h>
#include <cspace/slots.h>
#include <string.h>

#define WORD_BITS 64u
/* In single-level mode a bookkeeping leaf is one bitmap word of root slots. */
#define SINGLE_LEVEL_SPAN_BITS 6u

_Static_assert(sizeof(size_t) >= sizeof(uint64_t), "metadata sizes are computed in 64 bits");

static uint64_t words_for(uint64_t nbits)
{
    return (nbits + WORD_BITS - 1) / WORD_BITS;
}

static bool test_bit(const uint64_t *map, uint64_t i)
{
    return (map[i / WORD_BITS] >> (i % WORD_BITS)) & 1u;
}

static void set_bit(uint64_t *map, uint64_t i)
{
    map[i / WORD_BITS] |= 1ull << (i % WORD_BITS);
}

static void clear_bit(uint64_t *map, uint64_t i)
{
    map[i / WORD_BITS] &= ~(1ull << (i % WORD_BITS));
}

/* No such bit: above every leaf and slot index. */
#define NO_BIT UINT64_MAX

/* The lowest set bit of map[0..words), or with clear the lowest clear
 * one; NO_BIT if there is none. */
static uint64_t lowest_bit(const uint64_t *map, uint64_t words, bool clear)
{
    for (uint64_t w = 0; w < words; w++) {
        uint64_t word = clear ? ~map[w] : map[w];
        if (word != 0)
            return w * WORD_BITS + coffer_lowest_bit(word);
    }
    return NO_BIT;
}

/* Everything the allocator checks about a configuration.  The bounds keep
 * every size below 2^64: at most 2^48 managed slots. */
static bool config_ok(const struct cspace_slots_config *cfg)
{
    if (cfg == NULL || cfg->root_bits < 1 || cfg->root_bits > CSPACE_SLOTS_MAX_BITS ||
        cfg->leaf_bits > CSPACE_SLOTS_MAX_BITS)
        return false;
    uint64_t root_slots = 1ull << cfg->root_bits;
    if (cfg->first_leaf >= root_slots || cfg->max_leaves == 0 || cfg->max_leaves > root_slots - cfg->first_leaf)
        return false;
    return cfg->leaf_bits == 0 || cfg->grow != NULL;
}

/* The books' shape for a valid cfg, in s (geometry only). */
static void shape(struct cspace_slots *s, const struct cspace_slots_config *cfg)
{
    s->leaf_bits = cfg->leaf_bits;
    s->span_bits = cfg->leaf_bits != 0 ? cfg->leaf_bits : SINGLE_LEVEL_SPAN_BITS;
    s->first_leaf = cfg->first_leaf;
    s->base = cfg->first_leaf << cfg->leaf_bits;
    s->limit = cfg->max_leaves << cfg->leaf_bits;
    s->nleaves = (s->limit + (1ull << s->span_bits) - 1) >> s->span_bits;
    s->leaf_words = words_for(1ull << s->span_bits);
    s->summary_words = words_for(s->nleaves);
}

/* The metadata bytes for a shape: the uint64_t arrays first, so every
 * array is aligned if meta is. */
static uint64_t shape_bytes(const struct cspace_slots *s)
{
    uint64_t words = 2 * s->summary_words + s->nleaves * s->leaf_words;
    return words * sizeof(uint64_t) + s->nleaves * sizeof(uint32_t);
}

size_t cspace_slots_meta_bytes(const struct cspace_slots_config *cfg)
{
    struct cspace_slots s;
    if (!config_ok(cfg))
        return 0;
    shape(&s, cfg);
    return (size_t)shape_bytes(&s);
}

uint64_t cspace_slots_root_guard(const struct cspace_slots_config *cfg)
{
    if (!config_ok(cfg))
        return COFFER_GUARD(0, 0);
    return COFFER_GUARD(64 - cfg->root_bits - cfg->leaf_bits, 0);
}

/* Leaf k's slots: a whole span, except the last leaf of a single-level
 * range that does not end on a span. */
static uint64_t leaf_slots(const struct cspace_slots *s, uint64_t k)
{
    uint64_t span = 1ull << s->span_bits, start = k << s->span_bits;
    return s->limit - start < span ? s->limit - start : span;
}

static uint64_t *leaf_map(const struct cspace_slots *s, uint64_t k)
{
    return s->bits + k * s->leaf_words;
}

/* Leaf k is in place now, every slot free. */
static void populate(struct cspace_slots *s, uint64_t k)
{
    set_bit(s->populated, k);
    set_bit(s->has_free, k);
    s->free[k] = (uint32_t)leaf_slots(s, k);
}

uint64_t cspace_slots_init(struct cspace_slots *s, const struct cspace_slots_config *cfg, void *meta,
                           size_t meta_bytes)
{
    struct cspace_slots n;
    if (s == NULL || !config_ok(cfg) || meta == NULL)
        return COFFER_ERR_INVALID_ARGUMENT;
    if ((uintptr_t)meta % sizeof(uint64_t) != 0)
        return COFFER_ERR_ALIGNMENT_ERROR;
    shape(&n, cfg);
    uint64_t bytes = shape_bytes(&n);
    if (meta_bytes < bytes)
        return COFFER_ERR_NOT_ENOUGH_MEMORY;
    memset(meta, 0, (size_t)bytes);
    n.grow = cfg->grow;
    n.grow_ctx = cfg->grow_ctx;
    n.populated = meta;
    n.has_free = n.populated + n.summary_words;
    n.bits = n.has_free + n.summary_words;
    n.free = (uint32_t *)(void *)(n.bits + n.nleaves * n.leaf_words);
    n.used = 0;
    n.grown = 0;
    if (n.leaf_bits == 0) /* single level: the root slots are all there */
        for (uint64_t k = 0; k < n.nleaves; k++)
            populate(&n, k);
    *s = n;
    return COFFER_ERR_OK;
}

/* The leaf and index of cptr in it; false outside the managed range. */
static bool locate(const struct cspace_slots *s, uint64_t cptr, uint64_t *k, uint64_t *i)
{
    if (cptr < s->base || cptr - s->base >= s->limit)
        return false;
    uint64_t off = cptr - s->base;
    *k = off >> s->span_bits;
    *i = off & ((1ull << s->span_bits) - 1);
    return true;
}

static void take(struct cspace_slots *s, uint64_t k, uint64_t i)
{
    set_bit(leaf_map(s, k), i);
    s->used++;
    if (--s->free[k] == 0)
        clear_bit(s->has_free, k);
}

static void give_back(struct cspace_slots *s, uint64_t k, uint64_t i)
{
    clear_bit(leaf_map(s, k), i);
    s->used--;
    s->free[k]++;
    set_bit(s->has_free, k);
}

/* Ask the owner for leaf k; its error if it could not, and then the books
 * are as they were. */
static uint64_t grow_leaf(struct cspace_slots *s, uint64_t k)
{
    uint64_t err = s->grow(s->grow_ctx, s->first_leaf + k, s->leaf_bits);
    if (err != COFFER_ERR_OK)
        return err;
    populate(s, k);
    s->grown++;
    return COFFER_ERR_OK;
}

uint64_t cspace_slots_alloc(struct cspace_slots *s, uint64_t *cptr)
{
    if (cptr == NULL)
        return COFFER_ERR_INVALID_ARGUMENT;
    uint64_t k = lowest_bit(s->has_free, s->summary_words, false);
    if (k == NO_BIT) {
        /* The clear bits past the last leaf come after every real one. */
        k = lowest_bit(s->populated, s->summary_words, true);
        if (k >= s->nleaves)
            return COFFER_ERR_NOT_ENOUGH_MEMORY;
        uint64_t err = grow_leaf(s, k);
        if (err != COFFER_ERR_OK)
            return err;
    }
    /* free[k] > 0, and the clear bits past the leaf's slots come after
     * them: the lowest clear bit is a free slot. */
    uint64_t i = lowest_bit(leaf_map(s, k), s->leaf_words, true);
    take(s, k, i);
    *cptr = s->base + (k << s->span_bits) + i;
    return COFFER_ERR_OK;
}

uint64_t cspace_slots_free(struct cspace_slots *s, uint64_t cptr)
{
    uint64_t k, i;
    if (!locate(s, cptr, &k, &i))
        return COFFER_ERR_INVALID_ARGUMENT;
    if (!test_bit(leaf_map(s, k), i)) /* a leaf not in place has none set */
        return COFFER_ERR_ILLEGAL_OPERATION;
    give_back(s, k, i);
    return COFFER_ERR_OK;
}

uint64_t cspace_slots_reserve(struct cspace_slots *s, uint64_t cptr)
{
    uint64_t k, i;
    if (!locate(s, cptr, &k, &i))
        return COFFER_ERR_INVALID_ARGUMENT;
    if (test_bit(leaf_map(s, k), i))
        return COFFER_ERR_ILLEGAL_OPERATION;
    if (!test_bit(s->populated, k)) { /* only with leaves: single level has all */
        uint64_t err = grow_leaf(s, k);
        if (err != COFFER_ERR_OK)
            return err;
    }
    take(s, k, i);
    return COFFER_ERR_OK;
}

uint64_t cspace_slots_is_allocated(const struct cspace_slots *s, uint64_t cptr, bool *allocated)
{
    uint64_t k, i;
    if (allocated == NULL || !locate(s, cptr, &k, &i))
        return COFFER_ERR_INVALID_ARGUMENT;
    *allocated = test_bit(leaf_map(s, k), i);
    return COFFER_ERR_OK;
}

uint64_t cspace_slots_used(const struct cspace_slots *s)
{
    return s->used;
}

uint64_t cspace_slots_leaves(const struct cspace_slots *s)
{
    return s->grown;
}
