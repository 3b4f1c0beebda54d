/*
 * policy — page replacement behind one interface.
 *
 * When memory runs short, reclaim must choose which resident user page to
 * give back (write to swap, or drop if clean). That choice is a replacement
 * policy. Kilburn keeps several, each in its own file, behind struct
 * vm_policy_ops, and picks one at boot with vm.policy=NAME:
 *
 *	clock	second chance over the referenced bits (the default)
 *	fifo	first in, first out; ignores use
 *	lru	exact least-recently-used, for comparison (slow)
 *	s3fifo	S3-FIFO (Yang et al., SOSP 2023): scan resistant
 *
 * docs/vm-policy.md describes each and the simulator that compares them.
 *
 * An instance (struct vm_policy) tracks at most max_frames resident pages.
 * Reclaim tells it when a page comes in (insert), when it goes for any
 * reason (remove: evicted, freed, unmapped, truncated), and asks it for a
 * victim (select_victim). Use is learned lazily, as the hardware offers it:
 * while scanning, a policy asks reclaim through the test_and_clear_referenced
 * hook whether a page was used since the last time it asked (reclaim reads
 * and clears the accessed bits of every PTE mapping the page, and the
 * software PG_REFERENCED bit set by read/write of cached pages). The access
 * that brings a page in counts: it is reported at the first test. A policy
 * may also offer an access hook, told of every single reference; only a
 * simulator or a tracing build can afford to call it (exact LRU uses it).
 *
 * Every policy also says which of its pages are active (is_active): the
 * ones it would keep longest, /proc/meminfo's Active; the rest are
 * Inactive. The instance keeps the counts per kind (anon: anonymous and
 * swap-backed pages; file: pages of files on disk) as pages come, go and
 * change sides, so reading them costs little (vm_policy_lists). A policy
 * may leave the sides to be settled when they are read (ops->settle), so
 * that a page coming in or going pays no more than its own links.
 *
 * Pages are linked through struct page's `link` and keep their per-page
 * state in the PG_POLICY_MASK bits of `flags` (vm/pmm.h): a policy needs no
 * memory per page, and its per-instance memory (ops->state_size bytes) is
 * given by the caller at init, so nothing is allocated after that.
 *
 * Locking: every vm_policy_* call on an instance is made with that
 * instance's reclaim lock held, and the policy calls the hooks with it held.
 * Policies never sleep and never allocate. The hooks may take locks that
 * come after the reclaim lock (the pmap and reverse-map locks) and must not
 * take the reclaim lock itself.
 *
 * Machine-independent: compiles on the host (host/test_policy.c,
 * host/sim_policy.c).
 */
#ifndef KILBURN_POLICY_H
#define KILBURN_POLICY_H

#include "env.h"
#include "list.h"
#include "vm/pmm.h"

/* What reclaim lends a policy instance. */
struct vm_policy_hooks {
	/*
	 * Was pg used since the last call for it (or since it came in)?
	 * Clears what it reads. NULL: a policy sees no use at all.
	 */
	bool (*test_and_clear_referenced)(struct page *pg, void *ctx);
	/*
	 * A key naming the page's contents that stays the same when the page
	 * is evicted and brought back in another frame (policies that
	 * remember evicted pages use it). NULL: vm_policy_page_key().
	 */
	uint64_t (*page_key)(struct page *pg, void *ctx);
	void *ctx;
};

/* Counters of one instance, for /proc/vmstat and the simulator. */
struct vm_policy_stats {
	uint64_t inserted;	/* pages that came in */
	uint64_t removed;	/* pages that went (evicted or freed) */
	uint64_t victims;	/* pages select_victim returned */
	uint64_t scanned;	/* referenced tests made (pgscan) */
	uint64_t kept;		/* pages kept because they were used (pgactivate) */
};

struct vm_policy;

struct vm_policy_ops {
	const char *name;		/* as in vm.policy=NAME */
	const char *summary;		/* one line, for the boot log */

	/* Bytes of per-instance state for max_frames pages (may be 0). */
	size_t (*state_size)(uint64_t max_frames);
	/* Set up pol->state (zeroed, state_size bytes). Returns 0 or -errno. */
	int (*init)(struct vm_policy *pol);
	/* Let go of every page still on it (vm_policy_forget_all). */
	void (*destroy)(struct vm_policy *pol);

