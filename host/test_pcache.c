/*
 * Host tests of the page cache (kernel/vm/pcache.c) on the real pmm and kmem
 * over 16 MiB of fake RAM: lookup, insert, remove and the bounded walk over
 * sparse and dense indices up to the top of the range, what each page's
 * descriptor says, release, the out-of-memory path, and a random run checked
 * against a plain model.
 *
 * Every test ends with a leak check: once its cache is released (or emptied
 * and its empty slab pages given back), the pmm has every frame it had when
 * the test began, so both the pages and the tree's nodes came back.
 */
#include "test.h"
#include "vm/kmem.h"
#include "vm/pcache.h"
#include "vm/pmm.h"
#include "vm/vobject.h"

#define RAM_BASE	0x80000000UL
#define RAM_SIZE	(16UL << 20)
#define TOP		(PCACHE_MAX_PAGES - 1)

static uint64_t frames_at_start;
static struct mutex lock;		/* the owner's lock */
static struct vobject owner;

/* The pmm, kmem and the node cache once per run; each test notes its frames. */
static void setup(struct pcache *pc, unsigned int flags)
{
	static bool ready;

	if (!ready) {
		struct pmm_range r = { RAM_BASE, RAM_SIZE };

		host_fake_ram(RAM_BASE, RAM_SIZE);
		if (pmm_init(&r, 1, NULL, 0) != 0)
			exit(2);
		kmem_init();
		pcache_init();
		mutex_init(&lock, "owner");
		ready = true;
	}
	host_cpu_id = 0;
	kmem_reclaim();
	frames_at_start = pmm_free_frames();
	memset(pc, 0, sizeof(*pc));
	pcache_setup(pc, &owner, &lock, flags);
	mutex_lock(&lock);
}

/* Every frame back, once kmem has given back its empty slab pages. */
static bool no_frame_leaked(void)
{
	kmem_reclaim();
	if (pmm_free_frames() != frames_at_start)
		printf("  %ld frames leaked\n",
		       (long)(frames_at_start - pmm_free_frames()));
	return pmm_free_frames() == frames_at_start && pmm_check() == 0;
}

/* The end of a test: release with the lock dropped, as a last user would. */
static void finish(struct pcache *pc)
{
	mutex_unlock(&lock);
	pcache_release(pc);
	CHECK_EQ(pcache_count(pc), 0);
	CHECK(no_frame_leaked());
}

/* A new page whose first word says idx, inserted at idx; NULL on failure. */
static struct page *put(struct pcache *pc, uint64_t idx)
{
	struct page *pg = pmm_alloc(0);

	if (!pg)
		return NULL;
	*(uint64_t *)page_to_virt(pg) = idx;
	if (pcache_insert(pc, idx, pg) != 0) {
		pmm_free(pg);
		return NULL;
	}
	return pg;
}

/* A walk that records what it visits. */
struct seen {
	uint64_t idx[64];
	int n;
	int stop_after;		/* return 7 after this many (0: never) */
	bool remove;		/* take each visited page out and free it */
	bool bad;		/* a page did not say its own index */
};

static int record(struct pcache *pc, uint64_t idx, struct page *pg, void *arg)
{
	struct seen *s = arg;

	if (pg->index != idx || *(uint64_t *)page_to_virt(pg) != idx)
		s->bad = true;
	if (s->n < (int)ARRAY_SIZE(s->idx))
		s->idx[s->n] = idx;
	s->n++;
	if (s->remove) {
		if (pcache_remove(pc, idx) != pg)
			s->bad = true;
		page_put(pg);
	}
	return s->stop_after && s->n == s->stop_after ? 7 : 0;
}

static const uint64_t sparse[] = {
	0, 1, 63, 64, 65, 4095, 4096, 262143, 262144, 1UL << 24,
	(1UL << 24) + 1, TOP - 64, TOP - 1, TOP,
};

/* ------------------------------------------------------------ basics */

TEST(empty_cache_holds_nothing)
{
	struct pcache pc;
	struct seen s = { 0 };

	setup(&pc, 0);
	CHECK(pcache_lookup(&pc, 0) == NULL);
	CHECK(pcache_lookup(&pc, TOP) == NULL);
	CHECK(pcache_lookup(&pc, PCACHE_MAX_PAGES) == NULL);
	CHECK(pcache_lookup(&pc, UINT64_MAX) == NULL);
	CHECK(pcache_remove(&pc, 5) == NULL);
	CHECK(pcache_remove(&pc, UINT64_MAX) == NULL);
	CHECK_EQ(pcache_foreach_range(&pc, 0, UINT64_MAX, record, &s), 0);
	CHECK_EQ(s.n, 0);
	CHECK_EQ(pcache_count(&pc), 0);
	finish(&pc);
}

