/*
 * The page-fault handler: the one place where a page becomes present.
 *
 * A fault at va for an access (read, write or execute) is resolved in
 * phases that share a struct fault:
 *
 *   1. find the region (or grow the stack down to cover va);
 *   2. check the region allows the access, else it is a protection fault;
 *   3. shared region: map the object's page with the region's protection;
 *   4. private region, page already in the amap (an anon):
 *        - a write to a page whose anon is shared with another amap
 *          (refs > 1) copies it into a new anon (copy-on-write); the last
 *          holder just makes it writable;
 *        - otherwise map it, read-only while it is shared, and on a read
 *          while it still holds its slot on swap (a clean copy, kept so
 *          that evicting it again needs no write: anon_map_prot); a read
 *          of a page read back from swap also maps the pages read ahead
 *          after it (fault-around: fault_map_around);
 *   5. private region, no private page yet:
 *        - a read maps the object's page (file) or the shared zero frame
 *          (anonymous) read-only, so a later write faults again;
 *        - a write allocates the private page: a copy of the object's page,
 *          or zeros; bytes of the object past obj_limit read as zeros.
 *
 * A page of a file mapping (REGION_FILE) that lies wholly past the file's
 * current end is FAULT_PAST_EOF (SIGBUS), as on Linux; the part of the last
 * page past the end reads as zeros.
 *
 * Everything else (no region, wrong access) is reported to the caller,
 * which kills the process or returns -EFAULT from a system call.
 *
 * Swap. A private page whose anon is on swap, or busy being written out or
 * read back, is not handled under the address space's lock: the fault takes
 * a reference on the anon, drops vm->lock, waits or reads the page in
 * (anon_page_in), and starts again from phase 1 (FAULT_AGAIN), because the
 * region may have been unmapped, moved or changed meanwhile (UVM's relock
 * and restart). So a swap-in never stalls munmap or mprotect of the same
 * address space, nor any other process. A page of a shared object that is
 * on swap (shared anonymous memory, a tmpfs file: the object's on_swap op
 * says so) is read the same way: the fault takes a reference on the
 * object, drops vm->lock, reads the page into the object's cache with
 * get_page, and starts again. A fault that finds no free frame
 * (vm_page_try_alloc does no reclaim) also drops the lock, reclaims or
 * calls the OOM killer (pageout_for_fault), and starts again.
 *
 * Lock order, outermost first (each shared field is tagged with its lock
 * where it is declared):
 *
 *   oom_lock          mutex: one OOM choice at a time; taken with no
 *                     address space's lock held, then each candidate's
 *   vm->lock          mutex: an address space's regions and their amaps
 *   vnode lock        mutex: a file's page cache (get_page, under vm->lock);
 *                     a shared-memory object's lock is at the same level
 *   pageout_lock      mutex: one evictor at a time; taken by direct reclaim
 *                     with the two above possibly held, so page-out never
 *                     sleeps on an address space's or an object's lock: it
 *                     takes an object's lock with a trylock to prepare a
 *                     cache page and again after the batch's write (the
 *                     daemon, and every end of a write, retry for a while,
 *                     but only while nobody waits for pageout_lock, since
 *                     the holder might). A cache page being written stays
 *                     in its cache, marked (vm/pcache.h): nobody waits for
 *                     it, and whoever finds it meanwhile cancels the
 *                     write-out (the page stays, the slot is freed)
 *   anon lock         spinlock (hashed): an anon's page, slot and flags
 *   reclaim_lock      spinlock: the replacement policy's lists
 *   pmap lock         spinlock: a page table
 *   rmap lock         spinlock (hashed): a frame's reverse map
 *   swap_lock, area   spinlocks: swap areas and slots
 *   refault_lock      spinlock: the file pages dropped lately (vm/refault.h)
 *   pmm, kmem, sched  spinlocks, innermost
 *
 * Nothing sleeps with a spinlock held, and no TLB shootdown is made with
 * an anon's lock held (another hart may spin on it with interrupts off):
 * the fault maps a page after dropping it, holding a reference on the
 * frame instead, and page-out unmaps after marking the anon busy.
 * Departure, for now: a file page read from the root disk (get_page) is
 * read with vm->lock held.
 *
 * Before any of this, pmap_fault_fixup looks whether the entry already
 * allows the access and only lacks its accessed (or, for a write, dirty)
 * bit: page-table entries are made without them, and an MMU that does not
 * set them itself (Svade) faults instead. Then setting the bit is the whole
 * fault; no lock of the address space is taken.
 *
 * Each fault ends in fault_account, which names what it did (enum
 * fault_kind: zero fill, zero page, file page or read, copy-on-write copy
 * or take-over, ...) and counts it once: the address space's minor or major
 * faults, the system's /proc/vmstat events (vm/vmstat.h) and, when it is on,
 * the fault trace (vm/faulttrace.h). A stack that grows is charged to the
 * committed memory first (vm/commit.h); if overcommit refuses, the fault is
 * not mapped.
 */
