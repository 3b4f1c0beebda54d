/*
 * proc_smaps: smaps, smaps_rollup, pagemap, kpagecount and kpageflags show
 * sharing as it happens, in Linux's formats.
 *
 *   - smaps has one block per line of maps, with the same header, and the
 *     fields of Linux in Linux's order; a region of N written pages has
 *     Size, Rss, Pss, Private_Dirty and Anonymous of N pages;
 *   - after fork its Pss halves and its pages are Shared_Dirty; when the
 *     child has written every page, Pss is whole again and Private_Dirty;
 *   - smaps_rollup's Rss is the sum of smaps' and its Pss within rounding;
 *   - pagemap: the pages are present, and their frame numbers are the same
 *     in parent and child until the child writes, then all different;
 *     exclusive (bit 56) before the fork, not while shared, again after;
 *   - reading untouched pages of two mappings maps one frame, the shared
 *     zero page (kpageflags' ZERO_PAGE bit); kpagecount of a page shared by
 *     parent and child is 2;
 *   - status has every Vm and Rss line, VmHWM >= VmRSS, VmPeak >= VmSize,
 *     RssAnon + RssFile + RssShmem = VmRSS, and Threads;
 *   - another process's pagemap (and on Kilburn its pagetable) opens for
 *     root and for a process of the same user, and is EACCES for another
 *     user (Linux's ptrace read rule).
 * Frame numbers are checked where they are shown (root on Linux, always
 * on Kilburn). Under qemu-riscv64 on Linux, smaps' list of regions,
 * smaps_rollup and status are the emulator's own (it has more regions
 * and threads): those checks run on Kilburn only. No frame leaks.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/wait.h>
#include "vmtest.h"

#define N_PAGES		16
#define PM_PRESENT	(1ULL << 63)
#define PM_EXCLUSIVE	(1ULL << 56)
#define PM_PFN		((1ULL << 55) - 1)
#define KPF_ZERO_PAGE	24

static char text[65536];		/* the last file read (pre-touched) */
static int kilburn;

static const char *const smaps_fields[] = {
	"Size", "KernelPageSize", "MMUPageSize", "Rss", "Pss", "Shared_Clean",
	"Shared_Dirty", "Private_Clean", "Private_Dirty", "Referenced",
	"Anonymous", "Swap", "SwapPss", "Locked",
};

static const char *const status_fields[] = {
	"VmPeak", "VmSize", "VmLck", "VmHWM", "VmRSS", "RssAnon", "RssFile",
	"RssShmem", "VmData", "VmStk", "VmExe", "VmLib", "VmPTE", "VmSwap",
};


/* Is the line at p a block's header (it starts with an address)? */
static int is_header(const char *p)
{
	return (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f');
}

/* In the block that starts at from, the kB of "key:" (-1 if none). */
static long block_kb(const char *from, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = strchr(from, '\n'); p && p[1]; p = strchr(p, '\n')) {
		p++;
		if (is_header(p))
			return -1;	/* the next block */
		if (strncmp(p, key, n) == 0 && p[n] == ':')
			return strtol(p + n + 1, NULL, 10);
	}
	return -1;
}

/* The smaps block of the region that starts at addr, from a fresh read. */
static const char *smaps_block(const void *addr)
{
	char want[32];
	const char *p;

	vt_read_file("/proc/self/smaps", text, sizeof(text));
	snprintf(want, sizeof(want), "%08lx-", (unsigned long)addr);
	for (p = text; p && *p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, want, strlen(want)) == 0)
			return p;
	}
	return NULL;
}

/* The pagemap entry of addr in process pid (0 if it cannot be read). */
static uint64_t pagemap_of(pid_t pid, const void *addr)
{
	char path[64];
	uint64_t e = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	if (pread(fd, &e, 8, (off_t)((uintptr_t)addr / VT_PAGE) * 8) != 8)
		e = 0;
	close(fd);
	return e;
}

