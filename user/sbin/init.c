/*
 * init: process 1. Runs "argv[1] argv[2] ..." if given (PATH-searched),
 * else /bin/sh, then reaps every child: orphans are re-parented to init
 * and their exit must be collected. When that first child exits, init
 * exits with its status (128+N if signal N killed it); the kernel then
 * powers the machine off with that status.
 *
 * Run as an ordinary process (on Linux, for testing) it asks to become a
 * child subreaper so that orphans of its subtree come to it as they would
 * to process 1.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Gives the environment sane defaults when the kernel passed none. */
static void default_env(void)
{
	if (!getenv("PATH"))
		setenv("PATH", "/bin:/sbin", 1);
	if (!getenv("HOME"))
		setenv("HOME", "/", 1);
}

/* Starts the first child; its pid, or -1. */
static pid_t start_child(int argc, char **argv)
{
	static char *sh_argv[] = { "/bin/sh", 0 };
	char **cargv = argc > 1 ? argv + 1 : sh_argv;
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	execvp(cargv[0], cargv);
	fprintf(stderr, "init: cannot run %s: %s\n", cargv[0], strerror(errno));
	_exit(127);
}

int main(int argc, char **argv)
{
	pid_t first, pid;
	int st;

	if (getpid() != 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	default_env();
	first = start_child(argc, argv);
	if (first < 0) {
		fprintf(stderr, "init: fork: %s\n", strerror(errno));
		return 1;
	}
	for (;;) {
		pid = wait(&st);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "init: wait: %s\n", strerror(errno));
			return 1;
		}
		if (pid != first)
			continue;		/* an orphan: reaped, nothing more */
		if (WIFSIGNALED(st))
			return 128 + WTERMSIG(st);
		return WEXITSTATUS(st);
	}
}
