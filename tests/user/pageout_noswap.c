/*
 * pageout_noswap: without any swap area, page-out scans only what can go.
 * Anonymous pages without a swap slot can go nowhere, so no page-out pass
 * looks at them (Linux scans no anon list without swap): memory pressure
 * drops clean file pages, /proc/vmstat's pgscan_file grows and pgscan_anon
 * does not.
 *
 * Booted like every user test (128 MiB of RAM, no swap area active). A
 * child writes anonymous memory over all but 24 MiB of the free memory
 * (16 MiB on Linux), then maps the 48 MiB file of the
 * root image (bigfile.h) and reads it whole twice: it does not fit in what
 * is left, so its pages are dropped and read again. Checked:
 *
 *   - the anonymous pages are counted as Active(anon) + Inactive(anon) in
 *     /proc/meminfo, not as Unevictable (they are not locked);
 *   - every page of the file and of the anonymous memory is right;
 *   - pgscan_file and pgsteal_file grew, pgscan_anon and pgsteal_anon did
 *     not move, the second pass read the disk again;
 *   - no frame is left behind.
 *
 * On Linux the data checks run (the machine has more RAM than the file);
 * the counters are the machine's and are not checked there.
 */
#include "tlib.h"
#include "vmtest.h"
#include "bigfile.h"

#define HEADROOM_KB	(24L * 1024)	/* free memory left for the file */

static uint64_t anon_word(size_t pg)
{
	return (pg + 1) * 0x9e3779b97f4a7c15ULL;
}

/* The whole run, in a child: its page tables go with it. */
static int run(void *arg)
{
	long free_kb = vt_memfree_kb();
	size_t anon_size = 16 * VT_MB, npages, good = 0;
	long scan_anon0, scan_file0, steal_anon0, steal_file0, maj0, maj1, ra0;
	int fd = open(bf_path(), O_RDONLY);
	uint64_t *anon;
	char *file;

	(void)arg;
	if (tl_on_kilburn() && free_kb > HEADROOM_KB + 16 * 1024)
		anon_size = (size_t)(free_kb - HEADROOM_KB) * 1024;
	npages = anon_size / VT_PAGE;
	VT_CHECK(fd >= 0, "open %s", bf_path());
	if (fd < 0)
		return 1;
	anon = mmap(NULL, anon_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	file = mmap(NULL, BF_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	VT_CHECK(anon != MAP_FAILED && file != MAP_FAILED, "map %zu kB anonymous and the 48 MiB file", anon_size / 1024);
	if (anon == MAP_FAILED || file == MAP_FAILED)
		return 1;
	for (size_t i = 0; i < npages; i++)
		anon[i * (VT_PAGE / 8)] = anon_word(i);
	if (tl_on_kilburn()) {
		long act = vt_proc_kb("/proc/meminfo", "Active(anon):");
		long inact = vt_proc_kb("/proc/meminfo", "Inactive(anon):");
		long unev = vt_proc_kb("/proc/meminfo", "Unevictable:");

		VT_CHECK(act + inact >= (long)(anon_size / 1024) * 9 / 10,
			 "the anonymous pages are on the anon lists (Active %ld + Inactive %ld kB)",
			 act, inact);
		VT_CHECK(unev >= 0 && unev < 2048,
			 "and not counted as Unevictable (%ld kB)", unev);
	}
	scan_anon0 = vt_vmstat("pgscan_anon");
	scan_file0 = vt_vmstat("pgscan_file");
	steal_anon0 = vt_vmstat("pgsteal_anon");
	steal_file0 = vt_vmstat("pgsteal_file");
	good = bf_check_all(file);
	VT_CHECK(good == BF_PAGES, "first pass: every page holds the file (%zu of %lu)",
		 good, BF_PAGES);
	maj0 = bf_majflt();
	ra0 = vt_vmstat("kilburn_file_ra");
	good = bf_check_all(file);
	maj1 = bf_majflt();
	VT_CHECK(good == BF_PAGES, "second pass: every page holds the file (%zu)", good);
	good = 0;
	for (size_t i = 0; i < npages; i++)
		good += anon[i * (VT_PAGE / 8)] == anon_word(i);
	VT_CHECK(good == npages, "the anonymous memory is intact (%zu of %zu pages)", good, npages);
	if (tl_on_kilburn()) {
		long scan_anon = vt_vmstat("pgscan_anon") - scan_anon0;
		long scan_file = vt_vmstat("pgscan_file") - scan_file0;
		long steal_anon = vt_vmstat("pgsteal_anon") - steal_anon0;
		long steal_file = vt_vmstat("pgsteal_file") - steal_file0;

		long read_again = maj1 - maj0 + vt_vmstat("kilburn_file_ra") - ra0;

		VT_CHECK(read_again > (long)BF_PAGES / 4,
			 "second pass: the file was read again (%ld pages: major faults and "
			 "pages read ahead with them)", read_again);
		VT_CHECK(scan_file > (long)BF_PAGES / 4 && steal_file > (long)BF_PAGES / 4,
			 "file pages were scanned and dropped (pgscan_file +%ld, pgsteal_file +%ld)",
			 scan_file, steal_file);
		VT_CHECK(scan_anon == 0 && steal_anon == 0,
			 "no anonymous page was scanned (pgscan_anon +%ld, pgsteal_anon +%ld)",
			 scan_anon, steal_anon);
	}
	munmap(anon, anon_size);
	munmap(file, BF_SIZE);
	close(fd);
	return tl_failed_here;
}

int main(void)
{
	long before;
	int status;

	printf("pageout_noswap: page-out without swap leaves anonymous pages alone\n");
	bf_touch_own_memory();	/* none of it first touched later */
	before = tl_frames_free();
	if (tl_on_kilburn())
		TL_CHECK(vt_proc_kb("/proc/meminfo", "SwapTotal:") == 0, "no swap area is active");
	status = vt_run(run, NULL, 600);
	VT_CHECK(vt_exited_ok(status), "the run ended normally (%s)", vt_how(status));
	tl_check_no_leak(before);
	return tl_done();
}
