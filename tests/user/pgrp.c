/*
 * pgrp: process groups and sessions, as on Linux. setpgid moves a child
 * into a new group (with Linux's errors); kill(-pgrp) and kill(0) reach
 * every member of a group and no one else; waitpid(-pgrp) and waitpid(0)
 * wait by group; setsid makes a new session and group. On Kilburn's
 * console (not under qemu-user, whose stdin is no terminal of ours), a
 * session leader takes the terminal (TIOCSCTTY), sets its foreground group
 * (TIOCSPGRP/TIOCGPGRP), ^C and ^Z typed (TIOCSTI) go to the foreground
 * group only, and a background read gets SIGTTIN, or EIO with SIGTTIN
 * ignored or from an orphaned group (the session leader's); with TOSTOP a background write gets SIGTTOU (EIO from an
 * orphaned group, and it goes through with SIGTTOU ignored). setpgid of a
 * child that has exec'd is EACCES. A group that a process's exit orphans
 * while one of its members is stopped gets SIGHUP, then SIGCONT (POSIX).
 * No frame leaked.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"
#include <errno.h>
#include <poll.h>
#include <termios.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

/* A child that waits for signals in group pgid (0: a new one of its own). */
static pid_t sleeper(pid_t pgid)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		setpgid(0, pgid);
		for (;;)
			pause();
	}
	setpgid(pid, pgid ? pgid : pid);	/* both sides, as shells do */
	return pid;
}

