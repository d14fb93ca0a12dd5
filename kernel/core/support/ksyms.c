/*
 * Address-to-symbol lookup by binary search over the sorted table.
 */
#include "support/ksyms.h"

const char *ksym_lookup(const struct ksym_table *table, uint64_t addr, uint64_t *offset)
{
    if (table == NULL || table->count == 0 || addr < table->syms[0].addr)
        return NULL;
    uint64_t lo = 0, hi = table->count; /* answer in [lo, hi) */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (table->syms[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    const struct ksym *sym = &table->syms[lo];
    if (sym->name_offset >= table->names_size)
        return NULL;
    if (offset != NULL)
        *offset = addr - sym->addr;
    return table->names + sym->name_offset;
}

#ifndef COFFER_HOST
/* Defined by the generated ksyms.S (empty on the first link). */
extern const struct ksym ksyms_table[];
extern const uint64_t ksyms_count;
extern const char ksyms_names[];
extern const uint64_t ksyms_names_size;

const struct ksym_table *ksyms_kernel(void)
{
    static struct ksym_table table;
    table.syms = ksyms_table;
    table.count = ksyms_count;
    table.names = ksyms_names;
    table.names_size = ksyms_names_size;
    return &table;
}
#else
const struct ksym_table *ksyms_kernel(void)
{
    return NULL;
}
#endif
