/*
 * Shared anonymous memory (MAP_SHARED | MAP_ANONYMOUS): a vobject whose
 * pages are zero-filled on first use and shared by every region that maps
 * it, across fork too. Its pages live in its own page cache, swap-backed
 * (no disk holds them). Freed with its last reference.
 */
#include "kern/mutex.h"
#include "vm/kmem.h"
#include "vm/pcache.h"
#include "vm/reclaim.h"
#include "vm/vobject.h"

struct shmem {
	struct vobject obj;
	struct mutex lock;
	struct pcache pages;		/* lock */
};

/* The page at idx, made zero-filled if absent, with a reference for the caller. */
static int shmem_get_page(struct vobject *obj, uint64_t idx, struct page **out)
{
	struct shmem *sh = container_of(obj, struct shmem, obj);
	struct page *pg;
	int err = 0;

	mutex_lock(&sh->lock);
	pg = pcache_lookup(&sh->pages, idx);
	if (!pg) {
		pg = vm_page_alloc(PMM_ZERO);
		if (!pg)
			err = -ENOMEM;
		else if ((err = pcache_insert(&sh->pages, idx, pg)) < 0)
			pmm_free(pg);
	}
	if (!err)
		page_ref_inc(pg);	/* the caller's */
	mutex_unlock(&sh->lock);
	if (!err)
		*out = pg;
	return err;
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

static const struct vobject_ops shmem_ops = {
	.get_page = shmem_get_page,
	.release = shmem_release,
	.path = shmem_path,
	.resident = shmem_resident,
};

struct vobject *shmem_create(uint64_t size)
{
	struct shmem *sh = kmalloc(sizeof(*sh), KM_ZERO);

	if (!sh)
		return NULL;
	mutex_init(&sh->lock, "shmem");
	pcache_setup(&sh->pages, &sh->obj, &sh->lock, PCACHE_SWAPBACKED);
	sh->obj.ops = &shmem_ops;
	sh->obj.refs = 1;
	sh->obj.size = size;
	return &sh->obj;
}

uint64_t shmem_resident_pages(struct vobject *obj)
{
	return pcache_count(&container_of(obj, struct shmem, obj)->pages);
}
