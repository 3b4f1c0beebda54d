/*
 * swapbench: what swap costs. Booted by `make bench` on one hart under
 * -icount with 64 MiB of RAM and a swap area on /dev/vdb (swap=). Under
 * -icount, rdinstret counts virtual time with the idle time in it, so the
 * CPU's cost of page-out and page-in is counted by the kernel itself,
 * without its waits for the disk (/proc/vmstat's kilburn_swap{out,in}_cpu_*
 * counters). Throughput is not measured here: virtual time jumps over the
 * waits for the disk (sleep=off); tests/bench/swapio.c measures it in a boot
 * without -icount. Prints a table; never fails.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "procread.h"

#define PAGE	4096UL

struct snap {
	uint64_t out_i, out_p, in_i, in_p, wreq, pswpout, pswpin;
};

static void take(struct snap *s)
{
	s->out_i = vmstat("kilburn_swapout_cpu_instructions");
	s->out_p = vmstat("kilburn_swapout_cpu_pages");
	s->in_i = vmstat("kilburn_swapin_cpu_instructions");
	s->in_p = vmstat("kilburn_swapin_cpu_pages");
	s->wreq = vmstat("kilburn_swap_write_requests");
	s->pswpout = vmstat("pswpout");
	s->pswpin = vmstat("pswpin");
}

static void row(const char *what, double v, const char *unit)
{
	printf("| %-44s | %10.1f %s\n", what, v, unit);
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
	munmap(p, npages * PAGE);
	return 0;
}
