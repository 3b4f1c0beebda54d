/*
 * hotscan_trace - write the replacement benchmark's page-reference string
 * (tests/bench/hotscan.h) as a trace for sim_policy, one page a line, and
 * print its length and checksum on stderr in the words the guest program
 * (tests/bench/policybench.c) prints them, so the two can be compared.
 *
 *	hotscan_trace hot loop hot_refs rounds seed > trace
 */
#include <stdio.h>
#include <stdlib.h>

#include "../tests/bench/hotscan.h"

int main(int argc, char **argv)
{
	struct hotscan h;
	uint32_t page;

	if (argc != 6) {
		fprintf(stderr, "usage: hotscan_trace hot loop hot_refs rounds seed\n");
		return 2;
	}
	hotscan_init(&h, (uint32_t)strtoul(argv[1], NULL, 0),
		     (uint32_t)strtoul(argv[2], NULL, 0),
		     (uint32_t)strtoul(argv[3], NULL, 0),
		     (uint32_t)strtoul(argv[4], NULL, 0),
		     strtoull(argv[5], NULL, 0));
	while (hotscan_next(&h, &page))
		printf("%u\n", page);
	fprintf(stderr, "refs=%llu sum=%016llx\n", (unsigned long long)h.n,
		(unsigned long long)h.sum);
	return ferror(stdout) ? 1 : 0;
}
