/*
 * fork_exec_loop: fork, exec /bin/true, exit, wait - 1,000 times. Every
 * child exits 0 and is reaped by pid, and the whole cycle of creating and
 * tearing down an address space, a process and an exec image gives back
 * every frame: the free-frame count is identical before and after (one
 * warm-up run first, so the page cache already holds /bin/true). Every
 * 100th run is /bin/false instead, which must exit 1.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include <errno.h>
#include <sys/wait.h>

#define RUNS	1000

/* fork + exec path; the child's wait status, or -1. */
static int run(const char *path)
{
	char *argv[] = { (char *)path, NULL };
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execv(path, argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

int main(void)
{
	int zero = 0, ones = 0, other = 0, falses = 0;
	long before;

	TL_CHECK(run("/bin/true") == 0, "warm-up: /bin/true exits 0");
	TL_CHECK(run("/bin/false") == 1 << 8, "warm-up: /bin/false exits 1");
	before = tl_frames_free();
	for (int i = 1; i <= RUNS; i++) {
		int is_false = i % 100 == 0;
		int status = run(is_false ? "/bin/false" : "/bin/true");

		falses += is_false;
		if (status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == is_false) {
			zero += !is_false;
			ones += is_false;
		} else {
			other++;
			if (other <= 5)
				printf("  run %d: status 0x%x\n", i, status);
		}
	}
	TL_CHECK(zero == RUNS - falses, "every /bin/true exited 0");
	TL_CHECK(ones == falses, "every /bin/false exited 1");
	TL_CHECK(other == 0, "no other status (signals, exec failures)");
	errno = 0;
	TL_CHECK(wait(NULL) == -1 && errno == ECHILD, "no child left behind");
	tl_check_no_leak(before);
	return tl_done();
}
