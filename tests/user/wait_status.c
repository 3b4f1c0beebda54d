/*
 * wait_status: a parent sees exactly how each child ended. Exit codes 0, 1,
 * 42 and 255 come back from wait4/waitpid as WIFEXITED with that
 * WEXITSTATUS (and 256 + 42 as 42); children killed by SIGKILL, SIGTERM and
 * SIGINT, or dying of SIGSEGV (a store to NULL), come back as WIFSIGNALED
 * with that WTERMSIG. A SIG_IGN'd SIGTERM leaves the child alive; a blocked
 * one stays pending and kills when unblocked. WNOHANG returns 0 while the
 * child runs; waiting with no children is ECHILD; waitpid on one pid takes
 * that child and no other. No frame is leaked.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

/* A child that waits on a pipe: ready() after setup, then blocks until go. */
struct blocked {
	pid_t pid;
	int go;			/* write end: a byte (or close) releases the child */
};

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/*
 * Fork a child that runs setup(arg) (if any), tells the parent it is ready,
 * then blocks reading the go pipe and, once released, runs after(arg) and
 * exits with its result. Returns the child, or pid -1.
 */
static struct blocked spawn_blocked(void (*setup)(int), int (*after)(int), int arg)
{
	struct blocked b = { -1, -1 };
	int go[2], ready[2];
	char c;

	if (pipe(go) < 0 || pipe(ready) < 0)
		return b;
	b.pid = fork();
	if (b.pid == 0) {
		close(go[1]);
		close(ready[0]);
		if (setup)
			setup(arg);
		write(ready[1], "r", 1);
		read(go[0], &c, 1);		/* blocks until released */
		_exit(after ? after(arg) : 0);
	}
	close(go[0]);
	close(ready[1]);
	if (b.pid > 0 && read(ready[0], &c, 1) != 1)
		b.pid = -1;
	close(ready[0]);
	b.go = go[1];
	return b;
}

static int is_exit(int status, int code)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

static int is_signal(int status, int sig)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

static void test_exit_codes(void)
{
	static const int codes[] = { 0, 1, 42, 255, 256 + 42 };
	char what[80];

	for (unsigned int i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		int status = -1;
		pid_t pid = fork();

		if (pid == 0)
			_exit(codes[i]);
		snprintf(what, sizeof(what), "_exit(%d): waitpid gives the child's pid", codes[i]);
		TL_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, what);
		snprintf(what, sizeof(what), "_exit(%d): WIFEXITED, WEXITSTATUS %d, not WIFSIGNALED",
			 codes[i], codes[i] & 0xff);
		TL_CHECK(is_exit(status, codes[i] & 0xff) && !WIFSIGNALED(status), what);
	}

	/* exit() through the C library, and a return from a function */
	pid_t pid = fork();
	int status = -1;

	if (pid == 0)
		exit(7);
	TL_CHECK(wait4(pid, &status, 0, NULL) == pid && is_exit(status, 7),
		 "exit(7): wait4 sees 7");
}

static void test_killed(void)
{
	static const int sigs[] = { SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGUSR1 };
	char what[80];

	for (unsigned int i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct blocked b = spawn_blocked(NULL, NULL, 0);
		int status = -1;

		snprintf(what, sizeof(what), "signal %d: child started and blocked", sigs[i]);
		TL_CHECK(b.pid > 0, what);
		if (b.pid <= 0)
			continue;
		TL_CHECK(kill(b.pid, sigs[i]) == 0, "kill() succeeds");
		snprintf(what, sizeof(what), "killed by signal %d: WIFSIGNALED, WTERMSIG %d",
			 sigs[i], sigs[i]);
		TL_CHECK(waitpid(b.pid, &status, 0) == b.pid && is_signal(status, sigs[i]) &&
			 !WIFEXITED(status), what);
		close(b.go);
	}
}

/* A child that stores through NULL dies of SIGSEGV. */
static void test_segv(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		*(volatile int *)0 = 1;
		_exit(0);
	}
	TL_CHECK(waitpid(pid, &status, 0) == pid && is_signal(status, SIGSEGV),
		 "a store to NULL: WIFSIGNALED, WTERMSIG SIGSEGV");

	/* a load from a kernel address, too */
	pid = fork();
	if (pid == 0) {
		(void)*(volatile int *)0xffffffff80200000UL;
		_exit(0);
	}
	TL_CHECK(waitpid(pid, &status, 0) == pid && is_signal(status, SIGSEGV),
		 "a load from the kernel half: WTERMSIG SIGSEGV");
}

static void ignore_sig(int sig)
{
	signal(sig, SIG_IGN);
}

