/* Binary search of the symbol table that scripts/mksyms.sh generates. */
#include "env.h"
#include "arch/riscv/memlayout.h"
#include "kern/ksyms.h"

extern const uint64_t ksyms_count;
extern const uint64_t ksyms_addrs[];
extern const uint32_t ksyms_name_offsets[];
extern const char ksyms_names[];

const char *ksym_lookup(uintptr_t addr, uint64_t *offset)
{
	uint64_t lo = 0, hi = ksyms_count;

	if (addr < (uintptr_t)_text_start || addr >= (uintptr_t)_text_end ||
	    ksyms_count == 0 || addr < ksyms_addrs[0])
		return NULL;
	while (hi - lo > 1) {		/* last symbol whose address <= addr */
		uint64_t mid = lo + (hi - lo) / 2;

		if (ksyms_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksyms_addrs[lo];
	return ksyms_names + ksyms_name_offsets[lo];
}
