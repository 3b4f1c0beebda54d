/*
 * The slot allocator of one swap area: a reference count per slot and
 * clusters of 256 slots; see swap_slots.h. The table of registered areas is
 * in swap_areas.c.
 *
 * The map and the cluster array are single kmalloc blocks, so an area is at
 * most 2^21 slots (8 GiB: a 4 MiB map, the largest block the pmm gives);
 * a larger one fails with -ENOMEM.
 *
 * A cluster is "free" when none of its slots is handed out and it has at
 * least one good slot; free clusters other than the current one wait on the
 * area's FIFO. The current cluster is taken off the FIFO and handed out in
 * slot order from cur_next; it is retired (back on the FIFO if nothing of it
 * is in use any more) when its cursor reaches the end.
 */
#include "vm/swap_slots.h"
#include "vm/kmem.h"

/* Unlock a and panic: for broken invariants found while a's lock is held. */
#define swap_area_panic(a, ...)				\
	do {						\
		spin_unlock(&(a)->lock);		\
		panic(__VA_ARGS__);			\
	} while (0)

static uint32_t cluster_of(uint64_t slot)
{
	return slot / SWAP_CLUSTER_SLOTS;
}

static uint64_t cluster_base(uint32_t c)
{
	return (uint64_t)c * SWAP_CLUSTER_SLOTS;
}

/* One past the last slot of cluster c (the last cluster may be short). */
static uint64_t cluster_end(const struct swap_area *a, uint32_t c)
{
	return MIN(cluster_base(c) + SWAP_CLUSTER_SLOTS, a->nslots);
}

/* Append cluster c to a's free FIFO. Caller holds a's lock. */
static void cluster_push_free(struct swap_area *a, uint32_t c)
{
	a->clusters[c].flags |= SWAP_CL_FREE;
	a->clusters[c].next = SWAP_CLUSTER_NONE;
	if (a->free_tail == SWAP_CLUSTER_NONE)
		a->free_head = c;
	else
		a->clusters[a->free_tail].next = c;
	a->free_tail = c;
}

/* Take the first cluster of a's free FIFO, or SWAP_CLUSTER_NONE. Lock held. */
static uint32_t cluster_pop_free(struct swap_area *a)
{
	uint32_t c = a->free_head;

	if (c == SWAP_CLUSTER_NONE)
		return c;
	a->free_head = a->clusters[c].next;
	if (a->free_head == SWAP_CLUSTER_NONE)
		a->free_tail = SWAP_CLUSTER_NONE;
	a->clusters[c].flags &= ~SWAP_CL_FREE;
	a->clusters[c].next = SWAP_CLUSTER_NONE;
	return c;
}

/* Give up the current cluster, if any. Caller holds a's lock. */
static void cluster_retire_current(struct swap_area *a)
{
	uint32_t c;

	if (a->cur_end == 0)
		return;
	c = cluster_of(a->cur_end - 1);
	a->clusters[c].flags &= ~SWAP_CL_CURRENT;
	if (a->clusters[c].used == 0)
		cluster_push_free(a, c);
	a->cur_next = a->cur_end = 0;
}

/* Make the first free cluster current. Returns false if none. Lock held. */
static bool cluster_take_current(struct swap_area *a)
{
	uint32_t c = cluster_pop_free(a);

	if (c == SWAP_CLUSTER_NONE)
		return false;
	a->clusters[c].flags |= SWAP_CL_CURRENT;
	a->cur_next = cluster_base(c);
	a->cur_end = cluster_end(a, c);
	return true;
}

/* ---------------------------------------------------------------- slots */

/* Hand out free slot s with one reference. Caller holds a's lock. */
static void slot_take(struct swap_area *a, uint64_t s)
{
	a->refs[s] = 1;
	a->clusters[cluster_of(s)].used++;
	a->inuse++;
}

/* Slot s (in use) lost its last reference: free it. Caller holds a's lock. */
static void slot_release(struct swap_area *a, uint64_t s)
{
	struct swap_cluster *cl = &a->clusters[cluster_of(s)];

	a->refs[s] = 0;
	cl->used--;
	a->inuse--;
	if (cl->used == 0 && !(cl->flags & SWAP_CL_CURRENT))
		cluster_push_free(a, cluster_of(s));
}

/*
 * Hand out up to n slots from s on, stopping at end or at the first slot
 * that is not free. Returns how many. Caller holds a's lock.
 */
static unsigned int slots_take_run(struct swap_area *a, uint64_t s,
				   uint64_t end, unsigned int n)
{
	unsigned int k = 0;

	while (k < n && s + k < end && a->refs[s + k] == 0) {
		slot_take(a, s + k);
		k++;
	}
	return k;
}

