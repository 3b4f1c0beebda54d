/*
 * pmm — the physical memory manager: frame descriptors, a buddy allocator
 * and per-hart caches of single frames. The contract is in pmm.h.
 *
 * Zones. Each RAM range (after merging overlapping or touching ranges and
 * trimming to whole frames) is a zone with its own descriptor array. The
 * translations pa <-> descriptor look the zone up; with a single zone, the
 * common case on the virt board, they are one compare and one shift.
 *
 * Buddy lists. A free block of order k is 2^k frames whose first frame
 * number is a multiple of 2^k. Every frame of it has state PAGE_FREE; only
 * the head has PG_BUDDY_HEAD and order = k, and only the head is linked on
 * free_list[k]. Blocks never cross a zone boundary: a buddy outside the zone
 * is treated as allocated. Freeing merges a block with its buddy for as long
 * as the buddy is a free head of the same order.
 *
 * Per-hart caches. Each hart keeps up to PCP_SIZE single frames, touched only
 * by that hart with interrupts off (no lock). They are refilled from and
 * drained to the buddy lists PCP_BATCH frames at a time under the global
 * lock. A cached frame has state PAGE_FREE but no PG_BUDDY_HEAD, so the buddy
 * code never merges with it. Frames in another hart's cache are not reachable
 * from here: an allocation can fail while other harts hold up to
 * (NCPU_MAX - 1) * PCP_SIZE frames.
 *
 * Locking. pmm.lock (taken with interrupts off) guards the free lists, their
 * counters and the PG_BUDDY_HEAD/order fields of free frames. It is a leaf
 * lock: nothing else is taken while holding it.
 */
#include "env.h"
#include "list.h"
#include "vm/pmm.h"
#include "vm/vmstat.h"

#ifndef NCPU_MAX
#define NCPU_MAX	8		/* harts; the kernel's comes from arch/riscv/cpu.h */
#endif

#define PCP_SIZE	32		/* frames a hart's cache holds at most */
#define PCP_BATCH	(PCP_SIZE / 2)	/* frames moved per refill or drain */

_Static_assert(sizeof(struct page) == 64, "struct page must be 64 bytes");

/* A hart's cache of single free frames; only that hart touches it. */
struct pmm_pcp {
	uint32_t count;
	struct page *frames[PCP_SIZE];
} __attribute__((aligned(64)));

static struct {
	struct spinlock lock;
	struct list_node free_list[PMM_MAX_ORDER + 1];	/* lock */
	uint64_t free_count[PMM_MAX_ORDER + 1];	/* lock: blocks per order */
	uint64_t buddy_free;			/* lock: frames in the lists (read
						   without it: buddy_free_add) */
	int nzones;
	uint64_t total_frames;
	uint64_t descriptor_bytes;
	uint64_t reserve;			/* frames PMM_USER may not take */
} pmm;

static struct pmm_pcp pcp[NCPU_MAX];
struct pmm_zone pmm_zones[PMM_MAX_RANGES];	/* set by pmm_init */
/*
 * Frames in all the harts' caches: the sum of their counts, kept so that
 * pmm_free_frames (asked on every user allocation) is two loads, not a walk
 * of every cache. Atomic: each hart changes it with its own cache.
 */
static uint64_t pcp_total;

/* ------------------------------------------------------------ translations */

/* The zone whose descriptor array holds page; panics if none does. */
static struct pmm_zone *page_zone(const struct page *page)
{
	for (int i = 0; i < pmm.nzones; i++) {
		struct pmm_zone *z = &pmm_zones[i];

		if (page >= z->pages && page < z->pages + z->nframes)
			return z;
	}
	panic("pmm: %p is not a frame descriptor", (const void *)page);
}

struct page *pmm_pa_to_page_slow(paddr_t pa)
{
	uint64_t i;

	for (int z = 1; z < pmm.nzones; z++) {
		i = (pa - pmm_zones[z].base) >> PAGE_SHIFT;
		if (i < pmm_zones[z].nframes)
			return &pmm_zones[z].pages[i];
	}
	return NULL;
}

paddr_t pmm_page_to_pa_slow(const struct page *page)
{
	const struct pmm_zone *z = page_zone(page);

	return z->base + ((paddr_t)(page - z->pages) << PAGE_SHIFT);
}

struct page *virt_to_page(const void *va)
{
	return pa_to_page(virt_to_phys(va));
}

