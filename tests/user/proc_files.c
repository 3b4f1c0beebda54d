/*
 * proc_files: /proc shows what a process did, in Linux's formats, with
 * exact numbers.
 *
 *   - /proc/self/stat has 52 fields (the name in parentheses may hold
 *     spaces), and its pid, name, state and parent are this process's;
 *   - touching N fresh pages raises minflt by exactly N and RssAnon by N
 *     pages; reading N pages of a file after drop_caches raises majflt by
 *     exactly N, and reading them again raises minflt instead;
 *   - the resident set agrees in stat, statm and status, and status's
 *     RssAnon + RssFile + RssShmem is VmRSS;
 *   - cmdline is argv, NUL-separated; comm is the name;
 *   - uptime grows with time; loadavg rises while children are busy;
 *   - getrusage agrees with stat, and a child's faults come back through
 *     wait4 and RUSAGE_CHILDREN; sysinfo agrees with meminfo;
 *   - /proc/stat, /proc/version, /proc/mounts and /proc/cpuinfo parse;
 *     /proc/stat's intr line is the total and one count per interrupt
 *     number, which add up to at most the total, and a read from the disk
 *     raises the count of a virtio disk's interrupt (1-8 on QEMU's virt
 *     board; on Kilburn only: on Linux the file may be cached).
 * The exact fault counts are checked on Kilburn only: under qemu-riscv64
 * on Linux they are the emulator's own. No frame leaks.
 */
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include "vmtest.h"

#define FRESH_PAGES	64
#define FILE_PAGES	4
#define FILE_PATH	"/bin/cat"

static char text[16384];		/* the last file read (pre-touched) */
static int self_argc;
static char **self_argv;
static int kilburn;

/* Read all of path into text; its length, or -1. */

/* /proc/<pid>/stat split as procps does: fields 1..52 (f[1] the name). */
struct stat_fields {
	int n;				/* fields found */
	char name[64];
	char state;
	unsigned long v[53];		/* v[i]: field i, for numeric fields */
};

static int parse_stat(const char *path, struct stat_fields *s)
{
	char *open_paren, *close_paren, *p, *end;

	memset(s, 0, sizeof(*s));
	if (vt_read_file(path, text, sizeof(text)) <= 0)
		return -1;
	open_paren = strchr(text, '(');
	close_paren = strrchr(text, ')');	/* the name may hold ')' too */
	if (!open_paren || !close_paren || close_paren < open_paren ||
	    close_paren - open_paren - 1 >= (long)sizeof(s->name))
		return -1;
	s->v[1] = strtoul(text, NULL, 10);
	memcpy(s->name, open_paren + 1, (size_t)(close_paren - open_paren - 1));
	s->n = 2;
	p = close_paren + 1;
	if (p[0] != ' ' || !p[1])
		return -1;
	s->state = p[1];
	s->n = 3;
	p += 2;
	while (*p == ' ' && s->n < 52) {
		s->n++;
		s->v[s->n] = strtoul(p + 1, &end, 10);
		if (p[1] == '-')	/* tpgid is -1 */
			s->v[s->n] = (unsigned long)strtol(p + 1, &end, 10);
		if (end == p + 1)
			return -1;
		p = end;
	}
	return *p == '\n' ? 0 : -1;
}

/* Up to max unsigned numbers separated by blanks from s; how many. */
static int parse_numbers(const char *s, unsigned long *v, int max)
{
	int n = 0;
	char *end;

	while (n < max) {
		while (*s == ' ')
			s++;
		v[n] = strtoul(s, &end, 10);
		if (end == s)
			break;
		n++;
		s = end;
	}
	return n;
}

/* A number such as "12.34" at *s, in hundredths, advancing *s; -1 if none. */
static long parse_hundredths(const char **s)
{
	char *end;
	long whole, frac;

	while (**s == ' ')
		(*s)++;
	whole = strtol(*s, &end, 10);
	if (end == *s || *end != '.' || end[1] < '0' || end[1] > '9' ||
	    end[2] < '0' || end[2] > '9')
		return -1;
	frac = (end[1] - '0') * 10 + (end[2] - '0');
	*s = end + 3;
	return whole * 100 + frac;
}