#include "vm/vmspace.h"
#include "vm/amap.h"
#include "vm/anon.h"
#include "vm/mlock.h"
#include "vm/pageout.h"
#include "vm/reclaim.h"
#include "vm/refault.h"
#include "vm/rmap.h"
#include "vm/swap_slots.h"
#include "vm/swap_ra.h"
#include "vm/vobject.h"
#include "vm/vmstat.h"
#include "vm/commit.h"
#include "vm/vmspace_pages.h"
#include "vm/faulttrace.h"

#define FAULT_RA_PAGES	SWAP_RA_PAGES	/* swap readahead's largest window
						   (vm/swap_ra.h) */

#define FAULT_RA_ASYNC	64	/* asynchronous swap readahead: the pages read
				   at once ahead of the program, without
				   waiting (anon_read_ahead) */

#define FAULT_AROUND_PAGES 16	/* swap fault-around: the pages read ahead
				   that a read fault maps next to its own,
				   at most (fault_map_around) */

struct fault {
	struct vmspace *vm;
	struct region *r;
	vaddr_t va;			/* page aligned */
	unsigned int access;
	enum fault_kind kind;		/* what it did, once it succeeded */
	/*
	 * FAULT_AGAIN: bring in the page of the anon page_in[0] first, and
	 * read those of page_in[1..nra] ahead with it (a reference each).
	 * FAULT_RA_PAGES places, in vm_fault's frame, not cleared: a fault
	 * that never swaps does not pay for them.
	 */
	struct anon **page_in;
	/*
	 * The next block to read ahead without waiting (a reference each),
	 * FAULT_RA_ASYNC places in vm_fault's frame, not cleared: with
	 * page_in on FAULT_AGAIN, or alone once a fault used a page marked
	 * ANON_RA_MARK (vm_fault starts it after dropping vm->lock).
	 */
	struct anon **ahead;
	/*
	 * FAULT_AGAIN with obj_in set instead: page obj_idx of the object
	 * obj_in (referenced) is on swap; get_page reads it in.
	 */
	struct vobject *obj_in;
	uint64_t obj_idx;
	uint8_t nra;
	uint8_t nahead;
	bool major;			/* a page was read from a disk */
	bool swapped_in;		/* the page was read back from swap */
	bool grew;			/* the stack grew down to va */
	bool ra_used;			/* the page was read ahead: first use */
};

static struct page *zero_page;

struct page *vm_zero_page(void)
{
	return zero_page;
}

void fault_init(void)
{
	pmap_init();
	rmap_init();
	zero_page = pmm_alloc(PMM_ZERO);
	if (!zero_page)
		panic("vm: no frame for the zero page");
}

/* Phase 1: the region at va, growing the stack if va is just below it. */
static struct region *fault_find_region(struct vmspace *vm, vaddr_t va, bool *grew)
{
	struct region *r = vmspace_find(vm, va);

	if (r)
		return r;
	r = vmspace_next(vm, va);
	if (!r || !(r->flags & REGION_GROWSDOWN))
		return NULL;
	if (va < r->end - MIN(r->end, vm->stack_limit))
		return NULL;		/* past the stack limit */
	if (r->prev && r->prev->end + VM_STACK_GUARD > ALIGN_DOWN(va, PAGE_SIZE))
		return NULL;		/* would run into the guard gap */
	if ((r->flags & REGION_ACCOUNT) &&
	    commit_charge(vm, (r->start - ALIGN_DOWN(va, PAGE_SIZE)) >> PAGE_SHIFT, 0) < 0)
		return NULL;		/* overcommit refuses the growth */
	/* the slot of the start moves down with it */
	r->amap_pgoff -= (r->start - ALIGN_DOWN(va, PAGE_SIZE)) >> PAGE_SHIFT;
	r->start = ALIGN_DOWN(va, PAGE_SIZE);
	vmspace_region_moved(vm, r);
	*grew = true;
	return r;
}

