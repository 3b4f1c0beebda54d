/*
 * The registered swap areas: a table indexed by the area number of swap
 * entries, and the order in which swap_slot_alloc_any() tries them; see
 * swap_slots.h for the rules (Linux's).
 *
 * swap_order lists the registered areas by priority, highest first. Areas of
 * equal priority are neighbours in it; the one that has just given slots
 * moves to the end of its group, which makes equal priorities take turns.
 */
#include "vm/swap_slots.h"

static struct spinlock swap_lock = SPINLOCK_INIT("swap");

/* Guarded by swap_lock; an entry is read without it by holders of a slot. */
static struct swap_area *swap_table[SWAP_AREAS_MAX];
/* Guarded by swap_lock. */
static int swap_order[SWAP_AREAS_MAX];	/* indexes, highest priority first */
static int swap_norder;
static int swap_least_prio = -1;	/* the last automatic priority given */

/* Insert idx into swap_order after every area of its priority or above. */
static void order_insert(int idx)
{
	int prio = swap_table[idx]->prio, pos = 0;

	while (pos < swap_norder && swap_table[swap_order[pos]]->prio >= prio)
		pos++;
	memmove(&swap_order[pos + 1], &swap_order[pos],
		(swap_norder - pos) * sizeof(swap_order[0]));
	swap_order[pos] = idx;
	swap_norder++;
}

/* Remove the area at position pos of swap_order. */
static void order_remove(int pos)
{
	memmove(&swap_order[pos], &swap_order[pos + 1],
		(swap_norder - pos - 1) * sizeof(swap_order[0]));
	swap_norder--;
}

/* Move the area at position pos to the end of its priority group. */
static void order_requeue(int pos)
{
	int idx = swap_order[pos];

	order_remove(pos);
	order_insert(idx);
}

/* The position of idx in swap_order; panics if it is not there. */
static int order_find(int idx)
{
	for (int pos = 0; pos < swap_norder; pos++)
		if (swap_order[pos] == idx)
			return pos;
	spin_unlock(&swap_lock);
	panic("swap: area %d is registered but not in the order", idx);
}

/* The lowest free index of the table, or -1. */
static int table_free_index(void)
{
	for (int i = 0; i < SWAP_AREAS_MAX; i++)
		if (!swap_table[i])
			return i;
	return -1;
}

int swap_area_register(struct swap_area *a, int prio)
{
	int idx;

	if (prio != SWAP_PRIO_AUTO && (prio < 0 || prio > SWAP_PRIO_MAX))
		return -EINVAL;
	spin_lock(&swap_lock);
	idx = a->index >= 0 ? -EINVAL : table_free_index();
	if (idx == -1)
		idx = -EPERM;
	if (idx < 0)
		goto out;
	a->prio_auto = prio == SWAP_PRIO_AUTO;
	a->prio = a->prio_auto ? --swap_least_prio : prio;
	a->index = idx;
	a->enabled = true;
	WRITE_ONCE(swap_table[idx], a);
	order_insert(idx);
out:
	spin_unlock(&swap_lock);
	return idx;
}

/*
 * The automatic priority of a leaves a gap: every area below it (all of them
 * automatic, below every explicit priority) moves up one, as in Linux.
 */
static void prio_close_gap(struct swap_area *a)
{
	for (int pos = 0; pos < swap_norder; pos++) {
		struct swap_area *b = swap_table[swap_order[pos]];

		if (b->prio < a->prio)
			b->prio++;
	}
	swap_least_prio++;
}

int swap_area_unregister(struct swap_area *a)
{
	int rc = 0;

	spin_lock(&swap_lock);
	if (a->index < 0 || swap_table[a->index] != a) {
		rc = -EINVAL;
		goto out;
	}
	spin_lock(&a->lock);
	if (a->inuse)
		rc = -EBUSY;
	spin_unlock(&a->lock);
	if (rc)
		goto out;
	order_remove(order_find(a->index));
	if (a->prio_auto)
		prio_close_gap(a);
	WRITE_ONCE(swap_table[a->index], NULL);
	a->index = -1;
	a->enabled = false;
out:
	spin_unlock(&swap_lock);
	return rc;
}

