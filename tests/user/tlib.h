/*
 * A tiny harness for user-space test programs. Each program is booted as
 * init (init=/tests/NAME) by scripts/run-tests.sh, and also builds and runs
 * on Linux where the behaviour is POSIX.
 *
 *	int main(void)
 *	{
 *		long before;
 *
 *		printf("name: what it proves\n");	(stdout's buffer in use)
 *		... a warm-up round ...
 *		before = tl_frames_free();
 *		...
 *		TL_CHECK(x == 1, "x is one");
 *		tl_check_no_leak(before);
 *		return tl_done();
 *	}
 *
 * Every check prints "PASS what" or "FAIL what (file:line)"; tl_done()
 * prints the totals "N passed, M failed" and returns the exit status (0 if
 * all passed and at least one check ran).
 *
 * The totals live in a MAP_SHARED page made on first use and are added to
 * atomically, so checks made in forked children count in the summary of
 * the program (the runner checks that the number of PASS lines equals N).
 * tl_failed_here counts only this process's failed checks (since it began,
 * or since vt_run forked it): what a child reports in its exit status.
 * A program that runs itself again through exec (vt_exec in vmtest.h)
 * gets the checks of the new image reported back through a pipe.
 *
 * tl_frames_free() on Kilburn brings in every page of the program's own
 * text and read-only data (it is paged in on demand), writes "3" to
 * /proc/sys/vm/drop_caches (clean page-cache pages nobody maps are given
 * back, as on Linux; Kilburn also gives back empty slab pages and unused
 * reverse-map (pv) chunks before answering) and returns MemFree + Slab
 * from /proc/meminfo: frames that
 * are free or hold kernel objects. The first call also notes how many
 * objects each kernel cache holds (/proc/slabinfo). After a warm-up both
 * are exact, and the leak check compares both exactly: no frame and no
 * kernel object may be missing. (Counting slab frames with the free ones
 * keeps the check exact when the same objects end up spread over more slab
 * pages than before.) If a step fails on Kilburn that is a failed check. On
 * Linux it returns -1 and the leak check is skipped.
 */
#ifndef KILBURN_TLIB_H
#define KILBURN_TLIB_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

struct tl_counts {
	int passed;		/* atomic; all processes of the program */
	int failed;		/* atomic */
};

static int tl_failed_here;
static int tl_report_fd = -1;	/* see vt_exec in vmtest.h */

/*
 * The program's shared totals, mapped on first use. Every entry point of
 * tlib calls this before anything else, so the page exists (and is
 * touched) before the first tl_frames_free() reading. If the mapping
 * cannot be made the totals stay private to each process, and the
 * failure is itself a failed check.
 */
static inline struct tl_counts *tl_counts(void)
{
	static struct tl_counts *counts, fallback;
	void *p;

	if (counts)
		return counts;
	p = mmap(NULL, sizeof(*counts), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		counts = &fallback;
		counts->failed++;
		tl_failed_here++;
		printf("FAIL tlib: no MAP_SHARED page for the totals (%s:%d)\n",
		       __FILE__, __LINE__);
		fflush(stdout);
		return counts;
	}
	counts = p;
	/* a fresh page holds zeros; the store brings it in now, not mid-test */
	__atomic_store_n(&counts->passed, 0, __ATOMIC_SEQ_CST);
	if (getenv("TL_REPORT_FD"))
		tl_report_fd = atoi(getenv("TL_REPORT_FD"));
	return counts;
}

/*
 * Count one check in the totals. A program exec'd by a tlib program through
 * vt_exec also reports it to that program, one byte ('P' or 'F') on the
 * pipe named by TL_REPORT_FD.
 */
static inline void tl_count(int ok)
{
	struct tl_counts *c = tl_counts();

	__atomic_add_fetch(ok ? &c->passed : &c->failed, 1, __ATOMIC_SEQ_CST);
	if (!ok)
		tl_failed_here++;
	if (tl_report_fd >= 0 && write(tl_report_fd, ok ? "P" : "F", 1) != 1)
		printf("note: check not reported to the exec'ing program\n");
}

