/* The radix tree of private pages; see amap.h. */
#include "vm/amap.h"
#include "vm/anon.h"
#include "vm/kmem.h"

/*
 * 64-slot nodes (about 520 bytes) in five levels cover the 2^27 pages of
 * the user half; a lone private page costs five small nodes, not three
 * pages of nodes.
 */
#define AMAP_FANOUT	64
#define AMAP_SHIFT	6
#define AMAP_LEVELS	5

struct amap_node {
	void *slot[AMAP_FANOUT];	/* nodes, or frames at level 0 */
	int used;
};

static struct kmem_cache *amap_cache;
static struct kmem_cache *node_cache;

void amap_init(void)
{
	amap_cache = kmem_cache_create("amap", sizeof(struct amap), 0);
	node_cache = kmem_cache_create("amap_node", sizeof(struct amap_node), 0);
	if (!amap_cache || !node_cache)
		panic("amap_init: out of memory");
}

static unsigned int slot_of(uint64_t idx, int level)
{
	return (idx >> (AMAP_SHIFT * level)) & (AMAP_FANOUT - 1);
}

struct amap *amap_create(void)
{
	struct amap *am;

	am = kmem_cache_alloc(amap_cache, KM_ZERO);
	if (am)
		am->refs = 1;
	return am;
}

/* Free node (at level) and everything under it. */
static void node_free(struct amap_node *n, int level)
{
	for (int i = 0; i < AMAP_FANOUT && n->used; i++) {
		if (!n->slot[i])
			continue;
		if (level == 0)
			anon_put(n->slot[i]);
		else
			node_free(n->slot[i], level - 1);
		n->slot[i] = NULL;
		n->used--;
	}
	kmem_cache_free(node_cache, n);
}

void amap_release(struct amap *am)
{
	if (--am->refs > 0)
		return;
	if (am->root)
		node_free(am->root, AMAP_LEVELS - 1);
	kmem_cache_free(amap_cache, am);
}

struct anon *amap_lookup(struct amap *am, uint64_t idx)
{
	struct amap_node *n = am->root;

	if (am->hint && am->hint_base == idx >> AMAP_SHIFT)
		return ((struct amap_node *)am->hint)->slot[slot_of(idx, 0)];
	for (int level = AMAP_LEVELS - 1; n && level > 0; level--)
		n = n->slot[slot_of(idx, level)];
	return n ? n->slot[slot_of(idx, 0)] : NULL;
}

/* The level-0 node holding slot idx, created with its parents if missing. */
static struct amap_node *leaf_node(struct amap *am, uint64_t idx)
{
	void **link = &am->root;
	struct amap_node *parent = NULL;

	if (am->hint && am->hint_base == idx >> AMAP_SHIFT)
		return am->hint;
	for (int level = AMAP_LEVELS - 1; ; level--) {
		if (!*link) {
			*link = kmem_cache_alloc(node_cache, KM_ZERO);
			if (!*link)
				return NULL;
			if (parent)
				parent->used++;
		}
		if (level == 0) {
			am->hint = *link;
			am->hint_base = idx >> AMAP_SHIFT;
			return *link;
		}
		parent = *link;
		link = &parent->slot[slot_of(idx, level)];
	}
}

int amap_set(struct amap *am, uint64_t idx, struct anon *an)
{
	struct amap_node *leaf;
	struct anon **slot;

	if (idx >= AMAP_MAX_PAGES)
		return -EINVAL;
	leaf = leaf_node(am, idx);
	if (!leaf)
		return -ENOMEM;
	slot = (struct anon **)&leaf->slot[slot_of(idx, 0)];
	if (*slot) {
		anon_put(*slot);
	} else {
		leaf->used++;
		am->npages++;
	}
	*slot = an;
	return 0;
}

/* Clear [from, to) under node n covering pages [base, base + span). */
static void node_clear(struct amap *am, struct amap_node *n, int level,
		       uint64_t base, uint64_t from, uint64_t to)
{
	uint64_t child_span = 1UL << (AMAP_SHIFT * level);

	for (int i = 0; i < AMAP_FANOUT; i++) {
		uint64_t lo = base + i * child_span, hi = lo + child_span;

		if (!n->slot[i] || hi <= from || lo >= to)
			continue;
		if (level == 0) {
			anon_put(n->slot[i]);
			am->npages--;
		} else {
			struct amap_node *child = n->slot[i];

			node_clear(am, child, level - 1, lo, from, to);
			if (child->used)
				continue;
			kmem_cache_free(node_cache, child);
		}
		n->slot[i] = NULL;
		n->used--;
	}
}

void amap_clear(struct amap *am, uint64_t from, uint64_t to)
{
	am->hint = NULL;		/* its node may go */
	if (!am->root)
		return;
	node_clear(am, am->root, AMAP_LEVELS - 1, 0, from, MIN(to, AMAP_MAX_PAGES));
	if (!((struct amap_node *)am->root)->used) {
		kmem_cache_free(node_cache, am->root);
		am->root = NULL;
	}
}

/* Copy the frames of node n (covering base..) that lie in [from, to). */
static int node_copy(struct amap *dst, struct amap_node *n, int level,
		     uint64_t base, uint64_t from, uint64_t to)
{
	uint64_t child_span = 1UL << (AMAP_SHIFT * level);

	for (int i = 0; i < AMAP_FANOUT; i++) {
		uint64_t lo = base + i * child_span, hi = lo + child_span;
		int err;

		if (!n->slot[i] || hi <= from || lo >= to)
			continue;
		if (level > 0) {
			err = node_copy(dst, n->slot[i], level - 1, lo, from, to);
		} else {
			anon_ref(n->slot[i]);
			err = amap_set(dst, lo, n->slot[i]);
			if (err)
				anon_put(n->slot[i]);
		}
		if (err)
			return err;
	}
	return 0;
}

struct amap *amap_copy(struct amap *am, uint64_t from, uint64_t to)
{
	struct amap *copy = amap_create();

	if (!copy)
		return NULL;
	if (am->root && node_copy(copy, am->root, AMAP_LEVELS - 1, 0, from, to)) {
		amap_release(copy);
		return NULL;
	}
	return copy;
}

/* Call fn on each anon of node n (covering base..) that lies in [from, to). */
static void node_walk(struct amap_node *n, int level, uint64_t base,
		      uint64_t from, uint64_t to,
		      void (*fn)(struct anon *an, void *arg), void *arg)
{
	uint64_t child_span = 1UL << (AMAP_SHIFT * level);

	for (int i = 0; i < AMAP_FANOUT; i++) {
		uint64_t lo = base + i * child_span, hi = lo + child_span;

		if (!n->slot[i] || hi <= from || lo >= to)
			continue;
		if (level > 0)
			node_walk(n->slot[i], level - 1, lo, from, to, fn, arg);
		else
			fn(n->slot[i], arg);
	}
}

void amap_foreach(struct amap *am, uint64_t from, uint64_t to,
		  void (*fn)(struct anon *an, void *arg), void *arg)
{
	if (am->root)
		node_walk(am->root, AMAP_LEVELS - 1, 0, from, to, fn, arg);
}
