/*
 * thrbench: guest instructions per thread operation, counted with
 * rdinstret. Booted by `make bench` on 4 harts under QEMU's
 * -icount shift=0,sleep=off (through scripts/icount-smp.py).
 *
 * What the counter counts there: QEMU runs the harts round-robin on one
 * host thread, and every hart's instret is the one virtual clock: the
 * instructions of *all* harts (and, when every hart is idle, the virtual
 * time skipped to the next timer). So a figure is what the whole machine
 * executed during the operation, not one hart's share:
 *
 * - create+join, the uncontended mutex and the one-thread rows run with the
 *   other harts idle (in wfi, executing nothing but their timer ticks);
 * - the handoff row counts both threads' harts, the waker's and the
 *   woken's; a handoff that found every hart idle until a timer tick
 *   would count the skipped time, so such rounds are counted apart and
 *   the median round is the figure;
 * - the rows with threads live on 4 harts subtract the spinning threads'
 *   own loop (exactly SPIN_INSNS instructions a turn, each spinner counts
 *   its turns); what remains is the initiator's work, the other harts'
 *   interrupt and flush, their ticks, and the initiator's wait for the
 *   acknowledgements, which under round robin lasts until QEMU gives the
 *   other harts their turn (millions of instructions: the median shows
 *   it). The minimum over the rounds is the figure with the least waiting
 *   in it.
 *
 * Glibc's pthreads, unmodified, linked statically. Prints a table; never
 * fails.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <stdbool.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "hart.h"

#define PAGE		4096
#define SPINNERS	3
#define SPIN_INSNS	4		/* instructions per turn of spin() */
#define MAX_ROUNDS	2000

static inline uint64_t instret(void)
{
	uint64_t n;

	__asm__ volatile("rdinstret %0" : "=r"(n) :: "memory");
	return n;
}

static uint64_t overhead;		/* two reads of the counter, back to back */
static uint64_t work_overhead;		/* two calls of work_now(), the same */

static void row(const char *what, uint64_t per)
{
	printf("| %-44s | %10llu |\n", what,
	       (unsigned long long)(per > overhead ? per - overhead : per));
}

/* ---------------------------------------------------------------- create */

