/*
 * pmm — the physical memory manager.
 *
 * Every frame of RAM has one descriptor, struct page, kept in an array that
 * pmm_init() places in RAM itself. Free frames live in a buddy allocator
 * (orders 0 .. PMM_MAX_ORDER, blocks naturally aligned, neighbours coalesced
 * on free); single frames also go through small per-hart caches so the common
 * case takes no global lock.
 *
 * A frame's descriptor says what it is (state), how many references it has
 * (refcount) and, for the kinds that need them, who owns it and where it is
 * mapped: the fields marked "owner" are for the layer that allocated the frame.
 *
 * Machine-independent: compiles on the host against host/env/env.h.
 */
#ifndef KILBURN_PMM_H
#define KILBURN_PMM_H

#include "env.h"
#include "list.h"

#define PMM_MAX_ORDER	10		/* largest block: 2^10 frames = 4 MiB */
#define PMM_MAX_RANGES	16

/* What a frame is used for. */
enum page_state {
	PAGE_RESERVED = 0,	/* not managed: firmware, kernel image, device tree, descriptors */
	PAGE_FREE,		/* in the buddy allocator or a per-hart cache */
	PAGE_KERNEL,		/* allocated to kernel code, no further owner */
	PAGE_SLAB,		/* a slab page of a kmem cache (owner = cache) */
	PAGE_PGTABLE,		/* a page-table page */
	PAGE_KSTACK,		/* a kernel stack page */
	PAGE_ANON,		/* a private page of an amap (anonymous or a
				   copy-on-write copy) */
	PAGE_FILE,		/* a page of an object's page cache (pcache.h):
				   a file, a tmpfs file or shared anonymous
				   memory; owner = the vobject, index = its page
				   number in it */
	PMM_NSTATES
};

/* Frame descriptor: 64 bytes, 1.56% of a 4 KiB frame. */
struct pv_entry;

struct page {
	struct list_node link;	/* buddy free list, slab list, or replacement
				   policy queue (PG_ONPOLICY; reclaim lock) */
	uint8_t state;		/* enum page_state */
	uint8_t order;		/* buddy order; valid on the head frame of a block */
	uint16_t flags;		/* PG_* below */
	uint32_t refcount;	/* references; atomic; 0 when free */
	void *owner;		/* owner: cache, object or address space */
	uint64_t index;		/* owner: offset in owner, or swap slot */
	void *rmap;		/* reverse map (who maps this frame, vm/rmap.h);
				   kept by the pmap under the frame's rmap lock */
	uint32_t mapcount;	/* user page-table entries mapping it; atomic,
				   kept by pmap_enter/remove/protect/copy/destroy */
	uint32_t spare;		/* rmap: the one mapping's page number and the
				   saved referenced/modified bits; rmap lock */
	union {
		void *priv;	/* owner: private (slab free list, ...) */
		struct pv_entry *pv;	/* a user frame's mappings past the one
					   in rmap (vm/rmap.h); rmap lock */
	};
};

/* page flags */
#define PG_BUDDY_HEAD	0x0001	/* head frame of a free buddy block */
#define PG_DIRTY	0x0002
#define PG_REFERENCED	0x0004
#define PG_LOCKED	0x0008
/*
 * PG_SWAPBACKED: a page-cache page of which no disk holds a copy (tmpfs,
 * shared anonymous memory). It stays PAGE_FILE, because it is found and
 * shared through its object's cache like any file page, and this flag says
 * how it may be reclaimed: never dropped, only written to swap. A page of a
 * file on disk (no flag) may be dropped while clean and read in again.
 * Set and cleared by the page cache (pcache_insert, pcache_remove).
 */
#define PG_SWAPBACKED	0x0010
/*
 * Replacement policy (vm/policy.h). PG_ONPOLICY says the page is on a policy
 * instance (set and cleared by vm_policy_insert/remove only); the
 * PG_POLICY_MASK bits are per-page state that policy owns (S3-FIFO: queue and
 * use count). All of them, and `link` while PG_ONPOLICY is set, are guarded
 * by the reclaim lock; flags are otherwise written by the frame's owner.
 */
#define PG_ONPOLICY	0x0020
#define PG_POLICY_SHIFT	6
#define PG_POLICY_MASK	0x03c0	/* 4 bits */
/*
 * PG_POLICY_ANON: the policy counts the page among the "anon" ones (it was
 * anonymous or swap-backed when it came in); set and cleared with
 * PG_ONPOLICY, so that it is counted out as it was counted in.
 *
 * PG_EVICTABLE: a page of a PCACHE_EVICTABLE cache (set and cleared by the
 * page cache with PG_SWAPBACKED): page-out may take it, to swap or, without
 * PG_SWAPBACKED, by dropping it (a clean file page, read again from its
 * disk). PG_MLOCKED: such a page that a locked region (mlock) maps; it is
 * off the policy and page-out leaves it (reclaim_mlock, reclaim_munlock;
 * set and cleared under the reclaim lock; cleared when it leaves its cache).
 */