	/* pg became resident (PG_ONPOLICY already set). */
	void (*insert)(struct vm_policy *pol, struct page *pg);
	/* pg leaves (PG_ONPOLICY still set): unlink it. */
	void (*remove)(struct vm_policy *pol, struct page *pg);
	/*
	 * The page to evict now, or NULL if none is on the policy. It stays
	 * on the policy, last in line, until the caller removes it; a page
	 * the caller cannot evict yet is thus not returned again at once.
	 * Bounded: a policy scans each page a small fixed number of times.
	 */
	struct page *(*select_victim)(struct vm_policy *pol);
	/* Optional: pg, resident, was just used. May be slow. */
	void (*access)(struct vm_policy *pol, struct page *pg);
	/*
	 * Optional: pg, on the policy since it was read ahead, is used for
	 * the first time: from now on it is a page that has just come in,
	 * keeping what its insertion decided (its side, active or not, does
	 * not change). Without it, vm_policy_renew removes and inserts pg.
	 */
	void (*renew)(struct vm_policy *pol, struct page *pg);
	/* Optional: count the pages on its lists; panics on a broken list. */
	uint64_t (*check)(struct vm_policy *pol);
	/*
	 * Is pg (on pol) among the pages the policy holds as active? O(1),
	 * from pg's policy bits. Whenever the answer changes for a page on
	 * pol other than one being inserted or removed, the policy calls
	 * vm_policy_moved() (the counts of vm_policy_lists follow from it).
	 */
	bool (*is_active)(const struct vm_policy *pol, const struct page *pg);
	/*
	 * Optional: bring the sides up to date before they are read (the
	 * split queue moves its boundary here, not on each page that comes or
	 * goes). is_active's answers hold from one settle to the next change.
	 */
	void (*settle)(struct vm_policy *pol);
};

/* An instance. Fields are guarded by the reclaim lock of its user. */
struct vm_policy {
	const struct vm_policy_ops *ops;
	struct vm_policy_hooks hooks;
	uint64_t max_frames;		/* most pages it may hold */
	uint64_t nr_pages;		/* pages on it now */
	void *state;			/* the policy's own, state_size bytes */
	struct vm_policy_stats stats;
	uint64_t nr_anon;		/* pages with PG_POLICY_ANON */
	uint64_t active_anon, active_file;	/* of those and the rest, active */
};

/* What an instance holds, by kind and side (/proc/meminfo). */
struct vm_policy_lists {
	uint64_t active_anon, inactive_anon, active_file, inactive_file;
};

/* The policies. vm_policy_default is CLOCK. */
extern const struct vm_policy_ops vm_policy_clock;
extern const struct vm_policy_ops vm_policy_fifo;
extern const struct vm_policy_ops vm_policy_lru;
extern const struct vm_policy_ops vm_policy_s3fifo;
extern const struct vm_policy_ops *const vm_policy_default;

/* The policy named name, or NULL. */
const struct vm_policy_ops *vm_policy_find(const char *name);

/* The i-th registered policy (0, 1, ...), or NULL past the last. */
const struct vm_policy_ops *vm_policy_nth(unsigned int i);

/*
 * vm_policy_choose - pick the policy for this boot from the value of
 * vm.policy= (NULL or "" if not given: the default). An unknown name is
 * reported and the default used. Logs the choice. Returns it; it is also
 * kept for vm_policy_chosen().
 */
const struct vm_policy_ops *vm_policy_choose(const char *name);

/* The policy vm_policy_choose() picked (the default before it ran). */
const struct vm_policy_ops *vm_policy_chosen(void);

/* Bytes of state an instance of ops over max_frames needs. */
size_t vm_policy_state_size(const struct vm_policy_ops *ops, uint64_t max_frames);

/*
 * vm_policy_init - make pol an instance of ops for at most max_frames pages.
 * hooks is copied; state is vm_policy_state_size() bytes the caller owns
 * and keeps until vm_policy_destroy (it is zeroed here). Returns 0, or
 * -EINVAL (max_frames 0, or state missing when one is needed).
 */
int vm_policy_init(struct vm_policy *pol, const struct vm_policy_ops *ops,
		   uint64_t max_frames, const struct vm_policy_hooks *hooks,
		   void *state);

