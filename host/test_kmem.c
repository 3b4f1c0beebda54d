/*
 * Host tests of the slab caches and kmalloc (kernel/vm/kmem.c), on top of
 * the real pmm over a 32 MiB buffer of fake RAM. Every test starts from a
 * fresh pmm_init() + kmem_init() and ends by checking that every frame came
 * back. The host build is a KILBURN_DEBUG build: red zones, poison and tags
 * are on.
 */
#include "test.h"
#include "vm/kmem.h"
#include "vm/pmm.h"
#include "kmem_env.h"

#include <pthread.h>

#define RAM_BASE	0x80000000UL
#define RAM_SIZE	(32UL << 20)

static uint64_t rng_state;
static uint64_t rng(void)
{
	return test_xorshift(&rng_state);
}

/* Does host_panic_msg contain "<what> 0x<ptr>" and "in cache <cache>"? */
static bool panic_names(const char *what, const void *ptr, const char *cache)
{
	char want[160];

	snprintf(want, sizeof(want), "%s 0x%lx", what,
		 (unsigned long)(uintptr_t)ptr);
	if (!strstr(host_panic_msg, want)) {
		printf("  panic message was: %s\n", host_panic_msg);
		return false;
	}
	if (cache) {
		snprintf(want, sizeof(want), "in cache %s", cache);
		if (!strstr(host_panic_msg, want)) {
			printf("  panic message was: %s\n", host_panic_msg);
			return false;
		}
	}
	return true;
}

/* ------------------------------------------------------------ basics */

TEST(kmalloc_aligns_to_8_and_to_16_from_16_bytes)
{
	void *p[40];
	int n = 0;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	for (size_t size = 0; size <= 9000; size = size * 3 / 2 + 1) {
		uint8_t *q = kmalloc(size, 0);

		CHECK(q != NULL);
		CHECK(IS_ALIGNED((uintptr_t)q, 8));
		if (size >= 16)
			CHECK(IS_ALIGNED((uintptr_t)q, 16));
		memset(q, 0x11, size);
		p[n++] = q;
	}
	while (n > 0)
		kfree(p[--n]);
	kfree(NULL);
	CHECK(host_no_frame_leaked());
}

TEST(zero_flag_zeroes_objects)
{
	struct kmem_cache *c;
	uint8_t *a, *b;
	bool zero = true;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	c = kmem_cache_create("zeroes", 300, 0);
	a = kmem_cache_alloc(c, 0);
	memset(a, 0xee, 300);
	kmem_cache_free(c, a);
	a = kmem_cache_alloc(c, KM_ZERO);
	b = kmalloc(1000, KM_ZERO);
	for (int i = 0; i < 300; i++)
		zero &= a[i] == 0;
	for (int i = 0; i < 1000; i++)
		zero &= b[i] == 0;
	CHECK(zero);
	kmem_cache_free(c, a);
	kfree(b);
	CHECK_EQ(kmem_cache_destroy(c), 0);
	CHECK(host_no_frame_leaked());
}

TEST(caches_honour_alignment_and_reject_bad_arguments)
{
	struct kmem_cache *c64, *cpage;
	void *p[20], *q[3];

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	CHECK(kmem_cache_create("zero", 0, 8) == NULL);
	CHECK(kmem_cache_create("three", 16, 3) == NULL);
	CHECK(kmem_cache_create("huge-align", 16, 2 * PAGE_SIZE) == NULL);
	CHECK(kmem_cache_create("huge", 1UL << 20, 8) == NULL);
	c64 = kmem_cache_create("align64", 100, 64);
	cpage = kmem_cache_create("page", 4096, 4096);
	CHECK(c64 != NULL && cpage != NULL);
	for (int i = 0; i < 20; i++) {
		p[i] = kmem_cache_alloc(c64, 0);
		CHECK(IS_ALIGNED((uintptr_t)p[i], 64));
		memset(p[i], i, 100);
	}
	for (int i = 0; i < 3; i++) {
		q[i] = kmem_cache_alloc(cpage, 0);
		CHECK(IS_ALIGNED((uintptr_t)q[i], 4096));
		memset(q[i], i, 4096);
	}
	CHECK_EQ(kmem_cache_inuse(c64), 20);
	CHECK_EQ(kmem_cache_check(c64), 0);
	CHECK_EQ(kmem_cache_check(cpage), 0);
	for (int i = 0; i < 20; i++)
		kmem_cache_free(c64, p[i]);
	for (int i = 0; i < 3; i++)
		kmem_cache_free(cpage, q[i]);
	CHECK_EQ(kmem_cache_inuse(c64), 0);
	CHECK_EQ(kmem_cache_destroy(c64), 0);
	CHECK_EQ(kmem_cache_destroy(cpage), 0);
	CHECK(host_no_frame_leaked());
}

