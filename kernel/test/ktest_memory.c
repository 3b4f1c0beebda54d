/*
 * Self-tests of the frame and object allocators under load on every hart at
 * once: each hart allocates and frees blocks in a random pattern, writes its
 * own signature into every block it holds and checks it is still intact
 * before freeing it. Afterwards the allocator's invariants hold and (checked
 * by the runner) no frame is missing.
 */
#include "env.h"
#include "arch/riscv/cpu.h"
#include "arch/riscv/smp.h"
#include "kern/ktest.h"
#include "vm/kmem.h"
#include "vm/pmm.h"

#define HELD_MAX	48
#define ROUNDS		3000

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t signature(int cpu, int slot)
{
	return 0x4b494c4200000000ULL | (uint64_t)cpu << 16 | slot;
}

struct pmm_stress {
	volatile int errors;
};

static bool block_intact(struct page *pg, unsigned int order, uint64_t sig)
{
	uint64_t *w = page_to_virt(pg);
	uint64_t words = (PAGE_SIZE << order) / 8;

	return w[0] == sig && w[words - 1] == sig && w[words / 2] == sig;
}

static void pmm_stress_hart(void *arg)
{
	struct pmm_stress *st = arg;
	struct page *held[HELD_MAX] = { 0 };
	unsigned int order[HELD_MAX];
	int cpu = this_cpu_id();
	uint64_t rng = 0x9e3779b97f4a7c15ULL * (cpu + 1);

	for (int r = 0; r < ROUNDS; r++) {
		int i = rng_next(&rng) % HELD_MAX;

		if (held[i]) {
			if (!block_intact(held[i], order[i], signature(cpu, i)))
				__atomic_add_fetch(&st->errors, 1, __ATOMIC_RELAXED);
			pmm_free_order(held[i], order[i]);
			held[i] = NULL;
			continue;
		}
		order[i] = rng_next(&rng) % 8 == 0 ? rng_next(&rng) % 4 : 0;
		held[i] = pmm_alloc_order(order[i], 0);
		if (held[i]) {
			uint64_t *w = page_to_virt(held[i]);
			uint64_t words = (PAGE_SIZE << order[i]) / 8;

			for (uint64_t k = 0; k < words; k++)
				w[k] = signature(cpu, i);
		}
	}
	for (int i = 0; i < HELD_MAX; i++)
		if (held[i])
			pmm_free_order(held[i], order[i]);
	pmm_drain_cache(cpu);
}

KTEST(pmm_stress_on_all_harts)
{
	struct pmm_stress st = { 0 };

	smp_call_all(pmm_stress_hart, &st);
	KT_CHECK_EQ(st.errors, 0);
	KT_CHECK_EQ(pmm_check(), 0);
}

KTEST(pmm_zeroed_frames_are_zero)
{
	struct page *pg = pmm_alloc(0);

	KT_CHECK(pg != NULL);
	if (!pg)
		return;
	memset(page_to_virt(pg), 0xa5, PAGE_SIZE);
	pmm_free(pg);
	for (int n = 0; n < 64; n++) {
		struct page *z = pmm_alloc(PMM_ZERO);
		const uint64_t *w = page_to_virt(z);
		uint64_t acc = 0;

		for (size_t k = 0; k < PAGE_SIZE / 8; k++)
			acc |= w[k];
		KT_CHECK_EQ(acc, 0);
		pmm_free(z);
	}
}

KTEST(pmm_largest_block_is_aligned)
{
	struct page *pg = pmm_alloc_order(PMM_MAX_ORDER, 0);

	KT_CHECK(pg != NULL);
	if (!pg)
		return;
	KT_CHECK(IS_ALIGNED(page_to_pa(pg), PAGE_SIZE << PMM_MAX_ORDER));
	KT_CHECK_EQ(pa_to_page(page_to_pa(pg)), pg);
	pmm_free_order(pg, PMM_MAX_ORDER);
}

static const size_t kmalloc_sizes[] = {
	1, 8, 24, 64, 100, 128, 200, 512, 1000, 2048, 4000, 8192, 12000, 70000
};

static void kmem_stress_hart(void *arg)
{
	struct pmm_stress *st = arg;
	unsigned char *held[HELD_MAX] = { 0 };
	size_t size[HELD_MAX];
	int cpu = this_cpu_id();
	uint64_t rng = 0x2545f4914f6cdd1dULL * (cpu + 3);

	for (int r = 0; r < ROUNDS; r++) {
		int i = rng_next(&rng) % HELD_MAX;
		unsigned char tag = (unsigned char)(cpu * 31 + i);

		if (held[i]) {
			if (held[i][0] != tag || held[i][size[i] - 1] != tag)
				__atomic_add_fetch(&st->errors, 1, __ATOMIC_RELAXED);
			kfree(held[i]);
			held[i] = NULL;
			continue;
		}
		size[i] = kmalloc_sizes[rng_next(&rng) % ARRAY_SIZE(kmalloc_sizes)];
		held[i] = kmalloc(size[i], 0);
		if (held[i])
			memset(held[i], tag, size[i]);
	}
	for (int i = 0; i < HELD_MAX; i++)
		kfree(held[i]);
	pmm_drain_cache(cpu);
}

KTEST(kmalloc_stress_on_all_harts)
{
	struct pmm_stress st = { 0 };

	smp_call_all(kmem_stress_hart, &st);
	KT_CHECK_EQ(st.errors, 0);
}

KTEST(kmem_cache_lifecycle)
{
	struct kmem_cache *c = kmem_cache_create("ktest-obj", 72, 8);
	void *objs[100];

	KT_CHECK(c != NULL);
	if (!c)
		return;
	for (int i = 0; i < 100; i++) {
		objs[i] = kmem_cache_alloc(c, KM_ZERO);
		KT_CHECK(objs[i] != NULL);
		KT_CHECK(((unsigned char *)objs[i])[71] == 0);
	}
	KT_CHECK_EQ(kmem_cache_inuse(c), 100);
	KT_CHECK_EQ(kmem_cache_destroy(c), -EBUSY);
	for (int i = 0; i < 100; i++)
		kmem_cache_free(c, objs[i]);
	KT_CHECK_EQ(kmem_cache_destroy(c), 0);
}
