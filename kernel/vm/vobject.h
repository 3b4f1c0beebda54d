/*
 * vobject — something pages can be mapped from: a file, or shared
 * anonymous memory, each keeping its pages in its own page cache
 * (vm/pcache.h). A region maps a window of an object; private regions copy
 * its pages into their amap on the first write.
 *
 * Frames returned by get_page stay owned by the object; get_page hands the
 * caller a reference for as long as it uses the frame (to map or copy it),
 * dropped with page_put(). A mapping takes no reference of its own: the
 * frame's mapcount counts the page-table entries, and an object may drop a
 * frame only when nothing maps it (mapcount 0) and nobody else holds it
 * (refcount 1, the object's own).
 */
#ifndef KILBURN_VOBJECT_H
#define KILBURN_VOBJECT_H

#include "env.h"
#include "vm/pmm.h"

struct vobject;

#define VOBJECT_READ_IN	1	/* get_page: the page was read from a disk */
#define VOBJECT_DROPPED	2	/* pageout: the clean page left the cache */
#define VOBJECT_WRITEBACK 3	/* pageout: write the page to *slot, then
				   call pageout_end */

struct pmap_batch;

struct vobject_ops {
	/*
	 * The frame holding page idx, read in if needed, with a reference
	 * for the caller (page_put). Pages past the end hold zeros where the
	 * object has no data. Returns 0, VOBJECT_READ_IN if the page had to be
	 * read from a disk (the fault is a major one), or a negative errno
	 * (-EIO, -ENOMEM, -EFAULT past the end of a file).
	 */
	int (*get_page)(struct vobject *obj, uint64_t idx, struct page **pg);
	/* The last reference is gone. */
	void (*release)(struct vobject *obj);
	/* Path shown in /proc/<pid>/maps, or NULL. */
	const char *(*path)(struct vobject *obj);
	/* Device and inode shown in /proc/<pid>/maps (may be NULL: 0, 0). */
	void (*ident)(struct vobject *obj, uint32_t *dev, uint64_t *ino);
	/*
	 * Is page idx in memory now (mincore)? Reads nothing in. May be
	 * NULL: never. Takes the object's lock (the caller may hold a
	 * vm->lock, as a fault does).
	 */
	bool (*resident)(struct vobject *obj, uint64_t idx);
	/*
	 * Optional, for objects whose cache is PCACHE_EVICTABLE: page-out
	 * chose pg, a page of obj (pinned by the caller, who also holds a
	 * reference on obj) and unmaps it everywhere, owing the TLB flushes
	 * to b. A swap-backed page gets a swap slot, in *slot, and stays in
	 * the cache marked as being written (pageout_cache_begin):
	 * VOBJECT_WRITEBACK; the caller writes it there with its batch once
	 * b is flushed, then calls pageout_end, keeping its pin and its
	 * reference on obj until then. A clean page of a file on a disk
	 * leaves the cache: VOBJECT_DROPPED, and the cache's reference on it
	 * is now the caller's, dropped once b is flushed (other harts may
	 * read it until then). Must not block on the object's lock (trylock:
	 * the caller may be an allocation made with it held). Returns
	 * VOBJECT_WRITEBACK, VOBJECT_DROPPED, or -EBUSY (in use, locked by
	 * mlock, or the lock is taken) or -ENOSPC (no swap); the page then
	 * stays.
	 */
	int (*pageout)(struct vobject *obj, struct page *pg, struct pmap_batch *b,
		       uint64_t *slot);
	/*
	 * With pageout, when it may return VOBJECT_WRITEBACK: the write of
	 * pg to slot ended with err (0, -EIO). Under the object's lock,
	 * taken without blocking (pageout_cache_end): if nobody found pg
	 * meanwhile, the slot takes its place and the cache's reference on
	 * it is dropped (the caller's pin is then the last): 0. Otherwise pg
	 * stays and the slot is freed: -EBUSY or err.
	 */
	int (*pageout_end)(struct vobject *obj, struct page *pg, uint64_t slot, int err);
	/*
	 * Optional, with pageout: read back every page of obj that is on
	 * swap area `area` (swapoff). Returns 0, -ENOMEM or -EIO.
	 */
	int (*swap_drain)(struct vobject *obj, int area);
	/*
	 * Optional, for memory-only objects (tmpfs files, shared anonymous
	 * memory): pages [from, to) become a hole that reads as zeros, as
	 * Linux's FALLOC_FL_PUNCH_HOLE. A page nobody maps or holds is
	 * freed (from swap too); one still in use is zeroed in place. Takes
	 * the object's lock. Returns 0, -ENOMEM or -EIO (a page on swap could
	 * not be read back to be dropped).
	 */
	int (*punch)(struct vobject *obj, uint64_t from, uint64_t to);
	/*
	 * Optional, with pageout: is page idx of obj on swap now, so that
	 * get_page would read it? The fault asks before get_page, under the
	 * address space's lock, and if so calls get_page after dropping it:
	 * no disk I/O under an address space's lock. Reads nothing in; cheap
	 * when nothing of obj is on swap (no lock taken then).
	 */
	bool (*on_swap)(struct vobject *obj, uint64_t idx);
};

struct vobject {
	const struct vobject_ops *ops;
	int refs;		/* atomic */
	uint64_t size;		/* bytes of data */
};

static inline void vobject_ref(struct vobject *obj)
{
	__atomic_add_fetch(&obj->refs, 1, __ATOMIC_RELAXED);
}

/* Take a reference unless the last one is already gone; true if taken. */
static inline bool vobject_tryref(struct vobject *obj)
{
	int refs = __atomic_load_n(&obj->refs, __ATOMIC_RELAXED);

	while (refs > 0)
		if (__atomic_compare_exchange_n(&obj->refs, &refs, refs + 1, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
	return false;
}

static inline void vobject_unref(struct vobject *obj)
{
	if (__atomic_sub_fetch(&obj->refs, 1, __ATOMIC_ACQ_REL) == 0)
		obj->ops->release(obj);
}

/* A new shared anonymous object of size bytes (MAP_SHARED|MAP_ANONYMOUS). */
struct vobject *shmem_create(uint64_t size);

/* Pages of the shared anonymous object obj now in memory. */
uint64_t shmem_resident_pages(struct vobject *obj);

#endif
