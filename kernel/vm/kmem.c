/*
 * kmem — slab caches and kmalloc. The contract is in kmem.h.
 *
 * Slabs. A slab is one naturally aligned block of 2^order frames from the
 * pmm, cut into per_slab slots of `stride` bytes from its first byte. The
 * slab's bookkeeping lives in the descriptors of its frames, so an object's
 * address leads to its cache through virt_to_page():
 *
 *	every frame	state PAGE_SLAB, owner = the cache, index = frame number
 *			within the slab (so head = page - page->index)
 *	head frame	link on one of the cache's lists (partial, full, empty),
 *			priv = first free object, mapcount = objects in use
 *
 * Slot layout. Without KILBURN_DEBUG a slot is just the object, rounded up
 * to the alignment, and a free object's first word links the free list.
 * With it every slot is
 *
 *	| tag (state, size asked) | next free | red zone | object | red zone |
 *	0                         8           16         obj_offset         stride
 *
 * where the red zones are at least KMEM_RZ_SIZE bytes of KMEM_RZ_BYTE, the
 * right one starting right after the bytes the caller asked for (kmalloc
 * may hand out a larger size class), and a free object is filled with
 * KMEM_POISON. Freeing checks the tag (double free) and both red zones
 * (overflow, underflow); handing an object out again checks its poison
 * (write after free). Every panic names the cache and the object.
 *
 * Caches. Each cache has partial, full and empty slab lists guarded by its
 * own spinlock (taken with interrupts off); a cache keeps at most one empty
 * slab, giving others back as soon as they empty. Cache structures come from
 * a static bootstrap cache, cache_cache. kmalloc sizes up to KMALLOC_MAX_SLAB
 * go to one of 13 size-class caches; larger ones take a block of frames from
 * the pmm, marked PAGE_KERNEL with owner = kmalloc_large_owner.
 *
 * Lock order: kmem_caches_lock, then a cache's lock, then the pmm lock.
 */
#include "env.h"
#include "list.h"
#include "vm/kmem.h"
#include "vm/pmm.h"

#ifndef KILBURN_DEBUG
#define KILBURN_DEBUG 0
#endif

#define KMEM_MIN_OBJECTS	8	/* objects per slab we aim for */
#define KMEM_MAX_SLAB_ORDER	5	/* slabs of at most 32 frames */

#define KMEM_RZ_SIZE	16
#define KMEM_RZ_BYTE	0xbb
#define KMEM_POISON	0x6b
#define KMEM_TAG_FREE	0xdeadf4eeU
#define KMEM_TAG_ALLOC	0xa110c8edU

struct kmem_cache {
	const char *name;
	size_t size;			/* object size asked for */
	size_t align;			/* at least 8, at most PAGE_SIZE */
	size_t stride;			/* slot size */
	size_t obj_offset;		/* object within its slot */
	unsigned int order;		/* slab = 2^order frames */
	unsigned int per_slab;		/* slots per slab */
	bool is_kmalloc;		/* a kmalloc size class: kfree may free */
	struct spinlock lock;
	struct list_node partial;	/* lock: slabs with free and used slots */
	struct list_node full;		/* lock: slabs with no free slot */
	struct list_node empty;		/* lock: slabs with no object in use */
	size_t nempty;			/* lock: slabs on empty */
	size_t nslabs;			/* lock: slabs on all three lists */
	size_t inuse;			/* lock: objects allocated */
	struct list_node link;		/* kmem_caches_lock: all caches */
};

/* Debug slot header, at the start of each slot. */
struct kmem_tag {
	uint32_t state;			/* KMEM_TAG_FREE or KMEM_TAG_ALLOC */
	uint32_t asked;			/* bytes the caller asked for */
	void *next;			/* free list link while free */
};

static struct kmem_cache cache_cache;
static struct list_node kmem_caches;
static struct spinlock kmem_caches_lock;

