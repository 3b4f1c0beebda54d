/*
 * Host tests of the swap slot allocator (kernel/vm/swap_slots.c) and of the
 * table of swap areas (kernel/vm/swap_areas.c), on the real pmm and kmem
 * over fake RAM: clusters, fragmentation, references, bad pages,
 * exhaustion, priorities, and random operations against an array model.
 * Every test ends with no area registered and no frame leaked.
 */
#include "swap_img.h"
#include "vm/swap_slots.h"
#include "kmem_env.h"

#define RAM_BASE	0x80000000UL
#define RAM_SIZE	(32UL << 20)

static uint64_t rng_state;
static uint64_t rng(void)
{
	return test_xorshift(&rng_state);
}

/* ------------------------------------------------------------ one area */

/* A header in memory: pages 1..last_page, with nbad bad pages. */
static void fake_header(struct img *im, uint32_t last_page,
			const uint32_t *bad, uint32_t nbad)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->h.magic, SWAP_MAGIC, SWAP_MAGIC_LEN);
	im->h.version = 1;
	im->h.last_page = last_page;
	im->h.nr_badpages = nbad;
	for (uint32_t i = 0; i < nbad; i++)
		im->h.badpages[i] = bad[i];
	im->pages = last_page + 1ULL;
}

/* A fresh area of pages 1..last_page minus bad (not registered). */
static struct swap_area *area_make(uint32_t last_page, const uint32_t *bad,
				   uint32_t nbad)
{
	struct swap_info_hdr h;
	struct swap_area *a = NULL;
	struct img im;

	fake_header(&im, last_page, bad, nbad);
	if (parse(&im, &h) != 0 || swap_area_create(&h, &a) != 0) {
		fprintf(stderr, "area_make failed\n");
		exit(2);
	}
	CHECK_EQ(swap_area_total(a), h.good_pages);
	return a;
}

/* Drop every reference to every slot of a, unregister and destroy it. */
static void area_drop(struct swap_area *a)
{
	for (uint64_t s = 1; s < a->nslots; s++)
		while (swap_slot_refs(a, s) != 0 &&
		       swap_slot_refs(a, s) != SWAP_REF_BAD)
			swap_slot_free(a, s);
	CHECK_EQ(swap_area_inuse(a), 0);
	CHECK_EQ(swap_slots_check(a), 0);
	if (a->index >= 0)
		CHECK_EQ(swap_area_unregister(a), 0);
	CHECK_EQ(swap_area_destroy(a), 0);
}

static void slots_setup(void)
{
	host_kmem_setup(RAM_BASE, RAM_SIZE);
	CHECK_EQ(swap_areas_check(), 0);
	for (unsigned int i = 0; i < SWAP_AREAS_MAX; i++)
		CHECK(swap_area_lookup(i) == NULL);	/* earlier tests cleaned up */
}

static void slots_done(void)
{
	CHECK_EQ(swap_areas_check(), 0);
	CHECK(host_no_frame_leaked());
}

/* Allocate one slot of a; returns it (checks that it worked). */
static uint64_t alloc1(struct swap_area *a)
{
	uint64_t s = 0;

	CHECK_EQ(swap_slots_alloc(a, 1, &s), 1);
	return s;
}

TEST(slots_consecutive_allocations_are_consecutive)
{
	struct swap_area *a;
	uint64_t s;

	slots_setup();
	a = area_make(1023, NULL, 0);
	for (uint64_t want = 1; want <= 300; want++)	/* across a cluster edge */
		CHECK_EQ(alloc1(a), want);
	CHECK_EQ(swap_slots_alloc(a, 8, &s), 8);
	CHECK_EQ(s, 301);
	CHECK_EQ(swap_slots_alloc(a, 8, &s), 8);
	CHECK_EQ(s, 309);
	CHECK_EQ(swap_area_inuse(a), 316);
	CHECK_EQ(swap_slot_refs(a, 0), SWAP_REF_BAD);
	CHECK_EQ(swap_slots_check(a), 0);
	area_drop(a);
	slots_done();
}

