/*
 * A model test of the fault path under interleavings: host threads play
 * harts (each its own host_cpu_id) running one address space, or a forked
 * pair, and call the real vm_fault (kernel/vm/fault.c) at once on the same
 * pages, over the real locks of the host shim (spinlocks from atomics,
 * mutexes that wait; host/env) and the software pmap, whose calls are
 * atomic under a lock per pmap (host/env/pmap_soft.c).
 *
 * A hart touches user memory as the hardware would: a load or a store
 * goes through the pmap (pmap_soft_load, pmap_soft_store: translation and
 * copy in one critical section of the pmap's lock, a TLB that is always
 * coherent), and only when the pmap refuses it does the hart call
 * vm_fault, then tries again.
 *
 * Interleavings: every lock and unlock of the shim is a scheduling point
 * (host_sched_point, host/env/env.h) where a hart yields or spins now and
 * then, drawn from its own seed. Each scenario runs many rounds; round r
 * of a run seeded S gives hart i the seed mix(S, r, i). The seed is printed
 * at the start of each scenario, and FAULT_MT_SEED=S (and FAULT_MT_ROUNDS=n)
 * run it again: the delays repeat, the host's own scheduling does not, so a
 * failure found this way comes back often, not surely.
 *
 * The scenarios (docs/testing.md, docs/vm.md say what they prove):
 *   - first touch: N harts read and write the same untouched pages at
 *     once: one frame and one mapping per page, every write kept;
 *   - copy-on-write after a fork, raced by harts of one side, of both
 *     sides, or by the child's exit: one copy where one is enough, the
 *     other side keeps the original frame, each side sees only its own
 *     writes;
 *   - a fault racing munmap or mprotect of the same range by another hart:
 *     a store that starts after the call returned never lands, the fault
 *     then fails with the right result, no mapping is left in an unmapped
 *     range, and no frame leaks;
 *   - stores racing MADV_DONTNEED (none made after it is lost) and fork
 *     (the child keeps what the pages held when fork returned);
 *   - two address spaces touching the same shared memory first: one frame
 *     per page, mapped by both.
 * Page-out does not run on the host (host/env/pageout_stub.c), so nothing
 * here races an eviction or a swap-in.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>

#include "test.h"
#include "pmap_soft.h"
#include "vm/amap.h"
#include "vm/anon.h"
#include "vm/kmem.h"
#include "vm/pmm.h"
#include "vm/vmspace.h"
#include "vm/vmstat.h"
#include "vm/vobject.h"

#define RAM_BASE	0x80000000UL
#define RAM_SIZE	(32UL << 20)

#define P		PAGE_SIZE
#define R_		VM_PROT_READ
#define W_		VM_PROT_WRITE
#define RW		(VM_PROT_READ | VM_PROT_WRITE)

#define MAX_HARTS	7		/* the pmm's NCPU_MAX is 8; cpu 0 is the test's */
#define BASE		0x10000UL	/* where each round maps its region */
#define SLOT		64		/* bytes of a page that belong to one hart */

static uint64_t frames_at_start;
static uint64_t run_seed = 1;		/* FAULT_MT_SEED */
static unsigned int run_rounds = 150;	/* FAULT_MT_ROUNDS */

/* ------------------------------------------------------------ setup */

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t z = a + 0x9e3779b97f4a7c15ULL * (b + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31)) | 1;	/* never 0: 0 turns the delays off */
}

/* The pmm, kmem and VM once per run; each scenario notes its free frames. */
static void setup(const char *name)
{
	static bool ready;
	const char *s;

	if (!ready) {
		struct pmm_range r = { RAM_BASE, RAM_SIZE };
		struct vmspace *vm;

		host_fake_ram(RAM_BASE, RAM_SIZE);
		if (pmm_init(&r, 1, NULL, 0) != 0)
			exit(2);
		kmem_init();
		vm_init();
		/* the amap caches come on first use: warm them up */
		vm = vmspace_create();
		mutex_lock(&vm->lock);
		if (vmspace_map(vm, BASE, P, RW, VM_PROT_ALL, 0, NULL, 0, 0) != 0)
			exit(2);
		mutex_unlock(&vm->lock);
		if (vm_fault(vm, BASE, W_) != FAULT_OK)
			exit(2);
		vmspace_destroy(vm);
		if ((s = getenv("FAULT_MT_SEED")) && *s)
			run_seed = strtoull(s, NULL, 0);
		if ((s = getenv("FAULT_MT_ROUNDS")) && *s)
			run_rounds = (unsigned int)strtoul(s, NULL, 0);
		ready = true;
	}
	host_cpu_id = 0;
	kmem_reclaim();
	frames_at_start = pmm_free_frames();
	printf("  %s: seed %#lx, %u rounds (FAULT_MT_SEED=%#lx replays)\n", name,
	       (unsigned long)run_seed, run_rounds, (unsigned long)run_seed);
}

/* Every frame and anon back, no pmap left (cpu 0, no hart running). */
static bool no_frame_leaked(void)
{
	kmem_reclaim();
	if (pmm_free_frames() != frames_at_start)
		printf("  %ld frames leaked\n",
		       (long)(frames_at_start - pmm_free_frames()));
	if (anon_count() != 0)
		printf("  %lu anons leaked\n", (unsigned long)anon_count());
	return pmm_free_frames() == frames_at_start && pmm_check() == 0 &&
	       pmap_soft_live() == 0 && anon_count() == 0;
}

/* vmspace_check under vm->lock; a broken invariant is a failure, not an abort. */
static bool vm_ok(struct vmspace *vm)
{
	jmp_buf jb;
	volatile bool ok = false;

	mutex_lock(&vm->lock);
	if (setjmp(jb) == 0) {
		host_panic_jmp = &jb;
		ok = vmspace_check(vm) == 0;
		host_panic_jmp = NULL;
	} else {
		printf("  %s\n", host_panic_msg);
	}
	mutex_unlock(&vm->lock);
	return ok;
}

