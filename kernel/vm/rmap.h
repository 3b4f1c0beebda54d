/*
 * rmap — the reverse map: for every managed user frame (PAGE_ANON or
 * PAGE_FILE), the (pmap, va) of each page-table entry that maps it. The
 * pmap keeps it (an entry is added and removed in the same critical section
 * that makes or clears the page-table entry); swap and reclaim read it
 * through pmap_page_protect, pmap_is_referenced and friends (vm/pmap.h).
 *
 * The shape, per frame (struct page):
 *
 *   rmap   the first mapping's pmap, or NULL; its va is
 *          (spare & RMAP_VPN) << PAGE_SHIFT. No allocation at all.
 *   pv     the other mappings: a doubly linked list of struct pv_entry
 *          (NULL when there are none)
 *
 * Most frames are mapped once (a private page of one process), so the fault
 * path never allocates. A frame's second mapping (fork, a shared file page)
 * takes one pv entry; the inline mapping never moves, and a mapping made
 * while the inline slot is free takes the slot. A pv entry comes from the
 * pool of the pmap whose mapping it records (struct pv_pool, kept in the
 * pmap): allocated under that pmap's lock, which the caller of rmap_add
 * holds anyway, so no global lock is taken; freed onto the pool from any
 * context (a lock-free stack); and the pool's chunks go back wholesale when
 * the pmap is destroyed, after every entry was unlinked with its mapping.
 * The two top bits of `spare` remember the
 * referenced and modified bits of mappings that are gone (a page written
 * and then unmapped is still dirty).
 *
 * Each mapping also carries one bit of its own, "locked": the mapping was
 * made (or found) in a locked region (mlock, REGION_LOCKED) of its address
 * space. It plays the part of Linux's VM_LOCKED test in its rmap walk, read
 * without the address space's lock: a page is mlocked while one of its
 * mappings is locked (vm/mlock.h). For the inline mapping it is
 * RMAP_LOCKED in `spare`; for a pv entry, PV_LOCKED in the low bits of its
 * va (always page aligned). A mapping that goes takes its bit with it.
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
	struct pv_entry **pprev;	/* the link that points here */
	struct pmap *pm;
	vaddr_t va;
};

/*
 * The pv entries of one pmap. `chunks` (pages of entries), `free`, `bump`
 * and `end`: the owning pmap's lock. `freed`: entries given back from any
 * context (atomic push), taken all at once by the allocator.
 */
struct pv_pool {
	void *chunks;
	struct pv_entry *free;
	struct pv_entry *bump, *end;
	struct pv_entry *freed;
};

/* An empty pool (a new pmap). */
void pv_pool_init(struct pv_pool *pool);

/*
 * pv_pool_destroy - free the pool's chunks. Every entry must have been
 * removed from its frame's rmap (the pmap's mappings are all gone).
 */
void pv_pool_destroy(struct pv_pool *pool);

/*
 * pv_pool_shrink - give back every chunk of pool whose entries are all
 * free (the pool's pmap lock held). A pool grows as its pmap maps more shared frames at once and
 * otherwise keeps its chunks until the pmap goes; this is what gives them
 * back, as kmem_reclaim gives back empty slab pages. Returns the frames
 * freed.
 */
unsigned int pv_pool_shrink(struct pv_pool *pool);

/* The pool of pm's pv entries (each pmap keeps one). */
struct pv_pool *pmap_pv_pool(struct pmap *pm);

#define RMAP_LOCKS	64
#define RMAP_VPN	0x0fffffffU	/* spare: page number of the inline va */
#define RMAP_LOCKED	0x20000000U	/* spare: the inline mapping is locked */
#define PV_LOCKED	0x1UL		/* pv_entry.va: the mapping is locked */
#define RMAP_SAVED_REF	0x80000000U	/* spare: a removed mapping was referenced */
#define RMAP_SAVED_MOD	0x40000000U	/* spare: a removed mapping was modified */

/* Set up the rmap locks (boot, from vm_init). */
void rmap_init(void);

/* Is pg a frame whose mappings the rmap records? */
static inline bool rmap_managed(const struct page *pg)
{
	return pg && (pg->state == PAGE_ANON || pg->state == PAGE_FILE);
}

/*
 * The lock guarding pg's rmap (and the saved bits in pg->spare). Inline:
 * page-out takes it several times per page.
 */
extern struct spinlock rmap_locks[RMAP_LOCKS];
static inline struct spinlock *rmap_lock_of(const struct page *pg)
{
	uintptr_t h = (uintptr_t)pg / sizeof(struct page);

	return &rmap_locks[(h ^ (h >> 6)) % RMAP_LOCKS];
}

/*
 * rmap_add - record that pm maps pg at va. pg's rmap lock and pm's lock
 * held (interrupts off); a pv entry, if needed, comes from `pool`, pm's.
 * Returns 0, or -ENOMEM if a pv entry could not be allocated (the rmap is
 * unchanged).
 */
int rmap_add(struct page *pg, struct pmap *pm, vaddr_t va,
	     struct pv_pool *pool);

/*
 * rmap_remove - forget the mapping (pm, va) of pg; its pv entry, if any,
 * goes back to `pool`, pm's. pg's rmap lock held (pm's lock need not be).
 * Panics if it is not recorded (the pmap and the rmap disagree).
 */
void rmap_remove(struct page *pg, struct pmap *pm, vaddr_t va,
		 struct pv_pool *pool);

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

/*
 * rmap_set_locked - mark the mapping (pm, va) of pg locked or not (mlock).
 * pg's rmap lock held. Returns false if pg has no such mapping.
 */
bool rmap_set_locked(struct page *pg, const struct pmap *pm, vaddr_t va,
		     bool locked);

/* Is one of pg's mappings locked? pg's rmap lock held. */
bool rmap_any_locked(const struct page *pg);

/*
 * rmap_page_locked - the same, taking pg's rmap lock (so after any lock
 * but a pmap's or an rmap's: the reclaim lock, an anon's, a cache's).
 */
bool rmap_page_locked(struct page *pg);

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
