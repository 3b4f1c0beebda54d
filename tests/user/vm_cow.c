/*
 * vm_cow: fork shares memory copy-on-write.
 *
 *   - parent and child see the same data until one writes; then each has
 *     its own: the child's writes never appear in the parent, nor the
 *     parent's (made while the child runs) in the child;
 *   - three generations share a page; each writer gets its own copy and the
 *     others keep seeing the old data;
 *   - never-written (zero) pages are copy-on-write too;
 *   - a process holding two thirds of RAM can fork (it could not if fork
 *     copied): fork takes little memory, both read everything, the child's
 *     few writes cost a few pages and stay in the child, and once the
 *     child is gone the parent rewrites everything without copying;
 *   - read() from a pipe into a buffer shared copy-on-write lands only in
 *     the reader, whether the reader is the child or the parent;
 *   - MAP_SHARED anonymous memory stays shared across fork, both ways.
 * Nothing leaks once the children are gone.
 */
#include "vmtest.h"

#define NPAGES	16

static unsigned char data[NPAGES * 4096] __attribute__((aligned(4096)));

static void fill(unsigned char *p, size_t len, unsigned char v)
{
	memset(p, v, len);
}

/* Every byte of p[0..len) is v. */
static int all(const volatile unsigned char *p, size_t len, unsigned char v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static void put(int fd, char c)
{
	if (write(fd, &c, 1) != 1)
		_exit(99);
}

static char get(int fd)
{
	char c = 0;

	if (read(fd, &c, 1) != 1)
		_exit(98);
	return c;
}

/* ---- parent and child, each writing while the other runs */

static void parent_and_child(void)
{
	int to_child[2], to_parent[2], st;
	pid_t pid;

	fill(data, sizeof(data), 'A');
	if (pipe(to_child) || pipe(to_parent)) {
		TL_CHECK(0, "pipes");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int bad = 0;

		bad |= !all(data, sizeof(data), 'A');	/* shared, unwritten */
		put(to_parent[1], 'r');
		get(to_child[0]);			/* parent has written B */
		bad |= !all(data, sizeof(data), 'A') << 1;
		fill(data, sizeof(data), 'C');
		bad |= !all(data, sizeof(data), 'C') << 2;
		put(to_parent[1], 'c');
		_exit(bad);
	}
	TL_CHECK(pid > 0, "fork");
	if (pid < 0)
		return;
	get(to_parent[0]);
	fill(data, sizeof(data), 'B');
	put(to_child[1], 'w');
	get(to_parent[0]);			/* child has written C */
	TL_CHECK(all(data, sizeof(data), 'B'), "the child's writes do not appear in the parent");
	st = vt_wait(pid, 60);
	VT_CHECK(vt_exited_ok(st),
		 "the child saw the parent's data, not its later writes, and wrote its own (%s)",
		 vt_how(st));
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

/* ---- three generations */

static int middle(void *arg)
{
	int go[2], st, bad = 0;
	pid_t pid;

	(void)arg;
	bad |= !all(data, sizeof(data), 'X');
	if (pipe(go))
		return 1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {			/* grandchild */
		int gbad = 0;

		gbad |= !all(data, sizeof(data), 'X');
		get(go[0]);		/* the middle generation has written Y */
		gbad |= !all(data, sizeof(data), 'X') << 1;
		fill(data, sizeof(data), 'Z');
		gbad |= !all(data, sizeof(data), 'Z') << 2;
		_exit(gbad);
	}
	if (pid < 0)
		return 2;
	fill(data, sizeof(data), 'Y');
	put(go[1], 'y');
	st = vt_wait(pid, 60);
	VT_CHECK(vt_exited_ok(st), "the grandchild saw the data of its fork, then its own "
		 "writes (%s)", vt_how(st));
	bad |= !vt_exited_ok(st) << 2;
	bad |= !all(data, sizeof(data), 'Y') << 3;
	return bad;
}

static void three_generations(void)
{
	int st;

	fill(data, sizeof(data), 'X');
	st = vt_run(middle, NULL, 60);
	VT_CHECK(vt_exited_ok(st),
		 "child and grandchild each get their own copy when they write (%s)",
		 vt_how(st));
	TL_CHECK(all(data, sizeof(data), 'X'), "the grandparent still sees its data");
	fill(data, sizeof(data), 'W');
	TL_CHECK(all(data, sizeof(data), 'W'), "the grandparent, last holder, writes its pages");
}

/* ---- zero pages */

static int zero_pages(void *arg)
{
	unsigned char *m = mmap(NULL, 4 * VT_PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile unsigned char sink;
	pid_t pid;
	int st;

	(void)arg;
	if (m == MAP_FAILED) {
		TL_CHECK(0, "mmap");
		return 1;
	}
	sink = m[VT_PAGE];		/* page 1 maps the zero page; 0 and 2.. untouched */
	(void)sink;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		memset(m, 0x11, 2 * VT_PAGE);
		_exit(!all(m, 2 * VT_PAGE, 0x11));
	}
	st = vt_wait(pid, 60);
	TL_CHECK(vt_exited_ok(st), "the child writes never-written and read-only-zero pages");
	TL_CHECK(all(m, 4 * VT_PAGE, 0), "the parent still reads zeros there");
	munmap(m, 4 * VT_PAGE);
	return tl_failed_here;
}

/* ---- fork of a process holding two thirds of RAM */

/* Two thirds of RAM on Kilburn (at most 1 GiB); 80 MiB elsewhere. */
static unsigned long big_len(void)
{
	long total = tl_on_kilburn() ? vt_proc_kb("/proc/meminfo", "MemTotal:") : -1;
	unsigned long len = 80UL << 20;

	if (total > 0)
		len = ((unsigned long)total * 1024 / 3 * 2) & ~(VT_PAGE - 1);
	return len < (1UL << 30) ? len : 1UL << 30;
}

/* The word stored at the start of every page of the big block. */
static unsigned long tag(unsigned long page, unsigned long gen)
{
	return page * 2654435761UL + gen;
}

static int big_fork(void *arg)
{
	unsigned long len = big_len(), pages = len / VT_PAGE;
	unsigned long *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long free0, free1, free2;
	int st, ok = 1;
	pid_t pid;

	(void)arg;
	if (m == MAP_FAILED) {
		TL_CHECK(0, "mmap of the big block");
		return 1;
	}
	for (unsigned long i = 0; i < pages; i++)
		m[i * VT_PAGE / sizeof(long)] = tag(i, 0);
	free0 = tl_on_kilburn() ? vt_memfree_kb() : -1;
	if (free0 >= 0)
		VT_CHECK(free0 < (long)(len / 1024),
			 "%lu MiB touched leaves %ld kB free: less than a copy needs",
			 len >> 20, free0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		unsigned long bad = 0;

		for (unsigned long i = 0; i < pages; i++)
			bad += m[i * VT_PAGE / sizeof(long)] != tag(i, 0);
		for (unsigned long i = 0; i < pages; i += pages / 8)
			m[i * VT_PAGE / sizeof(long)] = tag(i, 1);
		for (unsigned long i = 0; i < pages; i += pages / 8)
			bad += m[i * VT_PAGE / sizeof(long)] != tag(i, 1);
		_exit(bad != 0);
	}
	free1 = tl_on_kilburn() ? vt_memfree_kb() : -1;
	VT_CHECK(pid > 0, "a process holding %lu MiB forks", len >> 20);
	if (pid < 0)
		return 1;
	if (free0 >= 0)
		VT_CHECK(free0 - free1 < 4096, "the fork took %ld kB (< 4 MiB)", free0 - free1);
	st = vt_wait(pid, 120);
	VT_CHECK(vt_exited_ok(st),
		 "the child read all %lu MiB and wrote a few pages of its own (%s)",
		 len >> 20, vt_how(st));
	for (unsigned long i = 0; i < pages; i++)
		ok &= m[i * VT_PAGE / sizeof(long)] == tag(i, 0);
	TL_CHECK(ok, "the parent does not see the child's writes");
	free1 = tl_on_kilburn() ? vt_memfree_kb() : -1;
	for (unsigned long i = 0; i < pages; i++)
		m[i * VT_PAGE / sizeof(long)] = tag(i, 2);
	free2 = tl_on_kilburn() ? vt_memfree_kb() : -1;
	if (free1 >= 0)
		VT_CHECK(free1 - free2 < 256,
			 "with the child gone the parent rewrites everything without copying (%ld kB)",
			 free1 - free2);
	return tl_failed_here;
}

/* ---- read() into a copy-on-write buffer */

static void pipe_fill(int fd, char c, size_t len)
{
	char chunk[512];

	memset(chunk, c, sizeof(chunk));
	for (size_t done = 0; done < len; done += sizeof(chunk))
		if (write(fd, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
			_exit(97);
}

/* Read exactly len bytes from fd into p. */
static int read_full(int fd, unsigned char *p, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, p + done, len - done);

		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

static void read_into_cow(void)
{
	int fds[2], sync[2], st;
	size_t len = 2 * VT_PAGE;
	pid_t pid;

	/* the child reads */
	fill(data, sizeof(data), 'P');
	if (pipe(fds) || pipe(sync)) {
		TL_CHECK(0, "pipes");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		_exit(read_full(fds[0], data + 100, len) != 0 ||
		      !all(data + 100, len, 'c') || !all(data, 100, 'P'));
	}
	close(fds[0]);
	pipe_fill(fds[1], 'c', len);
	close(fds[1]);
	st = vt_wait(pid, 60);
	VT_CHECK(vt_exited_ok(st), "the child's read() into a shared page lands in its copy (%s)",
		 vt_how(st));
	TL_CHECK(all(data, sizeof(data), 'P'), "the parent's buffer is unchanged");

	/* the parent reads */
	if (pipe(fds)) {
		TL_CHECK(0, "pipe");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		pipe_fill(fds[1], 'p', len);
		close(fds[1]);
		get(sync[0]);			/* the parent has read */
		_exit(!all(data, sizeof(data), 'P'));
	}
	close(fds[1]);
	TL_CHECK(read_full(fds[0], data + 200, len) == 0 && all(data + 200, len, 'p') &&
		 all(data, 200, 'P'), "the parent's read() into a shared page lands in its copy");
	close(fds[0]);
	put(sync[1], 'd');
	st = vt_wait(pid, 60);
	VT_CHECK(vt_exited_ok(st), "the child's buffer is unchanged (%s)", vt_how(st));
	close(sync[0]);
	close(sync[1]);
}

/* ---- MAP_SHARED stays shared */

static int shared_anon(void *arg)
{
	int to_child[2], to_parent[2], st;
	unsigned char *s = mmap(NULL, 2 * VT_PAGE, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	(void)arg;
	if (s == MAP_FAILED || pipe(to_child) || pipe(to_parent)) {
		TL_CHECK(0, "MAP_SHARED mmap and pipes");
		return 1;
	}
	s[0] = 1;			/* page 0 present before fork, page 1 not */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		s[0] = 2;
		s[VT_PAGE] = 3;
		put(to_parent[1], 'w');
		get(to_child[0]);
		_exit(!(s[0] == 4 && s[VT_PAGE] == 5));
	}
	get(to_parent[0]);
	TL_CHECK(s[0] == 2 && s[VT_PAGE] == 3, "MAP_SHARED: the parent sees the child's writes");
	s[0] = 4;
	s[VT_PAGE] = 5;
	put(to_child[1], 'w');
	st = vt_wait(pid, 60);
	VT_CHECK(vt_exited_ok(st), "MAP_SHARED: the child sees the parent's writes (%s)",
		 vt_how(st));
	munmap(s, 2 * VT_PAGE);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
	return tl_failed_here;
}

int main(void)
{
	long before;
	int st;

	printf("vm_cow: copy-on-write fork\n");
	/* warm up: the buffer is present from here on, pipes and fork have run once */
	fill(data, sizeof(data), 0);
	parent_and_child();
	before = tl_frames_free();
	parent_and_child();
	three_generations();
	st = vt_run(zero_pages, NULL, 60);
	VT_CHECK(vt_exited_ok(st), "the zero-page checks passed (%s)", vt_how(st));
	st = vt_run(big_fork, NULL, 180);
	VT_CHECK(vt_exited_ok(st), "the big fork passed (%s)", vt_how(st));
	read_into_cow();
	st = vt_run(shared_anon, NULL, 60);
	VT_CHECK(vt_exited_ok(st), "the MAP_SHARED checks passed (%s)", vt_how(st));
	tl_check_no_leak(before);
	return tl_done();
}
