/*
 * free [-b|-k|-m|-g|-h]: memory in use, from /proc/meminfo, in procps-ng's
 * layout:
 *
 *                total        used        free      shared  buff/cache   available
 *   Mem:        131072       10240      110000         128       10832      118000
 *   Swap:         8188           0        8188
 *
 * shared is Shmem, buff/cache is Buffers + Cached + SReclaimable,
 * available is MemAvailable, used is total - free - buff/cache. Sizes are
 * in KiB (-k, the default), bytes (-b), MiB (-m), GiB (-g) or with a unit
 * each (-h: "1.5Gi", as procps).
 */
#include <procread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int shift = 0;		/* divide kB by 2^shift; -10: bytes */
static int human;

static void column(unsigned long kb)
{
	char buf[32];

	if (human)
		proc_human(buf, sizeof(buf), kb);
	else if (shift < 0)
		snprintf(buf, sizeof(buf), "%lu", kb * 1024);
	else
		snprintf(buf, sizeof(buf), "%lu", kb >> shift);
	printf(" %11s", buf);
}

int main(int argc, char **argv)
{
	static char text[8192];
	long total, mfree, shared, cache, avail, stotal, sfree;
	int c;

	while ((c = getopt(argc, argv, "bkmgh")) != -1) {
		if (c == '?') {
			fprintf(stderr, "usage: free [-b|-k|-m|-g|-h]\n");
			return 1;
		}
		human = c == 'h';
		shift = c == 'b' ? -10 : c == 'm' ? 10 : c == 'g' ? 20 : 0;
	}
	if (proc_read("/proc/meminfo", text, sizeof(text)) <= 0) {
		perror("free: /proc/meminfo");
		return 1;
	}
	total = proc_value(text, "MemTotal");
	mfree = proc_value(text, "MemFree");
	shared = proc_value(text, "Shmem");
	cache = proc_value(text, "Buffers") + proc_value(text, "Cached") +
		proc_value(text, "SReclaimable");
	avail = proc_value(text, "MemAvailable");
	stotal = proc_value(text, "SwapTotal");
	sfree = proc_value(text, "SwapFree");
	if (total < 0 || mfree < 0 || avail < 0 || stotal < 0 || sfree < 0) {
		fprintf(stderr, "free: /proc/meminfo lacks a field\n");
		return 1;
	}
	printf("       %11s %11s %11s %11s %11s %11s\n", "total", "used", "free",
	       "shared", "buff/cache", "available");
	printf("%-7s", "Mem:");
	column((unsigned long)total);
	column((unsigned long)(total - mfree - cache > 0 ? total - mfree - cache : 0));
	column((unsigned long)mfree);
	column((unsigned long)shared);
	column((unsigned long)cache);
	column((unsigned long)avail);
	printf("\n%-7s", "Swap:");
	column((unsigned long)stotal);
	column((unsigned long)(stotal - sfree));
	column((unsigned long)sfree);
	printf("\n");
	return 0;
}