static const size_t kmalloc_sizes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
};
static const char *const kmalloc_names[] = {
	"kmalloc-8", "kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-96",
	"kmalloc-128", "kmalloc-192", "kmalloc-256", "kmalloc-512",
	"kmalloc-1024", "kmalloc-2048", "kmalloc-4096", "kmalloc-8192",
};
#define KMALLOC_NCLASSES ARRAY_SIZE(kmalloc_sizes)
static struct kmem_cache *kmalloc_caches[KMALLOC_NCLASSES];

/* Class of sizes 0..192, indexed by (size + 7) / 8. */
static const uint8_t kmalloc_small_class[25] = {
	0, 0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
	5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6,
};

/* Marks the head frame of a large kmalloc block (page->owner). */
static const char kmalloc_large_owner[] = "kmalloc-large";

_Static_assert(ARRAY_SIZE(kmalloc_names) == KMALLOC_NCLASSES, "names");
_Static_assert(sizeof(struct kmem_tag) == 16, "kmem_tag layout");

#define ADDR(p)		((unsigned long)(uintptr_t)(p))

/* ------------------------------------------------------------ layout */

/*
 * Work out the slot layout and slab order of c for objects of c->size bytes
 * aligned to c->align. Returns false if no slab of at most
 * KMEM_MAX_SLAB_ORDER frames holds even one object.
 */
static bool cache_layout(struct kmem_cache *c)
{
	size_t best_waste = 0, best_slab = 0;
	int best = -1;

	if (KILBURN_DEBUG) {
		c->obj_offset = ALIGN_UP(sizeof(struct kmem_tag) + KMEM_RZ_SIZE,
					 c->align);
		c->stride = ALIGN_UP(c->obj_offset + c->size + KMEM_RZ_SIZE,
				     c->align);
	} else {
		c->obj_offset = 0;
		c->stride = ALIGN_UP(MAX(c->size, sizeof(void *)), c->align);
	}
	for (int order = 0; order <= KMEM_MAX_SLAB_ORDER; order++) {
		size_t slab = PAGE_SIZE << order, n = slab / c->stride;
		size_t waste = slab - n * c->stride;

		if (n == 0)
			continue;
		if (n >= KMEM_MIN_OBJECTS && waste * 8 <= slab) {
			best = order;
			break;
		}
		/* else keep the order wasting the smallest fraction */
		if (best < 0 || waste * best_slab < best_waste * slab) {
			best = order;
			best_waste = waste;
			best_slab = slab;
		}
	}
	if (best < 0)
		return false;
	c->order = best;
	c->per_slab = (PAGE_SIZE << best) / c->stride;
	return true;
}

/* Initialise the cache structure c; false if no layout fits. */
static bool cache_setup(struct kmem_cache *c, const char *name, size_t size,
			size_t align)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->size = size;
	c->align = MAX(align, sizeof(void *));
	spin_init(&c->lock, name);
	list_init(&c->partial);
	list_init(&c->full);
	list_init(&c->empty);
	list_init(&c->link);
	return cache_layout(c);
}

/* ------------------------------------------------------------ objects */

static inline struct kmem_tag *obj_tag(const struct kmem_cache *c, void *obj)
{
	return (struct kmem_tag *)((char *)obj - c->obj_offset);
}

/* Where a free object keeps its free-list link. */
static inline void **obj_next(const struct kmem_cache *c, void *obj)
{
	return KILBURN_DEBUG ? &obj_tag(c, obj)->next : (void **)obj;
}

/* Offset of the first byte of p[0..n) that is not `byte`, or n. */
static size_t mem_mismatch(const void *p, int byte, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != (uint8_t)byte)
			return i;
	return n;
}

/*
 * Debug: check both red zones of obj; the right one starts `asked` bytes
 * into the object. Panics naming the cache and object if one was written.
 */
static void obj_check_red_zones(const struct kmem_cache *c, void *obj,
				size_t asked)
{
	char *slot = (char *)obj_tag(c, obj);
	size_t left = c->obj_offset - sizeof(struct kmem_tag);
	size_t right = c->stride - c->obj_offset - asked;
	size_t at;

	if (mem_mismatch(slot + sizeof(struct kmem_tag), KMEM_RZ_BYTE, left) != left)
		panic("kmem: red zone overwritten before object 0x%lx in cache %s",
		      ADDR(obj), c->name);
	at = mem_mismatch((char *)obj + asked, KMEM_RZ_BYTE, right);
	if (at != right)
		panic("kmem: red zone overwritten after object 0x%lx in cache %s "
		      "(byte %zu of %zu)", ADDR(obj), c->name, asked + at, asked);
}