/* vm_policy_destroy - take every page off pol; pol may then be reused. */
void vm_policy_destroy(struct vm_policy *pol);

/*
 * vm_policy_insert - pg became resident. Panics if pg is on a policy
 * already or pol holds max_frames pages. Reclaim lock held.
 */
void vm_policy_insert(struct vm_policy *pol, struct page *pg);

/*
 * vm_policy_remove - pg leaves (evicted, freed, unmapped, truncated).
 * Panics if pg is not on a policy. Reclaim lock held.
 */
void vm_policy_remove(struct vm_policy *pol, struct page *pg);

/*
 * vm_policy_renew - pg (on pol), a page read ahead, is used for the first
 * time: the use counts as the access that brought it in, not as a second
 * one (the ops' renew, or a remove and an insert). Reclaim lock held.
 */
void vm_policy_renew(struct vm_policy *pol, struct page *pg);

/* vm_policy_select_victim - see ops->select_victim. Reclaim lock held. */
struct page *vm_policy_select_victim(struct vm_policy *pol);

/*
 * vm_policy_lists - pol's pages by kind and side, settled first (a zeroed,
 * uninitialised instance gives zeros). Reclaim lock held.
 */
void vm_policy_lists(struct vm_policy *pol, struct vm_policy_lists *l);

/* Is pg, on pol, active (ops->is_active, settled first)? Reclaim lock held. */
bool vm_policy_is_active(struct vm_policy *pol, const struct page *pg);

/* Is pg counted among the anon pages (anonymous or swap-backed)? */
static inline bool vm_policy_page_is_anon(const struct page *pg)
{
	return pg->state == PAGE_ANON || (pg->flags & PG_SWAPBACKED);
}

/* vm_policy_access - pg was used: tell the policy if it listens. */
void vm_policy_access(struct vm_policy *pol, struct page *pg);

/*
 * vm_policy_check - the policy's lists hold exactly nr_pages pages, each
 * marked PG_ONPOLICY. Returns 0 or panics naming what broke.
 */
int vm_policy_check(struct vm_policy *pol);

/* The default page key: the page's owner and its index in the owner. */
static inline uint64_t vm_policy_page_key(const struct page *pg)
{
	uint64_t k = (uint64_t)(uintptr_t)pg->owner ^ (pg->index * 0x9e3779b97f4a7c15ULL);

	k ^= k >> 31;
	k *= 0xbf58476d1ce4e5b9ULL;
	return k ^ (k >> 29);
}

/* ---- for the policies' own files */

/* Ask reclaim whether pg was used since the last test; counts a scan. */
static inline bool vm_policy_referenced(struct vm_policy *pol, struct page *pg)
{
	pol->stats.scanned++;
	return pol->hooks.test_and_clear_referenced &&
	       pol->hooks.test_and_clear_referenced(pg, pol->hooks.ctx);
}

/* The key of pg, through the hook if reclaim gave one. */
static inline uint64_t vm_policy_key(struct vm_policy *pol, struct page *pg)
{
	if (pol->hooks.page_key)
		return pol->hooks.page_key(pg, pol->hooks.ctx);
	return vm_policy_page_key(pg);
}

/* The policy's per-page bits of pg (0 .. 15). */
static inline unsigned int vm_policy_bits(const struct page *pg)
{
	return (pg->flags & PG_POLICY_MASK) >> PG_POLICY_SHIFT;
}

static inline void vm_policy_set_bits(struct page *pg, unsigned int bits)
{
	pg->flags = (uint16_t)((pg->flags & ~PG_POLICY_MASK) |
			       ((bits << PG_POLICY_SHIFT) & PG_POLICY_MASK));
}

/* The page whose link is node. */
static inline struct page *vm_policy_page(struct list_node *node)
{
	return list_entry(node, struct page, link);
}

/* The oldest page of queue q (its front), or NULL if q is empty. */
static inline struct page *vm_policy_oldest(struct list_node *q)
{
	return list_first(q, struct page, link);
}

/* Move pg to the back of queue q (pg may be on q or another queue). */
static inline void vm_policy_requeue(struct list_node *q, struct page *pg)
{
	list_remove(&pg->link);
	list_append(q, &pg->link);
}

/*
 * pg, on pol and not being inserted or removed, became active (or
 * inactive): keep the counts. Called by the policies only.
 */