static int map_anon(struct vmspace *vm, vaddr_t start, uint64_t len)
{
	int err;

	mutex_lock(&vm->lock);
	err = vmspace_map(vm, start, len, RW, VM_PROT_ALL, 0, NULL, 0, 0);
	mutex_unlock(&vm->lock);
	return err;
}

/* The anon of va's private page, or NULL (vm->lock held). */
static struct anon *anon_at(struct vmspace *vm, vaddr_t va)
{
	struct region *r = vmspace_find(vm, va);

	if (!r || !r->amap)
		return NULL;
	return amap_lookup(r->amap, r->amap_pgoff + ((va - r->start) >> PAGE_SHIFT));
}

/* The frame of va's private page, or NULL. */
static struct page *private_page(struct vmspace *vm, vaddr_t va)
{
	struct anon *an;
	struct page *pg;

	mutex_lock(&vm->lock);
	an = anon_at(vm, va);
	pg = an ? an->page : NULL;
	mutex_unlock(&vm->lock);
	return pg;
}

/* Pages mapped in [start, end), and how many of them writable. */
struct range_count {
	vaddr_t start, end;
	unsigned int mapped, writable;
};

static void count_one(vaddr_t va, paddr_t pa, unsigned int prot, void *arg)
{
	struct range_count *c = arg;

	if (va < c->start || va >= c->end)
		return;
	c->mapped++;
	c->writable += !!(prot & W_);
}

static struct range_count count_range(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	struct range_count c = { start, end, 0, 0 };

	pmap_soft_foreach(vm->pmap, count_one, &c);
	return c;
}

/* ------------------------------------------------------------ harts */

struct round;

struct hart {
	pthread_t thread;
	unsigned int id;		/* 0 .. n-1 in its round */
	uint64_t seed;			/* its delays' and choices' */
	uint64_t rng;			/* its choices */
	struct round *rd;
	void (*run)(struct hart *h);
	struct vmspace *vm;		/* the address space it runs */
	int errors;
	char first[160];		/* the first error */
	unsigned int landed, refused;	/* stores into the raced range */
	uint8_t last[8];		/* the last value it stored in each page */
	bool last_after[8];		/* ... and whether it began after the call */
};

/* What the harts of one round share. */
struct round {
	unsigned int index;
	pthread_barrier_t start;
	struct vmspace *vm, *child;
	unsigned int npages;
	vaddr_t lo, hi;			/* the range unmapped or protected */
	bool done;			/* atomic: the racing call returned */
	unsigned int stores;		/* atomic: stores the harts began */
	uint8_t gen;			/* values of this round */
};

static void hart_fail(struct hart *h, const char *fmt, ...) __printf(2, 3);
static void hart_fail(struct hart *h, const char *fmt, ...)
{
	va_list ap;

	if (h->errors++ == 0) {
		va_start(ap, fmt);
		vsnprintf(h->first, sizeof(h->first), fmt, ap);
		va_end(ap);
	}
}

static uint64_t hart_rand(struct hart *h)
{
	return test_xorshift(&h->rng);
}

static void *hart_main(void *arg)
{
	struct hart *h = arg;

	host_cpu_id = h->id + 1;
	h->rng = h->seed;
	host_sched_seed = h->seed;
	pthread_barrier_wait(&h->rd->start);
	h->run(h);
	host_sched_seed = 0;
	return NULL;
}

/*
 * Run n harts (h[i].run and h[i].vm set by the caller) to the end of the
 * round; returns the errors they found, printing the first of each.
 */
static int run_harts(struct round *rd, struct hart *h, unsigned int n)
{
	int errors = 0;

	pthread_barrier_init(&rd->start, NULL, n);
	for (unsigned int i = 0; i < n; i++) {
		h[i].id = i;
		h[i].rd = rd;
		h[i].seed = mix(mix(run_seed, rd->index), i);
		h[i].errors = 0;
		if (pthread_create(&h[i].thread, NULL, hart_main, &h[i]) != 0)
			exit(2);
	}
	for (unsigned int i = 0; i < n; i++) {
		pthread_join(h[i].thread, NULL);
		if (h[i].errors)
			printf("  round %u, hart %u (seed %#lx): %s\n", rd->index, i,
			       (unsigned long)h[i].seed, h[i].first);
		errors += h[i].errors;
	}
	pthread_barrier_destroy(&rd->start);
	return errors;
}

/*
 * A store of one byte at va by a hart, as the hardware makes it: through
 * the pmap, calling vm_fault when the pmap refuses. Returns FAULT_OK once
 * the byte landed, or the fault's failure.
 */
static enum fault_result hart_store(struct hart *h, vaddr_t va, uint8_t v)
{
	for (int tries = 0; tries < 1000; tries++) {
		enum fault_result res;

		if (pmap_soft_store(h->vm->pmap, va, &v, 1))
			return FAULT_OK;
		res = vm_fault(h->vm, va, W_);
		if (res != FAULT_OK)
			return res;
		/* resolved, but another hart may have taken it away again */
	}
	hart_fail(h, "store at %#lx: the fault never made it writable",
		  (unsigned long)va);
	return FAULT_IO;
}

/* A load of one byte at va into *v; as hart_store. */
static enum fault_result hart_load(struct hart *h, vaddr_t va, uint8_t *v)
{
	for (int tries = 0; tries < 1000; tries++) {
		enum fault_result res;

		if (pmap_soft_load(h->vm->pmap, va, v, 1))
			return FAULT_OK;
		res = vm_fault(h->vm, va, R_);
		if (res != FAULT_OK)
			return res;
	}
	hart_fail(h, "load at %#lx: the fault never made it readable",
		  (unsigned long)va);
	return FAULT_IO;
}

/* The value hart `id` writes into its slot of page p in round rd. */
static uint8_t slot_value(const struct round *rd, unsigned int id, unsigned int p)
{
	return (uint8_t)(0x11 + rd->gen + id * 7 + p * 3) | 1;
}

