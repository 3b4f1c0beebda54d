/*
 * anon — the identity of one private page (anonymous memory, or the copy a
 * write made of a file page), as UVM's vm_anon.
 *
 * An amap slot holds a reference to an anon, never a bare frame. fork makes
 * the child's amap hold the same anons (one more reference each), so a
 * private page keeps one identity however many address spaces share it:
 * copy-on-write is the decision "is this anon referenced more than once?",
 * and later a page sent to swap is one slot recorded in the anon, found by
 * every sharer. The anon holds the reference on its frame; the frame names
 * the anon as its owner (state PAGE_ANON).
 *
 * Swap. A page that goes to swap keeps its anon: the anon then holds a swap
 * slot (swap_slots.h) instead of a frame, and every sharer finds the page
 * there. A resident page may hold a slot too: the page was read back from
 * swap and not written since, so the slot is a good copy and evicting it
 * again needs no write (the swap cache of such pages is the anons
 * themselves). Mapping the page writable gives the slot up (anon_dirty).
 * While a page is being written out or read back the anon is ANON_BUSY:
 * a fault that finds it so waits (anon_wait) and looks again.
 *
 * Locking: refs is atomic, because amaps of different address spaces (each
 * under its own lock) share anons. page, swap and flags are guarded by the
 * anon's lock (anon_lock: one of a table of spinlocks, hashed by address);
 * page-out takes it without any address-space lock. Order: an address
 * space's lock, then an anon's lock, then the pmap and reverse-map locks
 * and the swap areas' locks. Nothing sleeps with an anon's lock held.
 *
 * Machine-independent: compiles on the host.
 */
#ifndef KILBURN_ANON_H
#define KILBURN_ANON_H

#include "env.h"
#include "vm/pmm.h"

struct anon {
	uint32_t refs;		/* amap slots and holders; atomic */
	uint32_t flags;		/* ANON_*; anon lock */
	struct page *page;	/* the resident frame (one reference), or NULL;
				   anon lock */
	uint64_t swap;		/* swap entry (swap_entry_t.val) holding a copy
				   of the page, or 0; one slot reference; anon lock */
};

#define ANON_BUSY	0x1	/* the page is being written to or read from swap */
#define ANON_MLOCKED	0x2	/* mapped by a locked region (mlock): never
				   evicted; kept off the replacement policy */
#define ANON_READAHEAD	0x4	/* the page was read ahead of a fault
				   (anon_read_around) and no fault used it yet */
#define ANON_RA_MARK	0x8	/* with ANON_READAHEAD: the fault that first
				   uses it starts the next read ahead
				   (anon_read_ahead), as Linux's PG_readahead */

/* Set up the anon cache (boot, from vm_init). */
void anon_init(void);

/*
 * anon_alloc - a new anon with one reference, holding pg (whose reference
 * it takes over; pg becomes PAGE_ANON, owned by the anon). Returns NULL if
 * out of memory (pg is still the caller's).
 */
struct anon *anon_alloc(struct page *pg);

static inline void anon_ref(struct anon *an)
{
	__atomic_add_fetch(&an->refs, 1, __ATOMIC_RELAXED);
}

static inline uint32_t anon_refs(const struct anon *an)
{
	return __atomic_load_n(&an->refs, __ATOMIC_ACQUIRE);
}

/*
 * anon_ref_live - take a reference unless the anon is already dying (refs
 * 0). For page-out, which finds anons through their frames. Returns true
 * if it took one.
 */
bool anon_ref_live(struct anon *an);

/*
 * Drop a reference; the last one frees the anon, drops its frame (taking
 * it off the replacement policy) and frees its swap slot.
 */
void anon_put(struct anon *an);

/*
 * The anon's lock; see the locking rules above. Inline: a fault and
 * page-out take anons' locks several times per page.
 */
#define ANON_LOCKS	64
extern struct spinlock anon_locks[ANON_LOCKS];
static inline struct spinlock *anon_lock_of(const struct anon *an)
{
	uintptr_t h = (uintptr_t)an / sizeof(struct anon);

	return &anon_locks[(h ^ (h >> 7)) % ANON_LOCKS];
}
static inline void anon_lock(const struct anon *an)
{
	spin_lock(anon_lock_of(an));
}
static inline void anon_unlock(const struct anon *an)
{
	spin_unlock(anon_lock_of(an));
}

/*
 * anon_dirty - the page of an (anon lock held, resident) is about to be
 * mapped writable: its copy on swap, if any, goes stale, so the slot is
 * given back.
 */
void anon_dirty(struct anon *an);

/*
 * anon_page_in - make an's page resident and not busy: wait while another
 * thread writes or reads it, read it back from swap if it is out. No lock
 * held; the caller holds a reference to an. Returns 0 when it was already
 * resident, VOBJECT_READ_IN (1) when this call read it from swap (a major
 * fault), -ENOMEM when no frame could be had, or -EIO. The page may be
 * evicted again as soon as this returns: the caller looks again under its
 * locks. Kernel only (the host has no swap: its version panics).
 */
int anon_page_in(struct anon *an);

/*
 * anon_read_around - swap readahead: read the page of `an` (on swap; the
 * caller holds a reference) together with those of ra[0..n) (anons near it
 * whose pages were on swap when the fault looked; one reference each, which
 * this call drops), sorted by slot so that neighbouring slots go in one
 * disk request. The pages of ra are attached to their anons unmapped and
 * marked ANON_READAHEAD; a fault that finds one counts swap_ra_hit, an
 * eviction or free of one still marked counts kilburn_swap_ra_unused.
 * Pages are read ahead only while free memory is above the low watermark
 * and swap is not short (never reclaiming for them); anons that became
 * resident or busy meanwhile are skipped. No lock held. Returns true if it
 * read an's page (the caller's anon_page_in then finds it resident), false
 * if it did not (an resident or busy already, no frame, or an I/O error:
 * anon_page_in does it alone). ahead[0..nahead) (referenced, dropped
 * likewise) go to anon_read_ahead once the request of an is started: the
 * next block, read while the program uses this one. Kernel only (the host
 * drops the references).
 */
bool anon_read_around(struct anon *an, struct anon **ra, unsigned int n,
		      struct anon **ahead, unsigned int nahead);

/*
 * anon_read_ahead - asynchronous swap readahead: start reading the pages of
 * ra[0..n) (anons whose pages were on swap when a fault looked, in the
 * order of the program's reading; one reference each, which this call
 * drops, at the latest when the read completes) and return without
 * waiting. Each is busy until its page is attached, unmapped and marked
 * ANON_READAHEAD, as anon_read_around's; the first claimed is also marked
 * ANON_RA_MARK, so that the fault that first uses it starts the next
 * block. Frames are taken as anon_read_around takes them for readahead;
 * the anons it cannot claim (no frame, resident or busy meanwhile) are
 * left alone. anon_read_around passes its `ahead` here once its own
 * request is started, so both are with the disk while the fault waits for
 * the first. A fault that finds one of the pages still busy waits for it
 * in anon_page_in, running the completion itself if nobody else has. No
 * lock held. Kernel only (the host drops the references).
 */
void anon_read_ahead(struct anon **ra, unsigned int n);

/* Anons whose page is on swap only (for /proc); page-out and page-in count. */
uint64_t anon_swapped_count(void);
void anon_count_swapped(int delta);

/* Anons in use (for tests and /proc). */
uint64_t anon_count(void);

#endif
