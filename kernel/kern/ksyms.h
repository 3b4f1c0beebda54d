/* The kernel's own symbol table, embedded at build time (scripts/mksyms.sh). */
#ifndef KILBURN_KSYMS_H
#define KILBURN_KSYMS_H

#include "types.h"

/*
 * ksym_lookup - the name of the function containing addr, and addr's offset
 * from its start in *offset. NULL if addr is outside the kernel's text.
 */
const char *ksym_lookup(uintptr_t addr, uint64_t *offset);

#endif
