/*
 * vmbench: guest instructions per memory operation, measured with rdinstret.
 * Booted by `make bench` on one hart under QEMU's -icount shift=0,sleep=off,
 * where instruction counts are deterministic. Prints a table; never fails.
 */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE		4096
#define NPAGES		256

static inline uint64_t instret(void)
{
	uint64_t n;

	__asm__ volatile("rdinstret %0" : "=r"(n) :: "memory");
	return n;
}

static uint64_t overhead;

static void report(const char *what, uint64_t total, uint64_t ops)
{
	uint64_t per = ops ? total / ops : 0;

	printf("| %-44s | %10llu |\n", what,
	       (unsigned long long)(per > overhead ? per - overhead : per));
}

static char *map(size_t len, int prot)
{
	char *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

static void bench_first_write(void)
{
	char *p = map(NPAGES * PAGE, PROT_READ | PROT_WRITE);
	uint64_t total = 0;

	for (int i = 0; i < NPAGES; i++) {
		uint64_t t = instret();

		p[i * PAGE] = 1;
		total += instret() - t;
	}
	report("first write to an anonymous page", total, NPAGES);
	munmap(p, NPAGES * PAGE);
}

static void bench_zero_read(void)
{
	volatile char *p = map(NPAGES * PAGE, PROT_READ | PROT_WRITE);
	uint64_t total = 0;

	for (int i = 0; i < NPAGES; i++) {
		uint64_t t = instret();

		(void)p[i * PAGE];
		total += instret() - t;
	}
	report("read of a never-written page", total, NPAGES);
	munmap((void *)p, NPAGES * PAGE);
}

static void bench_cow(void)
{
	char *p = map(NPAGES * PAGE, PROT_READ | PROT_WRITE);
	uint64_t total = 0;
	int fds[2];
	pid_t pid;

	memset(p, 1, NPAGES * PAGE);
	if (pipe(fds) < 0)
		return;
	pid = fork();
	if (pid == 0) {		/* keep the pages shared until the parent is done */
		char c;

		close(fds[1]);
		read(fds[0], &c, 1);
		_exit(0);
	}
	for (int i = 0; i < NPAGES; i++) {
		uint64_t t = instret();

		p[i * PAGE] = 2;
		total += instret() - t;
	}
	close(fds[1]);
	waitpid(pid, NULL, 0);
	report("copy-on-write fault", total, NPAGES);
	munmap(p, NPAGES * PAGE);
}

static void bench_fork(void)
{
	size_t len = 16 << 20;
	char *p = map(len, PROT_READ | PROT_WRITE);
	uint64_t total = 0;
	int rounds = 8;

	memset(p, 1, len);
	for (int i = 0; i < rounds; i++) {
		uint64_t t = instret();
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
		total += instret() - t;
	}
	report("fork+exit+wait, 16 MiB resident", total, rounds);
	munmap(p, len);
}

/* fork, exec path with argv (the environment of init), exit, wait. */
static uint64_t fork_exec(const char *path, char **argv)
{
	uint64_t t = instret();
	pid_t pid = fork();

	if (pid == 0) {
		execv(path, argv);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
	return instret() - t;
}

static void bench_fork_exec(void)
{
	static char big[4][25 * 1024];
	char *argv[] = { "/bin/true", big[0], big[1], big[2], big[3], NULL };
	char *small[] = { "/bin/true", NULL };
	uint64_t total = 0;
	int rounds = 8;

	for (int i = 0; i < 4; i++)
		memset(big[i], 'a' + i, sizeof(big[i]) - 1);
	fork_exec(small[0], small);	/* warm the page cache */
	for (int i = 0; i < rounds; i++)
		total += fork_exec(small[0], small);
	report("fork+exec+exit+wait of /bin/true", total, rounds);
	total = 0;
	for (int i = 0; i < rounds; i++)
		total += fork_exec(argv[0], argv);
	report("the same with 100 KiB of arguments", total, rounds);
}

/* MemFree of /proc/meminfo in kB, or 0. */
static long memfree_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long kb = 0;

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "MemFree:", 8) == 0)
			kb = atol(line + 8);
	if (f)
		fclose(f);
	return kb;
}

/* kB of free memory that 8 waiting copies of path take. */
static long eight_copies_kb(const char *path)
{
	char *argv[] = { (char *)path, "wait", NULL };
	int holds[8];
	pid_t pids[8];
	long before = memfree_kb(), after;

	for (int i = 0; i < 8; i++) {
		int fds[2];

		if (pipe(fds) < 0)
			return 0;
		pids[i] = fork();
		if (pids[i] == 0) {
			dup2(fds[0], 0);
			close(fds[1]);
			execv(path, argv);
			_exit(127);
		}
		close(fds[0]);
		holds[i] = fds[1];
	}
	for (int i = 0; i < 40; i++)	/* let them all reach their read */
		sched_yield();
	after = memfree_kb();
	for (int i = 0; i < 8; i++)
		close(holds[i]);
	for (int i = 0; i < 8; i++)
		waitpid(pids[i], NULL, 0);
	return before - after;
}

