/*
 * many_procs: 200 processes alive at once, each in its own address space.
 * Every child writes its number into a global and a heap page, says it is
 * ready and blocks reading a shared pipe; when all 200 are ready none has
 * exited; closing the pipe releases them all, each checks that its own
 * memory still holds its own number (no child saw another's writes) and
 * exits with its number; the parent reaps exactly those 200 statuses.
 * A warm-up round first, then the free-frame count is identical before and
 * after a second round.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include <errno.h>
#include <sys/wait.h>

#define NPROC	200

static volatile int my_number = -1;	/* each child's private copy */

static int child(int number, int release_fd, int ready_fd)
{
	volatile int *heap = malloc(4096);
	char c;
	int ok = 1;

	if (!heap)
		return 255;
	my_number = number;
	for (int i = 0; i < 1024; i++)
		heap[i] = number * 1000 + i;
	if (write(ready_fd, "r", 1) != 1)
		return 254;
	if (read(release_fd, &c, 1) != 0)	/* EOF is the release */
		return 253;
	ok &= my_number == number;
	for (int i = 0; i < 1024; i++)
		ok &= heap[i] == number * 1000 + i;
	return ok ? number : 252;
}

static void round_of(int nproc)
{
	static pid_t pids[NPROC];
	static int seen[NPROC];
	int release[2], ready[2], started = 0, ready_count = 0, status;
	int reaped = 0, right = 0;
	char buf[64];

	TL_CHECK(pipe(release) == 0 && pipe(ready) == 0, "pipes");
	for (int i = 0; i < nproc; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			close(release[1]);
			close(ready[0]);
			_exit(child(i, release[0], ready[1]));
		}
		if (pid < 0) {
			printf("  fork %d failed: %s\n", i, strerror(errno));
			break;
		}
		pids[i] = pid;
		seen[i] = 0;
		started++;
	}
	snprintf(buf, sizeof(buf), "%d children forked", nproc);
	TL_CHECK(started == nproc, buf);
	close(release[0]);
	close(ready[1]);
	while (ready_count < started) {
		ssize_t n = read(ready[0], buf, sizeof(buf));

		if (n <= 0)
			break;
		ready_count += n;
	}
	close(ready[0]);
	snprintf(buf, sizeof(buf), "all %d are alive and blocked at once", started);
	TL_CHECK(ready_count == started && waitpid(-1, &status, WNOHANG) == 0, buf);

	close(release[1]);			/* EOF for everybody */
	for (;;) {
		pid_t pid = wait(&status);

		if (pid < 0)
			break;
		reaped++;
		for (int i = 0; i < started; i++) {
			if (pids[i] != pid)
				continue;
			seen[i]++;
			right += WIFEXITED(status) && WEXITSTATUS(status) == i;
		}
	}
	TL_CHECK(errno == ECHILD && reaped == started, "all reaped, then ECHILD");
	snprintf(buf, sizeof(buf), "each of the %d kept its own memory and exit status", started);
	TL_CHECK(right == started, buf);
	if (right != started)
		printf("  %d of %d right\n", right, started);
}

int main(void)
{
	long before;

	printf("warm-up round\n");
	round_of(NPROC);
	before = tl_frames_free();
	printf("measured round\n");
	round_of(NPROC);
	tl_check_no_leak(before);
	return tl_done();
}