TEST(large_kmalloc_takes_whole_frames)
{
	uint8_t *a, *b, *z;
	uint64_t free0;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	free0 = pmm_free_frames();
	a = kmalloc(16 * 1024, 0);
	b = kmalloc(1 << 20, 0);
	z = kmalloc(20000, KM_ZERO);
	CHECK(a && b && z);
	CHECK(IS_ALIGNED((uintptr_t)a, PAGE_SIZE));
	CHECK(IS_ALIGNED((uintptr_t)b, PAGE_SIZE));
	CHECK_EQ(pmm_free_frames(), free0 - 4 - 256 - 8);
	memset(a, 1, 16 * 1024);
	memset(b, 2, 1 << 20);
	CHECK(z[0] == 0 && z[19999] == 0);
	CHECK(kmalloc(8UL << 20, 0) == NULL);	/* above the largest block */
	kfree(a);
	kfree(b);
	kfree(z);
	CHECK_EQ(pmm_free_frames(), free0);
	CHECK(host_no_frame_leaked());
}

/* ------------------------------------------------------------ the model */

struct obj {
	uint8_t *p;
	size_t size;
	int cache;		/* -1: kmalloc, else index into caches[] */
	uint8_t fill;
};

/* Sizes skewed small, with every slab class and a few large ones. */
static size_t random_size(void)
{
	uint64_t r = rng() % 100;

	if (r < 50)
		return rng() % 129;
	if (r < 85)
		return rng() % 1025;
	if (r < 97)
		return rng() % 8193;
	return 8193 + rng() % (64 * 1024);
}

static bool obj_intact(const struct obj *o)
{
	for (size_t i = 0; i < o->size; i++)
		if (o->p[i] != (uint8_t)(o->fill + i))
			return false;
	return true;
}

/*
 * A long seeded sequence of kmalloc/kfree and cache alloc/free, each object
 * filled with its own pattern that must survive until it is freed; at the
 * end every frame is back.
 */