TEST(slots_a_run_ends_with_its_cluster)
{
	struct swap_area *a;
	uint64_t s;

	slots_setup();
	a = area_make(1023, NULL, 0);
	for (int i = 0; i < 250; i++)
		alloc1(a);
	CHECK_EQ(swap_slots_alloc(a, 16, &s), 5);	/* 251..255 */
	CHECK_EQ(s, 251);
	CHECK_EQ(swap_slots_alloc(a, 16, &s), 16);	/* a new cluster */
	CHECK_EQ(s, 256);
	CHECK_EQ(swap_slots_alloc(a, 256, &s), 240);
	CHECK_EQ(s, 272);
	CHECK_EQ(swap_slots_alloc(a, 0, &s), -EINVAL);
	CHECK_EQ(swap_slots_alloc(a, 257, &s), -EINVAL);
	CHECK_EQ(swap_slots_check(a), 0);
	area_drop(a);
	slots_done();
}

TEST(slots_bad_pages_are_never_handed_out)
{
	static const uint32_t bad[] = { 3, 4, 255, 256, 300, 700 };
	struct swap_area *a;
	uint64_t s, count = 0;
	int got;

	slots_setup();
	a = area_make(700, bad, ARRAY_SIZE(bad));
	CHECK_EQ(swap_area_total(a), 700 - ARRAY_SIZE(bad));
	CHECK_EQ(swap_slot_refs(a, 300), SWAP_REF_BAD);
	while ((got = swap_slots_alloc(a, 1 + count % 32, &s)) > 0) {
		for (uint64_t i = s; i < s + got; i++)
			for (unsigned int j = 0; j < ARRAY_SIZE(bad); j++)
				CHECK(i != bad[j] && i != 0);
		count += got;
		CHECK_EQ(swap_slots_check(a), 0);
	}
	CHECK_EQ(got, -ENOSPC);
	CHECK_EQ(count, 700 - ARRAY_SIZE(bad));
	CHECK_EQ(swap_area_inuse(a), swap_area_total(a));
	area_drop(a);
	slots_done();
}

TEST(slots_fragmented_area_hands_out_scattered_slots)
{
	struct swap_area *a;
	uint64_t s, freed = 0;

	slots_setup();
	a = area_make(1023, NULL, 0);
	while (swap_slots_alloc(a, 256, &s) > 0)
		;
	CHECK_EQ(swap_area_inuse(a), 1023);
	for (s = 1; s <= 1023; s += 2) {		/* every other slot */
		CHECK_EQ(swap_slot_free(a, s), 0);
		freed++;
	}
	CHECK_EQ(swap_slots_check(a), 0);
	for (uint64_t i = 0; i < freed; i++) {
		CHECK_EQ(swap_slots_alloc(a, 8, &s), 1);	/* no run of two */
		CHECK(s % 2 == 1);
	}
	CHECK_EQ(swap_slots_alloc(a, 8, &s), -ENOSPC);
	/* a cluster freed whole is a cluster again */
	for (s = 512; s < 768; s++)
		swap_slot_free(a, s);
	for (s = 2; s < 40; s++)
		swap_slot_free(a, s);
	CHECK_EQ(swap_slots_check(a), 0);
	CHECK_EQ(swap_slots_alloc(a, 100, &s), 100);
	CHECK_EQ(s, 512);
	CHECK_EQ(swap_slots_alloc(a, 200, &s), 156);
	CHECK_EQ(s, 612);
	CHECK_EQ(swap_slots_alloc(a, 64, &s), 38);	/* then the scattered run */
	CHECK_EQ(s, 2);
	CHECK_EQ(swap_slots_check(a), 0);
	area_drop(a);
	slots_done();
}

