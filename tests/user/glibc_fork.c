/*
 * glibc_fork: an unmodified static glibc program forks correctly. It runs
 * /tests/glibc-fork_malloc (tests/glibc/fork_malloc.c: fill 1 MiB of
 * malloc memory, fork, both sides print a checksum, the child scribbles on
 * its copy, the parent waits) with its stdout captured through a pipe and
 * checks the lines: both roles are there, both checksums equal the one
 * computed here for the same fill, the parent's copy is unchanged after the
 * child wrote over its own, and the child exited 0, as did the program.
 * Run twice; the second run must not leak a frame.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include <errno.h>
#include <stdint.h>
#include <sys/wait.h>

#define PROG	"/tests/glibc-fork_malloc"
#define SIZE	(1024 * 1024)

/* The same fill and checksum as fork_malloc.c. */
static uint64_t expected_checksum(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < SIZE; i++) {
		h ^= (unsigned char)(i * 2654435761u >> 13);
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The value after "label " on a line of out, or 0 with *found clear. */
static uint64_t field(const char *out, const char *label, int *found)
{
	const char *p = out;
	size_t len = strlen(label);

	*found = 0;
	while (p && *p) {
		if (strncmp(p, label, len) == 0 && p[len] == ' ') {
			*found = 1;
			return strtoull(p + len + 1, NULL, 16);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

static void run_once(uint64_t want)
{
	static char out[4096];
	char *argv[] = { "glibc-fork_malloc", NULL };
	int p[2], status = -1, f_child, f_parent, f_after, f_status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;
	uint64_t child, parent, after, code;
	char what[128];

	TL_CHECK(pipe(p) == 0, "pipe for the program's stdout");
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], 1);
		close(p[1]);
		execv(PROG, argv);
		_exit(127);
	}
	close(p[1]);
	while (len < sizeof(out) - 1 && (n = read(p[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	out[len] = 0;
	close(p[0]);
	TL_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		 WEXITSTATUS(status) == 0, "the glibc program exited 0");
	for (char *line = out; *line; ) {		/* show what it printed */
		size_t n = strcspn(line, "\n");

		printf("  | %.*s\n", (int)n, line);
		line += n + (line[n] == '\n');
	}

	child = field(out, "child checksum", &f_child);
	parent = field(out, "parent checksum", &f_parent);
	after = field(out, "parent after child checksum", &f_after);
	code = field(out, "child exit status", &f_status);
	TL_CHECK(f_child && f_parent && f_after, "the child's and the parent's lines are there");
	TL_CHECK(f_child && f_parent && child == parent, "the checksums are equal");
	snprintf(what, sizeof(what), "and equal the expected %016llx", (unsigned long long)want);
	TL_CHECK(parent == want && child == want, what);
	TL_CHECK(f_after && after == want, "the parent's copy is unchanged by the child's writes");
	TL_CHECK(f_status && code == 0, "the parent saw the child exit with status 0");
}

int main(void)
{
	uint64_t want = expected_checksum();
	long before;

	if (access(PROG, X_OK) != 0) {
		printf("%s is missing: skipped\n", PROG);
		return tl_on_kilburn() ? 1 : tl_done();
	}
	run_once(want);			/* warm-up: the page cache */
	before = tl_frames_free();
	run_once(want);
	tl_check_no_leak(before);
	return tl_done();
}
