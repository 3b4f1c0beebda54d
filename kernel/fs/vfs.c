/*
 * The VFS core: vnodes and their page caches, the mount table and path
 * resolution.
 */
#include "fs/vfs.h"
#include "fs/vfs_walk.h"
#include "kern/files.h"
#include "vm/kmem.h"
#include "vm/pageout.h"
#include "vm/pcache.h"
#include "vm/reclaim.h"
#include "vm/swap_slots.h"
#include "vm/swap_ra.h"
#include "vm/vmstat.h"
#include "vm/swapon.h"
#include "arch/riscv/timer.h"
#include "dev/rtc.h"

#define NSEC_PER_SEC	1000000000LL

#define MOUNTS_MAX	8
#define SYMLINKS_MAX	40

uint64_t vfs_cached_pages;

/*
 * Pages holding the data of files on writable file systems (tmpfs), in
 * memory or on swap: at most vfs_written_limit(), so that filling /tmp
 * leaves the kernel the memory to go on (and to remove the files). Atomic.
 */
static uint64_t vfs_written_pages;

/* The cache of vn gained (+1) or lost (-n) pages of data: keep the counters. */
static void vfs_count_pages(struct vnode *vn, int64_t delta)
{
	__atomic_add_fetch(&vfs_cached_pages, delta, __ATOMIC_RELAXED);
	if (vn->writable_fs)
		__atomic_add_fetch(&vfs_written_pages, delta, __ATOMIC_RELAXED);
}

/*
 * A page of vn went to swap (-1) or came back (+1): only the frames
 * counted change, the file's data stays.
 */
static void vfs_count_resident(int64_t delta)
{
	__atomic_add_fetch(&vfs_cached_pages, delta, __ATOMIC_RELAXED);
}

/*
 * Vnodes whose cached pages can be read again (vnode_cache_is_clean), and
 * those whose pages can go to swap (vnode_cache_is_swapbacked), which
 * swapoff reads back whether or not a process maps them.
 */
static struct spinlock clean_lock = SPINLOCK_INIT("clean caches");
static struct list_node clean_vnodes = LIST_HEAD_INIT(clean_vnodes);	/* clean_lock */
static struct list_node swap_vnodes = LIST_HEAD_INIT(swap_vnodes);	/* clean_lock */

static struct {
	char path[64];
	size_t len;
	struct vnode *root;
	const char *what;	/* "source type options" (/proc/mounts) */
} mounts[MOUNTS_MAX];
static int nmounts;

static int vnode_page_io(struct vnode *vn, uint64_t idx, struct page **out);

static int vnode_get_page(struct vobject *obj, uint64_t idx, struct page **pg)
{
	return vnode_page_io(container_of(obj, struct vnode, obj), idx, pg);
}

static void vnode_release(struct vobject *obj)
{
	struct vnode *vn = container_of(obj, struct vnode, obj);

	if (!list_empty(&vn->locks))
		panic("vnode_release: a vnode nobody opens holds record locks");
	if (vn->clean_link.next || vn->swap_link.next) {
		unsigned long flags = spin_lock_irqsave(&clean_lock);

		if (vn->clean_link.next)
			list_remove(&vn->clean_link);
		if (vn->swap_link.next)
			list_remove(&vn->swap_link);
		spin_unlock_irqrestore(&clean_lock, flags);
	}
	vfs_count_pages(vn, -(int64_t)pcache_count(&vn->pages));
	if (vn->writable_fs)	/* its pages on swap were data too */
		__atomic_sub_fetch(&vfs_written_pages, vn->pages.nswapped, __ATOMIC_RELAXED);
	pcache_release(&vn->pages);	/* frees the swap slots */
	if (vn->ops->release)
		vn->ops->release(vn);
}

static const char *vnode_path(struct vobject *obj)
{
	return container_of(obj, struct vnode, obj)->path;
}

static void vnode_ident(struct vobject *obj, uint32_t *dev, uint64_t *ino)
{
	struct vnode *vn = container_of(obj, struct vnode, obj);

	*dev = vn->dev;
	*ino = vn->ino;
}

static bool vnode_resident(struct vobject *obj, uint64_t idx)
{
	struct vnode *vn = container_of(obj, struct vnode, obj);
	bool in;

	mutex_lock(&vn->lock);
	in = pcache_lookup(&vn->pages, idx) != NULL;
	mutex_unlock(&vn->lock);
	return in;
}

static void vnode_cache_drop(struct vnode *vn, uint64_t idx, struct page *pg);
static bool page_unused(struct page *pg);

/* Free the swap slots of vn's pages at indices [from, to) (vn->lock). */
static void vnode_free_swapped(struct vnode *vn, uint64_t from, uint64_t to)
{
	uint64_t idx, e;

	while (pcache_next_swap(&vn->pages, from, &idx, &e) && idx < to) {
		if (pcache_remove(&vn->pages, idx))
			panic("vnode_free_swapped: page %lu is not on swap",
			      (unsigned long)idx);
		if (vn->writable_fs)
			__atomic_sub_fetch(&vfs_written_pages, 1, __ATOMIC_RELAXED);
		from = idx + 1;
	}
}

/* A page of a punched hole: dropped if unused, else zeroed (vn->lock held). */
static int punch_page(struct pcache *pc, uint64_t idx, struct page *pg, void *arg)
{
	if (page_unused(pg))
		vnode_cache_drop(arg, idx, pg);
	else
		memset(page_to_virt(pg), 0, PAGE_SIZE);
	return 0;
}

