/*
 * dyn_share: one copy of a shared library in memory. Eight processes run
 * the dynamic program /tests/dyn_hello (in its DYN_HOLD mode: it reads
 * every page of libc's text, says how many there are, N, and waits). If
 * each process had its own copy of libc's text, each would cost at least
 * N frames more; mapped from the page cache, the copies share the frames,
 * and a process beyond the first costs only its private pages (stack,
 * data, relocated tables, page tables). The test measures free memory with
 * one and with eight copies running and checks that each copy beyond the
 * first costs less than N/2 frames; afterwards no frame may be missing.
 */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tlib.h"

#define PROG	"/tests/dyn_hello"
#define COPIES	8

static pid_t pids[COPIES];
static int holds[COPIES];

/* Start copy i; returns N from its "ready N" line, or -1. */
static long start(int i)
{
	char *argv[] = { PROG, NULL };
	char *envp[] = { "DYN_HOLD=1", NULL };
	char line[64] = { 0 };
	int in[2], out[2];
	long n = 0, r;

	if (pipe(in) < 0 || pipe(out) < 0)
		return -1;
	fflush(stdout);
	pids[i] = fork();
	if (pids[i] == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execve(PROG, argv, envp);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	holds[i] = in[1];
	while (n < (long)sizeof(line) - 1 && (r = read(out[0], line + n, 1)) == 1 &&
	       line[n++] != '\n')
		;
	close(out[0]);
	return strncmp(line, "ready ", 6) == 0 ? atol(line + 6) : -1;
}

/* Let copies [0, n) finish; the number that exited 0. */
static int stop(int n)
{
	int ok = 0, status;

	for (int i = 0; i < n; i++)
		close(holds[i]);
	for (int i = 0; i < n; i++)
		if (waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			ok++;
	return ok;
}

int main(void)
{
	long before, one, eight, pages = 0;
	char line[200];
	int started = 0;

	printf("dyn_share: %d copies of a dynamic program share libc's text\n", COPIES);
	TL_CHECK(access(PROG, X_OK) == 0, PROG " is there");
	pages = start(0);		/* warm-up: the page cache and the tables */
	stop(1);
	if (pages < 0 && !tl_on_kilburn()) {
		printf("note: this system cannot execve riscv64 programs (no binfmt_misc)\n");
		return tl_done();
	}
	before = tl_frames_free();
	pages = start(0);
	one = tl_frames_free();
	started = pages > 0;
	for (int i = 1; i < COPIES; i++)
		started += start(i) == pages;
	eight = tl_frames_free();
	TL_CHECK(pages > 64, "libc's text is more than 64 pages");
	TL_CHECK(started == COPIES, "eight copies started and read all of it");
	TL_CHECK(stop(COPIES) == COPIES, "all of them exited 0");
	if (before >= 0) {
		long per_copy = (one - eight) / 4 / (COPIES - 1);	/* kB to frames */

		snprintf(line, sizeof(line),
			 "a copy beyond the first costs %ld frames, under half of libc's %ld",
			 per_copy, pages);
		TL_CHECK(per_copy < pages / 2, line);
		printf("note: the first copy took %ld frames (libc's text came in once)\n",
		       (before - one) / 4);
	}
	tl_check_no_leak(before);
	return tl_done();
}