/* Frame number of a descriptor in zone z. */
static inline uint64_t zone_pfn(const struct pmm_zone *z, const struct page *p)
{
	return (z->base >> PAGE_SHIFT) + (uint64_t)(p - z->pages);
}

/* ------------------------------------------------------------ buddy lists */

/*
 * The lists gained (or lost) frames. pmm.lock held; a relaxed atomic store,
 * as pmm_free_frames reads the count without the lock (a plain store
 * racing that load would be a data race in C, if not on the hardware).
 */
static inline void buddy_free_add(int64_t delta)
{
	__atomic_store_n(&pmm.buddy_free, pmm.buddy_free + (uint64_t)delta,
			 __ATOMIC_RELAXED);
}

/* Link the free block at head (order `order`) into its list. Lock held. */
static void buddy_link(struct page *head, unsigned int order)
{
	head->flags |= PG_BUDDY_HEAD;
	head->order = order;
	list_push(&pmm.free_list[order], &head->link);
	pmm.free_count[order]++;
	buddy_free_add(1L << order);
}

/* Take the free block at head out of its list. Lock held. */
static void buddy_unlink(struct page *head)
{
	unsigned int order = head->order;

	list_remove(&head->link);
	head->flags &= ~PG_BUDDY_HEAD;
	head->order = 0;
	pmm.free_count[order]--;
	buddy_free_add(-(1L << order));
}

/*
 * The flags of a frame that this hart owns (allocated, or being freed) are
 * written without the lock, while another hart merging a neighbour may read
 * them under the lock; both sides use these relaxed atomic accesses. Only
 * PG_BUDDY_HEAD matters to that reader, and it is set and cleared under the
 * lock on free frames only, so the reader never needs more than this load.
 */
static inline void frame_flags_store(struct page *p, uint16_t flags)
{
	__atomic_store_n(&p->flags, flags, __ATOMIC_RELAXED);
}

/* Is p the head of a free buddy block of exactly this order? Lock held. */
static inline bool buddy_is_free_head(const struct page *p, unsigned int order)
{
	return (__atomic_load_n(&p->flags, __ATOMIC_RELAXED) & PG_BUDDY_HEAD) &&
	       p->state == PAGE_FREE && p->order == order;
}

/*
 * buddy_insert - give the block of 2^order frames at head (whose frames are
 * already PAGE_FREE) to the lists, merging with free buddies. Lock held.
 */
static void buddy_insert(struct pmm_zone *z, struct page *head,
			 unsigned int order)
{
	uint64_t first = z->base >> PAGE_SHIFT;
	uint64_t pfn = zone_pfn(z, head);

	while (order < PMM_MAX_ORDER) {
		uint64_t bpfn = pfn ^ (1UL << order);
		struct page *buddy;

		if (bpfn < first || bpfn - first >= z->nframes)
			break;
		buddy = &z->pages[bpfn - first];
		if (!buddy_is_free_head(buddy, order))
			break;
		buddy_unlink(buddy);
		pfn &= ~(1UL << order);
		order++;
	}
	buddy_link(&z->pages[pfn - first], order);
}

/*
 * buddy_take - remove a block of 2^order frames from the lists, splitting a
 * larger one if needed. Returns its head (frames still PAGE_FREE, no head
 * flag) or NULL if no block is large enough. Lock held.
 */
static struct page *buddy_take(unsigned int order)
{
	unsigned int k = order;
	struct page *head;

	while (k <= PMM_MAX_ORDER && list_empty(&pmm.free_list[k]))
		k++;
	if (k > PMM_MAX_ORDER)
		return NULL;
	head = list_entry(pmm.free_list[k].next, struct page, link);
	buddy_unlink(head);
	while (k > order) {
		k--;
		buddy_link(head + (1UL << k), k);
	}
	return head;
}

/* ------------------------------------------------------------ frame contents */

/*
 * Zeroing and copying whole frames, the first write's and copy-on-write's
 * main cost: 256 bytes per loop turn on RISC-V (32 stores, or 32 loads and
 * 32 stores), so that the loop's own instructions almost vanish next to
 * memset's 64-byte and memcpy's 32-byte turns. Written as assembly so the
 * compiler cannot turn the loops back into calls.
 */
