/*
 * rmap — the reverse map: for every managed user frame (PAGE_ANON or
 * PAGE_FILE), the (pmap, va) of each page-table entry that maps it. The
 * pmap keeps it (an entry is added and removed in the same critical section
 * that makes or clears the page-table entry); swap and reclaim read it
 * through pmap_page_protect, pmap_is_referenced and friends (vm/pmap.h).
 *
 * The shape, per frame (struct page):
 *
 *   rmap == NULL                no mapping
 *   rmap == a pmap (bit 0 clear) one mapping, stored in the descriptor
 *                               itself: that pmap at va = (spare & RMAP_VPN)
 *                               << PAGE_SHIFT; no allocation at all
 *   rmap == pv | 1              two or more: a singly linked list of
 *                               struct pv_entry, one per mapping
 *
 * Most frames are mapped once (a private page of one process), so the fault
 * path never allocates; the list appears when a second address space maps
 * the frame (fork, a shared file page) and folds back into the descriptor
 * when only one mapping is left. The two top bits of `spare` remember the
 * referenced and modified bits of mappings that are gone (a page written
 * and then unmapped is still dirty).
 *
 * Locking: each frame's rmap is guarded by one of RMAP_LOCKS spinlocks,
 * chosen by hashing the frame (rmap_lock_of). It is a leaf lock ordered
 * after any pmap lock: pmap lock -> rmap lock. Code holding an rmap lock
 * takes no other lock (except the pv cache's, inside the allocator) and
 * reads page tables only through entries the rmap lists, which cannot go
 * away while the lock is held.
 *
 * Machine-independent: compiles on the host (the software pmap uses it too).
 */
#ifndef KILBURN_RMAP_H
#define KILBURN_RMAP_H

#include "env.h"
#include "vm/pmm.h"

struct pmap;

struct pv_entry {
	struct pv_entry *next;
	struct pmap *pm;
	vaddr_t va;
};

#define RMAP_LOCKS	64
#define RMAP_VPN	0x0fffffffU	/* spare: page number of the inline va */
#define RMAP_SAVED_REF	0x80000000U	/* spare: a removed mapping was referenced */
#define RMAP_SAVED_MOD	0x40000000U	/* spare: a removed mapping was modified */

/* Set up the pv-entry cache (boot, from vm_init). */
void rmap_init(void);

/* Is pg a frame whose mappings the rmap records? */
static inline bool rmap_managed(const struct page *pg)
{
	return pg && (pg->state == PAGE_ANON || pg->state == PAGE_FILE);
}

/* The lock guarding pg's rmap (and the saved bits in pg->spare). */
struct spinlock *rmap_lock_of(const struct page *pg);

/*
 * rmap_add - record that pm maps pg at va. pg's rmap lock held (interrupts
 * off). Returns 0, or -ENOMEM if a pv entry could not be allocated (the
 * rmap is unchanged).
 */
int rmap_add(struct page *pg, struct pmap *pm, vaddr_t va);

/*
 * rmap_remove - forget the mapping (pm, va) of pg. pg's rmap lock held.
 * Panics if it is not recorded (the pmap and the rmap disagree).
 */
void rmap_remove(struct page *pg, struct pmap *pm, vaddr_t va);

/* Is (pm, va) recorded on pg's rmap? pg's rmap lock held. */
bool rmap_contains(const struct page *pg, const struct pmap *pm, vaddr_t va);

/* Mappings recorded for pg. pg's rmap lock held. */
unsigned int rmap_count(const struct page *pg);

/*
 * rmap_first - one mapping of pg, or false if it has none. pg's rmap lock
 * held. For loops that remove mappings one by one.
 */
bool rmap_first(const struct page *pg, struct pmap **pm, vaddr_t *va);

/*
 * rmap_foreach - call fn(pm, va, arg) for every mapping of pg. pg's rmap
 * lock held; fn must not add or remove mappings of pg.
 */
typedef void (*rmap_fn)(struct pmap *pm, vaddr_t va, void *arg);
void rmap_foreach(const struct page *pg, rmap_fn fn, void *arg);

/* The saved referenced/modified bits (RMAP_SAVED_*). pg's rmap lock held. */
static inline uint32_t rmap_saved(const struct page *pg)
{
	return pg->spare & (RMAP_SAVED_REF | RMAP_SAVED_MOD);
}

static inline void rmap_save(struct page *pg, uint32_t bits)
{
	pg->spare |= bits & (RMAP_SAVED_REF | RMAP_SAVED_MOD);
}

static inline void rmap_unsave(struct page *pg, uint32_t bits)
{
	pg->spare &= ~(bits & (RMAP_SAVED_REF | RMAP_SAVED_MOD));
}

/* pv entries in use (for tests and the leak check). */
uint64_t rmap_pv_count(void);

#endif
