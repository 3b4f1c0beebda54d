/*
 * mlock — which pages a locked region (mlock, mlockall, MAP_LOCKED:
 * REGION_LOCKED) keeps in memory, when several address spaces map them.
 *
 * A page is locked while a locked region maps it. Each mapping a locked
 * region makes is marked "locked" on the page's reverse map (rmap.h:
 * RMAP_LOCKED, PV_LOCKED), so "is it still locked?" is a walk of the page's
 * own mappings, under its rmap lock, with no address space's lock: the
 * question Linux's rmap walk answers from each mapping's VM_LOCKED. The
 * page's own mark, what page-out reads, follows:
 *   - a cache page (root disk, tmpfs, shared memory): PG_MLOCKED, off the
 *     replacement policy (reclaim_mlock, reclaim_munlock);
 *   - an anonymous page: ANON_MLOCKED on its anon, off the policy.
 *
 * Locking: a locked region marks its mapping first, then the page
 * (reclaim_mlock, or ANON_MLOCKED under the anon's lock). Unlocking clears
 * the mapping's mark first, then looks at the page's other mappings under
 * the lock that guards the page's mark (the reclaim lock, the anon's lock)
 * and clears the page's mark only if none is locked. Whichever order two
 * address spaces do this in, a page mapped locked stays locked. Page-out
 * checks the marks once more before it unmaps a page (Linux's try_to_unmap
 * of a VM_LOCKED mapping) and locks a page it finds mapped locked.
 *
 * The mapping's mark goes when the mapping goes, so every path that removes
 * a locked region's mappings unlocks first: munlock, munlockall, munmap,
 * mremap (which moves the region's pages, then locks them again), exit and
 * exec, MADV_DONTNEED, mprotect to PROT_NONE, and the copy-on-write of a
 * page a locked region mapped read-only. fork makes the child's mappings
 * unmarked (locks are not inherited).
 *
 * Machine-independent: compiles on the host.
 */
#ifndef KILBURN_MLOCK_H
#define KILBURN_MLOCK_H

#include "env.h"
#include "vm/pmm.h"

struct anon;
struct pmap;

/*
 * mlock_pin - the page (anonymous or of a cache) that pm maps at va, with a
 * reference for the caller, or NULL if va maps none (or not readable nor
 * executable). The address space's lock held.
 */
struct page *mlock_pin(struct pmap *pm, vaddr_t va);

/*
 * mlock_mark - mark pm's mapping of pg at va locked or not on pg's reverse
 * map. pg pinned by the caller. Returns false if pm does not map pg at va
 * (any more).
 */
bool mlock_mark(struct page *pg, struct pmap *pm, vaddr_t va, bool lock);

/*
 * mlock_anon_page - pm's mapping at va of an's page pg was made by a locked
 * region: it is marked, and an becomes ANON_MLOCKED (off the policy). The
 * caller holds a reference on an (its amap's) and on pg.
 */
void mlock_anon_page(struct anon *an, struct page *pg, struct pmap *pm,
		     vaddr_t va);

/*
 * munlock_anon - a locked region let go of an (its mapping's mark cleared
 * first, or it had none): unless an's page is still mapped locked
 * elsewhere, an is no longer ANON_MLOCKED and its page goes back on the
 * policy. The caller holds a reference on an. Anon lock not held.
 */
void munlock_anon(struct anon *an);

#endif
