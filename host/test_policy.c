/*
 * Replacement policies (kernel/vm/policy*.c) against reference models.
 *
 * Each policy is driven through the reclaim simulator (host/policy_sim.c)
 * and compared with a model written here from the textbook definition:
 * FIFO and LRU exactly (fault count and the order of evictions), CLOCK
 * against an array-and-hand second-chance model, OPT (Belady's MIN) as the
 * lower bound nothing may beat. Belady's anomaly shows for FIFO, and on a
 * hot set with a loop over more than memory the scan-resistant S3-FIFO
 * faults less than LRU and CLOCK.
 */
#include "test.h"
#include "policy_sim.h"
#include "vm/policy.h"

#define MAX_FRAMES	64
#define NO_PAGE		UINT32_MAX

/* A model's result: faults, and the pages evicted in order. */
struct model {
	uint64_t faults;
	size_t nevicted;
	uint32_t *evicted;
};

static void model_start(struct model *m, const struct sim_trace *t)
{
	m->faults = 0;
	m->nevicted = 0;
	m->evicted = calloc(t->n + 1, sizeof(*m->evicted));
}

static bool model_resident(const uint32_t *frame, uint32_t nframes,
			   uint32_t page, uint32_t *at)
{
	for (uint32_t i = 0; i < nframes; i++)
		if (frame[i] == page) {
			*at = i;
			return true;
		}
	return false;
}

/* FIFO: frames filled in order, then replaced round-robin. */
static void model_fifo(struct model *m, const struct sim_trace *t, uint32_t nframes)
{
	uint32_t frame[MAX_FRAMES], next = 0, at;

	model_start(m, t);
	for (uint32_t i = 0; i < nframes; i++)
		frame[i] = NO_PAGE;
	for (size_t i = 0; i < t->n; i++) {
		if (model_resident(frame, nframes, t->refs[i], &at))
			continue;
		m->faults++;
		if (frame[next] != NO_PAGE)
			m->evicted[m->nevicted++] = frame[next];
		frame[next] = t->refs[i];
		next = (next + 1) % nframes;
	}
}

/* LRU: each frame remembers when its page was last used. */
static uint32_t lru_model_victim(const uint32_t *frame, const size_t *last,
				 uint32_t nframes)
{
	uint32_t at = 0;

	for (uint32_t f = 0; f < nframes; f++) {
		if (frame[f] == NO_PAGE)
			return f;
		if (last[f] < last[at])
			at = f;
	}
	return at;
}

static void model_lru(struct model *m, const struct sim_trace *t, uint32_t nframes)
{
	uint32_t frame[MAX_FRAMES], at;
	size_t last[MAX_FRAMES];

	model_start(m, t);
	for (uint32_t i = 0; i < nframes; i++)
		frame[i] = NO_PAGE;
	for (size_t i = 0; i < t->n; i++) {
		if (!model_resident(frame, nframes, t->refs[i], &at)) {
			m->faults++;
			at = lru_model_victim(frame, last, nframes);
			if (frame[at] != NO_PAGE)
				m->evicted[m->nevicted++] = frame[at];
			frame[at] = t->refs[i];
		}
		last[at] = i;
	}
}

/*
 * CLOCK: frames in a circle with a use bit each and a hand. A hit sets the
 * bit. A fault fills the next empty frame; when none is empty, the hand
 * clears set bits until it finds a clear one, replaces that page, sets its
 * bit (the faulting access) and moves one past it.
 */
static void model_clock(struct model *m, const struct sim_trace *t, uint32_t nframes)
{
	uint32_t frame[MAX_FRAMES], used = 0, hand = 0, at;
	bool bit[MAX_FRAMES];

	model_start(m, t);
	for (size_t i = 0; i < t->n; i++) {
		if (model_resident(frame, used, t->refs[i], &at)) {
			bit[at] = true;
			continue;
		}
		m->faults++;
		if (used < nframes) {
			frame[used] = t->refs[i];
			bit[used++] = true;
			continue;
		}
		while (bit[hand]) {
			bit[hand] = false;
			hand = (hand + 1) % nframes;
		}
		m->evicted[m->nevicted++] = frame[hand];
		frame[hand] = t->refs[i];
		bit[hand] = true;
		hand = (hand + 1) % nframes;
	}
}