void pmm_zero_frame(struct page *pg)
{
#ifdef __riscv
	char *p = page_to_virt(pg), *end = p + PAGE_SIZE;

	for (; p < end; p += 256)
		__asm__ volatile(
			"sd zero, 0(%0)\n sd zero, 8(%0)\n sd zero, 16(%0)\n sd zero, 24(%0)\n"
			"sd zero, 32(%0)\n sd zero, 40(%0)\n sd zero, 48(%0)\n sd zero, 56(%0)\n"
			"sd zero, 64(%0)\n sd zero, 72(%0)\n sd zero, 80(%0)\n sd zero, 88(%0)\n"
			"sd zero, 96(%0)\n sd zero, 104(%0)\n sd zero, 112(%0)\n sd zero, 120(%0)\n"
			"sd zero, 128(%0)\n sd zero, 136(%0)\n sd zero, 144(%0)\n sd zero, 152(%0)\n"
			"sd zero, 160(%0)\n sd zero, 168(%0)\n sd zero, 176(%0)\n sd zero, 184(%0)\n"
			"sd zero, 192(%0)\n sd zero, 200(%0)\n sd zero, 208(%0)\n sd zero, 216(%0)\n"
			"sd zero, 224(%0)\n sd zero, 232(%0)\n sd zero, 240(%0)\n sd zero, 248(%0)\n"
			:: "r"(p) : "memory");
#else
	memset(page_to_virt(pg), 0, PAGE_SIZE);
#endif
}

#ifdef __riscv
/* Copy the 64 bytes at s + off to d + off (8-byte aligned). */
#define COPY64(d, s, off) do {						\
	uint64_t a0, a1, a2, a3, a4, a5, a6, a7;			\
	__asm__ volatile(						\
		"ld %0, " #off "+0(%8)\n ld %1, " #off "+8(%8)\n"	\
		"ld %2, " #off "+16(%8)\n ld %3, " #off "+24(%8)\n"	\
		"ld %4, " #off "+32(%8)\n ld %5, " #off "+40(%8)\n"	\
		"ld %6, " #off "+48(%8)\n ld %7, " #off "+56(%8)\n"	\
		"sd %0, " #off "+0(%9)\n sd %1, " #off "+8(%9)\n"	\
		"sd %2, " #off "+16(%9)\n sd %3, " #off "+24(%9)\n"	\
		"sd %4, " #off "+32(%9)\n sd %5, " #off "+40(%9)\n"	\
		"sd %6, " #off "+48(%9)\n sd %7, " #off "+56(%9)\n"	\
		: "=&r"(a0), "=&r"(a1), "=&r"(a2), "=&r"(a3),		\
		  "=&r"(a4), "=&r"(a5), "=&r"(a6), "=&r"(a7)		\
		: "r"(s), "r"(d) : "memory");				\
} while (0)
#endif

void pmm_copy_frame(struct page *dst, const struct page *src)
{
#ifdef __riscv
	char *d = page_to_virt(dst), *end = d + PAGE_SIZE;
	const char *s = page_to_virt(src);

	for (; d < end; d += 256, s += 256) {
		COPY64(d, s, 0);
		COPY64(d, s, 64);
		COPY64(d, s, 128);
		COPY64(d, s, 192);
	}
#else
	memcpy(page_to_virt(dst), page_to_virt(src), PAGE_SIZE);
#endif
}

/* ------------------------------------------------------------ frame states */

/*
 * Mark the 2^order frames at head allocated: PAGE_KERNEL, owner fields
 * cleared, head with refcount 1 and the order. The caller owns the block.
 */
static void block_mark_allocated(struct page *head, unsigned int order,
				 unsigned int flags)
{
	uint64_t n = 1UL << order;

	for (uint64_t i = 0; i < n; i++) {
		struct page *p = head + i;

		p->state = PAGE_KERNEL;
		p->order = 0;
		frame_flags_store(p, 0);
		p->refcount = 0;
		p->owner = NULL;
		p->index = 0;
		p->rmap = NULL;
		p->mapcount = 0;
		p->spare = 0;
		p->priv = NULL;
	}
	head->order = order;
	head->refcount = 1;
	if (flags & PMM_ZERO)
		for (uint64_t i = 0; i < n; i++)
			pmm_zero_frame(head + i);
}

/*
 * Check that the 2^order frames at head form an allocated block and mark
 * them PAGE_FREE (junk-filled in debug builds). Panics naming the first
 * frame that is already free or reserved, or a block of the wrong shape.
 */
