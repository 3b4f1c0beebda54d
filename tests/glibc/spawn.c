/*
 * spawn: glibc's posix_spawn, system and popen, unmodified. glibc starts
 * the child with clone(CLONE_VM | CLONE_VFORK | SIGCHLD) on a stack of its
 * own and learns of a failed exec through the memory it shares with the
 * child. Run by tests/user/glibc_spawn; passes on Linux too.
 */
#define _GNU_SOURCE
#include "../user/tlib.h"
#include "../user/vmtest.h"
#include <errno.h>
#include <spawn.h>
#include <sys/wait.h>

static void test_posix_spawn(void)
{
	char *argv_true[] = { "true", NULL };
	char *argv_echo[] = { "echo", "spawned", NULL };
	char *argv_none[] = { "none", NULL };
	posix_spawn_file_actions_t fa;
	char buf[64] = { 0 };
	int status = -1, fds[2], err;
	pid_t pid = 0;
	ssize_t n;

	err = posix_spawn(&pid, "/bin/true", NULL, NULL, argv_true, environ);
	VT_CHECK(err == 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		 WEXITSTATUS(status) == 0, "posix_spawn /bin/true: exit 0 (err %d status %#x)",
		 err, status);

	err = posix_spawn(&pid, "/nonexistent", NULL, NULL, argv_none, environ);
	if (tl_on_kilburn())	/* qemu-user forks for CLONE_VFORK: the error is lost */
		VT_CHECK(err == ENOENT, "posix_spawn of a missing file returns ENOENT (%d)", err);
	if (err == 0)
		waitpid(pid, &status, 0);

	if (pipe(fds) < 0) {
		TL_CHECK(0, "pipe");
		return;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	err = posix_spawn(&pid, "/bin/echo", &fa, NULL, argv_echo, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	n = err ? -1 : read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	VT_CHECK(n == 8 && strcmp(buf, "spawned\n") == 0,
		 "posix_spawn with dup2 file actions: echo's output came through the pipe (%zd)", n);
	if (err == 0)
		waitpid(pid, &status, 0);
}

static void test_system(void)
{
	int status = system("exit 3");

	VT_CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 3,
		 "system(\"exit 3\") returns exit status 3 (%#x)", status);
	status = system("echo system-ran >/dev/null");
	VT_CHECK(status == 0, "system(echo) returns 0 (%#x)", status);
}

static void test_popen(void)
{
	char buf[64] = { 0 };
	FILE *f = popen("echo hello", "r");
	int status;

	if (!f) {
		TL_CHECK(0, "popen(\"echo hello\", \"r\")");
		return;
	}
	VT_CHECK(fgets(buf, sizeof(buf), f) && strcmp(buf, "hello\n") == 0,
		 "popen: read the command's output (%s)", buf);
	status = pclose(f);
	VT_CHECK(status == 0, "pclose returns its status 0 (%#x)", status);
}

int main(void)
{
	long before;

	printf("spawn: glibc's posix_spawn, system and popen\n");
	test_posix_spawn();		/* warm-up */
	test_system();
	test_popen();
	before = tl_frames_free();
	test_posix_spawn();
	test_system();
	test_popen();
	tl_check_no_leak(before);
	return tl_done();
}
