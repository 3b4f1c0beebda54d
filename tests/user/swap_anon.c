/*
 * swap_anon: anonymous memory three times the size of RAM, every page
 * carrying a pattern that names it and its generation, so that a page that
 * comes back wrong, or a stale copy of it, is caught.
 *
 * Booted by scripts/run-tests.sh with 64 MiB of RAM and a 256 MiB swap
 * area active (swap=/dev/vdb). On Linux (qemu-riscv64) it runs the same
 * steps on 192 MiB, usually without swapping, and skips the /proc checks.
 *
 *   0. first, 64 pages are mlocked and 64 others written (a witness):
 *      after step 1's pressure, mincore finds every locked page resident
 *      and most of the witness not (on swap), and touching the witness
 *      makes it resident again, its data intact;
 *   1. write 3 x RAM, then read it back forward, backward and strided;
 *      readahead reads the pages around a swap-in fault with it (several
 *      pages per disk request, nearly all of them used) on the forward and
 *      backward passes, and next to none on the strided one;
 *   2. rewrite every other page: no old copy may come back;
 *   3. fork over swapped pages: the child sees the parent's data, writes
 *      its own (a quarter), and neither sees the other's writes;
 *   4. mprotect, mremap and munmap of swapped-out pages;
 *   5. clean pages go out without a write: two regions of 7/8 RAM each,
 *      written once, then read back in turn; a page read back (a read
 *      fault) keeps its copy on swap, so evicting it again writes nothing
 *      (pswpout stays, kilburn_swap_clean_evictions counts it); a page
 *      written after it was read back (by the program, or by read() into
 *      it) goes out again with its new data, never the old copy;
 *   6. swapoff brings every page of the program back; every frame and
 *      every swap slot came back; swapon again.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"
#include <stdbool.h>
#include <sys/swap.h>
#include <sys/wait.h>

#define PAGE		4096UL
#define WORDS		(PAGE / sizeof(uint64_t))

static void fill(uint64_t *p, size_t page, unsigned int gen)
{
	for (size_t i = 0; i < WORDS; i++)
		p[i] = vt_page_word(page, gen, i);
}

static int page_is(const uint64_t *p, size_t page, unsigned int gen)
{
	for (size_t i = 0; i < WORDS; i++)
		if (p[i] != vt_page_word(page, gen, i))
			return 0;
	return 1;
}

static char *mem;
static size_t npages;
static unsigned char *gens;	/* the generation each page should hold */

/* Check every page in the order given by next(); returns wrong pages. */
#define SIDE_PAGES	64		/* the locked region and the witness */
#define SIDE_ID		(1UL << 40)	/* their pages' names: none of mem's */
static char *locked, *witness;

