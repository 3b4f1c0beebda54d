/*
 * The big pattern file of the file-reclaim tests (swap_file.c,
 * file_reclaim.c): /tests/big.pattern in Kilburn's root image (48 MiB made
 * at build time by scripts/mkpattern.sh: the 8-byte little-endian word at
 * byte offset o holds o ^ 0x5a5a5a5a5a5a5a5a). Elsewhere (Linux) the same
 * file is written to /tmp first.
 */
#ifndef KILBURN_BIGFILE_H
#define KILBURN_BIGFILE_H

#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>
#include "vmtest.h"

#define BF_PATH		"/tests/big.pattern"
#define BF_TMP		"/tmp/big.pattern"
#define BF_SIZE		(48UL << 20)
#define BF_PAGES	(BF_SIZE / VT_PAGE)
#define BF_MAGIC	0x5a5a5a5a5a5a5a5aULL

/* Does the page at `at` hold page pg of the file? */
static inline int bf_page_ok(const volatile uint64_t *at, size_t pg)
{
	uint64_t off = pg * VT_PAGE;

	for (size_t i = 0; i < VT_PAGE / 8; i++)
		if (at[i] != ((off + 8 * i) ^ BF_MAGIC))
			return 0;
	return 1;
}

/* Write the file to BF_TMP (not on Kilburn); 0 or -1. */
static inline int bf_make_tmp(void)
{
	static uint64_t buf[VT_PAGE * 16 / 8];
	int fd = open(BF_TMP, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	for (uint64_t off = 0; off < BF_SIZE; off += sizeof(buf)) {
		for (size_t i = 0; i < sizeof(buf) / 8; i++)
			buf[i] = (off + 8 * i) ^ BF_MAGIC;
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

/* The file's path: the root image's, or a fresh copy in /tmp. NULL: none. */
static inline const char *bf_path(void)
{
	if (access(BF_PATH, R_OK) == 0)
		return BF_PATH;
	return bf_make_tmp() == 0 ? BF_TMP : NULL;
}

/* Pages of [p, p + len) in memory, as mincore says; -1 on error. */
static inline long bf_resident(void *p, size_t len)
{
	static unsigned char vec[BF_PAGES];
	long n = 0;

	if (len / VT_PAGE > BF_PAGES || mincore(p, len, vec) < 0)
		return -1;
	for (size_t i = 0; i < len / VT_PAGE; i++)
		n += vec[i] & 1;
	return n;
}

/* Pages of the mapping p (BF_SIZE bytes) holding the file's pattern. */
static inline size_t bf_check_all(const char *p)
{
	size_t good = 0;

	for (size_t pg = 0; pg < BF_PAGES; pg++)
		good += bf_page_ok((const volatile uint64_t *)(p + pg * VT_PAGE), pg);
	return good;
}

/* This process's major faults so far. */
static inline long bf_majflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_majflt : -1;
}

/* A counter of /proc/vmstat, or -1. */
static inline long bf_vmstat(const char *name)
{
	return vt_vmstat(name);
}

/*
 * Write every page of this program's own writable mappings (data,
 * bss, heap, stack) with what it holds: before the first count, so that
 * none is first touched later, and before the last, so that none is left
 * on swap (a page read back may keep its slot as a copy; a write frees it).
 */
static inline void bf_touch_own_memory(void)
{
	static char buf[8192];
	char *p;

	if (vt_read_file("/proc/self/maps", buf, sizeof(buf)) < 0)
		return;
	for (p = buf; p && *p; p = strchr(p, '\n')) {
		unsigned long start, end;
		char *q;

		if (*p == '\n')
			p++;
		start = strtoul(p, &q, 16);
		end = strtoul(q + 1, &q, 16);
		if (q[1] != 'r' || q[2] != 'w')
			continue;
		for (unsigned long va = start; va < end; va += VT_PAGE) {
			volatile char *c = (volatile char *)va;

			*c = *c;
		}
	}
}

#endif