/* OPT: on a fault, evict the page whose next use is furthest (or never). */
static uint64_t model_opt(const struct sim_trace *t, uint32_t nframes)
{
	uint32_t frame[MAX_FRAMES], used = 0, at;
	uint64_t faults = 0;

	for (size_t i = 0; i < t->n; i++) {
		if (model_resident(frame, used, t->refs[i], &at))
			continue;
		faults++;
		if (used < nframes) {
			frame[used++] = t->refs[i];
			continue;
		}
		size_t furthest = 0;

		for (uint32_t f = 0; f < nframes; f++) {
			size_t j = i + 1;

			while (j < t->n && t->refs[j] != frame[f])
				j++;
			if (j >= furthest) {
				furthest = j;
				at = f;
			}
		}
		frame[at] = t->refs[i];
	}
	return faults;
}

static void trace_of(struct sim_trace *t, const uint64_t *pages, size_t n)
{
	if (sim_trace_from_pages(t, pages, n))
		exit(2);
}

/* A random string over npages pages with some locality. */
static void random_trace(struct sim_trace *t, size_t n, uint32_t npages, uint64_t seed)
{
	uint64_t *pages = malloc(n * sizeof(*pages)), cur = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t r = sim_random(&seed);

		cur = r % 4 ? (cur + r % 5) % npages : (r >> 8) % npages;
		pages[i] = cur;
	}
	trace_of(t, pages, n);
	free(pages);
}

static struct sim_run run(const struct vm_policy_ops *ops, uint32_t frames,
			  const struct sim_trace *t)
{
	struct sim_run r = { .ops = ops, .frames = frames, .check = true };

	r.evicted = calloc(t->n + 1, sizeof(*r.evicted));
	if (sim_run(&r, t))
		exit(2);
	return r;
}

static bool same_evictions(const struct sim_run *r, const struct model *m)
{
	return r->nevicted == m->nevicted &&
	       memcmp(r->evicted, m->evicted, m->nevicted * sizeof(uint32_t)) == 0;
}

typedef void (*model_fn)(struct model *, const struct sim_trace *, uint32_t);

/* ops and model agree on faults and evictions over many random strings. */
static void check_against_model(const struct vm_policy_ops *ops, model_fn model)
{
	static const uint32_t frames[] = { 1, 2, 3, 4, 7, 16, 33 };

	for (uint64_t seed = 1; seed <= 6; seed++) {
		for (size_t k = 0; k < ARRAY_SIZE(frames); k++) {
			struct sim_trace t;
			struct model m;
			struct sim_run r;

			random_trace(&t, 2000, 12 + 8 * (uint32_t)seed, seed);
			model(&m, &t, frames[k]);
			r = run(ops, frames[k], &t);
			CHECK_EQ(r.faults, m.faults);
			CHECK(same_evictions(&r, &m));
			free(r.evicted);
			free(m.evicted);
			sim_trace_free(&t);
		}
	}
}

TEST(fifo_matches_the_model_exactly)
{
	check_against_model(&vm_policy_fifo, model_fifo);
}

TEST(lru_matches_the_model_exactly)
{
	check_against_model(&vm_policy_lru, model_lru);
}

TEST(clock_matches_the_second_chance_model)
{
	check_against_model(&vm_policy_clock, model_clock);
}

static const uint64_t belady_string[] = { 1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5 };

static uint64_t faults_of(const struct vm_policy_ops *ops, uint32_t frames,
			  const uint64_t *pages, size_t n)
{
	struct sim_trace t;
	struct sim_run r;

	trace_of(&t, pages, n);
	r = run(ops, frames, &t);
	free(r.evicted);
	sim_trace_free(&t);
	return r.faults;
}

TEST(fifo_shows_beladys_anomaly)
{
	size_t n = ARRAY_SIZE(belady_string);

	CHECK_EQ(faults_of(&vm_policy_fifo, 3, belady_string, n), 9);
	CHECK_EQ(faults_of(&vm_policy_fifo, 4, belady_string, n), 10);
}