TEST(random_alloc_free_preserves_contents_and_leaks_nothing)
{
	static const size_t csize[] = { 24, 200, 3000 };
	static const size_t calign[] = { 8, 64, 4096 };
	static struct obj live[3000];
	struct kmem_cache *caches[3];
	int n = 0, bad = 0;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	rng_state = 0x2545f4914f6cdd1dULL;
	for (int i = 0; i < 3; i++)
		caches[i] = kmem_cache_create("model", csize[i], calign[i]);
	for (int step = 0; step < 60000; step++) {
		if (n < 3000 && (n == 0 || rng() % 100 < 52)) {
			struct obj *o = &live[n];

			o->cache = (int)(rng() % 5) - 2;
			if (o->cache < 0) {
				o->cache = -1;
				o->size = random_size();
				o->p = kmalloc(o->size, 0);
			} else {
				o->size = csize[o->cache];
				o->p = kmem_cache_alloc(caches[o->cache], 0);
				CHECK(IS_ALIGNED((uintptr_t)o->p, calign[o->cache]));
			}
			CHECK(o->p != NULL);
			o->fill = (uint8_t)rng();
			for (size_t i = 0; i < o->size; i++)
				o->p[i] = (uint8_t)(o->fill + i);
			n++;
		} else {
			int i = rng() % n;

			bad += !obj_intact(&live[i]);
			if (live[i].cache < 0)
				kfree(live[i].p);
			else
				kmem_cache_free(caches[live[i].cache], live[i].p);
			live[i] = live[--n];
		}
		if (step % 10000 == 0)
			for (int c = 0; c < 3; c++)
				CHECK_EQ(kmem_cache_check(caches[c]), 0);
	}
	CHECK_EQ(bad, 0);
	while (n > 0) {
		struct obj *o = &live[--n];

		CHECK(obj_intact(o));
		if (o->cache < 0)
			kfree(o->p);
		else
			kmem_cache_free(caches[o->cache], o->p);
	}
	for (int c = 0; c < 3; c++) {
		CHECK_EQ(kmem_cache_check(caches[c]), 0);
		CHECK_EQ(kmem_cache_destroy(caches[c]), 0);
	}
	CHECK(host_no_frame_leaked());
}

TEST(empty_slabs_are_kept_one_per_cache_and_reclaimed)
{
	struct kmem_cache *c;
	static void *p[2000];
	uint64_t free0;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	c = kmem_cache_create("reclaim", 512, 0);
	free0 = pmm_free_frames();
	for (int i = 0; i < 2000; i++)
		p[i] = kmem_cache_alloc(c, 0);
	CHECK(pmm_free_frames() < free0 - 200);
	for (int i = 0; i < 2000; i++)
		kmem_cache_free(c, p[i]);
	/* one empty slab stays cached: a few frames, not hundreds */
	CHECK(pmm_free_frames() < free0);
	CHECK(pmm_free_frames() >= free0 - 32);
	kmem_reclaim();
	CHECK_EQ(pmm_free_frames(), free0);
	CHECK_EQ(kmem_cache_check(c), 0);
	CHECK_EQ(kmem_cache_destroy(c), 0);
	CHECK(host_no_frame_leaked());
}

TEST(out_of_frames_returns_null_and_recovers)
{
	static void *p[8192];
	int n = 0;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	while (n < 8192 && (p[n] = kmalloc(4096, 0)) != NULL)
		n++;
	CHECK(n > 1000 && n < 8192);
	CHECK(kmalloc(4096, 0) == NULL);
	CHECK(kmalloc(64 * 1024, 0) == NULL);
	while (n > 0)
		kfree(p[--n]);
	CHECK(host_no_frame_leaked());
	p[0] = kmalloc(4096, 0);
	CHECK(p[0] != NULL);
	kfree(p[0]);
	CHECK(host_no_frame_leaked());
}

TEST(destroy_with_live_objects_is_busy)
{
	struct kmem_cache *c;
	void *a, *b;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	c = kmem_cache_create("busy", 48, 0);
	a = kmem_cache_alloc(c, 0);
	b = kmem_cache_alloc(c, 0);
	CHECK_EQ(kmem_cache_inuse(c), 2);
	CHECK_EQ(kmem_cache_destroy(c), -EBUSY);
	kmem_cache_free(c, a);
	CHECK_EQ(kmem_cache_destroy(c), -EBUSY);
	kmem_cache_free(c, b);
	CHECK_EQ(kmem_cache_destroy(c), 0);
	CHECK(host_no_frame_leaked());
}

/* ------------------------------------------------------------ debug checks */

