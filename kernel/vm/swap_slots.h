/*
 * swap_slots — which pages of the swap areas are in use, and by how many.
 *
 * A swap area (one device with a Linux swap header, see swap_header.h) is an
 * array of slots, one per 4096-byte page: slot s is page s of the device.
 * Slot 0 is the header and the header's bad pages are never handed out; the
 * others are free or hold a page with a reference count. Every holder of a
 * slot owns one reference (an anon whose page is on swap, the swap cache
 * while the page is being written or read back): swap_slot_dup() adds one,
 * swap_slot_free() drops one and frees the slot with the last.
 *
 * Allocation is by cluster, as Linux does it: the slots are grouped in
 * clusters of 256 and each area hands out the slots of one "current" cluster
 * in order, so pages evicted together get consecutive slots and are written
 * with a few large requests. When the current cluster is used up the area
 * takes a wholly free cluster (free clusters wait in a FIFO, lowest first at
 * the start); when none is left, it falls back to scanning for any free slot
 * (the area is fragmented) and hands out the run of free slots found there.
 *
 * Several areas may be registered, each with a priority (Linux's rules):
 * the highest-priority area with free slots is used first, areas of equal
 * priority take turns (round-robin, so their disks work in parallel), and an
 * area registered without a priority gets one below every other, -2, -3, ...
 *
 * A slot is named across areas by a swap entry: (area index, slot) packed in
 * 64 bits, like Linux's swp_entry_t. The value 0 (area 0, slot 0: a header)
 * is no entry at all.
 *
 * Locks: swap_lock (swap_areas.c) guards the table of registered areas, their
 * priorities and the round-robin order; each area's lock guards its slot map,
 * clusters and counters. Order: swap_lock, then an area's lock, then the pmm's
 * and kmem's locks. The per-slot calls take only the area's lock; an area
 * cannot be unregistered while a slot of it is in use, so a caller holding a
 * reference may use its entry without swap_lock. The locks are plain
 * spinlocks: none of these calls is for interrupt handlers (an I/O
 * completion defers freeing slots to thread context).
 *
 * Machine-independent: compiles on the host.
 */
#ifndef KILBURN_SWAP_SLOTS_H
#define KILBURN_SWAP_SLOTS_H

#include "env.h"
#include "vm/swap_header.h"

/* ---------------------------------------------------------------- entries */

#define SWAP_SLOT_BITS		32		/* a slot is a 32-bit page index */
#define SWAP_AREA_BITS		5
#define SWAP_AREAS_MAX		(1 << SWAP_AREA_BITS)

/* A slot of some area: bits 0-31 the slot, bits 32-36 the area index. */
typedef struct {
	uint64_t val;
} swap_entry_t;

#define SWAP_ENTRY_NONE		((swap_entry_t){ 0 })

static inline swap_entry_t swap_entry(unsigned int area, uint64_t slot)
{
	return (swap_entry_t){ ((uint64_t)area << SWAP_SLOT_BITS) | slot };
}

static inline unsigned int swap_entry_area(swap_entry_t e)
{
	return (e.val >> SWAP_SLOT_BITS) & (SWAP_AREAS_MAX - 1);
}

static inline uint64_t swap_entry_slot(swap_entry_t e)
{
	return e.val & ((1ULL << SWAP_SLOT_BITS) - 1);
}

static inline bool swap_entry_is_none(swap_entry_t e)
{
	return e.val == 0;
}

/* ---------------------------------------------------------------- one area */

#define SWAP_CLUSTER_SLOTS	256
#define SWAP_REFS_MAX		0xfffe		/* references one slot can hold */
#define SWAP_REF_BAD		0xffff		/* refs[] of the header and bad pages */
#define SWAP_CLUSTER_NONE	UINT32_MAX
#define SWAP_PRIO_MAX		32767		/* Linux's SWAP_FLAG_PRIO_MASK */
#define SWAP_PRIO_AUTO		(-1)		/* register: below every other area */

struct swap_cluster {
	uint16_t used;		/* slots handed out */
	uint16_t good;		/* slots that exist and are not bad */
	uint16_t flags;		/* SWAP_CL_* */
	uint32_t next;		/* next in the free FIFO, or SWAP_CLUSTER_NONE */
};

#define SWAP_CL_FREE		0x1	/* on the free FIFO: used 0, good > 0 */
#define SWAP_CL_CURRENT		0x2	/* the area's current cluster */

struct blkdev;

struct swap_area {
	struct spinlock lock;
	/* Fixed from swap_area_create() on (disk: set by swapon before it
	   registers the area; NULL on the host). */
	struct blkdev *disk;		/* the device slot s is page s of */
	uint64_t nslots;		/* last_page + 1: slot 0 is the header */
	uint32_t nclusters;
	uint64_t total;			/* good slots: the area's usable pages */
	uint8_t uuid[SWAP_UUID_LEN];
	char label[SWAP_LABEL_LEN + 1];
	/* Guarded by lock. */
	uint16_t *refs;			/* per slot: 0 free, refs, or SWAP_REF_BAD */
	struct swap_cluster *clusters;
	uint32_t free_head, free_tail;	/* FIFO of free clusters */
	uint64_t cur_next, cur_end;	/* current cluster: next slot, end; 0, 0 if none */
	uint32_t scan_cluster;		/* where the fragmented-case scan resumes */
	uint64_t inuse;			/* slots handed out */
	/* Guarded by swap_lock. */
	int index;			/* in the table, -1 when not registered */
	int prio;
	bool prio_auto;			/* given by register, renumbered by unregister */
	bool enabled;			/* slots may be allocated (swapoff clears it) */
};

