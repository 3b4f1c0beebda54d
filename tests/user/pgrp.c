/*
 * pgrp: process groups and sessions, as on Linux. setpgid moves a child
 * into a new group (with Linux's errors); kill(-pgrp) and kill(0) reach
 * every member of a group and no one else; waitpid(-pgrp) and waitpid(0)
 * wait by group; setsid makes a new session and group. On Kilburn's
 * console (not under qemu-user, whose stdin is no terminal of ours), a
 * session leader takes the terminal (TIOCSCTTY), sets its foreground group
 * (TIOCSPGRP/TIOCGPGRP), ^C and ^Z typed (TIOCSTI) go to the foreground
 * group only, and a background read gets SIGTTIN, or EIO with SIGTTIN
 * ignored. No frame leaked.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"
#include <errno.h>
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

/* A session leader with the console as its terminal. */
static int terminal_session(void *arg)
{
	struct sigaction sa;
	pid_t fg, fg2;
	char c;
	int status;

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

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_ttin;
	sigaction(SIGTTIN, &sa, NULL);
	errno = 0;
	TL_CHECK(read(0, &c, 1) == -1 && errno == EINTR && ttin == 1,
		 "a background read: SIGTTIN to the group, then EINTR");
	signal(SIGTTIN, SIG_IGN);
	errno = 0;
	TL_CHECK(read(0, &c, 1) == -1 && errno == EIO, "with SIGTTIN ignored: EIO");
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
	test_terminal();
	before = tl_frames_free();
	test_groups();
	test_kill_zero_and_setsid();
	test_terminal();
	tl_check_no_leak(before);
	return tl_done();
}