/*
 * A hole in pages [from, to) of a file of a memory file system (tmpfs:
 * its pages are its only copy; those on swap just give their slots back);
 * -EOPNOTSUPP for a file on a disk, as Linux's file systems without
 * FALLOC_FL_PUNCH_HOLE.
 */
static int vnode_punch(struct vobject *obj, uint64_t from, uint64_t to)
{
	struct vnode *vn = container_of(obj, struct vnode, obj);

	if (!vn->writable_fs)
		return -EOPNOTSUPP;
	mutex_lock(&vn->lock);
	vnode_free_swapped(vn, from, to);
	pcache_foreach_range(&vn->pages, from, to, punch_page, vn);
	mutex_unlock(&vn->lock);
	vnode_touch(vn, true, true);
	return 0;
}

/*
 * Page-out chose pg, a page of an evictable cache (only those are on the
 * policy), unless vn's lock is taken or pg is in use: a swap-backed page
 * (tmpfs) goes to swap with page-out's batch (a slot in *slot;
 * vnode_pageout_end follows the write), a clean page of a file on a disk
 * (the root file system: vnode_cache_is_clean) is dropped, mapped or not.
 */
static int vnode_pageout(struct vobject *obj, struct page *pg, struct pmap_batch *b,
			 uint64_t *slot)
{
	struct vnode *vn = container_of(obj, struct vnode, obj);
	int err;

	if (!pageout_owner_lock(&vn->lock))
		return -EBUSY;
	if (READ_ONCE(pg->flags) & PG_SWAPBACKED) {
		err = pageout_cache_begin(&vn->pages, pg, b, slot);
	} else {
		err = pageout_cache_drop(&vn->pages, pg, b);
		if (err == VOBJECT_DROPPED)
			vfs_count_pages(vn, -1);
	}
	mutex_unlock(&vn->lock);
	return err;
}

/* The batch wrote pg to slot (err): the slot replaces it if it is untouched. */
static int vnode_pageout_end(struct vobject *obj, struct page *pg, uint64_t slot, int err)
{
	struct vnode *vn = container_of(obj, struct vnode, obj);

	err = pageout_cache_end(&vn->pages, pg, slot, err);
	if (err == 0)
		vfs_count_resident(-1);
	return err;
}

static bool vnode_on_swap(struct vobject *obj, uint64_t idx)
{
	return pcache_is_on_swap(&container_of(obj, struct vnode, obj)->pages, idx);
}

static const struct vobject_ops vnode_vobject_ops = {
	.get_page = vnode_get_page,
	.release = vnode_release,
	.path = vnode_path,
	.ident = vnode_ident,
	.resident = vnode_resident,
	.punch = vnode_punch,
	.pageout = vnode_pageout,
	.pageout_end = vnode_pageout_end,
	.on_swap = vnode_on_swap,
};

void vnode_init(struct vnode *vn, enum vtype type, uint32_t mode,
		const struct vnode_ops *ops)
{
	vn->obj.ops = &vnode_vobject_ops;
	vn->obj.refs = 1;
	vn->type = type;
	vn->mode = mode;
	vn->nlink = 1;
	vn->ops = ops;
	mutex_init(&vn->lock, "vnode");
	list_init(&vn->locks);
	pcache_setup(&vn->pages, &vn->obj, &vn->lock, 0);
}

/*
 * A new page of vn at idx, read in and put in its cache (vn->lock held),
 * in the zeroed frame *spare if there is one (taken: *spare becomes NULL);
 * spare_read >= 0: *spare holds the page already, read with that result.
 * Returns 0, VOBJECT_READ_IN if readpage read it from a disk, or -errno
 * (-ENOSPC, -ENOMEM, or the readpage error).
 */
static int vnode_page_read(struct vnode *vn, uint64_t idx, struct page **spare,
			   int spare_read, struct page **out)
{
	struct page *pg;
	int read, err;

	if (vn->writable_fs &&
	    __atomic_load_n(&vfs_written_pages, __ATOMIC_RELAXED) >= vfs_written_limit())
		return -ENOSPC;
	pg = *spare ? *spare : vm_page_alloc(PMM_ZERO);
	*spare = NULL;
	if (!pg)
		return -ENOMEM;
	if (spare_read >= 0)
		read = spare_read;	/* read already, without vn->lock */
	else
		read = vn->ops->readpage ? vn->ops->readpage(vn, idx, page_to_virt(pg)) : 0;
	err = read < 0 ? read : pcache_insert(&vn->pages, idx, pg);
	if (err) {
		pmm_free(pg);
		return err;
	}
	vfs_count_pages(vn, 1);
	*out = pg;
	return read > 0 ? VOBJECT_READ_IN : 0;
}

/*
 * If page idx of vn is on swap, read it back into the cache (vn->lock
 * held), into the frame *spare if there is one (taken: *spare becomes
 * NULL), with the neighbours on swap that readahead reads with it. Returns VOBJECT_READ_IN with the page in *out (no reference for
 * the caller), 0 if it is not on swap, -ENOMEM or -EIO (it stays there).
 */
static int vnode_swapin(struct vnode *vn, uint64_t idx, struct page **spare,
			struct page **out)
{
	struct page *pg = *spare;
	unsigned int ahead;
	uint64_t e;
	int err;

