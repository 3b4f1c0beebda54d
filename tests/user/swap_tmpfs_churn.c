/*
 * swap_tmpfs_churn: a tmpfs file being rewritten, truncated, punched and
 * replaced while page-out writes its pages to swap. Page-out writes a
 * batch of tmpfs pages with the file's lock dropped; a page written to,
 * cut off, punched or removed meanwhile must not be replaced by the stale
 * copy on swap, and nothing may leak.
 *
 * A child keeps a model of a 16 MiB file (the generation of each page, 0
 * for zeros) and, round after round, rewrites a run of pages with
 * pwrite, cuts the file to a random length and grows it back, punches a
 * hole with MADV_REMOVE through a shared mapping, makes, fills and
 * removes a small second file, and checks a run of pages with pread;
 * meanwhile the parent writes and rewrites a file of RAM's size, so the
 * child's pages keep going to swap. At the end the child checks every
 * page. Then both files go, and after a swapoff (which brings back the
 * test's own pages) every slot and frame must have come back.
 *
 * Booted by scripts/run-tests.sh with 64 MiB of RAM and a 256 MiB swap
 * area (swap=/dev/vdb); on Linux it runs the same steps (with MADV_REMOVE
 * unchecked where qemu-riscv64 ignores it).
 */
#include "tlib.h"
#include "vmtest.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>

#define PAGE	4096UL
#define NPAGES	4096		/* the child's file: 16 MiB */
#define RUN	16		/* pages per pwrite, pread, hole */
#define ROUNDS	800
#define FILE_A	"/tmp/churn.model"
#define FILE_B	"/tmp/churn.pressure"
#define FILE_C	"/tmp/churn.small"

static unsigned char gen[NPAGES];	/* the model: 0 = zeros */
static char buf[RUN * PAGE];
static char pbuf[RUN * PAGE];		/* the parent's; touched before frames are counted */
static uint64_t seed = 12345;

static uint64_t rnd(void)
{
	seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return seed >> 33;
}

static void fill(char *at, size_t page, unsigned int g)
{
	uint64_t *p = (uint64_t *)at;

	for (size_t i = 0; i < PAGE / 8; i++)
		p[i] = vt_page_word(page, g, i);
}

/* Does at hold page's contents of generation g (zeros for 0)? */
static int holds(const char *at, size_t page, unsigned int g)
{
	const uint64_t *p = (const uint64_t *)at;

	for (size_t i = 0; i < PAGE / 8; i++)
		if (p[i] != (g ? vt_page_word(page, g, i) : 0))
			return 0;
	return 1;
}

/* Pages of [from, from + n) that pread finds other than the model says. */
static size_t run_wrong(int fd, size_t from, size_t n)
{
	size_t wrong = 0;

	if (pread(fd, buf, n * PAGE, from * PAGE) != (ssize_t)(n * PAGE))
		return n;
	for (size_t i = 0; i < n; i++)
		wrong += !holds(buf + i * PAGE, from + i, gen[from + i]);
	return wrong;
}

/* Rewrite a run of pages with the next generation. 0 or -1. */
static int rewrite_run(int fd, unsigned int g)
{
	size_t from = rnd() % (NPAGES - RUN);

	for (size_t i = 0; i < RUN; i++)
		fill(buf + i * PAGE, from + i, g);
	if (pwrite(fd, buf, RUN * PAGE, from * PAGE) != (ssize_t)(RUN * PAGE))
		return -1;
	memset(gen + from, g, RUN);
	return 0;
}

/* Cut the file to a random whole page count and grow it back. 0 or -1. */
static int cut_and_grow(int fd)
{
	size_t keep = rnd() % NPAGES;

	if (ftruncate(fd, keep * PAGE) != 0 || ftruncate(fd, NPAGES * PAGE) != 0)
		return -1;
	memset(gen + keep, 0, NPAGES - keep);
	return 0;
}

/* Punch a hole of RUN pages; 1 if the system punched it, 0 if not, -1. */
static int punch(char *map, int fd)
{
	size_t from = rnd() % (NPAGES - RUN);

	size_t zeros = 0;

	if (madvise(map + from * PAGE, RUN * PAGE, MADV_REMOVE) != 0 ||
	    pread(fd, buf, RUN * PAGE, from * PAGE) != (ssize_t)(RUN * PAGE))
		return -1;
	for (size_t i = 0; i < RUN; i++)
		zeros += holds(buf + i * PAGE, from + i, 0);
	if (zeros == RUN) {
		memset(gen + from, 0, RUN);
		return 1;
	}
	if (!tl_on_kilburn() && run_wrong(fd, from, RUN) == 0)
		return 0;	/* qemu-riscv64 ignores MADV_REMOVE */
	return -1;
}

/* A small file made, filled, read back and removed. 0 or -1. */
static int small_file(unsigned int g)
{
	int fd = open(FILE_C, O_RDWR | O_CREAT | O_TRUNC, 0600);
	int ok;

	if (fd < 0)
		return -1;
	for (size_t i = 0; i < RUN; i++)
		fill(buf + i * PAGE, i, g);
	ok = write(fd, buf, RUN * PAGE) == (ssize_t)(RUN * PAGE);
	memset(buf, 0, RUN * PAGE);
	ok = ok && pread(fd, buf, RUN * PAGE, 0) == (ssize_t)(RUN * PAGE);
	for (size_t i = 0; ok && i < RUN; i++)
		ok = holds(buf + i * PAGE, i, g);
	return close(fd) == 0 && unlink(FILE_C) == 0 && ok ? 0 : -1;
}

