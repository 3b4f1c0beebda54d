/*
 * A tiny harness for user-space test programs. Each program is booted as
 * init (init=/tests/NAME) by scripts/run-tests.sh, and also builds and runs
 * on Linux where the behaviour is POSIX.
 *
 *	int main(void)
 *	{
 *		long before = tl_frames_free();
 *		...
 *		TL_CHECK(x == 1, "x is one");
 *		tl_check_no_leak(before);
 *		return tl_done();
 *	}
 *
 * Every check prints "PASS what" or "FAIL what (file:line)"; tl_done()
 * prints the totals and returns the exit status (0 if all passed).
 *
 * tl_frames_free() reads MemFree + Cached from /proc/meminfo (Kilburn gives
 * back empty slab pages before answering, so after a warm-up the number is
 * exact); on Linux it returns -1 and the leak check is skipped.
 */
#ifndef KILBURN_TLIB_H
#define KILBURN_TLIB_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static int tl_passed, tl_failed;

static inline void tl_check(int ok, const char *what, const char *file, int line)
{
	if (ok) {
		tl_passed++;
		printf("PASS %s\n", what);
	} else {
		tl_failed++;
		printf("FAIL %s (%s:%d)\n", what, file, line);
	}
	fflush(stdout);
}

#define TL_CHECK(cond, what) tl_check(!!(cond), (what), __FILE__, __LINE__)

static inline int tl_on_kilburn(void)
{
	struct utsname u;

	return uname(&u) == 0 && strcmp(u.sysname, "Kilburn") == 0;
}

/* Free frames (kB: MemFree + Cached), or -1 when not on Kilburn. */
static inline long tl_frames_free(void)
{
	char buf[1024], *p;
	long free_kb = -1, cached_kb = 0;
	int fd, n;

	if (!tl_on_kilburn())
		return -1;
	fd = open("/proc/meminfo", O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	if ((p = strstr(buf, "MemFree:")))
		free_kb = strtol(p + 8, NULL, 10);
	if ((p = strstr(buf, "Cached:")))
		cached_kb = strtol(p + 7, NULL, 10);
	return free_kb < 0 ? -1 : free_kb + cached_kb;
}

static inline void tl_check_no_leak(long before)
{
	long after = tl_frames_free();
	char what[128];

	if (before < 0 || after < 0)
		return;
	snprintf(what, sizeof(what), "no frame leaked (%ld kB free before, %ld kB after)",
		 before, after);
	TL_CHECK(before == after, what);
}

static inline int tl_done(void)
{
	printf("%d passed, %d failed\n", tl_passed, tl_failed);
	fflush(stdout);
	return tl_failed ? 1 : 0;
}

#endif
