/*
 * Host tests of the physical memory manager (kernel/vm/pmm.c).
 *
 * "Physical memory" is one 64 MiB buffer that stands for the physical range
 * [RAM_BASE, RAM_BASE + 64 MiB); each test calls pmm_init() on some part of
 * it, which starts the allocator over.
 */
#include "test.h"
#include "vm/pmm.h"

#include <pthread.h>

#define RAM_BASE	0x80000000UL
#define RAM_MAX		(64UL << 20)
#define MAX_FRAMES	(RAM_MAX >> PAGE_SHIFT)
#define MiB		(1UL << 20)

static uint8_t *ram;

/* Map the fake physical range onto the buffer (once). */
static void ram_setup(void)
{
	ram = host_fake_ram(RAM_BASE, RAM_MAX);
	host_cpu_id = 0;
}

/* pmm_init on [RAM_BASE, RAM_BASE + size) with no reserved ranges. */
static void init_simple(uint64_t size)
{
	struct pmm_range r = { RAM_BASE, size };

	ram_setup();
	if (pmm_init(&r, 1, NULL, 0) != 0) {
		fprintf(stderr, "pmm_init failed\n");
		exit(2);
	}
}

/* A small seeded generator, so failures repeat. */
static uint64_t rng_state;
static uint64_t rng(void)
{
	return test_xorshift(&rng_state);
}

/* Drain every hart's cache so the buddy lists hold all free frames. */
static void drain_all(void)
{
	for (int c = 0; c < 8; c++)
		pmm_drain_cache(c);
}

static bool blocks_equal(const uint64_t *a, const uint64_t *b)
{
	return memcmp(a, b, sizeof(uint64_t) * (PMM_MAX_ORDER + 1)) == 0;
}

/* Frame index of pa in the fake RAM. */
static uint64_t frame_of(paddr_t pa)
{
	return (pa - RAM_BASE) >> PAGE_SHIFT;
}

/* ------------------------------------------------------------ init */

TEST(init_one_range_frees_all_but_descriptors)
{
	uint64_t blocks[PMM_MAX_ORDER + 1];

	init_simple(16 * MiB);
	CHECK_EQ(pmm_total_frames(), 4096);
	CHECK_EQ(pmm_descriptor_bytes(), 4096 * sizeof(struct page));
	CHECK_EQ(pmm_free_frames(), 4096 - 4096 * 64 / PAGE_SIZE);
	pmm_free_blocks(blocks);
	for (int k = 0; k < PMM_MAX_ORDER; k++)
		CHECK(blocks[k] <= 1);	/* maximal blocks only */
	CHECK_EQ(pmm_check(), 0);
}

TEST(descriptor_overhead_is_at_most_1_6_percent)
{
	init_simple(RAM_MAX);
	CHECK(pmm_descriptor_bytes() * 1000 <= RAM_MAX * 16);
	CHECK_EQ(pmm_total_frames(), MAX_FRAMES);
}

TEST(descriptors_are_reserved_frames_inside_ram)
{
	struct pmm_range r = { RAM_BASE, 8 * MiB };
	struct pmm_range res = { RAM_BASE, 100 };	/* the first frame */
	struct page *p;
	paddr_t arr;

	ram_setup();
	CHECK_EQ(pmm_init(&r, 1, &res, 1), 0);
	p = pa_to_page(RAM_BASE);
	arr = virt_to_phys(p);
	CHECK(arr >= RAM_BASE + PAGE_SIZE);	/* not in the reserved frame */
	CHECK(arr + pmm_descriptor_bytes() <= RAM_BASE + 8 * MiB);
	for (paddr_t a = arr; a < arr + pmm_descriptor_bytes(); a += PAGE_SIZE)
		CHECK_EQ(pa_to_page(a)->state, PAGE_RESERVED);
	CHECK_EQ(pmm_check(), 0);
}

