/*
 * exec_args: execve hands the new program exactly the argument and
 * environment strings it was given - 5000 small arguments, four 40 KiB
 * arguments with a large environment entry, empty strings, and (on Kilburn)
 * a list of exactly EXEC_ARG_MAX bytes - and refuses what it cannot run:
 * a list too large (E2BIG), a missing file (ENOENT), a directory, a file
 * without execute permission (EACCES), a path through a regular file
 * (ENOTDIR). The program re-executes itself with "--child MODE" and the
 * child checks what it got, exiting 0 if all of it is exact.
 * AT_EXECFN in the auxiliary vector is the path as execve was given it
 * (relative, with "." and "..", not made canonical).
 */
#define _GNU_SOURCE
#include "tlib.h"
#include <errno.h>
#include <sys/auxv.h>
#include <sys/wait.h>

#define MANY		5000		/* small arguments */
#define LARGE_N		4		/* large arguments ... */
#define LARGE_LEN	(40 * 1024)	/* ... of this many bytes each */
#define ENV_BIG_LEN	(8 * 1024)	/* value of the large environment entry */
#define KILBURN_ARG_MAX	(256 * 1024)	/* Kilburn's EXEC_ARG_MAX (strings + NULs) */
#define FIT_N		4		/* strings of the exactly-full list */
#define HUGE_STR	(64 * 1024)	/* under Linux's 128 KiB per-string limit */
#define HUGE_N		128		/* 8 MiB: over Linux's 6 MiB ceiling too */

extern char **environ;

static const char *self;

/* Byte j of large argument i: varied so a shifted or truncated copy shows. */
static char large_byte(int i, size_t j)
{
	return 'A' + (char)((i * 7 + j + j / 26) % 26);
}

static char *large_arg(int i, size_t len)
{
	char *s = malloc(len + 1);

	if (!s)
		return NULL;
	for (size_t j = 0; j < len; j++)
		s[j] = large_byte(i, j);
	s[len] = 0;
	return s;
}

/* The small argument i ("" every 1000th, to see empty strings survive). */
static void small_arg(char *buf, size_t size, int i)
{
	if (i % 1000 == 999)
		buf[0] = 0;
	else
		snprintf(buf, size, "a%d-%x", i, i * 31);
}

static const char *const small_env[] = { "K1=v1", "EMPTY=", "PATH=/bin", "", NULL };

/* ------------------------------------------------------------------ child */

/* Exit codes of the child: 0 all exact, else the first check that failed. */
static int count_env(void)
{
	int n = 0;

	while (environ[n])
		n++;
	return n;
}

static int child_many(int argc, char **argv)
{
	char buf[32];

	if (argc != 3 + MANY)
		return 10;
	for (int i = 0; i < MANY; i++) {
		small_arg(buf, sizeof(buf), i);
		if (strcmp(argv[3 + i], buf) != 0)
			return 11;
	}
	if (argv[argc] != NULL)
		return 12;
	if (count_env() != 4)
		return 13;
	for (int i = 0; i < 4; i++)
		if (strcmp(environ[i], small_env[i]) != 0)
			return 14;
	if (!getenv("K1") || strcmp(getenv("K1"), "v1") != 0)
		return 15;
	return 0;
}

static int check_large(const char *s, int i, size_t len)
{
	if (strlen(s) != len)
		return 0;
	for (size_t j = 0; j < len; j++)
		if (s[j] != large_byte(i, j))
			return 0;
	return 1;
}

static int child_large(int argc, char **argv)
{
	const char *big;

	if (argc != 3 + LARGE_N + 1)
		return 20;
	for (int i = 0; i < LARGE_N; i++)
		if (!check_large(argv[3 + i], i, LARGE_LEN))
			return 21 + i;
	if (strcmp(argv[3 + LARGE_N], "last") != 0)
		return 26;
	if (count_env() != 2)
		return 27;
	big = getenv("BIG");
	if (!big || !check_large(big, 9, ENV_BIG_LEN))
		return 28;
	if (!getenv("SMALL") || strcmp(getenv("SMALL"), "yes") != 0)
		return 29;
	return 0;
}

