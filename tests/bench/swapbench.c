/*
 * swapbench: what swap costs. Booted by `make bench` on one hart under
 * -icount with 64 MiB of RAM and a swap area on /dev/vdb (swap=). Under
 * -icount, rdinstret counts virtual time with the idle time in it, so the
 * CPU's cost of page-out and page-in is counted by the kernel itself,
 * without its waits for the disk (/proc/vmstat's kilburn_swap{out,in}_cpu_*
 * counters). Of the anonymous read-back pass, also the pages read per
 * fault and the pages mapped around a fault (swap fault-around).
 * Throughput is not measured here: virtual time jumps over the
 * waits for the disk (sleep=off); tests/bench/swapio.c measures it in a boot
 * without -icount. Then the same for a /tmp file of twice RAM: written
 * with write(2), read back with read(2), then read again through a shared
 * mapping (pages per read request, instructions per page swapped in, major
 * faults). Last, the 48 MiB pattern file of the root disk, not cached, read
 * with read(2) and then through a mapping (file readahead: pages read
 * ahead, reads of the disk, major faults). Prints a table; never fails.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include "procread.h"

#define PAGE	4096UL

struct snap {
	uint64_t out_i, out_p, in_i, in_p, wreq, rreq, pswpout, pswpin, ra, around;
	long majflt, faults;
};

/* Our major faults so far. */
static long majflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_majflt : 0;
}

/* Our faults so far, minor and major. */
static long faults(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_minflt + ru.ru_majflt : 0;
}

static void take(struct snap *s)
{
	s->out_i = vmstat("kilburn_swapout_cpu_instructions");
	s->out_p = vmstat("kilburn_swapout_cpu_pages");
	s->in_i = vmstat("kilburn_swapin_cpu_instructions");
	s->in_p = vmstat("kilburn_swapin_cpu_pages");
	s->wreq = vmstat("kilburn_swap_write_requests");
	s->pswpout = vmstat("pswpout");
	s->pswpin = vmstat("pswpin");
	s->rreq = vmstat("kilburn_swap_read_requests");
	s->ra = vmstat("swap_ra");
	s->around = vmstat("kilburn_swap_ra_mapped");
	s->majflt = majflt();
	s->faults = faults();
}

static void row(const char *what, double v, const char *unit)
{
	printf("| %-44s | %10.1f %s\n", what, v, unit);
}

/* The swap-in rows of the phase from a to b. */
static void swapin_rows(const char *what, const struct snap *a, const struct snap *b)
{
	char name[64];

	snprintf(name, sizeof(name), "%s: pages swapped in", what);
	row(name, (double)(b->pswpin - a->pswpin), "");
	snprintf(name, sizeof(name), "%s: pages per read request", what);
	row(name, b->rreq - a->rreq ? (double)(b->pswpin - a->pswpin) / (b->rreq - a->rreq) : 0, "");
	snprintf(name, sizeof(name), "%s: pages read ahead", what);
	row(name, (double)(b->ra - a->ra), "");
	snprintf(name, sizeof(name), "%s: major faults", what);
	row(name, (double)(b->majflt - a->majflt), "");
	snprintf(name, sizeof(name), "%s: pages swapped out meanwhile", what);
	row(name, (double)(b->pswpout - a->pswpout), "");
	snprintf(name, sizeof(name), "%s: pages per write request", what);
	row(name, b->wreq - a->wreq ? (double)(b->pswpout - a->pswpout) / (b->wreq - a->wreq) : 0, "");
	snprintf(name, sizeof(name), "%s: CPU instr. per page in", what);
	row(name, b->in_p - a->in_p ? (double)(b->in_i - a->in_i) / (b->in_p - a->in_p) : 0, "");
}

#define TMPFILE	"/tmp/swapbench"
#define CHUNK	(64UL << 10)

/*
 * A /tmp file of twice RAM: written with write(2), read back in order with
 * read(2), then through a shared mapping, a read of each page in order.
 */