TEST(init_rejects_bad_input)
{
	struct pmm_range r[PMM_MAX_RANGES + 1];
	struct pmm_range tiny = { RAM_BASE + 10, PAGE_SIZE };	/* no whole frame */
	struct pmm_range all = { 0, ~0UL };
	struct pmm_range ok = { RAM_BASE, MiB };

	ram_setup();
	for (int i = 0; i <= PMM_MAX_RANGES; i++)
		r[i] = (struct pmm_range){ RAM_BASE + i * MiB, MiB };
	CHECK_EQ(pmm_init(r, 0, NULL, 0), -EINVAL);
	CHECK_EQ(pmm_init(r, PMM_MAX_RANGES + 1, NULL, 0), -EINVAL);
	CHECK_EQ(pmm_init(&tiny, 1, NULL, 0), -EINVAL);
	CHECK_EQ(pmm_init(&ok, 1, &all, 1), -ENOMEM);
	CHECK(pa_to_page(RAM_BASE) == NULL);
	CHECK_EQ(pmm_init(r, PMM_MAX_RANGES, NULL, 0), 0);	/* merged into one */
	CHECK_EQ(pmm_total_frames(), PMM_MAX_RANGES * 256);
	CHECK_EQ(pmm_check(), 0);
}

/*
 * Reserved ranges at odd places: unaligned, overlapping, straddling the
 * start and end of RAM, wholly outside it, empty. Every frame any of them
 * touches stays reserved; all other frames can be allocated.
 */
TEST(reserved_frames_never_come_back)
{
	static const struct pmm_range res[] = {
		{ RAM_BASE + 0x1234, 0x10 },		/* inside frame 1 */
		{ RAM_BASE + 0x5ff0, 0x20 },		/* frames 5 and 6 */
		{ RAM_BASE + 0x10000, 0x3001 },		/* 16..19 */
		{ RAM_BASE + 0x11000, 0x8000 },		/* overlaps: 17..24 */
		{ RAM_BASE - 0x3000, 0x3800 },		/* before RAM into frame 0 */
		{ RAM_BASE + 8 * MiB - 1, 0x100000 },	/* last frame and beyond */
		{ RAM_BASE + 32 * MiB, MiB },		/* outside RAM */
		{ RAM_BASE + 0x40000, 0 },		/* empty */
		{ 0x1000, 0x1000 },			/* far below */
	};
	static uint8_t reserved[2048];
	uint64_t nres = 0, got = 0, desc;
	struct pmm_range r = { RAM_BASE, 8 * MiB };
	struct page *p;

	ram_setup();
	CHECK_EQ(pmm_init(&r, 1, res, ARRAY_SIZE(res)), 0);
	memset(reserved, 0, sizeof(reserved));
	for (size_t i = 0; i < ARRAY_SIZE(res); i++) {
		for (uint64_t f = 0; f < 2048 && res[i].size; f++) {
			paddr_t lo = RAM_BASE + f * PAGE_SIZE;

			if (res[i].base < lo + PAGE_SIZE &&
			    res[i].base + res[i].size > lo)
				reserved[f] = 1;
		}
	}
	for (int f = 0; f < 2048; f++)
		nres += reserved[f];
	CHECK_EQ(nres, 1 + 2 + 9 + 1 + 1);
	desc = pmm_descriptor_bytes() / PAGE_SIZE;
	CHECK_EQ(pmm_free_frames(), 2048 - nres - desc);
	for (int f = 0; f < 2048; f++)
		if (reserved[f])
			CHECK_EQ(pa_to_page(RAM_BASE + f * PAGE_SIZE)->state,
				 PAGE_RESERVED);
	while ((p = pmm_alloc(0)) != NULL) {
		CHECK(!reserved[frame_of(page_to_pa(p))]);
		got++;
	}
	CHECK_EQ(got, 2048 - nres - desc);
	CHECK_EQ(pmm_check(), 0);
}

TEST(unaligned_ram_uses_only_whole_frames)
{
	struct pmm_range r = { RAM_BASE + 0x800, 4 * MiB };

	ram_setup();
	CHECK_EQ(pmm_init(&r, 1, NULL, 0), 0);
	CHECK_EQ(pmm_total_frames(), 1023);
	CHECK(pa_to_page(RAM_BASE) == NULL);
	CHECK(pa_to_page(RAM_BASE + PAGE_SIZE) != NULL);
	CHECK(pa_to_page(RAM_BASE + 4 * MiB - 1) != NULL);
	CHECK(pa_to_page(RAM_BASE + 4 * MiB) == NULL);
	CHECK_EQ(pmm_check(), 0);
}

/* ------------------------------------------------------------ translations */

