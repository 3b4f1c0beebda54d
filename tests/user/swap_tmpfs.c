/*
 * swap_tmpfs: a tmpfs file of twice RAM. Its pages go to swap and come
 * back through the file's page cache: read(2), a shared and a private
 * mapping all see the data as written, every page checked against the
 * pattern naming it and its generation. A truncation while part of the
 * file is on swap frees the slots past the new end and zeroes the tail of
 * the page keeping it; MADV_REMOVE of a range frees the slots of its
 * pages on swap and leaves zeros; swapoff fails with ENOMEM while the file cannot fit
 * in RAM, losing nothing, and succeeds once it can; removing the file gives
 * every slot and frame back.
 *
 * Booted by scripts/run-tests.sh with 64 MiB of RAM and a 256 MiB swap
 * area (swap=/dev/vdb); on Linux it runs the same steps on a 32 MiB file
 * in /tmp (whatever file system that is).
 */
#include "tlib.h"
#include "vmtest.h"
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/swap.h>

#define PAGE	4096UL
#define CHUNK	16		/* pages per read(2) or write(2) */
#define PATH	"/tmp/swap_tmpfs.data"
#define COPY	"/tmp/swap_tmpfs.copy"
#define NCOPY	64		/* pages sendfile copies */

/* The one buffer of read(2) and write(2), touched before frames are counted. */
static char buf[CHUNK * PAGE];

static void fill(char *at, size_t page, unsigned int gen)
{
	uint64_t *p = (uint64_t *)at;

	for (size_t i = 0; i < PAGE / 8; i++)
		p[i] = vt_page_word(page, gen, i);
}

/* Do the first `bytes` bytes of at hold page's pattern of generation gen? */
static int holds(const char *at, size_t page, unsigned int gen, size_t bytes)
{
	const uint64_t *p = (const uint64_t *)at;

	for (size_t i = 0; i < bytes / 8; i++)
		if (p[i] != vt_page_word(page, gen, i))
			return 0;
	return 1;
}

/* Generation of page pg after the shared mapping rewrote the even pages. */
static unsigned int gen_of(size_t pg)
{
	return pg % 2 ? 1 : 2;
}

/* Write npages of generation 1 with write(2). Returns 0 or -1. */
static int write_file(int fd, size_t npages)
{

	for (size_t pg = 0; pg < npages; pg += CHUNK) {
		size_t n = npages - pg < CHUNK ? npages - pg : CHUNK;

		for (size_t i = 0; i < n; i++)
			fill(buf + i * PAGE, pg + i, 1);
		if (write(fd, buf, n * PAGE) != (ssize_t)(n * PAGE))
			return -1;
	}
	return 0;
}

/*
 * Pages among the first npages that read(2) finds wrong (all on error);
 * gen 0 means the page must read as zeros.
 */
static size_t read_wrong(int fd, size_t npages, unsigned int (*gen)(size_t))
{
	size_t wrong = 0;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return npages;
	for (size_t pg = 0; pg < npages; pg += CHUNK) {
		size_t n = npages - pg < CHUNK ? npages - pg : CHUNK;

		if (read(fd, buf, n * PAGE) != (ssize_t)(n * PAGE))
			return npages;
		for (size_t i = 0; i < n; i++) {
			const char *at = buf + i * PAGE;

			if (gen(pg + i) == 0)	/* a hole: zeros */
				wrong += at[0] != 0 || memcmp(at, at + 1, PAGE - 1) != 0;
			else
				wrong += !holds(at, pg + i, gen(pg + i), PAGE);
		}
	}
	return wrong;
}

static unsigned int gen_one(size_t pg)
{
	(void)pg;
	return 1;
}

static long major_faults(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_majflt : -1;
}

/* sendfile the first NCOPY pages (written first: on swap) to a new file. */
static void check_sendfile(int fd)
{
	int out = open(COPY, O_RDWR | O_CREAT | O_TRUNC, 0600);
	off_t off = 0;

	TL_CHECK(out >= 0, "create " COPY);
	if (out < 0)
		return;
	TL_CHECK(sendfile(out, fd, &off, NCOPY * PAGE) == (ssize_t)(NCOPY * PAGE) &&
		 off == (off_t)(NCOPY * PAGE), "sendfile the first pages");
	TL_CHECK(read_wrong(out, NCOPY, gen_one) == 0, "the copy reads right");
	TL_CHECK(close(out) == 0 && unlink(COPY) == 0, "remove the copy");
}

/* Check through a shared mapping, then rewrite the even pages through it. */
static void check_shared(int fd, size_t npages)
{
	char *m = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	size_t wrong = 0;

	TL_CHECK(m != MAP_FAILED, "map the file shared");
	if (m == MAP_FAILED)
		return;
	long majflt = major_faults(), pswpin = vt_proc_kb("/proc/vmstat", "pswpin ");

	for (size_t pg = 0; pg < npages; pg++)
		wrong += !holds(m + pg * PAGE, pg, 1, PAGE);
	TL_CHECK(wrong == 0, "every page reads right through the shared mapping");
	/* readahead brings most with a neighbour's fault: fewer major faults */
	if (tl_on_kilburn())
		TL_CHECK(vt_proc_kb("/proc/vmstat", "pswpin ") - pswpin > (long)npages / 4 &&
			 major_faults() > majflt,
			 "its faults read pages back from swap (pswpin, major faults)");
	for (size_t pg = 0; pg < npages; pg += 2)
		fill(m + pg * PAGE, pg, 2);
	TL_CHECK(munmap(m, npages * PAGE) == 0, "munmap the shared mapping");
}

