/* The page cache of one object; see pcache.h. */
#include "vm/pcache.h"
#include "vm/kmem.h"
#include "vm/reclaim.h"
#include "vm/swap_slots.h"
#include "vm/vmstat.h"

uint64_t pcache_swapped_total;		/* atomic: swap entries in all caches */

/*
 * A slot holds a page, or a swap entry tagged with the low bit. A page
 * being written to swap that nobody has found since carries SLOT_WRITEBACK
 * (pcache_writeback_begin); every lookup that hands the page out clears it.
 */
#define SLOT_WRITEBACK	2UL

static inline bool slot_is_swap(const void *p)
{
	return (uintptr_t)p & 1;
}

/* The page a (non-swap) slot holds, without its mark. */
static inline struct page *slot_page(const void *p)
{
	return (struct page *)((uintptr_t)p & ~SLOT_WRITEBACK);
}

/*
 * The page in *slot for someone who will use it (NULL for a swap entry or
 * nothing): a write-out in progress is no longer of the page as it will be.
 */
static struct page *slot_take_page(void **slot)
{
	if (!*slot || slot_is_swap(*slot))
		return NULL;
	*slot = slot_page(*slot);
	return *slot;
}

static inline void *swap_slot(uint64_t e)
{
	return (void *)(uintptr_t)((e << 1) | 1);
}

static inline uint64_t slot_swap(const void *p)
{
	return (uintptr_t)p >> 1;
}

/*
 * A node at level l (0: the leaves, which hold pages) has 64 slots, each
 * covering 64^l pages. The root is at level height - 1 and covers
 * [0, 64^height). A node with no slot in use is freed at once, so `used`
 * is never 0 in a node of the tree.
 */
#define PCACHE_FANOUT	64
#define PCACHE_SHIFT	6
#define PCACHE_LEVELS	5	/* 64^5 = 2^30 >= PCACHE_MAX_PAGES */

_Static_assert(PCACHE_MAX_PAGES <= 1UL << (PCACHE_SHIFT * PCACHE_LEVELS),
	       "pcache: five levels cover the range");

struct pcache_node {
	void *slot[PCACHE_FANOUT];	/* nodes, or pages at level 0 */
	int used;			/* slots in use */
};

static struct kmem_cache *node_cache;

/* Pages covered by a node at level l - 1, i.e. by a tree of height l. */
static uint64_t span(int l)
{
	return 1UL << (PCACHE_SHIFT * l);
}

static unsigned int slot_of(uint64_t idx, int level)
{
	return (idx >> (PCACHE_SHIFT * level)) & (PCACHE_FANOUT - 1);
}

/*
 * A cache page's flags are written by the cache alone, under its owner's
 * lock; the pmm may read a neighbour's flags meanwhile, hence the relaxed
 * atomic accesses (as pmm.c's own).
 */
static uint16_t page_flags(const struct page *pg)
{
	return __atomic_load_n(&pg->flags, __ATOMIC_RELAXED);
}

static void page_flags_set(struct page *pg, uint16_t flags)
{
	__atomic_store_n(&pg->flags, flags, __ATOMIC_RELAXED);
}

static inline void assert_locked(struct pcache *pc)
{
#if KILBURN_DEBUG
	assert(mutex_held(pc->lock));
#endif
}

void pcache_init(void)
{
	if (!node_cache)
		node_cache = kmem_cache_create("pcache_node",
					       sizeof(struct pcache_node), 0);
	if (!node_cache)
		panic("pcache_init: out of memory");
}

void pcache_setup(struct pcache *pc, struct vobject *owner,
		  struct mutex *lock, unsigned int flags)
{
	if (pc->root)
		panic("pcache_setup: the cache is not empty");
	memset(pc, 0, sizeof(*pc));
	pc->owner = owner;
	pc->lock = lock;
	pc->page_flags = (flags & PCACHE_SWAPBACKED ? PG_SWAPBACKED : 0) |
			 (flags & PCACHE_EVICTABLE ? PG_EVICTABLE : 0);
	pc->evictable = flags & PCACHE_EVICTABLE;
}

struct page *pcache_lookup(struct pcache *pc, uint64_t idx)
{
	struct pcache_node *n = pc->root;

	assert_locked(pc);
	if (!n || idx >= span(pc->height))
		return NULL;
	for (int l = pc->height - 1; n && l > 0; l--)
		n = n->slot[slot_of(idx, l)];
	return n ? slot_take_page(&n->slot[slot_of(idx, 0)]) : NULL;
}

