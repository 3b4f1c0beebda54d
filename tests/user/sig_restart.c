/*
 * sig_restart: a signal that interrupts a blocking system call, as on
 * Linux. With a handler without SA_RESTART, a pipe read and wait4 fail
 * with EINTR after the handler ran; with SA_RESTART they go on and return
 * what they were waiting for. exec puts handled signals back to SIG_DFL and
 * keeps ignored ones and the blocked mask. No frame leaked.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>

static volatile int handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
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

/* A child that signals the parent after 50 ms, then writes a byte to fd. */
static pid_t poke_parent(int fd)
{
	pid_t parent = getpid(), pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		usleep(50000);
		kill(parent, SIGUSR1);
		usleep(100000);
		if (fd >= 0 && write(fd, "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	return pid;
}

static void test_pipe_read(int flags)
{
	int fds[2], status;
	char c = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(fds) < 0) {
		TL_CHECK(0, "pipe");
		return;
	}
	set_usr1(flags);
	handled = 0;
	pid = poke_parent(fds[1]);
	n = read(fds[0], &c, 1);
	if (flags & SA_RESTART)
		VT_CHECK(n == 1 && c == 'x' && handled == 1, "SA_RESTART: the pipe read went on "
			 "after the handler and returned the byte (n=%ld)", (long)n);
	else
		VT_CHECK(n == -1 && errno == EINTR && handled == 1,
			 "no SA_RESTART: the pipe read failed with EINTR after the handler "
			 "(n=%ld errno=%d)", (long)n, errno);
	waitpid(pid, &status, 0);
	close(fds[0]);
	close(fds[1]);
}

static void test_wait(int flags)
{
	pid_t pid, got;
	int status;

	set_usr1(flags);
	handled = 0;
	pid = poke_parent(-1);
	got = waitpid(pid, &status, 0);
	if (flags & SA_RESTART) {
		VT_CHECK(got == pid && handled == 1, "SA_RESTART: wait4 went on after the handler "
			 "and reaped the child (%d)", (int)got);
	} else {
		VT_CHECK(got == -1 && errno == EINTR && handled == 1,
			 "no SA_RESTART: wait4 failed with EINTR after the handler");
		TL_CHECK(waitpid(pid, &status, 0) == pid, "a second wait4 reaps the child");
	}
}

/* The exec'd image: what survived exec. */
static int after_exec(void)
{
	struct sigaction sa;
	sigset_t mask;

	sigaction(SIGUSR1, NULL, &sa);
	TL_CHECK(sa.sa_handler == SIG_DFL, "exec: a handled signal is back to SIG_DFL");
	sigaction(SIGUSR2, NULL, &sa);
	TL_CHECK(sa.sa_handler == SIG_IGN, "exec: an ignored signal stays ignored");
	sigprocmask(SIG_BLOCK, NULL, &mask);
	TL_CHECK(sigismember(&mask, SIGTERM), "exec: the blocked mask is kept");
	return tl_done();
}

static char *self_path;

static void test_exec(void)
{
	char *argv[] = { self_path, "after-exec", NULL };
	sigset_t block, old;
	int st;

	if (!tl_on_kilburn() && access("/proc/sys/fs/binfmt_misc/qemu-riscv64", F_OK) != 0) {
		printf("note: exec check skipped (qemu-riscv64 cannot exec without binfmt_misc)\n");
		return;
	}
	set_usr1(0);
	signal(SIGUSR2, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	st = vt_exec(argv, 20);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGUSR2, SIG_DFL);
	VT_CHECK(vt_exited_ok(st), "the exec'd image ran its checks (%s)", vt_how(st));
}

int main(int argc, char **argv)
{
	long before = -1;

	if (argc > 1 && strcmp(argv[1], "after-exec") == 0)
		return after_exec();
	self_path = argv[0];
	printf("sig_restart: EINTR or restart after a handler; exec resets handlers\n");
	for (int round = 0; round < 2; round++) {	/* the first warms up */
		if (round == 1)
			before = tl_frames_free();
		test_pipe_read(0);
		test_pipe_read(SA_RESTART);
		test_wait(0);
		test_wait(SA_RESTART);
		test_exec();
	}
	signal(SIGUSR1, SIG_DFL);
	tl_check_no_leak(before);
	return tl_done();
}
