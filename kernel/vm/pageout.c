/* Page-out, page-in and the OOM killer; see pageout.h. */
#include "vm/pageout.h"
#include "kern/kthread.h"
#include "kern/mutex.h"
#include "kern/proc.h"
#include "kern/thread.h"
#include "kern/sched.h"
#include "kern/signal.h"
#include "kern/sleep.h"
#include "kern/waitq.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/timer.h"
#include "vm/anon.h"
#include "vm/kmem.h"
#include "vm/pcache.h"
#include "vm/pmap.h"
#include "vm/reclaim.h"
#include "vm/refault.h"
#include "vm/rmap.h"
#include "vm/swap_io.h"
#include "vm/swap_slots.h"
#include "vm/swap_ra.h"
#include "vm/vmspace.h"
#include "vm/vmstat.h"
#include "vm/vobject.h"

#define PAGEOUT_BATCH	32	/* pages written together */
#define PAGEOUT_INFLIGHT 4	/* batches a pass has with the disk at once */
#define OWNER_LOCK_NS	50000000	/* a batch's longest wait for objects' locks,
					   as it is picked and as it ends */

static struct mutex pageout_lock;
/*
 * pageout_waiting: threads waiting for pageout_lock (atomic). While there
 * are none, page-out may wait for an object's lock after its write
 * (owner_lock_wait): its holder is not stuck behind page-out.
 */
static unsigned int pageout_waiting;
/*
 * owner_wait_ok: the batch being picked may wait for an object's lock
 * (pageout_owner_lock): it is the daemon's, which holds no other lock, and
 * it has no anon marked busy yet, which the lock's holder could be
 * waiting for. pageout_lock.
 */
static bool owner_wait_ok;
/*
 * owner_deadline: until when (uptime, ns) the batch being picked or ended
 * may wait for objects' locks, all of them together (owner_lock_wait);
 * 0 until its first wait, which sets it (a batch of anons never reads the
 * clock).
 * pageout_lock.
 */
static uint64_t owner_deadline;
/*
 * oom_lock: one OOM choice at a time. Taken with no lock of an address
 * space held (pageout_for_fault's contract), and before the candidates'
 * vm->lock, which oom_choose takes to count them. Not pageout_lock: a
 * thread in direct reclaim holds its vm->lock while it waits for
 * pageout_lock, so choosing under pageout_lock could wait for it forever.
 */
static struct mutex oom_lock;
static struct pageout_watermarks wm;

/*
 * The file cache's floor, in pages (the high watermark's worth: 1.5 MiB
 * with 64 MiB of RAM). While the policy holds fewer pages of disk files
 * than this and reclaim is only recycling them (vm/refault.h: at least
 * half of the pages dropped lately were faulted straight back in),
 * page-out drops no more of them: those left are what the running programs
 * need next. Reclaim that finds nothing else to take then frees nothing,
 * and the OOM killer fires instead of every program waiting on its text
 * for ever. Set once at boot.
 */
static uint64_t file_floor;

/* The daemon sleeps here until an allocation finds memory below low. */
static struct spinlock daemon_lock = SPINLOCK_INIT("kpageoutd");
static struct waitq daemon_wq;
static bool daemon_kicked;		/* daemon_lock */
static uint64_t daemon_extra;		/* frames to free above high (atomic) */

static void daemon_kick(void);

/* ------------------------------------------------------------ evicting */

/*
 * One page of a batch being evicted: an anon's page, or a page of an
 * object's swap-backed cache (obj set, an NULL) marked in its cache as
 * being written (pageout_cache_begin).
 */
struct victim {
	struct page *pg;	/* pinned (one reference) */
	struct anon *an;	/* referenced, ANON_BUSY; NULL for a cache page */
	struct vobject *obj;	/* a cache page's object, referenced; or NULL */
	swap_entry_t slot;
	bool write;		/* the slot holds no copy yet */
};

enum prepare_result { PREP_OK, PREP_GONE, PREP_KEEP, PREP_NO_SWAP };

/*
 * Make v->pg (pinned, off the policy) ready to go: its anon referenced and
 * busy, a slot for it (none is allocated unless may_alloc: swap is known to
 * be full), no page table mapping it. PREP_KEEP and
 * PREP_NO_SWAP leave the anon referenced in v->an too (the caller puts the
 * page back on the policy while the anon still owns it, then drops it).
 */
static enum prepare_result victim_prepare(struct victim *v, bool may_alloc,
					  struct pmap_batch *b)
{
	struct page *pg = v->pg;
	struct anon *an = READ_ONCE(pg->owner);
	swap_entry_t e;

	if (READ_ONCE(pg->state) != PAGE_ANON || !an)
		return PREP_GONE;
	anon_lock(an);
	/* the owner link is cut under this lock before an anon is freed */
	if (pg->owner != an || an->page != pg || (an->flags & ANON_MLOCKED) ||
	    !anon_ref_live(an)) {
		anon_unlock(an);
		return PREP_GONE;	/* gone, or locked: off the policy */
	}
	if (rmap_page_locked(pg)) {	/* mapped by a locked region */
		an->flags |= ANON_MLOCKED;
		anon_unlock(an);
		vmstat_inc(VMSTAT_MLOCK_CULLED);
		return PREP_GONE;	/* locked: off the policy */
	}
	v->an = an;		/* referenced: the page stays an's until we let go */
	v->obj = NULL;
	if (an->flags & ANON_BUSY) {
		anon_unlock(an);
		return PREP_KEEP;
	}
	v->write = !an->swap;
	if (v->write) {
		if (!may_alloc || swap_slot_alloc_any(1, &e) < 1) {
			anon_unlock(an);
			return PREP_NO_SWAP;
		}
		an->swap = e.val;
	}
	an->flags |= ANON_BUSY;
	v->slot = (swap_entry_t){ an->swap };
	anon_unlock(an);
	/*
	 * Busy: no fault maps it from now on. The unmapping flushes TLBs on
	 * other harts, which is never done under an anon's lock (a hart
	 * spinning on it with interrupts off would never answer).
	 */
	pmap_page_protect_batch(pg, VM_PROT_NONE, b);
	return PREP_OK;
}

/*
 * The batch's write ended with err: v's frame goes (0) or stays (error). A
 * victim that needed no write (its slot already held a clean copy) is not
 * concerned by the batch's error. Returns true if the frame went. The
 * caller wakes the faults waiting for the batch (swap_io_wake).
 */
static bool victim_finish(struct victim *v, int err)
{
	struct anon *an = v->an;
	struct page *pg = v->pg;

	if (!v->write)
		err = 0;
	anon_lock(an);
	an->flags &= ~ANON_BUSY;
	/*
	 * A fault that looked just before we marked it busy may have mapped
	 * it since, and the kernel may be copying to or from it (pmap_access,
	 * a copy-on-write source): both hold the frame, so it stays, and its
	 * slot may be stale.
	 */
	if (!err && (page_mapcount(pg) || __atomic_load_n(&pg->refcount, __ATOMIC_ACQUIRE) > 2))
		err = -EBUSY;
	if (!err) {
		an->page = NULL;
		pg->owner = NULL;
		anon_count_swapped(1);
		if (an->flags & ANON_READAHEAD) {
			an->flags &= ~(ANON_READAHEAD | ANON_RA_MARK);
			vmstat_inc(VMSTAT_SWAP_RA_UNUSED);
		}
	} else {
		anon_dirty(an);		/* the slot may hold nothing good */
	}
	anon_unlock(an);
	if (!err) {
		reclaim_untrack(pg);	/* munlock may have put it back meanwhile */
		page_put(pg);		/* the anon's reference */
	}
	else
		reclaim_track(pg);	/* back in line */
	page_put(pg);			/* the pin: frees the frame */
	anon_put(an);
	if (!err && !v->write)
		vmstat_inc(VMSTAT_SWAP_CLEAN_EVICT);
	return !err;
}