/* The raw slot idx (a page, a tagged swap entry or NULL). */
static void *slot_get(struct pcache *pc, uint64_t idx)
{
	struct pcache_node *n = pc->root;

	if (!n || idx >= span(pc->height))
		return NULL;
	for (int l = pc->height - 1; n && l > 0; l--)
		n = n->slot[slot_of(idx, l)];
	return n ? n->slot[slot_of(idx, 0)] : NULL;
}

bool pcache_lookup_swap(struct pcache *pc, uint64_t idx, uint64_t *e)
{
	void *p;

	assert_locked(pc);
	p = slot_get(pc, idx);
	if (!slot_is_swap(p))
		return false;
	*e = slot_swap(p);
	return true;
}

/* Fill path[l] with the node at level l on the way to idx (NULL below a hole). */
static void path_fill(struct pcache *pc, uint64_t idx,
		      struct pcache_node *path[PCACHE_LEVELS])
{
	struct pcache_node *n = pc->root;

	memset(path, 0, sizeof(path[0]) * PCACHE_LEVELS);
	if (idx >= span(pc->height))
		return;
	for (int l = pc->height - 1; n && l >= 0; l--) {
		path[l] = n;
		n = l > 0 ? n->slot[slot_of(idx, l)] : NULL;
	}
}

/* Drop the top levels while the root has only its first child. */
static void tree_shrink(struct pcache *pc)
{
	while (pc->height > 1) {
		struct pcache_node *top = pc->root;

		if (top->used != 1 || !top->slot[0])
			break;
		pc->root = top->slot[0];
		pc->height--;
		kmem_cache_free(node_cache, top);
	}
}

/* Free the empty nodes on the way to idx, bottom up, then shrink the tree. */
static void tree_trim(struct pcache *pc, uint64_t idx)
{
	struct pcache_node *path[PCACHE_LEVELS];

	path_fill(pc, idx, path);
	for (int l = 0; l < pc->height; l++) {
		if (!path[l])
			continue;		/* below a hole */
		if (path[l]->used)
			break;
		kmem_cache_free(node_cache, path[l]);
		if (l + 1 < pc->height) {
			path[l + 1]->slot[slot_of(idx, l + 1)] = NULL;
			path[l + 1]->used--;
		} else {
			pc->root = NULL;
			pc->height = 0;
			return;
		}
	}
	tree_shrink(pc);
}

/* Make the tree tall enough to hold idx. Returns 0 or -ENOMEM. */
static int tree_grow(struct pcache *pc, uint64_t idx)
{
	if (!pc->root) {
		int h = 1;

		while (idx >= span(h))
			h++;
		pc->root = kmem_cache_alloc(node_cache, KM_ZERO);
		if (!pc->root)
			return -ENOMEM;
		pc->height = h;
		return 0;
	}
	while (idx >= span(pc->height)) {
		struct pcache_node *top = kmem_cache_alloc(node_cache, KM_ZERO);

		if (!top)
			return -ENOMEM;
		top->slot[0] = pc->root;
		top->used = 1;
		pc->root = top;
		pc->height++;
	}
	return 0;
}

/* The leaf holding idx (< span(height)), made with its parents if missing. */
static struct pcache_node *leaf_get(struct pcache *pc, uint64_t idx)
{
	struct pcache_node *n = pc->root;

	for (int l = pc->height - 1; l > 0; l--) {
		void **link = &n->slot[slot_of(idx, l)];

		if (!*link) {
			*link = kmem_cache_alloc(node_cache, KM_ZERO);
			if (!*link)
				return NULL;
			n->used++;
		}
		n = *link;
	}
	return n;
}

int pcache_insert(struct pcache *pc, uint64_t idx, struct page *pg)
{
	struct pcache_node *leaf = NULL;

	assert_locked(pc);
	if (idx >= PCACHE_MAX_PAGES)
		return -EINVAL;
	if (slot_get(pc, idx))
		return -EEXIST;
	if (tree_grow(pc, idx) == 0)
		leaf = leaf_get(pc, idx);
	if (!leaf) {
		tree_trim(pc, idx);
		return -ENOMEM;
	}
	pg->state = PAGE_FILE;
	pg->owner = pc->owner;
	pg->index = idx;
	page_flags_set(pg, page_flags(pg) | pc->page_flags);
	leaf->slot[slot_of(idx, 0)] = pg;
	leaf->used++;
	pc->npages++;
	if (pc->evictable)
		reclaim_track(pg);
	return 0;
}