TEST(slots_free_with_the_last_reference)
{
	struct swap_area *a;
	uint64_t s, t;

	slots_setup();
	a = area_make(1023, NULL, 0);
	s = alloc1(a);
	CHECK_EQ(swap_slot_dup(a, s), 0);
	CHECK_EQ(swap_slot_dup(a, s), 0);
	CHECK_EQ(swap_slot_refs(a, s), 3);
	CHECK_EQ(swap_slot_free(a, s), 2);
	CHECK_EQ(swap_slot_free(a, s), 1);
	CHECK_EQ(swap_area_inuse(a), 1);
	CHECK_EQ(swap_slot_free(a, s), 0);
	CHECK_EQ(swap_area_inuse(a), 0);
	CHECK_EQ(swap_slot_refs(a, s), 0);
	CHECK_EQ(swap_slots_check(a), 0);
	/* the current cluster goes on: the freed slot waits for its turn */
	t = alloc1(a);
	CHECK_EQ(t, s + 1);
	area_drop(a);
	slots_done();
}

TEST(slots_references_saturate)
{
	struct swap_area *a;
	uint64_t s;

	slots_setup();
	a = area_make(100, NULL, 0);
	s = alloc1(a);
	for (uint32_t i = 1; i < SWAP_REFS_MAX; i++)
		swap_slot_dup(a, s);
	CHECK_EQ(swap_slot_refs(a, s), SWAP_REFS_MAX);
	CHECK_EQ(swap_slot_dup(a, s), -EOVERFLOW);
	CHECK_EQ(swap_slot_refs(a, s), SWAP_REFS_MAX);
	CHECK_EQ(swap_slots_check(a), 0);
	area_drop(a);
	slots_done();
}

TEST(slots_exhaustion_is_an_error_not_a_crash)
{
	struct swap_area *a;
	uint64_t s;

	slots_setup();
	a = area_make(9, NULL, 0);			/* mkswap's smallest: 40 KiB */
	CHECK_EQ(swap_slots_alloc(a, 16, &s), 9);
	CHECK_EQ(s, 1);
	CHECK_EQ(swap_slots_alloc(a, 1, &s), -ENOSPC);
	CHECK_EQ(swap_slots_alloc(a, 1, &s), -ENOSPC);
	CHECK_EQ(swap_area_destroy(a), -EBUSY);
	swap_slot_free(a, 4);
	CHECK_EQ(swap_slots_alloc(a, 16, &s), 1);
	CHECK_EQ(s, 4);
	CHECK_EQ(swap_slots_check(a), 0);
	area_drop(a);
	slots_done();
}

TEST(slots_misuse_panics_and_leaves_the_area_usable)
{
	struct swap_area *a;
	uint64_t s;

	slots_setup();
	a = area_make(300, (const uint32_t[]){ 7 }, 1);
	s = alloc1(a);
	EXPECT_PANIC(swap_slot_free(a, s + 1));
	CHECK(strstr(host_panic_msg, "swap_slot_free: slot 2 of swap area -1 is not in use"));
	EXPECT_PANIC(swap_slot_dup(a, s + 1));
	CHECK(strstr(host_panic_msg, "swap_slot_dup: slot 2"));
	EXPECT_PANIC(swap_slot_free(a, 0));		/* the header */
	EXPECT_PANIC(swap_slot_free(a, 7));		/* a bad page */
	EXPECT_PANIC(swap_slot_free(a, 301));		/* past the end */
	EXPECT_PANIC(swap_slot_refs(a, 301));
	EXPECT_PANIC(swap_entry_free(swap_entry(5, 1)));	/* no area 5 */
	EXPECT_PANIC(swap_entry_free(SWAP_ENTRY_NONE));
	CHECK_EQ(swap_slot_free(a, s), 0);		/* the lock was let go */
	CHECK_EQ(swap_slots_check(a), 0);
	area_drop(a);
	slots_done();
}

