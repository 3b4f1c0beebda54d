/*
 * Kernel-stack allocation. The area is cut into KSTACK_SLOT-sized slots; a
 * stack occupies the top KSTACK_SIZE bytes of its slot and the rest of the
 * slot stays unmapped as the guard. Free slots are found with a bitmap,
 * lowest first, so the page-table pages of the area stop growing once the
 * most stacks ever alive at once have had their slots.
 *
 * Freed stacks are not unmapped at once: up to KSTACK_CACHE of them stay
 * mapped, with their frames, and the next allocations take them back. An
 * unmap must flush the stack's pages from every hart's TLB, a shootdown
 * per page, which thread churn on several harts would otherwise pay (as
 * SBI remote fences, OpenSBI 1.1 could hang under them: docs/threads.md).
 * kmem_reclaim (low memory, /proc/meminfo, the leak checks) unmaps the
 * cached ones, so they count as free memory wherever that is measured.
 */
#include "env.h"
#include "arch/riscv/memlayout.h"
#include "kern/kstack.h"
#include "vm/kmem.h"
#include "vm/pmap.h"
#include "vm/pmm.h"

#define NSLOTS		(KSTACK_AREA / KSTACK_SLOT)
#define STACK_PAGES	(KSTACK_SIZE / PAGE_SIZE)
#define KSTACK_CACHE	16	/* freed stacks kept mapped for reuse */

static uint64_t used[NSLOTS / 64];
static int nused;		/* stacks allocated */
static struct spinlock kstack_lock = SPINLOCK_INIT("kstack");
static vaddr_t cached[KSTACK_CACHE];	/* kstack_lock: tops of freed stacks */
static int ncached;

/*
 * The lowest free slot: reusing low slots keeps the page tables of the
 * kernel-stack area as small as the most stacks ever alive at once.
 */
static long slot_take(void)
{
	unsigned long flags = spin_lock_irqsave(&kstack_lock);
	long slot = -1;

	for (unsigned int w = 0; w < NSLOTS / 64; w++) {
		if (used[w] == ~0UL)
			continue;
		slot = w * 64 + __builtin_ctzl(~used[w]);
		used[w] |= 1UL << (slot % 64);
		nused++;
		break;
	}
	spin_unlock_irqrestore(&kstack_lock, flags);
	return slot;
}

static void slot_give(unsigned long slot)
{
	unsigned long flags = spin_lock_irqsave(&kstack_lock);

	used[slot / 64] &= ~(1UL << (slot % 64));
	nused--;
	spin_unlock_irqrestore(&kstack_lock, flags);
}

/* Unmap and free the pages of a stack whose top is `top`. */
static void stack_unmap(vaddr_t top)
{
	for (vaddr_t va = top - KSTACK_SIZE; va < top; va += PAGE_SIZE) {
		paddr_t pa = pmap_kremove(va);

		if (pa)
			pmm_free(pa_to_page(pa));
	}
}

/* A cached stack, counted as allocated again; 0 if there is none. */
static vaddr_t cache_take(void)
{
	unsigned long flags = spin_lock_irqsave(&kstack_lock);
	vaddr_t top = 0;

	if (ncached) {
		top = cached[--ncached];
		nused++;
	}
	spin_unlock_irqrestore(&kstack_lock, flags);
	return top;
}

/* Keep the stack at top for reuse; false if the cache is full. */
static bool cache_put(vaddr_t top)
{
	unsigned long flags = spin_lock_irqsave(&kstack_lock);
	bool kept = ncached < KSTACK_CACHE;

	if (kept) {
		cached[ncached++] = top;
		nused--;
	}
	spin_unlock_irqrestore(&kstack_lock, flags);
	return kept;
}

vaddr_t kstack_alloc(void)
{
	vaddr_t top = cache_take();
	long slot;

	if (top)
		return top;
	slot = slot_take();
	if (slot < 0)
		return 0;
	top = KSTACK_BASE + (slot + 1) * KSTACK_SLOT;
	for (vaddr_t va = top - KSTACK_SIZE; va < top; va += PAGE_SIZE) {
		struct page *pg = pmm_alloc(0);

		if (!pg || pmap_kenter(va, page_to_pa(pg),
				       VM_PROT_READ | VM_PROT_WRITE) < 0) {
			if (pg)
				pmm_free(pg);
			stack_unmap(top);
			slot_give(slot);
			return 0;
		}
		pg->state = PAGE_KSTACK;
	}
	return top;
}

void kstack_free(vaddr_t top)
{
	if (top <= KSTACK_BASE || top > KSTACK_BASE + KSTACK_AREA ||
	    (top - KSTACK_BASE) % KSTACK_SLOT)
		panic("kstack_free: %p is not a kernel stack", (void *)top);
	if (cache_put(top))
		return;
	stack_unmap(top);
	slot_give((top - KSTACK_BASE) / KSTACK_SLOT - 1);
}

/* kmem_reclaim: unmap and free every cached stack. */
static void kstack_drain(void)
{
	for (;;) {
		unsigned long flags = spin_lock_irqsave(&kstack_lock);
		vaddr_t top = ncached ? cached[--ncached] : 0;

		spin_unlock_irqrestore(&kstack_lock, flags);
		if (!top)
			return;
		stack_unmap(top);
		slot_give((top - KSTACK_BASE) / KSTACK_SLOT - 1);
	}
}

void kstack_init(void)
{
	kmem_add_reclaimer(kstack_drain);
}

int kstack_count(void)
{
	return nused;
}
