/*
 * sh_glob: the shell expands unquoted `*` and `?` to the sorted paths they
 * match, component by component, leaves dot files to patterns that start
 * with a dot, keeps a word that matches nothing, and does not expand a
 * quoted one. Run with `sh -c`; passes with Linux's /bin/sh too.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"
#include <sys/stat.h>
#include <sys/wait.h>

#define DIR	"/tmp/sh_glob"

/* Run `sh -c cmd` in DIR; its output (one line) into out. */
static void run(const char *cmd, char *out, size_t size)
{
	int fds[2], n = 0, r;
	pid_t pid;

	out[0] = 0;
	if (pipe(fds) < 0)
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "sh", "-c", (char *)cmd, NULL };

		dup2(fds[1], 1);
		close(fds[0]);
		if (chdir(DIR) < 0)
			_exit(1);
		execv("/bin/sh", argv);
		_exit(127);
	}
	close(fds[1]);
	while (n < (int)size - 1 && (r = read(fds[0], out + n, size - 1 - n)) > 0)
		n += r;
	out[n] = 0;
	if (n && out[n - 1] == '\n')
		out[n - 1] = 0;
	close(fds[0]);
	waitpid(pid, NULL, 0);
}

static void touch(const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", DIR, name);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	if (fd >= 0)
		close(fd);
}

static void check(const char *cmd, const char *want)
{
	char out[512];

	run(cmd, out, sizeof(out));
	VT_CHECK(strcmp(out, want) == 0, "sh -c '%s' prints \"%s\" (\"%s\")", cmd, want, out);
}

static void cleanup(void)
{
	const char *names[] = { "a.c", "b.c", "ab.h", "x.h", ".hidden", "sub/y.c", "sub" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[128];

		snprintf(path, sizeof(path), "%s/%s", DIR, names[i]);
		if (unlink(path) < 0)
			rmdir(path);
	}
	rmdir(DIR);
}

static void test_glob(void)
{
	mkdir(DIR, 0755);
	mkdir(DIR "/sub", 0755);
	touch("a.c");
	touch("b.c");
	touch("ab.h");
	touch("x.h");
	touch(".hidden");
	touch("sub/y.c");
	check("echo *.c", "a.c b.c");
	check("echo ?.h", "x.h");
	check("echo *", "a.c ab.h b.c sub x.h");
	check("echo .h*", ".hidden");
	check("echo */*.c", "sub/y.c");
	check("echo " DIR "/s*/?.c", DIR "/sub/y.c");
	check("echo *.none", "*.none");
	check("echo '*.c' \"?.h\"", "*.c ?.h");
	cleanup();
}

int main(void)
{
	long before;

	printf("sh_glob: the shell's * and ? expansion\n");
	test_glob();			/* warm-up */
	before = tl_frames_free();
	test_glob();
	tl_check_no_leak(before);
	return tl_done();
}