/* The child: the rounds over the model file, then a check of every page. */
static void child(void)
{
	int fd = open(FILE_A, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char *map;
	size_t wrong = 0, errors = 0;
	int punched = 0;

	if (fd < 0 || ftruncate(fd, NPAGES * PAGE) != 0)
		_exit(2);
	map = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		_exit(2);
	for (size_t pg = 0; pg < NPAGES; pg += RUN) {	/* generation 1 everywhere */
		for (size_t i = 0; i < RUN; i++)
			fill(buf + i * PAGE, pg + i, 1);
		errors += pwrite(fd, buf, RUN * PAGE, pg * PAGE) != (ssize_t)(RUN * PAGE);
	}
	memset(gen, 1, NPAGES);
	for (unsigned int r = 0; r < ROUNDS; r++) {
		unsigned int g = 2 + r % 250;
		int p;

		errors += rewrite_run(fd, g) != 0;
		if (r % 8 == 3)
			errors += cut_and_grow(fd) != 0;
		if (r % 5 == 1) {
			p = punch(map, fd);
			errors += p < 0;
			punched += p > 0;
		}
		if (r % 4 == 2)
			errors += small_file(g) != 0;
		wrong += run_wrong(fd, rnd() % (NPAGES - RUN), RUN);
	}
	TL_CHECK(errors == 0, "child: every write, truncation, hole and small file went through");
	TL_CHECK(wrong == 0, "child: every run checked during the rounds read as the model says");
	wrong = 0;
	for (size_t pg = 0; pg < NPAGES; pg += RUN)
		wrong += run_wrong(fd, pg, RUN);
	TL_CHECK(wrong == 0, "child: every page of the file reads as the model says");
	for (size_t pg = 0; pg < NPAGES; pg++)	/* through the mapping too */
		wrong += !holds(map + pg * PAGE, pg, gen[pg]);
	TL_CHECK(wrong == 0, "child: and so through its shared mapping");
	if (tl_on_kilburn())
		TL_CHECK(punched > 0, "child: holes were punched");
	munmap(map, NPAGES * PAGE);
	close(fd);
	_exit(tl_failed_here ? 1 : 0);
}

/* Write the pressure file of npages, generation g. 0 or -1. */
static int pressure_pass(int fd, size_t npages, unsigned int g)
{
	for (size_t pg = 0; pg < npages; pg += RUN) {
		for (size_t i = 0; i < RUN; i++)
			fill(pbuf + i * PAGE, pg + i, g);
		if (pwrite(fd, pbuf, RUN * PAGE, pg * PAGE) != (ssize_t)(RUN * PAGE))
			return -1;
	}
	return 0;
}

/*
 * What the test does once before frames are counted, so that what the
 * kernel makes on first use is there already: a child that exits, a
 * swapoff and swapon.
 */
static void warm_up(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (tl_on_kilburn() && (swapoff("/dev/vdb") != 0 || swapon("/dev/vdb", 0) != 0))
		printf("note: swapoff and swapon before counting failed\n");
}

int main(void)
{
	long mem_kb = vt_proc_kb("/proc/meminfo", "MemTotal:"), before, used_before;
	long kept0 = vt_vmstat("kilburn_swapout_cache_kept");
	unsigned int passes = 0;
	int status = -1, fd, errors = 0, first_errno = 0;
	size_t npages;
	pid_t pid, done = 0;

	printf("swap_tmpfs_churn: a tmpfs file rewritten, cut and punched while it goes to swap\n");
	if (mem_kb <= 0 || mem_kb > 64 * 1024)
		mem_kb = 64 * 1024;
	npages = (size_t)mem_kb / 4;
	memset(pbuf, 1, sizeof(pbuf));
	warm_up();
	before = tl_frames_free();
	used_before = vt_swap_used_kb();
	fd = open(FILE_B, O_RDWR | O_CREAT | O_TRUNC, 0600);
	TL_CHECK(fd >= 0, "create " FILE_B);
	if (fd < 0)
		return tl_done();
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		child();
	while (pid > 0 && (done = waitpid(pid, &status, WNOHANG)) == 0)
		if (pressure_pass(fd, npages, 1 + passes++ % 200) != 0 && !errors++)
			first_errno = errno;
	TL_CHECK(pid > 0 && done == pid, "fork and wait");
	VT_CHECK(errors == 0, "the parent's writes went through (%d failed, the first: %s)",
		 errors, errors ? strerror(first_errno) : "none");
	TL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "the child found its file as it left it");
	printf("pressure passes %u, cache pages written but kept %ld\n", passes,
	       vt_vmstat("kilburn_swapout_cache_kept") - kept0);
	TL_CHECK(close(fd) == 0 && unlink(FILE_B) == 0 && unlink(FILE_A) == 0,
		 "remove both files");
	if (tl_on_kilburn()) {
		/* our own pages on swap, or kept there as copies, come back */
		TL_CHECK(swapoff("/dev/vdb") == 0 && swapon("/dev/vdb", 0) == 0,
			 "swapoff and swapon again");
		TL_CHECK(vt_swap_used_kb() == used_before, "every swap slot came back");
		tl_check_no_leak(before);
	}
	return tl_done();
}
