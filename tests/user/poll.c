/*
 * poll: poll, ppoll, select and pselect as on Linux, on pipes, a regular
 * file, /dev/null and the terminal: readiness (POLLIN, POLLOUT, POLLHUP,
 * POLLERR, POLLNVAL), timeouts, a poll woken by another process's write,
 * EINTR for a handled signal (even with SA_RESTART), and the signal mask
 * ppoll and pselect install for the wait only. No frame leaked.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static volatile int usr1;

static void on_usr1(int sig)
{
	(void)sig;
	usr1++;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A child that, after ms, writes a byte to fd (if >= 0) or sends SIGUSR1. */
static pid_t later(int ms, int fd)
{
	pid_t parent = getpid(), pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		usleep(ms * 1000);
		if (fd >= 0)
			_exit(write(fd, "x", 1) == 1 ? 0 : 1);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	return pid;
}

static void test_pipe(void)
{
	struct pollfd p[2];
	int fds[2];
	long t0;
	char c;
	pid_t pid;

	if (pipe(fds) < 0) {
		TL_CHECK(0, "pipe");
		return;
	}
	p[0] = (struct pollfd) { fds[0], POLLIN, 0 };
	p[1] = (struct pollfd) { fds[1], POLLOUT, 0 };
	TL_CHECK(poll(p, 2, 0) == 1 && p[0].revents == 0 && p[1].revents == POLLOUT,
		 "an empty pipe: the write end is writable, the read end not");
	t0 = now_ms();
	VT_CHECK(poll(p, 1, 60) == 0 && now_ms() - t0 >= 55,
		 "poll times out after 60 ms (%ld ms)", now_ms() - t0);
	pid = later(50, fds[1]);
	t0 = now_ms();
	VT_CHECK(poll(p, 1, 5000) == 1 && p[0].revents == POLLIN && now_ms() - t0 < 3000,
		 "a write by another process wakes poll with POLLIN (%ld ms)", now_ms() - t0);
	waitpid(pid, NULL, 0);
	close(fds[1]);
	TL_CHECK(poll(p, 1, 0) == 1 && p[0].revents == (POLLIN | POLLHUP),
		 "no writer left, data left: POLLIN | POLLHUP");
	TL_CHECK(read(fds[0], &c, 1) == 1 && poll(p, 1, 0) == 1 && p[0].revents == POLLHUP,
		 "drained: POLLHUP alone");
	close(fds[0]);

	if (pipe(fds) < 0)
		return;
	close(fds[0]);
	p[1].fd = fds[1];
	p[1].events = POLLOUT;
	TL_CHECK(poll(&p[1], 1, 0) == 1 && (p[1].revents & POLLERR),
		 "no reader left: the write end has POLLERR");
	close(fds[1]);
}

static void test_other_files(void)
{
	struct pollfd p[4];
	int fd = open("/dev/null", O_RDWR), bad = 900;
	int file = open("/proc/self/maps", O_RDONLY);

	p[0] = (struct pollfd) { fd, POLLIN | POLLOUT, 0 };
	p[1] = (struct pollfd) { file, POLLIN, 0 };
	p[2] = (struct pollfd) { -1, POLLIN, 0 };
	p[3] = (struct pollfd) { bad, POLLIN, 0 };
	TL_CHECK(poll(p, 4, 1000) == 3, "poll counts the ready entries (3 of 4)");
	TL_CHECK(p[0].revents == (POLLIN | POLLOUT), "/dev/null is readable and writable");
	TL_CHECK(p[1].revents == POLLIN, "a regular file is readable");
	TL_CHECK(p[2].revents == 0, "a negative fd is skipped");
	TL_CHECK(p[3].revents == POLLNVAL, "a closed fd gives POLLNVAL");
	close(fd);
	close(file);
	p[0] = (struct pollfd) { 1, POLLOUT, 0 };
	TL_CHECK(poll(p, 1, 1000) == 1 && p[0].revents == POLLOUT, "stdout is writable");
	if (tl_on_kilburn() && isatty(0)) {
		p[0] = (struct pollfd) { 0, POLLIN, 0 };
		TL_CHECK(poll(p, 1, 20) == 0, "the console without input is not readable");
	}
}

static void set_usr1(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

static void test_eintr(void)
{
	struct pollfd p;
	int fds[2], r;
	pid_t pid;

	if (pipe(fds) < 0)
		return;
	p = (struct pollfd) { fds[0], POLLIN, 0 };
	for (int restart = 0; restart < 2; restart++) {
		set_usr1(restart ? SA_RESTART : 0);
		usr1 = 0;
		pid = later(50, -1);
		errno = 0;
		r = poll(&p, 1, -1);
		VT_CHECK(r == -1 && errno == EINTR && usr1 == 1, "poll is interrupted by a "
			 "handled signal: EINTR%s", restart ? " even with SA_RESTART" : "");
		waitpid(pid, NULL, 0);
	}
	close(fds[0]);
	close(fds[1]);
}

static int usr1_blocked(void)
{
	sigset_t cur;

	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, SIGUSR1);
}