/*
 * Put pg, a page of obj's cache that page-out could not evict, back on the
 * policy, unless obj has let it go meanwhile (which clears the owner, then
 * takes the page off the policy: whichever order the two sides run in, the
 * page does not stay on the policy once it has left the cache).
 */
static void retrack_cache_page(struct page *pg, struct vobject *obj)
{
	if (__atomic_load_n(&pg->owner, __ATOMIC_SEQ_CST) != obj)
		return;
	reclaim_track(pg);
	if (__atomic_load_n(&pg->owner, __ATOMIC_SEQ_CST) != obj)
		reclaim_untrack(pg);
}

/*
 * The end of a cache page's write-out (v->obj's pageout_end): it leaves
 * its cache for its slot, or stays and goes back on the policy. Returns
 * true if the frame went (the pin dropped here was the last reference).
 */
static bool cache_victim_finish(struct victim *v, int err)
{
	struct vobject *obj = v->obj;
	struct page *pg = v->pg;

	err = obj->ops->pageout_end(obj, pg, v->slot.val, err);
	if (err)
		retrack_cache_page(pg, obj);
	vobject_unref(obj);
	page_put(pg);			/* the pin: frees the frame if it went */
	return !err;
}

/*
 * One page-out pass (evict_pages): what it may still do and what it did.
 * pageout_lock.
 */
struct pass {
	bool daemon;		/* the page-out daemon's */
	bool no_swap;		/* no free slot: pages needing one are parked */
	uint64_t budget;	/* pages it may still pick */
	uint64_t scanned, anon_scanned;
	uint64_t file_freed;	/* cache pages written to swap or dropped */
	uint64_t io_instr;	/* instructions counted while it waited for the disk */
};

/*
 * What one scan collects (batch_fill), and its write.
 *
 * A batch of anons alone whose pages need writing is left with the disk
 * (batch_start): the pass goes on picking the next one, and the write's
 * end lets the frames go (batch_written, in whichever thread runs the
 * completions: a fault waiting for one of its anons, a later pass, the
 * daemon). Up to PAGEOUT_INFLIGHT such batches are with the disk at once,
 * across passes. A batch with cache pages is written and finished within
 * its pass, alone: their ends take their objects' locks, whose holders
 * may wait for an anon of a batch with the disk (a fault on a user
 * buffer), so the batches with the disk are waited for first.
 *
 * Everything but `busy` is pageout_lock's while the batch is not busy,
 * and its write's end's while it is. `busy` is set under pageout_lock and
 * cleared by the end (atomic).
 */
struct batch {
	struct victim v[PAGEOUT_BATCH];		/* pages to write (anon, cache) */
	unsigned int n;
	struct page *dropped[PAGEOUT_BATCH];	/* clean file pages: two references */
	unsigned int ndropped;
	unsigned int nanon;	/* of them anons */
	bool daemon;		/* picked by the daemon (its end counts a steal of kswapd's) */
	bool busy;		/* with the disk: its end has not run yet */
};

static struct batch batches[PAGEOUT_INFLIGHT];
static unsigned int batch_next;	/* the batch to fill next (in turn); pageout_lock */
/* Of the batches with the disk (atomic): */
static unsigned int batches_busy;
static uint64_t batches_started;	/* ever */
static uint64_t pages_in_flight;	/* their pages */
static uint64_t async_freed;		/* frames their ends let go, ever */

/*
 * Swap has no free slot (any more): from now on the pages that would need
 * one are parked as they go back (reclaim_swap_space), not scanned again
 * until slots come back.
 */
static void pass_swap_full(struct pass *ps)
{
	if (!ps->no_swap)
		reclaim_swap_space(0);
	ps->no_swap = true;
}

/*
 * A page of an object's cache that the policy chose (pinned, obj
 * referenced or NULL): its object gives it a slot, and it joins the
 * batch's victims to be written with them (bt->v, keeping the pin and the
 * reference on obj), or drops it (then it waits in bt->dropped for b's
 * flush), or it goes back on the policy (at once if it would need a slot
 * and swap is full, or if it is a disk file's page, the file cache is at
 * its floor and reclaim is thrashing on it). bt->v has room for one more.
 * Returns the pageout op's result (-EBUSY: in use, its object's lock is
 * taken, or kept at the floor).
 */
static int pick_cache_page(struct pass *ps, struct batch *bt, struct page *pg,
			   struct vobject *obj, struct pmap_batch *b)
{
	bool needs_slot = READ_ONCE(pg->flags) & PG_SWAPBACKED;
	uint64_t slot = 0;
	int err = -EBUSY;

	if (ps->no_swap && needs_slot) {
		err = -ENOSPC;
	} else if (!needs_slot && reclaim_file_tracked() < file_floor &&
		   refault_thrashing()) {	/* < : pg is off the policy */
		vmstat_inc(VMSTAT_FILE_FLOOR_KEPT);
	} else if (obj && obj->ops->pageout) {
		err = obj->ops->pageout(obj, pg, b, &slot);
	}
	if (err == -ENOSPC)
		pass_swap_full(ps);	/* before it goes back: it is parked */
	if (err == VOBJECT_WRITEBACK) {
		bt->v[bt->n++] = (struct victim){ .pg = pg, .obj = obj,
						  .slot = { slot }, .write = true };
		return err;
	}
	if (err == VOBJECT_DROPPED) {
		bt->dropped[bt->ndropped++] = pg;	/* the pin and the cache's */
		ps->file_freed++;
		refault_note_drop(obj, pg->index);
	} else if (obj) {
		retrack_cache_page(pg, obj);
	}
	if (obj)
		vobject_unref(obj);
	if (err != VOBJECT_DROPPED)
		page_put(pg);
	return err;
}

/*
 * Cache pages in a row that the daemon's batch_pick may find busy before
 * it gives up: their objects' locks are most likely held by a thread
 * reading them from swap (one file larger than RAM being read is the
 * common case), which will evict for itself if it must. Direct reclaim
 * goes on: the OOM killer follows when it frees nothing.
 */
#define PICK_BUSY_MAX	(4 * PAGEOUT_BATCH)

/*
 * batch_fill's loop; b collects the flushes. Without free swap it goes on
 * past the pages that would need a slot (they are parked): clean file
 * pages and anonymous pages whose slot holds a copy can still go. Picks at
 * most ps->budget pages, and at most what the policy holds; the daemon's
 * stops after PICK_BUSY_MAX busy cache pages in a row.
 */