/* Debug: mark a fresh slot free: tag, red zones, poison. */
static void slot_init_debug(const struct kmem_cache *c, void *obj)
{
	struct kmem_tag *tag = obj_tag(c, obj);

	memset(tag, KMEM_RZ_BYTE, c->stride);
	tag->state = KMEM_TAG_FREE;
	tag->asked = 0;
	memset(obj, KMEM_POISON, c->size);
}

/*
 * Prepare obj, just taken off a free list, for the caller: in debug builds
 * check its tag, red zones and poison, then tag it allocated with `asked`
 * usable bytes (the rest of the object becomes red zone). KM_ZERO zeroes.
 */
static void obj_hand_out(const struct kmem_cache *c, void *obj, size_t asked,
			 unsigned int flags)
{
	if (KILBURN_DEBUG) {
		struct kmem_tag *tag = obj_tag(c, obj);
		size_t at;

		if (tag->state != KMEM_TAG_FREE)
			panic("kmem: object 0x%lx on the free list of cache %s "
			      "is not free (tag 0x%x)", ADDR(obj), c->name,
			      tag->state);
		obj_check_red_zones(c, obj, c->size);
		at = mem_mismatch(obj, KMEM_POISON, c->size);
		if (at != c->size)
			panic("kmem: write after free to object 0x%lx in cache %s "
			      "(byte %zu)", ADDR(obj), c->name, at);
		tag->state = KMEM_TAG_ALLOC;
		tag->asked = asked;
		tag->next = NULL;
		memset((char *)obj + asked, KMEM_RZ_BYTE, c->size - asked);
	}
	if (flags & KM_ZERO)
		memset(obj, 0, KILBURN_DEBUG ? asked : c->size);
}

/*
 * Debug: check that obj, about to be freed, is allocated and intact, then
 * poison it and tag it free.
 */
static void obj_take_back(const struct kmem_cache *c, void *obj)
{
	struct kmem_tag *tag = obj_tag(c, obj);

	if (tag->state == KMEM_TAG_FREE)
		panic("kmem: double free of object 0x%lx in cache %s",
		      ADDR(obj), c->name);
	obj_check_red_zones(c, obj, MIN((size_t)tag->asked, c->size));
	if (tag->state != KMEM_TAG_ALLOC || tag->asked > c->size)
		panic("kmem: object 0x%lx in cache %s has a corrupt tag "
		      "(0x%x, %u)", ADDR(obj), c->name, tag->state, tag->asked);
	memset(obj, KMEM_POISON, c->size);
	tag->state = KMEM_TAG_FREE;
	tag->asked = 0;
}

/* ------------------------------------------------------------ slabs */

static inline char *slab_base(const struct page *head)
{
	return page_to_virt(head);
}

/* The head frame of the slab holding va, or NULL if va is in no slab. */
static struct page *slab_of(const void *va)
{
	struct page *p = virt_to_page(va);

	if (!p || p->state != PAGE_SLAB)
		return NULL;
	return p - p->index;
}

/* Panic unless obj is the start of an object slot of slab head in c. */
static void slab_check_obj(const struct kmem_cache *c, struct page *head,
			   const void *obj)
{
	uintptr_t first = (uintptr_t)slab_base(head) + c->obj_offset;
	uintptr_t o = (uintptr_t)obj;

	if (o < first || (o - first) % c->stride ||
	    (o - first) / c->stride >= c->per_slab)
		panic("kmem: 0x%lx is not the start of an object in cache %s",
		      ADDR(obj), c->name);
}

/*
 * Take a block of frames from the pmm and make it an empty slab of c: all
 * slots on its free list, in address order. Returns the head frame or NULL
 * if the pmm has no block. No lock held.
 */
