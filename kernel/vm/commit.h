/*
 * commit — Linux's accounting of committed memory, and overcommit.
 *
 * Memory that a process may write without anything backing it on a disk
 * is "committed" when it is mapped, not when it is touched: every private
 * writable mapping (anonymous memory, the heap, the stack, a private
 * writable file mapping, since a write copies a page) counts its whole
 * size. Such a region carries REGION_ACCOUNT (Linux's VM_ACCOUNT); the
 * flag is sticky (mprotect to read-only does not give the charge back).
 * A mapping made with MAP_NORESERVE is not charged, except in mode 2.
 * Shared mappings are not charged (Kilburn does not yet charge shared
 * anonymous memory, which Linux does).
 *
 * Committed_AS in /proc/meminfo is the sum over every address space.
 * /proc/sys/vm/overcommit_memory says what happens when a charge is made:
 *   0  heuristic: refuse one request larger than RAM + swap
 *   1  always allow
 *   2  never overcommit: refuse once the total would reach CommitLimit
 *      = RAM * overcommit_ratio / 100 + swap (ratio 50 by default)
 * A refused mmap, brk, mremap, mprotect or fork fails with ENOMEM; a stack
 * that cannot grow is a SIGSEGV. (Linux in mode 2 also keeps back
 * min(total_vm / 32, user_reserve_kbytes) of a process; Kilburn does not.)
 *
 * Invariant (vmspace_check): vm->committed is the number of pages of vm's
 * REGION_ACCOUNT regions, and vm_committed_pages is the sum over all.
 *
 * Machine-independent: compiles on the host.
 */
#ifndef KILBURN_COMMIT_H
#define KILBURN_COMMIT_H

#include "env.h"

struct vmspace;

#define VM_OVERCOMMIT_GUESS	0
#define VM_OVERCOMMIT_ALWAYS	1
#define VM_OVERCOMMIT_NEVER	2

extern int vm_overcommit_memory;	/* /proc/sys/vm/overcommit_memory */
extern int vm_overcommit_ratio;		/* /proc/sys/vm/overcommit_ratio */

/* Should a mapping with this protection and these region flags be charged? */
bool commit_accountable(unsigned int prot, unsigned int flags);

/*
 * commit_charge - charge `pages` to vm (vm->lock held), checked against
 * the overcommit mode as if `credit` pages already charged were given
 * back first (a mapping that replaces an accounted one). Returns 0 or
 * -ENOMEM (nothing charged).
 */
int commit_charge(struct vmspace *vm, uint64_t pages, uint64_t credit);

/* Charge without a check (the pages were checked already). vm->lock held. */
void commit_add(struct vmspace *vm, uint64_t pages);

/* Give back `pages` charged to vm. vm->lock held. */
void commit_uncharge(struct vmspace *vm, uint64_t pages);

/* Pages committed by every address space (Committed_AS). */
uint64_t commit_total(void);

/* CommitLimit in pages: RAM * overcommit_ratio / 100 + swap. */
uint64_t commit_limit(void);

#endif
