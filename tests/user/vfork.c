/*
 * vfork: vfork and clone(CLONE_VM | CLONE_VFORK | SIGCHLD) on a new stack,
 * as on Linux. The child shares the parent's memory (what it writes, the
 * parent reads); the parent sleeps until the child exits or execs (a
 * child that sleeps first has finished its work before the parent goes
 * on); the parent then sees the child's pid and wait status. A child that
 * execs leaves the parent's memory untouched afterwards. The parent's wait
 * is killable as Linux's: SIGKILL, or a signal whose default action kills
 * it, ends it at once; a handled signal waits for the child and its
 * handler runs after. No frame leaked.
 *
 * qemu-user runs CLONE_VFORK as a plain fork (no shared memory, no
 * waiting): there the sharing and ordering checks are skipped, and the
 * exec needs binfmt_misc for riscv64 binaries.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#define VFORK_FLAGS	0x4111		/* CLONE_VM | CLONE_VFORK | SIGCHLD */

static const char *self;
static int shares;		/* vfork really shares memory (not qemu-user) */
static volatile int shared_word;

/*
 * clone_on_stack(fn, stack_top, flags, arg): a child that runs fn(arg) on
 * stack_top and exits with its result; the child's pid, or -errno.
 */
long clone_on_stack(int (*fn)(void *), void *stack_top, long flags, void *arg);
__asm__(
	".text\n"
	".globl clone_on_stack\n"
	"clone_on_stack:\n"
	"	addi a1, a1, -16\n"
	"	sd a0, 0(a1)\n"
	"	sd a3, 8(a1)\n"
	"	mv a0, a2\n"
	"	li a2, 0\n	li a3, 0\n	li a4, 0\n"
	"	li a7, 220\n"		/* clone(flags, newsp, 0, 0, 0) */
	"	ecall\n"
	"	beqz a0, 1f\n"
	"	ret\n"
	"1:	ld a1, 0(sp)\n"
	"	ld a0, 8(sp)\n"
	"	jalr a1\n"
	"	li a7, 93\n"		/* exit(fn's result) */
	"	ecall\n");

static void test_vfork_exit(void)
{
	int status = 0;
	pid_t pid;

	shared_word = 0;
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		usleep(50000);		/* the parent must still be asleep after this */
		shared_word = 42;
		_exit(3);
	}
	TL_CHECK(pid > 0 && (shared_word == 42 || !shares),
		 "vfork: the parent resumes after the child, and sees what it wrote");
	VT_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		 WEXITSTATUS(status) == 3, "the vfork child's status is 3 (%#x)", status);
}

static void test_vfork_exec(void)
{
	char *argv[] = { (char *)self, "child-exit-5", NULL };
	int status = 0;
	pid_t pid;

	shared_word = 0;
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		shared_word = 7;
		execv(self, argv);
		_exit(127);
	}
	TL_CHECK(pid > 0 && (shared_word == 7 || !shares), "vfork + exec: the parent resumes after the exec");
	VT_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		 WEXITSTATUS(status) == 5, "the exec'd program ran and exited 5 (%#x)", status);
	TL_CHECK(shared_word == 7 || !shares, "the exec'd program has its own memory");
}

static int clone_child(void *arg)
{
	volatile int *word = arg;

	usleep(50000);
	*word = 99;
	return 4;
}

static void test_clone_vfork(void)
{
	size_t size = 64 * 1024;
	char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int status = 0;
	long pid;

	if (stack == MAP_FAILED) {
		TL_CHECK(0, "mmap a child stack");
		return;
	}
	shared_word = 0;
	fflush(stdout);
	pid = clone_on_stack(clone_child, stack + size, VFORK_FLAGS, (void *)&shared_word);
	VT_CHECK(pid > 0 && (shared_word == 99 || !shares), "clone(CLONE_VM|CLONE_VFORK|SIGCHLD) on a new "
		 "stack: the parent waits and sees the child's write (pid %ld)", pid);
	VT_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		 WEXITSTATUS(status) == 4, "its status is 4 (%#x)", status);
	munmap(stack, size);
}

static volatile int usr1_seen;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_seen = 1;
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000;
}

/*
 * A process that vforks a child sleeping 800 ms; sig is sent to it 200 ms
 * in. Returns its wait status, and in *ms how long after the signal it
 * ended. Its exit code is 0 if vfork returned after the child's sleep with
 * SIGUSR1 handled by then.
 */
static int vfork_signalled(int sig, long *ms)
{
	int status = -1;
	long t0;
	pid_t p;

	fflush(stdout);
	p = fork();
	if (p == 0) {
		struct sigaction sa;
		long start;
		pid_t c;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_usr1;
		sigaction(SIGUSR1, &sa, NULL);
		start = now_ms();
		c = vfork();
		if (c == 0) {
			usleep(800000);
			_exit(7);
		}
		start = now_ms() - start;
		waitpid(c, &status, 0);
		_exit(start >= 700 && usr1_seen && WIFEXITED(status) ? 0 : 1);
	}
	usleep(200000);
	t0 = now_ms();
	kill(p, sig);
	status = vt_wait(p, 10);
	*ms = now_ms() - t0;
	return status;
}

/* The vfork parent's wait ends for a fatal signal only. */
static void test_vfork_signals(void)
{
	long ms = 0;
	int st;

	if (shares) {		/* qemu-user's vfork does not wait at all */
		st = vfork_signalled(SIGUSR1, &ms);
		TL_CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
			 "a handled signal does not end the vfork wait; its handler runs after");
	}
	st = vfork_signalled(SIGKILL, &ms);
	VT_CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && ms < 500,
		 "SIGKILL ends the vfork parent's wait at once (%ld ms)", ms);
	st = vfork_signalled(SIGTERM, &ms);
	VT_CHECK(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM && ms < 500,
		 "so does SIGTERM with its default action (%ld ms)", ms);
	usleep(900000);		/* the children finish their sleeps */
	if (getpid() == 1)	/* they came to us, init */
		while (waitpid(-1, &st, WNOHANG) > 0)
			;
}

int main(int argc, char **argv)
{
	long before;

	if (argc > 1 && strcmp(argv[1], "child-exit-5") == 0)
		return 5;
	self = argv[0];
	shares = tl_on_kilburn();
	if (!shares)
		printf("note: not on Kilburn: vfork's sharing is not checked (qemu-user forks)\n");
	printf("vfork: vfork and clone(CLONE_VM|CLONE_VFORK) share memory, parent waits\n");
	test_vfork_exit();		/* warm-up */
	test_clone_vfork();
	test_vfork_signals();
	before = tl_frames_free();
	test_vfork_exit();
	test_vfork_exec();
	test_clone_vfork();
	test_vfork_signals();
	for (int i = 0; i < 20; i++) {
		pid_t pid = vfork();

		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
	}
	tl_check_no_leak(before);
	return tl_done();
}
