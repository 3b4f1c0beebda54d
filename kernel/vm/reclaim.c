/* Reclaim and the allocation of user frames; see reclaim.h. */
#include "vm/reclaim.h"
#include "kern/mutex.h"
#include "vm/anon.h"
#include "vm/kmem.h"
#include "vm/pmap.h"
#include "vm/policy.h"
#include "vm/rmap.h"
#include "vm/vobject.h"

#define PCP_FRAMES_PER_HART	32	/* pmm.c's PCP_SIZE: frames a hart may cache */

static struct shrinker *shrinkers;	/* boot-time list, then read-only */
uint64_t reclaim_freed_total;		/* atomic */

/*
 * The replacement policy over every evictable user page. reclaim_lock
 * guards the instance and the pages' policy links and bits. Order: after
 * an anon's lock and a page cache's lock; before the reverse-map locks
 * (the referenced test reads the page's mappings).
 */
static struct spinlock reclaim_lock = SPINLOCK_INIT("reclaim");
static struct vm_policy policy;
static bool policy_ready;
static struct pmap_batch *scan_batch;	/* reclaim_lock: the picker's batch */

/*
 * Parked pages. While no swap slot can be had (no area active, or every
 * slot taken: swap_short), a page that could only go out by taking a new
 * slot -- an anonymous page without one, a swap-backed cache page (tmpfs,
 * shared anonymous: each goes out to a new slot) -- could go nowhere, so
 * it is kept off the policy, on `parked`, and no page-out pass scans it
 * (Linux scans no anon list without swap). Pages with a slot (clean
 * copies) and clean file pages stay on the policy: they can still go.
 * Parked pages go back on the policy, oldest first, as slots come back
 * (reclaim_swap_space). PG_PARKED and `link` of a parked page, the list,
 * its count and swap_short: reclaim_lock. Until a swap area is activated
 * no slot can be had: swap_short starts true.
 */
static struct list_node parked = LIST_HEAD_INIT(parked);
static uint64_t nr_parked;
static bool swap_short = true;

#define UNPARK_CHUNK	64	/* pages put back per hold of reclaim_lock */

/*
 * The policy's referenced test: the accessed bits of the page's mappings,
 * cleared. In a pick the flushes go into the picker's batch; outside one (a
 * policy testing a page as it inserts another, as S3-FIFO forgets its fresh
 * page's faulting access) they are done at once. Without a batch,
 * pmap_clear_reference_batch only looks: the bits stayed set, and S3-FIFO
 * took every page's faulting access for a second use. The first bit found
 * on a page mapped ahead of use (PG_AROUND) is its first use: forgotten.
 */
static bool test_and_clear(struct page *pg)
{
	if (!scan_batch)
		return pmap_clear_reference(pg);
	return pmap_clear_reference_batch(pg, scan_batch);
}

/* referenced() of a PG_AROUND page: its first use is forgotten. */
static __attribute__((noinline)) bool referenced_around(struct page *pg)
{
	if (!test_and_clear(pg))
		return false;		/* not used yet */
	pg->flags &= ~PG_AROUND;
	return false;
}

static bool referenced(struct page *pg, void *ctx)
{
	if (unlikely(pg->flags & PG_AROUND))
		return referenced_around(pg);
	return test_and_clear(pg);
}

/*
 * The policy's page key (reclaim_lock held, pg on the policy or being put
 * on it): what names the page's contents across an eviction and a read
 * back into another frame. A cache page is its object and page number; an
 * anonymous page its anon alone, since its index is the swap slot it was
 * last read from, which changes when the page is written out again (with
 * the index in it, S3-FIFO's ghost almost never recognised a page).
 */
static uint64_t page_key(struct page *pg, void *ctx)
{
	struct page id = { .owner = pg->owner, .index = pg->index };

	if (pg->state == PAGE_ANON)
		id.index = 0;
	return vm_policy_page_key(&id);
}

/*
 * Could pg go out only by taking a new swap slot? An anonymous page
 * without a slot, or a swap-backed cache page. Read without the anon's
 * lock: the caller holds the anon (a reference), and a slot is given to
 * it only by page-out, which takes it off the policy first.
 */
static bool page_needs_slot(const struct page *pg)
{
	struct anon *an;

	if (pg->state == PAGE_FILE)
		return pg->flags & PG_SWAPBACKED;
	if (pg->state != PAGE_ANON)
		return false;
	an = READ_ONCE(pg->owner);
	return an && !READ_ONCE(an->swap);
}

/*
 * Put pg (on neither list, not locked) where it belongs: parked if it
 * needs a slot and none can be had, else on the policy. reclaim_lock held.
 */
