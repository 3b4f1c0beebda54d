/*
 * swap_file: clean file pages that a process maps are reclaimed too. A
 * 48 MiB file of the root image (bigfile.h) is mapped shared and private
 * and read whole; then 64 MiB of anonymous memory is written, which with
 * 64 MiB of RAM forces reclaim. Checked:
 *
 *   - the file's pages were dropped while mapped: mincore counts fewer
 *     resident, the mapping's Rss in /proc/self/smaps fell, and (Kilburn)
 *     /proc/vmstat's pgsteal_file rose;
 *   - reading them again reads the disk: this process's major faults
 *     (getrusage, and the system's pgmajfault) rise, and every page of
 *     both mappings holds the file's pattern;
 *   - program text is dropped too: the text Rss of a `cat` asleep on a
 *     pipe falls, and woken it still echoes its input; a copy of this
 *     program, asleep meanwhile, wakes and checks part of the file itself;
 *   - the anonymous pages come back from swap right;
 *   - no frame and no swap slot is left behind.
 *
 * Booted by scripts/run-tests.sh with 64 MiB of RAM and a 256 MiB swap area
 * (swap=/dev/vdb). On Linux the same steps run (on a copy of the file in
 * /tmp) without the checks that need memory to be short (a machine with
 * more RAM keeps the file), the counters and the programs exec'd.
 */
#define _GNU_SOURCE
#include "tlib.h"
#include "vmtest.h"
#include "bigfile.h"

#define ANON_SIZE	(64UL << 20)

static uint64_t anon_word(size_t pg)
{
	return (pg + 1) * 0x9e3779b97f4a7c15ULL;
}

/* Rss in kB of the smaps entry starting at addr, or -1. */
static long smaps_rss_kb(void *addr)
{
	static char buf[65536];
	char head[32];
	char *p;

	if (vt_read_file("/proc/self/smaps", buf, sizeof(buf)) < 0)
		return -1;
	snprintf(head, sizeof(head), "%lx-", (unsigned long)addr);
	for (p = buf; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, head, strlen(head)) == 0)
			break;
	}
	if (!p || !(p = strstr(p, "\nRss:")))
		return -1;
	return strtol(p + 5, NULL, 10);
}

/* The Rss in kB of the first mapping (the text) of process pid, or -1. */
static long text_rss_kb(pid_t pid)
{
	static char buf[65536];
	char path[64], *p;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	if (vt_read_file(path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, "\nRss:")))
		return -1;
	return strtol(p + 5, NULL, 10);
}

/* A program started before the pressure, asleep reading its stdin. */
struct sleeper {
	pid_t pid;
	int in;			/* its stdin's write end */
	int out;		/* its stdout's read end, or its report pipe */
};

/*
 * Start argv[0] with stdin a pipe from us; its stdout a pipe to us (out),
 * or with report set, tlib's report pipe (TL_REPORT_FD: its checks count
 * here). 0 or -1.
 */