#define PG_POLICY_ANON	0x0400
#define PG_EVICTABLE	0x0800
#define PG_MLOCKED	0x1000
/*
 * PG_READAHEAD: a page of an object's cache read ahead of any use, back
 * from swap (vm/swap_ra.h) or from a file's disk (fs/vfs.c). Set on the new
 * frame before it enters its cache; cleared under the reclaim lock at its
 * first use (reclaim_first_use), or when it leaves its cache (unused:
 * kilburn_swap_ra_unused or kilburn_file_ra_unused).
 */
#define PG_READAHEAD	0x2000
/*
 * PG_PARKED: an evictable page that reclaim keeps off the policy because it
 * could only go out to a new swap slot and none can be had (vm/reclaim.c);
 * `link` is then on reclaim's parked list. Reclaim lock.
 */
#define PG_PARKED	0x4000
/*
 * PG_AROUND: an anonymous page that swap fault-around mapped before any use
 * (vm/fault.c), renewed on the policy then: its first use is yet to come,
 * and comes without a fault. The first referenced bit the policy finds on
 * it is that use, not a reuse, and is forgotten, as a faulted page's
 * faulting access is (vm/reclaim.c). Reclaim lock; cleared with the frame.
 */
#define PG_AROUND	0x8000

/* allocation flags */
#define PMM_ZERO	0x1	/* return zero-filled frames */
#define PMM_USER	0x2	/* for user memory: fail rather than take the reserve */

struct pmm_range {
	paddr_t base;
	uint64_t size;
};

/*
 * pmm_init - take over physical memory.
 * ram[]: the RAM ranges (from the device tree); reserved[]: ranges that must
 * never be handed out (firmware, kernel image, device tree). Both may be
 * unsorted and unaligned; reserved ranges may reach outside RAM. Frames only
 * partly covered by RAM are not used; frames touched by a reserved range are
 * reserved. The descriptor array is placed in free RAM and reserved too.
 * Returns 0, or -EINVAL (no RAM, too many ranges) / -ENOMEM (no room for the
 * descriptors). Called once, before any other pmm function.
 */
int pmm_init(const struct pmm_range *ram, int nram,
	     const struct pmm_range *reserved, int nreserved);

/*
 * pmm_alloc_order - allocate 2^order physically contiguous, naturally aligned
 * frames. Returns the head descriptor with state PAGE_KERNEL, refcount 1 and
 * order set (every frame of the block gets state PAGE_KERNEL), or NULL if no
 * block is free. flags: PMM_ZERO, PMM_USER. Any context; takes a spinlock with
 * interrupts off.
 */
struct page *pmm_alloc_order(unsigned int order, unsigned int flags);

/* pmm_alloc - one frame; same contract as pmm_alloc_order(0, flags). */
struct page *pmm_alloc(unsigned int flags);

/* Fill frame pg with zeros; copy frame src's 4 KiB into dst. Any context. */
void pmm_zero_frame(struct page *pg);
void pmm_copy_frame(struct page *dst, const struct page *src);

/*
 * pmm_free_order - give back a block from pmm_alloc_order() of that order.
 * The refcount is ignored (the caller has dropped its references). Freeing a
 * frame that is free, reserved or still mapped (mapcount) panics. In debug builds (KILBURN_DEBUG) the
 * frames are filled with PMM_JUNK first, so stale users read junk.
 */
void pmm_free_order(struct page *page, unsigned int order);
void pmm_free(struct page *page);

#define PMM_JUNK 0x6b

/* A zone: one RAM range of whole frames and its descriptor array. */
struct pmm_zone {
	paddr_t base;			/* first byte, frame aligned */
	uint64_t nframes;
	struct page *pages;		/* pages[i] describes base + i * PAGE_SIZE */
};

/* RAM's zones, set at boot (pmm_init) and fixed after; read by the inline
   translations below, whose common case (the first zone) is on every fault. */
extern struct pmm_zone pmm_zones[PMM_MAX_RANGES];

/* The translations' other zones; pa_to_page's returns NULL outside RAM. */
struct page *pmm_pa_to_page_slow(paddr_t pa);
paddr_t pmm_page_to_pa_slow(const struct page *page);

/* Translations. pa_to_page() returns NULL for an address outside RAM. */
static inline struct page *pa_to_page(paddr_t pa)
{
	uint64_t i = (pa - pmm_zones[0].base) >> PAGE_SHIFT;

	if (likely(i < pmm_zones[0].nframes))
		return &pmm_zones[0].pages[i];
	return pmm_pa_to_page_slow(pa);
}