/* The descriptor names the cache's owner, the index, and the kind of page. */
TEST(insert_makes_the_page_the_caches_own)
{
	struct pcache file, shm;
	struct page *a, *b;

	setup(&file, 0);
	a = put(&file, 7);
	CHECK(a != NULL);
	CHECK(a->state == PAGE_FILE && a->owner == &owner && a->index == 7);
	CHECK(!(a->flags & PG_SWAPBACKED));
	CHECK_EQ(a->refcount, 1);
	CHECK(pcache_lookup(&file, 7) == a);
	CHECK_EQ(pcache_count(&file), 1);
	mutex_unlock(&lock);

	/* a swap-backed cache marks its pages so */
	memset(&shm, 0, sizeof(shm));
	pcache_setup(&shm, &owner, &lock, PCACHE_SWAPBACKED);
	mutex_lock(&lock);
	b = put(&shm, TOP);
	CHECK(b && b->state == PAGE_FILE && b->index == TOP);
	CHECK(b->flags & PG_SWAPBACKED);

	/* removal hands the reference back: no owner, no cache flag */
	CHECK(pcache_remove(&shm, TOP) == b);
	CHECK(b->owner == NULL && !(b->flags & PG_SWAPBACKED));
	CHECK_EQ(b->refcount, 1);
	CHECK_EQ(pcache_count(&shm), 0);
	CHECK(pcache_lookup(&shm, TOP) == NULL);
	CHECK(pcache_remove(&shm, TOP) == NULL);
	page_put(b);
	CHECK(b->state == PAGE_FREE);
	finish(&file);
}

TEST(insert_refuses_a_taken_slot_and_the_end_of_the_range)
{
	struct pcache pc;
	struct page *a, *b;

	setup(&pc, PCACHE_SWAPBACKED);
	b = pmm_alloc(0);
	a = put(&pc, 3);
	CHECK(b != NULL);
	CHECK_EQ(pcache_insert(&pc, 3, b), -EEXIST);
	CHECK_EQ(pcache_insert(&pc, PCACHE_MAX_PAGES, b), -EINVAL);
	CHECK_EQ(pcache_insert(&pc, UINT64_MAX, b), -EINVAL);
	/* b is untouched and still the caller's */
	CHECK(b->state == PAGE_KERNEL && b->owner == NULL && b->flags == 0);
	CHECK(pcache_lookup(&pc, 3) == a);
	CHECK_EQ(pcache_count(&pc), 1);
	pmm_free(b);
	finish(&pc);
}

/* Using the cache without its owner's lock is a broken contract. */
TEST(cache_calls_without_the_owners_lock_panic)
{
	struct pcache pc;

	setup(&pc, 0);
	mutex_unlock(&lock);
	EXPECT_PANIC(pcache_lookup(&pc, 0));
	CHECK(strstr(host_panic_msg, "mutex_held") != NULL);
	EXPECT_PANIC(pcache_remove(&pc, 0));
	mutex_lock(&lock);
	finish(&pc);
}

/* ------------------------------------------------------------ shapes */