TEST(overflow_by_one_byte_panics_naming_cache_and_object)
{
	struct kmem_cache *c;
	uint8_t *p, *q, *r;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	p = kmalloc(64, 0);
	p[64] = 0;
	EXPECT_PANIC(kfree(p));
	CHECK(strstr(host_panic_msg, "kmem: red zone overwritten after object"));
	CHECK(panic_names("after object", p, "kmalloc-64"));
	p[64] = 0xbb;			/* repair: now it frees cleanly */
	kfree(p);

	q = kmalloc(60, 0);		/* the red zone starts at byte 60 */
	q[60] = 1;
	EXPECT_PANIC(kfree(q));
	CHECK(panic_names("after object", q, "kmalloc-64"));
	q[60] = 0xbb;
	kfree(q);

	c = kmem_cache_create("forty", 40, 0);
	r = kmem_cache_alloc(c, 0);
	r[40] = 7;
	EXPECT_PANIC(kmem_cache_free(c, r));
	CHECK(panic_names("after object", r, "forty"));
	r[40] = 0xbb;
	kmem_cache_free(c, r);
	CHECK_EQ(kmem_cache_destroy(c), 0);
	CHECK(host_no_frame_leaked());
}

TEST(underflow_panics_naming_cache_and_object)
{
	uint8_t *p;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	p = kmalloc(100, 0);
	p[-1] = 0;
	EXPECT_PANIC(kfree(p));
	CHECK(strstr(host_panic_msg, "red zone overwritten before object"));
	CHECK(panic_names("before object", p, "kmalloc-128"));
	p[-1] = 0xbb;
	kfree(p);
	CHECK(host_no_frame_leaked());
}

TEST(write_after_free_is_caught_on_the_next_alloc)
{
	struct kmem_cache *c;
	uint8_t *p;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	c = kmem_cache_create("stale", 72, 0);
	p = kmem_cache_alloc(c, 0);
	kmem_cache_free(c, p);
	p[70] = 'x';			/* a stale pointer writes */
	EXPECT_PANIC(kmem_cache_alloc(c, 0));
	CHECK(strstr(host_panic_msg, "write after free"));
	CHECK(panic_names("to object", p, "stale"));
}

TEST(write_after_free_is_caught_by_the_check)
{
	struct kmem_cache *c;
	uint8_t *p;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	c = kmem_cache_create("checked", 200, 0);
	kmem_cache_alloc(c, 0);		/* keeps the slab alive */
	p = kmem_cache_alloc(c, 0);
	kmem_cache_free(c, p);
	CHECK_EQ(kmem_cache_check(c), 0);
	p[199] = 0;
	EXPECT_PANIC(kmem_cache_check(c));
	CHECK(panic_names("write after free to object", p, "checked"));
	/* the check panicked with the cache locked: the next test starts over */
}

TEST(double_free_panics)
{
	struct kmem_cache *c;
	void *p, *q;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	p = kmalloc(32, 0);
	kfree(p);
	EXPECT_PANIC(kfree(p));
	CHECK(panic_names("double free of object", p, "kmalloc-32"));
	c = kmem_cache_create("twice", 500, 0);
	q = kmem_cache_alloc(c, 0);
	kmem_cache_free(c, q);
	EXPECT_PANIC(kmem_cache_free(c, q));
	CHECK(panic_names("double free of object", q, "twice"));
	CHECK_EQ(kmem_cache_destroy(c), 0);
	CHECK(host_no_frame_leaked());
}

TEST(free_into_the_wrong_cache_panics)
{
	struct kmem_cache *a, *b;
	void *p;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	a = kmem_cache_create("apples", 64, 0);
	b = kmem_cache_create("pears", 64, 0);
	p = kmem_cache_alloc(a, 0);
	EXPECT_PANIC(kmem_cache_free(b, p));
	CHECK(panic_names("object", p, NULL));
	CHECK(strstr(host_panic_msg, "of cache apples freed to cache pears"));
	EXPECT_PANIC(kfree(p));		/* not a kmalloc object either */
	CHECK(panic_names("kfree: bad pointer", p, NULL));
	kmem_cache_free(a, p);
	CHECK_EQ(kmem_cache_destroy(a), 0);
	CHECK_EQ(kmem_cache_destroy(b), 0);
	CHECK(host_no_frame_leaked());
}