TEST(slots_check_catches_a_broken_map)
{
	struct swap_area *a;
	uint64_t s;

	slots_setup();
	a = area_make(600, NULL, 0);
	s = alloc1(a);
	a->refs[s + 1] = 1;				/* a slot nobody counted */
	EXPECT_PANIC(swap_slots_check(a));
	CHECK(strstr(host_panic_msg, "cluster 0 counts 1 used"));
	a->refs[s + 1] = 0;
	a->clusters[2].flags &= ~SWAP_CL_FREE;		/* a free cluster lost */
	EXPECT_PANIC(swap_slots_check(a));
	CHECK(strstr(host_panic_msg, "cluster 2 free flag"));
	a->clusters[2].flags |= SWAP_CL_FREE;
	CHECK_EQ(swap_slots_check(a), 0);
	area_drop(a);
	slots_done();
}

/* ------------------------------------------------------------ all areas */

TEST(entries_pack_area_and_slot)
{
	swap_entry_t e = swap_entry(31, 0xffffffffULL);

	CHECK_EQ(swap_entry_area(e), 31);
	CHECK_EQ(swap_entry_slot(e), 0xffffffffULL);
	CHECK_EQ(e.val, 0x1fffffffffULL);
	e = swap_entry(0, 1);
	CHECK_EQ(swap_entry_area(e), 0);
	CHECK_EQ(swap_entry_slot(e), 1);
	CHECK(!swap_entry_is_none(e));
	CHECK(swap_entry_is_none(SWAP_ENTRY_NONE));
	CHECK(swap_entry_is_none(swap_entry(0, 0)));
}

TEST(areas_higher_priority_first)
{
	struct swap_area *lo, *hi;
	uint64_t total, free;
	swap_entry_t e;
	int ilo, ihi;

	slots_setup();
	lo = area_make(9, NULL, 0);
	hi = area_make(9, NULL, 0);
	ilo = swap_area_register(lo, 5);
	ihi = swap_area_register(hi, 10);
	CHECK_EQ(ilo, 0);
	CHECK_EQ(ihi, 1);
	CHECK(swap_area_lookup(1) == hi);
	for (uint64_t i = 1; i <= 9; i++) {
		CHECK_EQ(swap_slot_alloc_any(1, &e), 1);
		CHECK_EQ(swap_entry_area(e), ihi);
		CHECK_EQ(swap_entry_slot(e), i);
	}
	swap_slots_totals(&total, &free);
	CHECK_EQ(total, 18);
	CHECK_EQ(free, 9);
	CHECK_EQ(swap_slot_alloc_any(4, &e), 4);	/* hi is full: lo */
	CHECK_EQ(swap_entry_area(e), ilo);
	CHECK_EQ(swap_slot_alloc_any(8, &e), 5);
	CHECK_EQ(swap_slot_alloc_any(1, &e), -ENOSPC);
	CHECK_EQ(swap_slot_alloc_any(0, &e), -EINVAL);
	CHECK_EQ(swap_entry_free(swap_entry(ihi, 3)), 0);
	CHECK_EQ(swap_slot_alloc_any(1, &e), 1);	/* hi again */
	CHECK_EQ(e.val, swap_entry(ihi, 3).val);
	CHECK_EQ(swap_entry_dup(e), 0);
	CHECK_EQ(swap_entry_refs(e), 2);
	CHECK_EQ(swap_areas_check(), 0);
	area_drop(lo);
	area_drop(hi);
	slots_done();
}

