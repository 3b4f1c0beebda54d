/*
 * tools_memory: Kilburn's tools print what /proc says, in procps' layouts.
 *
 *   - free: the six columns; Mem's total is MemTotal (in KiB, MiB with -m,
 *     with units with -h); the Swap row is SwapTotal;
 *   - vmstat 1 2: two header lines and two lines of 17 numbers; free is
 *     about MemFree;
 *   - pmap -x: this process's mapping of N written pages shows N pages of
 *     Kbytes, RSS and Dirty; the total line adds up the lines;
 *   - ps -p: one line for the pid, whose RSS is status's VmRSS; ps aux
 *     lists this process with its command line;
 *   - top -b -n 1: the summary lines and a line for this process; top's
 *     keys M (a frame sorted by RES, at once) and q (quit);
 *   - uptime: "up" and the load averages; date: the wall time, and
 *     "date +%s" the seconds time() says;
 *   - grep, wc, head, tail on /proc/meminfo agree with it; env passes a
 *     variable; mkdir -p and rm -r make and remove a tree in /tmp; time
 *     prints the times and the faults.
 * The tools are Kilburn's own: on Linux this test checks nothing and fails,
 * so it is not run there. No frame leaks.
 */
#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include "vmtest.h"

#define N_PAGES	8

static char out[32768];			/* the last tool's output (pre-touched) */
static char text[8192];

static const char *run_input;		/* if set: run()'s program reads it on stdin */

