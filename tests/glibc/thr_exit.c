/*
 * thr_exit: how threads and their process end, and the calls that make
 * them. exit() of one thread (SYS_exit) ends only it; the process goes on
 * after main's pthread_exit and ends with the last thread's exit_group;
 * _exit in any thread ends them all with its status; a fault in a thread
 * kills the process with the signal; execve from a thread keeps the pid and
 * leaves one thread; fork from a thread copies only it, and the thread
 * can wait for the child; /proc/self/task lists the threads; clone and
 * clone3 refuse Linux's invalid flag combinations; set_tid_address and
 * tgkill. Each case runs in a child process. Run by tests/user/threads.
 */
#define _GNU_SOURCE
#include "thr.h"
#include "../user/vmtest.h"
#include <dirent.h>
#include <errno.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static char self_path[256];

static pid_t gettid_(void)
{
	return syscall(SYS_gettid);
}

/*
 * Whether the process has n threads ("Threads:" of /proc/self/status).
 * qemu-riscv64 runs threads of its own in the process: there any count
 * of at least n is taken.
 */
static int threads_are(int n)
{
	long have = vt_proc_kb("/proc/self/status", "Threads:");

	return tl_on_kilburn() ? have == n : have >= n;
}

/* clone3 fails with ENOSYS only under qemu-riscv64, which lacks it. */
static int no_clone3(void)
{
	return !tl_on_kilburn() && errno == ENOSYS;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		thr_sleep_ms(1000);
	return NULL;
}

static void *spinner(void *arg)
{
	(void)arg;
	for (;;)
		__asm__ volatile("" ::: "memory");
	return NULL;
}

/* ---- the cases, each run in a child: the exit status tells */

static void *late_exit(void *arg)
{
	pid_t pid = (pid_t)(long)arg;

	thr_sleep_ms(100);		/* main has called pthread_exit by now */
	exit(getpid() == pid ? 7 : 1);
}

static int main_exits_first(void *arg)
{
	pthread_t t;

	(void)arg;
	pthread_create(&t, NULL, late_exit, (void *)(long)getpid());
	pthread_exit(NULL);
}

static void *raw_exit(void *arg)
{
	(void)arg;
	syscall(SYS_exit, 9);		/* this thread only */
	return NULL;
}

static int one_thread_exits(void *arg)
{
	pthread_t t;

	(void)arg;
	if (pthread_create(&t, NULL, raw_exit, NULL) || pthread_join(t, NULL))
		return 1;
	return threads_are(1) ? 0 : 2;
}

static void *group_exit(void *arg)
{
	(void)arg;
	thr_sleep_ms(50);
	_exit(3);
}

static int exit_from_thread(void *arg)
{
	pthread_t t;

	(void)arg;
	for (int i = 0; i < 3; i++)
		pthread_create(&t, NULL, spinner, NULL);
	pthread_create(&t, NULL, group_exit, NULL);
	for (;;)
		thr_sleep_ms(1000);
	return 1;
}

static volatile int *volatile null_page;

static void *faulter(void *arg)
{
	(void)arg;
	thr_sleep_ms(50);
	*null_page = 1;
	return NULL;
}

static int fault_in_thread(void *arg)
{
	pthread_t t;

	(void)arg;
	pthread_create(&t, NULL, spinner, NULL);
	pthread_create(&t, NULL, faulter, NULL);
	for (;;)
		thr_sleep_ms(1000);
	return 1;
}

static void *execer(void *arg)
{
	char pid[16], *argv[] = { self_path, "exec-check", pid, NULL };

	(void)arg;
	snprintf(pid, sizeof(pid), "%d", getpid());
	execv(self_path, argv);
	_exit(99);
}

static int exec_from_thread(void *arg)
{
	pthread_t t;

	(void)arg;
	pthread_create(&t, NULL, sleeper, NULL);
	pthread_create(&t, NULL, execer, NULL);
	for (;;)
		thr_sleep_ms(1000);
	return 1;
}

/* The program exec'd from a thread: same pid, one thread, tid == pid. */
static int exec_check(const char *pid)
{
	if (getpid() != atoi(pid))
		return 5;
	if (gettid_() != getpid())
		return 6;
	return threads_are(1) ? 0 : 7;
}

static void *forker(void *arg)
{
	pid_t parent = getpid(), child;
	int status = -1;

	(void)arg;
	child = fork();
	if (child == 0)
		_exit(threads_are(1) && getppid() == parent && gettid_() == getpid() ? 0 : 1);
	if (child < 0 || waitpid(child, &status, 0) != child)
		return (void *)2L;
	return (void *)(long)(WIFEXITED(status) ? WEXITSTATUS(status) : 3);
}

static int fork_from_thread(void *arg)
{
	pthread_t t, s;
	void *ret = NULL;

	(void)arg;
	pthread_create(&s, NULL, sleeper, NULL);
	pthread_create(&t, NULL, forker, NULL);
	pthread_join(t, &ret);
	return (int)(long)ret;
}

/* ---- checks in the test process itself */

static void task_listing(void)
{
	pthread_t t[3];
	DIR *d;
	struct dirent *e;
	int n = 0, self_seen = 0;

	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, sleeper, NULL);
	TL_CHECK(threads_are(4), "/proc/self/status: Threads: 4");
	d = opendir("/proc/self/task");
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		n++;
		self_seen |= atoi(e->d_name) == getpid();
	}
	if (d)
		closedir(d);
	TL_CHECK((n == 4 || (!tl_on_kilburn() && n > 4)) && self_seen,
		 "/proc/self/task lists the 4 threads");
	for (int i = 0; i < 3; i++) {
		pthread_cancel(t[i]);
		pthread_join(t[i], NULL);
	}
}

