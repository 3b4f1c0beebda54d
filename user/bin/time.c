/*
 * time COMMAND [ARG...]: run COMMAND, then print to standard error the
 * time it took (real, user, system) and the page faults it and its
 * children made (minor: resolved in memory; major: read from a disk):
 *
 *   real	0m0.120s
 *   user	0m0.010s
 *   sys	0m0.030s
 *   faults	212 minor, 3 major
 *
 * The exit status is COMMAND's (127 if it could not be run).
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void line(const char *name, long sec, long usec)
{
	fprintf(stderr, "%s\t%ldm%ld.%03lds\n", name, sec / 60, sec % 60, usec / 1000);
}

int main(int argc, char **argv)
{
	struct timespec a, b;
	struct rusage ru;
	int status;
	pid_t pid;
	long ns;

	if (argc < 2) {
		fprintf(stderr, "usage: time command [arg...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) != pid) {
		perror("time");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
	line("real", ns / 1000000000L, ns % 1000000000L / 1000);
	line("user", ru.ru_utime.tv_sec, ru.ru_utime.tv_usec);
	line("sys", ru.ru_stime.tv_sec, ru.ru_stime.tv_usec);
	fprintf(stderr, "faults\t%ld minor, %ld major\n", ru.ru_minflt, ru.ru_majflt);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
