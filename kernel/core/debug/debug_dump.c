/*
 * Debug views of capability spaces (debug kernels only): the slots of a
 * CNode, and the derivation tree below a capability, as text or as
 * Graphviz dot.  Output goes to the kernel console; tools/cspace-svg.sh
 * turns a dot dump into a picture.  Both views are bounded (DUMP_MAX
 * lines) so a huge CSpace cannot keep the kernel printing for long.
 */
#include "arch.h"
#include "cap/cdt.h"
#include "debug/debug_dump.h"
#include "support/kprintf.h"
#include "cap/zombie.h"

#define DUMP_MAX 4096

static const char *const type_names[CAP_TYPE_COUNT] = {
    [CAP_NULL] = "null",
#define OBJECT(name, num, desc) [CAP_##name] = #name,
#include <coffer/objects.def>
#undef OBJECT
    [CAP_ZOMBIE] = "ZOMBIE",
};

static const char *type_name(const struct cap *c)
{
    return c->type < CAP_TYPE_COUNT ? type_names[c->type] : "?";
}

/* "rwgR": read, write, grant, grant-reply; '-' where a right is missing. */
static void rights_string(unsigned rights, char out[5])
{
    const char *letters = "rwgR";
    for (unsigned i = 0; i < 4; i++) {
        char c = '-';
        if (rights & (1u << i))
            c = letters[i];
        out[i] = c;
    }
    out[4] = '\0';
}

static void describe(const struct cap *c)
{
    char rights[5];
    rights_string(c->rights, rights);
    kprintf("%s %s obj=%p end=%p depth=%u", type_name(c), rights, (void *)c->object,
            (void *)cap_object_end(c), c->depth);
    if (c->type == CAP_UNTYPED)
        kprintf(" watermark=0x%lx%s", (unsigned long)c->data,
                (c->flags & CAP_FLAG_DEVICE) ? " device" : "");
    else if (c->flags & CAP_FLAG_BADGED)
        kprintf(" badge=0x%lx", (unsigned long)c->data);
    else if (c->type == CAP_FRAME && c->data != 0)
        kprintf(" window=0x%lx+0x%lx", (unsigned long)(c->data & 0xffffffffu),
                (unsigned long)(c->data >> 32));
    else if (c->type == CAP_CNODE)
        kprintf(" slots=2^%u guard=%u:0x%lx", c->size_bits, c->guard_bits, (unsigned long)c->data);
    else if (c->type == CAP_ZOMBIE)
        kprintf(" slots-left=%lu", (unsigned long)zombie_slots_left(c));
}

void dump_cnode(const struct cap *cnode, bool dot)
{
    const struct slot *slots = cnode_slots(cnode);
    uint64_t n = 1ull << cnode->size_bits, shown = 0;
    if (dot)
        kprintf("digraph cspace {\n  node [shape=record, fontname=monospace];\n");
    else
        kprintf("cnode at %p: 2^%u slots\n", (void *)cnode->object, cnode->size_bits);
    for (uint64_t i = 0; i < n && shown < DUMP_MAX; i++) {
        const struct cap *c = &slots[i].cap;
        if (cap_is_null(c))
            continue;
        shown++;
        if (dot) {
            kprintf("  s%lu [label=\"%lu | %s\"];\n", (unsigned long)i, (unsigned long)i, type_name(c));
            continue;
        }
        kprintf("  [%4lu] ", (unsigned long)i);
        describe(c);
        kprintf("\n");
    }
    kprintf(dot ? "}\n" : "  %lu capabilities\n", (unsigned long)shown);
}

/* Node name for dot: the slot's kernel address is unique and stable. */
static unsigned long node_id(const struct slot *s)
{
    return (unsigned long)(uintptr_t)s;
}

void dump_derivation(const struct slot *root, bool dot)
{
    if (dot)
        kprintf("digraph cdt {\n  node [shape=box, fontname=monospace];\n");
    const struct slot *s = root;
    for (unsigned shown = 0; s != NULL && shown < DUMP_MAX; shown++) {
        const struct slot *parent = s == root ? NULL : cdt_parent(s);
        if (dot) {
            kprintf("  n%lx [label=\"%s d%u\\n%p\"];\n", node_id(s), type_name(&s->cap),
                    s->cap.depth, (void *)s->cap.object);
            if (parent != NULL)
                kprintf("  n%lx -> n%lx;\n", node_id(parent), node_id(s));
        } else {
            kprintf("  %s", s == root ? "" : "  ");
            describe(&s->cap);
            kprintf("\n");
        }
        s = cdt_next_descendant(root, s);
    }
    if (dot)
        kprintf("}\n");
}