/* The value after "key:" in text, or -1. */
static long field_of(const char *key)
{
	size_t len = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, key, len) == 0 && p[len] == ':')
			return strtol(p + len + 1, NULL, 10);
	return -1;
}

/*
 * The 52 fields of a stat file as Linux writes them: Kilburn's own, and
 * on Linux the parent's (qemu-riscv64 makes up /proc/self/stat for the
 * program it runs, with fewer fields).
 */
static void check_stat_fields(void)
{
	struct stat_fields s;
	char path[64], what[128];

	snprintf(path, sizeof(path), "/proc/%d/stat", kilburn ? getpid() : getppid());
	TL_CHECK(parse_stat(path, &s) == 0 && s.n == 52, "stat has 52 fields");
	snprintf(what, sizeof(what), "stat: priority 20, nice 0, 1 thread (%lu %lu %lu)",
		 s.v[18], s.v[19], s.v[20]);
	TL_CHECK(s.v[18] == 20 && s.v[19] == 0 && s.v[20] == 1, what);
	TL_CHECK(s.v[23] > 0 && s.v[24] > 0, "stat: vsize and rss are not 0");
	TL_CHECK(s.v[26] <= s.v[27] && s.v[27] > 0, "stat: startcode <= endcode");
	TL_CHECK(s.v[48] < s.v[49] && s.v[49] <= s.v[50] && s.v[50] <= s.v[51],
		 "stat: arg_start < arg_end <= env_start <= env_end");
}

static void check_stat_format(void)
{
	struct stat_fields s;

	check_stat_fields();
	parse_stat("/proc/self/stat", &s);
	TL_CHECK(s.v[1] == (unsigned long)getpid(), "stat: field 1 is the pid");
	TL_CHECK(strcmp(s.name, "proc_files") == 0, "stat: the name in parentheses");
	TL_CHECK(s.v[4] == (unsigned long)getppid(), "stat: field 4 is the parent");
	if (!kilburn)
		return;		/* the rest of qemu-riscv64's stat and comm are made up */
	TL_CHECK(s.state == 'R', "stat: the reader is running (R)");
	TL_CHECK(vt_read_file("/proc/self/comm", text, sizeof(text)) > 0 && strcmp(text, "proc_files\n") == 0,
		 "comm is the name and a newline");
}

/* stat, statm and status agree on the sizes and the resident set. */
static void check_rss_agrees(void)
{
	struct stat_fields s;
	unsigned long m[7];
	long rss, anon, file, shmem, vmsize, vmexe, vmdata, vmstk;
	int ok;

	parse_stat("/proc/self/stat", &s);
	ok = vt_read_file("/proc/self/statm", text, sizeof(text)) > 0 && parse_numbers(text, m, 7) == 7;
	TL_CHECK(ok, "statm has 7 numbers");
	vt_read_file("/proc/self/status", text, sizeof(text));
	rss = field_of("VmRSS");
	anon = field_of("RssAnon");
	file = field_of("RssFile");
	shmem = field_of("RssShmem");
	vmsize = field_of("VmSize");
	vmexe = field_of("VmExe");
	vmdata = field_of("VmData");
	vmstk = field_of("VmStk");
	TL_CHECK(rss > 0 && anon + file + shmem == rss,
		 "status: RssAnon + RssFile + RssShmem == VmRSS");
	TL_CHECK(m[1] * 4 == (unsigned long)rss && m[0] * 4 == (unsigned long)vmsize,
		 "resident and size in statm (pages) and status (kB) agree");
	if (kilburn)
		TL_CHECK(s.v[24] * 4 == (unsigned long)rss && s.v[23] == m[0] * 4096,
			 "rss and vsize in stat agree with statm and status");
	TL_CHECK(m[2] * 4 == (unsigned long)(file + shmem), "statm shared is RssFile + RssShmem");
	TL_CHECK(m[3] * 4 == (unsigned long)vmexe, "statm text is VmExe");
	TL_CHECK(m[5] * 4 == (unsigned long)(vmdata + vmstk), "statm data is VmData + VmStk");
	TL_CHECK(field_of("VmPeak") >= vmsize && field_of("VmHWM") >= rss,
		 "VmPeak >= VmSize, VmHWM >= VmRSS");
	TL_CHECK(field_of("Uid") == (long)getuid() && field_of("Gid") == (long)getgid(),
		 "status: Uid and Gid");
	if (kilburn)
		TL_CHECK(field_of("Threads") == 1, "status: one thread");
}

