/*
 * exec_script: `#!` scripts, as Linux runs them (fs/binfmt_script.c). The
 * interpreter of each script is this program itself: with ECHO_ARGV in its
 * environment it writes its argv, joined by '|', to stdout and exits. The
 * checks: the argv the interpreter gets (interpreter, its one optional
 * argument, the script's path, the other arguments); blanks around the
 * words; a line without a newline; a long argument cut at the 256-byte
 * buffer; nesting (five scripts deep runs, six is ELOOP); a name too long
 * for the buffer, or no name, is ENOEXEC; a missing interpreter ENOENT; a
 * script without an execute bit EACCES.
 *
 * On Linux it can be built natively for the machine it runs on (the checks
 * are the kernel's, not riscv64's): gcc -DSELF='"/path/of/the/binary"'
 * -Itests/user -o /path/of/the/binary tests/user/exec_script.c
 */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tlib.h"

#ifndef SELF				/* where this program is (-DSELF=... elsewhere) */
#define SELF	"/tests/exec_script"
#endif

static char out[2048];

/* ECHO_ARGV mode: print argv joined by '|'. */
static int echo_argv(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		printf("%s%s", i ? "|" : "", argv[i]);
	fflush(stdout);
	return 0;
}

/* A new file (its mode is mode: an existing one keeps its own). */
static void write_script(const char *path, const char *text, int mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, text, strlen(text)) != (long)strlen(text))
		printf("note: could not write %s\n", path);
	if (fd >= 0)
		close(fd);
}

/*
 * Run path with argv "name a b" and ECHO_ARGV set; out gets what it
 * printed. Returns 0 if it ran and exited 0, else the errno of execve.
 */
static int run(const char *path)
{
	char *argv[] = { "name", "a", "b", NULL };
	char *envp[] = { "ECHO_ARGV=1", NULL };
	int fds[2], status = -1;
	long n = 0, r;
	pid_t pid;

	memset(out, 0, sizeof(out));
	if (pipe(fds) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 1);
		execve(path, argv, envp);
		_exit(200 + errno);
	}
	close(fds[1]);
	while ((r = read(fds[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += r;
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) >= 200)
		return WEXITSTATUS(status) - 200;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void check_runs(const char *text, const char *expect, const char *what)
{
	int rc;

	write_script("/tmp/s", text, 0755);
	rc = run("/tmp/s");
	TL_CHECK(rc == 0 && strcmp(out, expect) == 0, what);
	if (rc || strcmp(out, expect))
		printf("  got %d \"%s\"\n  expected \"%s\"\n", rc, out, expect);
}

static void check_fails(const char *text, int mode, int err, const char *what)
{
	char line[160];
	int rc;

	write_script("/tmp/s", text, mode);
	rc = run("/tmp/s");
	snprintf(line, sizeof(line), "%s: execve fails with %d (got %d)", what, err, rc);
	TL_CHECK(rc == err, line);
}

static void scripts(void)
{
	char text[600], expect[600], path[32];

	check_runs("#!" SELF " -x\necho hello\n", SELF "|-x|/tmp/s|a|b",
		   "interpreter, its argument, the script, the other arguments");
	check_runs("#!" SELF "\n", SELF "|/tmp/s|a|b", "no argument");
	check_runs("#! \t" SELF " \t one  two \t \n", SELF "|one  two|/tmp/s|a|b",
		   "blanks: one argument up to the last non-blank");
	check_runs("#!" SELF " arg", SELF "|arg|/tmp/s|a|b", "a line without a newline");

	/* An argument past the 256-byte buffer is cut: the line's last byte is 254. */
	snprintf(text, sizeof(text), "#!%s %0300d\n", SELF, 0);
	snprintf(expect, sizeof(expect), "%s|%0*d|/tmp/s|a|b", SELF,
		 (int)(255 - strlen("#!" SELF " ")), 0);
	check_runs(text, expect, "a long argument is cut at the buffer's end");

	/* Nesting: n0 runs SELF, n<k> runs n<k-1>. */
	write_script("/tmp/n0", "#!" SELF "\n", 0755);
	for (int k = 1; k <= 5; k++) {
		snprintf(path, sizeof(path), "/tmp/n%d", k);
		snprintf(text, sizeof(text), "#!/tmp/n%d\n", k - 1);
		write_script(path, text, 0755);
	}
	TL_CHECK(run("/tmp/n4") == 0 &&
		 strcmp(out, SELF "|/tmp/n0|/tmp/n1|/tmp/n2|/tmp/n3|/tmp/n4|a|b") == 0,
		 "five nested scripts run, each path in argv");
	TL_CHECK(run("/tmp/n5") == ELOOP, "six nested scripts: ELOOP");
	for (int k = 0; k <= 5; k++) {
		snprintf(path, sizeof(path), "/tmp/n%d", k);
		unlink(path);
	}

	snprintf(text, sizeof(text), "#!/%0300d\n", 0);
	check_fails(text, 0755, ENOEXEC, "an interpreter name longer than the buffer");
	check_fails("#!\n", 0755, ENOEXEC, "no interpreter named");
	check_fails("#!  \t \n", 0755, ENOEXEC, "only blanks");
	check_fails("#!/tmp/none\n", 0755, ENOENT, "interpreter missing");
	check_fails("#!" SELF "\r\n", 0755, ENOENT, "a carriage return is part of the name");
	check_fails("#!" SELF "\n", 0644, EACCES, "a script without an execute bit");
	unlink("/tmp/s");
}

int main(int argc, char **argv)
{
	long before;

	if (getenv("ECHO_ARGV"))
		return echo_argv(argc, argv);
	printf("exec_script: #! scripts\n");
	scripts();			/* warm-up */
	before = tl_frames_free();
	scripts();
	tl_check_no_leak(before);
	return tl_done();
}
