/*
 * thr_share: what the threads of a process share, and what a new process
 * gets a copy of, as on Linux.
 *   - CLONE_FS: a pthread's chdir and umask are seen by main (pthreads are
 *     made with CLONE_FS); a process cloned with CLONE_VM | CLONE_FS moves
 *     its parent too; a thread or process cloned without CLONE_FS (and a
 *     forked child) has its own working directory and umask;
 *   - rlimits are the process's: setrlimit (and prlimit on its own tid) in
 *     a thread is seen by main; a forked child's setrlimit is its own;
 *   - CPU time: CLOCK_PROCESS_CPUTIME_ID sums every thread, live and
 *     exited, CLOCK_THREAD_CPUTIME_ID is the caller's; getrusage
 *     RUSAGE_SELF sums the threads, RUSAGE_THREAD is the caller's;
 *     /proc/self/task/<tid>/stat's utime and stime are the thread's own.
 * Kilburn counts CPU time in ticks of 10 ms: comparisons allow two.
 * No frame leaks. Run by tests/user/threads.
 */
#define _GNU_SOURCE
#include "thr.h"
#include <errno.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define SLACK_NS	(20 * 1000000L)		/* two of Kilburn's ticks */
#define WORK_NS		(300 * 1000000L)
#define STACK_SIZE	(64 * 1024)

static char start_dir[256];
static char child_stack[STACK_SIZE] __attribute__((aligned(16)));

static long clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static int cwd_is(const char *dir)
{
	char buf[256];

	return getcwd(buf, sizeof(buf)) && strcmp(buf, dir) == 0;
}

/* The umask, read without changing it for good. */
static mode_t umask_now(void)
{
	mode_t m = umask(022);

	umask(m);
	return m;
}

/* ---- CLONE_FS */

static void *thread_moves(void *arg)
{
	(void)arg;
	if (chdir("/proc") != 0)
		return (void *)1;
	umask(077);
	return NULL;
}

static void check_pthread_shares_fs(void)
{
	pthread_t t;
	void *ret = (void *)1;

	umask(022);
	TL_CHECK(pthread_create(&t, NULL, thread_moves, NULL) == 0 &&
		 pthread_join(t, &ret) == 0 && ret == NULL, "a thread chdirs to /proc and sets umask 077");
	TL_CHECK(cwd_is("/proc"), "main's working directory moved with the thread's (CLONE_FS)");
	TL_CHECK(umask_now() == 077, "main's umask is the thread's (CLONE_FS)");
	chdir(start_dir);
	umask(022);
}

static volatile int raw_done;
static volatile int raw_saw_proc;