static void clone_flags(void)
{
	struct clone_args a;
	long r;

	errno = 0;
	r = syscall(SYS_clone, CLONE_THREAD | CLONE_VM, 0, 0, 0, 0);
	TL_CHECK(r == -1 && errno == EINVAL, "clone CLONE_THREAD without CLONE_SIGHAND: EINVAL");
	errno = 0;
	r = syscall(SYS_clone, CLONE_SIGHAND, 0, 0, 0, 0);
	TL_CHECK(r == -1 && errno == EINVAL, "clone CLONE_SIGHAND without CLONE_VM: EINVAL");
	errno = 0;
	r = syscall(SYS_clone, CLONE_NEWNS | CLONE_FS, 0, 0, 0, 0);
	TL_CHECK(r == -1 && errno == EINVAL, "clone CLONE_NEWNS with CLONE_FS: EINVAL");
	memset(&a, 0, sizeof(a));
	errno = 0;
	r = syscall(SYS_clone3, &a, 32);
	TL_CHECK(r == -1 && (errno == EINVAL || no_clone3()), "clone3 with a short struct: EINVAL");
	a.flags = SIGCHLD;
	errno = 0;
	r = syscall(SYS_clone3, &a, sizeof(a));
	TL_CHECK(r == -1 && (errno == EINVAL || no_clone3()), "clone3 with a signal in flags: EINVAL");
	a.flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
	a.exit_signal = SIGCHLD;
	errno = 0;
	r = syscall(SYS_clone3, &a, sizeof(a));
	TL_CHECK(r == -1 && (errno == EINVAL || no_clone3()),
		 "clone3 thread with an exit signal: EINVAL");
	a.flags = 0;
	a.exit_signal = SIGCHLD;
	a.stack = 0x1000;
	errno = 0;
	r = syscall(SYS_clone3, &a, sizeof(a));
	TL_CHECK(r == -1 && (errno == EINVAL || no_clone3()),
		 "clone3 with a stack but no size: EINVAL");
	memset(&a, 0, sizeof(a));
	a.exit_signal = SIGCHLD;
	r = syscall(SYS_clone3, &a, sizeof(a));
	if (r == 0)
		_exit(42);
	if (r == -1 && no_clone3()) {
		TL_CHECK(1, "clone3 as fork (qemu-riscv64 has no clone3)");
	} else {
		int status = -1;

		TL_CHECK(r > 0 && waitpid(r, &status, 0) == r && WIFEXITED(status) &&
			 WEXITSTATUS(status) == 42, "clone3 as fork: the child runs and is waited for");
	}
}

int main(int argc, char **argv)
{
	pthread_t t;
	int st;

	if (argc == 3 && strcmp(argv[1], "exec-check") == 0)
		return exec_check(argv[2]);
	printf("thr_exit: thread and process exit rules, exec and fork from a thread\n");
	if (readlink("/proc/self/exe", self_path, sizeof(self_path) - 1) <= 0)
		strcpy(self_path, "/tests/glibc-thr_exit");

	st = vt_run(main_exits_first, NULL, 20);
	VT_CHECK(vt_exited_ok(st) || (WIFEXITED(st) && WEXITSTATUS(st) == 7),
		 "after main's pthread_exit the last thread's exit(7) ends it (%s)", vt_how(st));
	VT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "exit status 7 (%s)", vt_how(st));
	st = vt_run(one_thread_exits, NULL, 20);
	VT_CHECK(vt_exited_ok(st), "SYS_exit in a thread ends only it, join works (%s)", vt_how(st));
	st = vt_run(exit_from_thread, NULL, 20);
	VT_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3,
		 "_exit(3) in a thread ends all threads: status 3 (%s)", vt_how(st));
	st = vt_run(fault_in_thread, NULL, 20);
	VT_CHECK(vt_killed_by(st, SIGSEGV), "a fault in a thread kills the process (%s)", vt_how(st));
	st = vt_run(exec_from_thread, NULL, 20);
	/* qemu-riscv64 cannot exec a riscv64 program without binfmt_misc */
	VT_CHECK(vt_exited_ok(st) || (!tl_on_kilburn() && WIFEXITED(st) && WEXITSTATUS(st) == 99),
		 "execve from a thread: same pid, one thread (%s)", vt_how(st));
	st = vt_run(fork_from_thread, NULL, 20);
	VT_CHECK(vt_exited_ok(st), "fork from a thread: one thread in the child, waited for by the thread (%s)",
		 vt_how(st));

	task_listing();
	clone_flags();
	TL_CHECK(syscall(SYS_set_tid_address, NULL) == gettid_(), "set_tid_address returns the tid");
	pthread_create(&t, NULL, sleeper, NULL);
	errno = 0;
	TL_CHECK(syscall(SYS_tgkill, getpid() + 100000, getpid(), 0) == -1 && errno == ESRCH,
		 "tgkill with the wrong process: ESRCH");
	TL_CHECK(syscall(SYS_tgkill, getpid(), getpid(), 0) == 0, "tgkill to itself, signal 0");
	pthread_cancel(t);
	pthread_join(t, NULL);
	return tl_done();
}
