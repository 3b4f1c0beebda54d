/*
 * thr_sync: synchronisation between threads, with exact counts. glibc's
 * mutex, condition variable, barrier, rwlock and semaphore under
 * contention from 8 threads; then the futex system call itself: WAIT
 * (EAGAIN on a changed word, relative timeout), WAIT_BITSET (absolute
 * timeout on both clocks), WAKE and WAKE_BITSET counts, REQUEUE and
 * CMP_REQUEUE, WAKE_OP, EINTR from a signal, and a shared futex between
 * two processes. No frame or kernel object may leak. Run by
 * tests/user/threads.
 */
#define _GNU_SOURCE
#include "thr.h"
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define NTHREADS	8
#define ITERS		20000

static long futex(uint32_t *uaddr, int op, uint32_t val, const void *ts_or_val2,
		  uint32_t *uaddr2, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts_or_val2, uaddr2, val3);
}

static void settle_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };

	nanosleep(&ts, NULL);
}

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * Threads get 128 KiB stacks and touch half of it first, so every stack
 * glibc caches and hands out again is as resident as any other and the
 * leak check is exact whatever order they are reused in.
 */
#define STACK_SIZE	(128 * 1024)

/* ---- glibc primitives */

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static sem_t sem;
static long counter, plain, rw_value, rw_bad, barrier_bad;
static int phase[NTHREADS];
static long sem_taken;

static void *mutex_worker(void *arg)
{
	(void)arg;
	thr_touch_stack();
	for (int i = 0; i < ITERS; i++) {
		pthread_mutex_lock(&mtx);
		plain = plain + 1;	/* not atomic: only the mutex keeps it exact */
		pthread_mutex_unlock(&mtx);
	}
	return NULL;
}

/* A queue of one slot: producers wait until it is empty, consumers until full. */
static int slot_full;
static long slot_sum;