/* Check through a private mapping; its writes must not reach the file. */
static void check_private(int fd, size_t npages)
{
	char *m = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	size_t wrong = 0;

	TL_CHECK(m != MAP_FAILED, "map the file private");
	if (m == MAP_FAILED)
		return;
	for (size_t pg = npages; pg-- > 0;)
		wrong += !holds(m + pg * PAGE, pg, gen_of(pg), PAGE);
	TL_CHECK(wrong == 0, "every page reads right through the private mapping");
	for (size_t pg = 0; pg < npages; pg += 64)
		fill(m + pg * PAGE, pg, 3);
	wrong = 0;
	for (size_t pg = 0; pg < npages; pg += 64)
		wrong += !holds(m + pg * PAGE, pg, 3, PAGE);
	TL_CHECK(wrong == 0, "private copies hold the private writes");
	TL_CHECK(munmap(m, npages * PAGE) == 0, "munmap the private mapping");
}

/*
 * Cut the file to `keep` pages and 100 bytes, then grow it a page again:
 * the kept pages are intact, the rest of the page keeping the end reads
 * as zeros, and the pages past it are gone.
 */
/* Generation of page pg after MADV_REMOVE of [lo, hi): 0 means zeros. */
static size_t removed_lo, removed_hi;

static unsigned int gen_after_remove(size_t pg)
{
	return pg >= removed_lo && pg < removed_hi ? 0 : gen_of(pg);
}

/*
 * MADV_REMOVE of an eighth of the file, half way in, through a shared
 * mapping, while much of it is on swap: the range reads as zeros, the
 * rest as before, the size stands, and the slots of the range's pages on
 * swap are freed (its pages mincore finds not resident are on swap).
 */
static void check_remove(int fd, size_t npages)
{
	size_t len = npages / 8, out = 0, zeros = 0, wrong = 0;
	unsigned char *vec = (unsigned char *)buf;	/* len <= sizeof(buf) */
	char *map = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	long used0, used1, out0, written;
	struct stat st;

	removed_lo = npages / 2;
	removed_hi = removed_lo + len;
	TL_CHECK(map != MAP_FAILED && len <= sizeof(buf), "map the file shared to punch a hole in it");
	if (map == MAP_FAILED || len > sizeof(buf))
		return;
	if (mincore(map + removed_lo * PAGE, len * PAGE, vec) == 0)
		for (size_t i = 0; i < len; i++)
			out += !(vec[i] & 1);
	/* page-out may write other pages meanwhile (on another hart): counted */
	out0 = vt_vmstat("pswpout");
	used0 = vt_swap_used_kb();
	TL_CHECK(madvise(map + removed_lo * PAGE, len * PAGE, MADV_REMOVE) == 0,
		 "MADV_REMOVE an eighth of it while part is on swap");
	used1 = vt_swap_used_kb();
	written = vt_vmstat("pswpout") - out0;
	if (tl_on_kilburn()) {
		char what[200];

		snprintf(what, sizeof(what), "the slots of its %zu pages on swap were freed "
			 "(swap used %ld -> %ld kB, %ld pages written meanwhile)",
			 out, used0, used1, written);
		TL_CHECK(out > 0 && used0 - used1 + written * 4 >= (long)out * 4, what);
	}
	for (size_t pg = removed_lo; pg < removed_hi; pg++)
		zeros += map[pg * PAGE] == 0 && !memcmp(map + pg * PAGE, map + pg * PAGE + 1, PAGE - 1);
	munmap(map, npages * PAGE);
	if (!tl_on_kilburn() && zeros == 0) {
		printf("qemu-riscv64 ignores MADV_REMOVE: the range is not checked\n");
		removed_lo = removed_hi = 0;
	} else {
		TL_CHECK(zeros == len, "the range reads as zeros through the mapping");
	}
	wrong = read_wrong(fd, npages, gen_after_remove);
	TL_CHECK(wrong == 0, "read(2): the range zeros, every other page as before");
	TL_CHECK(fstat(fd, &st) == 0 && st.st_size == (off_t)(npages * PAGE),
		 "the file keeps its size");
}