static uint64_t fault_amap_index(const struct fault *f)
{
	return f->r->amap_pgoff + ((f->va - f->r->start) >> PAGE_SHIFT);
}

static inline __attribute__((always_inline))
enum fault_result map_page(struct fault *f, struct page *pg, unsigned int prot)
{
	if (pmap_enter(f->vm->pmap, f->va, page_to_pa(pg), prot) < 0)
		return FAULT_OOM;
	return FAULT_OK;
}

/*
 * f->r is locked (mlock) and has just mapped pg, a page of an object's
 * cache, at f->va: the mapping is marked locked, then the page (page-out
 * leaves it). The caller holds a reference on pg.
 */
static void fault_mlock_cache_page(struct fault *f, struct page *pg)
{
	if (mlock_mark(pg, f->vm->pmap, f->va, true))
		reclaim_mlock(pg);
}

/* Is the object page under f->va wholly past the end of a mapped file? */
static bool past_eof(const struct fault *f)
{
	const struct region *r = f->r;
	uint64_t off = (r->obj_pgoff << PAGE_SHIFT) + (f->va - r->start);

	return (r->flags & REGION_FILE) &&
	       off >= ALIGN_UP(__atomic_load_n(&r->obj->size, __ATOMIC_RELAXED),
			       PAGE_SIZE);
}

/*
 * Is page idx of f->r's object on swap? Then note it in f (a reference on
 * the object) for vm_fault to read without vm->lock, and return true.
 */
static bool object_on_swap(struct fault *f, uint64_t idx)
{
	struct vobject *obj = f->r->obj;

	if (!obj->ops->on_swap || !obj->ops->on_swap(obj, idx))
		return false;
	vobject_ref(obj);
	f->obj_in = obj;
	f->obj_idx = idx;
	return true;
}

/* Phase 3: shared regions map the object's page itself. */
static enum fault_result fault_shared(struct fault *f)
{
	struct region *r = f->r;
	uint64_t idx = r->obj_pgoff + ((f->va - r->start) >> PAGE_SHIFT);
	enum fault_result res;
	struct page *pg;
	int err;

	if (past_eof(f))
		return FAULT_PAST_EOF;
	if (object_on_swap(f, idx))
		return FAULT_AGAIN;
	err = r->obj->ops->get_page(r->obj, idx, &pg);
	if (err < 0)
		return err == -ENOMEM ? FAULT_OOM : FAULT_IO;
	if (err == VOBJECT_READ_IN) {
		f->major = true;
		refault_note_read(r->obj, idx);
	}
	f->kind = f->major ? FK_FILE_READ : FK_FILE_PAGE;
	res = map_page(f, pg, r->prot);
	if (res == FAULT_OK && (r->flags & REGION_LOCKED))
		fault_mlock_cache_page(f, pg);
	page_put(pg);
	return res;
}

/*
 * The object's page under f->va (a reference for the caller), or NULL for
 * zeros; *valid is how many of its bytes show (obj_limit cuts the last).
 */
static enum fault_result object_page(struct fault *f, struct page **pg,
				     uint64_t *valid)
{
	struct region *r = f->r;
	uint64_t off = (r->obj_pgoff << PAGE_SHIFT) + (f->va - r->start);
	int err;

	*pg = NULL;
	*valid = 0;
	if (r->obj && past_eof(f))
		return FAULT_PAST_EOF;
	if (!r->obj || off >= r->obj_limit)
		return FAULT_OK;
	if (object_on_swap(f, off >> PAGE_SHIFT))
		return FAULT_AGAIN;
	err = r->obj->ops->get_page(r->obj, off >> PAGE_SHIFT, pg);
	if (err < 0)
		return err == -ENOMEM ? FAULT_OOM : FAULT_IO;
	if (err == VOBJECT_READ_IN) {
		f->major = true;
		refault_note_read(r->obj, off >> PAGE_SHIFT);
	}
	*valid = MIN(PAGE_SIZE, r->obj_limit - off);
	return FAULT_OK;
}

