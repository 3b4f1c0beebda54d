/*
 * proc_meminfo: /proc/meminfo and /proc/vmstat in Linux's formats, with
 * numbers that follow what this program does, and overcommit.
 *
 *   - meminfo has every field of Linux's list, in Linux's order, each
 *     "Name:" in 16 columns and the kB in 8; the parts add up (Active is
 *     Active(anon) + Active(file), Slab is SReclaimable + SUnreclaim,
 *     MemFree <= MemAvailable <= MemTotal) and CommitLimit is
 *     MemTotal * overcommit_ratio / 100 + SwapTotal;
 *   - touching N fresh pages raises AnonPages by N pages and vmstat's
 *     pgfault and kilburn_zero_fills by N; reading N fresh pages maps the
 *     zero page N times (kilburn_zero_page_maps); a forked child writing N
 *     shared pages makes N copies (kilburn_cow_copies), and the parent's
 *     next writes take its pages over (kilburn_cow_takeovers);
 *   - the replacement policy's lists: Active(anon) + Inactive(anon) +
 *     Unevictable rises by N pages when N fresh pages are touched, mlock
 *     of them moves N pages from Active/Inactive(anon) into Unevictable
 *     and Mlocked, and munlock moves them back;
 *   - Committed_AS counts a private writable mapping when it is made (not
 *     when touched), not a read-only, shared or MAP_NORESERVE one; mprotect
 *     to writable charges; munmap gives back;
 *   - reading a file that is not in the page cache raises pgpgin by its
 *     size in KiB (Kilburn: after drop_caches); /proc/stat's intr counts
 *     interrupts (timer ticks at least);
 *   - overcommit_memory 2 refuses an mmap and a fork beyond CommitLimit with
 *     ENOMEM, and a small mmap still works; 1 allows a mapping of four
 *     times the RAM; 0 refuses one larger than RAM + swap; bad values are
 *     EINVAL.
 * The exact numbers are checked on Kilburn only (Linux's are the whole
 * machine's, changing all the time); the overcommit modes are only written
 * on Kilburn (on Linux that would change the machine's policy). No frame
 * leaks.
 */
#include <errno.h>
#include <sys/wait.h>
#include "vmtest.h"

#define N_PAGES		32

static char text[8192];			/* the last file read (pre-touched) */
static int kilburn;

static const char *const meminfo_names[] = {
	"MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached",
	"Active", "Inactive", "Active(anon)", "Inactive(anon)", "Active(file)",
	"Inactive(file)", "Unevictable", "Mlocked", "SwapTotal", "SwapFree",
	"Dirty", "Writeback", "AnonPages", "Mapped", "Shmem", "KReclaimable",
	"Slab", "SReclaimable", "SUnreclaim", "KernelStack", "PageTables",
	"CommitLimit", "Committed_AS", "VmallocTotal", "VmallocUsed",
};

static const char *const vmstat_names[] = {
	"nr_free_pages", "nr_anon_pages", "nr_mapped", "nr_file_pages",
	"pgalloc_normal", "pgfree", "pgfault", "pgmajfault", "pgpgin", "pgpgout", "pswpin",
	"pswpout",
	"pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd", "pgsteal_direct",
};

static const char *const kilburn_names[] = {
	"kilburn_cow_copies", "kilburn_cow_takeovers", "kilburn_zero_fills",
	"kilburn_zero_page_maps", "kilburn_tlb_shootdowns_sent",
	"kilburn_tlb_shootdowns_received", "kilburn_tlb_shootdowns_deferred",
};


/* The line of text that starts with key followed by sep; NULL if none. */
static const char *line_of(const char *key, char sep)
{
	size_t n = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, key, n) == 0 && p[n] == sep)
			return p;
	}
	return NULL;
}

/* A field of /proc/meminfo in kB, or -1. */
static long mem_kb(const char *key)
{
	const char *p;

	vt_read_file("/proc/meminfo", text, sizeof(text));
	p = line_of(key, ':');
	return p ? strtol(p + strlen(key) + 1, NULL, 10) : -1;
}