	if (!pcache_lookup_swap(&vn->pages, idx, &e))
		return 0;
	*spare = NULL;
	err = pageout_cache_swapin_around(&vn->pages, idx, e, pg, out, &ahead);
	if (err >= 0)
		vfs_count_resident(1 + ahead);
	return err;
}

/*
 * Page idx of vn, which is not in its cache, brought in (vn->lock held):
 * read back from swap, or made new. A swap-backed cache takes the frame
 * from *spare, and without one returns -EAGAIN: the caller allocates it
 * without vn->lock, since reclaim may want to evict pages of vn, which
 * page-out cannot while the lock is held. Returns as vnode_page_io.
 */
static int vnode_page_fill(struct vnode *vn, uint64_t idx, struct page **spare,
			   int spare_read, struct page **out)
{
	int err;

	if (vn->pages.evictable && !*spare)
		return -EAGAIN;
	if (vn->pages.nswapped) {
		err = vnode_swapin(vn, idx, spare, out);
		if (err)
			return err;
	}
	return vnode_page_read(vn, idx, spare, spare_read, out);
}

/*
 * Is vn's cache one of clean pages that page-out drops (a file of a
 * read-only disk: vnode_cache_is_clean)? Its pages are read without
 * vn->lock, so that page-out can drop other pages of the file meanwhile.
 */
static bool vnode_reads_unlocked(const struct vnode *vn)
{
	return vn->pages.evictable && !(vn->pages.page_flags & PG_SWAPBACKED) &&
	       vn->ops->readpage;
}

/*
 * File readahead, for a file whose cache is read without vn->lock
 * (vnode_reads_unlocked) and whose file system reads several pages in one
 * request (readpages): a page that is not in the cache comes with up to
 * FILE_RA_MAX pages that follow it, as many as the window of the cache's
 * readahead state allows (the swap readahead rule, vm/swap_ra.h: it grows
 * while the pages read ahead are used, and is one page on random access),
 * placed forward from the page: a file is read forward far more often than
 * backward.
 */
#define FILE_RA_MAX	(SWAP_RA_PAGES - 2)	/* with the page and a scratch
						   frame: one 128 KiB request */

/*
 * How many pages after idx to read with it (vn->lock held): those of the
 * window that follow it up to the first one in the cache, before the end
 * of the file.
 */
static unsigned int file_ra_plan(struct vnode *vn, uint64_t idx)
{
	uint64_t end = ALIGN_UP(vn->size, PAGE_SIZE) >> PAGE_SHIFT;
	unsigned int win = swap_ra_window(&vn->pages.ra, idx), n = 0;

	while (n + 1 < win && n < FILE_RA_MAX && idx + 1 + n < end &&
	       !pcache_lookup(&vn->pages, idx + 1 + n))
		n++;
	return n;
}

/*
 * Read page idx of vn into spare, with no lock held, and up to `want`
 * pages after it into frames taken for them (pageout_readahead_frame: none
 * while memory is short), in one request (readpages); if that cannot be
 * done, idx alone (readpage). *read: the result for idx, as readpage's.
 * Returns how many pages were read ahead, their frames in ahead[].
 */
static unsigned int file_ra_read(struct vnode *vn, uint64_t idx, struct page *spare,
				 unsigned int want, struct page **ahead, int *read)
{
	struct page *pages[1 + FILE_RA_MAX];
	unsigned int n = 0;

	pages[0] = spare;
	while (n < want && (pages[1 + n] = pageout_readahead_frame()))
		n++;
	if (n) {
		*read = vn->ops->readpages(vn, idx, pages, 1 + n);
		if (*read >= 0) {
			memcpy(ahead, pages + 1, n * sizeof(pages[0]));
			return n;
		}
		for (unsigned int i = 0; i < n; i++)
			pmm_free(pages[1 + i]);
	}
	*read = vn->ops->readpage(vn, idx, page_to_virt(spare));
	return 0;
}

/*
 * Put the n pages read ahead after idx into vn's cache (vn->lock held),
 * marked PG_READAHEAD (not used yet, vm/pcache.h); a page another reader
 * brought in meanwhile keeps its place and the frame is freed.
 */
static void file_ra_insert(struct vnode *vn, uint64_t idx, struct page **ahead,
			   unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		struct page *pg = ahead[i];

		__atomic_store_n(&pg->flags, pg->flags | PG_READAHEAD, __ATOMIC_RELAXED);
		if (pcache_insert(&vn->pages, idx + 1 + i, pg) < 0) {
			__atomic_store_n(&pg->flags, pg->flags & ~PG_READAHEAD,
					 __ATOMIC_RELAXED);
			pmm_free(pg);
			continue;
		}
		vfs_count_pages(vn, 1);
		vmstat_inc(VMSTAT_FILE_RA);
	}
}

/*
 * The page of vn at idx with a reference for the caller; 0,
 * VOBJECT_READ_IN (it was read from a disk or from swap: a major fault)
 * or -errno (-ENOMEM, -EIO, -ENOSPC, or the readpage error). Takes vn->lock.
 */