static void *producer(void *arg)
{
	thr_touch_stack();
	for (long i = 1; i <= 2000; i++) {
		pthread_mutex_lock(&mtx);
		while (slot_full)
			pthread_cond_wait(&cond, &mtx);
		slot_full = 1;
		slot_sum += i + (long)arg * 0;
		pthread_cond_broadcast(&cond);
		pthread_mutex_unlock(&mtx);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	thr_touch_stack();
	for (int i = 0; i < 2000; i++) {
		pthread_mutex_lock(&mtx);
		while (!slot_full)
			pthread_cond_wait(&cond, &mtx);
		slot_full = 0;
		counter++;
		pthread_cond_broadcast(&cond);
		pthread_mutex_unlock(&mtx);
	}
	return NULL;
}

static void *barrier_worker(void *arg)
{
	long me = (long)arg;

	thr_touch_stack();
	for (int round = 1; round <= 200; round++) {
		__atomic_store_n(&phase[me], round, __ATOMIC_SEQ_CST);
		pthread_barrier_wait(&barrier);
		for (int j = 0; j < NTHREADS; j++)	/* everybody reached this round */
			if (__atomic_load_n(&phase[j], __ATOMIC_SEQ_CST) < round)
				__atomic_add_fetch(&barrier_bad, 1, __ATOMIC_SEQ_CST);
		pthread_barrier_wait(&barrier);
	}
	return NULL;
}

static void *rw_worker(void *arg)
{
	long me = (long)arg;

	thr_touch_stack();
	for (int i = 0; i < 5000; i++) {
		if (me % 4 == 0) {
			pthread_rwlock_wrlock(&rw);
			rw_value++;
			long v = rw_value;	/* nobody else writes meanwhile */
			rw_value = v + 1;
			pthread_rwlock_unlock(&rw);
		} else {
			pthread_rwlock_rdlock(&rw);
			if (rw_value % 2)	/* a writer is halfway: must not be seen */
				__atomic_add_fetch(&rw_bad, 1, __ATOMIC_SEQ_CST);
			pthread_rwlock_unlock(&rw);
		}
	}
	return NULL;
}

static void *sem_worker(void *arg)
{
	(void)arg;
	thr_touch_stack();
	for (int i = 0; i < 1000; i++) {
		sem_wait(&sem);
		__atomic_add_fetch(&sem_taken, 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void run_all(void *(*fn)(void *), int n)
{
	pthread_t t[NTHREADS];

	for (long i = 0; i < n; i++)
		pthread_create(&t[i], NULL, fn, (void *)i);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

static int primitives(void)
{
	pthread_t t[4];
	int ok = 1;

	plain = 0;
	run_all(mutex_worker, NTHREADS);
	ok &= plain == (long)NTHREADS * ITERS;

	counter = slot_sum = slot_full = 0;
	for (long i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, producer, (void *)i);
	for (long i = 2; i < 4; i++)
		pthread_create(&t[i], NULL, consumer, (void *)i);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ok &= counter == 4000 && slot_sum == 2 * (2000L * 2001 / 2);

	barrier_bad = 0;
	memset(phase, 0, sizeof(phase));
	pthread_barrier_init(&barrier, NULL, NTHREADS);
	run_all(barrier_worker, NTHREADS);
	pthread_barrier_destroy(&barrier);
	ok &= barrier_bad == 0;

	rw_value = rw_bad = 0;
	run_all(rw_worker, NTHREADS);
	ok &= rw_bad == 0 && rw_value == 2 * 2 * 5000;

	sem_taken = 0;
	sem_init(&sem, 0, 0);
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, sem_worker, NULL);
	for (int i = 0; i < 4000; i++)
		sem_post(&sem);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	sem_destroy(&sem);
	ok &= sem_taken == 4000;
	return ok;
}

/* ---- the futex call */

static uint32_t word, word2;
static int woken;

static void *waiter(void *arg)
{
	uint32_t bits = (uint32_t)(long)arg;
	long r = bits ? futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, bits)
		      : futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);

	if (r == 0)
		__atomic_add_fetch(&woken, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Start n waiters on word (bitset bits, or plain WAIT if 0); wait till they sleep. */
static void start_waiters(pthread_t *t, int n, uint32_t bits)
{
	word = 0;
	woken = 0;
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, waiter, (void *)(long)bits);
	settle_ms(100);
}

/* Wake everybody left with a changed word and join; returns those woken by it. */
static int finish_waiters(pthread_t *t, int n, uint32_t *addr)
{
	int before = woken;

	word = 1;
	futex(addr, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return woken - before;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void *interrupted(void *arg)
{
	uint32_t w = 0;

	*(long *)arg = futex(&w, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0) == -1 ? errno : 0;
	return NULL;
}

static void futex_calls(void)
{
	struct timespec rel = { 0, 50 * 1000 * 1000 }, abs;
	pthread_t t[4];
	uint64_t start;
	long r, err;

	word = 5;
	errno = 0;
	TL_CHECK(futex(&word, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0) == -1 && errno == EAGAIN,
		 "FUTEX_WAIT on a changed word: EAGAIN");
	start = now_ns(CLOCK_MONOTONIC);
	r = futex(&word, FUTEX_WAIT_PRIVATE, 5, &rel, NULL, 0);
	err = errno;
	TL_CHECK(r == -1 && err == ETIMEDOUT && now_ns(CLOCK_MONOTONIC) - start >= 50000000,
		 "FUTEX_WAIT relative timeout: ETIMEDOUT after 50 ms");
	start = now_ns(CLOCK_MONOTONIC);
	abs.tv_sec = (start + 30000000) / 1000000000;
	abs.tv_nsec = (start + 30000000) % 1000000000;
	r = futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, &abs, NULL, FUTEX_BITSET_MATCH_ANY);
	err = errno;
	TL_CHECK(r == -1 && err == ETIMEDOUT && now_ns(CLOCK_MONOTONIC) >= start + 30000000,
		 "FUTEX_WAIT_BITSET absolute CLOCK_MONOTONIC timeout");
	start = now_ns(CLOCK_REALTIME);
	abs.tv_sec = (start + 30000000) / 1000000000;
	abs.tv_nsec = (start + 30000000) % 1000000000;
	r = futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 5, &abs, NULL,
		  FUTEX_BITSET_MATCH_ANY);
	err = errno;
	TL_CHECK(r == -1 && err == ETIMEDOUT && now_ns(CLOCK_REALTIME) >= start + 30000000,
		 "FUTEX_WAIT_BITSET absolute CLOCK_REALTIME timeout");
	TL_CHECK(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 5, NULL, NULL, 0) == -1 && errno == EINVAL,
		 "FUTEX_WAIT_BITSET with an empty bitset: EINVAL");
	TL_CHECK(futex((uint32_t *)((char *)&word + 1), FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) == -1 &&
		 errno == EINVAL, "a misaligned futex: EINVAL");

	start_waiters(t, 4, 0);
	r = futex(&word, FUTEX_WAKE_PRIVATE, 3, NULL, NULL, 0);
	settle_ms(50);
	TL_CHECK(r == 3 && woken == 3, "FUTEX_WAKE of 3 of 4 waiters wakes exactly 3");
	finish_waiters(t, 4, &word);

	start_waiters(t, 4, 0);
	word2 = 0;
	r = futex(&word, FUTEX_REQUEUE_PRIVATE, 1, (void *)2L, &word2, 0);
	settle_ms(50);
	TL_CHECK(r == 3 && woken == 1, "FUTEX_REQUEUE wakes 1 and moves 2");
	r = futex(&word, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
	TL_CHECK(r == 1, "one waiter was left on the first word");
	r = futex(&word2, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	TL_CHECK(r == 2 && woken == 4, "the two moved ones wake on the second word");

	start_waiters(t, 3, 0);
	errno = 0;
	TL_CHECK(futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1L, &word2, 7) == -1 &&
		 errno == EAGAIN, "FUTEX_CMP_REQUEUE with a changed word: EAGAIN");
	r = futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)3L, &word2, 0);
	TL_CHECK(r == 3, "FUTEX_CMP_REQUEUE moves all 3");
	r = futex(&word2, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	TL_CHECK(r == 3 && woken == 3, "and they wake on the second word");

	start_waiters(t, 2, 0x1);
	for (int i = 2; i < 4; i++)
		pthread_create(&t[i], NULL, waiter, (void *)(long)0x2);
	settle_ms(100);
	r = futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 0x2);
	settle_ms(50);
	TL_CHECK(r == 2 && woken == 2, "FUTEX_WAKE_BITSET wakes only the matching bitset");
	finish_waiters(t, 4, &word);

	start_waiters(t, 2, 0);
	word2 = 10;
	/* word2 += 5; wake 1 on word; and 1 more on word2 if the old value was 10 */
	r = futex(&word, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1L, &word2,
		  FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 10));
	TL_CHECK(r == 1 && word2 == 15, "FUTEX_WAKE_OP adds and wakes on the first word");
	r = futex(&word, FUTEX_WAKE_OP_PRIVATE, 0, (void *)1L, &word,
		  FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0));
	TL_CHECK(r == 1, "FUTEX_WAKE_OP's comparison wakes on the second word");
	finish_waiters(t, 2, &word);

	struct sigaction sa = { .sa_handler = on_usr1 };	/* no SA_RESTART */

	sigaction(SIGUSR1, &sa, NULL);
	err = -1;
	pthread_create(&t[0], NULL, interrupted, &err);
	settle_ms(100);
	pthread_kill(t[0], SIGUSR1);
	pthread_join(t[0], NULL);
	TL_CHECK(err == EINTR, "a handler without SA_RESTART interrupts FUTEX_WAIT: EINTR");
}

