/*
 * pagetable PID [ADDR]: the process's Sv39 page table as it is, from
 * /proc/PID/pagetable: every valid entry of each level, with permissions,
 * user/global/accessed/dirty bits, the frame number and what the frame is
 * (anon, file, shmem, zero, ...), then a count of tables and pages by kind.
 * With ADDR (hex), only the walk the MMU makes for that address: the entry
 * of each level on the way, and where the address ends up.
 */
#include <procread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char text[1 << 20];

/* The range of the entry line at p: [lo, hi]; 0 if p is not an entry. */
static int entry_range(const char *p, unsigned long *lo, unsigned long *hi)
{
	const char *r = strstr(p, "] 0x");
	char *end;

	if (!r || r > strchr(p, '\n'))
		return 0;
	*lo = strtoul(r + 2, &end, 16);
	*hi = strtoul(end + 1, NULL, 16);
	return 1;
}

static void summary(void)
{
	static const char *const kinds[] = { " anon ", " file ", " shmem ", " zero " };
	long tables = 0, pages = 0, by_kind[4] = { 0 };

	for (char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (*p == '#')
			continue;	/* the header names the root table */
		if (strstr(p, "table pfn") && strstr(p, "table pfn") < strchr(p, '\n'))
			tables++;
		else if (strstr(p, " pfn ") && strstr(p, " pfn ") < strchr(p, '\n'))
			pages++;
		for (int k = 0; k < 4; k++)
			if (strstr(p, kinds[k]) && strstr(p, kinds[k]) < strchr(p, '\n'))
				by_kind[k]++;
	}
	printf("%ld tables below the root, %ld pages mapped: %ld anon, %ld file, "
	       "%ld shmem, %ld zero\n", tables, pages, by_kind[0], by_kind[1],
	       by_kind[2], by_kind[3]);
}

/* Print the entries on the walk to addr. */
static int walk(unsigned long addr)
{
	const char *leaf = NULL;

	for (char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		unsigned long lo, hi;

		if (*p == '#') {
			printf("%.*s\n", (int)strcspn(p, "\n"), p);
			continue;
		}
		if (!entry_range(p, &lo, &hi) || addr < lo || addr > hi)
			continue;
		printf("%.*s\n", (int)strcspn(p, "\n"), p);
		if (!strstr(p, "table pfn") || strstr(p, "table pfn") > strchr(p, '\n'))
			leaf = p;
	}
	if (!leaf) {
		printf("0x%lx: not mapped (a fault would come first)\n", addr);
		return 1;
	}
	printf("0x%lx -> physical 0x%lx\n", addr,
	       strtoul(strstr(leaf, " pfn ") + 5, NULL, 16) << 12 | (addr & 0xfff));
	return 0;
}

int main(int argc, char **argv)
{
	char path[64];

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: pagetable pid [address]\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/proc/%s/pagetable", argv[1]);
	if (proc_read(path, text, sizeof(text)) <= 0) {
		perror(path);
		return 1;
	}
	if (argc == 3)
		return walk(strtoul(argv[2], NULL, 16));
	fputs(text, stdout);
	summary();
	return 0;
}