static void tmpfs_bench(size_t npages)
{
	static char buf[CHUNK];
	int fd = open(TMPFILE, O_RDWR | O_CREAT | O_TRUNC, 0600);
	struct snap a, b, c;
	volatile char sink = 0;
	size_t done;
	char *p;

	if (fd < 0) {
		printf("no %s\n", TMPFILE);
		return;
	}
	for (done = 0; done < npages * PAGE; done += CHUNK) {
		memset(buf, (int)(done / PAGE) | 1, CHUNK);
		if (write(fd, buf, CHUNK) != (ssize_t)CHUNK)
			break;
	}
	take(&a);
	for (done = 0; done < npages * PAGE; done += CHUNK)
		if (pread(fd, buf, CHUNK, done) != (ssize_t)CHUNK)
			break;
	take(&b);
	p = mmap(NULL, npages * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED) {
		for (size_t i = 0; i < npages; i++)
			sink ^= p[i * PAGE];
		munmap(p, npages * PAGE);
	}
	take(&c);
	(void)sink;
	close(fd);
	unlink(TMPFILE);
	swapin_rows("tmpfs read(2)", &a, &b);
	swapin_rows("tmpfs mapped", &b, &c);
}

#define BIGFILE	"/tests/big.pattern"

static void drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "3\n", 2) != 2)
			printf("drop_caches failed\n");
		close(fd);
	}
}

/* The rows of a pass over the root disk's file of npages pages. */
static void file_rows(const char *what, size_t npages, uint64_t ra, long maj)
{
	char name[64];

	snprintf(name, sizeof(name), "%s: pages read ahead", what);
	row(name, (double)ra, "");
	snprintf(name, sizeof(name), "%s: disk reads (pages/read)", what);
	row(name, (double)(npages - ra), "");
	row("  pages per disk read", npages > ra ? (double)npages / (npages - ra) : 0, "");
	snprintf(name, sizeof(name), "%s: major faults", what);
	row(name, (double)maj, "");
}

/*
 * The root disk's pattern file, nothing of it cached: read in order with
 * read(2), then (cache dropped again) through a mapping, a byte per page.
 * Every page not read ahead is one disk read.
 */
static void file_bench(void)
{
	static char buf[CHUNK];
	int fd = open(BIGFILE, O_RDONLY);
	off_t size = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
	size_t npages = size > 0 ? (size_t)size / PAGE : 0, done;
	volatile char sink = 0;
	uint64_t ra;
	long maj;
	char *p;

	if (!npages) {
		printf("no %s\n", BIGFILE);
		return;
	}
	drop_caches();
	ra = vmstat("kilburn_file_ra");
	maj = majflt();
	for (done = 0; done + CHUNK <= npages * PAGE; done += CHUNK)
		if (pread(fd, buf, CHUNK, done) != (ssize_t)CHUNK)
			break;
	file_rows("root file read(2)", npages, vmstat("kilburn_file_ra") - ra, majflt() - maj);
	drop_caches();
	p = mmap(NULL, npages * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED) {
		ra = vmstat("kilburn_file_ra");
		maj = majflt();
		for (size_t i = 0; i < npages; i++)
			sink ^= p[i * PAGE];
		file_rows("root file mapped", npages, vmstat("kilburn_file_ra") - ra,
			  majflt() - maj);
		munmap(p, npages * PAGE);
	}
	(void)sink;
	close(fd);
}

int main(void)
{
	size_t npages = 2 * (64UL << 20) / PAGE;	/* twice RAM */
	char *p = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct snap a, b, c;
	volatile char sink = 0;

	printf("Kilburn swap benchmarks (64 MiB of RAM, twice that in anonymous memory)\n");
	if (p == MAP_FAILED) {
		printf("mmap failed\n");
		return 0;
	}
	take(&a);
	for (size_t i = 0; i < npages; i++)
		memset(p + i * PAGE, (int)i | 1, PAGE);
	take(&b);
	for (size_t i = 0; i < npages; i++)
		sink ^= p[i * PAGE];
	take(&c);
	(void)sink;

	printf("| %-44s | %12s\n", "", "");
	printf("|----------------------------------------------|-------------\n");
	row("CPU instructions per page swapped out",
	    c.out_p - a.out_p ? (double)(c.out_i - a.out_i) / (c.out_p - a.out_p) : 0, "");
	row("CPU instructions per page swapped in",
	    c.in_p - a.in_p ? (double)(c.in_i - a.in_i) / (c.in_p - a.in_p) : 0, "");
	row("pages per write request",
	    c.wreq - a.wreq ? (double)(c.pswpout - a.pswpout) / (c.wreq - a.wreq) : 0, "");
	row("read-back: pages per fault (each page read)",
	    c.faults - b.faults ? (double)npages / (c.faults - b.faults) : 0, "");
	row("read-back: pages mapped around", (double)(c.around - b.around), "");
	munmap(p, npages * PAGE);
	tmpfs_bench(npages);
	file_bench();
	return 0;
}
