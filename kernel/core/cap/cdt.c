/*
 * The capability derivation tree: ordering, derivation and range queries
 * over the red-black tree of rbtree.c.  See cdt.h for the model.
 */
#include "cap/cdt.h"
#include "object/objects.h"

/* The one tree of all capabilities (kernel static memory: a root pointer). */
static struct rb_tree cdt;

/* ---- Keys ----------------------------------------------------------------- */

uint64_t cap_object_base(const struct cap *c)
{
    return c->object;
}

/* The object's size from its type (cap.obj_bits caches it). */
static unsigned cap_object_bits(const struct cap *c)
{
    /* A null capability has no object; it only meets this in a corrupted
     * tree, which the invariant checker must be able to walk. */
    if (c->type == CAP_NULL || c->type >= CAP_TYPE_COUNT)
        return 0;
    if (c->type == CAP_ZOMBIE)
        return c->size_bits; /* a dying object, in log2 bytes */
    return object_bits((enum coffer_object_type)(c->type - 1), c->size_bits);
}

uint64_t cap_object_end(const struct cap *c)
{
    return c->object + (1ull << c->obj_bits);
}

/* -1, 0, 1 as a's group sorts before, with, after b's. */
static HOT_INLINE int key_compare(const struct cap *a, const struct cap *b)
{
    if (a->object != b->object) /* the common case: no sizes needed */
        return a->object < b->object ? -1 : 1;
    uint64_t a_end = cap_object_end(a), b_end = cap_object_end(b);
    if (a_end != b_end)
        return a_end > b_end ? -1 : 1; /* larger first: containers lead */
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    return 0;
}

static struct cap *node_cap(const struct rb_node *n)
{
    return &slot_of_node(n)->cap;
}

static bool same_group(const struct rb_node *a, const struct rb_node *b)
{
    return a != NULL && b != NULL && key_compare(node_cap(a), node_cap(b)) == 0;
}

/* ---- Augmentation: max object end and min depth of a subtree -------------- */

#define AUG_END_BITS 57 /* ends are at most 2^PHYS_ADDR_BITS */
#define AUG_END_MASK ((1ull << AUG_END_BITS) - 1)

STATIC_ASSERT(PHYS_ADDR_BITS < AUG_END_BITS, "object ends fit the augmented field");
STATIC_ASSERT(CAP_DEPTH_MAX < (1 << (64 - AUG_END_BITS)), "depths fit the augmented field");

static uint64_t aug_pack(uint64_t max_end, unsigned min_depth)
{
    return max_end | ((uint64_t)min_depth << AUG_END_BITS);
}

static uint64_t aug_max_end(const struct rb_node *n)
{
    return n != NULL ? n->aug & AUG_END_MASK : 0;
}

static unsigned aug_min_depth(const struct rb_node *n)
{
    return n != NULL ? (unsigned)(n->aug >> AUG_END_BITS) : CAP_DEPTH_MAX + 1;
}

static uint64_t aug_compute(const struct rb_node *n)
{
    const struct cap *c = node_cap(n);
    uint64_t end = cap_object_end(c);
    unsigned depth = c->depth;
    uint64_t l_end = aug_max_end(n->left), r_end = aug_max_end(n->right);
    unsigned l_depth = aug_min_depth(n->left), r_depth = aug_min_depth(n->right);
    end = end > l_end ? end : l_end;
    end = end > r_end ? end : r_end;
    depth = depth < l_depth ? depth : l_depth;
    depth = depth < r_depth ? depth : r_depth;
    return aug_pack(end, depth);
}

static void aug_update(struct rb_node *n)
{
    n->aug = aug_compute(n);
}

static bool aug_ok(const struct rb_node *n)
{
    return n->aug == aug_compute(n);
}

void cdt_init(void)
{
    rb_init(&cdt, aug_update);
}

/* ---- Searches ------------------------------------------------------------- */

/* The first node whose group sorts after key (upper bound), or NULL. */
static struct rb_node *first_after_group(const struct cap *key)
{
    struct rb_node *n = cdt.root, *best = NULL;
    while (n != NULL) {
        if (key_compare(node_cap(n), key) > 0) {
            best = n;
            n = n->left;
        } else {
            n = n->right;
        }
    }
    return best;
}

/* The first node of key's group (or of the first group after it), or NULL. */
static struct rb_node *first_of_group(const struct cap *key)
{
    struct rb_node *n = cdt.root, *best = NULL;
    while (n != NULL) {
        if (key_compare(node_cap(n), key) >= 0) {
            best = n;
            n = n->left;
        } else {
            n = n->right;
        }
    }
    return best;
}