static int vnode_page_io(struct vnode *vn, uint64_t idx, struct page **out)
{
	struct page *pg, *spare = NULL, *ahead[FILE_RA_MAX];
	int err, spare_read = -1;
	unsigned int want = 0, nahead = 0;

	for (;;) {
		mutex_lock(&vn->lock);
		pg = pcache_lookup(&vn->pages, idx);
		if (pg)
			pcache_page_used(&vn->pages, pg);	/* a hit if read ahead */
		err = pg ? 0 : vnode_page_fill(vn, idx, &spare, spare_read, &pg);
		if (err >= 0) {
			page_ref_inc(pg);	/* the caller's */
			*out = pg;
			file_ra_insert(vn, idx, ahead, nahead);
			nahead = 0;
		} else if (err == -EAGAIN && vnode_reads_unlocked(vn) && vn->ops->readpages) {
			want = file_ra_plan(vn, idx);
		}
		mutex_unlock(&vn->lock);
		if (err != -EAGAIN)
			break;
		spare = vm_page_alloc(PMM_ZERO);
		if (!spare)
			return -ENOMEM;
		if (vnode_reads_unlocked(vn)) {
			/* two readers may both read it: the first in keeps it */
			nahead = file_ra_read(vn, idx, spare, want, ahead, &spare_read);
			if (spare_read < 0) {
				pmm_free(spare);
				return spare_read;
			}
		}
	}
	for (unsigned int i = 0; i < nahead; i++)	/* idx could not be had */
		pmm_free(ahead[i]);
	if (spare)		/* another thread brought the page in */
		pmm_free(spare);
	if (err == VOBJECT_READ_IN && (vn->pages.page_flags & PG_SWAPBACKED))
		pageout_cache_make_room();	/* for the next read's window */
	return err;
}

int vnode_page(struct vnode *vn, uint64_t idx, struct page **out)
{
	int err = vnode_page_io(vn, idx, out);

	return err < 0 ? err : 0;
}

int vnode_page_wait(struct vnode *vn, uint64_t idx, struct page **out)
{
	int err;

	while ((err = vnode_page(vn, idx, out)) == -ENOMEM && pageout_for_fault())
		;
	return err;
}

void vnode_cache_is_clean(struct vnode *vn)
{
	unsigned long flags;

	/* on the policy: page-out may drop its pages, mapped or not */
	pcache_setup(&vn->pages, &vn->obj, &vn->lock, PCACHE_EVICTABLE);
	flags = spin_lock_irqsave(&clean_lock);

	list_append(&clean_vnodes, &vn->clean_link);
	spin_unlock_irqrestore(&clean_lock, flags);
}

void vnode_cache_is_swapbacked(struct vnode *vn)
{
	unsigned long flags;

	pcache_setup(&vn->pages, &vn->obj, &vn->lock,
		     PCACHE_SWAPBACKED | PCACHE_EVICTABLE);
	flags = spin_lock_irqsave(&clean_lock);
	list_append(&swap_vnodes, &vn->swap_link);
	spin_unlock_irqrestore(&clean_lock, flags);
}

uint64_t vfs_written_limit(void)
{
	uint64_t swap_total, swap_free;

	swap_slots_totals(&swap_total, &swap_free);
	return (pmm_total_frames() + swap_total) / 2;
}

/*
 * Whether pg, a page of a cache whose owner's lock is held, is used by
 * nobody but the cache: no page table maps it and no caller of vnode_page
 * holds it.
 *
 * A page is held by the cache (refcount 1) plus every caller of vnode_page
 * still using it; those take their reference under vn->lock, which the
 * caller holds, so a page seen with refcount 1 and mapcount 0 cannot gain a
 * user before the caller has taken it out of the cache. A fault maps the
 * page before dropping its reference.
 */
static bool page_unused(struct page *pg)
{
	return __atomic_load_n(&pg->refcount, __ATOMIC_ACQUIRE) == 1 &&
	       page_mapcount(pg) == 0;
}

/* Take the unused page pg at idx out of vn's cache and free it (vn->lock). */
static void vnode_cache_drop(struct vnode *vn, uint64_t idx, struct page *pg)
{
	if (pcache_remove(&vn->pages, idx) != pg)
		panic("vnode_cache_drop: page %lu is not in the cache",
		      (unsigned long)idx);
	page_put(pg);
	vfs_count_pages(vn, -1);
}

/* A walk dropping the unused pages of a vnode's cache, up to `want`. */
struct drop_walk {
	struct vnode *vn;
	uint64_t want, freed;
};

static int drop_if_unused(struct pcache *pc, uint64_t idx, struct page *pg,
			  void *arg)
{
	struct drop_walk *w = arg;

	if (!page_unused(pg))
		return 0;
	vnode_cache_drop(w->vn, idx, pg);
	return ++w->freed == w->want;		/* enough: stop */
}

/*
 * Drop the pages of vn's cache that nobody maps or holds (page_unused), up
 * to want. Returns the number freed; 0 if vn's lock is busy.
 */
static uint64_t vnode_drop_clean(struct vnode *vn, uint64_t want)
{
	struct drop_walk w = { .vn = vn, .want = want };

	if (want == 0 || !mutex_trylock(&vn->lock))
		return 0;
	pcache_foreach_range(&vn->pages, 0, PCACHE_MAX_PAGES, drop_if_unused, &w);
	mutex_unlock(&vn->lock);
	return w.freed;
}

/* A walk of the pages of bytes [size, old) that a truncation cuts off. */
struct truncate_walk {
	struct vnode *vn;
	uint64_t size, old;
};

