/*
 * Limits of an address space and of memory, as Linux has them:
 *
 *   - a process may have vm.max_map_count regions (65530): past that, mmap,
 *     and munmap or mprotect that would split a region, fail with ENOMEM and
 *     the process lives on; /proc/sys/vm/max_map_count reads and sets it;
 *   - mprotect may grant what the mapping allows (its maxprot), whatever its
 *     neighbours allow;
 *   - /proc/sys/vm/drop_caches drops clean page-cache pages;
 *   - memory held by clean caches is given back before a process is refused
 *     memory: a child can use more than MemFree said was free;
 *   - init (pid 1) is not killed by signals other processes send it.
 *
 * The sysctl and init parts run only on Kilburn (they would change the host,
 * or the test is not pid 1 there); the rest also passes on Linux.
 */
#include <dirent.h>
#include "vmtest.h"

#define MAP_LIMIT	65530


/* Write s to a /proc file; returns 0 or -errno. */
static long write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	long n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* Regions in this process (lines of /proc/self/maps). */
static long count_maps(void)
{
	static char buf[8192];
	int fd = open("/proc/self/maps", O_RDONLY);
	long lines = 0, n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (long i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return lines;
}

/*
 * In a child: make one-page regions (alternating protections, so none
 * merge) until mmap fails. Exit code: 0 if it failed with ENOMEM at exactly
 * the limit and munmap/mprotect splits were then refused with ENOMEM.
 */
static int fill_to_the_limit(void *arg)
{
	long limit = (long)arg, made = 0, span = 2 * (limit + 16);
	long initial = count_maps();
	char *base = mmap(NULL, span * VT_PAGE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p = NULL;

	if (base == MAP_FAILED)
		return 10;
	munmap(base, span * VT_PAGE);
	for (long i = 0; i < span; i += 2) {
		p = mmap(base + i * VT_PAGE, VT_PAGE, i & 2 ? PROT_READ : PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED)
			break;
		made++;
	}
	if (p != MAP_FAILED || errno != ENOMEM)
		return 11;
	/* the count went one past the limit, as Linux's do_mmap allows */
	if (tl_on_kilburn() && initial + made != limit + 1)
		return 12;
	/* a three-page region to split: two one-page regions make way for it */
	munmap(base, 4 * VT_PAGE);
	p = mmap(base, 3 * VT_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		return 13;
	if (munmap(base + VT_PAGE, VT_PAGE) == 0 || errno != ENOMEM)
		return 14;
	if (mprotect(base + VT_PAGE, VT_PAGE, PROT_READ) == 0 || errno != ENOMEM)
		return 15;
	p[0] = 1;			/* still mapped, still writable */
	p[2 * VT_PAGE] = 2;
	return made > limit / 2 ? 0 : 16;
}

static void test_map_count(void)
{
	char buf[64] = "";
	long n = vt_read_file("/proc/sys/vm/max_map_count", buf, sizeof(buf));
	int status;

	VT_CHECK(n > 0 && strtol(buf, NULL, 10) == MAP_LIMIT,
		 "max_map_count reads %d (got %ld)", MAP_LIMIT, strtol(buf, NULL, 10));
	if (!tl_on_kilburn())
		return;
	status = vt_run(fill_to_the_limit, (void *)(long)MAP_LIMIT, 300);
	VT_CHECK(vt_exited_ok(status),
		 "65530 regions: mmap then ENOMEM, splits refused, process alive (%s)",
		 vt_how(status));
	VT_CHECK(write_file("/proc/sys/vm/max_map_count", "300\n") == 0,
		 "max_map_count can be set");
	VT_CHECK(vt_read_file("/proc/sys/vm/max_map_count", buf, sizeof(buf)) > 0 &&
		 strcmp(buf, "300\n") == 0, "and reads back as set");
	status = vt_run(fill_to_the_limit, (void *)300L, 60);
	VT_CHECK(vt_exited_ok(status), "the new limit holds (%s)", vt_how(status));
	VT_CHECK(write_file("/proc/sys/vm/max_map_count", "-1") == -EINVAL,
		 "a negative limit is EINVAL");
	VT_CHECK(write_file("/proc/sys/vm/max_map_count", "12abc") == -EINVAL,
		 "a non-number is EINVAL");
	VT_CHECK(write_file("/proc/sys/vm/max_map_count", "65530") == 0 &&
		 vt_read_file("/proc/sys/vm/max_map_count", buf, sizeof(buf)) > 0 &&
		 strtol(buf, NULL, 10) == MAP_LIMIT, "the default is restored");
}

/*
 * Two shared read-only views of one file, made through an O_RDWR and an
 * O_RDONLY descriptor, side by side: the first may still become writable.
 */
static void test_maxprot(void)
{
	static char page[VT_PAGE];
	char path[64], *a, *b;
	int rw, ro, written = 0;

	snprintf(path, sizeof(path), "/tmp/vm_limits.%d", (int)getpid());
	rw = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ro = open(path, O_RDONLY);
	for (int i = 0; i < 4; i++)
		written += write(rw, page, VT_PAGE);
	VT_CHECK(rw >= 0 && ro >= 0 && written == 4 * VT_PAGE,
		 "a four-page file in /tmp");
	a = mmap(NULL, 4 * VT_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	VT_CHECK(a != MAP_FAILED, "room for the views");
	a = mmap(a, 2 * VT_PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, rw, 0);
	b = mmap(a + 2 * VT_PAGE, 2 * VT_PAGE, PROT_READ, MAP_SHARED | MAP_FIXED,
		 ro, 2 * VT_PAGE);
	VT_CHECK(a != MAP_FAILED && b == a + 2 * VT_PAGE, "two adjacent shared views");
	VT_CHECK(mprotect(a, 2 * VT_PAGE, PROT_READ | PROT_WRITE) == 0,
		 "the view of the O_RDWR descriptor can be made writable (%s)",
		 strerror(errno));
	VT_CHECK(mprotect(b, 2 * VT_PAGE, PROT_READ | PROT_WRITE) == -1 &&
		 errno == EACCES, "the view of the O_RDONLY descriptor cannot (EACCES)");
	a[0] = 'k';
	VT_CHECK(b[-VT_PAGE * 2] == 'k', "the write shows through the mapping");
	munmap(a, 4 * VT_PAGE);
	close(rw);
	close(ro);
	unlink(path);
}

static void test_drop_caches(void)
{
	char buf[4096];
	long before, after;
	int fd;

	if (!tl_on_kilburn())
		return;
	/* read a program file so that its pages are cached */
	fd = open("/tests/vm_limits", O_RDONLY);
	while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	before = vt_proc_kb("/proc/meminfo", "Cached:");
	VT_CHECK(write_file("/proc/sys/vm/drop_caches", "3\n") == 0,
		 "writing 3 to drop_caches works");
	after = vt_proc_kb("/proc/meminfo", "Cached:");
	VT_CHECK(before > 0 && after < before,
		 "Cached went down (%ld kB -> %ld kB)", before, after);
	VT_CHECK(vt_read_file("/proc/sys/vm/drop_caches", buf, sizeof(buf)) == -EACCES,
		 "drop_caches is write-only (EACCES)");
	VT_CHECK(write_file("/proc/sys/vm/drop_caches", "0") == -EINVAL &&
		 write_file("/proc/sys/vm/drop_caches", "5") == -EINVAL,
		 "only 1 to 4 are accepted");
	/* this program's own mapped pages survived: it is still running them */
	VT_CHECK(vt_proc_kb("/proc/meminfo", "Cached:") > 0,
		 "pages still mapped were kept");
}

/* In a child: touch `arg` kB of fresh memory; exit 0 if it all reads back. */
static int use_memory(void *arg)
{
	long kb = (long)arg;
	size_t len = kb * VT_KB;
	unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 2;
	for (size_t off = 0; off < len; off += VT_PAGE)
		p[off] = (unsigned char)(off >> 12);
	for (size_t off = 0; off < len; off += VT_PAGE)
		if (p[off] != (unsigned char)(off >> 12))
			return 3;
	return 0;
}

/* Read every file of a directory (into the page cache). */
static void read_every_file(const char *dir)
{
	static char buf[4096];
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL) {
		char path[300];
		int fd;

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		fd = open(path, O_RDONLY);
		while (fd >= 0 && read(fd, buf, sizeof(buf)) > 0)
			;
		if (fd >= 0)
			close(fd);
	}
	if (d)
		closedir(d);
}

/* Clean cache is given back before anyone is refused memory. */
static void test_cache_is_reclaimed(void)
{
	long free_kb, cached_kb, want;
	int status;

	if (!tl_on_kilburn())
		return;
	read_every_file("/tests");	/* fill the cache */
	free_kb = vt_memfree_kb();
	cached_kb = vt_proc_kb("/proc/meminfo", "Cached:");
	/* more than is free, less the kernel's reserve and the page tables */
	want = free_kb + cached_kb / 2 - 3 * 1024;
	VT_CHECK(cached_kb > 6 * 1024 && want > free_kb,
		 "the cache holds %ld kB", cached_kb);
	status = vt_run(use_memory, (void *)want, 120);
	VT_CHECK(vt_exited_ok(status),
		 "a child uses %ld kB with %ld kB free and %ld kB cached (%s)",
		 want, free_kb, cached_kb, vt_how(status));
}

/* In a child: send init the signals a shell user might. */
static int signal_init(void *unused)
{
	(void)unused;
	if (kill(1, SIGTERM) != 0 || kill(1, SIGINT) != 0 || kill(1, SIGKILL) != 0)
		return 1;
	return kill(1, 0) == 0 ? 0 : 2;
}

static void test_init_is_not_killed(void)
{
	int status;

	if (!tl_on_kilburn() || getpid() != 1)
		return;
	status = vt_run(signal_init, NULL, 30);
	usleep(100 * 1000);	/* a pending signal would act on the next return */
	VT_CHECK(vt_exited_ok(status), "kill(1, SIGKILL/SIGTERM/SIGINT) returns 0 (%s)",
		 vt_how(status));
	VT_CHECK(getpid() == 1, "init survived them");
}

int main(void)
{
	long before;

	test_drop_caches();	/* warm-up for the leak check, too */
	read_every_file("/tests");	/* the root file system keeps its vnodes */
	before = tl_frames_free();
	test_map_count();
	test_maxprot();
	test_cache_is_reclaimed();
	test_init_is_not_killed();
	tl_check_no_leak(before);
	return tl_done();
}
