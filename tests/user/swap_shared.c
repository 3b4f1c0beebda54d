/*
 * swap_shared: shared anonymous memory larger than RAM, between two
 * processes. Its pages go to swap and come back through the object's page
 * cache, so both processes see one copy: what one writes the other reads,
 * with every page checked against the pattern naming it and its
 * generation.
 *
 * A System V segment of 4 MiB, written and detached first (it lives on
 * until IPC_RMID), goes to swap with the rest: swapoff, once the shared
 * mapping is gone, must bring it back too, and it reads right attached
 * again.
 *
 * Booted by scripts/run-tests.sh with 64 MiB of RAM and a 256 MiB swap
 * area (swap=/dev/vdb); on Linux it runs the same steps on 96 MiB.
 */
#include "tlib.h"
#include "vmtest.h"
#include <errno.h>
#include <sys/shm.h>
#include <sys/swap.h>
#include <sys/wait.h>

#define PAGE	4096UL

static void fill(char *mem, size_t page, unsigned int gen)
{
	uint64_t *p = (uint64_t *)(mem + page * PAGE);

	for (size_t i = 0; i < PAGE / 8; i++)
		p[i] = vt_page_word(page, gen, i);
}

static int page_is(const char *mem, size_t page, unsigned int gen)
{
	const uint64_t *p = (const uint64_t *)(mem + page * PAGE);

	for (size_t i = 0; i < PAGE / 8; i++)
		if (p[i] != vt_page_word(page, gen, i))
			return 0;
	return 1;
}

#define SEG_PAGES	1024

/* A System V segment written and detached; its id, or -1. */
static int segment_make(void)
{
	int id = shmget(IPC_PRIVATE, SEG_PAGES * PAGE, IPC_CREAT | 0600);
	char *p = id >= 0 ? shmat(id, NULL, 0) : (char *)-1;

	TL_CHECK(p != (char *)-1, "a System V segment of 4 MiB");
	if (p == (char *)-1)
		return -1;
	for (size_t pg = 0; pg < SEG_PAGES; pg++)
		fill(p, pg, 3);
	TL_CHECK(shmdt(p) == 0, "written and detached");
	return id;
}

/* Attach segment id again, check every page, remove it. */
static void segment_check(int id)
{
	char *p = shmat(id, NULL, SHM_RDONLY);
	size_t bad = 0;

	TL_CHECK(p != (char *)-1, "the segment attaches again");
	if (p == (char *)-1)
		return;
	for (size_t pg = 0; pg < SEG_PAGES; pg++)
		bad += !page_is(p, pg, 3);
	TL_CHECK(bad == 0, "every page of the segment reads right");
	TL_CHECK(shmdt(p) == 0 && shmctl(id, IPC_RMID, NULL) == 0, "detached and removed");
}

int main(void)
{
	long mem_kb = vt_proc_kb("/proc/meminfo", "MemTotal:"), before, used_before;
	size_t npages, bad = 0;
	long out0, req0;
	char *mem;
	int seg;
	pid_t pid;
	int status = -1;

	printf("swap_shared: shared anonymous memory of 1.5 x RAM between two processes\n");
	if (mem_kb <= 0 || mem_kb > 64 * 1024)
		mem_kb = 64 * 1024;
	npages = (size_t)mem_kb * 3 / 2 / 4;
	before = tl_frames_free();
	used_before = vt_proc_kb("/proc/meminfo", "SwapTotal:") -
		      vt_proc_kb("/proc/meminfo", "SwapFree:");
	seg = segment_make();	/* generation 3: none of mem's pages */
	mem = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	TL_CHECK(mem != MAP_FAILED, "map 1.5 x RAM shared");
	if (mem == MAP_FAILED)
		return tl_done();
	out0 = vt_vmstat("pswpout");
	req0 = vt_vmstat("kilburn_swap_write_requests");
	for (size_t pg = 0; pg < npages; pg++)
		fill(mem, pg, 1);
	TL_CHECK(1, "the parent wrote every page");
	if (tl_on_kilburn()) {
		char what[128];
		long out = vt_vmstat("pswpout") - out0;
		long req = vt_vmstat("kilburn_swap_write_requests") - req0;

		TL_CHECK(vt_proc_kb("/proc/meminfo", "SwapTotal:") -
			 vt_proc_kb("/proc/meminfo", "SwapFree:") > mem_kb / 4,
			 "part of it went to swap");
		/* written in page-out's batches, as anonymous pages are */
		snprintf(what, sizeof(what), "written out %ld pages in %ld requests (%.1f a request)",
			 out, req, req > 0 ? (double)out / req : 0.0);
		TL_CHECK(out > 0 && req > 0 && out >= 8 * req, what);
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		size_t wrong = 0;

		for (size_t pg = 0; pg < npages; pg++)
			wrong += !page_is(mem, pg, 1);
		TL_CHECK(wrong == 0, "child: every page reads as the parent wrote it");
		for (size_t pg = 0; pg < npages; pg += 2)
			fill(mem, pg, 2);
		_exit(tl_failed_here ? 1 : 0);
	}
	TL_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "fork and wait");
	TL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child found the parent's data");
	for (size_t pg = npages; pg-- > 0;)
		bad += !page_is(mem, pg, pg % 2 ? 1 : 2);
	TL_CHECK(bad == 0, "parent: the child's writes show, the rest is as it was");
	if (tl_on_kilburn()) {
		/* 1.5 x RAM cannot all come back: ENOMEM, and nothing is lost */
		errno = 0;
		TL_CHECK(swapoff("/dev/vdb") == -1 && errno == ENOMEM,
			 "swapoff fails with ENOMEM while RAM cannot hold it all");
		bad = 0;
		for (size_t pg = 0; pg < npages; pg++)
			bad += !page_is(mem, pg, pg % 2 ? 1 : 2);
		TL_CHECK(bad == 0, "and every page is still right");
		TL_CHECK(vt_proc_kb("/proc/meminfo", "SwapTotal:") > 0, "the area is still on");
	}
	TL_CHECK(munmap(mem, npages * PAGE) == 0, "munmap");
	if (seg >= 0 && !tl_on_kilburn())
		segment_check(seg);
	if (tl_on_kilburn()) {
		TL_CHECK(swapoff("/dev/vdb") == 0, "swapoff brings our own pages back");
		if (seg >= 0)
			segment_check(seg);	/* back from swap too */
		TL_CHECK(swapon("/dev/vdb", 0) == 0, "swapon again");
		TL_CHECK(vt_proc_kb("/proc/meminfo", "SwapTotal:") -
			 vt_proc_kb("/proc/meminfo", "SwapFree:") == used_before,
			 "every swap slot came back");
		tl_check_no_leak(before);
	}
	return tl_done();
}