/*
 * A new private page for f->va holding `valid` bytes of src, zeros after:
 * a fresh anon in the region's amap, replacing the one there (if any).
 */
static enum fault_result private_copy(struct fault *f, struct page *src,
				      uint64_t valid)
{
	struct region *r = f->r;
	struct page *pg = vm_page_try_alloc(src && valid == PAGE_SIZE ? 0 : PMM_ZERO);
	struct anon *an;

	if (!pg)
		return FAULT_OOM;
	if (src && valid == PAGE_SIZE)
		pmm_copy_frame(pg, src);
	else if (src)
		memcpy(page_to_virt(pg), page_to_virt(src), valid);
	an = anon_alloc(pg);
	if (!an) {
		pmm_free(pg);
		return FAULT_OOM;
	}
	if ((!r->amap && !(r->amap = amap_create())) ||
	    amap_set(r->amap, fault_amap_index(f), an) < 0) {
		anon_put(an);
		return FAULT_OOM;
	}
	if (r->flags & REGION_LOCKED) {		/* mlock: never evicted */
		an->flags |= ANON_MLOCKED;	/* nobody else knows it yet */
		reclaim_untrack(pg);
	}
	if (map_page(f, pg, r->prot) != FAULT_OK)
		return FAULT_OOM;
	if (r->flags & REGION_LOCKED)
		mlock_mark(pg, f->vm->pmap, f->va, true);
	/* src lost a locked mapping, if it had one here (vm/mlock.h) */
	if (src && (r->flags & REGION_LOCKED) && src->state == PAGE_FILE)
		reclaim_munlock(src);
	return FAULT_OK;
}

/* What phase 5 does: the zero page, a zero fill, a copy or the file's page. */
static enum fault_kind first_touch_kind(const struct fault *f, bool write,
					const struct page *pg, uint64_t valid)
{
	if (!pg)
		return write ? FK_ZERO_FILL : FK_ZERO_PAGE;
	if (write || valid != PAGE_SIZE)
		return FK_FILE_COPY;
	return f->major ? FK_FILE_READ : FK_FILE_PAGE;
}

/*
 * The amap index k pages from amap index m of r in direction dir (> 0
 * forward, < 0 backward), in *i; false if that page is outside r.
 */
static inline bool region_step(const struct region *r, uint64_t m, int dir,
			       uint64_t k, uint64_t *i)
{
	uint64_t first = r->amap_pgoff;
	uint64_t end = first + ((r->end - r->start) >> PAGE_SHIFT);

	if (dir > 0 ? m + k >= end : m < first + k)
		return false;
	*i = dir > 0 ? m + k : m - k;
	return true;
}

/*
 * Asynchronous readahead (vm->lock): the anons of the next block of pages
 * of the region on swap (not resident, not busy), looking from the page
 * after amap index m in the reading direction (vm->ra_dir) over at most
 * twice as many pages (those read ahead already are passed over), each
 * with a reference, into f->ahead in reading order. The first of them will
 * carry the mark (ANON_RA_MARK) that starts the next block. A block is
 * FAULT_RA_ASYNC pages, less when few pages are evictable (a 64th of them,
 * at least 8): pages read ahead and not used yet take frames from the
 * pages the policy is still judging.
 */
static __attribute__((noinline)) void fault_collect_ahead(struct fault *f, uint64_t m)
{
	const struct region *r = f->r;
	int dir = f->vm->ra_dir;
	uint64_t max = MIN((uint64_t)FAULT_RA_ASYNC, MAX(reclaim_tracked() / 64, 8UL));

	f->nahead = 0;
	if (!dir)
		return;		/* no direction seen yet */
	for (uint64_t k = 1; k <= 2 * max && f->nahead < max; k++) {
		struct anon *an;
		uint64_t i;

		if (!region_step(r, m, dir, k, &i))
			break;
		an = amap_lookup(r->amap, i);
		if (!an)
			continue;
		anon_lock(an);
		if (!an->page && !(an->flags & ANON_BUSY) && an->swap) {
			anon_ref(an);
			f->ahead[f->nahead++] = an;
		}
		anon_unlock(an);
	}
}

