/*
 * psum: a parallel sum over a 64 MiB array with 1, 2 and 4 threads,
 * timed by CLOCK_MONOTONIC. Booted by `make bench` on 4 harts WITHOUT
 * -icount, so that QEMU runs each hart on a host thread of its own and
 * the threads really run at the same time; the speed-up it shows is bound
 * by the host's cores as much as by the harts. Each count is run ROUNDS
 * times and the fastest round is kept (others share the host). Every sum
 * is checked against the closed form; a wrong one fails the program.
 * Linked statically with glibc's pthreads, unmodified.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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
	return NULL;
}

/* Sum the array PASSES times with n threads; the seconds it took. */
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
	}
	return now() - t;
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
	printf("| threads | seconds | speed-up |\n");
	printf("|---------|---------|----------|\n");
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
		printf("| %7d | %7.3f | %8.2f |\n", n, best, base / best);
	}
	printf("\nsums %s\n", bad ? "WRONG" : "correct");
	return bad;
}