static int truncate_page(struct pcache *pc, uint64_t idx, struct page *pg,
			 void *arg)
{
	struct truncate_walk *w = arg;
	uint64_t start = idx << PAGE_SHIFT;
	uint64_t from = MAX(w->size, start), to = MIN(w->old, start + PAGE_SIZE);

	if (from == start && page_unused(pg))
		vnode_cache_drop(w->vn, idx, pg);
	else
		memset((char *)page_to_virt(pg) + (from - start), 0, to - from);
	return 0;
}

int vnode_cache_truncate(struct vnode *vn, uint64_t size)
{
	struct truncate_walk w = { .vn = vn, .size = size, .old = vn->size };
	struct page *pg;
	int err;

	if (size >= vn->size)
		return 0;
	if ((size & PAGE_MASK) && vn->pages.nswapped) {
		/* the page keeping bytes below size: its tail is zeroed below */
		pg = NULL;		/* no spare: allocated under the lock */
		err = vnode_swapin(vn, size >> PAGE_SHIFT, &pg, &pg);
		if (err < 0)
			return err;
	}
	pcache_foreach_range(&vn->pages, size >> PAGE_SHIFT,
			     ALIGN_UP(vn->size, PAGE_SIZE) >> PAGE_SHIFT,
			     truncate_page, &w);
	if (vn->pages.nswapped)
		vnode_free_swapped(vn, ALIGN_UP(size, PAGE_SIZE) >> PAGE_SHIFT,
				   PCACHE_MAX_PAGES);
	return 0;
}

/*
 * Read back every page of vn that is on swap area `area` (swapoff), each
 * through vnode_page_io: its frame is allocated without vn->lock. Returns
 * 0, -ENOMEM or -EIO (the pages not read stay on swap).
 */
static int vnode_swap_drain(struct vnode *vn, int area)
{
	uint64_t idx = 0, e;
	struct page *pg;
	bool found;
	int err = 0;

	while (!err) {
		mutex_lock(&vn->lock);
		found = pcache_next_swap(&vn->pages, idx, &idx, &e);
		mutex_unlock(&vn->lock);
		if (!found)
			break;
		if ((int)swap_entry_area((swap_entry_t){ e }) == area) {
			err = vnode_page_io(vn, idx, &pg);
			if (err >= 0)
				page_put(pg);
			err = err < 0 ? err : 0;
		}
		idx++;
	}
	return err;
}

/* The swap-backed vnode after vn (the first if vn is NULL), with a reference. */
static struct vnode *swap_next(struct vnode *vn)
{
	unsigned long flags = spin_lock_irqsave(&clean_lock);
	struct list_node *n = vn ? vn->swap_link.next : swap_vnodes.next;
	struct vnode *next = NULL;

	for (; n != &swap_vnodes && !next; n = n->next) {
		next = list_entry(n, struct vnode, swap_link);
		if (!vobject_tryref(&next->obj))
			next = NULL;
	}
	spin_unlock_irqrestore(&clean_lock, flags);
	return next;
}

/*
 * swapoff: read back the pages of every swap-backed file on area, mapped
 * or not. Returns 0, -ENOMEM or -EIO.
 */
static int vfs_swap_drain(int area)
{
	struct vnode *vn = swap_next(NULL), *next;
	int err = 0;

	for (; vn && !err; vn = next) {
		err = vnode_swap_drain(vn, area);
		next = swap_next(vn);
		vnode_put(vn);
	}
	if (vn)
		vnode_put(vn);
	return err;
}

/*
 * The clean vnode after vn (the first if vn is NULL), with a reference.
 * One whose last reference is going (it is about to leave the list) is
 * passed over.
 */
static struct vnode *clean_next(struct vnode *vn)
{
	unsigned long flags = spin_lock_irqsave(&clean_lock);
	struct list_node *n = vn ? vn->clean_link.next : clean_vnodes.next;
	struct vnode *next = NULL;

	for (; n != &clean_vnodes && !next; n = n->next) {
		next = list_entry(n, struct vnode, clean_link);
		if (!vobject_tryref(&next->obj))
			next = NULL;
	}
	spin_unlock_irqrestore(&clean_lock, flags);
	return next;
}

uint64_t vfs_drop_caches(uint64_t want)
{
	uint64_t freed = 0;
	struct vnode *vn = clean_next(NULL), *next;

	for (; vn && freed < want; vn = next) {
		freed += vnode_drop_clean(vn, want - freed);
		next = clean_next(vn);
		vnode_put(vn);
	}
	if (vn)
		vnode_put(vn);
	return freed;
}

static uint64_t (*vnode_droppers[4])(void);
static int nvnode_droppers;

void vfs_register_vnode_dropper(uint64_t (*drop)(void))
{
	if (nvnode_droppers == (int)ARRAY_SIZE(vnode_droppers))
		panic("vfs_register_vnode_dropper: too many");
	vnode_droppers[nvnode_droppers++] = drop;
}

uint64_t vfs_drop_vnodes(void)
{
	uint64_t dropped = 0;

	for (int i = 0; i < nvnode_droppers; i++)
		dropped += vnode_droppers[i]();
	return dropped;
}

static struct shrinker page_cache_shrinker = {
	.name = "page cache",
	.shrink = vfs_drop_caches,
};