static void batch_pick(struct pass *ps, struct batch *bt, struct pmap_batch *b)
{
	uint64_t tries = MIN(reclaim_tracked() + 1, ps->budget);
	unsigned int busy = 0;

	owner_deadline = 0;		/* set by the first wait, if any */

	while (bt->n + bt->ndropped < PAGEOUT_BATCH && tries--) {
		struct victim *v = &bt->v[bt->n];
		enum prepare_result prep;
		struct vobject *obj;
		struct page *pg = reclaim_pick(b, &obj);

		if (!pg)
			break;
		ps->scanned++;
		ps->budget--;
		if (pg->state == PAGE_FILE) {	/* a cache page */
			/* no anon of ours is busy: none the lock's holder waits for */
			owner_wait_ok = ps->daemon && !bt->nanon &&
					!__atomic_load_n(&batches_busy, __ATOMIC_ACQUIRE);
			busy = pick_cache_page(ps, bt, pg, obj, b) == -EBUSY ? busy + 1 : 0;
			if (busy == PICK_BUSY_MAX && ps->daemon)
				break;
			continue;
		}
		ps->anon_scanned++;
		v->pg = pg;
		prep = victim_prepare(v, !ps->no_swap, b);
		switch (prep) {
		case PREP_OK:
			bt->n++;
			bt->nanon++;
			continue;
		case PREP_GONE:
			page_put(pg);
			continue;
		case PREP_NO_SWAP:
		case PREP_KEEP:
			if (prep == PREP_NO_SWAP)
				pass_swap_full(ps);	/* then it is parked */
			reclaim_track(pg);	/* still v->an's: it is referenced */
			anon_put(v->an);
			page_put(pg);
			continue;
		}
	}
}

/*
 * Pick and prepare up to PAGEOUT_BATCH victims into bt. The TLB flushes of
 * the scan and of the unmapping are done once, at the end; then the clean
 * file pages dropped are freed.
 */
static void batch_fill(struct pass *ps, struct batch *bt)
{
	struct pmap_batch b;

	bt->n = bt->ndropped = bt->nanon = 0;
	pmap_batch_init(&b);
	batch_pick(ps, bt, &b);
	pmap_batch_flush(&b);
	for (unsigned int i = 0; i < bt->ndropped; i++) {
		page_put(bt->dropped[i]);	/* the cache's reference */
		page_put(bt->dropped[i]);	/* the pin: frees the frame */
	}
}

/*
 * Let the frames of bt's victims go, their write (if any) ended with err;
 * returns how many anons' frames went, and adds the cache pages' to
 * *file_freed.
 */
static unsigned int batch_finish(struct batch *bt, int err, uint64_t *file_freed)
{
	struct victim *v = bt->v;
	unsigned int freed = 0, n = bt->n;

	/*
	 * The anons first: a thread holding a cache page's object lock may
	 * be waiting for one of them (a fault on a user buffer), and the
	 * cache pages' ends want those locks.
	 */
	for (unsigned int i = 0; i < n; i++)
		if (!v[i].obj)
			freed += victim_finish(&v[i], err);
	swap_io_wake();		/* anon_page_in waits there for them */
	for (unsigned int i = 0; i < n; i++)
		if (v[i].obj)
			*file_freed += cache_victim_finish(&v[i], err);
	return freed;
}

/*
 * The end of a batch's write left with the disk (swap_io's done callback:
 * thread context, no lock held). It counts its own work as page-out's.
 */
static void batch_written(void *arg, int err)
{
	struct batch *bt = arg;
	uint64_t t = rdinstret(), none = 0;
	unsigned int n = bt->n, freed = batch_finish(bt, err, &none);

	vmstat_add(bt->daemon ? VMSTAT_PGSTEAL_KSWAPD : VMSTAT_PGSTEAL_DIRECT, freed);
	vmstat_add(VMSTAT_PGSTEAL_ANON, freed);
	vmstat_add(VMSTAT_SWAPOUT_CPU_INSTR, rdinstret() - t);
	vmstat_add(VMSTAT_SWAPOUT_CPU_PAGES, freed);
	__atomic_add_fetch(&async_freed, freed, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&pages_in_flight, n, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&batches_busy, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&bt->busy, false, __ATOMIC_RELEASE);	/* bt is free */
	swap_io_wake();			/* batch_wait, the daemon, pageout_quiesce */
}

/* swap_io_wait_until's conditions. */
static bool batch_idle(void *arg)
{
	return !__atomic_load_n(&((struct batch *)arg)->busy, __ATOMIC_ACQUIRE);
}

static bool no_batch_busy(void *arg)
{
	return !__atomic_load_n(&batches_busy, __ATOMIC_ACQUIRE);
}

/* The daemon's: no batch with the disk, or one started since *arg was read. */
static bool writes_ended_or_new(void *arg)
{
	return no_batch_busy(NULL) ||
	       __atomic_load_n(&batches_started, __ATOMIC_ACQUIRE) != *(uint64_t *)arg;
}

/*
 * Wait for the end of bt's write (or, bt NULL, of every batch's), running
 * the completions meanwhile. The instructions counted meanwhile go in
 * ps->io_instr (with -icount they are virtual time, idle included: not the
 * CPU's cost); the ends run count themselves.
 */
static void batch_wait(struct pass *ps, struct batch *bt)
{
	uint64_t t = rdinstret();

	if (bt)
		swap_io_wait_until(batch_idle, bt);
	else
		swap_io_wait_until(no_batch_busy, NULL);
	ps->io_instr += rdinstret() - t;
}

/*
 * Write bt's pages that need it (those whose slot holds no copy yet:
 * anons' and cache pages'), in one call (consecutive slots: one disk
 * request). A batch of anons is left with the disk (returns 0); any other
 * is finished here, and the anons' frames that went are returned (the
 * cache pages' are added to ps->file_freed).
 */
static unsigned int batch_start(struct pass *ps, struct batch *bt)
{
	swap_entry_t slots[PAGEOUT_BATCH];
	struct page *pages[PAGEOUT_BATCH];
	unsigned int w = 0;
	uint64_t t;
	int err;

	for (unsigned int i = 0; i < bt->n; i++)
		if (bt->v[i].write) {
			slots[w] = bt->v[i].slot;
			pages[w++] = bt->v[i].pg;
		}
	if (!w)
		return batch_finish(bt, 0, &ps->file_freed);
	if (bt->n != bt->nanon) {	/* cache pages: alone */
		batch_wait(ps, NULL);
		t = rdinstret();
		err = swap_write_pages_sync(slots, pages, w);
		ps->io_instr += rdinstret() - t;
		owner_deadline = 0;	/* set by the first wait, if any */
		return batch_finish(bt, err, &ps->file_freed);
	}
	bt->daemon = ps->daemon;
	bt->busy = true;
	__atomic_add_fetch(&pages_in_flight, bt->n, __ATOMIC_RELAXED);
	__atomic_add_fetch(&batches_busy, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&batches_started, 1, __ATOMIC_RELEASE);
	/* other calls' completions first: their ends count themselves */
	t = rdinstret();
	swap_io_complete();
	ps->io_instr += rdinstret() - t;
	err = swap_write_pages(slots, pages, w, batch_written, bt);
	if (err)			/* not started: it ends now */
		batch_written(bt, err);
	return 0;
}

