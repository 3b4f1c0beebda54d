/*
 * The replacement-policy registry and the checks every policy shares; see
 * policy.h. The policies themselves are policy_<name>.c.
 */
#include "vm/policy.h"

static const struct vm_policy_ops *const policies[] = {
	&vm_policy_clock,
	&vm_policy_fifo,
	&vm_policy_lru,
	&vm_policy_s3fifo,
};

const struct vm_policy_ops *const vm_policy_default = &vm_policy_clock;

/* Set once at boot, before reclaim can run; read-only afterwards. */
static const struct vm_policy_ops *chosen;

const struct vm_policy_ops *vm_policy_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(policies); i++)
		if (strcmp(policies[i]->name, name) == 0)
			return policies[i];
	return NULL;
}

const struct vm_policy_ops *vm_policy_nth(unsigned int i)
{
	return i < ARRAY_SIZE(policies) ? policies[i] : NULL;
}

const struct vm_policy_ops *vm_policy_choose(const char *name)
{
	const struct vm_policy_ops *ops = vm_policy_default;

	if (name && name[0]) {
		ops = vm_policy_find(name);
		if (!ops) {
			kprintf("vm.policy: no policy '%s', using %s\n", name,
				vm_policy_default->name);
			ops = vm_policy_default;
		}
	}
	chosen = ops;
	kprintf("  policy     %s (%s)\n", ops->name, ops->summary);
	return ops;
}

const struct vm_policy_ops *vm_policy_chosen(void)
{
	return chosen ? chosen : vm_policy_default;
}

size_t vm_policy_state_size(const struct vm_policy_ops *ops, uint64_t max_frames)
{
	return ops->state_size ? ops->state_size(max_frames) : 0;
}

int vm_policy_init(struct vm_policy *pol, const struct vm_policy_ops *ops,
		   uint64_t max_frames, const struct vm_policy_hooks *hooks,
		   void *state)
{
	size_t size = vm_policy_state_size(ops, max_frames);

	if (max_frames == 0 || (size && !state))
		return -EINVAL;
	memset(pol, 0, sizeof(*pol));
	pol->ops = ops;
	if (hooks)
		pol->hooks = *hooks;
	pol->max_frames = max_frames;
	pol->state = state;
	if (size)
		memset(state, 0, size);
	return ops->init ? ops->init(pol) : 0;
}

void vm_policy_destroy(struct vm_policy *pol)
{
	if (pol->ops->destroy)
		pol->ops->destroy(pol);
	pol->nr_pages = 0;
	pol->nr_anon = pol->active_anon = pol->active_file = 0;
}

/* Count pg, on pol, in or out of its kind's active pages (delta +1/-1). */
static void count_active(struct vm_policy *pol, const struct page *pg, int delta)
{
	if (pg->flags & PG_POLICY_ANON)
		pol->active_anon += delta;
	else
		pol->active_file += delta;
}

void vm_policy_insert(struct vm_policy *pol, struct page *pg)
{
	if (pg->flags & PG_ONPOLICY)
		panic("vm_policy_insert: page %p is on a policy already", pg);
	if (pol->nr_pages >= pol->max_frames)
		panic("vm_policy_insert: %s holds %lu pages, its maximum",
		      pol->ops->name, (unsigned long)pol->max_frames);
	pg->flags = (uint16_t)((pg->flags & ~(PG_POLICY_MASK | PG_POLICY_ANON)) |
			       PG_ONPOLICY);
	if (vm_policy_page_is_anon(pg))
		pg->flags |= PG_POLICY_ANON;
	pol->ops->insert(pol, pg);
	pol->nr_pages++;
	pol->nr_anon += !!(pg->flags & PG_POLICY_ANON);
	if (pol->ops->is_active(pol, pg))
		count_active(pol, pg, 1);
	pol->stats.inserted++;
}