/* ------------------------------------------------------------ first touch */

#define FT_HARTS	4
#define FT_PAGES	6

/*
 * A hart visits every page in its own random order: a load first (half the
 * time), a store into its own slot, then loads of its slot (its write must
 * stay) and of the others' (zero, or their value; never another value).
 */
static void first_touch_run(struct hart *h)
{
	struct round *rd = h->rd;
	unsigned int order[FT_PAGES];

	for (unsigned int p = 0; p < rd->npages; p++)
		order[p] = p;
	for (unsigned int p = rd->npages - 1; p > 0; p--) {
		unsigned int q = hart_rand(h) % (p + 1), t = order[p];

		order[p] = order[q];
		order[q] = t;
	}
	for (unsigned int k = 0; k < rd->npages; k++) {
		unsigned int p = order[k];
		vaddr_t page = BASE + p * P;
		uint8_t v = slot_value(rd, h->id, p), got;

		if ((hart_rand(h) & 1) && hart_load(h, page + h->id * SLOT, &got) != FAULT_OK)
			hart_fail(h, "first load of page %u failed", p);
		if (hart_store(h, page + h->id * SLOT, v) != FAULT_OK)
			hart_fail(h, "store to page %u failed", p);
		for (unsigned int j = 0; j < FT_HARTS; j++) {
			uint8_t want = slot_value(rd, j, p);

			if (hart_load(h, page + j * SLOT, &got) != FAULT_OK) {
				hart_fail(h, "load of page %u failed", p);
				continue;
			}
			if (j == h->id && got != v)
				hart_fail(h, "page %u: my write is lost (%#x)", p, got);
			else if (j != h->id && got != 0 && got != want)
				hart_fail(h, "page %u, slot %u: %#x", p, j, got);
		}
	}
	/* every write of mine is still there at the end */
	for (unsigned int p = 0; p < rd->npages; p++) {
		uint8_t got = 0;

		hart_load(h, BASE + p * P + h->id * SLOT, &got);
		if (got != slot_value(rd, h->id, p))
			hart_fail(h, "page %u: my write is lost at the end (%#x)", p, got);
	}
}

/*
 *   BASE [ p0 | p1 | ... | p5 ]  private anonymous, untouched
 *          ^    ^          ^
 *        4 harts load and store each page at once, in their own orders
 */
TEST(first_touch_of_the_same_pages_maps_one_frame_each)
{
	int errors = 0;

	setup("first touch");
	for (unsigned int r = 0; r < run_rounds && errors == 0; r++) {
		struct round rd = { .index = r, .npages = FT_PAGES, .gen = (uint8_t)r };
		struct hart h[FT_HARTS];
		uint64_t fills = vmstat_read(VMSTAT_ZERO_FILL);
		struct range_count c;

		rd.vm = vmspace_create();
		CHECK(rd.vm && map_anon(rd.vm, BASE, FT_PAGES * P) == 0);
		for (unsigned int i = 0; i < FT_HARTS; i++)
			h[i] = (struct hart){ .vm = rd.vm, .run = first_touch_run };
		errors += run_harts(&rd, h, FT_HARTS);
		/* one zero fill, one anon, one writable mapping per page */
		CHECK_EQ(vmstat_read(VMSTAT_ZERO_FILL) - fills, FT_PAGES);
		CHECK_EQ(anon_count(), FT_PAGES);
		c = count_range(rd.vm, BASE, BASE + FT_PAGES * P);
		CHECK_EQ(c.mapped, FT_PAGES);
		CHECK_EQ(c.writable, FT_PAGES);
		for (unsigned int p = 0; p < FT_PAGES; p++) {
			vaddr_t va = BASE + p * P;
			struct page *pg = private_page(rd.vm, va);
			paddr_t pa = 0;
			uint8_t *data;

			CHECK(pg && pmap_extract(rd.vm->pmap, va, &pa, NULL) &&
			      pa == page_to_pa(pg));
			if (!pg)
				continue;
			CHECK_EQ(page_mapcount(pg), 1);
			data = page_to_virt(pg);
			for (unsigned int i = 0; i < P; i++) {
				unsigned int id = i / SLOT;
				uint8_t want = i % SLOT == 0 && id < FT_HARTS ?
					       slot_value(&rd, id, p) : 0;

				if (data[i] != want) {
					printf("  round %u: page %u byte %u is %#x, not %#x\n",
					       r, p, i, data[i], want);
					errors++;
					break;
				}
			}
		}
		CHECK(vm_ok(rd.vm));
		vmspace_destroy(rd.vm);
		if (!no_frame_leaked())
			errors++;
	}
	CHECK_EQ(errors, 0);
}

/* ------------------------------------------------------------ copy-on-write */

#define COW_PAGES	4
#define COW_HARTS	4

static uint8_t cow_pattern(unsigned int p)
{
	return (uint8_t)(0xa0 + p);
}

/*
 * A hart writes its slot of every page of its side (parent or child; ids
 * are per side), then checks each page shows the pattern, its own writes
 * and, in the others' slots, the pattern or a value of a hart of its own
 * side: never one of the other side.
 */
static void cow_write_run(struct hart *h)
{
	struct round *rd = h->rd;
	bool child = h->vm == rd->child;
	unsigned int side_id = h->id;		/* slot index on its side */

	if (child)
		side_id += MAX_HARTS;		/* child slots are apart */
	for (unsigned int k = 0; k < rd->npages; k++) {
		unsigned int p = (k + h->id) % rd->npages;
		uint8_t v = slot_value(rd, side_id, p);

		if (hart_store(h, BASE + p * P + side_id * SLOT, v) != FAULT_OK)
			hart_fail(h, "store to page %u failed", p);
	}
	for (unsigned int p = 0; p < rd->npages; p++) {
		for (unsigned int j = 0; j < 2 * MAX_HARTS; j++) {
			bool mine = j == side_id;
			bool my_side = (j >= MAX_HARTS) == child;
			uint8_t got;

			if (hart_load(h, BASE + p * P + j * SLOT, &got) != FAULT_OK) {
				hart_fail(h, "load of page %u failed", p);
				continue;
			}
			if (mine && got != slot_value(rd, j, p))
				hart_fail(h, "page %u: my write is lost (%#x)", p, got);
			else if (!mine && got != cow_pattern(p) &&
				 (!my_side || got != slot_value(rd, j, p)))
				hart_fail(h, "page %u slot %u: %#x (the other side's?)",
					  p, j, got);
		}
	}
}