/*
 * Swap readahead: the anons of the region's pages in f->va's aligned block
 * of swap_ra_window() pages (by page of address, vm/swap_ra.h) that are on
 * swap too (not resident, not busy), each with a reference, into
 * f->page_in[1..]; anon_read_around reads them with the faulting page.
 * Pages next to each other in memory were usually evicted together, so
 * their slots are neighbours and one request reads them. Not inline, like
 * fault_page_in.
 */
static __attribute__((noinline)) void fault_collect_around(struct fault *f)
{
	const struct region *r = f->r;
	uint64_t idx = fault_amap_index(f), pos = f->va >> PAGE_SHIFT;
	int dir = pos == f->vm->ra.last ? f->vm->ra_dir : pos > f->vm->ra.last ? 1 : -1;
	uint64_t win = swap_ra_window(&f->vm->ra, pos);	/* moves ra.last on */
	uint64_t first = r->amap_pgoff;
	uint64_t end = first + ((r->end - r->start) >> PAGE_SHIFT);
	uint64_t from = MAX(ALIGN_DOWN(idx, win), first);
	uint64_t to = MIN(ALIGN_DOWN(idx, win) + win, end);

	f->vm->ra_dir = dir;		/* the direction read ahead goes */

	for (uint64_t i = from; i < to && f->nra < FAULT_RA_PAGES - 1; i++) {
		struct anon *an = i == idx ? NULL : amap_lookup(r->amap, i);

		if (!an)
			continue;
		anon_lock(an);
		if (!an->page && !(an->flags & ANON_BUSY) && an->swap) {
			anon_ref(an);
			f->page_in[++f->nra] = an;
		}
		anon_unlock(an);
	}
	/* a run of full windows: the next block goes to the disk too */
	if (win == FAULT_RA_PAGES && f->nra >= win / 2)
		fault_collect_ahead(f, f->vm->ra_dir > 0 ? to - 1 : from);
}

/*
 * The protection to map the private page of an with (an's lock held, its
 * page resident, prot the region's less write if an is shared). A page
 * read back from swap that still holds its slot is a clean copy of it, as
 * Linux's swap cache: a read keeps the slot and maps the page without
 * write permission, so evicting it again unchanged needs no write (the
 * victim_prepare of page-out reuses the slot). The first write then
 * faults on the read-only entry and comes here to give the slot up
 * (anon_dirty) before the page is mapped writable; a read does the same
 * while swap is more than half full, so swap does not fill with copies,
 * and in a locked region (mlock), whose pages never go out again. `keep`:
 * the fault is a read outside a locked region, and swap is not more than
 * half full (anon_map_prot asks; fault_map_around maps nothing when it
 * is). No page is ever mapped writable while its anon holds a slot.
 */
static unsigned int anon_slot_prot(struct anon *an, bool keep, unsigned int prot)
{
	if (!(prot & VM_PROT_WRITE) || !an->swap)
		return prot;
	if (keep)
		return prot & ~VM_PROT_WRITE;
	anon_dirty(an);		/* the copy on swap is going stale */
	return prot;
}

/* As anon_slot_prot, keep only while swap is at most half full. */
static unsigned int anon_map_prot(struct anon *an, bool keep, unsigned int prot)
{
	if (!(prot & VM_PROT_WRITE) || !an->swap)
		return prot;
	return anon_slot_prot(an, keep && !swap_slots_full(), prot);
}

/*
 * May an's page be mapped around a fault (fault_map_around)? an (locked)
 * holds a page read ahead that no fault has used yet, not busy, not shared
 * with another amap, and not the marked one whose first use starts the
 * next asynchronous block (its own fault does that).
 */
static bool around_wanted(const struct anon *an)
{
	return an->page && anon_refs(an) == 1 &&
	       (an->flags & (ANON_READAHEAD | ANON_RA_MARK | ANON_BUSY)) ==
	       ANON_READAHEAD;
}

