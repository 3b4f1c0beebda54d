/*
 * kmem — kernel object allocation.
 *
 * Slab caches hand out fixed-size objects carved from frames of the pmm;
 * kmalloc() serves sizes up to KMALLOC_MAX_SLAB from a set of size-class
 * caches and larger ones straight from the buddy allocator.
 *
 * Debug builds (KILBURN_DEBUG) guard every slab object with red zones and
 * poison it when freed; kmem_cache_free() and kmem_cache_alloc() check them, so
 * an overflow, a double free or a write after free panics with the cache name
 * and the object address.
 *
 * Machine-independent: compiles on the host against host/env/env.h.
 */
#ifndef KILBURN_KMEM_H
#define KILBURN_KMEM_H

#include "env.h"

#define KMALLOC_MAX_SLAB	8192	/* larger kmalloc sizes use whole frames */

/* allocation flags */
#define KM_ZERO		0x1		/* zero the object */

struct kmem_cache;

/* Set up the kmalloc size classes. Call once after pmm_init(). */
void kmem_init(void);

/*
 * kmem_cache_create - a cache of objects of `size` bytes aligned to `align`
 * (0 means 8; must be a power of two, at most PAGE_SIZE). name must stay
 * valid for the cache's life. Returns NULL if out of memory, size is 0 or
 * above 128 KiB, or align is not as above.
 */
struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align);

/* Returns an object, or NULL if no frame could be had. flags: KM_ZERO. */
void *kmem_cache_alloc(struct kmem_cache *cache, unsigned int flags);

/* Frees an object of this cache. A pointer not from it panics. */
void kmem_cache_free(struct kmem_cache *cache, void *obj);

/*
 * kmem_cache_destroy - free an empty cache and its frames. Returns 0, or
 * -EBUSY (and keeps the cache) if objects are still allocated.
 */
int kmem_cache_destroy(struct kmem_cache *cache);

/* Objects currently allocated from the cache. */
size_t kmem_cache_inuse(const struct kmem_cache *cache);

/* kmalloc - size bytes aligned to 8 (to 16 from 16 bytes up), or NULL. */
void *kmalloc(size_t size, unsigned int flags);

/* kfree - free memory from kmalloc; NULL is ignored. */
void kfree(void *ptr);

/* kstrdup - a kmalloc'd copy of the string s, or NULL. */
char *kstrdup(const char *s);

/*
 * Give every cache's empty slab pages back to the pmm, and run the
 * reclaimers registered below (memory other allocators keep for reuse).
 */
void kmem_reclaim(void);

/*
 * kmem_add_reclaimer - have kmem_reclaim call fn too (at boot, before a
 * second hart runs; at most four). fn runs with no lock held.
 */
void kmem_add_reclaimer(void (*fn)(void));

/* What /proc/slabinfo shows of one cache. */
struct kmem_cache_info {
	const char *name;
	size_t objsize;			/* bytes asked for */
	size_t active;			/* objects allocated */
	size_t total;			/* slots in its slabs */
	size_t per_slab;		/* slots per slab */
	size_t pages_per_slab;
	size_t slabs;
};

/*
 * kmem_cache_infos - fill up to max entries of out, one per cache (a
 * consistent snapshot of each); returns the number of caches (which may be
 * more than max). Takes the kmem locks: call it without them.
 */
size_t kmem_cache_infos(struct kmem_cache_info *out, size_t max);

/* Frames held by slabs (Slab: in /proc/meminfo). */
uint64_t kmem_slab_pages(void);

/*
 * kmem_cache_check - verify a cache's invariants: each slab is on the list
 * its in-use count says, free lists are well formed, the counters agree,
 * and (debug builds) every free object still holds its poison and every
 * object its red zones. Returns 0 or panics naming the cache and the object.
 * For tests and debug assertions; takes the cache's lock.
 */
int kmem_cache_check(struct kmem_cache *cache);

#endif