TEST(translations_round_trip_and_reject_outside_ram)
{
	init_simple(8 * MiB);
	for (paddr_t pa = RAM_BASE; pa < RAM_BASE + 8 * MiB; pa += 61 * PAGE_SIZE) {
		struct page *p = pa_to_page(pa + 123);

		CHECK(p != NULL);
		CHECK_EQ(page_to_pa(p), pa);
		CHECK(page_to_virt(p) == ram + (pa - RAM_BASE));
		CHECK(virt_to_page(ram + (pa - RAM_BASE) + 7) == p);
	}
	CHECK(pa_to_page(RAM_BASE - 1) == NULL);
	CHECK(pa_to_page(RAM_BASE + 8 * MiB) == NULL);
	CHECK(pa_to_page(0) == NULL);
	CHECK(pa_to_page(~0UL) == NULL);
}

/*
 * Two RAM ranges, given out of order with a hole between them; the first's
 * start is reserved. Both are managed, the hole is not, blocks never cross.
 */
TEST(two_ram_ranges_with_a_hole)
{
	struct pmm_range r[] = {
		{ RAM_BASE + 32 * MiB, 8 * MiB },
		{ RAM_BASE, 8 * MiB },
	};
	struct pmm_range res = { RAM_BASE, 64 * 1024 };
	struct page *blk[64];
	uint64_t before[PMM_MAX_ORDER + 1], after[PMM_MAX_ORDER + 1];
	uint64_t free0;
	int n = 0;

	ram_setup();
	CHECK_EQ(pmm_init(r, 2, &res, 1), 0);
	CHECK_EQ(pmm_total_frames(), 4096);
	CHECK_EQ(pmm_descriptor_bytes(), 2 * 2048 * 64);
	CHECK(pa_to_page(RAM_BASE + 16 * MiB) == NULL);
	CHECK(pa_to_page(RAM_BASE + 32 * MiB - 1) == NULL);
	CHECK(pa_to_page(RAM_BASE + 40 * MiB) == NULL);
	for (int i = 0; i < 2; i++) {
		struct page *p = pa_to_page(r[i].base + 5 * PAGE_SIZE);

		CHECK(p != NULL && page_to_pa(p) == r[i].base + 5 * PAGE_SIZE);
		CHECK(virt_to_page(page_to_virt(p)) == p);
	}
	free0 = pmm_free_frames();
	pmm_free_blocks(before);
	while (n < 64 && (blk[n] = pmm_alloc_order(PMM_MAX_ORDER, 0)) != NULL) {
		paddr_t pa = page_to_pa(blk[n]);

		CHECK(IS_ALIGNED(pa, PAGE_SIZE << PMM_MAX_ORDER));
		CHECK(pa_to_page(pa + (PAGE_SIZE << PMM_MAX_ORDER) - 1) ==
		      blk[n] + (1 << PMM_MAX_ORDER) - 1);
		n++;
	}
	CHECK_EQ(n, 2);	/* one in each range: arrays sit below them */
	CHECK_EQ(pmm_check(), 0);
	while (n > 0)
		pmm_free_order(blk[--n], PMM_MAX_ORDER);
	pmm_free_blocks(after);
	CHECK(blocks_equal(before, after));
	CHECK_EQ(pmm_free_frames(), free0);
	CHECK_EQ(pmm_check(), 0);
}

TEST(descriptors_go_to_another_range_when_one_is_full)
{
	struct pmm_range r[] = {
		{ RAM_BASE, 4 * MiB },
		{ RAM_BASE + 16 * MiB, 4 * MiB },
	};
	struct pmm_range res = { RAM_BASE, 4 * MiB };	/* all of the first */
	paddr_t arr0;

	ram_setup();
	CHECK_EQ(pmm_init(r, 2, &res, 1), 0);
	arr0 = virt_to_phys(pa_to_page(RAM_BASE));
	CHECK(arr0 >= RAM_BASE + 16 * MiB && arr0 < RAM_BASE + 20 * MiB);
	CHECK_EQ(pmm_free_frames(), 1024 - 2 * 16);
	CHECK_EQ(pmm_check(), 0);
}

/* ------------------------------------------------------------ allocation */