/* A counter of /proc/vmstat, or -1. */
static long vmstat(const char *key)
{
	const char *p;

	vt_read_file("/proc/vmstat", text, sizeof(text));
	p = line_of(key, ' ');
	return p ? strtol(p + strlen(key) + 1, NULL, 10) : -1;
}

/* Read a /proc/sys/vm integer; -1 if it cannot be read. */
static long sysctl_read(const char *name)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/sys/vm/%s", name);
	return vt_read_file(path, text, sizeof(text)) > 0 ? strtol(text, NULL, 10) : -1;
}

/* Write a /proc/sys/vm integer; 0, or -errno. */
static int sysctl_write(const char *name, const char *value)
{
	char path[64];
	int fd, n;

	snprintf(path, sizeof(path), "/proc/sys/vm/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = (int)write(fd, value, strlen(value));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

/* Every field, in order, in Linux's columns. */
static void check_meminfo_format(void)
{
	const char *p = text;
	int in_order = 1, columns = 1;
	char what[96];

	vt_read_file("/proc/meminfo", text, sizeof(text));
	for (size_t i = 0; i < sizeof(meminfo_names) / sizeof(meminfo_names[0]); i++) {
		const char *q = line_of(meminfo_names[i], ':');

		if (!q) {
			snprintf(what, sizeof(what), "meminfo has %s", meminfo_names[i]);
			TL_CHECK(0, what);
			continue;
		}
		in_order &= q >= p;
		p = q;
		/* name and colon padded to 16 columns, the number in 8 (or more) */
		columns &= (q[15] == ' ' || strlen(meminfo_names[i]) >= 15) &&
			   q[16 + strcspn(q + 16, "\n") - 3] == ' ' &&
			   strncmp(q + 16 + strcspn(q + 16, "\n") - 2, "kB", 2) == 0;
	}
	TL_CHECK(in_order, "meminfo: every field of Linux's list, in Linux's order");
	TL_CHECK(columns, "meminfo: 16 columns of name, the kB after");
}

/* The parts of meminfo add up. */
static void check_meminfo_sums(void)
{
	long total = mem_kb("MemTotal"), free = mem_kb("MemFree"),
	     avail = mem_kb("MemAvailable"), ratio = sysctl_read("overcommit_ratio");
	long act = mem_kb("Active"), inact = mem_kb("Inactive");
	long aa = mem_kb("Active(anon)"), ia = mem_kb("Inactive(anon)"),
	     af = mem_kb("Active(file)"), ifl = mem_kb("Inactive(file)");
	long limit = mem_kb("CommitLimit"), swap = mem_kb("SwapTotal");
	char what[128];

	TL_CHECK(free > 0 && free <= avail && avail <= total,
		 "meminfo: 0 < MemFree <= MemAvailable <= MemTotal");
	TL_CHECK(mem_kb("Slab") == mem_kb("SReclaimable") + mem_kb("SUnreclaim"),
		 "meminfo: Slab is SReclaimable + SUnreclaim");
	TL_CHECK(mem_kb("SwapFree") <= swap, "meminfo: SwapFree <= SwapTotal");
	if (kilburn) {
		TL_CHECK(act == aa + af && inact == ia + ifl,
			 "meminfo: Active and Inactive are the sums of their anon and file parts");
		TL_CHECK(mem_kb("KernelStack") > 0 && mem_kb("PageTables") > 0,
			 "meminfo: kernel stacks and page tables are counted");
	}
	TL_CHECK(ratio >= 0, "overcommit_ratio reads");
	snprintf(what, sizeof(what), "CommitLimit %ld kB is MemTotal * %ld%% + SwapTotal",
		 limit, ratio);
	TL_CHECK(labs(limit - (total * ratio / 100 + swap)) <= 4, what);
}

/* Touching fresh pages: AnonPages, pgfault, zero fills and zero-page maps. */
static void check_fresh_pages(void)
{
	char *mem = mmap(NULL, 2 * N_PAGES * VT_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long anon0, anon1, flt0, flt1, fill0, fill1, zero0, zero1;
	volatile char sink = 0;
	char what[128];

	TL_CHECK(mem != MAP_FAILED, "mmap fresh pages");
	if (mem == MAP_FAILED)
		return;
	anon0 = mem_kb("AnonPages");
	flt0 = vmstat("pgfault");
	fill0 = vmstat("kilburn_zero_fills");
	for (int i = 0; i < N_PAGES; i++)
		mem[i * VT_PAGE] = 1;
	flt1 = vmstat("pgfault");
	fill1 = vmstat("kilburn_zero_fills");
	anon1 = mem_kb("AnonPages");
	zero0 = vmstat("kilburn_zero_page_maps");
	for (int i = N_PAGES; i < 2 * N_PAGES; i++)
		sink += mem[i * VT_PAGE];
	zero1 = vmstat("kilburn_zero_page_maps");
	TL_CHECK(flt1 - flt0 >= N_PAGES, "vmstat pgfault rose by at least N");
	if (kilburn) {
		snprintf(what, sizeof(what), "touching %d pages: AnonPages +%ld kB, "
			 "pgfault +%ld, zero fills +%ld", N_PAGES, anon1 - anon0,
			 flt1 - flt0, fill1 - fill0);
		TL_CHECK(anon1 - anon0 == N_PAGES * 4 && flt1 - flt0 == N_PAGES &&
			 fill1 - fill0 == N_PAGES, what);
		snprintf(what, sizeof(what), "reading %d fresh pages: %ld zero-page maps",
			 N_PAGES, zero1 - zero0);
		TL_CHECK(zero1 - zero0 == N_PAGES, what);
	}
	munmap(mem, 2 * N_PAGES * VT_PAGE);
}

/* The LRU figures of one reading of /proc/meminfo, in kB. */
struct lru_kb {
	long aa, ia, af, ifl, unevictable, mlocked;
};

static void lru_read(struct lru_kb *l)
{
	const char *keys[] = { "Active(anon)", "Inactive(anon)", "Active(file)",
			       "Inactive(file)", "Unevictable", "Mlocked" };
	long *v[] = { &l->aa, &l->ia, &l->af, &l->ifl, &l->unevictable, &l->mlocked };

	vt_read_file("/proc/meminfo", text, sizeof(text));
	for (int i = 0; i < 6; i++) {
		const char *p = line_of(keys[i], ':');

		*v[i] = p ? strtol(p + strlen(keys[i]) + 1, NULL, 10) : -1;
	}
}

/*
 * Touched pages join the policy's anon lists; mlock takes them off into
 * Unevictable (and Mlocked); munlock puts them back.
 */
static void check_lru_lists(void)
{
	char *mem = mmap(NULL, N_PAGES * VT_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct lru_kb a, b, c, d;
	char what[200];
	long n_kb = N_PAGES * VT_PAGE / 1024;
	int locked;

	TL_CHECK(mem != MAP_FAILED, "mmap pages for the LRU lists");
	if (mem == MAP_FAILED)
		return;
	lru_read(&a);
	for (int i = 0; i < N_PAGES; i++)
		mem[i * VT_PAGE] = 1;
	lru_read(&b);
	locked = mlock(mem, N_PAGES * VT_PAGE);
	TL_CHECK(locked == 0, "mlock the touched pages");
	lru_read(&c);
	munlock(mem, N_PAGES * VT_PAGE);
	lru_read(&d);
	if (kilburn) {
		snprintf(what, sizeof(what), "touching %d pages: Active(anon) %+ld, "
			 "Inactive(anon) %+ld, Unevictable %+ld kB (want %ld in all)",
			 N_PAGES, b.aa - a.aa, b.ia - a.ia, b.unevictable - a.unevictable, n_kb);
		TL_CHECK((b.aa + b.ia + b.unevictable) - (a.aa + a.ia + a.unevictable) == n_kb &&
			 b.unevictable == a.unevictable, what);
		snprintf(what, sizeof(what), "mlock: Active+Inactive(anon) %+ld, "
			 "Unevictable %+ld, Mlocked %+ld kB (want -+%ld)",
			 (c.aa + c.ia) - (b.aa + b.ia), c.unevictable - b.unevictable,
			 c.mlocked - b.mlocked, n_kb);
		TL_CHECK((c.aa + c.ia) - (b.aa + b.ia) == -n_kb &&
			 c.unevictable - b.unevictable == n_kb &&
			 c.mlocked - b.mlocked == n_kb, what);
		snprintf(what, sizeof(what), "munlock: Active+Inactive(anon) %+ld, "
			 "Unevictable %+ld kB (want +-%ld)", (d.aa + d.ia) - (c.aa + c.ia),
			 d.unevictable - c.unevictable, n_kb);
		TL_CHECK((d.aa + d.ia) - (c.aa + c.ia) == n_kb &&
			 d.unevictable == b.unevictable && d.mlocked == b.mlocked, what);
		/*
		 * CLOCK/FIFO/LRU: the halves' boundary moves (the pages crossing
		 * it may be the root file system's, on the same queue); S3-FIFO:
		 * new pages are on S.
		 */
		TL_CHECK(b.ia + b.ifl > a.ia + a.ifl,
			 "touching pages grows the policy's inactive side too");
	} else if (locked == 0) {
		TL_CHECK(c.mlocked >= n_kb && c.unevictable >= c.mlocked,
			 "Linux: Mlocked holds the locked pages, Unevictable at least as much");
	}
	munmap(mem, N_PAGES * VT_PAGE);
}

/* A child writes shared pages (copies); then the parent's writes take over. */
static void check_cow_counters(void)
{
	char *mem = mmap(NULL, N_PAGES * VT_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long copies0, copies1, take0, take1;
	char what[128];
	pid_t pid;
	int status;

	TL_CHECK(mem != MAP_FAILED, "mmap pages to share");
	if (mem == MAP_FAILED)
		return;
	memset(mem, 7, N_PAGES * VT_PAGE);
	vmstat("kilburn_cow_copies");	/* the buffer is touched before the fork */
	copies0 = vmstat("kilburn_cow_copies");
	pid = fork();
	if (pid == 0) {
		for (int i = 0; i < N_PAGES; i++)
			mem[i * VT_PAGE] = 8;
		_exit(0);
	}
	TL_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && vt_exited_ok(status),
		 "the child wrote its copies");
	copies1 = vmstat("kilburn_cow_copies");
	take0 = vmstat("kilburn_cow_takeovers");
	for (int i = 0; i < N_PAGES; i++)
		mem[i * VT_PAGE] = 9;
	take1 = vmstat("kilburn_cow_takeovers");
	if (kilburn) {
		snprintf(what, sizeof(what), "the child's %d writes made %ld copies",
			 N_PAGES, copies1 - copies0);
		TL_CHECK(copies1 - copies0 >= N_PAGES && copies1 - copies0 <= N_PAGES + 8,
			 what);
		snprintf(what, sizeof(what), "the parent's %d writes took over %ld pages",
			 N_PAGES, take1 - take0);
		TL_CHECK(take1 - take0 == N_PAGES, what);
	}
	munmap(mem, N_PAGES * VT_PAGE);
}

/* Every counter named, with a number. */
static void check_vmstat_names(void)
{
	int all = 1, own = 1;

	vt_read_file("/proc/vmstat", text, sizeof(text));
	for (size_t i = 0; i < sizeof(vmstat_names) / sizeof(vmstat_names[0]); i++)
		all &= line_of(vmstat_names[i], ' ') != NULL;
	TL_CHECK(all, "vmstat: Linux's counters by Linux's names");
	if (!kilburn)
		return;
	for (size_t i = 0; i < sizeof(kilburn_names) / sizeof(kilburn_names[0]); i++)
		own &= line_of(kilburn_names[i], ' ') != NULL;
	TL_CHECK(own, "vmstat: Kilburn's own counters (copy-on-write, zero page, TLB)");
	TL_CHECK(vmstat("nr_anon_pages") * 4 == mem_kb("AnonPages") ||
		 labs(vmstat("nr_anon_pages") * 4 - mem_kb("AnonPages")) <= 16,
		 "vmstat nr_anon_pages agrees with meminfo AnonPages");
}

/* The change of Committed_AS (kB) that mapping len bytes this way makes. */
static long commit_delta(int prot, int flags, long len)
{
	long before = mem_kb("Committed_AS"), after;
	void *p = mmap(NULL, (size_t)len, prot, flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	after = mem_kb("Committed_AS");
	munmap(p, (size_t)len);
	return after - before;
}

static void check_committed(void)
{
	long len = 256 * VT_PAGE, kb = len / 1024, before, mid, after;
	char *p;

	if (!kilburn)
		return;
	TL_CHECK(commit_delta(PROT_READ | PROT_WRITE, MAP_PRIVATE, len) == kb,
		 "Committed_AS counts a private writable mapping when it is made");
	TL_CHECK(commit_delta(PROT_READ, MAP_PRIVATE, len) == 0,
		 "Committed_AS: a read-only mapping is not committed");
	TL_CHECK(commit_delta(PROT_READ | PROT_WRITE, MAP_SHARED, len) == 0,
		 "Committed_AS: a shared mapping is not committed");
	TL_CHECK(commit_delta(PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE, len) == 0,
		 "Committed_AS: MAP_NORESERVE is not committed (mode 0)");
	before = mem_kb("Committed_AS");
	p = mmap(NULL, (size_t)len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TL_CHECK(p != MAP_FAILED && mprotect(p, (size_t)len, PROT_READ | PROT_WRITE) == 0,
		 "mprotect a read-only mapping to writable");
	mid = mem_kb("Committed_AS");
	munmap(p, (size_t)len);
	after = mem_kb("Committed_AS");
	TL_CHECK(mid - before == kb && after == before,
		 "mprotect to writable commits the mapping; munmap gives it back");
}

/* In mode 2, a mapping and a fork that would pass CommitLimit fail. */
static void check_mode_never(void)
{
	long room, len;
	char *big, *small;
	pid_t pid;
	int status;

	TL_CHECK(sysctl_write("overcommit_memory", "2") == 0 &&
		 sysctl_read("overcommit_memory") == 2, "overcommit_memory 2 is set");
	room = mem_kb("CommitLimit") - mem_kb("Committed_AS");
	big = mmap(NULL, (size_t)(room + 1024) * 1024, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TL_CHECK(big == MAP_FAILED && errno == ENOMEM,
		 "mode 2: an mmap beyond CommitLimit fails with ENOMEM");
	big = mmap(NULL, (size_t)(room + 1024) * 1024, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TL_CHECK(big == MAP_FAILED && errno == ENOMEM,
		 "mode 2: MAP_NORESERVE does not get past CommitLimit");
	small = mmap(NULL, 16 * VT_PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TL_CHECK(small != MAP_FAILED, "mode 2: a small mmap still works");
	if (small != MAP_FAILED)
		munmap(small, 16 * VT_PAGE);
	/* take most of the room: a fork, which commits it all again, fails */
	len = (mem_kb("CommitLimit") - mem_kb("Committed_AS")) * 1024 * 3 / 4;
	len &= ~(long)(VT_PAGE - 1);
	big = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TL_CHECK(big != MAP_FAILED, "mode 2: a mapping of 3/4 of the room works");
	pid = big == MAP_FAILED ? -1 : fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, &status, 0);
	TL_CHECK(pid < 0 && errno == ENOMEM, "mode 2: fork beyond CommitLimit fails with ENOMEM");
	if (big != MAP_FAILED)
		munmap(big, (size_t)len);
	TL_CHECK(sysctl_write("overcommit_memory", "0") == 0, "overcommit_memory 0 again");
}

/* Mode 1 maps anything; mode 0 refuses one request larger than RAM + swap. */
static void check_modes_always_and_guess(void)
{
	long huge = (mem_kb("MemTotal") + mem_kb("SwapTotal")) * 1024 * 4;
	void *p;

	TL_CHECK(sysctl_write("overcommit_memory", "3") == -EINVAL &&
		 sysctl_write("overcommit_memory", "-1") == -EINVAL,
		 "overcommit_memory 3 and -1 are EINVAL");
	TL_CHECK(sysctl_write("overcommit_memory", "1") == 0, "overcommit_memory 1 is set");
	p = mmap(NULL, (size_t)huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	TL_CHECK(p != MAP_FAILED, "mode 1: a mapping of 4 x (RAM + swap) works");
	if (p != MAP_FAILED)
		munmap(p, (size_t)huge);
	TL_CHECK(sysctl_write("overcommit_memory", "0") == 0, "overcommit_memory 0 is set");
	p = mmap(NULL, (size_t)huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	TL_CHECK(p == MAP_FAILED && errno == ENOMEM,
		 "mode 0: one mapping larger than RAM + swap fails with ENOMEM");
	if (p != MAP_FAILED)
		munmap(p, (size_t)huge);
}

/* The total of /proc/stat's intr line, or -1. */
static long stat_intr(void)
{
	const char *p;

	vt_read_file("/proc/stat", text, sizeof(text));
	p = line_of("intr", ' ');
	return p ? strtol(p + 5, NULL, 10) : -1;
}

/* pgpgin follows the disk reads; interrupts are counted. */
static void check_io_counters(void)
{
	long in0, in1, i0 = stat_intr(), i1;
	long size = 0, n;
	int fd;

	usleep(100000);
	i1 = stat_intr();
	VT_CHECK(i0 > 0 && i1 > i0, "/proc/stat intr grows (%ld -> %ld)", i0, i1);
	if (!kilburn)		/* Linux's cache cannot be emptied without harm */
		return;
	tl_drop_caches();
	in0 = vmstat("pgpgin");
	fd = open("/bin/cat", O_RDONLY);
	while (fd >= 0 && (n = read(fd, text, sizeof(text))) > 0)	/* pre-touched */
		size += n;
	if (fd >= 0)
		close(fd);
	in1 = vmstat("pgpgin");
	VT_CHECK(size > 0 && in1 - in0 >= size / 1024 && in1 - in0 <= size / 1024 + 64,
		 "pgpgin: reading %ld KiB from the disk adds them (%ld)", size / 1024, in1 - in0);
}

int main(void)
{
	long before;

	printf("proc_meminfo: meminfo and vmstat follow what the program does; overcommit\n");
	kilburn = tl_on_kilburn();
	check_meminfo_format();		/* a warm-up round */
	check_io_counters();
	check_fresh_pages();
	check_cow_counters();
	check_lru_lists();
	before = tl_frames_free();
	check_meminfo_format();
	check_meminfo_sums();
	check_vmstat_names();
	check_io_counters();
	check_fresh_pages();
	check_cow_counters();
	check_lru_lists();
	check_committed();
	TL_CHECK(sysctl_read("overcommit_memory") >= 0 && sysctl_read("overcommit_memory") <= 2,
		 "overcommit_memory reads 0, 1 or 2");
	if (kilburn) {
		check_mode_never();
		check_modes_always_and_guess();
	}
	tl_check_no_leak(before);
	return tl_done();
}