TEST(kfree_of_a_bad_pointer_panics)
{
	int on_stack;
	uint8_t *small, *large;
	struct page *frame;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	EXPECT_PANIC(kfree(&on_stack));
	CHECK(panic_names("kfree: bad pointer", &on_stack, NULL));
	small = kmalloc(64, 0);
	EXPECT_PANIC(kfree(small + 8));
	CHECK(panic_names("kmem:", small + 8, "kmalloc-64"));
	CHECK(strstr(host_panic_msg, "not the start of an object"));
	large = kmalloc(32 * 1024, 0);
	EXPECT_PANIC(kfree(large + PAGE_SIZE));
	CHECK(panic_names("kfree: bad pointer", large + PAGE_SIZE, NULL));
	frame = pmm_alloc(0);		/* a frame kmalloc never saw */
	EXPECT_PANIC(kfree(page_to_virt(frame)));
	CHECK(panic_names("kfree: bad pointer", page_to_virt(frame), NULL));
	pmm_free(frame);
	kfree(small);
	kfree(large);
	EXPECT_PANIC(kfree(large));	/* its frames are free now */
	CHECK(panic_names("kfree: bad pointer", large, NULL));
	CHECK(host_no_frame_leaked());
}

TEST(kmalloc_zero_gives_an_object_with_no_usable_bytes)
{
	uint8_t *p;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	p = kmalloc(0, 0);
	CHECK(p != NULL);
	p[0] = 1;
	EXPECT_PANIC(kfree(p));
	CHECK(panic_names("red zone overwritten after object", p, "kmalloc-8"));
	p[0] = 0xbb;
	kfree(p);
	CHECK(host_no_frame_leaked());
}

/* ------------------------------------------------------------ harts */

struct worker {
	pthread_t thread;
	int cpu;
	struct kmem_cache *cache;
	int errors;
};

/* One "hart" allocating and freeing kmalloc and cache objects. */
static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct obj live[200];
	uint64_t s = 0x9e3779b97f4a7c15ULL * (uint64_t)(w->cpu + 1);
	int n = 0;

	host_cpu_id = w->cpu;
	for (int step = 0; step < 20000; step++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		if (n < 200 && (n == 0 || s % 100 < 52)) {
			struct obj *o = &live[n];

			o->cache = s % 3 == 0 ? 0 : -1;
			o->size = o->cache == 0 ? 56 : (s >> 16) % 3000;
			o->p = o->cache == 0 ? kmem_cache_alloc(w->cache, 0)
					     : kmalloc(o->size, 0);
			if (!o->p) {
				w->errors++;
				continue;
			}
			o->fill = (uint8_t)(s >> 40);
			for (size_t i = 0; i < o->size; i++)
				o->p[i] = (uint8_t)(o->fill + i);
			n++;
		} else {
			struct obj *o = &live[s % n];

			w->errors += !obj_intact(o);
			if (o->cache == 0)
				kmem_cache_free(w->cache, o->p);
			else
				kfree(o->p);
			*o = live[--n];
		}
	}
	while (n > 0) {
		struct obj *o = &live[--n];

		w->errors += !obj_intact(o);
		if (o->cache == 0)
			kmem_cache_free(w->cache, o->p);
		else
			kfree(o->p);
	}
	return NULL;
}

TEST(concurrent_harts_share_caches)
{
	struct worker w[4];
	struct kmem_cache *c;

	host_kmem_setup(RAM_BASE, RAM_SIZE);
	c = kmem_cache_create("shared", 56, 0);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .cpu = i + 1, .cache = c };
		CHECK_EQ(pthread_create(&w[i].thread, NULL, worker_run, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(w[i].thread, NULL);
		CHECK_EQ(w[i].errors, 0);
	}
	CHECK_EQ(kmem_cache_inuse(c), 0);
	CHECK_EQ(kmem_cache_check(c), 0);
	CHECK_EQ(kmem_cache_destroy(c), 0);
	CHECK(host_no_frame_leaked());
}