static struct page *slab_new(struct kmem_cache *c)
{
	struct page *head = pmm_alloc_order(c->order, 0);
	void *next = NULL;
	char *base;

	if (!head)
		return NULL;
	for (uint64_t i = 0; i < (1UL << c->order); i++) {
		head[i].state = PAGE_SLAB;
		head[i].owner = c;
		head[i].index = i;
	}
	base = slab_base(head);
	for (unsigned int i = c->per_slab; i-- > 0;) {
		void *obj = base + (size_t)i * c->stride + c->obj_offset;

		if (KILBURN_DEBUG)
			slot_init_debug(c, obj);
		*obj_next(c, obj) = next;
		next = obj;
	}
	head->priv = next;
	head->mapcount = 0;
	return head;
}

/* Give slab head (unlinked, no object in use) back to the pmm. No lock. */
static void slab_release(struct kmem_cache *c, struct page *head)
{
	for (uint64_t i = 0; i < (1UL << c->order); i++) {
		head[i].state = PAGE_KERNEL;
		head[i].owner = NULL;
		head[i].index = 0;
	}
	head->priv = NULL;
	head->mapcount = 0;
	pmm_free_order(head, c->order);
}

/*
 * Pop an object off slab head's free list, moving the slab to the full list
 * if it was the last. Cache lock held.
 */
static void *slab_pop(struct kmem_cache *c, struct page *head)
{
	void *obj = head->priv;
	void *next = *obj_next(c, obj);

	if (KILBURN_DEBUG && next)
		slab_check_obj(c, head, next);
	head->priv = next;
	head->mapcount++;
	c->inuse++;
	if (head->mapcount == c->per_slab) {
		list_remove(&head->link);
		list_push(&c->full, &head->link);
	}
	return obj;
}

/*
 * Push obj back on slab head's free list and move the slab to the list its
 * new count belongs on. Returns the slab if it became empty and c already
 * keeps an empty one: the caller releases it after unlocking. Lock held.
 */
static struct page *slab_push(struct kmem_cache *c, struct page *head,
			      void *obj)
{
	if (!KILBURN_DEBUG && head->priv == obj)
		panic("kmem: double free of object 0x%lx in cache %s",
		      ADDR(obj), c->name);
	*obj_next(c, obj) = head->priv;
	head->priv = obj;
	head->mapcount--;
	c->inuse--;
	list_remove(&head->link);
	if (head->mapcount > 0) {
		list_push(&c->partial, &head->link);
		return NULL;
	}
	if (c->nempty > 0) {
		c->nslabs--;
		return head;
	}
	list_push(&c->empty, &head->link);
	c->nempty++;
	return NULL;
}

/* ------------------------------------------------------------ caches */

/*
 * cache_take - an object off one of c's slabs (partial first, then empty,
 * then a new slab), still in its free state, or NULL if the pmm is out of
 * frames. Takes and drops the cache lock.
 */
static void *cache_take(struct kmem_cache *c)
{
	unsigned long irq = spin_lock_irqsave(&c->lock);
	struct page *head = list_first(&c->partial, struct page, link);
	void *obj;

	if (!head && (head = list_first(&c->empty, struct page, link))) {
		list_remove(&head->link);
		list_push(&c->partial, &head->link);
		c->nempty--;
	}
	if (!head) {
		spin_unlock_irqrestore(&c->lock, irq);
		head = slab_new(c);
		if (!head)
			return NULL;
		irq = spin_lock_irqsave(&c->lock);
		list_push(&c->partial, &head->link);
		c->nslabs++;
	}
	obj = slab_pop(c, head);
	spin_unlock_irqrestore(&c->lock, irq);
	return obj;
}

/* Free obj, which lies in slab head of cache c. */
static void cache_put(struct kmem_cache *c, struct page *head, void *obj)
{
	struct page *release;
	unsigned long irq;

	slab_check_obj(c, head, obj);
	if (KILBURN_DEBUG)
		obj_take_back(c, obj);
	irq = spin_lock_irqsave(&c->lock);
	release = slab_push(c, head, obj);
	spin_unlock_irqrestore(&c->lock, irq);
	if (release)
		slab_release(c, release);
}