/*
 * pageout_evict's scan budget: every page on the policy twice (a second
 * chance for each) and a batch more, so that a pass ends even if every
 * page it finds is busy or comes back.
 */
static uint64_t pass_budget(void)
{
	return 2 * reclaim_tracked() + PAGEOUT_BATCH;
}

/*
 * pageout_evict; if !may_wait and another evictor holds pageout_lock, it
 * evicts nothing and returns 0 at once (that one is freeing frames). The
 * pass fills batches while the ones before it are with the disk and goes
 * on until the frames let go since it began (by its batches' ends or
 * others') are `want`; it waits for a write only when every batch is with
 * the disk, or when nothing at all was freed yet (its caller needs a
 * frame now). Batches still with the disk when it returns end by
 * themselves; the daemon is woken to see them end.
 */
static uint64_t evict_pages(uint64_t want, bool direct, bool may_wait)
{
	struct pass ps = { .daemon = !direct };
	uint64_t freed = 0, swap_total, swap_free, t, async0;

	if (!mutex_trylock(&pageout_lock)) {
		if (!may_wait)
			return 0;
		__atomic_add_fetch(&pageout_waiting, 1, __ATOMIC_ACQ_REL);
		mutex_lock(&pageout_lock);
		__atomic_sub_fetch(&pageout_waiting, 1, __ATOMIC_ACQ_REL);
	}
	swap_slots_totals(&swap_total, &swap_free);
	/* parked pages come back while slots do; none: pages needing one park */
	reclaim_swap_space(swap_free);
	t = rdinstret();
	async0 = __atomic_load_n(&async_freed, __ATOMIC_RELAXED);
	ps.no_swap = !swap_free;
	ps.budget = pass_budget();
#define PASS_FREED() (freed + ps.file_freed + \
		      (__atomic_load_n(&async_freed, __ATOMIC_RELAXED) - async0))
	while (PASS_FREED() < want && ps.budget) {
		struct batch *bt = &batches[batch_next];
		uint64_t file_before = ps.file_freed;

		if (__atomic_load_n(&bt->busy, __ATOMIC_ACQUIRE)) {
			batch_wait(&ps, bt);	/* the oldest: all are with the disk */
			continue;
		}
		batch_fill(&ps, bt);
		/*
		 * A batch with nothing to write or drop found nothing that
		 * can go now. With swap full, clean pages (file pages,
		 * anonymous pages whose slot holds a copy) still free memory:
		 * go on while there are such (the budget bounds the pass).
		 */
		if (!bt->n && ps.file_freed == file_before)
			break;
		if (bt->n) {
			batch_next = (batch_next + 1) % PAGEOUT_INFLIGHT;
			freed += batch_start(&ps, bt);
		}
	}
	if (!PASS_FREED())
		batch_wait(&ps, NULL);
	t = rdinstret() - t - ps.io_instr;
	async0 = PASS_FREED() - freed - ps.file_freed;	/* the ends' */
#undef PASS_FREED
	mutex_unlock(&pageout_lock);
	if (__atomic_load_n(&batches_busy, __ATOMIC_ACQUIRE))
		daemon_kick();
	vmstat_add(direct ? VMSTAT_PGSCAN_DIRECT : VMSTAT_PGSCAN_KSWAPD, ps.scanned);
	vmstat_add(direct ? VMSTAT_PGSTEAL_DIRECT : VMSTAT_PGSTEAL_KSWAPD,
		   freed + ps.file_freed);
	vmstat_add(VMSTAT_PGSCAN_ANON, ps.anon_scanned);
	vmstat_add(VMSTAT_PGSCAN_FILE, ps.scanned - ps.anon_scanned);
	vmstat_add(VMSTAT_PGSTEAL_ANON, freed);
	vmstat_add(VMSTAT_PGSTEAL_FILE, ps.file_freed);
	vmstat_add(VMSTAT_SWAPOUT_CPU_INSTR, t);
	vmstat_add(VMSTAT_SWAPOUT_CPU_PAGES, freed + ps.file_freed);
	return freed + ps.file_freed + async0;
}

uint64_t pageout_evict(uint64_t want, bool direct)
{
	return evict_pages(want, direct, true);
}

void pageout_quiesce(void)
{
	mutex_lock(&pageout_lock);
	swap_io_wait_until(no_batch_busy, NULL);
	mutex_unlock(&pageout_lock);
}

/* ------------------------------------------------------------ bringing back */

/*
 * Whether a page read back may keep its slot as a copy (saving a write if
 * it goes out again unchanged): while swap is at most half full, as
 * Linux's vm_swap_full() decides.
 */
static bool swap_keep_copies(void)
{
	return !swap_slots_full();
}

/* swap_io_wait_until's condition: an is not busy (swap_io_wake after). */
static bool anon_not_busy(void *arg)
{
	struct anon *an = arg;

	return !(__atomic_load_n(&an->flags, __ATOMIC_ACQUIRE) & ANON_BUSY);
}

int anon_page_in(struct anon *an)
{
	struct page *pg;
	uint64_t t0, t, t1;
	swap_entry_t slot;
	bool keep;
	int err;

	for (;;) {
		anon_lock(an);
		if (an->flags & ANON_BUSY) {
			anon_unlock(an);
			/* a read ahead of it completes only if someone runs it */
			swap_io_wait_until(anon_not_busy, an);
			continue;
		}
		if (an->page) {
			anon_unlock(an);
			return 0;
		}
		anon_unlock(an);
		pg = vm_page_alloc(0);
		if (!pg)
			return -ENOMEM;
		t0 = rdinstret();
		anon_lock(an);
		if (an->page || (an->flags & ANON_BUSY)) {	/* someone was quicker */
			anon_unlock(an);
			pmm_free(pg);
			continue;
		}
		an->flags |= ANON_BUSY;
		slot = (swap_entry_t){ an->swap };
		anon_unlock(an);
		t = rdinstret();
		err = swap_read_pages_sync(&slot, &pg, 1);
		t1 = rdinstret();
		keep = swap_keep_copies();
		anon_lock(an);
		an->flags &= ~ANON_BUSY;
		if (!err) {
			pg->state = PAGE_ANON;
			pg->owner = an;
			pg->index = slot.val;
			an->page = pg;
			anon_count_swapped(-1);
			if (!keep)
				anon_dirty(an);
		}
		anon_unlock(an);
		swap_io_wake();		/* anon_page_in waits there */
		if (err) {
			pmm_free(pg);
			return -EIO;
		}
		reclaim_track(pg);
		/* the CPU's part: all but the read, from the frame on */
		t = rdinstret() - t1 + (t - t0);
		vmstat_add(VMSTAT_SWAPIN_CPU_INSTR, t);
		vmstat_inc(VMSTAT_SWAPIN_CPU_PAGES);
		return VOBJECT_READ_IN;
	}
}

/* ------------------------------------------------------------ readahead */

#define READ_AROUND_MAX	32	/* pages one anon_read_around reads at most */
#define READ_AHEAD_MAX	64	/* pages one anon_read_ahead reads at most */

/*
 * One page of a read-around: the frame for it and its slot, and whose page
 * it is: an anon (marked busy), or page idx of an object's cache.
 */
struct around {
	struct anon *an;
	struct page *pg;
	swap_entry_t slot;
	uint64_t idx;
};