/* Resident pages among the n at p, by mincore; -1 if it fails. */
static long resident_pages(char *p, size_t n)
{
	unsigned char vec[SIDE_PAGES];
	long in = 0;

	if (n > SIDE_PAGES || mincore(p, n * PAGE, vec) != 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		in += vec[i] & 1;
	return in;
}

/* Pages among the side region p's that do not hold their pattern. */
static size_t side_wrong(char *p, size_t first)
{
	size_t bad = 0;

	for (size_t i = 0; i < SIDE_PAGES; i++)
		bad += !page_is((uint64_t *)(p + i * PAGE), SIDE_ID + first + i, 0);
	return bad;
}

/* Step 0, before the pressure: a locked region and a witness. */
static void step_lock_setup(void)
{
	locked = mmap(NULL, SIDE_PAGES * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	witness = mmap(NULL, SIDE_PAGES * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TL_CHECK(locked != MAP_FAILED && witness != MAP_FAILED, "map the locked region and the witness");
	if (locked == MAP_FAILED || witness == MAP_FAILED)
		return;
	for (size_t i = 0; i < SIDE_PAGES; i++) {
		fill((uint64_t *)(locked + i * PAGE), SIDE_ID + i, 0);
		fill((uint64_t *)(witness + i * PAGE), SIDE_ID + SIDE_PAGES + i, 0);
	}
	TL_CHECK(mlock(locked, SIDE_PAGES * PAGE) == 0, "mlock 64 pages");
	TL_CHECK(resident_pages(witness, SIDE_PAGES) == SIDE_PAGES,
		 "mincore: the witness is resident once written");
}

/* Step 0, after the pressure: locked pages stayed, the witness went out. */
static void step_lock_check(void)
{
	long out;

	if (locked == MAP_FAILED || witness == MAP_FAILED)
		return;
	TL_CHECK(resident_pages(locked, SIDE_PAGES) == SIDE_PAGES,
		 "mincore: every mlocked page stayed resident under pressure");
	TL_CHECK(side_wrong(locked, 0) == 0, "the mlocked pages hold their data");
	if (tl_on_kilburn()) {	/* Linux here has room for all of it */
		out = SIDE_PAGES - resident_pages(witness, SIDE_PAGES);
		VT_CHECK(out > SIDE_PAGES / 2 && out <= SIDE_PAGES,
			 "mincore: the witness went to swap, not resident (%ld of 64 out)", out);
	}
	TL_CHECK(side_wrong(witness, SIDE_PAGES) == 0, "the witness reads back right");
	TL_CHECK(resident_pages(witness, SIDE_PAGES) == SIDE_PAGES,
		 "mincore: and it is resident again once touched");
	TL_CHECK(munlock(locked, SIDE_PAGES * PAGE) == 0 &&
		 munmap(locked, SIDE_PAGES * PAGE) == 0 &&
		 munmap(witness, SIDE_PAGES * PAGE) == 0, "munlock and unmap them");
}

static size_t check_order(size_t (*at)(size_t k))
{
	size_t bad = 0;

	for (size_t k = 0; k < npages; k++) {
		size_t pg = at(k);

		if (!page_is((uint64_t *)(mem + pg * PAGE), pg, gens[pg]))
			bad++;
	}
	return bad;
}

static size_t fwd(size_t k) { return k; }
static size_t bwd(size_t k) { return npages - 1 - k; }
static size_t strided(size_t k) { return (k * 7919) % npages; }	/* prime stride */

/* The counters swap readahead is judged by, at one moment. */
struct ra_count {
	long pswpin, requests, ra, hit, unused;
};

static struct ra_count ra_now(void)
{
	return (struct ra_count){
		.pswpin = vt_vmstat0("pswpin"),
		.requests = vt_vmstat0("kilburn_swap_read_requests"),
		.ra = vt_vmstat0("swap_ra"), .hit = vt_vmstat0("swap_ra_hit"),
		.unused = vt_vmstat0("kilburn_swap_ra_unused"),
	};
}

/* Read every page in order at() and judge readahead on the way (Kilburn). */
static void check_readahead(size_t (*at)(size_t k), const char *how, bool sequential)
{
	struct ra_count a = ra_now(), b;
	size_t bad = check_order(at);
	char what[128];

	b = ra_now();
	snprintf(what, sizeof(what), "%s: every page reads back right", how);
	TL_CHECK(bad == 0, what);
	if (!tl_on_kilburn())
		return;
	if (sequential) {
		snprintf(what, sizeof(what), "%s: %ld pages in %ld read requests (at least 4 per request)",
			 how, b.pswpin - a.pswpin, b.requests - a.requests);
		TL_CHECK(b.pswpin - a.pswpin > (long)npages / 2 &&
			 b.pswpin - a.pswpin >= 4 * (b.requests - a.requests), what);
		snprintf(what, sizeof(what), "%s: %ld of %ld pages read ahead were used",
			 how, b.hit - a.hit, b.ra - a.ra);
		TL_CHECK(b.ra - a.ra > (long)npages / 2 &&
			 (b.hit - a.hit) * 10 >= (b.ra - a.ra) * 9, what);
	} else {
		snprintf(what, sizeof(what), "%s: readahead backs off (%ld pages read ahead for %ld read)",
			 how, b.ra - a.ra, b.pswpin - a.pswpin);
		TL_CHECK((b.ra - a.ra) * 10 <= b.pswpin - a.pswpin, what);
	}
}

static void step_fork(void)
{
	pid_t pid;
	int status = -1;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		size_t bad = check_order(fwd);

		TL_CHECK(bad == 0, "child: every swapped page reads as the parent wrote it");
		for (size_t pg = 1; pg < npages; pg += 4) {
			fill((uint64_t *)(mem + pg * PAGE), pg, 7);
			gens[pg] = 7;
		}
		TL_CHECK(check_order(bwd) == 0, "child: its own writes and the shared pages read back");
		_exit(tl_failed_here ? 1 : 0);
	}
	TL_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "fork and wait");
	TL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child found its data right");
	TL_CHECK(check_order(strided) == 0,
		 "parent: no write of the child shows, every page is its own");
}

static void step_map_calls(void)
{
	size_t quarter = npages / 4;
	char *q = mem + quarter * PAGE, *moved;
	size_t bad = 0;

	/* read-only, then read through it: pages come back under PROT_READ */
	TL_CHECK(mprotect(q, quarter * PAGE, PROT_READ) == 0, "mprotect a swapped quarter read-only");
	for (size_t k = 0; k < quarter; k++)
		bad += !page_is((uint64_t *)(q + k * PAGE), quarter + k, gens[quarter + k]);
	TL_CHECK(bad == 0, "read-only pages come back from swap right");
	TL_CHECK(mprotect(q, quarter * PAGE, PROT_READ | PROT_WRITE) == 0, "and writable again");

	/* move the first quarter elsewhere: its swapped pages move with it */
	moved = mremap(mem, quarter * PAGE, quarter * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
		       mem + npages * PAGE + (64UL << 20));
	TL_CHECK(moved != MAP_FAILED, "mremap a swapped quarter to another place");
	if (moved != MAP_FAILED) {
		bad = 0;
		for (size_t k = 0; k < quarter; k++)
			bad += !page_is((uint64_t *)(moved + k * PAGE), k, gens[k]);
		TL_CHECK(bad == 0, "the moved pages read back right");
		TL_CHECK(munmap(moved, quarter * PAGE) == 0, "munmap the moved quarter");
	}
	/* unmap the middle, keep the rest */
	TL_CHECK(munmap(q, quarter * PAGE) == 0, "munmap a swapped quarter");
	bad = 0;
	for (size_t k = 2 * quarter; k < npages; k++)
		bad += !page_is((uint64_t *)(mem + k * PAGE), k, gens[k]);
	TL_CHECK(bad == 0, "the other half still reads right");
	TL_CHECK(munmap(mem + 2 * quarter * PAGE, (npages - 2 * quarter) * PAGE) == 0,
		 "munmap the rest");
}

/* Step 5: two regions read back in turn, evicting each other. */
struct clean_count {
	long pswpin, pswpout, clean, steal;
};

static struct clean_count clean_now(void)
{
	return (struct clean_count){
		.pswpin = vt_vmstat0("pswpin"), .pswpout = vt_vmstat0("pswpout"),
		.clean = vt_vmstat0("kilburn_swap_clean_evictions"),
		.steal = vt_vmstat0("pgsteal_kswapd") + vt_vmstat0("pgsteal_direct"),
	};
}

#define CLEAN_SLACK	256	/* pages of the program's own (stack, gens, libc) */
#define PIPE_PAGES	16	/* pages of a that read() writes */
#define ALIGN_PAGE(x)	(((x) + PAGE - 1) & ~(PAGE - 1))

/* Pages of the n at p (region id base) that do not hold generation gen[]. */
static size_t region_wrong(char *p, size_t n, size_t base, const unsigned char *gen)
{
	size_t bad = 0;

	for (size_t k = 0; k < n; k++)
		bad += !page_is((uint64_t *)(p + k * PAGE), base + k, gen[k]);
	return bad;
}

/*
 * Fill PIPE_PAGES pages of a (every 8th) with generation 3 by read(),
 * through buf (a page).
 */
static bool pipe_fill(char *a, size_t base, unsigned char *gen, uint64_t *buf)
{
	int fds[2];
	bool ok = pipe(fds) == 0;

	for (size_t i = 0; ok && i < PIPE_PAGES; i++) {
		size_t k = i * 8;

		fill(buf, base + k, 3);
		ok = write(fds[1], buf, PAGE) == (ssize_t)PAGE &&
		     read(fds[0], a + k * PAGE, PAGE) == (ssize_t)PAGE;
		gen[k] = 3;
	}
	close(fds[0]);
	close(fds[1]);
	return ok;
}

static void step_clean(size_t n)
{
	size_t base_a = 1UL << 32, base_b = 2UL << 32;
	/* the generations, a page for pipe_fill, mincore's vector: unmapped after */
	size_t side = ALIGN_PAGE(3 * n) + PAGE;
	char *s = mmap(NULL, side, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *ga = s == MAP_FAILED ? NULL : (unsigned char *)s;
	unsigned char *gb = ga ? ga + n : NULL, *vec = ga ? ga + 2 * n : NULL;
	char *a = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *b = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct clean_count c0, c1, c2;
	char what[200];
	long b_dirty = 0;
	size_t bad;

	TL_CHECK(a != MAP_FAILED && b != MAP_FAILED && ga, "map two regions of 7/8 RAM");
	if (a == MAP_FAILED || b == MAP_FAILED || !ga)
		return;
	for (size_t k = 0; k < n; k++)
		fill((uint64_t *)(a + k * PAGE), base_a + k, 0);
	for (size_t k = 0; k < n; k++)
		fill((uint64_t *)(b + k * PAGE), base_b + k, 0);
	/* a comes back clean (evicting b, which is written: its first time) */
	TL_CHECK(region_wrong(a, n, base_a, ga) == 0, "clean: the first region reads back");
	/* b's pages still resident were never written out: they will be */
	if (mincore(b, n * PAGE, vec) == 0)
		for (size_t k = 0; k < n; k++)
			b_dirty += vec[k] & 1;
	c0 = clean_now();
	/* b comes back, a goes out again unchanged; then a back, b out */
	bad = region_wrong(b, n, base_b, gb) + region_wrong(a, n, base_a, ga);
	c1 = clean_now();
	TL_CHECK(bad == 0, "clean: both regions read back in turn");
	if (tl_on_kilburn()) {
		snprintf(what, sizeof(what),
			 "clean: pages read back go out again without a write "
			 "(%ld read, %ld freed, %ld clean, %ld written, %ld never out before)",
			 c1.pswpin - c0.pswpin, c1.steal - c0.steal,
			 c1.clean - c0.clean, c1.pswpout - c0.pswpout, b_dirty);
		TL_CHECK(c1.pswpin - c0.pswpin >= (long)n &&
			 c1.clean - c0.clean >= (long)n &&
			 c1.steal - c0.steal >= c1.clean - c0.clean &&
			 c1.pswpout - c0.pswpout <= b_dirty + CLEAN_SLACK, what);
	}
	/* a is resident and clean now: write half of it, and some by read() */
	for (size_t k = 0; k < n; k += 2) {
		fill((uint64_t *)(a + k * PAGE), base_a + k, 2);
		ga[k] = 2;
	}
	TL_CHECK(pipe_fill(a + PAGE, base_a + 1, ga + 1, (uint64_t *)(s + side - PAGE)),
		 "clean: read() into pages read back");
	c1 = clean_now();
	TL_CHECK(region_wrong(b, n, base_b, gb) == 0, "clean: the second region reads back again");
	c2 = clean_now();
	if (tl_on_kilburn()) {
		snprintf(what, sizeof(what),
			 "clean: only the pages written since are written again "
			 "(%ld written, %ld clean)",
			 c2.pswpout - c1.pswpout, c2.clean - c1.clean);
		TL_CHECK(c2.pswpout - c1.pswpout >= (long)n / 8 &&
			 c2.pswpout - c1.pswpout <= (long)(n / 2 + PIPE_PAGES) + CLEAN_SLACK, what);
	}
	TL_CHECK(region_wrong(a, n, base_a, ga) == 0,
		 "clean: written pages come back with their new data, none stale");
	TL_CHECK(region_wrong(b, n, base_b, gb) == 0, "clean: and the other region too");
	TL_CHECK(munmap(a, n * PAGE) == 0 && munmap(b, n * PAGE) == 0 &&
		 munmap(s, side) == 0, "clean: unmap both");
}

int main(void)
{
	long mem_kb, before, used_before, used_after;
	size_t bad;

	printf("swap_anon: 3 x RAM of anonymous memory with a pattern on every page\n");
	mem_kb = vt_proc_kb("/proc/meminfo", "MemTotal:");
	if (mem_kb <= 0 || mem_kb > 64 * 1024)
		mem_kb = 64 * 1024;
	npages = (size_t)mem_kb * 3 / 4;
	gens = calloc(npages, 1);
	before = tl_frames_free();
	used_before = vt_swap_used_kb();
	if (tl_on_kilburn())
		TL_CHECK(vt_proc_kb("/proc/meminfo", "SwapTotal:") >= mem_kb * 3,
			 "a swap area of at least 3 x RAM is active");
	step_lock_setup();
	mem = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TL_CHECK(mem != MAP_FAILED && gens, "map 3 x RAM");
	if (mem == MAP_FAILED || !gens)
		return tl_done();

	for (size_t pg = 0; pg < npages; pg++)
		fill((uint64_t *)(mem + pg * PAGE), pg, 0);
	TL_CHECK(1, "wrote every page");
	if (tl_on_kilburn())
		TL_CHECK(vt_proc_kb("/proc/self/status", "VmSwap:") > mem_kb,
			 "more than RAM of it is on swap (VmSwap)");
	step_lock_check();
	check_readahead(fwd, "forward", true);
	check_readahead(bwd, "backward", true);
	check_readahead(strided, "strided", false);

	for (size_t pg = 0; pg < npages; pg += 2) {
		fill((uint64_t *)(mem + pg * PAGE), pg, 1);
		gens[pg] = 1;
	}
	bad = check_order(bwd);
	TL_CHECK(bad == 0, "after rewriting half: no stale copy comes back");

	step_fork();
	step_map_calls();
	step_clean(npages / 3 * 7 / 8);

	if (tl_on_kilburn()) {
		/* swapoff brings this program's own pages back (stack, data) */
		TL_CHECK(swapoff("/dev/vdb") == 0, "swapoff brings every page back");
		TL_CHECK(vt_proc_kb("/proc/self/status", "VmSwap:") == 0, "VmSwap is 0 after it");
		TL_CHECK(vt_proc_kb("/proc/meminfo", "SwapTotal:") == 0, "no swap left");
		TL_CHECK(swapon("/dev/vdb", 0) == 0, "swapon again");
		used_after = vt_swap_used_kb();
		TL_CHECK(used_after == 0 && used_before == 0, "every swap slot came back");
		{
			struct ra_count c = ra_now();

			/* a few pages of this program's own may still be resident */
			TL_CHECK(c.hit + c.unused <= c.ra && c.ra - c.hit - c.unused <= 64,
				 "every page read ahead was used, or freed and counted unused");
		}
		tl_check_no_leak(before);
	}
	return tl_done();
}
