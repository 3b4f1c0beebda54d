/*
 * free: shows memory use from /proc/meminfo, whose lines look like
 * "MemTotal:       131072 kB". Prints total, used (total - free) and free
 * in KiB for MemTotal/MemFree, and for SwapTotal/SwapFree when present.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The value (in kB) of line "key:" in text, or -1 if absent. */
static long meminfo_value(const char *text, const char *key)
{
	size_t len = strlen(key);

	for (const char *p = text; *p; ) {
		if (strncmp(p, key, len) == 0 && p[len] == ':')
			return strtol(p + len + 1, 0, 10);
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return -1;
}

int main(void)
{
	char text[8192];
	int fd = open("/proc/meminfo", O_RDONLY), total = 0, n;
	long mt, mf, st, sf;

	if (fd < 0) {
		perror("free: /proc/meminfo");
		return 1;
	}
	while (total < (int)sizeof(text) - 1 &&
	       (n = (int)read(fd, text + total, sizeof(text) - 1 - (size_t)total)) > 0)
		total += n;
	close(fd);
	text[total] = 0;
	mt = meminfo_value(text, "MemTotal");
	mf = meminfo_value(text, "MemFree");
	st = meminfo_value(text, "SwapTotal");
	sf = meminfo_value(text, "SwapFree");
	if (mt < 0 || mf < 0) {
		fprintf(stderr, "free: /proc/meminfo lacks MemTotal or MemFree\n");
		return 1;
	}
	printf("%-6s %12s %12s %12s\n", "KiB", "total", "used", "free");
	printf("%-6s %12ld %12ld %12ld\n", "Mem:", mt, mt - mf, mf);
	if (st >= 0 && sf >= 0)
		printf("%-6s %12ld %12ld %12ld\n", "Swap:", st, st - sf, sf);
	return 0;
}
