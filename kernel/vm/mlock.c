/* Locked pages mapped by several address spaces; see mlock.h. */
#include "vm/mlock.h"
#include "vm/anon.h"
#include "vm/pmap.h"
#include "vm/reclaim.h"
#include "vm/rmap.h"

struct page *mlock_pin(struct pmap *pm, vaddr_t va)
{
	struct page *pg;
	paddr_t pa;

	if (!pmap_access(pm, va, VM_PROT_READ, &pa) &&
	    !pmap_access(pm, va, VM_PROT_EXEC, &pa))
		return NULL;
	pg = pa_to_page(pa);
	if (pg && rmap_managed(pg))
		return pg;
	if (pg)
		page_put(pg);
	return NULL;		/* not RAM: no reference was taken */
}

bool mlock_mark(struct page *pg, struct pmap *pm, vaddr_t va, bool lock)
{
	struct spinlock *l = rmap_lock_of(pg);
	unsigned long flags = spin_lock_irqsave(l);
	bool found = rmap_managed(pg) && rmap_set_locked(pg, pm, va, lock);

	spin_unlock_irqrestore(l, flags);
	return found;
}

void mlock_anon_page(struct anon *an, struct page *pg, struct pmap *pm,
		     vaddr_t va)
{
	if (!mlock_mark(pg, pm, va, true))
		return;		/* unmapped meanwhile: a later fault locks it */
	anon_lock(an);
	if (an->page == pg)
		an->flags |= ANON_MLOCKED;
	anon_unlock(an);
	reclaim_untrack(pg);	/* never evicted */
}

void munlock_anon(struct anon *an)
{
	struct page *pg;
	bool still;

	anon_lock(an);
	still = an->page && rmap_page_locked(an->page);
	if (!still)
		an->flags &= ~ANON_MLOCKED;
	pg = !still && !(an->flags & ANON_BUSY) ? an->page : NULL;
	if (pg)
		page_ref_inc(pg);
	anon_unlock(an);
	if (!pg)
		return;
	/*
	 * Back on the policy, out of the anon's lock (a policy may test a
	 * page's accessed bits as it inserts, which flushes TLBs). A locked
	 * region that maps it meanwhile sets ANON_MLOCKED and then takes it
	 * off: if we miss its mark here, its reclaim_untrack comes after.
	 */
	reclaim_track_again(pg);
	if (__atomic_load_n(&an->flags, __ATOMIC_SEQ_CST) & ANON_MLOCKED)
		reclaim_untrack(pg);
	page_put(pg);
}
