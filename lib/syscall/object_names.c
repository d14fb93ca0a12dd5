#include <coffer.h>
#include <stddef.h>

/* The kinds of object a person meets in a bank's books; the rest (a
 * VSpace, an ASID pool, the kernel's own) have no short name here. */
static const char *const object_names[COFFER_OBJ_COUNT_] = {
    [COFFER_OBJ_UNTYPED] = "untyped", [COFFER_OBJ_CNODE] = "CNode", [COFFER_OBJ_ENDPOINT] = "endpoint",
    [COFFER_OBJ_NOTIFICATION] = "notification", [COFFER_OBJ_TCB] = "TCB", [COFFER_OBJ_FRAME] = "frame",
    [COFFER_OBJ_SCHED_CONTEXT] = "sched context", [COFFER_OBJ_PAGE_TABLE] = "page table",
};

const char *coffer_object_name(uint64_t type)
{
    return type < COFFER_OBJ_COUNT_ ? object_names[type] : NULL;
}