/* Unlink and release every slab on c's empty list. Cache lock held. */
static void cache_release_empty(struct kmem_cache *c)
{
	struct list_node *n, *tmp;

	list_for_each_safe(n, tmp, &c->empty) {
		struct page *head = list_entry(n, struct page, link);

		list_remove(n);
		slab_release(c, head);
		c->nslabs--;
	}
	c->nempty = 0;
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size,
				     size_t align)
{
	struct kmem_cache *c;
	unsigned long irq;

	if (align == 0)
		align = 8;
	if (size == 0 || (align & (align - 1)) || align > PAGE_SIZE ||
	    size > (PAGE_SIZE << KMEM_MAX_SLAB_ORDER))
		return NULL;
	c = kmem_cache_alloc(&cache_cache, 0);
	if (!c)
		return NULL;
	if (!cache_setup(c, name, size, align)) {
		kmem_cache_free(&cache_cache, c);
		return NULL;
	}
	irq = spin_lock_irqsave(&kmem_caches_lock);
	list_append(&kmem_caches, &c->link);
	spin_unlock_irqrestore(&kmem_caches_lock, irq);
	return c;
}

void *kmem_cache_alloc(struct kmem_cache *cache, unsigned int flags)
{
	void *obj = cache_take(cache);

	if (obj)
		obj_hand_out(cache, obj, cache->size, flags);
	return obj;
}

void kmem_cache_free(struct kmem_cache *cache, void *obj)
{
	struct page *head = slab_of(obj);

	if (!head)
		panic("kmem_cache_free: 0x%lx is not a slab object (cache %s)",
		      ADDR(obj), cache->name);
	if (head->owner != cache)
		panic("kmem: object 0x%lx of cache %s freed to cache %s",
		      ADDR(obj), ((struct kmem_cache *)head->owner)->name,
		      cache->name);
	cache_put(cache, head, obj);
}

int kmem_cache_destroy(struct kmem_cache *cache)
{
	unsigned long irq, cirq;

	if (cache == &cache_cache || cache->is_kmalloc)
		panic("kmem_cache_destroy: %s belongs to kmem itself",
		      cache->name);
	irq = spin_lock_irqsave(&kmem_caches_lock);
	cirq = spin_lock_irqsave(&cache->lock);
	if (cache->inuse) {
		spin_unlock_irqrestore(&cache->lock, cirq);
		spin_unlock_irqrestore(&kmem_caches_lock, irq);
		return -EBUSY;
	}
	assert(list_empty(&cache->partial) && list_empty(&cache->full));
	cache_release_empty(cache);
	list_remove(&cache->link);
	spin_unlock_irqrestore(&cache->lock, cirq);
	spin_unlock_irqrestore(&kmem_caches_lock, irq);
	kmem_cache_free(&cache_cache, cache);
	return 0;
}

size_t kmem_cache_inuse(const struct kmem_cache *cache)
{
	return READ_ONCE(cache->inuse);
}

size_t kmem_cache_infos(struct kmem_cache_info *out, size_t max)
{
	unsigned long irq = spin_lock_irqsave(&kmem_caches_lock);
	struct list_node *n;
	size_t count = 0;

	list_for_each(n, &kmem_caches) {
		struct kmem_cache *c = list_entry(n, struct kmem_cache, link);
		unsigned long cirq;

		if (count < max) {
			cirq = spin_lock_irqsave(&c->lock);
			out[count] = (struct kmem_cache_info){
				.name = c->name, .objsize = c->size,
				.active = c->inuse, .total = c->nslabs * c->per_slab,
				.per_slab = c->per_slab, .pages_per_slab = 1UL << c->order,
				.slabs = c->nslabs,
			};
			spin_unlock_irqrestore(&c->lock, cirq);
		}
		count++;
	}
	spin_unlock_irqrestore(&kmem_caches_lock, irq);
	return count;
}

