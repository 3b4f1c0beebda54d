/*
 * pageout_full: with every swap slot taken, page-out still frees memory
 * with the pages that need no new slot -- anonymous pages read back from
 * swap that keep their slot as a clean copy, and clean file pages -- and a
 * program that needs more memory goes on. Only when nothing can go any
 * more does the OOM killer step in.
 *
 * Booted like every user test (128 MiB of RAM); it activates the small
 * throwaway swap disk /dev/vdb (8 MiB) itself. A child:
 *
 *   1. writes K (2 MiB), then filler F until all of K is on swap (swap at
 *      most half full, so pages read back keep their slot), unmaps the
 *      newest quarter of F and reads K back: K's pages are now clean
 *      copies of their slots;
 *   2. writes filler G until swap is full (SwapFree 0): older pages of F go
 *      out, K stays, with its copies on swap (SwapCached);
 *   3. writes C, more than is free: nothing can take a new slot, so K's
 *      frames are given back without a write (kilburn_swap_clean_evictions);
 *   4. reads the 48 MiB file of the root image (bigfile.h) whole: its own
 *      pages are dropped as it goes (pgsteal_file);
 *   5. checks every page of K, F, G, C and the file.
 *
 * The child must end normally (no OOM kill, no hang); then every slot is
 * free again. It runs twice, and the second run leaves no frame behind. A hog that writes more than RAM
 * and swap together is then killed by the OOM killer (SIGKILL) while this
 * program lives on, its slots come back, and swapoff works.
 *
 * On Linux (no swap disk) the same steps run with fixed sizes, checking the
 * data only.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/swap.h>
#include "tlib.h"
#include "vmtest.h"
#include "bigfile.h"

#define K_PAGES		512UL		/* 2 MiB of copies */
#define C_PAGES		512UL		/* at most, written with swap full */
#define TOUCH_EVERY	32UL		/* G pages written between reads of K */

static long meminfo(const char *field)
{
	return vt_proc_kb("/proc/meminfo", field);
}

/* The word page pg of region r (a letter) holds. */
static uint64_t word(int r, size_t pg)
{
	return ((uint64_t)r << 56) ^ ((pg + 1) * 0x9e3779b97f4a7c15ULL);
}

static void fill(uint64_t *p, int r, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		p[i * (VT_PAGE / 8)] = word(r, i);
}

/* How many of pages [0, n) of p hold region r's words. */
static size_t good_pages(const uint64_t *p, int r, size_t n)
{
	size_t good = 0;

	for (size_t i = 0; i < n; i++)
		good += p[i * (VT_PAGE / 8)] == word(r, i);
	return good;
}

/* Pages of [p, p + n pages) resident, by mincore. */
static size_t resident(void *p, size_t n)
{
	static unsigned char vec[K_PAGES];
	size_t r = 0;

	if (n > K_PAGES || mincore(p, n * VT_PAGE, vec) < 0)
		return (size_t)-1;
	for (size_t i = 0; i < n; i++)
		r += vec[i] & 1;
	return r;
}

/*
 * Read one word of every resident page of K: it stays referenced, and
 * clean. A page of K that went out again is left there: read back with swap
 * more than half full, it would give up its slot.
 */
static void touch(const volatile uint64_t *k)
{
	static unsigned char vec[K_PAGES];

	if (mincore((void *)k, K_PAGES * VT_PAGE, vec) < 0)
		return;
	for (size_t i = 0; i < K_PAGES; i++)
		if (vec[i] & 1)
			(void)k[i * (VT_PAGE / 8)];
}

struct plan {
	size_t f_max;		/* pages F may hold */
	int kilburn;		/* swap checks too */
};

/* F and G: how many pages of each were written (and kept). */
struct filler {
	uint64_t *f, *g;
	size_t nf, ng;
};

/*
 * Step 1: K written, then F until all of K is on swap (swap is then at
 * most half full); the newest quarter of F (resident) unmapped, so that
 * reading K back needs no eviction and each page keeps its slot as a copy.
 * On Linux, 16 MiB of F.
 */
static void k_to_copies(const struct plan *pl, uint64_t *k, struct filler *fl)
{
	long total = meminfo("SwapTotal:");
	size_t kres, drop;

	fill(k, 'K', 0, K_PAGES);
	while (fl->nf < pl->f_max) {
		fill(fl->f, 'F', fl->nf, fl->nf + 64);
		fl->nf += 64;
		if (!pl->kilburn ? fl->nf >= 4096 :
		    resident(k, K_PAGES) == 0 || meminfo("SwapFree:") < total / 2)
			break;
		/*
		 * Page-out's writes end asynchronously: a page of K being
		 * written still counts as resident until its write's end is
		 * run. A pause lets the page-out daemon run them, so that F
		 * does not push swap past half full (where pages read back
		 * keep no copy) while K's last pages are with the disk.
		 */
		if (pl->kilburn)
			usleep(1000);
	}
	kres = resident(k, K_PAGES);
	drop = fl->nf / 4;
	fl->nf -= drop;
	munmap(fl->f + fl->nf * (VT_PAGE / 8), drop * VT_PAGE);
	VT_CHECK(good_pages(k, 'K', K_PAGES) == K_PAGES, "K read back whole (%zu pages of F first)",
		 fl->nf + drop);
	if (pl->kilburn)
		VT_CHECK(kres == 0, "K had gone to swap (%zu of %lu pages resident)", kres, K_PAGES);
}

