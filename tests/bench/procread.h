/*
 * procread.h - reading one counter of a /proc file, for the benchmark
 * programs (Kilburn's C library or glibc alike).
 */
#ifndef BENCH_PROCREAD_H
#define BENCH_PROCREAD_H

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The value of the line "name value" or "name: value" of the /proc file
 * path (its first number), or 0 if the file or the line is missing.
 */
static inline uint64_t proc_value(const char *path, const char *name)
{
	static char buf[16384];
	size_t len = strlen(name);
	int fd = open(path, O_RDONLY), n, got = 0;

	if (fd < 0)
		return 0;
	while (got < (int)sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = 0;
	for (char *p = buf; p && *p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, name, len) == 0 && (p[len] == ' ' || p[len] == ':'))
			return strtoull(p + len + 1 + strspn(p + len + 1, " "), NULL, 10);
	}
	return 0;
}

/* A /proc/vmstat counter, or 0. */
static inline uint64_t vmstat(const char *name)
{
	return proc_value("/proc/vmstat", name);
}

#endif