static int killed_by(pid_t pid, int sig)
{
	int status = vt_wait(pid, 10);

	return status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

static void test_groups(void)
{
	pid_t a, b, other;
	int status;

	a = sleeper(0);
	b = sleeper(a);
	other = sleeper(0);
	TL_CHECK(getpgid(a) == a && getpgid(b) == a, "setpgid: a new group and a second member");
	TL_CHECK(getpgid(0) == getpgrp() && getpgid(0) != a, "the parent stays in its group");
	errno = 0;
	TL_CHECK(setpgid(b, 0x3ffffff0) == -1 && errno == EPERM,
		 "setpgid into a group that does not exist: EPERM");
	errno = 0;
	TL_CHECK(setpgid(0, -1) == -1 && errno == EINVAL, "setpgid(0, -1): EINVAL");
	errno = 0;
	TL_CHECK(setpgid(0x3ffffff0, 0) == -1 && errno == ESRCH, "setpgid of no process: ESRCH");
	errno = 0;
	TL_CHECK(waitpid(0, &status, WNOHANG) == -1 && errno == ECHILD,
		 "waitpid(0): no child in the caller's group is ECHILD");
	TL_CHECK(kill(-a, SIGTERM) == 0, "kill(-pgrp, SIGTERM)");
	TL_CHECK(killed_by(a, SIGTERM) && killed_by(b, SIGTERM), "both members died of it");
	TL_CHECK(waitpid(other, &status, WNOHANG) == 0, "a process of another group did not");
	errno = 0;
	TL_CHECK(kill(-a, 0) == -1 && errno == ESRCH, "kill of an empty group: ESRCH");
	kill(other, SIGKILL);
	VT_CHECK(waitpid(-other, &status, 0) == other && WIFSIGNALED(status),
		 "waitpid(-pgrp) reaps the group's member");
}

/* In a group of its own with a second member: kill(0) hits both. */
static int kill_zero(void *arg)
{
	pid_t g;
	int ok;

	(void)arg;
	setpgid(0, 0);
	g = sleeper(getpid());
	signal(SIGTERM, SIG_IGN);	/* the caller is in the group too */
	ok = kill(0, SIGTERM) == 0;
	return ok && killed_by(g, SIGTERM) ? 0 : 1;
}

static int new_session(void *arg)
{
	pid_t me = getpid(), parent_sid = getsid(0);
	int ok = 1;

	(void)arg;
	ok &= setsid() == me;
	ok &= getsid(0) == me && getpgid(0) == me && getsid(0) != parent_sid;
	errno = 0;
	ok &= setsid() == -1 && errno == EPERM;		/* a group leader already */
	errno = 0;
	ok &= setpgid(0, 0) == -1 && errno == EPERM;	/* a session leader */
	return ok ? 0 : 1;
}

static void test_kill_zero_and_setsid(void)
{
	int st = vt_run(kill_zero, NULL, 10);

	VT_CHECK(vt_exited_ok(st), "kill(0) reaches the caller's group only (%s)", vt_how(st));
	st = vt_run(new_session, NULL, 10);
	VT_CHECK(vt_exited_ok(st), "setsid: a new session and group; again EPERM; setpgid "
		 "of a session leader EPERM (%s)", vt_how(st));
}

/* setpgid of a child that has exec'd is EACCES (Linux's PF_FORKNOEXEC rule). */
static void test_setpgid_after_exec(void)
{
	char *argv[] = { "sleep", "10", NULL };
	int fds[2], status;
	pid_t pid, waiter;
	char c;

	if (pipe(fds) != 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
		TL_CHECK(0, "a close-on-exec pipe");
		return;
	}
	waiter = sleeper(0);
	TL_CHECK(setpgid(waiter, waiter) == 0 || errno == EACCES,
		 "setpgid of a child that has not exec'd");
	kill(waiter, SIGKILL);
	waitpid(waiter, &status, 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		execv("/bin/sleep", argv);
		_exit(127);
	}
	close(fds[1]);
	TL_CHECK(pid > 0 && read(fds[0], &c, 1) == 0, "the child exec'd (its pipe end closed)");
	close(fds[0]);
	errno = 0;
	TL_CHECK(setpgid(pid, pid) == -1 && errno == EACCES,
		 "setpgid of a child that has exec'd: EACCES");
	errno = 0;
	TL_CHECK(setpgid(pid, getpgrp()) == -1 && errno == EACCES, "... into any group");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

static int hup_fd = -1;

static void on_hup(int sig)
{
	(void)sig;
	if (write(hup_fd, "H", 1) != 1)
		_exit(3);
}

/*
 * In a session of its own, a middle process has a child in another group
 * that stops; the middle process exits, which orphans that group: the
 * child gets SIGHUP (its handler writes H) and SIGCONT (it goes on past
 * its stop and writes C).
 */
static void test_orphaned_group(void)
{
	char got[8] = "";
	int fds[2], status = -1, n = 0;
	struct pollfd pfd;
	pid_t mid;

	if (pipe(fds) != 0) {
		TL_CHECK(0, "a pipe");
		return;
	}
	fflush(stdout);
	mid = fork();
	if (mid == 0) {
		pid_t c;

		close(fds[0]);
		setsid();
		c = fork();
		if (c == 0) {
			setpgid(0, 0);
			hup_fd = fds[1];
			signal(SIGHUP, on_hup);
			raise(SIGSTOP);
			_exit(write(fds[1], "C", 1) == 1 ? 0 : 1);
		}
		close(fds[1]);
		_exit(c > 0 && waitpid(c, &status, WUNTRACED) == c && WIFSTOPPED(status) ? 0 : 1);
	}
	close(fds[1]);
	TL_CHECK(mid > 0 && waitpid(mid, &status, 0) == mid && WIFEXITED(status) &&
		 WEXITSTATUS(status) == 0, "the middle process saw its child stop, and exited");
	pfd = (struct pollfd) { .fd = fds[0], .events = POLLIN };
	while (n < (int)sizeof(got) - 1 && poll(&pfd, 1, 5000) == 1) {
		long r = read(fds[0], got + n, sizeof(got) - 1 - (size_t)n);

		if (r <= 0)
			break;
		n += (int)r;
	}
	close(fds[0]);
	TL_CHECK(strcmp(got, "HC") == 0,
		 "the orphaned group with a stopped member got SIGHUP, then SIGCONT");
	if (getpid() == 1 && strcmp(got, "HC") == 0)	/* it came to us, init: reap it */
		waitpid(-1, &status, 0);
}

static volatile int ttou;

static void on_ttou(int sig)
{
	(void)sig;
	ttou++;
}

/* In a background group tied to the session: a write with TOSTOP set. */
static int tostop_writer(void *arg)
{
	static const char line[] = "(a background write with SIGTTOU ignored)\n";
	struct sigaction sa;
	int ok;

	(void)arg;
	setpgid(0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_ttou;
	sigaction(SIGTTOU, &sa, NULL);
	errno = 0;
	ok = write(1, "x\n", 2) == -1 && errno == EINTR && ttou == 1;
	signal(SIGTTOU, SIG_IGN);	/* before printing anything */
	TL_CHECK(ok, "TOSTOP: a background write gets SIGTTOU, then EINTR");
	TL_CHECK(write(1, line, sizeof(line) - 1) == (ssize_t)(sizeof(line) - 1),
		 "TOSTOP: with SIGTTOU ignored it goes through");
	return tl_failed_here;
}

/* TOSTOP in the terminal session (its leader's group is background). */
static void check_tostop(void)
{
	struct termios old, t;
	struct sigaction sa;
	pid_t fg = sleeper(0);
	int st, status;

	tcgetattr(0, &old);
	t = old;
	t.c_lflag |= TOSTOP;
	TL_CHECK(tcsetattr(0, TCSANOW, &t) == 0 && tcsetpgrp(0, fg) == 0, "TOSTOP set");
	st = vt_run(tostop_writer, NULL, 10);
	VT_CHECK(vt_exited_ok(st), "the background writer (%s)", vt_how(st));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_ttou;
	sigaction(SIGTTOU, &sa, NULL);
	errno = 0;
	st = write(1, "x\n", 2) == -1 && errno == EIO;
	signal(SIGTTOU, SIG_IGN);
	TL_CHECK(st, "TOSTOP: from an orphaned background group, EIO");
	tcsetattr(0, TCSANOW, &old);
	kill(fg, SIGKILL);		/* its group stays the foreground: ours is background */
	waitpid(fg, &status, 0);
}

static volatile int ttin;

static void on_ttin(int sig)
{
	(void)sig;
	ttin++;
}

/* Type c on the terminal. */
static void type(char c)
{
	ioctl(0, TIOCSTI, &c);
}

/* In a background group tied to the session: reads get SIGTTIN. */
static int background_reader(void *arg)
{
	struct sigaction sa;
	char c;

	(void)arg;
	setpgid(0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_ttin;
	sigaction(SIGTTIN, &sa, NULL);
	errno = 0;
	TL_CHECK(read(0, &c, 1) == -1 && errno == EINTR && ttin == 1,
		 "a background read: SIGTTIN to the group, then EINTR");
	signal(SIGTTIN, SIG_IGN);
	errno = 0;
	TL_CHECK(read(0, &c, 1) == -1 && errno == EIO, "with SIGTTIN ignored: EIO");
	return tl_failed_here;
}

/* A session leader with the console as its terminal. */
static int terminal_session(void *arg)
{
	struct sigaction sa;
	pid_t fg, fg2;
	char c;
	int status, st;

	(void)arg;
	setsid();
	TL_CHECK(ioctl(0, TIOCSCTTY, 0) == 0, "TIOCSCTTY: the leader takes the terminal");
	TL_CHECK(tcgetpgrp(0) == getpid(), "its group is the foreground");
	signal(SIGTTOU, SIG_IGN);
	fg = sleeper(0);
	TL_CHECK(tcsetpgrp(0, fg) == 0 && tcgetpgrp(0) == fg,
		 "TIOCSPGRP: a child's group is the foreground");
	type(3);			/* ^C */
	TL_CHECK(killed_by(fg, SIGINT), "^C: SIGINT to the foreground group");
	TL_CHECK(1, "the background leader was not interrupted");

	fg2 = sleeper(0);
	tcsetpgrp(0, fg2);
	type(26);			/* ^Z */
	TL_CHECK(waitpid(fg2, &status, WUNTRACED) == fg2 && WIFSTOPPED(status) &&
		 WSTOPSIG(status) == SIGTSTP, "^Z: the foreground group stops with SIGTSTP");
	kill(fg2, SIGKILL);
	waitpid(fg2, &status, 0);
	check_tostop();

	st = vt_run(background_reader, NULL, 10);
	VT_CHECK(vt_exited_ok(st), "the background reader (%s)", vt_how(st));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_ttin;
	sigaction(SIGTTIN, &sa, NULL);
	errno = 0;
	TL_CHECK(read(0, &c, 1) == -1 && errno == EIO && ttin == 0,
		 "a background read from an orphaned group (the leader's): EIO, no signal");
	signal(SIGTTIN, SIG_IGN);
	tcsetpgrp(0, getpgrp());
	signal(SIGHUP, SIG_IGN);	/* the foreground group (ours) is hung up */
	TL_CHECK(ioctl(0, TIOCNOTTY) == 0, "TIOCNOTTY: the leader gives it up");
	errno = 0;
	TL_CHECK(tcgetpgrp(0) == -1 && errno == ENOTTY, "then TIOCGPGRP is ENOTTY");
	return tl_failed_here;
}

static void test_terminal(void)
{
	int st;

	if (!tl_on_kilburn() || !isatty(0)) {
		printf("note: not on Kilburn's console: terminal job control not checked\n");
		return;
	}
	st = vt_run(terminal_session, NULL, 20);
	VT_CHECK(vt_exited_ok(st), "terminal job control in a new session (%s)", vt_how(st));
}

int main(void)
{
	long before;

	printf("pgrp: process groups, sessions, the terminal's foreground group\n");
	test_groups();			/* warm-up */
	test_kill_zero_and_setsid();
	test_setpgid_after_exec();
	test_orphaned_group();
	test_terminal();
	before = tl_frames_free();
	test_groups();
	test_kill_zero_and_setsid();
	test_setpgid_after_exec();
	test_orphaned_group();
	test_terminal();
	tl_check_no_leak(before);
	return tl_done();
}