void vm_policy_moved(struct vm_policy *pol, struct page *pg, bool active);

/*
 * A split queue, for the policies that keep one order (CLOCK, FIFO, LRU):
 * the queue is `older` followed by `newer`, and `newer` holds its newer
 * half (the extra page when the count is odd) once settled. A page's side
 * is policy bit VM_QUEUE_NEWER; the newer half is what such a policy calls
 * active. A page comes in and goes back at the end of `newer` and leaves
 * from wherever it is; the boundary moves only in vm_queue_settle, which
 * walks it back to the middle, telling pol of each page that crosses
 * (vm_policy_moved): a fault pays for no page but its own.
 */
struct vm_policy_queue {
	struct list_node older;		/* front: the page the policy looks at next */
	struct list_node newer;		/* back: the newest page */
	uint64_t nolder, nnewer;
};
#define VM_QUEUE_NEWER	0x1		/* policy bit: pg is in the newer half */

void vm_queue_init(struct vm_policy_queue *q);
/* Move the boundary back to the middle (ops->settle). */
void vm_queue_settle(struct vm_policy *pol, struct vm_policy_queue *q);
/* Take every page off q (destroy). */
void vm_queue_forget_all(struct vm_policy_queue *q);
/* Count q's pages, checking the halves' counts, balance and bits (check; settled first). */
uint64_t vm_queue_count(struct vm_policy_queue *q, const char *what);

/*
 * The per-page operations, inline: each is a few list moves, done for
 * every page that comes in, goes, or is passed by a hand, under the
 * reclaim lock.
 */

/* Is pg in the newer half? */
static inline bool vm_queue_is_newer(const struct page *pg)
{
	return vm_policy_bits(pg) & VM_QUEUE_NEWER;
}

static inline void vm_queue_set_newer(struct page *pg, bool newer)
{
	unsigned int bits = vm_policy_bits(pg) & ~VM_QUEUE_NEWER;

	vm_policy_set_bits(pg, bits | (newer ? VM_QUEUE_NEWER : 0));
}

/* pg comes in (being inserted, not yet counted): the newest page. */
static inline void vm_queue_add(struct vm_policy *pol, struct vm_policy_queue *q,
				struct page *pg)
{
	list_append(&q->newer, &pg->link);
	vm_queue_set_newer(pg, true);
	q->nnewer++;
}

/*
 * Unlink pg from q without balancing (it stays counted, its bit as it
 * was): the caller puts it back soon with vm_queue_put_back. For a pass
 * that reorders many pages (LRU's scan).
 */
static inline void vm_queue_take(struct vm_policy_queue *q, struct page *pg)
{
	list_remove(&pg->link);
	if (vm_queue_is_newer(pg))
		q->nnewer--;
	else
		q->nolder--;
}

/* pg goes (being removed, no longer counted). */
static inline void vm_queue_del(struct vm_policy *pol, struct vm_policy_queue *q,
				struct page *pg)
{
	vm_queue_take(q, pg);
}

/* Put a page taken off q (and off any list the caller put it on) at the back. */
static inline void vm_queue_put_back(struct vm_policy *pol, struct vm_policy_queue *q,
				     struct page *pg)
{
	bool was_newer = vm_queue_is_newer(pg);

	list_remove(&pg->link);		/* off the caller's list, if on one */
	list_append(&q->newer, &pg->link);
	vm_queue_set_newer(pg, true);
	q->nnewer++;
	if (!was_newer)
		vm_policy_moved(pol, pg, true);
}

/* Move pg, on q, to the back: it becomes the newest page. */
static inline void vm_queue_to_back(struct vm_policy *pol, struct vm_policy_queue *q,
				    struct page *pg)
{
	vm_queue_take(q, pg);
	vm_queue_put_back(pol, q, pg);
}

/* The page at the front (the oldest), or NULL if q is empty. */
static inline struct page *vm_queue_oldest(struct vm_policy_queue *q)
{
	struct page *pg = vm_policy_oldest(&q->older);

	return pg ? pg : vm_policy_oldest(&q->newer);
}

/* Take every page off queue q, clearing its policy bits (destroy). */
void vm_policy_forget_all(struct list_node *q);

/* Count the pages on queue q, checking links and PG_ONPOLICY (check). */
uint64_t vm_policy_count(struct list_node *q, const char *what);

#endif