/*
 * A frame for a page read ahead, taken only while memory is plentiful
 * (free frames above the min watermark by a window's worth) and never
 * reclaiming for it: a page that might not be used does not push out one
 * that is. NULL otherwise. *alloc_instr: the instructions it took.
 */
static struct page *ahead_frame(uint64_t *alloc_instr)
{
	struct page *pg;
	uint64_t t;

	if (pmm_free_frames() < wm.min + READ_AROUND_MAX)
		return NULL;
	t = rdinstret();
	pg = vm_page_try_alloc(0);
	*alloc_instr += rdinstret() - t;
	return pg;
}

/*
 * Claim an's page for reading into a new frame: an (referenced) must still
 * be on swap only, and becomes ANON_BUSY. `ahead`: a readahead page, which
 * never reclaims for its frame (around_claim_ahead looks that memory is
 * plentiful first).
 * Returns false (nothing claimed) otherwise. *alloc_instr: the CPU's
 * instructions spent taking the frame (page-in's cost is counted from the
 * frame on, as anon_page_in counts it).
 */
static bool around_claim(struct anon *an, bool ahead, struct around *out,
			 uint64_t *alloc_instr)
{
	uint64_t t = rdinstret();
	struct page *pg = ahead ? vm_page_try_alloc(0) : vm_page_alloc(0);

	*alloc_instr += rdinstret() - t;
	if (!pg)
		return false;
	anon_lock(an);
	if (an->page || (an->flags & ANON_BUSY) || !an->swap) {
		anon_unlock(an);
		pmm_free(pg);
		return false;
	}
	an->flags |= ANON_BUSY;
	*out = (struct around){ .an = an, .pg = pg, .slot = { an->swap } };
	anon_unlock(an);
	return true;
}

/*
 * Sort the n claimed pages by slot (n is small): runs become requests. A
 * run collected downwards (a backward read) is reversed first, so the sort
 * stays linear for it too.
 */
static void around_sort(struct around *p, unsigned int n)
{
	if (n > 1 && p[0].slot.val > p[n - 1].slot.val)
		for (unsigned int i = 0, j = n - 1; i < j; i++, j--) {
			struct around t = p[i];

			p[i] = p[j];
			p[j] = t;
		}
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j > 0 && p[j].slot.val < p[j - 1].slot.val; j--) {
			struct around t = p[j];

			p[j] = p[j - 1];
			p[j - 1] = t;
		}
}

/*
 * The read of p ended with err: attach the page (0) or give the frame back,
 * and let the anon go (not busy). A page read ahead gets ra_flags
 * (ANON_READAHEAD, and ANON_RA_MARK for the one whose first use starts the
 * next read ahead); the faulting page gets none, and gives up its slot if
 * `dirty` (swap is short).
 */
static void around_finish(struct around *p, uint32_t ra_flags, bool dirty, int err)
{
	struct anon *an = p->an;

	anon_lock(an);
	an->flags &= ~ANON_BUSY;
	if (!err) {
		p->pg->state = PAGE_ANON;
		p->pg->owner = an;
		p->pg->index = p->slot.val;
		an->page = p->pg;
		anon_count_swapped(-1);
		an->flags |= ra_flags;
		if (dirty)
			anon_dirty(an);
	}
	anon_unlock(an);
	if (err)
		pmm_free(p->pg);
	else
		reclaim_track(p->pg);
}

/*
 * Is memory plentiful enough to read a page ahead? Above the min watermark
 * by a window. If not, the page-out daemon is asked to free a block of
 * readahead more than its usual target (*kicked: once per call), so that
 * the next block finds its frames: low and high are only a quarter of min
 * apart, less than a block or two in flight.
 */
static bool ahead_room(bool *kicked)
{
	if (pmm_free_frames() >= wm.min + READ_AROUND_MAX)
		return true;
	if (!*kicked) {
		*kicked = true;
		__atomic_store_n(&daemon_extra, READ_AHEAD_MAX, __ATOMIC_RELAXED);
		daemon_kick();
	}
	return false;
}

/*
 * Claim ra[0..n) (referenced) as pages read ahead into p, at most max of
 * them, while memory is plentiful; drops the references of those not
 * claimed. Returns how many were.
 */
static unsigned int around_claim_ahead(struct anon **ra, unsigned int n,
				       struct around *p, unsigned int max,
				       uint64_t *alloc_instr)
{
	unsigned int k = 0;
	bool kicked = false;

	for (unsigned int i = 0; i < n; i++) {
		if (k < max && ahead_room(&kicked) &&
		    around_claim(ra[i], true, &p[k], alloc_instr))
			k++;
		else
			anon_put(ra[i]);
	}
	return k;
}

/*
 * Free frames for the next block of readahead (READ_AHEAD_MAX pages), once
 * this one is with the disk: the eviction's CPU work overlaps the read.
 * Evicts here only if the page-out daemon has not kept up and is not
 * evicting already (it would be waited for); only a fault on a marked
 * page, which shows the program reading in order, asks. No lock held.
 */
static void ahead_make_room(void)
{
	uint64_t free = pmm_free_frames(), want = wm.min + READ_AROUND_MAX + READ_AHEAD_MAX;

	if (free < want)
		evict_pages(want - free, true, false);
}

/* An asynchronous read ahead in flight: what its completion finishes. */
struct ahead_io {
	unsigned int n;
	struct anon *mark;	/* gets ANON_RA_MARK with its page */
	uint64_t instr;		/* the CPU's instructions spent starting it */
	struct around p[READ_AHEAD_MAX];
	swap_entry_t slots[READ_AHEAD_MAX];
	struct page *pages[READ_AHEAD_MAX];
};

/*
 * swap_read_pages' done for an ahead_io: attach the pages read (unmapped,
 * read ahead), wake the faults waiting for any of them, drop the anons.
 * Thread context, from whoever runs completions (swap_io_complete).
 */
static void ahead_done(void *arg, int err)
{
	struct ahead_io *io = arg;
	uint64_t t = rdinstret();

	for (unsigned int i = 0; i < io->n; i++)
		around_finish(&io->p[i], io->p[i].an == io->mark ?
			      ANON_READAHEAD | ANON_RA_MARK : ANON_READAHEAD,
			      false, err);
	swap_io_wake();		/* anon_page_in waits there */
	for (unsigned int i = 0; i < io->n; i++)
		anon_put(io->p[i].an);
	if (!err) {
		vmstat_add(VMSTAT_SWAP_RA, io->n);
		vmstat_add(VMSTAT_SWAPIN_CPU_INSTR, io->instr + rdinstret() - t);
		vmstat_add(VMSTAT_SWAPIN_CPU_PAGES, io->n);
	}
	kfree(io);
}

void anon_read_ahead(struct anon **ra, unsigned int n)
{
	uint64_t t0 = rdinstret(), alloc = 0;
	struct ahead_io *io = n ? kmalloc(sizeof(*io), 0) : NULL;

	if (!io) {
		for (unsigned int i = 0; i < n; i++)
			anon_put(ra[i]);
		return;
	}
	io->n = around_claim_ahead(ra, n, io->p, READ_AHEAD_MAX, &alloc);
	if (!io->n) {
		kfree(io);
		ahead_make_room();
		return;
	}
	io->mark = io->p[0].an;		/* the first in the reading direction */
	around_sort(io->p, io->n);
	for (unsigned int i = 0; i < io->n; i++) {
		io->slots[i] = io->p[i].slot;
		io->pages[i] = io->p[i].pg;
	}
	io->instr = rdinstret() - t0 - alloc;
	/* io is ahead_done's from here: it may even be freed before we return */
	if (swap_read_pages(io->slots, io->pages, io->n, ahead_done, io) < 0)
		ahead_done(io, -EIO);
	ahead_make_room();
}

