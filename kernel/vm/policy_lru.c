/*
 * Exact LRU: evict the page whose last use is the oldest.
 *
 * Pages sit on one queue in order of last use, least recent first. Fed by
 * the access hook (every reference: the simulator, or a tracing build), it
 * is exact: each use moves the page to the back. A kernel that only learns
 * of use from the referenced bits cannot afford that; then, before each
 * choice, every page is tested and the used ones move to the back, keeping
 * their order: LRU at the resolution of one scan, at the cost of a whole
 * scan per victim. It is here to compare the others against, not to run.
 *
 * Once the access hook has been called, the instance trusts it alone.
 *
 * Active: the more recently used half of the queue (vm_policy_queue's
 * newer half).
 */
#include "vm/policy.h"

struct lru_state {
	struct vm_policy_queue queue;	/* least recently used first */
	bool exact;			/* fed by the access hook */
};

static size_t lru_state_size(uint64_t max_frames)
{
	return sizeof(struct lru_state);
}

static int lru_init(struct vm_policy *pol)
{
	struct lru_state *s = pol->state;

	vm_queue_init(&s->queue);
	s->exact = false;
	return 0;
}

static void lru_destroy(struct vm_policy *pol)
{
	struct lru_state *s = pol->state;

	vm_queue_forget_all(&s->queue);
}

/* A page coming in is being used: most recent. */
static void lru_insert(struct vm_policy *pol, struct page *pg)
{
	struct lru_state *s = pol->state;

	vm_queue_add(pol, &s->queue, pg);
}

static void lru_remove(struct vm_policy *pol, struct page *pg)
{
	struct lru_state *s = pol->state;

	vm_queue_del(pol, &s->queue, pg);
}

static void lru_access(struct vm_policy *pol, struct page *pg)
{
	struct lru_state *s = pol->state;

	s->exact = true;
	vm_queue_to_back(pol, &s->queue, pg);
}

/* Take the pages of list l used since the last scan onto used, in order. */
static void lru_take_used(struct vm_policy *pol, struct lru_state *s,
			  struct list_node *l, struct list_node *used)
{
	struct list_node *node, *next;

	list_for_each_safe(node, next, l) {
		struct page *pg = vm_policy_page(node);

		if (vm_policy_referenced(pol, pg)) {
			vm_queue_take(&s->queue, pg);
			list_append(used, &pg->link);
			pol->stats.kept++;
		}
	}
}

/* Move every page used since the last scan to the back, in queue order. */
static void lru_scan(struct vm_policy *pol, struct lru_state *s)
{
	struct list_node used;

	list_init(&used);
	lru_take_used(pol, s, &s->queue.older, &used);
	lru_take_used(pol, s, &s->queue.newer, &used);
	while (!list_empty(&used))
		vm_queue_put_back(pol, &s->queue, vm_policy_oldest(&used));
}

/* The least recently used page; moved to the back in case it is kept. */
static struct page *lru_select_victim(struct vm_policy *pol)
{
	struct lru_state *s = pol->state;
	struct page *pg;

	if (!s->exact)
		lru_scan(pol, s);
	pg = vm_queue_oldest(&s->queue);
	if (pg)
		vm_queue_to_back(pol, &s->queue, pg);
	return pg;
}

static uint64_t lru_check(struct vm_policy *pol)
{
	struct lru_state *s = pol->state;

	return vm_queue_count(&s->queue, "lru");
}

/* In the more recently used half. */
static bool lru_is_active(const struct vm_policy *pol, const struct page *pg)
{
	return vm_queue_is_newer(pg);
}

static void lru_settle(struct vm_policy *pol)
{
	struct lru_state *s = pol->state;

	vm_queue_settle(pol, &s->queue);
}

const struct vm_policy_ops vm_policy_lru = {
	.name = "lru",
	.summary = "exact least recently used, for comparison",
	.state_size = lru_state_size,
	.init = lru_init,
	.destroy = lru_destroy,
	.insert = lru_insert,
	.remove = lru_remove,
	.select_victim = lru_select_victim,
	.access = lru_access,
	.check = lru_check,
	.is_active = lru_is_active,
	.settle = lru_settle,
};
