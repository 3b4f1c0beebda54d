/*
 * hart.h - which hart a thread runs on, for the glibc benchmark programs.
 */
#ifndef BENCH_HART_H
#define BENCH_HART_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The hart the calling thread runs on: field 39 of its /proc stat, or -1. */
static inline int my_hart(void)
{
	char path[64], buf[512], *p;
	int hart = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", (long)syscall(SYS_gettid));
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')'))) {
		for (int field = 2; field < 39 && p; field++)
			p = strchr(p + 1, ' ');
		if (p)
			hart = atoi(p + 1);
	}
	fclose(f);
	return hart;
}

#endif
