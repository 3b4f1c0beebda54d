/*
 * The split queue (policy.h): one order of pages kept as two lists, the
 * older half and the newer half, so that a policy keeping a single order
 * (CLOCK, FIFO, LRU) can say in O(1) which of its pages are active: those
 * of the newer half, the ones it would evict last. Walking `older` then
 * `newer` gives the order the policy keeps; only the boundary moves.
 *
 * Balance: once settled, `newer` holds n - n/2 of the n pages. Adding,
 * removing or moving a page does not move the boundary: the fault that
 * brings a page in touches that page's links only. vm_queue_settle, called
 * before the sides are read (/proc/meminfo, a check), moves the pages at
 * the boundary until the halves are even again: the front of `newer`
 * becomes the back of `older`, or the other way round. Each crossing is
 * reported to the instance (vm_policy_moved). Over time a settle moves no
 * more pages than came and went since the last.
 *
 * Reclaim lock held throughout, as for every policy call.
 */
#include "vm/policy.h"

void vm_queue_init(struct vm_policy_queue *q)
{
	list_init(&q->older);
	list_init(&q->newer);
	q->nolder = q->nnewer = 0;
}

/* Move pages across the boundary until newer holds n - n/2 of the n. */
static void balance(struct vm_policy *pol, struct vm_policy_queue *q)
{
	uint64_t n = q->nolder + q->nnewer, want = n - n / 2;
	struct page *pg;

	while (q->nnewer > want) {
		pg = vm_policy_oldest(&q->newer);
		vm_policy_requeue(&q->older, pg);
		vm_queue_set_newer(pg, false);
		q->nnewer--;
		q->nolder++;
		vm_policy_moved(pol, pg, false);
	}
	while (q->nnewer < want) {
		pg = list_entry(q->older.prev, struct page, link);
		list_remove(&pg->link);
		list_push(&q->newer, &pg->link);
		vm_queue_set_newer(pg, true);
		q->nolder--;
		q->nnewer++;
		vm_policy_moved(pol, pg, true);
	}
}

void vm_queue_settle(struct vm_policy *pol, struct vm_policy_queue *q)
{
	balance(pol, q);
}

void vm_queue_forget_all(struct vm_policy_queue *q)
{
	vm_policy_forget_all(&q->older);
	vm_policy_forget_all(&q->newer);
	q->nolder = q->nnewer = 0;
}

/* Count list l of q, every page's bit saying newer or not. */
static uint64_t count_half(struct list_node *l, bool newer, const char *what)
{
	struct list_node *node;

	list_for_each(node, l)
		if (vm_queue_is_newer(vm_policy_page(node)) != newer)
			panic("vm_policy_check: %s page %p is in the %s half, its bit "
			      "says otherwise", what, vm_policy_page(node),
			      newer ? "newer" : "older");
	return vm_policy_count(l, what);
}

uint64_t vm_queue_count(struct vm_policy_queue *q, const char *what)
{
	uint64_t no = count_half(&q->older, false, what);
	uint64_t nn = count_half(&q->newer, true, what);
	uint64_t n = no + nn;

	if (no != q->nolder || nn != q->nnewer || nn != n - n / 2)
		panic("vm_policy_check: %s halves hold %lu/%lu, counted %lu/%lu",
		      what, (unsigned long)no, (unsigned long)nn,
		      (unsigned long)q->nolder, (unsigned long)q->nnewer);
	return n;
}