TEST(lru_is_a_stack_algorithm_more_frames_never_hurt)
{
	size_t n = ARRAY_SIZE(belady_string);

	CHECK_EQ(faults_of(&vm_policy_lru, 3, belady_string, n), 10);
	CHECK_EQ(faults_of(&vm_policy_lru, 4, belady_string, n), 8);
	for (uint64_t seed = 1; seed <= 4; seed++) {
		struct sim_trace t;
		uint64_t before = UINT64_MAX;

		random_trace(&t, 1500, 40, seed);
		for (uint32_t f = 1; f <= 40; f++) {
			struct sim_run r = run(&vm_policy_lru, f, &t);

			CHECK(r.faults <= before);
			before = r.faults;
			free(r.evicted);
		}
		sim_trace_free(&t);
	}
}

TEST(opt_is_beladys_min)
{
	struct sim_trace t;

	trace_of(&t, belady_string, ARRAY_SIZE(belady_string));
	CHECK_EQ(model_opt(&t, 3), 7);
	CHECK_EQ(model_opt(&t, 4), 6);
	CHECK_EQ(sim_opt(3, &t), 7);
	CHECK_EQ(sim_opt(4, &t), 6);
	sim_trace_free(&t);
	for (uint64_t seed = 1; seed <= 5; seed++) {
		random_trace(&t, 3000, 50, seed);
		for (uint32_t f = 1; f <= 50; f += 7)
			CHECK_EQ(sim_opt(f, &t), model_opt(&t, f));
		sim_trace_free(&t);
	}
}

TEST(no_policy_beats_opt)
{
	for (uint64_t seed = 1; seed <= 5; seed++) {
		struct sim_trace t;

		random_trace(&t, 3000, 60, seed);
		for (uint32_t f = 2; f <= 48; f += 9) {
			uint64_t opt = sim_opt(f, &t);

			for (unsigned int i = 0; vm_policy_nth(i); i++) {
				struct sim_run r = run(vm_policy_nth(i), f, &t);

				CHECK(r.faults >= opt);
				CHECK(r.faults >= t.npages);	/* cold misses */
				free(r.evicted);
			}
		}
		sim_trace_free(&t);
	}
}

static uint64_t faults_on(const struct vm_policy_ops *ops, uint32_t frames,
			  const struct sim_trace *t)
{
	struct sim_run r = { .ops = ops, .frames = frames };

	if (sim_run(&r, t))
		exit(2);
	return r.faults;
}

/* The workload of `make sim`: hot quarter of memory, loop over 1.5x it. */
TEST(s3fifo_beats_lru_and_clock_on_a_hot_set_with_a_scan)
{
	const uint32_t frames = 64, hot = frames / 4, scan = frames * 3 / 2;
	struct sim_trace t;

	for (uint64_t seed = 1; seed <= 3; seed++) {
		sim_trace_hot_scan(&t, hot, 4 * hot, scan, 20, seed);
		uint64_t opt = sim_opt(frames, &t);
		uint64_t s3 = faults_on(&vm_policy_s3fifo, frames, &t);
		uint64_t lru = faults_on(&vm_policy_lru, frames, &t);
		uint64_t clock = faults_on(&vm_policy_clock, frames, &t);

		CHECK(s3 < lru);
		CHECK(s3 < clock);
		CHECK(opt <= s3 && opt <= lru && opt <= clock);
		CHECK(opt <= faults_on(&vm_policy_fifo, frames, &t));
		sim_trace_free(&t);

		sim_trace_hot_mix(&t, hot, 50, scan, 40 * frames, seed);
		CHECK(faults_on(&vm_policy_s3fifo, frames, &t) <
		      faults_on(&vm_policy_lru, frames, &t));
		CHECK(faults_on(&vm_policy_s3fifo, frames, &t) <
		      faults_on(&vm_policy_clock, frames, &t));
		sim_trace_free(&t);
	}
}

/*
 * Ten hot pages used a few times, then 200 pages each used once (a file read
 * through), then the hot pages again: S3-FIFO kept them, LRU and CLOCK lost
 * them all to the scan. One may be lost: the uses of the last page brought
 * in before the scan cannot be told from the access that brought it in (it
 * is "fresh" until the next fault; see policy_s3fifo.c).
 */