/*
 * Swap fault-around (vm->lock held, no anon's lock): a fault has just
 * mapped the page at amap index idx of f->r, one read back from swap (read
 * ahead, or read for this very fault). If it was a read (a write's
 * neighbours would be mapped read-only and each fault again), map the
 * pages read ahead that follow it in the reading direction (vm->ra_dir),
 * as their own faults would have: each one is used (ANON_READAHEAD
 * cleared, a readahead hit, renewed on the policy) and mapped with the
 * protection anon_map_prot gives a read, so read-only while its anon holds
 * its slot. Not while swap is more than half full (outside a locked
 * region), where a read gives the slot up: pages the program may never
 * touch would lose their clean copies, each to be written again if
 * evicted; they stay read ahead, for their own faults to decide. Whether
 * swap is that full is asked once, not per page (it takes the swap lock).
 * Up to FAULT_AROUND_PAGES pages, stopping at the first that
 * around_wanted refuses: a hole, a page mapped already, one not read back
 * yet, or the mark of the next asynchronous block, left to the fault that
 * starts the block after it. Each page is mapped without its anon's lock,
 * pinned meanwhile, as fault_private maps. A failure to map (no frame for
 * a page table) just stops: the page stays resident, and its own fault
 * maps it later.
 */
static __attribute__((noinline)) void fault_map_around(struct fault *f, uint64_t idx)
{
	const struct region *r = f->r;
	int dir = f->vm->ra_dir < 0 ? -1 : 1;
	bool locked = r->flags & REGION_LOCKED;
	unsigned int used = 0, mapped = 0;

	if (f->access == VM_PROT_WRITE)
		return;
	if (!locked && (r->prot & VM_PROT_WRITE) && swap_slots_full())
		return;		/* a read would give up their slots: untouched */
	for (unsigned int k = 1; k <= FAULT_AROUND_PAGES; k++) {
		struct anon *an;
		struct page *pg;
		unsigned int prot;
		uint64_t i;
		vaddr_t va;

		if (!region_step(r, idx, dir, k, &i))
			break;
		va = r->start + ((i - r->amap_pgoff) << PAGE_SHIFT);
		an = amap_lookup(r->amap, i);
		if (!an)
			break;
		anon_lock(an);
		if (!around_wanted(an)) {
			anon_unlock(an);
			break;
		}
		an->flags &= ~ANON_READAHEAD;	/* used, as its fault would */
		swap_ra_hit(&f->vm->ra);
		reclaim_renew_around(an->page);
		used++;
		prot = anon_slot_prot(an, !locked, r->prot);
		pg = an->page;
		page_ref_inc(pg);
		anon_unlock(an);
		if (pmap_enter(f->vm->pmap, va, page_to_pa(pg), prot) < 0) {
			page_put(pg);
			break;
		}
		if (locked)
			mlock_anon_page(an, pg, f->vm->pmap, va);
		page_put(pg);
		mapped++;
	}
	if (used) {
		vmstat_add(VMSTAT_SWAP_RA_HIT, used);
		vmstat_add(VMSTAT_SWAP_RA_MAPPED, mapped);
	}
}

/* Phase 4 and 5: private regions. */
static enum fault_result fault_private(struct fault *f)
{
	struct region *r = f->r;
	struct anon *an = r->amap ? amap_lookup(r->amap, fault_amap_index(f)) : NULL;
	bool write = f->access == VM_PROT_WRITE;
	enum fault_result res;
	struct page *pg;
	uint64_t valid;

