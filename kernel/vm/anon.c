/* Private page identities; see anon.h. */
#include "vm/anon.h"
#include "vm/kmem.h"
#include "vm/reclaim.h"
#include "vm/swap_slots.h"
#include "vm/vmstat.h"

static struct kmem_cache *anon_cache;
struct spinlock anon_locks[ANON_LOCKS];
static uint64_t anons_in_use;		/* atomic */
static uint64_t anons_swapped;		/* atomic: page on swap only */

void anon_init(void)
{
	anon_cache = kmem_cache_create("anon", sizeof(struct anon), 0);
	if (!anon_cache)
		panic("anon_init: out of memory");
	for (int i = 0; i < ANON_LOCKS; i++)
		spin_init(&anon_locks[i], "anon");
}

struct anon *anon_alloc(struct page *pg)
{
	struct anon *an = kmem_cache_alloc(anon_cache, 0);

	if (!an)
		return NULL;
	an->refs = 1;
	an->flags = 0;
	an->page = pg;
	an->swap = 0;
	pg->state = PAGE_ANON;
	pg->owner = an;
	__atomic_add_fetch(&anons_in_use, 1, __ATOMIC_RELAXED);
	reclaim_track(pg);
	return an;
}

bool anon_ref_live(struct anon *an)
{
	uint32_t refs = __atomic_load_n(&an->refs, __ATOMIC_RELAXED);

	do {
		if (refs == 0)
			return false;
	} while (!__atomic_compare_exchange_n(&an->refs, &refs, refs + 1, true,
					      __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
	return true;
}

void anon_put(struct anon *an)
{
	struct page *pg;

	if (__atomic_sub_fetch(&an->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* page-out may hold the frame and look at its owner: cut the link */
	anon_lock(an);
	pg = an->page;
	an->page = NULL;
	if (pg)
		pg->owner = NULL;
	if (an->flags & ANON_READAHEAD)
		vmstat_inc(VMSTAT_SWAP_RA_UNUSED);
	anon_unlock(an);
	if (pg) {
		reclaim_untrack(pg);
		page_put(pg);
	} else if (an->swap) {
		__atomic_sub_fetch(&anons_swapped, 1, __ATOMIC_RELAXED);
	}
	if (an->swap)
		swap_entry_free((swap_entry_t){ an->swap });
	kmem_cache_free(anon_cache, an);
	__atomic_sub_fetch(&anons_in_use, 1, __ATOMIC_RELAXED);
}

void anon_dirty(struct anon *an)
{
	if (!an->swap)
		return;
	swap_entry_free((swap_entry_t){ an->swap });
	an->swap = 0;
}

void anon_count_swapped(int delta)
{
	__atomic_add_fetch(&anons_swapped, (uint64_t)(int64_t)delta, __ATOMIC_RELAXED);
}

uint64_t anon_count(void)
{
	return __atomic_load_n(&anons_in_use, __ATOMIC_RELAXED);
}

uint64_t anon_swapped_count(void)
{
	return __atomic_load_n(&anons_swapped, __ATOMIC_RELAXED);
}
