/*
 * orphans: a process whose parent exits is adopted by init. Booted as
 * init (pid 1), this program is the adopter: a grandchild whose parent has
 * exited sees getppid() == 1 and its exit is reported to us by wait - by
 * pid and by wait(-1) - as is a grandchild that had already died (a zombie
 * handed over with its status), twenty orphans at once and the tail of a
 * chain of ten generations. Nothing is left to reap afterwards (ECHILD) and
 * no frame is leaked. On Linux the program makes itself a child subreaper
 * (prctl) and expects its own pid instead of 1; if it can't, it skips.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

static pid_t reaper;		/* who orphans should get: 1, or us on Linux */

static int read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r <= 0)
			return -1;
		got += r;
	}
	return 0;
}

/*
 * A child forks a grandchild and exits 3. The grandchild reports its pid,
 * waits for "go" (sent once the child is reaped), reports getppid() and
 * exits 4. We check the grandchild's view and that wait returns it.
 */
static void test_adopted(int by_pid)
{
	int info[2], go[2], status = -1;
	pid_t child, grandchild = -1, ppid = -1;
	char c;

	if (pipe(info) < 0 || pipe(go) < 0) {
		TL_CHECK(0, "pipes");
		return;
	}
	child = fork();
	if (child == 0) {
		pid_t g = fork();

		if (g == 0) {
			pid_t me = getpid(), p;

			close(go[1]);
			write(info[1], &me, sizeof(me));
			read(go[0], &c, 1);
			p = getppid();
			write(info[1], &p, sizeof(p));
			_exit(4);
		}
		write(info[1], &g, sizeof(g));	/* also in case the grandchild can't */
		_exit(3);
	}
	close(go[0]);
	TL_CHECK(child > 0 && read_full(info[0], &grandchild, sizeof(grandchild)) == 0 &&
		 grandchild > 0, "the child forked a grandchild");
	read_full(info[0], &grandchild, sizeof(grandchild));	/* the child's copy */
	TL_CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) &&
		 WEXITSTATUS(status) == 3, "the child exited 3 and was reaped");
	write(go[1], "g", 1);
	TL_CHECK(read_full(info[0], &ppid, sizeof(ppid)) == 0 && ppid == reaper,
		 reaper == 1 ? "the orphan's getppid() is now 1 (init)"
			     : "the orphan's getppid() is now the subreaper");
	if (ppid != reaper)
		printf("  getppid() = %d\n", ppid);
	if (by_pid)
		TL_CHECK(waitpid(grandchild, &status, 0) == grandchild && WIFEXITED(status) &&
			 WEXITSTATUS(status) == 4, "waitpid(grandchild) reaps the orphan (status 4)");
	else
		TL_CHECK(wait(&status) == grandchild && WIFEXITED(status) &&
			 WEXITSTATUS(status) == 4, "wait() returns the orphan's pid (status 4)");
	close(go[1]);
	close(info[0]);
	close(info[1]);
}

/*
 * The grandchild dies first and its parent never waits for it: the zombie
 * is handed to us with its status, and wait (blocking) finds it.
 */
static void test_zombie_handed_over(void)
{
	int info[2], status = -1;
	pid_t child, grandchild = -1;

	if (pipe(info) < 0)
		return;
	child = fork();
	if (child == 0) {
		pid_t g = fork();

		if (g == 0)
			_exit(9);
		write(info[1], &g, sizeof(g));
		/* let the grandchild become a zombie before we go */
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
		_exit(0);
	}
	close(info[1]);
	TL_CHECK(read_full(info[0], &grandchild, sizeof(grandchild)) == 0,
		 "a child forked a grandchild that exits at once");
	TL_CHECK(waitpid(child, &status, 0) == child, "the child exited without waiting");
	TL_CHECK(wait(&status) == grandchild && WIFEXITED(status) && WEXITSTATUS(status) == 9,
		 "the zombie grandchild is handed over: wait returns it with status 9");
	close(info[0]);
}

/* A child forks twenty grandchildren that block, then exits: we reap all. */
static void test_many_orphans(void)
{
	enum { N = 20 };
	int go[2], info[2], status, reaped = 0, codes_ok = 1;
	pid_t child, kids[N];
	char c;

	if (pipe(go) < 0 || pipe(info) < 0)
		return;
	child = fork();
	if (child == 0) {
		close(go[1]);
		for (int i = 0; i < N; i++) {
			pid_t g = fork();

			if (g == 0) {
				read(go[0], &c, 1);	/* EOF when we close go[1] */
				_exit(100 + i);
			}
			write(info[1], &g, sizeof(g));
		}
		_exit(0);
	}
	close(go[0]);
	close(info[1]);
	TL_CHECK(read_full(info[0], kids, sizeof(kids)) == 0, "a child forked 20 grandchildren");
	TL_CHECK(waitpid(child, &status, 0) == child, "and exited");
	close(go[1]);			/* release all twenty */
	for (;;) {
		pid_t p = wait(&status);

		if (p < 0)
			break;
		reaped++;
		for (int i = 0; i < N; i++)
			if (kids[i] == p && !(WIFEXITED(status) && WEXITSTATUS(status) == 100 + i))
				codes_ok = 0;
	}
	TL_CHECK(reaped == N && errno == ECHILD, "all 20 orphans reaped, then ECHILD");
	TL_CHECK(codes_ok, "each orphan's own exit status came back");
	close(info[0]);
}

/*
 * A chain of ten generations, each forking the next and exiting at once:
 * every generation below the first is an orphan; the last reports its
 * parent after the one above it is gone.
 */
static void test_chain(void)
{
	int info[2], status, reaped = 0;
	pid_t first, ppid = -1;

	if (pipe(info) < 0)
		return;
	first = fork();
	if (first == 0) {
		for (int gen = 1; gen < 10; gen++) {
			pid_t up = getpid();
			pid_t p = fork();

			if (p != 0)
				_exit(p > 0 ? 0 : 1);
			while (getppid() == up)	/* wait until our parent has gone */
				sched_yield();
		}
		pid_t p = getppid();

		write(info[1], &p, sizeof(p));
		_exit(0);
	}
	close(info[1]);
	TL_CHECK(read_full(info[0], &ppid, sizeof(ppid)) == 0 && ppid == reaper,
		 "the tenth generation's parent is the reaper");
	while (wait(&status) > 0)
		reaped++;
	TL_CHECK(reaped == 10, "all ten generations reaped by us");
	close(info[0]);
}

int main(void)
{
	long before = -1;

	if (getpid() == 1) {
		reaper = 1;
	} else if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0) {
		reaper = getpid();
		printf("not pid 1: acting as a child subreaper\n");
	} else {
		printf("not pid 1 and no subreaper: skipped\n");
		return tl_done();
	}
	for (int round = 1; round <= 2; round++) {
		printf("round %d\n", round);
		if (round == 2)
			before = tl_frames_free();
		test_adopted(1);
		test_adopted(0);
		test_zombie_handed_over();
		test_many_orphans();
		test_chain();
		errno = 0;
		TL_CHECK(wait(NULL) == -1 && errno == ECHILD, "nothing left to reap");
	}
	tl_check_no_leak(before);
	return tl_done();
}