	if (an) {
		unsigned int prot;
		bool shared, mark = false;

		anon_lock(an);
		if (!an->page || (an->flags & ANON_BUSY)) {
			/* on swap, or on its way: without our locks (vm_fault) */
			bool on_swap = !(an->flags & ANON_BUSY);

			anon_ref(an);
			anon_unlock(an);
			f->page_in[0] = an;
			f->nra = 0;
			if (on_swap)
				fault_collect_around(f);
			return FAULT_AGAIN;
		}
		if (an->flags & ANON_READAHEAD) {	/* read ahead: it paid */
			mark = an->flags & ANON_RA_MARK;
			f->ra_used = true;
			an->flags &= ~(ANON_READAHEAD | ANON_RA_MARK);
			swap_ra_hit(&f->vm->ra);
			vmstat_inc(VMSTAT_SWAP_RA_HIT);
			/* this use is the one it was read for, not a second */
			reclaim_renew(an->page);
		}
		shared = anon_refs(an) > 1;
		if (write && shared) {
			/*
			 * The copy replaces an in the amap; the other sharer
			 * may drop its reference meanwhile, and page-out may
			 * take the anon's frame: our reference keeps the frame
			 * until our page table no longer maps it.
			 */
			bool locked = r->flags & REGION_LOCKED;

			pg = an->page;
			page_ref_inc(pg);
			if (locked)
				anon_ref(an);	/* the copy takes its slot */
			anon_unlock(an);
			res = private_copy(f, pg, PAGE_SIZE);
			if (locked) {
				/* our mapping of it, locked, is gone */
				if (res == FAULT_OK)
					munlock_anon(an);
				anon_put(an);
			}
			page_put(pg);
			f->kind = FK_COW_COPY;
			return res;
		}
		prot = shared ? r->prot & ~VM_PROT_WRITE : r->prot;
		f->kind = f->swapped_in ? FK_SWAP_IN :
			  !write ? FK_ANON_MAP :
			  an->swap ? FK_ANON_MAP : FK_COW_TAKEOVER;
		prot = anon_map_prot(an, !write && !(r->flags & REGION_LOCKED), prot);
		/*
		 * Mapped without the anon's lock (pmap_enter may flush TLBs on
		 * other harts): the reference we hold meanwhile tells a
		 * page-out that started since to keep the frame.
		 */
		pg = an->page;
		page_ref_inc(pg);
		anon_unlock(an);
		res = map_page(f, pg, prot);
		if (res == FAULT_OK && (r->flags & REGION_LOCKED))
			mlock_anon_page(an, pg, f->vm->pmap, f->va);
		page_put(pg);
		/* a page read back from swap: its neighbours read ahead too */
		if (unlikely(f->ra_used || f->swapped_in) && res == FAULT_OK)
			fault_map_around(f, fault_amap_index(f));
		if (mark)	/* the program reached the block read ahead */
			fault_collect_ahead(f, fault_amap_index(f));
		return res;
	}
	res = object_page(f, &pg, &valid);
	if (res != FAULT_OK)
		return res;
	if (!write && (!pg || valid == PAGE_SIZE)) {
		res = map_page(f, pg ? pg : zero_page, r->prot & ~VM_PROT_WRITE);
		if (res == FAULT_OK && pg && (r->flags & REGION_LOCKED))
			fault_mlock_cache_page(f, pg);
	} else
		res = private_copy(f, pg, valid);
	f->kind = first_touch_kind(f, write, pg, valid);
	if (pg)
		page_put(pg);
	return res;
}

/* The kind of a fault that failed with res. */
static enum fault_kind failure_kind(enum fault_result res)
{
	switch (res) {
	case FAULT_NOT_MAPPED:	return FK_NOT_MAPPED;
	case FAULT_PROTECTION:	return FK_PROTECTION;
	case FAULT_OOM:		return FK_OOM;
	case FAULT_PAST_EOF:	return FK_PAST_EOF;
	default:		return FK_IO;
	}
}

/*
 * Count what the fault did (vm/vmstat.h) and trace it (vm/faulttrace.h).
 * Inline: it is on every fault's path, and a call costs as much as it.
 */
static inline __attribute__((always_inline))
void fault_account(struct fault *f, enum fault_result res)
{
	/* 0 (pgalloc_normal, never a fault's event) is none */
	static const uint8_t events[FK_NR] = {
		[FK_ZERO_FILL] = VMSTAT_ZERO_FILL, [FK_ZERO_PAGE] = VMSTAT_ZERO_PAGE_MAP,
		[FK_FILE_COPY] = VMSTAT_COW_FILE_COPY, [FK_COW_COPY] = VMSTAT_COW_COPY,
		[FK_COW_TAKEOVER] = VMSTAT_COW_TAKEOVER,
	};

	if (res != FAULT_OK) {
		f->kind = failure_kind(res);
	} else {
		vmspace_count_fault(f->vm, f->major);
		if (events[f->kind])
			vmstat_inc(events[f->kind]);
	}
	if (f->grew)
		vmstat_inc(VMSTAT_STACK_GROWTH);
	if (READ_ONCE(vm_fault_trace))		/* off: not even a call */
		faulttrace_record(f->va, f->access, f->kind,
				  f->grew ? FAULTTRACE_STACK : 0);
}

/* One try at the fault, under vm->lock. */
static enum fault_result fault_once(struct fault *f)
{
	enum fault_result res;

	f->r = fault_find_region(f->vm, f->va, &f->grew);
	if (!f->r)
		res = FAULT_NOT_MAPPED;
	else if (!(f->r->prot & f->access))
		res = FAULT_PROTECTION;
	else if (f->r->flags & REGION_SHARED)
		res = fault_shared(f);
	else
		res = fault_private(f);
	return res;
}

