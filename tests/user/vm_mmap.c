/*
 * vm_mmap: mmap, munmap, mprotect, madvise and mremap behave as POSIX and
 * Linux say (this test passes on Linux too).
 *
 *   - bad arguments get Linux's errno: zero length, misaligned MAP_FIXED
 *     address, misaligned offset, bad fd, no MAP_SHARED/MAP_PRIVATE,
 *     MAP_FIXED_NOREPLACE over a mapping, a huge length, a shared writable
 *     mapping of a read-only file, a directory, a write-only file,
 *     misaligned or empty munmap, mprotect of an unmapped range or beyond
 *     what the file was opened for;
 *   - munmap in the middle of a region splits it: both sides stay usable,
 *     the middle faults (a child touching it dies of SIGSEGV), and
 *     /proc/self/maps shows two pieces; mprotect of the middle gives three
 *     pieces and a child writing the middle dies;
 *   - a free address hint is honoured; MAP_FIXED replaces what was there;
 *   - a private read-only mapping of /bin/true starts with "\x7fELF"; a
 *     private writable file mapping is copy-on-write (read() still sees the
 *     file) while a shared one writes the file; offsets select pages; the
 *     tail of the last page past the end of the file reads as zeros, and a
 *     page wholly past it raises SIGBUS;
 *   - MAP_POPULATE makes pages resident at once; MADV_DONTNEED makes
 *     anonymous memory read as zeros again; mremap grows and shrinks.
 * Nothing leaks once the children that did this are gone.
 */
#include <sys/syscall.h>
#include "vmtest.h"

#define P		VT_PAGE

static char file_path[64];

/* mmap that returns the errno (0 on success, unmapping what it got). */
static int mmap_errno(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p;

	errno = 0;
	p = mmap(addr, len, prot, flags, fd, off);
	if (p != MAP_FAILED) {
		munmap(p, len);
		return 0;
	}
	return errno;
}

static int rc_errno(int rc)
{
	return rc == 0 ? 0 : errno;
}

