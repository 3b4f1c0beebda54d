/*
 * thr_vm: the VM under threads, on every hart at once.
 *
 *   - 8 threads first-touch the same 64 MiB at once, each writing its own
 *     word of every page: every write is there afterwards and the region
 *     holds exactly one frame per page (smaps Rss);
 *   - mprotect(PROT_READ) by one thread while 4 others write: every writer
 *     gets SIGSEGV at an address of the region, and no write lands after
 *     the call returned (the region is compared with a copy taken then);
 *   - the same for munmap of a shared file mapping, watched through a
 *     second mapping of the file: a write through a translation a hart kept
 *     would show there;
 *   - a thread overflowing its small stack gets SIGSEGV (the process dies
 *     of it);
 *   - copy-on-write after fork raced by 8 threads of the child, each
 *     writing its own word of every page: every page is copied once (no
 *     write lost, one frame per page) and the parent's copy is untouched.
 *
 * A warm-up round comes first (glibc's stack cache, libc's pages); then no
 * frame or kernel object may leak. Plain POSIX C: passes on Linux too (the
 * leak check is Kilburn's). Run by tests/user/threads.
 */
#define _GNU_SOURCE
#include "thr.h"
#include "../user/vmtest.h"
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#define PAGE		4096UL
#define NTOUCH		8		/* threads of the first-touch and COW races */
#define NWRITERS	4		/* threads writing while one unmaps */
#define RACE_PAGES	8
#define RACE_ROUNDS	4		/* of each race (1 in the warm-up) */
#define COW_PAGES	64

static int report;			/* 0 in the warm-up round */
static int rounds = 1;			/* of each race: RACE_ROUNDS once measured */
static pthread_attr_t small_stack;	/* 128 KiB: glibc keeps them all cached */

#define CHECK(cond, ...)						\
	do {								\
		int ok_ = !!(cond);					\
		if (report)						\
			VT_CHECK(ok_, __VA_ARGS__);			\
		all_ok &= ok_;						\
	} while (0)

static int all_ok = 1;

/*
 * A private anonymous region of `pages` pages between two PROT_NONE pages,
 * so that it is a mapping of its own (never merged with a neighbour, such as
 * a thread's stack) whatever smaps says of it; MAP_FAILED if none.
 */