/* A hart that only reads its side's pages, checking as cow_write_run. */
static void cow_read_run(struct hart *h)
{
	struct round *rd = h->rd;
	bool child = h->vm == rd->child;

	for (int pass = 0; pass < 3; pass++) {
		for (unsigned int p = 0; p < rd->npages; p++) {
			for (unsigned int j = 0; j < 2 * MAX_HARTS; j++) {
				bool my_side = (j >= MAX_HARTS) == child;
				uint8_t got;

				if (hart_load(h, BASE + p * P + j * SLOT, &got) != FAULT_OK) {
					hart_fail(h, "load of page %u failed", p);
					continue;
				}
				if (got != cow_pattern(p) &&
				    (!my_side || got != slot_value(rd, j, p)))
					hart_fail(h, "page %u slot %u: %#x", p, j, got);
			}
		}
	}
}

/* The child exits (its address space goes) while the parent's harts write. */
static void cow_exit_run(struct hart *h)
{
	struct round *rd = h->rd;

	for (unsigned int i = hart_rand(h) % 2000; i > 0; i--)
		__asm__ volatile("" ::: "memory");
	vmspace_destroy(rd->child);
}

/*
 * A parent with COW_PAGES written pages and its fork; the frames it
 * started with in orig[].
 */
static void cow_start(struct round *rd, paddr_t *orig)
{
	rd->vm = vmspace_create();
	if (!rd->vm || map_anon(rd->vm, BASE, rd->npages * P) != 0)
		exit(2);
	for (unsigned int p = 0; p < rd->npages; p++) {
		uint8_t fill[P];

		memset(fill, cow_pattern(p), P);
		if (vm_fault(rd->vm, BASE + p * P, W_) != FAULT_OK)
			exit(2);
		memcpy(page_to_virt(private_page(rd->vm, BASE + p * P)), fill, P);
		orig[p] = page_to_pa(private_page(rd->vm, BASE + p * P));
	}
	rd->child = vmspace_fork(rd->vm);
	if (!rd->child)
		exit(2);
}

/*
 * Does page p of vm hold the pattern, and in the slots of `slots` (bit j:
 * slot j) the values their harts wrote?
 */
static bool cow_page_is(struct round *rd, struct vmspace *vm, unsigned int p,
			uint32_t slots)
{
	struct page *pg = private_page(vm, BASE + p * P);
	uint8_t *data;

	if (!pg)
		return false;
	data = page_to_virt(pg);
	for (unsigned int i = 0; i < P; i++) {
		unsigned int j = i / SLOT;
		uint8_t want = i % SLOT == 0 && j < 32 && (slots >> j & 1) ?
			       slot_value(rd, j, p) : cow_pattern(p);

		if (data[i] != want) {
			printf("  round %u: page %u byte %u is %#x, not %#x\n",
			       rd->index, p, i, data[i], want);
			return false;
		}
	}
	return true;
}

/*
 *   parent [ p0..p3 ] --fork--> child [ p0..p3 ]   (the same anons)
 *   4 harts in the parent write every page at once
 */
TEST(cow_raced_by_harts_of_one_side_copies_once)
{
	int errors = 0;

	setup("cow, one side");
	for (unsigned int r = 0; r < run_rounds && errors == 0; r++) {
		struct round rd = { .index = r, .npages = COW_PAGES, .gen = (uint8_t)r };
		struct hart h[COW_HARTS + 1];
		paddr_t orig[COW_PAGES];
		uint64_t copies;

		cow_start(&rd, orig);
		copies = vmstat_read(VMSTAT_COW_COPY);
		for (unsigned int i = 0; i < COW_HARTS; i++)
			h[i] = (struct hart){ .vm = rd.vm, .run = cow_write_run };
		/* and one that reads the child meanwhile: it sees the pattern only */
		h[COW_HARTS] = (struct hart){ .vm = rd.child, .run = cow_read_run };
		errors += run_harts(&rd, h, COW_HARTS + 1);
		CHECK_EQ(vmstat_read(VMSTAT_COW_COPY) - copies, COW_PAGES);
		CHECK_EQ(anon_count(), 2 * COW_PAGES);
		for (unsigned int p = 0; p < COW_PAGES; p++) {
			struct page *pp = private_page(rd.vm, BASE + p * P);
			struct page *cp = private_page(rd.child, BASE + p * P);

			/* the child keeps the original frame, alone now */
			CHECK(cp && page_to_pa(cp) == orig[p]);
			CHECK(pp && page_to_pa(pp) != orig[p]);
			CHECK(cow_page_is(&rd, rd.child, p, 0));
			CHECK(cow_page_is(&rd, rd.vm, p, (1U << COW_HARTS) - 1));
			if (pp)
				CHECK_EQ(page_mapcount(pp), 1);
		}
		CHECK(vm_ok(rd.vm) && vm_ok(rd.child));
		vmspace_destroy(rd.child);
		vmspace_destroy(rd.vm);
		if (!no_frame_leaked())
			errors++;
	}
	CHECK_EQ(errors, 0);
}

/*
 *   parent [ p0..p3 ] --fork--> child [ p0..p3 ]
 *   2 harts write in the parent, 2 in the child, at once
 */