/* The exactly-full list: argv[3 ..] are FIT_N large strings; no environment. */
static int child_fit(int argc, char **argv)
{
	size_t total = 0;

	if (argc != 3 + FIT_N)
		return 30;
	for (int i = 0; i < argc; i++)
		total += strlen(argv[i]) + 1;
	if (total != KILBURN_ARG_MAX)
		return 31;
	for (int i = 0; i < FIT_N; i++)
		if (!check_large(argv[3 + i], i, strlen(argv[3 + i])))
			return 32 + i;
	if (count_env() != 0)
		return 37;
	return 0;
}

/* AT_EXECFN is exactly argv[3], the path the parent gave execve. */
static int child_execfn(int argc, char **argv)
{
	const char *fn = (const char *)getauxval(AT_EXECFN);

	return argc == 4 && fn && strcmp(fn, argv[3]) == 0 ? 0 : 1;
}

static int child_main(int argc, char **argv)
{
	if (strcmp(argv[2], "execfn") == 0)
		return child_execfn(argc, argv);
	if (strcmp(argv[2], "many") == 0)
		return child_many(argc, argv);
	if (strcmp(argv[2], "large") == 0)
		return child_large(argc, argv);
	if (strcmp(argv[2], "fit") == 0)
		return child_fit(argc, argv);
	return 99;
}

/* ----------------------------------------------------------------- parent */