/* A word of /proc/kpagecount or kpageflags for frame pfn (-1: none). */
static int64_t kpage_word(const char *file, uint64_t pfn)
{
	char path[64];
	uint64_t w;
	int fd, n;

	snprintf(path, sizeof(path), "/proc/%s", file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = (int)pread(fd, &w, 8, (off_t)(pfn * 8));
	close(fd);
	return n == 8 ? (int64_t)w : -1;
}

/* Every block's header is a line of maps, the fields in Linux's order. */
static void check_smaps_format(void)
{
	static char maps[16384];
	int blocks = 0, same = 1, order = 1;
	const char *m, *p;

	vt_read_file("/proc/self/maps", text, sizeof(text));
	memcpy(maps, text, sizeof(maps) - 1);
	vt_read_file("/proc/self/smaps", text, sizeof(text));
	m = maps;
	for (p = text; p && *p; p = strchr(p, '\n')) {
		const char *prev = p;
		size_t len;

		if (*p == '\n')
			p++;
		if (!is_header(p))
			continue;
		len = strcspn(p, "\n");
		blocks++;
		same &= strncmp(p, m, len) == 0 && m[len] == '\n';
		m = strchr(m, '\n') ? strchr(m, '\n') + 1 : m;
		for (size_t i = 0; i < sizeof(smaps_fields) / sizeof(smaps_fields[0]); i++) {
			char key[32];
			const char *q;

			snprintf(key, sizeof(key), "\n%s:", smaps_fields[i]);
			q = strstr(p, key);
			order &= q && q > prev;
			prev = q ? q : prev;
		}
	}
	TL_CHECK(blocks > 3 && same && *m == 0, "smaps: a block per line of maps, same header");
	TL_CHECK(order, "smaps: Linux's fields in Linux's order");
}

/* Wait for one byte on fd; 0 if it came. */
static int wait_byte(int fd)
{
	char c;

	return read(fd, &c, 1) == 1 ? 0 : -1;
}

/* The child: report pagemap entries, wait, write every page, report again. */
static void child_run(char *mem, int to_parent, int from_parent)
{
	uint64_t e[N_PAGES];

	for (int i = 0; i < N_PAGES; i++)
		e[i] = pagemap_of(getpid(), mem + i * VT_PAGE);
	if (write(to_parent, e, sizeof(e)) != sizeof(e) || wait_byte(from_parent))
		_exit(1);
	for (int i = 0; i < N_PAGES; i++)
		mem[i * VT_PAGE] = 2;
	for (int i = 0; i < N_PAGES; i++)
		e[i] = pagemap_of(getpid(), mem + i * VT_PAGE);
	if (write(to_parent, e, sizeof(e)) != sizeof(e) || wait_byte(from_parent))
		_exit(1);
	_exit(0);
}

/* Compare the child's entries with ours: how many frames are the same. */
static int same_frames(char *mem, const uint64_t *theirs, int *present)
{
	int same = 0;

	*present = 0;
	for (int i = 0; i < N_PAGES; i++) {
		uint64_t ours = pagemap_of(getpid(), mem + i * VT_PAGE);

		*present += (ours & PM_PRESENT) && (theirs[i] & PM_PRESENT);
		same += (ours & PM_PFN) == (theirs[i] & PM_PFN);
	}
	return same;
}

static void check_fork_sharing(void)
{
	char *mem = mmap(NULL, N_PAGES * VT_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int up[2], down[2], status, present, shows_pfn;
	uint64_t theirs[N_PAGES], e0;
	const char *b;
	char what[160];
	pid_t pid;
	long kb = N_PAGES * VT_PAGE / 1024;

	TL_CHECK(mem != MAP_FAILED && pipe(up) == 0 && pipe(down) == 0,
		 "mmap and pipes");
	if (mem == MAP_FAILED)
		return;
	memset(mem, 1, N_PAGES * VT_PAGE);
	b = smaps_block(mem);
	snprintf(what, sizeof(what), "smaps of %d written pages: Size %ld Rss %ld Pss %ld "
		 "Private_Dirty %ld Anonymous %ld kB", N_PAGES, b ? block_kb(b, "Size") : -1,
		 b ? block_kb(b, "Rss") : -1, b ? block_kb(b, "Pss") : -1,
		 b ? block_kb(b, "Private_Dirty") : -1, b ? block_kb(b, "Anonymous") : -1);
	TL_CHECK(b && block_kb(b, "Size") == kb && block_kb(b, "Rss") == kb &&
		 block_kb(b, "Pss") == kb && block_kb(b, "Private_Dirty") == kb &&
		 block_kb(b, "Anonymous") == kb && block_kb(b, "KernelPageSize") == 4 &&
		 block_kb(b, "MMUPageSize") == 4, what);
	e0 = pagemap_of(getpid(), mem);
	shows_pfn = (e0 & PM_PFN) != 0;
	TL_CHECK((e0 & PM_PRESENT) && (e0 & PM_EXCLUSIVE),
		 "pagemap: a written private page is present and exclusive");
	pid = fork();
	if (pid == 0)
		child_run(mem, up[1], down[0]);
	TL_CHECK(pid > 0 && read(up[0], theirs, sizeof(theirs)) == sizeof(theirs),
		 "the child reported its pagemap");
	b = smaps_block(mem);
	snprintf(what, sizeof(what), "after fork: Pss %ld kB (half of %ld), Shared_Dirty %ld kB",
		 b ? block_kb(b, "Pss") : -1, kb, b ? block_kb(b, "Shared_Dirty") : -1);
	TL_CHECK(b && block_kb(b, "Pss") == kb / 2 && block_kb(b, "Shared_Dirty") == kb &&
		 block_kb(b, "Rss") == kb, what);
	if (shows_pfn) {
		snprintf(what, sizeof(what), "pagemap: %d of %d frames the same in parent "
			 "and child", same_frames(mem, theirs, &present), N_PAGES);
		TL_CHECK(same_frames(mem, theirs, &present) == N_PAGES && present == N_PAGES, what);
		TL_CHECK(kpage_word("kpagecount", pagemap_of(getpid(), mem) & PM_PFN) == 2,
			 "kpagecount: a page shared by parent and child is mapped twice");
	}
	TL_CHECK(!(pagemap_of(getpid(), mem) & PM_EXCLUSIVE),
		 "pagemap: a shared page is not exclusive");
	TL_CHECK(write(down[1], "w", 1) == 1 && read(up[0], theirs, sizeof(theirs)) ==
		 sizeof(theirs), "the child wrote every page");
	b = smaps_block(mem);
	snprintf(what, sizeof(what), "after the child's writes: Pss %ld kB, Private_Dirty %ld kB",
		 b ? block_kb(b, "Pss") : -1, b ? block_kb(b, "Private_Dirty") : -1);
	TL_CHECK(b && block_kb(b, "Pss") == kb && block_kb(b, "Private_Dirty") == kb &&
		 block_kb(b, "Shared_Dirty") == 0, what);
	if (shows_pfn)
		TL_CHECK(same_frames(mem, theirs, &present) == 0 && present == N_PAGES,
			 "pagemap: after the child's writes no frame is the same");
	TL_CHECK(pagemap_of(getpid(), mem) & PM_EXCLUSIVE,
		 "pagemap: the parent's page is exclusive again");
	TL_CHECK(write(down[1], "x", 1) == 1 && waitpid(pid, &status, 0) == pid &&
		 vt_exited_ok(status), "the child finished");
	close(up[0]); close(up[1]); close(down[0]); close(down[1]);
	munmap(mem, N_PAGES * VT_PAGE);
}

/* Untouched pages read in two mappings: one frame, the zero page. */
static void check_zero_page(void)
{
	char *a = mmap(NULL, 4 * VT_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *b = mmap(NULL, 4 * VT_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile char sink = 0;
	uint64_t ea, eb, ea3;

	TL_CHECK(a != MAP_FAILED && b != MAP_FAILED, "mmap two untouched mappings");
	if (a == MAP_FAILED || b == MAP_FAILED)
		return;
	sink += a[0] + a[3 * VT_PAGE] + b[VT_PAGE];
	ea = pagemap_of(getpid(), a);
	ea3 = pagemap_of(getpid(), a + 3 * VT_PAGE);
	eb = pagemap_of(getpid(), b + VT_PAGE);
	TL_CHECK((ea & PM_PRESENT) && (eb & PM_PRESENT) && !(ea & PM_EXCLUSIVE),
		 "pagemap: read untouched pages are present, not exclusive");
	TL_CHECK(!(pagemap_of(getpid(), a + VT_PAGE) & PM_PRESENT),
		 "pagemap: a page never touched is not present");
	if ((ea & PM_PFN) || kilburn) {
		TL_CHECK((ea & PM_PFN) == (eb & PM_PFN) && (ea & PM_PFN) == (ea3 & PM_PFN) &&
			 (ea & PM_PFN) != 0, "the shared zero page is one frame");
		TL_CHECK(kpage_word("kpageflags", ea & PM_PFN) >= 0 &&
			 (kpage_word("kpageflags", ea & PM_PFN) >> KPF_ZERO_PAGE & 1),
			 "kpageflags says it is the zero page");
	}
	a[0] = 1;
	TL_CHECK((pagemap_of(getpid(), a) & PM_PFN) != (eb & PM_PFN) || !(eb & PM_PFN),
		 "a write gives the page its own frame");
	munmap(a, 4 * VT_PAGE);
	munmap(b, 4 * VT_PAGE);
}

/* smaps_rollup: Rss is the sum of the regions', Pss the sum within rounding. */
static void check_rollup(void)
{
	long rss = 0, pss = 0, blocks = 0, rrss, rpss;
	char what[128];

	vt_read_file("/proc/self/smaps", text, sizeof(text));
	for (const char *p = strstr(text, "\nRss:"); p; p = strstr(p + 1, "\nRss:"))
		rss += strtol(p + 5, NULL, 10), blocks++;
	for (const char *p = strstr(text, "\nPss:"); p; p = strstr(p + 1, "\nPss:"))
		pss += strtol(p + 5, NULL, 10);
	vt_read_file("/proc/self/smaps_rollup", text, sizeof(text));
	rrss = strstr(text, "\nRss:") ? strtol(strstr(text, "\nRss:") + 5, NULL, 10) : -1;
	rpss = strstr(text, "\nPss:") ? strtol(strstr(text, "\nPss:") + 5, NULL, 10) : -1;
	TL_CHECK(strstr(text, "[rollup]\n") != NULL, "smaps_rollup: the [rollup] header");
	snprintf(what, sizeof(what), "smaps_rollup Rss %ld = sum %ld, Pss %ld ~ sum %ld",
		 rrss, rss, rpss, pss);
	TL_CHECK(rrss == rss && rpss >= pss && rpss <= pss + blocks, what);
}

static void check_status(void)
{
	long v[sizeof(status_fields) / sizeof(status_fields[0])];
	int all = 1;

	vt_read_file("/proc/self/status", text, sizeof(text));
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char key[32];
		const char *p;

		snprintf(key, sizeof(key), "\n%s:", status_fields[i]);
		p = strstr(text, key);
		all &= p != NULL;
		v[i] = p ? strtol(p + strlen(key), NULL, 10) : -1;
	}
	TL_CHECK(all && strstr(text, "\nThreads:\t1\n"), "status: every Vm and Rss line, Threads");
	TL_CHECK(v[0] >= v[1] && v[3] >= v[4], "status: VmPeak >= VmSize, VmHWM >= VmRSS");
	TL_CHECK(v[5] + v[6] + v[7] == v[4], "status: RssAnon + RssFile + RssShmem = VmRSS");
}

/* Can uid (-1: this process, root) open /proc/<pid>/<file>? 0 or an errno. */
static int open_as(int uid, pid_t pid, const char *file)
{
	char path[64];
	int status = -1, fd;
	pid_t c;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if (uid < 0) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	}
	fflush(stdout);
	c = fork();
	if (c == 0) {
		if (setuid((uid_t)uid) != 0)
			_exit(99);
		fd = open(path, O_RDONLY);
		_exit(fd < 0 ? errno : 0);
	}
	if (c < 0 || waitpid(c, &status, 0) != c || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* A target of uid 1000 (exec'd after setuid, so Linux lets its owner in). */
static void check_pagemap_access(void)
{
	char *argv[] = { "sleep", "10", NULL };
	int status;
	pid_t t;

	if (geteuid() != 0) {
		printf("note: not root: the pagemap access checks need it\n");
		return;
	}
	fflush(stdout);
	t = fork();
	if (t == 0) {
		if (setuid(1000) == 0)
			execv("/bin/sleep", argv);
		_exit(127);
	}
	usleep(200000);		/* it has exec'd */
	TL_CHECK(open_as(-1, t, "pagemap") == 0, "root opens another user's pagemap");
	TL_CHECK(open_as(1000, t, "pagemap") == 0, "the same user opens its pagemap");
	TL_CHECK(open_as(1001, t, "pagemap") == EACCES, "another user: pagemap is EACCES");
	if (kilburn) {
		TL_CHECK(open_as(-1, t, "pagetable") == 0 && open_as(1000, t, "pagetable") == 0,
			 "root and the same user open its pagetable");
		TL_CHECK(open_as(1001, t, "pagetable") == EACCES,
			 "another user: pagetable is EACCES");
	}
	kill(t, SIGKILL);
	waitpid(t, &status, 0);
}

int main(void)
{
	long before;

	printf("proc_smaps: smaps, pagemap and kpage* show sharing as it happens\n");
	kilburn = tl_on_kilburn();
	memset(text, 0, sizeof(text));	/* resident before the first reading */
	if (kilburn) {		/* qemu-riscv64 shows the emulator's own */
		check_smaps_format();	/* a warm-up round of every reader */
		check_rollup();
	}
	before = tl_frames_free();
	if (kilburn)
		check_smaps_format();
	check_fork_sharing();
	check_zero_page();
	check_pagemap_access();
	if (kilburn) {
		check_rollup();
		check_status();
	}
	tl_check_no_leak(before);
	return tl_done();
}
