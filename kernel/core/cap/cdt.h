/*
 * The capability derivation tree (CDT).
 *
 * Every non-null capability sits in one global balanced search tree (a
 * red-black tree whose nodes live in the slots, see cap.h), in this order:
 *
 *   1. by the object's memory range: base ascending, then end descending,
 *      then type (untyped first) -- so an untyped comes before everything
 *      carved out of it, and all capabilities to one object are adjacent
 *      (a "group");
 *   2. within a group, in depth-first order of derivation: a capability
 *      minted from another follows it directly with depth + 1; a copy goes
 *      after the source and the source's descendants, with the same depth.
 *
 * Derivation:
 *   - retype creates a new object whose first capability has depth 0; the
 *     untyped is its parent by address containment;
 *   - mint (a badge, fewer rights, a narrower window) creates a child;
 *   - copy creates a sibling of its source;
 *   - untyped capabilities are never copied or minted: an untyped has
 *     exactly one capability, so its watermark is authoritative, and
 *     quotas are handed down by retyping into smaller untyped.
 * The descendants of a capability X are
 *   - X an untyped: every capability after X whose object starts inside
 *     X's range (objects never straddle an untyped's boundary);
 *   - otherwise: the capabilities directly after X in its group with a
 *     depth greater than X's.
 * X is the last capability to its object when its neighbours in the tree
 * belong to other groups.
 *
 * Every node is augmented with the largest object end and the smallest
 * depth in its subtree; with them, finding a parent and asking whether any
 * object overlaps a range of an untyped take O(log n).
 */
#ifndef COFFER_KERNEL_CDT_H
#define COFFER_KERNEL_CDT_H

#include "cap/cap.h"

/* Empty the tree (boot, and host tests). */
void cdt_init(void);

/* Object range of a capability: [base, end). */
uint64_t cap_object_base(const struct cap *c);
uint64_t cap_object_end(const struct cap *c);

/* Insert the first capability to a new object (retype, boot). */
void cdt_insert_object(struct slot *s);
/* Insert child as a child of parent (same object, depth + 1 already set). */
void cdt_insert_child(struct slot *parent, struct slot *child);
/* Insert copy as a sibling of src (same object and depth). */
void cdt_insert_copy(struct slot *src, struct slot *copy);
/* Put c, derived from src's capability, into the empty slot dst: a child
 * of src one level deeper (mint; an IPC transfer as a child), or a sibling
 * (copy).  No mapping goes with it. */
static inline void cdt_insert_derived(struct slot *src, struct slot *dst, const struct cap *c, bool child)
{
    dst->cap = *c;
    dst->mapping = 0;
    if (child) {
        dst->cap.depth++;
        cdt_insert_child(src, dst);
    } else {
        cdt_insert_copy(src, dst);
    }
}
/* Take a slot out of the tree (its capability is about to be cleared or moved). */
void cdt_remove(struct slot *s);
/* Move the capability and its place in the tree from src to the empty dst. */
void cdt_move(struct slot *src, struct slot *dst);
/* Take the run first..last (tree order) out of the tree at once, into out:
 * O(log^2 n) however long the run.  Nothing is re-parented: the caller
 * takes whole runs of descendants (revoke). */
void cdt_cut(struct slot *first, struct slot *last, struct rb_tree *out);
/* Do a and b name the same object (the same group)? */
bool cdt_same_object(const struct slot *a, const struct slot *b);

/* True when no other capability names s's object. */
bool cdt_is_last(const struct slot *s);
/* The capability s was derived from, or NULL (boot untyped, or orphans
 * whose ancestors are all gone). */
struct slot *cdt_parent(const struct slot *s);
/* The untyped s's object was carved from (the smallest whose range holds
 * it), or NULL for what boot made outside every untyped. */
struct slot *cdt_untyped_of(const struct slot *s);
/* The first descendant of s in tree order, or NULL: revoke deletes these
 * one by one (each deletion makes the next one first). */
struct slot *cdt_first_descendant(const struct slot *s);

/* The descendant of root after cur (root itself or one of its
 * descendants) in tree order, or NULL: walks root's descendants. */
struct slot *cdt_next_descendant(const struct slot *root, const struct slot *cur);

/* The capability before s in tree order, or NULL. */
struct slot *cdt_prev(const struct slot *s);

/* The last descendant of s in tree order, or NULL.  It has no descendants
 * of its own, so deleting from the end never re-parents anything. */
struct slot *cdt_last_descendant(const struct slot *s);

/* Where objects retyped into a free range go in tree order: before
 * `next` (NULL: at the end).  Valid until the tree next changes, but for
 * the objects inserted there in address order. */
struct cdt_place {
    struct rb_node *next;
};

/* Is any part of [base, end) -- inside the untyped ut -- covered by an
 * object derived from it?  If not, *place is where objects inside the
 * range go (cdt_insert_at): the search for the one is the search for
 * the other. */
bool cdt_range_in_use(const struct slot *ut, uint64_t base, uint64_t end, struct cdt_place *place);

/* cdt_insert_object without the search: s, a new object inside the
 * free range place came from, the next in address order placed there. */
void cdt_insert_at(const struct cdt_place *place, struct slot *s);
/* Does the untyped have any descendant at all? */
bool cdt_has_descendants(const struct slot *ut);

/* Number of capabilities in the tree (O(n): tests and debug only). */
size_t cdt_count(void);

/* Full invariant check (debug builds and tests): tree shape and
 * augmentation, order, depth rules, objects nested only inside untyped, no two
 * objects overlapping.  Returns 0 or a negative CDT_CHECK_* code. */
int cdt_check(void);

enum cdt_check_error {
    CDT_CHECK_TREE = -1,      /* red-black shape or augmentation broken */
    CDT_CHECK_ORDER = -2,     /* neighbours out of key order */
    CDT_CHECK_DEPTH = -3,     /* a group not starting at depth 0, a member deeper than
                                 its predecessor + 1, or a deep untyped */
    CDT_CHECK_OVERLAP = -4,   /* two objects overlap without containment */
    CDT_CHECK_NULL = -6,      /* a null capability in the tree */
    CDT_CHECK_SIZE = -7,      /* a capability's cached object size is wrong */
    CDT_CHECK_WATERMARK = -8, /* an object above its untyped's watermark */
};

#endif
