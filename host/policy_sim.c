/* The reclaim simulator for replacement policies; see policy_sim.h. */
#include "policy_sim.h"

/* ---- playing a trace */

/* The pmap's part: report and clear the page's accessed bit. */
static bool sim_test_and_clear(struct page *pg, void *ctx)
{
	bool used = pg->flags & PG_REFERENCED;

	pg->flags &= (uint16_t)~PG_REFERENCED;
	return used;
}

/* Keys that do not depend on where the pages sit: runs repeat exactly. */
static uint64_t sim_page_key(struct page *pg, void *ctx)
{
	return pg->index;
}

static void sim_use(struct vm_policy *pol, struct page *pg)
{
	if (pol->ops->access)
		vm_policy_access(pol, pg);
	else
		pg->flags |= PG_REFERENCED;
}

/* A fault on pg: make room if needed, bring pg in. */
static void sim_fault(struct sim_run *r, struct vm_policy *pol,
		      struct page *pages, struct page *pg)
{
	r->faults++;
	if (pol->nr_pages == r->frames) {
		struct page *victim = vm_policy_select_victim(pol);

		if (!victim)
			panic("sim: %s found no victim in %u frames",
			      pol->ops->name, r->frames);
		vm_policy_remove(pol, victim);
		victim->flags &= (uint16_t)~PG_REFERENCED;
		if (r->evicted)
			r->evicted[r->nevicted] = (uint32_t)(victim - pages);
		r->nevicted++;
	}
	vm_policy_insert(pol, pg);
}

static void sim_play(struct sim_run *r, struct vm_policy *pol,
		     struct page *pages, const struct sim_trace *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct page *pg = &pages[t->refs[i]];

		if (!(pg->flags & PG_ONPOLICY))
			sim_fault(r, pol, pages, pg);
		sim_use(pol, pg);
		if (r->check)
			vm_policy_check(pol);
	}
}

int sim_run(struct sim_run *r, const struct sim_trace *t)
{
	struct vm_policy_hooks hooks = {
		.test_and_clear_referenced = sim_test_and_clear,
		.page_key = sim_page_key,
	};
	struct vm_policy pol;
	struct page *pages = calloc(t->npages ? t->npages : 1, sizeof(*pages));
	void *state = calloc(1, vm_policy_state_size(r->ops, r->frames) + 1);
	int err = -ENOMEM;

	r->faults = 0;
	r->nevicted = 0;
	if (!pages || !state)
		goto out;
	for (uint32_t i = 0; i < t->npages; i++) {
		list_init(&pages[i].link);
		pages[i].owner = pages;
		pages[i].index = i;
	}
	err = vm_policy_init(&pol, r->ops, r->frames, &hooks, state);
	if (err)
		goto out;
	sim_play(r, &pol, pages, t);
	r->stats = pol.stats;
	vm_policy_destroy(&pol);
out:
	free(state);
	free(pages);
	return err;
}

/* ---- OPT: evict the page whose next use is furthest away */

struct opt_entry {
	size_t next;		/* position of the page's next use */
	uint32_t page;
};

/* Max-heap on next. */
static void heap_push(struct opt_entry *h, size_t *n, struct opt_entry e)
{
	size_t i = (*n)++;

	while (i > 0 && h[(i - 1) / 2].next < e.next) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = e;
}

static struct opt_entry heap_pop(struct opt_entry *h, size_t *n)
{
	struct opt_entry top = h[0], last = h[--*n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && h[c + 1].next > h[c].next)
			c++;
		if (h[c].next <= last.next)
			break;
		h[i] = h[c];
		i = c;
	}
	if (*n)
		h[i] = last;
	return top;
}

/* next[i]: where refs[i] is used again; never again: n + page (unique). */
static size_t *opt_next_uses(const struct sim_trace *t)
{
	size_t *next = malloc((t->n + 1) * sizeof(*next));
	size_t *seen = malloc((t->npages + 1) * sizeof(*seen));

	if (next && seen) {
		for (uint32_t p = 0; p < t->npages; p++)
			seen[p] = t->n + p;
		for (size_t i = t->n; i-- > 0;) {
			next[i] = seen[t->refs[i]];
			seen[t->refs[i]] = i;
		}
	}
	free(seen);
	if (!seen) {
		free(next);
		return NULL;
	}
	return next;
}

