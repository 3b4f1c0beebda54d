/*
 * swap_ptables: the page tables of a process whose pages all went to swap
 * are freed (Kilburn's page-out daemon, pmap_trim), and the process finds
 * every page again when it runs.
 *
 * A child writes a pattern into one page of every 2 MiB of a 512 MiB
 * mapping: 256 pages, each in a level-0 page table of its own (1 MiB of
 * tables, /proc/PID/status VmPTE). It then sleeps while the parent writes
 * twice RAM of memory of its own, which sends the idle child's pages to
 * swap. On Kilburn its VmPTE then drops (the empty tables are freed and
 * /proc/vmstat kilburn_pgtable_trimmed grows); on Linux the tables stay,
 * the host may have no swap and room for all of it, and only the data
 * checks apply. The child checks every page, the
 * parent checks that every frame and swap slot came back.
 *
 * Booted by scripts/run-tests.sh with 64 MiB of RAM and a 256 MiB swap
 * area on /dev/vdb.
 */
#include "tlib.h"
#include "vmtest.h"
#include <sys/swap.h>
#include <sys/wait.h>

#define PAGE		4096UL
#define STRIDE		(2UL << 20)	/* one page per level-0 table */
#define SPREAD		256		/* pages, and tables */
#define PRESSURE	(128UL << 20)	/* twice RAM */

static unsigned long word(size_t page, size_t i)
{
	return (page * 0x9e3779b97f4a7c15UL) ^ (i * 2654435761UL) ^ 0x5a5a;
}

/* The child: fill, tell, wait for the word, check; exit 0 if all good. */
static void spread_child(int tell, int hear)
{
	char *m = mmap(NULL, SPREAD * STRIDE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	size_t bad = 0;
	char c = 'f';

	if (m == MAP_FAILED)
		_exit(2);
	for (size_t p = 0; p < SPREAD; p++) {
		unsigned long *w = (unsigned long *)(m + p * STRIDE);

		for (size_t i = 0; i < PAGE / sizeof(*w); i++)
			w[i] = word(p, i);
	}
	if (write(tell, &c, 1) != 1 || read(hear, &c, 1) != 1)
		_exit(3);
	for (size_t p = 0; p < SPREAD; p++) {
		unsigned long *w = (unsigned long *)(m + p * STRIDE);

		for (size_t i = 0; i < PAGE / sizeof(*w); i++)
			bad += w[i] != word(p, i);
	}
	_exit(bad ? 1 : 0);
}

static long status_kb(pid_t pid, const char *field)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	return vt_proc_kb(path, field);
}

/* Write every page of len bytes of new memory, then give it back. */
static int press(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	for (size_t i = 0; i < len; i += PAGE)
		p[i] = (char)(i >> 12) | 1;
	return munmap(p, len);
}

int main(void)
{
	int up[2], down[2], status;
	long before, swap_free, pte_full, pte_out, trimmed;
	int kilburn = tl_on_kilburn();
	pid_t kid;
	char c;

	printf("swap_ptables: the empty page tables of a swapped-out process are freed\n");
	swap_free = vt_proc_kb("/proc/meminfo", "SwapFree:");
	if (kilburn)	/* a Linux host may have no swap, and room for all of it */
		TL_CHECK(swap_free > 0, "a swap area is active");
	before = tl_frames_free();
	TL_CHECK(pipe(up) == 0 && pipe(down) == 0, "pipes");
	fflush(stdout);
	kid = fork();
	if (kid == 0) {
		close(up[0]);
		close(down[1]);
		spread_child(up[1], down[0]);
	}
	close(up[1]);
	close(down[0]);
	TL_CHECK(read(up[0], &c, 1) == 1, "the child filled its 256 pages");
	pte_full = status_kb(kid, "VmPTE:");
	printf("child VmPTE %ld kB, VmRSS %ld kB with its pages in\n", pte_full,
	       status_kb(kid, "VmRSS:"));
	TL_CHECK(pte_full >= SPREAD * 4, "a level-0 table per page (VmPTE >= 1024 kB)");

	trimmed = vt_vmstat("kilburn_pgtable_trimmed");
	TL_CHECK(press(PRESSURE) == 0, "wrote twice RAM");
	TL_CHECK(press(PRESSURE) == 0, "and again");
	pte_out = status_kb(kid, "VmPTE:");
	printf("child VmPTE %ld kB, VmSwap %ld kB, VmRSS %ld kB after the pressure; "
	       "%ld table pages trimmed\n", pte_out, status_kb(kid, "VmSwap:"),
	       status_kb(kid, "VmRSS:"), vt_vmstat("kilburn_pgtable_trimmed") - trimmed);
	if (kilburn) {
		TL_CHECK(status_kb(kid, "VmSwap:") >= SPREAD * 4 * 3 / 4,
			 "most of the child's pages went to swap");
		TL_CHECK(pte_out <= pte_full / 4, "its empty tables were freed (VmPTE fell by 3/4 or more)");
		TL_CHECK(vt_vmstat("kilburn_pgtable_trimmed") - trimmed >= SPREAD * 3 / 4,
			 "vmstat counts the table pages freed");
	}

	TL_CHECK(write(down[1], "g", 1) == 1, "wake the child");
	TL_CHECK(waitpid(kid, &status, 0) == kid, "the child ended");
	TL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "every page came back with its pattern");
	close(up[0]);
	close(down[1]);
	if (kilburn) {
		TL_CHECK(swapoff("/dev/vdb") == 0, "swapoff brings our own pages back");
		TL_CHECK(swapon("/dev/vdb", 0) == 0, "swapon again");
		TL_CHECK(vt_proc_kb("/proc/meminfo", "SwapFree:") == swap_free,
			 "every swap slot came back");
	}
	tl_check_no_leak(before);
	return tl_done();
}