/* The page no longer belongs to a cache: no owner, no cache flags. */
static void page_disown(struct page *pg)
{
	/* owner first: page-out re-tracks a page only while it names us */
	__atomic_store_n(&pg->owner, NULL, __ATOMIC_SEQ_CST);
	reclaim_untrack(pg);		/* and it is no longer PG_MLOCKED */
	if (page_flags(pg) & PG_READAHEAD)	/* read ahead for nothing */
		vmstat_inc(page_flags(pg) & PG_SWAPBACKED ? VMSTAT_SWAP_RA_UNUSED :
			   VMSTAT_FILE_RA_UNUSED);
	page_flags_set(pg, page_flags(pg) & ~(PG_SWAPBACKED | PG_EVICTABLE | PG_READAHEAD));
}

void pcache_page_used(struct pcache *pc, struct page *pg)
{
	assert_locked(pc);
	if (reclaim_first_use(pg)) {
		swap_ra_hit(&pc->ra);
		vmstat_inc(pc->page_flags & PG_SWAPBACKED ? VMSTAT_SWAP_RA_HIT :
			   VMSTAT_FILE_RA_HIT);
	}
}

int pcache_punch_page(struct pcache *pc, uint64_t idx, struct page *pg, void *arg)
{
	(void)arg;
	if (__atomic_load_n(&pg->refcount, __ATOMIC_ACQUIRE) == 1 && page_mapcount(pg) == 0) {
		page_put(pcache_remove(pc, idx));
		return 0;
	}
	memset(page_to_virt(pg), 0, PAGE_SIZE);
	return 0;
}

struct page *pcache_remove(struct pcache *pc, uint64_t idx)
{
	struct pcache_node *path[PCACHE_LEVELS];
	struct page *pg;
	void **slot;

	assert_locked(pc);
	path_fill(pc, idx, path);
	if (!path[0])
		return NULL;
	slot = &path[0]->slot[slot_of(idx, 0)];
	pg = *slot;
	if (!pg)
		return NULL;
	*slot = NULL;
	path[0]->used--;
	if (slot_is_swap(pg)) {		/* its contents are on swap: free them */
		swap_entry_free((swap_entry_t){ slot_swap(pg) });
		pc->nswapped--;
		__atomic_sub_fetch(&pcache_swapped_total, 1, __ATOMIC_RELAXED);
		tree_trim(pc, idx);
		return NULL;
	}
	pg = slot_page(pg);
	pc->npages--;
	tree_trim(pc, idx);
	page_disown(pg);
	return pg;
}

/*
 * The first page with from <= index < to under node n (at level l,
 * covering pages from base), its index in *idx; NULL if there is none.
 */
static struct page *node_next(struct pcache_node *n, int l, uint64_t base,
			      uint64_t from, uint64_t to, uint64_t *idx)
{
	unsigned int i = from > base ? (from - base) >> (PCACHE_SHIFT * l) : 0;

	for (; i < PCACHE_FANOUT; i++) {
		uint64_t lo = base + i * span(l);
		struct page *pg;

		if (lo >= to)
			return NULL;
		if (!n->slot[i] || (l == 0 && slot_is_swap(n->slot[i])))
			continue;
		if (l == 0) {
			*idx = lo;
			return slot_take_page(&n->slot[i]);
		}
		pg = node_next(n->slot[i], l - 1, lo, from, to, idx);
		if (pg)
			return pg;
	}
	return NULL;
}

/*
 * Each step looks the next page up from the root, so fn may change the
 * tree as it likes: the walk never holds a node across a call.
 */
int pcache_foreach_range(struct pcache *pc, uint64_t from, uint64_t to,
			 pcache_fn fn, void *arg)
{
	struct page *pg;
	uint64_t idx;
	int ret;

	assert_locked(pc);
	while (from < to && pc->root && from < span(pc->height)) {
		pg = node_next(pc->root, pc->height - 1, 0, from, to, &idx);
		if (!pg)
			break;
		ret = fn(pc, idx, pg, arg);
		if (ret)
			return ret;
		from = idx + 1;
	}
	return 0;
}

/* Free node n at level l and everything under it, dropping the pages. */
static void node_release(struct pcache_node *n, int l)
{
	for (int i = 0; i < PCACHE_FANOUT && n->used; i++) {
		if (!n->slot[i])
			continue;
		if (l == 0 && slot_is_swap(n->slot[i])) {
			swap_entry_free((swap_entry_t){ slot_swap(n->slot[i]) });
			__atomic_sub_fetch(&pcache_swapped_total, 1, __ATOMIC_RELAXED);
		} else if (l == 0) {
			page_disown(slot_page(n->slot[i]));
			page_put(slot_page(n->slot[i]));
		} else {
			node_release(n->slot[i], l - 1);
		}
		n->used--;
	}
	kmem_cache_free(node_cache, n);
}

