/*
 * amap — the private pages of a region: anonymous memory and the
 * copy-on-write copies of file pages, indexed by page number.
 *
 * A sparse five-level radix tree of 64-slot nodes (2^30 slots, more than
 * the 2^26 pages of the user half). Each slot holds a reference to an anon
 * (vm/anon.h), the identity of one private page: a fork that copies an amap
 * shares the anons, and a write fault copies a page only while its anon is
 * referenced more than once.
 *
 * An amap may be shared by several regions of one address space (after a
 * split); `refs` counts them.
 *
 * Machine-independent: compiles on the host. Callers serialize access (the
 * address space's lock).
 */
#ifndef KILBURN_AMAP_H
#define KILBURN_AMAP_H

#include "env.h"
#include "vm/pmm.h"

struct anon;

#define AMAP_MAX_PAGES	(1UL << 27)

/* Every field is guarded by the lock of the address space whose regions use it. */
struct amap {
	void *root;		/* top node, NULL when empty */
	uint64_t npages;	/* slots in use */
	int refs;		/* regions using this amap */
	void *hint;		/* the level-0 node last found by amap_set, or
				   NULL: faults walk an amap's pages in order */
	uint64_t hint_base;	/* its first index >> 6 */
};

/* Make the amap caches; once, at boot (vm_init). */
void amap_init(void);

struct amap *amap_create(void);
/* Drop one region's reference; the last one frees every page and node. */
void amap_release(struct amap *am);

/* The anon in slot idx, or NULL. */
struct anon *amap_lookup(struct amap *am, uint64_t idx);

/*
 * amap_set - put an (whose reference the amap takes over) in slot idx,
 * dropping the anon that was there. Returns 0, -EINVAL (idx out of range)
 * or -ENOMEM.
 */
int amap_set(struct amap *am, uint64_t idx, struct anon *an);

/* Empty slots [from, to), dropping their anons. */
void amap_clear(struct amap *am, uint64_t from, uint64_t to);

/*
 * amap_copy - a new amap holding the same anons as slots [from, to) of am,
 * in the same slots, each with one more reference (copy-on-write sharing).
 * Returns NULL if out of memory.
 */
struct amap *amap_copy(struct amap *am, uint64_t from, uint64_t to);

/*
 * amap_foreach - call fn(an, arg) on the anon of every used slot in
 * [from, to), in slot order, visiting only the tree's existing nodes.
 * fn must not change the amap.
 */
void amap_foreach(struct amap *am, uint64_t from, uint64_t to,
		  void (*fn)(struct anon *an, void *arg), void *arg);

#endif