long vnode_read(struct vnode *vn, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;

	if (off >= vn->size)
		return 0;
	len = MIN(len, vn->size - off);
	while (done < len) {
		struct page *pg;
		uint64_t pos = off + done;
		size_t in_page = pos & PAGE_MASK;
		size_t n = MIN(len - done, PAGE_SIZE - in_page);
		int err = vnode_page(vn, pos >> PAGE_SHIFT, &pg);

		if (err)
			return done ? (long)done : err;
		memcpy((char *)buf + done, (char *)page_to_virt(pg) + in_page, n);
		page_put(pg);
		done += n;
	}
	return done;
}

void vnode_stat(struct vnode *vn, struct kstat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = vn->dev;
	st->st_ino = vn->ino;
	st->st_mode = vn->mode;
	st->st_nlink = vn->nlink;
	st->st_uid = vn->uid;
	st->st_gid = vn->gid;
	st->st_rdev = vn->rdev;
	st->st_size = vn->size;
	st->st_blksize = PAGE_SIZE;
	st->st_blocks = ALIGN_UP(vn->size, 512) / 512;
	st->st_atime = vn->atime / NSEC_PER_SEC;
	st->st_atime_nsec = vn->atime % NSEC_PER_SEC;
	st->st_mtime = vn->mtime / NSEC_PER_SEC;
	st->st_mtime_nsec = vn->mtime % NSEC_PER_SEC;
	st->st_ctime = vn->ctime / NSEC_PER_SEC;
	st->st_ctime_nsec = vn->ctime % NSEC_PER_SEC;
}

struct vnode *vnode_of_object(struct vobject *obj)
{
	return obj->ops == &vnode_vobject_ops ? container_of(obj, struct vnode, obj) : NULL;
}

int64_t vfs_now(void)
{
	return rtc_now_ns();		/* CLOCK_REALTIME */
}

void vnode_touch(struct vnode *vn, bool mtime, bool ctime)
{
	int64_t now = vfs_now();

	if (mtime)
		vn->mtime = now;
	if (ctime)
		vn->ctime = now;
}

void vfs_init(void)
{
	reclaim_register(&page_cache_shrinker);
	swap_register_drainer(vfs_swap_drain);
}

int vfs_mount(const char *mountpoint, struct vnode *root, const char *what)
{
	if (nmounts == MOUNTS_MAX || strlen(mountpoint) >= sizeof(mounts[0].path))
		return -ENOMEM;
	strlcpy(mounts[nmounts].path, mountpoint, sizeof(mounts[0].path));
	mounts[nmounts].len = strlen(mountpoint);
	mounts[nmounts].root = root;
	mounts[nmounts].what = what;
	nmounts++;
	return 0;
}

int vfs_mount_info(int i, const char **path, const char **what)
{
	if (i < 0 || i >= nmounts)
		return -ENOENT;
	*path = mounts[i].path;
	*what = mounts[i].what;
	return 0;
}

const char *vfs_mount_what(struct vnode *vn)
{
	for (int i = 0; i < nmounts; i++)
		if (mounts[i].root->dev == vn->dev)
			return mounts[i].what;
	return NULL;
}

uint64_t vfs_written_frames(void)
{
	return __atomic_load_n(&vfs_written_pages, __ATOMIC_RELAXED);
}

/* The root of the file system mounted exactly at path[0..len), or NULL. */
static struct vnode *mount_at(const char *path, size_t len)
{
	if (len == 0)
		path = "/", len = 1;
	for (int i = 0; i < nmounts; i++)
		if (mounts[i].len == len && memcmp(mounts[i].path, path, len) == 0)
			return mounts[i].root;
	return NULL;
}

/*
 * Path resolution. A path is walked as a string from "/": a relative one is
 * first joined to the canonical path of its base directory, a symbolic link
 * is spliced in front of what is left, and ".." re-walks the canonical path
 * of the directory reached so far without its last component.
 *
 * Limits, as Linux: a path given to the VFS is shorter than PATH_MAX (the
 * copy from user memory makes sure of it, and walk_begin checks again), and
 * every component that is looked up or created, the last one included, is
 * at most NAME_MAX bytes (walk_step, walk_parent). The canonical path of a
 * directory reached must also be shorter than PATH_MAX: Kilburn keeps it
 * for getcwd and for opening relative to a descriptor.
 */
#define WALK_MAX	(2 * PATH_MAX)	/* a base path and a relative path, joined */

/* Start again at "/" with path `p` (absolute; it may be in w->buf). */
static int walk_restart(struct walk *w, const char *p)
{
	size_t len = strnlen(p, WALK_MAX);

	if (len == WALK_MAX)
		return -ENAMETOOLONG;
	if (w->buf != p)
		memmove(w->buf, p, len + 1);
	w->rest = w->buf;
	if (w->dir)
		vnode_put(w->dir);
	w->dir = mount_at("/", 1);
	vnode_get(w->dir);
	w->done[0] = 0;
	w->done_len = 0;
	return 0;
}

/* Take the next component off w->rest (its start and length); false at the end. */
static bool next_component(struct walk *w, char **name, size_t *len, bool *last)
{
	char *p = w->rest;

	while (*p == '/')
		p++;
	if (!*p)
		return false;
	*name = p;
	while (*p && *p != '/')
		p++;
	*len = p - *name;
	while (*p == '/')
		p++;
	*last = !*p;
	return true;
}