TEST(cow_raced_by_both_sides_gives_each_its_own_page)
{
	int errors = 0;
	uint64_t twice = 0;

	setup("cow, both sides");
	for (unsigned int r = 0; r < run_rounds && errors == 0; r++) {
		struct round rd = { .index = r, .npages = COW_PAGES, .gen = (uint8_t)r };
		struct hart h[4];
		paddr_t orig[COW_PAGES];
		uint64_t copies;
		unsigned int kept = 0;

		cow_start(&rd, orig);
		copies = vmstat_read(VMSTAT_COW_COPY);
		h[0] = (struct hart){ .vm = rd.vm, .run = cow_write_run };
		h[1] = (struct hart){ .vm = rd.child, .run = cow_write_run };
		h[2] = (struct hart){ .vm = rd.vm, .run = cow_write_run };
		h[3] = (struct hart){ .vm = rd.child, .run = cow_write_run };
		errors += run_harts(&rd, h, 4);
		/*
		 * Each page: one side copies; the other takes the original over
		 * if the copy was done when it looked, else copies too (and the
		 * original goes). Either way each side has its own page.
		 */
		copies = vmstat_read(VMSTAT_COW_COPY) - copies;
		CHECK(copies >= COW_PAGES && copies <= 2 * COW_PAGES);
		CHECK_EQ(anon_count(), 2 * COW_PAGES);
		for (unsigned int p = 0; p < COW_PAGES; p++) {
			struct page *pp = private_page(rd.vm, BASE + p * P);
			struct page *cp = private_page(rd.child, BASE + p * P);

			CHECK(pp && cp && pp != cp);
			kept += (pp && page_to_pa(pp) == orig[p]) ||
				(cp && page_to_pa(cp) == orig[p]);
			/* parent harts are ids 0 and 2, child harts 1 and 3 (+MAX_HARTS) */
			CHECK(cow_page_is(&rd, rd.vm, p, 1U << 0 | 1U << 2));
			CHECK(cow_page_is(&rd, rd.child, p, 1U << (1 + MAX_HARTS) |
						       1U << (3 + MAX_HARTS)));
		}
		/* a page kept its original frame exactly when it was copied once */
		CHECK_EQ(kept, 2 * COW_PAGES - copies);
		twice += copies - COW_PAGES;
		CHECK(vm_ok(rd.vm) && vm_ok(rd.child));
		vmspace_destroy(rd.child);
		vmspace_destroy(rd.vm);
		if (!no_frame_leaked())
			errors++;
	}
	printf("  pages copied by both sides: %lu of %u\n", (unsigned long)twice,
	       run_rounds * COW_PAGES);
	CHECK_EQ(errors, 0);
}

/*
 *   parent [ p0..p3 ] --fork--> child [ p0..p3 ]
 *   3 harts write in the parent while a fourth destroys the child
 */
TEST(cow_raced_by_the_childs_exit_keeps_every_write)
{
	int errors = 0;

	setup("cow, child exits");
	for (unsigned int r = 0; r < run_rounds && errors == 0; r++) {
		struct round rd = { .index = r, .npages = COW_PAGES, .gen = (uint8_t)r };
		struct hart h[4];
		paddr_t orig[COW_PAGES];
		uint64_t copies;

		cow_start(&rd, orig);
		copies = vmstat_read(VMSTAT_COW_COPY);
		for (unsigned int i = 0; i < 3; i++)
			h[i] = (struct hart){ .vm = rd.vm, .run = cow_write_run };
		h[3] = (struct hart){ .vm = NULL, .run = cow_exit_run };
		errors += run_harts(&rd, h, 4);
		copies = vmstat_read(VMSTAT_COW_COPY) - copies;
		CHECK(copies <= COW_PAGES);
		CHECK_EQ(anon_count(), COW_PAGES);
		for (unsigned int p = 0; p < COW_PAGES; p++) {
			struct page *pp = private_page(rd.vm, BASE + p * P);

			CHECK(pp != NULL);
			CHECK(cow_page_is(&rd, rd.vm, p, 0x7));
			if (pp)
				CHECK_EQ(page_mapcount(pp), 1);
		}
		CHECK(vm_ok(rd.vm));
		vmspace_destroy(rd.vm);
		if (!no_frame_leaked())
			errors++;
	}
	CHECK_EQ(errors, 0);
}

/* ------------------------------------------------------------ munmap, mprotect */

#define RACE_PAGES	6
#define RACE_HARTS	3		/* storing harts; one more makes the call */
#define RACE_STORES	200		/* stores each makes */
_Static_assert(RACE_PAGES <= sizeof(((struct hart *)0)->last), "hart.last");

/*
 * A storing hart: stores into its slot of random pages of the region, each
 * time a new value, for a while. A store that starts once the racing call
 * returned (rd->done) must not land: it faults, and the fault must fail
 * with `want` (FAULT_NOT_MAPPED after munmap, FAULT_PROTECTION after
 * mprotect); before, it may land or fail so.
 */
static void race_store(struct hart *h, enum fault_result want)
{
	struct round *rd = h->rd;

	for (unsigned int k = 0; k < RACE_STORES; k++) {
		unsigned int p = hart_rand(h) % rd->npages;
		vaddr_t va = BASE + p * P + h->id * SLOT;
		bool after = __atomic_load_n(&rd->done, __ATOMIC_ACQUIRE);
		bool in = va >= rd->lo && va < rd->hi;
		enum fault_result res;

		__atomic_add_fetch(&rd->stores, 1, __ATOMIC_RELAXED);
		res = hart_store(h, va, (uint8_t)(k | 1));
		if (in) {
			h->landed += res == FAULT_OK;
			h->refused += res != FAULT_OK;
		}

		if (res != FAULT_OK && res != want)
			hart_fail(h, "store at %#lx: %s", (unsigned long)va,
				  vm_fault_reason(res, W_));
		else if (res == FAULT_OK && after && in)
			hart_fail(h, "a store at %#lx landed after the call returned",
				  (unsigned long)va);
		else if (res != FAULT_OK && !in)
			hart_fail(h, "a store at %#lx outside the range failed",
				  (unsigned long)va);
	}
}

