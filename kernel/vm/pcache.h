/*
 * pcache — the page cache of one object: the pages of a file (a vnode), of
 * a tmpfs file or of shared anonymous memory, indexed by page number.
 *
 * It is not an amap. An amap holds a region's private pages, shared after
 * fork by reference counts, and copy-on-write decides on those counts. A
 * page cache holds each page of an object exactly once, the one copy every
 * mapping of the object shares, and every page it holds names it as owner:
 *
 *	pg->state = PAGE_FILE, pg->owner = the owning vobject,
 *	pg->index = the page's index in it, and PG_SWAPBACKED in pg->flags
 *	when the cache was set up swap-backed (no disk holds a copy: tmpfs,
 *	shared anonymous memory; see pmm.h).
 *
 * The cache holds one reference on each of its pages (the refcount of a
 * page nobody else uses is 1); pcache_insert takes the caller's reference
 * over, pcache_remove hands it back, pcache_release drops them all.
 *
 * Storage: a sparse radix tree of 64-slot nodes whose height grows with the
 * highest index held: a file of up to 64 pages costs one node, a page near
 * the top of the range (PCACHE_MAX_PAGES, twice the pages of the user half)
 * five.
 *
 * Swap. A cache set up PCACHE_EVICTABLE puts its pages on the replacement
 * policy (and marks them PG_EVICTABLE). With PCACHE_SWAPBACKED too (shared
 * anonymous memory, tmpfs) page-out may replace a page by the swap entry
 * holding its contents (pcache_page_to_swap), and the owner reads it back
 * when it is wanted (pcache_swap_to_page); without it (a file on a disk
 * that holds every page, the root file system) page-out drops a clean page,
 * mapped or not (pageout_cache_drop), and it is read again from the disk. A slot holding a
 * swap entry is not a page: pcache_lookup and the walks skip it,
 * pcache_lookup_swap finds it, pcache_remove and pcache_release free it.
 *
 * Write-out. Page-out writes a swap-backed page with a batch of others, with
 * the owner's lock dropped during the write: the page stays in its slot,
 * unmapped, and pcache_writeback_begin marks the slot. Nobody waits for the
 * write: whoever finds the page meanwhile (pcache_lookup, the walks of
 * pcache_foreach_range: get_page, read, write, a fault, truncation, a hole
 * punched, mincore) takes it as usual, and finding it clears the mark, since
 * the finder may change it. After the write, pcache_writeback_end (the lock
 * held again) says whether the mark is still there: then the page is as it
 * was written and may give way to its slot (pcache_page_to_swap); otherwise
 * page-out keeps the page and frees the slot. The mark lives in the slot
 * (not in pg->flags, which the reclaim lock's holders also write), under
 * the owner's lock like the rest of the tree.
 *
 * Locking: the owner's lock (given to pcache_setup) guards the tree and the
 * count; every function but pcache_release must be called with it held,
 * which debug builds assert. Page reference counts are atomic as always.
 *
 * Machine-independent: compiles on the host.
 */
#ifndef KILBURN_PCACHE_H
#define KILBURN_PCACHE_H

#include "env.h"
#include "kern/mutex.h"
#include "vm/pmm.h"
#include "vm/swap_ra.h"

#define PCACHE_MAX_PAGES	(1UL << 27)	/* indices 0 .. 2^27 - 1 */

/* pcache_setup flags */
#define PCACHE_SWAPBACKED	0x1	/* pages get PG_SWAPBACKED */
#define PCACHE_EVICTABLE	0x2	/* pages go on the replacement policy and
					   may be sent to swap (with SWAPBACKED)
					   or dropped (without) */

struct vobject;

struct pcache {
	void *root;		/* top node, NULL when empty (lock) */
	int height;		/* levels under root: 64^height slots (lock) */
	uint64_t npages;	/* pages held (lock) */
	struct vobject *owner;	/* named by every page (set up once) */
	struct mutex *lock;	/* the owner's lock, which guards the above */
	uint16_t page_flags;	/* PG_* given to each page inserted (set up once) */
	bool evictable;		/* PCACHE_EVICTABLE (set up once) */
	uint64_t nswapped;	/* slots holding swap entries (lock) */
	struct swap_ra ra;	/* swap readahead's window, by index (lock) */
};

/* Swap entries held by all caches (for SwapCached); atomic. */
extern uint64_t pcache_swapped_total;

/* pcache_init - make the node allocator; once, at boot (vm_init). */
void pcache_init(void);

/*
 * pcache_setup - make pc an empty cache of owner's pages, guarded by lock.
 * flags: PCACHE_SWAPBACKED or 0. pc must be empty (new, or released).
 */
void pcache_setup(struct pcache *pc, struct vobject *owner,
		  struct mutex *lock, unsigned int flags);

/* pcache_lookup - the page at idx, or NULL. No reference is taken. */
struct page *pcache_lookup(struct pcache *pc, uint64_t idx);

