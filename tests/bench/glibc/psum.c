/*
 * psum: a parallel sum over a 64 MiB array with 1, 2 and 4 threads,
 * timed by CLOCK_MONOTONIC. Booted by `make bench` on 4 harts WITHOUT
 * -icount, so that QEMU runs each hart on a host thread of its own and
 * the threads really run at the same time; the speed-up it shows is bound
 * by the host's cores as much as by the harts. Each count is run ROUNDS
 * times and the fastest round is kept (others share the host). Every sum
 * is checked against the closed form; a wrong one fails the program.
 * Then the futex handoff of tests/bench/glibc/thrbench.c timed the same
 * way: under -icount the two threads end up on one hart (the woken
 * thread's hart does not run until the waker's has gone idle and taken
 * it), here the kicked hart can take it at once.
 * Linked statically with glibc's pthreads, unmodified.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "hart.h"

#define ARRAY_BYTES	(64UL << 20)
#define N		(ARRAY_BYTES / sizeof(uint64_t))
#define PASSES		16		/* sums of the array per timed run */
#define ROUNDS		3
#define MAX_THREADS	4

static uint64_t *array;

struct part {
	pthread_t thread;
	size_t start, end;
	uint64_t sum;
	int hart;		/* where it ran when it finished */
};


static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *sum_part(void *arg)
{
	struct part *p = arg;
	uint64_t s = 0;

	for (int pass = 0; pass < PASSES; pass++)
		for (size_t i = p->start; i < p->end; i++)
			s += array[i];
	p->sum = s;
	p->hart = my_hart();
	return NULL;
}

/* Sum the array PASSES times with n threads; the seconds it took. */
static int last_harts[MAX_THREADS];

static double run(int n, uint64_t *sum)
{
	struct part parts[MAX_THREADS];
	double t = now();

	for (int k = 0; k < n; k++) {
		parts[k].start = N * k / n;
		parts[k].end = N * (k + 1) / n;
		if (pthread_create(&parts[k].thread, NULL, sum_part, &parts[k])) {
			perror("pthread_create");
			exit(1);
		}
	}
	*sum = 0;
	for (int k = 0; k < n; k++) {
		pthread_join(parts[k].thread, NULL);
		*sum += parts[k].sum;
		last_harts[k] = parts[k].hart;
	}
	return now() - t;
}

/*
 * A token handed back and forth through one futex word: 0 the main
 * thread's turn, 1 the partner's. Each side sets it to the other's value,
 * wakes it, and waits while it holds its own.
 */
#define HANDOFFS	20000
static int token;
static int harts[2][4];		/* [thread][sample]: where each ran */

static long futex(int *addr, int op, int val)
{
	return syscall(SYS_futex, addr, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

static void hand_over(int to)
{
	__atomic_store_n(&token, to, __ATOMIC_RELEASE);
	futex(&token, FUTEX_WAKE, 1);
	while (__atomic_load_n(&token, __ATOMIC_ACQUIRE) == to)
		futex(&token, FUTEX_WAIT, to);
}

static void *partner(void *arg)
{
	(void)arg;
	for (int i = 0; i < HANDOFFS / 2; i++) {
		while (__atomic_load_n(&token, __ATOMIC_ACQUIRE) == 0)
			futex(&token, FUTEX_WAIT, 0);
		if (i % (HANDOFFS / 8) == 0)
			harts[1][i / (HANDOFFS / 8)] = my_hart();
		__atomic_store_n(&token, 0, __ATOMIC_RELEASE);
		futex(&token, FUTEX_WAKE, 1);
	}
	return NULL;
}

/* Microseconds per handoff, best of ROUNDS runs of HANDOFFS. */
static void time_handoff(void)
{
	double best = 0;

	for (int r = 0; r < ROUNDS; r++) {
		pthread_t t;
		double s;

		token = 0;
		pthread_create(&t, NULL, partner, NULL);
		s = now();
		for (int i = 0; i < HANDOFFS / 2; i++) {
			if (i % (HANDOFFS / 8) == 0)
				harts[0][i / (HANDOFFS / 8)] = my_hart();
			hand_over(1);
		}
		s = now() - s;
		pthread_join(t, NULL);
		if (r == 0 || s < best)
			best = s;
	}
	printf("\nfutex handoff between two threads: %.1f us each (best of %d runs of %d)\n",
	       best / HANDOFFS * 1e6, ROUNDS, HANDOFFS);
	printf("harts of the main thread and the partner, 4 samples of the last run:");
	for (int k = 0; k < 4; k++)
		printf(" %d/%d", harts[0][k], harts[1][k]);
	printf("\n");
}

int main(void)
{
	const uint64_t expect = (uint64_t)PASSES * (N * (N - 1) / 2);
	double base = 0;
	int bad = 0;

	array = malloc(ARRAY_BYTES);
	if (!array) {
		perror("malloc");
		return 1;
	}
	for (size_t i = 0; i < N; i++)		/* every page made resident */
		array[i] = i;
	printf("\nKilburn parallel sum: %lu MiB of 64-bit integers summed %d times\n",
	       ARRAY_BYTES >> 20, PASSES);
	printf("(4 harts, no -icount: wall-clock time, CLOCK_MONOTONIC, best of %d)\n\n",
	       ROUNDS);
	printf("| threads | seconds | speed-up | harts at the end |\n");
	printf("|---------|---------|----------|------------------|\n");
	for (int n = 1; n <= MAX_THREADS; n *= 2) {
		double best = 0;

		for (int r = 0; r < ROUNDS; r++) {
			uint64_t sum;
			double t = run(n, &sum);

			if (sum != expect) {
				printf("psum: %d threads: sum %llu, expected %llu\n", n,
				       (unsigned long long)sum, (unsigned long long)expect);
				bad = 1;
			}
			if (r == 0 || t < best)
				best = t;
		}
		if (n == 1)
			base = best;
		char where[32] = "";

		for (int k = 0; k < n; k++)
			snprintf(where + strlen(where), sizeof(where) - strlen(where),
				 k ? " %d" : "%d", last_harts[k]);
		printf("| %7d | %7.3f | %8.2f | %-16s |\n", n, best, base / best, where);
	}
	printf("\nsums %s\n", bad ? "WRONG" : "correct");
	time_handoff();
	return bad;
}