static void block_mark_free(struct pmm_zone *z, struct page *head,
			    unsigned int order)
{
	uint64_t n = 1UL << order;
	uint64_t pfn = zone_pfn(z, head);

	if (order > PMM_MAX_ORDER || (pfn & (n - 1)) ||
	    pfn - (z->base >> PAGE_SHIFT) + n > z->nframes)
		panic("pmm_free: block 0x%lx of order %u is misaligned or "
		      "outside RAM", (unsigned long)page_to_pa(head), order);
	if (head->state != PAGE_FREE && head->state != PAGE_RESERVED &&
	    head->order != order)
		panic("pmm_free: frame 0x%lx was allocated with order %u, "
		      "freed with order %u", (unsigned long)page_to_pa(head),
		      head->order, order);
	for (uint64_t i = 0; i < n; i++) {
		struct page *p = head + i;

		if (p->state == PAGE_FREE)
			panic("pmm_free: frame 0x%lx is already free",
			      (unsigned long)page_to_pa(p));
		if (p->state == PAGE_RESERVED)
			panic("pmm_free: frame 0x%lx is reserved",
			      (unsigned long)page_to_pa(p));
		if (p->mapcount)
			panic("pmm_free: frame 0x%lx is still mapped %u times",
			      (unsigned long)page_to_pa(p), p->mapcount);
	}
#if KILBURN_DEBUG
	memset(page_to_virt(head), PMM_JUNK, n << PAGE_SHIFT);
#endif
	for (uint64_t i = 0; i < n; i++) {
		head[i].state = PAGE_FREE;
		head[i].refcount = 0;
		head[i].owner = NULL;
		frame_flags_store(&head[i], 0);
		head[i].order = 0;
	}
}

/* ------------------------------------------------------------ per-hart caches */

/* This hart's cache. Interrupts must be off. */
static struct pmm_pcp *pcp_this(void)
{
	int cpu = this_cpu_id();

	assert(cpu >= 0 && cpu < NCPU_MAX);
	return &pcp[cpu];
}

/* The caches gained (or lost, delta < 0) frames. */
static inline void pcp_count(int64_t delta)
{
	__atomic_add_fetch(&pcp_total, (uint64_t)delta, __ATOMIC_RELAXED);
}

/* Move up to PCP_BATCH frames from the buddy lists into c. Interrupts off. */
static void pcp_refill(struct pmm_pcp *c)
{
	spin_lock(&pmm.lock);
	while (c->count < PCP_BATCH) {
		struct page *p = buddy_take(0);

		if (!p)
			break;
		c->frames[c->count++] = p;
		pcp_count(1);
	}
	spin_unlock(&pmm.lock);
}

/* Give the last `n` frames of c back to the buddy lists. Interrupts off. */
static void pcp_drain(struct pmm_pcp *c, uint32_t n)
{
	spin_lock(&pmm.lock);
	while (n-- > 0 && c->count > 0) {
		struct page *p = c->frames[--c->count];

		buddy_insert(page_zone(p), p, 0);
		pcp_count(-1);
	}
	spin_unlock(&pmm.lock);
}

/* One free frame from this hart's cache (refilled if empty), or NULL. */
static struct page *pcp_alloc(void)
{
	unsigned long irq = irq_save();
	struct pmm_pcp *c = pcp_this();
	struct page *p = NULL;

	if (c->count == 0)
		pcp_refill(c);
	if (c->count > 0) {
		p = c->frames[--c->count];
		pcp_count(-1);
	}
	irq_restore(irq);
	return p;
}

/* Put a PAGE_FREE frame into this hart's cache, draining half if full. */
static void pcp_free(struct page *p)
{
	unsigned long irq = irq_save();
	struct pmm_pcp *c = pcp_this();

	if (c->count == PCP_SIZE)
		pcp_drain(c, PCP_BATCH);
	c->frames[c->count++] = p;
	pcp_count(1);
	irq_restore(irq);
}

/*
 * pmm_drain_cache - give every frame of hart cpu's cache back to the buddy
 * lists. For cpu == this hart, any time. For another hart, only when that
 * hart cannot be using its cache (it is not yet online, halted, or the caller
 * otherwise knows it is quiescent, as in tests): the cache has no lock.
 */
void pmm_drain_cache(int cpu)
{
	unsigned long irq;

	assert(cpu >= 0 && cpu < NCPU_MAX);
	irq = irq_save();
	pcp_drain(&pcp[cpu], PCP_SIZE);
	irq_restore(irq);
}

