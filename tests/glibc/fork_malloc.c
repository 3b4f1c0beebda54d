/*
 * fork_malloc: an unmodified glibc program. It fills a 1 MiB malloc block,
 * forks, and both sides print their role and a checksum of the block. The
 * child then scribbles over its copy and exits; the parent, after waiting,
 * checksums its copy again (copy-on-write: the child's writes must not
 * show) and prints the child's exit status. tests/user/glibc_fork.c runs
 * it and checks the lines.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE	(1024 * 1024)

/* FNV-1a over the block */
static uint64_t checksum(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int main(void)
{
	unsigned char *buf = malloc(SIZE);
	int status;
	pid_t pid;

	if (!buf) {
		printf("malloc failed\n");
		return 1;
	}
	for (size_t i = 0; i < SIZE; i++)
		buf[i] = (unsigned char)(i * 2654435761u >> 13);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("fork failed\n");
		return 1;
	}
	if (pid == 0) {
		printf("child checksum %016llx\n", (unsigned long long)checksum(buf, SIZE));
		memset(buf, 0x55, SIZE);
		return 0;
	}
	printf("parent checksum %016llx\n", (unsigned long long)checksum(buf, SIZE));
	fflush(stdout);
	if (waitpid(pid, &status, 0) != pid) {
		printf("waitpid failed\n");
		return 1;
	}
	printf("parent after child checksum %016llx\n",
	       (unsigned long long)checksum(buf, SIZE));
	if (WIFEXITED(status))
		printf("child exit status %d\n", WEXITSTATUS(status));
	else
		printf("child killed by signal %d\n", WTERMSIG(status));
	free(buf);
	return 0;
}