TEST(s3fifo_keeps_the_hot_set_through_a_one_time_scan)
{
	const uint32_t frames = 20;
	uint64_t pages[10 * 5 + 200 + 10];
	size_t n = 0;
	struct sim_trace t;
	uint64_t base;

	for (int round = 0; round < 5; round++)
		for (int p = 0; p < 10; p++)
			pages[n++] = p;
	for (int p = 0; p < 200; p++)
		pages[n++] = 1000 + p;
	trace_of(&t, pages, n);
	base = faults_on(&vm_policy_s3fifo, frames, &t);
	CHECK_EQ(base, 210);
	CHECK_EQ(faults_on(&vm_policy_lru, frames, &t), 210);
	sim_trace_free(&t);
	for (int p = 0; p < 10; p++)
		pages[n++] = p;
	trace_of(&t, pages, n);
	CHECK(faults_on(&vm_policy_s3fifo, frames, &t) <= base + 1);
	CHECK_EQ(faults_on(&vm_policy_lru, frames, &t), 220);
	CHECK_EQ(faults_on(&vm_policy_clock, frames, &t), 220);
	sim_trace_free(&t);
}

/* ---- the interface itself, driven by hand */

static bool used_bit(struct page *pg, void *ctx)
{
	bool used = pg->flags & PG_REFERENCED;

	pg->flags &= (uint16_t)~PG_REFERENCED;
	return used;
}

static bool always_used(struct page *pg, void *ctx)
{
	return true;
}

struct bench {
	struct vm_policy pol;
	struct page pages[8];
	void *state;
};

static void bench_start(struct bench *b, const struct vm_policy_ops *ops,
			uint32_t frames, bool (*hook)(struct page *, void *))
{
	struct vm_policy_hooks hooks = { .test_and_clear_referenced = hook };

	memset(b->pages, 0, sizeof(b->pages));
	for (size_t i = 0; i < ARRAY_SIZE(b->pages); i++) {
		b->pages[i].owner = b;
		b->pages[i].index = i;
	}
	b->state = malloc(vm_policy_state_size(ops, frames) + 1);
	CHECK_EQ(vm_policy_init(&b->pol, ops, frames, &hooks, b->state), 0);
}

static void bench_end(struct bench *b)
{
	vm_policy_destroy(&b->pol);
	for (size_t i = 0; i < ARRAY_SIZE(b->pages); i++)
		CHECK(!(b->pages[i].flags & (PG_ONPOLICY | PG_POLICY_MASK)));
	free(b->state);
}

TEST(policies_are_found_by_name_and_chosen_at_boot)
{
	CHECK(vm_policy_find("clock") == &vm_policy_clock);
	CHECK(vm_policy_find("fifo") == &vm_policy_fifo);
	CHECK(vm_policy_find("lru") == &vm_policy_lru);
	CHECK(vm_policy_find("s3fifo") == &vm_policy_s3fifo);
	CHECK(vm_policy_find("CLOCK") == NULL);
	CHECK(vm_policy_find("") == NULL);
	CHECK(vm_policy_find(NULL) == NULL);
	CHECK(vm_policy_default == &vm_policy_clock);
	CHECK(vm_policy_chosen() == &vm_policy_clock);
	CHECK(vm_policy_choose("s3fifo") == &vm_policy_s3fifo);
	CHECK(vm_policy_chosen() == &vm_policy_s3fifo);
	CHECK(vm_policy_choose("no-such") == &vm_policy_clock);
	CHECK(vm_policy_choose("") == &vm_policy_clock);
	CHECK(vm_policy_choose(NULL) == &vm_policy_clock);
	CHECK(vm_policy_nth(4) == NULL);
}

TEST(init_refuses_no_frames_and_missing_state)
{
	struct vm_policy pol;

	CHECK_EQ(vm_policy_init(&pol, &vm_policy_clock, 0, NULL, NULL), -EINVAL);
	CHECK_EQ(vm_policy_init(&pol, &vm_policy_s3fifo, 8, NULL, NULL), -EINVAL);
}

