/*
 * tour: the examples of docs/tour.md still work. The image holds the tour
 * as /doc/tour.md; every line "kilburn$ COMMAND" inside a code block is run
 * through /bin/sh -c, must exit 0, and every word without a digit of the
 * sample output under it (up to the next command or the end of the block)
 * must appear in what the command printed. Kilburn only (the commands are
 * Kilburn's tools). No frame leaks.
 */
#include <sys/wait.h>
#include "vmtest.h"

static char tour[65536], out[65536];

/* Run cmd with sh -c, stdout and stderr into out; its exit status or -1. */
static int run(const char *cmd)
{
	int fds[2], status, got = 0, n;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execv("/bin/sh", (char *[]){ "sh", "-c", (char *)cmd, NULL });
		_exit(127);
	}
	close(fds[1]);
	while (got < (int)sizeof(out) - 1 &&
	       (n = (int)read(fds[0], out + got, sizeof(out) - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = 0;
	close(fds[0]);
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Is every digit-free word of the sample lines [from, to) in out? The first missing one in missing. */
static int words_seen(const char *from, const char *to, char *missing, size_t size)
{
	const char *p = from;

	while (p < to) {
		size_t n;
		int digits = 0;

		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		if (p + n > to)
			n = (size_t)(to - p);
		for (size_t i = 0; i < n; i++)
			digits |= p[i] >= '0' && p[i] <= '9';
		if (n && !digits) {
			char word[128];

			snprintf(word, sizeof(word), "%.*s", (int)n, p);
			if (!strstr(out, word)) {
				snprintf(missing, size, "%s", word);
				return 0;
			}
		}
		p += n;
	}
	return 1;
}

/* Check the example whose command line starts at cmd (inside a block ending at end). */
static const char *check_example(const char *cmd, const char *end)
{
	const char *eol = strchr(cmd, '\n'), *next;
	char command[256], what[512], missing[128] = "";
	int status;

	snprintf(command, sizeof(command), "%.*s", (int)(eol - cmd - 9), cmd + 9);
	next = strstr(eol, "\nkilburn$ ");
	next = next && next < end ? next + 1 : end;
	status = run(command);
	snprintf(what, sizeof(what), "tour: \"%s\" exits 0 (%d)", command, status);
	TL_CHECK(status == 0, what);
	if (!words_seen(eol + 1, next, missing, sizeof(missing)))
		printf("--- it printed:\n%s---\n", out);
	snprintf(what, sizeof(what), "tour: \"%s\" prints the words of the sample%s%s",
		 command, missing[0] ? ", not: " : "", missing);
	TL_CHECK(!missing[0], what);
	return next;
}

static int run_tour(void)
{
	int fd = open("/doc/tour.md", O_RDONLY), got = 0, n, examples = 0;
	const char *p = tour;

	TL_CHECK(fd >= 0, "the tour is in the image (/doc/tour.md)");
	if (fd < 0)
		return 0;
	while (got < (int)sizeof(tour) - 1 &&
	       (n = (int)read(fd, tour + got, sizeof(tour) - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	while ((p = strstr(p, "\n```\n")) != NULL) {
		const char *start = p + 5, *end = strstr(start, "\n```\n");

		if (!end)
			break;
		for (const char *c = start; c && c < end; ) {
			if (strncmp(c, "kilburn$ ", 9) == 0) {
				c = check_example(c, end + 1);
				examples++;
			} else {
				c = strchr(c, '\n');
				c = c ? c + 1 : NULL;
			}
		}
		p = end + 4;
	}
	return examples;
}

int main(void)
{
	long before;
	int examples;
	char what[64];

	printf("tour: the examples of docs/tour.md\n");
	memset(out, 0, sizeof(out));
	memset(tour, 0, sizeof(tour));
	if (!tl_on_kilburn()) {
		printf("not Kilburn: the tour's commands are Kilburn's\n");
		return tl_done();
	}
	run("free");			/* a warm-up */
	before = tl_frames_free();
	examples = run_tour();
	snprintf(what, sizeof(what), "the tour has examples (%d)", examples);
	TL_CHECK(examples >= 10, what);
	tl_check_no_leak(before);
	return tl_done();
}
