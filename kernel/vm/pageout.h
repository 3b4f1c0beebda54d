/*
 * pageout — sending private pages to swap and bringing them back.
 *
 * The lecture notes' swap, as Kilburn does it:
 *
 *   - Every anonymous page is on the replacement policy (reclaim.h). When
 *     free memory falls below the *low* watermark, an allocation wakes the
 *     page-out daemon (kpageoutd), which evicts pages until free memory is
 *     back above *high*. An allocation that finds less than *min* (the
 *     pmm's reserve, which only the kernel's own allocations may take)
 *     evicts directly, in the allocating thread (direct reclaim).
 *   - Evicting an anon's page: under the anon's lock, give it a swap slot
 *     (unless it holds one with a good copy already), mark it ANON_BUSY and
 *     unmap the frame from every page table through the reverse map
 *     (pmap_page_protect). The lock is dropped, the pages of a batch are
 *     written together (consecutive slots: a few large requests), then
 *     under the lock again the anon lets go of its frame and keeps the
 *     slot. A fault on a busy anon waits for the write and looks again.
 *   - Bringing it back (anon_page_in): the faulting thread, holding no lock
 *     of its address space, takes a frame, marks the anon busy, reads the
 *     slot, and gives the anon its frame back; the slot stays as the page's
 *     copy until the page is mapped writable (anon_dirty) or freed. The
 *     fault then starts again from the beginning: the address space may
 *     have changed while it slept (UVM's relock and restart).
 *   - Out of memory: when neither free frames nor reclaim can give a page
 *     (swap full or absent), the OOM killer picks the process with the
 *     largest footprint (resident + swapped pages, Linux's badness without
 *     its adjustments), kills it and logs one line.
 *
 *   - Pages of tmpfs files and of shared anonymous memory (swap-backed
 *     page-cache pages) go in the same batches: under the object's lock
 *     (a trylock) the page is unmapped, given a slot from the same cluster
 *     and marked in its cache as being written; the batch's one write
 *     request carries it with the anonymous pages; under the object's
 *     lock again, the slot replaces it in the cache unless someone found
 *     it meanwhile (then it stays and the slot is freed).
 *
 * Locks: pageout_lock (a mutex) lets one thread evict at a time. It is
 * taken with no spinlock held, possibly with an address space's or a
 * vnode's lock held (direct reclaim from an allocation), so page-out never
 * blocks on those: it takes an object's lock only with mutex_trylock (to
 * prepare a cache page, and again after the batch's write: a few tries),
 * and then anon locks, the reclaim lock, the pmap, reverse map and swap
 * locks, which all come after them.
 */
#ifndef KILBURN_PAGEOUT_H
#define KILBURN_PAGEOUT_H

#include "env.h"
#include "vm/pmm.h"

/* Start page-out: watermarks, the daemon, the direct-reclaim hook (boot). */
void pageout_init(void);

/*
 * pageout_evict - evict up to want pages to swap; direct says who asks
 * (an allocation, or the daemon), for the statistics. Returns the frames
 * freed. Sleeps; no spinlock held.
 */
uint64_t pageout_evict(uint64_t want, bool direct);

/*
 * pageout_trim_tables - free the page-table pages that map nothing of every
 * address space whose tables are mostly empty (its pages went to swap):
 * pmap_trim on each. Returns the frames freed. For the page-out daemon
 * (any thread could); sleeps, no spinlock held.
 */
uint64_t pageout_trim_tables(void);

/*
 * pageout_trim_pv - give back the unused chunks of reverse-map entries of
 * every address space (pmap_shrink_pv on each). Returns the frames freed.
 * Sleeps, no spinlock held; any thread (the page-out daemon after each
 * pass, a write to /proc/sys/vm/drop_caches).
 */
uint64_t pageout_trim_pv(void);

/*
 * pageout_quiesce - wait until no page-out batch is in progress (none may
 * start meanwhile and finish later: the caller only needs the batches that
 * started before it). A batch holds references to the objects whose pages
 * it evicts, so an object unmapped everywhere can outlive its last mapping
 * until the batch ends; swapoff waits for that before it counts the slots
 * left. Takes pageout_lock: no spinlock held.
 */
void pageout_quiesce(void);

/*
 * pageout_for_fault - a fault found no free frame: with no lock of its
 * address space held, make room (reclaim, and when that fails the OOM
 * killer). Returns true if the fault should try again, false if the
 * faulting process itself has to go (it was chosen, or was killed). A
 * system call that needs a frame for a file's page calls it the same way
 * (vnode_page_wait).
 */
bool pageout_for_fault(void);

