/*
 * thr_create: glibc's pthreads, unmodified. Create and join 1, 8 and 64
 * threads (each returns its own value, has its own tid, the process's pid,
 * and its own copy of a __thread variable, TLS through tp); a detached
 * thread; pthread_exit's value; threads that call sched_yield while
 * others run. A round after two warm-up rounds must not leak a frame or a
 * kernel object.
 * Run by tests/user/threads.
 */
#define _GNU_SOURCE
#include "thr.h"
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

#define MAX_THREADS	64

static __thread long tls_value = 7;
static __thread char tls_block[256];
static pid_t main_pid;

struct result {
	pid_t pid, tid;
	long tls_before, tls_after;
	int block_ok;
};

static struct result results[MAX_THREADS];

static void *worker(void *arg)
{
	long i = (long)arg;
	struct result *r = &results[i];

	thr_touch_stack();		/* as deep as pthread_exit's unwinding goes */
	r->pid = getpid();
	r->tid = syscall(SYS_gettid);
	r->tls_before = tls_value;
	tls_value = 1000 + i;
	memset(tls_block, (int)i, sizeof(tls_block));
	for (int k = 0; k < 20; k++)
		sched_yield();
	r->tls_after = tls_value;
	r->block_ok = 1;
	for (size_t k = 0; k < sizeof(tls_block); k++)
		if (tls_block[k] != (char)i)
			r->block_ok = 0;
	if (i % 2)
		pthread_exit((void *)(i * 3));
	return (void *)(i * 3);
}

/* Create and join n threads; every check is summed into *bad. */
static int run_threads(int n, int report)
{
	pthread_t t[MAX_THREADS];
	int created = 0, joined = 0, values = 0, ids = 0, tls = 0;

	memset(results, 0, sizeof(results));
	for (long i = 0; i < n; i++)
		created += pthread_create(&t[i], NULL, worker, (void *)i) == 0;
	for (long i = 0; i < n; i++) {
		void *ret = NULL;

		joined += pthread_join(t[i], &ret) == 0;
		values += (long)ret == i * 3;
	}
	for (int i = 0; i < n; i++) {
		int unique = results[i].tid > 0 && results[i].tid != main_pid;

		for (int j = 0; j < i; j++)
			unique &= results[j].tid != results[i].tid;
		ids += unique && results[i].pid == main_pid;
		tls += results[i].tls_before == 7 && results[i].tls_after == 1000 + i &&
		       results[i].block_ok;
	}
	if (report) {
		char what[128];

		snprintf(what, sizeof(what), "%d threads created and joined", n);
		TL_CHECK(created == n && joined == n, what);
		snprintf(what, sizeof(what), "%d threads returned their values", n);
		TL_CHECK(values == n, what);
		snprintf(what, sizeof(what), "%d threads: own tid, the process's pid", n);
		TL_CHECK(ids == n, what);
		snprintf(what, sizeof(what), "%d threads: own TLS", n);
		TL_CHECK(tls == n, what);
	}
	return created == n && joined == n && values == n && ids == n && tls == n;
}

static volatile int detached_ran;

static void *detached(void *arg)
{
	(void)arg;
	__atomic_store_n(&detached_ran, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void settle(void)
{
	thr_sleep_ms(50);
}

/* Start a detached thread and wait until it ran; 1 if it did. */
static int run_detached(void)
{
	pthread_attr_t attr;
	pthread_t t;
	int ok;

	__atomic_store_n(&detached_ran, 0, __ATOMIC_SEQ_CST);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	ok = pthread_create(&t, &attr, detached, NULL) == 0;
	for (int i = 0; i < 1000 && !__atomic_load_n(&detached_ran, __ATOMIC_SEQ_CST); i++)
		settle();
	pthread_attr_destroy(&attr);
	return ok && detached_ran;
}

/* One round: 1, 8 and 64 threads, then a detached one; 1 if all went well. */
static int round_all(int report, int *detached_ok)
{
	int ok = run_threads(1, report);

	ok &= run_threads(8, report);
	ok &= run_threads(MAX_THREADS, report);
	*detached_ok = run_detached();
	settle();
	return ok;
}

int main(void)
{
	int ok, detached_ok;
	long before;

	printf("thr_create: pthread create/join, TLS, tids\n");
	main_pid = getpid();
	TL_CHECK(syscall(SYS_gettid) == main_pid, "main thread's tid is the pid");
	TL_CHECK(tls_value == 7, "main thread's TLS initialised");
	/* warm-up rounds: glibc caches stacks, pages of libc come in */
	round_all(0, &detached_ok);
	round_all(0, &detached_ok);
	thr_quiesce();
	before = tl_frames_free();
	ok = round_all(0, &detached_ok);
	thr_quiesce();
	tl_check_no_leak(before);
	round_all(1, &detached_ok);
	TL_CHECK(ok, "the measured round went as the reported one");
	TL_CHECK(detached_ok, "a detached thread ran");
	TL_CHECK(tls_value == 7, "main thread's TLS untouched by the others");
	return tl_done();
}