static void track_locked(struct page *pg)
{
	if (swap_short && page_needs_slot(pg)) {
		pg->flags |= PG_PARKED;
		list_append(&parked, &pg->link);
		nr_parked++;
	} else {
		vm_policy_insert(&policy, pg);
	}
}

/* Take pg off whichever list it is on, if any. reclaim_lock held. */
static void untrack_locked(struct page *pg)
{
	if (pg->flags & PG_ONPOLICY) {
		vm_policy_remove(&policy, pg);
	} else if (pg->flags & PG_PARKED) {
		list_remove(&pg->link);
		pg->flags &= ~PG_PARKED;
		nr_parked--;
	}
}

void reclaim_policy_init(void)
{
	const struct vm_policy_ops *ops = vm_policy_chosen();
	uint64_t frames = pmm_total_frames();
	size_t size = vm_policy_state_size(ops, frames);
	struct vm_policy_hooks hooks = {
		.test_and_clear_referenced = referenced,
		.page_key = page_key,
	};
	void *state = size ? kmalloc(size, KM_ZERO) : NULL;

	if ((size && !state) || vm_policy_init(&policy, ops, frames, &hooks, state))
		panic("reclaim: cannot set up the %s policy", ops->name);
	policy_ready = true;
}

void reclaim_track(struct page *pg)
{
	unsigned long flags;

	if (!policy_ready)
		return;
	flags = spin_lock_irqsave(&reclaim_lock);
	/* munlock may have put it back; a locked cache page stays off */
	if (!(pg->flags & (PG_ONPOLICY | PG_PARKED | PG_MLOCKED)))
		track_locked(pg);
	spin_unlock_irqrestore(&reclaim_lock, flags);
}

void reclaim_track_again(struct page *pg)
{
	unsigned long flags;

	if (!policy_ready)
		return;
	flags = spin_lock_irqsave(&reclaim_lock);
	if (!(pg->flags & (PG_ONPOLICY | PG_PARKED)) && pg->state == PAGE_ANON &&
	    pg->owner)
		track_locked(pg);
	spin_unlock_irqrestore(&reclaim_lock, flags);
}

void reclaim_renew(struct page *pg)
{
	unsigned long flags;

	if (!policy_ready || !(READ_ONCE(pg->flags) & PG_ONPOLICY))
		return;
	flags = spin_lock_irqsave(&reclaim_lock);
	if (pg->flags & PG_ONPOLICY)
		vm_policy_renew(&policy, pg);
	spin_unlock_irqrestore(&reclaim_lock, flags);
}

void reclaim_renew_around(struct page *pg)
{
	unsigned long flags;

	if (!policy_ready || !(READ_ONCE(pg->flags) & PG_ONPOLICY))
		return;
	flags = spin_lock_irqsave(&reclaim_lock);
	if (pg->flags & PG_ONPOLICY) {
		vm_policy_renew(&policy, pg);
		pg->flags |= PG_AROUND;
	}
	spin_unlock_irqrestore(&reclaim_lock, flags);
}

bool reclaim_first_use(struct page *pg)
{
	unsigned long flags;
	bool ahead;

	if (!(READ_ONCE(pg->flags) & PG_READAHEAD))
		return false;
	flags = spin_lock_irqsave(&reclaim_lock);
	ahead = pg->flags & PG_READAHEAD;
	pg->flags &= ~PG_READAHEAD;
	if (ahead && policy_ready && (pg->flags & PG_ONPOLICY))
		vm_policy_renew(&policy, pg);	/* as reclaim_renew */
	spin_unlock_irqrestore(&reclaim_lock, flags);
	return ahead;
}

void reclaim_untrack(struct page *pg)
{
	unsigned long flags;

	/* only the reclaim side clears the flags of a page its owner holds */
	if (!policy_ready ||
	    !(READ_ONCE(pg->flags) & (PG_ONPOLICY | PG_PARKED | PG_MLOCKED)))
		return;
	flags = spin_lock_irqsave(&reclaim_lock);
	untrack_locked(pg);
	pg->flags &= ~PG_MLOCKED;
	spin_unlock_irqrestore(&reclaim_lock, flags);
}

void reclaim_mlock(struct page *pg)
{
	unsigned long flags;
	uint16_t f = READ_ONCE(pg->flags);

	if (!policy_ready || !(f & PG_EVICTABLE) || (f & PG_MLOCKED))
		return;
	flags = spin_lock_irqsave(&reclaim_lock);
	untrack_locked(pg);
	pg->flags |= PG_MLOCKED;
	spin_unlock_irqrestore(&reclaim_lock, flags);
}