static void test_masks(void)
{
	struct timespec ts = { 5, 0 };
	struct pollfd p;
	sigset_t block, wait_mask;
	fd_set rd;
	int fds[2], r;
	pid_t pid;

	if (pipe(fds) < 0)
		return;
	set_usr1(0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigprocmask(SIG_BLOCK, NULL, &wait_mask);
	sigdelset(&wait_mask, SIGUSR1);
	p = (struct pollfd) { fds[0], POLLIN, 0 };

	usr1 = 0;
	raise(SIGUSR1);			/* pending, blocked */
	TL_CHECK(usr1 == 0, "SIGUSR1 blocked: pending");
	errno = 0;
	r = ppoll(&p, 1, &ts, &wait_mask);
	VT_CHECK(r == -1 && errno == EINTR && usr1 == 1, "ppoll with a mask that unblocks "
		 "it: the pending signal is handled at once, EINTR");
	TL_CHECK(usr1_blocked(), "after ppoll the old mask is back");

	usr1 = 0;
	pid = later(50, -1);
	FD_ZERO(&rd);
	FD_SET(fds[0], &rd);
	errno = 0;
	r = pselect(fds[0] + 1, &rd, NULL, NULL, &ts, &wait_mask);
	VT_CHECK(r == -1 && errno == EINTR && usr1 == 1,
		 "pselect with a mask: a signal during the wait is handled, EINTR");
	TL_CHECK(usr1_blocked(), "after pselect the old mask is back");
	waitpid(pid, NULL, 0);

	usr1 = 0;
	pid = later(30, -1);
	ts.tv_sec = 0;
	ts.tv_nsec = 200000000;
	r = ppoll(&p, 1, &ts, NULL);
	TL_CHECK(r == 0 && usr1 == 0, "ppoll without a mask: SIGUSR1 stays blocked, timeout");
	waitpid(pid, NULL, 0);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	TL_CHECK(usr1 == 1, "and is handled once unblocked");
	close(fds[0]);
	close(fds[1]);
}

static void test_select(void)
{
	struct timeval tv = { 0, 50000 };
	fd_set rd, wr;
	int fds[2], r;
	long t0;

	if (pipe(fds) < 0)
		return;
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(fds[0], &rd);
	t0 = now_ms();
	r = select(fds[0] + 1, &rd, NULL, NULL, &tv);
	VT_CHECK(r == 0 && !FD_ISSET(fds[0], &rd) && now_ms() - t0 >= 45 &&
		 tv.tv_sec == 0 && tv.tv_usec == 0, "select times out after 50 ms, clears the "
		 "set and the timeval (%ld ms)", now_ms() - t0);
	FD_SET(fds[0], &rd);
	FD_SET(fds[1], &wr);
	r = select(fds[1] + 1, &rd, &wr, NULL, NULL);
	TL_CHECK(r == 1 && !FD_ISSET(fds[0], &rd) && FD_ISSET(fds[1], &wr),
		 "select: the write end is ready, the read end not");
	if (write(fds[1], "ab", 2) != 2)
		TL_CHECK(0, "write");
	FD_SET(fds[0], &rd);
	FD_SET(fds[1], &wr);
	r = select(fds[1] + 1, &rd, &wr, NULL, NULL);
	TL_CHECK(r == 2 && FD_ISSET(fds[0], &rd) && FD_ISSET(fds[1], &wr),
		 "with data both are ready: 2");
	close(fds[1]);
	FD_ZERO(&rd);
	FD_SET(fds[1], &rd);
	errno = 0;
	TL_CHECK(select(fds[1] + 1, &rd, NULL, NULL, NULL) == -1 && errno == EBADF,
		 "select of a closed fd: EBADF");
	errno = 0;
	TL_CHECK(select(-1, NULL, NULL, NULL, NULL) == -1 && errno == EINVAL,
		 "select with nfds -1: EINVAL");
	close(fds[0]);
	tv.tv_sec = 0;
	tv.tv_usec = 30000;
	t0 = now_ms();
	VT_CHECK(select(0, NULL, NULL, NULL, &tv) == 0 && now_ms() - t0 >= 25,
		 "select with no fds sleeps for the timeout (%ld ms)", now_ms() - t0);
}

int main(void)
{
	long before;

	printf("poll: poll, ppoll, select, pselect\n");
	test_pipe();			/* warm-up */
	test_eintr();
	test_masks();
	test_select();
	before = tl_frames_free();
	test_pipe();
	test_other_files();
	test_eintr();
	test_masks();
	test_select();
	tl_check_no_leak(before);
	return tl_done();
}
