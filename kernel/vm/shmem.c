/*
 * Shared anonymous memory (MAP_SHARED | MAP_ANONYMOUS): a vobject whose
 * pages are zero-filled on first use and shared by every region that maps
 * it, across fork too. Its pages live in its own page cache, swap-backed
 * (no disk holds them) and evictable: page-out writes them to swap and the
 * cache keeps the swap entry until the page is wanted again. Freed with
 * its last reference.
 */
#include "kern/mutex.h"
#include "vm/kmem.h"
#include "vm/pageout.h"
#include "vm/pcache.h"
#include "vm/reclaim.h"
#include "vm/swap_slots.h"
#include "vm/vobject.h"

struct shmem {
	struct vobject obj;
	struct mutex lock;
	struct pcache pages;		/* lock */
};

/*
 * The page at idx (sh->lock held), made zero-filled if absent, from the
 * zeroed frame *spare, which is taken (*spare becomes NULL) if it is used;
 * read back from swap into it with its neighbours (readahead) if it is
 * there. Returns 0 or VOBJECT_READ_IN with the page in *out, -EAGAIN if a
 * frame is needed and *spare is NULL, -ENOMEM or -EIO.
 */
static int shmem_page_fill(struct shmem *sh, uint64_t idx, struct page **spare,
			   struct page **out)
{
	struct page *pg = pcache_lookup(&sh->pages, idx);
	unsigned int ahead;
	uint64_t e;
	int err;

	if (pg) {
		pcache_page_used(&sh->pages, pg);	/* a hit if read ahead */
		*out = pg;
		return 0;
	}
	if (!*spare)
		return -EAGAIN;
	pg = *spare;
	if (pcache_lookup_swap(&sh->pages, idx, &e)) {
		*spare = NULL;		/* taken in every case */
		/* with its neighbours on swap (vm/swap_ra.h) */
		return pageout_cache_swapin_around(&sh->pages, idx, e, pg, out, &ahead);
	}
	err = pcache_insert(&sh->pages, idx, pg);
	if (err < 0)
		return err;
	*spare = NULL;
	*out = pg;
	return 0;
}

/*
 * The page at idx, made zero-filled if absent, with a reference for the
 * caller; read back from swap with its neighbours (readahead) if it is
 * there. The frame is allocated without sh->lock: reclaim may then evict
 * other pages of sh, which page-out cannot while the lock is held.
 */
static int shmem_get_page(struct vobject *obj, uint64_t idx, struct page **out)
{
	struct shmem *sh = container_of(obj, struct shmem, obj);
	struct page *spare = NULL;
	int err;

	for (;;) {
		mutex_lock(&sh->lock);
		err = shmem_page_fill(sh, idx, &spare, out);
		if (err >= 0)
			page_ref_inc(*out);	/* the caller's */
		mutex_unlock(&sh->lock);
		if (err != -EAGAIN)
			break;
		spare = vm_page_alloc(PMM_ZERO);
		if (!spare)
			return -ENOMEM;
	}
	if (spare)		/* another thread brought the page in */
		pmm_free(spare);
	if (err == VOBJECT_READ_IN)
		pageout_cache_make_room();	/* for the next read's window */
	return err;
}

/*
 * Page-out chose pg: it goes to swap with page-out's batch (a slot in
 * *slot), unless the lock is taken or pg is in use.
 */
static int shmem_pageout(struct vobject *obj, struct page *pg, struct pmap_batch *b,
			 uint64_t *slot)
{
	struct shmem *sh = container_of(obj, struct shmem, obj);
	int err;

	if (!pageout_owner_lock(&sh->lock))
		return -EBUSY;
	err = pageout_cache_begin(&sh->pages, pg, b, slot);
	mutex_unlock(&sh->lock);
	return err;
}

/* The batch wrote pg to slot (err): the slot replaces it if it is untouched. */
static int shmem_pageout_end(struct vobject *obj, struct page *pg, uint64_t slot, int err)
{
	return pageout_cache_end(&container_of(obj, struct shmem, obj)->pages, pg, slot, err);
}

static void shmem_release(struct vobject *obj)
{
	struct shmem *sh = container_of(obj, struct shmem, obj);

	pcache_release(&sh->pages);
	kfree(sh);
}

static bool shmem_resident(struct vobject *obj, uint64_t idx)
{
	struct shmem *sh = container_of(obj, struct shmem, obj);
	bool in;

	mutex_lock(&sh->lock);
	in = pcache_lookup(&sh->pages, idx) != NULL;
	mutex_unlock(&sh->lock);
	return in;
}

/* As Linux names every shared anonymous mapping in /proc/<pid>/maps. */
static const char *shmem_path(struct vobject *obj)
{
	return "/dev/zero (deleted)";
}

static int shmem_swap_drain(struct vobject *obj, int area)
{
	struct shmem *sh = container_of(obj, struct shmem, obj);
	uint64_t idx = 0, e;
	struct page *pg;
	int err = 0;

	mutex_lock(&sh->lock);
	while (!err && pcache_next_swap(&sh->pages, idx, &idx, &e)) {
		if ((int)swap_entry_area((swap_entry_t){ e }) == area)
			err = pageout_cache_swapin(&sh->pages, idx, e, NULL, &pg);
		err = err < 0 ? err : 0;
		idx++;
	}
	mutex_unlock(&sh->lock);
	return err;
}

/*
 * A hole in [from, to): the slots of the pages on swap are freed (no read),
 * the pages in memory dropped or zeroed (pcache_punch_page). Returns 0.
 */
static int shmem_punch(struct vobject *obj, uint64_t from, uint64_t to)
{
	struct shmem *sh = container_of(obj, struct shmem, obj);
	uint64_t idx = from, e;

	mutex_lock(&sh->lock);
	while (pcache_next_swap(&sh->pages, idx, &idx, &e) && idx < to) {
		if (pcache_remove(&sh->pages, idx))	/* frees the slot */
			panic("shmem_punch: page %lu is not on swap", (unsigned long)idx);
		idx++;
	}
	pcache_foreach_range(&sh->pages, from, to, pcache_punch_page, NULL);
	mutex_unlock(&sh->lock);
	return 0;
}

static bool shmem_on_swap(struct vobject *obj, uint64_t idx)
{
	return pcache_is_on_swap(&container_of(obj, struct shmem, obj)->pages, idx);
}

static const struct vobject_ops shmem_ops = {
	.get_page = shmem_get_page,
	.release = shmem_release,
	.path = shmem_path,
	.resident = shmem_resident,
	.pageout = shmem_pageout,
	.pageout_end = shmem_pageout_end,
	.swap_drain = shmem_swap_drain,
	.punch = shmem_punch,
	.on_swap = shmem_on_swap,
};

struct vobject *shmem_create(uint64_t size)
{
	struct shmem *sh = kmalloc(sizeof(*sh), KM_ZERO);

	if (!sh)
		return NULL;
	mutex_init(&sh->lock, "shmem");
	pcache_setup(&sh->pages, &sh->obj, &sh->lock,
		     PCACHE_SWAPBACKED | PCACHE_EVICTABLE);
	sh->obj.ops = &shmem_ops;
	sh->obj.refs = 1;
	sh->obj.size = size;
	return &sh->obj;
}

uint64_t shmem_resident_pages(struct vobject *obj)
{
	return pcache_count(&container_of(obj, struct shmem, obj)->pages);
}
