/*
 * stress_swap: several processes keep RAM x 4 of checksummed memory between
 * them, on every hart, for a long time, writing, reading, forking and
 * unmapping at random; every page read is checked against the pattern
 * that names it and its generation. `make stress` boots it (4 harts,
 * 64 MiB, a 512 MiB swap area) for DURATION seconds (30 minutes by
 * default); it ends with the number of corrupted pages, which must be 0.
 *
 *	stress_swap [seconds] [workers]
 */
#include "tlib.h"
#include "vmtest.h"
#include <sys/wait.h>
#include <time.h>

#define PAGE		4096UL
#define CHUNK_PAGES	256		/* munmap/mmap unit: 1 MiB */

static uint64_t word_of(size_t page, unsigned int gen, size_t i)
{
	uint64_t x = (page + 1) * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)gen << 48) ^ i;

	x ^= x >> 29;
	return x * 0xbf58476d1ce4e5b9ULL;
}

static void fill(uint64_t *p, size_t page, unsigned int gen)
{
	for (size_t i = 0; i < PAGE / 8; i++)
		p[i] = word_of(page, gen, i);
}

/* Wrong words of the page (0: right). A page never written holds zeros. */
static int check(const uint64_t *p, size_t page, unsigned int gen)
{
	int bad = 0;

	for (size_t i = 0; i < PAGE / 8; i++)
		bad += p[i] != (gen ? word_of(page, gen, i) : 0);
	return bad != 0;
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One worker: its own npages of memory; returns corrupted pages found. */
static long worker(int id, size_t npages, double end)
{
	char *mem = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint16_t *gen = calloc(npages, sizeof(*gen));
	long corrupt = 0, ops = 0, forks = 0, remaps = 0;

	rng ^= (uint64_t)id * 0x2545F4914F6CDD1DULL + (uint64_t)getpid();
	if (mem == MAP_FAILED || !gen)
		return -1;
	while (now() < end) {
		size_t pg = next() % npages;
		unsigned int op = next() % 1000;

		ops++;
		if (op < 500) {
			gen[pg] = (uint16_t)(gen[pg] % 60000 + 1);
			fill((uint64_t *)(mem + pg * PAGE), pg, gen[pg]);
		} else if (op < 996) {
			corrupt += check((uint64_t *)(mem + pg * PAGE), pg, gen[pg]);
		} else if (op < 998) {
			/* a child checks a sample and writes its own copies */
			pid_t pid;
			int status;

			fflush(stdout);
			pid = fork();
			if (pid == 0) {
				long bad = 0;

				for (int k = 0; k < 2000; k++) {
					size_t p = next() % npages;

					bad += check((uint64_t *)(mem + p * PAGE), p, gen[p]);
					gen[p] = (uint16_t)(gen[p] % 60000 + 1);
					fill((uint64_t *)(mem + p * PAGE), p, gen[p]);
				}
				_exit(bad > 250 ? 250 : (int)bad);
			}
			if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
				corrupt += WEXITSTATUS(status);
			else
				corrupt += 1000;	/* the child died */
			forks++;
		} else {
			/* unmap a chunk and map it again: zeros */
			size_t c = pg / CHUNK_PAGES * CHUNK_PAGES;
			size_t n = npages - c < CHUNK_PAGES ? npages - c : CHUNK_PAGES;

			if (munmap(mem + c * PAGE, n * PAGE) != 0 ||
			    mmap(mem + c * PAGE, n * PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != mem + c * PAGE)
				return -1;
			memset(gen + c, 0, n * sizeof(*gen));
			remaps++;
		}
	}
	/* a last full pass */
	for (size_t pg = 0; pg < npages; pg++)
		corrupt += check((uint64_t *)(mem + pg * PAGE), pg, gen[pg]);
	printf("worker %d: %ld operations, %ld forks, %ld remaps, %ld corrupted pages\n",
	       id, ops, forks, remaps, corrupt);
	fflush(stdout);
	return corrupt;
}

int main(int argc, char **argv)
{
	long seconds = argc > 1 ? atol(argv[1]) : 1800;
	int workers = argc > 2 ? atoi(argv[2]) : 4;
	long mem_kb = vt_proc_kb("/proc/meminfo", "MemTotal:");
	size_t npages;
	double end;
	long corrupt = 0;

	if (mem_kb <= 0 || mem_kb > 64 * 1024)
		mem_kb = 64 * 1024;
	npages = (size_t)mem_kb * 4 / 4 / workers;	/* RAM x 4 in all */
	printf("stress_swap: %d workers, %zu MiB each, %ld s\n", workers,
	       npages * PAGE >> 20, seconds);
	fflush(stdout);
	end = now() + seconds;
	for (int i = 0; i < workers; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			long c = worker(i, npages, end);

			_exit(c < 0 ? 255 : c > 200 ? 200 : (int)c);
		}
	}
	for (int i = 0; i < workers; i++) {
		int status;

		if (wait(&status) < 0 || !WIFEXITED(status)) {
			corrupt += 1000;
			continue;
		}
		corrupt += WEXITSTATUS(status);
	}
	printf("stress_swap: %ld corrupted pages\n", corrupt);
	TL_CHECK(corrupt == 0, "no page came back wrong");
	return tl_done();
}