TEST(zero_flag_zero_fills_and_free_junk_fills)
{
	struct page *p;
	uint8_t *va;
	bool zero = true, junk = true;

	init_simple(8 * MiB);
	p = pmm_alloc_order(3, 0);
	CHECK(p != NULL);
	memset(page_to_virt(p), 0x5a, 8 * PAGE_SIZE);
	pmm_free_order(p, 3);
	p = pmm_alloc_order(3, PMM_ZERO);
	va = page_to_virt(p);
	for (size_t i = 0; i < 8 * PAGE_SIZE; i++)
		zero &= va[i] == 0;
	CHECK(zero);
	CHECK_EQ(p->state, PAGE_KERNEL);
	CHECK_EQ(p->refcount, 1);
	CHECK_EQ(p->order, 3);
	CHECK_EQ(p[7].state, PAGE_KERNEL);
	pmm_free_order(p, 3);
	for (size_t i = 0; i < 8 * PAGE_SIZE; i++)
		junk &= va[i] == PMM_JUNK;
	CHECK(junk || !KILBURN_DEBUG);	/* junk-filled in debug builds */
	CHECK_EQ(p->state, PAGE_FREE);
	CHECK_EQ(p[7].state, PAGE_FREE);
}

/* Pick an order: mostly small, sometimes up to the largest. */
static unsigned int random_order(void)
{
	uint64_t r = rng() % 100;

	if (r < 55)
		return 0;
	if (r < 85)
		return 1 + rng() % 3;
	return rng() % (PMM_MAX_ORDER + 1);
}

struct live {
	struct page *page;
	unsigned int order;
	uint64_t tag;
};

/* Write tag into the first and last word of every frame of the block. */
static void block_stamp(struct live *l)
{
	uint8_t *va = page_to_virt(l->page);

	for (uint64_t f = 0; f < (1UL << l->order); f++) {
		uint64_t *w = (uint64_t *)(va + f * PAGE_SIZE);

		w[0] = l->tag + f;
		w[PAGE_SIZE / 8 - 1] = ~(l->tag + f);
	}
}

static bool block_stamp_ok(const struct live *l)
{
	uint8_t *va = page_to_virt(l->page);

	for (uint64_t f = 0; f < (1UL << l->order); f++) {
		uint64_t *w = (uint64_t *)(va + f * PAGE_SIZE);

		if (w[0] != l->tag + f || w[PAGE_SIZE / 8 - 1] != ~(l->tag + f))
			return false;
	}
	return true;
}

/* Mark a block's frames in the model; false if one was already in use. */
static bool model_mark(uint8_t *used, const struct live *l, uint8_t v)
{
	uint64_t f0 = frame_of(page_to_pa(l->page));
	bool ok = true;

	for (uint64_t f = f0; f < f0 + (1UL << l->order); f++) {
		ok &= used[f] != v;
		used[f] = v;
	}
	return ok;
}

/* Allocate one random block into l; false if out of memory. */
static bool random_alloc(struct live *l, uint8_t *used, uint64_t tag)
{
	unsigned int flags = rng() % 4 == 0 ? PMM_ZERO : 0;

	l->order = random_order();
	l->page = pmm_alloc_order(l->order, flags);
	if (!l->page)
		return false;
	l->tag = tag;
	CHECK(IS_ALIGNED(page_to_pa(l->page), PAGE_SIZE << l->order));
	CHECK_EQ(l->page->state, PAGE_KERNEL);
	CHECK_EQ(l->page->refcount, 1);
	CHECK_EQ(l->page->order, l->order);
	CHECK(model_mark(used, l, 1));
	if (flags & PMM_ZERO) {
		uint64_t *w = page_to_virt(l->page);

		CHECK(w[0] == 0 && w[(PAGE_SIZE << l->order) / 8 - 1] == 0);
	}
	block_stamp(l);
	return true;
}

/* Free l after checking its contents, and check the junk fill. */
static void random_free(struct live *l, uint8_t *used)
{
	uint8_t *va = page_to_virt(l->page);

	CHECK(block_stamp_ok(l));
	CHECK(model_mark(used, l, 0));
	pmm_free_order(l->page, l->order);
	if (KILBURN_DEBUG)
		CHECK(va[0] == PMM_JUNK &&
		      va[(PAGE_SIZE << l->order) - 1] == PMM_JUNK);
}

/*
 * A long seeded sequence of mixed-order allocations and frees, checked
 * against a model of which frames are in use; after freeing everything the
 * allocator is exactly as it was after pmm_init.
 */
