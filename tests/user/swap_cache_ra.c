/*
 * swap_cache_ra: swap readahead of page-cache pages, those of a tmpfs file
 * and of shared anonymous memory. A file of 1.5 x RAM in /tmp is written
 * with write(2), so that most of it goes to swap, then read back:
 *
 *   1. in order with read(2);
 *   2. through a shared mapping, forward, backward and with a prime stride;
 *
 * then the same size of shared anonymous memory is written and read back
 * forward and backward. Every page is checked against the pattern naming
 * it on every pass. On Kilburn each pass is judged as well: a forward or
 * backward one reads several pages per disk request (pswpin grows faster
 * than the read requests, and for a mapping than the major faults) and
 * nearly every page read ahead is used (swap_ra_hit); the strided one
 * backs off (next to no page read ahead). At the end, with the file gone
 * and the memory unmapped, every swap slot and frame is back and every page
 * read ahead was either used or counted unused (kilburn_swap_ra_unused).
 *
 * Booted by scripts/run-tests.sh with 64 MiB of RAM and a 256 MiB swap
 * area (swap=/dev/vdb); on Linux it checks the data of a 24 MiB file and
 * mapping only.
 */
#include "tlib.h"
#include "vmtest.h"
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/swap.h>

#define PAGE	4096UL
#define CHUNK	16		/* pages per read(2) or write(2) */
#define PATH	"/tmp/swap_cache_ra.data"

static char buf[CHUNK * PAGE];
static size_t npages;
static char *mem;		/* the mapping a pass reads */

static void fill(char *at, size_t page, unsigned int gen)
{
	uint64_t *p = (uint64_t *)at;

	for (size_t i = 0; i < PAGE / 8; i++)
		p[i] = vt_page_word(page, gen, i);
}

static bool holds(const char *at, size_t page, unsigned int gen)
{
	const uint64_t *p = (const uint64_t *)at;

	for (size_t i = 0; i < PAGE / 8; i++)
		if (p[i] != vt_page_word(page, gen, i))
			return false;
	return true;
}

static long majflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_majflt : 0;
}

/* The counters a pass is judged by, at one moment. */
struct ra_count {
	long pswpin, requests, ra, hit, unused, majflt;
};

static struct ra_count ra_now(void)
{
	return (struct ra_count){
		.pswpin = vt_vmstat0("pswpin"),
		.requests = vt_vmstat0("kilburn_swap_read_requests"),
		.ra = vt_vmstat0("swap_ra"), .hit = vt_vmstat0("swap_ra_hit"),
		.unused = vt_vmstat0("kilburn_swap_ra_unused"),
		.majflt = majflt(),
	};
}

/*
 * Judge a pass between a and b (Kilburn): a sequential one read more than
 * a quarter of the pages from swap, at least 4 per request, and used at
 * least 90% of those read ahead; with faults (mapped), pswpin grew at least
 * twice as much as the major faults. Any other backs off: at most a tenth of the
 * pages read were read ahead.
 */
static void judge(const char *how, struct ra_count a, struct ra_count b,
		  bool sequential, bool faults)
{
	long in = b.pswpin - a.pswpin, req = b.requests - a.requests;
	long ra = b.ra - a.ra, hit = b.hit - a.hit, maj = b.majflt - a.majflt;

	if (!tl_on_kilburn())
		return;
	if (!sequential) {
		VT_CHECK(ra * 10 <= in, "%s: readahead backs off (%ld pages read ahead for %ld read)",
			 how, ra, in);
		return;
	}
	/* how much of it is still on swap varies: a quarter is enough to judge */
	VT_CHECK(in > (long)npages / 4 && in >= 4 * req,
		 "%s: %ld pages in %ld read requests (at least 4 per request)", how, in, req);
	VT_CHECK(ra > (long)npages / 4 && hit * 10 >= ra * 9,
		 "%s: %ld of %ld pages read ahead were used", how, hit, ra);
	if (faults)
		VT_CHECK(in >= 2 * maj, "%s: %ld pages read from swap, only %ld major faults",
			 how, in, maj);
}

static size_t fwd(size_t k) { return k; }
static size_t bwd(size_t k) { return npages - 1 - k; }
static size_t strided(size_t k) { return (k * 7919) % npages; }	/* prime stride */