/* Up to n slots from the current cluster's cursor on; 0 if it is used up. */
static unsigned int alloc_current(struct swap_area *a, unsigned int n,
				  uint64_t *first)
{
	unsigned int got;

	while (a->cur_next < a->cur_end && a->refs[a->cur_next] != 0)
		a->cur_next++;		/* the header or a bad page */
	if (a->cur_next >= a->cur_end)
		return 0;
	*first = a->cur_next;
	got = slots_take_run(a, a->cur_next, a->cur_end, n);
	a->cur_next += got;
	return got;
}

/*
 * The fragmented case (no free cluster): the run of up to n free slots that
 * starts at the first free slot of the first cluster, from scan_cluster on,
 * that is not full. Returns how many; 0 if the area is full. Lock held.
 */
static unsigned int alloc_scan(struct swap_area *a, unsigned int n,
			       uint64_t *first)
{
	for (uint32_t i = 0; i < a->nclusters; i++) {
		uint32_t c = (a->scan_cluster + i) % a->nclusters;
		uint64_t end = cluster_end(a, c);

		if (a->clusters[c].used == a->clusters[c].good)
			continue;
		for (uint64_t s = cluster_base(c); s < end; s++) {
			if (a->refs[s] != 0)
				continue;
			a->scan_cluster = c;
			*first = s;
			return slots_take_run(a, s, end, n);
		}
		swap_area_panic(a, "swap_slots_alloc: cluster %u counts a free slot it lacks", c);
	}
	return 0;
}

int swap_slots_alloc(struct swap_area *a, unsigned int n, uint64_t *first)
{
	unsigned int got = 0;

	if (n == 0 || n > SWAP_CLUSTER_SLOTS)
		return -EINVAL;
	spin_lock(&a->lock);
	if (a->inuse < a->total) {
		got = alloc_current(a, n, first);
		if (!got) {
			cluster_retire_current(a);
			if (cluster_take_current(a))
				got = alloc_current(a, n, first);
		}
		if (!got)
			got = alloc_scan(a, n, first);
	}
	spin_unlock(&a->lock);
	return got ? (int)got : -ENOSPC;
}

/* Panics (unlocking a) unless slot is in use. Caller holds a's lock. */
static void slot_check_in_use(struct swap_area *a, uint64_t slot,
			      const char *fn)
{
	if (slot >= a->nslots || a->refs[slot] == 0 ||
	    a->refs[slot] == SWAP_REF_BAD)
		swap_area_panic(a, "%s: slot %lu of swap area %d is not in use",
				fn, (unsigned long)slot, a->index);
}

int swap_slot_dup(struct swap_area *a, uint64_t slot)
{
	int rc = 0;

	spin_lock(&a->lock);
	slot_check_in_use(a, slot, "swap_slot_dup");
	if (a->refs[slot] == SWAP_REFS_MAX)
		rc = -EOVERFLOW;
	else
		a->refs[slot]++;
	spin_unlock(&a->lock);
	return rc;
}

uint32_t swap_slot_free(struct swap_area *a, uint64_t slot)
{
	uint32_t left;

	spin_lock(&a->lock);
	slot_check_in_use(a, slot, "swap_slot_free");
	left = a->refs[slot] - 1;
	if (left == 0)
		slot_release(a, slot);
	else
		a->refs[slot] = left;
	spin_unlock(&a->lock);
	return left;
}

uint32_t swap_slot_refs(struct swap_area *a, uint64_t slot)
{
	uint32_t refs;

	spin_lock(&a->lock);
	if (slot >= a->nslots)
		swap_area_panic(a, "swap_slot_refs: slot %lu beyond swap area %d",
				(unsigned long)slot, a->index);
	refs = a->refs[slot];
	spin_unlock(&a->lock);
	return refs;
}

uint64_t swap_area_total(struct swap_area *a)
{
	return a->total;
}

uint64_t swap_area_inuse(struct swap_area *a)
{
	return READ_ONCE(a->inuse);
}

/* ---------------------------------------------------------------- life */

/*
 * Mark the header and hdr's bad pages, count each cluster's good slots and
 * queue the free clusters, lowest first. a's arrays are zeroed.
 */
static void swap_area_fill(struct swap_area *a, const struct swap_info_hdr *hdr)
{
	a->refs[0] = SWAP_REF_BAD;
	for (uint32_t i = 0; i < hdr->nr_badpages; i++) {
		if (hdr->bad[i] == 0 || hdr->bad[i] >= a->nslots)
			panic("swap_area_create: bad page %u outside the area", hdr->bad[i]);
		a->refs[hdr->bad[i]] = SWAP_REF_BAD;
	}
	a->free_head = a->free_tail = SWAP_CLUSTER_NONE;
	for (uint32_t c = 0; c < a->nclusters; c++) {
		struct swap_cluster *cl = &a->clusters[c];

		for (uint64_t s = cluster_base(c); s < cluster_end(a, c); s++)
			cl->good += a->refs[s] == 0;
		a->total += cl->good;
		cl->next = SWAP_CLUSTER_NONE;
		if (cl->good)
			cluster_push_free(a, c);
	}
}