void vm_policy_remove(struct vm_policy *pol, struct page *pg)
{
	if (!(pg->flags & PG_ONPOLICY))
		panic("vm_policy_remove: page %p is on no policy", pg);
	if (pol->ops->is_active(pol, pg))
		count_active(pol, pg, -1);
	pol->nr_anon -= !!(pg->flags & PG_POLICY_ANON);
	pol->nr_pages--;
	pol->ops->remove(pol, pg);
	pg->flags &= (uint16_t)~(PG_ONPOLICY | PG_POLICY_MASK | PG_POLICY_ANON);
	pol->stats.removed++;
}

void vm_policy_renew(struct vm_policy *pol, struct page *pg)
{
	if (!(pg->flags & PG_ONPOLICY))
		panic("vm_policy_renew: page %p is on no policy", pg);
	if (pol->ops->renew) {
		pol->ops->renew(pol, pg);
		return;
	}
	vm_policy_remove(pol, pg);
	vm_policy_insert(pol, pg);
}

struct page *vm_policy_select_victim(struct vm_policy *pol)
{
	struct page *pg;

	if (pol->nr_pages == 0)
		return NULL;
	pg = pol->ops->select_victim(pol);
	if (pg)
		pol->stats.victims++;
	return pg;
}

void vm_policy_moved(struct vm_policy *pol, struct page *pg, bool active)
{
	count_active(pol, pg, active ? 1 : -1);
}

static void settle(struct vm_policy *pol)
{
	if (pol->ops && pol->ops->settle)
		pol->ops->settle(pol);
}

bool vm_policy_is_active(struct vm_policy *pol, const struct page *pg)
{
	settle(pol);
	return pol->ops->is_active(pol, pg);
}

void vm_policy_lists(struct vm_policy *pol, struct vm_policy_lists *l)
{
	settle(pol);
	l->active_anon = pol->active_anon;
	l->inactive_anon = pol->nr_anon - pol->active_anon;
	l->active_file = pol->active_file;
	l->inactive_file = pol->nr_pages - pol->nr_anon - pol->active_file;
}

void vm_policy_access(struct vm_policy *pol, struct page *pg)
{
	if (pol->ops->access)
		pol->ops->access(pol, pg);
}

int vm_policy_check(struct vm_policy *pol)
{
	uint64_t n;

	if (!pol->ops->check)
		return 0;
	settle(pol);
	n = pol->ops->check(pol);
	if (n != pol->nr_pages)
		panic("vm_policy_check: %s lists hold %lu pages, counted %lu",
		      pol->ops->name, (unsigned long)n,
		      (unsigned long)pol->nr_pages);
	if (pol->nr_anon > pol->nr_pages || pol->active_anon > pol->nr_anon ||
	    pol->active_file > pol->nr_pages - pol->nr_anon)
		panic("vm_policy_check: %s counts %lu anon (%lu active), %lu active "
		      "file of %lu pages", pol->ops->name,
		      (unsigned long)pol->nr_anon, (unsigned long)pol->active_anon,
		      (unsigned long)pol->active_file, (unsigned long)pol->nr_pages);
	return 0;
}

void vm_policy_forget_all(struct list_node *q)
{
	while (!list_empty(q)) {
		struct page *pg = vm_policy_oldest(q);

		list_remove(&pg->link);
		pg->flags &= (uint16_t)~(PG_ONPOLICY | PG_POLICY_MASK | PG_POLICY_ANON);
	}
}

uint64_t vm_policy_count(struct list_node *q, const char *what)
{
	uint64_t n = 0;
	struct list_node *node;

	list_for_each(node, q) {
		if (node->next->prev != node)
			panic("vm_policy_check: %s queue broken after %lu pages",
			      what, (unsigned long)n);
		if (!(vm_policy_page(node)->flags & PG_ONPOLICY))
			panic("vm_policy_check: page %p on the %s queue lacks PG_ONPOLICY",
			      vm_policy_page(node), what);
		n++;
	}
	return n;
}
