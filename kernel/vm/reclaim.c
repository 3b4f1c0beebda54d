/* Reclaim and the allocation of user frames; see reclaim.h. */
#include "vm/reclaim.h"
#include "kern/mutex.h"
#include "vm/kmem.h"

#define PCP_FRAMES_PER_HART	32	/* pmm.c's PCP_SIZE: frames a hart may cache */

static struct shrinker *shrinkers;	/* boot-time list, then read-only */
uint64_t reclaim_freed_total;		/* atomic */

void reclaim_register(struct shrinker *s)
{
	s->next = shrinkers;
	shrinkers = s;
}

uint64_t reclaim_run(uint64_t want)
{
	uint64_t freed = 0;

	kmem_reclaim();
	for (struct shrinker *s = shrinkers; s && freed < want; s = s->next)
		freed += s->shrink(want - freed);
	__atomic_add_fetch(&reclaim_freed_total, freed, __ATOMIC_RELAXED);
	return freed;
}

struct page *vm_page_alloc(unsigned int flags)
{
	struct page *pg = pmm_alloc(flags | PMM_USER);

	if (pg)
		return pg;
	/* Reclaim a batch, so that the next faults do not each come here. */
	reclaim_run(64);
	return pmm_alloc(flags | PMM_USER);
}

/* Integer square root (floor). */
static uint64_t isqrt(uint64_t x)
{
	uint64_t r = 0;

	for (uint64_t bit = 1UL << 62; bit; bit >>= 2) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
	}
	return r;
}

void reclaim_set_reserve(uint64_t total_frames, int ncpus)
{
	uint64_t kb = isqrt(total_frames * (PAGE_SIZE / 1024) * 16);
	uint64_t frames = MAX(kb, 128UL) / (PAGE_SIZE / 1024);
	uint64_t stranded = (uint64_t)MAX(ncpus - 1, 0) * PCP_FRAMES_PER_HART;

	pmm_set_reserve(MAX(frames, stranded + 16));
}
