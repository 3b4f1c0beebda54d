/*
 * swap_oom_text: when RAM is full of anonymous pages that can go nowhere
 * (no swap area), reclaim must not go on dropping program text that is
 * faulted straight back in: the OOM killer fires, takes the hog, and a
 * worker whose code spans many pages finishes with its data intact.
 *
 * The hog and the worker each run code spread over many pages (one
 * function per page), so that each of them needs dozens of text pages to
 * make progress. Without a floor under the file cache, the last few text
 * pages go round between the two: each fault drops the page the other
 * needs next, reclaim always "frees" a page, and the OOM killer never
 * fires.
 *
 * Booted by scripts/run-tests.sh with 64 MiB of RAM and a swap area on
 * /dev/vdb; it swaps off first (no swap: anonymous pages cannot go out)
 * and on again at the end. Kilburn only: on Linux the hog would take the
 * machine's memory, so the program says so and checks nothing.
 */
#include "tlib.h"
#include "vmtest.h"
#include <signal.h>
#include <sys/swap.h>
#include <sys/wait.h>

#define PAGE		4096UL
#define WORKER_PAGES	256		/* 1 MiB of checksummed data */
#define DEADLINE	120		/* seconds the OOM killer may take */

/* 64 functions, each alone on its page of text */
#define PAGED_FN(n) \
	__attribute__((noinline, aligned(4096))) static unsigned long \
	fn##n(unsigned long x) { return x * 2654435761UL + n; }
#define PAGED_FN8(n) PAGED_FN(n##0) PAGED_FN(n##1) PAGED_FN(n##2) PAGED_FN(n##3) \
	PAGED_FN(n##4) PAGED_FN(n##5) PAGED_FN(n##6) PAGED_FN(n##7)
PAGED_FN8(1) PAGED_FN8(2) PAGED_FN8(3) PAGED_FN8(4)
PAGED_FN8(5) PAGED_FN8(6) PAGED_FN8(7) PAGED_FN8(8)

#define FN8(n) fn##n##0, fn##n##1, fn##n##2, fn##n##3, fn##n##4, fn##n##5, fn##n##6, fn##n##7
static unsigned long (*const fns[64])(unsigned long) = {
	FN8(1), FN8(2), FN8(3), FN8(4), FN8(5), FN8(6), FN8(7), FN8(8),
};

/* Run every paged function once: 64 pages of text. */
static unsigned long run_text(unsigned long x)
{
	for (int i = 0; i < 64; i++)
		x = fns[i](x);
	return x;
}

/* The worker: fill its memory, run its text until told, check, exit. */
static void worker(int rfd)
{
	unsigned long *m = malloc(WORKER_PAGES * PAGE), x = 1;
	size_t words = WORKER_PAGES * PAGE / sizeof(*m);
	size_t bad = 0;
	char c;

	if (!m)
		_exit(2);
	for (size_t i = 0; i < words; i++)
		m[i] = i * 2654435761UL;
	fcntl(rfd, F_SETFL, O_NONBLOCK);
	while (read(rfd, &c, 1) != 1)
		x = run_text(x);
	for (size_t i = 0; i < words; i++)
		bad += m[i] != i * 2654435761UL;
	_exit(bad ? 1 : x == 0 ? 3 : 0);
}

/* The hog: touch pages, running its text between them, until killed. */
static void hog(void)
{
	unsigned long x = 1;

	for (;;) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(4);
		for (size_t i = 0; i < (1 << 20); i += PAGE) {
			x = run_text(x);
			p[i] = (char)x | 1;
		}
	}
}

static volatile int late;

static void on_alarm(int sig)
{
	(void)sig;
	late = 1;
}

/*
 * One round: the worker fills its memory, the hog fills the rest; the hog
 * must die of the OOM killer within DEADLINE seconds and the worker live.
 */
static void one_round(int round)
{
	long kills = vt_vmstat("oom_kill"), kept = vt_vmstat("kilburn_file_floor_kept");
	int pipefd[2], status;
	pid_t w, h, got;

	VT_CHECK(pipe(pipefd) == 0, "round %d: pipe", round);
	fflush(stdout);
	w = fork();
	if (w == 0) {
		close(pipefd[1]);
		worker(pipefd[0]);
	}
	sleep(1);			/* let it fill its memory */
	h = fork();
	if (h == 0)
		hog();
	late = 0;
	alarm(DEADLINE);
	got = waitpid(h, &status, 0);
	alarm(0);
	if (got != h) {			/* the deadline: end it ourselves */
		kill(h, SIGKILL);
		waitpid(h, &status, 0);
	}
	VT_CHECK(got == h && !late, "round %d: the hog ended within the deadline", round);
	VT_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		 "round %d: killed by SIGKILL", round);
	VT_CHECK(vt_vmstat("oom_kill") == kills + 1, "round %d: by the OOM killer, once", round);
	VT_CHECK(vt_vmstat("kilburn_file_floor_kept") > kept,
		 "round %d: page-out kept file pages at the file cache's floor", round);
	close(pipefd[0]);
	VT_CHECK(write(pipefd[1], "g", 1) == 1, "round %d: tell the worker to stop", round);
	close(pipefd[1]);
	VT_CHECK(waitpid(w, &status, 0) == w, "round %d: the worker ended", round);
	VT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "round %d: it lived, and its memory was intact", round);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	long before;

	printf("swap_oom_text: no swap, RAM full: the OOM killer fires though text could be dropped\n");
	if (!tl_on_kilburn()) {
		TL_CHECK(1, "not on Kilburn: the hog would take this machine's memory");
		return tl_done();
	}
	sigaction(SIGALRM, &sa, NULL);
	TL_CHECK(swapoff("/dev/vdb") == 0, "swapoff: no swap area");
	TL_CHECK(vt_proc_kb("/proc/meminfo", "SwapTotal:") == 0, "SwapTotal is 0");
	/* the first round warms up: what this process keeps of it stays */
	one_round(1);
	before = tl_frames_free();
	one_round(2);
	tl_check_no_leak(before);
	TL_CHECK(swapon("/dev/vdb", 0) == 0, "swapon again");
	return tl_done();
}
