/*
 * A service's CSpace as every service builds it (starter/starter.h,
 * "A service's CSpace"): a guarded root whose slot 0 is the service's
 * leaf, and the ways the starter fills the leaf from its own slots.
 */
#include <starter/starter.h>

#define ROOT COFFER_SLOT_CNODE

struct coffer_result starter_cspace(struct starter *st, struct starter_cspace *cs, coffer_cptr_t root,
                                    coffer_cptr_t guarded, unsigned root_bits, unsigned leaf_bits, unsigned self)
{
    *cs = (struct starter_cspace){ .root = root, .guarded = guarded, .depth = root_bits + leaf_bits };
    struct coffer_result r;
    if ((r = starter_make(st, COFFER_OBJ_CNODE, root_bits, root)).error != COFFER_ERR_OK ||
        (r = starter_make(st, COFFER_OBJ_CNODE, leaf_bits, st->temp)).error != COFFER_ERR_OK ||
        (r = coffer_cnode_move(root, 0, root_bits, ROOT, st->temp, 64)).error != COFFER_ERR_OK ||
        (r = coffer_cnode_mint(ROOT, guarded, 64, ROOT, root, 64, COFFER_RIGHTS_ALL,
                               COFFER_GUARD(64 - cs->depth, 0))).error != COFFER_ERR_OK)
        return r;
    return starter_copy_in(cs, self, guarded);
}

struct coffer_result starter_move_in(const struct starter_cspace *cs, unsigned j, coffer_cptr_t from)
{
    return coffer_cnode_move(cs->root, j, cs->depth, ROOT, from, 64);
}

struct coffer_result starter_copy_in(const struct starter_cspace *cs, unsigned j, coffer_cptr_t from)
{
    return coffer_cnode_copy(cs->root, j, cs->depth, ROOT, from, 64);
}

struct coffer_result starter_place(struct starter *st, const struct starter_cspace *cs, uint64_t type, unsigned j)
{
    struct coffer_result r = starter_make(st, type, 0, st->temp);
    return r.error != COFFER_ERR_OK ? r : starter_move_in(cs, j, st->temp);
}

struct coffer_result starter_badged(const struct starter_cspace *cs, unsigned j, uint64_t rights, uint64_t badge,
                                    coffer_cptr_t to)
{
    return coffer_cnode_mint(ROOT, to, 64, cs->root, j, cs->depth, rights, badge);
}