TEST(sparse_indices_up_to_the_top_are_found_and_walked_in_order)
{
	struct pcache pc;
	struct page *pg[ARRAY_SIZE(sparse)];
	struct seen s = { 0 };

	setup(&pc, 0);
	for (size_t i = 0; i < ARRAY_SIZE(sparse); i++) {
		pg[i] = put(&pc, sparse[i]);
		CHECK(pg[i] != NULL);
	}
	CHECK_EQ(pcache_count(&pc), ARRAY_SIZE(sparse));
	for (size_t i = 0; i < ARRAY_SIZE(sparse); i++) {
		CHECK(pcache_lookup(&pc, sparse[i]) == pg[i]);
		if (sparse[i] > 0 && (i == 0 || sparse[i - 1] != sparse[i] - 1))
			CHECK(pcache_lookup(&pc, sparse[i] - 1) == NULL);
	}
	CHECK(pcache_lookup(&pc, 2) == NULL);
	CHECK(pcache_lookup(&pc, 1UL << 20) == NULL);

	CHECK_EQ(pcache_foreach_range(&pc, 0, UINT64_MAX, record, &s), 0);
	CHECK_EQ(s.n, ARRAY_SIZE(sparse));
	for (size_t i = 0; i < ARRAY_SIZE(sparse); i++)
		CHECK_EQ(s.idx[i], sparse[i]);
	CHECK(!s.bad);

	/* the bounds: from is included, to is not */
	memset(&s, 0, sizeof(s));
	pcache_foreach_range(&pc, 64, 4096, record, &s);
	CHECK_EQ(s.n, 3);
	CHECK(s.idx[0] == 64 && s.idx[1] == 65 && s.idx[2] == 4095);
	memset(&s, 0, sizeof(s));
	pcache_foreach_range(&pc, TOP, PCACHE_MAX_PAGES, record, &s);
	CHECK(s.n == 1 && s.idx[0] == TOP);
	memset(&s, 0, sizeof(s));
	pcache_foreach_range(&pc, 66, 4095, record, &s);
	CHECK_EQ(s.n, 0);
	memset(&s, 0, sizeof(s));
	pcache_foreach_range(&pc, 10, 10, record, &s);
	CHECK_EQ(s.n, 0);

	/* out in another order; the nodes go with the pages */
	for (size_t i = 0; i < ARRAY_SIZE(sparse); i += 2)
		CHECK(pcache_remove(&pc, sparse[i]) == pg[i]);
	for (size_t i = 1; i < ARRAY_SIZE(sparse); i += 2)
		CHECK(pcache_remove(&pc, sparse[i]) == pg[i]);
	for (size_t i = 0; i < ARRAY_SIZE(sparse); i++)
		page_put(pg[i]);
	CHECK_EQ(pcache_count(&pc), 0);
	CHECK(pc.root == NULL);
	CHECK(no_frame_leaked());
	finish(&pc);
}

/* A dense file of 3000 pages, walked in windows and thinned by a walk. */
TEST(dense_indices_walk_in_windows_and_remove_while_walking)
{
	struct pcache pc;
	struct seen s = { 0 };
	const uint64_t n = 3000;

	setup(&pc, 0);
	for (uint64_t i = 0; i < n; i++)
		CHECK(put(&pc, i) != NULL);
	CHECK_EQ(pcache_count(&pc), n);
	for (uint64_t i = 0; i < n; i += 97)
		CHECK(pcache_lookup(&pc, i) && pcache_lookup(&pc, i)->index == i);
	CHECK(pcache_lookup(&pc, n) == NULL);

	pcache_foreach_range(&pc, 0, UINT64_MAX, record, &s);
	CHECK_EQ(s.n, n);
	memset(&s, 0, sizeof(s));
	pcache_foreach_range(&pc, 100, 164, record, &s);
	CHECK_EQ(s.n, 64);
	CHECK(s.idx[0] == 100 && s.idx[63] == 163);
	CHECK(!s.bad);

	/* a walk that stops early says so */
	memset(&s, 0, sizeof(s));
	s.stop_after = 5;
	CHECK_EQ(pcache_foreach_range(&pc, 10, n, record, &s), 7);
	CHECK(s.n == 5 && s.idx[4] == 14);

	/* remove [1000, 2000) from inside the walk */
	memset(&s, 0, sizeof(s));
	s.remove = true;
	CHECK_EQ(pcache_foreach_range(&pc, 1000, 2000, record, &s), 0);
	CHECK_EQ(s.n, 1000);
	CHECK(!s.bad);
	CHECK_EQ(pcache_count(&pc), n - 1000);
	CHECK(pcache_lookup(&pc, 999) != NULL);
	CHECK(pcache_lookup(&pc, 1000) == NULL);
	CHECK(pcache_lookup(&pc, 1999) == NULL);
	CHECK(pcache_lookup(&pc, 2000) != NULL);

	/* and the rest, which empties the tree */
	memset(&s, 0, sizeof(s));
	s.remove = true;
	pcache_foreach_range(&pc, 0, UINT64_MAX, record, &s);
	CHECK_EQ(s.n, n - 1000);
	CHECK_EQ(pcache_count(&pc), 0);
	CHECK(pc.root == NULL);
	finish(&pc);
}

/* The tree grows to reach a high index and shrinks back when it goes. */
TEST(tree_grows_for_high_indices_and_shrinks_back)
{
	struct pcache pc;
	struct page *low, *high;

	setup(&pc, 0);
	low = put(&pc, 5);
	CHECK_EQ(pc.height, 1);
	high = put(&pc, TOP);
	CHECK_EQ(pc.height, 5);
	CHECK(pcache_lookup(&pc, 5) == low);
	CHECK(pcache_remove(&pc, TOP) == high);
	CHECK_EQ(pc.height, 1);
	CHECK(pcache_lookup(&pc, 5) == low);
	page_put(high);
	finish(&pc);
}

/* ------------------------------------------------------------ release */

/*
 * Release drops the cache's reference on every page: a page nobody else
 * holds is freed; one somebody holds lives on, no longer owned.
 */
