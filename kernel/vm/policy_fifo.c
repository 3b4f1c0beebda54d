/*
 * FIFO replacement: evict the page that came in first, whatever its use.
 *
 * One queue in arrival order. Cheap and blind: a page used all the time is
 * evicted as surely as one never used again, and giving FIFO more frames
 * can make it fault more (Belady's anomaly; host/test_policy.c shows it).
 * Kept as the baseline the others are measured against.
 *
 * Active: the newer half of the queue (vm_policy_queue), the pages FIFO
 * will evict last. FIFO knows nothing of use, so this says only "came in
 * more recently than the other half".
 */
#include "vm/policy.h"

struct fifo_state {
	struct vm_policy_queue queue;	/* oldest first */
};

static size_t fifo_state_size(uint64_t max_frames)
{
	return sizeof(struct fifo_state);
}

static int fifo_init(struct vm_policy *pol)
{
	struct fifo_state *s = pol->state;

	vm_queue_init(&s->queue);
	return 0;
}

static void fifo_destroy(struct vm_policy *pol)
{
	struct fifo_state *s = pol->state;

	vm_queue_forget_all(&s->queue);
}

static void fifo_insert(struct vm_policy *pol, struct page *pg)
{
	struct fifo_state *s = pol->state;

	vm_queue_add(pol, &s->queue, pg);
}

static void fifo_remove(struct vm_policy *pol, struct page *pg)
{
	struct fifo_state *s = pol->state;

	vm_queue_del(pol, &s->queue, pg);
}

/* The oldest page; moved to the back in case the caller must keep it. */
static struct page *fifo_select_victim(struct vm_policy *pol)
{
	struct fifo_state *s = pol->state;
	struct page *pg = vm_queue_oldest(&s->queue);

	if (pg)
		vm_queue_to_back(pol, &s->queue, pg);
	return pg;
}

static uint64_t fifo_check(struct vm_policy *pol)
{
	struct fifo_state *s = pol->state;

	return vm_queue_count(&s->queue, "fifo");
}

/* In the newer half of the queue. */
static bool fifo_is_active(const struct vm_policy *pol, const struct page *pg)
{
	return vm_queue_is_newer(pg);
}

static void fifo_settle(struct vm_policy *pol)
{
	struct fifo_state *s = pol->state;

	vm_queue_settle(pol, &s->queue);
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
	.is_active = fifo_is_active,
	.settle = fifo_settle,
};
