/*
 * file_reclaim: without any swap, a program that maps more file than there
 * is free RAM runs to its end, as on Linux: the clean pages it maps are
 * dropped and read again from the disk.
 *
 * Booted like every user test (128 MiB of RAM, no swap area active). On
 * Kilburn anonymous memory first takes all but 24 MiB of the free memory
 * (it cannot go anywhere: there is no swap); then two processes map the
 * 48 MiB file of the root image (bigfile.h) and read it whole twice at the
 * same time, checking every page. Checked:
 *
 *   - every page holds the file's pattern, in both processes, both times;
 *   - the second pass read the disk again (major faults rose);
 *   - the first MiB of the mapping, locked with mlock, stayed resident
 *     throughout (page-out never drops a locked page);
 *   - the anonymous memory is intact, and no frame is left behind.
 *
 * On Linux the same steps run without the anonymous memory (the machine
 * has much more RAM than the file) and without the Kilburn counters.
 */
#include "tlib.h"
#include "vmtest.h"
#include "bigfile.h"

#define HEADROOM_KB	(24L * 1024)	/* free memory left for the file */
#define LOCKED		(1UL << 20)	/* bytes of the mapping mlock'ed */

static uint64_t anon_word(size_t pg)
{
	return (pg + 1) * 0x9e3779b97f4a7c15ULL;
}

/* One reader: two passes over the whole mapping. Returns tl_failed_here. */
static int reader(void *arg)
{
	const char *p = arg;
	long maj0, maj1, ra;
	size_t good;

	good = bf_check_all(p);
	VT_CHECK(good == BF_PAGES, "pid %d, first pass: every page holds the file (%zu of %lu)",
		 (int)getpid(), good, BF_PAGES);
	maj0 = bf_majflt();
	ra = bf_vmstat("kilburn_file_ra");
	good = bf_check_all(p);
	maj1 = bf_majflt();
	ra = bf_vmstat("kilburn_file_ra") - ra;
	VT_CHECK(good == BF_PAGES, "pid %d, second pass: every page holds the file (%zu)",
		 (int)getpid(), good);
	/* read with a major fault, or ahead of one (file readahead: any reader's) */
	if (tl_on_kilburn())
		VT_CHECK(maj1 > maj0 && maj1 - maj0 + ra > (long)BF_PAGES / 4,
			 "pid %d, second pass: the file was read again (%ld major faults, "
			 "%ld pages read ahead)", (int)getpid(), maj1 - maj0, ra);
	VT_CHECK(bf_resident((void *)p, LOCKED) == (long)(LOCKED / VT_PAGE),
		 "pid %d: the locked first MiB is all resident", (int)getpid());
	return tl_failed_here;
}

/* The whole run, in a child: its page tables and pv entries go with it. */
static int run(void *arg)
{
	const char *path = arg;
	size_t anon_size = 0, bad = 0;
	char *anon = NULL, *p;
	int fd, status;
	pid_t pid;

	if (tl_on_kilburn()) {
		long free_kb = vt_memfree_kb();

		VT_CHECK(vt_proc_kb("/proc/meminfo", "SwapTotal:") == 0,
			 "no swap area is active");
		if (free_kb > HEADROOM_KB)
			anon_size = (size_t)(free_kb - HEADROOM_KB) * 1024;
		anon = mmap(NULL, anon_size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		VT_CHECK(anon_size && anon != MAP_FAILED,
			 "map all free memory but %ld kB (%zu kB)", HEADROOM_KB, anon_size / 1024);
		if (!anon_size || anon == MAP_FAILED)
			return 1;
		for (size_t pg = 0; pg < anon_size / VT_PAGE; pg++)
			*(uint64_t *)(anon + pg * VT_PAGE) = anon_word(pg);
		printf("anonymous memory: %zu kB; free now: %ld kB\n", anon_size / 1024,
		       vt_memfree_kb());
	}
	fd = open(path, O_RDONLY);
	p = fd < 0 ? MAP_FAILED : mmap(NULL, BF_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
	TL_CHECK(p != MAP_FAILED, "map the 48 MiB file");
	if (p == MAP_FAILED)
		return 1;
	TL_CHECK(mlock(p, LOCKED) == 0, "mlock its first MiB");
	tl_counts();			/* before the fork: the child shares it */
	fflush(stdout);
	pid = fork();			/* two readers at once */
	if (pid == 0) {
		tl_failed_here = 0;
		_exit(reader(p));
	}
	TL_CHECK(pid > 0, "fork a second reader");
	reader(p);
	status = pid > 0 ? vt_wait(pid, 600) : -1;
	VT_CHECK(vt_exited_ok(status), "the other reader ran to its end (%s)", vt_how(status));
	for (size_t pg = 0; pg < anon_size / VT_PAGE; pg++)
		bad += *(uint64_t *)(anon + pg * VT_PAGE) != anon_word(pg);
	VT_CHECK(bad == 0, "the anonymous memory is intact (%zu pages wrong)", bad);
	munmap(p, BF_SIZE);
	close(fd);
	if (anon)
		munmap(anon, anon_size);
	return tl_failed_here;
}

int main(void)
{
	const char *path;
	long before;

	printf("file_reclaim: more file mapped than free RAM, no swap\n");
	path = bf_path();
	TL_CHECK(path != NULL, "the big pattern file is there");
	if (!path)
		return tl_done();
	bf_touch_own_memory();	/* none of it first touched later */
	/*
	 * Twice: the first run warms up (the kernel's caches of small objects
	 * keep the slabs they grew to), the second must give back every frame.
	 */
	TL_CHECK(vt_exited_ok(vt_run(run, (void *)path, 900)), "the first run ended well");
	before = tl_frames_free();
	TL_CHECK(vt_exited_ok(vt_run(run, (void *)path, 900)), "the second run ended well");
	tl_check_no_leak(before);
	if (strcmp(path, BF_TMP) == 0)
		unlink(path);
	return tl_done();
}