/* fork, execve(path, argv, envp) in the child; its wait status, or -1. */
static int run(const char *path, char **argv, char **envp)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(path, argv, envp);
		_exit(100 + (errno & 0x7f));
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static int exited_with(int status, int code)
{
	return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

/* execve in this process; 1 if it failed with errno want (and we're alive). */
static int exec_fails(const char *path, char **argv, char **envp, int want)
{
	int rc;

	errno = 0;
	rc = execve(path, argv, envp);
	return rc == -1 && errno == want;
}

static void test_many(void)
{
	char **argv = malloc((MANY + 4) * sizeof(char *));
	char buf[32];
	int status, ok = argv != NULL;

	if (ok) {
		argv[0] = (char *)self;
		argv[1] = "--child";
		argv[2] = "many";
		for (int i = 0; i < MANY; i++) {
			small_arg(buf, sizeof(buf), i);
			argv[3 + i] = strdup(buf);
			ok &= argv[3 + i] != NULL;
		}
		argv[3 + MANY] = NULL;
	}
	TL_CHECK(ok, "built 5000 small arguments");
	if (!ok)
		return;
	status = run(self, argv, (char **)small_env);
	TL_CHECK(exited_with(status, 0),
		 "5000 small arguments and a 4-entry environment arrive exactly");
	if (!exited_with(status, 0))
		printf("  child status 0x%x\n", status);
	for (int i = 0; i < MANY; i++)
		free(argv[3 + i]);
	free(argv);
}

static void test_large(void)
{
	char *argv[3 + LARGE_N + 2], *envp[3];
	char *big = large_arg(9, ENV_BIG_LEN);
	int status, ok = big != NULL;

	argv[0] = (char *)self;
	argv[1] = "--child";
	argv[2] = "large";
	for (int i = 0; i < LARGE_N; i++)
		ok &= (argv[3 + i] = large_arg(i, LARGE_LEN)) != NULL;
	argv[3 + LARGE_N] = "last";
	argv[4 + LARGE_N] = NULL;
	if (big) {
		envp[0] = malloc(ENV_BIG_LEN + 5);
		ok &= envp[0] != NULL;
		if (envp[0])
			snprintf(envp[0], ENV_BIG_LEN + 5, "BIG=%s", big);
	}
	envp[1] = "SMALL=yes";
	envp[2] = NULL;
	TL_CHECK(ok, "built four 40 KiB arguments and an 8 KiB environment entry");
	if (!ok)
		return;
	status = run(self, argv, envp);
	TL_CHECK(exited_with(status, 0),
		 "168 KiB of arguments and environment arrive exactly");
	if (!exited_with(status, 0))
		printf("  child status 0x%x\n", status);
	for (int i = 0; i < LARGE_N; i++)
		free(argv[3 + i]);
	free(envp[0]);
	free(big);
}

/*
 * Kilburn's limit exactly: argv strings with their NULs adding up to
 * EXEC_ARG_MAX run; one byte more, or one more string, is E2BIG.
 */
static void test_exact_limit(void)
{
	char *argv[3 + FIT_N + 1], *envp[2] = { "X=1", NULL }, *empty[1] = { NULL };
	size_t used = strlen(self) + 1 + strlen("--child") + 1 + strlen("fit") + 1;
	size_t left = KILBURN_ARG_MAX - used, each = left / FIT_N;
	int status, ok = 1;

	argv[0] = (char *)self;
	argv[1] = "--child";
	argv[2] = "fit";
	for (int i = 0; i < FIT_N; i++) {
		size_t len = (i == FIT_N - 1 ? left - each * (FIT_N - 1) : each) - 1;

		ok &= (argv[3 + i] = large_arg(i, len)) != NULL;
	}
	argv[3 + FIT_N] = NULL;
	TL_CHECK(ok, "built an argument list of exactly 256 KiB");
	if (!ok)
		return;
	status = run(self, argv, empty);
	TL_CHECK(exited_with(status, 0), "exactly 256 KiB of strings (EXEC_ARG_MAX) are accepted");
	if (!exited_with(status, 0))
		printf("  child status 0x%x\n", status);

	TL_CHECK(exec_fails(self, argv, envp, E2BIG),
		 "a full list plus one environment string gives E2BIG");
	if (errno != E2BIG)
		printf("  errno %d (%s)\n", errno, strerror(errno));

	/* one byte more in the last argument */
	free(argv[3 + FIT_N - 1]);
	argv[3 + FIT_N - 1] = large_arg(FIT_N - 1, left - each * (FIT_N - 1));
	TL_CHECK(argv[3 + FIT_N - 1] && exec_fails(self, argv, empty, E2BIG),
		 "256 KiB + 1 byte of strings gives E2BIG");
	for (int i = 0; i < FIT_N; i++)
		free(argv[3 + i]);
}

/* An argument list no system accepts: 8 MiB (one 64 KiB string, 128 times). */
static void test_too_big(void)
{
	char **argv = malloc((HUGE_N + 2) * sizeof(char *));
	char *s = large_arg(1, HUGE_STR - 1);
	char *envp[HUGE_N + 1];

	TL_CHECK(argv && s, "built an 8 MiB argument list");
	if (!argv || !s)
		return;
	argv[0] = (char *)self;
	for (int i = 1; i <= HUGE_N; i++)
		argv[i] = s;
	argv[HUGE_N + 1] = NULL;
	TL_CHECK(exec_fails(self, argv, environ, E2BIG), "8 MiB of arguments gives E2BIG");

	/* the same through the environment */
	argv[1] = NULL;
	for (int i = 0; i < HUGE_N; i++)
		envp[i] = s;
	envp[HUGE_N] = NULL;
	TL_CHECK(exec_fails(self, argv, envp, E2BIG), "8 MiB of environment gives E2BIG");

	if (tl_on_kilburn()) {
		/* over EXEC_ARG_MAX, well under Linux's limit: 5 x 64 KiB */
		argv[1] = argv[2] = argv[3] = argv[4] = argv[5] = s;
		argv[6] = NULL;
		TL_CHECK(exec_fails(self, argv, environ, E2BIG),
			 "320 KiB of arguments gives E2BIG (over EXEC_ARG_MAX)");
	}
	free(s);
	free(argv);
}

/* Write a copy of /bin/true to path with the given mode; 0 on success. */
static int copy_true(const char *path, int mode)
{
	static char buf[4096];
	int in = open("/bin/true", O_RDONLY), out;
	ssize_t n;

	if (in < 0)
		return -1;
	unlink(path);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			n = -1;
	close(in);
	close(out);
	return n == 0 ? 0 : -1;
}

static void test_refusals(void)
{
	char *argv[] = { "x", NULL };
	int status;

	TL_CHECK(exec_fails("/no/such/file", argv, environ, ENOENT), "missing file: ENOENT");
	TL_CHECK(exec_fails("/tmp/no-such-program", argv, environ, ENOENT),
		 "missing file in /tmp: ENOENT");
	TL_CHECK(exec_fails("", argv, environ, ENOENT), "empty path: ENOENT");
	TL_CHECK(exec_fails("/bin/true/x", argv, environ, ENOTDIR),
		 "path through a regular file: ENOTDIR");
	TL_CHECK(exec_fails("/bin", argv, environ, EACCES), "a directory: EACCES");
	TL_CHECK(exec_fails("/tmp", argv, environ, EACCES), "the /tmp directory: EACCES");
	TL_CHECK(exec_fails("/", argv, environ, EACCES), "the root directory: EACCES");

	TL_CHECK(copy_true("/tmp/true-0644", 0644) == 0, "wrote /tmp/true-0644 (mode 0644)");
	TL_CHECK(exec_fails("/tmp/true-0644", argv, environ, EACCES),
		 "a valid program without execute permission: EACCES");
	TL_CHECK(copy_true("/tmp/true-0755", 0755) == 0, "wrote /tmp/true-0755 (mode 0755)");
	status = run("/tmp/true-0755", argv, environ);
	TL_CHECK(exited_with(status, 0), "the same bytes with mode 0755 run and exit 0");
	unlink("/tmp/true-0644");
	unlink("/tmp/true-0755");
}

/* AT_EXECFN for an absolute path, and for a relative one with "." in it. */
static void test_execfn(void)
{
	char rel[300], dir[256], *slash;
	char *argv[] = { (char *)self, "--child", "execfn", (char *)self, NULL };
	int status;

	status = run(self, argv, environ);
	TL_CHECK(exited_with(status, 0), "AT_EXECFN is the path given to execve");
	slash = strrchr(self, '/');
	if (self[0] != '/' || !slash || getcwd(dir, sizeof(dir)) == NULL) {
		TL_CHECK(0, "know this program's directory");
		return;
	}
	/* "./DIR/./NAME" from /: not the canonical path */
	snprintf(rel, sizeof(rel), ".%.*s/./%s", (int)(slash - self), self, slash + 1);
	argv[0] = argv[3] = rel;
	status = chdir("/") == 0 ? run(rel, argv, environ) : -1;
	TL_CHECK(exited_with(status, 0), "AT_EXECFN keeps a relative path with . as given");
	if (chdir(dir) != 0)
		printf("note: could not go back to %s\n", dir);
}

int main(int argc, char **argv)
{
	long before = -1;

	if (argc >= 3 && strcmp(argv[1], "--child") == 0)
		return child_main(argc, argv);
	self = argv[0];
	if (!strchr(self, '/'))
		self = "/proc/self/exe";

	/* round 1 warms up the heap, tmpfs and the page cache; round 2 is measured */
	for (int round = 1; round <= 2; round++) {
		printf("round %d\n", round);
		if (round == 2)
			before = tl_frames_free();
		test_refusals();
		test_many();
		test_large();
		if (tl_on_kilburn())
			test_exact_limit();
		test_too_big();
		test_execfn();
	}
	tl_check_no_leak(before);
	return tl_done();
}