static void check_misuse(const struct vm_policy_ops *ops)
{
	static struct bench b;		/* static: kept across the longjmps */

	bench_start(&b, ops, 2, used_bit);
	CHECK(vm_policy_select_victim(&b.pol) == NULL);
	EXPECT_PANIC(vm_policy_remove(&b.pol, &b.pages[0]));
	CHECK(strstr(host_panic_msg, "on no policy") != NULL);
	vm_policy_insert(&b.pol, &b.pages[0]);
	EXPECT_PANIC(vm_policy_insert(&b.pol, &b.pages[0]));
	CHECK(strstr(host_panic_msg, "on a policy already") != NULL);
	vm_policy_insert(&b.pol, &b.pages[1]);
	EXPECT_PANIC(vm_policy_insert(&b.pol, &b.pages[2]));
	CHECK(strstr(host_panic_msg, "maximum") != NULL);
	CHECK_EQ(b.pol.nr_pages, 2);
	vm_policy_check(&b.pol);
	bench_end(&b);
}

TEST(misuse_panics)
{
	for (unsigned int i = 0; vm_policy_nth(i); i++)
		check_misuse(vm_policy_nth(i));
}

/* A victim the caller keeps is not returned again before the others. */
TEST(a_kept_victim_is_not_chosen_again_at_once)
{
	for (unsigned int i = 0; vm_policy_nth(i); i++) {
		struct bench b;
		struct page *first, *second;

		bench_start(&b, vm_policy_nth(i), 4, used_bit);
		for (int p = 0; p < 4; p++)
			vm_policy_insert(&b.pol, &b.pages[p]);
		first = vm_policy_select_victim(&b.pol);
		second = vm_policy_select_victim(&b.pol);
		CHECK(first && second && first != second);
		vm_policy_remove(&b.pol, second);
		CHECK_EQ(b.pol.nr_pages, 3);
		vm_policy_check(&b.pol);
		bench_end(&b);
	}
}

/* Pages used all the time (other harts) cannot make a scan endless. */
TEST(select_victim_is_bounded_when_every_page_stays_used)
{
	for (unsigned int i = 0; vm_policy_nth(i); i++) {
		struct bench b;

		bench_start(&b, vm_policy_nth(i), 8, always_used);
		for (int p = 0; p < 8; p++)
			vm_policy_insert(&b.pol, &b.pages[p]);
		for (int k = 0; k < 20; k++)
			CHECK(vm_policy_select_victim(&b.pol) != NULL);
		CHECK(b.pol.stats.scanned < 20 * 8 * 5 + 1);
		vm_policy_check(&b.pol);
		bench_end(&b);
	}
}

/* Without the access hook, LRU orders pages by the scans that saw them used. */
TEST(lru_learns_from_referenced_bits_without_the_access_hook)
{
	struct bench b;

	bench_start(&b, &vm_policy_lru, 4, used_bit);
	for (int p = 0; p < 4; p++)
		vm_policy_insert(&b.pol, &b.pages[p]);
	b.pages[0].flags |= PG_REFERENCED;
	b.pages[2].flags |= PG_REFERENCED;
	CHECK(vm_policy_select_victim(&b.pol) == &b.pages[1]);
	vm_policy_remove(&b.pol, &b.pages[1]);
	CHECK(vm_policy_select_victim(&b.pol) == &b.pages[3]);
	vm_policy_remove(&b.pol, &b.pages[3]);
	CHECK(vm_policy_select_victim(&b.pol) == &b.pages[0]);
	bench_end(&b);
}

/* CLOCK without a referenced hook sees no use: it is FIFO. */
TEST(clock_without_the_hook_is_fifo)
{
	struct bench b;

	bench_start(&b, &vm_policy_clock, 3, NULL);
	for (int p = 0; p < 3; p++)
		vm_policy_insert(&b.pol, &b.pages[p]);
	b.pages[0].flags |= PG_REFERENCED;
	CHECK(vm_policy_select_victim(&b.pol) == &b.pages[0]);
	bench_end(&b);
}

/*
 * A page evicted from S and brought back soon enters M through the ghost.
 * (S3_MAIN: policy_s3fifo.c's per-page bit for "on the main queue".)
 */