TEST(release_drops_every_reference_and_the_frames_come_back)
{
	struct pcache pc;
	struct page *held;

	setup(&pc, PCACHE_SWAPBACKED);
	for (uint64_t i = 0; i < 200; i++)
		CHECK(put(&pc, i * 1000) != NULL);
	for (size_t i = 0; i < ARRAY_SIZE(sparse); i++)
		if (!pcache_lookup(&pc, sparse[i]))
			CHECK(put(&pc, sparse[i]) != NULL);
	held = pcache_lookup(&pc, 4000);
	page_ref_inc(held);		/* somebody still uses it */
	CHECK(pmm_free_frames() < frames_at_start - 200);
	pcache_release(&pc);
	CHECK_EQ(pcache_count(&pc), 0);
	CHECK(pc.root == NULL);
	CHECK_EQ(held->refcount, 1);
	CHECK(held->state == PAGE_FILE && held->owner == NULL);
	CHECK(!(held->flags & PG_SWAPBACKED));
	page_put(held);

	/* the cache can be used again after a release */
	CHECK(put(&pc, 9) != NULL);
	finish(&pc);
}

/* ------------------------------------------------------------ no memory */

/*
 * With every frame taken, an insert that needs new nodes fails with ENOMEM
 * and leaves the cache as it was (no empty node left behind: the leak check
 * after release would see it).
 */
TEST(a_write_out_mark_stays_only_while_nobody_finds_the_page)
{
	struct pcache pc;
	struct page *a, *b, *c;
	struct seen s = { 0 };

	setup(&pc, PCACHE_SWAPBACKED);
	a = put(&pc, 3);
	b = put(&pc, 70);
	c = put(&pc, 4000);
	CHECK(a && b && c);
	pcache_writeback_begin(&pc, 3, a);
	pcache_writeback_begin(&pc, 70, b);
	pcache_writeback_begin(&pc, 4000, c);
	/* nobody looked: the mark is there, once */
	CHECK(pcache_writeback_end(&pc, 3, a));
	CHECK(!pcache_writeback_end(&pc, 3, a));
	/* a lookup hands out the page itself and clears the mark */
	CHECK(pcache_lookup(&pc, 70) == b);
	CHECK(!pcache_writeback_end(&pc, 70, b));
	/* so does a walk, which sees every page as it is */
	pcache_foreach_range(&pc, 0, PCACHE_MAX_PAGES, record, &s);
	CHECK_EQ(s.n, 3);
	CHECK(!s.bad);
	CHECK(!pcache_writeback_end(&pc, 4000, c));
	/* a marked page leaves whole; one gone has no mark to find */
	pcache_writeback_begin(&pc, 3, a);
	CHECK(pcache_remove(&pc, 3) == a);
	CHECK(a->owner == NULL);
	page_put(a);
	CHECK(!pcache_writeback_end(&pc, 3, a));
	CHECK_EQ(pcache_count(&pc), 2);
	pcache_writeback_begin(&pc, 70, b);	/* release copes with a mark */
	finish(&pc);
}

TEST(insert_without_memory_fails_and_leaves_the_cache_whole)
{
	struct pcache pc;
	struct page *hoard = NULL, *p, *mine[64];
	int fails = 0, done = 1;

	setup(&pc, 0);
	for (int i = 0; i < 64; i++)
		mine[i] = pmm_alloc(0);
	CHECK(put(&pc, 0) != NULL);
	while ((p = pmm_alloc(0)) != NULL) {	/* take every free frame */
		p->priv = hoard;
		hoard = p;
	}
	/* far-apart indices need new nodes; the slab runs dry on the way */
	for (int i = 0; i < 64 && fails < 3; i++) {
		uint64_t idx = TOP - (uint64_t)i * 2000003;
		int err = pcache_insert(&pc, idx, mine[i]);

		if (err == 0) {
			mine[i] = NULL;
			done++;
		} else {
			CHECK_EQ(err, -ENOMEM);
			CHECK(pcache_lookup(&pc, idx) == NULL);
			CHECK(mine[i]->state == PAGE_KERNEL && mine[i]->owner == NULL);
			fails++;
		}
		CHECK_EQ(pcache_count(&pc), done);
	}
	CHECK(fails > 0);
	CHECK(pcache_lookup(&pc, 0) != NULL);
	while (hoard) {
		p = hoard;
		hoard = p->priv;
		p->priv = NULL;
		pmm_free(p);
	}
	for (int i = 0; i < 64; i++)
		if (mine[i])
			pmm_free(mine[i]);
	finish(&pc);
}