TEST(areas_of_equal_priority_take_turns)
{
	struct swap_area *a[3], *top;
	uint64_t next[3] = { 1, 1, 1 }, total, free;
	swap_entry_t e;

	slots_setup();
	for (int i = 0; i < 3; i++) {
		a[i] = area_make(1000, NULL, 0);
		CHECK_EQ(swap_area_register(a[i], 3), i);
	}
	for (int i = 0; i < 30; i++) {
		unsigned int k = i % 3;

		CHECK_EQ(swap_slot_alloc_any(2, &e), 2);
		CHECK_EQ(swap_entry_area(e), k);
		CHECK_EQ(swap_entry_slot(e), next[k]);	/* each area in order */
		next[k] += 2;
	}
	/* a disabled area is passed over, and counts nowhere */
	top = area_make(1000, NULL, 0);
	CHECK_EQ(swap_area_register(top, 7), 3);
	swap_area_disable(top);
	swap_slots_totals(&total, &free);
	CHECK_EQ(total, 3000);
	CHECK_EQ(free, 3000 - 60);
	CHECK_EQ(swap_slot_alloc_any(1, &e), 1);
	CHECK_EQ(swap_entry_area(e), 0);
	swap_area_enable(top);
	CHECK_EQ(swap_slot_alloc_any(1, &e), 1);
	CHECK_EQ(swap_entry_area(e), 3);
	CHECK_EQ(swap_areas_check(), 0);
	for (int i = 0; i < 3; i++)
		area_drop(a[i]);
	area_drop(top);
	slots_done();
}

TEST(areas_automatic_priorities_as_linux)
{
	struct swap_area *a[4];

	slots_setup();
	for (int i = 0; i < 4; i++)
		a[i] = area_make(50, NULL, 0);
	CHECK_EQ(swap_area_register(a[0], SWAP_PRIO_AUTO), 0);
	CHECK_EQ(swap_area_register(a[1], SWAP_PRIO_AUTO), 1);
	CHECK_EQ(swap_area_register(a[2], SWAP_PRIO_AUTO), 2);
	CHECK_EQ(a[0]->prio, -2);
	CHECK_EQ(a[1]->prio, -3);
	CHECK_EQ(a[2]->prio, -4);
	CHECK_EQ(swap_area_register(a[1], 4), -EINVAL);	/* already in */
	CHECK_EQ(swap_area_register(a[3], -5), -EINVAL);
	CHECK_EQ(swap_area_register(a[3], SWAP_PRIO_MAX + 1), -EINVAL);
	CHECK_EQ(swap_area_unregister(a[3]), -EINVAL);	/* not in */
	CHECK_EQ(swap_area_unregister(a[0]), 0);	/* the others move up */
	CHECK_EQ(a[1]->prio, -2);
	CHECK_EQ(a[2]->prio, -3);
	CHECK_EQ(swap_area_register(a[3], SWAP_PRIO_AUTO), 0);	/* index reused */
	CHECK_EQ(a[3]->prio, -4);
	CHECK_EQ(swap_areas_check(), 0);
	for (int i = 0; i < 4; i++)
		area_drop(a[i]);
	slots_done();
}

TEST(areas_busy_or_too_many)
{
	struct swap_area *a[SWAP_AREAS_MAX + 1];
	swap_entry_t e;

	slots_setup();
	for (int i = 0; i <= SWAP_AREAS_MAX; i++)
		a[i] = area_make(20, NULL, 0);
	for (int i = 0; i < SWAP_AREAS_MAX; i++)
		CHECK_EQ(swap_area_register(a[i], i), i);
	CHECK_EQ(swap_area_register(a[SWAP_AREAS_MAX], 1), -EPERM);
	CHECK_EQ(swap_slot_alloc_any(1, &e), 1);		/* prio 31 */
	CHECK_EQ(swap_entry_area(e), SWAP_AREAS_MAX - 1);
	CHECK_EQ(swap_area_unregister(a[SWAP_AREAS_MAX - 1]), -EBUSY);
	CHECK_EQ(swap_entry_free(e), 0);
	CHECK_EQ(swap_area_unregister(a[SWAP_AREAS_MAX - 1]), 0);
	CHECK(swap_area_lookup(SWAP_AREAS_MAX - 1) == NULL);
	CHECK_EQ(swap_areas_check(), 0);
	for (int i = 0; i <= SWAP_AREAS_MAX; i++)
		area_drop(a[i]);
	slots_done();
}

