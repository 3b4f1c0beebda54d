/*
 * swap_fault_around: a read fault on a page read back from swap also maps
 * the pages read ahead after it (swap fault-around), so reading swapped
 * memory back in order takes far fewer faults than pages. Each page carries
 * a pattern naming it and its generation.
 *
 *   1. a side region of 512 pages and then 1.5 x RAM are written (most of
 *      both goes to swap); the side region is locked on fault
 *      (MLOCK_ONFAULT) and read back: every page right, and later, after
 *      the pressure of step 2, every page of it still resident (a page
 *      mapped around in a locked region is locked as its own fault would
 *      lock it);
 *   2. the large region is read back forward: every page right, and on
 *      Kilburn at most a quarter as many faults (minor and major) as pages
 *      read from swap, kilburn_swap_ra_mapped counting at least half of
 *      them, swap_ra_hit counting them as used;
 *   3. its first 2,048 pages (on swap again) are read back one by one,
 *      noting the pages that a read did not fault on (mapped around); a
 *      third of those are written (a new generation) right after, each
 *      reads back its new data;
 *   4. the rest of the region is read again, which pushes those pages out,
 *      and they come back with the new data, never the old copy;
 *   5. once all is unmapped, every frame and (after a swapoff and swapon)
 *      every swap slot is back.
 *
 * Booted by scripts/run-tests.sh with 64 MiB of RAM and a 256 MiB swap
 * area active (swap=/dev/vdb), on 1 and 4 harts. On Linux (qemu-riscv64)
 * it checks the data only (Linux maps one page per swap-in fault).
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"
#include <errno.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/swap.h>

#define PAGE		4096UL
#define WORDS		(PAGE / sizeof(uint64_t))
#define SIDE_PAGES	512		/* the locked region */
#define SIDE_ID		(1UL << 40)	/* its pages' names: none of mem's */
#define WRITE_PAGES	2048		/* step 3's part of mem */

static char *mem, *side;
static size_t npages;
static unsigned char *gens;	/* the generation each page of mem holds */

static void fill(char *at, size_t page, unsigned int gen)
{
	uint64_t *p = (uint64_t *)at;

	for (size_t i = 0; i < WORDS; i++)
		p[i] = vt_page_word(page, gen, i);
}

static bool holds(const char *at, size_t page, unsigned int gen)
{
	const uint64_t *p = (const uint64_t *)at;

	for (size_t i = 0; i < WORDS; i++)
		if (p[i] != vt_page_word(page, gen, i))
			return false;
	return true;
}

/* This process's faults so far, minor and major. */
static long faults(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_minflt + ru.ru_majflt : 0;
}

