/*
 * The [vdso] page: one read-only, executable page mapped into every
 * address space at exec. Kilburn's holds only the trampoline that signal
 * handlers return through (rt_sigreturn); it has no ELF image and no
 * AT_SYSINFO_EHDR entry, so C libraries do not look for functions there.
 */
#ifndef KILBURN_RISCV_VDSO_H
#define KILBURN_RISCV_VDSO_H

#include "env.h"

struct vmspace;

/* Make the page (boot, after vm_init). Panics if out of memory. */
void vdso_init(void);

/*
 * vdso_map - map the page into vm (vm->lock held) at vdso_address(vm):
 * just above vm->mmap_base, where mmap(NULL) never searches. Returns 0 or
 * -ENOMEM.
 */
int vdso_map(struct vmspace *vm);

/* Where vdso_map puts the page in vm. */
uint64_t vdso_address(const struct vmspace *vm);

/* Offset of the signal return trampoline in the page. */
#define VDSO_SIGRETURN	0

#endif
