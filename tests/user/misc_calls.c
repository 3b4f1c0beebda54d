/*
 * misc_calls: small calls programs expect, as Linux answers them.
 * /dev/full reads as zeros and refuses writes with ENOSPC; /dev/urandom
 * and /dev/random give as many bytes as asked for, and two reads differ;
 * getrandom fills a buffer; sched_getaffinity names at least one CPU and
 * sched_setaffinity takes that mask back but refuses an empty one; pinned
 * to each CPU in turn, the process runs there (/proc/self/stat's processor
 * field) and sched_getaffinity gives that CPU alone;
 * sched_get_priority_min/max give Linux's ranges (1..99 for SCHED_FIFO
 * and SCHED_RR, 0..0 for SCHED_OTHER) and EINVAL for an unknown policy;
 * getgroups counts with size 0 and refuses a short buffer. No frame is
 * leaked.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include <errno.h>
#include <sched.h>
#include <sys/random.h>
#include <unistd.h>

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void devices(void)
{
	unsigned char a[512], b[512];
	int fd = open("/dev/full", O_RDWR);

	memset(a, 1, sizeof(a));
	TL_CHECK(fd >= 0 && read(fd, a, sizeof(a)) == sizeof(a) && all_zero(a, sizeof(a)),
		 "/dev/full reads as zeros");
	TL_CHECK(write(fd, "x", 1) < 0 && errno == ENOSPC, "and a write is ENOSPC");
	close(fd);
	fd = open("/dev/urandom", O_RDONLY);
	TL_CHECK(fd >= 0 && read(fd, a, sizeof(a)) == sizeof(a) &&
		 read(fd, b, sizeof(b)) == sizeof(b), "/dev/urandom gives what is asked");
	TL_CHECK(memcmp(a, b, sizeof(a)) != 0 && !all_zero(a, sizeof(a)), "two reads differ");
	close(fd);
	fd = open("/dev/random", O_RDONLY);
	TL_CHECK(fd >= 0 && read(fd, a, 64) == 64, "/dev/random too");
	close(fd);
	fd = open("/dev/urandom", O_WRONLY);
	TL_CHECK(fd >= 0 && write(fd, "seed", 4) == 4, "writing /dev/urandom is accepted");
	close(fd);
	TL_CHECK(getrandom(a, 100, 0) == 100, "getrandom fills 100 bytes");
}

static void scheduling(void)
{
	cpu_set_t set, none;

	CPU_ZERO(&set);
	TL_CHECK(sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) >= 1,
		 "sched_getaffinity names at least one CPU");
	TL_CHECK(sched_getaffinity(getpid(), sizeof(set), &set) == 0, "of its own pid too");
	TL_CHECK(sched_setaffinity(0, sizeof(set), &set) == 0, "sched_setaffinity takes it back");
	CPU_ZERO(&none);
	TL_CHECK(sched_setaffinity(0, sizeof(none), &none) < 0 && errno == EINVAL,
		 "an empty mask is EINVAL");
	TL_CHECK(sched_getaffinity(99999, sizeof(set), &set) < 0 && errno == ESRCH,
		 "no such process: ESRCH");
	TL_CHECK(sched_get_priority_min(SCHED_FIFO) == 1 && sched_get_priority_max(SCHED_FIFO) == 99,
		 "SCHED_FIFO: 1..99");
	TL_CHECK(sched_get_priority_min(SCHED_RR) == 1 && sched_get_priority_max(SCHED_RR) == 99,
		 "SCHED_RR: 1..99");
	TL_CHECK(sched_get_priority_min(SCHED_OTHER) == 0 && sched_get_priority_max(SCHED_OTHER) == 0,
		 "SCHED_OTHER: 0..0");
	TL_CHECK(sched_get_priority_max(42) < 0 && errno == EINVAL, "an unknown policy: EINVAL");
}

/* The processor field (39) of /proc/self/stat, or -1. */
static int stat_processor(void)
{
	char buf[1024], *p;
	int fd = open("/proc/self/stat", O_RDONLY), field = 2;
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')');		/* the name may hold spaces */
	while (p && field < 39) {
		p = strchr(p + 1, ' ');
		field++;
	}
	return p ? atoi(p + 1) : -1;
}

/*
 * Pinned to each CPU of the mask in turn, the process runs there. Passes
 * on Linux built natively; under qemu-riscv64 the first check fails, as
 * QEMU makes up /proc/self/stat with processor 0.
 */
static void pinning(void)
{
	cpu_set_t all, one, got;
	int n = 0, on_it = 0, exact = 0;

	if (sched_getaffinity(0, sizeof(all), &all) != 0)
		return;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		int ok = 1;

		if (!CPU_ISSET(cpu, &all))
			continue;
		n++;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one) != 0)
			continue;
		for (int i = 0; i < 20; i++) {
			sched_yield();
			ok &= stat_processor() == cpu;
		}
		on_it += ok;
		exact += sched_getaffinity(0, sizeof(got), &got) == 0 &&
			 CPU_COUNT(&got) == 1 && CPU_ISSET(cpu, &got);
	}
	sched_setaffinity(0, sizeof(all), &all);
	TL_CHECK(n >= 1 && on_it == n, "pinned to each CPU in turn, the process runs there");
	TL_CHECK(exact == n, "sched_getaffinity gives the one CPU it was pinned to");
}

static void groups(void)
{
	gid_t list[256];
	int n = getgroups(0, NULL);

	TL_CHECK(n >= 0 && getgroups(256, list) == n, "getgroups(0) counts what getgroups gives");
	if (n > 0)
		TL_CHECK(getgroups(n - 1, list) < 0 && errno == EINVAL, "a short buffer is EINVAL");
}

int main(void)
{
	long before;

	printf("misc_calls: /dev/full, /dev/random, affinity, priorities, groups\n");
	devices();
	scheduling();
	pinning();
	groups();
	before = tl_frames_free();
	devices();
	scheduling();
	groups();
	tl_check_no_leak(before);
	return tl_done();
}