/* The first node whose object starts at or after base, or NULL. */
static struct rb_node *first_from_base(uint64_t base)
{
    struct rb_node *n = cdt.root, *best = NULL;
    while (n != NULL) {
        if (node_cap(n)->object >= base) {
            best = n;
            n = n->left;
        } else {
            n = n->right;
        }
    }
    return best;
}

/* The rightmost node of subtree n satisfying the augmented predicate. */
static struct rb_node *rightmost_end_above(struct rb_node *n, uint64_t threshold)
{
    while (n != NULL && aug_max_end(n) > threshold) {
        if (aug_max_end(n->right) > threshold)
            n = n->right;
        else if (cap_object_end(node_cap(n)) > threshold)
            return n;
        else
            n = n->left;
    }
    return NULL;
}

static struct rb_node *rightmost_depth_below(struct rb_node *n, unsigned depth)
{
    while (n != NULL && aug_min_depth(n) < depth) {
        if (aug_min_depth(n->right) < depth)
            n = n->right;
        else if (node_cap(n)->depth < depth)
            return n;
        else
            n = n->left;
    }
    return NULL;
}

static struct rb_node *leftmost_depth_at_most(struct rb_node *n, unsigned depth)
{
    while (n != NULL && aug_min_depth(n) <= depth) {
        if (aug_min_depth(n->left) <= depth)
            n = n->left;
        else if (node_cap(n)->depth <= depth)
            return n;
        else
            n = n->right;
    }
    return NULL;
}

/*
 * Walk the nodes strictly before `limit` (NULL: the whole tree) from right
 * to left in O(log n) subtree hops: first limit's left subtree, then each
 * ancestor we reach from its right side with that ancestor's left subtree.
 */
typedef struct rb_node *(*subtree_search_fn)(struct rb_node *subtree, uint64_t arg);

static struct rb_node *search_end_above(struct rb_node *n, uint64_t arg)
{
    return rightmost_end_above(n, arg);
}

static struct rb_node *search_depth_below(struct rb_node *n, uint64_t arg)
{
    return rightmost_depth_below(n, (unsigned)arg);
}

static struct rb_node *rightmost_before(struct rb_node *limit, subtree_search_fn search,
                                        bool (*self_ok)(const struct rb_node *, uint64_t),
                                        uint64_t arg)
{
    if (limit == NULL)
        return search(cdt.root, arg);
    struct rb_node *found = search(limit->left, arg);
    if (found != NULL)
        return found;
    for (struct rb_node *cur = limit, *up = rb_parent(cur); up != NULL; cur = up, up = rb_parent(up)) {
        if (up->right != cur)
            continue;
        if (self_ok(up, arg))
            return up;
        found = search(up->left, arg);
        if (found != NULL)
            return found;
    }
    return NULL;
}

static bool end_above(const struct rb_node *n, uint64_t threshold)
{
    return cap_object_end(node_cap(n)) > threshold;
}

static bool depth_below(const struct rb_node *n, uint64_t depth)
{
    return node_cap(n)->depth < depth;
}

/* The leftmost node strictly after `from` with depth <= depth, or NULL. */
static struct rb_node *leftmost_after_depth_at_most(struct rb_node *from, unsigned depth)
{
    struct rb_node *found = leftmost_depth_at_most(from->right, depth);
    if (found != NULL)
        return found;
    for (struct rb_node *cur = from, *up = rb_parent(cur); up != NULL; cur = up, up = rb_parent(up)) {
        if (up->left != cur)
            continue;
        if (node_cap(up)->depth <= depth)
            return up;
        found = leftmost_depth_at_most(up->right, depth);
        if (found != NULL)
            return found;
    }
    return NULL;
}

/* ---- Insertion and removal ------------------------------------------------ */

void cdt_insert_object(struct slot *s)
{
    s->cap.obj_bits = (uint8_t)cap_object_bits(&s->cap);
    struct rb_node *n = cdt.root, *parent = NULL;
    bool left = false;
    while (n != NULL) {
        parent = n;
        /* Equal keys cannot occur (a new object); ties go right anyway. */
        left = key_compare(&s->cap, node_cap(n)) < 0;
        n = left ? n->left : n->right;
    }
    rb_link(&cdt, &s->node, parent, left);
}

void cdt_insert_at(const struct cdt_place *place, struct slot *s)
{
    s->cap.obj_bits = (uint8_t)cap_object_bits(&s->cap);
    rb_insert_before(&cdt, place->next, &s->node);
}

void cdt_insert_child(struct slot *parent, struct slot *child)
{
    rb_insert_after(&cdt, &parent->node, &child->node);
}

/* The node after src's subtree within its group: the first later node that
 * is shallower or equally deep, or the start of the next group. */
