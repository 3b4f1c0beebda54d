/*
 * CLOCK (second chance): the default replacement policy.
 *
 * Pages sit on a circle in the order they came in; a hand sweeps it. At each
 * page the hand asks whether the page was used since the hand last passed
 * (test_and_clear_referenced, which also clears the bit): a used page gets a
 * second chance and the hand moves on; the first unused page is the victim.
 * A new page joins the circle just behind the hand, so it is looked at last,
 * and coming in counts as a use: it survives the hand's first visit. For a
 * page brought in by a fault that is the faulting access (its referenced
 * bit is set by then); a page read ahead of any use, or put back on the
 * policy by reclaim, has no such bit, so the policy marks every new page
 * (CLOCK_NEW) and takes the mark for a use at the first visit. Without it,
 * read-ahead pages had half the life of faulted ones and were evicted
 * unused more often than under LRU.
 *
 * The circle is a queue whose front is the page under the hand: passing a
 * page moves it to the back. After one full turn every bit has been cleared,
 * so a victim is found within two turns (bounded even if other harts keep
 * setting bits: after two turns the page under the hand is taken).
 *
 * Active: the half of the circle the hand passed last (vm_policy_queue's
 * newer half). Every page there came in, or was found used, more recently
 * than any page of the other half, which the hand reaches first and from
 * which victims come. (The hardware's referenced bits are not read for
 * this: reading them means walking every mapping of the page.)
 */
#include "vm/policy.h"

#define CLOCK_NEW	0x2	/* policy bit: not visited by the hand yet */

struct clock_state {
	struct vm_policy_queue circle;	/* front: the page under the hand */
};

static size_t clock_state_size(uint64_t max_frames)
{
	return sizeof(struct clock_state);
}

static int clock_init(struct vm_policy *pol)
{
	struct clock_state *s = pol->state;

	vm_queue_init(&s->circle);
	return 0;
}

static void clock_destroy(struct vm_policy *pol)
{
	struct clock_state *s = pol->state;

	vm_queue_forget_all(&s->circle);
}

/* Just behind the hand: the last page it will reach. */
static void clock_insert(struct vm_policy *pol, struct page *pg)
{
	struct clock_state *s = pol->state;

	vm_queue_add(pol, &s->circle, pg);
	vm_policy_set_bits(pg, vm_policy_bits(pg) | CLOCK_NEW);
}

static void clock_remove(struct vm_policy *pol, struct page *pg)
{
	struct clock_state *s = pol->state;

	vm_queue_del(pol, &s->circle, pg);
}

/* Sweep until an unused page is under the hand; the hand passes it too. */
static struct page *clock_select_victim(struct vm_policy *pol)
{
	struct clock_state *s = pol->state;
	uint64_t budget = 2 * pol->nr_pages;
	struct page *pg;

	for (uint64_t seen = 0; (pg = vm_queue_oldest(&s->circle)); seen++) {
		unsigned int bits = vm_policy_bits(pg);
		bool used = seen < budget && vm_policy_referenced(pol, pg);

		if (bits & CLOCK_NEW) {		/* coming in was its use */
			vm_policy_set_bits(pg, bits & ~CLOCK_NEW);
			used = seen < budget;
		}

		vm_queue_to_back(pol, &s->circle, pg);
		if (!used)
			return pg;
		pol->stats.kept++;
	}
	return NULL;
}

static uint64_t clock_check(struct vm_policy *pol)
{
	struct clock_state *s = pol->state;

	return vm_queue_count(&s->circle, "clock");
}

/* In the half of the circle the hand passed last. */
static bool clock_is_active(const struct vm_policy *pol, const struct page *pg)
{
	return vm_queue_is_newer(pg);
}

static void clock_settle(struct vm_policy *pol)
{
	struct clock_state *s = pol->state;

	vm_queue_settle(pol, &s->circle);
}

const struct vm_policy_ops vm_policy_clock = {
	.name = "clock",
	.summary = "second chance over the referenced bits",
	.state_size = clock_state_size,
	.init = clock_init,
	.destroy = clock_destroy,
	.insert = clock_insert,
	.remove = clock_remove,
	.select_victim = clock_select_victim,
	.check = clock_check,
	.is_active = clock_is_active,
	.settle = clock_settle,
};