static void race_store_unmap(struct hart *h)
{
	race_store(h, FAULT_NOT_MAPPED);
}

static void race_store_protect(struct hart *h)
{
	race_store(h, FAULT_PROTECTION);
}

/*
 * Wait until the storing harts began a random number of their stores (up
 * to about half), so that the call lands anywhere in their run.
 */
static void race_delay(struct hart *h)
{
	unsigned int target = hart_rand(h) % (RACE_STORES * RACE_HARTS / 2);

	while (__atomic_load_n(&h->rd->stores, __ATOMIC_RELAXED) < target)
		sched_yield();
}

static void race_unmap_run(struct hart *h)
{
	struct round *rd = h->rd;
	int err;

	race_delay(h);
	mutex_lock(&h->vm->lock);
	err = vmspace_unmap(h->vm, rd->lo, rd->hi);
	mutex_unlock(&h->vm->lock);
	if (err)
		hart_fail(h, "munmap: %d", err);
	__atomic_store_n(&rd->done, true, __ATOMIC_RELEASE);
}

/* The contents of the range's private pages when mprotect returned. */
static uint8_t protect_snapshot[RACE_PAGES][P];

static void race_protect_run(struct hart *h)
{
	struct round *rd = h->rd;
	int err;

	race_delay(h);
	mutex_lock(&h->vm->lock);
	err = vmspace_protect(h->vm, rd->lo, rd->hi, R_);
	mutex_unlock(&h->vm->lock);
	if (err)
		hart_fail(h, "mprotect: %d", err);
	/* what the range holds now is what it must hold at the end */
	for (vaddr_t va = rd->lo; va < rd->hi; va += P) {
		struct page *pg = private_page(h->vm, va);
		uint8_t *snap = protect_snapshot[(va - BASE) / P];

		if (pg)
			memcpy(snap, page_to_virt(pg), P);
		else
			memset(snap, 0, P);
	}
	__atomic_store_n(&rd->done, true, __ATOMIC_RELEASE);
}

/* A random range of whole pages inside the region, [lo, hi). */
static void race_range(struct round *rd)
{
	uint64_t s = mix(run_seed ^ 0x5eed, rd->index);
	unsigned int a = s % RACE_PAGES, b = (s >> 8) % RACE_PAGES;

	if (a > b) {
		unsigned int t = a;

		a = b;
		b = t;
	}
	rd->lo = BASE + a * P;
	rd->hi = BASE + (b + 1) * P;
}

/*
 *   BASE [ p0 | p1 | p2 | p3 | p4 | p5 ]   3 harts store at random
 *               [lo ........ hi)            a fourth unmaps it meanwhile
 */
TEST(fault_racing_munmap_leaves_no_mapping_behind)
{
	unsigned int landed = 0, refused = 0;
	int errors = 0;

	setup("fault vs munmap");
	for (unsigned int r = 0; r < run_rounds && errors == 0; r++) {
		struct round rd = { .index = r, .npages = RACE_PAGES };
		struct hart h[RACE_HARTS + 1];
		struct range_count c;

		race_range(&rd);
		rd.vm = vmspace_create();
		CHECK(rd.vm && map_anon(rd.vm, BASE, RACE_PAGES * P) == 0);
		for (unsigned int i = 0; i < RACE_HARTS; i++)
			h[i] = (struct hart){ .vm = rd.vm, .run = race_store_unmap };
		h[RACE_HARTS] = (struct hart){ .vm = rd.vm, .run = race_unmap_run };
		errors += run_harts(&rd, h, RACE_HARTS + 1);
		for (unsigned int i = 0; i < RACE_HARTS; i++) {
			landed += h[i].landed;
			refused += h[i].refused;
		}
		c = count_range(rd.vm, rd.lo, rd.hi);
		CHECK_EQ(c.mapped, 0);
		/* the pages left are the region's, and only they hold anons */
		c = count_range(rd.vm, BASE, BASE + RACE_PAGES * P);
		CHECK(c.mapped <= RACE_PAGES - (rd.hi - rd.lo) / P);
		CHECK_EQ(anon_count(), c.writable);
		for (vaddr_t va = rd.lo; va < rd.hi; va += P) {
			mutex_lock(&rd.vm->lock);
			CHECK(vmspace_find(rd.vm, va) == NULL);
			mutex_unlock(&rd.vm->lock);
		}
		CHECK(vm_ok(rd.vm));
		vmspace_destroy(rd.vm);
		if (!no_frame_leaked())
			errors++;
	}
	printf("  stores into the range: %u landed, %u refused\n", landed, refused);
	CHECK_EQ(errors, 0);
}

/*
 *   BASE [ p0 | p1 | p2 | p3 | p4 | p5 ]   3 harts store at random
 *               [lo ........ hi)            a fourth makes it read-only
 */