static struct rb_node *end_of_subtree(struct slot *src)
{
    /* The common case, a capability with nothing derived from it: its
     * neighbour ends the subtree (another group, or no deeper). */
    struct rb_node *next = rb_next(&src->node);
    if (next == NULL || !same_group(next, &src->node) || node_cap(next)->depth <= src->cap.depth)
        return next;
    struct rb_node *group_end = first_after_group(&src->cap);
    struct rb_node *shallow = leftmost_after_depth_at_most(&src->node, src->cap.depth);
    if (shallow != NULL && same_group(shallow, &src->node))
        return shallow;
    return group_end;
}

void cdt_insert_copy(struct slot *src, struct slot *copy)
{
    struct rb_node *before = end_of_subtree(src);
    rb_insert_before(&cdt, before, &copy->node);
}

/*
 * The capabilities derived from s within its group move one level up, to
 * s's parent: without this, the next shallower capability before them --
 * possibly an unrelated earlier sibling of s -- would adopt them.  Costs
 * O(log n) per derived capability; a leaf is removed in O(log n).
 */
void cdt_remove(struct slot *s)
{
    struct rb_node *n = &s->node;
    for (struct rb_node *d = rb_next(n); d != NULL && same_group(d, n) &&
                                         node_cap(d)->depth > s->cap.depth;
         d = rb_next(d)) {
        node_cap(d)->depth--;
        rb_update_path(&cdt, d);
    }
    rb_erase(&cdt, n);
}

void cdt_cut(struct slot *first, struct slot *last, struct rb_tree *out)
{
    rb_cut(&cdt, &first->node, &last->node, out);
}

bool cdt_same_object(const struct slot *a, const struct slot *b)
{
    return key_compare(&a->cap, &b->cap) == 0;
}

void cdt_move(struct slot *src, struct slot *dst)
{
    dst->cap = src->cap;
    dst->mapping = src->mapping;
    rb_replace(&cdt, &src->node, &dst->node);
    slot_clear(src); /* an empty slot is all zero (cap.h) */
}

/* ---- Queries -------------------------------------------------------------- */

bool cdt_is_last(const struct slot *s)
{
    struct rb_node *n = (struct rb_node *)(uintptr_t)&s->node;
    return !same_group(rb_prev(n), n) && !same_group(rb_next(n), n);
}

struct slot *cdt_parent(const struct slot *s)
{
    struct rb_node *n = (struct rb_node *)(uintptr_t)&s->node;
    if (s->cap.depth > 0) {
        struct rb_node *p = rightmost_before(n, search_depth_below, depth_below, s->cap.depth);
        if (p != NULL && same_group(p, n))
            return slot_of_node(p);
    }
    return cdt_untyped_of(s);
}

struct slot *cdt_untyped_of(const struct slot *s)
{
    /* The untyped whose range contains the object is the rightmost
     * earlier node (before the group) reaching past its end. */
    struct rb_node *first = first_of_group(&s->cap);
    uint64_t end = cap_object_end(&s->cap);
    struct rb_node *p = rightmost_before(first, search_end_above, end_above, end - 1);
    return p != NULL ? slot_of_node(p) : NULL;
}

struct slot *cdt_first_descendant(const struct slot *s)
{
    struct rb_node *n = (struct rb_node *)(uintptr_t)&s->node;
    struct rb_node *next = rb_next(n);
    if (next == NULL)
        return NULL;
    if (s->cap.type == CAP_UNTYPED)
        return node_cap(next)->object < cap_object_end(&s->cap) ? slot_of_node(next) : NULL;
    if (same_group(next, n) && node_cap(next)->depth > s->cap.depth)
        return slot_of_node(next);
    return NULL;
}

struct slot *cdt_next_descendant(const struct slot *root, const struct slot *cur)
{
    struct rb_node *next = rb_next(&cur->node);
    if (next == NULL)
        return NULL;
    const struct cap *c = node_cap(next);
    if (root->cap.type == CAP_UNTYPED)
        return c->object < cap_object_end(&root->cap) ? slot_of_node(next) : NULL;
    return same_group(next, &root->node) && c->depth > root->cap.depth ? slot_of_node(next) : NULL;
}

struct slot *cdt_prev(const struct slot *s)
{
    struct rb_node *p = rb_prev(&s->node);
    return p != NULL ? slot_of_node(p) : NULL;
}

struct slot *cdt_last_descendant(const struct slot *s)
{
    struct rb_node *n = (struct rb_node *)(uintptr_t)&s->node;
    struct rb_node *after;
    if (s->cap.type == CAP_UNTYPED) {
        /* Everything before the first node starting at or past the end. */
        after = first_from_base(cap_object_end(&s->cap));
    } else {
        after = end_of_subtree((struct slot *)(uintptr_t)s);
    }
    struct rb_node *last = after != NULL ? rb_prev(after) : rb_last(&cdt);
    return last != NULL && last != n && cdt_first_descendant(s) != NULL ? slot_of_node(last) : NULL;
}

