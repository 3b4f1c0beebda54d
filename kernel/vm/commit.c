/*
 * Committed memory and overcommit (commit.h has the rules).
 *
 * Machine-independent: compiles on the host.
 */
#include "vm/commit.h"
#include "vm/pmm.h"
#include "vm/swap_slots.h"
#include "vm/vmspace.h"

int vm_overcommit_memory = VM_OVERCOMMIT_GUESS;
int vm_overcommit_ratio = 50;

static uint64_t committed_pages;	/* atomic: the sum of every vm->committed */

bool commit_accountable(unsigned int prot, unsigned int flags)
{
	if ((flags & REGION_SHARED) || !(prot & VM_PROT_WRITE))
		return false;
	return !(flags & REGION_NORESERVE) ||
	       READ_ONCE(vm_overcommit_memory) == VM_OVERCOMMIT_NEVER;
}

static uint64_t swap_pages(void)
{
	uint64_t total, free;

	swap_slots_totals(&total, &free);
	return total;
}

uint64_t commit_limit(void)
{
	uint64_t ratio = (uint64_t)MAX(READ_ONCE(vm_overcommit_ratio), 0);

	return pmm_total_frames() * ratio / 100 + swap_pages();
}

uint64_t commit_total(void)
{
	return __atomic_load_n(&committed_pages, __ATOMIC_RELAXED);
}

/* May `pages` more be committed, with `now` committed counting them? */
static bool commit_allowed(uint64_t pages, uint64_t now)
{
	switch (READ_ONCE(vm_overcommit_memory)) {
	case VM_OVERCOMMIT_ALWAYS:
		return true;
	case VM_OVERCOMMIT_NEVER:
		return now < commit_limit();
	default:
		return pages <= pmm_total_frames() + swap_pages();
	}
}

int commit_charge(struct vmspace *vm, uint64_t pages, uint64_t credit)
{
	uint64_t now;

	if (pages == 0)
		return 0;
	now = __atomic_add_fetch(&committed_pages, pages, __ATOMIC_RELAXED);
	if (!commit_allowed(pages, now - MIN(credit, now))) {
		__atomic_sub_fetch(&committed_pages, pages, __ATOMIC_RELAXED);
		return -ENOMEM;
	}
	vm->committed += pages;
	return 0;
}

void commit_add(struct vmspace *vm, uint64_t pages)
{
	__atomic_add_fetch(&committed_pages, pages, __ATOMIC_RELAXED);
	vm->committed += pages;
}

void commit_uncharge(struct vmspace *vm, uint64_t pages)
{
	if (pages > vm->committed)
		panic("commit_uncharge: %lu pages, vm holds %lu",
		      (unsigned long)pages, (unsigned long)vm->committed);
	vm->committed -= pages;
	__atomic_sub_fetch(&committed_pages, pages, __ATOMIC_RELAXED);
}
