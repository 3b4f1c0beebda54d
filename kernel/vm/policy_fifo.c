/*
 * FIFO replacement: evict the page that came in first, whatever its use.
 *
 * One queue in arrival order. Cheap and blind: a page used all the time is
 * evicted as surely as one never used again, and giving FIFO more frames
 * can make it fault more (Belady's anomaly; host/test_policy.c shows it).
 * Kept as the baseline the others are measured against.
 */
#include "vm/policy.h"

struct fifo_state {
	struct list_node queue;		/* oldest first */
};

static size_t fifo_state_size(uint64_t max_frames)
{
	return sizeof(struct fifo_state);
}

static int fifo_init(struct vm_policy *pol)
{
	struct fifo_state *s = pol->state;

	list_init(&s->queue);
	return 0;
}

static void fifo_destroy(struct vm_policy *pol)
{
	struct fifo_state *s = pol->state;

	vm_policy_forget_all(&s->queue);
}

static void fifo_insert(struct vm_policy *pol, struct page *pg)
{
	struct fifo_state *s = pol->state;

	list_append(&s->queue, &pg->link);
}

static void fifo_remove(struct vm_policy *pol, struct page *pg)
{
	list_remove(&pg->link);
}

/* The oldest page; moved to the back in case the caller must keep it. */
static struct page *fifo_select_victim(struct vm_policy *pol)
{
	struct fifo_state *s = pol->state;
	struct page *pg = vm_policy_oldest(&s->queue);

	if (pg)
		vm_policy_requeue(&s->queue, pg);
	return pg;
}

static uint64_t fifo_check(struct vm_policy *pol)
{
	struct fifo_state *s = pol->state;

	return vm_policy_count(&s->queue, "fifo");
}

const struct vm_policy_ops vm_policy_fifo = {
	.name = "fifo",
	.summary = "first in, first out",
	.state_size = fifo_state_size,
	.init = fifo_init,
	.destroy = fifo_destroy,
	.insert = fifo_insert,
	.remove = fifo_remove,
	.select_victim = fifo_select_victim,
	.check = fifo_check,
};