/* ------------------------------------------------------------ allocation */

struct page *pmm_alloc_order(unsigned int order, unsigned int flags)
{
	struct page *head;
	unsigned long irq;

	if (order > PMM_MAX_ORDER)
		return NULL;
	if ((flags & PMM_USER) &&
	    pmm_free_frames() < READ_ONCE(pmm.reserve) + (1UL << order))
		return NULL;
	if (order == 0) {
		head = pcp_alloc();
	} else {
		irq = spin_lock_irqsave(&pmm.lock);
		head = buddy_take(order);
		spin_unlock_irqrestore(&pmm.lock, irq);
	}
	if (head) {
		block_mark_allocated(head, order, flags);
		vmstat_add(VMSTAT_PGALLOC_NORMAL, 1UL << order);
	}
	return head;
}

struct page *pmm_alloc(unsigned int flags)
{
	return pmm_alloc_order(0, flags);
}

void pmm_free_order(struct page *page, unsigned int order)
{
	struct pmm_zone *z = page_zone(page);
	unsigned long irq;

	block_mark_free(z, page, order);
	vmstat_add(VMSTAT_PGFREE, 1UL << order);
	if (order == 0) {
		pcp_free(page);
		return;
	}
	irq = spin_lock_irqsave(&pmm.lock);
	buddy_insert(z, page, order);
	spin_unlock_irqrestore(&pmm.lock, irq);
}

void pmm_free(struct page *page)
{
	pmm_free_order(page, 0);
}

/* ------------------------------------------------------------ counters */

/* Add frame p to the census c by what it is. */
static void census_count(struct pmm_census *c, const struct page *p)
{
	uint16_t flags = __atomic_load_n(&p->flags, __ATOMIC_RELAXED);
	bool mapped = page_mapcount(p) > 0;
	uint8_t state = READ_ONCE(p->state);

	c->state[state < PMM_NSTATES ? state : PAGE_RESERVED]++;
	if (state != PAGE_ANON && state != PAGE_FILE)
		return;
	if (state == PAGE_ANON || (flags & PG_SWAPBACKED)) {
		c->anon_lru++;
		c->unevictable += !(flags & (PG_ONPOLICY | PG_PARKED));
	} else if (flags & PG_MLOCKED) {
		c->unevictable++;	/* a disk file's page a locked region maps */
	} else if (!(flags & PG_ONPOLICY)) {
		c->file_mapped_off += mapped;
		c->file_unmapped_off += !mapped;
	}
	c->anon_mapped += state == PAGE_ANON && mapped;
	c->file_mapped += state == PAGE_FILE && mapped;
	c->shmem += state == PAGE_FILE && (flags & PG_SWAPBACKED);
	c->dirty += state == PAGE_FILE && (flags & PG_DIRTY);
	c->mlocked += (state == PAGE_ANON && !(flags & (PG_ONPOLICY | PG_PARKED))) ||
		      (flags & PG_MLOCKED);
}

void pmm_census(struct pmm_census *c)
{
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < pmm.nzones; i++)
		for (uint64_t f = 0; f < pmm_zones[i].nframes; f++)
			census_count(c, &pmm_zones[i].pages[f]);
}

struct page *pmm_pfn_to_page(uint64_t pfn)
{
	return pfn > (UINT64_MAX >> PAGE_SHIFT) ? NULL : pa_to_page(pfn << PAGE_SHIFT);
}

uint64_t pmm_max_pfn(void)
{
	uint64_t max = 0;

	for (int i = 0; i < pmm.nzones; i++)
		max = MAX(max, (pmm_zones[i].base >> PAGE_SHIFT) + pmm_zones[i].nframes);
	return max;
}

uint64_t pmm_free_frames(void)
{
	return __atomic_load_n(&pmm.buddy_free, __ATOMIC_RELAXED) +
	       __atomic_load_n(&pcp_total, __ATOMIC_RELAXED);
}

void pmm_set_reserve(uint64_t frames)
{
	WRITE_ONCE(pmm.reserve, frames);
}

uint64_t pmm_reserve(void)
{
	return READ_ONCE(pmm.reserve);
}

uint64_t pmm_total_frames(void)
{
	return pmm.total_frames;
}

uint64_t pmm_descriptor_bytes(void)
{
	return pmm.descriptor_bytes;
}