static void block_sig(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* After release: unblock; a pending signal kills before the _exit. */
static int unblock_sig(int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	return 99;
}

static int exit_5(int sig)
{
	(void)sig;
	return 5;
}

static void test_ignored_and_blocked(void)
{
	struct blocked b;
	int status = -1;

	b = spawn_blocked(ignore_sig, exit_5, SIGTERM);
	TL_CHECK(b.pid > 0 && kill(b.pid, SIGTERM) == 0, "SIGTERM sent to a child that ignores it");
	nap_ms(20);
	TL_CHECK(waitpid(b.pid, &status, WNOHANG) == 0, "the child is still alive (WNOHANG: 0)");
	write(b.go, "g", 1);
	TL_CHECK(waitpid(b.pid, &status, 0) == b.pid && is_exit(status, 5),
		 "released, it exits 5 normally");
	close(b.go);

	b = spawn_blocked(block_sig, unblock_sig, SIGTERM);
	TL_CHECK(b.pid > 0 && kill(b.pid, SIGTERM) == 0, "SIGTERM sent to a child that blocks it");
	nap_ms(20);
	TL_CHECK(waitpid(b.pid, &status, WNOHANG) == 0, "the blocked signal does not kill it");
	write(b.go, "g", 1);
	TL_CHECK(waitpid(b.pid, &status, 0) == b.pid && is_signal(status, SIGTERM),
		 "unblocking the pending SIGTERM kills it (WTERMSIG SIGTERM)");
	close(b.go);

	b = spawn_blocked(ignore_sig, exit_5, SIGTERM);
	TL_CHECK(b.pid > 0 && kill(b.pid, SIGKILL) == 0, "SIGKILL sent to a child that ignores SIGTERM");
	TL_CHECK(waitpid(b.pid, &status, 0) == b.pid && is_signal(status, SIGKILL),
		 "SIGKILL cannot be ignored");
	close(b.go);
}

static void test_wnohang(void)
{
	struct blocked b = spawn_blocked(NULL, exit_5, 0);
	int status = 0x1234;

	TL_CHECK(b.pid > 0, "child started and blocked");
	if (b.pid <= 0)
		return;
	TL_CHECK(waitpid(b.pid, &status, WNOHANG) == 0, "WNOHANG on a running child returns 0");
	TL_CHECK(waitpid(-1, &status, WNOHANG) == 0, "WNOHANG for any child returns 0");
	TL_CHECK(wait4(b.pid, &status, WNOHANG, NULL) == 0, "wait4 with WNOHANG returns 0");
	close(b.go);			/* EOF releases it */
	TL_CHECK(waitpid(b.pid, &status, 0) == b.pid && is_exit(status, 5),
		 "released: waitpid returns it with status 5");
	TL_CHECK(waitpid(b.pid, &status, WNOHANG) == -1 && errno == ECHILD,
		 "once reaped, WNOHANG on it gives ECHILD");
}

static void test_no_children(void)
{
	int status;

	errno = 0;
	TL_CHECK(wait(&status) == -1 && errno == ECHILD, "wait with no children: ECHILD");
	errno = 0;
	TL_CHECK(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD,
		 "waitpid(-1, WNOHANG) with no children: ECHILD");
	errno = 0;
	TL_CHECK(waitpid(getpid(), &status, 0) == -1 && errno == ECHILD,
		 "waitpid on ourselves: ECHILD");
	errno = 0;
	TL_CHECK(waitpid(999999, &status, 0) == -1 && errno == ECHILD,
		 "waitpid on a pid that does not exist: ECHILD");
	errno = 0;
	TL_CHECK(waitpid(-1, &status, 0x40000) == -1 && errno == EINVAL,
		 "an unknown option bit: EINVAL");
}

/*
 * Three children: A and C exit at once, B waits for a release. waitpid(B)
 * returns B (not the zombies A or C), and only after B is released.
 */
static void test_specific_pid(void)
{
	pid_t a, c, got;
	struct blocked b;
	int status = -1, seen_a = 0, seen_c = 0;

	a = fork();
	if (a == 0)
		_exit(11);
	b = spawn_blocked(NULL, exit_5, 0);
	c = fork();
	if (c == 0)
		_exit(33);
	TL_CHECK(a > 0 && b.pid > 0 && c > 0, "three children started");
	nap_ms(20);			/* let A and C become zombies */
	TL_CHECK(waitpid(b.pid, &status, WNOHANG) == 0,
		 "waitpid(B, WNOHANG) is 0 although A and C have exited");
	write(b.go, "g", 1);
	got = waitpid(b.pid, &status, 0);
	TL_CHECK(got == b.pid && is_exit(status, 5), "waitpid(B) returns B with B's status");
	TL_CHECK(waitpid(c, &status, 0) == c && is_exit(status, 33), "waitpid(C) returns C (33)");
	for (int i = 0; i < 2; i++) {
		got = wait(&status);
		seen_a += got == a && is_exit(status, 11);
		seen_c += got == c;
	}
	TL_CHECK(seen_a == 1 && seen_c == 0, "wait returns A (11), C is not returned twice");
	TL_CHECK(errno == ECHILD, "and then ECHILD");
	close(b.go);

	/* a status pointer of NULL is allowed */
	a = fork();
	if (a == 0)
		_exit(1);
	TL_CHECK(waitpid(a, NULL, 0) == a, "waitpid with a NULL status pointer reaps the child");
}

int main(void)
{
	long before = -1;

	for (int round = 1; round <= 2; round++) {
		printf("round %d\n", round);
		if (round == 2)
			before = tl_frames_free();
		test_no_children();
		test_exit_codes();
		test_killed();
		test_segv();
		test_ignored_and_blocked();
		test_wnohang();
		test_specific_pid();
		test_no_children();
	}
	tl_check_no_leak(before);
	return tl_done();
}
