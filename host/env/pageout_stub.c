/*
 * The host has no swap disk and no page-out daemon: what the fault path
 * calls of kernel/vm/pageout.c, for a host that never evicts a page.
 */
#include "kern/mutex.h"
#include "vm/anon.h"
#include "vm/pageout.h"

int anon_page_in(struct anon *an)
{
	panic("anon_page_in: the host never sends a page to swap");
}

bool anon_read_around(struct anon *an, struct anon **ra, unsigned int n,
		      struct anon **ahead, unsigned int nahead)
{
	for (unsigned int i = 0; i < n; i++)
		anon_put(ra[i]);
	anon_read_ahead(ahead, nahead);
	return false;
}

void anon_read_ahead(struct anon **ra, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		anon_put(ra[i]);
}

bool pageout_for_fault(void)
{
	return false;		/* no reclaim on the host: out of memory */
}

int pageout_cache_begin(struct pcache *pc, struct page *pg, struct pmap_batch *b,
			uint64_t *slot)
{
	return -ENOSPC;		/* the host has no swap */
}

void pageout_cache_make_room(void)
{
}

bool pageout_owner_lock(struct mutex *lock)
{
	return mutex_trylock(lock);
}

int pageout_cache_end(struct pcache *pc, struct page *pg, uint64_t slot, int err)
{
	panic("pageout_cache_end: the host never sends a page to swap");
}

int pageout_cache_swapin(struct pcache *pc, uint64_t idx, uint64_t e,
			 struct page *pg, struct page **out)
{
	panic("pageout_cache_swapin: the host never sends a page to swap");
}

int pageout_cache_swapin_around(struct pcache *pc, uint64_t idx, uint64_t e,
				struct page *pg, struct page **out, unsigned int *ahead)
{
	panic("pageout_cache_swapin_around: the host never sends a page to swap");
}