static void check_truncate(int fd, size_t keep, long used)
{
	size_t zero = 0;
	uint64_t tail;

	TL_CHECK(ftruncate(fd, keep * PAGE + 100) == 0, "truncate while part is on swap");
	if (tl_on_kilburn())
		TL_CHECK(vt_swap_used_kb() < used, "the slots past the new end were freed");
	TL_CHECK(ftruncate(fd, (keep + 2) * PAGE) == 0, "grow it again");
	TL_CHECK(pread(fd, buf, PAGE, keep * PAGE) == (ssize_t)PAGE, "pread the page keeping the end");
	tail = vt_page_word(keep, gen_of(keep), 12);	/* bytes 96..103 */
	TL_CHECK(holds(buf, keep, gen_of(keep), 96) && !memcmp(buf + 96, &tail, 4),
		 "its first 100 bytes stand");
	for (size_t i = 100; i < PAGE; i++)
		zero += buf[i] == 0;
	TL_CHECK(zero == PAGE - 100, "the rest of it reads as zeros");
	TL_CHECK(pread(fd, buf, PAGE, (keep + 1) * PAGE) == (ssize_t)PAGE &&
		 buf[0] == 0 && !memcmp(buf, buf + 1, PAGE - 1), "the page past it reads as zeros");
	TL_CHECK(ftruncate(fd, keep * PAGE) == 0, "cut back to whole pages");
	TL_CHECK(read_wrong(fd, keep, gen_of) == 0, "the kept pages read right");
}

/*
 * The pages written out while the file was written go out in batches, as
 * anonymous pages do: many pages per disk request (at least 8 on average).
 */
static void check_write_requests(long pages, long requests)
{
	char what[128];

	snprintf(what, sizeof(what), "written out %ld pages in %ld requests (%.1f a request)",
		 pages, requests, requests > 0 ? (double)pages / requests : 0.0);
	TL_CHECK(pages > 0 && requests > 0 && pages >= 8 * requests, what);
}

int main(void)
{
	long mem_kb = vt_proc_kb("/proc/meminfo", "MemTotal:"), before, used_before, used;
	long shmem_before, out0, req0;
	size_t npages, keep;
	int fd;

	printf("swap_tmpfs: a tmpfs file of 2 x RAM, read, mapped, truncated, removed\n");
	if (mem_kb <= 0 || mem_kb > 64 * 1024)
		mem_kb = 64 * 1024;
	npages = tl_on_kilburn() ? (size_t)mem_kb * 2 / 4 : 32 * 1024 / 4;
	keep = npages / 8;		/* an eighth of the file: a quarter of RAM */
	memset(buf, 1, sizeof(buf));
	before = tl_frames_free();
	used_before = vt_swap_used_kb();
	fd = open(PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
	TL_CHECK(fd >= 0, "create " PATH);
	if (fd < 0)
		return tl_done();
	/* after the first check: tlib's totals live in a shared page */
	shmem_before = vt_proc_kb("/proc/meminfo", "Shmem:");
	out0 = vt_vmstat("pswpout");
	req0 = vt_vmstat("kilburn_swap_write_requests");
	TL_CHECK(write_file(fd, npages) == 0, "write 2 x RAM with write(2)");
	used = vt_swap_used_kb();
	if (tl_on_kilburn())
		check_write_requests(vt_vmstat("pswpout") - out0,
				     vt_vmstat("kilburn_swap_write_requests") - req0);
	if (tl_on_kilburn()) {
		TL_CHECK(used - used_before > mem_kb / 2, "part of it went to swap");
		TL_CHECK(vt_proc_kb("/proc/meminfo", "SwapCached:") < 1024,
			 "its slots count as swapped out, not as SwapCached");
		TL_CHECK(vt_proc_kb("/proc/meminfo", "Shmem:") - shmem_before < mem_kb,
			 "Shmem counts only the file's pages in memory");
	}
	check_sendfile(fd);
	TL_CHECK(read_wrong(fd, npages, gen_one) == 0, "every page reads right with read(2)");
	check_shared(fd, npages);
	check_private(fd, npages);
	if (tl_on_kilburn()) {
		errno = 0;
		TL_CHECK(swapoff("/dev/vdb") == -1 && errno == ENOMEM,
			 "swapoff fails with ENOMEM while RAM cannot hold the file");
	}
	TL_CHECK(read_wrong(fd, npages, gen_of) == 0,
		 "read(2) sees the shared writes and not the private ones, nothing lost");
	check_remove(fd, npages);
	if (tl_on_kilburn()) {
		used = vt_swap_used_kb();
		TL_CHECK(used > 0, "the area is still on");
	}
	check_truncate(fd, keep, used);
	if (tl_on_kilburn()) {
		TL_CHECK(swapoff("/dev/vdb") == 0, "swapoff reads the rest of the file back");
		TL_CHECK(read_wrong(fd, keep, gen_of) == 0, "which reads right from memory");
		TL_CHECK(swapon("/dev/vdb", 0) == 0, "swapon again");
	}
	TL_CHECK(close(fd) == 0 && unlink(PATH) == 0, "close and remove the file");
	if (tl_on_kilburn()) {
		TL_CHECK(vt_swap_used_kb() == used_before, "every swap slot came back");
		TL_CHECK(vt_proc_kb("/proc/meminfo", "Shmem:") == shmem_before,
			 "Shmem is back where it was");
		tl_check_no_leak(before);
	}
	return tl_done();
}