/* ------------------------------------------------------------ model */

static uint64_t rng_state;
static uint64_t rng(void)
{
	return test_xorshift(&rng_state);
}

#define MODEL_KEYS	600

/* The model: which of a fixed set of indices hold which page. */
static uint64_t keys[MODEL_KEYS];
static struct page *model[MODEL_KEYS];

static int key_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Indices: a dense run from 0, a run around a node boundary, random ones, the top. */
static void make_keys(void)
{
	int n = 0;

	for (uint64_t i = 0; i < 200; i++)
		keys[n++] = i;
	for (uint64_t i = 0; i < 100; i++)
		keys[n++] = 262100 + i;
	keys[n++] = TOP;
	keys[n++] = TOP - 1;
	while (n < MODEL_KEYS) {
		uint64_t k = rng() % PCACHE_MAX_PAGES;
		bool dup = false;

		for (int j = 0; j < n && !dup; j++)
			dup = keys[j] == k;
		if (!dup)
			keys[n++] = k;
	}
	qsort(keys, MODEL_KEYS, sizeof(keys[0]), key_cmp);
}

/* A walk compared with the model as it goes. */
struct model_walk {
	int next;		/* the key the walk should visit next */
	uint64_t to;
	bool bad;
};

static int model_visit(struct pcache *pc, uint64_t idx, struct page *pg,
		       void *arg)
{
	struct model_walk *w = arg;

	while (w->next < MODEL_KEYS && !model[w->next])
		w->next++;
	if (idx >= w->to || w->next == MODEL_KEYS || keys[w->next] != idx ||
	    model[w->next] != pg)
		w->bad = true;
	w->next++;
	return 0;
}

/* Does a walk of [keys[a], to) see exactly the model's pages there? */
static bool model_walk_agrees(struct pcache *pc, int a, uint64_t to)
{
	struct model_walk w = { .next = a, .to = to };

	pcache_foreach_range(pc, keys[a], to, model_visit, &w);
	while (w.next < MODEL_KEYS && keys[w.next] < to && !model[w.next])
		w.next++;
	return !w.bad && (w.next == MODEL_KEYS || keys[w.next] >= to);
}

static uint64_t model_count(void)
{
	uint64_t n = 0;

	for (int i = 0; i < MODEL_KEYS; i++)
		n += model[i] != NULL;
	return n;
}

/* 200,000 random inserts, removals, lookups and walks against the model. */
TEST(random_operations_agree_with_a_model)
{
	struct pcache pc;
	uint64_t held = 0;
	int bad = 0, fails_at = 0;

	setup(&pc, PCACHE_SWAPBACKED);
	rng_state = 0x5eed1234abcdULL;
	make_keys();
	memset(model, 0, sizeof(model));
	for (int op = 0; op < 200000 && bad < 5; op++) {
		int k = rng() % MODEL_KEYS;
		struct page *pg;

		switch (rng() % 8) {
		case 0: case 1: case 2:		/* insert */
			pg = pmm_alloc(0);
			if (!pg) {
				bad++;
				break;
			}
			*(uint64_t *)page_to_virt(pg) = keys[k];
			if (pcache_insert(&pc, keys[k], pg) != (model[k] ? -EEXIST : 0))
				bad++;
			if (model[k]) {
				pmm_free(pg);
			} else {
				model[k] = pg;
				held++;
			}
			break;
		case 3: case 4:			/* remove */
			pg = pcache_remove(&pc, keys[k]);
			if (pg != model[k])
				bad++;
			if (pg) {
				page_put(pg);
				held--;
			}
			model[k] = NULL;
			break;
		case 5: case 6:			/* lookup */
			if (pcache_lookup(&pc, keys[k]) != model[k])
				bad++;
			if (model[k] && (model[k]->index != keys[k] ||
					 !(model[k]->flags & PG_SWAPBACKED)))
				bad++;
			break;
		default: {			/* a walk from a key */
			int span = rng() % 3 ? rng() % 40 : MODEL_KEYS;
			uint64_t to = k + span < MODEL_KEYS ? keys[k + span] :
				      PCACHE_MAX_PAGES;

			if (!model_walk_agrees(&pc, k, to))
				bad++;
			break;
		}
		}
		if (pcache_count(&pc) != held)
			bad++;
		if (bad && !fails_at)
			fails_at = op + 1;
	}
	if (fails_at)
		printf("  diverged at operation %d\n", fails_at - 1);
	CHECK_EQ(bad, 0);
	CHECK_EQ(held, model_count());
	CHECK(model_walk_agrees(&pc, 0, UINT64_MAX));
	finish(&pc);
}