void pmm_free_blocks(uint64_t counts[PMM_MAX_ORDER + 1])
{
	unsigned long irq = spin_lock_irqsave(&pmm.lock);

	for (int k = 0; k <= PMM_MAX_ORDER; k++)
		counts[k] = pmm.free_count[k];
	spin_unlock_irqrestore(&pmm.lock, irq);
}

/* ------------------------------------------------------------ pmm_init */

/* End of a range, saturated so that base + size cannot wrap. */
static paddr_t range_end(const struct pmm_range *r)
{
	return r->size > ~r->base ? ~(paddr_t)0 : r->base + r->size;
}

/*
 * Sort the RAM ranges, merge those that overlap or touch, and trim each to
 * whole frames into pmm_zones (without descriptors yet). Returns 0 or
 * -EINVAL if there are too many ranges or no whole frame of RAM.
 */
static int zones_from_ram(const struct pmm_range *ram, int nram)
{
	struct pmm_range r[PMM_MAX_RANGES];
	int n = 0, m = 0;

	if (nram <= 0 || nram > PMM_MAX_RANGES || !ram)
		return -EINVAL;
	for (int i = 0; i < nram; i++) {	/* insertion sort by base */
		int j;

		if (ram[i].size == 0)
			continue;
		for (j = n; j > 0 && r[j - 1].base > ram[i].base; j--)
			r[j] = r[j - 1];
		r[j] = ram[i];
		n++;
	}
	for (int i = 0; i < n; i++) {
		if (m > 0 && r[i].base <= range_end(&r[m - 1])) {
			paddr_t end = MAX(range_end(&r[m - 1]), range_end(&r[i]));

			r[m - 1].size = end - r[m - 1].base;
		} else {
			r[m++] = r[i];
		}
	}
	for (int i = 0; i < m; i++) {
		paddr_t lo = ALIGN_UP(r[i].base, PAGE_SIZE);
		paddr_t hi = ALIGN_DOWN(range_end(&r[i]), PAGE_SIZE);

		if (lo < r[i].base || lo >= hi)
			continue;
		pmm_zones[pmm.nzones].base = lo;
		pmm_zones[pmm.nzones].nframes = (hi - lo) >> PAGE_SHIFT;
		pmm.nzones++;
	}
	return pmm.nzones > 0 ? 0 : -EINVAL;
}

/* Bytes (whole frames) of zone z's descriptor array. */
static uint64_t zone_array_bytes(const struct pmm_zone *z)
{
	return ALIGN_UP(z->nframes * sizeof(struct page), PAGE_SIZE);
}

/*
 * If [lo, lo + len) overlaps a reserved range or an array already placed,
 * return the end of the first such obstacle (frame aligned up); else lo.
 */
static paddr_t placement_obstacle(paddr_t lo, uint64_t len,
				  const struct pmm_range *res, int nres)
{
	for (int i = 0; i < nres; i++) {
		paddr_t end = range_end(&res[i]);

		if (res[i].size && res[i].base < lo + len && end > lo)
			return ALIGN_UP(end, PAGE_SIZE) ?: ~(paddr_t)0;
	}
	for (int i = 0; i < pmm.nzones; i++) {
		const struct pmm_zone *z = &pmm_zones[i];
		paddr_t a = virt_to_phys(z->pages);

		if (z->pages && a < lo + len && a + zone_array_bytes(z) > lo)
			return a + zone_array_bytes(z);
	}
	return lo;
}

#define NO_PLACE	(~(paddr_t)0)

/*
 * Find len bytes (whole frames) of RAM in zone z that no reserved range or
 * placed array touches, lowest first. Returns the address or NO_PLACE.
 */
static paddr_t place_in_zone(const struct pmm_zone *z, uint64_t len,
			     const struct pmm_range *res, int nres)
{
	paddr_t end = z->base + (z->nframes << PAGE_SHIFT);
	paddr_t lo = z->base;

	while (lo <= end && end - lo >= len) {
		paddr_t next = placement_obstacle(lo, len, res, nres);

		if (next == lo)
			return lo;
		lo = next;
	}
	return NO_PLACE;
}

/*
 * Place each zone's descriptor array, preferring the zone itself, and set
 * every descriptor to PAGE_RESERVED. Returns 0 or -ENOMEM.
 */