uint64_t kmem_slab_pages(void)
{
	unsigned long irq = spin_lock_irqsave(&kmem_caches_lock);
	struct list_node *n;
	uint64_t pages = 0;

	list_for_each(n, &kmem_caches) {
		struct kmem_cache *c = list_entry(n, struct kmem_cache, link);

		pages += (uint64_t)READ_ONCE(c->nslabs) << c->order;
	}
	spin_unlock_irqrestore(&kmem_caches_lock, irq);
	return pages;
}

static void (*reclaimers[4])(void);
static int nreclaimers;

void kmem_add_reclaimer(void (*fn)(void))
{
	if (nreclaimers == (int)ARRAY_SIZE(reclaimers))
		panic("kmem_add_reclaimer: too many");
	reclaimers[nreclaimers++] = fn;
}

void kmem_reclaim(void)
{
	unsigned long irq = spin_lock_irqsave(&kmem_caches_lock);
	struct list_node *n;

	list_for_each(n, &kmem_caches) {
		struct kmem_cache *c = list_entry(n, struct kmem_cache, link);
		unsigned long cirq = spin_lock_irqsave(&c->lock);

		cache_release_empty(c);
		spin_unlock_irqrestore(&c->lock, cirq);
	}
	spin_unlock_irqrestore(&kmem_caches_lock, irq);
	for (int i = 0; i < nreclaimers; i++)
		reclaimers[i]();
}

/*
 * The kernel calls this once after pmm_init(); host tests call it again
 * after each pmm_init(), which forgets every earlier cache.
 */
void kmem_init(void)
{
	list_init(&kmem_caches);
	spin_init(&kmem_caches_lock, "kmem_caches");
	if (!cache_setup(&cache_cache, "kmem_cache", sizeof(struct kmem_cache), 0))
		panic("kmem_init: no layout for the cache of caches");
	list_append(&kmem_caches, &cache_cache.link);
	for (size_t i = 0; i < KMALLOC_NCLASSES; i++) {
		size_t size = kmalloc_sizes[i];
		struct kmem_cache *c;

		c = kmem_cache_create(kmalloc_names[i], size, size >= 16 ? 16 : 8);
		if (!c)
			panic("kmem_init: out of memory for %s", kmalloc_names[i]);
		c->is_kmalloc = true;
		kmalloc_caches[i] = c;
	}
}

/* ------------------------------------------------------------ kmalloc */

/* The size class for size <= KMALLOC_MAX_SLAB. */
static inline unsigned int kmalloc_class(size_t size)
{
	if (size <= 192)
		return kmalloc_small_class[(size + 7) >> 3];
	/* 193..256 -> 7, 257..512 -> 8, ...: ceil(log2(size)) - 1 */
	return (unsigned int)(64 - __builtin_clzl(size - 1)) - 1;
}

/* A block of whole frames for size > KMALLOC_MAX_SLAB, or NULL. */
static void *kmalloc_large(size_t size, unsigned int flags)
{
	unsigned int order = 0;
	struct page *head;

	while ((PAGE_SIZE << order) < size) {
		if (++order > PMM_MAX_ORDER)
			return NULL;
	}
	head = pmm_alloc_order(order, (flags & KM_ZERO) ? PMM_ZERO : 0);
	if (!head)
		return NULL;
	head->owner = (void *)kmalloc_large_owner;
	head->index = size;
	return page_to_virt(head);
}

void *kmalloc(size_t size, unsigned int flags)
{
	struct kmem_cache *c;
	void *obj;

	if (size > KMALLOC_MAX_SLAB)
		return kmalloc_large(size, flags);
	c = kmalloc_caches[kmalloc_class(size)];
	obj = cache_take(c);
	if (obj)
		obj_hand_out(c, obj, size, flags);
	return obj;
}

char *kstrdup(const char *s)
{
	size_t len = strlen(s);
	char *copy = kmalloc(len + 1, 0);

	if (copy)
		memcpy(copy, s, len + 1);
	return copy;
}