/*
 * pcache_insert - put pg at idx; the cache takes over the caller's
 * reference and marks pg as its own (state, owner, index, flags). Returns
 * 0, -EEXIST (idx holds a page), -EINVAL (idx >= PCACHE_MAX_PAGES) or
 * -ENOMEM; on failure pg is untouched and still the caller's.
 */
int pcache_insert(struct pcache *pc, uint64_t idx, struct page *pg);

/*
 * pcache_remove - take the page at idx out of the cache and return it with
 * the cache's reference, now the caller's (drop it with page_put), or NULL
 * if idx holds none. The page keeps state PAGE_FILE but no owner.
 */
struct page *pcache_remove(struct pcache *pc, uint64_t idx);

/*
 * A walk's visit of page pg at idx. It may remove pg (or any page) and
 * insert pages; the walk goes on after idx. Nonzero stops the walk.
 */
typedef int (*pcache_fn)(struct pcache *pc, uint64_t idx, struct page *pg,
			 void *arg);

/*
 * pcache_foreach_range - call fn(pc, idx, pg, arg) for each page with
 * from <= idx < to, in increasing order of idx. Returns 0, or the first
 * nonzero value fn returned (the walk stopped there).
 */
int pcache_foreach_range(struct pcache *pc, uint64_t from, uint64_t to,
			 pcache_fn fn, void *arg);

/*
 * pcache_punch_page - a pcache_fn for a punched hole (vobject_ops.punch):
 * pg leaves the cache and its reference is dropped if nobody else maps or
 * holds it; otherwise its contents become zeros. Returns 0. The owner's
 * lock held.
 */
int pcache_punch_page(struct pcache *pc, uint64_t idx, struct page *pg, void *arg);

/*
 * pcache_maybe_swapped - whether some slot may hold a swap entry; no lock
 * needed (false: none did at some point of the call).
 */
static inline bool pcache_maybe_swapped(const struct pcache *pc)
{
	return __atomic_load_n(&pc->nswapped, __ATOMIC_RELAXED) != 0;
}

/*
 * pcache_page_used - pg, found in pc, is about to be used (get_page): if
 * it was read ahead from swap and this is its first use, count the hit
 * (pc's readahead window and /proc/vmstat's swap_ra_hit) and renew it on
 * the replacement policy (reclaim_first_use). The owner's lock held.
 */
void pcache_page_used(struct pcache *pc, struct page *pg);

/* pcache_count - the pages held. */
static inline uint64_t pcache_count(const struct pcache *pc)
{
	return pc->npages;
}

/*
 * pcache_release - empty the cache: each page loses its owner and the
 * cache's reference (page_put; a page nobody else holds is freed), and the
 * nodes are freed. The caller holds the owner's lock or is the last user of
 * the owner. pc may be set up again afterwards.
 */
void pcache_release(struct pcache *pc);

/*
 * pcache_lookup_swap - if slot idx holds a swap entry, store it in *e and
 * return true; false if it holds a page or nothing.
 */
bool pcache_lookup_swap(struct pcache *pc, uint64_t idx, uint64_t *e);

/*
 * pcache_is_on_swap - does slot idx hold a swap entry now? For the owners'
 * on_swap ops: takes the owner's lock only while something of the cache
 * may be on swap (none held by the caller).
 */
bool pcache_is_on_swap(struct pcache *pc, uint64_t idx);

/*
 * pcache_page_to_swap - page-out wrote pg, the page at idx, to swap entry
 * e: the slot now holds e (the cache owns that slot's reference) and pg
 * leaves the cache, whose reference on it is handed back to the caller.
 */
void pcache_page_to_swap(struct pcache *pc, uint64_t idx, struct page *pg,
			 uint64_t e);

/*
 * pcache_writeback_begin - page-out is about to write pg, the page at idx
 * (unmapped, held by nobody but the cache and page-out), to swap: mark its
 * slot. Every lookup that hands pg out clears the mark. Owner's lock.
 */
void pcache_writeback_begin(struct pcache *pc, uint64_t idx, struct page *pg);

/*
 * pcache_writeback_end - the write that pcache_writeback_begin announced is
 * over: true if slot idx still holds pg with its mark (nobody found it
 * since: its contents are what was written), and the mark is cleared;
 * false if it was found or left the cache meanwhile. Owner's lock.
 */
bool pcache_writeback_end(struct pcache *pc, uint64_t idx, struct page *pg);

/*
 * pcache_swap_to_page - pg now holds the contents of the swap entry at idx:
 * pg takes the slot (the cache takes the caller's reference on it). The
 * swap entry is returned for the caller to free.
 */
uint64_t pcache_swap_to_page(struct pcache *pc, uint64_t idx, struct page *pg);

/*
 * pcache_next_swap - the first slot at an index >= from that holds a swap
 * entry: its index in *idx, the entry in *e; false if there is none.
 */
bool pcache_next_swap(struct pcache *pc, uint64_t from, uint64_t *idx, uint64_t *e);

#endif