int swap_area_create(const struct swap_info_hdr *hdr, struct swap_area **out)
{
	struct swap_area *a = kmalloc(sizeof(*a), KM_ZERO);

	if (!a)
		return -ENOMEM;
	a->nslots = (uint64_t)hdr->last_page + 1;
	a->nclusters = (a->nslots + SWAP_CLUSTER_SLOTS - 1) / SWAP_CLUSTER_SLOTS;
	a->refs = kmalloc(a->nslots * sizeof(a->refs[0]), KM_ZERO);
	a->clusters = kmalloc(a->nclusters * sizeof(a->clusters[0]), KM_ZERO);
	if (!a->refs || !a->clusters) {
		kfree(a->refs);
		kfree(a->clusters);
		kfree(a);
		return -ENOMEM;
	}
	spin_init(&a->lock, "swap_area");
	memcpy(a->uuid, hdr->uuid, SWAP_UUID_LEN);
	memcpy(a->label, hdr->label, sizeof(a->label));
	a->index = -1;
	swap_area_fill(a, hdr);
	*out = a;
	return 0;
}

int swap_area_destroy(struct swap_area *a)
{
	if (a->index >= 0)
		panic("swap_area_destroy: area %d is still registered", a->index);
	if (swap_area_inuse(a))
		return -EBUSY;
	kfree(a->refs);
	kfree(a->clusters);
	kfree(a);
	return 0;
}

/* ---------------------------------------------------------------- check */

/* The counts of cluster c agree with the map and its flags with its state. */
static void check_cluster(struct swap_area *a, uint32_t c, uint64_t *good,
			  uint64_t *used)
{
	struct swap_cluster *cl = &a->clusters[c];
	bool current = a->cur_end && cluster_of(a->cur_end - 1) == c;
	unsigned int g = 0, u = 0;

	for (uint64_t s = cluster_base(c); s < cluster_end(a, c); s++) {
		g += a->refs[s] != SWAP_REF_BAD;
		u += a->refs[s] != SWAP_REF_BAD && a->refs[s] != 0;
	}
	if (g != cl->good || u != cl->used)
		swap_area_panic(a, "swap_slots_check: cluster %u counts %u used of %u, the map %u of %u",
				c, cl->used, cl->good, u, g);
	if (current != !!(cl->flags & SWAP_CL_CURRENT))
		swap_area_panic(a, "swap_slots_check: cluster %u current flag is wrong", c);
	if (!!(cl->flags & SWAP_CL_FREE) != (u == 0 && g > 0 && !current))
		swap_area_panic(a, "swap_slots_check: cluster %u free flag is wrong", c);
	*good += g;
	*used += u;
}

/* The FIFO holds nclusters_free clusters, each flagged free, once. */
static void check_fifo(struct swap_area *a, uint32_t nfree)
{
	uint32_t n = 0, last = SWAP_CLUSTER_NONE;

	for (uint32_t c = a->free_head; c != SWAP_CLUSTER_NONE;
	     c = a->clusters[c].next) {
		if (c >= a->nclusters || !(a->clusters[c].flags & SWAP_CL_FREE) ||
		    ++n > nfree)
			swap_area_panic(a, "swap_slots_check: free FIFO is broken at cluster %u", c);
		last = c;
	}
	if (n != nfree || last != a->free_tail)
		swap_area_panic(a, "swap_slots_check: free FIFO holds %u of %u free clusters",
				n, nfree);
}

int swap_slots_check(struct swap_area *a)
{
	uint64_t good = 0, used = 0;
	uint32_t nfree = 0;

	spin_lock(&a->lock);
	if (a->refs[0] != SWAP_REF_BAD)
		swap_area_panic(a, "swap_slots_check: the header slot is not reserved");
	if (a->cur_end && (a->cur_end != cluster_end(a, cluster_of(a->cur_end - 1)) ||
			   a->cur_next < cluster_base(cluster_of(a->cur_end - 1)) ||
			   a->cur_next > a->cur_end))
		swap_area_panic(a, "swap_slots_check: cursor %lu..%lu is not in a cluster",
				(unsigned long)a->cur_next, (unsigned long)a->cur_end);
	if (!a->cur_end && a->cur_next)
		swap_area_panic(a, "swap_slots_check: cursor without a current cluster");
	for (uint32_t c = 0; c < a->nclusters; c++) {
		check_cluster(a, c, &good, &used);
		nfree += !!(a->clusters[c].flags & SWAP_CL_FREE);
	}
	check_fifo(a, nfree);
	if (good != a->total || used != a->inuse)
		swap_area_panic(a, "swap_slots_check: counters say %lu of %lu in use, the map %lu of %lu",
				(unsigned long)a->inuse, (unsigned long)a->total,
				(unsigned long)used, (unsigned long)good);
	spin_unlock(&a->lock);
	return 0;
}
