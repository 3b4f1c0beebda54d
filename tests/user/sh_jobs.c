/*
 * sh_jobs: the shell's job control and line editing, driven through the console as a user
 * would type (TIOCSTI), in a session of its own: `sleep 5 &` starts job
 * [1], `jobs` lists it Running, ^Z stops a foreground `sleep 7` (job [2],
 * Stopped), `bg` continues it in the background, `fg %1` brings job 1 back
 * and ^C ends it while the shell lives on ($? is 130). Line editing: Up
 * recalls the last line, Left moves the cursor to insert. The shell's
 * output goes to a file that is checked afterwards. Kilburn's console only (on
 * Linux the terminal is not ours to type on). No frame leaked.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"
#include <errno.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#define OUT	"/tmp/sh_jobs.out"

static pid_t shell;

static void type(const char *s)
{
	for (; *s; s++)
		ioctl(0, TIOCSTI, s);
}

/* Wait (up to 10 s) until the foreground is the shell, or is not. */
static int wait_fg(int want_shell)
{
	for (int i = 0; i < 1000; i++) {
		pid_t fg = tcgetpgrp(0);

		if (want_shell ? fg == shell : fg > 0 && fg != shell)
			return 1;
		usleep(10000);
	}
	return 0;
}

/* Type a command and let the shell get back to its prompt. */
static void command(const char *s)
{
	type(s);
	usleep(200000);
	wait_fg(1);
}

static int session(void *arg)
{
	static char out[4096];
	int fd, n, status;

	(void)arg;
	setsid();
	if (ioctl(0, TIOCSCTTY, 0) < 0) {
		TL_CHECK(0, "TIOCSCTTY");
		return 1;
	}
	fd = open(OUT, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	fflush(stdout);
	shell = fork();
	if (shell == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		char *argv[] = { "sh", NULL };

		execv("/bin/sh", argv);
		_exit(127);
	}
	close(fd);
	usleep(300000);
	TL_CHECK(wait_fg(1), "the shell puts its own group in the foreground");
	command("sleep 5 &\n");
	command("jobs\n");
	type("sleep 7\n");
	TL_CHECK(wait_fg(0), "sleep 7 runs in the foreground in a group of its own");
	type("\032");			/* ^Z */
	TL_CHECK(wait_fg(1), "^Z: the shell has the terminal back");
	command("jobs\n");
	command("bg\n");
	type("fg %1\n");
	TL_CHECK(wait_fg(0), "fg %1: job 1 is in the foreground");
	type("\003");			/* ^C */
	TL_CHECK(wait_fg(1), "^C ended it and the shell has the terminal back");
	command("echo alive $?\n");
	command("jobs\n");
	command("echo one\n");
	command("\033[A\n");		/* Up: the same line again */
	command("echo tw\033[Dx\n");	/* Left, then x goes before the w */
	type("exit\n");
	status = vt_wait(shell, 20);
	VT_CHECK(vt_exited_ok(status), "the shell exits 0 (%s)", vt_how(status));

	fd = open(OUT, O_RDONLY);
	n = fd < 0 ? 0 : read(fd, out, sizeof(out) - 1);
	if (fd >= 0)
		close(fd);
	out[n > 0 ? n : 0] = 0;
	unlink(OUT);
	TL_CHECK(strstr(out, "[1] ") != NULL, "`sleep 5 &` prints [1] and its pid");
	TL_CHECK(strstr(out, "Running                 sleep 5 &") != NULL,
		 "jobs lists [1] Running sleep 5 &");
	TL_CHECK(strstr(out, "[2]+  Stopped                 sleep 7") != NULL,
		 "^Z: [2]+ Stopped sleep 7");
	TL_CHECK(strstr(out, "[2]+ sleep 7 &") != NULL, "bg: [2]+ sleep 7 &");
	TL_CHECK(strstr(out, "alive 130") != NULL, "the shell lives on after ^C; $? is 130");
	TL_CHECK(strstr(out, "\none\n") && strstr(strstr(out, "\none\n") + 1, "\none\n"),
		 "Up recalled `echo one`: it ran twice");
	TL_CHECK(strstr(out, "\ntxw\n") != NULL, "Left then x: `echo txw` ran");
	if (tl_failed_here)
		printf("the shell's output:\n%s\n", out);
	return tl_failed_here;
}

int main(void)
{
	long before;
	int st;

	printf("sh_jobs: job control in the shell (&, jobs, ^Z, bg, fg, ^C)\n");
	if (!tl_on_kilburn() || !isatty(0)) {
		printf("note: not on Kilburn's console: the shell is not driven\n");
		TL_CHECK(access("/bin/sh", X_OK) == 0, "a shell is there");
		return tl_done();
	}
	before = tl_frames_free();
	st = vt_run(session, NULL, 60);
	VT_CHECK(vt_exited_ok(st), "a session with the shell (%s)", vt_how(st));
	while (wait(NULL) > 0)		/* orphans come to init: this program */
		;
	tl_check_no_leak(before);
	return tl_done();
}