TEST(fault_racing_mprotect_lands_no_write_after_it)
{
	unsigned int landed = 0, refused = 0;
	int errors = 0;

	setup("fault vs mprotect");
	for (unsigned int r = 0; r < run_rounds && errors == 0; r++) {
		struct round rd = { .index = r, .npages = RACE_PAGES };
		struct hart h[RACE_HARTS + 1];
		struct range_count c;

		race_range(&rd);
		rd.vm = vmspace_create();
		CHECK(rd.vm && map_anon(rd.vm, BASE, RACE_PAGES * P) == 0);
		for (unsigned int i = 0; i < RACE_HARTS; i++)
			h[i] = (struct hart){ .vm = rd.vm, .run = race_store_protect };
		h[RACE_HARTS] = (struct hart){ .vm = rd.vm, .run = race_protect_run };
		errors += run_harts(&rd, h, RACE_HARTS + 1);
		for (unsigned int i = 0; i < RACE_HARTS; i++) {
			landed += h[i].landed;
			refused += h[i].refused;
		}
		c = count_range(rd.vm, rd.lo, rd.hi);
		CHECK_EQ(c.writable, 0);
		for (vaddr_t va = rd.lo; va < rd.hi; va += P) {
			struct page *pg = private_page(rd.vm, va);
			const uint8_t *snap = protect_snapshot[(va - BASE) / P];

			if (pg && memcmp(page_to_virt(pg), snap, P) != 0) {
				printf("  round %u: page %#lx changed after mprotect "
				       "returned\n", r, (unsigned long)va);
				errors++;
			}
		}
		/* only stores: every page mapped is a private page */
		c = count_range(rd.vm, BASE, BASE + RACE_PAGES * P);
		CHECK_EQ(anon_count(), c.mapped);
		CHECK(vm_ok(rd.vm));
		vmspace_destroy(rd.vm);
		if (!no_frame_leaked())
			errors++;
	}
	printf("  stores into the range: %u landed, %u refused\n", landed, refused);
	CHECK_EQ(errors, 0);
}

/* ------------------------------------------------------------ fork */

/*
 * A parent hart storing while another forks: every store lands (before the
 * fork, or after it in the parent's own copy); the last value of each page
 * is noted for the end.
 */
static void fork_store_run(struct hart *h)
{
	struct round *rd = h->rd;

	for (unsigned int k = 0; k < RACE_STORES; k++) {
		unsigned int p = hart_rand(h) % rd->npages;
		uint8_t v = (uint8_t)(k | 1);

		__atomic_add_fetch(&rd->stores, 1, __ATOMIC_RELAXED);
		if (hart_store(h, BASE + p * P + h->id * SLOT, v) != FAULT_OK)
			hart_fail(h, "store to page %u failed", p);
		else
			h->last[p] = v;
	}
}

/* The child's pages when fork returned. */
static uint8_t fork_snapshot[RACE_PAGES][P];

static void fork_run(struct hart *h)
{
	struct round *rd = h->rd;

	race_delay(h);
	rd->child = vmspace_fork(h->vm);
	if (!rd->child) {
		hart_fail(h, "fork failed");
		return;
	}
	for (unsigned int p = 0; p < rd->npages; p++) {
		struct page *pg = private_page(rd->child, BASE + p * P);

		if (pg)
			memcpy(fork_snapshot[p], page_to_virt(pg), P);
		else
			memset(fork_snapshot[p], 0, P);
	}
	__atomic_store_n(&rd->done, true, __ATOMIC_RELEASE);
}

/*
 *   parent [ p0 .. p5 ]   3 harts store at random
 *          --fork-->      a fourth forks meanwhile: the child keeps what
 *                         the pages held then; the parent loses nothing
 */
TEST(fork_racing_stores_gives_the_child_a_snapshot)
{
	int errors = 0;

	setup("fork vs stores");
	for (unsigned int r = 0; r < run_rounds && errors == 0; r++) {
		struct round rd = { .index = r, .npages = RACE_PAGES };
		struct hart h[RACE_HARTS + 1];

		rd.vm = vmspace_create();
		CHECK(rd.vm && map_anon(rd.vm, BASE, RACE_PAGES * P) == 0);
		for (unsigned int i = 0; i < RACE_HARTS; i++)
			h[i] = (struct hart){ .vm = rd.vm, .run = fork_store_run };
		h[RACE_HARTS] = (struct hart){ .vm = rd.vm, .run = fork_run };
		errors += run_harts(&rd, h, RACE_HARTS + 1);
		if (!rd.child) {
			errors++;
			break;
		}
		for (unsigned int p = 0; p < RACE_PAGES; p++) {
			struct page *cp = private_page(rd.child, BASE + p * P);
			struct page *pp = private_page(rd.vm, BASE + p * P);
			uint8_t *data = pp ? page_to_virt(pp) : NULL;

			if (cp && memcmp(page_to_virt(cp), fork_snapshot[p], P) != 0) {
				printf("  round %u: the child's page %u changed after "
				       "fork returned\n", r, p);
				errors++;
			}
			for (unsigned int i = 0; i < RACE_HARTS; i++) {
				uint8_t got = data ? data[i * SLOT] : 0;

				if (got != h[i].last[p]) {
					printf("  round %u: page %u, hart %u: %#x, not "
					       "its last store %#x\n", r, p, i, got,
					       h[i].last[p]);
					errors++;
				}
			}
		}
		CHECK(vm_ok(rd.vm) && vm_ok(rd.child));
		vmspace_destroy(rd.child);
		vmspace_destroy(rd.vm);
		if (!no_frame_leaked())
			errors++;
	}
	CHECK_EQ(errors, 0);
}

/* ------------------------------------------------------------ MADV_DONTNEED */

/*
 * A storing hart racing a discard: every store lands (the region stays);
 * notes the last value of each page and whether that store began after
 * the discard returned.
 */
static void discard_store_run(struct hart *h)
{
	struct round *rd = h->rd;

	for (unsigned int k = 0; k < RACE_STORES; k++) {
		unsigned int p = hart_rand(h) % rd->npages;
		uint8_t v = (uint8_t)(k | 1);
		bool after = __atomic_load_n(&rd->done, __ATOMIC_ACQUIRE);

		__atomic_add_fetch(&rd->stores, 1, __ATOMIC_RELAXED);
		if (hart_store(h, BASE + p * P + h->id * SLOT, v) != FAULT_OK) {
			hart_fail(h, "store to page %u failed", p);
			continue;
		}
		h->last[p] = v;
		h->last_after[p] = after;
	}
}

static void discard_run(struct hart *h)
{
	struct round *rd = h->rd;
	int err;

	race_delay(h);
	mutex_lock(&h->vm->lock);
	err = vmspace_discard(h->vm, rd->lo, rd->hi);
	mutex_unlock(&h->vm->lock);
	if (err)
		hart_fail(h, "discard: %d", err);
	__atomic_store_n(&rd->done, true, __ATOMIC_RELEASE);
}