TEST(random_alloc_free_matches_model)
{
	static uint8_t used[MAX_FRAMES];
	static struct live live[4096];
	uint64_t before[PMM_MAX_ORDER + 1], after[PMM_MAX_ORDER + 1];
	uint64_t free0;
	int n = 0, fails = 0;

	init_simple(32 * MiB);
	memset(used, 0, sizeof(used));
	rng_state = 0x9e3779b97f4a7c15ULL;
	free0 = pmm_free_frames();
	pmm_free_blocks(before);
	for (int step = 0; step < 60000; step++) {
		if (n < 4096 && (n == 0 || rng() % 100 < 55)) {
			if (random_alloc(&live[n], used, rng()))
				n++;
			else
				fails++;
		} else {
			int i = rng() % n;

			random_free(&live[i], used);
			live[i] = live[--n];
		}
		if (step % 5000 == 0)
			CHECK_EQ(pmm_check(), 0);
	}
	CHECK(fails > 0);		/* memory did run out at times */
	while (n > 0)
		random_free(&live[--n], used);
	CHECK_EQ(pmm_free_frames(), free0);
	drain_all();
	pmm_free_blocks(after);
	CHECK(blocks_equal(before, after));
	CHECK_EQ(pmm_free_frames(), free0);
	CHECK_EQ(pmm_check(), 0);
}

TEST(exhaustion_returns_null_and_recovers)
{
	static struct page *pages[2048];
	uint64_t before[PMM_MAX_ORDER + 1], after[PMM_MAX_ORDER + 1];
	uint64_t free0;
	int n = 0;

	init_simple(8 * MiB);
	free0 = pmm_free_frames();
	pmm_free_blocks(before);
	while ((pages[n] = pmm_alloc(0)) != NULL)
		n++;
	CHECK_EQ(n, free0);
	CHECK_EQ(pmm_free_frames(), 0);
	CHECK(pmm_alloc_order(0, 0) == NULL);
	CHECK(pmm_alloc_order(4, 0) == NULL);
	CHECK(pmm_alloc_order(PMM_MAX_ORDER + 1, 0) == NULL);
	CHECK_EQ(pmm_check(), 0);
	pmm_free(pages[--n]);
	CHECK(pmm_alloc(PMM_ZERO) != NULL);	/* the one just freed */
	pmm_free(pages[n]);
	while (n > 0)
		pmm_free(pages[--n]);
	drain_all();
	pmm_free_blocks(after);
	CHECK(blocks_equal(before, after));
	CHECK_EQ(pmm_free_frames(), free0);
	CHECK(pmm_alloc_order(PMM_MAX_ORDER, 0) != NULL);
	CHECK_EQ(pmm_check(), 0);
}

/* ------------------------------------------------------------ per-hart caches */

TEST(per_hart_caches_count_as_free_and_drain)
{
	struct page *p[4][40];
	uint64_t before[PMM_MAX_ORDER + 1], after[PMM_MAX_ORDER + 1];
	uint64_t free0;

	init_simple(8 * MiB);
	free0 = pmm_free_frames();
	pmm_free_blocks(before);
	for (int i = 0; i < 40; i++)
		for (int c = 0; c < 4; c++) {
			host_cpu_id = c;
			p[c][i] = pmm_alloc(0);
			CHECK(p[c][i] != NULL);
		}
	CHECK_EQ(pmm_free_frames(), free0 - 160);
	for (int i = 0; i < 40; i++)
		for (int c = 0; c < 4; c++) {
			host_cpu_id = 3 - c;		/* free on another hart */
			pmm_free(p[c][i]);
		}
	host_cpu_id = 0;
	CHECK_EQ(pmm_free_frames(), free0);
	CHECK_EQ(pmm_check(), 0);
	pmm_free_blocks(after);
	CHECK(!blocks_equal(before, after));	/* caches hold frames */
	drain_all();
	pmm_free_blocks(after);
	CHECK(blocks_equal(before, after));
	CHECK_EQ(pmm_free_frames(), free0);
}

struct worker {
	pthread_t thread;
	int cpu;
	uint64_t seed;
	int errors;
};

/* One "hart": random allocations and frees of its own blocks. */
static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct live live[256];
	uint64_t s = w->seed;
	int n = 0;

	host_cpu_id = w->cpu;
	for (int step = 0; step < 20000; step++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		if (n < 256 && (n == 0 || s % 100 < 52)) {
			struct live *l = &live[n];

			l->order = s % 10 < 7 ? 0 : (s >> 8) % 4;
			l->page = pmm_alloc_order(l->order, 0);
			if (!l->page)
				continue;
			l->tag = s;
			block_stamp(l);
			n++;
		} else {
			struct live *l = &live[s % n];

			w->errors += !block_stamp_ok(l);
			pmm_free_order(l->page, l->order);
			*l = live[--n];
		}
	}
	while (n > 0) {
		w->errors += !block_stamp_ok(&live[--n]);
		pmm_free_order(live[n].page, live[n].order);
	}
	return NULL;
}