static int zones_place_arrays(const struct pmm_range *res, int nres)
{
	for (int i = 0; i < pmm.nzones; i++) {
		struct pmm_zone *z = &pmm_zones[i];
		uint64_t len = zone_array_bytes(z);
		paddr_t at = place_in_zone(z, len, res, nres);

		for (int j = 0; j < pmm.nzones && at == NO_PLACE; j++)
			at = place_in_zone(&pmm_zones[j], len, res, nres);
		if (at == NO_PLACE)
			return -ENOMEM;
		z->pages = phys_to_virt(at);
		memset(z->pages, 0, z->nframes * sizeof(struct page));
		for (uint64_t f = 0; f < z->nframes; f++)
			list_init(&z->pages[f].link);	/* state PAGE_RESERVED == 0 */
		pmm.descriptor_bytes += len;
		pmm.total_frames += z->nframes;
	}
	return 0;
}

/* Is frame pa (whole frame) touched by a reserved range or an array? */
static bool frame_reserved(paddr_t pa, const struct pmm_range *res, int nres)
{
	return placement_obstacle(pa, PAGE_SIZE, res, nres) != pa;
}

/*
 * Free the run of frames [from, to) of zone z into the lists as maximal
 * naturally aligned blocks. Lock held.
 */
static void zone_free_run(struct pmm_zone *z, uint64_t from, uint64_t to)
{
	uint64_t first = z->base >> PAGE_SHIFT;

	while (from < to) {
		uint64_t pfn = first + from;
		unsigned int order = pfn ? (unsigned int)__builtin_ctzl(pfn)
					 : PMM_MAX_ORDER;

		order = MIN(order, PMM_MAX_ORDER);
		while (from + (1UL << order) > to)
			order--;
		for (uint64_t i = 0; i < (1UL << order); i++)
			z->pages[from + i].state = PAGE_FREE;
		buddy_insert(z, &z->pages[from], order);
		from += 1UL << order;
	}
}

/* Give every frame of z not reserved to the buddy lists. Lock held. */
static void zone_free_unreserved(struct pmm_zone *z,
				 const struct pmm_range *res, int nres)
{
	uint64_t run = 0;

	for (uint64_t f = 0; f <= z->nframes; f++) {
		if (f < z->nframes &&
		    !frame_reserved(z->base + (f << PAGE_SHIFT), res, nres))
			continue;
		zone_free_run(z, run, f);
		run = f + 1;
	}
}

/* Forget everything: no zones, empty lists and caches. */
static void pmm_reset(void)
{
	memset(&pmm, 0, sizeof(pmm));
	memset(pmm_zones, 0, sizeof(pmm_zones));
	memset(pcp, 0, sizeof(pcp));
	pcp_total = 0;
	spin_init(&pmm.lock, "pmm");
	for (int k = 0; k <= PMM_MAX_ORDER; k++)
		list_init(&pmm.free_list[k]);
}

/*
 * The kernel calls this once; host tests call it again to start over, which
 * forgets every earlier frame and descriptor.
 */
int pmm_init(const struct pmm_range *ram, int nram,
	     const struct pmm_range *reserved, int nreserved)
{
	unsigned long irq;
	int err = -EINVAL;

	pmm_reset();
	if (nreserved >= 0 && (nreserved == 0 || reserved))
		err = zones_from_ram(ram, nram);
	if (!err)
		err = zones_place_arrays(reserved, nreserved);
	if (err) {
		pmm_reset();
		return err;
	}
	irq = spin_lock_irqsave(&pmm.lock);
	for (int i = 0; i < pmm.nzones; i++)
		zone_free_unreserved(&pmm_zones[i], reserved, nreserved);
	spin_unlock_irqrestore(&pmm.lock, irq);
	return 0;
}

/* ------------------------------------------------------------ pmm_check */

/* Check one free block of the lists (head of order k). Lock held. */
static void check_free_block(struct page *head, unsigned int k)
{
	struct pmm_zone *z = page_zone(head);
	uint64_t first = z->base >> PAGE_SHIFT;
	uint64_t pfn = zone_pfn(z, head);
	paddr_t pa = page_to_pa(head);

	if (!buddy_is_free_head(head, k))
		panic("pmm_check: block 0x%lx on list %u is not a free head "
		      "of that order", (unsigned long)pa, k);
	if (pfn & ((1UL << k) - 1))
		panic("pmm_check: block 0x%lx of order %u is misaligned",
		      (unsigned long)pa, k);
	if (pfn - first + (1UL << k) > z->nframes)
		panic("pmm_check: block 0x%lx of order %u leaves RAM",
		      (unsigned long)pa, k);
	for (uint64_t i = 1; i < (1UL << k); i++)
		if (head[i].state != PAGE_FREE || (head[i].flags & PG_BUDDY_HEAD))
			panic("pmm_check: frame %lu of free block 0x%lx is not "
			      "a free tail", (unsigned long)i, (unsigned long)pa);
	if (k < PMM_MAX_ORDER) {
		uint64_t b = pfn ^ (1UL << k);

		if (b >= first && b - first < z->nframes &&
		    buddy_is_free_head(&z->pages[b - first], k))
			panic("pmm_check: block 0x%lx and its buddy are both "
			      "free at order %u", (unsigned long)pa, k);
	}
}

