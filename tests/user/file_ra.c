/*
 * file_ra: readahead of a file on the root disk. The 48 MiB pattern file
 * (/tests/big.pattern, bigfile.h) is read with nothing of it cached:
 *
 *   1. in order with read(2);
 *   2. through a shared mapping, forward, backward and with a prime
 *      stride (the cache dropped before each pass);
 *
 * and every page is checked against the pattern on every pass. On Kilburn
 * each pass is judged as well: the forward ones read most of the file
 * ahead (kilburn_file_ra) and use at least 90% of it (kilburn_file_ra_hit),
 * the mapped one with at most a quarter as many major faults as pages; the
 * backward and strided ones read next to nothing ahead. At the end every
 * page read ahead was used or dropped and counted unused, and no frame is
 * missing once the cache is dropped.
 *
 * On Linux the same file is written to /tmp first and only the data are
 * checked.
 */
#include "tlib.h"
#include "vmtest.h"
#include "bigfile.h"
#include <stdbool.h>

#define CHUNK	(64UL << 10)

static char buf[CHUNK];

/* The counters a pass is judged by. */
struct ra_count {
	long ra, hit, unused, majflt;
};

static struct ra_count ra_now(void)
{
	return (struct ra_count){
		.ra = bf_vmstat("kilburn_file_ra"), .hit = bf_vmstat("kilburn_file_ra_hit"),
		.unused = bf_vmstat("kilburn_file_ra_unused"), .majflt = bf_majflt(),
	};
}

/*
 * Judge a pass between a and b (Kilburn). Forward: more than half the file
 * read ahead, at least 90% of that used, and (mapped) major faults at most
 * a quarter of the pages. Otherwise: at most a tenth of the pages read
 * ahead.
 */
static void judge(const char *how, struct ra_count a, struct ra_count b,
		  bool forward, bool mapped)
{
	long ra = b.ra - a.ra, hit = b.hit - a.hit, maj = b.majflt - a.majflt;

	if (!tl_on_kilburn())
		return;
	if (!forward) {
		VT_CHECK(ra * 10 <= (long)BF_PAGES, "%s: readahead backs off (%ld pages read ahead)",
			 how, ra);
		return;
	}
	VT_CHECK(ra > (long)BF_PAGES / 2 && hit * 10 >= ra * 9,
		 "%s: %ld of %ld pages read ahead were used", how, hit, ra);
	if (mapped)
		VT_CHECK(maj * 4 <= (long)BF_PAGES, "%s: %ld major faults for %lu pages",
			 how, maj, BF_PAGES);
}

static size_t fwd(size_t k) { return k; }
static size_t bwd(size_t k) { return BF_PAGES - 1 - k; }
static size_t strided(size_t k) { return (k * 7919) % BF_PAGES; }	/* prime stride */

/* With nothing of the file cached, read each page of a mapping in order at(). */
static void mapped_pass(int fd, size_t (*at)(size_t k), const char *how, bool forward)
{
	struct ra_count a;
	size_t bad = 0;
	char *p;

	tl_drop_caches();
	p = mmap(NULL, BF_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	VT_CHECK(p != MAP_FAILED, "%s: map the file", how);
	if (p == MAP_FAILED)
		return;
	a = ra_now();
	for (size_t k = 0; k < BF_PAGES; k++)
		bad += !bf_page_ok((const volatile uint64_t *)(p + at(k) * VT_PAGE), at(k));
	VT_CHECK(bad == 0, "%s: every page reads right (%zu wrong)", how, bad);
	judge(how, a, ra_now(), forward, true);
	munmap(p, BF_SIZE);
}

int main(void)
{
	const char *path;
	struct ra_count a, c;
	size_t bad = 0, done;
	long before;
	int fd;

	printf("file_ra: readahead of a file on the root disk\n");
	path = bf_path();
	TL_CHECK(path != NULL, "the big pattern file is there");
	if (!path)
		return tl_done();
	memset(buf, 0, sizeof(buf));
	before = tl_frames_free();	/* drops the caches too */
	fd = open(path, O_RDONLY);
	TL_CHECK(fd >= 0, "open the file");
	if (fd < 0)
		return tl_done();

	a = ra_now();
	for (done = 0; done < BF_SIZE; done += CHUNK) {
		if (pread(fd, buf, CHUNK, done) != (ssize_t)CHUNK)
			break;
		for (size_t i = 0; i < CHUNK / VT_PAGE; i++)
			bad += !bf_page_ok((const volatile uint64_t *)(buf + i * VT_PAGE),
					   done / VT_PAGE + i);
	}
	VT_CHECK(done == BF_SIZE && bad == 0, "read(2): every page reads right (%zu wrong)", bad);
	judge("read(2)", a, ra_now(), true, false);

	mapped_pass(fd, fwd, "mapped forward", true);
	mapped_pass(fd, bwd, "mapped backward", false);
	mapped_pass(fd, strided, "mapped strided", false);
	close(fd);

	if (tl_on_kilburn()) {
		tl_drop_caches();
		c = ra_now();
		VT_CHECK(c.hit + c.unused <= c.ra && c.ra - c.hit - c.unused <= 64,
			 "every page read ahead was used, or dropped and counted unused "
			 "(%ld read ahead, %ld used, %ld unused)", c.ra, c.hit, c.unused);
	}
	tl_check_no_leak(before);
	if (path[1] == 't' && path[2] == 'm')
		unlink(path);
	return tl_done();
}