static inline void tl_check(int ok, const char *what, const char *file, int line)
{
	tl_count(ok);
	if (ok)
		printf("PASS %s\n", what);
	else
		printf("FAIL %s (%s:%d)\n", what, file, line);
	fflush(stdout);
}

#define TL_CHECK(cond, what) tl_check(!!(cond), (what), __FILE__, __LINE__)

static inline int tl_on_kilburn(void)
{
	struct utsname u;

	return uname(&u) == 0 && strcmp(u.sysname, "Kilburn") == 0;
}

/* Write "3\n" to /proc/sys/vm/drop_caches; 0 or -1. */
static inline int tl_drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	int n;

	if (fd < 0)
		return -1;
	n = write(fd, "3\n", 2);
	close(fd);
	return n == 2 ? 0 : -1;
}

/* Whether line [line, end) of /proc/self/maps ends with " path". */
static inline int tl_maps_line_is(const char *line, const char *end, const char *path)
{
	size_t len = strlen(path);

	return (size_t)(end - line) > len && end[-(long)len - 1] == ' ' &&
	       strncmp(end - len, path, len) == 0;
}

/*
 * Bring in every page of this program's text and read-only data; 0 or -1.
 * A program is paged in on demand, and a page of it first used between
 * the two readings of a leak check would stay mapped (out of MemFree)
 * although nothing leaked.
 */