/* Check the lists against their counters; returns heads seen. Lock held. */
static uint64_t check_lists(void)
{
	uint64_t frames = 0, heads = 0;

	for (unsigned int k = 0; k <= PMM_MAX_ORDER; k++) {
		struct list_node *n;
		uint64_t blocks = 0;

		list_for_each(n, &pmm.free_list[k]) {
			check_free_block(list_entry(n, struct page, link), k);
			blocks++;
		}
		if (blocks != pmm.free_count[k])
			panic("pmm_check: %lu blocks on list %u, counter says %lu",
			      (unsigned long)blocks, k,
			      (unsigned long)pmm.free_count[k]);
		frames += blocks << k;
		heads += blocks;
	}
	if (frames != pmm.buddy_free)
		panic("pmm_check: %lu frames in the lists, counter says %lu",
		      (unsigned long)frames, (unsigned long)pmm.buddy_free);
	return heads;
}

/* Check every hart's cache; returns the frames they hold. Lock held. */
static uint64_t check_caches(void)
{
	uint64_t n = 0;

	for (int c = 0; c < NCPU_MAX; c++) {
		if (pcp[c].count > PCP_SIZE)
			panic("pmm_check: hart %d cache count %u", c, pcp[c].count);
		for (uint32_t i = 0; i < pcp[c].count; i++) {
			struct page *p = pcp[c].frames[i];

			page_zone(p);
			if (p->state != PAGE_FREE || (p->flags & PG_BUDDY_HEAD))
				panic("pmm_check: frame 0x%lx in hart %d cache "
				      "is not a lone free frame",
				      (unsigned long)page_to_pa(p), c);
		}
		n += pcp[c].count;
	}
	return n;
}

/*
 * Walks the lists, the caches and every descriptor. The caches of other
 * harts are read without their cooperation: call at a quiescent time.
 */
int pmm_check(void)
{
	unsigned long irq = spin_lock_irqsave(&pmm.lock);
	uint64_t heads = check_lists(), cached = check_caches();
	uint64_t free = 0, seen_heads = 0, total = 0;

	for (int i = 0; i < pmm.nzones; i++) {
		struct pmm_zone *z = &pmm_zones[i];

		for (uint64_t f = 0; f < z->nframes; f++) {
			struct page *p = &z->pages[f];

			if (p->state == PAGE_FREE)
				free++;
			else if (p->flags & PG_BUDDY_HEAD)
				panic("pmm_check: frame 0x%lx is a buddy head "
				      "but not free", (unsigned long)page_to_pa(p));
			if (p->flags & PG_BUDDY_HEAD)
				seen_heads++;
		}
		total += z->nframes;
	}
	if (cached != __atomic_load_n(&pcp_total, __ATOMIC_RELAXED))
		panic("pmm_check: hart caches hold %lu frames, counter says %lu",
		      (unsigned long)cached, (unsigned long)pcp_total);
	if (free != pmm.buddy_free + cached)
		panic("pmm_check: %lu free frames, lists and caches hold %lu",
		      (unsigned long)free, (unsigned long)(pmm.buddy_free + cached));
	if (seen_heads != heads)
		panic("pmm_check: %lu buddy heads, lists hold %lu",
		      (unsigned long)seen_heads, (unsigned long)heads);
	if (total != pmm.total_frames)
		panic("pmm_check: zones hold %lu frames, counter says %lu",
		      (unsigned long)total, (unsigned long)pmm.total_frames);
	spin_unlock_irqrestore(&pmm.lock, irq);
	return 0;
}

void page_put(struct page *pg)
{
	if (page_ref_dec(pg) == 0) {
		pg->owner = NULL;
		pmm_free(pg);
	}
}