static inline paddr_t page_to_pa(const struct page *page)
{
	const struct pmm_zone *z = &pmm_zones[0];

	if (unlikely(page < z->pages || page >= z->pages + z->nframes))
		return pmm_page_to_pa_slow(page);
	return z->base + ((paddr_t)(page - z->pages) << PAGE_SHIFT);
}

static inline void *page_to_virt(const struct page *page)
{
	return phys_to_virt(page_to_pa(page));
}

struct page *virt_to_page(const void *va);

/* Reference counts (atomic). page_ref_dec returns the new count. */
static inline void page_ref_inc(struct page *p)
{
	__atomic_add_fetch(&p->refcount, 1, __ATOMIC_RELAXED);
}
static inline uint32_t page_ref_dec(struct page *p)
{
	return __atomic_sub_fetch(&p->refcount, 1, __ATOMIC_ACQ_REL);
}

/*
 * page_put - drop a reference on a frame that pages are counted on (user
 * pages: anonymous, page cache, shared memory); the last one frees it.
 */
void page_put(struct page *pg);

/*
 * page_mapcount_add - a user page-table entry for the frame at pa appeared
 * (+1) or went (-1). Called by the pmap only; frames outside RAM are ignored.
 */
static inline void page_mapcount_add(paddr_t pa, int delta)
{
	struct page *pg = pa_to_page(pa);

	if (pg)
		__atomic_add_fetch(&pg->mapcount, delta, __ATOMIC_RELAXED);
}

/* Number of user page-table entries mapping pg. */
static inline uint32_t page_mapcount(const struct page *pg)
{
	return __atomic_load_n(&pg->mapcount, __ATOMIC_RELAXED);
}

/* Counters. Free frames include those held in per-hart caches. */
uint64_t pmm_free_frames(void);
uint64_t pmm_total_frames(void);		/* frames of RAM managed by descriptors */
uint64_t pmm_descriptor_bytes(void);		/* bytes of RAM used by descriptors */

/*
 * pmm_census - count every frame by what it is (/proc/meminfo, vmstat):
 * O(frames of RAM), no lock; each descriptor is read once, so the counts
 * add up to pmm_total_frames() even while frames change state.
 *   state[s]         frames in state s
 *   anon_lru         swap-backed user pages (anonymous, tmpfs, shared
 *                    anonymous): Linux's "anon" lists; the rest of the
 *                    PAGE_FILE frames are its "file" lists
 *   unevictable      of those swap-backed user pages, the ones neither on
 *                    the replacement policy nor parked (PG_PARKED: those
 *                    are Inactive(anon)) (mlocked; or between allocation and
 *                    tracking, or picked for eviction, for a moment),
 *                    and disk files' pages a locked region maps
 *                    (PG_MLOCKED)
 *   file_mapped_off, file_unmapped_off  other pages of files on disk that
 *                    are not on the policy, mapped by a page table or not
 *   anon_mapped      PAGE_ANON frames that a page table maps (AnonPages)
 *   file_mapped      PAGE_FILE frames that a page table maps (Mapped)
 *   shmem            PAGE_FILE frames with PG_SWAPBACKED (Shmem)
 *   dirty            PAGE_FILE frames with PG_DIRTY (Dirty)
 */
struct pmm_census {
	uint64_t state[PMM_NSTATES];
	uint64_t anon_lru;
	uint64_t anon_mapped, file_mapped, shmem, dirty;
	uint64_t unevictable;
	uint64_t mlocked;		/* PAGE_ANON frames off the policy and not
					   parked, PG_MLOCKED pages */
	uint64_t file_mapped_off, file_unmapped_off;
};
void pmm_census(struct pmm_census *c);

/* The descriptor of frame number pfn, or NULL if it is not RAM. */
struct page *pmm_pfn_to_page(uint64_t pfn);

/* One past the highest frame number of RAM. */
uint64_t pmm_max_pfn(void);

/*
 * The reserve: frames that only the kernel's own allocations (page tables,
 * slab, kernel stacks) may take, so that the kernel can always make progress
 * and kill a process when user memory runs out. An allocation with PMM_USER
 * fails when it would leave fewer free frames than the reserve.
 */
void pmm_set_reserve(uint64_t frames);
uint64_t pmm_reserve(void);

/* Free blocks of each order in the buddy lists (not counting caches). */
void pmm_free_blocks(uint64_t counts[PMM_MAX_ORDER + 1]);

/* Give every frame of hart cpu's cache back to the buddy lists. */
void pmm_drain_cache(int cpu);

/*
 * pmm_check - verify the allocator's invariants: every free block is aligned,
 * lies in RAM, has free frames only, is not adjacent to a free buddy of the
 * same order, and the counters agree with the lists. Returns 0 or panics
 * naming the broken invariant.
 */
int pmm_check(void);

#endif