/*
 * Step 2: G written until swap is full. What goes out is older than K's
 * pages read back (F), so K stays resident, with its copies on swap.
 * K is read (kept referenced) only while swap is at most half full: past
 * that, a page of K that page-out takes between touch's mincore and its
 * read would come back without its slot, and once swap is nearly full,
 * where K's copies are the only anonymous pages that can still go, each
 * chunk of G would trade K's slots for G's pages until none was left.
 */
static void fill_swap(const struct plan *pl, uint64_t *k, struct filler *fl)
{
	long total = meminfo("SwapTotal:");

	while (pl->kilburn && fl->ng < pl->f_max && meminfo("SwapFree:") > 16) {
		fill(fl->g, 'G', fl->ng, fl->ng + TOUCH_EVERY);
		fl->ng += TOUCH_EVERY;
		if (meminfo("SwapFree:") * 2 >= total)
			touch(k);
	}
	if (!pl->kilburn)
		return;
	VT_CHECK(meminfo("SwapFree:") <= 16, "swap full after %zu pages of G (SwapFree %ld kB)",
		 fl->ng, meminfo("SwapFree:"));
	/*
	 * Of K's 2 MiB, the last chunks of G take some (whole batches of 32
	 * pages; at most 189 pages in 80 runs): at least a quarter stays.
	 */
	VT_CHECK(meminfo("SwapCached:") >= 512,
		 "swap holds copies of resident pages (SwapCached %ld kB)", meminfo("SwapCached:"));
}

/*
 * Step 3: C written while no slot can be had: three quarters as many pages
 * as swap holds copies of. More than the little memory still free, so
 * some of K's pages must go; not more than K, so that memory does not
 * really run out: RAM holds little else that can go (F's and G's pages
 * would need a slot). Returns how many. clean0: the clean evictions
 * counted when swap became full.
 */
static size_t write_c(const struct plan *pl, uint64_t *c, long clean0)
{
	long oom0 = vt_vmstat("oom_kill");
	size_t n = C_PAGES;

	if (pl->kilburn)
		n = (size_t)meminfo("SwapCached:") / 4 * 3 / 4;
	fill(c, 'C', 0, n);
	if (!pl->kilburn)
		return n;
	VT_CHECK(vt_vmstat("kilburn_swap_clean_evictions") - clean0 >= 16,
		 "with swap full, resident copies were evicted without a write (%ld, for %zu pages)",
		 vt_vmstat("kilburn_swap_clean_evictions") - clean0, n);
	VT_CHECK(meminfo("SwapFree:") <= 16, "and no slot was needed (SwapFree %ld kB)",
		 meminfo("SwapFree:"));
	VT_CHECK(vt_vmstat("oom_kill") == oom0, "nobody was killed for it");
	return n;
}

/* Step 4: the whole file, read with swap full. */
static void read_file(const struct plan *pl, const char *p)
{
	long steal0 = vt_vmstat("pgsteal_file");
	size_t good = bf_check_all(p);

	VT_CHECK(good == BF_PAGES, "every page of the file is right (%zu of %lu)", good, BF_PAGES);
	if (pl->kilburn)
		VT_CHECK(vt_vmstat("pgsteal_file") - steal0 > (long)BF_PAGES / 4,
			 "with swap full, file pages were dropped (pgsteal_file +%ld)",
			 vt_vmstat("pgsteal_file") - steal0);
}

