/*
 * Kernel stacks: KSTACK_SIZE bytes each, in the kernel-stack area, with an
 * unmapped guard below every stack so that an overflow faults (and trap.S
 * reports "kernel stack overflow") instead of corrupting memory.
 */
#ifndef KILBURN_KSTACK_H
#define KILBURN_KSTACK_H

#include "types.h"

/* At boot: let kmem_reclaim free the stacks kept for reuse. */
void kstack_init(void);

/* A new stack; returns its top (initial sp), or 0 if out of memory. */
vaddr_t kstack_alloc(void);
/*
 * Free a stack from kstack_alloc, given its top. A few are kept mapped for
 * the next kstack_alloc until kmem_reclaim.
 */
void kstack_free(vaddr_t top);
/* Stacks currently allocated. */
int kstack_count(void);

#endif