static void *anon(size_t len, int prot)
{
	return mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* Children that die (or not) touching an address. */
static int write_at(void *addr)
{
	*(volatile char *)addr = 1;
	return 0;
}

static int read_at(void *addr)
{
	return *(volatile char *)addr == 123 ? 3 : 0;
}

/*
 * The /proc/self/maps line holding addr: its bounds and permissions.
 * Returns 0 if no line holds it.
 */
static int maps_find(void *addr, uintptr_t *start, uintptr_t *end, char perms[5])
{
	static char buf[32768];
	uintptr_t a = (uintptr_t)addr;

	if (vt_read_file("/proc/self/maps", buf, sizeof(buf)) < 0)
		return 0;
	for (char *line = buf; *line; ) {
		char *e, *nl = strchr(line, '\n');
		uintptr_t s = strtoul(line, &e, 16), t = 0;

		if (*e == '-')
			t = strtoul(e + 1, &e, 16);
		if (s <= a && a < t) {
			*start = s;
			*end = t;
			memcpy(perms, e + 1, 4);
			perms[4] = 0;
			return 1;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return 0;
}

/* Write the test file: page 0 'F', page 1 'G', then 100 bytes of 'H'. */
static int make_file(void)
{
	char page[4096];
	int fd;

	snprintf(file_path, sizeof(file_path), "/tmp/vm_mmap.%d", (int)getpid());
	fd = open(file_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	memset(page, 'F', sizeof(page));
	if (write(fd, page, sizeof(page)) != (ssize_t)sizeof(page))
		return -1;
	memset(page, 'G', sizeof(page));
	if (write(fd, page, sizeof(page)) != (ssize_t)sizeof(page))
		return -1;
	memset(page, 'H', 100);
	if (write(fd, page, 100) != 100)
		return -1;
	close(fd);
	return 0;
}

static int all(const volatile char *p, size_t len, char v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

/* ---- errno cases */

static void errors(void)
{
	int rdonly = open(file_path, O_RDONLY), wronly = open(file_path, O_WRONLY);
	int dir = open("/", O_RDONLY);
	char *m = anon(4 * P, PROT_READ | PROT_WRITE), *hole, *q;

	TL_CHECK(rdonly >= 0 && wronly >= 0 && dir >= 0 && m != MAP_FAILED, "setup");
	TL_CHECK(mmap_errno(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == EINVAL,
		 "mmap of length 0: EINVAL");
	TL_CHECK(mmap_errno(m + 1, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		 EINVAL, "MAP_FIXED at a misaligned address: EINVAL");
	TL_CHECK(mmap_errno(NULL, P, PROT_READ, MAP_PRIVATE, rdonly, 100) == EINVAL,
		 "misaligned file offset: EINVAL");
	TL_CHECK(mmap_errno(NULL, P, PROT_READ, MAP_PRIVATE, -1, 0) == EBADF,
		 "file mapping of fd -1: EBADF");
	TL_CHECK(mmap_errno(NULL, P, PROT_READ, MAP_PRIVATE, 999, 0) == EBADF,
		 "file mapping of a closed fd: EBADF");
	TL_CHECK(mmap_errno(NULL, P, PROT_READ, MAP_ANONYMOUS, -1, 0) == EINVAL,
		 "neither MAP_SHARED nor MAP_PRIVATE: EINVAL");
	/* kernels before 4.17 (and qemu-user 7) take it as a hint: accept another address */
	errno = 0;
	q = mmap(m + P, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	TL_CHECK((q == MAP_FAILED && errno == EEXIST) || (!tl_on_kilburn() && q != m + P),
		 "MAP_FIXED_NOREPLACE over a mapping: EEXIST");
	if (q != MAP_FAILED && q != m + P)
		munmap(q, P);
	m[P] = 1;
	TL_CHECK(m[P] == 1, "and the mapping is still there, writable");
	TL_CHECK(mmap_errno(NULL, 1UL << 50, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == ENOMEM,
		 "a 1 PiB mapping: ENOMEM");
	TL_CHECK(mmap_errno(NULL, (size_t)-P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == ENOMEM,
		 "a length of almost 2^64: ENOMEM");
	TL_CHECK(mmap_errno(NULL, P, PROT_READ | PROT_WRITE, MAP_SHARED, rdonly, 0) == EACCES,
		 "shared writable mapping of an O_RDONLY file: EACCES");
	TL_CHECK(mmap_errno(NULL, P, PROT_READ, MAP_PRIVATE, wronly, 0) == EACCES,
		 "mapping an O_WRONLY file: EACCES");
	TL_CHECK(mmap_errno(NULL, P, PROT_READ, MAP_PRIVATE, dir, 0) == ENODEV,
		 "mapping a directory: ENODEV");
	TL_CHECK(rc_errno(munmap(m + 1, P)) == EINVAL, "munmap at a misaligned address: EINVAL");
	TL_CHECK(rc_errno(munmap(m, 0)) == EINVAL, "munmap of length 0: EINVAL");
	TL_CHECK(rc_errno(mprotect(m + 1, P, PROT_READ)) == EINVAL,
		 "mprotect at a misaligned address: EINVAL");
	if (tl_on_kilburn())	/* as Linux; qemu-user 7 says ENOMEM */
		TL_CHECK(mprotect(m, 0, PROT_READ) == 0, "mprotect of length 0 succeeds");

	hole = anon(3 * P, PROT_READ);
	TL_CHECK(hole != MAP_FAILED && munmap(hole, 3 * P) == 0, "map and unmap a hole");
	TL_CHECK(rc_errno(mprotect(hole, 3 * P, PROT_READ)) == ENOMEM,
		 "mprotect of an unmapped range: ENOMEM");
	/* a page and the hole after it (whatever else is mapped around) */
	q = anon(2 * P, PROT_READ | PROT_WRITE);
	TL_CHECK(q != MAP_FAILED && munmap(q + P, P) == 0 &&
		 rc_errno(mprotect(q, 2 * P, PROT_READ)) == ENOMEM,
		 "mprotect running past the end of a mapping: ENOMEM");
	if (q != MAP_FAILED)
		munmap(q, P);
	TL_CHECK(munmap(hole, 3 * P) == 0, "munmap of an unmapped range succeeds");

	char *ro = mmap(NULL, P, PROT_READ, MAP_SHARED, rdonly, 0);

	TL_CHECK(ro != MAP_FAILED && rc_errno(mprotect(ro, P, PROT_READ | PROT_WRITE)) == EACCES,
		 "mprotect(PROT_WRITE) of a shared mapping of an O_RDONLY file: EACCES");
	if (ro != MAP_FAILED)
		munmap(ro, P);
	char *priv = mmap(NULL, P, PROT_READ, MAP_PRIVATE, rdonly, 0);

	TL_CHECK(priv != MAP_FAILED && mprotect(priv, P, PROT_READ | PROT_WRITE) == 0,
		 "mprotect(PROT_WRITE) of a private mapping of an O_RDONLY file succeeds");
	if (priv != MAP_FAILED) {
		priv[0] = 'x';
		TL_CHECK(priv[0] == 'x', "and the private copy is writable");
		munmap(priv, P);
	}
	munmap(m, 4 * P);
	close(rdonly);
	close(wronly);
	close(dir);
}

/* ---- splitting by munmap and mprotect */

static void splits(void)
{
	char *m = anon(8 * P, PROT_READ | PROT_WRITE), perms[5];
	uintptr_t s, e;
	int st;

	if (m == MAP_FAILED) {
		TL_CHECK(0, "mmap");
		return;
	}
	memset(m, 'a', 8 * P);
	TL_CHECK(munmap(m + 3 * P, 2 * P) == 0, "munmap of 2 pages in the middle of 8");
	TL_CHECK(all(m, 3 * P, 'a') && all(m + 5 * P, 3 * P, 'a'),
		 "both sides keep their data");
	m[0] = 'b';
	m[8 * P - 1] = 'c';
	TL_CHECK(m[0] == 'b' && m[8 * P - 1] == 'c', "both sides stay writable");
	st = vt_run(read_at, m + 3 * P, 30);
	VT_CHECK(vt_killed_by(st, SIGSEGV), "a child reading the hole dies of SIGSEGV (%s)",
		 vt_how(st));
	st = vt_run(write_at, m + 5 * P - 1, 30);
	VT_CHECK(vt_killed_by(st, SIGSEGV), "a child writing the hole's last byte dies (%s)",
		 vt_how(st));
	TL_CHECK(maps_find(m, &s, &e, perms) && e == (uintptr_t)(m + 3 * P),
		 "/proc/self/maps: the left piece ends at the hole");
	TL_CHECK(maps_find(m + 5 * P, &s, &e, perms) && s == (uintptr_t)(m + 5 * P),
		 "/proc/self/maps: the right piece starts after the hole");
	TL_CHECK(!maps_find(m + 3 * P, &s, &e, perms) && !maps_find(m + 4 * P, &s, &e, perms),
		 "/proc/self/maps: nothing in the hole");
	munmap(m, 8 * P);

	m = anon(8 * P, PROT_READ | PROT_WRITE);
	if (m == MAP_FAILED) {
		TL_CHECK(0, "mmap");
		return;
	}
	memset(m, 'a', 8 * P);
	TL_CHECK(mprotect(m + 2 * P, 2 * P, PROT_READ) == 0, "mprotect of 2 pages in the middle");
	TL_CHECK(all(m + 2 * P, 2 * P, 'a'), "the read-only middle still reads");
	m[P] = 'l';
	m[4 * P] = 'r';
	TL_CHECK(m[P] == 'l' && m[4 * P] == 'r', "the sides stay writable");
	st = vt_run(write_at, m + 2 * P, 30);
	VT_CHECK(vt_killed_by(st, SIGSEGV), "a child writing the read-only middle dies (%s)",
		 vt_how(st));
	st = vt_run(write_at, m + 4 * P - 1, 30);
	VT_CHECK(vt_killed_by(st, SIGSEGV), "a child writing its last byte dies (%s)", vt_how(st));
	TL_CHECK(maps_find(m, &s, &e, perms) && e == (uintptr_t)(m + 2 * P) &&
		 strncmp(perms, "rw", 2) == 0, "/proc/self/maps: rw- piece up to the middle");
	TL_CHECK(maps_find(m + 2 * P, &s, &e, perms) && s == (uintptr_t)(m + 2 * P) &&
		 e == (uintptr_t)(m + 4 * P) && strncmp(perms, "r-", 2) == 0,
		 "/proc/self/maps: r-- middle piece");
	TL_CHECK(maps_find(m + 4 * P, &s, &e, perms) && s == (uintptr_t)(m + 4 * P) &&
		 strncmp(perms, "rw", 2) == 0, "/proc/self/maps: rw- piece after the middle");
	TL_CHECK(mprotect(m + 2 * P, 2 * P, PROT_READ | PROT_WRITE) == 0 &&
		 maps_find(m + 3 * P, &s, &e, perms) && s <= (uintptr_t)m &&
		 e >= (uintptr_t)(m + 8 * P), "mprotect back: one region again");
	m[2 * P] = 'm';
	TL_CHECK(m[2 * P] == 'm', "and the middle is writable again");
	munmap(m, 8 * P);
}

/* ---- placement */

static void placement(void)
{
	char *m = anon(4 * P, PROT_READ | PROT_WRITE), *q;
	int fd = open(file_path, O_RDONLY);

	if (m == MAP_FAILED || fd < 0) {
		TL_CHECK(0, "setup");
		return;
	}
	munmap(m, 4 * P);
	q = mmap(m + P, 2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TL_CHECK(q == m + P, "a free address hint is honoured");
	if (q != MAP_FAILED)
		munmap(q, 2 * P);

	m = anon(4 * P, PROT_READ | PROT_WRITE);
	memset(m, 'a', 4 * P);
	q = mmap(m + P, P, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, P);
	TL_CHECK(q == m + P, "MAP_FIXED over an existing mapping returns its address");
	TL_CHECK(all(m + P, P, 'G'), "the replaced page shows the file (offset 4096: 'G')");
	TL_CHECK(all(m, P, 'a') && all(m + 2 * P, 2 * P, 'a'), "the pages around it are kept");
	munmap(m, 4 * P);
	close(fd);
}

/* ---- file mappings */

static int bus_at(void *addr)
{
	return *(volatile char *)addr == 7 ? 5 : 0;
}

/* read() at an offset (lseek, then read: pread is not everywhere yet). */
static ssize_t read_at_off(int fd, char *buf, size_t len, off_t off)
{
	if (lseek(fd, off, SEEK_SET) != off)
		return -1;
	return read(fd, buf, len);
}

static void files(void)
{
	int fd = open("/bin/true", O_RDONLY), rw;
	char *m, *s, buf[4096];
	int st;

	m = fd >= 0 ? mmap(NULL, P, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	TL_CHECK(m != MAP_FAILED && memcmp(m, "\x7f" "ELF", 4) == 0,
		 "private read-only mapping of /bin/true starts with \\x7fELF");
	if (m != MAP_FAILED)
		munmap(m, P);
	close(fd);

	rw = open(file_path, O_RDWR);
	m = mmap(NULL, 2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE, rw, 0);
	s = mmap(NULL, 2 * P, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	if (rw < 0 || m == MAP_FAILED || s == MAP_FAILED) {
		TL_CHECK(0, "file mappings");
		return;
	}
	TL_CHECK(all(m, P, 'F') && all(m + P, P, 'G'), "private file mapping shows the file");
	memset(m, 'p', 10);
	TL_CHECK(read_at_off(rw, buf, 10, 0) == 10 && all(buf, 10, 'F'),
		 "writes to a private file mapping do not reach the file (read())");
	TL_CHECK(all(s, 10, 'F'), "nor a shared mapping of it");
	memset(s + P, 's', 10);
	TL_CHECK(read_at_off(rw, buf, 10, P) == 10 && all(buf, 10, 's'),
		 "writes to a shared file mapping reach the file (read())");
	TL_CHECK(all(m, 10, 'p'), "the private copy keeps its own data");
	munmap(m, 2 * P);
	munmap(s, 2 * P);

	/* the file is 2 pages + 100 bytes: page 2 is partial, page 3 past the end */
	m = mmap(NULL, 4 * P, PROT_READ, MAP_PRIVATE, rw, 0);
	if (m == MAP_FAILED) {
		TL_CHECK(0, "mmap past the end of the file");
		return;
	}
	TL_CHECK(all(m + 2 * P, 100, 'H') && all(m + 2 * P + 100, P - 100, 0),
		 "the last page holds the file's tail, then zeros");
	st = vt_run(bus_at, m + 3 * P, 30);
	VT_CHECK(vt_killed_by(st, SIGBUS),
		 "private mapping: a page wholly past the end of the file raises SIGBUS (%s)",
		 vt_how(st));
	munmap(m, 4 * P);
	m = mmap(NULL, 4 * P, PROT_READ, MAP_SHARED, rw, 0);
	if (m == MAP_FAILED) {
		TL_CHECK(0, "shared mmap past the end of the file");
		return;
	}
	TL_CHECK(all(m + 2 * P, 100, 'H') && all(m + 2 * P + 100, P - 100, 0),
		 "shared mapping: the last page holds the file's tail, then zeros");
	st = vt_run(bus_at, m + 3 * P, 30);
	VT_CHECK(vt_killed_by(st, SIGBUS),
		 "shared mapping: a page wholly past the end of the file raises SIGBUS (%s)",
		 vt_how(st));
	munmap(m, 4 * P);
	close(rw);
}

/* ---- populate, discard, remap */

static void populate_discard(void)
{
	long rss0 = tl_on_kilburn() ? vt_rss_kb() : -1, rss1;
	char *m = mmap(NULL, 64 * P, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (m == MAP_FAILED) {
		TL_CHECK(0, "MAP_POPULATE mmap");
		return;
	}
	rss1 = tl_on_kilburn() ? vt_rss_kb() : -1;
	if (rss0 >= 0)
		VT_CHECK(rss1 - rss0 >= 256, "MAP_POPULATE of 64 pages: VmRSS grew by %ld kB at once",
			 rss1 - rss0);
	TL_CHECK(all(m, 64 * P, 0), "populated memory reads as zeros");
	memset(m, 0x77, 64 * P);
	rss0 = rss1;
	TL_CHECK(madvise(m, 32 * P, MADV_DONTNEED) == 0, "madvise(MADV_DONTNEED)");
	rss1 = tl_on_kilburn() ? vt_rss_kb() : -1;
	if (rss0 >= 0)
		VT_CHECK(rss0 - rss1 >= 128, "VmRSS fell by %ld kB after discarding 32 pages",
			 rss0 - rss1);
	TL_CHECK(all(m, 32 * P, 0), "discarded anonymous memory reads as zeros");
	TL_CHECK(all(m + 32 * P, 32 * P, 0x77), "the rest keeps its data");
	munmap(m, 64 * P);
}

static void remap(void)
{
	char *m = anon(4 * P, PROT_READ | PROT_WRITE), *r;

	if (m == MAP_FAILED) {
		TL_CHECK(0, "mmap");
		return;
	}
	memset(m, 'r', 4 * P);
	r = (char *)syscall(SYS_mremap, m, 4 * P, 16 * P, 1 /* MREMAP_MAYMOVE */);
	if (r == MAP_FAILED && errno == ENOSYS) {
		printf("note: mremap is not implemented (ENOSYS): not checked\n");
		munmap(m, 4 * P);
		return;
	}
	TL_CHECK(r != MAP_FAILED, "mremap grows a mapping to 16 pages");
	if (r == MAP_FAILED) {
		munmap(m, 4 * P);
		return;
	}
	TL_CHECK(all(r, 4 * P, 'r') && all(r + 4 * P, 12 * P, 0),
		 "grown mapping keeps its data; the new part reads zeros");
	r[16 * P - 1] = 'e';
	m = (char *)syscall(SYS_mremap, r, 16 * P, 2 * P, 0);
	TL_CHECK(m == r && all(m, 2 * P, 'r'), "mremap shrinks it in place");
	r = mmap(m + 2 * P, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TL_CHECK(r == m + 2 * P, "the pages given up are free again (a hint there is honoured)");
	if (r != MAP_FAILED)
		munmap(r, P);
	munmap(m, 2 * P);
}

/* Bring /bin/true into the page cache, and the kernel's caches of names. */
static int warm_up(void *arg)
{
	int fd = open("/bin/true", O_RDONLY);
	char *m = fd >= 0 ? mmap(NULL, P, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;

	(void)arg;
	return m != MAP_FAILED && m[0] == 0x7f ? 0 : 1;
}

static int all_parts(void *arg)
{
	(void)arg;
	errors();
	splits();
	placement();
	files();
	populate_discard();
	remap();
	return tl_failed_here;
}

int main(void)
{
	long before;
	int st;

	printf("vm_mmap: mmap, munmap, mprotect, madvise semantics\n");
	if (make_file() < 0) {
		TL_CHECK(0, "write the test file in /tmp");
		return tl_done();
	}
	st = vt_run(warm_up, NULL, 60);
	before = tl_frames_free();
	st = vt_run(all_parts, NULL, 120);
	VT_CHECK(vt_exited_ok(st), "the mmap checks passed (%s)", vt_how(st));
	tl_check_no_leak(before);
	unlink(file_path);
	return tl_done();
}
