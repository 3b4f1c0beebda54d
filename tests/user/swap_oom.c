/*
 * swap_oom: when RAM and swap are both exhausted, the OOM killer kills the
 * process with the largest footprint (the hog) and nothing else: three
 * small processes holding checksummed memory finish with their data intact.
 * A fourth keeps mapping, touching and unmapping memory all along: its
 * faults while the hog is dying (and while its address space is being
 * torn down, after its last thread has gone) must wait for the hog's
 * memory, not choose a second victim.
 *
 * Booted by scripts/run-tests.sh with 64 MiB of RAM and a 256 MiB swap
 * area on /dev/vdb. At the end swapoff brings every page of the test back
 * (some of its own may have gone out), so that the free memory and the
 * swap slots can be compared exactly. Kilburn only: on Linux the hog would
 * take the machine's memory, so the program says so and checks nothing.
 */
#include "tlib.h"
#include "vmtest.h"
#include <signal.h>
#include <sys/swap.h>
#include <sys/wait.h>

#define PAGE		4096UL
#define SMALL_PAGES	512		/* 2 MiB each */
#define INNOCENTS	3
#define BUSY_PAGES	512		/* 2 MiB, mapped afresh over and over */

/* A small process: fill its memory, wait for the word, check, exit. */
static void innocent(int id, int rfd)
{
	unsigned long *m = malloc(SMALL_PAGES * PAGE);
	size_t words = SMALL_PAGES * PAGE / sizeof(*m);
	size_t bad = 0;
	char c;

	if (!m)
		_exit(2);
	for (size_t i = 0; i < words; i++)
		m[i] = i * 2654435761UL + id;
	if (read(rfd, &c, 1) != 1)
		_exit(3);
	for (size_t i = 0; i < words; i++)
		bad += m[i] != i * 2654435761UL + id;
	_exit(bad ? 1 : 0);
}

/*
 * The busy one: until told to stop, touch a new page of a 2 MiB mapping
 * at a time; when all are touched, check them and map it afresh. It
 * always needs new frames, so while RAM and swap are full each of its
 * faults asks the OOM killer, including those after the hog is killed.
 */
static void busy(int rfd)
{
	size_t bad = 0, touched;
	int stop = 0;
	char c;

	fcntl(rfd, F_SETFL, O_NONBLOCK);
	while (!stop) {
		volatile char *p = mmap(NULL, BUSY_PAGES * PAGE, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(2);
		for (touched = 0; touched < BUSY_PAGES && !stop; touched++) {
			p[touched * PAGE] = (char)touched | 1;
			stop = read(rfd, &c, 1) == 1;
		}
		for (size_t i = 0; i < touched; i++)
			bad += p[i * PAGE] != ((char)i | 1);
		munmap((void *)p, BUSY_PAGES * PAGE);
	}
	_exit(bad ? 1 : 0);
}

/* The hog: touch pages until killed. */
static void hog(void)
{
	for (;;) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(4);
		for (size_t i = 0; i < (1 << 20); i += PAGE)
			p[i] = (char)i | 1;
	}
}

int main(void)
{
	int pipefd[2], busyfd[2], status;
	pid_t kids[INNOCENTS], h, b;
	long before, swap_free, kills;

	printf("swap_oom: the OOM killer takes the hog and only the hog\n");
	if (!tl_on_kilburn()) {
		TL_CHECK(1, "not on Kilburn: the hog would take this machine's memory");
		return tl_done();
	}
	swap_free = vt_proc_kb("/proc/meminfo", "SwapFree:");
	TL_CHECK(swap_free > 0, "a swap area is active");
	before = tl_frames_free();
	kills = vt_vmstat("oom_kill");
	TL_CHECK(pipe(pipefd) == 0 && pipe(busyfd) == 0, "pipes");
	fflush(stdout);
	b = fork();
	if (b == 0) {
		close(busyfd[1]);
		busy(busyfd[0]);
	}
	close(busyfd[0]);
	for (int i = 0; i < INNOCENTS; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			close(pipefd[1]);
			innocent(i, pipefd[0]);
		}
	}
	sleep(1);			/* let them fill their memory */
	h = fork();
	if (h == 0)
		hog();
	TL_CHECK(h > 0 && waitpid(h, &status, 0) == h, "the hog ended");
	TL_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "killed by SIGKILL");
	TL_CHECK(vt_vmstat("oom_kill") == kills + 1, "by the OOM killer, once");
	TL_CHECK(write(busyfd[1], "s", 1) == 1, "stop the busy one");
	close(busyfd[1]);
	TL_CHECK(waitpid(b, &status, 0) == b, "the busy one ended");
	TL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "it lived, and read back what it wrote");
	close(pipefd[0]);
	for (int i = 0; i < INNOCENTS; i++)
		TL_CHECK(write(pipefd[1], "g", 1) == 1, "wake a small process");
	close(pipefd[1]);
	for (int i = 0; i < INNOCENTS; i++) {
		TL_CHECK(waitpid(kids[i], &status, 0) == kids[i], "a small process ended");
		TL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
			 "it lived, and its memory was intact");
	}
	TL_CHECK(swapoff("/dev/vdb") == 0, "swapoff brings our own pages back");
	TL_CHECK(swapon("/dev/vdb", 0) == 0, "swapon again");
	TL_CHECK(vt_proc_kb("/proc/meminfo", "SwapFree:") == swap_free, "every swap slot came back");
	tl_check_no_leak(before);
	return tl_done();
}