#define S3_MAIN	0x1
TEST(s3fifo_ghost_readmits_a_page_evicted_too_soon)
{
	struct bench b;

	bench_start(&b, &vm_policy_s3fifo, 4, used_bit);
	for (int p = 0; p < 4; p++) {
		vm_policy_insert(&b.pol, &b.pages[p]);
		b.pages[p].flags |= PG_REFERENCED;	/* the faulting access */
		CHECK(!(vm_policy_bits(&b.pages[p]) & S3_MAIN));
	}
	CHECK(vm_policy_select_victim(&b.pol) == &b.pages[0]);
	vm_policy_remove(&b.pol, &b.pages[0]);
	vm_policy_insert(&b.pol, &b.pages[0]);
	CHECK(vm_policy_bits(&b.pages[0]) & S3_MAIN);
	CHECK(vm_policy_select_victim(&b.pol) == &b.pages[1]);
	vm_policy_remove(&b.pol, &b.pages[1]);
	vm_policy_insert(&b.pol, &b.pages[4]);
	CHECK(!(vm_policy_bits(&b.pages[4]) & S3_MAIN));
	CHECK_EQ(b.pol.nr_pages, 4);
	vm_policy_check(&b.pol);
	bench_end(&b);
}

/* ---- active and inactive pages (is_active and vm_policy_lists) */

#define LISTS_PAGES	48

/* Count by hand what vm_policy_lists keeps, and compare. */
static void check_lists_exact(struct vm_policy *pol, struct page *pages, size_t n)
{
	struct vm_policy_lists l, want = { 0 };

	for (size_t i = 0; i < n; i++) {
		struct page *pg = &pages[i];
		bool anon = pg->state == PAGE_ANON, active;

		if (!(pg->flags & PG_ONPOLICY))
			continue;
		active = vm_policy_is_active(pol, pg);
		want.active_anon += anon && active;
		want.inactive_anon += anon && !active;
		want.active_file += !anon && active;
		want.inactive_file += !anon && !active;
	}
	vm_policy_lists(pol, &l);
	CHECK_EQ(l.active_anon, want.active_anon);
	CHECK_EQ(l.inactive_anon, want.inactive_anon);
	CHECK_EQ(l.active_file, want.active_file);
	CHECK_EQ(l.inactive_file, want.inactive_file);
	vm_policy_check(pol);
}

/*
 * Random insertions, removals, victims and uses (every third page anon):
 * the counts per kind and side always equal a count by hand of is_active.
 */
TEST(active_counts_follow_every_policy_through_random_work)
{
	static struct page pages[LISTS_PAGES];

	for (unsigned int i = 0; vm_policy_nth(i); i++) {
		const struct vm_policy_ops *ops = vm_policy_nth(i);
		struct vm_policy_hooks hooks = { .test_and_clear_referenced = used_bit };
		void *state = malloc(vm_policy_state_size(ops, LISTS_PAGES) + 1);
		struct vm_policy pol;
		uint64_t seed = 7 + i;

		memset(pages, 0, sizeof(pages));
		for (size_t p = 0; p < LISTS_PAGES; p++) {
			pages[p].owner = pages;
			pages[p].index = p;
			pages[p].state = p % 3 == 0 ? PAGE_ANON : PAGE_FILE;
		}
		CHECK_EQ(vm_policy_init(&pol, ops, LISTS_PAGES, &hooks, state), 0);
		for (int step = 0; step < 4000; step++) {
			uint64_t r = sim_random(&seed);
			struct page *pg = &pages[r % LISTS_PAGES], *v;

			switch ((r >> 16) % 4) {
			case 0:
			case 1:
				if (!(pg->flags & PG_ONPOLICY))
					vm_policy_insert(&pol, pg);
				else
					pg->flags |= PG_REFERENCED;
				break;
			case 2:
				if (pg->flags & PG_ONPOLICY)
					vm_policy_remove(&pol, pg);
				break;
			default:
				v = vm_policy_select_victim(&pol);
				if (v && (r >> 24) % 2)
					vm_policy_remove(&pol, v);
			}
			if ((r >> 32) % 16 == 0 && (pg->flags & PG_ONPOLICY))
				vm_policy_access(&pol, pg);
			check_lists_exact(&pol, pages, LISTS_PAGES);
		}
		vm_policy_destroy(&pol);
		check_lists_exact(&pol, pages, LISTS_PAGES);
		free(state);
	}
}