/*
 * FAULT_AGAIN: bring f->page_in[0]'s page in (with the others' read ahead),
 * holding no lock: the disk is waited for without vm->lock. Drops the
 * references. Returns FAULT_AGAIN (look again), FAULT_IO or FAULT_OOM.
 * Not inline: the fast path does not carry its registers.
 */
static __attribute__((noinline)) enum fault_result fault_page_in(struct fault *f)
{
	struct anon *an = f->page_in[0];
	bool read = (f->nra > 0 || f->nahead > 0) &&
		    anon_read_around(an, f->page_in + 1, f->nra, f->ahead, f->nahead);
	int err;

	f->nra = f->nahead = 0;
	err = anon_page_in(an);
	if (read && err == 0)
		err = VOBJECT_READ_IN;		/* read with its neighbours */
	anon_put(an);
	if (err == VOBJECT_READ_IN) {
		f->major = true;
		f->swapped_in = true;
	} else if (err == -EIO) {
		return FAULT_IO;
	} else if (err == -ENOMEM && !pageout_for_fault()) {
		return FAULT_OOM;
	}
	return FAULT_AGAIN;
}

/*
 * FAULT_AGAIN for an object's page on swap (f->obj_in): read it back into
 * the object's cache with no lock held (get_page), then look again: the
 * page may have gone to swap again meanwhile, which only costs another
 * round. Drops the reference. Returns FAULT_AGAIN, FAULT_IO or FAULT_OOM.
 */
static __attribute__((noinline)) enum fault_result fault_object_in(struct fault *f)
{
	struct vobject *obj = f->obj_in;
	struct page *pg;
	int err = obj->ops->get_page(obj, f->obj_idx, &pg);

	f->obj_in = NULL;
	vobject_unref(obj);
	if (err >= 0)
		page_put(pg);		/* the cache keeps it */
	if (err == VOBJECT_READ_IN)
		f->major = true;
	else if (err == -EIO)
		return FAULT_IO;	/* it stays on swap: do not loop */
	else if (err == -ENOMEM && !pageout_for_fault())
		return FAULT_OOM;
	return FAULT_AGAIN;	/* any other error shows again under vm->lock */
}

enum fault_result vm_fault(struct vmspace *vm, vaddr_t va, unsigned int access)
{
	struct anon *page_in[FAULT_RA_PAGES], *ahead[FAULT_RA_ASYNC];
	struct fault f = { .vm = vm, .va = ALIGN_DOWN(va, PAGE_SIZE),
			   .access = access, .page_in = page_in, .ahead = ahead };
	enum fault_result res;

	if (pmap_fault_fixup(vm->pmap, va, access))
		return FAULT_OK;	/* only the accessed/dirty bit was missing */
	for (;;) {
		mutex_lock(&vm->lock);
		res = fault_once(&f);
		if (res != FAULT_AGAIN && res != FAULT_OOM)
			fault_account(&f, res);
		mutex_unlock(&vm->lock);
		if (res == FAULT_AGAIN) {
			res = f.obj_in ? fault_object_in(&f) : fault_page_in(&f);
			if (res == FAULT_AGAIN)
				continue;	/* the region may have changed */
			break;
		}
		if (f.nahead) {		/* used a marked page: start the next block */
			anon_read_ahead(ahead, f.nahead);
			f.nahead = 0;
		}
		if (res == FAULT_OOM && pageout_for_fault())
			continue;
		if (res != FAULT_OOM)
			return res;
		break;
	}
	mutex_lock(&vm->lock);		/* account the failure */
	fault_account(&f, res);
	mutex_unlock(&vm->lock);
	return res;
}

const char *vm_fault_reason(enum fault_result r, unsigned int access)
{
	switch (r) {
	case FAULT_OK:
		return "ok";
	case FAULT_NOT_MAPPED:
		return "not mapped";
	case FAULT_PROTECTION:
		if (access == VM_PROT_WRITE)
			return "write to read-only";
		if (access == VM_PROT_EXEC)
			return "execute of non-executable";
		return "read of unreadable";
	case FAULT_OOM:
		return "out of memory";
	case FAULT_IO:
		return "I/O error reading the page";
	case FAULT_PAST_EOF:
		return "past the end of the file";
	case FAULT_AGAIN:
		return "try again";
	}
	return "?";
}