bool anon_read_around(struct anon *an, struct anon **ra, unsigned int n,
		      struct anon **ahead, unsigned int nahead)
{
	struct around p[READ_AROUND_MAX];
	swap_entry_t slots[READ_AROUND_MAX];
	struct page *pages[READ_AROUND_MAX];
	struct swap_io_sync s = { false, 0 };
	bool keep = swap_keep_copies();
	uint64_t t0 = rdinstret(), t, t1, alloc = 0;
	unsigned int k = 0;
	int err;

	if (around_claim(an, false, &p[0], &alloc))
		k = 1;
	/* a claimed anon keeps its reference until its page is attached */
	if (k)
		k += around_claim_ahead(ra, n, p + 1, READ_AROUND_MAX - 1, &alloc);
	else
		for (unsigned int i = 0; i < n; i++)
			anon_put(ra[i]);
	if (k == 0) {
		for (unsigned int i = 0; i < nahead; i++)
			anon_put(ahead[i]);
		return false;
	}
	around_sort(p, k);
	for (unsigned int i = 0; i < k; i++) {
		slots[i] = p[i].slot;
		pages[i] = p[i].pg;
	}
	t = rdinstret();
	err = swap_read_pages(slots, pages, k, swap_io_sync_done, &s);
	/* the next block goes to the disk behind ours: the program uses ours meanwhile */
	anon_read_ahead(ahead, nahead);
	if (!err)
		err = swap_io_sync_wait(&s);
	t1 = rdinstret();
	for (unsigned int i = 0; i < k; i++)
		around_finish(&p[i], p[i].an == an ? 0 : ANON_READAHEAD,
			      p[i].an == an && !keep, err);
	swap_io_wake();		/* anon_page_in waits there */
	for (unsigned int i = 0; i < k; i++)
		if (p[i].an != an)
			anon_put(p[i].an);
	if (err)
		return false;
	vmstat_add(VMSTAT_SWAP_RA, k - 1);
	/* the CPU's part, as anon_page_in counts it */
	vmstat_add(VMSTAT_SWAPIN_CPU_INSTR, rdinstret() - t1 + (t - t0) - alloc);
	vmstat_add(VMSTAT_SWAPIN_CPU_PAGES, k);
	return true;
}

/* ------------------------------------------------------------ cache pages */

/* Is pg, a page of an evictable cache, mapped by a locked region? */
static bool page_mlocked(struct page *pg)
{
	return __atomic_load_n(&pg->flags, __ATOMIC_ACQUIRE) & PG_MLOCKED;
}

/*
 * Before pg is unmapped: is one of its mappings locked (vm/mlock.h)? Then
 * it is PG_MLOCKED again and stays, as Linux's try_to_unmap finds a
 * VM_LOCKED mapping. pc's lock held (after it, the reclaim lock).
 */
static bool page_mapped_locked(struct page *pg)
{
	if (!rmap_page_locked(pg))
		return false;
	reclaim_mlock(pg);
	vmstat_inc(VMSTAT_MLOCK_CULLED);
	return true;
}

/* Is pg unmapped and held by nobody but its cache and page-out's pin? */
static bool page_only_cached(struct page *pg)
{
	return !page_mapcount(pg) && __atomic_load_n(&pg->refcount, __ATOMIC_ACQUIRE) == 2;
}

int pageout_cache_begin(struct pcache *pc, struct page *pg, struct pmap_batch *b,
			uint64_t *slot)
{
	uint64_t idx = pg->index;
	swap_entry_t e;

	if (pcache_lookup(pc, idx) != pg || page_mlocked(pg) || page_mapped_locked(pg))
		return -EBUSY;
	/*
	 * New users need pc's lock (get_page), which we hold, or a mapping
	 * (pmap_access): once none maps pg and only the cache and our pin
	 * hold it, every new user finds it in pc first, which clears the
	 * mark. Stores through stale TLB entries land before the batch's
	 * flush, which comes before its write.
	 */
	pmap_page_protect_batch(pg, VM_PROT_NONE, b);
	if (!page_only_cached(pg) || page_mlocked(pg))
		return -EBUSY;
	if (swap_slot_alloc_any(1, &e) < 1)
		return -ENOSPC;
	pcache_writeback_begin(pc, idx, pg);
	*slot = e.val;
	return VOBJECT_WRITEBACK;
}

/*
 * Take an object's lock for page-out: to prepare a page (the daemon), or
 * after the batch's write. Page-out holds
 * pageout_lock, which comes after the objects' locks, so it must not
 * sleep on one: the holder may be waiting for pageout_lock (direct
 * reclaim under the object's lock, as a swap-in does). It tries, letting
 * the holder run between tries (a reader holds it across its disk
 * request), as long as nobody waits for pageout_lock and until
 * owner_deadline (OWNER_LOCK_NS for the whole batch). True if the lock is
 * ours; false: give up.
 */
static bool owner_lock_wait(struct mutex *lock)
{
	while (!mutex_trylock(lock)) {
		uint64_t now = timer_uptime_ns();

		if (!owner_deadline)
			owner_deadline = now + OWNER_LOCK_NS;
		if (__atomic_load_n(&pageout_waiting, __ATOMIC_ACQUIRE) ||
		    now > owner_deadline)
			return false;
		sched_yield();
	}
	return true;
}

bool pageout_owner_lock(struct mutex *lock)
{
	if (mutex_trylock(lock))
		return true;
	return owner_wait_ok && owner_lock_wait(lock);
}

int pageout_cache_end(struct pcache *pc, struct page *pg, uint64_t slot, int err)
{
	uint64_t idx = pg->index;

	if (!owner_lock_wait(pc->lock)) {
		err = -EBUSY;		/* the mark stays: only an end reads it */
		goto kept;
	}
	if (!pcache_writeback_end(pc, idx, pg) && !err)
		err = -EBUSY;		/* found meanwhile: it may have changed */
	if (!err && (!page_only_cached(pg) || page_mlocked(pg)))
		err = -EBUSY;
	if (!err) {
		pcache_page_to_swap(pc, idx, pg, slot);
		page_put(pg);		/* the cache's reference */
	}
	mutex_unlock(pc->lock);
	if (!err)
		return 0;
kept:
	swap_entry_free((swap_entry_t){ slot });
	vmstat_inc(VMSTAT_SWAPOUT_CACHE_KEPT);
	return err;
}