/* Run argv with stdout and stderr into out; its exit status, or -1. */
static int run(char *const argv[])
{
	int fds[2], in[2] = { -1, -1 }, status, got = 0, n;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	if (run_input && (pipe(in) < 0 ||
			  write(in[1], run_input, strlen(run_input)) != (ssize_t)strlen(run_input)))
		return -1;
	if (in[1] >= 0)
		close(in[1]);		/* the program sees the input, then its end */
	pid = fork();
	if (pid == 0) {
		if (in[0] >= 0)
			dup2(in[0], 0);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	if (in[0] >= 0)
		close(in[0]);
	while (got < (int)sizeof(out) - 1 &&
	       (n = (int)read(fds[0], out + got, sizeof(out) - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = 0;
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The line of out that starts with key (NULL if none). */
static char *line_with(const char *key)
{
	size_t n = strlen(key);

	for (char *p = out; p && *p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, key, n) == 0)
			return p;
	}
	return NULL;
}

/* The i-th whitespace-separated number of the line at p (0 first). */
static long nth(const char *p, int i)
{
	char *end;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || !*p)
			return -1;
		strtol(p, &end, 10);
		if (i-- == 0)
			return strtol(p, NULL, 10);
		p += strcspn(p, " \t\n");
	}
}

static long meminfo(const char *key)
{
	return vt_proc_kb("/proc/meminfo", key);
}

static void check_free(void)
{
	char *m;

	TL_CHECK(run((char *[]){ "/bin/free", NULL }) == 0 &&
		 strstr(out, "total") && strstr(out, "buff/cache") && strstr(out, "available"),
		 "free: the six columns of procps");
	m = line_with("Mem:");
	TL_CHECK(m && nth(m + 4, 0) == meminfo("MemTotal:"), "free: Mem total is MemTotal");
	m = line_with("Swap:");
	TL_CHECK(m && nth(m + 5, 0) == meminfo("SwapTotal:"), "free: Swap row is SwapTotal");
	run((char *[]){ "/bin/free", "-m", NULL });
	m = line_with("Mem:");
	TL_CHECK(m && nth(m + 4, 0) == meminfo("MemTotal:") / 1024, "free -m: MiB");
	run((char *[]){ "/bin/free", "-h", NULL });
	m = line_with("Mem:");
	TL_CHECK(m && strstr(m, "Mi"), "free -h: sizes with units");
}

static void check_vmstat(void)
{
	char *h, *d;
	long free_kb = meminfo("MemFree:");

	TL_CHECK(run((char *[]){ "/bin/vmstat", "1", "2", NULL }) == 0 &&
		 (h = line_with(" r  b   swpd   free")) != NULL, "vmstat 1 2: procps' header");
	d = h ? strchr(h, '\n') + 1 : NULL;
	TL_CHECK(d && nth(d, 16) >= 0 && nth(d, 17) < 0 && strchr(d, '\n') &&
		 nth(strchr(d, '\n') + 1, 16) >= 0, "vmstat: two lines of 17 numbers");
	TL_CHECK(d && labs(nth(d, 3) - free_kb) < 2048, "vmstat: free is MemFree");
}

static void check_pmap(char *mem)
{
	char pid[16], addr[40], *m;
	long size = 0, rss = 0, dirty = 0;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(addr, sizeof(addr), "%016lx", (unsigned long)mem);
	TL_CHECK(run((char *[]){ "/bin/pmap", "-x", pid, NULL }) == 0 &&
		 line_with("Address           Kbytes     RSS   Dirty Mode  Mapping"),
		 "pmap -x: procps' header");
	m = line_with(addr);
	TL_CHECK(m && nth(m + 16, 0) == N_PAGES * 4 && nth(m + 16, 1) == N_PAGES * 4 &&
		 nth(m + 16, 2) == N_PAGES * 4 && strstr(m, "rw---") && strstr(m, "[ anon ]"),
		 "pmap -x: N written pages: Kbytes, RSS and Dirty of N pages, [ anon ]");
	for (char *p = strchr(strchr(out, '\n') + 1, '\n') + 1;
	     p && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
	     p = strchr(p, '\n') + 1) {
		size += nth(p + 16, 0);
		rss += nth(p + 16, 1);
		dirty += nth(p + 16, 2);
	}
	m = line_with("total kB");
	TL_CHECK(m && nth(m + 8, 0) == size && nth(m + 8, 1) == rss && nth(m + 8, 2) == dirty,
		 "pmap -x: the total adds up the lines");
	TL_CHECK(run((char *[]){ "/bin/pmap", pid, NULL }) == 0 && line_with(" total "),
		 "pmap: the short form and its total");
}

static void check_ps(void)
{
	char pid[16], *m;
	long rss = vt_rss_kb();

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	TL_CHECK(run((char *[]){ "/bin/ps", "-p", pid, NULL }) == 0, "ps -p runs");
	m = strchr(out, '\n');
	TL_CHECK(m && nth(m + 1, 0) == getpid() && strchr(m + 1, '\n') &&
		 !strchr(m + 1, '\n')[1], "ps -p: one line, for the pid");
	TL_CHECK(m && strstr(out, "RSS") && strstr(out, "VSZ") && strstr(out, "MINFLT") &&
		 labs(nth(m + 1, 2) - rss) <= 8,
		 "ps -p: RSS is status's VmRSS");
	TL_CHECK(run((char *[]){ "/bin/ps", "aux", NULL }) == 0 &&
		 line_with("USER         PID %CPU %MEM") && strstr(out, "/tests/tools_memory"),
		 "ps aux: procps' columns and this program's command line");
}

/* top's keys: M redraws at once sorted by RES, q quits. */
static void check_top_keys(void)
{
	const char *p;
	long prev = -1, res, pid;
	int frames = 0, sorted = 1, rows = 0;

	run_input = "Mq";
	TL_CHECK(run((char *[]){ "/bin/top", "-d", "2", "-n", "3", NULL }) == 0, "top: keys M then q");
	run_input = NULL;
	for (p = out; (p = strstr(p, "top - ")) != NULL; p++)
		frames++;
	TL_CHECK(frames == 2, "top: M drew a second frame at once, q ended it");
	p = out;
	for (const char *h; (h = strstr(p, "PID USER")) != NULL; p = h + 1)
		;
	for (p = strchr(p, '\n'); p && p[1]; p = strchr(p + 1, '\n')) {
		char *e;

		pid = strtol(p + 1, &e, 10);	/* PID USER PR NI VIRT RES ... */
		if (e == p + 1 || pid <= 0)
			break;
		e += strspn(e, " ");
		e += strcspn(e, " ");		/* USER */
		for (int i = 0; i < 4; i++)	/* PR NI VIRT RES */
			res = strtol(e, &e, 10);
		sorted &= prev < 0 || res <= prev;
		prev = res;
		rows++;
	}
	TL_CHECK(rows > 1 && sorted, "top: after M the processes are by RES, largest first");
}

static void check_top_uptime(void)
{
	char me[32];

	snprintf(me, sizeof(me), " tools_memory");
	TL_CHECK(run((char *[]){ "/bin/top", "-b", "-n", "1", NULL }) == 0 &&
		 line_with("top - ") && line_with("Tasks:") && line_with("%Cpu(s):") &&
		 line_with("MiB Mem :") && line_with("MiB Swap:") &&
		 strstr(out, "PID USER") && strstr(out, me), "top -b -n 1: summary and this process");
	check_top_keys();
	TL_CHECK(run((char *[]){ "/bin/uptime", NULL }) == 0 && strstr(out, " up ") &&
		 strstr(out, "load average: "), "uptime: up, load average");
	TL_CHECK(run((char *[]){ "/bin/date", "+%s", NULL }) == 0 &&
		 labs(strtol(out, NULL, 10) - (long)time(NULL)) <= 2, "date +%s: time()'s seconds");
	TL_CHECK(run((char *[]){ "/bin/date", NULL }) == 0 && strstr(out, " UTC ") &&
		 strlen(out) == 29, "date: \"Tue Dec  1 09:35:12 UTC 2026\"");
}

static void check_small_tools(void)
{
	struct stat st;
	char *last;
	long lines = 0;

	vt_proc_kb("/proc/meminfo", "MemTotal:");
	for (int fd = open("/proc/meminfo", O_RDONLY), n; fd >= 0; close(fd), fd = -1)
		while ((n = (int)read(fd, text, sizeof(text) - 1)) > 0)
			for (int i = 0; i < n; i++)
				lines += text[i] == '\n';
	TL_CHECK(run((char *[]){ "/bin/grep", "MemTotal", "/proc/meminfo", NULL }) == 0 &&
		 strncmp(out, "MemTotal:", 9) == 0 && strchr(out, '\n')[1] == 0,
		 "grep: the one line with the pattern");
	TL_CHECK(run((char *[]){ "/bin/grep", "-c", "^Swap", "/proc/meminfo", NULL }) == 0 &&
		 strtol(out, NULL, 10) == 3, "grep -c ^Swap: 3 lines");
	TL_CHECK(run((char *[]){ "/bin/grep", "NoSuchThing", "/proc/meminfo", NULL }) == 1,
		 "grep: exit 1 when nothing matches");
	TL_CHECK(run((char *[]){ "/bin/wc", "-l", "/proc/meminfo", NULL }) == 0 &&
		 strtol(out, NULL, 10) == lines, "wc -l counts meminfo's lines");
	TL_CHECK(run((char *[]){ "/bin/head", "-n", "2", "/proc/meminfo", NULL }) == 0 &&
		 strncmp(out, "MemTotal:", 9) == 0 && strstr(out, "\nMemFree:") &&
		 !strstr(out, "MemAvailable"), "head -n 2: the first two lines");
	TL_CHECK(run((char *[]){ "/bin/tail", "-n", "1", "/proc/meminfo", NULL }) == 0 &&
		 strncmp(out, "VmallocUsed:", 12) == 0 && strchr(out, '\n')[1] == 0,
		 "tail -n 1: the last line");
	TL_CHECK(run((char *[]){ "/bin/env", "SEEN=yes", "/bin/env", NULL }) == 0 &&
		 line_with("SEEN=yes"), "env passes a variable");
	TL_CHECK(run((char *[]){ "/bin/mkdir", "-p", "/tmp/tools/a/b", NULL }) == 0 &&
		 stat("/tmp/tools/a/b", &st) == 0 && S_ISDIR(st.st_mode),
		 "mkdir -p makes the parents");
	TL_CHECK(run((char *[]){ "/bin/rm", "-r", "/tmp/tools", NULL }) == 0 &&
		 stat("/tmp/tools", &st) < 0 && errno == ENOENT, "rm -r removes the tree");
	TL_CHECK(run((char *[]){ "/bin/time", "/bin/true", NULL }) == 0 &&
		 line_with("real\t") && line_with("user\t") && line_with("sys\t") &&
		 (last = line_with("faults\t")) && nth(last + 7, 0) > 0,
		 "time: real, user, sys and the faults");
}

static void all_checks(void)
{
	char *mem = mmap(NULL, N_PAGES * VT_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	TL_CHECK(mem != MAP_FAILED, "mmap N pages");
	if (mem == MAP_FAILED)
		return;
	memset(mem, 1, N_PAGES * VT_PAGE);
	check_free();
	check_vmstat();
	check_pmap(mem);
	check_ps();
	check_top_uptime();
	check_small_tools();
	munmap(mem, N_PAGES * VT_PAGE);
}

int main(void)
{
	long before;

	printf("tools_memory: the tools print what /proc says, in procps' layouts\n");
	memset(out, 0, sizeof(out));
	memset(text, 0, sizeof(text));
	if (!tl_on_kilburn()) {
		printf("not Kilburn: these are Kilburn's own tools\n");
		return tl_done();
	}
	check_free();			/* a warm-up round */
	before = tl_frames_free();
	all_checks();
	tl_check_no_leak(before);
	return tl_done();
}