/* A futex in MAP_SHARED memory, waited on by a child process. */
static void shared_futex(void)
{
	uint32_t *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status = -1;
	pid_t pid;
	long r = -1;

	*w = 0;
	pid = fork();
	if (pid == 0) {
		long got = futex(w, FUTEX_WAIT, 0, NULL, NULL, 0);

		_exit(got == 0 ? 0 : 1);
	}
	for (int i = 0; i < 100 && r <= 0; i++) {	/* until the child sleeps */
		settle_ms(20);
		r = futex(w, FUTEX_WAKE, 1, NULL, NULL, 0);
	}
	waitpid(pid, &status, 0);
	TL_CHECK(r == 1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "a shared futex wakes a waiter in another process");
	munmap(w, 4096);
}

int main(void)
{
	pthread_attr_t attr;
	long before;
	int ok;

	printf("thr_sync: mutex, condvar, barrier, rwlock, semaphore, futex\n");
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, STACK_SIZE);
	pthread_setattr_default_np(&attr);
	primitives();			/* warm-up */
	primitives();
	thr_quiesce();
	before = tl_frames_free();
	ok = primitives();
	thr_quiesce();
	tl_check_no_leak(before);
	TL_CHECK(ok, "mutex, condvar, barrier, rwlock and semaphore counts exact (8 threads)");
	futex_calls();
	shared_futex();
	return tl_done();
}