/* ------------------------------------------------------------ model */

/*
 * Random alloc / dup / free against an array of reference counts, with the
 * checker after every operation; the area is small enough to fill, so
 * exhaustion and the fragmented case are exercised too.
 */
TEST(slots_random_against_a_model)
{
	static const uint32_t bad[] = { 2, 255, 256, 257, 600, 1021, 1300 };
	enum { LAST = 1300, OPS = 20000 };
	static uint32_t model[LAST + 1];
	static uint64_t live[LAST + 1];		/* slots in use, in any order */
	uint64_t nlive = 0, s;
	struct swap_area *a;

	slots_setup();
	rng_state = 0x5eed5a9;
	memset(model, 0, sizeof(model));
	a = area_make(LAST, bad, ARRAY_SIZE(bad));
	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++)
		model[bad[i]] = SWAP_REF_BAD;
	model[0] = SWAP_REF_BAD;
	for (int op = 0; op < OPS; op++) {
		uint64_t r = rng() % 100;

		if (r < 45 || nlive == 0) {
			unsigned int n = 1 + rng() % 16;
			int got = swap_slots_alloc(a, n, &s);

			if (got == -ENOSPC) {
				CHECK_EQ(nlive, LAST - ARRAY_SIZE(bad));
				continue;
			}
			CHECK(got >= 1 && got <= (int)n);
			for (uint64_t i = s; i < s + got && i <= LAST; i++) {
				CHECK_EQ(model[i], 0);
				model[i] = 1;
				live[nlive++] = i;
			}
		} else {
			uint64_t k = rng() % nlive;

			s = live[k];
			if (r < 60) {
				CHECK_EQ(swap_slot_dup(a, s), 0);
				model[s]++;
			} else {
				CHECK_EQ(swap_slot_free(a, s), --model[s]);
				if (model[s] == 0)
					live[k] = live[--nlive];
			}
		}
		CHECK_EQ(swap_slots_check(a), 0);
		CHECK_EQ(swap_area_inuse(a), nlive);
		if (op % 1000 == 0)
			for (uint64_t i = 0; i <= LAST; i++)
				CHECK_EQ(swap_slot_refs(a, i), model[i]);
	}
	area_drop(a);
	slots_done();
}

/* The two halves together: a real mkswap header with bad pages, in use. */
TEST(slots_of_a_real_mkswap_area)
{
	struct swap_info_hdr h;
	struct swap_area *a;
	struct img im;
	swap_entry_t e;
	uint64_t count = 0;
	int got, idx;

	slots_setup();
	CHECK_EQ(mkswap_image("-L kilburn", 2 * MiB, 0, &im), 0);
	im.h.nr_badpages = 2;
	im.h.badpages[0] = 1;
	im.h.badpages[1] = 300;
	CHECK_EQ(parse(&im, &h), 0);
	CHECK_EQ(swap_area_create(&h, &a), 0);
	CHECK(strcmp(a->label, "kilburn") == 0);
	CHECK(memcmp(a->uuid, im.h.uuid, 16) == 0);
	idx = swap_area_register(a, SWAP_PRIO_AUTO);
	CHECK_EQ(idx, 0);
	CHECK_EQ(swap_slot_alloc_any(4, &e), 4);
	CHECK_EQ(swap_entry_slot(e), 2);		/* 0 header, 1 bad */
	count = 4;
	while ((got = swap_slot_alloc_any(64, &e)) > 0) {
		CHECK(swap_entry_slot(e) > 300 || swap_entry_slot(e) + got <= 300);
		count += got;
	}
	CHECK_EQ(count, 511 - 2);
	CHECK_EQ(swap_slots_check(a), 0);
	area_drop(a);
	slots_done();
}