/* Read every page of mem in order at() and judge the pass. */
static void mapped_pass(size_t (*at)(size_t k), const char *how, bool sequential)
{
	struct ra_count a = ra_now();
	size_t bad = 0;

	for (size_t k = 0; k < npages; k++)
		bad += !holds(mem + at(k) * PAGE, at(k), 1);
	VT_CHECK(bad == 0, "%s: every page reads back right (%zu wrong)", how, bad);
	judge(how, a, ra_now(), sequential, true);
}

/* The tmpfs file: written, read back with read(2), then mapped. */
static void tmpfs_file(void)
{
	int fd = open(PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
	struct ra_count a;
	size_t bad = 0, pg;

	TL_CHECK(fd >= 0, "create " PATH);
	if (fd < 0)
		return;
	for (pg = 0; pg < npages; pg += CHUNK) {
		for (size_t i = 0; i < CHUNK; i++)
			fill(buf + i * PAGE, pg + i, 1);
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			break;
	}
	TL_CHECK(pg == npages, "write the file of 1.5 x RAM");

	a = ra_now();
	for (pg = 0; pg < npages; pg += CHUNK) {
		if (pread(fd, buf, sizeof(buf), pg * PAGE) != (ssize_t)sizeof(buf))
			break;
		for (size_t i = 0; i < CHUNK; i++)
			bad += !holds(buf + i * PAGE, pg + i, 1);
	}
	VT_CHECK(pg == npages && bad == 0, "read(2): every page reads back right (%zu wrong)", bad);
	judge("read(2)", a, ra_now(), true, false);

	mem = mmap(NULL, npages * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	TL_CHECK(mem != MAP_FAILED, "map the file shared");
	if (mem != MAP_FAILED) {
		mapped_pass(fwd, "file forward", true);
		mapped_pass(bwd, "file backward", true);
		mapped_pass(strided, "file strided", false);
		TL_CHECK(munmap(mem, npages * PAGE) == 0, "unmap the file");
	}
	close(fd);
	TL_CHECK(unlink(PATH) == 0, "remove the file");
}

/* Shared anonymous memory of the same size: written, read back. */
static void shared_anon(void)
{
	mem = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	TL_CHECK(mem != MAP_FAILED, "map shared anonymous memory of 1.5 x RAM");
	if (mem == MAP_FAILED)
		return;
	for (size_t pg = 0; pg < npages; pg++)
		fill(mem + pg * PAGE, pg, 1);
	mapped_pass(fwd, "shared forward", true);
	mapped_pass(bwd, "shared backward", true);
	TL_CHECK(munmap(mem, npages * PAGE) == 0, "unmap the shared memory");
}

int main(void)
{
	long mem_kb = vt_proc_kb("/proc/meminfo", "MemTotal:"), used_before, before;

	printf("swap_cache_ra: readahead of tmpfs and shared anonymous pages on swap\n");
	if (!tl_on_kilburn() || mem_kb <= 0 || mem_kb > 64 * 1024)
		mem_kb = 16 * 1024;	/* Linux: the data checks only */
	npages = (size_t)mem_kb * 3 / 2 / 4 / CHUNK * CHUNK;
	memset(buf, 0, sizeof(buf));
	before = tl_frames_free();
	used_before = vt_swap_used_kb();
	if (tl_on_kilburn())
		TL_CHECK(vt_proc_kb("/proc/meminfo", "SwapTotal:") >= mem_kb * 2,
			 "a swap area of at least 2 x RAM is active");
	tmpfs_file();
	shared_anon();
	if (tl_on_kilburn()) {
		struct ra_count c;

		/* swapoff brings this program's own pages back (stack, data) */
		TL_CHECK(swapoff("/dev/vdb") == 0, "swapoff brings every page back");
		TL_CHECK(swapon("/dev/vdb", 0) == 0, "swapon again");
		VT_CHECK(vt_swap_used_kb() == 0 && used_before == 0,
			 "every swap slot came back (%ld kB used, %ld before)",
			 vt_swap_used_kb(), used_before);
		c = ra_now();
		/* a few pages of this program's own may still be resident */
		VT_CHECK(c.hit + c.unused <= c.ra && c.ra - c.hit - c.unused <= 64,
			 "every page read ahead was used, or freed and counted unused "
			 "(%ld read ahead, %ld used, %ld unused)", c.ra, c.hit, c.unused);
		tl_check_no_leak(before);
	}
	return tl_done();
}