/*
 * pageout_cache_begin - for an object's pageout op, its lock held: make
 * pg, a page of pc, ready to be written to swap with page-out's batch:
 * unmapped everywhere (the TLB flushes owed to b), held by nobody but the
 * cache and the caller's pin, a slot taken for it (*slot: the next of the
 * cluster the batch's anonymous pages take theirs from, so the batch is
 * one run of slots), and marked in pc (pcache_writeback_begin) so that
 * whoever finds it before pageout_cache_end cancels the write-out. Returns
 * VOBJECT_WRITEBACK, -EBUSY (not in pc any more, mlocked, mapped again or
 * held) or -ENOSPC (no free slot).
 *
 * pageout_cache_end - for an object's pageout_end op, with no lock of the
 * object held: the write of pg to slot ended with err. Takes pc's lock
 * without blocking for long (page-out holds pageout_lock, which comes
 * after the owners' locks: it tries for a while, letting the holder run),
 * and if nobody found pg since pageout_cache_begin and the write went
 * well, slot takes pg's place and the cache's reference on pg is dropped:
 * 0. Otherwise pg stays in pc (the caller puts it back on the policy) and
 * the slot is freed: -EBUSY (found, mapped or held meanwhile, or the lock
 * stayed busy) or err.
 *
 * pageout_cache_swapin - for get_page, the object's lock held: slot idx of
 * pc holds swap entry e; read it into frame pg (the caller's, taken in
 * every case), or into a new one if pg is NULL, which takes the slot.
 * Returns VOBJECT_READ_IN with the frame in *out (the cache's reference
 * only), -ENOMEM or -EIO (the frame is freed). The swap slot is freed.
 */
struct pcache;
struct pmap_batch;
int pageout_cache_begin(struct pcache *pc, struct page *pg, struct pmap_batch *b,
			uint64_t *slot);
int pageout_cache_end(struct pcache *pc, struct page *pg, uint64_t slot, int err);

/*
 * pageout_owner_lock - for an object's pageout op: take its lock, the
 * object's; never sleeps on it (page-out may run in an allocation made
 * with it held). The page-out daemon, holding no other lock, tries for a
 * while (as pageout_cache_end does) while nobody waits for page-out;
 * others try once. True if the lock is the caller's.
 */
struct mutex;
bool pageout_owner_lock(struct mutex *lock);

/*
 * pageout_cache_drop - for an object's pageout op, its lock held: pg, a
 * clean page of pc whose disk holds every page, is unmapped everywhere
 * (the TLB flushes owed to b) and leaves pc; it is read again from the
 * disk when next wanted (a major fault). Returns VOBJECT_DROPPED (the
 * cache's reference is now the caller's: drop it once b is flushed), or
 * -EBUSY: not in pc any more, mlocked, held by someone (a fault about to
 * map it, the kernel reading it), or dirty; it stays in pc, perhaps
 * unmapped (the next touch is a minor fault).
 */
int pageout_cache_drop(struct pcache *pc, struct page *pg, struct pmap_batch *b);
int pageout_cache_swapin(struct pcache *pc, uint64_t idx, uint64_t e,
			 struct page *pg, struct page **out);

/*
 * pageout_cache_swapin_around - pageout_cache_swapin with swap readahead,
 * for get_page (a fault, read(2)): the pages of pc's aligned block around
 * idx that are on swap too (the window of pc->ra, vm/swap_ra.h) are read
 * with it, in one call, while memory is plentiful, into new frames that
 * enter pc marked PG_READAHEAD (their first get_page is a hit). The whole
 * read is made with pc's lock held, as pageout_cache_swapin's: nobody can
 * look for those pages meanwhile, so none is read twice. Returns as
 * pageout_cache_swapin; *ahead: how many pages came with idx's.
 */
int pageout_cache_swapin_around(struct pcache *pc, uint64_t idx, uint64_t e,
				struct page *pg, struct page **out, unsigned int *ahead);

/*
 * pageout_cache_make_room - after get_page read a cache page back from
 * swap, with the object's lock dropped: if free memory is below what the
 * next read's window needs (min + 2 windows; pageout_readahead_frame
 * takes frames only above min + one), evict up to it, waiting for another
 * evictor if there is one, as direct reclaim does (without the wait the
 * daemon, busy with the same object's pages, left the reader's windows
 * short: 4 to 9 pages instead of 32). Its own object's pages can go now,
 * which neither the daemon nor an allocation under the object's lock can
 * take while a reader holds the lock across its disk request. No lock of
 * an object held; sleeps.
 */
void pageout_cache_make_room(void);

/*
 * pageout_readahead_frame - a frame for a page read ahead (of swap, or of
 * a file's disk), or NULL: taken only while free memory is above the min
 * watermark by a window's worth, and never reclaiming for it (a page that
 * might not be used does not push out one that is). Not zeroed. Any
 * context but interrupts; no reclaim, so any lock may be held.
 */
struct page *pageout_readahead_frame(void);

/* Watermarks in frames (min is the pmm's reserve). */
struct pageout_watermarks {
	uint64_t min, low, high;
};
void pageout_watermarks(struct pageout_watermarks *wm);

/*
 * Page-out and page-in count what they do in /proc/vmstat (vm/vmstat.h):
 * pgscan_*, pgsteal_*, kswapd_wakeups, oom_kill, and their CPU cost with
 * the disk waits taken out (kilburn_swap{out,in}_cpu_instructions and
 * _pages: page-out's whole work per page evicted, page-in's from the frame
 * on).
 */

#endif