/* The child: steps 1 to 5. */
static int run(void *arg)
{
	const struct plan *pl = arg;
	int anon = MAP_PRIVATE | MAP_ANONYMOUS, prot = PROT_READ | PROT_WRITE;
	uint64_t *k = mmap(NULL, K_PAGES * VT_PAGE, prot, anon, -1, 0);
	uint64_t *c = mmap(NULL, C_PAGES * VT_PAGE, prot, anon, -1, 0);
	int fd = open(bf_path(), O_RDONLY);
	char *file = fd < 0 ? MAP_FAILED : mmap(NULL, BF_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	struct filler fl = {
		.f = mmap(NULL, pl->f_max * VT_PAGE, prot, anon | MAP_NORESERVE, -1, 0),
		.g = mmap(NULL, pl->f_max * VT_PAGE, prot, anon | MAP_NORESERVE, -1, 0),
	};
	size_t nc;
	long clean0;

	TL_CHECK(k != MAP_FAILED && c != MAP_FAILED && fl.f != MAP_FAILED &&
		 fl.g != MAP_FAILED && file != MAP_FAILED, "map K, C, F, G and the 48 MiB file");
	if (k == MAP_FAILED || c == MAP_FAILED || fl.f == MAP_FAILED || fl.g == MAP_FAILED ||
	    file == MAP_FAILED)
		return 1;
	k_to_copies(pl, k, &fl);
	fill_swap(pl, k, &fl);
	clean0 = vt_vmstat("kilburn_swap_clean_evictions");
	nc = write_c(pl, c, clean0);
	read_file(pl, file);
	VT_CHECK(good_pages(k, 'K', K_PAGES) == K_PAGES, "K is intact");
	VT_CHECK(good_pages(c, 'C', nc) == nc, "C is intact (%zu pages)", nc);
	VT_CHECK(good_pages(fl.f, 'F', fl.nf) == fl.nf, "F is intact (%zu pages)", fl.nf);
	VT_CHECK(good_pages(fl.g, 'G', fl.ng) == fl.ng, "G is intact (%zu pages)", fl.ng);
	return tl_failed_here;
}

/* Grow the stack now: a page of it first touched later would look leaked. */
static void grow_stack(void)
{
	volatile char deep[64 * 1024];

	for (size_t i = 0; i < sizeof(deep); i += VT_PAGE)
		deep[i] = 0;
}

/* The hog: more than RAM and swap together. Never returns if killed. */
static int hog(void *arg)
{
	size_t n = *(size_t *)arg;
	uint64_t *p = mmap(NULL, n * VT_PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return 2;
	fill(p, 'H', 0, n);
	return 3;		/* it should not get here */
}

int main(void)
{
	struct plan pl = { .f_max = 4096 + 64, .kilburn = tl_on_kilburn() };
	long before, total = 0;
	int status;

	printf("pageout_full: with swap full, clean pages still go\n");
	TL_CHECK(bf_path() != NULL, "the big pattern file is there");
	if (pl.kilburn) {
		TL_CHECK(swapon("/dev/vdb", 0) == 0, "swapon /dev/vdb");
		total = meminfo("SwapTotal:");
		VT_CHECK(total > 4096 && total < 16384, "a small swap area (%ld kB)", total);
		pl.f_max = (size_t)(meminfo("MemTotal:") + total) / 4;
	}
	{
		/*
		 * One cpu for this program and its children: the order in which
		 * K, F and G go out and come back (steps 1 and 2) is what the
		 * test sets up, and threads racing on other harts can upset it.
		 */
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(0, &one);
		TL_CHECK(sched_setaffinity(0, sizeof(one), &one) == 0, "run on cpu 0");
	}
	grow_stack();
	bf_touch_own_memory();	/* none of it first touched later */
	/*
	 * This process only waits: locked, its own pages never go out, so its
	 * page tables and reverse-map entries stay as they are (a page that
	 * goes out and comes back may leave them laid out differently, which
	 * is not a leak and not this test's concern).
	 */
	if (pl.kilburn)
		TL_CHECK(mlockall(MCL_CURRENT) == 0, "mlockall: the waiting parent stays in");
	before = tl_frames_free();
	/*
	 * Twice: in the first run this program's own pages go to swap and
	 * come back, and its page tables with them; the second must give
	 * back every frame.
	 */
	for (int round = 1; round <= 2; round++) {
		if (round == 2)
			before = tl_frames_free();
		status = vt_run(run, &pl, 600);
		VT_CHECK(vt_exited_ok(status),
			 "run %d ended normally: no OOM kill, no hang (%s)", round, vt_how(status));
		bf_touch_own_memory();	/* its pages on swap come back, slots go */
		if (pl.kilburn)
			VT_CHECK(meminfo("SwapFree:") == total,
				 "every slot is free again (%ld of %ld kB)", meminfo("SwapFree:"), total);
	}
	tl_check_no_leak(before);
	if (pl.kilburn) {
		size_t n = (size_t)(meminfo("MemTotal:") + total) / 4 + 4096;

		/*
		 * Frames are not counted after it: the hog's exit may leave
		 * kernel caches (slabs, tables of other processes) changed.
		 * This program stays locked in.
		 */
		status = vt_run(hog, &n, 300);
		VT_CHECK(vt_killed_by(status, SIGKILL),
			 "a hog larger than RAM and swap is killed (%s)", vt_how(status));
		bf_touch_own_memory();
		VT_CHECK(meminfo("SwapFree:") == total, "its slots are free again (%ld kB)",
			 meminfo("SwapFree:"));
		TL_CHECK(swapoff("/dev/vdb") == 0, "swapoff /dev/vdb");
	}
	return tl_done();
}