static int sleeper_start(struct sleeper *s, char *const argv[], int report)
{
	int in[2], out[2];
	char num[16];

	/* close-on-exec: the next program started must not hold this one's stdin */
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		return -1;
	fflush(stdout);
	s->pid = fork();
	if (s->pid == 0) {
		dup2(in[0], 0);
		close(in[1]);
		close(out[0]);
		if (report) {
			fcntl(out[1], F_SETFD, 0);
			snprintf(num, sizeof(num), "%d", out[1]);
			setenv("TL_REPORT_FD", num, 1);
		} else {
			dup2(out[1], 1);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	s->in = in[1];
	s->out = out[0];
	return s->pid > 0 ? 0 : -1;
}

/* Wake it with msg on its stdin (then end of file); its wait status. */
static int sleeper_finish(struct sleeper *s, const char *msg)
{
	ssize_t n = write(s->in, msg, strlen(msg));

	close(s->in);
	return n == (ssize_t)strlen(msg) ? vt_wait(s->pid, 300) : -1;
}

/* Does `cat` echo msg back? */
static int cat_echoes(struct sleeper *s, const char *msg)
{
	char buf[64];
	size_t got = 0, len = strlen(msg);
	ssize_t n;

	if (write(s->in, msg, len) != (ssize_t)len)
		return 0;
	while (got < len && (n = read(s->out, buf + got, len - got)) > 0)
		got += n;
	return got == len && memcmp(buf, msg, len) == 0;
}

/*
 * The exec'd copy: asleep on stdin until the memory is short, then map the
 * file and check 1024 pages spread over it.
 */
static int child_main(const char *path)
{
	char c;
	int fd = read(0, &c, 1) == 1 ? open(path, O_RDONLY) : -1;
	char *p = fd < 0 ? MAP_FAILED : mmap(NULL, BF_SIZE, PROT_READ, MAP_PRIVATE, fd, 0);
	size_t good = 0;

	TL_CHECK(p != MAP_FAILED, "exec'd copy: maps the file");
	if (p == MAP_FAILED)
		return tl_done();
	for (size_t pg = 0; pg < BF_PAGES; pg += BF_PAGES / 1024)
		good += bf_page_ok((const volatile uint64_t *)(p + pg * VT_PAGE), pg);
	VT_CHECK(good == 1024, "exec'd copy: 1024 pages of the file read right (%zu)", good);
	munmap(p, BF_SIZE);
	close(fd);
	return tl_done();
}

static char *self;		/* argv[0] */

/* Steps 1 to 5, in a child: its pv entries and page tables go when it ends. */
static int reclaim_run(void *arg)
{
	long res0, res1, rss0, rss1, maj0, maj1, pgmaj0, steal0, ra0, text0 = -1;
	const char *path = arg;
	char *shared, *priv, *anon;
	size_t good, bad = 0;
	int kilburn = tl_on_kilburn(), fd;
	char *cat_argv[] = { "/bin/cat", NULL };
	char *copy_argv[] = { self, "child", (char *)path, NULL };
	struct sleeper cat, copy;

	/* programs asleep through the pressure (execve: Kilburn, or riscv64) */
	if (kilburn) {
		TL_CHECK(sleeper_start(&cat, cat_argv, 0) == 0 && cat_echoes(&cat, "one\n"),
			 "start cat, asleep on a pipe");
		TL_CHECK(sleeper_start(&copy, copy_argv, 1) == 0,
			 "start a copy of this program, asleep on a pipe");
		text0 = text_rss_kb(cat.pid);
	}
	fd = open(path, O_RDONLY);
	shared = mmap(NULL, BF_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	priv = mmap(NULL, BF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	TL_CHECK(fd >= 0 && shared != MAP_FAILED && priv != MAP_FAILED,
		 "map the file shared (read-only) and private (writable, never written)");
	if (fd < 0 || shared == MAP_FAILED || priv == MAP_FAILED)
		return 1;
	/* 1. read it all: the file is in memory */
	good = bf_check_all(shared);
	VT_CHECK(good == BF_PAGES, "shared mapping: every page holds the file (%zu of %lu)",
		 good, BF_PAGES);
	good = 0;
	for (size_t pg = 0; pg < BF_PAGES / 4; pg++)	/* a quarter, mapped twice */
		good += bf_page_ok((const volatile uint64_t *)(priv + pg * VT_PAGE), pg);
	VT_CHECK(good == BF_PAGES / 4, "private mapping: its first quarter holds the file");
	res0 = bf_resident(shared, BF_SIZE);
	rss0 = smaps_rss_kb(shared);
	printf("after reading: %ld of %lu pages resident, Rss %ld kB\n", res0, BF_PAGES, rss0);

	/* 2. anonymous memory as large as RAM: reclaim must take file pages */
	maj0 = bf_majflt();
	pgmaj0 = bf_vmstat("pgmajfault");
	steal0 = bf_vmstat("pgsteal_file");
	anon = mmap(NULL, ANON_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TL_CHECK(anon != MAP_FAILED, "map 64 MiB of anonymous memory");
	if (anon == MAP_FAILED)
		return 1;
	for (size_t pg = 0; pg < ANON_SIZE / VT_PAGE; pg++)
		*(uint64_t *)(anon + pg * VT_PAGE) = anon_word(pg);
	res1 = bf_resident(shared, BF_SIZE);
	rss1 = smaps_rss_kb(shared);
	printf("after 64 MiB of anonymous memory: %ld pages resident, Rss %ld kB\n", res1, rss1);
	if (kilburn) {		/* 64 MiB of RAM: reclaim had to take them */
		long steal, text1;

		VT_CHECK(res1 >= 0 && res1 < res0 / 2,
			 "mincore: most of the mapped file was dropped (%ld -> %ld pages)",
			 res0, res1);
		VT_CHECK(rss1 >= 0 && rss1 < rss0 / 2,
			 "smaps: the shared mapping's Rss fell (%ld -> %ld kB)", rss0, rss1);
		steal = bf_vmstat("pgsteal_file");
		VT_CHECK(steal - steal0 >= (res0 - res1) / 2,
			 "vmstat: pgsteal_file rose (%ld -> %ld)", steal0, steal);
		text1 = text_rss_kb(cat.pid);
		VT_CHECK(text1 >= 0 && text1 < text0,
			 "the text of cat, asleep, was dropped (Rss %ld -> %ld kB)", text0, text1);
	}

	/* 3. read again: from the disk, and right */
	ra0 = bf_vmstat("kilburn_file_ra");
	good = bf_check_all(shared);
	VT_CHECK(good == BF_PAGES, "shared mapping: every page read again holds the file (%zu)",
		 good);
	maj1 = bf_majflt();
	if (kilburn) {
		long pgmaj = bf_vmstat("pgmajfault");

		long ra = bf_vmstat("kilburn_file_ra") - ra0;

		/* file readahead brings most pages with a neighbour's fault */
		VT_CHECK(maj1 > maj0 && maj1 - maj0 + ra >= (long)(BF_PAGES - res1) / 2,
			 "getrusage: major faults rose (%ld -> %ld, %ld pages read ahead)",
			 maj0, maj1, ra);
		VT_CHECK(pgmaj - pgmaj0 >= maj1 - maj0,
			 "vmstat: pgmajfault rose as much (%ld -> %ld)", pgmaj0, pgmaj);
	}
	good = bf_check_all(priv);
	VT_CHECK(good == BF_PAGES, "private mapping: every page holds the file (%zu)", good);

	/* 4. the programs asleep wake up and run right, memory still short */
	if (kilburn) {
		int status;
		char c;

		TL_CHECK(cat_echoes(&cat, "two\n"), "cat, its text read again, echoes its input");
		status = sleeper_finish(&cat, "");
		VT_CHECK(vt_exited_ok(status), "cat ends well (%s)", vt_how(status));
		close(cat.out);
		status = sleeper_finish(&copy, "x");
		fcntl(copy.out, F_SETFL, O_NONBLOCK);
		while (read(copy.out, &c, 1) == 1)
			tl_count(c == 'P');
		close(copy.out);
		VT_CHECK(vt_exited_ok(status), "the copy of this program ends well (%s)",
			 vt_how(status));
	}

	/* 5. the anonymous pages come back from swap */
	for (size_t pg = 0; pg < ANON_SIZE / VT_PAGE; pg++)
		bad += *(uint64_t *)(anon + pg * VT_PAGE) != anon_word(pg);
	VT_CHECK(bad == 0, "every anonymous page reads back as written (%zu wrong)", bad);

	munmap(anon, ANON_SIZE);
	munmap(priv, BF_SIZE);
	munmap(shared, BF_SIZE);
	close(fd);
	return tl_failed_here;
}

int main(int argc, char **argv)
{
	const char *path;
	long before, swap0;

	if (argc == 3 && strcmp(argv[1], "child") == 0)
		return child_main(argv[2]);
	self = argv[0];
	printf("swap_file: mapped clean file pages are dropped and read again\n");
	path = bf_path();
	TL_CHECK(path != NULL, "the big pattern file is there");
	if (!path)
		return tl_done();
	bf_touch_own_memory();	/* every buffer used below, before the count */
	before = tl_frames_free();
	swap0 = vt_swap_used_kb();
	TL_CHECK(vt_exited_ok(vt_run(reclaim_run, (void *)path, 600)),
		 "the process mapping the file ran to its end");
	bf_touch_own_memory();
	if (tl_on_kilburn())
		VT_CHECK(vt_swap_used_kb() == swap0, "every swap slot came back (%ld kB used, %ld before)",
			 vt_swap_used_kb(), swap0);
	tl_check_no_leak(before);
	if (path[1] == 't' && path[2] == 'm')
		unlink(path);
	return tl_done();
}