static void *nothing(void *arg)
{
	return arg;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t cost[MAX_ROUNDS];

/*
 * pthread_create of a thread that returns at once, and pthread_join of
 * it; the median of the rounds. attr NULL: glibc's default 8 MiB stack.
 */
static void create_join(const char *what, pthread_attr_t *attr)
{
	const int rounds = 200;
	pthread_t t;

	for (int i = 0; i < 8; i++) {		/* warm: glibc caches the stack */
		pthread_create(&t, attr, nothing, NULL);
		pthread_join(t, NULL);
	}
	for (int i = 0; i < rounds; i++) {
		uint64_t s = instret();

		if (pthread_create(&t, attr, nothing, NULL)) {
			printf("thrbench: pthread_create failed\n");
			return;
		}
		pthread_join(t, NULL);
		cost[i] = instret() - s;
	}
	qsort(cost, rounds, sizeof(cost[0]), cmp_u64);
	row(what, cost[rounds / 2]);
}

static void bench_create_join(void)
{
	pthread_attr_t attr;

	create_join("pthread_create+pthread_join of one thread", NULL);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	create_join("  the same with a 64 KiB stack", &attr);
	pthread_attr_destroy(&attr);
}

/* ----------------------------------------------------------------- mutex */

static void bench_mutex(void)
{
	const int rounds = 10000;
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	uint64_t s = instret();

	for (int i = 0; i < rounds; i++) {
		pthread_mutex_lock(&m);
		pthread_mutex_unlock(&m);
	}
	row("mutex lock+unlock, uncontended", (instret() - s) / rounds);
}

/* --------------------------------------------------------------- handoff */

/*
 * A token handed back and forth between two threads through one futex
 * word: 0 the main thread's turn, 1 the partner's. Each side sets the word
 * to the other's value, wakes it and waits while the word is its own.
 */
static int token;
static const int handoff_rounds = 500;

static long futex(int *addr, int op, int val)
{
	return syscall(SYS_futex, addr, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

static int partner_hart;

static void hand_over(int to)
{
	__atomic_store_n(&token, to, __ATOMIC_RELEASE);
	futex(&token, FUTEX_WAKE, 1);
	while (__atomic_load_n(&token, __ATOMIC_ACQUIRE) == to)
		futex(&token, FUTEX_WAIT, to);
}

/* Pin the calling thread to cpu alone (sched_setaffinity). */
static void pin_to(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	sched_setaffinity(0, sizeof(one), &one);
}

static void *partner(void *arg)
{
	if (arg)
		pin_to(1);
	while (__atomic_load_n(&token, __ATOMIC_ACQUIRE) == 0)
		futex(&token, FUTEX_WAIT, 0);
	for (int i = 0; i < handoff_rounds - 1; i++)
		hand_over(0);
	partner_hart = my_hart();
	hand_over(0);
	return NULL;
}

/*
 * Per handoff: the median round (two handoffs) halved. A round over
 * STALL instructions waited for a timer tick with every hart idle (the
 * virtual clock skips to it); they are counted apart.
 */
#define STALL	1000000

static void bench_handoff(bool pinned)
{
	const int rounds = handoff_rounds - 1;
	int stalls = 0;
	cpu_set_t all;
	pthread_t t;

	sched_getaffinity(0, sizeof(all), &all);
	if (pinned)
		pin_to(0);
	token = 0;
	pthread_create(&t, NULL, partner, pinned ? &token : NULL);
	hand_over(1);				/* partner is up and waiting */
	for (int i = 0; i < rounds; i++) {
		uint64_t s = instret();

		hand_over(1);
		cost[i] = instret() - s;
		stalls += cost[i] > STALL;
	}
	qsort(cost, rounds, sizeof(cost[0]), cmp_u64);
	row(pinned ? "futex handoff, threads pinned to 2 harts" :
		     "futex handoff between two threads (each)", cost[rounds / 2] / 2);
	printf("| %-44s | %10d |\n", "  rounds of 2 that waited for a tick", stalls);
	printf("| %-44s | %4d, %3d  |\n", "  on harts (main thread, partner)", my_hart(),
	       partner_hart);
	__atomic_store_n(&token, 1, __ATOMIC_RELEASE);	/* partner's last turn */
	futex(&token, FUTEX_WAKE, 1);
	pthread_join(t, NULL);
	sched_setaffinity(0, sizeof(all), &all);
}

/* ------------------------------------------------------------ shootdowns */

/* Spinners: one cache line each; turns counted by spin(). */
static struct {
	volatile uint64_t turns;
	char pad[56];
} spin_count[SPINNERS] __attribute__((aligned(64)));
static volatile int spin_stop;

/* SPIN_INSNS instructions a turn: load the stop flag, count, store, branch. */
static void *spin(void *arg)
{
	volatile uint64_t *count = &spin_count[(long)arg].turns;
	uint64_t n = 0, stop;

	__asm__ volatile(
		"1:	lw	%1, 0(%3)\n"
		"	addi	%0, %0, 1\n"
		"	sd	%0, 0(%2)\n"
		"	beqz	%1, 1b\n"
		: "+r"(n), "=&r"(stop)
		: "r"(count), "r"(&spin_stop)
		: "memory");
	return NULL;
}

static uint64_t spin_turns(void)
{
	uint64_t n = 0;

	for (int i = 0; i < SPINNERS; i++)
		n += spin_count[i].turns;
	return n;
}

/*
 * The machine's instruction count less the spinners' loops. Another hart
 * runs between two reads only if QEMU switched harts there: read again.
 */
static uint64_t work_now(void)
{
	for (;;) {
		uint64_t a = spin_turns(), t = instret(), b = spin_turns();

		if (a == b)
			return t - a * SPIN_INSNS;
	}
}

static long vmstat(const char *name)
{
	char key[64], line[128];
	long val = -1, v;
	FILE *f = fopen("/proc/vmstat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", key, &v) == 2 && !strcmp(key, name))
			val = v;
	fclose(f);
	return val;
}

/* Touch p's page so it is resident and writable-mapped. */
static void touch(volatile char *p)
{
	p[0]++;
}

/*
 * mprotect of one resident page to read-only and back (two calls), or
 * munmap+mmap of it (MAP_FIXED, the same address; touched again outside
 * the count), rounds times; per-round costs into cost[], sorted.
 */
static void measure(char *p, int unmap, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		uint64_t s;

		touch(p);
		s = work_now();
		if (unmap) {
			munmap(p, PAGE);
			mmap(p, PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		} else {
			mprotect(p, PAGE, PROT_READ);
			mprotect(p, PAGE, PROT_READ | PROT_WRITE);
		}
		cost[i] = work_now() - s - (work_overhead - overhead);
	}
	qsort(cost, rounds, sizeof(cost[0]), cmp_u64);
}

static void shootdown_rows(char *p, int live, int rounds)
{
	static const char *what[2][2] = {
		{ "mprotect to R and back, 1 page, 1 thread",
		  "munmap+mmap of 1 resident page, 1 thread" },
		{ "mprotect to R and back, 4 harts live (min)",
		  "munmap+mmap, 4 harts live (min)" },
	};

	for (int unmap = 0; unmap < 2; unmap++) {
		long sent = vmstat("kilburn_tlb_shootdowns_sent");

		measure(p, unmap, rounds);
		sent = vmstat("kilburn_tlb_shootdowns_sent") - sent;
		if (!live) {
			row(what[0][unmap], cost[rounds / 2]);
			continue;
		}
		row(what[1][unmap], cost[0]);
		row("  median (waits for QEMU's round robin)", cost[rounds / 2]);
		printf("| %-44s | %10.2f |\n", "  shootdowns sent per call pair",
		       (double)sent / rounds);
	}
}

static void bench_shootdown(void)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_t t[SPINNERS];
	uint64_t seen;

	if (p == MAP_FAILED) {
		perror("mmap");
		return;
	}
	measure(p, 0, 20);			/* warm */
	shootdown_rows(p, 0, 200);
	for (long i = 0; i < SPINNERS; i++)
		pthread_create(&t[i], NULL, spin, (void *)i);
	seen = spin_turns();
	for (int i = 0; i < SPINNERS; i++)	/* all three spinning */
		while (spin_count[i].turns == 0)
			sched_yield();
	shootdown_rows(p, 1, 300);
	if (spin_turns() == seen)
		printf("thrbench: the spinners did not run\n");
	spin_stop = 1;
	for (int i = 0; i < SPINNERS; i++)
		pthread_join(t[i], NULL);
	munmap(p, PAGE);
}

int main(void)
{
	uint64_t a = instret();
	uint64_t b = instret();

	overhead = b - a;
	a = work_now();
	work_overhead = work_now() - a;
	printf("\nKilburn thread benchmarks: guest instructions per operation\n");
	printf("(rdinstret, QEMU -icount shift=0,sleep=off, 4 harts: all harts' instructions)\n\n");
	printf("| %-44s | %10s |\n", "operation", "instr/op");
	printf("|----------------------------------------------|------------|\n");
	bench_create_join();
	bench_mutex();
	bench_handoff(false);
	bench_handoff(true);
	bench_shootdown();
	return 0;
}