/*
 * swap_area_create - a slot allocator for the area hdr describes: every slot
 * 1 .. hdr->last_page free except hdr's bad pages. Reads hdr->bad, so the
 * header page must still be there. The area is not registered (not yet used
 * by swap_slot_alloc_any()). Returns 0 and the area in *out, or -ENOMEM.
 */
int swap_area_create(const struct swap_info_hdr *hdr, struct swap_area **out);

/*
 * swap_area_destroy - free an area that is not registered. Returns 0, or
 * -EBUSY (and frees nothing) while a slot is in use.
 */
int swap_area_destroy(struct swap_area *a);

/*
 * swap_slots_alloc - up to n (1 .. SWAP_CLUSTER_SLOTS) consecutive free
 * slots of a, each with one reference: the first in *first. Takes a's lock.
 * Returns how many (at least 1; fewer than n when the current cluster or,
 * in a fragmented area, the run of free slots found ends first), -EINVAL for
 * a bad n, or -ENOSPC when a has no free slot.
 */
int swap_slots_alloc(struct swap_area *a, unsigned int n, uint64_t *first);

/*
 * swap_slot_dup - one more reference to slot, which must be in use. Takes
 * a's lock. Returns 0, or -EOVERFLOW when it has SWAP_REFS_MAX already (the
 * caller keeps its own copy of the page instead). A slot not in use panics.
 */
int swap_slot_dup(struct swap_area *a, uint64_t slot);

/*
 * swap_slot_free - drop one reference to slot, freeing it with the last.
 * Takes a's lock. Returns the references left (0: the slot is free). A slot
 * not in use panics.
 */
uint32_t swap_slot_free(struct swap_area *a, uint64_t slot);

/* References to slot (0 when free, SWAP_REF_BAD for the header and bad pages). */
uint32_t swap_slot_refs(struct swap_area *a, uint64_t slot);

/* Good slots of a: in total, in use. free = total - inuse. */
uint64_t swap_area_total(struct swap_area *a);
uint64_t swap_area_inuse(struct swap_area *a);

/*
 * swap_slots_check - verify a's invariants: each cluster's counts agree with
 * the slot map, the free FIFO holds exactly the wholly free clusters other
 * than the current one, the counters agree, the current cluster's cursor is
 * inside it. Costs O(slots); takes a's lock. Returns 0 or panics saying what
 * broke. For tests and debug builds.
 */
int swap_slots_check(struct swap_area *a);

/* ---------------------------------------------------------------- all areas */

/*
 * swap_area_register - make a (from swap_area_create) one of the areas
 * swap_slot_alloc_any() uses, enabled, with priority prio (0 ..
 * SWAP_PRIO_MAX; higher used first) or SWAP_PRIO_AUTO (below every area
 * registered so far: -2, -3, ... as Linux numbers them). Takes swap_lock.
 * Returns the area's index (in its swap entries), -EINVAL for a bad prio or
 * an area already registered, or -EPERM when SWAP_AREAS_MAX are registered
 * (Linux's error for too many swap areas).
 */
int swap_area_register(struct swap_area *a, int prio);

/*
 * swap_area_unregister - take a out of the table so it can be destroyed.
 * An automatic priority leaves a gap that the areas below close, as in
 * Linux. Takes swap_lock. Returns 0, -EINVAL if a is not registered, or
 * -EBUSY while a slot of a is in use (swapoff brings every page back first).
 */
int swap_area_unregister(struct swap_area *a);

/*
 * swap_area_disable / swap_area_enable - stop or resume allocation from a
 * registered area (swapoff disables it, reads its pages back, then
 * unregisters it, or enables it again if that failed). A disabled area's
 * slots still count in use but not in swap_slots_totals(). Take swap_lock.
 */
void swap_area_disable(struct swap_area *a);
void swap_area_enable(struct swap_area *a);

/* The registered area of index idx, or NULL. */
struct swap_area *swap_area_lookup(unsigned int idx);

/*
 * swap_slot_alloc_any - up to n consecutive slots (as swap_slots_alloc) of
 * the enabled area chosen by priority and round-robin; the first in *first.
 * Takes swap_lock. Returns how many, -EINVAL for a bad n, or -ENOSPC when no
 * enabled area has a free slot.
 */
int swap_slot_alloc_any(unsigned int n, swap_entry_t *first);

/* swap_slot_dup, swap_slot_free and swap_slot_refs by entry (panic if none). */
int swap_entry_dup(swap_entry_t e);
uint32_t swap_entry_free(swap_entry_t e);
uint32_t swap_entry_refs(swap_entry_t e);

/*
 * swap_slots_totals - good slots and free slots over the enabled areas, for
 * SwapTotal and SwapFree. Takes swap_lock.
 */
void swap_slots_totals(uint64_t *total, uint64_t *free);

/*
 * swap_slots_full - is swap more than half full (Linux's vm_swap_full)?
 * Then a page read back gives up its slot at once instead of keeping it as
 * a clean copy, so swap does not fill with copies of resident pages. Takes
 * swap_lock.
 */
bool swap_slots_full(void);

/*
 * swap_areas_check - verify the table: the allocation order lists each
 * registered area once, highest priority first, and each area's index is
 * its place in the table. Returns 0 or panics. For tests and debug builds.
 */
int swap_areas_check(void);

#endif