void pcache_release(struct pcache *pc)
{
	if (pc->root)
		node_release(pc->root, pc->height - 1);
	pc->root = NULL;
	pc->height = 0;
	pc->npages = 0;
	pc->nswapped = 0;
}

/* The leaf slot of idx, which must be in the tree. */
static void **leaf_slot(struct pcache *pc, uint64_t idx)
{
	struct pcache_node *n = pc->root;

	for (int l = pc->height - 1; n && l > 0; l--)
		n = n->slot[slot_of(idx, l)];
	if (!n)
		panic("pcache: no leaf for page %lu", (unsigned long)idx);
	return &n->slot[slot_of(idx, 0)];
}

void pcache_page_to_swap(struct pcache *pc, uint64_t idx, struct page *pg,
			 uint64_t e)
{
	void **slot;

	assert_locked(pc);
	slot = leaf_slot(pc, idx);
	if (slot_is_swap(*slot) || slot_page(*slot) != pg)
		panic("pcache_page_to_swap: page %lu is not the one given",
		      (unsigned long)idx);
	*slot = swap_slot(e);
	pc->npages--;
	pc->nswapped++;
	__atomic_add_fetch(&pcache_swapped_total, 1, __ATOMIC_RELAXED);
	page_disown(pg);
}

uint64_t pcache_swap_to_page(struct pcache *pc, uint64_t idx, struct page *pg)
{
	void **slot;
	uint64_t e;

	assert_locked(pc);
	slot = leaf_slot(pc, idx);
	if (!slot_is_swap(*slot))
		panic("pcache_swap_to_page: page %lu is not on swap", (unsigned long)idx);
	e = slot_swap(*slot);
	pg->state = PAGE_FILE;
	pg->owner = pc->owner;
	pg->index = idx;
	page_flags_set(pg, page_flags(pg) | pc->page_flags);
	*slot = pg;
	pc->nswapped--;
	__atomic_sub_fetch(&pcache_swapped_total, 1, __ATOMIC_RELAXED);
	pc->npages++;
	if (pc->evictable)
		reclaim_track(pg);
	return e;
}

void pcache_writeback_begin(struct pcache *pc, uint64_t idx, struct page *pg)
{
	void **slot;

	assert_locked(pc);
	slot = leaf_slot(pc, idx);
	if (*slot != pg)
		panic("pcache_writeback_begin: page %lu is not the one given",
		      (unsigned long)idx);
	*slot = (void *)((uintptr_t)pg | SLOT_WRITEBACK);
}

bool pcache_writeback_end(struct pcache *pc, uint64_t idx, struct page *pg)
{
	void *p, **slot;

	assert_locked(pc);
	p = slot_get(pc, idx);
	if (p != (void *)((uintptr_t)pg | SLOT_WRITEBACK))
		return false;		/* found since, or gone */
	slot = leaf_slot(pc, idx);
	*slot = pg;
	return true;
}

/* The first swap entry at index >= from under node n (level l, from base). */
static bool node_next_swap(struct pcache_node *n, int l, uint64_t base,
			   uint64_t from, uint64_t *idx, uint64_t *e)
{
	unsigned int i = from > base ? (from - base) >> (PCACHE_SHIFT * l) : 0;

	for (; i < PCACHE_FANOUT; i++) {
		uint64_t lo = base + i * span(l);

		if (!n->slot[i])
			continue;
		if (l == 0) {
			if (!slot_is_swap(n->slot[i]))
				continue;
			*idx = lo;
			*e = slot_swap(n->slot[i]);
			return true;
		}
		if (node_next_swap(n->slot[i], l - 1, lo, from, idx, e))
			return true;
	}
	return false;
}

bool pcache_next_swap(struct pcache *pc, uint64_t from, uint64_t *idx, uint64_t *e)
{
	assert_locked(pc);
	if (!pc->root || !pc->nswapped || from >= span(pc->height))
		return false;
	return node_next_swap(pc->root, pc->height - 1, 0, from, idx, e);
}

bool pcache_is_on_swap(struct pcache *pc, uint64_t idx)
{
	uint64_t e;
	bool out;

	if (!pcache_maybe_swapped(pc))
		return false;
	mutex_lock(pc->lock);
	out = pcache_lookup_swap(pc, idx, &e);
	mutex_unlock(pc->lock);
	return out;
}