/* A child of clone(): raw system calls only (it may share main's TLS). */
static int raw_child(void *arg)
{
	char buf[64];

	(void)arg;
	syscall(SYS_chdir, "/proc");
	syscall(SYS_umask, 027);
	raw_saw_proc = syscall(SYS_getcwd, buf, sizeof(buf)) > 0 && strcmp(buf, "/proc") == 0;
	__atomic_store_n(&raw_done, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Run raw_child under clone(flags); wait for it as a process or a thread.
 * Returns 0, -1, or -2 when qemu-riscv64 refuses the flags (it runs
 * CLONE_VM only as a whole pthread-like set of flags).
 */
static int run_raw_child(int flags)
{
	int status;
	pid_t pid;

	raw_done = raw_saw_proc = 0;
	pid = clone(raw_child, child_stack + STACK_SIZE, flags, NULL);
	if (pid < 0)
		return errno == EINVAL && !tl_on_kilburn() ? -2 : -1;
	if (!(flags & CLONE_THREAD))
		return waitpid(pid, &status, __WALL) == pid && WIFEXITED(status) ? 0 : -1;
	while (!__atomic_load_n(&raw_done, __ATOMIC_ACQUIRE))
		sched_yield();
	thr_sleep_ms(50);		/* let it finish its exit off our stack */
	return 0;
}

static void check_raw_clones(void)
{
	int r;

	umask(022);
	r = run_raw_child(CLONE_VM | CLONE_FS | SIGCHLD);
	if (r == -2) {
		printf("qemu-riscv64 refuses clone(CLONE_VM) without the thread flags: "
		       "raw clones skipped\n");
		return;
	}
	TL_CHECK(r == 0 && raw_saw_proc, "clone(CLONE_VM | CLONE_FS) child chdirs to /proc");
	TL_CHECK(cwd_is("/proc") && umask_now() == 027,
		 "... and its parent moved with it, umask too (shared)");
	chdir(start_dir);
	umask(022);
	TL_CHECK(run_raw_child(CLONE_VM | SIGCHLD) == 0 && raw_saw_proc,
		 "clone(CLONE_VM) child without CLONE_FS chdirs to /proc");
	TL_CHECK(cwd_is(start_dir) && umask_now() == 022,
		 "... and its parent stays where it was, umask too (a copy)");
	TL_CHECK(run_raw_child(CLONE_VM | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			       CLONE_SYSVSEM) == 0 && raw_saw_proc,
		 "a thread cloned without CLONE_FS chdirs to /proc");
	TL_CHECK(cwd_is(start_dir) && umask_now() == 022,
		 "... and the rest of the process stays (its own copy)");
}

static void check_fork_copies_fs(void)
{
	pid_t pid = fork();
	int status = -1;

	if (pid == 0)
		_exit(chdir("/proc") == 0 && cwd_is("/proc") ? 0 : 1);
	TL_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		 WEXITSTATUS(status) == 0 && cwd_is(start_dir),
		 "a forked child's chdir leaves its parent where it was");
}

/* ---- rlimits */

static rlim_t memlock_by_set, memlock_by_prlimit;

/*
 * In a thread: lower RLIMIT_MEMLOCK by setrlimit, then again by prlimit on
 * the thread's own tid (the process's limits too), and set RLIMIT_STACK.
 * (qemu-riscv64 keeps RLIMIT_STACK to itself: checked on Kilburn only.)
 */
static void *thread_sets_limits(void *arg)
{
	struct rlimit r;

	(void)arg;
	getrlimit(RLIMIT_MEMLOCK, &r);
	r.rlim_cur = memlock_by_set;
	if (setrlimit(RLIMIT_MEMLOCK, &r) != 0)
		return (void *)1;
	r.rlim_cur = memlock_by_prlimit;
	if (prlimit(syscall(SYS_gettid), RLIMIT_MEMLOCK, &r, NULL) != 0)
		return (void *)2;
	getrlimit(RLIMIT_STACK, &r);
	r.rlim_cur = 4 << 20;
	return setrlimit(RLIMIT_STACK, &r) == 0 ? NULL : (void *)3;
}

static void check_rlimits_shared(void)
{
	struct rlimit mem0, stack0, r;
	rlim_t base;
	pthread_t t;
	void *ret = (void *)1;
	pid_t pid;
	int status = -1;

	getrlimit(RLIMIT_MEMLOCK, &mem0);
	getrlimit(RLIMIT_STACK, &stack0);
	base = mem0.rlim_cur < (8 << 20) ? mem0.rlim_cur : 8 << 20;
	memlock_by_set = base - 4096;
	memlock_by_prlimit = base - 8192;
	TL_CHECK(pthread_create(&t, NULL, thread_sets_limits, NULL) == 0 &&
		 pthread_join(t, &ret) == 0 && ret == NULL,
		 "a thread lowers RLIMIT_MEMLOCK by setrlimit and by prlimit(tid), sets RLIMIT_STACK");
	getrlimit(RLIMIT_MEMLOCK, &r);
	TL_CHECK(r.rlim_cur == memlock_by_prlimit, "main sees the thread's RLIMIT_MEMLOCK");
	if (tl_on_kilburn()) {
		getrlimit(RLIMIT_STACK, &r);
		TL_CHECK(r.rlim_cur == 4 << 20, "main sees the thread's RLIMIT_STACK");
	}
	pid = fork();
	if (pid == 0) {
		r.rlim_cur = base - 12288;
		_exit(setrlimit(RLIMIT_MEMLOCK, &r) == 0 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	getrlimit(RLIMIT_MEMLOCK, &r);
	TL_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
		 r.rlim_cur == memlock_by_prlimit, "a forked child's setrlimit is its own");
	setrlimit(RLIMIT_MEMLOCK, &mem0);
	setrlimit(RLIMIT_STACK, &stack0);
}

/* ---- CPU time */

static volatile long worker_ns;		/* the worker's own clock, as it spins */
static volatile long worker_total;	/* ... and as it returns */
static volatile int worker_stop;

/* Spin until the calling thread has used ns of CPU, publishing its clock. */
static long spin_for(long ns, volatile long *publish)
{
	long now;

	while ((now = clock_ns(CLOCK_THREAD_CPUTIME_ID)) < ns) {
		if (publish)
			*publish = now;
		for (volatile int i = 0; i < 10000; i++)
			;
	}
	return now;
}

static volatile int worker_tid;

/* utime + stime of a /proc stat file (fields 14 and 15), in ns; -1 if unread. */
static long stat_cpu_ns(const char *path)
{
	char buf[1024], *p;
	long ut, st;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld",
			 &ut, &st) != 2)
		return -1;
	return (ut + st) * (1000000000L / sysconf(_SC_CLK_TCK));
}