bool cdt_has_descendants(const struct slot *ut)
{
    return cdt_first_descendant(ut) != NULL;
}

bool cdt_range_in_use(const struct slot *ut, uint64_t base, uint64_t end, struct cdt_place *place)
{
    /* Objects starting inside [base, end), other than ut itself.  An
     * untyped is alone in its group (it is never copied), so the first
     * node after the group is its successor; a search only if not. */
    struct rb_node *after = rb_next((struct rb_node *)(uintptr_t)&ut->node);
    if (after != NULL && same_group(after, &ut->node))
        after = first_after_group(&ut->cap);
    struct rb_node *from = first_from_base(base);
    struct rb_node *first = NULL; /* the later of the two in tree order */
    if (from != NULL && after != NULL)
        first = key_compare(node_cap(from), node_cap(after)) < 0 ? after : from;
    if (first != NULL && node_cap(first)->object < end)
        return true;
    /* If the range is free, a new object in it sorts right before first:
     * every node before first starts below base, or at base and is ut or
     * an untyped around it (larger, so earlier); first and every node
     * after it start at or beyond end.  No first: it sorts last. */
    place->next = first;
    /* An object starting before base and reaching past it: the rightmost
     * such node before `first` is ut itself unless a descendant covers base. */
    struct rb_node *cover = rightmost_before(first, search_end_above, end_above, base);
    return cover != NULL && key_compare(node_cap(cover), &ut->cap) != 0;
}

size_t cdt_count(void)
{
    return rb_count(&cdt);
}

/* ---- Invariant checker ---------------------------------------------------- */

#define CONTAINER_STACK 64 /* untyped nest at most UNTYPED_MAX_BITS deep */

struct container_stack {
    uint64_t end[CONTAINER_STACK];
    uint64_t used_end[CONTAINER_STACK]; /* base + watermark */
    unsigned depth;
};

/* Place the group starting at c among the open untyped ranges. */
static int check_placement(struct container_stack *st, const struct cap *c)
{
    uint64_t base = c->object, end = cap_object_end(c);
    while (st->depth > 0 && st->end[st->depth - 1] <= base)
        st->depth--; /* containers that ended before this object */
    if (st->depth > 0 && end > st->end[st->depth - 1])
        return CDT_CHECK_OVERLAP; /* straddles its container's end */
    /* Retype only ever places objects below the watermark it then moves:
     * "free bytes" (above the watermark) hold no object. */
    if (st->depth > 0 && end > st->used_end[st->depth - 1])
        return CDT_CHECK_WATERMARK;
    if (c->type != CAP_UNTYPED)
        return 0; /* boot objects have no untyped; nothing nests in objects */
    if (st->depth == CONTAINER_STACK)
        return CDT_CHECK_OVERLAP;
    st->end[st->depth] = end;
    st->used_end[st->depth++] = base + c->data;
    return 0;
}

int cdt_check(void)
{
    if (rb_check(&cdt, aug_ok, NULL) != RB_CHECK_OK)
        return CDT_CHECK_TREE;
    struct container_stack st = { { 0 }, { 0 }, 0 };
    uint64_t last_object_end = 0; /* end of the last non-untyped object */
    const struct cap *prev = NULL;
    for (struct rb_node *n = rb_first(&cdt); n != NULL; n = rb_next(n)) {
        const struct cap *c = node_cap(n);
        if (cap_is_null(c))
            return CDT_CHECK_NULL;
        if (c->obj_bits != cap_object_bits(c))
            return CDT_CHECK_SIZE;
        if (c->depth > CAP_DEPTH_MAX)
            return CDT_CHECK_DEPTH;
        int order = prev != NULL ? key_compare(prev, c) : -1;
        if (order > 0)
            return CDT_CHECK_ORDER;
        /* Depth-first order: a group starts at depth 0 and each capability
         * is at most one level deeper than the one before it (deletion
         * moves derived capabilities up, so this survives deletions).  An
         * untyped is alone in its group, so its depth is 0. */
        if ((order < 0 && c->depth != 0) || (order == 0 && c->depth > prev->depth + 1))
            return CDT_CHECK_DEPTH;
        if (order < 0) { /* a new group */
            if (c->object < last_object_end)
                return CDT_CHECK_OVERLAP; /* starts inside a non-untyped object */
            int err = check_placement(&st, c);
            if (err)
                return err;
            if (c->type != CAP_UNTYPED)
                last_object_end = cap_object_end(c);
        } else if (c->type == CAP_UNTYPED) {
            return CDT_CHECK_DEPTH; /* untyped are never copied */
        }
        prev = c;
    }
    return 0;
}