/* Resident pages among the n at p, by mincore; -1 if it fails. */
static long resident_pages(char *p, size_t n)
{
	static unsigned char vec[WRITE_PAGES];
	long in = 0;

	if (n > WRITE_PAGES || mincore(p, n * PAGE, vec) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		in += vec[i] & 1;
	return in;
}

/* Pages of mem [from, to) that do not hold their generation. */
static size_t wrong_pages(size_t from, size_t to)
{
	size_t bad = 0;

	for (size_t pg = from; pg < to; pg++)
		bad += !holds(mem + pg * PAGE, pg, gens[pg]);
	return bad;
}

/*
 * Step 1, first half: lock the side region on fault and read it back.
 * false if mlock2 is missing (qemu-riscv64): the side region is skipped.
 */
static bool step_locked_read(void)
{
	size_t bad = 0;
	long in = resident_pages(side, SIDE_PAGES);

	if (mlock2(side, SIDE_PAGES * PAGE, MLOCK_ONFAULT) != 0) {
		TL_CHECK(!tl_on_kilburn() && errno == ENOSYS, "mlock2(MLOCK_ONFAULT) the side region");
		return false;
	}
	if (tl_on_kilburn())
		VT_CHECK(in >= 0 && in < SIDE_PAGES / 2,
			 "the side region went to swap (%ld of %d pages resident)", in, SIDE_PAGES);
	for (size_t pg = 0; pg < SIDE_PAGES; pg++)
		bad += !holds(side + pg * PAGE, SIDE_ID + pg, 1);
	VT_CHECK(bad == 0, "locked region: every page reads back right (%zu wrong)", bad);
	return true;
}

/* Step 2: read mem back forward; judge the faults it took (Kilburn). */
static void step_forward(void)
{
	long f0 = faults(), in0 = vt_vmstat0("pswpin"), map0 = vt_vmstat0("kilburn_swap_ra_mapped");
	long hit0 = vt_vmstat0("swap_ra_hit");
	long nf, in, mapped, hit;
	size_t bad = wrong_pages(0, npages);

	nf = faults() - f0;
	in = vt_vmstat0("pswpin") - in0;
	mapped = vt_vmstat0("kilburn_swap_ra_mapped") - map0;
	hit = vt_vmstat0("swap_ra_hit") - hit0;
	VT_CHECK(bad == 0, "forward: every page reads back right (%zu wrong)", bad);
	if (!tl_on_kilburn())
		return;
	VT_CHECK(in > (long)npages / 2, "forward: most pages came from swap (%ld of %zu)",
		 in, npages);
	VT_CHECK(nf * 4 <= in, "forward: %ld faults for %ld pages read from swap (at most a quarter)",
		 nf, in);
	VT_CHECK(mapped * 2 >= in, "forward: %ld pages mapped around (kilburn_swap_ra_mapped) of %ld",
		 mapped, in);
	VT_CHECK(hit >= mapped, "forward: each page mapped around counts as used (%ld hits, %ld mapped)",
		 hit, mapped);
}

/*
 * Step 3: read the first WRITE_PAGES pages one by one; a third of those a
 * read did not fault on (mapped around, read-only while their copy is on
 * swap) are written. Returns how many were written.
 */
static size_t step_write_around(void)
{
	size_t around = 0, written = 0, bad = 0;
	long in = resident_pages(mem, WRITE_PAGES);

	if (tl_on_kilburn())
		VT_CHECK(in >= 0 && in < WRITE_PAGES / 2,
			 "the first pages are on swap again (%ld of %d resident)", in, WRITE_PAGES);
	for (size_t pg = 0; pg < WRITE_PAGES; pg++) {
		long f = faults();

		bad += !holds(mem + pg * PAGE, pg, gens[pg]);
		if (faults() != f)
			continue;
		if (around++ % 3 != 0)
			continue;
		fill(mem + pg * PAGE, pg, 2);
		gens[pg] = 2;
		written++;
		bad += !holds(mem + pg * PAGE, pg, 2);
	}
	VT_CHECK(bad == 0, "read and written one by one: every page right (%zu wrong)", bad);
	if (tl_on_kilburn())
		VT_CHECK(around >= WRITE_PAGES / 2,
			 "%zu of %d pages read back took no fault of their own", around, WRITE_PAGES);
	return written;
}

/* Step 4: push the first pages out with the rest, then read them again. */
static void step_written_back(size_t written)
{
	size_t bad = wrong_pages(WRITE_PAGES, npages);
	long in;

	VT_CHECK(bad == 0, "the rest read again: every page right (%zu wrong)", bad);
	in = resident_pages(mem, WRITE_PAGES);
	if (tl_on_kilburn())
		VT_CHECK(in >= 0 && in < WRITE_PAGES / 2,
			 "the pages written went out again (%ld of %d resident)", in, WRITE_PAGES);
	bad = wrong_pages(0, WRITE_PAGES);
	VT_CHECK(bad == 0, "back from swap: %zu pages written after fault-around hold the new "
		 "data, the others the old (%zu wrong)", written, bad);
}

int main(void)
{
	long mem_kb, before, used_before;
	bool locked;

	printf("swap_fault_around: 1.5 x RAM read back from swap in order\n");
	mem_kb = vt_proc_kb("/proc/meminfo", "MemTotal:");
	if (mem_kb <= 0 || mem_kb > 64 * 1024)
		mem_kb = 64 * 1024;
	npages = (size_t)mem_kb * 3 / 2 / 4;
	gens = calloc(npages, 1);
	before = tl_frames_free();
	used_before = vt_swap_used_kb();
	side = mmap(NULL, SIDE_PAGES * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mem = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TL_CHECK(side != MAP_FAILED && mem != MAP_FAILED && gens, "map 1.5 x RAM and a side region");
	if (side == MAP_FAILED || mem == MAP_FAILED || !gens)
		return tl_done();

	for (size_t pg = 0; pg < SIDE_PAGES; pg++)
		fill(side + pg * PAGE, SIDE_ID + pg, 1);
	for (size_t pg = 0; pg < npages; pg++) {
		fill(mem + pg * PAGE, pg, 1);
		gens[pg] = 1;
	}
	TL_CHECK(1, "wrote every page");
	locked = step_locked_read();
	step_forward();
	if (locked) {
		long in = resident_pages(side, SIDE_PAGES);

		VT_CHECK(in == SIDE_PAGES, "locked region: every page stayed resident (%ld of %d)",
			 in, SIDE_PAGES);
		TL_CHECK(munlock(side, SIDE_PAGES * PAGE) == 0, "munlock the side region");
	}
	step_written_back(step_write_around());
	TL_CHECK(munmap(mem, npages * PAGE) == 0 && munmap(side, SIDE_PAGES * PAGE) == 0,
		 "munmap both regions");
	if (tl_on_kilburn()) {
		/* swapoff brings this program's own pages back (stack, data) */
		TL_CHECK(swapoff("/dev/vdb") == 0, "swapoff brings every page back");
		TL_CHECK(swapon("/dev/vdb", 0) == 0, "swapon again");
		TL_CHECK(vt_swap_used_kb() == 0 && used_before == 0, "every swap slot came back");
		tl_check_no_leak(before);
	}
	return tl_done();
}