int pageout_cache_drop(struct pcache *pc, struct page *pg, struct pmap_batch *b)
{
	uint64_t idx = pg->index;

	if (pcache_lookup(pc, idx) != pg || page_mlocked(pg) || page_mapped_locked(pg))
		return -EBUSY;
	/*
	 * New users need pc's lock (get_page), which we hold, or a mapping
	 * (pmap_access): once no entry maps pg and only the cache and our pin
	 * hold it, no fault is between get_page and mapping it, and none can
	 * start before it has left the cache.
	 */
	pmap_page_protect_batch(pg, VM_PROT_NONE, b);
	if (page_mapcount(pg) || __atomic_load_n(&pg->refcount, __ATOMIC_ACQUIRE) != 2)
		return -EBUSY;		/* it faults back in without a read */
	/* locked meanwhile (mlock), or written: a disk page is never dirty */
	if (page_mlocked(pg) || (READ_ONCE(pg->flags) & PG_DIRTY) || pmap_is_modified(pg))
		return -EBUSY;
	if (pcache_remove(pc, idx) != pg)
		panic("pageout_cache_drop: page %lu left the cache under its lock",
		      (unsigned long)idx);
	return VOBJECT_DROPPED;
}

int pageout_cache_swapin(struct pcache *pc, uint64_t idx, uint64_t e,
			 struct page *pg, struct page **out)
{
	swap_entry_t slot = { e };
	uint64_t t;

	if (!pg)
		pg = vm_page_alloc(0);
	if (!pg)
		return -ENOMEM;
	if (swap_read_pages_sync(&slot, &pg, 1)) {
		pmm_free(pg);
		return -EIO;
	}
	t = rdinstret();
	if (pcache_swap_to_page(pc, idx, pg) != e)
		panic("pageout_cache_swapin: the slot changed under the cache's lock");
	swap_entry_free(slot);
	*out = pg;
	/* the CPU's part after the read (the request's own is not counted) */
	vmstat_add(VMSTAT_SWAPIN_CPU_INSTR, rdinstret() - t);
	vmstat_inc(VMSTAT_SWAPIN_CPU_PAGES);
	return VOBJECT_READ_IN;
}

void pageout_cache_make_room(void)
{
	uint64_t free = pmm_free_frames(), want = wm.min + 2 * READ_AROUND_MAX;

	if (free < want)
		evict_pages(want - free, true, true);
}

struct page *pageout_readahead_frame(void)
{
	uint64_t instr = 0;

	return ahead_frame(&instr);
}

/*
 * The pages of pc's aligned block of swap_ra_window() pages around idx
 * (by index, pc->ra) that are on swap too, each with a frame (ahead_frame:
 * none when memory is short), into p[1..]; returns how many. pc's lock.
 */
static unsigned int cache_collect_around(struct pcache *pc, uint64_t idx,
					 struct around *p, uint64_t *alloc_instr)
{
	uint64_t win = swap_ra_window(&pc->ra, idx), from = ALIGN_DOWN(idx, win);
	unsigned int k = 0;

	for (uint64_t i = from; win > 1 && i < from + win && k < READ_AROUND_MAX - 1; i++) {
		struct page *pg;
		uint64_t e;

		if (i == idx || !pcache_lookup_swap(pc, i, &e))
			continue;
		pg = ahead_frame(alloc_instr);
		if (!pg)
			break;
		p[++k] = (struct around){ .pg = pg, .slot = { e }, .idx = i };
	}
	return k;
}

/*
 * The read of the k pages of p ended well: each takes its slot in pc
 * (which frees the swap entry), the read-ahead ones marked PG_READAHEAD
 * (new frames nobody else knows yet). Returns the frame of page idx.
 */
static struct page *cache_attach(struct pcache *pc, uint64_t idx,
				 struct around *p, unsigned int k)
{
	struct page *out = NULL;

	for (unsigned int i = 0; i < k; i++) {
		struct page *pg = p[i].pg;

		if (p[i].idx == idx)
			out = pg;
		else
			__atomic_store_n(&pg->flags, pg->flags | PG_READAHEAD,
					 __ATOMIC_RELAXED);
		if (pcache_swap_to_page(pc, p[i].idx, pg) != p[i].slot.val)
			panic("pageout_cache_swapin_around: the slot of page %lu "
			      "changed under the cache's lock", (unsigned long)p[i].idx);
		swap_entry_free(p[i].slot);
	}
	return out;
}

int pageout_cache_swapin_around(struct pcache *pc, uint64_t idx, uint64_t e,
				struct page *pg, struct page **out, unsigned int *ahead)
{
	struct around p[READ_AROUND_MAX];
	swap_entry_t slots[READ_AROUND_MAX];
	struct page *pages[READ_AROUND_MAX];
	uint64_t t0, t, t1, alloc = 0;
	unsigned int k;

	*ahead = 0;
	if (!pg)
		pg = vm_page_alloc(0);
	if (!pg)
		return -ENOMEM;
	t0 = rdinstret();
	p[0] = (struct around){ .pg = pg, .slot = { e }, .idx = idx };
	k = 1 + cache_collect_around(pc, idx, p, &alloc);
	around_sort(p, k);
	for (unsigned int i = 0; i < k; i++) {
		slots[i] = p[i].slot;
		pages[i] = p[i].pg;
	}
	t = rdinstret();
	if (swap_read_pages_sync(slots, pages, k)) {
		/* give up the pages read ahead; the wanted one alone, once more */
		for (unsigned int i = 0; i < k; i++)
			if (p[i].pg != pg)
				pmm_free(p[i].pg);
		if (k > 1)
			return pageout_cache_swapin(pc, idx, e, pg, out);
		pmm_free(pg);
		return -EIO;
	}
	t1 = rdinstret();
	*out = cache_attach(pc, idx, p, k);
	*ahead = k - 1;
	vmstat_add(VMSTAT_SWAP_RA, k - 1);
	/* the CPU's part, as anon_read_around counts it */
	vmstat_add(VMSTAT_SWAPIN_CPU_INSTR, rdinstret() - t1 + (t - t0) - alloc);
	vmstat_add(VMSTAT_SWAPIN_CPU_PAGES, k);
	return VOBJECT_READ_IN;
}

/* ------------------------------------------------------------ the daemon */

static uint64_t free_frames(void)
{
	return pmm_free_frames();
}

/*
 * Enough free frames for a fault that found none to try again (someone
 * freed memory meanwhile: an exit, the daemon, an OOM victim's end).
 */
static bool room_for_faults(void)
{
	return free_frames() > wm.min + PAGEOUT_BATCH;
}

/* Free frames, with those of the batches with the disk (as good as free). */
static uint64_t soon_free(void)
{
	return free_frames() + __atomic_load_n(&pages_in_flight, __ATOMIC_RELAXED);
}

/* Wake the daemon (reclaim's low-memory hook, from vm_page_alloc). */
static void daemon_kick(void)
{
	unsigned long flags = spin_lock_irqsave(&daemon_lock);

	if (!daemon_kicked) {
		daemon_kicked = true;
		vmstat_inc(VMSTAT_KSWAPD_WAKEUPS);
		waitq_wake_all(&daemon_wq);
	}
	spin_unlock_irqrestore(&daemon_lock, flags);
}

