/*
 * policybench: replacement quality. Runs the hot-set-plus-scan reference
 * string of hotscan.h on anonymous memory (one page a reference: the first
 * pass writes each page, later references read a byte of it) and prints its
 * major faults and pages read from swap, with what the host needs to
 * simulate the same string: the string's shape, its length and checksum,
 * and the frames the workload had (the mean number of its pages resident,
 * by mincore, at the end of each round; the free memory at its start too).
 *
 * Booted by `make bench-policy` once per policy (vm.policy=NAME) on one hart
 * with 64 MiB of RAM and a 256 MiB swap area; scripts/bench-policy.sh puts
 * the guest's figures next to the simulator's. Never fails.
 *
 *	policybench [hot loop hot_refs rounds seed ballast_mib]
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "hotscan.h"
#include "procread.h"

#define PAGE	4096UL

/*
 * Sized for 64 MiB of RAM of which BALLAST_MIB are pinned with mlock first
 * (taken off the policies at their first look): the workload gets about
 * 1,900 frames. Without the ballast it would get about 15,000, and the
 * kernel's LRU, which scans every frame for each victim, would need more
 * than ten minutes for the string.
 */
#define BALLAST_MIB	52
#define HOT		470	/* about a quarter of the frames */
#define LOOP		2830	/* about 1.5 times the frames */
#define HOT_REFS	(4 * HOT)
#define ROUNDS		10
#define SEED		42

static long majflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_majflt : 0;
}

/* How many of the npages pages at p are resident. */
static size_t resident(char *p, size_t npages, unsigned char *vec)
{
	size_t n = 0;

	if (mincore(p, npages * PAGE, vec) < 0)
		return 0;
	for (size_t i = 0; i < npages; i++)
		n += vec[i] & 1;
	return n;
}

static uint32_t arg(int argc, char **argv, int i, uint32_t dflt)
{
	return argc > i ? (uint32_t)strtoul(argv[i], NULL, 0) : dflt;
}

int main(int argc, char **argv)
{
	uint32_t hot = arg(argc, argv, 1, HOT), loop = arg(argc, argv, 2, LOOP);
	uint32_t hot_refs = arg(argc, argv, 3, HOT_REFS), rounds = arg(argc, argv, 4, ROUNDS);
	uint32_t seed = arg(argc, argv, 5, SEED), page, last_round = 0;
	size_t npages = (size_t)hot + loop, frames_sum = 0;
	size_t ballast_len = (size_t)arg(argc, argv, 6, BALLAST_MIB) << 20;
	void *ballast = ballast_len ? mmap(NULL, ballast_len, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) : NULL;
	int locked = ballast && ballast != MAP_FAILED && mlock(ballast, ballast_len) == 0;
	char *p = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *vec = malloc(npages);
	uint64_t free0 = proc_value("/proc/meminfo", "MemFree");
	uint64_t avail0 = proc_value("/proc/meminfo", "MemAvailable");
	uint64_t in0 = vmstat("pswpin"), out0 = vmstat("pswpout");
	uint64_t unused0 = vmstat("kilburn_swap_ra_unused"), ra0 = vmstat("swap_ra_hit");
	long maj0 = majflt();
	volatile char sink = 0;
	struct timespec t0, t1;
	struct hotscan h;
	int kind;

	if (p == MAP_FAILED || !vec) {
		printf("policybench: no memory\n");
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	hotscan_init(&h, hot, loop, hot_refs, rounds, seed);
	while ((kind = hotscan_next(&h, &page)) != 0) {
		if (h.round != last_round) {	/* a pass or round ended */
			if (last_round > 0)
				frames_sum += resident(p, npages, vec);
			last_round = h.round;
		}
		if (kind == 2)
			p[page * PAGE] = (char)(page | 1);
		else
			sink ^= p[page * PAGE];
	}
	frames_sum += resident(p, npages, vec);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	(void)sink;
	printf("policybench: shape hot=%u loop=%u hot_refs=%u rounds=%u seed=%u\n",
	       hot, loop, hot_refs, rounds, seed);
	printf("policybench: refs=%llu sum=%016llx\n", (unsigned long long)h.n,
	       (unsigned long long)h.sum);
	printf("policybench: majflt=%ld pswpin=%llu pswpout=%llu ra_hit=%llu ra_unused=%llu\n",
	       majflt() - maj0, (unsigned long long)(vmstat("pswpin") - in0),
	       (unsigned long long)(vmstat("pswpout") - out0),
	       (unsigned long long)(vmstat("swap_ra_hit") - ra0),
	       (unsigned long long)(vmstat("kilburn_swap_ra_unused") - unused0));
	printf("policybench: ballast=%zu MiB %s\n", ballast_len >> 20,
	       locked ? "locked" : "NOT locked");
	printf("policybench: frames=%zu memfree_kb=%llu memavailable_kb=%llu seconds=%.1f\n",
	       rounds ? frames_sum / rounds : 0, (unsigned long long)free0,
	       (unsigned long long)avail0,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	munmap(p, npages * PAGE);
	return 0;
}