static long task_cpu_ns(int tid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	return stat_cpu_ns(path);
}

static void *worker(void *arg)
{
	worker_tid = syscall(SYS_gettid);
	worker_ns = spin_for(*(long *)arg, &worker_ns);
	while (!worker_stop)
		sched_yield();
	worker_total = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	return NULL;
}

static long rusage_ns(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000L +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000L;
}

static void check_cpu_clocks(void)
{
	long work = WORK_NS, p0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID), live, main_t,
	     proc, self, thread;
	pthread_t t;
	char what[200];

	worker_ns = worker_total = 0;
	worker_stop = 0;
	TL_CHECK(pthread_create(&t, NULL, worker, &work) == 0, "start a worker that spins 300 ms");
	while (worker_ns < WORK_NS / 2)
		sched_yield();
	live = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - p0;
	snprintf(what, sizeof(what), "the process clock counts a live thread: +%ld ms, "
		 "the worker has %ld ms", live / 1000000, worker_ns / 1000000);
	TL_CHECK(live >= WORK_NS / 2 - SLACK_NS, what);
	{
		long w = task_cpu_ns(worker_tid), m = task_cpu_ns(syscall(SYS_gettid)),
		     all = stat_cpu_ns("/proc/self/stat");

		snprintf(what, sizeof(what), "task stat times are each thread's: worker %ld ms, "
			 "main %ld ms, process %ld ms", w / 1000000, m / 1000000, all / 1000000);
		if (!tl_on_kilburn() && all == 0)	/* qemu-riscv64 makes it up */
			printf("qemu-riscv64 gives /proc/self/stat no times: not checked\n");
		else
			TL_CHECK(w >= WORK_NS / 2 - SLACK_NS && m >= 0 &&
				 m <= all - w + SLACK_NS && all >= w, what);
	}
	worker_stop = 1;
	pthread_join(t, NULL);
	spin_for(clock_ns(CLOCK_THREAD_CPUTIME_ID) + 100 * 1000000L, NULL);
	main_t = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	proc = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	snprintf(what, sizeof(what), "after join: process %ld ms >= main %ld ms + "
		 "exited worker %ld ms", proc / 1000000, main_t / 1000000, worker_total / 1000000);
	TL_CHECK(proc >= main_t + worker_total - SLACK_NS, what);
	TL_CHECK(main_t < proc - WORK_NS + SLACK_NS, "the thread clock is main's own, not the process's");
	self = rusage_ns(RUSAGE_SELF);
	thread = rusage_ns(RUSAGE_THREAD);
	snprintf(what, sizeof(what), "getrusage: SELF %ld ms (process %ld), THREAD %ld ms (main %ld)",
		 self / 1000000, proc / 1000000, thread / 1000000, main_t / 1000000);
	TL_CHECK(self >= proc - SLACK_NS && thread >= main_t - SLACK_NS &&
		 thread < self - WORK_NS + SLACK_NS, what);
}

int main(void)
{
	long before;

	printf("thr_share: cwd, umask, rlimits and CPU time across threads\n");
	if (!getcwd(start_dir, sizeof(start_dir)) || strcmp(start_dir, "/proc") == 0)
		strcpy(start_dir, "/");
	chdir(start_dir);
	check_pthread_shares_fs();	/* warm-up: thread stacks, the clone stack */
	check_raw_clones();
	stat_cpu_ns("/proc/self/stat");	/* warm-up: stdio's buffer */
	thr_quiesce();
	before = tl_frames_free();
	check_pthread_shares_fs();
	check_raw_clones();
	check_fork_copies_fs();
	check_rlimits_shared();
	check_cpu_clocks();
	thr_quiesce();
	tl_check_no_leak(before);
	return tl_done();
}