/* Go up to the parent of the directory reached so far (re-walked from "/"). */
static int walk_dotdot(struct walk *w)
{
	char *up = w->done;
	size_t n = w->done_len, rl = strlen(w->rest);
	char *saved;
	int err;

	while (n > 0 && up[n - 1] != '/')
		n--;
	if (n > 0)
		n--;			/* the slash */
	up[n] = 0;
	if (n + 1 + rl + 1 > WALK_MAX)
		return -ENAMETOOLONG;
	/* re-resolve the parent from the root: simple and symlink-free */
	saved = kmalloc(WALK_MAX, 0);
	if (!saved)
		return -ENOMEM;
	memcpy(saved, up, n);
	saved[n] = '/';
	memcpy(saved + n + 1, w->rest, rl + 1);
	err = walk_restart(w, saved);
	kfree(saved);
	return err;
}

/* Splice a symlink target in front of the rest of the path. */
static int walk_symlink(struct walk *w, struct vnode *link)
{
	char *target = kmalloc(PATH_MAX, 0), *joined = kmalloc(WALK_MAX, 0);
	long n;
	int err = -ENAMETOOLONG;

	if (!target || !joined) {
		err = -ENOMEM;
		goto out;
	}
	if (++w->links > SYMLINKS_MAX) {
		err = -ELOOP;
		goto out;
	}
	n = link->ops->readlink(link, target, PATH_MAX - 1);
	if (n < 0) {
		err = n;
		goto out;
	}
	target[n] = 0;
	if (target[0] == '/')
		n = ksnprintf(joined, WALK_MAX, "%s/%s", target, w->rest);
	else
		n = ksnprintf(joined, WALK_MAX, "%s/%s/%s", w->done, target, w->rest);
	if (n < WALK_MAX)
		err = walk_restart(w, joined);
out:
	kfree(target);
	kfree(joined);
	return err;
}

/* The root of the file system mounted at w->done + "/" + name, or NULL. */
struct vnode *walk_mounted(struct walk *w, const char *name, size_t len)
{
	struct vnode *root = NULL;

	if (w->done_len + 1 + len < PATH_MAX) {
		w->done[w->done_len] = '/';
		memcpy(w->done + w->done_len + 1, name, len);
		root = mount_at(w->done, w->done_len + 1 + len);
		w->done[w->done_len] = 0;
	}
	return root;
}

/*
 * Step from w->dir into component name; *vn gets the result (a reference).
 * Errors: -ENOTDIR, -ENAMETOOLONG (a name above NAME_MAX, or a canonical
 * path of PATH_MAX bytes or more), and those of the lookup.
 */
static int walk_step(struct walk *w, const char *name, size_t len,
		     struct vnode **vn)
{
	struct vnode *mounted;

	int err;

	if (w->dir->type != VDIR)
		return -ENOTDIR;
	if (len > NAME_MAX || w->done_len + 1 + len >= PATH_MAX)
		return -ENAMETOOLONG;
	if ((err = vnode_permission(w->dir, MAY_EXEC)) < 0)
		return err;
	mounted = walk_mounted(w, name, len);
	if (mounted) {
		vnode_get(mounted);
		*vn = mounted;
		return 0;
	}
	return w->dir->ops->lookup(w->dir, name, len, vn);
}

/* Make vn, reached by name from w->dir, the directory reached. */
static void walk_enter(struct walk *w, const char *name, size_t len,
		       struct vnode *vn)
{
	w->done[w->done_len] = '/';
	memcpy(w->done + w->done_len + 1, name, len);
	w->done_len += 1 + len;
	w->done[w->done_len] = 0;
	vnode_put(w->dir);
	w->dir = vn;
}

/*
 * Walk w->rest; stop before the last component if `parent` (*last_len is
 * 0 if there is none: the path is "/"). On return w->dir is the vnode
 * reached.
 */
static int walk_path(struct walk *w, bool nofollow, bool parent,
		     char **last_name, size_t *last_len)
{
	char *name;
	size_t len;
	bool last;

	while (next_component(w, &name, &len, &last)) {
		struct vnode *vn;
		int err;

		if (parent && last) {
			*last_name = name;
			*last_len = len;
			return w->dir->type == VDIR ? 0 : -ENOTDIR;
		}
		w->rest = name + len;
		if (len == 1 && name[0] == '.')
			continue;
		if (len == 2 && name[0] == '.' && name[1] == '.') {
			if ((err = walk_dotdot(w)) < 0)
				return err;
			continue;
		}
		err = walk_step(w, name, len, &vn);
		if (err < 0)
			return err;
		if (vn->type == VLNK && !(last && nofollow)) {
			err = walk_symlink(w, vn);
			vnode_put(vn);
			if (err < 0)
				return err;
			continue;
		}
		walk_enter(w, name, len, vn);
	}
	if (parent)
		*last_len = 0;
	return 0;
}

/*
 * Set up a walk of path relative to cwd. Whatever it returns, walk_end()
 * cleans up. Errors: -ENOENT (empty path), -ENAMETOOLONG, -ENOMEM.
 */
static int walk_begin(struct walk *w, const char *cwd, const char *path)
{
	size_t n;

	memset(w, 0, sizeof(*w));
	if (!path[0])
		return -ENOENT;
	if (strnlen(path, PATH_MAX) == PATH_MAX)
		return -ENAMETOOLONG;
	w->buf = kmalloc(WALK_MAX, 0);
	w->done = kmalloc(PATH_MAX, 0);
	if (!w->buf || !w->done)
		return -ENOMEM;
	if (path[0] == '/')
		n = strlcpy(w->buf, path, WALK_MAX);
	else
		n = ksnprintf(w->buf, WALK_MAX, "%s/%s", cwd, path);
	if (n >= WALK_MAX)
		return -ENAMETOOLONG;
	return walk_restart(w, w->buf);
}

