/*
 * Helpers shared by the virtual-memory tests (tests/user/vm_*.c), on top of
 * tlib.h: running a piece of a test in a child process (faults kill only
 * that child; the parent reads how it ended), reading sizes from /proc.
 *
 * A child that hangs is killed after a timeout, so a kernel bug that makes
 * a process loop or sleep forever shows up as a failed check, not as a test
 * that never ends.
 */
#ifndef KILBURN_VMTEST_H
#define KILBURN_VMTEST_H

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "tlib.h"

#define VT_PAGE		4096UL
#define VT_KB		1024L
#define VT_MB		(1024L * 1024L)

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

/*
 * Read all of the file at path into buf (at most size - 1 bytes) and end it
 * with a NUL. Returns the length read, or -errno if it cannot be opened or
 * read. The one reader the /proc tests share.
 */
static inline long vt_read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	long n, got = 0;

	if (fd < 0)
		return -errno;
	while (got < (long)size - 1 &&
	       (n = read(fd, buf + got, size - 1 - (size_t)got)) > 0)
		got += n;
	n = n < 0 ? -errno : got;
	close(fd);
	buf[got] = 0;
	return n;
}

/*
 * The number in kB after `field` (e.g. "VmRSS:") in a /proc file, or -1 if
 * the file or the field is missing.
 */
static inline long vt_proc_kb(const char *path, const char *field)
{
	static char buf[16384];		/* /proc/vmstat is longer than 4 KiB */
	size_t flen = strlen(field);

	if (vt_read_file(path, buf, sizeof(buf)) < 0)
		return -1;
	for (char *p = buf; p && *p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, field, flen) == 0)
			return strtol(p + flen, NULL, 10);
	}
	return -1;
}

/* The counter `name` of /proc/vmstat, or -1 if there is none. */
static inline long vt_vmstat(const char *name)
{
	char field[64];

	snprintf(field, sizeof(field), "%s ", name);
	return vt_proc_kb("/proc/vmstat", field);
}

/* The counter `name` of /proc/vmstat, or 0 if there is none (Linux without swap). */
static inline long vt_vmstat0(const char *name)
{
	long v = vt_vmstat(name);

	return v < 0 ? 0 : v;
}

/*
 * Word i of page `page` of a test's memory as written in generation gen:
 * a pattern no other page or generation shares, so that a page that comes
 * back from swap wrong, stale or from elsewhere is caught.
 */
static inline uint64_t vt_page_word(size_t page, unsigned int gen, size_t i)
{
	uint64_t x = (page + 1) * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)gen << 56) ^ i;

	x ^= x >> 29;
	return x * 0xbf58476d1ce4e5b9ULL;
}

/* Swap in use (kB: SwapTotal - SwapFree), or -1 if either is missing. */
static inline long vt_swap_used_kb(void)
{
	long total = vt_proc_kb("/proc/meminfo", "SwapTotal:");
	long free = vt_proc_kb("/proc/meminfo", "SwapFree:");

	return total < 0 || free < 0 ? -1 : total - free;
}

/* This process's resident set (kB), or -1. */
static inline long vt_rss_kb(void)
{
	return vt_proc_kb("/proc/self/status", "VmRSS:");
}

/* Free memory (kB) as /proc/meminfo's MemFree says, or -1. */
static inline long vt_memfree_kb(void)
{
	return vt_proc_kb("/proc/meminfo", "MemFree:");
}

/*
 * Wait up to `secs` seconds for child pid to end; return its wait status.
 * A child still running then is killed and reaped, and -1 is returned.
 */
static inline int vt_wait(pid_t pid, int secs)
{
	int status = 0;

	for (long waited_ms = 0; ; waited_ms += 5) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0)
			return -1;
		if (waited_ms >= secs * 1000L) {
			printf("note: child %d still running after %d s: killed\n",
			       (int)pid, secs);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		usleep(5000);
	}
}

/*
 * Run fn(arg) in a child process, which exits with fn's return value
 * (fn may also die of a signal). The child's checks count in the program's
 * totals; in the child, tl_failed_here starts at 0, so fn can return it to
 * say whether its own checks passed. Returns the child's wait status, or -1 if
 * fork failed or the child did not end within `secs` seconds.
 */
static inline int vt_run(int (*fn)(void *), void *arg, int secs)
{
	pid_t pid;

	tl_counts();		/* before the fork: the child shares it */
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int code;

		tl_failed_here = 0;	/* its checks add to the shared totals */
		code = fn(arg);

		fflush(stdout);
		_exit(code);
	}
	return vt_wait(pid, secs);
}

/* The child ended with exit(0). */
static inline int vt_exited_ok(int status)
{
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The child was killed by signal sig. */
static inline int vt_killed_by(int status, int sig)
{
	return status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == sig;
}

/* What a wait status says, for messages: "exit 0", "signal 11", "hung". */
static inline const char *vt_how(int status)
{
	static char buf[32];

	if (status == -1)
		return "hung or not started";
	if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "signal %d", WTERMSIG(status));
	else
		snprintf(buf, sizeof(buf), "status %#x", status);
	return buf;
}

/* TL_CHECK with a printf-style description. */
#define VT_CHECK(cond, ...) do {					\
	char vt_what_[200];						\
	snprintf(vt_what_, sizeof(vt_what_), __VA_ARGS__);		\
	tl_check(!!(cond), vt_what_, __FILE__, __LINE__);		\
} while (0)

/*
 * Fork and execve argv[0] (a tlib program, typically this one run again in
 * another mode) with argv and this environment. The new image's checks
 * count in this program's totals: its tlib writes one byte per check to a
 * pipe whose descriptor it finds in TL_REPORT_FD, and they are added here
 * once it has ended (a pipe holds 16 KiB on Kilburn: at most that many
 * checks). Returns the child's wait status, or -1 if it could not be
 * started or did not end within `secs` seconds.
 */
static inline int vt_exec(char *const argv[], int secs)
{
	int fds[2], status;
	char num[16], c;
	pid_t pid;

	tl_counts();
	if (pipe(fds) < 0)
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		snprintf(num, sizeof(num), "%d", fds[1]);
		setenv("TL_REPORT_FD", num, 1);
		execv(argv[0], argv);
		VT_CHECK(0, "exec %s (errno %d)", argv[0], errno);
		_exit(127);
	}
	close(fds[1]);
	status = pid < 0 ? -1 : vt_wait(pid, secs);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);	/* a grandchild may keep it open */
	while (read(fds[0], &c, 1) == 1)
		tl_count(c == 'P');
	close(fds[0]);
	return status;
}

#endif