void kfree(void *ptr)
{
	struct page *p;

	if (!ptr)
		return;
	p = virt_to_page(ptr);
	if (p && p->state == PAGE_SLAB) {
		struct page *head = p - p->index;
		struct kmem_cache *c = head->owner;

		if (!c->is_kmalloc)
			panic("kfree: bad pointer 0x%lx: an object of cache %s",
			      ADDR(ptr), c->name);
		cache_put(c, head, ptr);
		return;
	}
	if (p && p->state == PAGE_KERNEL && p->owner == kmalloc_large_owner &&
	    ptr == page_to_virt(p)) {
		p->owner = NULL;
		p->index = 0;
		pmm_free_order(p, p->order);
		return;
	}
	panic("kfree: bad pointer 0x%lx", ADDR(ptr));
}

/* ------------------------------------------------------------ kmem_cache_check */

/* Check one slab of c that should hold `want` objects (-1: 1..per-1). */
static size_t check_slab(struct kmem_cache *c, struct page *head, long want)
{
	size_t nfree = 0;
	char *base = slab_base(head);

	if (head->state != PAGE_SLAB || head->owner != c || head->index != 0)
		panic("kmem_cache_check: slab 0x%lx of cache %s has a bad "
		      "descriptor", ADDR(base), c->name);
	if (want >= 0 ? head->mapcount != want :
	    head->mapcount == 0 || head->mapcount >= c->per_slab)
		panic("kmem_cache_check: slab 0x%lx of cache %s is on the wrong "
		      "list (%u in use)", ADDR(base), c->name, head->mapcount);
	for (void *o = head->priv; o; o = *obj_next(c, o)) {
		slab_check_obj(c, head, o);
		if (++nfree > c->per_slab)
			panic("kmem_cache_check: free list of slab 0x%lx of "
			      "cache %s loops", ADDR(base), c->name);
	}
	if (nfree + head->mapcount != c->per_slab)
		panic("kmem_cache_check: slab 0x%lx of cache %s: %zu free + %u "
		      "in use != %u", ADDR(base), c->name, nfree,
		      head->mapcount, c->per_slab);
	for (unsigned int i = 0; KILBURN_DEBUG && i < c->per_slab; i++) {
		void *obj = base + (size_t)i * c->stride + c->obj_offset;
		struct kmem_tag *tag = obj_tag(c, obj);

		if (tag->state == KMEM_TAG_FREE) {
			obj_check_red_zones(c, obj, c->size);
			if (mem_mismatch(obj, KMEM_POISON, c->size) != c->size)
				panic("kmem: write after free to object 0x%lx "
				      "in cache %s", ADDR(obj), c->name);
		} else if (tag->state == KMEM_TAG_ALLOC && tag->asked <= c->size) {
			obj_check_red_zones(c, obj, tag->asked);
		} else {
			panic("kmem: object 0x%lx in cache %s has a corrupt tag",
			      ADDR(obj), c->name);
		}
	}
	return head->mapcount;
}

/* Check every slab on list of c; returns objects in use and counts slabs. */
static size_t check_list(struct kmem_cache *c, struct list_node *list,
			 long want, size_t *nslabs)
{
	struct list_node *n;
	size_t inuse = 0;

	list_for_each(n, list) {
		inuse += check_slab(c, list_entry(n, struct page, link), want);
		(*nslabs)++;
	}
	return inuse;
}

int kmem_cache_check(struct kmem_cache *cache)
{
	unsigned long irq = spin_lock_irqsave(&cache->lock);
	size_t nslabs = 0, nempty = 0, inuse;

	inuse = check_list(cache, &cache->partial, -1, &nslabs);
	inuse += check_list(cache, &cache->full, cache->per_slab, &nslabs);
	check_list(cache, &cache->empty, 0, &nempty);
	if (inuse != cache->inuse || nempty != cache->nempty ||
	    nslabs + nempty != cache->nslabs)
		panic("kmem_cache_check: cache %s counts %zu objects in %zu "
		      "slabs (%zu empty), lists hold %zu in %zu (%zu empty)",
		      cache->name, cache->inuse, cache->nslabs, cache->nempty,
		      inuse, nslabs + nempty, nempty);
	spin_unlock_irqrestore(&cache->lock, irq);
	return 0;
}
