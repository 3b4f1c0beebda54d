/*
 * CLOCK (second chance): the default replacement policy.
 *
 * Pages sit on a circle in the order they came in; a hand sweeps it. At each
 * page the hand asks whether the page was used since the hand last passed
 * (test_and_clear_referenced, which also clears the bit): a used page gets a
 * second chance and the hand moves on; the first unused page is the victim.
 * A new page joins the circle just behind the hand, so it is looked at last,
 * and the access that brought it in counts as a use: it survives the hand's
 * first visit.
 *
 * The circle is a queue whose front is the page under the hand: passing a
 * page moves it to the back. After one full turn every bit has been cleared,
 * so a victim is found within two turns (bounded even if other harts keep
 * setting bits: after two turns the page under the hand is taken).
 */
#include "vm/policy.h"

struct clock_state {
	struct list_node circle;	/* front: the page under the hand */
};

static size_t clock_state_size(uint64_t max_frames)
{
	return sizeof(struct clock_state);
}

static int clock_init(struct vm_policy *pol)
{
	struct clock_state *s = pol->state;

	list_init(&s->circle);
	return 0;
}

static void clock_destroy(struct vm_policy *pol)
{
	struct clock_state *s = pol->state;

	vm_policy_forget_all(&s->circle);
}

/* Just behind the hand: the last page it will reach. */
static void clock_insert(struct vm_policy *pol, struct page *pg)
{
	struct clock_state *s = pol->state;

	list_append(&s->circle, &pg->link);
}

static void clock_remove(struct vm_policy *pol, struct page *pg)
{
	list_remove(&pg->link);
}

/* Sweep until an unused page is under the hand; the hand passes it too. */
static struct page *clock_select_victim(struct vm_policy *pol)
{
	struct clock_state *s = pol->state;
	uint64_t budget = 2 * pol->nr_pages;
	struct page *pg;

	for (uint64_t seen = 0; (pg = vm_policy_oldest(&s->circle)); seen++) {
		bool used = seen < budget && vm_policy_referenced(pol, pg);

		vm_policy_requeue(&s->circle, pg);
		if (!used)
			return pg;
		pol->stats.kept++;
	}
	return NULL;
}

static uint64_t clock_check(struct vm_policy *pol)
{
	struct clock_state *s = pol->state;

	return vm_policy_count(&s->circle, "clock");
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
};