/* FIFO, LRU and CLOCK: the newer half is active, the extra page when odd. */
TEST(one_order_policies_hold_the_newer_half_active)
{
	const struct vm_policy_ops *ops[] = { &vm_policy_fifo, &vm_policy_lru,
					      &vm_policy_clock };

	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		struct bench b;
		struct vm_policy_lists l;

		bench_start(&b, ops[i], 8, used_bit);
		for (int p = 0; p < 5; p++)
			vm_policy_insert(&b.pol, &b.pages[p]);
		for (int p = 0; p < 5; p++)
			CHECK_EQ(vm_policy_is_active(&b.pol, &b.pages[p]), p >= 2);
		vm_policy_lists(&b.pol, &l);
		CHECK_EQ(l.active_file, 3);
		CHECK_EQ(l.inactive_file, 2);
		CHECK_EQ(l.active_anon + l.inactive_anon, 0);
		vm_policy_remove(&b.pol, &b.pages[0]);	/* 1 | 2 3 4: too many newer */
		CHECK(!vm_policy_is_active(&b.pol, &b.pages[2]));
		CHECK(vm_policy_is_active(&b.pol, &b.pages[3]));
		vm_policy_remove(&b.pol, &b.pages[4]);	/* 1 2 | 3: newer gets 2 back */
		CHECK(vm_policy_is_active(&b.pol, &b.pages[2]));
		CHECK(!vm_policy_is_active(&b.pol, &b.pages[1]));
		bench_end(&b);
	}
}

/*
 * CLOCK: coming in counts as a use, referenced bit or not (a page read
 * ahead has none): every new page survives the hand's first visit.
 * (CLOCK_NEW: policy_clock.c's per-page bit for "not visited yet".)
 */
#define CLOCK_NEW	0x2
TEST(clock_a_new_page_survives_the_first_visit_without_a_use)
{
	struct bench b;

	bench_start(&b, &vm_policy_clock, 3, used_bit);
	for (int p = 0; p < 3; p++)
		vm_policy_insert(&b.pol, &b.pages[p]);
	b.pol.stats.kept = 0;
	CHECK(vm_policy_select_victim(&b.pol) == &b.pages[0]);	/* a whole turn */
	CHECK_EQ(b.pol.stats.kept, 3);
	vm_policy_remove(&b.pol, &b.pages[0]);
	CHECK(vm_policy_select_victim(&b.pol) == &b.pages[1]);	/* at once now */
	bench_end(&b);
}

/* CLOCK: a page found used goes behind the hand, into the active half. */
TEST(clock_a_used_page_the_hand_passes_becomes_active)
{
	struct bench b;

	bench_start(&b, &vm_policy_clock, 8, used_bit);
	for (int p = 0; p < 4; p++) {
		vm_policy_insert(&b.pol, &b.pages[p]);
		/* as if the hand had passed it once already */
		vm_policy_set_bits(&b.pages[p], vm_policy_bits(&b.pages[p]) & ~CLOCK_NEW);
	}
	CHECK(!vm_policy_is_active(&b.pol, &b.pages[0]));
	b.pages[0].flags |= PG_REFERENCED;
	CHECK(vm_policy_select_victim(&b.pol) == &b.pages[1]);
	CHECK(vm_policy_is_active(&b.pol, &b.pages[0]));
	CHECK(vm_policy_is_active(&b.pol, &b.pages[1]));	/* kept by the caller */
	CHECK(!vm_policy_is_active(&b.pol, &b.pages[2]));
	bench_end(&b);
}

/* S3-FIFO: S is inactive; a page used again while in S moves to M, active. */
TEST(s3fifo_main_is_active_small_is_not)
{
	struct bench b;
	struct vm_policy_lists l;

	bench_start(&b, &vm_policy_s3fifo, 4, used_bit);
	for (int p = 0; p < 4; p++) {
		b.pages[p].state = PAGE_ANON;
		vm_policy_insert(&b.pol, &b.pages[p]);
		CHECK(!vm_policy_is_active(&b.pol, &b.pages[p]));
	}
	b.pages[0].flags |= PG_REFERENCED;	/* used again while in S */
	CHECK(vm_policy_select_victim(&b.pol) == &b.pages[1]);
	CHECK(vm_policy_is_active(&b.pol, &b.pages[0]));
	vm_policy_lists(&b.pol, &l);
	CHECK_EQ(l.active_anon, 1);
	CHECK_EQ(l.inactive_anon, 3);
	CHECK_EQ(l.active_file + l.inactive_file, 0);
	bench_end(&b);
}