static char *map_alone(size_t pages)
{
	char *g = mmap(NULL, (pages + 2) * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (g == MAP_FAILED || mprotect(g + PAGE, pages * PAGE, PROT_READ | PROT_WRITE))
		return MAP_FAILED;
	return g + PAGE;
}

static void unmap_alone(char *base, size_t pages)
{
	munmap(base - PAGE, (pages + 2) * PAGE);
}

/* Rss in kB of the mapping that contains addr (smaps); -1 if not found. */
static long smaps_rss_kb(const void *addr)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	unsigned long a = (unsigned long)addr, lo, hi;
	char line[256];
	int in = 0;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = a >= lo && a < hi;
		else if (in && sscanf(line, "Rss: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return in ? kb : -1;
}

/* ---- 8 threads first-touch the same region */

struct touch {
	char *base;
	size_t pages;
	int idx;
	pthread_barrier_t *start;
};

static void *toucher(void *arg)
{
	struct touch *t = arg;

	thr_touch_stack();	/* every cached stack as resident as any other */
	pthread_barrier_wait(t->start);
	/* every thread walks the pages in the same order: they meet on each */
	for (size_t i = 0; i < t->pages; i++)
		((volatile uint64_t *)(t->base + i * PAGE))[t->idx] = i * NTOUCH + t->idx + 1;
	return NULL;
}

static void first_touch(size_t mib)
{
	size_t pages = mib * 1024 * 1024 / PAGE;
	char *base = map_alone(pages);
	pthread_t th[NTOUCH];
	struct touch t[NTOUCH];
	pthread_barrier_t start;
	size_t bad = 0;
	long rss;

	if (base == MAP_FAILED) {
		CHECK(0, "first touch: mmap of %zu MiB", mib);
		return;
	}
	pthread_barrier_init(&start, NULL, NTOUCH);
	for (int i = 0; i < NTOUCH; i++) {
		t[i] = (struct touch) { base, pages, i, &start };
		pthread_create(&th[i], &small_stack, toucher, &t[i]);
	}
	for (int i = 0; i < NTOUCH; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
	for (size_t i = 0; i < pages; i++)
		for (int k = 0; k < NTOUCH; k++)
			bad += ((uint64_t *)(base + i * PAGE))[k] != i * NTOUCH + k + 1;
	rss = smaps_rss_kb(base);
	CHECK(bad == 0, "%d threads first-touching %zu MiB: every write is there (%zu lost)",
	      NTOUCH, mib, bad);
	CHECK(rss == (long)(pages * PAGE / 1024),
	      "one frame per page: Rss %ld kB of %zu kB", rss, pages * PAGE / 1024);
	unmap_alone(base, pages);
}

/* ---- writers while another thread takes the mapping away */

struct writer {
	volatile char *region;
	int idx;
	uint64_t rounds;		/* atomic: full passes done */
	int faulted;			/* atomic */
	uintptr_t fault_addr;
};

static __thread sigjmp_buf writer_jb;
static __thread volatile int writer_armed;
static __thread volatile uintptr_t writer_fault;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (!writer_armed)
		abort();
	writer_armed = 0;
	writer_fault = (uintptr_t)si->si_addr;
	siglongjmp(writer_jb, 1);
}

static void *write_loop(void *arg)
{
	struct writer *w = arg;

	thr_touch_stack();
	if (sigsetjmp(writer_jb, 1)) {
		w->fault_addr = writer_fault;
		__atomic_store_n(&w->faulted, 1, __ATOMIC_RELEASE);
		return NULL;
	}
	writer_armed = 1;
	for (uint64_t v = 1;; v++) {
		for (int i = 0; i < RACE_PAGES; i++)
			((volatile uint64_t *)(w->region + i * PAGE))[w->idx] = v;
		__atomic_store_n(&w->rounds, v, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Wait until every writer has done `rounds` passes or faulted; 1 if so. */
static int wait_writers(struct writer *w, uint64_t rounds, int fault)
{
	for (int ms = 0; ms < 5000; ms++) {
		int done = 1;

		for (int i = 0; i < NWRITERS; i++)
			done &= fault ? __atomic_load_n(&w[i].faulted, __ATOMIC_ACQUIRE) :
				__atomic_load_n(&w[i].rounds, __ATOMIC_ACQUIRE) >= rounds;
		if (done)
			return 1;
		thr_sleep_ms(1);
	}
	return 0;
}

/*
 * One race: writers on region, then take_away (mprotect or munmap) from
 * this thread; view shows the memory afterwards. Returns a description of
 * what went wrong, or NULL.
 */
static const char *race(char *region, const char *view, int unmap)
{
	static char snap[RACE_PAGES * PAGE];
	struct writer w[NWRITERS];
	pthread_t th[NWRITERS];
	const char *err = NULL;

	for (int i = 0; i < NWRITERS; i++) {
		w[i] = (struct writer) { .region = region, .idx = i };
		pthread_create(&th[i], &small_stack, write_loop, &w[i]);
	}
	if (!wait_writers(w, 3, 0))
		err = "the writers did not start";
	if (unmap ? munmap(region, RACE_PAGES * PAGE) :
		    mprotect(region, RACE_PAGES * PAGE, PROT_READ))
		err = "the call failed";
	memcpy(snap, view, sizeof(snap));	/* what the memory is once it returned */
	if (!wait_writers(w, 0, 1))
		err = err ? err : "a writer never got SIGSEGV";
	if (!err && memcmp(snap, view, sizeof(snap)))
		err = "a write landed after the call returned";
	for (int i = 0; i < NWRITERS; i++) {
		pthread_join(th[i], NULL);
		if (!err && (w[i].fault_addr < (uintptr_t)region ||
			     w[i].fault_addr >= (uintptr_t)region + RACE_PAGES * PAGE))
			err = "a fault address outside the region";
	}
	return err;
}

static void mprotect_race(void)
{
	const char *err = NULL;

	for (int r = 0; r < rounds && !err; r++) {
		char *region = mmap(NULL, RACE_PAGES * PAGE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (region == MAP_FAILED)
			err = "mmap failed";
		else
			err = race(region, region, 0);
		munmap(region, RACE_PAGES * PAGE);
	}
	CHECK(!err, "mprotect(PROT_READ) while %d threads write, %d rounds: %s",
	      NWRITERS, rounds, err ? err : "each got SIGSEGV, no write after it returned");
}

static void munmap_race(void)
{
	char path[] = "/tmp/thr_vm.XXXXXX";
	int fd = mkstemp(path);
	const char *err = NULL;
	char *view = MAP_FAILED;

	if (fd >= 0) {
		unlink(path);
		if (ftruncate(fd, RACE_PAGES * PAGE) == 0)
			view = mmap(NULL, RACE_PAGES * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	}
	if (view == MAP_FAILED)
		err = "cannot map a file in /tmp";
	for (int r = 0; r < rounds && !err; r++) {
		char *region = mmap(NULL, RACE_PAGES * PAGE, PROT_READ | PROT_WRITE,
				    MAP_SHARED, fd, 0);

		if (region == MAP_FAILED)
			err = "mmap failed";
		else
			err = race(region, view, 1);
	}
	CHECK(!err, "munmap while %d threads write, %d rounds: %s", NWRITERS, rounds,
	      err ? err : "each got SIGSEGV, the file saw no write after it returned");
	if (view != MAP_FAILED)
		munmap(view, RACE_PAGES * PAGE);
	if (fd >= 0)
		close(fd);
}

/* ---- a thread overflows its stack */

static volatile int depth_limit = 1 << 30;	/* never reached */

static int __attribute__((noinline)) recurse(int n)
{
	volatile char buf[512];

	buf[0] = (char)n;
	if (n >= depth_limit)
		return 0;
	return recurse(n + 1) + buf[0];
}

static void *overflow(void *arg)
{
	(void)arg;
	recurse(0);
	return NULL;
}

static int overflow_child(void *arg)
{
	pthread_attr_t a;
	pthread_t th;

	(void)arg;
	signal(SIGSEGV, SIG_DFL);
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	if (pthread_create(&th, &a, overflow, NULL))
		return 2;
	pthread_join(th, NULL);
	return 3;		/* the overflow went unnoticed */
}

static void stack_overflow(void)
{
	int st = vt_run(overflow_child, NULL, 20);

	CHECK(vt_killed_by(st, SIGSEGV), "a thread overflowing its 64 KiB stack: SIGSEGV (%s)",
	      vt_how(st));
}

/* ---- copy-on-write after fork, raced by the child's threads */

static int cow_child(void *arg)
{
	char *base = arg;
	pthread_t th[NTOUCH];
	struct touch t[NTOUCH];
	pthread_barrier_t start;
	size_t bad = 0;

	pthread_barrier_init(&start, NULL, NTOUCH);
	for (int i = 0; i < NTOUCH; i++) {
		/* words 0-7 are the threads', word 8 the parent's pattern */
		t[i] = (struct touch) { base, COW_PAGES, i, &start };
		pthread_create(&th[i], &small_stack, toucher, &t[i]);
	}
	for (int i = 0; i < NTOUCH; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i < COW_PAGES; i++) {
		uint64_t *w = (uint64_t *)(base + i * PAGE);

		for (int k = 0; k < NTOUCH; k++)
			bad += w[k] != i * NTOUCH + k + 1;
		bad += w[NTOUCH] != ~(uint64_t)i;
	}
	if (bad)
		return 1;
	return smaps_rss_kb(base) == (long)(COW_PAGES * PAGE / 1024) ? 0 : 2;
}

static void cow_race(void)
{
	char *base = map_alone(COW_PAGES);
	size_t bad = 0;
	int st;

	if (base == MAP_FAILED) {
		CHECK(0, "copy-on-write: mmap");
		return;
	}
	for (size_t i = 0; i < COW_PAGES; i++)
		((uint64_t *)(base + i * PAGE))[NTOUCH] = ~(uint64_t)i;
	st = vt_run(cow_child, base, 60);
	for (size_t i = 0; i < COW_PAGES; i++) {
		uint64_t *w = (uint64_t *)(base + i * PAGE);

		for (int k = 0; k < NTOUCH; k++)
			bad += w[k] != 0;
		bad += w[NTOUCH] != ~(uint64_t)i;
	}
	CHECK(vt_exited_ok(st), "%d threads breaking copy-on-write of %d pages after fork: "
	      "every page copied once, no write lost (%s)", NTOUCH, COW_PAGES, vt_how(st));
	CHECK(bad == 0, "the parent's pages are untouched (%zu words differ)", bad);
	unmap_alone(base, COW_PAGES);
}

static void round_all(size_t touch_mib)
{
	first_touch(touch_mib);
	mprotect_race();
	munmap_race();
	stack_overflow();
	cow_race();
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	long before;

	printf("thr_vm: the VM under threads: first touch, mprotect/munmap races, "
	       "stack overflow, copy-on-write\n");
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGSEGV, &sa, NULL);
	pthread_attr_init(&small_stack);
	pthread_attr_setstacksize(&small_stack, 128 * 1024);
	round_all(1);			/* warm-up: glibc's stacks, libc's pages */
	thr_quiesce();
	before = tl_frames_free();
	report = 1;
	rounds = RACE_ROUNDS;
	round_all(64);
	thr_quiesce();
	tl_check_no_leak(before);
	return tl_done();
}