TEST(concurrent_harts_alloc_and_free)
{
	struct worker w[4];
	uint64_t before[PMM_MAX_ORDER + 1], after[PMM_MAX_ORDER + 1];
	uint64_t free0;

	init_simple(16 * MiB);
	free0 = pmm_free_frames();
	pmm_free_blocks(before);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .cpu = i + 1, .seed = 0x1234567 * (i + 1) };
		CHECK_EQ(pthread_create(&w[i].thread, NULL, worker_run, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(w[i].thread, NULL);
		CHECK_EQ(w[i].errors, 0);
	}
	CHECK_EQ(pmm_free_frames(), free0);
	CHECK_EQ(pmm_check(), 0);
	drain_all();
	pmm_free_blocks(after);
	CHECK(blocks_equal(before, after));
}

/* ------------------------------------------------------------ misuse */

TEST(double_free_panics)
{
	struct page *p, *q;

	init_simple(8 * MiB);
	p = pmm_alloc(0);
	pmm_free(p);
	EXPECT_PANIC(pmm_free(p));
	CHECK(strstr(host_panic_msg, "is already free") != NULL);
	CHECK(strstr(host_panic_msg, "pmm_free: frame 0x") != NULL);
	q = pmm_alloc_order(2, 0);
	pmm_free_order(q, 2);
	EXPECT_PANIC(pmm_free_order(q, 2));
	CHECK(strstr(host_panic_msg, "is already free") != NULL);
	CHECK_EQ(pmm_check(), 0);
}

TEST(freeing_reserved_frame_panics)
{
	struct pmm_range r = { RAM_BASE, 8 * MiB };
	struct pmm_range res = { RAM_BASE + 0x20000, 0x100 };
	char want[64];

	ram_setup();
	CHECK_EQ(pmm_init(&r, 1, &res, 1), 0);
	EXPECT_PANIC(pmm_free(pa_to_page(RAM_BASE + 0x20000)));
	snprintf(want, sizeof(want), "frame 0x%lx is reserved",
		 RAM_BASE + 0x20000);
	CHECK(strstr(host_panic_msg, want) != NULL);
	/* the descriptor array is reserved too */
	EXPECT_PANIC(pmm_free(virt_to_page(pa_to_page(RAM_BASE))));
	CHECK(strstr(host_panic_msg, "is reserved") != NULL);
	CHECK_EQ(pmm_check(), 0);
}

TEST(freeing_with_wrong_order_or_alignment_panics)
{
	struct page *p;
	int x;

	init_simple(8 * MiB);
	p = pmm_alloc_order(2, 0);
	EXPECT_PANIC(pmm_free_order(p, 1));
	CHECK(strstr(host_panic_msg, "allocated with order 2") != NULL);
	EXPECT_PANIC(pmm_free_order(p + 1, 1));
	CHECK(strstr(host_panic_msg, "misaligned") != NULL);
	EXPECT_PANIC(pmm_free_order(p, PMM_MAX_ORDER + 1));
	EXPECT_PANIC(pmm_free((struct page *)&x));
	CHECK(strstr(host_panic_msg, "not a frame descriptor") != NULL);
	pmm_free_order(p, 2);
	CHECK_EQ(pmm_check(), 0);
}

TEST(check_catches_a_corrupted_free_block)
{
	uint64_t blocks[PMM_MAX_ORDER + 1];
	struct page *p;

	init_simple(8 * MiB);
	pmm_free_blocks(blocks);
	CHECK(blocks[PMM_MAX_ORDER] > 0);
	p = pmm_alloc_order(PMM_MAX_ORDER, 0);
	pmm_free_order(p, PMM_MAX_ORDER);
	p[5].state = PAGE_KERNEL;	/* a stray write into a free block */
	EXPECT_PANIC(pmm_check());
	CHECK(strstr(host_panic_msg, "pmm_check:") != NULL);
	init_simple(8 * MiB);		/* the lock was left held: start over */
}