/*
 *   BASE [ p0 | p1 | p2 | p3 | p4 | p5 ]   3 harts store at random
 *               [lo ........ hi)            a fourth discards it (MADV_DONTNEED)
 */
TEST(fault_racing_discard_keeps_the_stores_after_it)
{
	int errors = 0;

	setup("fault vs discard");
	for (unsigned int r = 0; r < run_rounds && errors == 0; r++) {
		struct round rd = { .index = r, .npages = RACE_PAGES };
		struct hart h[RACE_HARTS + 1];
		struct range_count c;

		race_range(&rd);
		rd.vm = vmspace_create();
		CHECK(rd.vm && map_anon(rd.vm, BASE, RACE_PAGES * P) == 0);
		for (unsigned int i = 0; i < RACE_HARTS; i++)
			h[i] = (struct hart){ .vm = rd.vm, .run = discard_store_run };
		h[RACE_HARTS] = (struct hart){ .vm = rd.vm, .run = discard_run };
		errors += run_harts(&rd, h, RACE_HARTS + 1);
		/*
		 * A slot holds its hart's last store to the page if that began
		 * after the discard returned; else that, or zero (discarded
		 * after it). Never an older value, never a stale frame.
		 */
		for (unsigned int p = 0; p < RACE_PAGES; p++) {
			vaddr_t va = BASE + p * P;
			struct page *pg = private_page(rd.vm, va);
			const uint8_t *data = pg ? page_to_virt(pg) : NULL;
			bool in = va >= rd.lo && va < rd.hi;

			for (unsigned int i = 0; i < RACE_HARTS; i++) {
				uint8_t got = data ? data[i * SLOT] : 0;
				uint8_t last = h[i].last[p];
				bool ok = got == last ||
					  (in && got == 0 && !h[i].last_after[p]);

				if (!ok) {
					printf("  round %u: page %u, hart %u: %#x, last "
					       "store %#x (%s the discard)\n", r, p, i,
					       got, last, h[i].last_after[p] ?
					       "after" : "before");
					errors++;
				}
			}
		}
		c = count_range(rd.vm, BASE, BASE + RACE_PAGES * P);
		CHECK_EQ(anon_count(), c.mapped);
		CHECK_EQ(c.mapped, c.writable);
		CHECK(vm_ok(rd.vm));
		vmspace_destroy(rd.vm);
		if (!no_frame_leaked())
			errors++;
	}
	CHECK_EQ(errors, 0);
}

/* ------------------------------------------------------------ shared memory */

#define SHM_PAGES	4

/* A hart of either address space stores its slot of every shared page. */
static void shm_store_run(struct hart *h)
{
	struct round *rd = h->rd;

	for (unsigned int k = 0; k < rd->npages; k++) {
		unsigned int p = (k + h->id) % rd->npages;
		uint8_t got;

		if (hart_store(h, BASE + p * P + h->id * SLOT,
			       slot_value(rd, h->id, p)) != FAULT_OK)
			hart_fail(h, "store to page %u failed", p);
		if (hart_load(h, BASE + p * P + h->id * SLOT, &got) != FAULT_OK ||
		    got != slot_value(rd, h->id, p))
			hart_fail(h, "page %u: my write is lost", p);
	}
}

/*
 *   vm A [ shared S+0 .. S+3 ]   vm B [ shared S+0 .. S+3 ]
 *   2 harts in each store into every page at once: one frame per page of
 *   S, mapped by both, holding all four writes
 */
TEST(shared_memory_first_touch_from_two_spaces_makes_one_frame)
{
	int errors = 0;

	setup("shared memory");
	for (unsigned int r = 0; r < run_rounds && errors == 0; r++) {
		struct round rd = { .index = r, .npages = SHM_PAGES, .gen = (uint8_t)r };
		struct vobject *shm = shmem_create(SHM_PAGES * P);
		struct vmspace *a = vmspace_create(), *b = vmspace_create();
		struct hart h[4];

		CHECK(shm && a && b);
		mutex_lock(&a->lock);
		CHECK_EQ(vmspace_map(a, BASE, SHM_PAGES * P, RW, VM_PROT_ALL,
				     REGION_SHARED, shm, 0, SHM_PAGES * P), 0);
		mutex_unlock(&a->lock);
		mutex_lock(&b->lock);
		CHECK_EQ(vmspace_map(b, BASE, SHM_PAGES * P, RW, VM_PROT_ALL,
				     REGION_SHARED, shm, 0, SHM_PAGES * P), 0);
		mutex_unlock(&b->lock);
		for (unsigned int i = 0; i < 4; i++)
			h[i] = (struct hart){ .vm = i & 1 ? b : a, .run = shm_store_run };
		errors += run_harts(&rd, h, 4);
		CHECK_EQ(shmem_resident_pages(shm), SHM_PAGES);
		for (unsigned int p = 0; p < SHM_PAGES; p++) {
			paddr_t pa = 0, pb = 0;
			const uint8_t *data;

			CHECK(pmap_extract(a->pmap, BASE + p * P, &pa, NULL));
			CHECK(pmap_extract(b->pmap, BASE + p * P, &pb, NULL));
			CHECK(pa && pa == pb);
			if (!pa || pa != pb) {
				errors++;
				continue;
			}
			CHECK_EQ(page_mapcount(pa_to_page(pa)), 2);
			data = phys_to_virt(pa);
			for (unsigned int i = 0; i < 4; i++)
				CHECK_EQ(data[i * SLOT], slot_value(&rd, i, p));
		}
		CHECK(vm_ok(a) && vm_ok(b));
		vmspace_destroy(a);
		vmspace_destroy(b);
		vobject_unref(shm);
		if (!no_frame_leaked())
			errors++;
	}
	CHECK_EQ(errors, 0);
}