void walk_end(struct walk *w)
{
	if (w->dir)
		vnode_put(w->dir);
	kfree(w->buf);
	kfree(w->done);
}

int vfs_lookup(const char *cwd, const char *path, bool nofollow,
	       struct vnode **out, char *canon)
{
	struct walk w;
	int err = walk_begin(&w, cwd, path);

	if (!err)
		err = walk_path(&w, nofollow, false, NULL, NULL);
	if (!err && path[strlen(path) - 1] == '/' && w.dir->type != VDIR)
		err = -ENOTDIR;
	if (!err) {
		*out = w.dir;
		w.dir = NULL;
		if (canon)
			strlcpy(canon, w.done_len ? w.done : "/", PATH_MAX);
	}
	walk_end(&w);
	return err;
}

/*
 * Walk all of path but its last component, which *last describes; w->dir
 * is then its directory. Errors: those of the walk, -ENOTDIR (the parent
 * is not a directory), -ENAMETOOLONG (the last name is above NAME_MAX, or
 * its canonical path would not be shorter than PATH_MAX: it could never be
 * looked up).
 */
int walk_parent(struct walk *w, const char *cwd, const char *path,
		       struct last *last)
{
	char *name = NULL;
	int err = walk_begin(w, cwd, path);

	if (!err)
		err = walk_path(w, false, true, &name, &last->len);
	if (err)
		return err;
	last->name = name;
	last->slash = path[strlen(path) - 1] == '/';
	if (last->len == 0)
		last->kind = LAST_ROOT;
	else if (last->len == 1 && name[0] == '.')
		last->kind = LAST_DOT;
	else if (last->len == 2 && name[0] == '.' && name[1] == '.')
		last->kind = LAST_DOTDOT;
	else if (last->len > NAME_MAX || w->done_len + 1 + last->len >= PATH_MAX)
		return -ENAMETOOLONG;
	else
		last->kind = LAST_NAME;
	return 0;
}

/*
 * Make `last` in w->dir, with vfs_create's errors in Linux's order: an
 * existing name is EEXIST before a read-only file system (EROFS) or a
 * directory the caller may not write (EACCES).
 */
static int create_last(struct walk *w, const struct last *last, uint32_t mode,
		       struct vnode **out)
{
	struct vnode *dir = w->dir, *vn;
	int err;

	if (last->kind != LAST_NAME || walk_mounted(w, last->name, last->len))
		return -EEXIST;
	if (last->slash && (mode & S_IFMT) != S_IFDIR)
		return -EISDIR;
	if (dir->ops->lookup(dir, last->name, last->len, &vn) == 0) {
		vnode_put(vn);
		return -EEXIST;
	}
	if (!dir->ops->create)
		return -EROFS;
	if ((err = vnode_permission(dir, MAY_WRITE | MAY_EXEC)) < 0)
		return err;
	return dir->ops->create(dir, last->name, last->len, mode, out);
}

int vfs_create(const char *cwd, const char *path, uint32_t mode,
	       struct vnode **out, char *canon)
{
	struct walk w;
	struct last last;
	int err = walk_parent(&w, cwd, path, &last);

	if (!err)
		err = create_last(&w, &last, mode, out);
	if (!err && canon)		/* fits: walk_parent checked */
		ksnprintf(canon, PATH_MAX, "%s/%.*s", w.done, (int)last.len, last.name);
	walk_end(&w);
	return err;
}



/* Remove `last` from w->dir, with vfs_remove's errors in Linux's order. */
static int remove_last(struct walk *w, const struct last *last, bool dir_only)
{
	struct vnode *dir = w->dir, *vn;
	int err;

	if (last->kind != LAST_NAME) {
		if (!dir_only)
			return -EISDIR;
		return last->kind == LAST_ROOT ? -EBUSY :
		       last->kind == LAST_DOT ? -EINVAL : -ENOTEMPTY;
	}
	if (!dir->ops->unlink)
		return -EROFS;
	if (walk_mounted(w, last->name, last->len))
		return -EBUSY;
	err = dir->ops->lookup(dir, last->name, last->len, &vn);
	if (err)
		return err;
	if (last->slash && !dir_only)		/* "name/" must be a directory */
		err = vn->type == VDIR ? -EISDIR : -ENOTDIR;
	if (!err)
		err = vnode_permission(dir, MAY_WRITE | MAY_EXEC);
	if (!err)
		err = vnode_may_delete(dir, vn);
	vnode_put(vn);
	if (err)
		return err;
	return dir->ops->unlink(dir, last->name, last->len, dir_only);
}

int vfs_remove(const char *cwd, const char *path, bool dir_only)
{
	struct walk w;
	struct last last;
	int err = walk_parent(&w, cwd, path, &last);

	if (!err)
		err = remove_last(&w, &last, dir_only);
	walk_end(&w);
	return err;
}

int vdirent_set(struct vdirent *e, uint64_t ino, uint8_t type,
		const char *name, size_t len)
{
	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	e->ino = ino;
	e->type = type;
	memcpy(e->name, name, len);
	e->name[len] = 0;
	return 0;
}