/* Set a's enabled flag; a must be registered. */
static void swap_area_set_enabled(struct swap_area *a, bool on)
{
	spin_lock(&swap_lock);
	if (a->index < 0) {
		spin_unlock(&swap_lock);
		panic("swap_area_%s: the area is not registered", on ? "enable" : "disable");
	}
	a->enabled = on;
	spin_unlock(&swap_lock);
}

void swap_area_disable(struct swap_area *a)
{
	swap_area_set_enabled(a, false);
}

void swap_area_enable(struct swap_area *a)
{
	swap_area_set_enabled(a, true);
}

struct swap_area *swap_area_lookup(unsigned int idx)
{
	return idx < SWAP_AREAS_MAX ? READ_ONCE(swap_table[idx]) : NULL;
}

int swap_slot_alloc_any(unsigned int n, swap_entry_t *first)
{
	int got = -ENOSPC;
	uint64_t slot;

	if (n == 0 || n > SWAP_CLUSTER_SLOTS)
		return -EINVAL;
	spin_lock(&swap_lock);
	for (int pos = 0; pos < swap_norder; pos++) {
		struct swap_area *a = swap_table[swap_order[pos]];

		if (!a->enabled)
			continue;
		got = swap_slots_alloc(a, n, &slot);
		if (got > 0) {
			*first = swap_entry(a->index, slot);
			order_requeue(pos);
			break;
		}
	}
	spin_unlock(&swap_lock);
	return got;
}

/* The area of entry e; panics (naming fn) if none is registered there. */
static struct swap_area *entry_area(swap_entry_t e, const char *fn)
{
	struct swap_area *a = swap_area_lookup(swap_entry_area(e));

	if (!a || swap_entry_is_none(e))
		panic("%s: entry %#lx names no swap area", fn, (unsigned long)e.val);
	return a;
}

int swap_entry_dup(swap_entry_t e)
{
	return swap_slot_dup(entry_area(e, "swap_entry_dup"), swap_entry_slot(e));
}

uint32_t swap_entry_free(swap_entry_t e)
{
	return swap_slot_free(entry_area(e, "swap_entry_free"), swap_entry_slot(e));
}

uint32_t swap_entry_refs(swap_entry_t e)
{
	return swap_slot_refs(entry_area(e, "swap_entry_refs"), swap_entry_slot(e));
}

void swap_slots_totals(uint64_t *total, uint64_t *free)
{
	*total = *free = 0;
	spin_lock(&swap_lock);
	for (int pos = 0; pos < swap_norder; pos++) {
		struct swap_area *a = swap_table[swap_order[pos]];

		if (!a->enabled)
			continue;
		*total += a->total;
		*free += a->total - swap_area_inuse(a);
	}
	spin_unlock(&swap_lock);
}

bool swap_slots_full(void)
{
	uint64_t total, free;

	swap_slots_totals(&total, &free);
	return free * 2 < total;
}

/* Unlock swap_lock and panic: for broken invariants of the table. */
#define swap_table_panic(...)				\
	do {						\
		spin_unlock(&swap_lock);		\
		panic(__VA_ARGS__);			\
	} while (0)

int swap_areas_check(void)
{
	int registered = 0;

	spin_lock(&swap_lock);
	for (int i = 0; i < SWAP_AREAS_MAX; i++) {
		if (!swap_table[i])
			continue;
		registered++;
		if (swap_table[i]->index != i)
			swap_table_panic("swap_areas_check: area %d says it is %d",
					 i, swap_table[i]->index);
		order_find(i);
	}
	if (registered != swap_norder)
		swap_table_panic("swap_areas_check: %d areas, %d in the order",
				 registered, swap_norder);
	for (int pos = 1; pos < swap_norder; pos++)
		if (swap_table[swap_order[pos - 1]]->prio <
		    swap_table[swap_order[pos]]->prio)
			swap_table_panic("swap_areas_check: order not by priority at %d", pos);
	spin_unlock(&swap_lock);
	return 0;
}