/*
 * The heap holds (next use, page) for every reference; an entry is stale
 * once its page was used again or evicted (due[page] differs).
 */
uint64_t sim_opt(uint32_t frames, const struct sim_trace *t)
{
	size_t *next = opt_next_uses(t), *due = calloc(t->npages + 1, sizeof(*due));
	struct opt_entry *heap = malloc((t->n + 1) * sizeof(*heap));
	bool *resident = calloc(t->npages + 1, sizeof(*resident));
	uint64_t faults = 0, nres = 0;
	size_t nheap = 0;

	if (!next || !due || !heap || !resident)
		panic("sim_opt: out of host memory");
	for (size_t i = 0; i < t->n; i++) {
		uint32_t p = t->refs[i];

		if (!resident[p]) {
			faults++;
			if (nres == frames) {
				struct opt_entry e;

				do
					e = heap_pop(heap, &nheap);
				while (!resident[e.page] || due[e.page] != e.next);
				resident[e.page] = false;
				nres--;
			}
			resident[p] = true;
			nres++;
		}
		due[p] = next[i];
		heap_push(heap, &nheap, (struct opt_entry){ next[i], p });
	}
	free(next);
	free(due);
	free(heap);
	free(resident);
	return faults;
}

/* ---- traces */

uint64_t sim_random(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

void sim_trace_free(struct sim_trace *t)
{
	free(t->refs);
	t->refs = NULL;
	t->n = 0;
	t->npages = 0;
}

static int trace_alloc(struct sim_trace *t, size_t n)
{
	t->refs = malloc((n ? n : 1) * sizeof(*t->refs));
	t->n = n;
	t->npages = 0;
	return t->refs ? 0 : -ENOMEM;
}

struct rename_slot {
	uint64_t page;
	uint32_t id;		/* id + 1; 0: empty */
};

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	return x ^ (x >> 33);
}

/* The dense id of page in an open-addressing table of size mask + 1. */
static uint32_t rename_page(struct rename_slot *tab, uint64_t mask,
			    uint64_t page, uint32_t *npages)
{
	uint64_t i = hash64(page) & mask;

	while (tab[i].id && tab[i].page != page)
		i = (i + 1) & mask;
	if (!tab[i].id) {
		tab[i].page = page;
		tab[i].id = ++*npages;
	}
	return tab[i].id - 1;
}

int sim_trace_from_pages(struct sim_trace *t, const uint64_t *pages, size_t n)
{
	uint64_t slots = 2;
	struct rename_slot *tab;

	while (slots < 2 * n)
		slots <<= 1;
	tab = calloc(slots, sizeof(*tab));
	if (!tab || trace_alloc(t, n)) {
		free(tab);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		t->refs[i] = rename_page(tab, slots - 1, pages[i], &t->npages);
	free(tab);
	return 0;
}

int sim_trace_hot_scan(struct sim_trace *t, uint32_t hot, uint32_t hot_refs,
		       uint32_t scan, uint32_t rounds, uint64_t seed)
{
	size_t k = 0;

	if (trace_alloc(t, (size_t)rounds * (hot_refs + scan)))
		return -ENOMEM;
	for (uint32_t r = 0; r < rounds; r++) {
		for (uint32_t i = 0; i < hot_refs; i++)
			t->refs[k++] = (uint32_t)(sim_random(&seed) % hot);
		for (uint32_t i = 0; i < scan; i++)
			t->refs[k++] = hot + i;
	}
	t->npages = hot + scan;
	return 0;
}

int sim_trace_hot_mix(struct sim_trace *t, uint32_t hot, uint32_t hot_percent,
		      uint32_t scan, size_t n, uint64_t seed)
{
	uint32_t next_scan = 0;

	if (trace_alloc(t, n))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (sim_random(&seed) % 100 < hot_percent) {
			t->refs[i] = (uint32_t)(sim_random(&seed) % hot);
		} else {
			t->refs[i] = hot + next_scan;
			next_scan = (next_scan + 1) % scan;
		}
	}
	t->npages = hot + scan;
	return 0;
}