/* N fresh anonymous pages written: N minor faults, N more pages of RssAnon. */
static void check_fresh_pages(void)
{
	struct stat_fields a, b;
	long anon0, anon1;
	char what[128];
	char *mem = mmap(NULL, FRESH_PAGES * VT_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	TL_CHECK(mem != MAP_FAILED, "mmap fresh pages");
	if (mem == MAP_FAILED)
		return;
	vt_read_file("/proc/self/status", text, sizeof(text));
	anon0 = field_of("RssAnon");
	parse_stat("/proc/self/stat", &a);
	for (int i = 0; i < FRESH_PAGES; i++)
		mem[i * VT_PAGE] = 1;
	parse_stat("/proc/self/stat", &b);
	vt_read_file("/proc/self/status", text, sizeof(text));
	anon1 = field_of("RssAnon");
	if (kilburn) {
		snprintf(what, sizeof(what), "touching %d fresh pages: minflt +%lu, majflt +%lu",
			 FRESH_PAGES, b.v[10] - a.v[10], b.v[12] - a.v[12]);
		TL_CHECK(b.v[10] - a.v[10] == FRESH_PAGES && b.v[12] == a.v[12], what);
		snprintf(what, sizeof(what), "RssAnon rose by %d pages (%ld kB -> %ld kB)",
			 FRESH_PAGES, anon0, anon1);
		TL_CHECK(anon1 - anon0 == FRESH_PAGES * 4, what);
	}
	munmap(mem, FRESH_PAGES * VT_PAGE);
}

/* Reading pages of a file that is not cached: major faults; then minor. */
static void check_major_faults(void)
{
	struct stat_fields a, b, c;
	volatile const char *map;
	char what[128];
	int fd = open(FILE_PATH, O_RDONLY), sum = 0;

	TL_CHECK(fd >= 0, "open " FILE_PATH);
	if (fd < 0)
		return;
	map = mmap(NULL, FILE_PAGES * VT_PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	TL_CHECK(map != MAP_FAILED, "mmap " FILE_PATH);
	if (map == MAP_FAILED || !kilburn)
		goto out;
	TL_CHECK(tl_drop_caches() == 0, "drop_caches");
	parse_stat("/proc/self/stat", &a);
	for (int i = 0; i < FILE_PAGES; i++)
		sum += map[i * VT_PAGE];
	parse_stat("/proc/self/stat", &b);
	snprintf(what, sizeof(what), "reading %d uncached file pages: majflt +%lu, minflt +%lu",
		 FILE_PAGES, b.v[12] - a.v[12], b.v[10] - a.v[10]);
	/* the first reads the disk; file readahead may bring the others with it */
	TL_CHECK(b.v[12] - a.v[12] >= 1 &&
		 (b.v[12] - a.v[12]) + (b.v[10] - a.v[10]) == FILE_PAGES, what);
	munmap((void *)map, FILE_PAGES * VT_PAGE);
	fd = open(FILE_PATH, O_RDONLY);
	map = mmap(NULL, FILE_PAGES * VT_PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	for (int i = 0; i < FILE_PAGES; i++)
		sum += map[i * VT_PAGE];
	parse_stat("/proc/self/stat", &c);
	snprintf(what, sizeof(what), "reading them again, cached: minflt +%lu, majflt +%lu",
		 c.v[10] - b.v[10], c.v[12] - b.v[12]);
	TL_CHECK(c.v[10] - b.v[10] == FILE_PAGES && c.v[12] == b.v[12], what);
out:
	if (map != MAP_FAILED)
		munmap((void *)map, FILE_PAGES * VT_PAGE);
	(void)sum;
}

/* Run as "proc_files cmdline ARGS...": cmdline is exactly argv. */
static int cmdline_child(int argc, char **argv)
{
	char want[256];
	size_t len = 0;
	int n = vt_read_file("/proc/self/cmdline", text, sizeof(text));

	for (int i = 0; i < argc; i++) {
		memcpy(want + len, argv[i], strlen(argv[i]) + 1);
		len += strlen(argv[i]) + 1;
	}
	TL_CHECK(n == (int)len && memcmp(text, want, len) == 0,
		 "cmdline is argv, each argument ending in a NUL");
	return tl_failed_here;
}

static void check_cmdline(void)
{
	char *argv[] = { "/tests/proc_files", "cmdline", "two words", "", "(x)", NULL };
	int status;

	if (!kilburn) {		/* no exec of riscv64 files without binfmt_misc */
		cmdline_child(self_argc, self_argv);
		return;
	}
	status = vt_exec(argv, 20);
	TL_CHECK(vt_exited_ok(status), "the cmdline child passed");
}

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void check_uptime(void)
{
	const char *p = text;
	long up0, idle0, up1, idle1;
	struct timespec pause = { 0, 300000000 };

	vt_read_file("/proc/uptime", text, sizeof(text));
	up0 = parse_hundredths(&p);
	idle0 = parse_hundredths(&p);
	TL_CHECK(up0 >= 0 && idle0 >= 0 && strcmp(p, "\n") == 0,
		 "uptime is two numbers with two decimals");
	nanosleep(&pause, NULL);
	vt_read_file("/proc/uptime", text, sizeof(text));
	p = text;
	up1 = parse_hundredths(&p);
	idle1 = parse_hundredths(&p);
	TL_CHECK(up1 - up0 >= 29 && up1 - up0 < 500, "uptime grew by the 0.3 s slept");
	TL_CHECK(idle1 >= idle0, "idle time does not go back");
}

/* Busy user time: utime rises by about the time spent. */
static void check_times(void)
{
	struct stat_fields a, b;
	struct rusage ru;
	double start = seconds_now();
	volatile unsigned long spin = 0;
	char what[128];

	parse_stat("/proc/self/stat", &a);
	while (seconds_now() - start < 0.5)
		spin++;
	parse_stat("/proc/self/stat", &b);
	snprintf(what, sizeof(what), "0.5 s busy: utime + stime rose by %lu ticks",
		 b.v[14] + b.v[15] - a.v[14] - a.v[15]);
	if (kilburn)
		TL_CHECK(b.v[14] + b.v[15] - a.v[14] - a.v[15] >= 25, what);
	parse_stat("/proc/self/stat", &a);
	TL_CHECK(getrusage(RUSAGE_SELF, &ru) == 0, "getrusage(RUSAGE_SELF)");
	TL_CHECK(ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec +
		 ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec >= 250000,
		 "getrusage: user + system time covers the 0.5 s busy");
	parse_stat("/proc/self/stat", &b);
	if (kilburn) {
		unsigned long utime = ru.ru_utime.tv_sec * 100 + ru.ru_utime.tv_usec / 10000;

		TL_CHECK((unsigned long)ru.ru_minflt == b.v[10] &&
			 (unsigned long)ru.ru_majflt == b.v[12],
			 "getrusage's faults are stat's minflt and majflt");
		/* a tick may land between the readings: between the two stats */
		TL_CHECK(a.v[14] <= utime && utime <= b.v[14],
			 "getrusage's user time is stat's utime");
	}
	TL_CHECK(ru.ru_maxrss > 0, "ru_maxrss is not 0");
}

/* A child's faults come back through wait4 and RUSAGE_CHILDREN. */
static void check_children(void)
{
	struct rusage before, after, waited;
	struct stat_fields s;
	unsigned long child_minflt = 0;
	int fds[2], status;
	pid_t pid;
	char what[160];

	getrusage(RUSAGE_CHILDREN, &before);
	if (pipe(fds) < 0)
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *mem = mmap(NULL, FRESH_PAGES * VT_PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		/* the copy-on-write faults of what reading stat writes: now */
		child_minflt = 1;
		memset(text, 0, sizeof(text));
		for (int i = 0; mem != MAP_FAILED && i < FRESH_PAGES; i++)
			mem[i * VT_PAGE] = 1;
		parse_stat("/proc/self/stat", &s);
		child_minflt = s.v[10];
		write(fds[1], &child_minflt, sizeof(child_minflt));
		_exit(0);
	}
	close(fds[1]);
	read(fds[0], &child_minflt, sizeof(child_minflt));
	close(fds[0]);
	TL_CHECK(wait4(pid, &status, 0, &waited) == pid, "wait4 reaps the child");
	getrusage(RUSAGE_CHILDREN, &after);
	snprintf(what, sizeof(what), "wait4's rusage: the child's %ld minor faults "
		 "(it touched %d pages, stat said %lu)", waited.ru_minflt, FRESH_PAGES,
		 child_minflt);
	TL_CHECK(waited.ru_minflt >= FRESH_PAGES, what);
	if (kilburn)
		TL_CHECK((unsigned long)waited.ru_minflt == child_minflt,
			 "wait4's minor faults are the child's stat minflt exactly");
	TL_CHECK(after.ru_minflt - before.ru_minflt == waited.ru_minflt,
		 "RUSAGE_CHILDREN grew by the child's minor faults");
	parse_stat("/proc/self/stat", &s);
	if (kilburn)
		TL_CHECK(s.v[11] == (unsigned long)after.ru_minflt,
			 "stat's cminflt is RUSAGE_CHILDREN's minor faults");
}

/* The 1-minute load from /proc/loadavg in hundredths, checking the format. */
static long load_1min(int *format_ok)
{
	const char *p = text;
	long l1, l5, l15;
	char *end;

	vt_read_file("/proc/loadavg", text, sizeof(text));
	l1 = parse_hundredths(&p);
	l5 = parse_hundredths(&p);
	l15 = parse_hundredths(&p);
	*format_ok = l1 >= 0 && l5 >= 0 && l15 >= 0 && *p == ' ' &&
		     strtol(p, &end, 10) >= 1 && *end == '/' &&
		     strtol(end + 1, &end, 10) >= 1 && *end == ' ' &&
		     strtol(end + 1, &end, 10) >= 1 && *end == '\n';
	return l1;
}

/* Busy children for some seconds: the 1-minute load rises. */
static void check_loadavg(void)
{
	long l1, later = 0;
	pid_t kids[2];
	int ok;

	l1 = load_1min(&ok);
	TL_CHECK(ok, "loadavg: three loads, running/total, last pid");
	if (!kilburn)
		return;
	fflush(stdout);
	for (int i = 0; i < 2; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			for (;;)
				;
	}
	for (double start = seconds_now(); seconds_now() - start < 15;) {
		struct timespec pause = { 0, 200000000 };

		nanosleep(&pause, NULL);
		later = load_1min(&ok);
		if (later >= l1 + 20)
			break;
	}
	for (int i = 0; i < 2; i++) {
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
	}
	TL_CHECK(later >= l1 + 20, "the 1-minute load rose while two children were busy");
}

static void check_sysinfo(void)
{
	struct sysinfo si;
	long total, memfree, swap;

	TL_CHECK(sysinfo(&si) == 0, "sysinfo");
	vt_read_file("/proc/meminfo", text, sizeof(text));
	total = field_of("MemTotal");
	memfree = field_of("MemFree");
	swap = field_of("SwapTotal");
	TL_CHECK((unsigned long long)si.totalram * si.mem_unit == (unsigned long long)total * 1024,
		 "sysinfo totalram is MemTotal");
	TL_CHECK((unsigned long long)si.totalswap * si.mem_unit == (unsigned long long)swap * 1024,
		 "sysinfo totalswap is SwapTotal");
	if (kilburn)
		TL_CHECK(labs((long)(si.freeram * si.mem_unit / 1024) - memfree) <= 256,
			 "sysinfo freeram is about MemFree");
	TL_CHECK(si.procs >= 1 && si.uptime >= 0, "sysinfo procs and uptime");
}

static void check_system_files(void)
{
	struct utsname u;
	char want[160];
	int cpus = 0, harts = 0;

	TL_CHECK(vt_read_file("/proc/stat", text, sizeof(text)) > 0 && strncmp(text, "cpu  ", 5) == 0,
		 "/proc/stat starts with the cpu line");
	for (char *p = strstr(text, "\ncpu"); p; p = strstr(p + 1, "\ncpu"))
		cpus++;
	TL_CHECK(cpus >= 1 && strstr(text, "\nctxt ") &&
		 strstr(text, "\nbtime ") && strstr(text, "\nprocesses ") &&
		 strstr(text, "\nprocs_running "), "/proc/stat: cpuN, ctxt, btime, processes");
	uname(&u);
	snprintf(want, sizeof(want), "%s version %s ", u.sysname, u.release);
	TL_CHECK(vt_read_file("/proc/version", text, sizeof(text)) > 0 && strncmp(text, want, strlen(want)) == 0,
		 "/proc/version names the system and its release");
	TL_CHECK(vt_read_file("/proc/mounts", text, sizeof(text)) > 0 && strstr(text, " /proc proc ") &&
		 (text[0] == '/' || strstr(text, " / ")), "/proc/mounts lists / and /proc");
	if (!kilburn)
		return;		/* qemu-riscv64 shows the host's cpuinfo */
	vt_read_file("/proc/cpuinfo", text, sizeof(text));
	for (char *p = strstr(text, "processor\t: "); p; p = strstr(p + 1, "processor\t: "))
		harts++;
	TL_CHECK(harts == cpus && strstr(text, "\nhart\t\t: ") &&
		 strstr(text, "\nisa\t\t: rv64") && strstr(text, "\nmmu\t\t: sv39"),
		 "/proc/cpuinfo: one RISC-V paragraph per hart of /proc/stat");
}

/*
 * /proc/stat's intr line: the total in *total, the per-number counts in
 * n[0 .. max) (the rest 0). Returns how many numbers followed the total,
 * or -1 if there is no intr line.
 */
static int read_intr(unsigned long *total, unsigned long *n, int max)
{
	char *p, *end;
	int count = 0;

	memset(n, 0, max * sizeof(*n));
	if (vt_read_file("/proc/stat", text, sizeof(text)) <= 0 ||
	    !(p = strstr(text, "\nintr ")))
		return -1;
	*total = strtoul(p + 6, &end, 10);
	for (p = end; *p == ' '; count++) {
		unsigned long v = strtoul(p, &end, 10);

		if (end == p)
			break;
		if (count < max)
			n[count] = v;
		p = end;
	}
	return count;
}

/* The per-number counts add up to at most the total; a disk read raises one. */
static void check_stat_intr(void)
{
	unsigned long total, total2, n[64], n2[64], sum = 0, disk = 0, disk2 = 0;
	char what[160], *end;
	int count = read_intr(&total, n, 64), fd;

	TL_CHECK(count > 0, "/proc/stat: intr has counts per interrupt number");
	if (count <= 0)
		return;
	/* the whole line (as much as text holds), not only the first 64 numbers */
	strtoul(strstr(text, "\nintr ") + 6, &end, 10);	/* the total */
	for (char *p = end; *p == ' '; p = end) {
		unsigned long v = strtoul(p, &end, 10);

		if (end == p)
			break;
		sum += v;
	}
	snprintf(what, sizeof(what), "/proc/stat: %d per-number counts sum to %lu <= total %lu",
		 count, sum, total);
	TL_CHECK(sum <= total, what);
	if (!kilburn)
		return;
	for (int i = 1; i <= 8; i++)
		disk += n[i];
	TL_CHECK(tl_drop_caches() == 0, "drop_caches");
	fd = open(FILE_PATH, O_RDONLY);
	TL_CHECK(fd >= 0 && read(fd, text, sizeof(text)) > 0, "read " FILE_PATH " from the disk");
	if (fd >= 0)
		close(fd);
	read_intr(&total2, n2, 64);
	for (int i = 1; i <= 8; i++)
		disk2 += n2[i];
	snprintf(what, sizeof(what), "/proc/stat: disk interrupts %lu -> %lu, total %lu -> %lu",
		 disk, disk2, total, total2);
	TL_CHECK(disk2 > disk && total2 - total >= disk2 - disk, what);
}

int main(int argc, char **argv)
{
	long before;

	if (argc > 1 && strcmp(argv[1], "cmdline") == 0)
		return cmdline_child(argc, argv);
	printf("proc_files: /proc in Linux's formats, with exact numbers\n");
	self_argc = argc;
	self_argv = argv;
	kilburn = tl_on_kilburn();
	check_stat_format();		/* a warm-up round of every reader */
	check_rss_agrees();
	check_stat_intr();		/* before the count: it drops the caches */
	before = tl_frames_free();
	check_stat_format();
	check_rss_agrees();
	check_fresh_pages();
	check_major_faults();
	check_cmdline();
	check_uptime();
	check_times();
	check_children();
	check_sysinfo();
	check_system_files();
	check_loadavg();
	tl_check_no_leak(before);
	return tl_done();
}