static inline int tl_page_in_program(void)
{
	static char maps[8192], exe[256];
	char *line, *end, *p;
	int fd, got = 0, n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	fd = open("/proc/self/maps", O_RDONLY);
	if (n <= 0 || fd < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	exe[n] = 0;
	while (got < (int)sizeof(maps) - 1 &&
	       (n = read(fd, maps + got, sizeof(maps) - 1 - got)) > 0)
		got += n;
	close(fd);
	maps[got] = 0;
	for (line = maps; *line; line = end + (*end == '\n')) {
		unsigned long start = strtoul(line, &p, 16), stop;

		end = strchr(line, '\n') ? strchr(line, '\n') : line + strlen(line);
		stop = strtoul(p + 1, &p, 16);
		if (p[1] != 'r' || p[2] == 'w' || !tl_maps_line_is(line, end, exe))
			continue;
		for (unsigned long va = start; va < stop; va += 4096)
			(void)*(volatile const char *)va;
	}
	return 0;
}

/* MemFree + Slab in kB from /proc/meminfo, or -1. */
static inline long tl_memfree_kb(void)
{
	char buf[1024], *p, *q;
	int fd, n;

	fd = open("/proc/meminfo", O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strstr(buf, "MemFree:");
	q = strstr(buf, "Slab:");
	return p && q ? strtol(p + 8, NULL, 10) + strtol(q + 5, NULL, 10) : -1;
}

/* The objects in use in each kernel object cache (/proc/slabinfo). */
struct tl_slabs {
	int n;
	struct { char name[32]; long active; } cache[64];
};

/* Read /proc/slabinfo into s; 0 or -1. */
static inline int tl_read_slabs(struct tl_slabs *s)
{
	static char buf[8192];
	int fd, got = 0, n;

	memset(buf, 0, sizeof(buf));	/* its pages exist before the snapshot */
	fd = open("/proc/slabinfo", O_RDONLY);
	if (fd < 0)
		return -1;
	while (got < (int)sizeof(buf) - 1 &&
	       (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = 0;
	s->n = 0;
	for (char *line = buf; line && *line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (!*line || *line == '#' || strncmp(line, "slabinfo", 8) == 0 ||
		    s->n == 64)
			continue;
		size_t len = strcspn(line, " \n");
		char *num;

		if (len == 0 || len >= sizeof(s->cache[0].name))
			continue;
		memcpy(s->cache[s->n].name, line, len);
		s->cache[s->n].name[len] = 0;
		s->cache[s->n].active = strtol(line + len, &num, 10);
		if (num != line + len)
			s->n++;
	}
	return s->n > 0 ? 0 : -1;
}

/*
 * The slab objects at the first and at the latest tl_frames_free(), which
 * the leak check compares. Both are written before each reading, so their
 * own pages exist by the first snapshot.
 */
static struct tl_slabs tl_slabs_before, tl_slabs_now;
static int tl_slabs_taken;

/*
 * Free memory in kB (MemFree after dropping caches), or -1: on Linux
 * (nothing is checked), or on Kilburn after a failed check saying which
 * step did not work.
 */
static inline long tl_frames_free(void)
{
	long kb;

	tl_counts();
	if (!tl_on_kilburn())
		return -1;
	if (tl_page_in_program() < 0) {
		TL_CHECK(0, "read /proc/self/exe and /proc/self/maps");
		return -1;
	}
	if (tl_drop_caches() < 0) {
		TL_CHECK(0, "write 3 to /proc/sys/vm/drop_caches");
		return -1;
	}
	if (!tl_slabs_taken)
		memset(&tl_slabs_before, 0, sizeof(tl_slabs_before));
	memset(&tl_slabs_now, 0, sizeof(tl_slabs_now));
	if (tl_read_slabs(&tl_slabs_now) < 0) {
		TL_CHECK(0, "read /proc/slabinfo");
		return -1;
	}
	if (!tl_slabs_taken) {
		tl_slabs_before = tl_slabs_now;
		tl_slabs_taken = 1;
	}
	kb = tl_memfree_kb();
	if (kb < 0)
		TL_CHECK(0, "read MemFree and Slab from /proc/meminfo");
	return kb;
}

/*
 * Every cache holds as many objects at the latest tl_frames_free() as at
 * the first.
 */
static inline void tl_check_no_object_leak(void)
{
	struct tl_slabs *now = &tl_slabs_now;
	char what[400] = "no kernel object leaked";
	size_t len = strlen(what);
	int ok = 1;

	for (int i = 0; ok && i < tl_slabs_before.n; i++) {
		long was = tl_slabs_before.cache[i].active, is = -1;

		for (int j = 0; j < now->n; j++)
			if (strcmp(now->cache[j].name, tl_slabs_before.cache[i].name) == 0)
				is = now->cache[j].active;
		if (is != was && len < sizeof(what) - 1) {
			len += snprintf(what + len, sizeof(what) - len, "%s %s: %ld "
					"objects before, %ld after", ok ? " (" : ";",
					tl_slabs_before.cache[i].name, was, is);
			ok = 0;
		}
	}
	if (!ok && len < sizeof(what) - 1)
		snprintf(what + len, sizeof(what) - len, ")");
	TL_CHECK(ok, what);
}

/* The free memory is exactly what it was (before is from tl_frames_free). */
static inline void tl_check_no_leak(long before)
{
	long after = tl_frames_free();
	char what[128];

	if (before < 0 || after < 0)
		return;		/* skipped on Linux; a failed check on Kilburn */
	snprintf(what, sizeof(what), "no frame leaked (%ld kB free or in slabs "
		 "before, %ld kB after)", before, after);
	TL_CHECK(before == after, what);
	tl_check_no_object_leak();
}

/*
 * Print the program's totals; the exit status: 0 if every check passed and
 * there was at least one, else 1.
 */
static inline int tl_done(void)
{
	struct tl_counts *c = tl_counts();
	int passed = __atomic_load_n(&c->passed, __ATOMIC_SEQ_CST);
	int failed = __atomic_load_n(&c->failed, __ATOMIC_SEQ_CST);

	printf("%d passed, %d failed\n", passed, failed);
	fflush(stdout);
	return failed || passed == 0 ? 1 : 0;
}

#endif