/*
 * The same small glibc program linked statically and dynamically: what
 * starting it through the dynamic linker costs, and what eight running
 * copies take (libc's text shared by the dynamic ones).
 */
static void bench_dynamic(void)
{
	const char *progs[2] = { "/bench/small-static", "/bench/small-dynamic" };
	const char *names[2] = { "fork+exec+exit+wait, static glibc program",
				 "fork+exec+exit+wait, same program dynamic" };
	int rounds = 8;

	for (int k = 0; k < 2; k++) {
		char *argv[] = { (char *)progs[k], NULL };
		uint64_t total = 0;

		fork_exec(argv[0], argv);	/* warm the page cache */
		for (int i = 0; i < rounds; i++)
			total += fork_exec(argv[0], argv);
		report(names[k], total, rounds);
	}
	for (int k = 0; k < 2; k++) {
		eight_copies_kb(progs[k]);	/* warm */
		printf("| %-44s | %7ld kB |\n", k ? "8 running copies, dynamic: memory taken" :
		       "8 running copies, static: memory taken", eight_copies_kb(progs[k]));
	}
}

/* Instructions per mmap(NULL)+munmap of one page, averaged over rounds. */
static uint64_t mmap_munmap_cost(int rounds)
{
	uint64_t total = 0;

	for (int i = 0; i < rounds; i++) {
		uint64_t t = instret();
		void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		munmap(p, PAGE);
		total += instret() - t;
	}
	return total;
}

static uint64_t few_regions_cost;	/* per op, with the program's few regions */

static void bench_mmap_munmap(void)
{
	int rounds = 256;
	uint64_t total = mmap_munmap_cost(rounds);

	few_regions_cost = total / rounds;
	report("mmap+munmap of one untouched page", total, rounds);
}

/*
 * The same with 60,000 regions above the free space mmap searches: the
 * search for a free range is O(log n), so the cost barely moves.
 */
static void bench_mmap_many_regions(void)
{
	int n = 60000, rounds = 256;
	char *base = map((size_t)n * PAGE, PROT_READ);
	uint64_t total;

	for (int i = 0; i < n; i += 2)
		mprotect(base + (size_t)i * PAGE, PAGE, PROT_NONE);
	total = mmap_munmap_cost(rounds);
	report("mmap+munmap, process with 60,000 regions", total, rounds);
	printf("| %-44s | %10.2f |\n", "  ratio to a process with a few regions",
	       (double)(total / rounds) / (double)few_regions_cost);
	munmap(base, (size_t)n * PAGE);
}

static void bench_mprotect(void)
{
	size_t len = 1 << 20;
	char *p = map(len, PROT_READ | PROT_WRITE);
	uint64_t total = 0;
	int rounds = 16;

	memset(p, 1, len);
	for (int i = 0; i < rounds; i++) {
		uint64_t t = instret();

		mprotect(p, len, i % 2 ? PROT_READ | PROT_WRITE : PROT_READ);
		total += instret() - t;
	}
	report("mprotect of 1 MiB resident", total, rounds);
	munmap(p, len);
}

static void bench_many_regions(void)
{
	int n = 10000;
	char *base = map((size_t)n * PAGE, PROT_READ | PROT_WRITE);
	uint64_t total = 0;

	/* alternate protections so the 10,000 regions cannot merge */
	for (int i = 0; i < n; i += 2)
		mprotect(base + (size_t)i * PAGE, PAGE, PROT_READ);
	for (int i = 1; i < n; i += 40) {
		uint64_t t = instret();

		base[(size_t)i * PAGE] = 1;
		total += instret() - t;
	}
	report("first write, process with 10,000 regions", total, (n + 38) / 40);
	munmap(base, (size_t)n * PAGE);
}

int main(void)
{
	uint64_t t = instret();

	overhead = instret() - t;
	printf("\nKilburn VM benchmarks: guest instructions per operation\n");
	printf("(rdinstret, QEMU -icount shift=0,sleep=off, one hart)\n\n");
	printf("| %-44s | %10s |\n", "operation", "instr/op");
	printf("|----------------------------------------------|------------|\n");
	bench_first_write();
	bench_zero_read();
	bench_cow();
	bench_fork();
	bench_fork_exec();
	bench_dynamic();
	bench_mmap_munmap();
	bench_mprotect();
	bench_many_regions();
	bench_mmap_many_regions();
	return 0;
}
