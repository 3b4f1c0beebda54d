/*
 * reclaim — giving frames back when user memory runs short.
 *
 * User pages (anonymous memory, page cache, shared memory) are allocated
 * with vm_page_alloc(), which never takes the pmm's reserve (see pmm.h): the
 * reserve is left for the kernel's own allocations, so that page tables,
 * slab objects and kernel stacks can still be had while a process is being
 * killed for want of memory. When the allocation would dip into the reserve,
 * vm_page_alloc() first reclaims what can be given back without losing data:
 * empty slab pages and whatever the registered shrinkers can drop (clean
 * page-cache pages that nothing maps, which can be read again from disk).
 * Only when that frees nothing useful does it fail, and the caller reports
 * out of memory.
 *
 * Machine-independent: compiles on the host.
 */
#ifndef KILBURN_RECLAIM_H
#define KILBURN_RECLAIM_H

#include "env.h"
#include "vm/pmm.h"

/*
 * A source of reclaimable frames. shrink() gives back up to `want` frames
 * (it may give fewer, or more in one go) and returns how many it freed. It
 * may sleep; it is called without VM locks held by the reclaim code itself,
 * but possibly with the caller's address-space lock held, so it must not
 * take an address-space lock.
 */
struct shrinker {
	const char *name;
	uint64_t (*shrink)(uint64_t want);
	struct shrinker *next;		/* registry link (reclaim's own) */
};

/* Add s to the shrinkers (boot time, before it can be needed). */
void reclaim_register(struct shrinker *s);

/*
 * reclaim_run - give back up to `want` frames: empty slab pages and then
 * each shrinker in turn. Returns the frames the shrinkers freed (slab pages
 * are not counted).
 */
uint64_t reclaim_run(uint64_t want);

/*
 * vm_page_alloc - a frame for user memory (flags: PMM_ZERO). Leaves the
 * reserve alone; reclaims first when it would be needed. Returns the frame
 * (state PAGE_KERNEL, refcount 1: the caller sets its state and owner) or
 * NULL when nothing more can be had.
 */
struct page *vm_page_alloc(unsigned int flags);

/*
 * vm_page_try_alloc - the same without running the shrinkers (no disk I/O,
 * no sleeping): for the fault path, which holds its address space's lock
 * and reclaims after dropping it (pageout_for_fault).
 */
struct page *vm_page_try_alloc(unsigned int flags);

/*
 * reclaim_set_low_hook - after each user allocation that leaves fewer than
 * low free frames, call hook (it wakes the page-out daemon). Boot.
 */
void reclaim_set_low_hook(uint64_t low, void (*hook)(void));

/*
 * reclaim_set_reserve - size the reserve for a machine of total_frames and
 * ncpus harts, as Linux sizes min_free_kbytes (sqrt(16 * RAM in kB), at
 * least 128 kB), and at least what other harts' frame caches may hold.
 */
void reclaim_set_reserve(uint64_t total_frames, int ncpus);

/*
 * The replacement policy's view of user memory. Every evictable user page
 * is on one instance of the policy chosen at boot (vm/policy.h):
 * reclaim_track() when it becomes one (an anon's frame, a page-cache page of
 * a file on disk), reclaim_untrack() before its owner lets it go (a page not
 * on the policy is left alone). reclaim_pick() takes the policy's victim
 * off it and returns it with one more reference (the caller's pin), or NULL
 * when nothing is on it; the caller evicts it or gives it back with
 * reclaim_track(). A page of an object's cache comes with a reference on
 * the object in *obj (NULL for an anon's page, or when the object is
 * already going). Clearing the accessed bits of the pages it looks at
 * owes TLB flushes, which go into the caller's batch b (flushed by the
 * caller: until then a page's use may go unseen, which is harmless). Until
 * reclaim_policy_init() runs (boot; never on the host) these do nothing.
 * Spinlock inside; any context but interrupts.
 */
void reclaim_policy_init(void);
void reclaim_track(struct page *pg);
void reclaim_untrack(struct page *pg);
/* reclaim_track of an anon's page that may be on the policy already (munlock). */
void reclaim_track_again(struct page *pg);
/*
 * reclaim_renew - pg, a page read ahead, is about to be used for the first
 * time: put it back on the policy as a page that has just come in, so that
 * this use counts as the access that brought it in, not as a second one.
 * Nothing if pg is not on the policy. Its anon's lock may be held.
 */
void reclaim_renew(struct page *pg);
/*
 * reclaim_renew_around - the same for a page mapped by swap fault-around:
 * its first use will come without a fault, so it is marked PG_AROUND and
 * the first referenced bit the policy finds on it is forgotten (without
 * this, S3-FIFO took that first use for a reuse and promoted every page of
 * a scan: it read 145,000 pages instead of 107,000 in make bench-policy).
 */
void reclaim_renew_around(struct page *pg);
/*
 * reclaim_first_use - pg, a page of an object's cache, is about to be used
 * (get_page found it): if it was read ahead (PG_READAHEAD), clear the mark
 * and renew it as reclaim_renew does, and return true (a readahead hit).
 * The owner's lock held. False, and nothing done, for any other page.
 */
bool reclaim_first_use(struct page *pg);

/*
 * reclaim_mlock - pg, a page of an object's cache, is mapped by a locked
 * region (the caller marked that mapping locked on the rmap first): if its
 * cache is evictable (PG_EVICTABLE) it becomes PG_MLOCKED and leaves the
 * policy; reclaim_track leaves it off and page-out never takes it. The
 * caller holds a reference on pg. reclaim_munlock - one locked mapping of
 * pg is no longer (its rmap mark was cleared first): unless another of its
 * mappings is still locked (rmap_page_locked, read under the reclaim lock,
 * so that a reclaim_mlock racing with it is never lost), it is no longer
 * PG_MLOCKED and goes back on the policy while it is still in its cache.
 * reclaim_untrack clears the mark (the page leaves its cache).
 */
void reclaim_mlock(struct page *pg);
void reclaim_munlock(struct page *pg);
struct pmap_batch;
struct vobject;
struct page *reclaim_pick(struct pmap_batch *b, struct vobject **obj);
uint64_t reclaim_tracked(void);

/*
 * reclaim_file_tracked - how many pages of files on a disk (not swap-backed)
 * the policy holds now: the evictable file cache. Read without a lock.
 */
uint64_t reclaim_file_tracked(void);

/*
 * reclaim_swap_space - page-out found free_slots swap slots free (or a swap
 * area of that many came): with none, pages that could only go out to a
 * new slot are parked off the policy as they come in or are given back
 * (never scanned; /proc/meminfo counts them as Inactive(anon)); otherwise
 * up to free_slots parked pages, oldest first, go back on the policy.
 * Takes the reclaim lock; never sleeps.
 */
void reclaim_swap_space(uint64_t free_slots);

/* Pages parked now (for tests and /proc). */
uint64_t reclaim_parked(void);
struct vm_policy_stats;
void reclaim_policy_stats(struct vm_policy_stats *st);
/* The policy's pages by kind and side (vm_policy_lists; all 0 before init). */
struct vm_policy_lists;
void reclaim_policy_lists(struct vm_policy_lists *l);

/* Frames that reclaim has freed since boot (for /proc/vmstat). */
extern uint64_t reclaim_freed_total;

#endif
