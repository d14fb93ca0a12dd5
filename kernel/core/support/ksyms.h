/*
 * Kernel symbol table, for symbolic backtraces in panics.
 *
 * The build links the kernel twice: the first link has an empty table, then
 * tools/gen-ksyms.sh turns that image's function symbols into a sorted
 * table that the second link places after .bss, so no other address moves
 * (the Makefile checks that).  Entries are sorted by address.
 */
#ifndef COFFER_KERNEL_KSYMS_H
#define COFFER_KERNEL_KSYMS_H

#include "types.h"

struct ksym {
    uint64_t addr;
    uint64_t name_offset; /* into the names blob */
};

struct ksym_table {
    const struct ksym *syms;
    uint64_t count;
    const char *names;
    uint64_t names_size;
};

/* The symbol containing addr: its name, and the offset of addr into it.
 * Returns NULL when addr lies before the first symbol or the table is
 * empty or malformed. */
const char *ksym_lookup(const struct ksym_table *table, uint64_t addr, uint64_t *offset);

/* The kernel's own table (empty on the host). */
const struct ksym_table *ksyms_kernel(void);

#endif