static void kpageoutd(void *arg)
{
	uint64_t target, started;
	bool evicted;

	for (;;) {
		unsigned long flags = spin_lock_irqsave(&daemon_lock);

		while (!daemon_kicked)
			waitq_sleep(&daemon_wq, &daemon_lock);
		daemon_kicked = false;
		spin_unlock_irqrestore(&daemon_lock, flags);
		target = wm.high + __atomic_exchange_n(&daemon_extra, 0, __ATOMIC_RELAXED);
		evicted = false;
		while (soon_free() < target &&
		       pageout_evict(MIN(target - soon_free(), PAGEOUT_BATCH * 4), false))
			evicted = true;
		/*
		 * See the batches with the disk end (their frames go), unless
		 * another evictor starts one meanwhile: that one kicks the
		 * daemon as it returns, and it comes back here for them.
		 */
		started = __atomic_load_n(&batches_started, __ATOMIC_ACQUIRE);
		swap_io_wait_until(writes_ended_or_new, &started);
		if (free_frames() >= target)
			refault_forget();	/* memory is back */
		if (!evicted)
			continue;	/* woken only to see writes end */
		pageout_trim_tables();
		pageout_trim_pv();
	}
}

/* The shrinker that direct reclaim (vm_page_alloc) runs. */
static uint64_t pageout_shrink(uint64_t want)
{
	return pageout_evict(MAX(want, (uint64_t)PAGEOUT_BATCH), true);
}

static struct shrinker pageout_shrinker = {
	.name = "pageout",
	.shrink = pageout_shrink,
};

void pageout_init(void)
{
	uint64_t min = pmm_reserve();

	mutex_init(&pageout_lock, "pageout");
	mutex_init(&oom_lock, "oom");
	waitq_init(&daemon_wq);
	/* Linux's spacing: low = min + min/4, high = min + min/2 */
	wm.min = min;
	wm.low = min + min / 4;
	wm.high = min + min / 2;
	file_floor = wm.high;
	reclaim_policy_init();
	reclaim_register(&pageout_shrinker);
	reclaim_set_low_hook(wm.low, daemon_kick);
	kthread_start("kpageoutd", kpageoutd, NULL);
}

void pageout_watermarks(struct pageout_watermarks *out)
{
	*out = wm;
}

/* ------------------------------------------------------------ out of memory */

#define OOM_CANDIDATES	256

struct oom_candidate {
	int pid;
	struct vmspace *vm;	/* referenced */
};

struct oom_scan {
	struct oom_candidate c[OOM_CANDIDATES];
	int n;
	bool exiting;		/* some were passed over: exiting already */
};

/*
 * proc_for_each: note each user process but init (proc_tree_lock held),
 * once: its leader, even a zombie one while other threads run. Not one
 * that is exiting already (killed, in exit_group, or its last thread
 * gone and its address space being given back): its memory is on its way
 * back, and choosing it would free nothing more (s->exiting notes it).
 */
static int oom_note(struct proc *p, void *arg)
{
	struct oom_scan *s = arg;

	if (p->kthread || p->pid == 1 || p->tg->ended || s->n == OOM_CANDIDATES)
		return 0;
	if (!p->tg->live || signal_kill_pending(p) || READ_ONCE(p->tg->exiting)) {
		s->exiting = true;
		return 0;
	}
	if (!p->vm)
		return 0;
	vmspace_get(p->vm);
	s->c[s->n].pid = p->pid;
	s->c[s->n].vm = p->vm;
	s->n++;
	return 0;
}

/* how long a victim may take to exit before another is chosen */
#define OOM_VICTIM_WAIT_NS	10000000000UL

static int oom_last_pid;		/* oom_lock: the last one killed */
static uint64_t oom_last_ns;

/*
 * The process to kill; fills its footprint. 0 if there is none, and then
 * *exiting says whether processes already exiting were passed over.
 */
static int oom_choose(uint64_t *rss, uint64_t *swap, bool *exiting)
{
	static struct oom_scan scan;	/* oom_lock */
	uint64_t best = 0;
	int pid = 0;

	scan.n = 0;
	scan.exiting = false;
	proc_for_each(oom_note, &scan);
	*exiting = scan.exiting;
	for (int i = 0; i < scan.n; i++) {
		struct vmspace *vm = scan.c[i].vm;
		struct vm_stats st;

		mutex_lock(&vm->lock);
		vmspace_stats(vm, &st);
		mutex_unlock(&vm->lock);
		if (st.rss_anon + st.rss_shmem + st.swap + st.page_tables >= best) {
			best = st.rss_anon + st.rss_shmem + st.swap + st.page_tables;
			pid = scan.c[i].pid;
			*rss = st.rss;
			*swap = st.swap;
		}
		vmspace_put(vm);
	}
	return pid;
}

/* Kill the process with the largest footprint; true if it is not us. */
static bool oom_kill(void)
{
	uint64_t now, rss = 0, swap = 0;
	struct proc *victim;
	unsigned long flags;
	bool self = false, dying, exiting;
	int pid;

	mutex_lock(&oom_lock);
	now = timer_uptime_ns();	/* not before: the last kill may be later */
	/*
	 * A victim still dying frees its memory soon: wait for it. It is
	 * dying until its last thread has given back the address space
	 * (tg->ended is set after that, kern/exit.c); its threads are all
	 * gone (tg->live 0) before that, while its pages are freed. A victim
	 * that does not end within OOM_VICTIM_WAIT_NS is passed over.
	 */
	flags = spin_lock_irqsave(&proc_tree_lock);
	victim = oom_last_pid ? proc_find(oom_last_pid) : NULL;
	dying = victim && !victim->tg->ended;
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	if (dying && now - oom_last_ns < OOM_VICTIM_WAIT_NS) {
		mutex_unlock(&oom_lock);
		return true;
	}
	/*
	 * Memory may have come back since the caller looked (the victim
	 * ended just now, or another process exited): look again before
	 * choosing, as Linux retries the allocation under its oom_lock.
	 */
	if (room_for_faults()) {
		mutex_unlock(&oom_lock);
		return true;
	}
	pid = oom_choose(&rss, &swap, &exiting);
	if (!pid && exiting) {
		mutex_unlock(&oom_lock);
		return true;	/* none to kill but some exiting: wait for them */
	}
	flags = spin_lock_irqsave(&proc_tree_lock);
	victim = pid ? proc_find(pid) : NULL;
	if (victim) {
		kprintf("out of memory: killed pid %d (%s), rss %lu KiB, swap %lu KiB\n",
			pid, victim->name, rss * (PAGE_SIZE / 1024),
			swap * (PAGE_SIZE / 1024));
		signal_send(victim, SIGKILL);	/* the whole process: all its threads */
		self = victim->tg == current()->tg;
	}
	spin_unlock_irqrestore(&proc_tree_lock, flags);
	if (victim) {
		vmstat_inc(VMSTAT_OOM_KILL);
		refault_forget();	/* its memory comes back */
		oom_last_pid = pid;
		oom_last_ns = now;
	}
	mutex_unlock(&oom_lock);
	return victim && !self;
}

static bool fatal_signal_pending(void)
{
	return signal_kill_pending(current());
}

bool pageout_for_fault(void)
{
	if (fatal_signal_pending())
		return false;
	if (room_for_faults())
		return true;
	if (reclaim_run(PAGEOUT_BATCH) > 0)
		return true;
	if (room_for_faults())
		return true;		/* freed while reclaim ran */
	if (!oom_kill())
		return false;
	sleep_ns(10000000);		/* let the victim exit */
	return !fatal_signal_pending();
}