void reclaim_munlock(struct page *pg)
{
	void *owner = __atomic_load_n(&pg->owner, __ATOMIC_SEQ_CST);
	unsigned long flags;

	if (!policy_ready || !(READ_ONCE(pg->flags) & PG_MLOCKED))
		return;
	flags = spin_lock_irqsave(&reclaim_lock);
	if (rmap_page_locked(pg)) {	/* another locked region maps it */
		spin_unlock_irqrestore(&reclaim_lock, flags);
		return;
	}
	pg->flags &= ~PG_MLOCKED;
	spin_unlock_irqrestore(&reclaim_lock, flags);
	/* as page-out gives a cache page back: only while it is in the cache */
	if (!owner || pg->state != PAGE_FILE)
		return;
	reclaim_track(pg);
	if (__atomic_load_n(&pg->owner, __ATOMIC_SEQ_CST) != owner)
		reclaim_untrack(pg);
}

struct page *reclaim_pick(struct pmap_batch *b, struct vobject **obj)
{
	unsigned long flags;
	struct page *pg;

	*obj = NULL;
	if (!policy_ready)
		return NULL;
	flags = spin_lock_irqsave(&reclaim_lock);
	scan_batch = b;
	pg = vm_policy_select_victim(&policy);
	if (pg) {
		vm_policy_remove(&policy, pg);
		page_ref_inc(pg);	/* on the policy: its owner still holds it */
		/* a cache page's object lives while its page is on the policy */
		if (pg->state == PAGE_FILE && pg->owner &&
		    vobject_tryref(pg->owner))
			*obj = pg->owner;
	}
	scan_batch = NULL;
	spin_unlock_irqrestore(&reclaim_lock, flags);
	return pg;
}

uint64_t reclaim_tracked(void)
{
	return policy_ready ? READ_ONCE(policy.nr_pages) : 0;
}

uint64_t reclaim_file_tracked(void)
{
	uint64_t all, anon;

	if (!policy_ready)
		return 0;
	all = READ_ONCE(policy.nr_pages);
	anon = READ_ONCE(policy.nr_anon);
	return all > anon ? all - anon : 0;
}

void reclaim_swap_space(uint64_t free_slots)
{
	unsigned long flags = spin_lock_irqsave(&reclaim_lock);
	uint64_t left = free_slots;

	swap_short = !free_slots;
	while (left && nr_parked && !swap_short) {
		for (unsigned int i = 0; i < UNPARK_CHUNK && left && nr_parked; i++, left--) {
			struct page *pg = list_first(&parked, struct page, link);

			list_remove(&pg->link);
			pg->flags &= ~PG_PARKED;
			nr_parked--;
			vm_policy_insert(&policy, pg);
		}
		/* let faults and frees in between chunks */
		spin_unlock_irqrestore(&reclaim_lock, flags);
		flags = spin_lock_irqsave(&reclaim_lock);
	}
	spin_unlock_irqrestore(&reclaim_lock, flags);
}

uint64_t reclaim_parked(void)
{
	return READ_ONCE(nr_parked);
}

void reclaim_policy_stats(struct vm_policy_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&reclaim_lock);

	*st = policy.stats;
	spin_unlock_irqrestore(&reclaim_lock, flags);
}

void reclaim_policy_lists(struct vm_policy_lists *l)
{
	unsigned long flags = spin_lock_irqsave(&reclaim_lock);

	vm_policy_lists(&policy, l);	/* a zeroed instance before init */
	/* as Linux, which does not age anon lists it cannot reclaim */
	l->inactive_anon += nr_parked;
	spin_unlock_irqrestore(&reclaim_lock, flags);
}

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

static uint64_t low_watermark;		/* 0: no hook */
static void (*low_hook)(void);

void reclaim_set_low_hook(uint64_t low, void (*hook)(void))
{
	low_watermark = low;
	low_hook = hook;
}

/* After an allocation: below the low watermark, wake the page-out daemon. */
static void check_low(void)
{
	if (low_hook && pmm_free_frames() < low_watermark)
		low_hook();
}

struct page *vm_page_try_alloc(unsigned int flags)
{
	struct page *pg = pmm_alloc(flags | PMM_USER);

	if (!pg) {
		kmem_reclaim();
		pg = pmm_alloc(flags | PMM_USER);
	}
	check_low();
	return pg;
}

struct page *vm_page_alloc(unsigned int flags)
{
	struct page *pg = pmm_alloc(flags | PMM_USER);

	if (!pg) {
		/* Reclaim a batch, so that the next calls do not each come here. */
		reclaim_run(64);
		pg = pmm_alloc(flags | PMM_USER);
	}
	check_low();
	return pg;
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
